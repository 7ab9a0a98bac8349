"""Publication pipeline (PUB-01, PUB-06, PUB-07, PUB-13): draft → legal-unit
review → published → withdrawn/superseded, deadlines across holidays and 调休
days, lateness that stays, withholding with a ground, refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.disclosures import selectors, services
from zhifa.disclosures.models import Disclosure, DisclosureEvent, Takedown
from zhifa.disclosures.tests.conftest import decision
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def counts():
    return (
        Disclosure.objects.count(),
        DisclosureEvent.objects.count(),
        Takedown.objects.count(),
        LedgerEntry.objects.count(),
    )


def publish(desk, draft=None):
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=draft or decision(desk)
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    return services.disclosure_publish(actor=desk.legal, disclosure=item)


@pytest.mark.req("PUB-06")
def test_the_public_version_is_built_redacted_with_marks(desk):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    assert item.status == Disclosure.Status.DRAFT
    assert item.party_name == "张某某"
    assert item.party_credit_code == ""
    assert "张三丰" not in item.facts and "李四" not in item.facts
    assert "11010519491231002X" not in item.facts and "13800138000" not in item.facts
    assert "幸福路" not in item.facts
    assert {kind for _, _, kind in item.redactions["facts"]} == {
        "name",
        "id_number",
        "phone",
        "address",
    }
    assert LedgerEntry.objects.filter(action="disclosure.prepare").count() == 1


@pytest.mark.req("PUB-06")
def test_legal_persons_are_named_with_credit_code_and_representative(desk):
    item = services.disclosure_prepare(
        actor=desk.officer,
        agency=desk.agency,
        draft=decision(desk, natural=False, facts="示范县好味食品有限公司法定代表人王五到场"),
    )
    assert item.party_name == "示范县好味食品有限公司"
    assert item.party_credit_code == "91110000600037341L"
    assert item.party_representative == "王五"
    assert "王五" in item.facts


@pytest.mark.req("PUB-06")
@pytest.mark.parametrize(
    ("decided_on", "action_kind", "due_on"),
    [
        # 国庆节 10-01…07 off, Saturday 10-10 worked.
        (date(2026, 9, 30), "penalty", date(2026, 10, 15)),
        # 中秋 Friday 09-25 off, Sunday 09-20 worked.
        (date(2026, 9, 18), "licensing", date(2026, 9, 29)),
        # The rest: 20 working days, across both.
        (date(2026, 9, 18), "coercion", date(2026, 10, 22)),
    ],
)
def test_deadlines_count_working_days_across_holidays_and_make_up_days(
    desk, decided_on, action_kind, due_on
):
    item = services.disclosure_prepare(
        actor=desk.officer,
        agency=desk.agency,
        draft=decision(desk, decided_on=decided_on, action_kind=action_kind, matter=None),
    )
    assert item.due_on == due_on
    assert not item.due_provisional


@pytest.mark.req("PUB-06")
def test_a_matter_can_carry_its_own_deadline(desk):
    services.deadline_rule_set(
        actor=desk.legal, matter=desk.matter, workdays=3, basis="某规章第十条"
    )
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=decision(desk, decided_on=date(2026, 9, 30))
    )
    assert item.due_on == date(2026, 10, 10)  # the make-up Saturday counts
    with pytest.raises(Forbidden):
        services.deadline_rule_set(actor=desk.officer, matter=desk.matter, workdays=3, basis="x")


@pytest.mark.req("PUB-13")
def test_nothing_is_published_without_the_legal_units_confirmation(desk):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    before = counts()
    with pytest.raises(Conflict):  # still a draft: not submitted for review
        services.disclosure_publish(actor=desk.legal, disclosure=item)
    services_submit = services.disclosure_submit(actor=desk.officer, disclosure=item)
    assert services_submit.status == Disclosure.Status.IN_REVIEW
    before = counts()
    for actor in (desk.officer, desk.leader, desk.outsider):
        with pytest.raises(Forbidden):
            services.disclosure_publish(actor=actor, disclosure=item)
    assert counts() == before
    assert not selectors.published_decisions().exists()


@pytest.mark.req("PUB-01")
def test_publication_records_each_step_with_who_and_when(desk):
    item = publish(desk, decision(desk, decided_on=timezone.localdate()))
    assert item.status == Disclosure.Status.PUBLISHED
    assert not item.is_late
    actions = list(item.events.values_list("action", "actor"))
    assert actions == [
        ("prepare", desk.officer.pk),
        ("submit", desk.officer.pk),
        ("publish", desk.legal.pk),
    ]
    assert LedgerEntry.objects.filter(action="disclosure.publish").count() == 1
    assert list(selectors.published_decisions()) == [item]


@pytest.mark.req("PUB-06")
def test_an_overdue_item_is_still_published_and_stays_marked_late(desk):
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=decision(desk, decided_on=date(2026, 1, 5))
    )
    assert selectors.is_overdue(item)
    assert item in selectors.disclosures_due(actor=desk.legal)
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    item = services.disclosure_publish(actor=desk.legal, disclosure=item)
    assert item.is_late
    assert item not in selectors.disclosures_due(actor=desk.legal)
    assert item.events.last().note == "逾期公开"


@pytest.mark.req("PUB-01")
def test_the_legal_unit_returns_a_draft_with_a_reason(desk):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    with pytest.raises(InvalidInput):
        services.disclosure_return(actor=desk.legal, disclosure=item, reason=" ")
    item = services.disclosure_return(actor=desk.legal, disclosure=item, reason="事实摘要过长")
    assert item.status == Disclosure.Status.DRAFT


@pytest.mark.req("PUB-07")
def test_withholding_needs_a_ground_and_records_it(desk):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    before = counts()
    with pytest.raises(InvalidInput):
        services.disclosure_withhold(actor=desk.legal, disclosure=item, ground="")
    with pytest.raises(Forbidden):
        services.disclosure_withhold(actor=desk.officer, disclosure=item, ground="涉及商业秘密")
    assert counts() == before
    item = services.disclosure_withhold(
        actor=desk.legal, disclosure=item, ground="涉及商业秘密（《政府信息公开条例》第十五条）"
    )
    assert item.status == Disclosure.Status.WITHHELD
    assert item.withholding_ground.startswith("涉及商业秘密")
    assert LedgerEntry.objects.filter(action="disclosure.withhold").count() == 1
    with pytest.raises(Conflict):
        services.disclosure_submit(actor=desk.officer, disclosure=item)


@pytest.mark.req("PUB-06")
def test_a_text_edited_to_hold_personal_data_is_refused_at_publication(desk):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    # Someone put an ID number back in through the database: the last guard stops it.
    Disclosure.objects.filter(pk=item.pk).update(conclusion="身份证11010519491231002X")
    with pytest.raises(Conflict) as refused:
        services.disclosure_publish(actor=desk.legal, disclosure=item)
    assert refused.value.code == "not_redacted"


@pytest.mark.req("PUB-06")
def test_bad_input_changes_nothing(desk):
    before = counts()
    for draft in (
        decision(desk, title=" "),
        decision(desk, decided_on=None),
        decision(desk, action_kind="nonsense"),
    ):
        with pytest.raises(InvalidInput):
            services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=draft)
    with pytest.raises(Forbidden):
        services.disclosure_prepare(actor=desk.outsider, agency=desk.agency, draft=decision(desk))
    assert counts() == before


def test_the_workbench_list_is_limited_to_the_actors_agency(desk, county):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    assert list(selectors.disclosure_list(actor=desk.legal)) == [item]
    assert list(selectors.disclosure_list(actor=desk.outsider)) == []
    assert list(selectors.disclosure_list(actor=county.supervisor)) == [item]
    assert selectors.published_decisions().count() == 0


@pytest.mark.req("PUB-08")
def test_display_period_two_years_or_six_months_for_a_natural_person(desk):
    natural = publish(desk, decision(desk, decided_on=timezone.localdate()))
    legal = publish(
        desk,
        decision(desk, natural=False, decided_on=timezone.localdate(), document_number="B2"),
    )
    today = timezone.localdate()
    assert natural.display_until == services.add_months(today, 6)
    assert legal.display_until == services.add_months(today, 24)
    assert services.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


@pytest.mark.req("PUB-08")
def test_expired_items_leave_the_portal_and_stay_internally(desk):
    item = publish(desk, decision(desk, decided_on=timezone.localdate()))
    after = item.display_until + timedelta(days=1)
    assert not selectors.published_decisions(today=after).exists()
    assert services.disclosures_expire(today=item.display_until) == 0
    assert services.disclosures_expire(today=after) == 1
    item.refresh_from_db()
    assert item.status == Disclosure.Status.EXPIRED
    assert item.events.last().action == "expire"
    assert not Takedown.objects.exists()
    assert LedgerEntry.objects.filter(action="disclosure.expire").count() == 1


@pytest.mark.req("PUB-09")
def test_withdrawal_takes_the_item_down_with_a_public_reason(desk):
    item = publish(desk, decision(desk, decided_on=timezone.localdate()))
    with pytest.raises(Forbidden):
        services.disclosure_withdraw(actor=desk.officer, disclosure=item, reason="错误")
    with pytest.raises(InvalidInput):
        services.disclosure_withdraw(actor=desk.leader, disclosure=item, reason="")
    takedown = services.disclosure_withdraw(
        actor=desk.leader, disclosure=item, reason="原决定已被行政复议机关撤销"
    )
    assert takedown.document_number == "示市监罚〔2026〕12号"
    assert not selectors.published_decisions().exists()
    assert list(selectors.takedowns()) == [takedown]
    with pytest.raises(Conflict):
        services.disclosure_withdraw(actor=desk.leader, disclosure=item, reason="again")


@pytest.mark.req("PUB-09")
def test_a_remade_decision_replaces_the_original_and_restarts_the_period(desk):
    original = publish(desk, decision(desk, decided_on=date(2026, 9, 30)))
    # The leader corrects it; the legal unit confirms the new version (PUB-13).
    replacement = services.disclosure_correct(
        actor=desk.leader,
        disclosure=original,
        explanation="原处罚决定经复议撤销，本机关重新作出决定",
        draft=decision(
            desk,
            decided_on=timezone.localdate(),
            document_number="示市监罚〔2026〕30号",
            conclusion="罚款3000元",
        ),
    )
    original.refresh_from_db()
    assert original.status == Disclosure.Status.SUPERSEDED
    assert not selectors.published_decisions().exists()  # down at once
    assert original.takedown.replacement == replacement
    services.disclosure_submit(actor=desk.officer, disclosure=replacement)
    replacement = services.disclosure_publish(actor=desk.legal, disclosure=replacement)
    assert replacement.supersedes == original
    assert replacement.explanation.startswith("原处罚决定")
    assert replacement.display_until == services.add_months(timezone.localdate(), 6)
    assert list(selectors.published_decisions()) == [replacement]


@pytest.mark.req("PUB-06")
def test_the_agencys_public_phone_stays_and_does_not_block_publication(desk, sysadmin):
    from zhifa.accounts.services import agency_update

    agency_update(actor=sysadmin, agency=desk.agency, complaint_phone="0731-84567890")
    desk.agency.refresh_from_db()
    item = services.disclosure_prepare(
        actor=desk.officer,
        agency=desk.agency,
        draft=decision(desk, conclusion="罚款5000元。咨询电话0731-84567890"),
    )
    assert "0731-84567890" in item.conclusion
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    assert services.disclosure_publish(actor=desk.legal, disclosure=item).status == "published"
