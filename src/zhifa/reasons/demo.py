"""Demo data for reasons: the provisions library and a discretion benchmark for
each demo agency's penalty matters whose statutory range is known here.

``reasons_demo(actor=sysadmin)`` is idempotent; the integrator calls it from
``zhifa.core.demo`` after the agencies and their matters exist (and before
the demo cases, so their decisions can cite the library).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from zhifa.catalogues.benchmarks import benchmark_create
from zhifa.catalogues.models import ActionKind, DiscretionBenchmark, Matter
from zhifa.catalogues.provisions import legal_bases_seed

EFFECTIVE = date(2024, 1, 1)
FACTORS = [
    {
        "effect": "mitigating",
        "description": "主动消除或者减轻违法行为危害后果",
        "citation": "《中华人民共和国行政处罚法》第三十二条第一款第（一）项",
    },
    {
        "effect": "reducing",
        "description": "配合行政机关查处违法行为有立功表现",
        "citation": "《中华人民共和国行政处罚法》第三十二条第一款第（四）项",
    },
    {"effect": "aggravating", "description": "一年内因同一违法行为受过行政处罚"},
    {
        "effect": "exempting",
        "description": "初次违法且危害后果轻微并及时改正",
        "citation": "《中华人民共和国行政处罚法》第三十三条第一款",
    },
]


def _bands(lo: int, hi: int, split: list[int], unit: str) -> list[dict]:
    """Three bands over [lo, hi] cut at 30 % and 70 %, by amount involved at ``split``."""
    a, b = lo + (hi - lo) * 3 // 10, lo + (hi - lo) * 7 // 10
    first, second = split
    return [
        {
            "band": "minor",
            "conditions": f"{unit}不足{first}，初次违法，及时改正",
            "min_amount": lo,
            "max_amount": a,
            "amount_below": first,
        },
        {
            "band": "ordinary",
            "conditions": f"{unit}{first}以上不足{second}",
            "min_amount": a,
            "max_amount": b,
            "amount_from": first,
            "amount_below": second,
        },
        {
            "band": "grave",
            "conditions": f"{unit}{second}以上，或者造成危害后果",
            "min_amount": b,
            "max_amount": hi,
            "amount_from": second,
        },
    ]


@dataclass(frozen=True)
class Known:
    """A penalty provision whose fine range (for the demo's typical case) is stated by law."""

    violation: str
    penalty_citation: str
    basis_citation: str
    kinds: str
    lo: int
    hi: int
    split: list[int] = field(default_factory=lambda: [2000, 5000])
    unit: str = "货值金额（元）"


KNOWN = {
    "《中华人民共和国食品安全法》第一百二十四条": Known(
        "经营超过保质期的食品（货值不足一万元）",
        "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "《中华人民共和国食品安全法》第三十四条第一款第（十）项",
        "没收违法所得、没收违法经营的食品、罚款、吊销许可证",
        50000,
        100000,
    ),
    "《中华人民共和国安全生产法》第九十七条": Known(
        "未按照规定对从业人员进行安全生产教育和培训",
        "《中华人民共和国安全生产法》第九十七条第一款第（三）项",
        "《中华人民共和国安全生产法》第二十八条第一款",
        "责令限期改正、罚款、责令停产停业整顿",
        0,
        100000,
        [4, 10],
        "未培训人数（人）",
    ),
}


def reasons_demo(*, actor) -> dict:
    """Seed the library and one benchmark per penalty matter with a known range."""
    made = legal_bases_seed(actor=actor)
    benchmarks, skipped = 0, []
    for matter in Matter.objects.filter(action_kind=ActionKind.PENALTY).select_related("agency"):
        known = KNOWN.get(matter.legal_basis.strip())
        if known is None:
            skipped.append(f"{matter.agency.name}：{matter.name}（{matter.legal_basis}）")
            continue
        code = f"{matter.code}-1"
        if DiscretionBenchmark.objects.filter(agency=matter.agency, violation_code=code).exists():
            continue
        benchmark_create(
            actor=actor,
            agency=matter.agency,
            matter=matter,
            violation_code=code,
            violation=known.violation,
            basis_citation=known.basis_citation,
            penalty_citation=known.penalty_citation,
            penalty_kinds=known.kinds,
            statutory_min=known.lo,
            statutory_max=known.hi,
            version="2024版",
            effective_on=EFFECTIVE,
            bands=_bands(known.lo, known.hi, known.split, known.unit),
            factors=FACTORS,
        )
        benchmarks += 1
    return {"laws": len(made), "benchmarks": benchmarks, "skipped": skipped}
