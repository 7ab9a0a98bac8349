"""A case or record changed directly in the database is found and named by the
full verification (``zhifa verify``), even though its own table has no hash
chain: its ledger entry still holds what was recorded (REC-11, REC-12)."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from zhifa.cases.models import Case, Record, Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.ledger.selectors import ledger_audit

pytestmark = [pytest.mark.req("REC-11"), pytest.mark.req("REC-12")]


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_untouched_cases_verify_clean(team):
    advance_to(team, open_case(team), Stage.DECISION)
    assert ledger_audit().ok


def test_changed_record_content_is_named(team):
    case = open_case(team)
    record = add(team, case, "filing_approval")
    forged = json.dumps({**record.content, "cause": "改写后的案由"}, ensure_ascii=False)
    _sql("UPDATE cases_record SET content = %s WHERE id = %s", [forged, record.pk])
    findings = ledger_audit().findings
    assert [f.kind for f in findings] == ["changed"]
    assert f"执法记录 #{record.pk}" in findings[0].message and case.number in findings[0].message
    # The supervisor sees who made the last legitimate change.
    assert "最后一次合法变更：局长" in findings[0].message
    assert findings[0].expected == record.digest


def test_changed_record_time_is_named(team):
    case = open_case(team)
    record = add(team, case, "filing_approval")
    Record.objects.filter(pk=record.pk).update(place="另一个地点")
    assert [f.object for f in ledger_audit().findings] == [
        f"执法记录 #{record.pk}（案件 {case.number}，立案审批）"
    ]


def test_deleted_and_inserted_records_are_named(team):
    case = open_case(team)
    record = add(team, case, "transfer", signatures=[])
    _sql("DELETE FROM cases_record WHERE id = %s", [record.pk])
    findings = ledger_audit().findings
    assert findings[0].kind == "missing" and "已被删除" in findings[0].message
    Record.objects.create(
        case=case,
        kind="transfer",
        stage="start",
        occurred_at=record.occurred_at,
        content={},
        digest="0" * 64,
        created_by=team.lead,
    )
    messages = [f.message for f in ledger_audit().findings]
    assert any("绕过系统写入" in m for m in messages)


def test_stage_changed_behind_the_system_is_named(team, capsys):
    case = open_case(team)
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    findings = ledger_audit().findings
    assert findings[0].object == f"执法案件 {case.number}"
    assert (findings[0].expected, findings[0].found) == ("start", "closed")
    with pytest.raises(SystemExit):
        call_command("verify", "--no-record")
    assert case.number in capsys.readouterr().out
