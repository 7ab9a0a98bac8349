"""Drives a case through the services, stage by stage: for the tests and for
the demo county (``zhifa demo``).

Apps whose rules add conditions to a stage (audio-video records, instruments)
register what satisfies them with ``@step(stage)`` in their own
``testing.py``; ``advance_to`` imports those modules, so a case driven here
passes every rule the product enforces.
"""

from __future__ import annotations

import importlib
from collections import defaultdict

from zhifa.cases import services
from zhifa.cases.models import Case, Procedure, Source, Stage
from zhifa.cases.rules import STAGE_ORDER

# In the order their steps run within a stage: the reasons of a decision are
# written, then reviewed, before the instruments step issues the decision.
KIT_APPS = ("media", "reasons", "reviews", "instruments", "casefiles")
_STEPS: dict[str, list] = defaultdict(list)
_EARLY: set = set()


def step(stage: str, *, early: bool = False):
    """Register ``fn(team, case)`` that satisfies an app's rules for entering ``stage``.

    ``early`` steps run before the others of their stage, whatever the order the
    kits were imported in: the reasons and the legal review of a decision come
    before the step that issues it.
    """

    def register(fn):
        if fn not in _STEPS[stage]:
            _STEPS[stage].append(fn)
        if early:
            _EARLY.add(fn)
        return fn

    return register


def steps(stage: str) -> list:
    """The registered steps of ``stage``, early ones first, each group in
    registration order."""
    return sorted(_STEPS[stage], key=lambda fn: fn not in _EARLY)


def _load_kits() -> None:
    for app in KIT_APPS:
        try:
            importlib.import_module(f"zhifa.{app}.testing")
        except ModuleNotFoundError as e:
            if e.name != f"zhifa.{app}.testing":
                raise


CORE_STEPS = {
    Procedure.ORDINARY: {
        Stage.INVESTIGATION: [],
        Stage.DECISION: [
            "rights_notification",
            "interview",
            "onsite_inspection",
            "investigation_report",
        ],
        Stage.EXECUTION: [
            "handling_opinion",
            "prior_notice",
            "statements",
            "leader_signoff",
            "decision",
        ],
        Stage.CLOSED: ["delivery_direct", "voluntary_performance", "closing_approval"],
    },
    Procedure.SIMPLE: {
        Stage.INVESTIGATION: [],
        Stage.DECISION: ["rights_notification"],
        Stage.EXECUTION: ["onspot_decision"],
        Stage.CLOSED: ["delivery_direct", "voluntary_performance"],
    },
}
CORE_STEPS[Procedure.FAST] = {
    **CORE_STEPS[Procedure.ORDINARY],
    Stage.DECISION: ["rights_notification", "interview"],
}
START_KINDS = {
    Source.APPLICATION: ["application_registration", "application_acceptance"],
    Source.EX_OFFICIO: ["filing_approval"],
    Source.COMPLAINT: ["complaint", "filing_approval"],
    Source.INSPECTION: ["inspection_start", "filing_approval"],
    Source.TRANSFER: ["transfer", "filing_approval"],
}


def advance_to(t, case: Case, stage: str, *, add) -> Case:
    """Drive ``case`` through the services until it is in ``stage``; ``add(t, case,
    kind)`` makes one complete record of ``kind``."""
    _load_kits()
    while Stage.order(case.stage) < Stage.order(stage):
        target = STAGE_ORDER[STAGE_ORDER.index(case.stage) + 1]
        kinds = list(CORE_STEPS[case.procedure][target])
        if target == Stage.INVESTIGATION and case.procedure != Procedure.SIMPLE:
            kinds = START_KINDS[case.source] + kinds
            if case.procedure == Procedure.FAST:
                kinds.append("party_consent")
        for kind in kinds:
            add(t, case, kind)
        for fn in steps(target):
            fn(t, case)
        case = services.case_advance(actor=t.lead, case=case, to_stage=target)
    return case
