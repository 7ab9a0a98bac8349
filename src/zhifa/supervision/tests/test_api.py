"""SUP-01, SUP-05 through the API: the same figures and the same scope as the workbench."""

import pytest
from django.utils import timezone

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


@pytest.mark.req("SUP-03")
def test_the_assessment_api_keeps_the_scope(county, market, client_for):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county.supervisor)
    rows = api.get("/api/v1/supervision/assessment/", {"year": 2026}).json()
    assert {r["agency"] for r in rows} == {county.market.pk, county.safety.pk}
    assert {i["key"] for i in rows[0]["indicators"]} >= {"publication_on_time", "satisfaction"}
    assert api.get("/api/v1/supervision/assessment/").status_code == 400
    api.force_authenticate(market.leader)
    rows = api.get("/api/v1/supervision/assessment/", {"year": 2026}).json()
    assert [r["agency"] for r in rows] == [county.market.pk]
    api.force_authenticate(market.lead)
    assert api.get("/api/v1/supervision/assessment/", {"year": 2026}).status_code == 404


@pytest.mark.req("SUP-02")
def test_the_notice_api_replies_within_scope(county, market):
    from rest_framework.test import APIClient

    from zhifa.cases.models import Stage
    from zhifa.cases.testing import advance_to, open_case
    from zhifa.supervision import services
    from zhifa.supervision.testing import matter_of

    market.matter = matter_of(market, "licensing")
    advance_to(market, open_case(market, title="许可"), Stage.CLOSED)
    year = timezone.localdate().year
    evaluation = services.file_evaluation_commit(
        actor=county.supervisor, agency=county.market, year=year, size=1, beacon_source="开奖号码"
    )
    evaluation = services.file_evaluation_draw(
        actor=county.supervisor, evaluation=evaluation, beacon_value="1"
    )
    notice = services.notice_issue(actor=county.supervisor, evaluation=evaluation, content="补目录")
    api = APIClient()
    api.force_authenticate(county.safety_admin)
    assert api.get("/api/v1/supervision/notices/").json() == []
    assert (
        api.post(f"/api/v1/supervision/notices/{notice.pk}/reply/", {"reply": "x"}).status_code
        == 404
    )
    api.force_authenticate(market.leader)
    assert (
        api.post(f"/api/v1/supervision/notices/{notice.pk}/reply/", {"reply": ""}).status_code
        == 400
    )
    done = api.post(f"/api/v1/supervision/notices/{notice.pk}/reply/", {"reply": "已补齐"})
    assert done.status_code == 200 and done.json()["state"] == "replied"
    assert (
        api.post(f"/api/v1/supervision/notices/{notice.pk}/reply/", {"reply": "再"}).status_code
        == 409
    )
    api.force_authenticate(county.supervisor)
    assert len(api.get("/api/v1/supervision/filings/").json()) == 0
