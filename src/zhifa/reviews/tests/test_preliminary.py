"""The optional 初审 by the head of the handling unit before submission
(REV-03, 004 (三)3): an agency setting, off by default; through the workbench and the API."""

import pytest
from django.test import Client
from django.urls import reverse

from zhifa.accounts.models import Role
from zhifa.cases.testing import add
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import catalogue
from zhifa.reviews.models import Material, PreliminaryReview, Submission
from zhifa.reviews.testing import rule

from .conftest import proposed
from .test_api import api

pytestmark = [pytest.mark.django_db, pytest.mark.req("REV-03")]

MATERIALS = {f"m_{code}": "附卷" for code in Material.values}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def unit_head(build, county):
    return build.officer(
        county.market,
        roles=(Role.UNIT_HEAD,),
        unit=county.market_unit,
        credential=False,
        name="大队长",
    ).user


def test_preliminary_review_when_the_agency_requires_it(team, county, unit_head, build):
    rule(team, amount_threshold="10000")
    case = proposed(team, "50000.00", unit=county.market_unit)
    assert not catalogue.preliminary_required(team.agency.pk)  # off by default
    # Only the leader or the administrator sets it.
    url = reverse("reviews:preliminary-setting")
    response = login(team.lead).post(url, {"required": "on"})
    assert "只有本机关负责人或机关管理员" in response.content.decode()
    assert login(team.leader).post(url, {"required": "on"}).status_code == 302
    assert catalogue.preliminary_required(team.agency.pk)
    assert not catalogue.preliminary_required(county.safety.pk)

    handler = login(team.lead)
    submit_url = reverse("reviews:submit", args=[case.pk])
    response = handler.post(submit_url, MATERIALS)
    assert response.status_code == 200 and "本案尚未初审" in response.content.decode()
    assert not Submission.objects.exists()
    page = login(unit_head).get(reverse("reviews:case", args=[case.pk])).content.decode()
    assert "承办机构初审" in page and "本案尚未初审" in page
    # Neither the leader nor the head of another unit signs the 初审.
    prelim = reverse("reviews:preliminary", args=[case.pk])
    other_head = build.officer(
        county.market,
        roles=(Role.UNIT_HEAD,),
        unit=build.unit(county.market, "二大队"),
        credential=False,
    ).user
    for user in (team.leader, team.lead):
        response = login(user).post(prelim, {"result": "agree"})
        assert "只有本案承办机构的负责人" in response.content.decode(), user
    # The head of another unit does not even see the case.
    assert login(other_head).post(prelim, {"result": "agree"}).status_code == 404
    # The unit head returns it, with reasons.
    head = login(unit_head)
    assert "退回理由不能为空" in head.post(prelim, {"result": "return"}).content.decode()
    assert head.post(prelim, {"result": "return", "reasons": "证据目录不全"}).status_code == 302
    response = handler.post(submit_url, MATERIALS)
    assert "初审退回：证据目录不全" in response.content.decode()
    assert head.post(prelim, {"result": "agree", "reasons": ""}).status_code == 302
    row = PreliminaryReview.objects.order_by("-pk").first()
    assert row.made_by_name == "大队长" and row.decision_record == catalogue.decision_record(case)
    assert LedgerEntry.objects.filter(action="review.preliminary").count() == 2
    # A draft changed after the 初审 needs a new one.
    add(team, case, "decision", content={"fine_amount": "60000.00"})
    response = handler.post(submit_url, MATERIALS)
    assert "须重新初审" in response.content.decode()
    assert head.post(prelim, {"result": "agree"}).status_code == 302
    assert handler.post(submit_url, MATERIALS).status_code == 302
    assert Submission.objects.count() == 1
    page = handler.get(reverse("reviews:case", args=[case.pk])).content.decode()
    assert "大队长：同意送审" in page
    assert "承办机构初审：退回承办人员" in page  # in the responsibility trail (REV-10)

    # Switched off again, no 初审 is asked for.
    assert login(team.leader).post(url, {}).status_code == 302
    assert not catalogue.preliminary_required(team.agency.pk)


def test_preliminary_review_through_the_api(team, county, unit_head):
    rule(team, amount_threshold="10000")
    case = proposed(team, "50000.00", unit=county.market_unit)
    r = api(login(team.lead), "post", "review-preliminary-setting-list", data={"required": True})
    assert r.status_code == 403
    r = api(login(team.leader), "post", "review-preliminary-setting-list", data={"required": True})
    assert r.status_code == 201 and r.json()["required"] is True
    submit = {"case": case.pk, "materials": {code: "附卷" for code in Material.values}}
    r = api(login(team.lead), "post", "review-submission-list", data=submit)
    assert r.status_code == 409 and r.json()["code"] == "preliminary_required"
    r = api(
        login(team.leader), "post", "review-case-preliminary", case.pk, data={"result": "agree"}
    )
    assert r.status_code == 403
    r = api(login(unit_head), "post", "review-case-preliminary", case.pk, data={"result": "agree"})
    assert r.status_code == 201 and r.json()["made_by_name"] == "大队长"
    r = api(login(team.lead), "post", "review-submission-list", data=submit)
    assert r.status_code == 201, r.content
