"""What instruments a case needs before it enters 送达执行 (REC-07).

A penalty decided in the ordinary or fast procedure is served as an issued
行政处罚决定书, after an issued 行政处罚事先告知书; a simple-procedure penalty
as a 当场行政处罚决定书 whose pre-printed number was issued to one of the
case's officers and is used only once. Each must render the latest record of
its kind: an instrument made before its record was corrected is stale.
"""

from __future__ import annotations

from collections import defaultdict

from zhifa.cases.models import Procedure, Stage
from zhifa.cases.records import KINDS as RECORD_KINDS
from zhifa.cases.rules import Facts, rule
from zhifa.catalogues.models import ActionKind
from zhifa.instruments.kinds import SPECS
from zhifa.instruments.models import Instrument, Kind

NEEDED = {
    Procedure.ORDINARY: (Kind.PRIOR_NOTICE, Kind.DECISION),
    Procedure.FAST: (Kind.PRIOR_NOTICE, Kind.DECISION),
    Procedure.SIMPLE: (Kind.ONSPOT_DECISION,),
}


def issued(f: Facts) -> dict[str, list[Instrument]]:
    """The case's instruments in force by kind, loaded once per ``Facts``."""
    if "instruments" not in f.extra:
        by_kind: dict[str, list[Instrument]] = defaultdict(list)
        for instrument in Instrument.objects.filter(
            case=f.case, superseded_by__isnull=True
        ).order_by("issued_at", "pk"):
            by_kind[instrument.kind].append(instrument)
        f.extra["instruments"] = dict(by_kind)
    return f.extra["instruments"]


@rule(Stage.EXECUTION)
def _penalty_instruments_issued(f: Facts) -> list[str]:
    if f.case.action_kind != ActionKind.PENALTY:
        return []
    missing = []
    by_kind = issued(f)
    for kind in NEEDED[f.case.procedure]:
        spec = SPECS[kind]
        found = by_kind.get(kind)
        if not found:
            missing.append(f"尚未制作{spec.label}")
            continue
        latest = f.latest(spec.records[0])
        if latest is not None and found[-1].record_id != latest.pk:
            missing.append(
                f"{spec.label}（{found[-1].number}）所依据的"
                f"{RECORD_KINDS[spec.records[0]].label}记录已更正，请重新制作"
            )
    return missing


@rule(Stage.EXECUTION)
def _onspot_form_numbers(f: Facts) -> list[str]:
    if f.case.procedure != Procedure.SIMPLE:
        return []
    from zhifa.instruments.services import onspot_form_problems

    officer_ids = {a.officer_id for a in f.assignments}
    missing = []
    for record in f.by_kind.get("onspot_decision", []):
        missing.extend(onspot_form_problems(f.case, record, officer_ids))
    return missing
