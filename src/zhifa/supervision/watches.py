"""The watch items of the apps that exist today (SUP-01), registered with
``zhifa.supervision.watch.watch``. Imported from ``SupervisionConfig.ready()``.

Time limits: an open case (启动 … 送达执行) is past its limit when its due
date (``zhifa.cases.clock``: its matter's ``time_limit_days`` working days from
the day it started, moved on by the working days of its ended suspensions) is
before today, and at risk when the due date falls within
``ZHIFA_SUPERVISION_LIMIT_WARNING_WORKDAYS`` working days from today. A case
whose clock is suspended now (期限中止中) is neither. For the cases whose clock
never stopped, the working-day arithmetic is done once per distinct limit (a
cut-off start date), never once per case; the few cases with suspensions behind
them are read apart (a partial index) and their due dates computed with the
work calendar read once, so the count stays one query over the cases.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts.models import Agency, Credential
from zhifa.accounts.selectors import (
    credentials_expiring,
    credentials_not_valid,
    reviewer_staffing,
    reviewer_staffings,
)
from zhifa.cases import clock
from zhifa.cases.models import Case
from zhifa.cases.selectors import open_stages, overdue_filter
from zhifa.catalogues.models import Matter
from zhifa.catalogues.workdays import workdays_add, workdays_between
from zhifa.core.listing import Column
from zhifa.equipment.selectors import equipment_ratio, equipment_ratios
from zhifa.media.models import MediaItem
from zhifa.supervision.models import RectificationNotice
from zhifa.supervision.watch import AT_RISK, case_columns, case_url, watch

# --- Statutory time limits ------------------------------------------------------------


def latest_start_reaching(limit: int, through: date) -> date:
    """The latest start date ``s`` with at least ``limit`` working days in
    ``(s, through]``: a case started on or before it has used up its limit by
    ``through``. Found by bisection (about ten calendar reads per limit)."""
    hi = through  # zero working days
    lo = through - timedelta(days=limit * 2 + 30)
    while workdays_between(lo, through).count < limit:
        lo -= timedelta(days=limit + 30)
    # Invariant: count(lo) >= limit > count(hi).
    while (hi - lo).days > 1:
        mid = lo + (hi - lo) / 2
        if workdays_between(mid, through).count >= limit:
            lo = mid
        else:
            hi = mid
    return lo


def _limits(cases: QuerySet[Case]) -> list[int]:
    # Only open cases can be past their limit; ``order_by()`` keeps the matters'
    # default ordering out of the DISTINCT (SUP-01 first-view time).
    open_cases = cases.filter(stage__in=open_stages()).order_by().values("matter_id")
    return sorted(
        Matter.objects.filter(pk__in=open_cases, time_limit_days__gt=0)
        .order_by()
        .values_list("time_limit_days", flat=True)
        .distinct()
    )


def _unadjusted() -> Q:
    """Cases whose clock never stopped: the due date follows from the start alone."""
    return Q(limit_extension_workdays=0, suspended_since__isnull=True)


def _adjusted_due_dates(cases: QuerySet[Case]) -> dict[int, date]:
    """The due dates of the open cases whose clock was suspended and runs again
    (few: read through the partial index ``case_clock_adjusted``)."""
    rows = (
        cases.filter(
            stage__in=open_stages(),
            limit_extension_workdays__gt=0,
            suspended_since__isnull=True,
            matter__time_limit_days__gt=0,
        )
        .order_by()
        .values_list("pk", "started_on", "matter__time_limit_days", "limit_extension_workdays")
    )
    return clock.due_dates((pk, start, n + extra) for pk, start, n, extra in rows)


def past_limit_filter(cases: QuerySet[Case], through: date) -> Q:
    """Open cases whose time limit ran out on or before ``through``."""
    limits = _limits(cases)
    if not limits:
        return Q(pk__in=[])
    unadjusted = _unadjusted() & reduce(
        or_,
        (
            Q(matter__time_limit_days=n, started_on__lte=latest_start_reaching(n, through))
            for n in limits
        ),
    )
    adjusted = [pk for pk, due in _adjusted_due_dates(cases).items() if due <= through]
    return Q(stage__in=open_stages()) & (unadjusted | Q(pk__in=adjusted))


def cases_past_limit(cases: QuerySet[Case], today: date | None = None) -> QuerySet[Case]:
    today = today or timezone.localdate()
    # Past the limit: the last allowed working day is before today.
    return cases.filter(past_limit_filter(cases, today - timedelta(days=1)))


def cases_near_limit(cases: QuerySet[Case], today: date | None = None) -> QuerySet[Case]:
    """Open cases whose limit runs out between today and the warning horizon:
    for each limit a start-date window, so the count is one pass over the cases
    (not a filter and an exclusion of the same predicate)."""
    today = today or timezone.localdate()
    horizon = workdays_add(today, settings.ZHIFA_SUPERVISION_LIMIT_WARNING_WORKDAYS).date
    limits = _limits(cases)
    if not limits:
        return cases.none()
    yesterday = today - timedelta(days=1)
    windows = (
        Q(
            matter__time_limit_days=n,
            started_on__lte=latest_start_reaching(n, horizon),
            started_on__gt=latest_start_reaching(n, yesterday),
        )
        for n in limits
    )
    adjusted = [pk for pk, due in _adjusted_due_dates(cases).items() if yesterday < due <= horizon]
    return cases.filter(
        Q(stage__in=open_stages()) & ((_unadjusted() & reduce(or_, windows)) | Q(pk__in=adjusted))
    )


def limit_due_on(case: Case) -> date | str | None:
    if case.suspended_since is not None:
        return "期限中止中"
    return clock.limit_due_on(case)


LIMIT_COLUMNS = case_columns(
    Column("办理时限（工作日）", "matter.time_limit_days"),
    Column("中止顺延（工作日）", "limit_extension_workdays"),
    Column("时限届满日", limit_due_on),
)


def _cases(scope) -> QuerySet[Case]:
    return scope.cases.select_related("agency", "matter")


@watch(
    "cases_past_limit",
    label="超过办理时限的在办案件",
    requirement="SUP-01",
    columns=LIMIT_COLUMNS,
    link=case_url,
    search_fields=("number", "title"),
    default_sort="started_on",
    order=10,
)
def watch_cases_past_limit(scope) -> QuerySet[Case]:
    return cases_past_limit(_cases(scope))


@watch(
    "cases_near_limit",
    label="临近办理时限的在办案件",
    requirement="SUP-05",
    level=AT_RISK,
    columns=LIMIT_COLUMNS,
    link=case_url,
    search_fields=("number", "title"),
    default_sort="started_on",
    order=11,
)
def watch_cases_near_limit(scope) -> QuerySet[Case]:
    return cases_near_limit(_cases(scope))


@watch(
    "emergency_overdue",
    label="紧急先行启动未按时补办批准",
    requirement="REC-02",
    columns=case_columns(
        Column("先行启动时间", "emergency_started_at"),
        Column("补办批准时间", "emergency_approved_at"),
    ),
    link=case_url,
    search_fields=("number", "title"),
    default_sort="started_on",
    order=20,
)
def watch_emergency_overdue(scope) -> QuerySet[Case]:
    return _cases(scope).filter(overdue_filter("emergency"))


@watch(
    "archive_overdue",
    label="逾期未归档的案件",
    requirement="REC-10",
    columns=case_columns(Column("归档期限", "archive_due_on", sort="archive_due_on")),
    link=case_url,
    search_fields=("number", "title"),
    default_sort="archive_due_on",
    order=30,
)
def watch_archive_overdue(scope) -> QuerySet[Case]:
    return _cases(scope).filter(overdue_filter("archive"))


@watch(
    "media_late",
    label="逾期存储的音像记录",
    requirement="REC-05",
    columns=[
        Column("案件编号", "case.number", sort="case__number", link=lambda m: case_url(m.case)),
        Column("执法主体", "case.agency.name"),
        Column("类型", lambda m: m.get_kind_display()),
        Column("拍摄时间", "captured_at", sort="captured_at"),
        Column("存储期限", "upload_due_on", sort="upload_due_on"),
        Column("存储时间", "uploaded_at", sort="uploaded_at"),
        Column("逾期时长", lambda m: str(m.late_by).replace("days", "天").replace("day", "天")),
    ],
    link=lambda m: reverse("media:detail", args=[m.pk]),
    search_fields=("case__number", "case__title"),
    default_sort="-uploaded_at",
    order=40,
)
def watch_media_late(scope) -> QuerySet[MediaItem]:
    return MediaItem.objects.filter(case__agency__in=scope.agencies, is_late=True).select_related(
        "case", "case__agency"
    )


def _officer_url(credential) -> str:
    return reverse("accounts:officer-detail", args=[credential.officer_id])


CREDENTIAL_COLUMNS = [
    Column("证件编号", "number", sort="number", link=_officer_url),
    Column("持证人", "officer.name", sort="officer__name"),
    Column("执法主体", "officer.agency.name"),
    Column("状态", lambda c: c.get_status_display()),
    Column("有效期至", "valid_until", sort="valid_until"),
]


@watch(
    "credentials_not_valid",
    label="失效、暂扣或吊销的执法证件",
    requirement="ORG-01",
    columns=CREDENTIAL_COLUMNS,
    link=_officer_url,
    search_fields=("number", "officer__name"),
    default_sort="valid_until",
    order=50,
)
def watch_credentials_not_valid(scope) -> QuerySet[Credential]:
    return credentials_not_valid(actor=scope.actor, today=timezone.localdate()).filter(
        officer__agency__in=scope.agencies
    )


@watch(
    "credentials_expiring",
    label="即将到期的执法证件",
    requirement="ORG-01",
    level=AT_RISK,
    columns=CREDENTIAL_COLUMNS,
    link=_officer_url,
    search_fields=("number", "officer__name"),
    default_sort="valid_until",
    order=51,
)
def watch_credentials_expiring(scope) -> QuerySet[Credential]:
    return credentials_expiring(actor=scope.actor, today=timezone.localdate()).filter(
        officer__agency__in=scope.agencies
    )


def _agency_url(agency) -> str:
    return reverse("accounts:agency-detail", args=[agency.pk])


@watch(
    "reviewer_staffing",
    label="法制审核人员不足（5%且不少于2名）",
    requirement="ORG-02",
    columns=[
        Column("执法主体", "name", sort="name", link=_agency_url),
        Column("执法人员", lambda a: reviewer_staffing(a).officers),
        Column("法制审核人员", lambda a: reviewer_staffing(a).reviewers),
        Column("应配备", lambda a: reviewer_staffing(a).required),
    ],
    link=_agency_url,
    search_fields=("name",),
    default_sort="name",
    order=60,
)
def watch_reviewer_staffing(scope) -> QuerySet[Agency]:
    short = [s.agency.pk for s in reviewer_staffings(scope.agencies) if not s.ok]
    return Agency.objects.filter(pk__in=short)


@watch(
    "recorder_ratio",
    label="执法记录仪配备未达 1:3",
    requirement="REC-15",
    columns=[
        Column("执法主体", "name", sort="name", link=_agency_url),
        Column("执法人员", lambda a: equipment_ratio(a).officers),
        Column("在用设备", lambda a: equipment_ratio(a).devices),
        Column("尚缺", lambda a: equipment_ratio(a).shortfall),
    ],
    link=lambda a: reverse("equipment:ratio"),
    search_fields=("name",),
    default_sort="name",
    order=70,
)
def watch_recorder_ratio(scope) -> QuerySet[Agency]:
    short = [r.agency.pk for r in equipment_ratios(scope.agencies) if not r.meets]
    return Agency.objects.filter(pk__in=short)


# --- Rectification notices (SUP-02) ---------------------------------------------------


def _notice_url(notice) -> str:
    return reverse("supervision:notice-detail", args=[notice.pk])


# Also the first columns of the notices' own tracking list (views.NOTICE_LISTING).
NOTICE_COLUMNS = [
    Column("编号", "pk", sort="pk", link=_notice_url),
    Column("整改机关", "agency.name", sort="agency__name"),
    Column("所涉案卷", lambda n: n.file.case.number if n.file else "（整体）"),
    Column("问题与整改要求", lambda n: n.content[:60]),
    Column("整改期限", "due_on", sort="due_on"),
]


@watch(
    "rectification_overdue",
    label="整改通知逾期未整改",
    requirement="SUP-02",
    columns=NOTICE_COLUMNS,
    link=_notice_url,
    search_fields=("content", "agency__name"),
    default_sort="due_on",
    order=75,
)
def watch_rectification_overdue(scope) -> QuerySet[RectificationNotice]:
    return RectificationNotice.objects.filter(
        RectificationNotice.overdue_filter(timezone.localdate()), agency__in=scope.agencies
    ).select_related("agency", "file__case")
