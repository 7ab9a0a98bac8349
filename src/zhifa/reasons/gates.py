"""Where the reasons check stops a decision, and what it adds to "major" (RSN-02, RSN-04, INF-03).

The gate runs inside ``instruments_issue`` for every 行政处罚决定书 and
当场处罚决定书, whichever door asks:

- a case with structured reasons is checked, and every blocking finding is a
  refusal (vague, contradictory or unfounded reasons count as none);
- a case without them keeps the free-text reasons of its decision record,
  which are checked for what text allows (each part present and not vague,
  cited provisions in force, amounts consistent); where detailed reasons are
  required (RSN-02: after a hearing, a major decision, or a fine below the
  statutory minimum, 减轻处罚) and
  ``ZHIFA_REASONS_STRUCTURED_FOR_DETAILED`` is on, structured reasons are
  required;
- a recorded exemption (RSN-06) lifts the requirement until a third party
  objects to the "favourable to the party" ground.
"""

from __future__ import annotations

from django.conf import settings

from zhifa.cases.major import MajorReason, source
from zhifa.catalogues.models import ActionKind
from zhifa.instruments.gates import gate
from zhifa.instruments.models import Kind
from zhifa.reasons import selectors


@gate(Kind.DECISION, Kind.ONSPOT_DECISION)
def reasons_checked(case, kind) -> list[str]:
    if selectors.exemption_active(case) is not None:
        return []
    latest = selectors.reasons_latest(case)
    if latest is None:
        if kind != Kind.DECISION:
            return []
        why = []
        if settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED:
            why += selectors.detailed_required(case)
        if settings.ZHIFA_REASONS_STRUCTURED_FOR_ALL and case.action_kind == ActionKind.PENALTY:
            why.append("本机关要求所有行政处罚决定结构化说明理由")
        if why:
            return [f"本案{'、'.join(why)}，须详细说明理由，尚未填写结构化说明理由（RSN-02）"]
        return [f"说明理由不合格——{f}" for f in selectors.free_text_findings(case) if f.blocking]
    # Boilerplate is a warning only: the gate need not compare with every other case.
    findings = selectors.case_findings(case, latest.content, with_others=False)
    return [f"说明理由不合格——{f}" for f in findings if f.blocking]


@source
def fine_below_statutory_minimum(case) -> list[MajorReason]:
    found = selectors.below_minimum(case)
    if found is None:
        return []
    amount, minimum = found
    return [
        MajorReason(
            "below_minimum",
            "减轻处罚，罚款低于法定最低额",
            f"拟罚款 {amount} 元，法定最低 {minimum} 元",
        )
    ]
