"""Checks case rows against the ledger entries that recorded them, as part of
``zhifa verify`` (REC-11, REC-12).

A record's content is hashed into its ``record.add`` entry, and every stage
change is an entry; the ledger itself cannot be changed unnoticed, so a record
or a case changed directly in the database — by someone holding the database
administrator's password — no longer matches, and is named here.
"""

from __future__ import annotations

from zhifa.cases.models import Case, Record
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import Finding, row_audit


def _latest_payloads(object_type: str, actions: tuple[str, ...]) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    entries = (
        LedgerEntry.objects.filter(object_type=object_type, action__in=actions)
        .order_by("seq")
        .values_list("object_id", "payload")
    )
    for object_id, payload in entries.iterator(chunk_size=5000):
        latest[object_id] = payload
    return latest


@row_audit
def records_audit() -> list[Finding]:
    from zhifa.cases.services import record_digest

    recorded = _latest_payloads("cases.record", ("record.add", "record.correct"))
    findings = []
    seen = set()
    rows = Record.objects.select_related("case").order_by("pk")
    for record in rows.iterator(chunk_size=2000):
        key = str(record.pk)
        seen.add(key)
        name = f"执法记录 #{record.pk}（案件 {record.case.number}，{record.kind_label}）"
        payload = recorded.get(key)
        if payload is None:
            findings.append(
                Finding("missing", name, f"{name}：台账中没有它的登记，系绕过系统写入。")
            )
            continue
        digest = record_digest(record)
        if digest != payload.get("digest"):
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：内容与台账登记时的摘要不符，已被修改。",
                    expected=payload.get("digest", ""),
                    found=digest,
                )
            )
    for key in recorded.keys() - seen:
        name = f"执法记录 #{key}"
        findings.append(Finding("missing", name, f"{name}：台账中有登记，数据库中已被删除。"))
    return findings


@row_audit
def cases_audit() -> list[Finding]:
    stages = _latest_payloads("cases.case", ("case.stage",))
    opened = set(
        LedgerEntry.objects.filter(object_type="cases.case", action="case.open").values_list(
            "object_id", flat=True
        )
    )
    findings = []
    seen = set()
    for case in Case.objects.order_by("pk").iterator(chunk_size=2000):
        key = str(case.pk)
        seen.add(key)
        name = f"执法案件 {case.number}"
        if key not in opened:
            findings.append(
                Finding("missing", name, f"{name}：台账中没有立案登记，系绕过系统写入。")
            )
            continue
        expected = stages.get(key, {}).get("to", "start")
        if case.stage != expected:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：所处环节与台账不符，已被直接修改。",
                    expected=expected,
                    found=case.stage,
                )
            )
    for key in opened - seen:
        findings.append(Finding("missing", f"执法案件 #{key}", f"执法案件 #{key}：已被删除。"))
    return findings
