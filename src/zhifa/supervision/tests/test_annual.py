"""PUB-11: the annual statistics report's figures equal the case data, as PDF
(text read back with pdftotext) and XLSX, from the command line and the workbench."""

import subprocess
from collections import Counter
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zhifa.accounts.models import Agency
from zhifa.cases.testing import add
from zhifa.catalogues.models import ActionKind
from zhifa.supervision import annual
from zhifa.supervision.stats import annual_stats
from zhifa.supervision.testing import decide, decided_case

pytestmark = pytest.mark.req("PUB-11")
YEAR = timezone.localdate().year

# Phrases a decision's conclusion may hold, and the penalty kind each names.
PHRASES = {
    "warning": "给予警告",
    "confiscate_gains": "没收违法所得",
    "suspend_business": "责令停产停业三个月",
    "revoke_licence": "吊销食品经营许可证",
}

case_spec = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([ActionKind.PENALTY, ActionKind.LICENSING]),
        "fine": st.sampled_from(["", "0.00", "150.00", "2000.50", "98765.43"]),
        "phrases": st.sets(st.sampled_from(sorted(PHRASES)), max_size=2),
        "hearing": st.booleans(),
        "corrected_fine": st.none() | st.sampled_from(["300.00", "0.00"]),
        "remedy": st.none()
        | st.sampled_from(
            [
                ("reconsideration", "revoked"),
                ("reconsideration", "pending"),
                ("litigation", "upheld"),
                ("litigation", "confirmed_illegal"),
                ("self_correction", "varied"),
            ]
        ),
    }
)


def record_remedy(t, case, channel: str, outcome: str):
    from zhifa.remedies.services import remedy_record

    today = timezone.localdate()
    external = channel != "self_correction"
    return remedy_record(
        actor=t.reviewer,
        case=case,
        channel=channel,
        outcome=outcome,
        instance="first" if channel == "litigation" else "",
        body="示范县人民政府" if external else "",
        document_number="示政复决〔2026〕1号" if outcome != "pending" else "",
        filed_on=today if external else None,
        decided_on=None if outcome == "pending" else today,
    )


def expected_kinds(spec, fine: Decimal) -> set[str]:
    kinds = set(spec["phrases"])
    if fine > 0:
        kinds.add("fine")
    return kinds or {"other"}


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(case_spec, min_size=1, max_size=3))
def test_the_totals_equal_the_case_data(market, specs):
    with transaction.atomic():
        expected_started, expected_decided = Counter(), Counter()
        expected_fines = Counter()
        expected_penalties = Counter()
        hearings = corrected = 0
        remedies = {c: Counter() for c in ("reconsideration", "litigation", "self_correction")}
        for spec in specs:
            conclusion = "，".join(PHRASES[p] for p in sorted(spec["phrases"])) or "准予许可。"
            case, record = decided_case(
                market, kind=spec["kind"], fine=spec["fine"], conclusion=conclusion
            )
            fine = Decimal(spec["fine"] or "0")
            if spec["corrected_fine"] is not None:
                decide(
                    market,
                    case,
                    fine=spec["corrected_fine"],
                    conclusion=conclusion,
                    supersedes=record,
                )
                fine = Decimal(spec["corrected_fine"])
                corrected += 1
            if spec["hearing"]:
                add(market, case, "hearing_application")
                hearings += 1
            if spec["remedy"] is not None:
                channel, outcome = spec["remedy"]
                record_remedy(market, case, channel, outcome)
                if channel != "self_correction":
                    remedies[channel]["filed"] += 1
                if outcome != "pending":
                    remedies[channel]["decided"] += 1
                    remedies[channel][outcome] += 1
            expected_started[spec["kind"]] += 1
            expected_decided[spec["kind"]] += 1
            expected_fines[spec["kind"]] += fine
            if spec["kind"] == ActionKind.PENALTY:
                expected_penalties.update(expected_kinds(spec, fine))

        stats = annual_stats(Agency.objects.filter(pk=market.agency.pk), YEAR, title="测试年报")
        rows = {r.kind: r for r in stats.by_kind}
        for kind, _label in ActionKind.choices:
            assert rows[kind].started == expected_started[kind]
            assert rows[kind].decided == expected_decided[kind]
            assert rows[kind].fine_total == expected_fines[kind]
            assert rows[kind].closed == 0
        assert stats.totals.decided == len(specs)
        assert {code: n for code, _l, n in stats.penalty_kinds} == dict(expected_penalties)
        assert stats.hearings_requested == hearings
        assert stats.corrected_decisions == corrected
        assert stats.remedies == remedies
        assert sum(stats.by_month) == len(specs)
        assert stats.by_month[timezone.localdate().month - 1] == len(specs)
        # Another year holds none of it.
        other = annual_stats(Agency.objects.filter(pk=market.agency.pk), YEAR - 1, title="x")
        assert other.totals.decided == 0 and other.totals.started == 0
        transaction.set_rollback(True)


def test_only_the_agencys_own_cases_count(market, safety):
    decided_case(market, fine="100.00")
    decided_case(safety, fine="700.00")
    stats = annual_stats(Agency.objects.filter(pk=safety.agency.pk), YEAR, title="t")
    assert stats.totals.decided == 1 and stats.totals.fine_total == Decimal("700.00")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_the_pdf_and_the_workbook_show_the_figures(market, tmp_path):
    case, _ = decided_case(market, fine="2345.67", conclusion="给予警告，并处罚款。")
    record_remedy(market, case, "reconsideration", "revoked")
    stats = annual_stats(Agency.objects.filter(pk=market.agency.pk), YEAR, title="示范县年报")
    text = pdf_text(annual.render_pdf(stats), tmp_path)
    for expected in ("示范县年报", "行政处罚", "行政许可", "2,345.67", "警告、通报批评", "听证"):
        assert expected in text
    assert "四、行政复议、行政诉讼与自行纠正" in text and "自行纠正" in text

    book = load_workbook(BytesIO(annual.render_xlsx(stats)))
    sheet = book["按执法类别"]
    penalty = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "行政处罚")
    assert penalty[2] == 1 and penalty[5] == pytest.approx(2345.67)
    remedies = {r[0]: r for r in book["复议诉讼纠错"].iter_rows(values_only=True)}
    # 渠道, 新收, 审结, 维持, 驳回, 撤销, …
    assert remedies["行政复议"][:6] == ("行政复议", 1, 1, 0, 0, 1)
    assert remedies["行政诉讼"][1:3] == (0, 0)
    assert {r[0] for r in book["处罚种类"].iter_rows(values_only=True)} >= {
        "罚款",
        "警告、通报批评",
    }


def test_the_command_writes_both_files(market, county, tmp_path):
    decided_case(market, fine="100.00")
    tmp_path = tmp_path / "out"
    call_command(
        "report",
        "annual",
        "--agency",
        str(county.market.pk),
        "--year",
        str(YEAR),
        "--out",
        str(tmp_path),
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        f"{county.market.name} {YEAR}年度行政执法统计年报.pdf",
        f"{county.market.name} {YEAR}年度行政执法统计年报.xlsx",
    ]


def test_the_command_for_the_bureau_writes_the_region_report(market, safety, county, tmp_path):
    decided_case(market, fine="100.00")
    decided_case(safety, fine="200.00")
    tmp_path = tmp_path / "out"
    call_command(
        "report",
        "annual",
        "--agency",
        str(county.bureau.pk),
        "--year",
        str(YEAR),
        "--out",
        str(tmp_path),
        "--format",
        "pdf",
    )
    (path,) = tmp_path.iterdir()
    text = pdf_text(path.read_bytes(), tmp_path.parent)
    assert "全区域" in text and county.market.name in text and county.safety.name in text
    assert "300.00" in text


def test_the_command_refuses_an_unknown_agency(db, tmp_path):
    with pytest.raises(CommandError, match="找不到"):
        call_command("report", "annual", "--agency", "91999999MA0000000X", "--year", "2026")


def test_the_workbench_button_returns_the_documents(market, county, client_for):
    decided_case(market, fine="100.00")
    client = client_for(county.supervisor)
    page = client.get("/workbench/supervision/annual/", {"year": YEAR})
    assert page.status_code == 200 and "生成 PDF" in page.content.decode()
    pdf = client.get(
        "/workbench/supervision/annual/",
        {"year": YEAR, "agency": county.market.pk, "format": "pdf"},
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/workbench/supervision/annual/", {"year": YEAR, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert load_workbook(BytesIO(xlsx.content))["各执法主体"].max_row == 3


def test_the_workbench_report_is_scoped(market, safety, county, client_for):
    client = client_for(market.leader)
    assert client.get("/workbench/supervision/annual/", {"year": YEAR}).status_code == 200
    refused = client.get("/workbench/supervision/annual/", {"agency": county.safety.pk})
    assert refused.status_code == 404
    client = client_for(market.officers[0].user)
    assert client.get("/workbench/supervision/annual/").status_code == 404
