"""The structured reasons as the instrument templates see them (RSN-01, RSN-03).

``reasons_context`` gives the 行政处罚决定书 and the 事先告知书 every part as
plain strings and lists: ``reasons.structured`` (false when the case keeps the
free-text reasons of its decision record, which the templates then show),
``reasons.facts`` (n, text, evidence), ``reasons.evidence`` (n, name, source,
assessment, adopted, reason), ``reasons.provisions`` (n, citation,
quoted_text, why), ``reasons.discretion`` (band, benchmark, factors, reasons,
amount, out_of_range_reason), ``reasons.points`` (n, source, content, answer,
reply).
"""

from __future__ import annotations

from zhifa.catalogues.models import Band, DiscretionBenchmark, FactorEffect
from zhifa.reasons.content import ANSWERS, ASSESSMENT, EVIDENCE_SOURCES, POINT_SOURCES, clean

USES_REASONS = ("decision", "prior_notice", "onspot_decision")


def _discretion(d: dict, bench: DiscretionBenchmark | None) -> dict:
    return {
        "band": Band(d["band"]).label if d["band"] else "",
        "benchmark": f"{bench.violation}（{bench.version}）" if bench else "",
        "factors": "；".join(
            f"{FactorEffect(f['effect']).label}：{f['description']}" for f in d["factors"]
        ),
        "reasons": d["reasons"],
        "amount": d["amount"],
        "out_of_range_reason": d["out_of_range_reason"],
    }


def as_context(content: dict, bench: DiscretionBenchmark | None, *, structured=True) -> dict:
    numbers = {e["id"]: str(i) for i, e in enumerate(content["evidence"], start=1)}
    return {
        "structured": structured,
        "facts": [
            {
                "n": str(i),
                "text": f["text"],
                "evidence": "、".join(f"证据{numbers[x]}" for x in f["evidence"]),
            }
            for i, f in enumerate(content["facts"], start=1)
        ],
        "evidence": [
            {
                "n": numbers[e["id"]],
                "name": e["name"],
                "source": EVIDENCE_SOURCES[e["source"]]
                + ("，有利于当事人" if e["favourable"] else ""),
                "assessment": "；".join(f"{label}：{e[k]}" for k, label in ASSESSMENT.items()),
                "adopted": {True: "予以采信", False: "不予采信", None: "未定"}[e["adopted"]],
                "reason": e["reason"],
            }
            for e in content["evidence"]
        ],
        "provisions": [
            {
                "n": str(i),
                "citation": p["citation"],
                "quoted_text": p["quoted_text"],
                "why": p["why"],
            }
            for i, p in enumerate(content["provisions"], start=1)
        ],
        "discretion": _discretion(content["discretion"], bench),
        "points": [
            {
                "n": str(i),
                "source": POINT_SOURCES[p["source"]],
                "content": p["content"],
                "answer": ANSWERS[p["answer"]],
                "reply": p["reply"],
            }
            for i, p in enumerate(content["points"], start=1)
        ],
    }


def reasons_context(case, kind: str) -> dict:
    from zhifa.reasons.selectors import exemption_active, reasons_latest

    latest = reasons_latest(case) if kind in USES_REASONS else None
    if latest is None or exemption_active(case) is not None:
        return as_context(clean({}), None, structured=False)
    bench_id = latest.content["discretion"]["benchmark"]
    bench = DiscretionBenchmark.objects.filter(pk=bench_id).first() if bench_id else None
    return as_context(latest.content, bench)


SAMPLE = {
    "facts": [
        {
            "id": "F1",
            "text": "当事人于2026年3月2日在其经营场所销售超过保质期的牛奶12盒（事实示例）",
            "evidence": ["E1", "E2"],
        }
    ],
    "evidence": [
        {
            "id": "E1",
            "name": "现场笔录",
            "source": "officer",
            "legality": "依法制作，程序合法",
            "relevance": "记载涉案食品情况",
            "authenticity": "当事人签字确认",
            "probative_force": "能够证明违法事实",
            "adopted": True,
            "reason": "予以采信",
        },
        {
            "id": "E2",
            "name": "当事人提供的进货单据",
            "source": "party",
            "favourable": True,
            "legality": "来源合法",
            "relevance": "证明进货来源",
            "authenticity": "与供货方记录一致",
            "probative_force": "可证明货值",
            "adopted": True,
            "reason": "有利于当事人，予以采信",
        },
    ],
    "provisions": [
        {
            "citation": "《中华人民共和国食品安全法》第三十四条第一款第（十）项",
            "quoted_text": "（十）标注虚假生产日期、保质期或者超过保质期的食品、食品添加剂；",
            "why": "当事人销售超过保质期的食品，属于该项禁止的情形",
        }
    ],
    "discretion": {
        "band": "ordinary",
        "factors": [{"effect": "mitigating", "description": "主动召回涉案食品"}],
        "reasons": "当事人初次违法，货值较小（示例）",
        "amount": "50000.00",
        "out_of_range_reason": "",
    },
    "points": [
        {
            "id": "P1",
            "source": "statement",
            "content": "当事人称不知道已过期（示例）",
            "answer": "not_adopted",
            "reply": "食品经营者负有查验义务（示例）",
        }
    ],
}


def reasons_sample() -> dict:
    return as_context(clean(SAMPLE), None)


# --- The 说明理由书 answering a request (RSN-05) ----------------------------------------


def request_context(request, decision: str) -> dict:
    """What the 说明理由书 shows of ``request`` (a ``ReasonsRequest`` being answered)."""
    from zhifa.instruments.context import cn_date

    return {
        "requester": request.requester,
        "requested_on": cn_date(request.requested_on),
        "decision": decision,
        "content": request.content,
        "answer": request.answer,
        "paragraphs": [p.strip() for p in request.answer.splitlines() if p.strip()],
        "answered_on": cn_date(request.answered_on),
    }


def request_sample() -> dict:
    return {
        "requester": "示例食品有限公司",
        "requested_on": "2026年3月6日",
        "decision": "示市监罚〔2026〕1号行政处罚决定书",
        "content": "请书面说明作出该决定的理由（示例）",
        "answer": "当事人销售超过保质期的牛奶12盒（示例）",
        "paragraphs": ["当事人销售超过保质期的牛奶12盒（示例）"],
        "answered_on": "2026年3月9日",
    }
