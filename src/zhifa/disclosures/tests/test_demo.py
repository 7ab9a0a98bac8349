from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.disclosures import selectors
from zhifa.disclosures.demo import disclosures_demo
from zhifa.disclosures.models import Disclosure

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_the_agencys_decisions_and_guides(build, county, calendar_2026):
    t = make_team(build, county.market)
    case = open_case(t, started_on=timezone.localdate() - timedelta(days=2))
    advance_to(t, case, Stage.EXECUTION)
    made = disclosures_demo(county.market)
    assert {d.kind for d in made} == {"ex_ante", "decision"}
    assert selectors.published_decisions().count() == 1
    assert Disclosure.objects.filter(kind="ex_ante", status="published").count() == 2
    assert disclosures_demo(county.safety) == []  # no legal reviewer there
