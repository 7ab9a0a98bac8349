"""Recording remedy outcomes (SUP-03, SUP-05, PUB-09, PUB-11): who may, what is
valid, that a refusal changes nothing, and that an outcome changing the decision
takes it off the portal at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.disclosures import services as disclosures
from zhifa.disclosures.models import Disclosure, Takedown
from zhifa.disclosures.services import DraftInput, PartyInput
from zhifa.ledger.models import LedgerEntry
from zhifa.remedies.models import Remedy
from zhifa.remedies.services import remedy_record
from zhifa.supervision.testing import decided_case

pytestmark = [pytest.mark.django_db]
TODAY = timezone.localdate


def counts():
    return (
        Remedy.objects.count(),
        LedgerEntry.objects.count(),
        Takedown.objects.count(),
        Disclosure.objects.filter(status=Disclosure.Status.PUBLISHED).count(),
    )


def published_decision(t, case, record) -> Disclosure:
    draft = DraftInput(
        kind="decision",
        title="行政处罚决定书 示市监罚〔2026〕7号",
        action_kind="penalty",
        matter=case.matter,
        decided_on=timezone.localdate(record.occurred_at),
        document_number="示市监罚〔2026〕7号",
        party=PartyInput(kind="legal", name="示范县好味食品有限公司", representative="王五"),
        violation_type=case.matter.name,
        facts="经查，当事人销售超过保质期的食品。",
        basis="《中华人民共和国食品安全法》第一百二十四条",
        conclusion="给予警告，并处罚款人民币贰仟元整。",
        case_id_ref=case.pk,
        record_id_ref=record.pk,
    )
    item = disclosures.disclosure_prepare(actor=t.lead, agency=t.agency, draft=draft)
    disclosures.disclosure_submit(actor=t.lead, disclosure=item)
    return disclosures.disclosure_publish(actor=t.reviewer, disclosure=item)


def reconsideration(**kw):
    return {
        "channel": "reconsideration",
        "outcome": "revoked",
        "body": "示范县人民政府",
        "document_number": "示政复决〔2026〕3号",
        "filed_on": TODAY(),
        "decided_on": TODAY(),
        "summary": "认定事实不清，撤销原处罚决定。",
        **kw,
    }


@pytest.mark.req("PUB-09")
@pytest.mark.req("SUP-03")
def test_a_revocation_takes_the_decision_off_the_portal_at_once(market):
    case, record = decided_case(market)
    item = published_decision(market, case, record)
    remedy = remedy_record(actor=market.reviewer, case=case, **reconsideration())
    assert remedy.changes_decision and remedy.label == "行政复议撤销"
    item.refresh_from_db()
    assert item.status == Disclosure.Status.WITHDRAWN
    takedown = Takedown.objects.get(disclosure=item)
    assert (
        takedown.reason
        == "经行政复议撤销（示范县人民政府，示政复决〔2026〕3号），原公示的行政执法决定撤下。"
    )
    entry = LedgerEntry.objects.get(action="remedy.record")
    assert entry.payload["digest"] == remedy.digest
    assert entry.payload["withdrawn"] == [item.pk]
    assert entry.agency_id == market.agency.pk


@pytest.mark.req("PUB-11")
def test_an_upheld_decision_stays_published_and_a_leader_may_record(market):
    case, record = decided_case(market)
    item = published_decision(market, case, record)
    remedy_record(
        actor=market.leader,
        case=case,
        **reconsideration(outcome="upheld", summary="维持原处罚决定。"),
    )
    item.refresh_from_db()
    assert item.status == Disclosure.Status.PUBLISHED
    assert not Takedown.objects.exists()


def test_litigation_has_an_instance_and_self_correction_needs_no_body(market):
    case, _ = decided_case(market)
    suit = remedy_record(
        actor=market.reviewer,
        case=case,
        **reconsideration(
            channel="litigation", instance="first", outcome="dismissed", body="示范县人民法院"
        ),
    )
    assert suit.label == "行政诉讼（一审）驳回申请（诉讼请求）"
    own = remedy_record(
        actor=market.reviewer,
        case=case,
        channel="self_correction",
        outcome="varied",
        document_number="",
        decided_on=TODAY(),
        summary="罚款数额计算有误，自行变更。",
    )
    assert own.body == market.agency.name and own.filed_on is None


def test_an_archived_case_takes_an_outcome(market):
    from zhifa.casefiles.testing import archive

    case, _ = decided_case(market)
    case = archive(market, advance_to(market, case, Stage.CLOSED))
    assert case.stage == Stage.ARCHIVED
    remedy = remedy_record(actor=market.reviewer, case=case, **reconsideration(outcome="upheld"))
    assert remedy.case_id == case.pk


@pytest.mark.req("SUP-03")
def test_a_pending_matter_is_concluded_and_a_result_corrected_with_a_reason(market):
    case, _ = decided_case(market)
    pending = remedy_record(
        actor=market.reviewer,
        case=case,
        **reconsideration(outcome="pending", decided_on=None, document_number=""),
    )
    result = remedy_record(
        actor=market.reviewer, case=case, supersedes=pending, **reconsideration(outcome="upheld")
    )
    before = counts()
    with pytest.raises(InvalidInput, match="请说明更正原因"):
        remedy_record(
            actor=market.reviewer, case=case, supersedes=result, **reconsideration(outcome="varied")
        )
    with pytest.raises(Conflict, match="已被取代"):
        remedy_record(actor=market.reviewer, case=case, supersedes=pending, **reconsideration())
    assert counts() == before
    fixed = remedy_record(
        actor=market.reviewer,
        case=case,
        supersedes=result,
        correction_reason="文书结果登记错误",
        **reconsideration(outcome="varied"),
    )
    in_force = Remedy.objects.filter(case=case, superseded_by__isnull=True)
    assert list(in_force) == [fixed]


@pytest.mark.req("SUP-03")
@pytest.mark.parametrize(
    "change, message",
    [
        ({"channel": "appeal"}, "请选择渠道"),
        ({"outcome": "quashed"}, "请选择结果"),
        ({"body": " "}, "复议机关或审理的人民法院"),
        ({"filed_on": None}, "申请复议或起诉的日期"),
        ({"decided_on": None}, "复议决定、裁判或纠正的日期"),
        ({"document_number": ""}, "文号"),
        ({"outcome": "pending"}, "审理中的事项没有决定日期"),
        ({"decided_on": TODAY() + timedelta(days=1)}, "不能晚于今天"),
        ({"filed_on": TODAY() - timedelta(days=30)}, "不能早于本案执法决定的日期"),
        ({"instance": "first"}, "只有行政诉讼有审级"),
        ({"channel": "litigation"}, "请选择审级"),
        ({"channel": "self_correction", "outcome": "upheld"}, "自行纠正的结果只能是"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(market, change, message):
    case, record = decided_case(market)
    published_decision(market, case, record)
    before = counts()
    with pytest.raises(InvalidInput, match=message):
        remedy_record(actor=market.reviewer, case=case, **reconsideration(**change))
    assert counts() == before


def test_a_decision_made_before_the_filing_is_refused(market, monkeypatch):
    import types

    import zhifa.remedies.services

    case, _ = decided_case(market)
    # Five days on: the application was filed two days after the decision.
    later = TODAY() + timedelta(days=5)
    fake = types.SimpleNamespace(
        localdate=lambda value=None: later if value is None else timezone.localdate(value)
    )
    monkeypatch.setattr(zhifa.remedies.services, "timezone", fake)
    before = counts()
    with pytest.raises(InvalidInput, match="不能早于申请（起诉）日期"):
        remedy_record(
            actor=market.reviewer,
            case=case,
            **reconsideration(
                filed_on=TODAY() + timedelta(days=2), decided_on=TODAY() + timedelta(days=1)
            ),
        )
    assert counts() == before
    remedy_record(
        actor=market.reviewer,
        case=case,
        **reconsideration(filed_on=TODAY() + timedelta(days=2), decided_on=later),
    )


@pytest.mark.req("SUP-03")
def test_only_the_legal_unit_or_a_leader_of_the_agency_may_record(market, safety):
    case, record = decided_case(market)
    published_decision(market, case, record)
    before = counts()
    for actor in (market.lead, safety.reviewer, safety.leader, market.sysadmin):
        with pytest.raises(Forbidden, match="法制机构人员或机关负责人"):
            remedy_record(actor=actor, case=case, **reconsideration())
    assert counts() == before


def test_a_case_without_a_decision_has_nothing_to_remedy(market):
    case = open_case(market)
    with pytest.raises(Conflict, match="尚无有效的执法决定"):
        remedy_record(actor=market.reviewer, case=case, **reconsideration())
    assert not Remedy.objects.exists()


@pytest.mark.req("REC-11")
def test_verify_names_an_outcome_changed_behind_the_system(market, capsys):
    case, _ = decided_case(market)
    remedy = remedy_record(actor=market.reviewer, case=case, **reconsideration(outcome="upheld"))
    call_command("verify")
    assert "复议诉讼及纠错登记" not in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE remedies_remedy SET outcome = %s WHERE id = %s", ["dismissed", remedy.pk]
        )
    with pytest.raises(SystemExit):
        call_command("verify")
    out = capsys.readouterr().out
    assert f"复议诉讼及纠错登记 #{remedy.pk}（案件 {case.number}）" in out
    assert "已被修改" in out


@pytest.mark.req("PUB-09")
def test_the_remade_decision_is_published_with_the_explanation(market):
    from zhifa.instruments.models import Instrument, Kind
    from zhifa.instruments.services import instrument_issue
    from zhifa.supervision.testing import decide

    case = advance_to(market, open_case(market), Stage.EXECUTION)
    first = Instrument.objects.get(case=case, kind=Kind.DECISION)
    # The handling officer prepares the public version, the reviewer publishes it (PUB-13).
    item = disclosures.decision_prepare(actor=market.lead, instrument=first)
    disclosures.disclosure_submit(actor=market.lead, disclosure=item)
    original = disclosures.disclosure_publish(actor=market.reviewer, disclosure=item)
    remedy_record(
        actor=market.reviewer,
        case=case,
        **reconsideration(outcome="varied", summary="变更罚款数额。"),
    )
    original.refresh_from_db()
    assert original.status == Disclosure.Status.WITHDRAWN
    # The agency decides anew as the reconsideration body decided, and issues it.
    record = case.records.get(kind="decision", superseded_by__isnull=True)
    decide(market, case, fine="1000.00", conclusion="处罚款壹仟元。", supersedes=record)
    remade = instrument_issue(actor=market.lead, case=case, kind=Kind.DECISION, supersedes=first)
    item = disclosures.decision_prepare(actor=market.reviewer, instrument=remade)
    assert item.supersedes == original
    assert item.explanation.startswith(
        f"原行政执法决定（{original.document_number}）经行政复议变更"
    )
    assert "示政复决〔2026〕3号" in item.explanation
    assert Takedown.objects.get(disclosure=original).replacement == item


@pytest.mark.req("PUB-09")
def test_a_decision_changed_before_its_publication_is_never_published(market):
    from zhifa.instruments.models import Instrument, Kind
    from zhifa.instruments.services import instrument_issue
    from zhifa.supervision.testing import decide

    case = advance_to(market, open_case(market), Stage.EXECUTION)
    first = Instrument.objects.get(case=case, kind=Kind.DECISION)
    item = disclosures.decision_prepare(actor=market.lead, instrument=first)
    disclosures.disclosure_submit(actor=market.lead, disclosure=item)
    # Revoked by the agency itself while its public version waits in review.
    remedy_record(
        actor=market.reviewer,
        case=case,
        channel="self_correction",
        outcome="varied",
        decided_on=TODAY(),
        summary="罚款数额计算有误，自行变更。",
    )
    item.refresh_from_db()
    assert item.status == Disclosure.Status.WITHHELD
    assert item.withholding_ground.startswith("经自行纠正变更")
    assert not Takedown.objects.exists()  # it was never public
    # Its instrument cannot be prepared again …
    with pytest.raises(Conflict, match="原决定书不再公示") as refused:
        disclosures.decision_prepare(actor=market.lead, instrument=first)
    assert refused.value.code == "decision_remedied"
    # … but the decision made anew can, and is published by the legal unit.
    record = case.records.get(kind="decision", superseded_by__isnull=True)
    decide(market, case, fine="1000.00", conclusion="处罚款壹仟元。", supersedes=record)
    remade = instrument_issue(actor=market.lead, case=case, kind=Kind.DECISION, supersedes=first)
    item = disclosures.decision_prepare(actor=market.lead, instrument=remade)
    disclosures.disclosure_submit(actor=market.lead, disclosure=item)
    item = disclosures.disclosure_publish(actor=market.reviewer, disclosure=item)
    assert item.status == Disclosure.Status.PUBLISHED


@pytest.mark.req("PUB-09")
def test_a_draft_of_the_changed_decision_cannot_be_published(market):
    """A public version drafted by hand from the case (no instrument) before the
    outcome is refused at publication."""
    case, record = decided_case(market)
    draft = DraftInput(
        kind="decision",
        title="行政处罚决定书 示市监罚〔2026〕8号",
        action_kind="penalty",
        matter=case.matter,
        decided_on=TODAY(),
        document_number="示市监罚〔2026〕8号",
        party=PartyInput(kind="legal", name="示范县好味食品有限公司", representative="王五"),
        conclusion="罚款2000元",
        case_id_ref=case.pk,
        record_id_ref=record.pk,
    )
    item = disclosures.disclosure_prepare(actor=market.lead, agency=market.agency, draft=draft)
    disclosures.disclosure_submit(actor=market.lead, disclosure=item)
    remedy = remedy_record(actor=market.reviewer, case=case, **reconsideration())
    item.refresh_from_db()
    assert item.status == Disclosure.Status.WITHHELD  # closed by the outcome
    # Had it escaped (an item submitted again), publication would still refuse it.
    Disclosure.objects.filter(pk=item.pk).update(status=Disclosure.Status.IN_REVIEW)
    before = counts()
    with pytest.raises(Conflict, match=f"已经{remedy.label}"):
        disclosures.disclosure_publish(actor=market.reviewer, disclosure=item)
    assert counts() == before


@pytest.mark.req("SUP-05")
def test_an_appeal_supersedes_the_lower_judgment_without_a_correction_reason(market):
    from zhifa.cases.models import Case
    from zhifa.remedies.selectors import changed

    case, _ = decided_case(market)
    suit = reconsideration(channel="litigation", body="示范县人民法院")
    first = remedy_record(actor=market.reviewer, case=case, instance="first", **suit)
    cases = Case.objects.filter(pk=case.pk)
    window = (TODAY(), TODAY() + timedelta(days=1))
    assert list(changed(cases, *window)) == [first]
    # The second instance reverses it: no correction, a higher court's judgment.
    second = remedy_record(
        actor=market.reviewer,
        case=case,
        supersedes=first,
        **{**suit, "instance": "second", "outcome": "upheld", "body": "示范市中级人民法院"},
    )
    assert second.correction_reason == ""
    assert list(changed(cases, *window)) == []
    # Going back down an instance is a correction, and needs its reason.
    before = counts()
    with pytest.raises(InvalidInput, match="请说明更正原因"):
        remedy_record(actor=market.reviewer, case=case, supersedes=second, instance="first", **suit)
    assert counts() == before
