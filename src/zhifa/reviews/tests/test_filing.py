"""The catalogue filed with the 司法局 and published on the portal, through the
workbench and the API (REV-01), refusals included."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.disclosures.models import Disclosure
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.models import CatalogueFiling
from zhifa.reviews.testing import rule

from .test_api import api

pytestmark = [pytest.mark.django_db, pytest.mark.req("REV-01")]


def login(user) -> Client:
    """A client of its own for ``user``: several people act in one test."""
    client = Client()
    client.force_login(user)
    return client


def test_the_catalogue_is_filed_and_answered_on_the_workbench(team, county, build):
    rule(team, code="FK-01", name="较大数额罚款", amount_threshold="10000", penalty_kinds=["fine"])
    leader = login(team.leader)
    page = leader.get(reverse("reviews:filing-list"))
    assert page.status_code == 200 and "报备目录" in page.content.decode()
    assert "报备司法局" in leader.get(reverse("reviews:rule-list")).content.decode()
    # A handling officer cannot file.
    response = login(team.lead).post(reverse("reviews:filing-create"), {})
    assert response.status_code == 200 and "只有本机关负责人" in response.content.decode()
    assert not CatalogueFiling.objects.exists()
    # The leader files, after a confirmation page naming what is filed.
    assert "1 条目录条目" in leader.get(reverse("reviews:filing-create")).content.decode()
    response = leader.post(reverse("reviews:filing-create"), {"confirmed": "1"})
    assert response.status_code == 302
    filing = CatalogueFiling.objects.get()
    assert filing.state == "filed" and filing.rules == [["FK-01", 1]]
    assert LedgerEntry.objects.filter(action="review.catalogue_file").exists()
    # A second filing while the first awaits the 司法局 is refused.
    response = leader.post(reverse("reviews:filing-create"), {"confirmed": "1"})
    assert "尚待司法局审查" in response.content.decode()
    assert CatalogueFiling.objects.count() == 1

    # The region's 司法局 sees the filing with its rules, and answers it.
    bureau = login(county.supervisor)
    assert team.agency.name in bureau.get(reverse("reviews:filing-list")).content.decode()
    detail = bureau.get(reverse("reviews:filing", args=[filing.pk])).content.decode()
    assert "较大数额罚款" in detail and "审查备案" in detail and "含本数" in detail
    # The agency cannot answer its own filing, and sees no answer button.
    detail = leader.get(reverse("reviews:filing", args=[filing.pk])).content.decode()
    assert "审查备案" not in detail and "已报备" in detail
    response = leader.post(reverse("reviews:filing-answer", args=[filing.pk]), {"accepted": "1"})
    assert "只有本地区司法局" in response.content.decode()
    # Returning needs comments.
    url = reverse("reviews:filing-answer", args=[filing.pk])
    response = bureau.post(url, {"accepted": "0", "answer": ""})
    assert response.status_code == 200 and "审查意见不能为空" in response.content.decode()
    response = bureau.post(url, {"accepted": "0", "answer": "金额标准未区分当事人类型"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == "returned" and filing.answer == "金额标准未区分当事人类型"
    detail = leader.get(reverse("reviews:filing", args=[filing.pk])).content.decode()
    assert "退回修改" in detail and "金额标准未区分当事人类型" in detail
    # Answered once only.
    response = bureau.post(url, {"accepted": "1", "answer": ""})
    assert "该备案已审查" in response.content.decode()
    # Another agency, and another county's 司法局, do not see it.
    assert (
        login(county.safety_admin).get(detail_url := url.replace("answer/", "")).status_code == 404
    )
    other = build.county(code="990103", name="邻县")
    assert login(other.supervisor).get(detail_url).status_code == 404
    # After the return the agency files again.
    assert leader.post(reverse("reviews:filing-create"), {"confirmed": "1"}).status_code == 302
    assert CatalogueFiling.objects.filter(state="filed").count() == 1


def test_the_catalogue_is_filed_and_answered_through_the_api(team, county):
    r = api(login(team.leader), "post", "review-filing-list")
    assert r.status_code == 400 and r.json()["code"] == "catalogue_empty"
    rule(team, amount_threshold="10000")
    assert api(login(team.lead), "post", "review-filing-list").status_code == 403
    r = api(login(county.market_admin), "post", "review-filing-list")
    assert r.status_code == 201, r.content
    filing = r.json()
    assert filing["state"] == "filed" and filing["rules"] == [["R1", 1]]
    assert (
        api(login(county.safety_admin), "get", "review-filing-detail", filing["id"]).status_code
        == 404
    )
    r = api(
        login(team.leader),
        "post",
        "review-filing-answer",
        filing["id"],
        data={"accepted": True},
    )
    assert r.status_code == 403
    bureau = login(county.supervisor)
    assert api(bureau, "get", "review-filing-list").json()["count"] == 1
    r = api(bureau, "post", "review-filing-answer", filing["id"], data={"accepted": True})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = api(
        bureau,
        "post",
        "review-filing-answer",
        filing["id"],
        data={"accepted": False, "answer": "x"},
    )
    assert r.status_code == 409
    r = api(login(team.leader), "get", "review-filing-detail", filing["id"])
    assert r.json()["state"] == "accepted"


def _publish(client, item_pk):
    response = client.post(reverse("portal:wb-publish", args=[item_pk]), {"confirmed": "1"})
    assert response.status_code == 302
    return Disclosure.objects.get(pk=item_pk)


def test_the_catalogue_is_published_on_the_portal_from_the_rules(team, county, build):
    reviewer = login(team.reviewer)
    url = reverse("reviews:catalogue-disclose")
    # Nothing in force: refused.
    response = reviewer.post(url, {"confirmed": "1"})
    assert "尚无施行中的条目" in response.content.decode()
    rule(
        team,
        code="FK-01",
        name="对法人处较大数额罚款",
        penalty_kinds=["fine"],
        party_type="organisation",
        amount_threshold="50000",
    )
    rule(
        team,
        code="MS-01",
        name="没收较大数额",
        amount_of="confiscation",
        amount_threshold="50000",
        amount_inclusive=False,
    )
    rule(
        team,
        code="OLD",
        name="已废止的条目",
        traits=["fees"],
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    assert "生成公示稿" in reviewer.get(reverse("reviews:rule-list")).content.decode()
    # A handling officer may not.
    response = login(team.lead).post(url, {"confirmed": "1"})
    assert "只有本机关的法制审核人员或机关管理员" in response.content.decode()
    assert not Disclosure.objects.exists()

    response = reviewer.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    item = Disclosure.objects.get()
    assert (item.kind, item.topic, item.status) == ("ex_ante", "major_catalogue", "in_review")
    assert "FK-01 对法人处较大数额罚款" in item.body and "50,000.00 元以上（含本数）" in item.body
    assert "没收违法所得和非法财物金额：50,000.00 元以上（不含本数）" in item.body
    assert "处罚种类：罚款" in item.body and "当事人：法人或其他组织" in item.body
    assert "已废止的条目" not in item.body
    assert LedgerEntry.objects.filter(action="review.catalogue_disclose").exists()
    # While it waits for the legal unit, another draft is refused.
    response = reviewer.post(url, {"confirmed": "1"})
    assert "尚未办结" in response.content.decode()

    # Another member of the legal unit confirms it on the portal workbench (PUB-13);
    # the public portal shows it.
    checker = build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    checker = login(checker.user)
    _publish(checker, item.pk)
    public = Client().get(reverse("portal:agency-detail", args=[team.agency.pk])).content.decode()
    assert "重大执法决定法制审核目录清单" in public and "FK-01 对法人处较大数额罚款" in public

    # A new version of a rule: the next draft supersedes the published one.
    rule(
        team,
        code="FK-01",
        name="对法人处十万元以上罚款",
        penalty_kinds=["fine"],
        party_type="organisation",
        amount_threshold="100000",
        effective_from=timezone.localdate(),
    )
    assert reviewer.post(url, {"confirmed": "1"}).status_code == 302
    newer = Disclosure.objects.exclude(pk=item.pk).get()
    item.refresh_from_db()
    assert newer.supersedes_id == item.pk and item.status == "superseded"
    assert "对法人处十万元以上罚款（第2版）" in newer.body
    _publish(checker, newer.pk)
    public = Client().get(reverse("portal:agency-detail", args=[team.agency.pk])).content.decode()
    assert "十万元以上" in public and "对法人处较大数额罚款" not in public


def test_the_catalogue_draft_through_the_api(team):
    rule(team, amount_threshold="10000")
    assert api(login(team.lead), "post", "review-catalogue-disclosure-list").status_code == 403
    r = api(login(team.reviewer), "post", "review-catalogue-disclosure-list")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "in_review" and r.json()["supersedes"] is None
    r = api(login(team.reviewer), "post", "review-catalogue-disclosure-list")
    assert r.status_code == 409 and r.json()["code"] == "catalogue_disclosure_pending"
