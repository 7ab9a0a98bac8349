"""Test kit for reasons: valid structured reasons for a case, and the ``@step``
that lets ``zhifa.cases.testing.advance_to`` pass the reasons gate.

The step must run before the instruments' step that issues the decision:
list ``"reasons"`` before ``"instruments"`` in ``zhifa.cases.driver.KIT_APPS``.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from zhifa.cases.driver import step
from zhifa.cases.models import Case, Stage
from zhifa.catalogues.models import LegalBasis
from zhifa.catalogues.provisions import citation_resolve, legal_bases_seed
from zhifa.reasons import selectors
from zhifa.reasons.services import reasons_save

PROHIBITION = "《中华人民共和国食品安全法》第三十四条第一款第（十）项"
PENALTY = "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"


def library(actor) -> None:
    """The seed provisions, once per database."""
    if not LegalBasis.objects.exists():
        legal_bases_seed(actor=actor)


def quoted(citation: str) -> str:
    found = citation_resolve(citation, timezone.localdate())
    return found.provision.text if found.ok else ""


def valid_content(case: Case, *, amount=None, benchmark=None, band: str = "") -> dict:
    """Complete reasons that pass every blocking check (the library must be seeded)."""
    record = selectors.latest_record(case, selectors.DECISION_KINDS)
    if amount is None and record is not None:
        amount = record.content.get("fine_amount") or ""
    evidence_records = {
        r.kind: r.pk for r in case.records.filter(kind__in=("onsite_inspection", "interview"))
    }
    content = {
        "facts": [
            {
                "id": "F1",
                "text": f"{case.title}：当事人在其经营场所销售超过保质期的食品，货值金额较小",
                "evidence": ["E1", "E2"],
            }
        ],
        "evidence": [
            {
                "id": "E1",
                "name": "现场检查笔录",
                "record": evidence_records.get("onsite_inspection"),
                "legality": "两名执法人员出示证件后依法制作",
                "relevance": "记载了涉案食品的品名、数量和保质期",
                "authenticity": "当事人签名确认，并有现场录像印证",
                "probative_force": "直接证明涉案食品超过保质期",
                "adopted": True,
                "reason": "",
            },
            {
                "id": "E2",
                "name": "当事人询问笔录",
                "record": evidence_records.get("interview"),
                "source": "officer",
                "favourable": True,
                "legality": "询问前告知了权利，程序合法",
                "relevance": "当事人陈述了进货和销售经过",
                "authenticity": "与进货单据相互印证",
                "probative_force": "证明货值金额及当事人主动下架",
                "adopted": True,
                "reason": "",
            },
        ],
        "provisions": [
            {
                "citation": PROHIBITION,
                "quoted_text": quoted(PROHIBITION),
                "why": "当事人经营超过保质期的食品，属于该项禁止经营的情形",
            },
            {
                "citation": PENALTY,
                "quoted_text": quoted(PENALTY),
                "why": "该项规定了经营超过保质期食品的法律责任，本案货值不足一万元",
            },
        ],
        "discretion": {
            "benchmark": benchmark.pk if benchmark else None,
            "band": band,
            "factors": [{"effect": "mitigating", "description": "主动下架并配合调查"}],
            "reasons": "当事人系初次违法，主动下架涉案食品，未造成危害后果，依法从轻处罚",
            "amount": str(Decimal(str(amount))) if amount not in (None, "") else "",
            "out_of_range_reason": "",
        },
        "points": [],
    }
    if case.records.filter(kind__in=selectors.STATEMENT_KINDS).exists():
        content["points"].append(
            {
                "id": "P1",
                "source": "statement",
                "content": "当事人称对保质期不知情，请求从轻处罚",
                "answer": "partly",
                "reply": "食品经营者负有查验保质期的义务，不知情不能免责；"
                "其主动下架的情节已从轻考虑",
            }
        )
    return content


@step(Stage.EXECUTION, early=True)  # before the instruments' step issues the decision
def fill_reasons(t, case: Case) -> None:
    """Save valid reasons where the gate would otherwise refuse the decision."""
    from zhifa.instruments.models import Kind
    from zhifa.reasons.gates import reasons_checked

    if selectors.reasons_latest(case) is not None or not reasons_checked(case, Kind.DECISION):
        return
    library(t.sysadmin)
    reasons_save(actor=t.lead, case=case, content=valid_content(case), note="测试数据")
