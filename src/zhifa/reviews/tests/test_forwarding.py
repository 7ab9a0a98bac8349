"""Decisions in the county government's name (REV-03, 001 附件3 §7): after the
agency's review passed they go to the 司法局, and the gate (REV-09) also waits
for its agreeing opinion; through the workbench and the API."""

import pytest
from django.test import Client
from django.urls import reverse

from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import services
from zhifa.reviews.gates import review_refusals
from zhifa.reviews.models import Forwarding
from zhifa.reviews.testing import decide, review_pass, rule, submit

from .conftest import proposed
from .test_api import api

pytestmark = [pytest.mark.django_db, pytest.mark.req("REV-03", "REV-09")]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _government_case(team):
    rule(team, code="ZF-01", name="以本级人民政府名义作出的", traits=["county_government"])
    case = proposed(team, "2000.00")
    services.proposal_set(actor=team.lead, case=case, traits=["county_government"])
    return case


def test_forwarded_to_the_bureau_on_the_workbench(team, county, build):
    case = _government_case(team)
    # Before the agency's review passed nothing can be forwarded.
    s = services.submission_check(actor=team.reviewer, submission=submit(team, case))
    review = decide(team, s, opinion="change", text="裁量不当")
    with pytest.raises(services.Conflict, match="本机关法制审核尚未通过"):
        services.forwarding_create(actor=team.reviewer, review=review)
    services.review_respond(actor=team.lead, review=review, kind="accept")
    review = review_pass(team, case)
    assert review_refusals(case) == ["法制审核：以本级人民政府名义作出的决定，须报送司法局审核"]
    reviewer = login(team.reviewer)
    case_url = reverse("reviews:case", args=[case.pk])
    page = reviewer.get(case_url).content.decode()
    assert "以本级人民政府名义" in page and "报送司法局审核" in page
    forward = reverse("reviews:forward", args=[review.pk])
    response = login(team.lead).post(forward, {"note": "请审核"})
    assert "只有本机关法制审核人员或机关负责人" in response.content.decode()
    assert reviewer.post(forward, {"note": "附法律顾问意见"}).status_code == 302
    f = Forwarding.objects.get()
    assert f.state == "forwarded" and f.forwarded_by_name == "审核员"
    assert review_refusals(case) == ["法制审核：已报送司法局，司法局尚未出具审核意见"]
    assert "该审核意见已报送司法局" in reviewer.post(forward, {}).content.decode()

    # The region's 司法局 sees it in its list and answers; no one else can.
    bureau = login(county.supervisor)
    dashboard = bureau.get(reverse("supervision:dashboard")).content.decode()
    assert reverse("reviews:forwarding-list") in dashboard  # reached from its own pages
    listing = bureau.get(reverse("reviews:forwarding-list")).content.decode()
    assert case.number in listing and "出具意见" in listing
    answer = reverse("reviews:forward-answer", args=[f.pk])
    response = login(team.leader).post(answer, {"agreed": "1", "opinion": "同意"})
    assert "只有本地区司法局执法监督人员" in response.content.decode()
    other = build.county(code="990103", name="邻县")
    assert login(other.supervisor).get(answer).status_code == 404
    assert (
        case.number
        not in login(other.supervisor).get(reverse("reviews:forwarding-list")).content.decode()
    )
    response = bureau.post(answer, {"agreed": "0", "opinion": "应当组织听证"})
    assert response.status_code == 302
    f.refresh_from_db()
    assert f.state == "answered" and f.agreed is False and f.answered_by_name
    assert review_refusals(case) == ["法制审核：司法局审核不同意：应当组织听证"]
    assert (
        "司法局已出具意见"
        in bureau.post(answer, {"agreed": "1", "opinion": "同意"}).content.decode()
    )
    page = login(team.lead).get(case_url).content.decode()
    assert "不同意。应当组织听证" in page
    # The responsibility trail (REV-10) names who forwarded and who answered.
    assert "报送司法局审核" in page and "司法局审核意见：不同意" in page
    assert {"review.forward", "review.forward_answer"} <= set(
        LedgerEntry.objects.values_list("action", flat=True)
    )


def test_a_decision_not_in_the_governments_name_is_not_forwarded(major_case, team):
    review = review_pass(team, major_case)
    assert review_refusals(major_case) == []
    with pytest.raises(services.Conflict, match="无需报送司法局"):
        services.forwarding_create(actor=team.reviewer, review=review)


def test_forwarded_and_agreed_through_the_api(team, county):
    case = _government_case(team)
    review = review_pass(team, case)
    r = api(login(team.lead), "post", "review-forward", review.pk, data={})
    assert r.status_code == 403
    r = api(login(team.reviewer), "post", "review-forward", review.pk, data={"note": "报送"})
    assert r.status_code == 201 and r.json()["state"] == "forwarded"
    forwarding = r.json()["id"]
    r = api(
        login(team.leader),
        "post",
        "review-forwarding-answer",
        forwarding,
        data={"agreed": True, "opinion": "同意"},
    )
    assert r.status_code == 403
    r = api(
        login(county.supervisor),
        "post",
        "review-forwarding-answer",
        forwarding,
        data={"agreed": True, "opinion": ""},
    )
    assert r.status_code == 400
    r = api(
        login(county.supervisor),
        "post",
        "review-forwarding-answer",
        forwarding,
        data={"agreed": True, "opinion": "同意以县人民政府名义作出决定"},
    )
    assert r.status_code == 200 and r.json()["agreed"] is True
    assert review_refusals(case) == []
    assert api(login(county.supervisor), "get", "review-forwarding-list").json()["count"] == 1
    assert (
        api(login(county.safety_admin), "get", "review-forwarding-detail", forwarding).status_code
        == 404
    )


def test_the_driver_forwards_and_the_decision_is_issued(team, county):
    from zhifa.cases.models import Stage
    from zhifa.cases.testing import advance_to
    from zhifa.instruments.models import Instrument, Kind

    case = _government_case(team)
    case = advance_to(team, case, Stage.EXECUTION)
    assert case.stage == Stage.EXECUTION
    assert Instrument.objects.filter(case=case, kind=Kind.DECISION).exists()
    f = Forwarding.objects.get(case=case)
    assert f.agreed and f.answered_by == county.supervisor
