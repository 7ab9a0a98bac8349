"""The cases core through its services: opening, records, signatures, stage
rules, and every refusal leaving nothing behind (REC-01 … REC-03, REC-06,
REC-08, REC-09)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.cases import rules, services
from zhifa.cases.models import Case, Procedure, Record, Signature, Source, Stage
from zhifa.cases.records import KINDS
from zhifa.cases.services import SignatureInput
from zhifa.cases.testing import PARTY, add, advance_to, open_case, signature_image, signatures_for
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry

pytestmark = [
    pytest.mark.req("REC-01"),
    pytest.mark.req("REC-02"),
    pytest.mark.req("REC-03"),
    pytest.mark.req("REC-06"),
    pytest.mark.req("REC-08"),
    pytest.mark.req("REC-09"),
]


def _entries(action):
    return LedgerEntry.objects.filter(action=action).count()


# --- Opening ------------------------------------------------------------------------


def test_open_numbers_cases_per_agency_and_year(team):
    first = open_case(team)
    second = open_case(team)
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"{year}-0001", f"{year}-0002")
    assert first.stage == Stage.START
    assert first.assignments.count() == 2
    assert first.assignments.filter(is_lead=True).get().officer == team.officers[0]
    entry = LedgerEntry.objects.filter(action="case.open", object_id=str(first.pk)).get()
    assert entry.payload["officers"][0][1] == first.assignments.get(is_lead=True).credential_number


def test_open_needs_two_officers_except_simple(team):
    with pytest.raises(InvalidInput, match="至少指派 2 名"):
        open_case(team, officers=team.officers[:1])
    assert not Case.objects.exists()
    assert open_case(team, procedure=Procedure.SIMPLE).assignments.count() == 1


def test_open_refuses_officer_without_valid_credential(build, county, team):
    expired = build.officer(county.market, credential="suspended")
    with pytest.raises(Forbidden, match="没有有效的行政执法证件"):
        open_case(team, officers=[team.officers[0], expired])
    assert not Case.objects.exists()
    assert _entries("case.open") == 0


def test_open_refuses_officer_of_another_agency(build, county, team):
    stranger = build.officer(county.safety)
    with pytest.raises(Forbidden, match="不是本机关人员"):
        open_case(team, officers=[team.officers[0], stranger])


def test_reviewer_cannot_open_or_handle(team):
    with pytest.raises(Forbidden):
        services.case_open(
            actor=team.reviewer,
            matter=team.matter,
            title="x",
            procedure=Procedure.ORDINARY,
            source=Source.EX_OFFICIO,
            started_on=timezone.localdate(),
            officers=team.officers,
        )


def test_officer_of_another_agency_cannot_open(build, county, team):
    other = build.officer(county.safety)
    with pytest.raises(Forbidden):
        services.case_open(
            actor=other.user,
            matter=team.matter,
            title="x",
            procedure=Procedure.ORDINARY,
            source=Source.EX_OFFICIO,
            started_on=timezone.localdate(),
            officers=team.officers,
        )


@pytest.mark.parametrize(
    ("party", "message"),
    [
        (
            {"kind": "legal", "name": "某公司", "credit_code": "91110000600037341X"},
            "统一社会信用代码",
        ),
        ({"kind": "legal", "name": "某公司"}, "须填写统一社会信用代码"),
        ({"kind": "natural", "name": "张三", "id_number": "110105194912310021"}, "校验位"),
        ({"kind": "alien", "name": "张三"}, "当事人类型"),
        ({"kind": "natural", "name": " "}, "不能为空"),
    ],
)
def test_bad_party_refused_and_nothing_written(team, party, message):
    with pytest.raises(InvalidInput, match=message):
        open_case(team, parties=[party])
    assert not Case.objects.exists()


def test_valid_natural_person_id_accepted(team):
    case = open_case(
        team, parties=[{"kind": "natural", "name": "张三", "id_number": "11010519491231002x"}]
    )
    assert case.parties.get().id_number == "11010519491231002X"


def test_future_start_refused(team):
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        open_case(team, started_on=timezone.localdate() + timedelta(days=1))


def test_simple_procedure_only_for_penalties(build, county):
    from zhifa.cases.testing import team as make_team

    licensing = make_team(build, county.safety, action_kind="licensing")
    with pytest.raises(InvalidInput, match="简易程序只适用于行政处罚"):
        open_case(licensing, procedure=Procedure.SIMPLE)


# --- Records ------------------------------------------------------------------------


def test_record_digest_is_in_the_ledger(team):
    case = open_case(team)
    record = add(team, case, "filing_approval")
    assert record.digest == services.record_digest(record)
    entry = LedgerEntry.objects.get(action="record.add", object_id=str(record.pk))
    assert entry.payload["digest"] == record.digest
    assert entry.payload["signatures"][0]["role"] == Signature.Role.LEADER
    # A change behind the system's back no longer matches the ledger.
    Record.objects.filter(pk=record.pk).update(content={**record.content, "cause": "改过的案由"})
    record.refresh_from_db()
    assert services.record_digest(record) != entry.payload["digest"]


def test_record_of_a_later_stage_refused(team):
    case = open_case(team)
    with pytest.raises(Conflict, match="属于审查决定环节"):
        add(team, case, "decision")
    assert not Record.objects.exists()


def test_record_required_field_and_unknown_field(team):
    case = open_case(team)
    with pytest.raises(InvalidInput, match="“案由”不能为空"):
        add(team, case, "filing_approval", content={"cause": ""})
    with pytest.raises(InvalidInput, match="未知字段"):
        add(team, case, "filing_approval", content={"forged": "x"})
    with pytest.raises(InvalidInput, match="记录类型不正确"):
        add_kind = "no_such_kind"
        services.record_add(
            actor=team.lead, case=case, kind=add_kind, occurred_at=timezone.now(), content={}
        )
    assert not Record.objects.exists()


def test_record_time_in_future_or_before_start_refused(team):
    case = open_case(team, started_on=timezone.localdate() - timedelta(days=3))
    with pytest.raises(InvalidInput, match="不能晚于当前时间"):
        add(team, case, "filing_approval", when=timezone.now() + timedelta(hours=2))
    with pytest.raises(InvalidInput, match="不能早于案件启动日期"):
        add(team, case, "filing_approval", when=timezone.now() - timedelta(days=5))
    assert not Record.objects.exists()


def test_money_fields_are_checked(team):
    case = advance_to(team, open_case(team), Stage.DECISION)
    with pytest.raises(InvalidInput, match="金额"):
        add(team, case, "decision", content={"fine_amount": "两千"})
    with pytest.raises(InvalidInput, match="非负"):
        add(team, case, "decision", content={"fine_amount": "-1"})
    assert (
        add(team, case, "decision", content={"fine_amount": "2000"}).content["fine_amount"]
        == "2000.00"
    )


def test_approval_records_need_a_leader(team):
    case = open_case(team)
    with pytest.raises(Forbidden, match="负责人"):
        add(team, case, "filing_approval", actor=team.lead)
    add(team, case, "filing_approval", actor=team.leader)


def test_reviewer_and_non_handler_cannot_record(build, county, team):
    case = open_case(team)
    bystander = build.officer(county.market)
    for actor in (team.reviewer, bystander.user):
        with pytest.raises(Forbidden):
            add(team, case, "interview", actor=actor)


def test_refused_signature_needs_witness_and_note(team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    at = timezone.now() - timedelta(minutes=1)
    refused = SignatureInput(role="interviewee", name="李四", method="refused", signed_at=at)
    with pytest.raises(InvalidInput, match="须记录见证人"):
        add(team, case, "interview", when=at, signatures=[refused])
    refused.witness_name = "王五"
    with pytest.raises(InvalidInput, match="拒绝签名的情况"):
        add(team, case, "interview", when=at, signatures=[refused])
    refused.refusal_note = "当事人拒绝在笔录上签名"
    record = add(team, case, "interview", when=at, signatures=[refused])
    signature = record.signatures.get()
    assert (signature.method, signature.witness_name, signature.image) == ("refused", "王五", None)


def test_signature_needs_image_unless_refused(team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    at = timezone.now() - timedelta(minutes=1)
    bare = SignatureInput(role="interviewee", name="李四", method="on_screen", signed_at=at)
    with pytest.raises(InvalidInput, match="签名图像"):
        add(team, case, "interview", when=at, signatures=[bare])


def test_officer_signature_must_be_a_handler(build, county, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    at = timezone.now() - timedelta(minutes=1)
    outsider = build.officer(county.market)
    image = signature_image(team.lead)
    sig = SignatureInput(
        role="officer", name="x", method="on_screen", signed_at=at, image=image, officer=outsider
    )
    with pytest.raises(InvalidInput, match="不是本案承办人员"):
        add(team, case, "interview", when=at, signatures=[sig])


def test_later_signature_completes_a_record(team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    at = timezone.now() - timedelta(minutes=5)
    record = add(
        team, case, "interview", when=at, signatures=signatures_for(team, "interview", at)[:1]
    )
    assert any("被询问人签名" in m for m in rules.needs(case, Stage.DECISION))
    services.signature_add(
        actor=team.lead,
        record=record,
        signature=SignatureInput(
            role="interviewee",
            name="李四",
            method="scan",
            signed_at=timezone.now(),
            image=signature_image(team.lead),
        ),
    )
    assert not any("被询问人签名" in m for m in rules.needs(case, Stage.DECISION))
    assert _entries("record.sign") == 1


def test_correction_supersedes_and_keeps_the_original(team):
    case = open_case(team)
    original = add(team, case, "filing_approval")
    corrected = add(
        team, case, "filing_approval", supersedes=original, content={"cause": "更正后的案由"}
    )
    assert corrected.supersedes == original
    assert Record.objects.count() == 2
    assert rules.facts(case).latest("filing_approval") == corrected
    with pytest.raises(Conflict, match="已被更正过"):
        add(team, case, "filing_approval", supersedes=original)


# --- Stages -------------------------------------------------------------------------


def test_stages_cannot_be_skipped(team):
    case = open_case(team)
    add(team, case, "filing_approval")
    with pytest.raises(Conflict, match="不能直接进入审查决定"):
        services.case_advance(actor=team.lead, case=case, to_stage=Stage.DECISION)
    case.refresh_from_db()
    assert case.stage == Stage.START


def test_advance_lists_what_is_missing(team):
    case = open_case(team)
    with pytest.raises(Conflict, match="缺少立案审批"):
        services.case_advance(actor=team.lead, case=case, to_stage=Stage.INVESTIGATION)
    assert case.stage_changes.count() == 1


def test_no_decision_stage_without_final_report(team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    for kind in ("rights_notification", "interview"):
        add(team, case, kind)
    assert rules.needs(case, Stage.DECISION) == ["缺少案件调查终结报告"]


def test_no_closing_while_execution_is_open(team):
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    add(team, case, "delivery_direct")
    add(team, case, "closing_approval")
    add(team, case, "court_application")
    assert any("尚无法院裁定" in m for m in rules.needs(case, Stage.CLOSED))
    add(team, case, "objection")
    assert any("异议" in m for m in rules.needs(case, Stage.CLOSED))


def test_penalty_needs_prior_notice_and_hearing_minutes_when_asked(team):
    case = advance_to(team, open_case(team), Stage.DECISION)
    missing = rules.needs(case, Stage.EXECUTION)
    assert "缺少行政处罚事先告知" in missing
    add(team, case, "prior_notice")
    add(team, case, "hearing_application")
    assert "当事人申请了听证，尚无听证笔录" in rules.needs(case, Stage.EXECUTION)


def test_closing_sets_archive_due_date(team, settings):
    settings.ZHIFA_ARCHIVE_DAYS = 20
    case = advance_to(team, open_case(team), Stage.CLOSED)
    assert case.action_ended_on == timezone.localdate()
    assert case.archive_due_on == timezone.localdate() + timedelta(days=20)
    with pytest.raises(Conflict, match="不能再修改"):
        add(team, case, "objection")


def test_fast_track_needs_written_consent(team):
    case = open_case(team, procedure=Procedure.FAST)
    add(team, case, "filing_approval")
    assert rules.needs(case, Stage.INVESTIGATION) == ["快速办理须有当事人书面同意"]


def test_application_case_needs_acceptance(team):
    case = open_case(team, source=Source.APPLICATION)
    add(team, case, "application_registration")
    add(team, case, "application_acceptance", content={"decision": "one_time_notice"})
    assert any("尚未受理" in m for m in rules.needs(case, Stage.INVESTIGATION))


def test_every_stage_change_is_a_row_and_an_entry(team):
    case = advance_to(team, open_case(team), Stage.CLOSED)
    assert [c.to_stage for c in case.stage_changes.all()] == [
        Stage.START,
        Stage.INVESTIGATION,
        Stage.DECISION,
        Stage.EXECUTION,
        Stage.CLOSED,
    ]
    assert _entries("case.stage") == 4


# --- Emergency start (REC-02) ------------------------------------------------------


def test_emergency_start_approved_within_window(team, settings):
    settings.ZHIFA_EMERGENCY_APPROVAL_HOURS = 24
    case = open_case(team, is_emergency=True)
    assert not rules.needs(case, Stage.INVESTIGATION)  # no filing approval needed up front
    assert (
        rules.emergency_overdue(
            case, now=case.emergency_started_at + timedelta(hours=23, minutes=59)
        )
        is False
    )
    assert (
        rules.emergency_overdue(
            case, now=case.emergency_started_at + timedelta(hours=24, seconds=1)
        )
        is True
    )
    add(team, case, "emergency_approval")
    case.refresh_from_db()
    assert case.emergency_approved_at is not None
    assert rules.emergency_overdue(case, now=case.emergency_started_at + timedelta(days=3)) is False


def test_late_emergency_approval_stays_flagged(team):
    case = open_case(team, is_emergency=True)
    Case.objects.filter(pk=case.pk).update(
        emergency_started_at=timezone.now() - timedelta(hours=30)
    )
    case.refresh_from_db()
    add(team, case, "emergency_approval")
    case.refresh_from_db()
    assert rules.emergency_overdue(case)


def test_emergency_case_cannot_close_unapproved(team):
    case = open_case(team, is_emergency=True)
    case = advance_to(team, case, Stage.EXECUTION)
    assert "紧急情况先行启动的案件尚未补办批准手续" in rules.needs(case, Stage.CLOSED)


# --- Officers -----------------------------------------------------------------------


def test_release_keeps_the_minimum(build, county, team):
    case = open_case(team)
    with pytest.raises(Conflict, match="少于规定人数"):
        services.officer_release(
            actor=team.lead, case=case, officer=team.officers[1], reason="回避"
        )
    third = build.officer(county.market)
    services.officer_assign(actor=team.lead, case=case, officer=third)
    services.officer_release(
        actor=team.lead, case=case, officer=team.officers[1], reason="申请回避"
    )
    assert {a.officer for a in case.assignments.filter(released_at__isnull=True)} == {
        team.officers[0],
        third,
    }


def test_unit_head_of_another_unit_is_not_case_leader(build, county, team):
    head = build.officer(
        county.market, roles=(Role.UNIT_HEAD,), unit=county.market_legal, credential=False
    )
    case = open_case(team, unit=county.market_unit)
    with pytest.raises(Forbidden):
        add(team, case, "filing_approval", actor=head.user)


def test_all_kinds_have_labels_and_stages():
    for code, spec in KINDS.items():
        assert spec.label and spec.stage in Stage.values, code
        assert all(f.label for f in spec.fields), code


def test_party_fixture_is_valid():
    from stdnum.cn import uscc

    assert uscc.is_valid(PARTY["credit_code"])
