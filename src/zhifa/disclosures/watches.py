"""The publication's watch items on the supervisor dashboard (SUP-01).
Imported from ``DisclosuresConfig.ready()``.

- PUB-06: public items not published by their deadline (drafts and items in
  review with ``due_on`` passed); issued 行政处罚决定书 with no public version
  yet whose deadline passed; items published late (``is_late`` stays).
- PUB-10: correction requests not answered within their 3-working-day clock.
- PUB-03: matters and published ex-ante items citing a repealed or replaced law
  and not updated within ``ZHIFA_DISCLOSURE_STALE_WORKDAYS`` working days.

Stored deadlines (``Disclosure.due_on``, ``PublicRequest.due_on``) make plain
database filters. The unprepared decisions and the stale items have no stored
deadline: the ids are worked out in Python over the scope's few candidates
(the working-day arithmetic once per distinct issue date or repeal date) and
the rows come back as ``Model.objects.filter(pk__in=ids)``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhifa.catalogues.models import Matter
from zhifa.catalogues.workdays import workdays_add
from zhifa.core.listing import Column
from zhifa.disclosures import services
from zhifa.disclosures.models import Disclosure, PublicRequest
from zhifa.supervision.watch import AT_RISK, case_url, watch

S = Disclosure.Status


def _item_url(item) -> str:
    return reverse("portal:wb-detail", args=[item.pk])


def _today() -> date:
    return timezone.localdate()


DISCLOSURE_COLUMNS = [
    Column("标题", "title", sort="title", link=_item_url),
    Column("执法主体", "agency.name", sort="agency__name"),
    Column("公示类型", lambda d: d.get_kind_display()),
    Column("决定书文号", "document_number"),
    Column("决定日期", "decided_on", sort="decided_on"),
    Column("公开期限", "due_on", sort="due_on"),
    Column("状态", lambda d: d.get_status_display(), sort="status"),
    Column("公示时间", "published_at", sort="published_at"),
]


# --- PUB-06: publication deadlines --------------------------------------------------------


def disclosures_overdue(scope, today: date | None = None) -> QuerySet[Disclosure]:
    """Items still in draft or in review whose publication deadline has passed."""
    today = today or _today()
    return Disclosure.objects.filter(
        agency__in=scope.agencies, status__in=[S.DRAFT, S.IN_REVIEW], due_on__lt=today
    ).select_related("agency")


@watch(
    "disclosures_overdue",
    label="逾期未公示的执法信息",
    requirement="PUB-06",
    columns=DISCLOSURE_COLUMNS,
    link=_item_url,
    search_fields=("title", "document_number"),
    default_sort="due_on",
    order=90,
)
def watch_disclosures_overdue(scope) -> QuerySet[Disclosure]:
    return disclosures_overdue(scope)


def decision_due_on(instrument) -> date:
    """The publication deadline of an issued decision (as the publication queue shows it)."""
    issued = timezone.localtime(instrument.issued_at).date()
    days = services.deadline_workdays(instrument.case.action_kind, instrument.case.matter)
    return workdays_add(issued, days).date


def decisions_unpublished(scope, today: date | None = None):
    """Issued 行政处罚决定书 of the scope with no public version, past their deadline."""
    from zhifa.instruments.models import Instrument, Kind

    today = today or _today()
    prepared = Disclosure.objects.filter(instrument_id_ref__isnull=False).values(
        "instrument_id_ref"
    )
    candidates = (
        Instrument.objects.filter(agency__in=scope.agencies, kind=Kind.DECISION)
        .exclude(pk__in=prepared)
        .select_related("case__matter")
    )
    ids = [i.pk for i in candidates if decision_due_on(i) < today]
    return Instrument.objects.filter(pk__in=ids).select_related("agency", "case", "case__matter")


@watch(
    "decisions_unpublished",
    label="逾期未拟制公示的行政处罚决定",
    requirement="PUB-06",
    columns=[
        Column("决定书文号", "number", sort="number", link=lambda i: case_url(i.case)),
        Column("案件编号", "case.number", sort="case__number"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("作出时间", "issued_at", sort="issued_at"),
        Column("公开期限", decision_due_on),
    ],
    link=lambda i: reverse("portal:wb-queue"),
    search_fields=("number", "case__number", "case__title"),
    default_sort="issued_at",
    order=91,
)
def watch_decisions_unpublished(scope):
    return decisions_unpublished(scope)


@watch(
    "disclosures_late",
    label="逾期公示的执法信息",
    requirement="PUB-06",
    columns=DISCLOSURE_COLUMNS,
    link=_item_url,
    search_fields=("title", "document_number"),
    default_sort="-published_at",
    order=92,
)
def watch_disclosures_late(scope) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(agency__in=scope.agencies, is_late=True).select_related(
        "agency"
    )


# --- PUB-10: correction requests ----------------------------------------------------------


def corrections_overdue(scope, today: date | None = None) -> QuerySet[PublicRequest]:
    today = today or _today()
    return PublicRequest.objects.filter(
        agency__in=scope.agencies,
        kind=PublicRequest.Kind.CORRECTION,
        status=PublicRequest.Status.RECEIVED,
        due_on__lt=today,
    ).select_related("agency", "disclosure")


def _request_url(request) -> str:
    return reverse("portal:wb-request", args=[request.pk])


@watch(
    "corrections_overdue",
    label="逾期未处理的更正申请",
    requirement="PUB-10",
    columns=[
        Column("查询编号", "tracking_number", sort="tracking_number", link=_request_url),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("所涉公示信息", "disclosure.title"),
        Column("收到时间", "received_at", sort="received_at"),
        Column("处理期限", "due_on", sort="due_on"),
    ],
    link=_request_url,
    search_fields=("tracking_number", "disclosure__title"),
    default_sort="due_on",
    order=93,
)
def watch_corrections_overdue(scope) -> QuerySet[PublicRequest]:
    return corrections_overdue(scope)


# --- PUB-03: stale public items -----------------------------------------------------------


def stale_overdue_ids(
    scope, today: date | None = None, *, within: bool = False
) -> tuple[set[int], set[int]]:
    """Ids of the scope's matters and published ex-ante items citing a law
    repealed or replaced after they were last updated, whose 15-working-day
    update deadline has passed (``within``: has not passed yet): the same
    reading as ``selectors.stale_items``."""
    from zhifa.catalogues.models import LegalBasis
    from zhifa.disclosures.selectors import published

    today = today or _today()
    days = settings.ZHIFA_DISCLOSURE_STALE_WORKDAYS
    mine = Q(agency__in=scope.agencies)
    matters = Matter.objects.filter(mine, is_active=True)
    ex_ante = published(today=today).filter(mine, kind=Disclosure.Kind.EX_ANTE)
    matter_ids: set[int] = set()
    item_ids: set[int] = set()
    for basis in LegalBasis.objects.filter(repealed_on__isnull=False, repealed_on__lte=today):
        if (workdays_add(basis.repealed_on, days).date >= today) != within:
            continue  # within the time to update (or, for ``within``, past it)
        names = {basis.name, basis.short_name} - {""}
        in_basis, in_body = Q(), Q()
        for name in names:
            in_basis |= Q(legal_basis__contains=name)
            in_body |= Q(body__contains=name)
        matter_ids.update(
            matters.filter(in_basis, updated_at__date__lte=basis.repealed_on).values_list(
                "pk", flat=True
            )
        )
        item_ids.update(
            ex_ante.filter(in_body, published_at__date__lte=basis.repealed_on).values_list(
                "pk", flat=True
            )
        )
    return matter_ids, item_ids


STALE_MATTER_COLUMNS = [
    Column("事项编码", "code", sort="code", link=lambda m: reverse("portal:matter-list")),
    Column("事项名称", "name", sort="name"),
    Column("执法主体", "agency.name", sort="agency__name"),
    Column("实施依据", "legal_basis"),
    Column("更新时间", "updated_at", sort="updated_at"),
]


@watch(
    "stale_matters",
    label="引用已废止法律逾期未更新的执法事项",
    requirement="PUB-03",
    columns=STALE_MATTER_COLUMNS,
    link=lambda m: reverse("portal:wb-queue"),
    search_fields=("code", "name"),
    default_sort="code",
    order=94,
)
def watch_stale_matters(scope) -> QuerySet[Matter]:
    matter_ids, _items = stale_overdue_ids(scope)
    return Matter.objects.filter(pk__in=matter_ids).select_related("agency")


@watch(
    "stale_ex_ante",
    label="引用已废止法律逾期未更新的事前公开信息",
    requirement="PUB-03",
    columns=DISCLOSURE_COLUMNS,
    link=_item_url,
    search_fields=("title",),
    default_sort="published_at",
    order=95,
)
def watch_stale_ex_ante(scope) -> QuerySet[Disclosure]:
    _matters, item_ids = stale_overdue_ids(scope)
    return Disclosure.objects.filter(pk__in=item_ids).select_related("agency")


@watch(
    "stale_matters_due",
    label="引用已废止法律待更新的执法事项（更新期限内）",
    requirement="PUB-03",
    level=AT_RISK,
    columns=STALE_MATTER_COLUMNS,
    link=lambda m: reverse("portal:wb-queue"),
    search_fields=("code", "name"),
    default_sort="code",
    order=94,
)
def watch_stale_matters_due(scope) -> QuerySet[Matter]:
    matter_ids, _items = stale_overdue_ids(scope, within=True)
    return Matter.objects.filter(pk__in=matter_ids).select_related("agency")


@watch(
    "stale_ex_ante_due",
    label="引用已废止法律待更新的事前公开信息（更新期限内）",
    requirement="PUB-03",
    level=AT_RISK,
    columns=DISCLOSURE_COLUMNS,
    link=_item_url,
    search_fields=("title",),
    default_sort="published_at",
    order=95,
)
def watch_stale_ex_ante_due(scope) -> QuerySet[Disclosure]:
    _matters, item_ids = stale_overdue_ids(scope, within=True)
    return Disclosure.objects.filter(pk__in=item_ids).select_related("agency")
