"""Which catalogue rules a proposed decision matches (REV-01), and why a case is major.

A decision is judged by the rule versions in force on the day it was proposed
(the latest ``Proposal``'s date, else the decision record's date, else today).
The ``@source``s report to ``zhifa.cases.major`` the matched rules, the
handler's flags, and a draft decision whose fine lies below the statutory
minimum of the discretion benchmark in force (减轻, INF-03) — read from the
decision record itself, so that a free-text decision or one whose structured
reasons are silent or missing cannot dodge the review. Nothing here can be
cleared by the handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from zhifa.cases.major import MajorReason, source
from zhifa.cases.models import Case, Party, Procedure, Record
from zhifa.cases.records import DECISION_KINDS
from zhifa.catalogues.benchmarks import benchmark_in_force, benchmarks_in_force
from zhifa.catalogues.models import ActionKind, DiscretionBenchmark
from zhifa.reviews.models import (
    AmountOf,
    MajorDecisionRule,
    MajorFlag,
    PartyType,
    PenaltyKind,
    PrelimSetting,
    Proposal,
    ReachSetting,
    ReviewReach,
    Trait,
)

ORGANISATION_KINDS = (Party.Kind.LEGAL, Party.Kind.OTHER_ORG)
HEARING_KINDS = ("hearing_application", "hearing_minutes")


@dataclass
class Proposed:
    """What the catalogue reads of a case's proposed decision."""

    on: date
    action_kind: str
    matter_id: int
    party_types: set[str]
    penalty_kinds: set[str] = field(default_factory=set)
    traits: set[str] = field(default_factory=set)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    hearing: bool = False


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def decision_record(case: Case) -> Record | None:
    """The decision record in force (the draft decision, 决定代拟稿)."""
    return (
        Record.objects.filter(case=case, kind__in=DECISION_KINDS, superseded_by__isnull=True)
        .order_by("-occurred_at", "-pk")
        .first()
    )


def _latest_proposal(case: Case) -> Proposal | None:
    return Proposal.objects.filter(case=case).order_by("-made_at", "-pk").first()


def record_day(record: Record) -> date:
    """The local day a record (the draft decision) was made."""
    return timezone.localtime(record.occurred_at).date()


def _proposed_on(proposal: Proposal | None, record: Record | None) -> date:
    if proposal is not None:
        return proposal.proposed_on
    if record is not None:
        return record_day(record)
    return timezone.localdate()


def proposed(case: Case) -> Proposed:
    record = decision_record(case)
    proposal = _latest_proposal(case)
    on = _proposed_on(proposal, record)
    kinds = set(case.parties.values_list("kind", flat=True))
    party_types = {
        PartyType.ORGANISATION if k in ORGANISATION_KINDS else PartyType.NATURAL for k in kinds
    }
    found = Proposed(on, case.action_kind, case.matter_id, party_types)
    fine = _money(record.content.get("fine_amount")) if record else None
    if fine is not None:
        found.amounts[AmountOf.FINE] = fine
        if fine > 0:
            found.penalty_kinds.add(PenaltyKind.FINE)
    if proposal is not None:
        found.penalty_kinds |= set(proposal.penalty_kinds)
        found.traits |= set(proposal.traits)
        for key, value in (
            (AmountOf.CONFISCATION, proposal.confiscation_amount),
            (AmountOf.FEES, proposal.fees_amount),
            (AmountOf.BENEFITS, proposal.benefits_amount),
        ):
            if value is not None:
                found.amounts[key] = value
    found.hearing = Record.objects.filter(
        case=case, kind__in=HEARING_KINDS, superseded_by__isnull=True
    ).exists()
    return found


def amount_meets(amount: Decimal | None, threshold: Decimal, inclusive: bool) -> bool:
    """``amount`` reaches ``threshold``: 以上含本数 (inclusive) or 不含本数 (exclusive)."""
    if amount is None:
        return False
    return amount >= threshold if inclusive else amount > threshold


def rule_matches(rule: MajorDecisionRule, p: Proposed) -> bool:
    if rule.action_kind and rule.action_kind != p.action_kind:
        return False
    if rule.matter_id and rule.matter_id != p.matter_id:
        return False
    if rule.party_type != PartyType.ANY and rule.party_type not in p.party_types:
        return False
    if rule.penalty_kinds and not set(rule.penalty_kinds) & p.penalty_kinds:
        return False
    if rule.traits and not set(rule.traits) & p.traits:
        return False
    if rule.hearing_required and not p.hearing:
        return False
    return rule.amount_threshold is None or amount_meets(
        p.amounts.get(rule.amount_of), rule.amount_threshold, rule.amount_inclusive
    )


def rules_in_force(agency_id: int, day: date) -> list[MajorDecisionRule]:
    """Of each rule code, the latest version that began by ``day``, if not ended by then."""
    latest: dict[str, MajorDecisionRule] = {}
    for rule in (
        MajorDecisionRule.objects.filter(agency_id=agency_id, effective_from__lte=day)
        .select_related("matter")
        .order_by("code", "effective_from", "version")
    ):
        latest[rule.code] = rule
    return [r for r in latest.values() if r.in_force_on(day)]


def matching_rules(case: Case) -> list[MajorDecisionRule]:
    p = proposed(case)
    return [r for r in rules_in_force(case.agency_id, p.on) if rule_matches(r, p)]


@source
def catalogue_reasons(case: Case) -> list[MajorReason]:
    return [
        MajorReason(
            "catalogue_rule",
            "符合重大执法决定法制审核目录",
            f"{r.code}（第{r.version}版，{r.effective_from:%Y-%m-%d}起施行）{r.name}",
        )
        for r in matching_rules(case)
    ]


@source
def flag_reasons(case: Case) -> list[MajorReason]:
    return [
        MajorReason(
            "handler_flag",
            "可能造成重大社会影响或引发社会风险",
            f"{f.set_by_name}于{timezone.localtime(f.set_at):%Y-%m-%d}标记：{f.reason}",
        )
        for f in MajorFlag.objects.filter(case=case, cleared_at__isnull=True)
    ]


def fine_below_minimum(case: Case) -> tuple[Decimal, DiscretionBenchmark] | None:
    """``(fine, benchmark)`` when the draft decision's fine is below the statutory
    minimum of the agency's benchmark in force on the day the decision was
    proposed (减轻处罚): the benchmark the structured reasons apply, else each
    benchmark of the case's matter (``_named_violation``). Exactly the minimum is not below it; a
    decision without a positive fine (a warning, no penalty) or a matter
    without a benchmark is left to the other sources."""
    record = decision_record(case)
    fine = _money(record.content.get("fine_amount")) if record else None
    if fine is None or fine <= 0:
        return None
    on = _proposed_on(_latest_proposal(case), record)
    named = _named_violation(case)
    if named:
        bench = benchmark_in_force(agency=case.agency, on=on, violation_code=named)
        candidates = [bench] if bench is not None else []
    else:
        candidates = benchmarks_in_force(agency=case.agency, on=on, matter=case.matter)
    below = [b for b in candidates if fine < b.statutory_min]
    if not below:
        return None
    return fine, max(below, key=lambda b: (b.statutory_min, b.pk))


def _named_violation(case: Case) -> str:
    """The violation whose benchmark the case's latest structured reasons apply.
    Without one, a matter listing several violations is judged against each:
    a fine below any of their minimums counts until the reasons name the
    benchmark that applies (not a guess at the laxer one)."""
    from zhifa.reasons.selectors import reasons_latest

    latest = reasons_latest(case)
    bench_id = latest.content.get("discretion", {}).get("benchmark") if latest else None
    if not bench_id:
        return ""
    code = (
        DiscretionBenchmark.objects.filter(pk=bench_id, agency=case.agency)
        .values_list("violation_code", flat=True)
        .first()
    )
    return code or ""


@source
def below_minimum_reasons(case: Case) -> list[MajorReason]:
    found = fine_below_minimum(case)
    if found is None:
        return []
    fine, bench = found
    return [
        MajorReason(
            "below_minimum",
            "减轻处罚，罚款低于法定最低额",
            f"决定代拟稿罚款 {fine} 元，低于裁量基准“{bench.violation}”（{bench.version}）"
            f"的法定最低罚款 {bench.statutory_min} 元",
        )
    ]


# --- Reach (REV-11) --------------------------------------------------------------------


def reach_of(agency_id: int) -> str:
    latest = (
        ReachSetting.objects.filter(agency_id=agency_id)
        .order_by("-set_at", "-pk")
        .values_list("reach", flat=True)
        .first()
    )
    return latest or settings.ZHIFA_REVIEW_REACH_DEFAULT


def why_reviewed(case: Case) -> list[MajorReason]:
    """Why ``case``'s decision needs a legal review; empty when it needs none."""
    from zhifa.cases.major import major_reasons

    reasons = major_reasons(case)
    if reasons:
        return reasons
    reach = reach_of(case.agency_id)
    if reach == ReviewReach.ALL or (
        reach == ReviewReach.ALL_BUT_SIMPLE and case.procedure != Procedure.SIMPLE
    ):
        return [MajorReason("reach", "本机关对" + ReviewReach(reach).label + "进行法制审核")]
    return []


def needs_review(case: Case) -> bool:
    return bool(why_reviewed(case))


# --- Preliminary review and the county government's name (REV-03) -------------------------


def preliminary_required(agency_id: int) -> bool:
    """Whether the agency requires the handling unit head's 初审 before submission."""
    latest = (
        PrelimSetting.objects.filter(agency_id=agency_id)
        .order_by("-set_at", "-pk")
        .values_list("required", flat=True)
        .first()
    )
    return settings.ZHIFA_REVIEW_PRELIMINARY_DEFAULT if latest is None else latest


def in_government_name(case: Case) -> bool:
    """The proposed decision is made in the county government's name (以本级人民政府名义)."""
    proposal = Proposal.objects.filter(case=case).order_by("-made_at", "-pk").first()
    return proposal is not None and Trait.COUNTY_GOVERNMENT in proposal.traits


# --- The catalogue as the portal shows it (REV-01) -----------------------------------------


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def rule_lines(rule: MajorDecisionRule) -> list[str]:
    """One rule of the catalogue in words: what it covers and since when."""
    parts = [f"执法类别：{ActionKind(rule.action_kind).label if rule.action_kind else '不限'}"]
    if rule.matter_id:
        parts.append(f"执法事项：{rule.matter.code} {rule.matter.name}")
    if rule.penalty_kinds:
        parts.append("处罚种类：" + "、".join(PenaltyKind(k).label for k in rule.penalty_kinds))
    if rule.traits:
        parts.append("情形：" + "、".join(Trait(t).label for t in rule.traits))
    if rule.party_type != PartyType.ANY:
        parts.append(f"当事人：{PartyType(rule.party_type).label}")
    if rule.amount_threshold is not None:
        bound = "以上（含本数）" if rule.amount_inclusive else "以上（不含本数）"
        parts.append(f"{AmountOf(rule.amount_of).label}：{_yuan(rule.amount_threshold)} 元{bound}")
    if rule.hearing_required:
        parts.append("须经听证的")
    since = f"施行日期：{rule.effective_from:%Y-%m-%d}"
    if rule.ends_on:
        since += f"，废止日期：{rule.ends_on:%Y-%m-%d}"
    lines = [f"{rule.code} {rule.name}（第{rule.version}版）", "　　" + "；".join(parts) + "。"]
    lines.append(f"　　{since}" + (f"；依据：{rule.basis}" if rule.basis else "") + "。")
    return lines


def catalogue_text(agency, rules: list[MajorDecisionRule], day: date) -> str:
    """The body of the portal item: the agency's rules in force on ``day``, by action kind."""
    by_kind: dict[str, list[MajorDecisionRule]] = {}
    for rule in sorted(rules, key=lambda r: r.code):
        by_kind.setdefault(rule.action_kind, []).append(rule)
    order = [k for k in ActionKind.values if k in by_kind] + ([""] if "" in by_kind else [])
    lines = [
        f"{agency.name}重大执法决定法制审核目录清单（截至{day:%Y年%m月%d日}施行的条目，"
        f"共{len(rules)}条）。",
        "拟作出的行政执法决定符合下列任一情形的，应当在作出决定前进行法制审核；"
        "金额标准注明“含本数”的，达到标准即属本目录范围，注明“不含本数”的，须超过标准。",
    ]
    numerals = "一二三四五六七八九十"
    for n, kind in enumerate(order):
        title = ActionKind(kind).label + "类" if kind else "各类执法行为"
        lines.append("")
        lines.append(f"{numerals[n] if n < len(numerals) else n + 1}、{title}")
        for i, rule in enumerate(by_kind[kind], 1):
            first, *rest = rule_lines(rule)
            lines.append(f"{i}. {first}")
            lines.extend(rest)
    return "\n".join(lines)
