"""The REST door: list, read, issue and download instruments (REC-07, REC-12)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.services import number_pattern_set
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.req("REC-07")
def test_issue_read_and_download_through_the_api(team, county, build):
    number_pattern_set(
        actor=county.market_admin,
        agency=team.agency,
        kind=Kind.DECISION,
        pattern="{abbr}罚〔{year}〕{n:03d}号",
        abbr="示市监",
    )
    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    add(team, case, "decision")
    api = client_of(team.lead)

    forged = api.post(
        "/api/v1/instruments/",
        {"case": case.pk, "kind": "decision", "number": "示市监罚〔2026〕999号"},
        format="json",
    )
    assert forged.status_code == 400
    assert "不能由调用方指定" in forged.json()["number"][0]

    response = api.post(
        "/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    year = case.started_on.year
    assert body["number"] == f"示市监罚〔{year}〕001号"
    assert body["kind_display"] == "行政处罚决定书" and body["pages"] >= 1

    listed = api.get(f"/api/v1/instruments/?case={case.pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [body["id"]]
    assert api.get(f"/api/v1/instruments/{body['id']}/").json()["pdf_sha256"] == body["pdf_sha256"]

    download = api.get(f"/api/v1/instruments/{body['id']}/download/?file=pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert LedgerEntry.objects.filter(action="instrument.view", object_id=str(body["id"])).exists()
    assert api.get(f"/api/v1/instruments/{body['id']}/download/?file=exe").status_code == 400

    # Another agency's officer sees nothing and cannot issue in the case.
    other = make_team(build, county.safety)
    outsider = client_of(other.lead)
    assert outsider.get(f"/api/v1/instruments/{body['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/instruments/{body['id']}/download/").status_code == 404
    with override_settings(ZHIFA_SOFFICE="false"):
        refused = outsider.post(
            "/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json"
        )
    assert refused.status_code == 400  # the case is not one it may name
    assert Instrument.objects.count() == 1


def test_refusals_come_back_with_their_codes(team):
    case = open_case(team)
    api = client_of(team.lead)
    with override_settings(ZHIFA_SOFFICE="false"):
        response = api.post(
            "/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json"
        )
    assert response.status_code == 409 and response.json()["code"] == "wrong_stage"
    response = api.post(
        "/api/v1/instruments/",
        {"case": case.pk, "kind": "decision", "pages": 3},
        format="json",
    )
    assert response.status_code == 400 and "pages" in response.json()
