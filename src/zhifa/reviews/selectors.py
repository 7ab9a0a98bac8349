"""Reads of the legal review, limited to what the asking actor may see.

Submissions, reviews and deliberations follow their case (``case_scope``:
handlers, the agency's leaders and reviewers, the region's 司法局); the
catalogue is seen by the agency and its 司法局. Objects outside scope are 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case as Choose
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone

from zhifa.accounts.selectors import agency_list
from zhifa.cases.models import Case
from zhifa.cases.selectors import case_scope
from zhifa.core.errors import NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import clock
from zhifa.reviews.gates import PREFIX
from zhifa.reviews.models import (
    AdviserOpinion,
    CatalogueFiling,
    CollectiveDeliberation,
    Forwarding,
    LegalReview,
    MajorDecisionRule,
    PreliminaryReview,
    Submission,
)


def _cases(actor):
    scope = case_scope(actor)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope).values("pk")


def rule_list(*, actor) -> QuerySet[MajorDecisionRule]:
    return MajorDecisionRule.objects.filter(agency__in=agency_list(actor=actor)).select_related(
        "agency", "matter"
    )


def filing_list(*, actor) -> QuerySet[CatalogueFiling]:
    return CatalogueFiling.objects.filter(agency__in=agency_list(actor=actor)).select_related(
        "agency"
    )


def filing_get(*, actor, pk) -> CatalogueFiling:
    found = filing_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("目录备案不存在，或您无权查看。")
    return found


def filing_rules(filing: CatalogueFiling) -> list[MajorDecisionRule]:
    """The rule versions a filing named, in its order."""
    wanted = {(code, version) for code, version in filing.rules}
    found = {
        (r.code, r.version): r
        for r in MajorDecisionRule.objects.filter(
            agency_id=filing.agency_id, code__in=[c for c, _ in wanted]
        ).select_related("matter")
        if (r.code, r.version) in wanted
    }
    return [found[(c, v)] for c, v in filing.rules if (c, v) in found]


def adviser_list(*, actor) -> QuerySet[AdviserOpinion]:
    return AdviserOpinion.objects.filter(submission__case__in=_cases(actor)).select_related(
        "submission", "submission__case", "document"
    )


def adviser_get(*, actor, pk) -> AdviserOpinion:
    found = adviser_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("法律顾问意见不存在，或您无权查看。")
    return found


def forwarding_list(*, actor) -> QuerySet[Forwarding]:
    """Decisions in the county government's name forwarded to the 司法局: the
    agency's own, or the region's for the 司法局."""
    return Forwarding.objects.filter(case__in=_cases(actor)).select_related(
        "case", "agency", "review"
    )


def forwarding_get(*, actor, pk) -> Forwarding:
    found = forwarding_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("报送记录不存在，或您无权查看。")
    return found


def preliminary_reviews(case: Case) -> list[PreliminaryReview]:
    return list(PreliminaryReview.objects.filter(case=case).order_by("made_at", "pk"))


def submission_list(*, actor) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(case__in=_cases(actor))
        .select_related("case", "agency", "review")
        .prefetch_related("pauses", "advisers__document")
        .order_by("-submitted_at", "-pk")
    )


def submission_get(*, actor, pk) -> Submission:
    found = submission_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("送审不存在，或您无权查看。")
    return found


def review_list(*, actor) -> QuerySet[LegalReview]:
    return LegalReview.objects.filter(submission__case__in=_cases(actor)).select_related(
        "submission", "submission__case", "response"
    )


def deliberation_list(*, actor) -> QuerySet[CollectiveDeliberation]:
    return (
        CollectiveDeliberation.objects.filter(case__in=_cases(actor))
        .select_related("case", "review")
        .prefetch_related("participants")
    )


def rounds_of(case: Case) -> list[Submission]:
    """Every round of ``case``, oldest first, with its review, response and pauses."""
    return list(
        Submission.objects.filter(case=case)
        .select_related("review", "review__response", "review__forwarding")
        .prefetch_related("pauses", "advisers__document", "review__deliberations__participants")
        .order_by("round")
    )


# --- The reviewer's queue (REV-05) ---------------------------------------------------------


@dataclass
class QueueItem:
    submission: Submission
    remaining: int | None  # working days; None while paused or awaiting the materials check
    overdue: bool


def queue_rows(*, actor) -> QuerySet[Submission]:
    """Open submissions of the reviewer's agency in queue order, in the database:
    running reviews by due date (the least working time left first), then the
    paused ones, then those awaiting the materials check; oldest first within
    each. Working days left grow with the due date, so ordering by the stored
    due date is ordering by remaining time, and a page can be cut in SQL."""
    return (
        submission_list(actor=actor)
        .filter(state__in=Submission.OPEN_STATES)
        .select_related("case__matter")
        .annotate(
            queue_group=Choose(
                When(due_on__isnull=False, then=Value(0)),
                When(state=Submission.State.ACCEPTED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("queue_group", "due_on", "submitted_at", "pk")
    )


def queue_items(rows, *, today=None) -> list[QueueItem]:
    """The rows of one page with their working days left (one calendar read)."""
    today = today or timezone.localdate()
    rows = list(rows)
    remaining = clock.remaining_many(rows, today)
    return [QueueItem(s, remaining.get(s.pk), remaining.get(s.pk, 0) < 0) for s in rows]


def queue(*, actor, today=None) -> list[QueueItem]:
    """The whole queue (for the API and tests); the workbench pages it."""
    return queue_items(queue_rows(actor=actor), today=today)


def overdue_reviews(*, actor, today=None) -> QuerySet[Submission]:
    """Running reviews past their due date, paused ones that were already past it
    when the pause began included: for the 司法局's dashboard (REV-05)."""
    today = today or timezone.localdate()
    return submission_list(actor=actor).filter(Submission.overdue_filter(today))


# --- Supervision (REV-09, REV-10) ---------------------------------------------------------


def refused_decisions(*, actor) -> list[LedgerEntry]:
    """Attempts to issue a decision that the legal review's gate refused: for
    the 司法局's dashboard (an attempt to decide without a passed review).

    The reasons are matched in Python: the ledger's JSON may store Chinese
    escaped, so a database text search would not find them."""
    agencies = list(agency_list(actor=actor).values_list("pk", flat=True))
    entries = LedgerEntry.objects.filter(
        action="instrument.refused", object_type="cases.case", agency_id__in=agencies
    ).order_by("-seq")
    return [e for e in entries if any(PREFIX in str(r) for r in e.payload.get("reasons") or [])]


@dataclass
class TrailStep:
    at: datetime
    what: str
    who: str
    detail: str = ""


def responsibility_trail(case: Case) -> list[TrailStep]:
    """Who submitted, who reviewed, who decided collectively, who approved and
    who issued the decision, and when (REV-10): from the rows and names stored
    at the time, so later staff changes do not alter it."""
    from zhifa.instruments.models import Instrument, Kind

    steps: list[TrailStep] = []
    for s in rounds_of(case):
        steps.append(
            TrailStep(
                s.submitted_at,
                f"第{s.round}轮{s.get_kind_display()}",
                s.submitted_by_name,
                "材料：" + "、".join(sorted(s.materials)),
            )
        )
        if s.returned_at:
            steps.append(
                TrailStep(
                    s.returned_at, "一次性告知补正", s.reviewer_name, "；".join(s.returned_missing)
                )
            )
        if s.refused_at:
            steps.append(TrailStep(s.refused_at, "不予受理", s.reviewer_name, s.refusal_reasons))
        if s.extension_approved_at:
            steps.append(
                TrailStep(
                    s.extension_approved_at,
                    "批准延长审核期限",
                    s.extension_approved_by_name,
                    s.extension_reason,
                )
            )
        for a in s.advisers.all():
            if a.recorded_at:
                steps.append(
                    TrailStep(
                        a.recorded_at,
                        f"{a.get_kind_display()}书面意见",
                        f"{a.name}（{a.organisation}）",
                        a.text or "见书面意见原件",
                    )
                )
            if a.rechecked_at:
                steps.append(
                    TrailStep(
                        a.rechecked_at,
                        f"复核{a.name}的意见：{a.get_recheck_display()}",
                        a.rechecked_by_name,
                        a.recheck_reason,
                    )
                )
        review = getattr(s, "review", None)
        if review is None:
            continue
        forwarding = getattr(review, "forwarding", None)
        if forwarding is not None:
            steps.append(
                TrailStep(forwarding.forwarded_at, "报送司法局审核", forwarding.forwarded_by_name)
            )
            if forwarding.answered_at:
                steps.append(
                    TrailStep(
                        forwarding.answered_at,
                        "司法局审核意见：" + ("同意" if forwarding.agreed else "不同意"),
                        forwarding.answered_by_name,
                        forwarding.opinion,
                    )
                )
        steps.append(
            TrailStep(
                review.decided_at,
                f"出具审核意见：{review.get_opinion_display()}",
                review.reviewer_name,
                review.text,
            )
        )
        response = getattr(review, "response", None)
        if response is not None:
            steps.append(
                TrailStep(
                    response.made_at,
                    response.get_kind_display() + "审核意见",
                    response.made_by_name,
                    response.reasons,
                )
            )
        for d in review.deliberations.all():
            steps.append(
                TrailStep(
                    d.held_at,
                    f"集体讨论：{d.get_outcome_display()}",
                    "、".join(p.name for p in d.participants.all()),
                    d.decision + (f"（与审核意见不一致：{d.difference}）" if d.difference else ""),
                )
            )
    for p in preliminary_reviews(case):
        steps.append(
            TrailStep(
                p.made_at, f"承办机构初审：{p.get_result_display()}", p.made_by_name, p.reasons
            )
        )
    for record in case.records.filter(kind="leader_signoff").order_by("occurred_at"):
        steps.append(
            TrailStep(
                record.occurred_at,
                "负责人审批",
                str(record.content.get("approved_by") or ""),
                str(record.content.get("opinion") or ""),
            )
        )
    decisions = list(
        Instrument.objects.filter(case=case, kind__in=(Kind.DECISION, Kind.ONSPOT_DECISION))
    )
    # The issuer's name as the ledger wrote it at the time.
    issuers = dict(
        LedgerEntry.objects.filter(
            action__in=("instrument.issue", "instrument.correct"),
            object_type="instruments.instrument",
            object_id__in=[str(i.pk) for i in decisions],
        ).values_list("object_id", "actor_name")
    )
    for instrument in decisions:
        steps.append(
            TrailStep(
                instrument.issued_at,
                "制作决定书",
                issuers.get(str(instrument.pk), ""),
                instrument.number,
            )
        )
    steps.sort(key=lambda s: s.at)
    return steps


def approvals_before_review(*, actor) -> list:
    """Leaders' approvals (负责人审批决定 records) of reviewed cases made before the
    review passed — an agreeing opinion or a deliberation deciding to issue — for
    the 司法局's dashboard (001 附件3 §19, REV-09). Cases that should have been
    reviewed and never were show in ``refused_decisions`` when the decision is tried."""
    from django.db.models import Min

    from zhifa.cases.models import Record
    from zhifa.reviews.models import Opinion

    cases = Submission.objects.filter(case__in=_cases(actor)).values("case_id")
    passed: dict[int, datetime] = {}
    for case_id, at in (
        LegalReview.objects.filter(submission__case__in=cases, opinion=Opinion.AGREE)
        .values("submission__case_id")
        .annotate(at=Min("decided_at"))
        .values_list("submission__case_id", "at")
    ):
        passed[case_id] = at
    for case_id, at in (
        CollectiveDeliberation.objects.filter(
            case__in=cases, outcome=CollectiveDeliberation.Outcome.ISSUE
        )
        .values("case_id")
        .annotate(at=Min("recorded_at"))
        .values_list("case_id", "at")
    ):
        passed[case_id] = min(at, passed.get(case_id, at))
    # Corrected approvals count too: a correction must not hide an early one.
    signoffs = Record.objects.filter(case__in=cases, kind="leader_signoff").select_related("case")
    return [r for r in signoffs if r.case_id not in passed or r.created_at < passed[r.case_id]]
