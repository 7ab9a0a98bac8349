"""What a case needs before it may enter its next stage (REC-01 … REC-09).

Each rule reads a ``Facts`` snapshot of the case (loaded in a fixed number of
queries) and returns what is missing, in Chinese. Other apps add their own
rules with ``@rule(stage)`` (audio-video records, instruments, legal review);
``needs`` runs all of them. ``services.case_advance`` refuses while anything
is missing, and the case page shows the same list as "尚需完成".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from zhifa.accounts.models import Credential
from zhifa.cases.models import Case, CaseOfficer, Procedure, Record, Signature, Source, Stage
from zhifa.cases.records import DELIVERY_KINDS, EVIDENCE_KINDS, KINDS
from zhifa.catalogues.models import ActionKind

STAGE_ORDER = [Stage.START, Stage.INVESTIGATION, Stage.DECISION, Stage.EXECUTION, Stage.CLOSED]


@dataclass
class Facts:
    """A case with what the rules read, loaded once."""

    case: Case
    parties: list
    assignments: list[CaseOfficer]
    records: list[Record]  # in force: superseded records left out
    by_kind: dict[str, list[Record]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # for other apps' rules to cache what they load
    released: list[CaseOfficer] = field(default_factory=list)  # officers no longer in post

    def has(self, kind: str) -> bool:
        return bool(self.by_kind.get(kind))

    def latest(self, kind: str) -> Record | None:
        found = self.by_kind.get(kind)
        return found[-1] if found else None


def facts(case: Case, *, records: list[Record] | None = None) -> Facts:
    """The snapshot; ``records`` are the records in force where the caller has
    them already (with their signatures), as the case page has for its timeline."""
    if records is None:
        records = list(
            Record.objects.filter(case=case, superseded_by__isnull=True)
            .prefetch_related("signatures")
            .order_by("occurred_at", "pk")
        )
    # The officers in post and those released, in one read.
    everyone = list(
        CaseOfficer.objects.filter(case=case)
        .select_related("officer")
        .prefetch_related(
            Prefetch(
                "officer__credentials",
                queryset=Credential.objects.filter(kind=Credential.Kind.ENFORCEMENT),
            )
        )
    )
    assignments = [a for a in everyone if a.released_at is None]
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    return Facts(
        case,
        list(case.parties.all()),
        assignments,
        records,
        dict(by_kind),
        released=[a for a in everyone if a.released_at is not None],
    )


Rule = Callable[[Facts], list[str]]
_RULES: dict[str, list[Rule]] = defaultdict(list)


def rule(stage: str) -> Callable[[Rule], Rule]:
    """Register ``fn(facts) -> [missing, …]`` as a condition for entering ``stage``."""

    def register(fn: Rule) -> Rule:
        if fn not in _RULES[stage]:
            _RULES[stage].append(fn)
        return fn

    return register


def next_stage(case: Case) -> str | None:
    if case.stage not in STAGE_ORDER or case.stage == Stage.CLOSED:
        return None
    return STAGE_ORDER[STAGE_ORDER.index(case.stage) + 1]


def needs(case: Case, target: str | None = None, *, loaded: Facts | None = None) -> list[str]:
    """What ``case`` still lacks to enter ``target`` (by default its next stage)."""
    target = target or next_stage(case)
    if target is None:
        return []
    f = loaded or facts(case)
    missing: list[str] = []
    for fn in _RULES[target]:
        missing.extend(fn(f))
    return missing


def minimum_officers(case: Case) -> int:
    return 1 if case.procedure == Procedure.SIMPLE else settings.ZHIFA_CASE_MIN_OFFICERS


def emergency_overdue(case: Case, *, now=None) -> bool:
    """An emergency start whose approval came, or is still missing, after the window (REC-02)."""
    if not case.is_emergency or case.emergency_started_at is None:
        return False
    due = case.emergency_started_at + timedelta(hours=settings.ZHIFA_EMERGENCY_APPROVAL_HOURS)
    approved = case.emergency_approved_at
    return (approved or now or timezone.now()) > due


def _unsigned(f: Facts, stage: str) -> list[str]:
    """Records of ``stage`` whose expected signers have neither signed nor refused."""
    missing = []
    for record in f.records:
        spec = KINDS.get(record.kind)
        if spec is None or spec.stage != stage:
            continue
        roles = {s.role for s in record.signatures.all()}
        for role in spec.signers:
            if role not in roles:
                missing.append(
                    f"{spec.label}（{record.occurred_at:%m-%d %H:%M}）缺少"
                    f"{Signature.Role(role).label}签名或拒签记录"
                )
    return missing


# --- Entering 调查取证 ----------------------------------------------------------------

START_RECORDS = {
    Source.APPLICATION: ("application_registration", "application_acceptance"),
    Source.EX_OFFICIO: ("filing_approval",),
    Source.COMPLAINT: ("complaint", "filing_approval"),
    Source.INSPECTION: ("inspection_start", "filing_approval"),
    Source.TRANSFER: ("transfer", "filing_approval"),
}


@rule(Stage.INVESTIGATION)
def _start_complete(f: Facts) -> list[str]:
    case = f.case
    missing = []
    if not f.parties:
        missing.append("尚未登记当事人")
    valid = [
        a
        for a in f.assignments
        if any(c.is_valid_on(timezone.localdate()) for c in a.officer.credentials.all())
    ]
    least = minimum_officers(case)
    if len(valid) < least:
        missing.append(f"持有效执法证件的承办人员不足 {least} 名（现有 {len(valid)} 名）")
    if case.procedure != Procedure.SIMPLE:
        for kind in START_RECORDS[case.source]:
            if kind == "filing_approval" and case.is_emergency:
                continue  # approved afterwards (emergency_approval), checked before closing
            if not f.has(kind):
                missing.append(f"缺少{KINDS[kind].label}")
        acceptance = f.latest("application_acceptance")
        if acceptance and acceptance.content.get("decision") in ("one_time_notice", "rejected"):
            missing.append("申请尚未受理（一次性告知补正或不予受理的申请不能进入调查）")
    if case.procedure == Procedure.FAST and not f.has("party_consent"):
        missing.append("快速办理须有当事人书面同意")
    return missing + _unsigned(f, Stage.START)


# --- Entering 审查决定 ----------------------------------------------------------------


@rule(Stage.DECISION)
def _investigation_complete(f: Facts) -> list[str]:
    missing = []
    if not f.has("rights_notification"):
        missing.append("缺少告知权利及出示证件记录")
    if f.case.procedure == Procedure.SIMPLE:
        return missing + _unsigned(f, Stage.INVESTIGATION)
    if not any(f.has(kind) for kind in EVIDENCE_KINDS):
        missing.append("尚无调查取证记录（询问、现场检查、抽样、证据登记等）")
    if f.case.procedure == Procedure.ORDINARY and not f.has("investigation_report"):
        missing.append("缺少案件调查终结报告")
    return missing + _unsigned(f, Stage.INVESTIGATION)


# --- Entering 送达执行 ----------------------------------------------------------------


@rule(Stage.EXECUTION)
def _decision_complete(f: Facts) -> list[str]:
    case = f.case
    if case.procedure == Procedure.SIMPLE:
        missing = [] if f.has("onspot_decision") else ["缺少当场行政处罚决定"]
        return missing + _unsigned(f, Stage.DECISION)
    missing = []
    if not f.has("handling_opinion"):
        missing.append("缺少案件处理意见")
    if case.action_kind == ActionKind.PENALTY:
        notice = f.latest("prior_notice")
        if notice is None:
            missing.append("缺少行政处罚事先告知")
        elif not (f.has("statements") or f.has("rights_waiver")):
            missing.append("尚未听取当事人陈述申辩（或记录当事人放弃）")
        if f.has("hearing_application") and not f.has("hearing_minutes"):
            missing.append("当事人申请了听证，尚无听证笔录")
    if not f.has("leader_signoff"):
        missing.append("缺少负责人审批")
    if not f.has("decision"):
        missing.append("缺少执法决定")
    return missing + _unsigned(f, Stage.DECISION)


# --- Entering 结案 --------------------------------------------------------------------


@rule(Stage.CLOSED)
def _execution_complete(f: Facts) -> list[str]:
    case = f.case
    missing = []
    if not any(f.has(kind) for kind in DELIVERY_KINDS):
        missing.append("决定尚未送达（直接、留置、邮寄或公告送达）")
    performed = f.has("voluntary_performance") or any(
        r.content.get("result") for r in f.by_kind.get("coercive_execution", [])
    )
    court = [r for r in f.by_kind.get("court_application", []) if r.content.get("outcome")]
    if not performed and not court:
        open_court = f.has("court_application")
        missing.append(
            "已申请法院强制执行，尚无法院裁定及执行结果"
            if open_court
            else "决定尚未执行完毕（自觉履行、强制执行或申请法院强制执行）"
        )
    for objection in f.by_kind.get("objection", []):
        if not objection.content.get("handling"):
            missing.append(f"当事人异议（{objection.occurred_at:%m-%d}）尚未处理")
    if case.procedure != Procedure.SIMPLE and not f.has("closing_approval"):
        missing.append("缺少结案审批")
    if case.is_emergency and case.emergency_approved_at is None:
        missing.append("紧急情况先行启动的案件尚未补办批准手续")
    return missing + _unsigned(f, Stage.EXECUTION)


@rule(Stage.CLOSED)
def _clock_running(f: Facts) -> list[str]:
    # A case closed while suspended would keep an open suspension for ever.
    if f.case.suspended_since is not None:
        return [f"办理期限自 {f.case.suspended_since:%Y-%m-%d} 起中止，结案前须登记恢复计算"]
    return []
