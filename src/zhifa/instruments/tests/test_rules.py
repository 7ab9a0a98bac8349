"""The instruments a penalty needs before 送达执行 (REC-07)."""

from __future__ import annotations

import pytest

from zhifa.cases.models import Procedure, Stage
from zhifa.cases.rules import needs
from zhifa.cases.services import case_advance
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.models import ActionKind
from zhifa.core.errors import Conflict
from zhifa.instruments.models import Kind
from zhifa.instruments.services import IssueRequest, instrument_issue, instruments_issue

pytestmark = pytest.mark.django_db

CORE = ("handling_opinion", "prior_notice", "statements", "leader_signoff", "decision")


@pytest.mark.req("REC-07")
def test_a_penalty_enters_execution_only_with_its_instruments_issued(team):
    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    for kind in CORE:
        add(team, case, kind)
    missing = needs(case, Stage.EXECUTION)
    assert "尚未制作行政处罚事先告知书" in missing
    assert "尚未制作行政处罚决定书" in missing
    with pytest.raises(Conflict, match="尚未制作行政处罚决定书"):
        case_advance(actor=team.lead, case=case, to_stage=Stage.EXECUTION)

    notice, decision = instruments_issue(
        actor=team.lead,
        case=case,
        items=[IssueRequest(Kind.PRIOR_NOTICE), IssueRequest(Kind.DECISION)],
    )
    assert needs(case, Stage.EXECUTION) == []
    with pytest.raises(RuntimeError, match="不能修改"):
        decision.save()
    with pytest.raises(RuntimeError, match="不能删除"):
        decision.delete()

    # Issuing the same decision again is refused: a second one corrects the first.
    with pytest.raises(Conflict, match="已制作行政处罚决定书") as raised:
        instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
    assert raised.value.code == "already_issued"

    # The decision record is corrected after the instrument was made: it is stale.
    corrected = add(
        team,
        case,
        "decision",
        content={"conclusion": "罚款三千元"},
        supersedes=decision.record,
    )
    assert any("记录已更正，请重新制作" in m for m in needs(case, Stage.EXECUTION))
    again = instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
    assert again.record == corrected and again.supersedes == decision
    assert again.number.endswith("2号") and decision.number.endswith("1号")
    assert needs(case, Stage.EXECUTION) == []
    case = case_advance(actor=team.lead, case=case, to_stage=Stage.EXECUTION)
    assert case.stage == Stage.EXECUTION
    assert notice.number.startswith("示范县市场监督管理局罚告〔")


def test_cases_other_than_penalties_need_no_penalty_instruments(build, county):
    t = make_team(build, county.market, action_kind=ActionKind.LICENSING)
    case = open_case(t, source="application")
    case = advance_to(t, case, Stage.DECISION)
    for kind in ("handling_opinion", "leader_signoff", "decision"):
        add(t, case, kind)
    assert needs(case, Stage.EXECUTION) == []


def test_the_simple_procedure_needs_the_onspot_decision(team):
    case = open_case(team, procedure=Procedure.SIMPLE)
    case = advance_to(team, case, Stage.DECISION)
    add(team, case, "onspot_decision")  # a made-up form number
    missing = needs(case, Stage.EXECUTION)
    assert "尚未制作当场行政处罚决定书" in missing
    assert any("不在本机关发放的预印编号范围内" in m for m in missing)
