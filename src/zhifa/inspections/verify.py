"""Re-running a recorded draw (INS-01): ``zhifa inspections verify-draw PLAN``
and the plan page use this to show that the recorded result is the one the
recorded inputs give; ``verify-draw --material FILE`` does it from the
material alone.

The material comes in two forms (``draw`` docstring, "Sealed lists"): the
*public* one, published once the plan's period is over, names no inspector
and opens the conflicts of the drawn targets only; the *full* one, for the
agency and its supervising 司法局, names everyone and opens every conflict.
Both re-run the draw and check every digest and the commitment of a plan
committed with sealed lists (version 3). For a plan committed earlier
(version 1 or 2) the inspectors digest covers the names, so the public form,
which leaves them out, cannot check it: that check is reported as not done
(``Check.unchecked``), and the full form or the database does it."""

from __future__ import annotations

from dataclasses import dataclass

from zhifa.inspections import draw, services
from zhifa.inspections.models import Assignment, Plan


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str = ""
    #: Not done, for lack of what it needs in the material given (``ok`` stays
    #: true: nothing was found wrong, and the report says it was not checked).
    unchecked: bool = False


def plan_verify(plan: Plan) -> list[Check]:
    """Each step of the verification, in order; all ``ok`` means the draw matches."""
    if plan.status == Plan.Status.DRAFT:
        return [Check("名录库已冻结", False, "该计划尚未冻结名录库、公布承诺值。")]
    lists = services.frozen(plan)
    targets, inspectors, conflicts = services.digested_lists(plan, lists)
    checks = [
        Check("检查对象名录摘要", draw.digest(targets) == plan.targets_digest, plan.targets_digest),
        Check(
            "检查人员名录摘要",
            draw.digest(inspectors) == plan.inspectors_digest,
            plan.inspectors_digest,
        ),
        Check(
            "回避名单摘要", draw.digest(conflicts) == plan.conflicts_digest, plan.conflicts_digest
        ),
        *_exclusion_checks(plan, lists),
        Check(
            "种子承诺值",
            draw.commitment_of(services.plan_material(plan)) == plan.commitment,
            plan.commitment,
        ),
    ]
    if plan.status != Plan.Status.DRAWN:
        return [*checks, Check("已抽取", False, "该计划尚未抽取。")]
    try:
        seed, result = services.compute_draw(plan, plan.beacon_value, lists)
    except draw.TooFewInspectors as exc:
        return [*checks, Check("重新抽取", False, f"检查人员不足：序号 {exc.target_position}")]
    checks.append(Check("随机种子", seed.hex() == plan.seed, seed.hex()))
    digest = draw.result_digest(result)
    checks.append(Check("抽取结果摘要", digest == plan.result_digest, digest))
    recorded = _recorded_result(plan, lists)
    checks.append(
        Check(
            "已记录的抽查任务与重新抽取一致",
            recorded == [(t, list(i)) for t, i in result],
            f"{len(recorded)} 个检查对象",
        )
    )
    return checks


def _exclusion_checks(plan: Plan, lists) -> list[Check]:
    """The frequency exclusion (``draw`` docstring, "Frequency"): the excluded
    list is the one digested, and it is exactly the library's targets drawn
    by other plans of the matter within the window before the commitment:
    none left out without cause, none drawn in the window left in."""
    if not plan.excluded_digest:
        return []  # committed before the frequency was enforced
    excluded, excluded_ids = services.frozen_exclusions(plan)
    recorded = {target_id: row[2] for target_id, row in zip(excluded_ids, excluded, strict=True)}
    library = set(lists.target_ids) | set(recorded)
    expected = {
        target_id: plan_id
        for target_id, plan_id in services.drawn_in_window(plan, before=plan.committed_at).items()
        if target_id in library
    }
    return [
        Check(
            "频次排除名单摘要", draw.digest(excluded) == plan.excluded_digest, plan.excluded_digest
        ),
        Check(
            "按抽查频次排除的对象",
            recorded == expected,
            plan.exclusion_note(len(recorded)) if recorded else "无",
        ),
    ]


def _recorded_result(plan: Plan, lists) -> list[tuple[int, list[int]]]:
    """The inspections and assignments in the database, as frozen positions."""
    target_pos = {target_id: n for n, target_id in enumerate(lists.target_ids)}
    officer_pos = {officer_id: n for n, officer_id in enumerate(lists.officer_ids)}
    chosen: dict[int, list[int]] = {}
    for inspection_id, officer_id in (
        Assignment.objects.filter(inspection__plan=plan)
        .order_by("inspection__order", "order")
        .values_list("inspection_id", "officer_id")
    ):
        chosen.setdefault(inspection_id, []).append(officer_pos.get(officer_id, -1))
    return [
        (target_pos.get(target_id, -1), chosen.get(pk, []))
        for pk, target_id in plan.inspections.order_by("order").values_list("pk", "target_id")
    ]


def material_public(plan: Plan, today=None) -> bool:
    """Whether the full draw material may be published: once drawn, and after
    the plan's period or once every result is published (or withheld), so that nobody learns
    from it which targets are to be inspected before the checks are done; and
    only once the material of every plan named in its frequency exclusion is
    public, since the excluded list tells which targets those plans drew."""
    from django.utils import timezone

    from zhifa.inspections.models import Inspection

    if plan.status != Plan.Status.DRAWN:
        return False
    today = today or timezone.localdate()
    # The excluded list names the targets other plans drew: it waits for theirs.
    sources = Plan.objects.filter(pk__in=plan.exclusions.values("drawn_in_id").distinct()).order_by(
        "pk"
    )
    if not all(material_public(source, today) for source in sources):
        return False
    if today > plan.period_end:
        return True
    done = (Inspection.Status.PUBLISHED, Inspection.Status.WITHHELD)
    return not plan.inspections.exclude(status__in=done).exists()


def material_of(plan: Plan, *, full: bool = False) -> dict:
    """Everything needed to re-run a recorded draw without the database: the
    seed material (with the revealed nonce), the public random value, the
    frozen lists and the recorded result, as positions (``draw`` docstring).

    ``full=False`` gives the public form: inspectors without names nor
    credential numbers, conflicts sealed and opened for the drawn targets only
    (version 3); for a plan committed before the lists were sealed, inspectors
    as ``[position, [category, …]]`` and the conflicts as committed, positions
    only. ``full=True`` gives the names, every conflict and, for version 3,
    every salt."""
    lists = services.frozen(plan)
    result = _recorded_result(plan, lists)
    data = {
        "plan": plan.pk,
        "form": "full" if full else "public",
        "material": services.plan_material(plan),
        "commitment": plan.commitment,
        "beacon_value": plan.beacon_value,
        "seed": plan.seed,
        "result_digest": plan.result_digest,
        "targets": lists.targets,
    }
    if plan.seal_key:
        inspectors = draw.opened_inspectors(plan.seal_key, lists.inspectors)
        conflicts = draw.opened_conflicts(plan.seal_key, len(lists.targets), lists.conflicts)
        if full:
            data.update(inspectors=inspectors, conflicts=conflicts)
        else:
            drawn = {t for t, _ in result}
            data.update(
                inspectors=draw.sealed_inspectors(inspectors),
                conflicts=draw.sealed_conflicts(conflicts),
                conflicts_opened=[row for row in conflicts if row[0] in drawn],
            )
    elif full:
        data.update(inspectors=lists.inspectors, conflicts=lists.conflicts)
    else:
        data.update(
            inspectors=[[position, categories] for position, _, _, categories in lists.inspectors],
            conflicts=lists.conflicts,
        )
    data.update(
        excluded=services.frozen_exclusions(plan)[0] if plan.excluded_digest else None,
        result=[[t, i] for t, i in result],
    )
    return data


def _one_per_target(rows, target_count: int) -> bool:
    """A sealed conflicts list holds one entry per target, in position order:
    else two seals for one target would let the platform choose which to open."""
    return [row[0] for row in rows] == list(range(target_count))


def _list_checks(data: dict) -> tuple[list[Check], list, list, set | None]:
    """The digest checks of the inspectors and conflicts lists in the form
    given, the inspectors' categories and the conflict pairs for the re-run,
    and (public version 3 form) the targets whose conflicts are opened."""
    material, targets = data["material"], data["targets"]
    inspectors, conflicts = data["inspectors"], data["conflicts"]
    full = data.get("form", "full") == "full"  # files saved before the forms were full
    if not draw.is_sealed(material):
        if full:
            categories = [row[3] for row in inspectors]
            inspectors_check = Check(
                "检查人员名录摘要", draw.digest(inspectors) == material["inspectors_digest"]
            )
        else:
            categories = [row[1] for row in inspectors]
            inspectors_check = Check(
                "检查人员名录摘要",
                True,
                "未核验：该计划按旧格式冻结，摘要含检查人员姓名，公开材料不含姓名；"
                "请以完整核验材料或数据库核验",
                unchecked=True,
            )
        checks = [
            inspectors_check,
            Check("回避名单摘要", draw.digest(conflicts) == material["conflicts_digest"]),
        ]
        return checks, categories, [tuple(c) for c in conflicts], None
    if full:
        categories = [row[3] for row in inspectors]
        sealed_inspectors = draw.sealed_inspectors(inspectors)
        sealed_conflicts = draw.sealed_conflicts(conflicts)
        opened = conflicts
    else:
        categories = [row[1] for row in inspectors]
        sealed_inspectors, sealed_conflicts = inspectors, conflicts
        opened = data["conflicts_opened"]
    checks = [
        Check("检查人员名录摘要", draw.digest(sealed_inspectors) == material["inspectors_digest"]),
        Check(
            "回避名单摘要",
            draw.digest(sealed_conflicts) == material["conflicts_digest"]
            and _one_per_target(sealed_conflicts, len(targets)),
        ),
    ]
    pairs = [(t, i) for t, chosen, _ in opened for i in chosen]
    if full:
        return checks, categories, pairs, None
    seals = {row[0]: row[1] for row in sealed_conflicts}
    opened_targets = [row[0] for row in opened]
    checks.append(
        Check(
            "抽中对象的回避与回避名单摘要一致",
            len(set(opened_targets)) == len(opened_targets)
            and all(
                seals.get(t) == draw.conflicts_seal(salt, t, chosen) for t, chosen, salt in opened
            ),
            f"公开 {len(opened)} 户",
        )
    )
    return checks, categories, pairs, set(opened_targets)


def verify_material(data: dict) -> list[Check]:
    """Re-run a draw from its published material alone (no database), in
    either form (module docstring)."""
    material = data["material"]
    targets = data["targets"]
    list_checks, categories, pairs, opened_targets = _list_checks(data)
    checks = [
        Check("检查对象名录摘要", draw.digest(targets) == material["targets_digest"]),
        *list_checks,
    ]
    if "excluded_digest" in material:
        excluded = data["excluded"]
        left_out = {row[0] for row in excluded}
        checks += [
            Check("频次排除名单摘要", draw.digest(excluded) == material["excluded_digest"]),
            Check(
                "按抽查频次排除的对象未列入检查对象名录",
                not any(t[1] in left_out for t in targets),
                f"排除 {len(excluded)} 户",
            ),
        ]
    checks.append(
        Check("种子承诺值", draw.commitment_of(material) == data["commitment"], data["commitment"])
    )
    seed = draw.seed_of(material, data["beacon_value"])
    checks.append(Check("随机种子", seed.hex() == data["seed"], seed.hex()))
    try:
        result = draw.run(
            seed=seed,
            target_categories=[t[3] for t in targets],
            inspector_categories=categories,
            conflicts=pairs,
            k=draw.target_count(
                len(targets),
                ratio_percent=material["ratio_percent"],
                count=material["count"],
            ),
            per_target=material["inspectors_per_target"],
        )
    except draw.TooFewInspectors as exc:
        return [*checks, Check("重新抽取", False, f"检查人员不足：序号 {exc.target_position}")]
    if opened_targets is not None:
        # The draw reads the conflicts of drawn targets only: each must be opened.
        missing = sorted({t for t, _ in result} - opened_targets)
        checks.append(
            Check(
                "每个抽中对象的回避均已公开",
                not missing,
                f"未公开：序号 {'、'.join(map(str, missing))}" if missing else "",
            )
        )
    digest = draw.result_digest(result)
    checks.append(Check("抽取结果摘要", digest == data["result_digest"], digest))
    checks.append(
        Check(
            "公布的抽取结果与重新抽取一致",
            [[t, list(i)] for t, i in result] == [[t, list(i)] for t, i in data["result"]],
        )
    )
    return checks
