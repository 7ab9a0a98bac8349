"""REV-09 the hard gate on every door; REV-10 the responsibility trail."""

import pytest
from django.contrib import admin
from django.urls import reverse

from zhifa.cases.models import Stage
from zhifa.cases.services import case_advance
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Conflict, ZhifaError
from zhifa.instruments.gates import GateClosed
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.services import IssueRequest, instruments_issue
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import catalogue, selectors, services
from zhifa.reviews.gates import PREFIX, review_refusals
from zhifa.reviews.models import Opinion
from zhifa.reviews.testing import decide, review_pass, submit

pytestmark = [pytest.mark.req("REV-09"), pytest.mark.django_db]


def refused_entries():
    return LedgerEntry.objects.filter(action="instrument.refused")


def test_every_door_is_refused_without_review(major_case, team, client_for, county):
    case = major_case
    record = catalogue.decision_record(case)
    assert review_refusals(case)[0].startswith(PREFIX + "本案须经法制审核")

    # The service, as a management command would call it.
    with pytest.raises(GateClosed) as e:
        instruments_issue(actor=team.lead, case=case, items=[IssueRequest(Kind.DECISION)])
    assert "未经法制审核不得作出决定" in e.value.message

    # The API.
    client = client_for(team.lead)
    response = client.post(
        reverse("api:instrument-list"),
        {"case": case.pk, "kind": "decision", "record": record.pk},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "gate_closed"

    # The workbench form.
    response = client.post(
        reverse("instruments:issue", args=[case.pk, "decision"]), {"record": record.pk}
    )
    assert response.status_code == 200
    assert "未经法制审核不得作出决定" in response.content.decode()

    # The admin offers no way to make an instrument at all.
    assert Instrument not in admin.site._registry

    # Nor can the case move on to 送达执行 without the decision's review.
    with pytest.raises(ZhifaError) as e:
        case_advance(actor=team.lead, case=case, to_stage=Stage.EXECUTION)
    assert any(PREFIX in m for m in e.value.details) or PREFIX in e.value.message

    assert not Instrument.objects.filter(case=case, kind=Kind.DECISION).exists()
    assert refused_entries().count() == 3
    # The 司法局 sees the attempts; another agency's people do not.
    assert len(selectors.refused_decisions(actor=county.supervisor)) == 3
    assert selectors.refused_decisions(actor=county.safety_admin) == []


def test_a_review_not_agreed_or_a_changed_draft_keeps_the_gate_closed(major_case, team):
    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    assert "审核中" in review_refusals(major_case)[0]
    decide(team, s, opinion=Opinion.CHANGE, text="建议变更")
    assert "审核未通过" in review_refusals(major_case)[0]

    # A re-submission agreed, then the draft decision changed afterwards.
    services.review_respond(actor=team.lead, review=s.review, kind="accept")
    s2 = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    decide(team, s2)
    assert review_refusals(major_case) == []
    old = catalogue.decision_record(major_case)
    add(team, major_case, "decision", content={"fine_amount": "60000.00"}, supersedes=old)
    assert "已更改" in review_refusals(major_case)[0]


def test_a_case_outside_the_reach_is_not_gated(team):
    case = advance_to(team, open_case(team), Stage.DECISION)
    add(team, case, "decision")
    assert review_refusals(case) == []


@pytest.mark.req("REV-10")
def test_the_driver_reviews_a_major_case_and_the_trail_survives_staff_changes(team):
    # Every decision of the agency is reviewed (REV-11): the driver must pass the review.
    services.reach_set(actor=team.leader, agency=team.agency, reach="all")
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    assert case.stage == Stage.EXECUTION
    assert Instrument.objects.filter(case=case, kind=Kind.DECISION).exists()
    reviewer = team.reviewer.officer
    reviewer.name = "改名后的审核员"
    reviewer.save(update_fields=["name"])
    trail = selectors.responsibility_trail(case)
    whats = [s.what for s in trail]
    assert whats.index("第1轮送审") < whats.index("出具审核意见：同意") < whats.index("制作决定书")
    assert "负责人审批" in whats
    reviewed = next(s for s in trail if s.what == "出具审核意见：同意")
    assert reviewed.who == "审核员"
    issued = next(s for s in trail if s.what == "制作决定书")
    assert issued.who == "执法员1"


def test_review_pass_twice_is_a_conflict(major_case, team):
    review_pass(team, major_case)
    with pytest.raises(Conflict):
        decide(team, major_case.review_submissions.get())


def test_an_approval_before_the_review_passed_is_reported(major_case, team, county):
    from zhifa.reviews.selectors import approvals_before_review

    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    early = add(team, major_case, "leader_signoff")
    assert approvals_before_review(actor=county.supervisor) == [early]
    decide(team, s)
    add(team, major_case, "leader_signoff", supersedes=early)
    # The correction made after the review is fine; the early approval stays on record.
    assert approvals_before_review(actor=county.supervisor) == [early]
    assert approvals_before_review(actor=county.safety_admin) == []
