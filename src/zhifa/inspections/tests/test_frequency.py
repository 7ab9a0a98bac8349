"""The plan's frequency (抽查频次) is enforced (INS-01): one round of a periodic
frequency per calendar window, targets drawn within the window left out of the
next draw (一次性: ever), the exclusion committed with the libraries and checked
by verify-draw. Every refusal changes nothing."""

import hashlib
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from zhifa.core.errors import Conflict, InvalidInput
from zhifa.inspections import draw, services
from zhifa.inspections.models import (
    Assignment,
    Inspection,
    Plan,
    PlanExclusion,
    PlanTarget,
)
from zhifa.inspections.models import Conflict as ConflictOfInterest
from zhifa.inspections.tests.conftest import committed_in_old_format
from zhifa.inspections.verify import material_of, material_public, plan_verify, verify_material
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01")]


def counts() -> tuple:
    return (
        Plan.objects.count(),
        Plan.objects.exclude(status=Plan.Status.DRAFT).count(),
        PlanTarget.objects.count(),
        PlanExclusion.objects.count(),
        Inspection.objects.count(),
        Assignment.objects.count(),
        LedgerEntry.objects.count(),
    )


def period(start: str, end: str) -> dict:
    return {"period_start": date.fromisoformat(start), "period_end": date.fromisoformat(end)}


@pytest.fixture
def plan_of(make_plan, targets, inspectors):
    """A plan of the matter with the given frequency and period (30 % of 10 targets)."""

    def make(frequency: str, start: str, end: str, **fields) -> Plan:
        return make_plan(
            name=f"{frequency} {start}", frequency=frequency, **period(start, end), **fields
        )

    return make


@pytest.fixture
def drawn_plan(plan_of, manager):
    def make(frequency: str, start: str, end: str, **fields) -> Plan:
        plan = plan_of(frequency, start, end, **fields)
        services.plan_commit(actor=manager, plan=plan, beacon_source="福彩3D")
        return services.plan_draw(actor=manager, plan=plan, beacon_value="3 7 1")

    return make


def commit(plan, manager) -> Plan:
    return services.plan_commit(actor=manager, plan=plan, beacon_source="福彩3D")


def drawn_targets(plan) -> set[int]:
    return set(plan.inspections.values_list("target_id", flat=True))


def frozen_targets(plan) -> set[int]:
    return set(plan.frozen_targets.values_list("target_id", flat=True))


# --- One round per window ---------------------------------------------------------------


def test_yearly_round_taken_in_december_is_free_again_in_january(drawn_plan, plan_of, manager):
    december = drawn_plan("yearly", "2025-12-01", "2025-12-31")
    before = counts()
    with pytest.raises(InvalidInput, match="该事项2025年已有抽查计划") as refused:
        plan_of("yearly", "2025-01-01", "2025-12-31")
    assert refused.value.code == "frequency_round_taken"
    assert counts() == before
    january = commit(plan_of("yearly", "2026-01-01", "2026-01-31"), manager)
    # Drawn last year, eligible again this year.
    assert drawn_targets(december) <= frozen_targets(january)
    assert january.frozen_targets.count() == 10 and not january.exclusions.exists()
    before = counts()
    with pytest.raises(InvalidInput, match="2026年已有抽查计划“yearly 2026-01-01”"):
        plan_of("yearly", "2026-12-31", "2026-12-31")
    assert counts() == before


def test_half_yearly_round_boundary_is_june_30_july_1(drawn_plan, plan_of, manager):
    first_half = drawn_plan("half_yearly", "2026-01-01", "2026-06-30")
    before = counts()
    with pytest.raises(InvalidInput, match="每半年一次：该事项2026年上半年已有"):
        plan_of("half_yearly", "2026-06-30", "2026-09-30")
    assert counts() == before
    second_half = commit(plan_of("half_yearly", "2026-07-01", "2026-12-31"), manager)
    assert drawn_targets(first_half) <= frozen_targets(second_half)
    assert not second_half.exclusions.exists()


def test_a_draft_takes_no_round_the_first_committed_does(plan_of, manager):
    first = plan_of("quarterly", "2026-10-01", "2026-12-31")
    second = plan_of("quarterly", "2026-11-01", "2026-12-31")  # both drafts: allowed
    commit(second, manager)
    before = counts()
    with pytest.raises(InvalidInput, match="第四季度已有抽查计划“quarterly 2026-11-01”"):
        commit(first, manager)
    assert counts() == before
    first.refresh_from_db()
    assert first.status == Plan.Status.DRAFT and first.commitment == ""


def test_once_and_other_frequencies_are_not_limited_but_excluded(drawn_plan, manager):
    yearly = drawn_plan("yearly", "2026-01-01", "2026-12-31")
    monthly = drawn_plan("monthly", "2026-07-01", "2026-07-31")
    once = drawn_plan("once", "2027-03-01", "2027-03-31")
    again = drawn_plan("once", "2027-05-01", "2027-05-31")
    assert not drawn_targets(monthly) & drawn_targets(yearly)
    # 一次性: every target ever drawn for the matter is left out.
    assert not drawn_targets(once) & (drawn_targets(yearly) | drawn_targets(monthly))
    assert not drawn_targets(again) & drawn_targets(once)
    ever = drawn_targets(yearly) | drawn_targets(monthly) | drawn_targets(once)
    assert set(again.exclusions.values_list("target_id", flat=True)) == ever
    assert again.frozen_targets.count() == 10 - len(ever)


# --- Exclusion within the window --------------------------------------------------------


def test_targets_drawn_in_the_year_are_left_out_committed_and_ledgered(
    drawn_plan, plan_of, manager
):
    january = drawn_plan("monthly", "2026-01-01", "2026-01-31")
    december_before = drawn_plan("monthly", "2025-12-01", "2025-12-31")
    yearly = commit(plan_of("yearly", "2026-02-01", "2026-12-31", ratio_percent="100"), manager)
    left_out = set(yearly.exclusions.values_list("target_id", flat=True))
    assert left_out == drawn_targets(january) and len(left_out) == 3
    assert not left_out & frozen_targets(yearly)
    assert set(yearly.exclusions.values_list("drawn_in", flat=True)) == {january.pk}
    # Last December's draw is another year: those targets stay eligible.
    assert drawn_targets(december_before) - drawn_targets(january) <= frozen_targets(yearly)
    entry = entries_for(yearly).get(action="inspection_plan.commit")
    assert entry.payload["excluded"] == 3 and entry.payload["targets"] == 7
    assert (
        entry.payload["excluded_note"]
        == "因抽查频次（每年一次）排除本年度（2026年）已抽中的对象 3 户"
    )
    assert entry.payload["window"] == ["2026-01-01", "2026-12-31"]
    assert entry.payload["excluded_by_plan"] == {str(january.pk): 3}
    assert entry.payload["excluded_digest"] == yearly.excluded_digest
    yearly = services.plan_draw(actor=manager, plan=yearly, beacon_value="1 2 3")
    assert drawn_targets(yearly) == frozen_targets(yearly)  # 100 % of the 7 eligible
    assert all(c.ok for c in plan_verify(yearly))


def test_half_yearly_window_decides_which_june_draws_count(drawn_plan, plan_of, manager):
    june = drawn_plan("monthly", "2026-06-01", "2026-06-30")
    july_on = drawn_plan("half_yearly", "2026-07-01", "2026-12-31")
    assert not july_on.exclusions.exists()
    june_30_on = commit(plan_of("half_yearly", "2026-06-30", "2026-12-31"), manager)
    # Its window is the first half: June's draw counts, the second half's does not.
    assert set(june_30_on.exclusions.values_list("target_id", flat=True)) == drawn_targets(june)


def test_a_plan_running_into_the_window_counts(drawn_plan, plan_of, manager):
    across = drawn_plan("quarterly", "2025-12-15", "2026-01-15")
    yearly = commit(plan_of("yearly", "2026-03-01", "2026-12-31"), manager)
    assert set(yearly.exclusions.values_list("target_id", flat=True)) == drawn_targets(across)


def test_everything_drawn_in_the_window_refuses_the_commit(drawn_plan, plan_of, manager):
    drawn_plan("yearly", "2026-01-01", "2026-12-31", ratio_percent="100")
    monthly = plan_of("monthly", "2026-07-01", "2026-07-31")
    before = counts()
    with pytest.raises(InvalidInput, match="10 户对象在2026年7月均已抽中") as refused:
        commit(monthly, manager)
    assert refused.value.code == "all_drawn_in_window"
    assert counts() == before


def test_no_commit_while_an_overlapping_plan_awaits_its_draw(plan_of, manager):
    yearly = commit(plan_of("yearly", "2026-01-01", "2026-12-31"), manager)
    monthly = plan_of("monthly", "2026-07-01", "2026-07-31")
    before = counts()
    with pytest.raises(Conflict, match="“yearly 2026-01-01”已公布承诺值但尚未抽取") as refused:
        commit(monthly, manager)
    assert refused.value.code == "overlapping_plan_not_drawn"
    assert counts() == before
    services.plan_draw(actor=manager, plan=yearly, beacon_value="5 2 8")
    monthly = commit(monthly, manager)
    assert monthly.exclusions.count() == 3


def test_conflicts_are_still_never_drawn_beside_the_exclusion(
    drawn_plan, plan_of, targets, inspectors, manager
):
    yearly = drawn_plan("yearly", "2026-01-01", "2026-12-31")
    for n, target in enumerate(targets):
        for officer in (inspectors * 2)[n % 5 : n % 5 + 3]:
            services.conflict_declare(actor=manager, officer=officer, target=target, reason="亲属")
    monthly = drawn_plan("monthly", "2026-07-01", "2026-07-31", ratio_percent="100")
    conflicted = set(ConflictOfInterest.objects.values_list("target_id", "officer_id"))
    pairs = [
        (i.target_id, a.officer_id) for i in monthly.inspections.all() for a in i.assignments.all()
    ]
    assert len(pairs) == 14 and not conflicted & set(pairs)
    assert not drawn_targets(monthly) & drawn_targets(yearly)
    assert all(c.ok for c in plan_verify(monthly))


# --- Verifiable -------------------------------------------------------------------------


def test_verify_draw_reproduces_the_exclusion_and_catches_a_changed_one(
    drawn_plan, manager, capsys
):
    yearly = drawn_plan("yearly", "2026-01-01", "2026-12-31")
    monthly = drawn_plan("monthly", "2026-07-01", "2026-07-31")
    call_command("inspections", "verify-draw", str(monthly.pk))
    out = capsys.readouterr().out
    assert "MATCH" in out and "[一致] 按抽查频次排除的对象 因抽查频次（每月一次）" in out
    # A target drawn in the window slipping back into the library is caught,
    # as is any edit of the frozen exclusion.
    slipped = monthly.frozen_targets.exclude(
        target_id__in=monthly.inspections.values("target_id")
    ).first()
    first = yearly.inspections.order_by("order").first()
    Inspection.objects.filter(pk=first.pk).update(target_id=slipped.target_id)
    assert [c.label for c in plan_verify(monthly) if not c.ok] == ["按抽查频次排除的对象"]
    Inspection.objects.filter(pk=first.pk).update(target_id=first.target_id)
    PlanExclusion.objects.filter(plan=monthly).update(drawn_in=monthly)
    failed = [c.label for c in plan_verify(monthly) if not c.ok]
    assert failed == ["频次排除名单摘要", "按抽查频次排除的对象"]


def test_published_material_waits_for_the_plans_it_names_and_verifies_offline(
    drawn_plan, manager, tmp_path
):
    yearly = drawn_plan("yearly", "2026-01-01", "2026-12-31")
    monthly = drawn_plan("monthly", "2026-07-01", "2026-07-31")
    # July is over, but the excluded list would tell whom the yearly plan drew.
    assert not material_public(monthly, today=date(2026, 8, 1))
    assert material_public(monthly, today=date(2027, 1, 1))
    data = json.loads(json.dumps(material_of(monthly), ensure_ascii=False, default=str))
    assert data["material"]["v"] == 3 and len(data["excluded"]) == 3
    assert {row[2] for row in data["excluded"]} == {yearly.pk}
    assert data["material"]["window"] == ["2026-07-01", "2026-07-31"]
    assert all(c.ok for c in verify_material(data))
    path = tmp_path / "material.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("inspections", "verify-draw", "--material", str(path))
    # Putting an excluded target back into the draw's library is caught offline.
    data["excluded"] = data["excluded"][1:]
    failed = [c.label for c in verify_material(data) if not c.ok]
    assert failed == ["频次排除名单摘要"]


def test_plans_committed_before_the_rule_keep_verifying(plan_of, manager):
    # A plan committed before the frequency was enforced: version 1 material,
    # without window nor exclusion digest; its commitment and seed still check.
    plan = commit(plan_of("quarterly", "2026-10-01", "2026-12-31"), manager)
    plan = committed_in_old_format(plan, version=1)
    v1 = services.plan_material(plan)
    assert v1["v"] == 1 and "excluded_digest" not in v1 and "window" not in v1
    assert plan.commitment == draw.commitment_of(v1)
    plan = services.plan_draw(actor=manager, plan=plan, beacon_value="3 7 1")
    expected = hashlib.sha256(
        draw.canonical({"v": 1, "material": v1, "beacon_value": "3 7 1"})
    ).hexdigest()
    assert plan.seed == expected
    checks = plan_verify(plan)
    assert all(c.ok for c in checks)
    assert "按抽查频次排除的对象" not in [c.label for c in checks]


# --- Through the doors ------------------------------------------------------------------


def test_workbench_shows_the_exclusion_and_the_refusal(
    client_for, drawn_plan, plan_of, matter, manager
):
    drawn_plan("monthly", "2026-01-01", "2026-01-31")
    yearly = commit(plan_of("yearly", "2026-02-01", "2026-12-31"), manager)
    client = client_for(manager)
    page = client.get(reverse("inspections:plan-detail", args=[yearly.pk])).content.decode()
    assert "因抽查频次（每年一次）排除本年度（2026年）已抽中的对象 3 户" in page
    assert "monthly 2026-01-01</a> 3 户" in page and yearly.excluded_digest in page
    assert "频次周期：2026-01-01 至 2026-12-31" in page
    before = counts()
    response = client.post(
        reverse("inspections:plan-create"),
        {
            "matter": matter.pk,
            "name": "第二个年度计划",
            "ratio_percent": "10",
            "frequency": "yearly",
            "period_start": "2026-12-01",
            "period_end": "2026-12-31",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and "不能再制定同频次的计划" in text
    assert "第二个年度计划" in text  # the form keeps the input
    assert counts() == before


def test_api_refuses_a_second_round_and_publishes_the_exclusion(
    client, drawn_plan, plan_of, matter, manager
):
    drawn_plan("monthly", "2026-01-01", "2026-01-31")
    yearly = commit(plan_of("yearly", "2026-02-01", "2026-12-31"), manager)
    client.force_login(manager)
    before = counts()
    response = client.post(
        reverse("api:inspection-plan-list"),
        {
            "matter": matter.pk,
            "name": "第二个年度计划",
            "count": 2,
            "frequency": "yearly",
            "period_start": "2026-06-01",
            "period_end": "2026-06-30",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不能再制定同频次的计划" in json.dumps(response.json(), ensure_ascii=False)
    assert counts() == before
    client.logout()
    public = client.get(reverse("api:inspection-draw-detail", args=[yearly.pk])).json()
    assert public["excluded_count"] == 3 and public["excluded_digest"] == yearly.excluded_digest
    assert public["window_start"] == "2026-01-01" and public["window_end"] == "2026-12-31"
    assert public["exclusion_note"].startswith("因抽查频次（每年一次）")
