"""Pre-printed 当场行政处罚决定书: batches, and whose numbers a decision may use."""

from __future__ import annotations

import pytest
from django.test import override_settings

from zhifa.cases.models import Procedure, Stage
from zhifa.cases.rules import needs
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.instruments.models import Kind, OnSpotFormBatch
from zhifa.instruments.services import instrument_issue, onspot_batch_issue
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _batch(team, officer, prefix="浙A", first=1, last=50, **kw):
    return onspot_batch_issue(
        actor=team.leader,
        agency=team.agency,
        officer=officer,
        prefix=prefix,
        first=first,
        last=last,
        **kw,
    )


def test_issuing_a_batch_of_forms(team, county, build):
    batch = _batch(team, team.officers[0], width=6)
    assert batch.form_number(7) == "浙A000007"
    assert batch.serial_of("浙A000050") == 50
    assert batch.serial_of("浙A000051") is None
    assert batch.serial_of("浙A50") is None  # not the printed width
    assert LedgerEntry.objects.filter(action="instrument.onspot_batch_issue").count() == 1

    with pytest.raises(Conflict, match="重叠"):
        _batch(team, team.officers[1], first=40, last=60)
    with pytest.raises(InvalidInput, match="不大于终止号"):
        _batch(team, team.officers[1], prefix="浙B", first=9, last=3)
    with pytest.raises(InvalidInput, match="不能以数字结尾"):
        _batch(team, team.officers[1], prefix="B1")
    with pytest.raises(InvalidInput, match="序号位数"):
        _batch(team, team.officers[1], prefix="浙C", last=1000, width=3)
    elsewhere = build.officer(county.safety)
    with pytest.raises(InvalidInput, match="不是本机关人员"):
        _batch(team, elsewhere, prefix="浙D")
    with pytest.raises(Forbidden):
        onspot_batch_issue(
            actor=team.lead,
            agency=team.agency,
            officer=team.lead.officer,
            prefix="浙E",
            first=1,
            last=5,
        )
    # The agency's administrator may hand them out too.
    assert _batch(team, team.officers[1], prefix="浙F").officer == team.officers[1]
    assert OnSpotFormBatch.objects.count() == 2


@pytest.mark.req("REC-07")
def test_a_form_number_must_be_issued_to_an_officer_of_the_case_and_unused(team):
    mine = _batch(team, team.officers[0], prefix="甲")
    theirs = _batch(team, team.officers[1], prefix="乙")
    case = open_case(team, procedure=Procedure.SIMPLE)  # handled by officers[0] alone
    case = advance_to(team, case, Stage.DECISION)

    def refused(number: str, message: str):
        previous = case.records.filter(kind="onspot_decision", superseded_by__isnull=True).last()
        record = add(
            team, case, "onspot_decision", content={"form_number": number}, supersedes=previous
        )
        assert any(message in m for m in needs(case, Stage.EXECUTION)), number
        with override_settings(ZHIFA_SOFFICE="false"), pytest.raises(InvalidInput, match=message):
            instrument_issue(actor=team.lead, case=case, kind=Kind.ONSPOT_DECISION, record=record)

    refused("丙01", "不在本机关发放的预印编号范围内")  # forged
    refused(theirs.form_number(3), "不是本案承办人员领用的")

    # Used already by another case's decision.
    other = open_case(team, procedure=Procedure.SIMPLE, title="另一案")
    other = advance_to(team, other, Stage.DECISION)
    add(team, other, "onspot_decision", content={"form_number": mine.form_number(1)})
    refused(mine.form_number(1), "已被使用")

    # A number of the lead's own batch, not used elsewhere, passes.
    good = add(
        team,
        case,
        "onspot_decision",
        content={"form_number": mine.form_number(2)},
        supersedes=case.records.filter(kind="onspot_decision").last(),
    )
    assert not [m for m in needs(case, Stage.EXECUTION) if "编号" in m]
    assert good.content["form_number"] == "甲02"
