"""Early warning (SUP-05, REC-13): patterns across cases that point to weak links.

Each check reads the cases of a scope over the last
``ZHIFA_SUPERVISION_WARNING_WINDOW_DAYS`` days and returns ``Finding``s; every
finding names the cases behind it, so the page can link to them. The
thresholds are settings (``ZHIFA_SUPERVISION_*``); a finding is a prompt for a
human look, not a verdict.

- ``fine_dispersion``: the same violation (matters of the same name, across the
  scope's agencies) in the same discretion band (the band of the case's latest
  structured reasons; cases without one form a group of their own) fined very
  differently — the largest fine at least ``FINE_MAX_RATIO`` times the
  smallest, among at least ``FINE_MIN_CASES`` decisions with a fine.
- ``corrected``: an officer (the lead handler) or an agency with at least
  ``CORRECTED_MIN`` decisions corrected after they were recorded.
- ``revoked``: an officer (the lead handler) or an agency with at least
  ``REVOKED_MIN`` decisions revoked, varied, remade or confirmed illegal by a
  reconsideration, a court or the agency's own correction (the remedy outcomes
  in force, by the day they were decided).
- ``near_limit``: open cases whose time limit falls within
  ``LIMIT_WARNING_WORKDAYS`` working days, per agency.
- ``long_suspended``: open cases whose time limit has stood suspended (案件中止)
  for at least ``SUSPENSION_WARNING_DAYS`` days, per agency: a suspended case is
  neither near nor past its limit, so one never resumed would drop out of sight.
- ``no_penalty``: an officer who closed at least ``NO_PENALTY_MIN`` penalty
  cases of which at least ``NO_PENALTY_SHARE`` % carry no penalty.
- ``late_uploads``: an officer who stored at least ``LATE_UPLOADS_MIN``
  recordings late.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from zhifa.accounts.models import Officer
from zhifa.cases.models import CaseOfficer, Record, Stage
from zhifa.cases.selectors import open_stages
from zhifa.catalogues.models import ActionKind, Band
from zhifa.media.models import MediaItem
from zhifa.reasons.models import Reasons
from zhifa.remedies import selectors as remedies
from zhifa.supervision.stats import DECISION_KINDS, amount_of
from zhifa.supervision.watches import cases_near_limit

KINDS = {
    "fine_dispersion": "同类违法行为罚款金额差异过大",
    "corrected": "执法决定被更正较多",
    "revoked": "执法决定被撤销、变更或确认违法较多",
    "near_limit": "临近办理时限的案件",
    "long_suspended": "办理期限长期中止的案件",
    "no_penalty": "结案不予处罚比例异常",
    "late_uploads": "音像记录逾期存储较多",
}
NO_PENALTY_WORDS = ("不予处罚", "不予行政处罚", "免予处罚", "免予行政处罚")


@dataclass
class Finding:
    kind: str
    key: str
    subject: str
    detail: str
    case_ids: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def _since():
    return timezone.now() - timedelta(days=settings.ZHIFA_SUPERVISION_WARNING_WINDOW_DAYS)


def _leads(case_ids) -> dict[int, tuple[int, str]]:
    """The lead handling officer of each case: ``{case_id: (officer_id, name)}``."""
    leads = {}
    for case_id, officer_id, name in (
        CaseOfficer.objects.filter(case_id__in=case_ids, is_lead=True)
        .order_by("case_id", "released_at", "pk")
        .values_list("case_id", "officer_id", "officer__name")
    ):
        leads.setdefault(case_id, (officer_id, name))
    return leads


def fine_dispersion(scope) -> list[Finding]:
    # The band of each case's latest reasons version (the unique (case, number)
    # index answers it per row).
    band = Subquery(
        Reasons.objects.filter(case_id=OuterRef("case_id"))
        .order_by("-number")
        .values(band=KT("content__discretion__band"))[:1]
    )
    rows = (
        Record.objects.filter(
            case__in=scope.cases,
            case__action_kind=ActionKind.PENALTY,
            kind__in=DECISION_KINDS,
            superseded_by__isnull=True,
            occurred_at__gte=_since(),
        )
        .order_by()
        .annotate(band=band)
        .values_list(
            "case_id",
            "case__matter__name",
            "case__agency__name",
            KT("content__fine_amount"),
            "band",
        )
    )
    labels = dict(Band.choices)
    groups: dict[tuple[str, str], list[tuple[int, str, Decimal]]] = defaultdict(list)
    for case_id, matter, agency, fine, band_ in rows.iterator(chunk_size=5000):
        amount = amount_of(fine)
        if amount > 0:
            groups[(matter, band_ if band_ in labels else "")].append((case_id, agency, amount))
    findings = []
    ratio = Decimal(settings.ZHIFA_SUPERVISION_FINE_MAX_RATIO)
    for (matter, band_), items in sorted(groups.items()):
        if len(items) < settings.ZHIFA_SUPERVISION_FINE_MIN_CASES:
            continue
        amounts = [a for _c, _g, a in items]
        low, high = min(amounts), max(amounts)
        if high < low * ratio:
            continue
        agencies = len({g for _c, g, _a in items})
        findings.append(
            Finding(
                "fine_dispersion",
                f"{matter}·{band_}" if band_ else matter,
                f"{matter}（裁量阶次：{labels[band_]}）" if band_ else matter,
                f"{len(items)} 件罚款决定（{agencies} 个执法主体）：最低 {low:,.2f} 元，"
                f"中位 {median(amounts):,.2f} 元，最高 {high:,.2f} 元，"
                f"最高为最低的 {high / low:.1f} 倍",
                sorted(c for c, _g, _a in items),
            )
        )
    return findings


def _per_officer_and_agency(
    kind: str, scope, case_ids: list[int], minimum: int, describe
) -> list[Finding]:
    """Findings for each lead officer and each agency with at least ``minimum`` of
    ``case_ids`` (a case listed once per event); ``describe(events, cases)``."""
    leads = _leads(set(case_ids))
    by_officer: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id in case_ids:
        if case_id in leads:
            by_officer[leads[case_id]].append(case_id)
    findings = [
        Finding(
            kind,
            f"officer-{officer_id}",
            f"执法人员 {name}",
            describe(len(ids), len(set(ids))),
            sorted(set(ids)),
        )
        for (officer_id, name), ids in sorted(by_officer.items())
        if len(ids) >= minimum
    ]
    times = Counter(case_ids)
    by_agency: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id, agency_id, name in scope.cases.filter(pk__in=set(case_ids)).values_list(
        "pk", "agency_id", "agency__name"
    ):
        by_agency[(agency_id, name)].extend([case_id] * times[case_id])
    findings += [
        Finding(
            kind,
            f"agency-{agency_id}",
            name,
            describe(len(ids), len(set(ids))),
            sorted(set(ids)),
        )
        for (agency_id, name), ids in sorted(by_agency.items())
        if len(ids) >= minimum
    ]
    return findings


def corrected(scope) -> list[Finding]:
    case_ids = list(
        Record.objects.filter(
            case__in=scope.cases,
            kind__in=DECISION_KINDS,
            superseded_by__isnull=False,
            occurred_at__gte=_since(),
        )
        .order_by()
        .values_list("case_id", flat=True)
    )
    return _per_officer_and_agency(
        "corrected",
        scope,
        case_ids,
        settings.ZHIFA_SUPERVISION_CORRECTED_MIN,
        lambda events, cases: f"{events} 次决定更正，涉及 {cases} 件案件",
    )


def revoked(scope) -> list[Finding]:
    since = timezone.localdate(_since())
    case_ids = list(
        remedies.changed(scope.cases, since, timezone.localdate() + timedelta(days=1))
        .order_by()
        .values_list("case_id", flat=True)
    )
    return _per_officer_and_agency(
        "revoked",
        scope,
        case_ids,
        settings.ZHIFA_SUPERVISION_REVOKED_MIN,
        lambda events, cases: (
            f"{events} 项决定经行政复议、行政诉讼或自行纠正被撤销、变更、"
            f"责令重作或确认违法，涉及 {cases} 件案件"
        ),
    )


def near_limit(scope) -> list[Finding]:
    by_agency: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id, agency_id, name in cases_near_limit(scope.cases).values_list(
        "pk", "agency_id", "agency__name"
    ):
        by_agency[(agency_id, name)].append(case_id)
    days = settings.ZHIFA_SUPERVISION_LIMIT_WARNING_WORKDAYS
    return [
        Finding(
            "near_limit",
            f"agency-{agency_id}",
            name,
            f"{len(ids)} 件在办案件将在 {days} 个工作日内届满办理时限",
            sorted(ids),
        )
        for (agency_id, name), ids in sorted(by_agency.items())
    ]


def long_suspended(scope) -> list[Finding]:
    days = settings.ZHIFA_SUPERVISION_SUSPENSION_WARNING_DAYS
    since = timezone.localdate() - timedelta(days=days)
    by_agency: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id, agency_id, name in (
        scope.cases.filter(
            stage__in=open_stages(), suspended_since__isnull=False, suspended_since__lte=since
        )
        .order_by()
        .values_list("pk", "agency_id", "agency__name")
    ):
        by_agency[(agency_id, name)].append(case_id)
    return [
        Finding(
            "long_suspended",
            f"agency-{agency_id}",
            name,
            f"{len(ids)} 件在办案件的办理期限已中止 {days} 日以上，尚未恢复计算",
            sorted(ids),
        )
        for (agency_id, name), ids in sorted(by_agency.items())
    ]


def no_penalty(scope) -> list[Finding]:
    closed = scope.cases.filter(
        action_kind=ActionKind.PENALTY,
        stage__in=[Stage.CLOSED, Stage.ARCHIVED],
        stage_changes__to_stage=Stage.CLOSED,
        stage_changes__changed_at__gte=_since(),
    ).distinct()
    closed_ids = list(closed.values_list("pk", flat=True))
    decided = dict(
        Record.objects.filter(
            case_id__in=closed_ids, kind__in=DECISION_KINDS, superseded_by__isnull=True
        )
        .order_by("case_id", "occurred_at", "pk")
        .values_list("case_id", KT("content__conclusion"))
    )
    leads = _leads(closed_ids)
    totals: dict[tuple[int, str], list[int]] = defaultdict(list)
    without: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id in closed_ids:
        lead = leads.get(case_id)
        if lead is None:
            continue
        totals[lead].append(case_id)
        conclusion = decided.get(case_id)
        if conclusion is None or any(w in conclusion for w in NO_PENALTY_WORDS):
            without[lead].append(case_id)
    findings = []
    for lead, ids in sorted(without.items()):
        share = 100 * len(ids) / len(totals[lead])
        if (
            len(ids) >= settings.ZHIFA_SUPERVISION_NO_PENALTY_MIN
            and share >= settings.ZHIFA_SUPERVISION_NO_PENALTY_SHARE
        ):
            findings.append(
                Finding(
                    "no_penalty",
                    f"officer-{lead[0]}",
                    f"执法人员 {lead[1]}",
                    f"主办结案的处罚案件 {len(totals[lead])} 件，其中未予处罚 {len(ids)} 件"
                    f"（{share:.0f}%）",
                    sorted(ids),
                )
            )
    return findings


def late_uploads(scope) -> list[Finding]:
    rows = (
        MediaItem.objects.filter(case__in=scope.cases, is_late=True, uploaded_at__gte=_since())
        .values("uploaded_by_id", "uploaded_by__username")
        .order_by()
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.ZHIFA_SUPERVISION_LATE_UPLOADS_MIN)
    )
    findings = []
    for row in rows:
        items = MediaItem.objects.filter(
            Q(case__in=scope.cases, is_late=True, uploaded_at__gte=_since()),
            uploaded_by_id=row["uploaded_by_id"],
        )
        officer = Officer.objects.filter(user_id=row["uploaded_by_id"]).first()
        name = officer.name if officer else row["uploaded_by__username"]
        findings.append(
            Finding(
                "late_uploads",
                f"user-{row['uploaded_by_id']}",
                f"上传人 {name}",
                f"{row['n']} 条音像记录逾期存储",
                sorted(set(items.values_list("case_id", flat=True))),
            )
        )
    return findings


CHECKS = (
    fine_dispersion,
    corrected,
    revoked,
    near_limit,
    long_suspended,
    no_penalty,
    late_uploads,
)


def findings(scope) -> list[Finding]:
    """Every finding of every check, in the order of ``KINDS``."""
    return [f for check in CHECKS for f in check(scope)]


def finding_get(scope, kind: str, key: str) -> Finding | None:
    check = {c.__name__: c for c in CHECKS}.get(kind)
    if check is None:
        return None
    return next((f for f in check(scope) if f.key == key), None)
