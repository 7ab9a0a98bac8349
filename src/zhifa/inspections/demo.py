"""The demo county's 双随机、一公开 (INS-01, INS-02), made through the services so
that the ledger holds every step. The integrator calls ``inspections_demo`` for
the market agency from ``zhifa demo``."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from stdnum.cn import uscc

from zhifa.accounts.models import Agency, Role
from zhifa.catalogues.models import ActionKind
from zhifa.inspections import services
from zhifa.inspections.models import Plan

_SHOPS = ("食品经营部", "便利店", "超市", "餐饮店", "副食品店", "粮油店")


def _credit_code(agency: Agency, n: int) -> str:
    base = f"92{agency.region.code}MA{agency.pk % 100:02d}{n:05d}"[:17]
    return base + uscc.calc_check_digit(base)


def inspections_demo(agency: Agency, actor, *, targets: int = 30) -> Plan:
    """A 随机抽查事项 with ``targets`` market subjects and one site, a pool of the
    agency's officers holding a valid credential, one declared conflict, and one
    plan committed and drawn (10 %, 2 inspectors each); the first three drawn
    results are entered and approved, which hands their public versions to the
    disclosure pipeline (in review), as is the agency's 随机抽查事项清单.
    ``actor`` manages the agency (its admin or a system administrator)."""
    category = agency.get_domain_display()
    linked = agency.matters.filter(action_kind=ActionKind.INSPECTION).order_by("code").first()
    matter = services.matter_create(
        actor=actor,
        agency=agency,
        code="SJCC-001",
        name="食品经营者经营行为的检查",
        basis="《中华人民共和国食品安全法》第一百一十条；《市场监督管理行政处罚程序规定》",
        content="经营资质、进货查验记录、贮存条件、标签标识",
        method="现场检查",
        category=category,
        matter=linked,
    )
    library = [
        services.target_create(
            actor=actor,
            matter=matter,
            kind="individual" if n % 3 == 0 else "enterprise",
            name=f"示范县城关{n:02d}号{_SHOPS[n % len(_SHOPS)]}",
            credit_code=_credit_code(agency, n),
            address=f"示范县城关镇人民路 {n} 号",
        )
        for n in range(1, targets + 1)
    ]
    services.target_create(
        actor=actor, matter=matter, kind="other", name="示范县城东农贸市场", address="示范县城东路"
    )
    today = timezone.localdate()
    pool = []
    for officer in agency.officers.filter(is_active=True, role_grants__role=Role.OFFICER).order_by(
        "pk"
    ):
        if services._inspector_categories(officer, today) is not None:
            services.pool_add(actor=actor, matter=matter, officer=officer)
            pool.append(officer)
    if pool:
        services.conflict_declare(
            actor=pool[0].user, officer=pool[0], target=library[0], reason="本人近亲属系该店经营者"
        )
    plan = services.plan_create(
        actor=actor,
        matter=matter,
        name=f"{today.year}年度食品经营者双随机抽查",
        frequency="yearly",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        ratio_percent="10",
    )
    services.plan_commit(
        actor=actor, plan=plan, beacon_source=f"中国福利彩票3D {today.year}年第320期开奖号码"
    )
    plan = services.plan_draw(actor=actor, plan=plan, beacon_value="5 2 8")
    # The first three drawn results are entered and approved; approval hands
    # each public version to the disclosure pipeline (PUB-06), whose demo publishes it.
    outcomes = (
        ("no_problem", "经营资质齐全，进货查验记录完整。", ""),
        ("corrected", "部分预包装食品未按要求分区贮存。", "当场责令改正，已整改到位。"),
        ("no_problem", "经营场所整洁，标签标识符合要求。", ""),
    )
    for inspection, (outcome, detail, follow_up) in zip(
        plan.inspections.order_by("order"), outcomes, strict=False
    ):
        inspector = inspection.assignments.order_by("order").first().officer
        services.result_enter(
            actor=inspector.user,
            inspection=inspection,
            checked_on=today - timedelta(days=1),
            outcome=outcome,
            detail=detail,
            follow_up=follow_up,
            completed_on=today - timedelta(days=1),
        )
        reviewer = (
            agency.officers.filter(
                role_grants__role__in=[Role.REVIEWER, Role.LEADER], is_active=True
            )
            .exclude(pk__in=inspection.assignments.values("officer_id"))
            .order_by("pk")
            .first()
        )
        if reviewer is not None:
            services.result_review(actor=reviewer.user, inspection=inspection, decision="approve")
    # The 随机抽查事项清单 goes to the legal unit for the portal (PUB-02).
    services.matters_disclosure_prepare(actor=actor, agency=agency)
    return plan
