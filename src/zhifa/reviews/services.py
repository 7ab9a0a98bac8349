"""Writes of the legal review (REV-01 … REV-11).

Every function checks who may act and what the case allows, writes its rows
and its ledger entry in one transaction, and raises ``zhifa.core.errors`` with
a Chinese message otherwise. Names of the people acting are stored beside
their ids, so the responsibility trail (REV-10) survives staff changes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Agency, Officer, Role
from zhifa.accounts.selectors import officer_of, roles_of
from zhifa.cases.models import Case, CaseOfficer, Procedure, Record, Stage
from zhifa.cases.records import KINDS as RECORD_KINDS
from zhifa.cases.selectors import is_handler
from zhifa.cases.services import require_open
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.instruments import rendering
from zhifa.ledger.models import StoredFile
from zhifa.ledger.services import file_store
from zhifa.reviews import catalogue, clock
from zhifa.reviews.models import (
    AdviserOpinion,
    AmountOf,
    CatalogueFiling,
    CollectiveDeliberation,
    Finding,
    Forwarding,
    LegalReview,
    MajorDecisionRule,
    MajorFlag,
    Material,
    Opinion,
    OpinionResponse,
    Participant,
    PartyType,
    PenaltyKind,
    PreliminaryReview,
    PrelimSetting,
    Proposal,
    ReachSetting,
    ReviewPause,
    ReviewPoint,
    ReviewReach,
    Submission,
    Trait,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates_docx"


def _name(actor) -> str:
    officer = officer_of(actor)
    return officer.name if officer else actor.get_username()


def _text(value, label: str, *, required: bool = True, max_length: int | None = None) -> str:
    text = ("" if value is None else str(value)).strip()
    if required and not text:
        raise InvalidInput(f"{label}不能为空。", code="field_required")
    if max_length and len(text) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字符。", code="too_long")
    return text


def _choices(values, allowed, label: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    bad = [v for v in values if v not in allowed.values]
    if bad:
        raise InvalidInput(f"{label}取值不正确：{'、'.join(map(str, bad))}。", code="bad_choice")
    return values


def _amount(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{label}须是金额数字。", code="bad_amount") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"{label}须是非负金额，最多两位小数。", code="bad_amount")
    return amount


# --- Who may act ---------------------------------------------------------------------------


def _agency_officer(actor, agency_id: int, roles: set[str]) -> Officer | None:
    officer = officer_of(actor)
    if officer is None or officer.agency_id != agency_id or not officer.is_active:
        return None
    return officer if roles_of(actor) & roles else None


def require_catalogue_editor(actor, agency: Agency) -> Officer:
    """The agency's legal unit (reviewers) or its administrator keep the catalogue."""
    officer = _agency_officer(actor, agency.pk, {Role.REVIEWER, Role.AGENCY_ADMIN})
    if officer is None:
        raise Forbidden(
            "只有本机关的法制审核人员或机关管理员可以编辑重大执法决定目录。",
            code="not_a_catalogue_editor",
        )
    return officer


def require_leader(actor, agency_id: int) -> Officer:
    officer = _agency_officer(actor, agency_id, {Role.LEADER})
    if officer is None:
        raise Forbidden("只有本机关负责人可以办理此事项。", code="not_a_leader")
    return officer


def require_reviewer(actor, case: Case) -> Officer:
    """A qualified reviewer of the case's agency who did not handle the case (REV-02)."""
    officer = _agency_officer(actor, case.agency_id, {Role.REVIEWER})
    if officer is None:
        raise Forbidden("只有本机关的法制审核人员可以审核。", code="not_a_reviewer")
    if Role.OFFICER in roles_of(actor):
        raise Forbidden(
            "法制审核人员不得同时从事行政执法工作，请先取消其执法人员角色。",
            code="reviewer_enforces",
        )
    if CaseOfficer.objects.filter(case=case, officer=officer).exists():
        raise Forbidden(
            f"{officer.name}承办过本案，不能审核本案（应当回避）。", code="reviewer_conflicted"
        )
    return officer


def require_case_handler(actor, case: Case) -> None:
    if not is_handler(actor, case):
        raise Forbidden("只有本案承办人员可以办理此事项。", code="not_a_handler")


# --- Catalogue (REV-01) --------------------------------------------------------------------


@dataclass
class RuleInput:
    code: str
    name: str
    effective_from: date
    action_kind: str = ""
    matter: Matter | None = None
    penalty_kinds: list[str] | None = None
    traits: list[str] | None = None
    party_type: str = PartyType.ANY
    amount_of: str = AmountOf.FINE
    amount_threshold: Decimal | str | None = None
    amount_inclusive: bool = True
    hearing_required: bool = False
    ends_on: date | None = None
    basis: str = ""


def _clean_rule(agency: Agency, data: RuleInput) -> dict:
    fields = {
        "code": _text(data.code, "条目编号", max_length=32),
        "name": _text(data.name, "情形", max_length=255),
        "basis": _text(data.basis, "依据", required=False, max_length=255),
        "action_kind": data.action_kind or "",
        "matter": data.matter,
        "penalty_kinds": _choices(data.penalty_kinds, PenaltyKind, "处罚种类"),
        "traits": _choices(data.traits, Trait, "其他情形"),
        "party_type": data.party_type or PartyType.ANY,
        "amount_of": data.amount_of or AmountOf.FINE,
        "amount_threshold": _amount(data.amount_threshold, "金额标准"),
        "amount_inclusive": bool(data.amount_inclusive),
        "hearing_required": bool(data.hearing_required),
        "effective_from": data.effective_from,
        "ends_on": data.ends_on,
    }
    if fields["action_kind"] and fields["action_kind"] not in ActionKind.values:
        raise InvalidInput("执法类别取值不正确。", code="bad_choice")
    if fields["party_type"] not in PartyType.values or fields["amount_of"] not in AmountOf.values:
        raise InvalidInput("当事人类型或金额种类取值不正确。", code="bad_choice")
    if data.matter is not None and data.matter.agency_id != agency.pk:
        raise InvalidInput("执法事项不属于本机关。", code="matter_other_agency")
    if not isinstance(fields["effective_from"], date):
        raise InvalidInput("请填写施行日期。", code="field_required")
    if fields["ends_on"] is not None and fields["ends_on"] < fields["effective_from"]:
        raise InvalidInput("废止日期不能早于施行日期。", code="bad_dates")
    criteria = (
        fields["action_kind"],
        fields["matter"],
        fields["penalty_kinds"],
        fields["traits"],
        fields["amount_threshold"] is not None,
        fields["hearing_required"],
    )
    if not any(criteria):
        raise InvalidInput(
            "条目至少要设定一项标准（类别、事项、处罚种类、其他情形、金额或听证）。",
            code="rule_without_criteria",
        )
    return fields


def _rule_payload(rule: MajorDecisionRule) -> dict:
    return {
        "code": rule.code,
        "version": rule.version,
        "name": rule.name,
        "action_kind": rule.action_kind,
        "matter": rule.matter_id,
        "penalty_kinds": rule.penalty_kinds,
        "traits": rule.traits,
        "party_type": rule.party_type,
        "amount_of": rule.amount_of,
        "amount_threshold": str(rule.amount_threshold)
        if rule.amount_threshold is not None
        else None,
        "amount_inclusive": rule.amount_inclusive,
        "hearing_required": rule.hearing_required,
        "effective_from": rule.effective_from.isoformat(),
        "ends_on": rule.ends_on.isoformat() if rule.ends_on else None,
    }


def _backdating(latest: MajorDecisionRule | None, fields: dict, today: date) -> str:
    """Why saving ``fields`` after ``latest`` would change the catalogue before
    ``today`` (empty when it would not).

    A decision is judged by the versions in force on the day it was proposed, so
    a version that took effect in the past would re-judge decisions already
    proposed: a case major when it was decided could stop being major. The
    first version of a code only adds to the catalogue and may record a rule
    already in force (or already ended) on paper. Every later version takes
    effect today at the earliest: a changed rule from its ``effective_from``;
    a rule ended (or its end moved) by a version that only changes ``ends_on``
    from the earlier of the two ends, so neither end may lie before today.
    """
    if latest is None:
        return ""
    only_the_end = all(getattr(latest, k) == v for k, v in fields.items() if k != "ends_on")
    if not only_the_end:
        if fields["effective_from"] < today:
            return (
                f"目录条目的修改不能追溯生效：新版本的施行日期（{fields['effective_from']}）"
                f"不能早于今天（{today}）。此前拟作出的决定仍按原版本判断。"
            )
    elif (
        latest.ends_on is not None
        and latest.ends_on < today
        and fields["ends_on"] != latest.ends_on
    ):
        return (
            f"第{latest.version}版已于{latest.ends_on}废止，废止日期不能追溯更改；"
            "如需恢复适用，请以今天或以后的日期为施行日期保存新版本。"
        )
    if fields["ends_on"] is not None and fields["ends_on"] < today:
        return (
            f"目录条目不能追溯废止：废止日期（{fields['ends_on']}）不能早于今天（{today}）。"
            "此前拟作出的决定仍按原版本判断。"
        )
    return ""


def rule_save(*, actor, agency: Agency, data: RuleInput) -> MajorDecisionRule:
    """Add a catalogue rule, or a new version of the rule with the same code.

    Earlier versions stay: a decision proposed before ``effective_from`` is
    still judged by them. A new version cannot take effect, nor end a rule,
    before today (``_backdating``): the catalogue is never changed retroactively.
    """
    require_catalogue_editor(actor, agency)
    fields = _clean_rule(agency, data)
    with transaction.atomic():
        versions = MajorDecisionRule.objects.select_for_update().filter(
            agency=agency, code=fields["code"]
        )
        latest = versions.order_by("-version").first()
        if latest is not None and fields["effective_from"] < latest.effective_from:
            raise InvalidInput(
                f"新版本的施行日期不能早于第{latest.version}版（{latest.effective_from}）。",
                code="bad_dates",
            )
        why = _backdating(latest, fields, timezone.localdate())
        if why:
            raise InvalidInput(why, code="catalogue_backdated")
        rule = MajorDecisionRule.objects.create(
            agency=agency,
            version=(latest.version + 1) if latest else 1,
            created_by=actor,
            **fields,
        )
        ledger.append(actor=actor, action="review.rule_save", obj=rule, payload=_rule_payload(rule))
    return rule


def rule_end(*, actor, rule: MajorDecisionRule, ends_on: date) -> MajorDecisionRule:
    """Retire a rule after ``ends_on`` (its last day in force), by a new version
    that ends then; ``ends_on`` is today at the earliest (see ``rule_save``)."""
    data = RuleInput(
        code=rule.code,
        name=rule.name,
        effective_from=rule.effective_from,
        action_kind=rule.action_kind,
        matter=rule.matter,
        penalty_kinds=rule.penalty_kinds,
        traits=rule.traits,
        party_type=rule.party_type,
        amount_of=rule.amount_of,
        amount_threshold=rule.amount_threshold,
        amount_inclusive=rule.amount_inclusive,
        hearing_required=rule.hearing_required,
        ends_on=ends_on,
        basis=rule.basis,
    )
    return rule_save(actor=actor, agency=rule.agency, data=data)


def require_catalogue_filer(actor, agency: Agency) -> Officer:
    """The agency files its catalogue: its leader, administrator or legal unit."""
    officer = _agency_officer(actor, agency.pk, {Role.LEADER, Role.AGENCY_ADMIN, Role.REVIEWER})
    if officer is None:
        raise Forbidden(
            "只有本机关负责人、机关管理员或法制审核人员可以报备目录。",
            code="not_a_catalogue_filer",
        )
    return officer


def catalogue_file(*, actor, agency: Agency) -> CatalogueFiling:
    """File the catalogue in force today with the 司法局 (备案)."""
    require_catalogue_filer(actor, agency)
    rules = catalogue.rules_in_force(agency.pk, timezone.localdate())
    if not rules:
        raise InvalidInput("目录中尚无施行中的条目，不能报备。", code="catalogue_empty")
    with transaction.atomic():
        # Under the agency's row lock: two filings at once must not both pass the check.
        Agency.objects.select_for_update().get(pk=agency.pk)
        if CatalogueFiling.objects.filter(
            agency=agency, state=CatalogueFiling.State.FILED
        ).exists():
            raise Conflict("已有报备尚待司法局审查，请待审查后再报备。", code="filing_pending")
        filing = CatalogueFiling.objects.create(
            agency=agency,
            rules=[[r.code, r.version] for r in rules],
            filed_by=actor,
            filed_at=timezone.now(),
        )
        ledger.append(
            actor=actor, action="review.catalogue_file", obj=filing, payload={"rules": filing.rules}
        )
    return filing


def require_filing_answerer(actor, filing: CatalogueFiling) -> None:
    """The supervisors of the 司法局 of the filing agency's region."""
    from zhifa.accounts.selectors import supervised_region

    region = supervised_region(actor)
    if region is None or not filing.agency.region.code.startswith(region.code_prefix):
        raise Forbidden("只有本地区司法局执法监督人员可以审查备案。", code="not_a_supervisor")


def catalogue_filing_answer(
    *, actor, filing: CatalogueFiling, accepted: bool, answer: str = ""
) -> CatalogueFiling:
    """The 司法局 accepts a filing or returns it for changes."""
    require_filing_answerer(actor, filing)
    answer = _text(answer, "审查意见", required=not accepted)
    with transaction.atomic():
        filing = CatalogueFiling.objects.select_for_update().get(pk=filing.pk)
        if filing.state != CatalogueFiling.State.FILED:
            raise Conflict("该备案已审查。", code="filing_answered")
        filing.state = (
            CatalogueFiling.State.ACCEPTED if accepted else CatalogueFiling.State.RETURNED
        )
        filing.answered_by, filing.answered_at, filing.answer = actor, timezone.now(), answer
        filing.save(update_fields=["state", "answered_by", "answered_at", "answer"])
        ledger.append(
            actor=actor,
            action="review.catalogue_answer",
            obj=filing,
            payload={"state": filing.state, "answer": answer},
        )
    return filing


def reach_set(*, actor, agency: Agency, reach: str) -> ReachSetting:
    """Choose which decisions the agency reviews (REV-11); its leader or administrator."""
    if _agency_officer(actor, agency.pk, {Role.LEADER, Role.AGENCY_ADMIN}) is None:
        raise Forbidden("只有本机关负责人或机关管理员可以设置审核范围。", code="not_allowed")
    if reach not in ReviewReach.values:
        raise InvalidInput("审核范围取值不正确。", code="bad_choice")
    with transaction.atomic():
        row = ReachSetting.objects.create(
            agency=agency, reach=reach, set_by=actor, set_at=timezone.now()
        )
        ledger.append(actor=actor, action="review.reach_set", obj=agency, payload={"reach": reach})
    return row


# --- Major flag and proposal --------------------------------------------------------------


def major_flag_set(*, actor, case: Case, reason: str) -> MajorFlag:
    """A handler marks the case as likely to cause major social impact or risk."""
    require_case_handler(actor, case)
    require_open(case)
    reason = _text(reason, "标记理由", max_length=2000)
    with transaction.atomic():
        flag = MajorFlag.objects.create(
            case=case, reason=reason, set_by=actor, set_by_name=_name(actor), set_at=timezone.now()
        )
        ledger.append(
            actor=actor,
            action="review.flag_set",
            obj=case,
            payload={"case": case.number, "reason": reason},
        )
    return flag


def major_flag_clear(*, actor, flag: MajorFlag, reason: str) -> MajorFlag:
    """Only the legal unit or a leader clears a flag, with the reason; never the handler."""
    case = flag.case
    if _agency_officer(actor, case.agency_id, {Role.REVIEWER, Role.LEADER}) is None:
        raise Forbidden(
            "重大社会影响标记只能由法制审核人员或机关负责人撤销，承办人员不能撤销。",
            code="flag_not_clearable",
        )
    if is_handler(actor, case):
        raise Forbidden("承办人员不能撤销本案的重大标记。", code="flag_not_clearable")
    reason = _text(reason, "撤销理由", max_length=2000)
    with transaction.atomic():
        flag = MajorFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.cleared_at is not None:
            raise Conflict("该标记已撤销。", code="flag_cleared")
        flag.cleared_by, flag.cleared_by_name = actor, _name(actor)
        flag.cleared_at, flag.clear_reason = timezone.now(), reason
        flag.save(update_fields=["cleared_by", "cleared_by_name", "cleared_at", "clear_reason"])
        ledger.append(
            actor=actor,
            action="review.flag_clear",
            obj=case,
            payload={"case": case.number, "flag": flag.pk, "reason": reason},
        )
    return flag


def proposal_set(
    *,
    actor,
    case: Case,
    proposed_on: date | None = None,
    penalty_kinds=(),
    traits=(),
    confiscation_amount=None,
    fees_amount=None,
    benefits_amount=None,
) -> Proposal:
    """What the handler proposes to decide, beyond the draft decision's fine.

    The proposal date selects the catalogue rules and the discretion benchmark
    the case is judged by (``catalogue.proposed``, ``fine_below_minimum``), so
    it is today by default and may not lie in the future. Nor may it lie in the
    past — an earlier date could pick an older, laxer catalogue version or
    benchmark — with one exception that lets an honest late entry through: the
    date of the draft decision record in force (决定代拟稿, signed and in the
    ledger), which is the date the catalogue falls back to without a proposal
    anyway, so accepting it opens nothing new.
    """
    require_case_handler(actor, case)
    require_open(case)
    today = timezone.localdate()
    proposed_on = proposed_on or today
    if proposed_on > today:
        raise InvalidInput("拟决定日期不能晚于今天。", code="bad_dates")
    with transaction.atomic():
        if proposed_on < today:
            record = catalogue.decision_record(case)
            drafted_on = catalogue.record_day(record) if record is not None else None
            if proposed_on != drafted_on:
                allowed = f"今天（{today}）"
                if drafted_on is not None:
                    allowed += f"或决定代拟稿的日期（{drafted_on}）"
                raise InvalidInput(
                    f"拟决定日期决定本案适用的重大执法决定目录和裁量基准，不能追溯到"
                    f"{proposed_on}：只能填写{allowed}。",
                    code="proposal_backdated",
                )
        proposal = Proposal.objects.create(
            case=case,
            proposed_on=proposed_on,
            penalty_kinds=_choices(penalty_kinds, PenaltyKind, "处罚种类"),
            traits=_choices(traits, Trait, "其他情形"),
            confiscation_amount=_amount(confiscation_amount, "没收金额"),
            fees_amount=_amount(fees_amount, "收费或基金金额"),
            benefits_amount=_amount(benefits_amount, "给付金额"),
            made_by=actor,
            made_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="review.proposal_set",
            obj=case,
            payload={
                "case": case.number,
                "proposed_on": proposed_on.isoformat(),
                "penalty_kinds": proposal.penalty_kinds,
                "traits": proposal.traits,
            },
        )
    return proposal


# --- Submission (REV-03, REV-04) ----------------------------------------------------------


def _reason_dicts(case: Case) -> list[dict]:
    return [
        {"code": r.code, "label": r.label, "detail": r.detail} for r in catalogue.why_reviewed(case)
    ]


def required_materials(case: Case) -> list[str]:
    """The material codes a complete submission of ``case`` contains (001 附件3 §8)."""
    needed = [Material.COMPETENCE, Material.CASE_MATERIALS, Material.DRAFT_DECISION]
    if case.procedure == Procedure.ORDINARY:
        needed.insert(0, Material.INVESTIGATION_REPORT)
    if Record.objects.filter(
        case=case, kind="hearing_application", superseded_by__isnull=True
    ).exists():
        needed.append(Material.HEARING)
    if case.action_kind == ActionKind.PENALTY:
        needed.append(Material.DISCRETION)
    proposal = Proposal.objects.filter(case=case).order_by("-made_at", "-pk").first()
    if proposal is not None and Trait.COUNTY_GOVERNMENT in proposal.traits:
        needed.append(Material.PRELIMINARY)
    return needed


def missing_materials(case: Case, materials: dict) -> list[str]:
    return [Material(code).label for code in required_materials(case) if not materials.get(code)]


def _clean_materials(materials) -> dict:
    if not isinstance(materials, dict):
        raise InvalidInput("报送材料格式不正确。", code="bad_materials")
    unknown = set(materials) - set(Material.values)
    if unknown:
        raise InvalidInput(
            f"未知的材料种类：{'、'.join(sorted(map(str, unknown)))}。", code="bad_materials"
        )
    cleaned = {}
    for code, value in materials.items():
        text = _text(value, Material(code).label, required=False, max_length=1000)
        if text:
            cleaned[code] = text
    return cleaned


def draft_problems(record: Record | None) -> list[str]:
    """What the draft decision lacks of the items a decision must state."""
    if record is None:
        return ["尚无行政执法决定代拟稿（决定记录）"]
    spec = RECORD_KINDS[record.kind]
    return [
        f"决定代拟稿缺少“{f.label}”"
        for f in spec.fields
        if f.required and not str(record.content.get(f.name) or "").strip()
    ]


def case_time_limit(case: Case) -> date | None:
    """The case's due date, its suspensions (案件中止) left out; ``None`` without a
    limit or while the case is suspended."""
    from zhifa.cases.clock import limit_due_on

    return limit_due_on(case)


def late_warning(case: Case, today: date) -> str:
    limit = case_time_limit(case)
    if limit is None:
        return ""
    before = settings.ZHIFA_REVIEW_SUBMIT_DAYS_BEFORE_LIMIT
    if today > limit - timedelta(days=before):
        return (
            f"案件办理期限于{limit:%Y-%m-%d}届满，应当在届满{before}日前送审；"
            f"本次送审已晚于{limit - timedelta(days=before):%Y-%m-%d}。"
        )
    return ""


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("matter").get(pk=case.pk)


def _next_round(case: Case) -> int:
    last = Submission.objects.filter(case=case).order_by("-round").first()
    return (last.round + 1) if last else 1


def review_submit(
    *, actor, case: Case, materials: dict, urgent: bool = False, note: str = ""
) -> Submission:
    """Submit the case's proposed decision for legal review (送审)."""
    require_case_handler(actor, case)
    require_open(case)
    materials = _clean_materials(materials)
    note = _text(note, "送审说明", required=False, max_length=2000)
    if not materials:
        raise InvalidInput("送审须附材料，报送材料不能为空。", code="materials_required")
    with transaction.atomic():
        case = _locked_case(case)
        if case.stage != Stage.DECISION:
            raise Conflict(
                f"法制审核在审查决定环节送审，案件当前处于{case.get_stage_display()}环节。",
                code="wrong_stage",
            )
        record = catalogue.decision_record(case)
        problems = draft_problems(record)
        if problems:
            raise InvalidInput(
                "决定代拟稿不完整：" + "；".join(problems) + "。",
                code="draft_incomplete",
                details=problems,
            )
        reasons = _reason_dicts(case)
        if not reasons:
            raise Conflict(
                "本案拟作出的决定不属于本机关法制审核的范围（不是重大执法决定）。",
                code="not_in_reach",
            )
        refusal = preliminary_refusal(case)
        if refusal:
            raise Conflict(refusal, code="preliminary_required")
        if Submission.objects.filter(case=case, state__in=Submission.OPEN_STATES).exists():
            raise Conflict("本案已有尚未办结的送审。", code="submission_open")
        materials.setdefault(
            Material.DRAFT_DECISION,
            f"{record.kind_label}（{timezone.localtime(record.occurred_at):%Y-%m-%d}）",
        )
        report = Record.objects.filter(
            case=case, kind="investigation_report", superseded_by__isnull=True
        ).first()
        if report is not None:
            materials.setdefault(
                Material.INVESTIGATION_REPORT,
                f"案件调查终结报告（{timezone.localtime(report.occurred_at):%Y-%m-%d}）",
            )
        round_ = _next_round(case)
        today = timezone.localdate()
        submission = Submission.objects.create(
            case=case,
            agency_id=case.agency_id,
            round=round_,
            kind=Submission.Kind.FIRST if round_ == 1 else Submission.Kind.RESUBMISSION,
            state=Submission.State.SUBMITTED,
            urgent=bool(urgent),
            materials=materials,
            note=note,
            reasons_for_major=reasons,
            decision_record=record,
            late_warning=late_warning(case, today),
            submitted_by=actor,
            submitted_by_name=_name(actor),
            submitted_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="review.submit",
            obj=submission,
            payload={
                "case": case.number,
                "round": round_,
                "materials": sorted(materials),
                "urgent": submission.urgent,
                "reasons": [r["code"] for r in reasons],
                "late_warning": submission.late_warning,
            },
        )
    return submission


def _locked_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("case", "case__matter")
        .get(pk=submission.pk)
    )


def submission_check(*, actor, submission: Submission, missing=(), note: str = "") -> Submission:
    """The legal unit checks the materials: accept (the clock starts), return
    once with the written list of everything missing, or — still incomplete
    after the supplement — refuse in writing with the reasons (REV-04)."""
    reviewer = require_reviewer(actor, submission.case)
    given = [_text(m, "缺少的材料", max_length=255) for m in (missing or []) if str(m).strip()]
    note = _text(note, "说明", required=False, max_length=2000)
    with transaction.atomic():
        submission = _locked_submission(submission)
        if submission.state not in (Submission.State.SUBMITTED, Submission.State.SUPPLEMENTED):
            raise Conflict(
                f"该送审当前为“{submission.get_state_display()}”，不能受理审查。",
                code="not_awaiting_check",
            )
        found = list(
            dict.fromkeys(missing_materials(submission.case, submission.materials) + given)
        )
        now = timezone.now()
        submission.reviewer, submission.reviewer_name = reviewer, reviewer.name
        if not found:
            submission.state = Submission.State.ACCEPTED
            submission.complete_on = timezone.localdate()
            submission.limit_days = clock.limit_for(submission.urgent)
            submission.due_on = clock.due_on(submission)
            action, payload = "review.accept", {"due_on": submission.due_on.isoformat()}
        elif submission.returned_at is None:
            submission.state = Submission.State.RETURNED
            submission.returned_at, submission.returned_missing = now, found
            action, payload = "review.return", {"missing": found, "note": note}
        else:
            submission.state = Submission.State.REFUSED
            submission.refused_at = now
            submission.refusal_reasons = (
                "补充材料后仍不齐备：" + "；".join(found) + "。" + (f"{note}" if note else "")
            )
            action, payload = (
                "review.refuse",
                {"missing": found, "reasons": submission.refusal_reasons},
            )
        if found:
            submission.notice = _notice(actor, submission, found, note)
            payload["notice"] = submission.notice.sha256
        submission.save()
        ledger.append(
            actor=actor,
            action=action,
            obj=submission,
            payload={"case": submission.case.number, "round": submission.round, **payload},
        )
    return submission


def _notice(actor, submission: Submission, missing: list[str], note: str) -> StoredFile:
    """The written notice of REV-04: what is missing, once; then the refusal with reasons."""
    refused = submission.state == Submission.State.REFUSED
    case = submission.case
    context = {
        "agency": {"name": case.agency.name},
        "title": "不予受理决定书" if refused else "送审材料补正通知书",
        "case": {"number": case.number, "title": case.title},
        "unit": case.unit.name if case.unit_id else "承办机构",
        "submitted_at": f"{timezone.localtime(submission.submitted_at):%Y年%m月%d日}",
        "lead": "经补充后仍不齐备，缺少以下材料："
        if refused
        else "材料不齐全，现一次性告知需要补充的以下材料：",
        "missing": missing,
        "closing": (f"依照规定，决定不予受理。{note}" if refused else "请及时补充后重新提交。"),
        "reviewer": submission.reviewer_name,
        "issued_on": f"{timezone.localdate():%Y年%m月%d日}",
    }
    with tempfile.TemporaryDirectory(prefix="zhifa-notice-") as work:
        return _store_docx(
            actor,
            "materials_notice",
            context,
            f"{case.number}第{submission.round}轮{context['title']}.docx",
            Path(work),
        )


def submission_supplement(*, actor, submission: Submission, materials: dict) -> Submission:
    """The handler hands in what the written notice listed (补正)."""
    require_case_handler(actor, submission.case)
    materials = _clean_materials(materials)
    if not materials:
        raise InvalidInput("补正材料不能为空。", code="materials_required")
    with transaction.atomic():
        submission = _locked_submission(submission)
        if submission.state != Submission.State.RETURNED:
            raise Conflict("只有已一次性告知补正的送审可以补正材料。", code="not_returned")
        submission.materials = {**submission.materials, **materials}
        submission.state = Submission.State.SUPPLEMENTED
        submission.supplemented_at = timezone.now()
        submission.save(update_fields=["materials", "state", "supplemented_at"])
        ledger.append(
            actor=actor,
            action="review.supplement",
            obj=submission,
            payload={"case": submission.case.number, "materials": sorted(materials)},
        )
    return submission


# --- Clock (REV-05) -------------------------------------------------------------------------


def _require_running(submission: Submission) -> None:
    if submission.state != Submission.State.ACCEPTED:
        raise Conflict("该送审不在审核中。", code="not_under_review")


def _store_due(submission: Submission) -> None:
    """Store the due dates the overdue list filters on (``Submission.overdue_filter``)."""
    submission.due_on = clock.due_on(submission)
    submission.paused_past_due_on = clock.paused_past_due(submission)
    submission.save(update_fields=["due_on", "paused_past_due_on"])


def pause_start(
    *, actor, submission: Submission, kind: str, reason: str, starts_on: date | None = None
) -> ReviewPause:
    """Stop the clock for a supplement, joint investigation, expert or interpretation.

    The pause starts today, or on an earlier day (recorded late) between the
    day the materials were complete and today. It may start on an earlier day
    only while the review is within its limit: once the due date (without this
    pause) lies before today, the review is overdue and a pause dated back into
    its limit would hide that, so it can only be recorded from today on — the
    working days already over the limit stay counted. A due date that is today
    is not yet passed.
    """
    require_reviewer(actor, submission.case)
    if kind not in ReviewPause.Kind.values:
        raise InvalidInput("中止事由取值不正确。", code="bad_choice")
    reason = _text(reason, "中止说明", max_length=2000)
    today = timezone.localdate()
    starts_on = starts_on or today
    with transaction.atomic():
        submission = _locked_submission(submission)
        _require_running(submission)
        if submission.pauses.filter(ends_on__isnull=True).exists():
            raise Conflict("审核期限已在中止中。", code="already_paused")
        last_end = max((p.ends_on for p in submission.pauses.all()), default=None)
        if starts_on < submission.complete_on or starts_on > today:
            raise InvalidInput("中止开始日期须在材料完备日期和今天之间。", code="bad_dates")
        if last_end is not None and starts_on < last_end:
            raise InvalidInput("中止不能与此前的中止重叠。", code="bad_dates")
        due = clock.due_on(submission)
        if starts_on < today and due is not None and due < today:
            raise InvalidInput(
                f"本轮审核期限已于{due}届满，现已超期；中止只能自今天（{today}）起记录，"
                "不能追溯到此前的日期。",
                code="pause_backdated",
            )
        pause = ReviewPause.objects.create(
            submission=submission, kind=kind, reason=reason, starts_on=starts_on, started_by=actor
        )
        # Paused, the review has no due date; one that had already passed when
        # the pause began is kept, so the review stays on the overdue list.
        _store_due(submission)
        payload = {"kind": kind, "reason": reason, "starts_on": starts_on.isoformat()}
        if submission.paused_past_due_on is not None:
            payload["past_due_on"] = submission.paused_past_due_on.isoformat()
        ledger.append(actor=actor, action="review.pause", obj=submission, payload=payload)
    return pause


def pause_end(*, actor, submission: Submission, ends_on: date | None = None) -> ReviewPause:
    require_reviewer(actor, submission.case)
    ends_on = ends_on or timezone.localdate()
    with transaction.atomic():
        submission = _locked_submission(submission)
        _require_running(submission)
        pause = submission.pauses.filter(ends_on__isnull=True).first()
        if pause is None:
            raise Conflict("审核期限没有中止。", code="not_paused")
        if ends_on < pause.starts_on or ends_on > timezone.localdate():
            raise InvalidInput("中止结束日期须在开始日期和今天之间。", code="bad_dates")
        pause.ends_on = ends_on
        pause.save(update_fields=["ends_on"])
        _store_due(submission)
        ledger.append(
            actor=actor,
            action="review.resume",
            obj=submission,
            payload={"ends_on": ends_on.isoformat(), "due_on": str(submission.due_on)},
        )
    return pause


def extension_approve(*, actor, submission: Submission, reason: str) -> Submission:
    """A leader extends a complex case's review once (+2 working days)."""
    leader = require_leader(actor, submission.case.agency_id)
    reason = _text(reason, "延长理由", max_length=2000)
    with transaction.atomic():
        submission = _locked_submission(submission)
        _require_running(submission)
        if submission.extension_days:
            raise Conflict("本轮审核已延长过期限。", code="already_extended")
        submission.extension_days = settings.ZHIFA_REVIEW_EXTENSION_WORKDAYS
        submission.extension_reason = reason
        submission.extension_approved_by = actor
        submission.extension_approved_by_name = leader.name
        submission.extension_approved_at = timezone.now()
        submission.due_on = clock.due_on(submission)
        # An extension granted during a pause may bring an overdue review back
        # within its limit.
        submission.paused_past_due_on = clock.paused_past_due(submission)
        submission.save()
        ledger.append(
            actor=actor,
            action="review.extend",
            obj=submission,
            payload={"days": submission.extension_days, "reason": reason},
        )
    return submission


# --- Review (REV-06, REV-07) ----------------------------------------------------------------


def _clean_findings(findings, opinion: str) -> list[dict]:
    if isinstance(findings, dict):
        findings = [{"point": k, **(v or {})} for k, v in findings.items()]
    by_point = {}
    for item in findings or []:
        point = item.get("point")
        if point not in ReviewPoint.values:
            raise InvalidInput(f"审核要点“{point}”不正确。", code="bad_finding")
        finding = item.get("finding")
        if finding not in Finding.values:
            raise InvalidInput(f"“{ReviewPoint(point).label}”须选择审核结论。", code="bad_finding")
        note = _text(item.get("note"), "审核要点说明", required=False, max_length=2000)
        if finding == Finding.PROBLEM and not note:
            raise InvalidInput(
                f"“{ReviewPoint(point).label}”存在问题，须说明。", code="finding_note_required"
            )
        by_point[point] = {"point": point, "finding": finding, "note": note}
    absent = [ReviewPoint(p).label for p in ReviewPoint.values if p not in by_point]
    if absent:
        raise InvalidInput(
            "以下审核要点尚未填写：" + "；".join(absent) + "。",
            code="findings_incomplete",
            details=absent,
        )
    if opinion == Opinion.AGREE and any(f["finding"] == Finding.PROBLEM for f in by_point.values()):
        raise InvalidInput("审核要点中存在问题的，不能出具同意意见。", code="agree_with_problems")
    return [by_point[p] for p in ReviewPoint.values]


def _party_names(case: Case) -> str:
    return "、".join(case.parties.values_list("name", flat=True))


def _store_docx(actor, template: str, context: dict, name: str, work: Path) -> StoredFile:
    out = work / f"{len(list(work.iterdir())):02d}.docx"
    rendering.render((TEMPLATES_DIR / f"{template}.docx").read_bytes(), context, out)
    with out.open("rb") as stream:
        return file_store(
            actor=actor, stream=stream, original_name=name, content_type=rendering.DOCX_TYPE
        )


def _opinion_context(review: LegalReview, copy: str) -> dict:
    s = review.submission
    case = s.case
    return {
        "agency": {"name": case.agency.name},
        "copy": copy,
        "case": {"number": case.number, "title": case.title},
        "parties": _party_names(case),
        "round": s.round,
        "kind": s.get_kind_display(),
        "submitted_by": s.submitted_by_name,
        "submitted_at": f"{timezone.localtime(s.submitted_at):%Y-%m-%d %H:%M}",
        "reasons": "；".join(f"{r['label']} {r['detail']}".strip() for r in s.reasons_for_major),
        "complete_on": f"{s.complete_on:%Y-%m-%d}" if s.complete_on else "",
        "findings": [
            {
                "point": ReviewPoint(f["point"]).label,
                "finding": Finding(f["finding"]).label,
                "note": f["note"],
            }
            for f in review.findings
        ],
        "adviser_opinions": advisers_text(review) or "无",
        "opinion": review.get_opinion_display(),
        "text": review.text,
        "reviewer": review.reviewer_name,
        "decided_at": f"{timezone.localtime(review.decided_at):%Y-%m-%d %H:%M}",
    }


COPIES = ("第一联（连同案卷材料回复执法机构）", "第二联（法制机构存档）")


def review_decide(
    *,
    actor,
    submission: Submission,
    opinion: str,
    text: str,
    findings,
    adviser_opinions: str = "",
) -> LegalReview:
    """Give the legal unit's opinion on the round; the form is made in two copies."""
    reviewer = require_reviewer(actor, submission.case)
    if opinion not in Opinion.values:
        raise InvalidInput("审核意见类型不正确。", code="bad_choice")
    text = _text(text, "意见内容", max_length=10000)
    adviser_opinions = _text(adviser_opinions, "法律顾问意见", required=False, max_length=10000)
    findings = _clean_findings(findings, opinion)
    with tempfile.TemporaryDirectory(prefix="zhifa-review-") as work, transaction.atomic():
        submission = _locked_submission(submission)
        if submission.state == Submission.State.DECIDED:
            raise Conflict("本轮审核已出具意见，不能再出具第二份意见。", code="round_closed")
        _require_running(submission)
        if clock.is_paused(submission):
            raise Conflict("审核期限中止中，请先结束中止。", code="paused")
        unsettled = advisers_unsettled(submission)
        if unsettled:
            raise Conflict(
                "法律顾问、公职律师的书面意见须经法制机构复核后方能出具审核意见："
                + "；".join(unsettled)
                + "。",
                code="advisers_unsettled",
                details=unsettled,
            )
        now = timezone.now()
        review = LegalReview(
            submission=submission,
            reviewer=reviewer,
            reviewer_name=reviewer.name,
            opinion=opinion,
            text=text,
            findings=findings,
            adviser_opinions=adviser_opinions,
            decided_at=now,
            within_limit=not clock.clock(submission).overdue,
        )
        title = f"{submission.case.number}第{submission.round}轮法制审核意见书"
        review.copy_handler, review.copy_archive = (
            _store_docx(
                actor,
                "review_opinion",
                _opinion_context(review, copy),
                f"{title}{n}.docx",
                Path(work),
            )
            for n, copy in zip(("（第一联）", "（第二联）"), COPIES, strict=True)
        )
        review.save()
        submission.state = Submission.State.DECIDED
        submission.save(update_fields=["state"])
        ledger.append(
            actor=actor,
            action="review.decide",
            obj=review,
            payload={
                "case": submission.case.number,
                "round": submission.round,
                "opinion": opinion,
                "within_limit": review.within_limit,
                "copies": [review.copy_handler.sha256, review.copy_archive.sha256],
            },
        )
    return review


def latest_submission(case: Case) -> Submission | None:
    return Submission.objects.filter(case=case).order_by("-round").first()


def review_respond(*, actor, review: LegalReview, kind: str, reasons: str = "") -> OpinionResponse:
    """The handling unit accepts the opinion, or asks in writing for a re-review,
    which is a new round of the same materials (REV-08)."""
    case = review.submission.case
    require_case_handler(actor, case)
    require_open(case)
    if kind not in OpinionResponse.Kind.values:
        raise InvalidInput("处理方式不正确。", code="bad_choice")
    reasons = _text(
        reasons, "申请复审理由", required=kind == OpinionResponse.Kind.RE_REVIEW, max_length=5000
    )
    with transaction.atomic():
        _locked_case(case)
        latest = latest_submission(case)
        if latest is None or latest.pk != review.submission_id:
            raise Conflict("只能处理最新一轮的审核意见。", code="not_latest_round")
        if OpinionResponse.objects.filter(review=review).exists():
            raise Conflict("已处理过该审核意见。", code="already_responded")
        if kind == OpinionResponse.Kind.RE_REVIEW:
            if review.opinion == Opinion.AGREE:
                raise Conflict("同意的审核意见无需复审。", code="agree_no_re_review")
            if review.submission.kind == Submission.Kind.RE_REVIEW:
                raise Conflict(
                    "复审后仍不能达成一致的，应提交机关负责人集体讨论决定。", code="re_review_once"
                )
        response = OpinionResponse.objects.create(
            review=review,
            kind=kind,
            reasons=reasons,
            made_by=actor,
            made_by_name=_name(actor),
            made_at=timezone.now(),
        )
        payload = {"case": case.number, "round": review.submission.round, "kind": kind}
        if kind == OpinionResponse.Kind.RE_REVIEW:
            old = review.submission
            again = Submission(
                case=case,
                agency_id=case.agency_id,
                round=old.round + 1,
                kind=Submission.Kind.RE_REVIEW,
                state=Submission.State.ACCEPTED,
                urgent=old.urgent,
                materials=old.materials,
                note=old.note,
                re_review_reasons=reasons,
                reasons_for_major=_reason_dicts(case),
                decision_record=catalogue.decision_record(case),
                submitted_by=actor,
                submitted_by_name=_name(actor),
                submitted_at=timezone.now(),
                complete_on=timezone.localdate(),
                limit_days=clock.limit_for(old.urgent),
            )
            again.save()
            again.due_on = clock.due_on(again)
            again.save(update_fields=["due_on"])
            payload |= {"reasons": reasons, "new_round": again.round}
        ledger.append(actor=actor, action=f"review.respond_{kind}", obj=review, payload=payload)
    return response


# --- Collective deliberation (REV-08) -------------------------------------------------------


@dataclass
class ParticipantInput:
    name: str
    view: str
    vote: str
    signature: StoredFile | None
    signed_at: datetime | None = None
    post: str = ""
    officer: Officer | None = None


def _minutes_context(d: CollectiveDeliberation, participants: list[Participant]) -> dict:
    return {
        "agency": {"name": d.case.agency.name},
        "case": {"number": d.case.number, "title": d.case.title},
        "held_at": f"{timezone.localtime(d.held_at):%Y-%m-%d %H:%M}",
        "place": d.place,
        "chair": d.chair,
        "participant_names": "、".join(p.name for p in participants),
        "attendees": d.attendees or "无",
        "recorder": d.recorder,
        "handler_report": d.handler_report,
        "proposal": d.proposal,
        "review_opinion": d.review_opinion,
        "participants": [
            {
                "name": p.name,
                "post": p.post or "—",
                "view": p.view,
                "vote": p.get_vote_display(),
                "signed_at": f"{timezone.localtime(p.signed_at):%Y-%m-%d %H:%M}",
            }
            for p in participants
        ],
        "votes_for": d.votes_for,
        "votes_against": d.votes_against,
        "decision": f"{d.get_outcome_display()}。{d.decision}",
        "difference": d.difference or "无（与法制审核意见一致）",
    }


def deliberation_record(
    *,
    actor,
    case: Case,
    held_at: datetime,
    place: str,
    chair: str,
    recorder: str,
    handler_report: str,
    proposal: str,
    outcome: str,
    decision: str,
    participants: list[ParticipantInput],
    attendees: str = "",
    difference: str = "",
) -> CollectiveDeliberation:
    """Record the leaders' collective deliberation of the reviewed case, complete
    with every participant's view, vote and signature (REV-08)."""
    require_leader(actor, case.agency_id)
    require_open(case)
    place = _text(place, "地点", max_length=255)
    chair = _text(chair, "主持人", max_length=64)
    recorder = _text(recorder, "记录人", max_length=64)
    handler_report = _text(handler_report, "承办机构汇报", max_length=10000)
    proposal = _text(proposal, "承办机构处理意见", max_length=10000)
    decision = _text(decision, "集体讨论决定", max_length=10000)
    attendees = _text(attendees, "列席人员", required=False, max_length=2000)
    difference = _text(difference, "不一致情况", required=False, max_length=10000)
    if outcome not in CollectiveDeliberation.Outcome.values:
        raise InvalidInput("讨论结果取值不正确。", code="bad_choice")
    if not isinstance(held_at, datetime) or held_at > timezone.now() + timedelta(
        minutes=settings.ZHIFA_CLOCK_TOLERANCE_MINUTES
    ):
        raise InvalidInput("讨论时间不能晚于现在。", code="bad_dates")
    quorum = settings.ZHIFA_REVIEW_DELIBERATION_QUORUM
    if len(participants) < quorum:
        raise InvalidInput(f"集体讨论参加人员不足 {quorum} 人，不足法定人数。", code="no_quorum")
    unsigned = [p.name or "（未填姓名）" for p in participants if p.signature is None]
    if unsigned:
        raise InvalidInput(
            "参加人员须在笔录上签名，以下人员尚未签名：" + "、".join(unsigned) + "。",
            code="signature_missing",
            details=unsigned,
        )
    for p in participants:
        _text(p.name, "参加人员姓名", max_length=64)
        _text(p.view, f"{p.name}的发言内容", max_length=5000)
        if p.vote not in Participant.Vote.values:
            raise InvalidInput(f"{p.name}的表决取值不正确。", code="bad_choice")
    names = [p.name.strip() for p in participants]
    if len(set(names)) != len(names):
        raise InvalidInput("参加人员重复。", code="duplicate_participant")
    votes_for = sum(p.vote == Participant.Vote.FOR for p in participants)
    votes_against = sum(p.vote == Participant.Vote.AGAINST for p in participants)
    if votes_for * 2 <= len(participants):
        raise InvalidInput(
            f"讨论决定须经参加人员过半数赞成（赞成 {votes_for} 人，共 {len(participants)} 人）。",
            code="no_majority",
        )
    with tempfile.TemporaryDirectory(prefix="zhifa-deliberation-") as work, transaction.atomic():
        case = _locked_case(case)
        latest = latest_submission(case)
        review = getattr(latest, "review", None) if latest is not None else None
        if review is None:
            raise Conflict("本案尚无法制审核意见，不能提交集体讨论。", code="no_review")
        agrees = review.opinion == Opinion.AGREE
        follows = agrees == (outcome == CollectiveDeliberation.Outcome.ISSUE)
        if not follows and not difference:
            raise InvalidInput(
                "集体讨论决定与法制审核意见不一致的，应当在笔录中注明不一致的情况。",
                code="difference_required",
            )
        now = timezone.now()
        d = CollectiveDeliberation.objects.create(
            case=case,
            review=review,
            held_at=held_at,
            place=place,
            chair=chair,
            attendees=attendees,
            recorder=recorder,
            handler_report=handler_report,
            proposal=proposal,
            review_opinion=f"{review.get_opinion_display()}：{review.text}",
            outcome=outcome,
            decision=decision,
            follows_review=follows,
            difference=difference,
            votes_for=votes_for,
            votes_against=votes_against,
            recorded_by=actor,
            recorded_at=now,
        )
        rows = [
            Participant.objects.create(
                deliberation=d,
                officer=p.officer,
                name=p.name.strip(),
                post=(p.post or "").strip()[:64],
                view=p.view.strip(),
                vote=p.vote,
                signed_at=p.signed_at or now,
                signature=p.signature,
            )
            for p in participants
        ]
        d.minutes = _store_docx(
            actor,
            "deliberation_minutes",
            _minutes_context(d, rows),
            f"{case.number}集体讨论笔录.docx",
            Path(work),
        )
        d.save(update_fields=["minutes"])
        ledger.append(
            actor=actor,
            action="review.deliberate",
            obj=d,
            payload={
                "case": case.number,
                "review": review.pk,
                "outcome": outcome,
                "follows_review": follows,
                "difference": difference,
                "votes": [votes_for, votes_against, len(rows)],
                "participants": [r.name for r in rows],
                "minutes": d.minutes.sha256,
            },
        )
    return d


# --- Documents as PDF -----------------------------------------------------------------------


def document_pdf(*, stored: StoredFile) -> bytes:
    """A stored review document converted to PDF (one LibreOffice run)."""
    from zhifa.instruments import convert
    from zhifa.ledger import evidence

    with tempfile.TemporaryDirectory(prefix="zhifa-review-pdf-") as work:
        path = Path(work) / "document.docx"
        with evidence.backend(stored.backend).open(stored.storage_key) as handle:
            path.write_bytes(handle.read())
        (pdf,) = convert.to_pdf([path], Path(work) / "pdf")
        return pdf.read_bytes()


def stored_bytes(stored: StoredFile) -> bytes:
    from zhifa.ledger import evidence

    with evidence.backend(stored.backend).open(stored.storage_key) as handle:
        return handle.read()


def get_or_404(queryset, pk, message: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message)
    return obj


# --- Catalogue as Excel (REV-01) -----------------------------------------------------------

RULE_SHEET_TITLE = "重大执法决定法制审核目录"
RULE_SHEET_HEADERS = [
    "条目编号",
    "情形",
    "执法类别",
    "执法事项编码",
    "处罚种类",
    "其他情形",
    "当事人类型",
    "金额种类",
    "金额标准（元）",
    "含本数",
    "须经听证",
    "施行日期",
    "废止日期",
    "依据",
]
_SEP = "、"


def _labels(values, choices) -> str:
    return _SEP.join(choices(v).label for v in values)


def rule_rows(rules) -> list[list]:
    return [
        [
            r.code,
            r.name,
            ActionKind(r.action_kind).label if r.action_kind else "",
            r.matter.code if r.matter_id else "",
            _labels(r.penalty_kinds, PenaltyKind),
            _labels(r.traits, Trait),
            PartyType(r.party_type).label,
            AmountOf(r.amount_of).label,
            str(r.amount_threshold) if r.amount_threshold is not None else "",
            "是" if r.amount_inclusive else "否",
            "是" if r.hearing_required else "否",
            r.effective_from.isoformat(),
            r.ends_on.isoformat() if r.ends_on else "",
            r.basis,
        ]
        for r in rules
    ]


def _from_labels(text, choices, column: str) -> list[str]:
    by_label = {label: value for value, label in choices.choices}
    found = []
    for part in [
        p.strip() for p in str(text or "").replace(",", _SEP).replace("，", _SEP).split(_SEP)
    ]:
        if not part:
            continue
        if part not in by_label and part not in choices.values:
            raise InvalidInput(f"“{column}”中的“{part}”不正确。")
        found.append(by_label.get(part, part))
    return found


def _one_label(text, choices, column: str, default: str = "") -> str:
    values = _from_labels(text, choices, column)
    if len(values) > 1:
        raise InvalidInput(f"“{column}”只能填一项。")
    return values[0] if values else default


def _yes(text, column: str, default: bool) -> bool:
    text = str(text or "").strip()
    if not text:
        return default
    if text in ("是", "含", "Y", "y", "1", "True", "TRUE"):
        return True
    if text in ("否", "不含", "N", "n", "0", "False", "FALSE"):
        return False
    raise InvalidInput(f"“{column}”须填“是”或“否”。")


def _day(value, column: str, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"“{column}”不能为空。")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"“{column}”不是有效日期（YYYY-MM-DD）。") from None


def _rule_from_row(agency: Agency, row: dict) -> RuleInput:
    matter = None
    matter_code = str(row["执法事项编码"] or "").strip()
    if matter_code:
        matter = Matter.objects.filter(agency=agency, code=matter_code).first()
        if matter is None:
            raise InvalidInput(f"本机关没有编码为“{matter_code}”的执法事项。")
    return RuleInput(
        code=str(row["条目编号"] or "").strip(),
        name=str(row["情形"] or "").strip(),
        action_kind=_one_label(row["执法类别"], ActionKind, "执法类别"),
        matter=matter,
        penalty_kinds=_from_labels(row["处罚种类"], PenaltyKind, "处罚种类"),
        traits=_from_labels(row["其他情形"], Trait, "其他情形"),
        party_type=_one_label(row["当事人类型"], PartyType, "当事人类型", PartyType.ANY),
        amount_of=_one_label(row["金额种类"], AmountOf, "金额种类", AmountOf.FINE),
        amount_threshold=row["金额标准（元）"] if row["金额标准（元）"] not in (None, "") else None,
        amount_inclusive=_yes(row["含本数"], "含本数", True),
        hearing_required=_yes(row["须经听证"], "须经听证", False),
        effective_from=_day(row["施行日期"], "施行日期", True),
        ends_on=_day(row["废止日期"], "废止日期", False),
        basis=str(row["依据"] or "").strip(),
    )


def rules_import(*, actor, agency: Agency, data: bytes) -> tuple[int, int]:
    """Import the catalogue from Excel: each row whose content differs from the
    latest version of its code becomes a new version. All rows or none.
    Returns ``(saved, unchanged)``."""
    from zhifa.core.excel import read_rows

    require_catalogue_editor(actor, agency)
    rows = read_rows(data, headers=RULE_SHEET_HEADERS)
    if not rows:
        raise InvalidInput("表格中没有条目。")
    parsed, errors = [], []
    for number, row in rows:
        try:
            parsed.append((number, _rule_from_row(agency, row)))
        except InvalidInput as exc:
            errors.append(f"第 {number} 行：{exc.message}")
    if errors:
        raise InvalidInput("导入失败，未作任何更改。" + "；".join(errors), details=errors)
    saved = unchanged = 0
    with transaction.atomic():
        for number, data_row in parsed:
            latest = (
                MajorDecisionRule.objects.filter(agency=agency, code=data_row.code)
                .order_by("-version")
                .first()
            )
            if latest is not None:
                fields = _clean_rule(agency, data_row)
                if all(getattr(latest, k) == v for k, v in fields.items()):
                    unchanged += 1
                    continue
            try:
                rule_save(actor=actor, agency=agency, data=data_row)
            except InvalidInput as exc:
                raise InvalidInput(
                    f"导入失败，未作任何更改。第 {number} 行：{exc.message}",
                    code=exc.code,
                    details=[f"第 {number} 行：{exc.message}"],
                ) from None
            saved += 1
    return saved, unchanged


# --- Catalogue on the portal (REV-01, PUB-02) ----------------------------------------------


def _published_catalogue(agency: Agency):
    from zhifa.disclosures.models import Disclosure

    return (
        Disclosure.objects.filter(
            agency=agency,
            kind=Disclosure.Kind.EX_ANTE,
            topic=Disclosure.Topic.MAJOR_CATALOGUE,
            status=Disclosure.Status.PUBLISHED,
        )
        .order_by("-published_at", "-pk")
        .first()
    )


def catalogue_disclosure_prepare(*, actor, agency: Agency):
    """Prepare the portal item 重大执法决定法制审核目录清单 from the rules in force
    today and hand it to the legal unit (提交审核). When a version is on the
    portal, the new one supersedes it through ``disclosure_correct``: the old
    one leaves the portal with the explanation, the new one is published once
    the legal unit confirms it. Returns the new item (in review)."""
    from zhifa.disclosures import services as disclosures
    from zhifa.disclosures.models import Disclosure

    require_catalogue_editor(actor, agency)
    today = timezone.localdate()
    rules = catalogue.rules_in_force(agency.pk, today)
    if not rules:
        raise InvalidInput("目录中尚无施行中的条目，不能生成公示稿。", code="catalogue_empty")
    pending = Disclosure.objects.filter(
        agency=agency,
        kind=Disclosure.Kind.EX_ANTE,
        topic=Disclosure.Topic.MAJOR_CATALOGUE,
        status__in=(Disclosure.Status.DRAFT, Disclosure.Status.IN_REVIEW),
    ).first()
    if pending is not None:
        raise Conflict(
            f"已有目录公示稿“{pending.title}”（{pending.get_status_display()}）尚未办结，"
            "请先在公示审核中公示或退回后再生成。",
            code="catalogue_disclosure_pending",
        )
    draft = disclosures.DraftInput(
        kind=Disclosure.Kind.EX_ANTE,
        topic=Disclosure.Topic.MAJOR_CATALOGUE,
        title=f"{agency.name}重大执法决定法制审核目录清单（{today:%Y年%m月%d日}）",
        body=catalogue.catalogue_text(agency, rules, today),
    )
    with transaction.atomic():
        previous = _published_catalogue(agency)
        if previous is None:
            item = disclosures.disclosure_prepare(actor=actor, agency=agency, draft=draft)
        else:
            item = disclosures.disclosure_correct(
                actor=actor,
                disclosure=previous,
                explanation=f"目录清单已更新，以{today:%Y年%m月%d日}施行的条目为准。",
                draft=draft,
            )
        item = disclosures.disclosure_submit(actor=actor, disclosure=item)
        ledger.append(
            actor=actor,
            action="review.catalogue_disclose",
            obj=agency,
            payload={
                "disclosure": item.pk,
                "supersedes": previous.pk if previous else None,
                "rules": [[r.code, r.version] for r in rules],
            },
        )
    return item


# --- Legal advisers and public lawyers (REV-02) --------------------------------------------


def _locked_adviser(adviser: AdviserOpinion) -> AdviserOpinion:
    return (
        AdviserOpinion.objects.select_for_update(of=("self",))
        .select_related("submission", "submission__case")
        .get(pk=adviser.pk)
    )


def adviser_invite(
    *, actor, submission: Submission, name: str, organisation: str, kind: str
) -> AdviserOpinion:
    """The reviewer asks a legal adviser or public lawyer for a written opinion on the round."""
    require_reviewer(actor, submission.case)
    name = _text(name, "姓名", max_length=64)
    organisation = _text(organisation, "工作单位", max_length=128)
    if kind not in AdviserOpinion.Kind.values:
        raise InvalidInput("请选择法律顾问或公职律师。", code="bad_choice")
    with transaction.atomic():
        submission = _locked_submission(submission)
        _require_running(submission)
        if submission.advisers.filter(name=name, organisation=organisation).exists():
            raise Conflict(f"本轮已邀请{name}。", code="adviser_invited")
        adviser = AdviserOpinion.objects.create(
            submission=submission,
            kind=kind,
            name=name,
            organisation=organisation,
            invited_by=actor,
            invited_by_name=_name(actor),
            invited_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="review.adviser_invite",
            obj=submission,
            payload={"case": submission.case.number, "kind": kind, "name": name},
        )
    return adviser


def adviser_opinion_record(
    *, actor, adviser: AdviserOpinion, text: str = "", document: StoredFile | None = None
) -> AdviserOpinion:
    """Record the adviser's written opinion (typed, or its uploaded original), once."""
    require_reviewer(actor, adviser.submission.case)
    text = _text(text, "书面意见", required=False, max_length=20000)
    if not text and document is None:
        raise InvalidInput("请填写书面意见或上传书面意见原件。", code="field_required")
    with transaction.atomic():
        adviser = _locked_adviser(adviser)
        _require_running(adviser.submission)
        if adviser.recorded_at is not None:
            raise Conflict(f"{adviser.name}的书面意见已录入。", code="opinion_recorded")
        adviser.text, adviser.document = text, document
        adviser.recorded_by, adviser.recorded_by_name = actor, _name(actor)
        adviser.recorded_at = timezone.now()
        adviser.save()
        ledger.append(
            actor=actor,
            action="review.adviser_opinion",
            obj=adviser.submission,
            payload={
                "adviser": adviser.pk,
                "name": adviser.name,
                "text": text,
                "document": document.sha256 if document else None,
            },
        )
    return adviser


def adviser_recheck(*, actor, adviser: AdviserOpinion, recheck: str, reason: str) -> AdviserOpinion:
    """The legal unit's re-check of an adviser's opinion: 采纳, 部分采纳 or 不采纳, with why."""
    require_reviewer(actor, adviser.submission.case)
    if recheck not in AdviserOpinion.Recheck.values:
        raise InvalidInput("请选择采纳、部分采纳或不采纳。", code="bad_choice")
    reason = _text(reason, "复核理由", max_length=5000)
    with transaction.atomic():
        adviser = _locked_adviser(adviser)
        _require_running(adviser.submission)
        if adviser.recorded_at is None:
            raise Conflict(
                f"{adviser.name}尚未出具书面意见，不能复核。", code="opinion_not_recorded"
            )
        if adviser.rechecked_at is not None:
            raise Conflict(f"{adviser.name}的意见已复核。", code="opinion_rechecked")
        adviser.recheck, adviser.recheck_reason = recheck, reason
        adviser.rechecked_by, adviser.rechecked_by_name = actor, _name(actor)
        adviser.rechecked_at = timezone.now()
        adviser.save()
        ledger.append(
            actor=actor,
            action="review.adviser_recheck",
            obj=adviser.submission,
            payload={"adviser": adviser.pk, "recheck": recheck, "reason": reason},
        )
    return adviser


def advisers_unsettled(submission: Submission) -> list[str]:
    """What still stops the round's opinion: advisers without opinion or re-check."""
    out = []
    for a in submission.advisers.all():
        if a.recorded_at is None:
            out.append(f"{a.get_kind_display()}{a.name}的书面意见尚未录入")
        elif a.rechecked_at is None:
            out.append(f"{a.get_kind_display()}{a.name}的书面意见尚未复核")
    return out


def advisers_text(review: LegalReview) -> str:
    """The advisers' opinions and their re-checks as the opinion form prints them,
    followed by the free text of the older form field, if any."""
    parts = []
    for n, a in enumerate(review.submission.advisers.all(), 1):
        opinion = a.text or "（见书面意见原件）"
        parts.append(
            f"{n}. {a.get_kind_display()}{a.name}（{a.organisation}）意见：{opinion}"
            f"\n复核：{a.get_recheck_display()}。{a.recheck_reason}"
        )
    if review.adviser_opinions:
        parts.append(review.adviser_opinions)
    return "\n".join(parts)


# --- Preliminary review by the handling unit's head (REV-03, 004) --------------------------


def preliminary_setting_set(*, actor, agency: Agency, required: bool) -> PrelimSetting:
    """Whether the agency requires 初审 before submission; its leader or administrator."""
    if _agency_officer(actor, agency.pk, {Role.LEADER, Role.AGENCY_ADMIN}) is None:
        raise Forbidden("只有本机关负责人或机关管理员可以设置初审。", code="not_allowed")
    with transaction.atomic():
        row = PrelimSetting.objects.create(
            agency=agency, required=bool(required), set_by=actor, set_at=timezone.now()
        )
        ledger.append(
            actor=actor,
            action="review.preliminary_setting",
            obj=agency,
            payload={"required": row.required},
        )
    return row


def require_unit_head(actor, case: Case) -> Officer:
    officer = _agency_officer(actor, case.agency_id, {Role.UNIT_HEAD})
    if officer is None or case.unit_id is None or officer.unit_id != case.unit_id:
        raise Forbidden("只有本案承办机构的负责人可以初审。", code="not_the_unit_head")
    return officer


def preliminary_review_record(
    *, actor, case: Case, result: str, reasons: str = ""
) -> PreliminaryReview:
    """The handling unit head's 初审意见 on the draft decision in force."""
    head = require_unit_head(actor, case)
    require_open(case)
    if result not in PreliminaryReview.Result.values:
        raise InvalidInput("初审意见取值不正确。", code="bad_choice")
    reasons = _text(
        reasons,
        "退回理由",
        required=result == PreliminaryReview.Result.RETURN,
        max_length=5000,
    )
    with transaction.atomic():
        case = _locked_case(case)
        if case.stage != Stage.DECISION:
            raise Conflict("初审在审查决定环节进行。", code="wrong_stage")
        record = catalogue.decision_record(case)
        if record is None:
            raise Conflict("本案尚无行政执法决定代拟稿，不能初审。", code="no_draft")
        row = PreliminaryReview.objects.create(
            case=case,
            decision_record=record,
            result=result,
            reasons=reasons,
            made_by=actor,
            made_by_name=head.name,
            made_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="review.preliminary",
            obj=case,
            payload={"case": case.number, "result": result, "reasons": reasons},
        )
    return row


def preliminary_refusal(case: Case) -> str:
    """Why the case cannot be submitted yet for want of an agreeing 初审; '' when it can."""
    if not catalogue.preliminary_required(case.agency_id):
        return ""
    latest = PreliminaryReview.objects.filter(case=case).order_by("-made_at", "-pk").first()
    record = catalogue.decision_record(case)
    if latest is None:
        return "本机关要求送审前经承办机构负责人初审，本案尚未初审。"
    if latest.result != PreliminaryReview.Result.AGREE:
        return f"承办机构负责人初审退回：{latest.reasons}，请修改后重新初审。"
    if record is None or latest.decision_record_id != record.pk:
        return "决定代拟稿在初审后已更改，须重新初审。"
    return ""


# --- Decisions in the county government's name (REV-03) ------------------------------------


def forwarding_create(*, actor, review: LegalReview, note: str = "") -> Forwarding:
    """Forward a decision in the county government's name to the 司法局, with the
    agency's agreeing opinion and its advisers' opinions, once the review passed."""
    case = review.submission.case
    if _agency_officer(actor, case.agency_id, {Role.REVIEWER, Role.LEADER}) is None:
        raise Forbidden("只有本机关法制审核人员或机关负责人可以报送司法局。", code="not_allowed")
    note = _text(note, "报送说明", required=False, max_length=5000)
    with transaction.atomic():
        case = _locked_case(case)
        if not catalogue.in_government_name(case):
            raise Conflict(
                "本案拟作出的决定不以本级人民政府名义作出，无需报送司法局。",
                code="not_government_name",
            )
        latest = latest_submission(case)
        if latest is None or latest.pk != review.submission_id:
            raise Conflict("只能报送最新一轮的审核意见。", code="not_latest_round")
        from zhifa.reviews.gates import unit_refusals

        refusals = unit_refusals(case)
        if refusals:
            raise Conflict(
                "本机关法制审核尚未通过，不能报送司法局：" + "；".join(refusals),
                code="review_not_passed",
            )
        if Forwarding.objects.filter(review=review).exists():
            raise Conflict("该审核意见已报送司法局。", code="already_forwarded")
        row = Forwarding.objects.create(
            review=review,
            case=case,
            agency_id=case.agency_id,
            note=note,
            forwarded_by=actor,
            forwarded_by_name=_name(actor),
            forwarded_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="review.forward",
            obj=row,
            payload={"case": case.number, "review": review.pk, "note": note},
        )
    return row


def forwarding_answer(*, actor, forwarding: Forwarding, agreed: bool, opinion: str) -> Forwarding:
    """The 司法局 of the agency's region records its opinion on a forwarded decision."""
    from zhifa.accounts.selectors import supervised_region

    region = supervised_region(actor)
    if region is None or not forwarding.agency.region.code.startswith(region.code_prefix):
        raise Forbidden("只有本地区司法局执法监督人员可以出具意见。", code="not_a_supervisor")
    opinion = _text(opinion, "司法局审核意见", max_length=10000)
    with transaction.atomic():
        forwarding = Forwarding.objects.select_for_update().get(pk=forwarding.pk)
        if forwarding.state != Forwarding.State.FORWARDED:
            raise Conflict("司法局已出具意见。", code="forwarding_answered")
        forwarding.state = Forwarding.State.ANSWERED
        forwarding.agreed, forwarding.opinion = bool(agreed), opinion
        forwarding.answered_by, forwarding.answered_by_name = actor, _name(actor)
        forwarding.answered_at = timezone.now()
        forwarding.save()
        ledger.append(
            actor=actor,
            action="review.forward_answer",
            obj=forwarding,
            payload={
                "case": forwarding.case.number,
                "agreed": forwarding.agreed,
                "opinion": opinion,
            },
        )
    return forwarding
