"""REST doors of the library, the benchmarks and the requests (RSN-01, RSN-05, RSN-06, INF-03)."""

import io

import pytest
from openpyxl import Workbook
from rest_framework.test import APIClient

from zhifa.cases.testing import open_case
from zhifa.catalogues.models import LegalBasis
from zhifa.catalogues.provisions import EXCEL_HEADERS, citation_resolve, legal_basis_import_excel
from zhifa.ledger.models import LedgerEntry

from .conftest import FOOD_BANDS

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.req("RSN-01")
def test_resolve_and_import_through_the_api(library, sysadmin, team):
    api = client_of(team.lead)
    body = api.get(
        "/api/v1/legal-bases/resolve/",
        {"citation": "《行政处罚法》第三十二条第（一）项", "on": "2026-03-05"},
    ).json()
    assert body["ok"] and body["provision"]["text"].startswith("（一）主动消除")
    gone = api.get("/api/v1/legal-bases/resolve/", {"citation": "《食品卫生法》第一条"}).json()
    assert gone["problem"] == "not_in_force"
    refused = api.post(
        "/api/v1/legal-bases/",
        {
            "name": "某条例",
            "level": "rule",
            "version": "1",
            "effective_on": "2026-01-01",
            "text": "第一条　内容。",
        },
        format="json",
    )
    assert refused.status_code == 403
    made = client_of(sysadmin).post(
        "/api/v1/legal-bases/",
        {
            "name": "某条例",
            "level": "rule",
            "version": "1",
            "effective_on": "2026-01-01",
            "text": "第一条　内容。\n第二条　其他内容：\n（一）甲；\n（二）乙。",
        },
        format="json",
    )
    assert made.status_code == 201
    detail = api.get(f"/api/v1/legal-bases/{made.json()['id']}/").json()
    assert [p["place"] for p in detail["provisions"]][-1] == "第二条第一款第（二）项"


@pytest.mark.req("RSN-01")
def test_excel_import_of_a_law(sysadmin):
    book = Workbook()
    sheet = book.active
    sheet.append(EXCEL_HEADERS)
    sheet.append(
        ["某某办法", "", "规章", "2022年", "2022-05-01", None, "第一条", "为了规范，制定本办法。"]
    )
    sheet.append(
        [
            "某某办法",
            "",
            "规章",
            "2022年",
            "2022-05-01",
            None,
            "第一条之一",
            "有下列情形的，从轻：\n（一）初犯的；\n（二）主动改正的。",
        ]
    )
    raw = io.BytesIO()
    book.save(raw)
    [basis] = legal_basis_import_excel(actor=sysadmin, data=raw.getvalue())
    assert basis.level == LegalBasis.Level.RULE
    found = citation_resolve("《某某办法》第一条之一第一款第（二）项", basis.effective_on)
    assert found.ok and found.provision.text == "（二）主动改正的。"


@pytest.mark.req("INF-03")
def test_benchmarks_through_the_api(county, team):
    api = client_of(county.market_admin)
    made = api.post(
        "/api/v1/benchmarks/",
        {
            "violation_code": "V1",
            "violation": "某违法行为",
            "penalty_citation": "《某法》第一条",
            "statutory_min": "50000",
            "statutory_max": "100000",
            "version": "1",
            "effective_on": "2026-01-01",
            "bands": FOOD_BANDS,
            "factors": [],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["agency"] == county.market.pk
    assert (
        client_of(county.safety_admin).get(f"/api/v1/benchmarks/{made.json()['id']}/").status_code
        == 404
    )
    assert api.get("/api/v1/benchmarks/export/").status_code == 200


@pytest.mark.req("RSN-05")
@pytest.mark.req("RSN-06")
def test_requests_and_exemptions_through_the_api(team):
    from zhifa.cases.models import Stage
    from zhifa.cases.testing import advance_to

    case = advance_to(team, open_case(team), Stage.DECISION)
    before = LedgerEntry.objects.filter(action__startswith="reasons.").count()
    api = client_of(team.lead)
    made = api.post(
        "/api/v1/reasons-requests/",
        {"case": case.pk, "requester": "张三", "content": "请说明理由", "channel": "workbench"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    answered = api.post(
        f"/api/v1/reasons-requests/{made.json()['id']}/answer/",
        {"answer": "本案罚款数额依据裁量基准轻微阶次确定"},
        format="json",
    )
    assert answered.status_code == 200 and answered.json()["answered_on"]
    assert "说理〔" in answered.json()["instrument_number"]
    exemption = api.post(
        "/api/v1/reasons-exemptions/",
        {"case": case.pk, "ground": "favourable", "explanation": "决定不予处罚，有利于当事人"},
        format="json",
    )
    assert exemption.status_code == 201
    objected = api.post(
        f"/api/v1/reasons-exemptions/{exemption.json()['id']}/objection/",
        {"objector": "李四", "objection": "认为应当处罚"},
        format="json",
    )
    assert objected.status_code == 200 and objected.json()["cancelled_at"]
    assert LedgerEntry.objects.filter(action__startswith="reasons.").count() == before + 4


@pytest.mark.req("REC-12")
def test_every_api_read_is_logged_as_a_look_at_its_case(team, build, county):
    from zhifa.cases.models import Stage
    from zhifa.cases.testing import advance_to
    from zhifa.reasons.services import reasons_save
    from zhifa.reasons.testing import library, valid_content

    case = advance_to(team, open_case(team), Stage.DECISION)
    library(team.sysadmin)
    version = reasons_save(actor=team.lead, case=case, content=valid_content(case), note="")
    api = client_of(team.lead)
    request = api.post(
        "/api/v1/reasons-requests/",
        {"case": case.pk, "requester": "张三", "content": "请说明理由", "channel": "workbench"},
        format="json",
    ).json()
    exemption = api.post(
        "/api/v1/reasons-exemptions/",
        {"case": case.pk, "ground": "favourable", "explanation": "决定不予处罚，有利于当事人"},
        format="json",
    ).json()
    reads = [
        ("/api/v1/reasons/", "reasons"),
        (f"/api/v1/reasons/{version.pk}/", f"reasons:{version.pk}"),
        (f"/api/v1/reasons/{version.pk}/check/", f"reasons:{version.pk}:check"),
        (f"/api/v1/reasons/assist/?case={case.pk}", "reasons:assist"),
        ("/api/v1/reasons-requests/", "reasons_request"),
        (f"/api/v1/reasons-requests/{request['id']}/", f"reasons_request:{request['id']}"),
        ("/api/v1/reasons-exemptions/", "reasons_exemption"),
        (
            f"/api/v1/reasons-exemptions/{exemption['id']}/",
            f"reasons_exemption:{exemption['id']}",
        ),
    ]
    for url, what in reads:
        last = LedgerEntry.objects.order_by("-seq").first().seq
        assert api.get(url).status_code == 200, url
        [entry] = LedgerEntry.objects.filter(seq__gt=last)
        assert (entry.action, entry.payload) == ("case.view", {"number": case.number, "what": what})
    # Another agency's officer sees empty lists, gets 404 on the items, and leaves no look.
    outsider = client_of(build.officer(county.safety, name="他局执法员").user)
    last = LedgerEntry.objects.order_by("-seq").first().seq
    assert outsider.get("/api/v1/reasons/").json()["count"] == 0
    assert outsider.get(f"/api/v1/reasons/{version.pk}/").status_code == 404
    assert not LedgerEntry.objects.filter(seq__gt=last).exists()
