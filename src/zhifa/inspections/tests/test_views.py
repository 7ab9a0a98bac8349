"""Workbench pages of 双随机、一公开: each page renders for whom it should,
refuses others, and writes through the services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.inspections.models import Inspection, InspectionTarget, Plan

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01")]


def test_nav_link_and_plan_list(client_for, county, manager, drawn):
    client = client_for(manager)
    page = client.get(reverse("inspections:plan-list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "双随机抽查" in text and drawn.name in text and "制定抽查计划" in text
    xlsx = client.get(reverse("inspections:plan-list") + "?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_other_agency_gets_404_supervisor_reads(client_for, county, drawn):
    url = reverse("inspections:plan-detail", args=[drawn.pk])
    assert client_for(county.safety_admin).get(url).status_code == 404
    page = client_for(county.supervisor).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert drawn.commitment in text and "抽取</a>" not in text


def test_plan_detail_shows_the_reveal_and_verifies(client_for, manager, drawn):
    page = client_for(manager).get(
        reverse("inspections:plan-detail", args=[drawn.pk]) + "?verify=1"
    )
    text = page.content.decode()
    assert drawn.nonce in text and drawn.seed in text
    assert "不一致" not in text and text.count(">一致<") >= 7


def test_create_commit_and_draw_through_the_pages(client_for, manager, matter, targets, inspectors):
    client = client_for(manager)
    response = client.post(
        reverse("inspections:plan-create"),
        {
            "matter": matter.pk,
            "name": "网页计划",
            "count": "2",
            "frequency": "once",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
        },
    )
    plan = Plan.objects.get(name="网页计划")
    assert response.status_code == 302
    confirm = client.get(reverse("inspections:plan-commit", args=[plan.pk]))
    assert "确认冻结并公布" in confirm.content.decode()
    client.post(reverse("inspections:plan-commit", args=[plan.pk]), {"beacon_source": "第320期"})
    client.post(reverse("inspections:plan-draw", args=[plan.pk]), {"beacon_value": "1 2 3"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAWN and plan.inspections.count() == 2


def test_plan_form_error_keeps_input(client_for, manager, matter):
    response = client_for(manager).post(
        reverse("inspections:plan-create"),
        {
            "matter": matter.pk,
            "name": "保留我",
            "ratio_percent": "10",
            "count": "2",
            "frequency": "once",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and "只填写一项" in text and "保留我" in text


def test_officers_and_supervisor_may_not_create_plans_or_draw(client_for, county, build, drawn):
    plain = build.officer(county.market).user
    for user in (plain, county.supervisor):
        client = client_for(user)
        assert client.get(reverse("inspections:plan-create")).status_code == 403
        assert client.get(reverse("inspections:plan-draw", args=[drawn.pk])).status_code == 403
        assert client.get(reverse("inspections:matter-create")).status_code == 403


def test_matter_pages(client_for, manager, matter, targets, inspectors):
    client = client_for(manager)
    assert matter.name in client.get(reverse("inspections:matter-list")).content.decode()
    text = client.get(reverse("inspections:matter-detail", args=[matter.pk])).content.decode()
    assert targets[0].credit_code in text and inspectors[0].name in text
    client.post(
        reverse("inspections:target-create", args=[matter.pk]),
        {"kind": "other", "name": "城东农贸市场"},
    )
    assert InspectionTarget.objects.filter(name="城东农贸市场").exists()


def test_inspector_declares_conflict_on_the_page(client_for, matter, targets, inspectors):
    me = inspectors[0]
    client = client_for(me.user)
    page = client.get(reverse("inspections:conflict-create", args=[matter.pk]))
    assert page.status_code == 200
    client.post(
        reverse("inspections:conflict-create", args=[matter.pk]),
        {"officer": me.pk, "target": targets[0].pk, "reason": "近亲属任职"},
    )
    assert me.inspection_conflicts.filter(target=targets[0]).exists()


@pytest.mark.req("INS-02")
def test_result_entry_and_review_pages(client_for, build, county, drawn, reviewer):
    inspection = drawn.inspections.order_by("order").first()
    inspector = inspection.assignments.first().officer.user
    url = reverse("inspections:inspection-detail", args=[inspection.pk])
    client = client_for(inspector)
    assert (
        inspection.target.name
        in client.get(reverse("inspections:inspection-list")).content.decode()
    )
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        url,
        {
            "form": "result",
            "checked_on": yesterday,
            "outcome": "follow_up",
            "detail": "记录不全",
            "follow_up": "",
        },
    )
    assert "后续处置措施" in response.content.decode()
    client.post(url, {"form": "result", "checked_on": yesterday, "outcome": "no_problem"})
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    client = client_for(reviewer)
    assert "提交审核意见" in client.get(url).content.decode()
    client.post(url, {"form": "review", "decision": "approve"})
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.APPROVED
    # Another agency's user cannot see the task at all.
    assert client_for(county.safety_admin).get(url).status_code == 404
