"""Services of 双随机、一公开: libraries, the committed and revealed draw
(INS-01), the results workflow (INS-02). Every refusal changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.inspections import selectors, services
from zhifa.inspections.models import (
    Assignment,
    Inspection,
    InspectionResult,
    InspectionTarget,
    Plan,
    PlanTarget,
    ResultReview,
)
from zhifa.inspections.tests.conftest import credit_code
from zhifa.inspections.verify import plan_verify
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01")]


def counts() -> tuple:
    return (
        Plan.objects.filter(status=Plan.Status.DRAWN).count(),
        PlanTarget.objects.count(),
        Inspection.objects.count(),
        Assignment.objects.count(),
        InspectionResult.objects.count(),
        ResultReview.objects.count(),
        LedgerEntry.objects.count(),
    )


def drawn_pairs(plan) -> list[tuple[int, list[int]]]:
    return [
        (i.target_id, [a.officer_id for a in i.assignments.order_by("order")])
        for i in plan.inspections.order_by("order")
    ]


# --- Libraries ---------------------------------------------------------------------------


def test_matter_create_is_ledgered_and_refused_to_others(county, manager, matter, build):
    assert entries_for(matter).filter(action="inspection_matter.create").exists()
    plain = build.officer(county.market).user
    before = counts()
    for actor in (plain, county.supervisor, county.safety_admin):
        with pytest.raises(Forbidden):
            services.matter_create(
                actor=actor, agency=county.market, code="X", name="X", basis="X", category="X"
            )
    assert counts() == before


def test_target_needs_a_valid_credit_code_unless_other(matter, manager):
    with pytest.raises(InvalidInput, match="统一社会信用代码“91990102MA0000001A”无效"):
        services.target_create(
            actor=manager,
            matter=matter,
            kind="enterprise",
            name="甲",
            credit_code="91990102MA0000001A",
        )
    with pytest.raises(InvalidInput, match="须填写统一社会信用代码"):
        services.target_create(actor=manager, matter=matter, kind="enterprise", name="甲")
    site = services.target_create(actor=manager, matter=matter, kind="other", name="某农贸市场")
    assert site.credit_code == "" and site.key == "某农贸市场"
    code = services.target_create(
        actor=manager,
        matter=matter,
        kind="enterprise",
        name="乙",
        credit_code=credit_code(1).lower(),
    )
    assert code.credit_code == credit_code(1)
    with pytest.raises(Conflict):
        services.target_create(
            actor=manager, matter=matter, kind="enterprise", name="丙", credit_code=credit_code(1)
        )


def test_pool_needs_a_valid_credential_of_the_agency(build, county, matter, manager):
    without = build.officer(county.market, credential="suspended")
    outsider = build.officer(county.safety)
    before = counts()
    with pytest.raises(InvalidInput, match="没有有效的行政执法证"):
        services.pool_add(actor=manager, matter=matter, officer=without)
    with pytest.raises(InvalidInput, match="只能将本机关人员"):
        services.pool_add(actor=manager, matter=matter, officer=outsider)
    assert counts() == before


def test_inspector_declares_own_conflict_not_anothers(inspectors, targets, manager):
    me, other = inspectors[0], inspectors[1]
    conflict = services.conflict_declare(
        actor=me.user, officer=me, target=targets[0], reason="本人配偶在该企业任职"
    )
    assert entries_for(targets[0]).filter(action="inspection_conflict.declare").exists()
    assert conflict.declared_by == me.user
    with pytest.raises(Forbidden):
        services.conflict_declare(actor=me.user, officer=other, target=targets[0], reason="x")
    with pytest.raises(InvalidInput, match="回避理由不能为空"):
        services.conflict_declare(actor=manager, officer=other, target=targets[0], reason=" ")
    services.conflict_declare(
        actor=manager, officer=other, target=targets[0], reason="曾任该企业顾问"
    )


# --- Plans and the draw -----------------------------------------------------------------


def test_plan_needs_ratio_or_count_and_two_inspectors(make_plan):
    with pytest.raises(InvalidInput, match="只填写一项"):
        make_plan(count=3)
    with pytest.raises(InvalidInput, match="只填写一项"):
        make_plan(ratio_percent=None)
    with pytest.raises(InvalidInput, match="不超过 100%"):
        make_plan(ratio_percent="120")
    with pytest.raises(InvalidInput, match="至少匹配 2 名"):
        make_plan(inspectors_per_target=1)
    assert make_plan().inspectors_per_target == 2


def test_inspectors_per_target_follows_the_setting(settings, make_plan):
    settings.ZHIFA_INSPECTION_INSPECTORS_PER_TARGET = 3
    assert make_plan().inspectors_per_target == 3


def test_commit_freezes_and_publishes_the_commitment(make_plan, targets, inspectors, manager):
    plan = services.plan_commit(
        actor=manager, plan=make_plan(), beacon_source="福彩3D 2026年第320期"
    )
    assert plan.status == Plan.Status.COMMITTED
    assert plan.frozen_targets.count() == 10 and plan.frozen_inspectors.count() == 5
    assert len(plan.commitment) == 64 and len(plan.nonce) == 64
    entry = entries_for(plan).get(action="inspection_plan.commit")
    assert entry.payload["commitment"] == plan.commitment
    assert "nonce" not in entry.payload
    # Later changes to the library do not change the frozen one.
    services.target_create(
        actor=manager,
        matter=plan.matter,
        kind="enterprise",
        name="新店",
        credit_code=credit_code(99),
    )
    assert [c.label for c in plan_verify(plan) if not c.ok] == ["已抽取"]
    with pytest.raises(Conflict):
        services.plan_commit(actor=manager, plan=plan, beacon_source="另一期")


def test_too_few_inspectors_is_refused_in_chinese_and_records_nothing(
    build, county, make_plan, targets, matter, manager
):
    officer = build.officer(county.market)
    services.pool_add(actor=manager, matter=matter, officer=officer)
    plan = make_plan()
    before = counts()
    with pytest.raises(InvalidInput, match="检查人员不足") as refused:
        services.plan_commit(actor=manager, plan=plan, beacon_source="福彩3D 2026年第320期")
    assert refused.value.code == "too_few_inspectors"
    assert counts() == before
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT and plan.commitment == ""


def test_conflicts_can_leave_too_few(make_plan, targets, inspectors, manager):
    for officer in inspectors[:4]:
        services.conflict_declare(
            actor=manager, officer=officer, target=targets[3], reason="亲属关系"
        )
    plan = make_plan()
    before = counts()
    with pytest.raises(InvalidInput, match=f"“{targets[3].name}”可匹配的检查人员只有 1 名"):
        services.plan_commit(actor=manager, plan=plan, beacon_source="x")
    assert counts() == before


def test_categories_exclude_inspectors_without_them(
    build, county, make_plan, targets, matter, manager
):
    # Targets needing 安全生产: only holders of that category can be drawn.
    InspectionTarget.objects.filter(pk__in=[t.pk for t in targets]).update(category="安全生产")
    plain = [build.officer(county.market) for _ in range(3)]
    for officer in plain:
        services.pool_add(actor=manager, matter=matter, officer=officer)
    with pytest.raises(InvalidInput, match="检查人员不足"):
        services.plan_commit(actor=manager, plan=make_plan(), beacon_source="x")


def test_draw_records_inspections_and_reveals_the_seed(drawn, inspectors):
    assert drawn.status == Plan.Status.DRAWN
    assert drawn.inspections.count() == 3
    pool = {o.pk for o in inspectors}
    for _, officers in drawn_pairs(drawn):
        assert len(set(officers)) == 2 and set(officers) <= pool
    entry = entries_for(drawn).get(action="inspection_plan.draw")
    assert entry.payload["nonce"] == drawn.nonce
    assert entry.payload["seed"] == drawn.seed
    assert entry.payload["result_digest"] == drawn.result_digest
    assert all(c.ok for c in plan_verify(drawn))


def test_draw_refusals(make_plan, targets, inspectors, manager, county):
    plan = make_plan()
    with pytest.raises(Conflict, match="须先冻结名录库"):
        services.plan_draw(actor=manager, plan=plan, beacon_value="1")
    services.plan_commit(actor=manager, plan=plan, beacon_source="x")
    before = counts()
    with pytest.raises(Forbidden):
        services.plan_draw(actor=county.supervisor, plan=plan, beacon_value="1")
    with pytest.raises(InvalidInput, match="公开随机数不能为空"):
        services.plan_draw(actor=manager, plan=plan, beacon_value=" ")
    assert counts() == before
    services.plan_draw(actor=manager, plan=plan, beacon_value="1")
    with pytest.raises(Conflict, match="已经抽取"):
        services.plan_draw(actor=manager, plan=plan, beacon_value="2")


def test_same_inputs_same_draw_any_input_changed_another(make_plan, targets, inspectors, manager):
    plan = make_plan()
    services.plan_commit(actor=manager, plan=plan, beacon_source="x")
    plan.refresh_from_db()
    seed, result = services.compute_draw(plan, "3 7 1")
    assert services.compute_draw(plan, "3 7 1") == (seed, result)
    assert services.compute_draw(plan, "3 7 2")[0] != seed
    # Another nonce (another commitment) gives another seed.
    plan.nonce = "0" * 64
    assert services.compute_draw(plan, "3 7 1")[0] != seed


def test_a_conflicted_inspector_is_never_drawn_for_that_target(
    make_plan, targets, inspectors, manager
):
    # Each target is in conflict with three of the five inspectors: only the
    # two others may be drawn for it, whatever the seed.
    for n, target in enumerate(targets):
        for officer in (inspectors * 2)[n % 5 : n % 5 + 3]:
            services.conflict_declare(actor=manager, officer=officer, target=target, reason="亲属")
    plan = make_plan(ratio_percent="100")
    services.plan_commit(actor=manager, plan=plan, beacon_source="x")
    plan = services.plan_draw(actor=manager, plan=plan, beacon_value="8 8 8")
    conflicted = {(c.target_id, c.officer_id) for c in selectors.Conflict.objects.all()}
    for target_id, officers in drawn_pairs(plan):
        assert not any((target_id, o) in conflicted for o in officers)
        assert len(officers) == 2


def test_verify_draw_command_matches_and_detects_tampering(drawn, capsys):
    call_command("inspections", "verify-draw", str(drawn.pk))
    assert "MATCH" in capsys.readouterr().out
    # Swap one drawn inspector behind the platform's back.
    assignment = Assignment.objects.filter(inspection__plan=drawn).first()
    other = (
        drawn.frozen_inspectors.exclude(
            officer_id__in=assignment.inspection.assignments.values("officer_id")
        )
        .first()
        .officer_id
    )
    Assignment.objects.filter(pk=assignment.pk).update(officer_id=other)
    with pytest.raises(CommandError, match="MISMATCH"):
        call_command("inspections", "verify-draw", str(drawn.pk))
    assert "[不一致] 已记录的抽查任务与重新抽取一致" in capsys.readouterr().out


def test_verify_draw_detects_a_changed_beacon(drawn):
    Plan.objects.filter(pk=drawn.pk).update(beacon_value="9 9 9")
    drawn.refresh_from_db()
    failed = [c.label for c in plan_verify(drawn) if not c.ok]
    assert "随机种子" in failed


def test_verify_draw_unknown_plan():
    with pytest.raises(CommandError, match="不存在"):
        call_command("inspections", "verify-draw", "999999")


# --- Results (INS-02) -------------------------------------------------------------------


def result_fields(**changes):
    return {
        "checked_on": timezone.localdate() - timedelta(days=1),
        "outcome": "corrected",
        "detail": "进货查验记录不全",
        "follow_up": "责令限期改正",
        "completed_on": timezone.localdate(),
        **changes,
    }


def an_inspection(drawn):
    inspection = drawn.inspections.order_by("order").first()
    inspector = inspection.assignments.order_by("order").first().officer
    return inspection, inspector.user


@pytest.mark.req("INS-02")
def test_results_go_through_review_to_publication(drawn, reviewer, manager):
    inspection, inspector = an_inspection(drawn)
    services.result_enter(actor=inspector, inspection=inspection, **result_fields())
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    services.result_review(
        actor=reviewer, inspection=inspection, decision="return", opinion="补充照片"
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RETURNED
    services.result_enter(actor=inspector, inspection=inspection, **result_fields(detail="补充后"))
    services.result_review(
        actor=reviewer, inspection=inspection, decision="reject", opinion="须重新检查"
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.REJECTED
    services.result_enter(
        actor=inspector, inspection=inspection, **result_fields(outcome="no_problem", follow_up="")
    )
    assert not selectors.results_ready_to_publish().exists()
    services.result_review(actor=reviewer, inspection=inspection, decision="approve")
    ready = selectors.results_ready_to_publish(agency=drawn.agency).get()
    assert ready.pk == inspection.pk and ready.outcome == "no_problem"
    services.inspection_mark_published(actor=manager, inspection=inspection, reference="GS-1")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    assert not selectors.results_ready_to_publish().exists()
    assert inspection.results.count() == 3  # append-only history
    actions = list(entries_for(inspection).values_list("action", flat=True))
    assert actions.count("inspection_result.enter") == 3
    assert actions.count("inspection_result.review") == 3
    assert "inspection_result.publish" in actions


@pytest.mark.req("INS-02")
def test_result_refusals_change_nothing(build, county, drawn, reviewer):
    inspection, inspector = an_inspection(drawn)
    other_inspector = build.officer(county.market).user
    safety_reviewer = build.officer(county.safety, roles=(Role.REVIEWER,)).user
    before = counts()
    with pytest.raises(Forbidden):
        services.result_enter(actor=other_inspector, inspection=inspection, **result_fields())
    with pytest.raises(Forbidden):
        services.result_enter(actor=county.supervisor, inspection=inspection, **result_fields())
    with pytest.raises(InvalidInput, match="后续处置措施"):
        services.result_enter(actor=inspector, inspection=inspection, **result_fields(follow_up=""))
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.result_enter(
            actor=inspector,
            inspection=inspection,
            **result_fields(checked_on=date.today() + timedelta(days=2), completed_on=None),
        )
    with pytest.raises(InvalidInput, match="办结日期不能早于"):
        services.result_enter(
            actor=inspector,
            inspection=inspection,
            **result_fields(completed_on=date(2000, 1, 1)),
        )
    with pytest.raises(Conflict, match="没有待审核"):
        services.result_review(actor=reviewer, inspection=inspection, decision="approve")
    assert counts() == before
    services.result_enter(actor=inspector, inspection=inspection, **result_fields())
    # The inspector may not review their own result even as a leader; others
    # outside the reviewer roles may not review at all.
    leader_inspector = inspection.assignments.order_by("order").first().officer
    from zhifa.accounts import services as accounts

    accounts.role_grant(actor=county.sysadmin, officer=leader_inspector, role=Role.LEADER)
    leader_user = type(inspector).objects.get(pk=inspector.pk)
    before = counts()
    with pytest.raises(Forbidden, match="不能审核自己"):
        services.result_review(actor=leader_user, inspection=inspection, decision="approve")
    for actor in (other_inspector, county.supervisor, safety_reviewer):
        with pytest.raises(Forbidden):
            services.result_review(actor=actor, inspection=inspection, decision="approve")
    with pytest.raises(InvalidInput, match="须说明理由"):
        services.result_review(actor=reviewer, inspection=inspection, decision="return")
    with pytest.raises(Conflict, match="只有审核通过"):
        services.inspection_mark_published(actor=reviewer, inspection=inspection)
    assert counts() == before


@pytest.mark.req("INS-02")
@pytest.mark.req("PUB-06")
def test_an_approved_result_goes_through_the_disclosure_pipeline(
    sysadmin, county, build, drawn, reviewer, manager
):
    from zhifa.catalogues.services import calendar_seed
    from zhifa.disclosures import services as disclosures
    from zhifa.disclosures.models import Disclosure
    from zhifa.inspections.disclosure import inspection_draft

    calendar_seed(actor=sysadmin, years=[timezone.localdate().year])
    inspection, inspector = an_inspection(drawn)
    services.result_enter(actor=inspector, inspection=inspection, **result_fields())
    services.result_review(actor=reviewer, inspection=inspection, decision="approve")
    ready = selectors.results_ready_to_publish(agency=drawn.agency).get()
    draft = inspection_draft(ready)
    assert draft.kind == "inspection_result" and draft.party.credit_code == ready.target.credit_code
    assert "发现问题已责令改正" in draft.conclusion and draft.basis == drawn.matter.basis
    # Approval prepared the public version and handed it to the legal unit.
    item = Disclosure.objects.get(inspection_id_ref=inspection.pk)
    assert item.status == Disclosure.Status.IN_REVIEW and item.due_on is not None
    assert item.party_credit_code == inspection.target.credit_code
    legal = build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    disclosures.disclosure_publish(actor=legal.user, disclosure=item)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    assert inspection.disclosure_reference == str(item.pk)
    assert not selectors.results_ready_to_publish().exists()


def test_library_changes_change_the_digests(make_plan, targets, inspectors, manager):
    first = services.plan_commit(actor=manager, plan=make_plan(), beacon_source="x")
    services.target_create(actor=manager, matter=first.matter, kind="other", name="新增检查对象")
    services.conflict_declare(
        actor=manager, officer=inspectors[0], target=targets[0], reason="亲属"
    )
    next_quarter = make_plan(period_start=date(2027, 1, 1), period_end=date(2027, 3, 31))
    second = services.plan_commit(actor=manager, plan=next_quarter, beacon_source="x")
    assert first.targets_digest != second.targets_digest
    assert services.frozen(first).conflicts != services.frozen(second).conflicts
    assert services.frozen(first).inspectors == services.frozen(second).inspectors
    # Sealed with each plan's own salts: the same inspectors, other digests,
    # so that the seals of one plan cannot be matched in another.
    assert first.inspectors_digest != second.inspectors_digest
    assert first.conflicts_digest != second.conflicts_digest
    assert first.commitment != second.commitment


@pytest.mark.req("INS-02")
@pytest.mark.req("SUP-01")
def test_results_not_entered_after_the_period_are_a_watch_item(
    drawn, reviewer, county, monkeypatch
):
    import types

    import zhifa.inspections.watches
    from zhifa.supervision.selectors import supervision_scope
    from zhifa.supervision.watch import watch_get

    item = watch_get("inspection_results_overdue")
    region = supervision_scope(actor=county.supervisor)

    def on(day):
        monkeypatch.setattr(
            zhifa.inspections.watches, "timezone", types.SimpleNamespace(localdate=lambda: day)
        )
        independent = {
            i.pk
            for i in Inspection.objects.select_related("plan")
            if i.plan.period_end < day and i.status in ("pending", "returned", "rejected")
        }
        found = set(item.queryset(region).values_list("pk", flat=True))
        assert found == independent
        return found

    assert on(drawn.period_end) == set()  # the last day of the period: not yet
    assert len(on(drawn.period_end + timedelta(days=1))) == 3
    inspection, inspector = an_inspection(drawn)
    services.result_enter(actor=inspector, inspection=inspection, **result_fields())
    assert inspection.pk not in on(drawn.period_end + timedelta(days=1))
    services.result_review(
        actor=reviewer, inspection=inspection, decision="return", opinion="补充照片"
    )
    assert inspection.pk in on(drawn.period_end + timedelta(days=1))  # to be entered again
    other = supervision_scope(actor=county.supervisor, agency=county.safety.pk)
    assert item.count(other) == 0
