"""Remedy rows against their ledger entries, as part of ``zhifa verify``: an
outcome changed, added or removed in the database (which would change the
assessment and the early warning) is named with the last legitimate change."""

from __future__ import annotations

from zhifa.cases.audit import last_change, latest_payloads, missing, scoped_rows, untracked
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
            findings.append(untracked(name))
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
    findings += missing(
        "复议诉讼及纠错登记", {k: recorded[k]["_by"] for k in recorded.keys() - seen}
    )
    return findings
