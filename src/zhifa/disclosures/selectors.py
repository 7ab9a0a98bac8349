"""Reads of the portal (anonymous, only what is public) and of the workbench's
publication queue (limited to what the actor may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhifa.accounts.models import Agency, Credential, Role
from zhifa.accounts.selectors import (
    is_sysadmin,
    officer_of,
    region_scope,
    roles_of,
    supervised_region,
)
from zhifa.catalogues.models import Matter
from zhifa.core.errors import NotFound
from zhifa.disclosures import search
from zhifa.disclosures.models import Disclosure, PublicRequest, Takedown

S = Disclosure.Status

# --- The portal: anonymous reads ---------------------------------------------------------


def portal_agencies() -> list[tuple[str, list[Agency]]]:
    """Active agencies grouped by region, with only their public profile fields."""
    agencies = (
        Agency.objects.filter(is_active=True)
        .select_related("region")
        .only(
            "name", "kind", "domain", "complaint_phone", "address", "region__name", "region__code"
        )
        .order_by("region__code", "kind", "name")
    )
    return [(region, list(items)) for region, items in groupby(agencies, lambda a: a.region.name)]


def portal_agency(pk) -> Agency:
    agency = Agency.objects.filter(pk=pk, is_active=True).select_related("region").first()
    if agency is None:
        raise NotFound("没有这个执法主体。")
    return agency


@dataclass(frozen=True)
class PublicOfficer:
    """An officer as the 行政执法人员清单 shows them (PUB-02): no other personal data."""

    name: str
    unit: str
    credential_number: str
    categories: str
    area: str


def portal_officers(agency: Agency, *, today: date | None = None) -> list[PublicOfficer]:
    today = today or timezone.localdate()
    credentials = (
        Credential.objects.filter(
            officer__agency=agency,
            officer__is_active=True,
            status=Credential.Status.VALID,
            valid_until__gte=today,
            issued_on__lte=today,
        )
        .select_related("officer__unit")
        .order_by("officer__name", "number")
    )
    return [
        PublicOfficer(
            name=c.officer.name,
            unit=c.officer.unit.name if c.officer.unit_id else "",
            credential_number=c.number,
            categories=c.categories,
            area=c.area,
        )
        for c in credentials
    ]


def portal_matters(agency: Agency | None = None, *, query: str = "") -> QuerySet[Matter]:
    matters = Matter.objects.filter(is_active=True, agency__is_active=True).select_related(
        "agency", "unit"
    )
    if agency is not None:
        matters = matters.filter(agency=agency)
    query = (query or "").strip()
    if query:
        matters = matters.filter(
            Q(name__icontains=query) | Q(code__icontains=query) | Q(legal_basis__icontains=query)
        )
    return matters.order_by("agency_id", "code")


def published(*, today: date | None = None) -> QuerySet[Disclosure]:
    """What the portal shows: published and within its display period (PUB-08).
    Expired items leave the portal here even before the daily task marks them."""
    today = today or timezone.localdate()
    return Disclosure.objects.filter(status=S.PUBLISHED, display_until__gte=today)


@dataclass
class DecisionFilters:
    query: str = ""
    agency: int | None = None
    action_kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None

    @classmethod
    def from_params(cls, params) -> DecisionFilters:
        def as_date(name):
            try:
                return date.fromisoformat(params.get(name, "").strip())
            except ValueError:
                return None

        def as_amount(name):
            try:
                return Decimal(params.get(name, "").strip())
            except (InvalidOperation, ValueError):
                return None

        agency = params.get("agency", "").strip()
        return cls(
            query=params.get("q", "").strip()[:100],
            agency=int(agency) if agency.isdigit() else None,
            action_kind=params.get("category", "").strip(),
            date_from=as_date("from"),
            date_to=as_date("to"),
            amount_min=as_amount("amount_min"),
            amount_max=as_amount("amount_max"),
        )


def published_decisions(
    filters: DecisionFilters | None = None, *, today: date | None = None
) -> QuerySet[Disclosure]:
    """Published ex-post items, filtered, newest decision first; the primary key
    breaks ties so pages are stable (PUB-12)."""
    filters = filters or DecisionFilters()
    items = published(today=today).exclude(kind=Disclosure.Kind.EX_ANTE)
    if filters.agency:
        items = items.filter(agency_id=filters.agency)
    if filters.action_kind:
        items = items.filter(action_kind=filters.action_kind)
    if filters.date_from:
        items = items.filter(decided_on__gte=filters.date_from)
    if filters.date_to:
        items = items.filter(decided_on__lte=filters.date_to)
    if filters.amount_min is not None:
        items = items.filter(fine_amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        items = items.filter(fine_amount__lte=filters.amount_max)
    if filters.query:
        items = search.matching(items, filters.query)
    return items.select_related("agency").order_by("-decided_on", "-pk")


def published_inspection_results(
    filters: DecisionFilters | None = None, *, today: date | None = None
) -> QuerySet[Disclosure]:
    """Published inspection results (PUB-06: 主体, 对象, 依据, 检查情况, 结论, 日期),
    with the decision list's filters and search."""
    return published_decisions(filters, today=today).filter(kind=Disclosure.Kind.INSPECTION_RESULT)


def public_draws():
    """The public record of every committed or drawn 双随机 plan (INS-01, PUB-02):
    the commitment before the draw, the seed and the digest of the result after."""
    from zhifa.inspections.selectors import public_draw_list

    return public_draw_list()


def published_ex_ante(agency: Agency) -> list[tuple[str, list[Disclosure]]]:
    """The agency's published ex-ante items (PUB-02), grouped by category."""
    items = (
        published()
        .filter(agency=agency, kind=Disclosure.Kind.EX_ANTE)
        .order_by("topic", "-published_at", "-pk")
    )
    return [
        (Disclosure.Topic(topic).label, list(group))
        for topic, group in groupby(items, lambda d: d.topic)
    ]


def published_get(pk) -> Disclosure:
    item = published().select_related("agency", "supersedes").filter(pk=pk).first()
    if item is None:
        raise NotFound("该信息不存在、已撤下或公示期已满。")
    return item


def takedowns() -> QuerySet[Takedown]:
    return Takedown.objects.select_related("agency").order_by("-at", "-pk")


def credential_lookup(number: str) -> Credential | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        Credential.objects.select_related("officer__agency", "officer__unit")
        .filter(number__iexact=number)
        .first()
    )


# --- The workbench: the legal unit's publication queue ----------------------------------


def disclosure_scope(actor) -> Q | None:
    if is_sysadmin(actor):
        return Q()
    region = supervised_region(actor)
    if region is not None:
        return Q(agency__in=Agency.objects.filter(region_scope(region)).values("pk"))
    officer = officer_of(actor)
    if officer is None:
        return None
    return Q(agency_id=officer.agency_id)


def _whole_queue(actor) -> bool:
    """The legal unit, leaders, administrators and supervisors see every item of
    their scope; anyone else only what is public, what they wrote, and the items
    of cases they may see (an unpublished item holds a case's content)."""
    if is_sysadmin(actor) or supervised_region(actor) is not None:
        return True
    from zhifa.disclosures.services import is_legal_unit

    officer = officer_of(actor)
    if officer is None:
        return False
    if is_legal_unit(actor, officer.agency):
        return True
    return bool(roles_of(actor) & {Role.LEADER, Role.AGENCY_ADMIN})


def _visible_cases(actor):
    from zhifa.cases.selectors import case_list

    return case_list(actor=actor).values("pk")


def disclosure_list(*, actor) -> QuerySet[Disclosure]:
    scope = disclosure_scope(actor)
    if scope is None:
        return Disclosure.objects.none()
    if not _whole_queue(actor):
        scope &= (
            Q(status=Disclosure.Status.PUBLISHED)
            | Q(created_by=actor)
            | Q(case_id_ref__in=_visible_cases(actor))
        )
    return Disclosure.objects.filter(scope).select_related("agency").order_by("due_on", "pk")


def disclosure_get(*, actor, pk) -> Disclosure:
    item = disclosure_list(actor=actor).filter(pk=pk).first()
    if item is None:
        raise NotFound("没有这条公示信息，或您无权查看。")
    return item


def checkers(item: Disclosure) -> list:
    """The users who may confirm ``item`` now: active members of its agency's
    legal unit, less whoever prepared or submitted it (PUB-13)."""
    from zhifa.accounts.models import Officer, Unit
    from zhifa.disclosures.services import is_legal_unit, own_work

    officers = (
        Officer.objects.filter(agency_id=item.agency_id, is_active=True, user__isnull=False)
        .filter(Q(role_grants__role=Role.REVIEWER) | Q(unit__kind=Unit.Kind.LEGAL))
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    return [
        o.user
        for o in officers
        if is_legal_unit(o.user, item.agency) and not own_work(o.user, item)
    ]


def disclosures_due(*, actor, today: date | None = None) -> QuerySet[Disclosure]:
    """Items not yet published nor withheld, by deadline; ``overdue`` marks those late."""
    today = today or timezone.localdate()
    return disclosure_list(actor=actor).filter(status__in=[S.DRAFT, S.IN_REVIEW])


def is_overdue(item: Disclosure, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return item.due_on is not None and item.due_on < today


def decisions_unprepared(*, actor):
    """Issued 行政处罚决定书 of the actor's scope that have no public version yet,
    with the date by which they are due (PUB-06)."""
    from zhifa.instruments.models import Instrument, Kind

    scope = disclosure_scope(actor)
    if scope is None:
        return Instrument.objects.none()
    prepared = Disclosure.objects.filter(instrument_id_ref__isnull=False).values(
        "instrument_id_ref"
    )
    if not _whole_queue(actor):
        scope &= Q(case__in=_visible_cases(actor))
    return (
        Instrument.objects.filter(scope, kind=Kind.DECISION)
        .exclude(pk__in=prepared)
        .select_related("agency", "case__matter")
        .order_by("issued_at", "pk")
    )


def executions_unprepared(*, actor) -> list:
    """Execution records (强制执行, 申请法院强制执行) of the actor's scope whose
    result is recorded and that have no public 执行信息 yet (PUB-06), oldest first."""
    from zhifa.cases.models import Case, Record
    from zhifa.disclosures.services import ACTIVE, EXECUTION_KINDS

    scope = disclosure_scope(actor)
    if scope is None:
        return []
    case_scope = Q(case__in=Case.objects.filter(scope).values("pk"))
    if not _whole_queue(actor):
        case_scope &= Q(case__in=_visible_cases(actor))
    prepared = Disclosure.objects.filter(
        kind=Disclosure.Kind.EXECUTION, record_id_ref__isnull=False, status__in=ACTIVE
    ).values("record_id_ref")
    records = (
        Record.objects.filter(case_scope, kind__in=list(EXECUTION_KINDS))
        .exclude(pk__in=prepared)
        .exclude(pk__in=Record.objects.filter(supersedes__isnull=False).values("supersedes_id"))
        .select_related("case__agency")
        .order_by("occurred_at", "pk")[:200]
    )
    return [r for r in records if (r.content or {}).get(EXECUTION_KINDS[r.kind])]


def public_request_list(*, actor) -> QuerySet[PublicRequest]:
    scope = disclosure_scope(actor)
    if scope is None:
        return PublicRequest.objects.none()
    return PublicRequest.objects.filter(scope).select_related("agency", "disclosure")


def public_request_get(*, actor, pk) -> PublicRequest:
    item = public_request_list(actor=actor).filter(pk=pk).first()
    if item is None:
        raise NotFound("没有这件请求，或您无权查看。")
    return item


# --- Stale public items (PUB-03) ----------------------------------------------------------


@dataclass(frozen=True)
class StaleItem:
    """A matter or published ex-ante item citing a law version that was repealed
    or replaced after the item was last updated: to be updated within 15
    working days (001 附件1 §9)."""

    label: str
    agency: Agency
    basis: str
    since: date
    due_on: date
    pk: int = 0

    def is_overdue(self, today: date) -> bool:
        return today > self.due_on


def stale_items(*, actor, today: date | None = None) -> list[StaleItem]:
    scope = disclosure_scope(actor)
    if scope is None:
        return []
    return _stale(scope, today or timezone.localdate())


def stale_matters_public(today: date | None = None) -> dict[int, date]:
    """Matter id → the day its cited law changed, for the portal's 待更新 mark (PUB-03)."""
    today = today or timezone.localdate()
    return {s.pk: s.since for s in _stale(Q(), today) if s.label.startswith("执法事项")}


def _stale(scope: Q, today: date) -> list[StaleItem]:
    from django.conf import settings

    from zhifa.catalogues.models import LegalBasis
    from zhifa.catalogues.workdays import workdays_add

    days = settings.ZHIFA_DISCLOSURE_STALE_WORKDAYS
    repealed = LegalBasis.objects.filter(repealed_on__isnull=False, repealed_on__lte=today)
    out: list[StaleItem] = []
    matters = Matter.objects.filter(scope, is_active=True).select_related("agency")
    ex_ante = published().filter(scope, kind=Disclosure.Kind.EX_ANTE).select_related("agency")
    for basis in repealed:
        names = {basis.name, basis.short_name} - {""}
        cited = Q()
        for name in names:
            cited |= Q(legal_basis__contains=name)
        for matter in matters.filter(cited, updated_at__date__lte=basis.repealed_on):
            out.append(
                StaleItem(
                    f"执法事项 {matter.code} {matter.name}",
                    matter.agency,
                    str(basis),
                    basis.repealed_on,
                    workdays_add(basis.repealed_on, days).date,
                    matter.pk,
                )
            )
        cited = Q()
        for name in names:
            cited |= Q(body__contains=name)
        for item in ex_ante.filter(cited, published_at__date__lte=basis.repealed_on):
            out.append(
                StaleItem(
                    f"{item.get_topic_display()} {item.title}",
                    item.agency,
                    str(basis),
                    basis.repealed_on,
                    workdays_add(basis.repealed_on, days).date,
                )
            )
    return sorted(out, key=lambda s: (s.due_on, s.label))


# --- Service windows (PUB-05) -------------------------------------------------------------


def window_list(*, actor):
    """Windows of the actor's scope: their own agency's, a supervisor's region,
    everything for a system administrator."""
    from zhifa.disclosures.models import Window

    scope = disclosure_scope(actor)
    if scope is None:
        return Window.objects.none()
    return (
        Window.objects.filter(scope)
        .select_related("agency")
        .prefetch_related("matters__unit", "staff")
        .order_by("agency_id", "name")
    )


def window_get(*, actor, pk):
    window = window_list(actor=actor).filter(pk=pk).first()
    if window is None:
        raise NotFound("没有这个服务窗口，或您无权查看。")
    return window
