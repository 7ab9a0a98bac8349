"""Issuing instruments from the case's data: every shipped template, the
decision's REC-07 items, atomicity and the refusals."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from zhifa.cases.models import Procedure, Stage
from zhifa.cases.numbering import number_peek
from zhifa.cases.services import case_advance
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.instruments.convert import ConversionFailed, pdf_text
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.services import IssueRequest, instrument_issue, instruments_issue
from zhifa.instruments.testing import onspot_form
from zhifa.ledger.evidence import backend
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    """PDF text without the spaces and line breaks that layout puts between words."""
    return re.sub(r"\s+", "", text)


def text_of(instrument: Instrument) -> str:
    stored = instrument.pdf
    path = backend(stored.backend).path_for(stored.storage_key)
    return flat(pdf_text(path))


# Content the decision record carries for each REC-07 item, and the heading it sits under.
DECISION = {
    "facts": "经查，当事人于2026年3月1日销售超过保质期的牛奶12箱",
    "evidence": "现场检查笔录、询问笔录、进货单据，来源合法、内容真实，予以采纳",
    "basis": "当事人的行为违反了《中华人民共和国食品安全法》第三十四条第十项",
    "discretion": "适用本局裁量基准一般情形，当事人初次违法且积极配合，按一般档次处罚",
    "conclusion": "没收违法所得并处罚款",
    "performance": "自收到本决定书之日起十五日内缴纳至指定银行",
    "remedies": "可以在收到本决定书之日起六十日内申请行政复议，或者六个月内提起行政诉讼",
    "fine_amount": "5000.00",
}
REC07_HEADINGS = (
    "当事人",
    "违法事实",
    "证据及采纳理由",
    "法律依据及适用理由",
    "适用的裁量基准及理由",
    "处罚决定",
    "履行方式和期限",
    "救济途径和期限",
)


@pytest.mark.req("REC-07")
@pytest.mark.req("REC-14")
def test_every_shipped_template_renders_the_case(team, settings):
    """Each default template, filled from a real case, converts to a PDF that
    shows the party, the case or instrument number and the record's content;
    the decision shows every REC-07 item. Three LibreOffice runs in all."""
    # The decision's reasons as the free text of its record, although a hearing is
    # held: the structured reasons are rendered in reasons/tests/test_gate_api.py.
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = False
    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    add(team, case, "evidence_preservation", content={"items": "过期牛奶12箱"})
    add(team, case, "hearing_notice", content={"rights": "你单位有权要求举行听证"})
    add(team, case, "hearing_minutes", content={"minutes": "当事人陈述了进货经过"})
    case = advance_to(team, case, Stage.EXECUTION)  # the kit issues 事先告知书 and 决定书
    first_decision = case.instruments.get(kind=Kind.DECISION)
    # The decision record is corrected: the decision made from it is made again.
    sample = case.records.get(kind="decision")
    add(team, case, "decision", content=DECISION, supersedes=sample)
    add(team, case, "delivery_direct", content={"recipient": "王五代收"})
    add(team, case, "closing_approval", content={"summary": "已结案审结情况"})
    kinds = [
        Kind.FILING_APPROVAL,
        Kind.ONSITE_INSPECTION,
        Kind.INTERVIEW,
        Kind.EVIDENCE_PRESERVATION,
        Kind.HEARING_NOTICE,
        Kind.HEARING_MINUTES,
        Kind.INVESTIGATION_REPORT,
        Kind.DELIVERY_RECEIPT,
        Kind.CLOSING_APPROVAL,
        Kind.DECISION,
    ]
    delivery = case.records.get(kind="delivery_direct")
    batch = instruments_issue(
        actor=team.lead,
        case=case,
        items=[IssueRequest(k, delivery if k == Kind.DELIVERY_RECEIPT else None) for k in kinds],
    )
    issued = {i.kind: i for i in Instrument.objects.filter(case=case, superseded_by__isnull=True)}
    # The 说明理由书 is made from a request for reasons (reasons/tests/test_portal.py).
    assert set(issued) == set(Kind.values) - {Kind.ONSPOT_DECISION, Kind.REASONS_STATEMENT}
    assert [i.kind for i in batch] == kinds
    assert issued[Kind.DECISION].supersedes == first_decision
    assert issued[Kind.DECISION].number != first_decision.number  # a new number, no gap

    party = "示范县好味食品有限公司"
    for kind, instrument in issued.items():
        text = text_of(instrument)
        assert party in text, kind
        assert instrument.pages >= 1
        if instrument.number:
            assert flat(instrument.number) in text, kind
        else:
            assert case.number in text or kind in (Kind.DELIVERY_RECEIPT,), kind
        if instrument.record_id:
            for name, value in instrument.record.content.items():
                if name == "party":
                    continue  # parties come from the case's party register
                if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
                    continue  # dates are written out in Chinese
                if value and len(value) > 4:
                    assert flat(value)[:20] in text, (kind, value)
    # Officers with their credential numbers, on the records made on the spot.
    for assignment in case.assignments.all():
        assert assignment.credential_number in text_of(issued[Kind.INTERVIEW])
    assert "过期牛奶12箱" in text_of(issued[Kind.EVIDENCE_PRESERVATION])
    receipt = text_of(issued[Kind.DELIVERY_RECEIPT])
    assert "王五代收" in receipt and "直接送达" in receipt

    decision = issued[Kind.DECISION]
    assert re.fullmatch(r"示范县市场监督管理局罚〔\d{4}〕2号", decision.number)
    text = text_of(decision)
    for heading in REC07_HEADINGS:
        assert heading in text, heading
    for name, value in DECISION.items():
        assert flat(value) in text or name == "fine_amount", name
    assert "伍仟元整" in text and "5000.00" in text
    assert case.agency.name in text and "（印章）" in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)

    # The ledger holds each instrument's digests, and still verifies.
    entry = LedgerEntry.objects.get(action="instrument.correct", object_id=str(decision.pk))
    assert entry.payload["number"] == decision.number
    assert entry.payload["supersedes"] == first_decision.pk
    assert entry.payload["pdf_sha256"] == decision.pdf.sha256
    assert entry.payload["docx_sha256"] == decision.docx.sha256
    assert ledger_verify().ok


@pytest.mark.req("REC-07")
def test_the_simple_procedure_issues_the_preprinted_onspot_decision(team):
    case = open_case(team, procedure=Procedure.SIMPLE)
    case = advance_to(team, case, Stage.EXECUTION)  # the kit issues 当场行政处罚决定书
    onspot = case.instruments.get()
    assert onspot.kind == Kind.ONSPOT_DECISION
    assert onspot.number == onspot_form(team, case)
    text = text_of(onspot)
    assert flat(onspot.number) in text
    assert team.officers[0].assignments.get(case=case).credential_number in text
    assert "贰仟元整" in text  # the sample record's fine, in capitals

    # Closed: nothing more is issued in the case.
    add(team, case, "delivery_direct")
    add(team, case, "voluntary_performance")
    case = case_advance(actor=team.lead, case=case, to_stage=Stage.CLOSED)
    with pytest.raises(Conflict, match="已结案"):
        instrument_issue(actor=team.lead, case=case, kind=Kind.DELIVERY_RECEIPT)


def test_a_failed_conversion_saves_nothing_and_gives_the_number_back(team, settings):
    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    add(team, case, "decision")
    entries = LedgerEntry.objects.count()
    settings.ZHIFA_SOFFICE = "false"  # exists, runs, and fails
    with pytest.raises(ConversionFailed, match="未能将"):
        instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
    assert not Instrument.objects.exists()
    assert number_peek(agency=case.agency, name="doc:decision", year=case.started_on.year) == 0
    # Installing the default template is the only thing written, before the issue began.
    assert set(LedgerEntry.objects.filter(seq__gt=entries).values_list("action", flat=True)) <= {
        "instrument.template_install",
        "file.store",
    }

    settings.ZHIFA_SOFFICE = "no-such-soffice"
    with pytest.raises(ConversionFailed, match="未找到 LibreOffice") as raised:
        instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
    assert raised.value.code == "soffice_missing"


def test_refusals_before_anything_is_rendered(team, build, county):
    case = open_case(team)
    with override_settings(ZHIFA_SOFFICE="false"):  # nothing here may reach conversion
        # Not yet at the stage of the instrument.
        with pytest.raises(Conflict, match="审查决定环节制作") as raised:
            instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
        assert raised.value.code == "wrong_stage"
        # No record to render.
        with pytest.raises(InvalidInput, match="请先填写立案审批记录") as raised:
            instrument_issue(actor=team.lead, case=case, kind=Kind.FILING_APPROVAL)
        # A kind the procedure does not use.
        with pytest.raises(InvalidInput, match="普通程序的案件不使用当场行政处罚决定书"):
            instrument_issue(actor=team.lead, case=case, kind=Kind.ONSPOT_DECISION)
        with pytest.raises(InvalidInput, match="文书种类不正确"):
            instrument_issue(actor=team.lead, case=case, kind="letter")

        # Who may issue: the case's handlers; the leader only approval forms.
        other = build.officer(case.agency, name="非承办人")
        for actor in (other.user, team.reviewer, county.market_admin):
            with pytest.raises(Forbidden):
                instrument_issue(actor=actor, case=case, kind=Kind.INTERVIEW)
        with pytest.raises(Forbidden, match="承办人员"):
            instrument_issue(actor=team.leader, case=case, kind=Kind.INTERVIEW)
        elsewhere = build.officer(county.safety, name="应急执法员")
        with pytest.raises(Forbidden):
            instrument_issue(actor=elsewhere.user, case=case, kind=Kind.INTERVIEW)

        # A record of another case.
        second = open_case(team, title="第二案")
        add(team, second, "filing_approval")
        with pytest.raises(InvalidInput, match="须依据本案的立案审批记录"):
            instrument_issue(
                actor=team.lead,
                case=case,
                kind=Kind.FILING_APPROVAL,
                record=second.records.get(kind="filing_approval"),
            )
    assert not Instrument.objects.exists()


def test_several_records_of_a_kind_need_a_choice(team, settings):
    case = open_case(team)
    case = advance_to(team, case, Stage.INVESTIGATION)
    add(team, case, "interview")
    add(team, case, "interview", content={"interviewee": "李四"})
    settings.ZHIFA_SOFFICE = "false"
    with pytest.raises(InvalidInput, match="2 份询问笔录记录") as raised:
        instrument_issue(actor=team.lead, case=case, kind=Kind.INTERVIEW)
    assert raised.value.code == "record_ambiguous"


def test_a_closed_gate_refuses_the_decision_and_the_attempt_is_on_record(team, settings):
    from zhifa.instruments import gates

    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    add(team, case, "decision")

    def closed(case, kind):
        return ["尚未经法制审核"]

    gates.gate(Kind.DECISION)(closed)
    try:
        settings.ZHIFA_SOFFICE = "false"  # a closed gate refuses before any conversion
        with pytest.raises(gates.GateClosed, match="不得制作此文书：尚未经法制审核") as raised:
            instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
        assert raised.value.status == 409
        assert not Instrument.objects.exists()
        assert number_peek(agency=case.agency, name="doc:decision", year=case.started_on.year) == 0
        refused = LedgerEntry.objects.get(action="instrument.refused")
        assert refused.payload == {
            "case": case.number,
            "kind": Kind.DECISION,
            "reasons": ["尚未经法制审核"],
        }
        assert ledger_verify().ok
    finally:
        gates._GATES[Kind.DECISION].remove(closed)
    assert gates.refusals(case, Kind.DECISION) == []
