"""Who sees which part of the supervision platform (SUP-01, SUP-05, PUB-11).

The 司法局's supervisors see every agency of their region, or one of them; an
agency's leaders see their own agency. Everyone else — officers, reviewers,
the system administrator, who does not read case data — gets a 404, as for any
object outside a reader's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from zhifa.accounts.models import Agency, Region, Role
from zhifa.accounts.selectors import officer_of, region_scope, roles_of, supervised_region
from zhifa.cases.models import Case
from zhifa.core.errors import NotFound


@dataclass(frozen=True)
class Scope:
    """The agencies a supervision page covers, and for whom."""

    actor: object
    agencies: QuerySet[Agency]
    region: Region | None = None
    agency: Agency | None = None

    @property
    def title(self) -> str:
        if self.agency is not None:
            return self.agency.name
        return f"{self.region.name}（全区域）" if self.region else ""

    @property
    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(agency__in=self.agencies)

    @property
    def is_region(self) -> bool:
        return self.agency is None


def region_agencies(region: Region) -> QuerySet[Agency]:
    """The agencies supervised in ``region``: every agency there but the 司法局 itself."""
    return Agency.objects.filter(region_scope(region)).exclude(kind=Agency.Kind.SUPERVISORY)


def supervision_scope(*, actor, agency=None) -> Scope:
    """The scope of ``actor``'s supervision pages, narrowed to ``agency`` (a pk)
    when given; ``NotFound`` for anyone without one or an agency outside it."""
    region = supervised_region(actor)
    if region is not None:
        agencies = region_agencies(region)
        if agency in (None, ""):
            return Scope(actor, agencies, region=region)
        found = agencies.filter(pk=_pk(agency)).first()
        if found is None:
            raise NotFound("执法主体不存在，或不在您的监督范围内。")
        return Scope(actor, Agency.objects.filter(pk=found.pk), region=region, agency=found)
    officer = officer_of(actor)
    if officer is None or Role.LEADER not in roles_of(actor):
        raise NotFound("页面不存在，或您无权查看。")
    if agency not in (None, "") and _pk(agency) != officer.agency_id:
        raise NotFound("执法主体不存在，或不在您的监督范围内。")
    return Scope(actor, Agency.objects.filter(pk=officer.agency_id), agency=officer.agency)


def _pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def evaluation_list(*, actor):
    """The case file evaluations ``actor`` may see: a supervisor's region, a leader's agency."""
    from zhifa.supervision.models import FileEvaluation

    try:
        scope = supervision_scope(actor=actor)
    except NotFound:
        return FileEvaluation.objects.none()
    return FileEvaluation.objects.filter(agency__in=scope.agencies).select_related(
        "agency", "drawn_by"
    )


def evaluation_get(*, actor, pk):
    found = evaluation_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("评查抽样不存在，或您无权查看。")
    return found


def _visible_agencies(actor) -> QuerySet[Agency]:
    """The agencies whose 评查, filings and reports ``actor`` sees: a supervisor's
    region; an agency's leaders and administrators their own agency."""
    region = supervised_region(actor)
    if region is not None:
        return region_agencies(region)
    officer = officer_of(actor)
    if officer is None or not roles_of(actor) & {Role.LEADER, Role.AGENCY_ADMIN}:
        return Agency.objects.none()
    return Agency.objects.filter(pk=officer.agency_id)


def file_get(*, actor, pk):
    from zhifa.supervision.models import FileEvaluationItem

    found = (
        FileEvaluationItem.objects.filter(
            pk=pk, evaluation__agency__in=evaluation_list(actor=actor).values("agency")
        )
        .select_related("evaluation", "evaluation__agency", "case")
        .first()
    )
    if found is None:
        raise NotFound("评查案卷不存在，或您无权查看。")
    return found


def notice_list(*, actor):
    from zhifa.supervision.models import RectificationNotice

    return RectificationNotice.objects.filter(agency__in=_visible_agencies(actor)).select_related(
        "agency", "file", "file__case", "evaluation"
    )


def notice_get(*, actor, pk):
    found = notice_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("整改通知不存在，或您无权查看。")
    return found


def filing_list(*, actor):
    from zhifa.supervision.models import Filing

    return Filing.objects.filter(agency__in=_visible_agencies(actor)).select_related(
        "agency", "file", "filed_by", "decided_by"
    )


def filing_get(*, actor, pk):
    found = filing_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("备案不存在，或您无权查看。")
    return found


def filing_overview(*, actor) -> list[tuple[Agency, dict, object]]:
    """Every visible agency with the latest filing of each kind, and its review
    catalogue filing (REV-01, kept by the reviews app: read, not duplicated)."""
    from zhifa.reviews.selectors import filing_list as catalogue_filing_list
    from zhifa.supervision.models import Filing

    agencies = list(_visible_agencies(actor).order_by("name"))
    latest: dict[tuple[int, str], Filing] = {}
    for filing in Filing.objects.filter(agency__in=agencies).order_by("filed_at", "pk"):
        latest[(filing.agency_id, filing.kind)] = filing
    catalogue: dict[int, object] = {}
    for filing in (
        catalogue_filing_list(actor=actor).filter(agency__in=agencies).order_by("filed_at", "pk")
    ):
        catalogue[filing.agency_id] = filing
    return [
        (a, {k: latest.get((a.pk, k)) for k, _ in Filing.Kind.choices}, catalogue.get(a.pk))
        for a in agencies
    ]


def report_list(*, actor):
    from zhifa.supervision.models import AnnualReport

    return AnnualReport.objects.filter(agency__in=_visible_agencies(actor)).select_related(
        "agency", "pdf", "disclosure"
    )


def report_get(*, actor, pk):
    found = report_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("统计年报不存在，或您无权查看。")
    return found


# --- Dashboard snapshots (SUP-01) ---------------------------------------------------------


def snapshot_key(scope: Scope) -> dict:
    """The fields that name ``scope``'s ``DashboardSnapshot``: a whole region, or
    one agency (as its leaders see it, or a supervisor narrowed to it)."""
    from zhifa.supervision.models import DashboardSnapshot

    if scope.is_region:
        return {"kind": DashboardSnapshot.Kind.REGION, "region": scope.region, "agency": None}
    return {"kind": DashboardSnapshot.Kind.AGENCY, "region": None, "agency": scope.agency}


def dashboard_snapshot(scope: Scope):
    """The stored dashboard figures of exactly ``scope``, or ``None``. The scope
    itself comes from ``supervision_scope``, so no one reads another's."""
    from zhifa.supervision.models import DashboardSnapshot

    return DashboardSnapshot.objects.filter(**snapshot_key(scope)).first()


def dashboard_readers() -> list[Scope]:
    """Every scope a dashboard can be shown for, each as one of those entitled to
    it sees it: each region with agencies to supervise (as a supervisor of its
    司法局) and each agency (as its leader, else a supervisor narrowed to it).
    The watch items count through the reader's own visibility (credentials,
    approvals), so a scope nobody may read is skipped: it has no snapshot and is
    counted live should someone come to read it."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, officer__isnull=False)
    supervisors = users.filter(
        officer__role_grants__role=Role.SUPERVISOR, officer__agency__kind=Agency.Kind.SUPERVISORY
    ).order_by("pk")
    by_region: dict[int, object] = {}
    for user in supervisors.select_related("officer__agency__region"):
        by_region.setdefault(user.officer.agency.region_id, user)
    regions = list(Region.objects.filter(pk__in=list(by_region)).order_by("code"))
    out: list[Scope] = []
    for region in regions:
        if region_agencies(region).exists():
            out.append(supervision_scope(actor=by_region[region.pk]))
    leaders: dict[int, object] = {}
    for user in (
        users.filter(officer__role_grants__role=Role.LEADER)
        .select_related("officer")
        .order_by("pk")
    ):
        leaders.setdefault(user.officer.agency_id, user)
    for agency in Agency.objects.select_related("region").order_by("pk"):
        # Its own leader first, then the supervisors of the nearest region above it.
        candidates = [leaders[agency.pk]] if agency.pk in leaders else []
        candidates += [
            by_region[r.pk]
            for r in reversed(regions)
            if agency.region.code.startswith(r.code_prefix)
        ]
        for user in candidates:
            try:
                scope = supervision_scope(actor=user, agency=agency.pk)
            except NotFound:
                continue
            if scope.agency == agency:
                out.append(scope)
                break
    return out
