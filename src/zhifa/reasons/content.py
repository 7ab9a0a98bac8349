"""The shape of a structured reasons document (RSN-01, RSN-03), and its labels.

``clean`` checks the shape only — types, known choices, references between
parts by id — and fills defaults; whether the reasons are *sufficient* is the
checker's business (``zhifa.reasons.checker``), so an incomplete draft can be
saved and worked on::

    {
      "facts": [{"id": "F1", "text": "…", "evidence": ["E1", "E2"]}],
      "evidence": [{"id": "E1", "name": "…", "record": 12, "source": "officer",
                    "favourable": false, "legality": "…", "relevance": "…",
                    "authenticity": "…", "probative_force": "…",
                    "adopted": true, "reason": "…"}],
      "provisions": [{"citation": "《…》第…条…", "quoted_text": "…", "why": "…"}],
      "discretion": {"benchmark": 3, "band": "ordinary", "amount_involved": "800.00",
                     "factors": [{"effect": "mitigating", "description": "…"}],
                     "reasons": "…", "amount": "60000.00", "out_of_range_reason": ""},
      "points": [{"id": "P1", "source": "statement", "content": "…",
                  "answer": "not_adopted", "reply": "…"}]
    }
"""

from __future__ import annotations

from zhifa.catalogues.benchmarks import money
from zhifa.catalogues.models import Band, FactorEffect
from zhifa.core.errors import InvalidInput

PARTS = {
    "facts": "事实认定理由",
    "evidence": "证据采信理由",
    "provisions": "依据选择理由",
    "discretion": "裁量理由",
    "points": "对当事人陈述申辩意见的答复",
}
ASSESSMENT = {
    "legality": "合法性",
    "relevance": "关联性",
    "authenticity": "真实性",
    "probative_force": "证明力",
}
EVIDENCE_SOURCES = {"officer": "执法机关收集", "party": "当事人提供", "third_party": "第三人提供"}
POINT_SOURCES = {"statement": "陈述申辩", "hearing": "听证", "objection": "第三人意见"}
ANSWERS = {
    "pending": "尚未答复",
    "adopted": "采纳",
    "partly": "部分采纳",
    "not_adopted": "不予采纳",
}


class ContentError(InvalidInput):
    default_code = "reasons_shape"


def _text(value, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ContentError(f"{where}应为文字。")
    return str(value).strip()


def _list(data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ContentError(f"{PARTS[key]}应为列表。")
    for i, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise ContentError(f"{PARTS[key]}第{i}项格式不对。")
    return value


def _ids(rows: list[dict], prefix: str) -> list[str]:
    out = []
    for i, row in enumerate(rows, start=1):
        rid = _text(row.get("id"), "编号") or f"{prefix}{i}"
        if rid in out:
            raise ContentError(f"编号“{rid}”重复。")
        out.append(rid)
    return out


def clean(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ContentError("说明理由的格式不对。")
    evidence_rows = _list(data, "evidence")
    evidence_ids = _ids(evidence_rows, "E")
    evidence = []
    for rid, row in zip(evidence_ids, evidence_rows, strict=True):
        where = f"证据 {rid}"
        source = _text(row.get("source"), where) or "officer"
        if source not in EVIDENCE_SOURCES:
            raise ContentError(f"{where}的来源无效。")
        adopted = row.get("adopted")
        if adopted not in (True, False, None):
            raise ContentError(f"{where}的“是否采信”应为是、否或未定。")
        record = row.get("record")
        if record not in (None, "") and not str(record).isdigit():
            raise ContentError(f"{where}关联的记录无效。")
        evidence.append(
            {
                "id": rid,
                "name": _text(row.get("name"), where),
                "record": int(record) if record not in (None, "") else None,
                "source": source,
                "favourable": bool(row.get("favourable")),
                **{k: _text(row.get(k), f"{where}的{label}") for k, label in ASSESSMENT.items()},
                "adopted": adopted,
                "reason": _text(row.get("reason"), where),
            }
        )
    fact_rows = _list(data, "facts")
    fact_ids = _ids(fact_rows, "F")
    facts = []
    for rid, row in zip(fact_ids, fact_rows, strict=True):
        links = row.get("evidence") or []
        if not isinstance(links, list):
            raise ContentError(f"事实 {rid} 的证据应为证据编号列表。")
        links = [_text(x, "证据编号") for x in links]
        unknown = [x for x in links if x not in evidence_ids]
        if unknown:
            raise ContentError(f"事实 {rid} 引用了不存在的证据：{'、'.join(unknown)}。")
        facts.append({"id": rid, "text": _text(row.get("text"), f"事实 {rid}"), "evidence": links})
    provisions = [
        {
            "citation": _text(row.get("citation"), f"依据第{i}项"),
            "quoted_text": _text(row.get("quoted_text"), f"依据第{i}项"),
            "why": _text(row.get("why"), f"依据第{i}项"),
        }
        for i, row in enumerate(_list(data, "provisions"), start=1)
    ]
    d = data.get("discretion") or {}
    if not isinstance(d, dict):
        raise ContentError("裁量理由格式不对。")
    band = _text(d.get("band"), "裁量阶次")
    if band and band not in Band.values:
        raise ContentError(f"裁量阶次“{band}”无效。")
    factors = []
    for i, f in enumerate(d.get("factors") or [], start=1):
        if not isinstance(f, dict) or f.get("effect") not in FactorEffect.values:
            raise ContentError(f"裁量情节第{i}项须写明效果（从轻、减轻、从重、不予处罚）。")
        factors.append({"effect": f["effect"], "description": _text(f.get("description"), "情节")})
    bench = d.get("benchmark")
    if bench not in (None, "") and not str(bench).isdigit():
        raise ContentError("裁量基准无效。")
    amount = money(d.get("amount"), "罚款金额")
    involved = money(d.get("amount_involved"), "涉案金额")
    discretion = {
        "benchmark": int(bench) if bench not in (None, "") else None,
        "band": band,
        "amount_involved": str(involved) if involved is not None else "",
        "factors": factors,
        "reasons": _text(d.get("reasons"), "裁量理由"),
        "amount": str(amount) if amount is not None else "",
        "out_of_range_reason": _text(d.get("out_of_range_reason"), "超出幅度的理由"),
    }
    point_rows = _list(data, "points")
    point_ids = _ids(point_rows, "P")
    points = []
    for rid, row in zip(point_ids, point_rows, strict=True):
        source = _text(row.get("source"), "来源") or "statement"
        answer = _text(row.get("answer"), "答复") or "pending"
        if source not in POINT_SOURCES or answer not in ANSWERS:
            raise ContentError(f"当事人意见 {rid} 的来源或答复方式无效。")
        points.append(
            {
                "id": rid,
                "source": source,
                "content": _text(row.get("content"), f"当事人意见 {rid}"),
                "answer": answer,
                "reply": _text(row.get("reply"), f"当事人意见 {rid} 的答复"),
            }
        )
    return {
        "facts": facts,
        "evidence": evidence,
        "provisions": provisions,
        "discretion": discretion,
        "points": points,
    }


def empty() -> dict:
    return clean({})
