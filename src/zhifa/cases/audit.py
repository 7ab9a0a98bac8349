"""Checks case rows against the ledger entries that recorded them, as part of
``zhifa verify`` (REC-11, REC-12).

A record's content is hashed into its ``record.add`` entry, and every stage
change is an entry; the ledger itself cannot be changed unnoticed, so a record
or a case changed directly in the database — by someone holding the database
administrator's password — no longer matches, and is named here.
"""

from __future__ import annotations

from django.utils import timezone

from zhifa.cases.models import Case, Record
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import Finding, row_audit


def _latest_payloads(object_type: str, actions: tuple[str, ...]) -> dict[str, dict]:
    """The payload of the last entry per object, with ``_by`` added: who made that
    last legitimate change, when, and the entry's number (shown to the supervisor
    beside a finding: the responsible actor, REC-12)."""
    latest: dict[str, dict] = {}
    entries = (
        LedgerEntry.objects.filter(object_type=object_type, action__in=actions)
        .order_by("seq")
        .values_list("object_id", "payload", "actor_name", "recorded_at", "seq")
    )
    for object_id, payload, actor, at, seq in entries.iterator(chunk_size=5000):
        when = timezone.localtime(at)
        latest[object_id] = {**payload, "_by": f"{actor}，{when:%Y-%m-%d %H:%M}，台账第 {seq} 条"}
    return latest


@row_audit
def records_audit() -> list[Finding]:
    from zhifa.cases.services import record_digest

    recorded = _latest_payloads("cases.record", ("record.add", "record.correct"))
    authors = dict(
        LedgerEntry.objects.filter(
            object_type="cases.record", action__in=("record.add", "record.correct")
        ).values_list("object_id", "actor_id")
    )
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
                    f"{name}：内容与台账登记时的摘要不符，已被修改"
                    f"（最后一次合法变更：{payload['_by']}）。",
                    expected=payload.get("digest", ""),
                    found=digest,
                )
            )
        elif record.digest != digest:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：所存摘要与台账登记时不符，已被修改。",
                    expected=digest,
                    found=record.digest,
                )
            )
        if record.created_by_id != authors.get(key):
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：记录人与台账登记的操作人不符，已被修改。",
                    expected=str(authors.get(key)),
                    found=str(record.created_by_id),
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
        last = stages.get(key, {})
        expected = last.get("to", "start")
        if case.stage != expected:
            by = f"（最后一次合法变更：{last['_by']}）" if last else ""
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：所处环节与台账不符，已被直接修改{by}。",
                    expected=expected,
                    found=case.stage,
                )
            )
    for key in opened - seen:
        findings.append(Finding("missing", f"执法案件 #{key}", f"执法案件 #{key}：已被删除。"))
    return findings
