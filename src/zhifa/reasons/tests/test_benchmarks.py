"""Discretion benchmarks: versions, Excel, band boundaries, the suggestion, similar
cases (INF-03)."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.catalogues.benchmarks import (
    EXCEL_HEADERS,
    band_suggest,
    benchmark_create,
    benchmark_export_rows,
    benchmark_import_excel,
    benchmark_in_force,
)
from zhifa.catalogues.models import DiscretionBenchmark
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.core.excel import workbook_bytes
from zhifa.ledger.models import LedgerEntry

from .conftest import FOOD_BANDS, FOOD_FACTORS

pytestmark = [pytest.mark.req("INF-03"), pytest.mark.django_db]


@pytest.mark.parametrize(
    ("involved", "band"),
    [
        ("0", "minor"),
        ("1999.99", "minor"),
        ("2000", "ordinary"),
        ("4999.99", "ordinary"),
        ("5000", "grave"),
        ("9999.99", "grave"),
    ],
)
def test_band_boundaries_include_the_lower_bound_and_exclude_the_upper(bench, involved, band):
    s = band_suggest(bench, amount_involved=involved)
    assert s.band == band
    expected = next(b for b in FOOD_BANDS if b["band"] == band)
    assert (s.min_amount, s.max_amount) == (expected["min_amount"], expected["max_amount"])


def test_factors_move_the_band_and_reducing_opens_below_the_minimum(bench):
    assert band_suggest(bench, amount_involved="3000", effects=["aggravating"]).band == "grave"
    assert band_suggest(bench, amount_involved="3000", effects=["mitigating"]).band == "minor"
    assert (
        band_suggest(bench, amount_involved="3000", effects=["mitigating", "aggravating"]).band
        == "ordinary"
    )
    top = band_suggest(bench, amount_involved="9000", effects=["aggravating"])
    assert top.band == "grave"  # no band above the top one
    reduced = band_suggest(bench, amount_involved="500", effects=["reducing"])
    assert reduced.below_minimum_allowed and reduced.max_amount == Decimal("50000")
    assert band_suggest(bench, effects=["exempting"]).exempt
    assert band_suggest(bench).band == "ordinary"  # no facts: the ordinary band


def test_a_new_version_retires_the_old_one(bench, county, team):
    newer = benchmark_create(
        actor=county.market_admin,
        agency=county.market,
        matter=team.matter,
        violation_code=bench.violation_code,
        violation=bench.violation,
        penalty_citation=bench.penalty_citation,
        statutory_min=50000,
        statutory_max=100000,
        version="2026版",
        effective_on=date(2026, 1, 1),
        bands=FOOD_BANDS,
    )
    bench.refresh_from_db()
    assert bench.retired_on == date(2026, 1, 1)
    assert (
        benchmark_in_force(agency=county.market, on=date(2025, 6, 1), matter=team.matter) == bench
    )
    assert (
        benchmark_in_force(agency=county.market, on=date(2026, 6, 1), matter=team.matter) == newer
    )


def test_bad_benchmarks_and_outsiders_change_nothing(bench, county, team):
    rows, entries = DiscretionBenchmark.objects.count(), LedgerEntry.objects.count()
    common = dict(
        agency=county.market,
        violation_code="X",
        violation="某违法行为",
        penalty_citation="《某法》第一条",
        statutory_min=1000,
        statutory_max=5000,
        version="1",
        effective_on=date(2026, 1, 1),
    )
    band = {"band": "ordinary", "conditions": "一般情形", "min_amount": 1000, "max_amount": 5000}
    with pytest.raises(InvalidInput):  # a band outside the statutory range
        benchmark_create(actor=county.market_admin, **common, bands=[{**band, "max_amount": 6000}])
    with pytest.raises(InvalidInput):
        benchmark_create(actor=county.market_admin, **common, bands=[])
    with pytest.raises(Forbidden):  # another agency's administrator
        benchmark_create(actor=county.safety_admin, **common, bands=[band])
    with pytest.raises(Forbidden):
        benchmark_create(actor=team.lead, **common, bands=[band])
    assert (DiscretionBenchmark.objects.count(), LedgerEntry.objects.count()) == (rows, entries)


def test_excel_round_trip(bench, county):
    data = workbook_bytes(
        title="裁量基准", headers=EXCEL_HEADERS, rows=list(benchmark_export_rows([bench]))
    )
    rows = list(benchmark_export_rows([bench]))
    assert len(rows) == len(FOOD_BANDS) + len(FOOD_FACTORS)
    # Import the same layout as a new version in the other agency.
    renamed = workbook_bytes(
        title="裁量基准", headers=EXCEL_HEADERS, rows=[(*r[:7], "2026版", *r[8:]) for r in rows]
    )
    made = benchmark_import_excel(actor=county.safety_admin, agency=county.safety, data=renamed)
    assert len(made) == 1 and made[0].bands.count() == 3 and made[0].factors.count() == 3
    with pytest.raises(Conflict):  # the same version again
        benchmark_import_excel(actor=county.market_admin, agency=county.market, data=data)
    broken = workbook_bytes(
        title="x", headers=EXCEL_HEADERS, rows=[(*rows[0][:9], "很重", *rows[0][10:])]
    )
    with pytest.raises(InvalidInput):
        benchmark_import_excel(actor=county.market_admin, agency=county.market, data=broken)


def test_the_assistant_suggests_and_pushes_similar_decisions(team, library, bench, build):
    from rest_framework.test import APIClient

    from zhifa.cases.models import Stage
    from zhifa.cases.testing import add, advance_to, open_case
    from zhifa.reasons.similar import similar_decisions, tokens

    assert "张三" in tokens("示范县市场监督管理局对张三作出罚款")  # bigrams find names
    assert "罚款" in tokens("示范县市场监督管理局对张三作出罚款")

    def decided(title, facts):
        case = advance_to(team, open_case(team, title=title), Stage.DECISION)
        add(team, case, "decision", content={"facts": facts})
        return case

    milk = decided("甲超市销售过期牛奶案", "当事人销售超过保质期的牛奶20盒")
    decided("乙超市销售过期面包案", "当事人销售超过保质期的面包")
    decided("丙公司无证经营案", "当事人未取得许可从事餐饮服务")
    current = decided("丁超市销售过期牛奶案", "当事人销售超过保质期的牛奶12盒")
    from zhifa.ledger.models import LedgerEntry

    last = LedgerEntry.objects.order_by("-seq").first().seq
    found = similar_decisions(current, actor=team.lead)
    assert found[0].case == milk and all(s.same_matter for s in found)
    # Each case shown is a look at that case, on record.
    looked = LedgerEntry.objects.filter(seq__gt=last, action="case.view")
    assert {e.payload["number"] for e in looked} == {s.case.number for s in found}
    # Someone not handling those cases is shown none of them.
    stranger = build.officer(team.agency, name="本局其他执法员")
    assert similar_decisions(current, actor=stranger.user) == []
    api = APIClient()
    api.force_authenticate(team.lead)
    body = api.get(f"/api/v1/reasons/assist/?case={current.pk}&amount_involved=3000").json()
    assert body["suggestion"]["band"] == "ordinary"
    assert body["similar"][0]["number"] == milk.number


def test_the_demo_seeds_a_benchmark_per_known_penalty_matter_once(team, sysadmin):
    from zhifa.reasons.demo import reasons_demo

    first = reasons_demo(actor=sysadmin)
    assert first["laws"] == 7 and first["benchmarks"] == 1
    bench = DiscretionBenchmark.objects.get(matter=team.matter)
    assert band_suggest(bench, amount_involved="1000").band == "minor"
    assert reasons_demo(actor=sysadmin) == {"laws": 0, "benchmarks": 0, "skipped": []}
