"""The legal review's watch items on the supervisor dashboard (SUP-01):
reviews past their clock or within one working day of it (REV-05), refused
decision attempts and leaders' approvals made before the review passed (REV-10). Imported from
``ReviewsConfig.ready()``.

A running review stores its due date (``Submission.due_on``, recomputed by the
services when the materials are accepted, a pause ends or a leader extends
it; ``None`` while paused) and, while paused, the due date that had already
passed when the pause began (``paused_past_due_on``), so the overdue reviews
are one database filter (``Submission.overdue_filter``), paused ones included.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Record
from zhifa.catalogues.workdays import workdays_add
from zhifa.core.listing import Column
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.gates import PREFIX
from zhifa.reviews.models import Submission
from zhifa.reviews.selectors import approvals_before_review
from zhifa.supervision.watch import AT_RISK, case_url, watch


def _review_url(case_id) -> str:
    return reverse("reviews:case", args=[case_id])


def overdue_submissions(scope, today=None) -> QuerySet[Submission]:
    """Accepted reviews of the scope whose last working day is before ``today``,
    and paused ones that were already past it when the pause began."""
    today = today or timezone.localdate()
    return (
        Submission.objects.filter(agency__in=scope.agencies)
        .filter(Submission.overdue_filter(today))
        .select_related("case", "agency")
    )


def _due(s: Submission):
    if s.due_on is None and s.paused_past_due_on is not None:
        return f"{s.paused_past_due_on:%Y-%m-%d}（中止中）"
    return s.due_on or ""


REVIEW_COLUMNS = [
    Column("案件编号", "case.number", sort="case__number", link=lambda s: case_url(s.case)),
    Column("案件名称", "case.title"),
    Column("执法主体", "agency.name", sort="agency__name"),
    Column("轮次", "round"),
    Column("审核人员", "reviewer_name"),
    Column("材料完备日期", "complete_on", sort="complete_on"),
    Column("审核期限（工作日）", lambda s: (s.limit_days or 0) + s.extension_days),
    Column("审核期满日", _due, sort="due_on"),
]


@watch(
    "reviews_overdue",
    label="法制审核超期",
    requirement="REV-05",
    columns=REVIEW_COLUMNS,
    link=lambda s: _review_url(s.case_id),
    search_fields=("case__number", "case__title"),
    default_sort="due_on",
    order=80,
)
def watch_reviews_overdue(scope) -> QuerySet[Submission]:
    return overdue_submissions(scope)


def submissions_near_clock(scope, today=None) -> QuerySet[Submission]:
    """Accepted reviews of the scope whose last working day is today or the next
    working day: the reviewer has at most one working day left."""
    today = today or timezone.localdate()
    horizon = workdays_add(today, 1).date
    return Submission.objects.filter(
        agency__in=scope.agencies,
        state=Submission.State.ACCEPTED,
        due_on__gte=today,
        due_on__lte=horizon,
    ).select_related("case", "agency")


@watch(
    "reviews_near_clock",
    label="法制审核临近期满",
    requirement="REV-05",
    level=AT_RISK,
    columns=REVIEW_COLUMNS,
    link=lambda s: _review_url(s.case_id),
    search_fields=("case__number", "case__title"),
    default_sort="due_on",
    order=80,
)
def watch_reviews_near_clock(scope) -> QuerySet[Submission]:
    return submissions_near_clock(scope)


def refused_entries(scope) -> QuerySet[LedgerEntry]:
    """``instrument.refused`` entries of the scope refused by the review's gate.
    The reasons are matched in Python (the ledger's JSON may escape Chinese);
    the rows come back as a QuerySet of the matching entries."""
    agencies = list(scope.agencies.values_list("pk", flat=True))
    entries = LedgerEntry.objects.filter(
        action="instrument.refused", object_type="cases.case", agency_id__in=agencies
    )
    ids = [
        e.seq
        for e in entries.only("seq", "payload")
        if any(PREFIX in str(r) for r in e.payload.get("reasons") or [])
    ]
    return LedgerEntry.objects.filter(seq__in=ids)


def _reasons(entry) -> str:
    return "；".join(str(r) for r in entry.payload.get("reasons") or [])


@watch(
    "decisions_refused_unreviewed",
    label="未经法制审核试图作出决定",
    requirement="REV-10",
    columns=[
        Column("案件", "object_repr", link=lambda e: _review_url(e.object_id)),
        Column("时间", "recorded_at", sort="recorded_at"),
        Column("操作人", "actor_name", sort="actor_name"),
        Column("拒绝理由", _reasons),
    ],
    link=lambda e: _review_url(e.object_id),
    search_fields=("object_repr", "actor_name"),
    default_sort="-recorded_at",
    order=81,
)
def watch_decisions_refused(scope) -> QuerySet[LedgerEntry]:
    return refused_entries(scope)


def early_approvals(scope) -> QuerySet[Record]:
    ids = [r.pk for r in approvals_before_review(actor=scope.actor)]
    return Record.objects.filter(pk__in=ids, case__agency__in=scope.agencies).select_related(
        "case", "case__agency"
    )


@watch(
    "approvals_before_review",
    label="法制审核通过前负责人审批决定",
    requirement="REV-10",
    columns=[
        Column("案件编号", "case.number", sort="case__number", link=lambda r: case_url(r.case)),
        Column("案件名称", "case.title"),
        Column("执法主体", "case.agency.name", sort="case__agency__name"),
        Column("审批时间", "occurred_at", sort="occurred_at"),
        Column("录入时间", "created_at", sort="created_at"),
        Column("审批人", lambda r: str(r.content.get("approved_by") or "")),
    ],
    link=lambda r: _review_url(r.case_id),
    search_fields=("case__number", "case__title"),
    default_sort="-created_at",
    order=82,
)
def watch_approvals_before_review(scope) -> QuerySet[Record]:
    return early_approvals(scope)
