"""Discretion benchmarks: versions, Excel, band boundaries, the suggestion, similar
cases (INF-03)."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.catalogues.benchmarks import (
    EXCEL_HEADERS,
    EXPORT_HEADERS,
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
        title="裁量基准", headers=EXPORT_HEADERS, rows=list(benchmark_export_rows([bench]))
    )
    rows = list(benchmark_export_rows([bench]))
    assert len(rows) == len(FOOD_BANDS) + len(FOOD_FACTORS)
    # Import the same layout as a new version in the other agency.
    renamed = workbook_bytes(
        title="裁量基准", headers=EXPORT_HEADERS, rows=[(*r[:7], "2026版", *r[8:]) for r in rows]
    )
    made = benchmark_import_excel(actor=county.safety_admin, agency=county.safety, data=renamed)
    assert len(made) == 1 and made[0].bands.count() == 3 and made[0].factors.count() == 3
    with pytest.raises(Conflict):  # the same version again
        benchmark_import_excel(actor=county.market_admin, agency=county.market, data=data)
    broken = workbook_bytes(
        title="x", headers=EXPORT_HEADERS, rows=[(*rows[0][:9], "很重", *rows[0][10:])]
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


# --- Penalty kinds per band, and the versions' history ---------------------------------

KINDED_BANDS = [
    {**FOOD_BANDS[0], "penalty_kinds": "没收违法所得、罚款"},
    {**FOOD_BANDS[1], "penalty_kinds": "没收违法所得、没收违法经营的食品、罚款"},
    {**FOOD_BANDS[2], "penalty_kinds": "没收违法所得、没收违法经营的食品、罚款、吊销许可证"},
]


def _new_version(bench, county, version, **kw):
    spec = dict(
        actor=county.market_admin,
        agency=county.market,
        violation_code=bench.violation_code,
        violation=bench.violation,
        basis_citation=bench.basis_citation,
        penalty_citation=bench.penalty_citation,
        penalty_kinds=bench.penalty_kinds,
        statutory_min=50000,
        statutory_max=100000,
        version=version,
        effective_on=date(2026, 1, 1),
        bands=KINDED_BANDS,
        factors=FOOD_FACTORS,
    )
    spec.update(kw)
    return benchmark_create(**spec)


def test_penalty_kinds_per_band_round_trip_through_excel(bench, county):
    kinded = _new_version(bench, county, "2026版")
    minor = kinded.bands.get(band="minor")
    assert minor.penalty_kinds == "没收违法所得、罚款"
    rows = list(benchmark_export_rows([kinded]))
    assert rows[0][-1] == "没收违法所得、罚款"
    renamed = [(*r[:7], "2027版", *r[8:]) for r in rows]
    data = workbook_bytes(title="裁量基准", headers=EXPORT_HEADERS, rows=renamed)
    (again,) = benchmark_import_excel(actor=county.market_admin, agency=county.market, data=data)
    assert {b.band: b.penalty_kinds for b in again.bands.all()} == {
        b.band: b.penalty_kinds for b in kinded.bands.all()
    }
    # A file of the earlier layout (no per-band column) still imports.
    old = workbook_bytes(
        title="裁量基准",
        headers=EXCEL_HEADERS,
        rows=[(*r[:7], "2028版", *r[8:15]) for r in rows],
    )
    (plain,) = benchmark_import_excel(actor=county.market_admin, agency=county.market, data=old)
    assert set(plain.bands.values_list("penalty_kinds", flat=True)) == {""}


def test_a_band_kind_outside_the_benchmark_kinds_is_refused(bench, county):
    rows, entries = DiscretionBenchmark.objects.count(), LedgerEntry.objects.count()
    bad = [{**KINDED_BANDS[0], "penalty_kinds": "罚款、行政拘留"}, *KINDED_BANDS[1:]]
    with pytest.raises(InvalidInput) as refused:
        _new_version(bench, county, "2026版", bands=bad)
    assert "行政拘留" in refused.value.message
    assert (DiscretionBenchmark.objects.count(), LedgerEntry.objects.count()) == (rows, entries)


@pytest.mark.req("RSN-04")
def test_the_checker_finds_a_kind_outside_the_band(bench, county, library):
    from zhifa.reasons.checker import Context, check
    from zhifa.reasons.content import clean
    from zhifa.reasons.testing import PENALTY, quoted

    kinded = _new_version(bench, county, "2026版")
    content = clean(
        {
            "facts": [{"id": "F1", "text": "当事人销售过期牛奶12盒，货值960元", "evidence": []}],
            "provisions": [{"citation": PENALTY, "quoted_text": quoted(PENALTY), "why": "x"}],
            "discretion": {"benchmark": kinded.pk, "band": "minor", "amount": "55000"},
        }
    )

    def found(text):
        ctx = Context(
            on=date(2026, 3, 5),
            conclusion_amount=Decimal("55000"),
            conclusion_text=text,
            benchmark=kinded,
        )
        return [f for f in check(content, ctx) if f.code == "penalty_kind_outside"]

    assert found("没收违法所得，并处罚款55000元") == []
    outside = found("吊销许可证，并处罚款55000元")
    assert len(outside) == 1 and outside[0].blocking
    assert "轻微" in outside[0].place and "没收违法所得、罚款" in outside[0].message


def test_the_versions_page_lists_each_version_with_what_changed(bench, county, client_for):
    _new_version(
        bench,
        county,
        "2026版",
        statutory_max=120000,
        bands=[*KINDED_BANDS[:2], {**KINDED_BANDS[2], "max_amount": 120000}],
        factors=FOOD_FACTORS[:2],
    )
    admin = client_for(county.market_admin)
    listing = admin.get("/workbench/benchmarks/").content.decode()
    url = f"/workbench/benchmarks/{bench.pk}/versions/"
    assert url in listing
    page = admin.get(url).content.decode()
    assert "2024版" in page and "2026版" in page and "首个版本" in page
    assert "法定幅度：50000.00–100000.00元 → 50000.00–120000.00元" in page
    assert "处罚种类：没收违法所得、罚款" in page  # the band's kinds were added
    assert "删除情节" in page and "一年内再次实施同一违法行为" in page
    # Another agency's administrator does not see them.
    assert client_for(county.safety_admin).get(url).status_code == 404
