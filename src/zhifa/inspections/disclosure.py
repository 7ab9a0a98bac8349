"""The bridge from an approved inspection result to the disclosure pipeline
(INS-02 → PUB-06): the structured fields of the public item (主体, 对象, 依据,
结论, 日期). The pipeline (``zhifa.disclosures``) prepares, reviews and publishes
it, then calls ``services.inspection_mark_published``. Nothing here writes."""

from __future__ import annotations

from zhifa.catalogues.models import ActionKind
from zhifa.inspections.models import Inspection, InspectionTarget
from zhifa.inspections.selectors import latest_result

_PARTY_KIND = {
    InspectionTarget.Kind.ENTERPRISE: "legal",
    InspectionTarget.Kind.INDIVIDUAL: "individual_business",
    InspectionTarget.Kind.ORGANISATION: "other_org",
    InspectionTarget.Kind.OTHER: "",
}


def inspection_draft(inspection: Inspection):
    """A ``disclosures.services.DraftInput`` for an approved result: the date is
    the completion date (else the check date), from which the 20-working-day
    deadline of PUB-06 runs."""
    from zhifa.disclosures.models import Disclosure
    from zhifa.disclosures.services import DraftInput, PartyInput

    result = latest_result(inspection)
    plan, target = inspection.plan, inspection.target
    conclusion = result.get_outcome_display()
    if result.follow_up:
        conclusion += f"；后续处置：{result.follow_up}"
    return DraftInput(
        kind=Disclosure.Kind.INSPECTION_RESULT,
        title=f"{plan.name}抽查结果（{target.name}）",
        action_kind=ActionKind.INSPECTION,
        matter=plan.matter.matter,
        decided_on=result.completed_on or result.checked_on,
        party=PartyInput(
            kind=_PARTY_KIND[target.kind], name=target.name, credit_code=target.credit_code
        ),
        violation_type=plan.matter.name,
        facts=result.detail,
        basis=plan.matter.basis,
        conclusion=conclusion,
        body=f"抽查事项：{plan.matter.name}；抽查方式：{plan.matter.method or '—'}；"
        f"检查日期：{result.checked_on:%Y-%m-%d}。",
    )
