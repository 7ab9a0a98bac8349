"""SUP-01, SUP-05 through the API: the same figures and the same scope as the workbench."""

import pytest

from zhifa.cases.testing import open_case
from zhifa.supervision.testing import matter_of

pytestmark = pytest.mark.req("SUP-01")
COUNTS = "/api/v1/supervision/watch-counts/"
FINDINGS = "/api/v1/supervision/findings/"


def test_the_counts_are_the_dashboards(county, market, client_for):
    open_case(market)
    client = client_for(county.supervisor)
    api = {row["key"]: row["count"] for row in client.get(COUNTS).json()}
    page = client.get("/workbench/supervision/")
    assert api == {c.item.key: c.count for c, _href in page.context["counts"]}
    one = client.get(COUNTS, {"agency": county.market.pk})
    assert one.status_code == 200


def test_the_api_keeps_the_scope(county, market, client_for):
    leader = client_for(market.leader)
    assert leader.get(COUNTS).status_code == 200
    assert leader.get(COUNTS, {"agency": county.safety.pk}).status_code == 404
    assert leader.get(FINDINGS, {"agency": county.safety.pk}).status_code == 404
    officer = client_for(market.lead)
    assert officer.get(COUNTS).status_code == 404
    assert officer.get(FINDINGS).status_code == 404


@pytest.mark.req("SUP-05")
def test_findings_name_their_cases(county, market, client_for, settings):
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.catalogues.workdays import workdays_add

    market.matter = matter_of(market, "penalty")
    horizon = workdays_add(timezone.localdate(), 2).date
    day = horizon
    while workdays_add(day, 90).date > horizon:
        day -= timedelta(days=1)
    case = open_case(market, started_on=day)
    rows = client_for(county.supervisor).get(FINDINGS).json()
    assert [r["case_ids"] for r in rows if r["kind"] == "near_limit"] == [[case.pk]]
