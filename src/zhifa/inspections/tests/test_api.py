"""The REST door onto 双随机、一公开: the generic security suite for each
endpoint, the supervisor's read-only view, and the public draw record."""

from datetime import date

import pytest
from django.urls import reverse

from zhifa.accounts.models import Role
from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests, listed_ids
from zhifa.inspections import services
from zhifa.inspections.models import Inspection, Plan
from zhifa.inspections.tests.conftest import credit_code

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01")]


def a_matter(county):
    return services.matter_create(
        actor=county.market_admin,
        agency=county.market,
        code="SJ-001",
        name="食品经营抽查",
        basis="《食品安全法》第一百一十条",
        category="市场监管",
    )


def a_plan(county):
    return services.plan_create(
        actor=county.market_admin,
        matter=a_matter(county),
        name="四季度抽查",
        frequency="quarterly",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        count=2,
    )


def stock(build, county, plan, targets=4, inspectors=3):
    for n in range(targets):
        services.target_create(
            actor=county.market_admin,
            matter=plan.matter,
            kind="enterprise",
            name=f"店{n}",
            credit_code=credit_code(n + 1),
        )
    officers = [build.officer(county.market) for _ in range(inspectors)]
    for officer in officers:
        services.pool_add(actor=county.market_admin, matter=plan.matter, officer=officer)
    return officers


def post(client, name, obj, data):
    return client.post(reverse(name, args=[obj.pk]), data, content_type="application/json")


class MatterEndpoint:
    list_url_name = "api:inspection-matter-list"

    def make_object(self, build, county):
        return a_matter(county)


class TestMatterRead(MatterEndpoint, APIReadTests):
    pass


class TestMatterCreate(MatterEndpoint, APIWriteTests):
    ledger_action = "inspection_matter.create"
    other_status = (400, 403)

    def write_payload(self, county, obj):
        return {
            "agency": county.market.pk,
            "code": "SJ-002",
            "name": "特种设备抽查",
            "basis": "《特种设备安全法》",
            "category": "市场监管",
        }


class TargetEndpoint:
    list_url_name = "api:inspection-target-list"

    def make_object(self, build, county):
        return services.target_create(
            actor=county.market_admin,
            matter=a_matter(county),
            kind="enterprise",
            name="示范食品店",
            credit_code=credit_code(1),
        )


class TestTargetRead(TargetEndpoint, APIReadTests):
    pass


class TestTargetCreate(TargetEndpoint, APIWriteTests):
    ledger_action = "inspection_target.create"
    other_status = (400,)

    def write_payload(self, county, obj):
        return {
            "matter": obj.matter_id,
            "kind": "enterprise",
            "name": "新店",
            "credit_code": credit_code(2),
        }


class PlanEndpoint:
    list_url_name = "api:inspection-plan-list"

    def make_object(self, build, county):
        plan = a_plan(county)
        stock(build, county, plan)
        return plan


class TestPlanRead(PlanEndpoint, APIReadTests):
    pass


class TestPlanCommit(PlanEndpoint, APIWriteTests):
    write_action = "commit"
    ledger_action = "inspection_plan.commit"

    def write_payload(self, county, obj):
        return {"beacon_source": "福彩3D 2026年第320期"}


def test_bad_credit_code_is_a_400_in_chinese(client, county):
    matter = a_matter(county)
    client.force_login(county.market_admin)
    response = client.post(
        reverse("api:inspection-target-list"),
        {"matter": matter.pk, "kind": "enterprise", "name": "甲", "credit_code": "123"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_credit_code"


def test_commit_draw_verify_and_public_record(client, build, county):
    plan = a_plan(county)
    stock(build, county, plan)
    client.force_login(county.market_admin)
    body = post(
        client, "api:inspection-plan-commit", plan, {"beacon_source": "福彩3D 第320期"}
    ).json()
    assert body["status"] == "committed" and body["nonce"] == ""
    client.logout()
    public = client.get(reverse("api:inspection-draw-list"))
    assert public.status_code == 200
    row = public.json()["results"][0]
    assert row["commitment"] == body["commitment"] and row["nonce"] == ""
    assert row["beacon_source"] == "福彩3D 第320期"

    client.force_login(county.market_admin)
    body = post(client, "api:inspection-plan-draw", plan, {"beacon_value": "3 7 1"}).json()
    assert body["status"] == "drawn" and body["drawn_count"] == 2 and len(body["nonce"]) == 64
    checks = client.get(reverse("api:inspection-plan-verify", args=[plan.pk])).json()
    assert all(c["ok"] for c in checks)
    client.logout()
    row = client.get(reverse("api:inspection-draw-detail", args=[plan.pk])).json()
    assert row["nonce"] == body["nonce"] and row["seed"] == body["seed"]
    assert row["result_digest"] == body["result_digest"]


def test_public_record_hides_drafts(client, county):
    plan = a_plan(county)
    response = client.get(reverse("api:inspection-draw-list"))
    assert plan.pk not in listed_ids(response)
    assert client.get(reverse("api:inspection-draw-detail", args=[plan.pk])).status_code == 404


def test_too_few_inspectors_is_a_400_and_nothing_changes(client, build, county):
    plan = a_plan(county)
    stock(build, county, plan, inspectors=1)
    client.force_login(county.market_admin)
    response = post(client, "api:inspection-plan-commit", plan, {"beacon_source": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "too_few_inspectors"
    assert "检查人员不足" in response.json()["detail"]
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_supervisor_reads_the_region_but_may_not_write(client, build, county):
    plan = a_plan(county)
    stock(build, county, plan)
    client.force_login(county.supervisor)
    assert plan.pk in listed_ids(client.get(reverse("api:inspection-plan-list")))
    response = post(client, "api:inspection-plan-commit", plan, {"beacon_source": "x"})
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


@pytest.mark.req("INS-02")
def test_results_through_the_api(client, build, county):
    plan = a_plan(county)
    stock(build, county, plan)
    services.plan_commit(actor=county.market_admin, plan=plan, beacon_source="x")
    services.plan_draw(actor=county.market_admin, plan=plan, beacon_value="1")
    inspection = Inspection.objects.filter(plan=plan).first()
    inspector = inspection.assignments.first().officer.user
    reviewer = build.officer(county.market, roles=(Role.REVIEWER,)).user
    client.force_login(county.safety_admin)
    assert post(client, "api:inspection-result", inspection, {}).status_code == 404
    client.force_login(reviewer)
    data = {"checked_on": "2026-11-02", "outcome": "no_problem", "completed_on": "2026-11-02"}
    assert post(client, "api:inspection-result", inspection, data).status_code == 403
    client.force_login(inspector)
    response = post(client, "api:inspection-result", inspection, data)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    assert (
        post(client, "api:inspection-review", inspection, {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(reviewer)
    response = post(client, "api:inspection-review", inspection, {"decision": "approve"})
    assert response.json()["status"] == "approved"


class PoolEndpoint:
    list_url_name = "api:inspection-pool-list"

    def make_object(self, build, county):
        matter = a_matter(county)
        officer = build.officer(county.market)
        return services.pool_add(actor=county.market_admin, matter=matter, officer=officer)


class TestPoolRead(PoolEndpoint, APIReadTests):
    pass


class TestPoolRemove(PoolEndpoint, APIWriteTests):
    write_action = "remove"
    ledger_action = "inspection_pool.remove"

    def written_object(self, response, obj):
        return obj.matter

    def write_payload(self, county, obj):
        return {}


class ConflictEndpoint:
    list_url_name = "api:inspection-conflict-list"

    def make_object(self, build, county):
        matter = a_matter(county)
        target = services.target_create(
            actor=county.market_admin,
            matter=matter,
            kind="enterprise",
            name="甲",
            credit_code=credit_code(1),
        )
        officer = build.officer(county.market)
        return services.conflict_declare(
            actor=county.market_admin, officer=officer, target=target, reason="亲属"
        )


class TestConflictRead(ConflictEndpoint, APIReadTests):
    pass


class TestConflictCreate(ConflictEndpoint, APIWriteTests):
    ledger_action = "inspection_conflict.declare"
    other_status = (400,)

    def written_object(self, response, obj):
        return obj.target

    def write_payload(self, county, obj):
        other = obj.officer.agency.officers.exclude(pk=obj.officer_id).first()
        return {"officer": other.pk, "target": obj.target_id, "reason": "曾任顾问"}


class InspectionEndpoint:
    list_url_name = "api:inspection-list"

    def make_object(self, build, county):
        plan = a_plan(county)
        stock(build, county, plan)
        services.plan_commit(actor=county.market_admin, plan=plan, beacon_source="x")
        services.plan_draw(actor=county.market_admin, plan=plan, beacon_value="1")
        return plan.inspections.first()


class TestInspectionRead(InspectionEndpoint, APIReadTests):
    pass


def test_public_material_after_the_period_verifies_offline(client, build, county, tmp_path):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    plan = a_plan(county)
    stock(build, county, plan)
    services.plan_commit(actor=county.market_admin, plan=plan, beacon_source="x")
    services.plan_draw(actor=county.market_admin, plan=plan, beacon_value="4 4 4")
    url = reverse("api:inspection-draw-material", args=[plan.pk])
    refused = client.get(url)
    assert refused.status_code == 409 and refused.json()["code"] == "not_yet_public"
    for inspection in plan.inspections.all():
        Inspection.objects.filter(pk=inspection.pk).update(status="approved")
        services.inspection_mark_published(actor=county.market_admin, inspection=inspection)
    material = client.get(url)
    assert material.status_code == 200
    path = tmp_path / "material.json"
    path.write_text(json.dumps(material.json(), ensure_ascii=False), encoding="utf-8")
    call_command("inspections", "verify-draw", "--material", str(path))
    data = material.json()
    data["beacon_value"] = "4 4 5"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="MISMATCH"):
        call_command("inspections", "verify-draw", "--material", str(path))
