"""Test kit for case files: close a case on a given day and take it to 归档.

``zhifa.cases.testing.advance_to`` closes a case today; ``close`` closes it
with an earlier end of the enforcement action, so that the archive deadline
(``ZHIFA_ARCHIVE_DAYS`` after it) can lie in the past.
"""

from __future__ import annotations

from datetime import date

from zhifa.casefiles import services
from zhifa.cases import driver
from zhifa.cases import services as case_services
from zhifa.cases import testing as kit
from zhifa.cases.models import Case, Stage


def close(t: kit.Team, case: Case, *, ended_on: date | None = None) -> Case:
    """Drive ``case`` to 结案 through the services, ending the action on ``ended_on``."""
    case = kit.advance_to(t, case, Stage.EXECUTION)
    for kind in driver.CORE_STEPS[case.procedure][Stage.CLOSED]:
        kit.add(t, case, kind)
    for fn in driver.steps(Stage.CLOSED):
        fn(t, case)
    return case_services.case_advance(
        actor=t.lead, case=case, to_stage=Stage.CLOSED, ended_on=ended_on
    )


def archive(t: kit.Team, case: Case) -> Case:
    """Bind and archive the file of a closed case."""
    services.casefile_assemble(actor=t.lead, case=case)
    services.casefile_archive(actor=t.lead, case=case)
    case.refresh_from_db()
    return case
