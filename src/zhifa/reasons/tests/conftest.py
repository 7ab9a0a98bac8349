import pytest

from zhifa.cases.testing import team as make_team
from zhifa.catalogues.provisions import legal_bases_seed
from zhifa.reasons import testing  # noqa: F401 — registers the advance_to step


@pytest.fixture
def library(sysadmin):
    return legal_bases_seed(actor=sysadmin)


@pytest.fixture
def team(build, county):
    return make_team(build, county.market)


FOOD_BANDS = [
    {
        "band": "minor",
        "conditions": "货值金额不足二千元，初次违法，及时改正",
        "min_amount": 50000,
        "max_amount": 65000,
        "amount_below": 2000,
    },
    {
        "band": "ordinary",
        "conditions": "货值金额二千元以上不足五千元",
        "min_amount": 65000,
        "max_amount": 85000,
        "amount_from": 2000,
        "amount_below": 5000,
    },
    {
        "band": "grave",
        "conditions": "货值金额五千元以上不足一万元，或者造成危害后果",
        "min_amount": 85000,
        "max_amount": 100000,
        "amount_from": 5000,
        "amount_below": 10000,
    },
]
FOOD_FACTORS = [
    {"effect": "mitigating", "description": "主动消除或者减轻违法行为危害后果"},
    {"effect": "reducing", "description": "配合查处有立功表现"},
    {"effect": "aggravating", "description": "一年内再次实施同一违法行为"},
]


@pytest.fixture
def bench(county, team):
    from datetime import date

    from zhifa.catalogues.benchmarks import benchmark_create

    return benchmark_create(
        actor=county.market_admin,
        agency=county.market,
        matter=team.matter,
        violation_code="SP-124-5",
        violation="经营超过保质期的食品（货值不足一万元）",
        basis_citation="《中华人民共和国食品安全法》第三十四条第一款第（十）项",
        penalty_citation="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        penalty_kinds="没收违法所得、没收违法经营的食品、罚款、吊销许可证",
        statutory_min=50000,
        statutory_max=100000,
        version="2024版",
        effective_on=date(2024, 1, 1),
        bands=FOOD_BANDS,
        factors=FOOD_FACTORS,
    )
