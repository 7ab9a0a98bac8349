"""REV-03 submission, REV-04 completeness, REV-02 reviewers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.accounts.services import role_grant, role_revoke
from zhifa.cases.models import Stage
from zhifa.cases.services import officer_assign
from zhifa.cases.testing import advance_to, open_case
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, ZhifaError
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import services
from zhifa.reviews.models import Material, Submission
from zhifa.reviews.testing import FULL_MATERIALS, submit

from .conftest import proposed

pytestmark = pytest.mark.req("REV-03")

PARTIAL = {Material.COMPETENCE: "主体资格证明", Material.CASE_MATERIALS: "案卷第1-30页"}


def _docx_text(stored) -> str:
    import io

    from docx import Document

    doc = Document(io.BytesIO(services.stored_bytes(stored)))
    return "\n".join(p.text for p in doc.paragraphs)


def counts():
    return Submission.objects.count(), LedgerEntry.objects.count()


@pytest.mark.django_db
def test_a_submission_bundles_materials_and_the_draft(major_case, team):
    s = submit(team, major_case, urgent=True, note="请审核")
    assert s.round == 1 and s.kind == "first" and s.state == "submitted"
    assert s.decision_record.kind == "decision"
    assert s.submitted_by_name == "执法员1"
    assert s.reasons_for_major[0]["code"] == "catalogue_rule"
    entry = LedgerEntry.objects.filter(action="review.submit").get()
    assert entry.payload["round"] == 1 and entry.payload["urgent"] is True


@pytest.mark.django_db
def test_bad_submissions_are_refused_and_change_nothing(major_case, team, county):
    before = counts()
    with pytest.raises(InvalidInput) as e:
        submit(team, major_case, materials={})
    assert e.value.code == "materials_required"
    with pytest.raises(InvalidInput):
        submit(team, major_case, materials={"nonsense": "x"})
    with pytest.raises(Forbidden):
        services.review_submit(actor=team.reviewer, case=major_case, materials=FULL_MATERIALS)
    with pytest.raises(Forbidden):
        services.review_submit(actor=county.market_admin, case=major_case, materials=FULL_MATERIALS)
    assert counts() == before


@pytest.mark.django_db
def test_no_submission_without_a_draft_decision_or_outside_reach(team):
    from zhifa.reviews.testing import rule

    rule(team, amount_threshold="0")
    case = advance_to(team, open_case(team), Stage.DECISION)
    with pytest.raises(InvalidInput) as e:
        submit(team, case)
    assert e.value.code == "draft_incomplete"
    # A fine of 0 meets the threshold 0 inclusive.
    assert submit(team, proposed(team, "0", title="另一案")).round == 1


@pytest.mark.django_db
def test_not_in_reach_is_refused(team):
    case = proposed(team, "100.00")
    with pytest.raises(Conflict) as e:
        submit(team, case)
    assert e.value.code == "not_in_reach"


@pytest.mark.django_db
def test_one_open_submission_at_a_time(major_case, team):
    submit(team, major_case)
    with pytest.raises(Conflict) as e:
        submit(team, major_case)
    assert e.value.code == "submission_open"


@pytest.mark.django_db
def test_a_late_submission_is_warned(team, build):
    from zhifa.reviews.testing import rule

    rule(team, amount_threshold="10000")
    # Begun 200 days ago with a 90-working-day limit: the limit has run out.
    late = proposed(team, "50000.00", started_on=timezone.localdate() - timedelta(days=200))
    s = submit(team, late)
    assert "届满" in s.late_warning
    on_time = proposed(team, "50000.00", title="另一案")
    assert submit(team, on_time).late_warning == ""


@pytest.mark.django_db
@pytest.mark.req("SUP-01")
def test_the_late_warning_leaves_out_the_suspended_days(team):
    from zhifa.cases.services import case_resume, case_suspend
    from zhifa.reviews.testing import rule

    rule(team, amount_threshold="10000")
    today = timezone.localdate()
    # Begun 120 days ago with a 90-working-day limit: within it, but less than
    # ten days before it ends, so a submission today is late …
    case = proposed(team, "50000.00", started_on=today - timedelta(days=120))
    assert services.late_warning(case, today)
    # … unless sixty days of it were suspended (an expert opinion awaited).
    case_suspend(
        actor=team.leader, case=case, ground="testing", started_on=today - timedelta(days=100)
    )
    case.refresh_from_db()
    assert services.late_warning(case, today) == ""  # the clock stands still
    case_resume(actor=team.leader, case=case, ended_on=today - timedelta(days=40))
    case.refresh_from_db()
    assert services.late_warning(case, today) == ""
    assert submit(team, case).late_warning == ""


@pytest.mark.django_db
@pytest.mark.req("REV-04")
def test_returned_once_then_refused(major_case, team):
    s = submit(team, major_case, materials=PARTIAL)
    s = services.submission_check(actor=team.reviewer, submission=s, missing=["现场照片"])
    assert s.state == "returned"
    assert "调查终结报告" not in "".join(s.returned_missing)  # filled from the case's record
    notice = _docx_text(s.notice)
    assert "送审材料补正通知书" in notice and "行政裁量权基准及理由说明" in notice
    assert "行政裁量权基准及理由说明" in s.returned_missing and "现场照片" in s.returned_missing
    with pytest.raises(Conflict):
        services.submission_check(actor=team.reviewer, submission=s)
    s = services.submission_supplement(
        actor=team.lead, submission=s, materials={Material.DISCRETION: "裁量基准第3条"}
    )
    assert s.state == "supplemented"
    s = services.submission_check(actor=team.reviewer, submission=s, missing=["现场照片"])
    assert s.state == "refused"
    assert "现场照片" in s.refusal_reasons
    text = _docx_text(s.notice)
    assert "不予受理决定书" in text and "现场照片" in text
    actions = list(
        LedgerEntry.objects.filter(action__startswith="review.").values_list("action", flat=True)
    )
    assert actions[-4:] == ["review.submit", "review.return", "review.supplement", "review.refuse"]
    # A refused submission closes the round: the next one is round 2.
    assert submit(team, major_case).round == 2


@pytest.mark.django_db
@pytest.mark.req("REV-04")
def test_complete_after_supplement_is_accepted(major_case, team):
    s = submit(team, major_case, materials=PARTIAL)
    s = services.submission_check(actor=team.reviewer, submission=s)
    s = services.submission_supplement(actor=team.lead, submission=s, materials=FULL_MATERIALS)
    s = services.submission_check(actor=team.reviewer, submission=s)
    assert s.state == "accepted" and s.complete_on == timezone.localdate()
    assert s.reviewer_name == "审核员" and s.due_on is not None


@pytest.mark.django_db
@pytest.mark.req("REV-02")
def test_a_conflicted_or_unqualified_reviewer_is_refused(major_case, team, build):
    s = submit(team, major_case)
    before = counts()
    for actor in (team.lead, team.leader):
        with pytest.raises(Forbidden) as e:
            services.submission_check(actor=actor, submission=s)
        assert e.value.code == "not_a_reviewer"
    # A handling officer who later moved to the legal unit may not review the case.
    handler = team.officers[1]
    role_revoke(actor=team.sysadmin, officer=handler, role=Role.OFFICER)
    role_grant(actor=team.sysadmin, officer=handler, role=Role.REVIEWER)
    handler.user._zhifa_roles = None
    before = counts()
    with pytest.raises(Forbidden) as e:
        services.submission_check(actor=handler.user, submission=s)
    assert e.value.code == "reviewer_conflicted"
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.req("REV-02")
def test_a_reviewer_cannot_be_a_handling_officer(team):
    reviewer = team.reviewer.officer
    case = open_case(team)
    with pytest.raises(ZhifaError):
        officer_assign(actor=team.lead, case=case, officer=reviewer)
    with pytest.raises(Conflict):
        role_grant(actor=team.sysadmin, officer=reviewer, role=Role.OFFICER)
