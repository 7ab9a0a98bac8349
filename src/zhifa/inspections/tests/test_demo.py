"""The demo data of 双随机、一公开 is made through the services and verifies."""

import pytest

from zhifa.accounts.models import Role
from zhifa.inspections import selectors
from zhifa.inspections.demo import inspections_demo
from zhifa.inspections.models import Plan
from zhifa.inspections.verify import plan_verify

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01", "INS-02")]


def test_demo_plan_is_drawn_verifiable_and_three_results_ready(build, county):
    for _ in range(4):
        build.officer(county.market, unit=county.market_unit)
    build.officer(county.market, roles=(Role.REVIEWER,), credential=False)
    plan = inspections_demo(county.market, county.market_admin)
    assert plan.status == Plan.Status.DRAWN
    assert plan.inspections.count() == 4  # 10 % of 31, rounded up
    assert all(c.ok for c in plan_verify(plan))
    assert selectors.results_ready_to_publish(agency=county.market).count() == 3
    from zhifa.disclosures.models import Disclosure

    waiting = Disclosure.objects.filter(kind="inspection_result", status="in_review")
    assert waiting.count() == 3  # handed to the disclosure pipeline on approval
    assert Disclosure.objects.get(topic="inspection_matters").status == "in_review"
