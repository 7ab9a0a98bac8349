"""The agency's earlier decisions like this one, for a uniform scale (INF-03).

First the decisions on the same matter (and, where the reasons name one, the
same benchmark violation), then the others ranked by BM25 over the facts.
Chinese text is indexed as rjieba words **and** overlapping character
bigrams: rjieba alone cuts 对张三 as 对张 / 三, so a word-only index misses
names, and bigrams alone rank two-character terms poorly (STACK-NOTES).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from zhifa.cases.models import Case, Record
from zhifa.cases.records import DECISION_KINDS
from zhifa.reasons.models import Reasons

try:  # pragma: no cover - rjieba is a dependency; the bigrams still work without it
    import rjieba
except ImportError:  # pragma: no cover
    rjieba = None

_CJK = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
K1, B = 1.5, 0.75


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for run in _CJK.findall(text or ""):
        if not run[0] >= "\u4e00":
            out.append(run.lower())
            continue
        if rjieba is not None:
            out.extend(w for w in rjieba.cut(run) if len(w) > 1)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            out.append(run)
    return out


class BM25:
    def __init__(self, docs: list[list[str]]) -> None:
        self.docs = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = (sum(self.lengths) / len(docs)) if docs else 0.0
        df: Counter = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def score(self, query: list[str], i: int) -> float:
        doc, length = self.docs[i], self.lengths[i] or 1
        total = 0.0
        for t in set(query):
            f = doc.get(t)
            if not f:
                continue
            total += self.idf[t] * f * (K1 + 1) / (f + K1 * (1 - B + B * length / (self.avg or 1)))
        return total


@dataclass
class Similar:
    case: Case
    facts: str
    amount: str
    band: str
    violation: int | None
    same_matter: bool
    score: float

    def as_dict(self) -> dict:
        return {
            "case": self.case.pk,
            "number": self.case.number,
            "title": self.case.title,
            "facts": self.facts[:200],
            "amount": self.amount,
            "band": self.band,
            "same_matter": self.same_matter,
            "score": round(self.score, 3),
        }


def _decided(case: Case) -> tuple[str, str, str, int | None]:
    """(facts, amount, band, benchmark) of a case's decision and reasons."""
    record = (
        Record.objects.filter(case=case, kind__in=DECISION_KINDS, superseded_by__isnull=True)
        .order_by("occurred_at", "pk")
        .last()
    )
    facts = str(record.content.get("facts") or "") if record else ""
    amount = str(record.content.get("fine_amount") or "") if record else ""
    latest = Reasons.objects.filter(case=case).order_by("-number").first()
    band, bench = "", None
    if latest is not None:
        facts = "；".join(f["text"] for f in latest.content["facts"]) or facts
        band = latest.content["discretion"]["band"]
        bench = latest.content["discretion"]["benchmark"]
        amount = latest.content["discretion"]["amount"] or amount
    return facts, amount, band, bench


def similar_decisions(case: Case, *, actor, query: str = "", limit: int = 5) -> list[Similar]:
    """Earlier decisions of ``case``'s agency that ``actor`` may see, same matter
    first, then by BM25. Each case shown is put on record as a look (REC-12)."""
    from zhifa.cases.selectors import case_list
    from zhifa.cases.services import case_viewed

    mine_facts, _amount, _band, mine_bench = _decided(case)
    query_tokens = tokens(query or mine_facts or case.title)
    visible = case_list(actor=actor).filter(agency=case.agency)
    candidates = (
        visible.filter(records__kind__in=DECISION_KINDS)
        .exclude(pk=case.pk)
        .distinct()
        .select_related("matter")
    )
    rows = []
    for other in candidates:
        facts, amount, band, bench = _decided(other)
        rows.append((other, facts, amount, band, bench))
    if not rows:
        return []
    index = BM25([tokens(f"{o.title} {facts}") for o, facts, *_ in rows])
    found = []
    for i, (other, facts, amount, band, bench) in enumerate(rows):
        same = other.matter_id == case.matter_id
        found.append(Similar(other, facts, amount, band, bench, same, index.score(query_tokens, i)))
    found.sort(
        key=lambda s: (
            not (s.same_matter and mine_bench is not None and s.violation == mine_bench),
            not s.same_matter,
            -s.score,
        )
    )
    shown = found[:limit]
    for item in shown:
        case_viewed(actor=actor, case=item.case, what=f"similar_to:{case.number}")
    return shown
