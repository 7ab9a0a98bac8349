"""Test kit for instruments: the ``@step`` functions that let
``zhifa.cases.testing.advance_to`` satisfy this app's stage rules, with real
rendering and conversion, and as few conversions as the rules need (one per
case: the instruments of a step are issued together).
"""

from __future__ import annotations

from zhifa.cases.driver import step
from zhifa.cases.models import Case, Procedure, Stage
from zhifa.catalogues.models import ActionKind
from zhifa.instruments.models import Instrument, Kind, OnSpotFormBatch
from zhifa.instruments.rules import NEEDED
from zhifa.instruments.services import IssueRequest, instruments_issue, onspot_batch_issue


def onspot_form(t, case: Case, *, officer=None) -> str:
    """A fresh pre-printed form number issued to ``officer`` (default: the case's lead)."""
    officer = officer or t.officers[0]
    prefix = f"T{case.pk}-"
    batch = OnSpotFormBatch.objects.filter(agency=case.agency, prefix=prefix).first()
    if batch is None:
        batch = onspot_batch_issue(
            actor=t.sysadmin, agency=case.agency, officer=officer, prefix=prefix, first=1, last=99
        )
    return batch.form_number(batch.first)


@step(Stage.EXECUTION)
def issue_penalty_instruments(t, case: Case) -> list[Instrument]:
    """Issue what ``zhifa.instruments.rules`` needs before 送达执行."""
    if case.action_kind != ActionKind.PENALTY:
        return []
    if case.procedure == Procedure.SIMPLE:
        _use_issued_form(t, case)
    have = set(
        Instrument.objects.filter(case=case, superseded_by__isnull=True).values_list(
            "kind", flat=True
        )
    )
    wanted = [IssueRequest(kind) for kind in NEEDED[case.procedure] if kind not in have]
    return instruments_issue(actor=t.lead, case=case, items=wanted)


def _use_issued_form(t, case: Case) -> None:
    """The driver's sample on-the-spot record carries a made-up number: correct it to
    a number issued to the case's lead officer."""
    from zhifa.cases.testing import add
    from zhifa.instruments.services import onspot_form_problems

    record = case.records.filter(kind="onspot_decision", superseded_by__isnull=True).last()
    if record is None or Kind.ONSPOT_DECISION in set(
        case.instruments.values_list("kind", flat=True)
    ):
        return
    officer_ids = set(
        case.assignments.filter(released_at__isnull=True).values_list("officer_id", flat=True)
    )
    if onspot_form_problems(case, record, officer_ids):
        add(
            t,
            case,
            "onspot_decision",
            content={"form_number": onspot_form(t, case)},
            supersedes=record,
        )
