"""The draw material in its two forms (INS-01): the public one names no
inspector and opens only the conflicts of drawn targets, yet re-runs the draw
and checks every digest and the commitment, and fails when any element is
altered; the full one is for the plan's agency and its supervising 司法局
only; plans committed before the lists were sealed still verify."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhifa.inspections import draw, services
from zhifa.inspections.models import Inspection, Plan, PlanInspector
from zhifa.inspections.tests.conftest import committed_in_old_format
from zhifa.inspections.verify import material_of, plan_verify, verify_material

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01")]


@pytest.fixture
def conflicted(make_plan, targets, inspectors, manager):
    """A committed plan whose first inspector declared a conflict with every
    target and the second with the first five: some drawn, some not."""
    for target in targets:
        services.conflict_declare(
            actor=inspectors[0].user, officer=inspectors[0], target=target, reason="亲属经营"
        )
    for target in targets[:5]:
        services.conflict_declare(
            actor=manager, officer=inspectors[1], target=target, reason="曾任职"
        )
    plan = make_plan()
    return services.plan_commit(actor=manager, plan=plan, beacon_source="福彩3D 2026年第320期")


def draw_and_publish(plan, manager):
    plan = services.plan_draw(actor=manager, plan=plan, beacon_value="3 7 1")
    for inspection in plan.inspections.all():
        Inspection.objects.filter(pk=inspection.pk).update(status="approved")
        services.inspection_mark_published(actor=manager, inspection=inspection)
    return plan


def as_published(data: dict) -> dict:
    """The material as a reader gets it: through JSON."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def failed(data: dict) -> list[str]:
    return [c.label for c in verify_material(data) if not c.ok]


@pytest.fixture
def drawn_sealed(conflicted, manager):
    return draw_and_publish(conflicted, manager)


def test_public_material_names_no_inspector_and_no_conflict(
    client, drawn_sealed, inspectors, targets
):
    plan = drawn_sealed
    response = client.get(reverse("api:inspection-draw-material", args=[plan.pk]))
    assert response.status_code == 200
    data = response.json()
    text = json.dumps(data, ensure_ascii=False)
    assert data["form"] == "public" and data["material"]["v"] == 3
    frozen = PlanInspector.objects.filter(plan=plan)
    assert frozen.count() == 5
    for row in frozen:
        assert row.name not in text and row.credential_number not in text
    assert plan.seal_key not in text
    # Targets stay in clear (public registers; each business can find itself).
    assert all(target.name in text for target in targets)
    # Every target has a sealed entry: which have conflicts is not told.
    assert [row[0] for row in data["conflicts"]] == list(range(10))
    assert all(len(row) == 2 and len(row[1]) == 64 for row in data["conflicts"])
    # Only the drawn targets' conflicts are opened, and they are positions.
    drawn = sorted(t for t, _ in data["result"])
    assert [row[0] for row in data["conflicts_opened"]] == drawn
    officer_pos = {row.officer_id: row.position for row in frozen}
    assert all(officer_pos[inspectors[0].pk] in row[1] for row in data["conflicts_opened"])
    # Hence no (target, officer) name pair of a declared conflict: no officer
    # named at all, declarer included.
    assert not any(officer.name in text for officer in inspectors)
    assert all(c.ok and not c.unchecked for c in verify_material(data))


def test_public_material_verifies_offline_and_every_alteration_fails(drawn_sealed, tmp_path):
    data = as_published(material_of(drawn_sealed))
    path = tmp_path / "material.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("inspections", "verify-draw", "--material", str(path))

    def altered(change) -> list[str]:
        copied = copy.deepcopy(data)
        change(copied)
        path.write_text(json.dumps(copied, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(CommandError, match="MISMATCH"):
            call_command("inspections", "verify-draw", "--material", str(path))
        return failed(copied)

    def set_(path, value):
        def change(d):
            *head, last = path
            for key in head:
                d = d[key]
            d[last] = value

        return change

    undrawn = next(t for t in range(10) if t not in {r[0] for r in data["result"]})
    cases = {
        "检查对象名录摘要": [
            set_(("targets", 0, 2), "别的店"),
            set_(("targets", 1, 3), "安全生产"),
        ],
        "检查人员名录摘要": [
            set_(("inspectors", 0, 1), ["安全生产", "市场监管"]),
            set_(("inspectors", 1, 2), "0" * 64),
        ],
        "回避名单摘要": [
            set_(("conflicts", undrawn, 1), "0" * 64),
            lambda d: d["conflicts"].append([10, "0" * 64]),
        ],
        "抽中对象的回避与回避名单摘要一致": [
            lambda d: d["conflicts_opened"][0][1].pop(),
            set_(("conflicts_opened", 0, 2), "0" * 64),
            lambda d: d["conflicts_opened"][0][1].append(4),
        ],
        "每个抽中对象的回避均已公开": [lambda d: d["conflicts_opened"].pop()],
        "频次排除名单摘要": [set_(("excluded",), [["X", "某店", 1]])],
        "种子承诺值": [
            set_(("material", "nonce"), "0" * 64),
            set_(("commitment",), "0" * 64),
            set_(("material", "v"), 2),
        ],
        "随机种子": [set_(("beacon_value",), "3 7 2"), set_(("seed",), "0" * 64)],
        "抽取结果摘要": [set_(("result_digest",), "0" * 64)],
        "公布的抽取结果与重新抽取一致": [lambda d: d["result"].reverse()],
    }
    for label, changes in cases.items():
        for change in changes:
            assert label in altered(change), label


def test_full_material_names_everyone_and_verifies(drawn_sealed, inspectors, tmp_path, capsys):
    data = as_published(material_of(drawn_sealed, full=True))
    assert data["form"] == "full"
    names = {row[2] for row in data["inspectors"]}
    assert names == {officer.name for officer in inspectors}
    assert sum(len(row[1]) for row in data["conflicts"]) == 15
    assert all(c.ok and not c.unchecked for c in verify_material(data))
    # The full material recomputes the same seals the public one shows.
    public = as_published(material_of(drawn_sealed))
    assert draw.sealed_inspectors(data["inspectors"]) == public["inspectors"]
    assert draw.sealed_conflicts(data["conflicts"]) == public["conflicts"]
    renamed = copy.deepcopy(data)
    renamed["inspectors"][0][2] = "别人"
    assert failed(renamed) == ["检查人员名录摘要"]
    hidden = copy.deepcopy(data)
    hidden["conflicts"][0][1] = []
    assert "回避名单摘要" in failed(hidden)


def test_full_material_is_for_the_agency_and_its_supervisor(client, build, county, drawn_sealed):
    url = reverse("api:inspection-plan-material", args=[drawn_sealed.pk])
    assert client.get(url).status_code in (401, 403)
    neighbour = build.county(code="990103", name="邻县")
    for outsider in (county.safety_admin, neighbour.supervisor, neighbour.market_admin):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    plain = build.officer(county.market, name="本局执法人员").user
    for insider in (county.market_admin, plain, county.supervisor):
        client.force_login(insider)
        response = client.get(url)
        assert response.status_code == 200
        assert response.json()["form"] == "full"
        assert all(c.ok for c in verify_material(response.json()))


def test_full_material_waits_for_the_draw(client, county, conflicted):
    client.force_login(county.market_admin)
    response = client.get(reverse("api:inspection-plan-material", args=[conflicted.pk]))
    assert response.status_code == 409 and response.json()["code"] == "not_drawn"


def test_database_verification_checks_the_sealed_lists(drawn_sealed):
    assert all(c.ok for c in plan_verify(drawn_sealed))
    PlanInspector.objects.filter(plan=drawn_sealed, position=0).update(name="别人")
    assert [c.label for c in plan_verify(drawn_sealed) if not c.ok] == ["检查人员名录摘要"]
    PlanInspector.objects.filter(plan=drawn_sealed, position=0).update(
        name=PlanInspector.objects.get(plan=drawn_sealed, position=0).officer.name
    )
    Plan.objects.filter(pk=drawn_sealed.pk).update(seal_key="0" * 64)
    drawn_sealed.refresh_from_db()
    labels = [c.label for c in plan_verify(drawn_sealed) if not c.ok]
    assert labels == ["检查人员名录摘要", "回避名单摘要"]


@pytest.mark.parametrize("version", [1, 2])
def test_plans_committed_before_the_lists_were_sealed_still_verify(
    conflicted, manager, inspectors, version, tmp_path, capsys
):
    plan = committed_in_old_format(conflicted, version=version)
    plan = draw_and_publish(plan, manager)
    assert plan.seed == draw.seed_of(services.plan_material(plan), "3 7 1").hex()
    assert all(c.ok for c in plan_verify(plan))
    full = as_published(material_of(plan, full=True))
    assert full["material"]["v"] == version
    assert all(c.ok and not c.unchecked for c in verify_material(full))
    # Files saved before the forms existed carried no "form": they were full.
    del full["form"]
    assert all(c.ok for c in verify_material(full))
    public = as_published(material_of(plan))
    text = json.dumps(public, ensure_ascii=False)
    assert not any(officer.name in text for officer in inspectors)
    assert all(len(row) == 2 for row in public["inspectors"])
    checks = verify_material(public)
    assert all(c.ok for c in checks)
    # The old inspectors digest covers the names: said plainly not checked.
    assert [c.label for c in checks if c.unchecked] == ["检查人员名录摘要"]
    path = tmp_path / "material.json"
    path.write_text(json.dumps(public, ensure_ascii=False), encoding="utf-8")
    call_command("inspections", "verify-draw", "--material", str(path))
    out = capsys.readouterr().out
    assert "[未核验] 检查人员名录摘要" in out and "MATCH）；1 项未核验" in out
    # The rest still catches any alteration.
    public["conflicts"] = public["conflicts"][1:]
    assert "回避名单摘要" in failed(public)
    public = as_published(material_of(plan))
    drawn_inspector = public["result"][0][1][0]
    public["inspectors"][drawn_inspector][1] = ["安全生产"]
    assert "公布的抽取结果与重新抽取一致" in failed(public)
