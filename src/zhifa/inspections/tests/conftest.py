from datetime import date

import pytest
from stdnum.cn import uscc

from zhifa.accounts.models import Role
from zhifa.inspections import services


def credit_code(n: int) -> str:
    base = f"91990102MA{n:07d}"
    return base + uscc.calc_check_digit(base)


@pytest.fixture
def manager(build, county):
    """A unit head of the market agency: keeps libraries and plans."""
    return build.officer(county.market, roles=(Role.OFFICER, Role.UNIT_HEAD), name="王队长").user


@pytest.fixture
def reviewer(build, county):
    return build.officer(county.market, roles=(Role.REVIEWER,), name="法制审核员").user


@pytest.fixture
def matter(county, manager):
    return services.matter_create(
        actor=manager,
        agency=county.market,
        code="SJ-001",
        name="食品经营者经营行为检查",
        basis="《中华人民共和国食品安全法》第一百一十条",
        category="市场监管",
        content="经营资质、进货查验、贮存条件",
        method="现场检查",
    )


@pytest.fixture
def targets(matter, manager):
    return [
        services.target_create(
            actor=manager,
            matter=matter,
            kind="enterprise",
            name=f"示范食品店{n}",
            credit_code=credit_code(n),
        )
        for n in range(1, 11)
    ]


@pytest.fixture
def inspectors(build, county, matter, manager):
    officers = [
        build.officer(county.market, unit=county.market_unit, name=f"检查员{n}") for n in range(5)
    ]
    for officer in officers:
        services.pool_add(actor=manager, matter=matter, officer=officer)
    return officers


@pytest.fixture
def make_plan(matter, manager):
    def make(**fields):
        values = {
            "name": "2026年第四季度食品经营抽查",
            "frequency": "quarterly",
            "period_start": date(2026, 10, 1),
            "period_end": date(2026, 12, 31),
            "ratio_percent": "30",
            **fields,
        }
        return services.plan_create(actor=manager, matter=matter, **values)

    return make


@pytest.fixture
def drawn(make_plan, targets, inspectors, manager):
    """A plan committed and drawn: 3 of 10 targets, 2 of 5 inspectors each."""
    plan = make_plan()
    services.plan_commit(actor=manager, plan=plan, beacon_source="福彩3D 2026年第320期")
    return services.plan_draw(actor=manager, plan=plan, beacon_value="3 7 1")


def committed_in_old_format(plan, *, version: int):
    """Rewrite a committed, undrawn plan as the platform committed it before the
    lists were sealed (version 2) or before the frequency was enforced
    (version 1): digests over the named lists, no seal key (nor, for version 1,
    exclusion digest), and the commitment of that material."""
    from zhifa.inspections import draw
    from zhifa.inspections.models import Plan

    _, inspectors, conflicts = services.frozen_lists(plan)
    fields = {
        "seal_key": "",
        "inspectors_digest": draw.digest(inspectors),
        "conflicts_digest": draw.digest(conflicts),
    }
    if version == 1:
        fields["excluded_digest"] = ""
    Plan.objects.filter(pk=plan.pk).update(**fields)
    plan.refresh_from_db()
    material = services.plan_material(plan)
    assert material["v"] == version
    Plan.objects.filter(pk=plan.pk).update(commitment=draw.commitment_of(material))
    plan.refresh_from_db()
    return plan
