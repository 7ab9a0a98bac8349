"""Writes of 双随机、一公开 (INS-01, INS-02). Each function runs in one
transaction, checks who is acting and appends its ledger entry.

Who may act: the agency's admin, unit heads and leaders keep the matters,
libraries and plans and make the draw; an inspector declares their own
conflicts (回避) and enters the results of the inspections they were drawn for;
a reviewer or leader of the agency who was not drawn for it reviews a result.
The 司法局 supervisor reads its region and writes nothing here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from zhifa import ledger
from zhifa.accounts.models import Agency, Credential, Officer, Role
from zhifa.accounts.selectors import is_sysadmin, officer_of, roles_of
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.core.excel import read_rows, upsert_rows
from zhifa.inspections import draw
from zhifa.inspections.models import (
    Assignment,
    Inspection,
    InspectionMatter,
    InspectionResult,
    InspectionTarget,
    Plan,
    PlanConflict,
    PlanExclusion,
    PlanInspector,
    PlanTarget,
    PoolMember,
    ResultReview,
)
from zhifa.inspections.models import Conflict as ConflictOfInterest

MANAGER_ROLES = frozenset({Role.AGENCY_ADMIN, Role.UNIT_HEAD, Role.LEADER})
REVIEWER_ROLES = frozenset({Role.REVIEWER, Role.LEADER})


def inspectors_per_target() -> int:
    """Inspectors paired with each target (INS-01, 双随机: 不少于两人)."""
    return max(2, getattr(settings, "ZHIFA_INSPECTION_INSPECTORS_PER_TARGET", 2))


# --- Who may act ------------------------------------------------------------------------


def require_inspection_manager(actor, agency: Agency) -> None:
    if is_sysadmin(actor):
        return
    officer = officer_of(actor)
    if officer and officer.agency_id == agency.pk and roles_of(actor) & MANAGER_ROLES:
        return
    raise Forbidden(
        "只有本机关的机关管理员、内设机构负责人或机关负责人可以管理随机抽查事项、名录库和抽查计划。",
        code="not_inspection_manager",
    )


def require_assigned_inspector(actor, inspection: Inspection) -> None:
    officer = officer_of(actor)
    if officer and inspection.assignments.filter(officer=officer).exists():
        return
    raise Forbidden("只有被抽取承担该检查任务的检查人员可以录入检查结果。", code="not_assigned")


def require_result_reviewer(actor, inspection: Inspection) -> None:
    officer = officer_of(actor)
    if not (
        officer
        and officer.agency_id == inspection.plan.agency_id
        and roles_of(actor) & REVIEWER_ROLES
    ):
        raise Forbidden(
            "只有本机关的法制审核人员或机关负责人可以审核抽查结果。", code="not_reviewer"
        )
    if inspection.assignments.filter(officer=officer).exists():
        raise Forbidden("参加该次检查的人员不能审核自己的检查结果。", code="own_inspection")


def require_may_declare(actor, officer: Officer) -> None:
    me = officer_of(actor)
    if me and me.pk == officer.pk:
        return
    try:
        require_inspection_manager(actor, officer.agency)
    except Forbidden:
        raise Forbidden(
            "回避由检查人员本人申报，或由本机关管理人员登记。", code="not_declarer"
        ) from None


# --- Checking input ---------------------------------------------------------------------


def _text(value, label: str, model, field: str, *, required: bool = False) -> str:
    text = ("" if value is None else str(value)).strip()
    if required and not text:
        raise InvalidInput(f"{label}不能为空。")
    limit = model._meta.get_field(field).max_length
    if limit and len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 个字符（现有 {len(text)} 个）。")
    return text


def clean_credit_code(value) -> str:
    """A 统一社会信用代码 checked by its GB 32100 check character, upper-cased."""
    code = ("" if value is None else str(value)).strip().upper()
    try:
        return uscc.validate(code)
    except StdnumError:
        raise InvalidInput(
            f"统一社会信用代码“{code}”无效：应为 18 位，且校验位正确。", code="bad_credit_code"
        ) from None


def _target_fields(fields: dict) -> dict:
    checked = {}
    kind = fields.get("kind")
    if kind not in InspectionTarget.Kind.values:
        labels = "、".join(InspectionTarget.Kind.labels)
        raise InvalidInput(f"对象类型“{kind}”无效，应为：{labels}。", code="bad_kind")
    checked["kind"] = kind
    checked["name"] = _text(fields.get("name"), "名称", InspectionTarget, "name", required=True)
    code = fields.get("credit_code")
    if code not in (None, "") and str(code).strip():
        checked["credit_code"] = clean_credit_code(code)
    elif kind == InspectionTarget.Kind.OTHER:
        checked["credit_code"] = ""
    else:
        raise InvalidInput(
            f"{checked['name']}：{InspectionTarget.Kind(kind).label}须填写统一社会信用代码。",
            code="credit_code_required",
        )
    checked["address"] = _text(fields.get("address"), "地址", InspectionTarget, "address")
    checked["category"] = _text(fields.get("category"), "执法类别", InspectionTarget, "category")
    checked["is_active"] = bool(fields.get("is_active", True))
    return checked


# --- Matters ----------------------------------------------------------------------------


@transaction.atomic
def matter_create(
    *,
    actor,
    agency: Agency,
    code: str,
    name: str,
    basis: str,
    category: str,
    content: str = "",
    method: str = "",
    matter: Matter | None = None,
) -> InspectionMatter:
    """Add an item to the agency's 随机抽查事项清单, linked where one exists to the
    inspection matter (行政检查) of its 执法事项清单."""
    require_inspection_manager(actor, agency)
    fields = {
        "code": _text(code, "事项编码", InspectionMatter, "code", required=True),
        "name": _text(name, "抽查事项", InspectionMatter, "name", required=True),
        "basis": _text(basis, "抽查依据", InspectionMatter, "basis", required=True),
        "category": _text(category, "执法类别", InspectionMatter, "category", required=True),
        "content": _text(content, "抽查内容", InspectionMatter, "content"),
        "method": _text(method, "抽查方式", InspectionMatter, "method"),
    }
    if matter is not None:
        if matter.agency_id != agency.pk:
            raise InvalidInput("只能关联本机关执法事项清单中的事项。", code="other_agency_matter")
        if matter.action_kind != ActionKind.INSPECTION:
            raise InvalidInput(
                f"执法事项“{matter.name}”不是行政检查事项，不能作为随机抽查事项。",
                code="not_inspection_matter",
            )
    if InspectionMatter.objects.filter(agency=agency, code=fields["code"]).exists():
        raise Conflict(f"{agency.name}已有编码为 {fields['code']} 的随机抽查事项。")
    item = InspectionMatter.objects.create(agency=agency, matter=matter, **fields)
    ledger.append(
        actor=actor,
        action="inspection_matter.create",
        obj=item,
        payload={**fields, "matter": matter.pk if matter else None},
    )
    return item


# --- Target library ---------------------------------------------------------------------

TARGET_SHEET_TITLE = "检查对象名录库"
TARGET_SHEET_HEADERS = ("对象类型", "名称", "统一社会信用代码", "地址", "执法类别", "在库")
_KIND_BY_LABEL = {label: value for value, label in InspectionTarget.Kind.choices}


@transaction.atomic
def target_create(*, actor, matter: InspectionMatter, **fields) -> InspectionTarget:
    require_inspection_manager(actor, matter.agency)
    checked = _target_fields(fields)
    _refuse_duplicate_target(matter, checked)
    target = InspectionTarget.objects.create(matter=matter, **checked)
    ledger.append(actor=actor, action="inspection_target.create", obj=target, payload=checked)
    return target


def _refuse_duplicate_target(matter, checked) -> None:
    existing = InspectionTarget.objects.filter(matter=matter)
    if checked["credit_code"]:
        existing = existing.filter(credit_code=checked["credit_code"])
    else:
        existing = existing.filter(credit_code="", name=checked["name"])
    if existing.exists():
        raise Conflict(f"名录库中已有检查对象“{checked['credit_code'] or checked['name']}”。")


def target_rows(targets: Iterable[InspectionTarget]) -> Iterator[list]:
    """Targets in the layout of the import sheet, so an export can be re-imported."""
    for t in targets:
        yield [
            t.get_kind_display(),
            t.name,
            t.credit_code,
            t.address,
            t.category,
            "是" if t.is_active else "否",
        ]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _parse_target_row(number: int, row: dict) -> dict:
    active = str(row["在库"] or "是").strip()
    if active not in ("是", "否"):
        raise InvalidInput(f"第 {number} 行：“在库”应填“是”或“否”。")
    try:
        return _target_fields(
            {
                "kind": _KIND_BY_LABEL.get(str(row["对象类型"] or "").strip(), row["对象类型"]),
                "name": row["名称"],
                "credit_code": row["统一社会信用代码"],
                "address": row["地址"],
                "category": row["执法类别"],
                "is_active": active == "是",
            }
        )
    except InvalidInput as exc:
        raise InvalidInput(f"第 {number} 行：{exc.message}", code=exc.code) from None


@transaction.atomic
def target_import(
    *, actor, matter: InspectionMatter, data: bytes, filename: str = ""
) -> ImportResult:
    """Import a 检查对象名录库 sheet: new keys are added, known ones updated. All or
    nothing: any bad row refuses the whole file, listing every bad row."""
    require_inspection_manager(actor, matter.agency)
    parsed, errors, seen = [], [], set()
    for number, row in read_rows(data, headers=TARGET_SHEET_HEADERS):
        try:
            fields = _parse_target_row(number, row)
        except InvalidInput as exc:
            errors.append(exc.message)
            continue
        key = fields["credit_code"] or fields["name"]
        if key in seen:
            errors.append(f"第 {number} 行：检查对象“{key}”在表中重复。")
            continue
        seen.add(key)
        parsed.append((key, fields))
    if errors:
        raise InvalidInput(
            f"导入未完成：{len(errors)} 行有误，未导入任何数据。{errors[0]}",
            code="bad_rows",
            details=errors,
        )
    existing = {t.key: t for t in InspectionTarget.objects.filter(matter=matter)}

    def create(key, fields):
        InspectionTarget.objects.create(matter=matter, **fields)

    def update(obj, changed):
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.save(update_fields=list(changed))

    created, updated, unchanged = upsert_rows(parsed, existing, create=create, update=update)
    ledger.append(
        actor=actor,
        action="inspection_target.import",
        obj=matter,
        payload={
            "filename": filename,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
        },
    )
    return ImportResult(created, updated, unchanged)


# --- Inspector pool and conflicts ---------------------------------------------------------


def _inspector_categories(officer: Officer, day: date) -> tuple[str, list[str]] | None:
    """The credential number and 执法类别 that let ``officer`` inspect on ``day``:
    from their valid enforcement credentials; ``None`` without one."""
    credentials = sorted(
        (
            c
            for c in officer.credentials.all()
            if c.kind == Credential.Kind.ENFORCEMENT and c.is_valid_on(day)
        ),
        key=lambda c: c.number,
    )
    if not credentials:
        return None
    categories = sorted({cat for c in credentials for cat in draw.split_categories(c.categories)})
    return credentials[0].number, categories


@transaction.atomic
def pool_add(*, actor, matter: InspectionMatter, officer: Officer) -> PoolMember:
    """Put an officer with a valid enforcement credential into the matter's
    执法检查人员名录库."""
    require_inspection_manager(actor, matter.agency)
    if officer.agency_id != matter.agency_id:
        raise InvalidInput("只能将本机关人员加入检查人员名录库。", code="other_agency")
    if not officer.is_active:
        raise InvalidInput(f"{officer.name}已不在岗。", code="officer_inactive")
    if _inspector_categories(officer, timezone.localdate()) is None:
        raise InvalidInput(
            f"{officer.name}没有有效的行政执法证，不能加入检查人员名录库。", code="no_credential"
        )
    member, made = PoolMember.objects.get_or_create(matter=matter, officer=officer)
    if not made and member.is_active:
        raise Conflict(f"{officer.name}已在该事项的检查人员名录库中。")
    member.is_active = True
    member.save(update_fields=["is_active"])
    ledger.append(
        actor=actor, action="inspection_pool.add", obj=matter, payload={"officer": officer.pk}
    )
    return member


@transaction.atomic
def pool_remove(*, actor, member: PoolMember) -> PoolMember:
    require_inspection_manager(actor, member.matter.agency)
    if not member.is_active:
        raise Conflict(f"{member.officer.name}已不在检查人员名录库中。")
    member.is_active = False
    member.save(update_fields=["is_active"])
    ledger.append(
        actor=actor,
        action="inspection_pool.remove",
        obj=member.matter,
        payload={"officer": member.officer_id},
    )
    return member


@transaction.atomic
def conflict_declare(
    *, actor, officer: Officer, target: InspectionTarget, reason: str
) -> ConflictOfInterest:
    """Declare that ``officer`` must not inspect ``target`` (回避), from the next
    frozen library on."""
    require_may_declare(actor, officer)
    if officer.agency_id != target.matter.agency_id:
        raise InvalidInput("检查人员与检查对象不属于同一机关的名录库。", code="other_agency")
    reason = _text(reason, "回避理由", ConflictOfInterest, "reason", required=True)
    if ConflictOfInterest.objects.filter(officer=officer, target=target).exists():
        raise Conflict(f"{officer.name}对{target}的回避已登记。")
    conflict = ConflictOfInterest.objects.create(
        officer=officer, target=target, reason=reason, declared_by=actor
    )
    ledger.append(
        actor=actor,
        action="inspection_conflict.declare",
        obj=target,
        payload={"officer": officer.pk, "reason": reason},
    )
    return conflict


# --- Plans ------------------------------------------------------------------------------


def _ratio(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        ratio = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(f"抽查比例“{value}”不是数字。", code="bad_ratio") from None
    if not (0 < ratio <= 100):
        raise InvalidInput("抽查比例应大于 0%、不超过 100%。", code="bad_ratio")
    return ratio


@transaction.atomic
def plan_create(
    *,
    actor,
    matter: InspectionMatter,
    name: str,
    frequency: str,
    period_start: date,
    period_end: date,
    ratio_percent=None,
    count: int | None = None,
    inspectors_per_target: int | None = None,
) -> Plan:
    """Make a draft plan (one round of the matter's random inspection).

    Refused when the round of its frequency is already taken: a plan of the
    same matter and the same periodic frequency, committed or drawn, starts in
    the same calendar window (``_refuse_second_round``)."""
    require_inspection_manager(actor, matter.agency)
    name = _text(name, "计划名称", Plan, "name", required=True)
    ratio = _ratio(ratio_percent)
    if (ratio is None) == (count is None):
        raise InvalidInput("抽查比例和抽查数量须填写且只填写一项。", code="ratio_or_count")
    if count is not None and count < 1:
        raise InvalidInput("抽查数量至少为 1。", code="bad_count")
    if frequency not in Plan.Frequency.values:
        raise InvalidInput(f"抽查频次“{frequency}”无效。", code="bad_frequency")
    if period_end < period_start:
        raise InvalidInput("抽查结束日期不能早于开始日期。", code="bad_period")
    per_target = inspectors_per_target or inspectors_per_target_default()
    if per_target < 2:
        raise InvalidInput("每个检查对象至少匹配 2 名检查人员。", code="too_few_per_target")
    if not matter.is_active:
        raise Conflict("该随机抽查事项已停用。", code="matter_inactive")
    _lock_matter(matter)
    _refuse_second_round(
        Plan(matter=matter, frequency=frequency, period_start=period_start, period_end=period_end)
    )
    plan = Plan.objects.create(
        agency=matter.agency,
        matter=matter,
        name=name,
        ratio_percent=ratio,
        count=count,
        frequency=frequency,
        period_start=period_start,
        period_end=period_end,
        inspectors_per_target=per_target,
        created_by=actor,
    )
    ledger.append(
        actor=actor,
        action="inspection_plan.create",
        obj=plan,
        payload={
            "matter": matter.pk,
            "name": name,
            "ratio_percent": None if ratio is None else str(ratio),
            "count": count,
            "frequency": frequency,
            "period": [period_start, period_end],
            "inspectors_per_target": per_target,
        },
    )
    return plan


def inspectors_per_target_default() -> int:
    return inspectors_per_target()


def _locked_plan(plan: Plan) -> Plan:
    # Re-read under a row lock: two people committing or drawing the same plan
    # at once must not both pass the status check.
    return Plan.objects.select_for_update().select_related("agency", "matter").get(pk=plan.pk)


# --- Frequency (INS-01) ------------------------------------------------------------------
#
# A plan's frequency fixes its window (``draw.frequency_window``: the calendar
# year, half-year, quarter or month holding its first day; 一次性: all time).
# Three rules follow from it:
#
# * one round per window: a second plan of the same matter and the same
#   periodic frequency starting in the same window is refused, at creation and
#   again at commitment. Only committed or drawn plans take the round: a draft
#   publishes nothing and, plans having no cancellation, an abandoned draft
#   must not block the window for good; a committed plan does take it, since
#   its published commitment binds the agency to draw it. 一次性 plans are
#   one-off rounds (专项) and are not limited, nor are plans of another
#   frequency (a monthly round beside the yearly one): the next rule keeps
#   them from checking a target twice in the window;
# * targets drawn for the matter by another plan whose period overlaps the
#   window are left out of the frozen library at commitment (``PlanExclusion``,
#   digested into the commitment, so ``verify-draw`` checks it);
# * a plan is not committed while another plan of the matter overlapping it
#   either way is committed but not drawn: that plan's drawn targets, which the
#   exclusion needs, are not known yet.

ROUND_TAKEN = (Plan.Status.COMMITTED, Plan.Status.DRAWN)


def _lock_matter(matter: InspectionMatter) -> None:
    # Plans of one matter are created and committed one at a time, so that two
    # at once cannot both pass the frequency checks below (PostgreSQL).
    InspectionMatter.objects.select_for_update().filter(pk=matter.pk).first()


def _refuse_second_round(plan: Plan) -> None:
    window = plan.frequency_window
    if window is None:
        return
    taken = (
        Plan.objects.filter(
            matter=plan.matter_id,
            frequency=plan.frequency,
            status__in=ROUND_TAKEN,
            period_start__range=window,
        )
        .exclude(pk=plan.pk)
        .order_by("period_start", "pk")
        .first()
    )
    if taken is not None:
        frequency = plan.get_frequency_display()
        raise InvalidInput(
            f"抽查频次为{frequency}：该事项{plan.frequency_window_name}已有抽查计划"
            f"“{taken.name}”（{taken.period_start:%Y-%m-%d} 至 {taken.period_end:%Y-%m-%d}，"
            f"{taken.get_status_display()}），不能再制定同频次的计划。",
            code="frequency_round_taken",
        )


def _refuse_while_undrawn(plan: Plan) -> None:
    window = plan.frequency_window
    for other in (
        Plan.objects.filter(matter=plan.matter_id, status=Plan.Status.COMMITTED)
        .exclude(pk=plan.pk)
        .order_by("committed_at", "pk")
    ):
        if draw.windows_overlap(
            window, other.period_start, other.period_end
        ) or draw.windows_overlap(other.frequency_window, plan.period_start, plan.period_end):
            raise Conflict(
                f"抽查计划“{other.name}”已公布承诺值但尚未抽取，其抽中的对象须按抽查频次"
                "从本计划中排除：请待其抽取后再冻结本计划。",
                code="overlapping_plan_not_drawn",
            )


def drawn_in_window(plan: Plan, *, before=None) -> dict[int, int]:
    """Targets drawn for the plan's matter by other drawn plans whose period
    overlaps the plan's frequency window: target id → the lowest id of such a
    plan. ``before`` limits it to plans drawn before that moment (the plan's
    commitment, when verifying)."""
    others = Plan.objects.filter(matter=plan.matter_id, status=Plan.Status.DRAWN).exclude(
        pk=plan.pk
    )
    window = plan.frequency_window
    if window is not None:
        others = others.filter(period_start__lte=window[1], period_end__gte=window[0])
    if before is not None:
        others = others.filter(drawn_at__lt=before)
    drawn: dict[int, int] = {}
    for target_id, plan_id in (
        Inspection.objects.filter(plan__in=others)
        .order_by("plan_id")
        .values_list("target_id", "plan_id")
        .iterator(chunk_size=10000)
    ):
        drawn.setdefault(target_id, plan_id)
    return drawn


def frozen_exclusions(plan: Plan) -> tuple[list, list[int]]:
    """The digested ``excluded`` list of a committed plan and the target ids."""
    excluded, target_ids = [], []
    for key, name, drawn_in, target_id in (
        # By position: the database's collation need not sort keys as Python does.
        PlanExclusion.objects.filter(plan=plan)
        .order_by("position")
        .values_list("key", "name", "drawn_in_id", "target_id")
    ):
        excluded.append([key, name, drawn_in])
        target_ids.append(target_id)
    return excluded, target_ids


@dataclass
class Frozen:
    """A committed plan's frozen libraries as the digested lists (module
    docstring of ``draw``), with the database ids behind each position."""

    targets: list
    inspectors: list
    conflicts: list
    target_ids: list[int]
    officer_ids: list[int]


def frozen(plan: Plan) -> Frozen:
    rows = PlanTarget.objects.filter(plan=plan).order_by("position")
    targets, target_ids = [], []
    for position, key, name, category, target_id in rows.values_list(
        "position", "key", "name", "category", "target_id"
    ).iterator(chunk_size=10000):
        targets.append([position, key, name, category])
        target_ids.append(target_id)
    inspectors, officer_ids = [], []
    for position, number, name, categories, officer_id in (
        PlanInspector.objects.filter(plan=plan)
        .order_by("position")
        .values_list("position", "credential_number", "name", "categories", "officer_id")
    ):
        inspectors.append([position, number, name, draw.split_categories(categories)])
        officer_ids.append(officer_id)
    conflicts = [
        list(pair)
        for pair in PlanConflict.objects.filter(plan=plan)
        .order_by("target_position", "inspector_position")
        .values_list("target_position", "inspector_position")
    ]
    return Frozen(targets, inspectors, conflicts, target_ids, officer_ids)


def frozen_lists(plan: Plan) -> tuple[list, list, list]:
    """The named lists of a committed plan, rebuilt from its frozen rows."""
    lists = frozen(plan)
    return lists.targets, lists.inspectors, lists.conflicts


def digested_lists(plan: Plan, lists: Frozen | None = None) -> tuple[list, list, list]:
    """The targets, inspectors and conflicts lists as the plan's digests cover
    them: sealed where the plan was committed with a ``seal_key`` (version 3,
    ``draw`` docstring "Sealed lists"), named otherwise."""
    lists = lists or frozen(plan)
    if not plan.seal_key:
        return lists.targets, lists.inspectors, lists.conflicts
    return (
        lists.targets,
        draw.sealed_inspectors(draw.opened_inspectors(plan.seal_key, lists.inspectors)),
        draw.sealed_conflicts(
            draw.opened_conflicts(plan.seal_key, len(lists.targets), lists.conflicts)
        ),
    )


def plan_material(plan: Plan) -> dict:
    """The seed material of a committed plan (module docstring of ``draw``)."""
    return draw.seed_material(
        plan_id=plan.pk,
        agency_id=plan.agency_id,
        matter_code=plan.matter.code,
        ratio_percent=plan.ratio_percent,
        count=plan.count,
        inspectors_per_target=plan.inspectors_per_target,
        frequency=plan.frequency,
        period_start=plan.period_start.isoformat(),
        period_end=plan.period_end.isoformat(),
        targets_digest=plan.targets_digest,
        inspectors_digest=plan.inspectors_digest,
        conflicts_digest=plan.conflicts_digest,
        beacon_source=plan.beacon_source,
        nonce=plan.nonce,
        # Plans committed before the frequency was enforced have no exclusion
        # digest and keep their version 1 material.
        excluded_digest=plan.excluded_digest or None,
        window=_window_text(plan),
        # Plans committed before the lists were sealed keep version 2.
        sealed=bool(plan.seal_key),
    )


def _window_text(plan: Plan) -> tuple[str, str] | None:
    window = plan.frequency_window
    return None if window is None else (window[0].isoformat(), window[1].isoformat())


def _too_few_message(name: str, available: int, needed: int) -> str:
    return (
        f"检查人员不足：检查对象“{name}”可匹配的检查人员只有 {available} 名（排除回避、"
        f"按执法类别），每个检查对象须 {needed} 名。请补充检查人员名录库后再操作。"
    )


def _insert(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert many rows of ``model`` with one prepared statement. Used for the
    frozen libraries and the drawn inspections (10⁵ rows at county scale), where
    ``bulk_create`` spends most of its time building model instances; the
    values come from our own code, never from a form."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10000):
            cursor.executemany(sql, rows[start : start + 10000])


class _TargetRow(NamedTuple):
    pk: int
    name: str
    key: str
    category: str


@transaction.atomic
def plan_commit(*, actor, plan: Plan, beacon_source: str, today: date | None = None) -> Plan:
    """Freeze the plan's libraries and publish the commitment to its seed (INS-01).

    Targets drawn for the matter within the plan's frequency window are left
    out and frozen apart, with the plan that drew them (see "Frequency" above).
    Refused, with nothing recorded, when the round of the frequency is taken,
    another overlapping plan is committed but not drawn, no target is left, or
    any target could not get enough eligible inspectors, so that a published
    commitment always leads to a draw.
    """
    require_inspection_manager(actor, plan.agency)
    beacon_source = _text(beacon_source, "公开随机数来源", Plan, "beacon_source", required=True)
    plan = _locked_plan(plan)
    if plan.status != Plan.Status.DRAFT:
        raise Conflict(
            "该计划的名录库已冻结，承诺值已公布，不能再次冻结。", code="already_committed"
        )
    today = today or timezone.localdate()
    matter = plan.matter
    _lock_matter(matter)
    _refuse_second_round(plan)
    _refuse_while_undrawn(plan)
    library = sorted(
        (
            _TargetRow(pk, name, code or name, category)
            for pk, name, code, category in InspectionTarget.objects.filter(
                matter=matter, is_active=True
            ).values_list("pk", "name", "credit_code", "category")
        ),
        key=lambda t: (t.key, t.pk),
    )
    if not library:
        raise InvalidInput("检查对象名录库为空，不能冻结。", code="empty_library")
    drawn_before = drawn_in_window(plan)
    targets = [t for t in library if t.pk not in drawn_before]
    excluded = [t for t in library if t.pk in drawn_before]
    if not targets:
        when = plan.frequency_window_name or "以往"
        raise InvalidInput(
            f"检查对象名录库中的 {len(excluded)} 户对象在{when}均已抽中"
            f"（抽查频次：{plan.get_frequency_display()}），没有可抽取的对象，不能冻结。",
            code="all_drawn_in_window",
        )
    members = (
        PoolMember.objects.filter(matter=matter, is_active=True, officer__is_active=True)
        .filter(officer__agency=plan.agency)
        .select_related("officer")
        .prefetch_related("officer__credentials")
    )
    inspectors = []
    for member in members:
        held = _inspector_categories(member.officer, today)
        if held is not None:
            inspectors.append((held[0], member.officer.pk, member.officer, held[1]))
    inspectors.sort(key=lambda i: (i[0], i[1]))
    target_position = {t.pk: n for n, t in enumerate(targets)}
    inspector_position = {i[1]: n for n, i in enumerate(inspectors)}
    conflicts = sorted(
        (target_position[t], inspector_position[o])
        for t, o in ConflictOfInterest.objects.filter(target__matter=matter).values_list(
            "target_id", "officer_id"
        )
        if t in target_position and o in inspector_position
    )
    target_categories = [t.category or matter.category for t in targets]
    inspector_categories = [frozenset(i[3]) for i in inspectors]
    per_target = plan.inspectors_per_target
    conflicts_of: dict[int, list[int]] = {}
    for t, i in conflicts:
        conflicts_of.setdefault(t, []).append(i)
    available: dict[str, int] = {}
    for position, category in enumerate(target_categories):
        if category not in available:
            available[category] = sum(category in c for c in inspector_categories)
        free = available[category]
        if position in conflicts_of:
            free = len(
                draw.eligible_inspectors(category, inspector_categories, conflicts_of[position])
            )
        if free < per_target:
            raise InvalidInput(
                _too_few_message(targets[position].name, free, per_target),
                code="too_few_inspectors",
            )

    target_list = [[n, t.key, t.name, target_categories[n]] for n, t in enumerate(targets)]
    inspector_list = [
        [n, number, officer.name, categories]
        for n, (number, _, officer, categories) in enumerate(inspectors)
    ]
    conflict_list = [[t, i] for t, i in conflicts]
    _insert(
        PlanTarget,
        ("plan", "position", "target", "key", "name", "category"),
        (
            (plan.pk, n, t.pk, key, name, category)
            for t, (n, key, name, category) in zip(targets, target_list, strict=True)
        ),
    )
    PlanInspector.objects.bulk_create(
        [
            PlanInspector(
                plan=plan,
                position=n,
                officer=officer,
                name=officer.name,
                credential_number=number,
                categories="、".join(categories),
            )
            for n, (number, _, officer, categories) in enumerate(inspectors)
        ]
    )
    PlanConflict.objects.bulk_create(
        [PlanConflict(plan=plan, target_position=t, inspector_position=i) for t, i in conflicts]
    )
    excluded_list = [[t.key, t.name, drawn_before[t.pk]] for t in excluded]
    _insert(
        PlanExclusion,
        ("plan", "position", "target", "key", "name", "drawn_in"),
        (
            (plan.pk, n, t.pk, key, name, drawn_in)
            for n, (t, (key, name, drawn_in)) in enumerate(
                zip(excluded, excluded_list, strict=True)
            )
        ),
    )
    # The digests are of the lists just written (the inspectors and conflicts
    # sealed with the plan's secret key, so that the public material need not
    # name who declared a conflict with whom); ``verify`` recomputes them from
    # the rows, so a difference between the two would show there.
    plan.seal_key = secrets.token_hex(32)
    targets_digested, inspectors_digested, conflicts_digested = digested_lists(
        plan, Frozen(target_list, inspector_list, conflict_list, [], [])
    )
    plan.targets_digest = draw.digest(targets_digested)
    plan.inspectors_digest = draw.digest(inspectors_digested)
    plan.conflicts_digest = draw.digest(conflicts_digested)
    plan.excluded_digest = draw.digest(excluded_list)
    plan.beacon_source = beacon_source
    plan.nonce = secrets.token_hex(32)
    plan.commitment = draw.commitment_of(plan_material(plan))
    plan.committed_at = timezone.now()
    plan.status = Plan.Status.COMMITTED
    plan.save()
    ledger.append(
        actor=actor,
        action="inspection_plan.commit",
        obj=plan,
        payload={
            "commitment": plan.commitment,
            "targets": len(targets),
            "targets_digest": plan.targets_digest,
            "inspectors": len(inspectors),
            "inspectors_digest": plan.inspectors_digest,
            "conflicts": len(conflicts),
            "conflicts_digest": plan.conflicts_digest,
            "window": _window_text(plan),
            "excluded": len(excluded),
            "excluded_digest": plan.excluded_digest,
            "excluded_note": plan.exclusion_note(len(excluded)) if excluded else "",
            "excluded_by_plan": _count_by_plan(excluded_list),
            "beacon_source": beacon_source,
        },
    )
    return plan


def _count_by_plan(excluded_list) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, _, drawn_in in excluded_list:
        counts[str(drawn_in)] = counts.get(str(drawn_in), 0) + 1
    return counts


def compute_draw(
    plan: Plan, beacon_value: str, lists: Frozen | None = None
) -> tuple[bytes, list[tuple[int, list[int]]]]:
    """Seed and result of the draw from a committed plan's recorded inputs."""
    lists = lists or frozen(plan)
    seed = draw.seed_of(plan_material(plan), beacon_value)
    result = draw.run(
        seed=seed,
        target_categories=[t[3] for t in lists.targets],
        inspector_categories=[i[3] for i in lists.inspectors],
        conflicts=[(t, i) for t, i in lists.conflicts],
        k=draw.target_count(len(lists.targets), ratio_percent=plan.ratio_percent, count=plan.count),
        per_target=plan.inspectors_per_target,
    )
    return seed, result


@transaction.atomic
def plan_draw(*, actor, plan: Plan, beacon_value: str) -> Plan:
    """Draw the targets and their inspectors with the public random value now
    produced, record the inspections and reveal the nonce (INS-01)."""
    require_inspection_manager(actor, plan.agency)
    beacon_value = _text(beacon_value, "公开随机数", Plan, "beacon_value", required=True)
    plan = _locked_plan(plan)
    if plan.status == Plan.Status.DRAFT:
        raise Conflict("须先冻结名录库并公布种子承诺值，才能抽取。", code="not_committed")
    if plan.status == Plan.Status.DRAWN:
        raise Conflict("该计划已经抽取，不能重新抽取。", code="already_drawn")
    lists = frozen(plan)
    try:
        seed, result = compute_draw(plan, beacon_value, lists)
    except draw.TooFewInspectors as exc:
        name = lists.targets[exc.target_position][2]
        raise InvalidInput(
            _too_few_message(name, exc.available, exc.needed), code="too_few_inspectors"
        ) from None
    target_ids, officer_ids = lists.target_ids, lists.officer_ids
    _insert(
        Inspection,
        ("plan", "order", "target", "status", "disclosure_reference"),
        (
            (plan.pk, n, target_ids[t], Inspection.Status.PENDING, "")
            for n, (t, _) in enumerate(result)
        ),
    )
    inspection_ids = dict(Inspection.objects.filter(plan=plan).values_list("order", "pk"))
    _insert(
        Assignment,
        ("inspection", "officer", "order"),
        (
            (inspection_ids[n], officer_ids[i], m)
            for n, (_, chosen) in enumerate(result)
            for m, i in enumerate(chosen)
        ),
    )
    plan.beacon_value = beacon_value
    plan.seed = seed.hex()
    plan.result_digest = draw.result_digest(result)
    plan.drawn_at = timezone.now()
    plan.status = Plan.Status.DRAWN
    plan.save()
    ledger.append(
        actor=actor,
        action="inspection_plan.draw",
        obj=plan,
        payload={
            "commitment": plan.commitment,
            "nonce": plan.nonce,
            "beacon_value": beacon_value,
            "seed": plan.seed,
            "drawn": len(result),
            "result_digest": plan.result_digest,
        },
    )
    return plan


# --- Results (INS-02) -------------------------------------------------------------------

ENTERABLE = (Inspection.Status.PENDING, Inspection.Status.RETURNED, Inspection.Status.REJECTED)


def _locked_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update()
        .select_related("plan", "plan__agency", "target")
        .get(pk=inspection.pk)
    )


@transaction.atomic
def result_enter(
    *,
    actor,
    inspection: Inspection,
    checked_on: date,
    outcome: str,
    detail: str = "",
    follow_up: str = "",
    completed_on: date | None = None,
) -> InspectionResult:
    """An assigned inspector enters (or, after 审核退回 / 不通过, re-enters) the
    result; the inspection goes to 待审核."""
    require_assigned_inspector(actor, inspection)
    inspection = _locked_inspection(inspection)
    if inspection.status not in ENTERABLE:
        raise Conflict(
            f"抽查结果当前为“{inspection.get_status_display()}”，不能录入。", code="not_enterable"
        )
    if outcome not in InspectionResult.Outcome.values:
        raise InvalidInput(f"检查结果“{outcome}”无效。", code="bad_outcome")
    if checked_on is None:
        raise InvalidInput("请填写检查日期。", code="checked_on_required")
    if checked_on > timezone.localdate():
        raise InvalidInput("检查日期不能晚于今天。", code="checked_on_future")
    if completed_on is not None and completed_on < checked_on:
        raise InvalidInput("办结日期不能早于检查日期。", code="completed_before_check")
    detail = (detail or "").strip()
    follow_up = (follow_up or "").strip()
    needs_follow_up = outcome in (
        InspectionResult.Outcome.CORRECTED,
        InspectionResult.Outcome.FOLLOW_UP,
    )
    if needs_follow_up and not follow_up:
        raise InvalidInput("发现问题的，须填写后续处置措施。", code="follow_up_required")
    result = InspectionResult.objects.create(
        inspection=inspection,
        checked_on=checked_on,
        outcome=outcome,
        detail=detail,
        follow_up=follow_up,
        completed_on=completed_on,
        entered_by=actor,
    )
    previous = inspection.status
    inspection.status = Inspection.Status.SUBMITTED
    inspection.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="inspection_result.enter",
        obj=inspection,
        payload={
            "result": result.pk,
            "from": previous,
            "checked_on": checked_on,
            "outcome": outcome,
            "follow_up": follow_up,
            "completed_on": completed_on,
        },
    )
    return result


_DECISION_STATUS = {
    ResultReview.Decision.APPROVE: Inspection.Status.APPROVED,
    ResultReview.Decision.RETURN: Inspection.Status.RETURNED,
    ResultReview.Decision.REJECT: Inspection.Status.REJECTED,
}


@transaction.atomic
def result_review(
    *, actor, inspection: Inspection, decision: str, opinion: str = ""
) -> ResultReview:
    """Review the latest entered result: approve it (ready for the disclosure
    pipeline), return it for correction (审核退回) or refuse it (不通过: the check
    is to be redone); either of the last two needs a reason."""
    require_result_reviewer(actor, inspection)
    inspection = _locked_inspection(inspection)
    if inspection.status != Inspection.Status.SUBMITTED:
        raise Conflict(
            f"抽查结果当前为“{inspection.get_status_display()}”，没有待审核的结果。",
            code="not_submitted",
        )
    if decision not in ResultReview.Decision.values:
        raise InvalidInput(f"审核意见“{decision}”无效。", code="bad_decision")
    opinion = (opinion or "").strip()
    if decision != ResultReview.Decision.APPROVE and not opinion:
        raise InvalidInput("退回或不通过的，须说明理由。", code="opinion_required")
    result = inspection.results.order_by("-entered_at", "-pk").first()
    review = ResultReview.objects.create(
        result=result, decision=decision, opinion=opinion, reviewer=actor
    )
    inspection.status = _DECISION_STATUS[decision]
    inspection.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="inspection_result.review",
        obj=inspection,
        payload={"result": result.pk, "decision": decision, "opinion": opinion},
    )
    if inspection.status == Inspection.Status.APPROVED:
        # An approved result goes to the disclosure pipeline at once (PUB-06):
        # its public version waits for the legal unit's confirmation.
        from zhifa.disclosures.services import inspection_result_prepare

        inspection_result_prepare(actor=actor, inspection=inspection)
    return review


@transaction.atomic
def inspection_mark_published(*, actor, inspection: Inspection, reference: str = "") -> Inspection:
    """Called by the disclosure pipeline once an approved result is on the portal
    (PUB-06): the inspection becomes 已公示."""
    officer = officer_of(actor)
    if not (is_sysadmin(actor) or (officer and officer.agency_id == inspection.plan.agency_id)):
        raise Forbidden("只有本机关人员可以登记抽查结果的公示。", code="other_agency")
    inspection = _locked_inspection(inspection)
    if inspection.status != Inspection.Status.APPROVED:
        raise Conflict("只有审核通过的抽查结果可以公示。", code="not_approved")
    inspection.status = Inspection.Status.PUBLISHED
    inspection.published_at = timezone.now()
    inspection.disclosure_reference = _text(
        reference, "公示编号", Inspection, "disclosure_reference"
    )
    inspection.save(update_fields=["status", "published_at", "disclosure_reference"])
    ledger.append(
        actor=actor,
        action="inspection_result.publish",
        obj=inspection,
        payload={"reference": inspection.disclosure_reference},
    )
    return inspection


@transaction.atomic
def inspection_publication_withheld(*, actor, inspection: Inspection, ground: str) -> Inspection:
    """Called by the disclosure pipeline when the legal unit decides not to
    publish an approved result, with its ground (PUB-07): the result stands, but
    it is no longer waiting for publication."""
    officer = officer_of(actor)
    if not (is_sysadmin(actor) or (officer and officer.agency_id == inspection.plan.agency_id)):
        raise Forbidden("只有本机关人员可以登记抽查结果不予公开。", code="other_agency")
    inspection = _locked_inspection(inspection)
    if inspection.status != Inspection.Status.APPROVED:
        raise Conflict("只有审核通过、尚未公示的抽查结果可以不予公开。", code="not_approved")
    inspection.status = Inspection.Status.WITHHELD
    inspection.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="inspection_result.withhold",
        obj=inspection,
        payload={"ground": (ground or "").strip()},
    )
    return inspection


@transaction.atomic
def inspection_publication_withdrawn(*, actor, inspection: Inspection, reason: str) -> Inspection:
    """Called by the disclosure pipeline when a published result is withdrawn
    (PUB-09): the result no longer stands, so the inspection goes back to
    审核退回 for its inspectors to re-enter it; the first publication stays in
    the ledger."""
    officer = officer_of(actor)
    if not (is_sysadmin(actor) or (officer and officer.agency_id == inspection.plan.agency_id)):
        raise Forbidden("只有本机关人员可以登记抽查结果的撤回。", code="other_agency")
    inspection = _locked_inspection(inspection)
    if inspection.status != Inspection.Status.PUBLISHED:
        raise Conflict("只有已公示的抽查结果可以撤回。", code="not_published")
    reference = inspection.disclosure_reference
    inspection.status = Inspection.Status.RETURNED
    inspection.published_at = None
    inspection.disclosure_reference = ""
    inspection.save(update_fields=["status", "published_at", "disclosure_reference"])
    ledger.append(
        actor=actor,
        action="inspection_result.withdraw",
        obj=inspection,
        payload={"reference": reference, "reason": (reason or "").strip()},
    )
    return inspection


# --- The public 随机抽查事项清单 (PUB-02) ---------------------------------------------------


def matters_text(agency: Agency, matters: Sequence[InspectionMatter], day: date) -> str:
    """The body of the portal item: the agency's active inspection matters."""
    lines = [
        f"{agency.name}随机抽查事项清单（截至{day:%Y年%m月%d日}，共{len(matters)}项）。",
        "抽查对象从检查对象名录库、检查人员从执法检查人员名录库中随机抽取；"
        "每次抽取的承诺值、种子和结果摘要在“双随机抽取公开记录”中公开。",
        "",
    ]
    for n, matter in enumerate(matters, 1):
        lines.append(f"{n}. {matter.code} {matter.name}")
        lines.append(f"抽查依据：{matter.basis}")
        if matter.content:
            lines.append(f"抽查内容：{matter.content}")
        lines.append(f"抽查方式：{matter.method or '—'}；执法类别：{matter.category or '—'}")
    return "\n".join(lines)


def _published_matters_list(agency: Agency):
    from zhifa.disclosures.models import Disclosure

    return (
        Disclosure.objects.filter(
            agency=agency,
            kind=Disclosure.Kind.EX_ANTE,
            topic=Disclosure.Topic.INSPECTION_MATTERS,
            status=Disclosure.Status.PUBLISHED,
        )
        .order_by("-published_at", "-pk")
        .first()
    )


@transaction.atomic
def matters_disclosure_prepare(*, actor, agency: Agency):
    """Prepare the portal item 随机抽查事项清单 from the agency's active inspection
    matters and hand it to the legal unit (PUB-02). A version already on the
    portal is superseded through ``disclosure_correct`` (PUB-03): it leaves the
    portal with the explanation, the new one is published once confirmed.
    Returns the new item (in review)."""
    from zhifa.disclosures import services as disclosures
    from zhifa.disclosures.models import Disclosure

    require_inspection_manager(actor, agency)
    matters = list(
        InspectionMatter.objects.filter(agency=agency, is_active=True).order_by("code", "pk")
    )
    if not matters:
        raise InvalidInput("本机关尚无在用的随机抽查事项，不能生成清单。", code="no_matters")
    pending = Disclosure.objects.filter(
        agency=agency,
        kind=Disclosure.Kind.EX_ANTE,
        topic=Disclosure.Topic.INSPECTION_MATTERS,
        status__in=(Disclosure.Status.DRAFT, Disclosure.Status.IN_REVIEW),
    ).first()
    if pending is not None:
        raise Conflict(
            f"已有清单公示稿“{pending.title}”（{pending.get_status_display()}）尚未办结，"
            "请先在公示审核中公示或退回后再生成。",
            code="matters_disclosure_pending",
        )
    today = timezone.localdate()
    draft = disclosures.DraftInput(
        kind=Disclosure.Kind.EX_ANTE,
        topic=Disclosure.Topic.INSPECTION_MATTERS,
        title=f"{agency.name}随机抽查事项清单（{today:%Y年%m月%d日}）",
        body=matters_text(agency, matters, today),
    )
    previous = _published_matters_list(agency)
    if previous is None:
        item = disclosures.disclosure_prepare(actor=actor, agency=agency, draft=draft)
    else:
        item = disclosures.disclosure_correct(
            actor=actor,
            disclosure=previous,
            explanation=f"随机抽查事项清单已更新，以{today:%Y年%m月%d日}的清单为准。",
            draft=draft,
        )
    item = disclosures.disclosure_submit(actor=actor, disclosure=item)
    ledger.append(
        actor=actor,
        action="inspection_matter.disclose",
        obj=agency,
        payload={
            "disclosure": item.pk,
            "supersedes": previous.pk if previous else None,
            "matters": [m.code for m in matters],
        },
    )
    return item
