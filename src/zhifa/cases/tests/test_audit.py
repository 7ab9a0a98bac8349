"""A case or record changed directly in the database is found and named by the
full verification (``zhifa verify``), even though its own table has no hash
chain: its ledger entry still holds what was recorded (REC-11, REC-12)."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from zhifa.cases.models import Case, Party, Record, Stage
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


def test_inserted_rows_are_untracked_and_swapped_records_reordered(team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    first = add(team, case, "onsite_inspection")
    second = add(team, case, "interview")
    Record.objects.create(
        case=case,
        kind="transfer",
        stage="start",
        occurred_at=first.occurred_at,
        content={},
        digest="0" * 64,
        created_by=team.lead,
    )
    Party.objects.create(case=case, kind=Party.Kind.NATURAL, name="凭空增加的人")
    assert sorted(f.kind for f in ledger_audit().findings) == ["untracked", "untracked"]
    _sql("DELETE FROM cases_record WHERE kind = 'transfer'")
    _sql("DELETE FROM cases_party WHERE name = '凭空增加的人'")

    # Two records swapped whole: each is intact, but in the other's place.
    for record, other in ((first, second), (second, first)):
        Record.objects.filter(pk=record.pk).update(
            kind=other.kind,
            stage=other.stage,
            occurred_at=other.occurred_at,
            place=other.place,
            content=other.content,
            digest=other.digest,
        )
    findings = [f for f in ledger_audit().findings if f.kind == "reordered"]
    assert {f.object.split("（")[0] for f in findings} == {
        f"执法记录 #{first.pk}",
        f"执法记录 #{second.pk}",
    }
    assert f"执法记录 #{second.pk} 的内容" in findings[0].message


@pytest.mark.parametrize(
    "table, column, value",
    [
        ("cases_case", "title", "改过的案件名称"),
        ("cases_case", "procedure", "simple"),
        ("cases_party", "name", "换了的当事人"),
        ("cases_party", "id_number", "110101199003070000"),
        ("cases_caseofficer", "credential_number", "99999999"),
        ("cases_caseofficer", "is_lead", False),
    ],
)
def test_every_fixed_field_of_a_case_its_parties_and_officers_is_checked(
    team, table, column, value
):
    case = open_case(team)
    row = {"cases_case": case.pk}.get(table) or (
        case.parties.first().pk if table == "cases_party" else case.assignments.get(is_lead=True).pk
    )
    assert ledger_audit().ok
    _sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, row])
    [finding] = ledger_audit().findings
    assert finding.kind == "changed"
    assert case.number in finding.object
    # The responsible actor: who opened the case, when, and which entry.
    assert finding.actor.startswith(team.lead.officer.name) and "台账第" in finding.actor


def test_a_released_officer_brought_back_and_a_deleted_party_are_named(team, build):
    from zhifa.cases.services import officer_assign, officer_release

    case = open_case(team)
    newcomer = build.officer(case.agency, name="新指派的执法员")
    extra = officer_assign(actor=team.lead, case=case, officer=newcomer)
    officer_release(actor=team.lead, case=case, officer=newcomer, reason="回避")
    assert ledger_audit().ok
    _sql("UPDATE cases_caseofficer SET released_at = NULL WHERE id = %s", [extra.pk])
    [finding] = ledger_audit().findings
    assert finding.object.startswith(f"承办人员 #{extra.pk}") and "退出时间" in finding.message
    _sql("UPDATE cases_caseofficer SET released_at = %s WHERE id = %s", ["2020-01-01", extra.pk])
    assert len(ledger_audit().findings) == 1

    party = case.parties.first()
    _sql("DELETE FROM cases_party WHERE id = %s", [party.pk])
    kinds = {f.kind for f in ledger_audit().findings if f.object.startswith("当事人")}
    assert kinds == {"missing"}


def test_signatures_changed_added_or_removed_are_named_with_their_record(team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    record = add(team, case, "interview")
    signature = record.signatures.first()
    assert signature is not None and ledger_audit().ok
    name = f"执法记录 #{record.pk}（"

    _sql("UPDATE cases_signature SET name = %s WHERE id = %s", ["代签的人", signature.pk])
    [finding] = ledger_audit().findings
    assert (finding.kind, finding.object.startswith(name)) == ("changed", True)
    _sql("UPDATE cases_signature SET name = %s WHERE id = %s", [signature.name, signature.pk])

    _sql("UPDATE cases_signature SET signed_at = %s WHERE id = %s", ["2001-01-01", signature.pk])
    assert [f.kind for f in ledger_audit().findings] == ["changed"]
    _sql("DELETE FROM cases_signature WHERE record_id = %s", [record.pk])
    [finding] = ledger_audit().findings
    assert finding.kind == "missing" and finding.object.startswith(name)


def test_verify_one_case_proves_its_entries_and_ignores_other_cases(team, capsys, settings):
    from zhifa.ledger.services import checkpoint_issue
    from zhifa.ledger.tests.tampering import behind_the_guard

    case = open_case(team)
    add(team, case, "filing_approval")
    other = open_case(team, title="另一个案件")
    checkpoint_issue()
    call_command("verify", "--case", case.number)
    out = capsys.readouterr().out
    assert out.startswith("台账完整") and f"案件 {case.number}" in out

    # Another case's tampering is not this case's finding.
    Case.objects.filter(pk=other.pk).update(title="改过")
    call_command("verify", "--case", case.number)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        call_command("verify", "--case", other.number, "--json")
    assert exited.value.code == 1
    document = json.loads(capsys.readouterr().out)
    assert [f["object"] for f in document["findings"]] == [f"执法案件 {other.number}"]
    Case.objects.filter(pk=other.pk).update(title=other.title)

    # A stored node on the path of one of the case's entries: its proof fails.
    from zhifa.cases.audit import case_audit, case_entries

    first = case_entries(case).first()
    behind_the_guard(
        'UPDATE ledger_merkle_node SET hash = %s WHERE level = 0 AND "index" = %s',
        ["0" * 64, (first.seq - 1) ^ 1],  # its sibling: a node its proof is made of
    )
    kinds = {f.kind for f in case_audit(case).findings}
    assert "proof_invalid" in kinds

    with pytest.raises(Exception, match="没有编号为"):
        call_command("verify", "--case", "不存在的编号")


def test_the_supervisor_sees_who_made_the_last_legitimate_change(team, county, client_for):
    from django.urls import reverse

    case = open_case(team)
    record = add(team, case, "filing_approval")
    Record.objects.filter(pk=record.pk).update(place="改过的地点")
    client = client_for(county.supervisor)
    client.post(reverse("ledger:verify"), {"confirmed": "1"})
    page = client.get(reverse("ledger:state")).content.decode()
    assert "最后一次合法变更（责任人）" in page
    [finding] = ledger_audit().findings
    assert finding.actor.startswith(f"{record.created_by.officer.name}，")
    assert f"<td>{finding.actor}</td>" in page


def test_a_case_number_used_by_two_agencies_needs_the_agency(team, build, county, capsys):
    from django.core.management.base import CommandError

    from zhifa.cases.testing import team as make_team

    mine = open_case(team)
    theirs = open_case(make_team(build, county.safety))
    assert mine.number == theirs.number
    with pytest.raises(CommandError, match="在多个执法主体下重复") as raised:
        call_command("verify", "--case", mine.number)
    assert county.market.name in str(raised.value) and county.safety.name in str(raised.value)
    Case.objects.filter(pk=theirs.pk).update(title="改过")
    call_command("verify", "--case", mine.number, "--agency", county.market.name)
    assert capsys.readouterr().out.startswith("台账完整")
    with pytest.raises(SystemExit):
        call_command("verify", "--case", theirs.number, "--agency", county.safety.name)
