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
    window = county.market.windows.get()  # PUB-05: one window for its board
    assert window.staff.count() == 2 and window.supervision_phone


@pytest.mark.req("PUB-06")
def test_the_demo_portal_has_inspection_results(build, county, calendar_2026, client):
    from django.urls import reverse

    from zhifa.accounts.models import Role
    from zhifa.inspections.demo import inspections_demo
    from zhifa.inspections.models import Inspection

    for _ in range(4):
        build.officer(county.market, unit=county.market_unit)
    build.officer(county.market, roles=(Role.REVIEWER,), credential=False)
    # The reviewer approves the results, which prepares their public versions: a
    # second member of the legal unit publishes them (PUB-13).
    build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    inspections_demo(county.market, county.market_admin)
    disclosures_demo(county.market)
    results = selectors.published_inspection_results()
    assert results.count() == 3
    assert Inspection.objects.filter(status="published").count() == 3
    page = client.get(reverse("portal:inspection-result-list")).content.decode()
    assert all(item.party_name in page for item in results)
    assert "种子承诺值" in client.get(reverse("portal:draw-list")).content.decode()
    page = client.get(reverse("portal:agency-detail", args=[county.market.pk])).content.decode()
    assert "随机抽查事项清单" in page and "食品经营者经营行为的检查" in page
