"""Workbench pages of the reasons, the library and the benchmarks."""

import pytest

from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.excel import workbook_bytes
from zhifa.ledger.models import LedgerEntry
from zhifa.reasons.models import Reasons
from zhifa.reasons.testing import PROHIBITION

pytestmark = pytest.mark.django_db


def _post_data(case, bench):
    data = {
        "facts-TOTAL_FORMS": "1",
        "facts-INITIAL_FORMS": "0",
        "facts-0-id": "F1",
        "facts-0-text": "当事人销售超过保质期的牛奶12盒，货值960元",
        "facts-0-evidence": "E1",
        "evidence-TOTAL_FORMS": "1",
        "evidence-INITIAL_FORMS": "0",
        "evidence-0-id": "E1",
        "evidence-0-name": "现场检查笔录",
        "evidence-0-source": "officer",
        "evidence-0-legality": "依法制作程序合法",
        "evidence-0-relevance": "记载涉案食品",
        "evidence-0-authenticity": "当事人签字确认",
        "evidence-0-probative_force": "直接证明违法事实",
        "evidence-0-adopted": "yes",
        "provisions-TOTAL_FORMS": "1",
        "provisions-INITIAL_FORMS": "0",
        "provisions-0-citation": PROHIBITION,
        "provisions-0-quoted_text": "",
        "provisions-0-why": "当事人经营超过保质期的食品，属于该项禁止经营的情形",
        "points-TOTAL_FORMS": "1",
        "points-INITIAL_FORMS": "0",
        "points-0-source": "statement",
        "points-0-content": "",
        "points-0-answer": "pending",
        "discretion-benchmark": str(bench.pk),
        "discretion-band": "minor",
        "discretion-amount_involved": "960",
        "discretion-factors": "从轻：主动下架涉案食品",
        "discretion-reasons": "当事人初次违法，主动下架涉案食品，在轻微阶次内从轻处罚",
        "discretion-amount": "55000",
        "discretion-out_of_range_reason": "",
    }
    return data


@pytest.mark.req("RSN-01")
def test_the_workbench_form_saves_a_version_and_shows_the_findings(
    team, library, bench, client_for
):
    case = advance_to(team, open_case(team), Stage.DECISION)
    add(team, case, "decision", content={"fine_amount": "55000.00", "conclusion": "罚款55000元"})
    client = client_for(team.lead)
    assert client.get(f"/workbench/cases/{case.pk}/reasons/edit/").status_code == 200
    response = client.post(f"/workbench/cases/{case.pk}/reasons/edit/", _post_data(case, bench))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = Reasons.objects.get(case=case)
    # The quoted text was filled from the library, the factor line parsed.
    assert version.content["provisions"][0]["quoted_text"].startswith("（十）")
    assert version.content["discretion"]["factors"] == [
        {"effect": "mitigating", "description": "主动下架涉案食品"}
    ]
    page = client.get(f"/workbench/cases/{case.pk}/reasons/").content.decode()
    assert "未发现问题" in page or "阻断性问题" not in page
    assert "建议阶次" in page
    assert LedgerEntry.objects.filter(action="case.view", object_id=str(case.pk)).exists()
    # A bad factor line keeps the input and saves nothing.
    bad = {**_post_data(case, bench), "discretion-factors": "很轻：乱写"}
    response = client.post(f"/workbench/cases/{case.pk}/reasons/edit/", bad)
    assert response.status_code == 200 and "很轻：乱写" in response.content.decode()
    assert Reasons.objects.filter(case=case).count() == 1


def test_outsiders_get_404_and_non_handlers_403(team, build, county, client_for):
    from zhifa.cases.testing import team as make_team

    case = open_case(team)
    outsider = client_for(make_team(build, county.safety).lead)
    assert outsider.get(f"/workbench/cases/{case.pk}/reasons/").status_code == 404
    leader = client_for(team.leader)
    assert leader.get(f"/workbench/cases/{case.pk}/reasons/").status_code == 200
    assert leader.get(f"/workbench/cases/{case.pk}/reasons/edit/").status_code == 403


@pytest.mark.req("RSN-05")
def test_request_pages(team, client_for):
    case = open_case(team)
    client = client_for(team.lead)
    response = client.post(
        f"/workbench/cases/{case.pk}/reasons/requests/new/",
        {
            "requester": "张三",
            "channel": "workbench",
            "content": "请说明理由",
            "requested_on": case.started_on.isoformat(),
        },
    )
    assert response.status_code == 302
    listing = client.get("/workbench/reasons/requests/").content.decode()
    assert case.number in listing and "待答复" in listing


@pytest.mark.req("INF-03")
def test_library_and_benchmark_pages(sysadmin, library, bench, county, client_for):
    client = client_for(sysadmin)
    assert "行政处罚法" in client.get("/workbench/legal-bases/").content.decode()
    basis = library[1]
    page = client.get(
        f"/workbench/legal-bases/{basis.pk}/", {"citation": "《行政处罚法》第32条第1款第1项"}
    ).content.decode()
    assert "主动消除或者减轻违法行为危害后果的" in page
    admin = client_for(county.market_admin)
    assert bench.violation in admin.get("/workbench/benchmarks/").content.decode()
    exported = admin.get("/workbench/benchmarks/?export=published")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    from zhifa.catalogues.benchmarks import EXPORT_HEADERS, benchmark_export_rows

    rows = [(*r[:7], "2027版", *r[8:]) for r in benchmark_export_rows([bench])]
    upload = workbook_bytes(title="x", headers=EXPORT_HEADERS, rows=rows)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin.post(
        "/workbench/benchmarks/import/", {"file": SimpleUploadedFile("b.xlsx", upload)}
    )
    assert response.status_code == 302
