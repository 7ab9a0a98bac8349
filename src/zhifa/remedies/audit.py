"""Remedy rows against their ledger entries, as part of ``zhifa verify``: an
outcome changed, added or removed in the database (which would change the
assessment and the early warning) is named with the last legitimate change."""

from __future__ import annotations

from zhifa.cases.audit import last_change, latest_payloads, scoped_rows
from zhifa.ledger.selectors import EVERYTHING, AuditScope, Finding, row_audit
from zhifa.remedies.models import Remedy
from zhifa.remedies.services import remedy_digest


@row_audit
def remedies_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    recorded = latest_payloads("remedies.remedy", ("remedy.record",), scope)
    findings = []
    seen = set()
    for remedy in scoped_rows(Remedy.objects.select_related("case"), scope):
        key = str(remedy.pk)
        seen.add(key)
        name = f"复议诉讼及纠错登记 #{remedy.pk}（案件 {remedy.case.number}）"
        payload = recorded.get(key)
        if payload is None:
            findings.append(
                Finding("untracked", name, f"{name}：台账中没有它的登记，系绕过系统写入。")
            )
            continue
        digest = remedy_digest(remedy)
        if digest != payload.get("digest") or remedy.digest != digest:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：内容与台账登记时的摘要不符，已被修改{last_change(payload)}。",
                    expected=payload.get("digest", ""),
                    found=digest,
                    actor=payload["_by"],
                )
            )
    for key in recorded.keys() - seen:
        name = f"复议诉讼及纠错登记 #{key}"
        findings.append(
            Finding(
                "missing",
                name,
                f"{name}：台账中有登记，数据库中已被删除{last_change(recorded[key])}。",
                actor=recorded[key]["_by"],
            )
        )
    return findings
