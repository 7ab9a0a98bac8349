from zhifa.cases.models import Procedure, Stage
from zhifa.cases.testing import advance_to, open_case


def test_ordinary_case_reaches_closed(team):
    case = open_case(team)
    case = advance_to(team, case, Stage.CLOSED)
    assert case.stage == Stage.CLOSED
    assert case.stage_changes.count() == 5


def test_simple_case_reaches_closed(team):
    case = open_case(team, procedure=Procedure.SIMPLE)
    case = advance_to(team, case, Stage.CLOSED)
    assert case.stage == Stage.CLOSED
