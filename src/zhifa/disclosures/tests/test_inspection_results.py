"""Inspection results through the publication pipeline (INS-02, PUB-06, PUB-13)
and the public record of random draws (INS-01, PUB-02), driven as users do:
the inspector enters the result in the workbench, the reviewer approves it,
the legal unit confirms the public version, the public finds it on the portal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.core.errors import Forbidden
from zhifa.disclosures import services
from zhifa.disclosures.models import Disclosure
from zhifa.inspections import selectors as inspection_selectors
from zhifa.inspections import services as inspections
from zhifa.inspections.models import Inspection
from zhifa.inspections.tests.conftest import credit_code
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-06")]


@pytest.fixture
def plan(build, county, desk):
    manager = build.officer(county.market, roles=(Role.OFFICER, Role.UNIT_HEAD)).user
    matter = inspections.matter_create(
        actor=manager,
        agency=county.market,
        code="SJ-009",
        name="食品经营者经营行为检查",
        basis="《中华人民共和国食品安全法》第一百一十条",
        category="市场监管",
        method="现场检查",
    )
    for n in range(1, 6):
        inspections.target_create(
            actor=manager,
            matter=matter,
            kind="enterprise",
            name=f"示范食品店{n}",
            credit_code=credit_code(n),
        )
    for n in range(3):
        officer = build.officer(county.market, unit=county.market_unit, name=f"检查员{n}")
        inspections.pool_add(actor=manager, matter=matter, officer=officer)
    today = timezone.localdate()
    plan = inspections.plan_create(
        actor=manager,
        matter=matter,
        name="年度食品经营抽查",
        frequency="yearly",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        count=2,
    )
    plan = inspections.plan_commit(actor=manager, plan=plan, beacon_source="福彩3D 第320期")
    plan.manager = manager
    return plan


def _enter_and_approve(plan, reviewer, client_for):
    inspection = plan.inspections.order_by("order").first()
    inspector = inspection.assignments.order_by("order").first().officer.user
    today = timezone.localdate()
    inspections.result_enter(
        actor=inspector,
        inspection=inspection,
        checked_on=today - timedelta(days=1),
        outcome="corrected",
        # Free text with a natural person's phone: redacted in the public version.
        detail="进货查验记录不全，店员张小明（电话13800138000）在场。",
        follow_up="责令十日内改正",
        completed_on=today,
    )
    inspections.result_review(actor=reviewer, inspection=inspection, decision="approve")
    inspection.refresh_from_db()
    return inspection


@pytest.mark.req("INS-02", "PUB-02", "PUB-13")
def test_an_approved_result_is_published_and_shown_on_the_portal(
    plan, desk, build, county, client, client_for
):
    reviewer = build.officer(county.market, roles=(Role.REVIEWER,), credential=False).user
    # The commitment is public before the draw; no seed yet.
    page = client.get(reverse("portal:draw-list")).content.decode()
    assert plan.commitment in page and "尚未抽取" in page
    plan = inspections.plan_draw(actor=plan.manager, plan=plan, beacon_value="3 7 1")
    page = client.get(reverse("portal:draw-list")).content.decode()
    assert plan.commitment in page and plan.seed in page and plan.result_digest in page

    inspection = _enter_and_approve(plan, reviewer, client_for)
    item = Disclosure.objects.get(inspection_id_ref=inspection.pk)
    assert item.kind == Disclosure.Kind.INSPECTION_RESULT
    assert item.status == Disclosure.Status.IN_REVIEW
    assert "13800138000" not in item.facts and item.redactions
    assert item.party_name == inspection.target.name
    # Not on the portal before the legal unit confirms it (PUB-13).
    listing = reverse("portal:inspection-result-list")
    assert inspection.target.name not in client.get(listing).content.decode()
    assert client.get(reverse("portal:inspection-result-detail", args=[item.pk])).status_code == 404

    # The legal unit of another agency cannot publish it; the queue shows it to ours.
    with pytest.raises(Forbidden):
        services.disclosure_publish(actor=desk.outsider, disclosure=item)
    legal = client_for(desk.legal)
    assert item.title in legal.get(reverse("portal:wb-queue")).content.decode()
    legal.post(reverse("portal:wb-publish", args=[item.pk]), {"confirmed": "1"})
    item.refresh_from_db()
    inspection.refresh_from_db()
    assert item.status == Disclosure.Status.PUBLISHED
    assert inspection.status == Inspection.Status.PUBLISHED
    assert inspection.disclosure_reference == str(item.pk)
    assert entries_for(inspection).filter(action="inspection_result.publish").exists()

    body = client.get(listing, {"q": inspection.target.name}).content.decode()
    assert inspection.target.name in body
    assert client.get(listing, {"q": "不存在的店名"}).content.decode().count("示范食品店") == 0
    detail = client.get(reverse("portal:inspection-result-detail", args=[item.pk]))
    text = detail.content.decode()
    assert detail.status_code == 200
    assert "发现问题已责令改正" in text and plan.matter.basis in text
    assert "13800138000" not in text and inspection.target.credit_code in text
    # A decision's detail page is not an inspection result.
    decision = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=_decision(desk)
    )
    assert (
        client.get(reverse("portal:inspection-result-detail", args=[decision.pk])).status_code
        == 404
    )

    # Withdrawn: off the portal, and the result goes back to be re-entered.
    services.disclosure_withdraw(actor=desk.legal, disclosure=item, reason="检查结论有误，重新检查")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RETURNED and inspection.published_at is None
    assert detail.status_code == 200
    assert client.get(reverse("portal:inspection-result-detail", args=[item.pk])).status_code == 404
    assert entries_for(inspection).filter(action="inspection_result.withdraw").exists()


@pytest.mark.req("INS-02", "PUB-07")
def test_a_withheld_result_no_longer_waits_for_publication(plan, desk, build, county, client_for):
    reviewer = build.officer(county.market, roles=(Role.REVIEWER,), credential=False).user
    plan = inspections.plan_draw(actor=plan.manager, plan=plan, beacon_value="3 7 1")
    inspection = _enter_and_approve(plan, reviewer, client_for)
    item = Disclosure.objects.get(inspection_id_ref=inspection.pk)
    ready = inspection_selectors.results_ready_to_publish(agency=plan.agency)
    assert inspection in ready
    services.disclosure_withhold(
        actor=desk.legal, disclosure=item, ground="涉及商业秘密（政府信息公开条例第十五条）"
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.WITHHELD
    assert inspection.get_status_display() == "审核通过（不予公开）"
    assert inspection not in inspection_selectors.results_ready_to_publish(agency=plan.agency)
    entry = entries_for(inspection).get(action="inspection_result.withhold")
    assert "商业秘密" in entry.payload["ground"]


def test_a_result_cannot_be_prepared_twice_or_before_approval(
    plan, desk, build, county, client_for
):
    from zhifa.core.errors import Conflict

    reviewer = build.officer(county.market, roles=(Role.REVIEWER,), credential=False).user
    plan = inspections.plan_draw(actor=plan.manager, plan=plan, beacon_value="3 7 1")
    pending = plan.inspections.order_by("order").last()
    with pytest.raises(Conflict, match="审核通过"):
        services.inspection_result_prepare(actor=desk.legal, inspection=pending)
    inspection = _enter_and_approve(plan, reviewer, client_for)
    before = Disclosure.objects.count()
    with pytest.raises(Conflict, match="已拟制"):
        services.inspection_result_prepare(actor=desk.legal, inspection=inspection)
    assert Disclosure.objects.count() == before


def _decision(desk):
    from zhifa.disclosures.tests.conftest import decision

    return decision(desk)


@pytest.mark.req("PUB-02")
def test_the_inspection_matters_list_is_generated_and_published(
    plan, desk, build, county, client, client_for
):
    from zhifa.core.errors import Conflict
    from zhifa.ledger.models import LedgerEntry

    manager = client_for(plan.manager)
    assert (
        reverse("inspections:matter-disclose")
        in manager.get(reverse("inspections:matter-list")).content.decode()
    )
    assert "确认生成" in manager.get(reverse("inspections:matter-disclose")).content.decode()
    response = manager.post(reverse("inspections:matter-disclose"), {"confirmed": "1"})
    item = Disclosure.objects.get(topic=Disclosure.Topic.INSPECTION_MATTERS)
    assert response.url == reverse("portal:wb-detail", args=[item.pk])
    assert item.status == Disclosure.Status.IN_REVIEW
    assert "SJ-009 食品经营者经营行为检查" in item.body and plan.matter.basis in item.body
    # A second draft while one is pending is refused, and so are other agencies and the 司法局.
    before = (Disclosure.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(Conflict, match="尚未办结"):
        inspections.matters_disclosure_prepare(actor=plan.manager, agency=county.market)
    for actor in (county.safety_admin, county.supervisor, desk.officer):
        with pytest.raises(Forbidden):
            inspections.matters_disclosure_prepare(actor=actor, agency=county.market)
    assert (Disclosure.objects.count(), LedgerEntry.objects.count()) == before

    services.disclosure_publish(actor=desk.legal, disclosure=item)
    page = client.get(reverse("portal:agency-detail", args=[county.market.pk])).content.decode()
    assert "随机抽查事项清单" in page and "食品经营者经营行为检查" in page

    # An update supersedes the published list (PUB-03); a unit head may not take it down.
    with pytest.raises(Forbidden):
        inspections.matters_disclosure_prepare(actor=plan.manager, agency=county.market)
    leader = build.officer(county.market, roles=(Role.LEADER,), credential=False).user
    newer = inspections.matters_disclosure_prepare(actor=leader, agency=county.market)
    item.refresh_from_db()
    assert item.status == Disclosure.Status.SUPERSEDED and newer.supersedes_id == item.pk


@pytest.mark.req("PUB-02")
def test_no_matters_no_list(desk, county):
    from zhifa.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="尚无在用"):
        inspections.matters_disclosure_prepare(actor=county.market_admin, agency=county.market)


def _section(page: str, plan) -> str:
    """The part of the draw record page about ``plan``."""
    start = page.index(f'id="draw-{plan.pk}"')
    end = page.find('<section class="draw"', start)
    return page[start : end if end > 0 else len(page)]


@pytest.mark.req("INS-01", "PUB-02")
def test_the_draw_record_shows_the_frequency_window_and_exclusion(plan, client):
    import calendar

    today = timezone.localdate()
    manager = plan.manager
    plan = inspections.plan_draw(actor=manager, plan=plan, beacon_value="3 7 1")
    # A monthly round in the same year leaves out the two targets the yearly plan drew.
    last = calendar.monthrange(today.year, today.month)[1]
    monthly = inspections.plan_create(
        actor=manager,
        matter=plan.matter,
        name="本月食品经营抽查",
        frequency="monthly",
        period_start=today.replace(day=1),
        period_end=today.replace(day=last),
        count=1,
    )
    monthly = inspections.plan_commit(actor=manager, plan=monthly, beacon_source="福彩3D")
    public = client.get(reverse("api:inspection-draw-detail", args=[monthly.pk])).json()
    assert public["excluded_count"] == 2 and public["excluded_digest"] == monthly.excluded_digest

    page = client.get(reverse("portal:draw-list")).content.decode()
    yearly = _section(page, plan)
    assert "每年一次" in yearly
    assert f"{today.year}年（{today.year}-01-01 至 {today.year}-12-31）" in yearly
    assert '<dd class="frequency-excluded">无</dd>' in yearly
    month = _section(page, monthly)
    name = f"{today.year}年{today.month}月"
    assert "每月一次" in month
    assert f"{name}（{today:%Y-%m}-01 至 {today:%Y-%m}-{last:02d}）" in month
    assert f"排除本月（{name}）已抽中的对象 2 户，不参加本次抽取" in month
    assert "频次排除名单摘要" in month and monthly.excluded_digest in month
    assert monthly.excluded_digest not in yearly
