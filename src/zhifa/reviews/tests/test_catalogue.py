"""REV-01 catalogue matching, REV-11 reach, and the handler's major flag."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.major import is_major, major_reasons
from zhifa.cases.models import Procedure, Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import catalogue, services
from zhifa.reviews.catalogue import amount_meets
from zhifa.reviews.models import MajorDecisionRule, MajorFlag, Proposal, ReviewReach
from zhifa.reviews.testing import rule

from .conftest import proposed

pytestmark = pytest.mark.req("REV-01")


@pytest.mark.parametrize(
    ("amount", "threshold", "inclusive", "meets"),
    [
        ("9999", "10000", True, False),
        ("10000", "10000", True, True),
        ("10001", "10000", True, True),
        ("9999", "10000", False, False),
        ("10000", "10000", False, False),
        ("10001", "10000", False, True),
        ("99999", "100000", True, False),
        ("100000", "100000", True, True),
        ("100001", "100000", True, True),
        ("99999", "100000", False, False),
        ("100000", "100000", False, False),
        ("100001", "100000", False, True),
    ],
)
def test_amount_thresholds_inclusive_and_exclusive(amount, threshold, inclusive, meets):
    assert amount_meets(Decimal(amount), Decimal(threshold), inclusive) is meets


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fine", "inclusive", "major"),
    [
        ("9999.00", True, False),
        ("10000.00", True, True),
        ("10001.00", True, True),
        ("9999.00", False, False),
        ("10000.00", False, False),
        ("10001.00", False, True),
    ],
)
def test_a_case_is_major_by_the_threshold_for_organisations(team, fine, inclusive, major):
    rule(
        team,
        amount_threshold="10000",
        amount_inclusive=inclusive,
        party_type="organisation",
        penalty_kinds=["fine"],
    )
    case = proposed(team, fine)
    assert is_major(case) is major
    if major:
        (reason,) = major_reasons(case)
        assert reason.code == "catalogue_rule" and "R1" in reason.detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fine", "inclusive", "major"),
    [
        ("99999.00", True, False),
        ("100000.00", True, True),
        ("100001.00", True, True),
        ("99999.00", False, False),
        ("100000.00", False, False),
        ("100001.00", False, True),
    ],
)
def test_a_higher_threshold_for_natural_persons(team, fine, inclusive, major):
    rule(
        team, code="N1", amount_threshold="100000", amount_inclusive=inclusive, party_type="natural"
    )
    person = {"kind": "natural", "name": "张三", "id_number": "110101199003070011"}
    case = proposed(team, fine, parties=[person])
    assert is_major(case) is major


@pytest.mark.django_db
def test_the_party_type_must_match(team):
    rule(team, amount_threshold="1000", party_type="natural")
    assert not is_major(proposed(team, "5000.00"))  # the default party is a company


@pytest.mark.django_db
def test_a_decision_is_judged_by_the_rules_in_force_when_proposed(team, on):
    rule(team, amount_threshold="10000", effective_from=date(2020, 1, 1))
    # Version 2 raises the threshold from 2030 on: today's proposal still uses version 1.
    v2 = rule(team, amount_threshold="60000", effective_from=date(2030, 1, 1))
    assert v2.version == 2
    case = proposed(team, "50000.00")
    assert is_major(case)
    on(date(2019, 6, 1))
    services.proposal_set(actor=team.lead, case=case, proposed_on=date(2019, 6, 1))
    assert not is_major(case)  # before the catalogue began
    on(date(2030, 1, 1))
    services.proposal_set(actor=team.lead, case=case)
    assert not is_major(case)  # 50,000 is below version 2's threshold
    assert [r.version for r in catalogue.matching_rules(case)] == []


def drafted_on(t, day, fine="50000.00"):
    """A case in 审查决定 whose draft decision was made on ``day`` (recorded late)."""
    case = advance_to(t, open_case(t, started_on=day), Stage.DECISION)
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    add(t, case, "decision", content={"fine_amount": fine}, when=noon)
    return case


def proposal_state():
    return (
        Proposal.objects.count(),
        LedgerEntry.objects.filter(action="review.proposal_set").count(),
    )


@pytest.mark.django_db
def test_a_proposal_date_is_not_dated_back(team, client_for):
    """The proposal date picks the catalogue and the benchmark the case is judged
    by: today, or the day of the draft decision in force (an honest late entry),
    never another day before today."""
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    case = proposed(team, "50000.00")
    assert catalogue.record_day(catalogue.decision_record(case)) == today
    before = proposal_state()
    with pytest.raises(InvalidInput) as e:
        services.proposal_set(actor=team.lead, case=case, proposed_on=yesterday)
    assert e.value.code == "proposal_backdated"
    assert f"不能追溯到{yesterday}" in e.value.message and f"今天（{today}）" in e.value.message
    assert proposal_state() == before
    services.proposal_set(actor=team.lead, case=case, proposed_on=today)
    assert Proposal.objects.get(case=case).proposed_on == today

    # A draft decision made yesterday: its day is allowed, the day before is not.
    late = drafted_on(team, yesterday)
    before = proposal_state()
    with pytest.raises(InvalidInput) as e:
        services.proposal_set(actor=team.lead, case=late, proposed_on=yesterday - timedelta(days=1))
    assert e.value.code == "proposal_backdated"
    assert f"决定代拟稿的日期（{yesterday}）" in e.value.message
    assert proposal_state() == before
    services.proposal_set(actor=team.lead, case=late, proposed_on=yesterday)
    assert Proposal.objects.get(case=late).proposed_on == yesterday

    # A case without a draft decision yet: today only.
    bare = advance_to(team, open_case(team, started_on=yesterday), Stage.DECISION)
    with pytest.raises(InvalidInput) as e:
        services.proposal_set(actor=team.lead, case=bare, proposed_on=yesterday)
    assert e.value.code == "proposal_backdated" and "决定代拟稿" not in e.value.message

    # The API gives the same answer, and writes nothing on refusal.
    client = client_for(team.lead)
    url = reverse("api:review-case-proposal", args=[case.pk])
    before = proposal_state()
    response = client.post(url, {"proposed_on": str(yesterday)}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "proposal_backdated"
    assert "不能追溯" in response.json()["detail"]
    assert proposal_state() == before
    response = client.post(url, {"proposed_on": str(today)}, content_type="application/json")
    assert response.status_code == 201, response.content
    url = reverse("api:review-case-proposal", args=[late.pk])
    response = client.post(url, {"proposed_on": str(yesterday)}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert proposal_state() == (before[0] + 2, before[1] + 2)


@pytest.mark.django_db
def test_an_ended_rule_no_longer_matches(team, on):
    today = timezone.localdate()
    r = rule(team, amount_threshold="10000", effective_from=date(2020, 1, 1))
    ended = services.rule_end(actor=team.reviewer, rule=r, ends_on=today)
    assert (ended.version, ended.ends_on) == (2, today)
    case = proposed(team, "50000.00")
    assert is_major(case)  # the end date is the rule's last day in force
    on(today + timedelta(days=1))
    services.proposal_set(actor=team.lead, case=case, proposed_on=today + timedelta(days=1))
    assert not is_major(case)


def catalogue_state():
    return (
        MajorDecisionRule.objects.count(),
        LedgerEntry.objects.count(),
        LedgerEntry.objects.filter(action="review.rule_save").count(),
    )


@pytest.mark.django_db
def test_the_catalogue_is_never_changed_retroactively(team):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    r1 = rule(team, amount_threshold="10000", effective_from=date(2020, 1, 1))
    case = drafted_on(team, yesterday)  # the draft decision, and so the proposal, of yesterday
    services.proposal_set(actor=team.lead, case=case, proposed_on=yesterday)
    assert is_major(case)
    before = catalogue_state()

    # Retired from yesterday: refused, nothing written.
    with pytest.raises(InvalidInput) as e:
        services.rule_end(actor=team.reviewer, rule=r1, ends_on=yesterday)
    assert e.value.code == "catalogue_backdated"
    assert "不能追溯废止" in e.value.message and str(yesterday) in e.value.message
    # Relaxed from yesterday, or from the first version's own date: refused.
    for since in (yesterday, date(2020, 1, 1)):
        with pytest.raises(InvalidInput) as e:
            rule(team, amount_threshold="60000", effective_from=since)
        assert e.value.code == "catalogue_backdated" and "不能追溯生效" in e.value.message
    # Nor may an edit carry an end date in the past.
    with pytest.raises(InvalidInput) as e:
        rule(team, amount_threshold="60000", effective_from=today, ends_on=yesterday)
    assert catalogue_state() == before
    assert is_major(case)

    # From today on is allowed: the decision proposed yesterday is still judged by the
    # old threshold (version 2 is version 1 ending today).
    services.rule_end(actor=team.reviewer, rule=r1, ends_on=today)
    v3 = rule(team, amount_threshold="60000", effective_from=today)
    assert v3.version == 3
    assert is_major(case)
    assert [r.version for r in catalogue.matching_rules(case)] == [2]
    assert catalogue_state()[2] == before[2] + 2


@pytest.mark.django_db
def test_a_retired_rule_is_not_revived_retroactively(team):
    today = timezone.localdate()
    # A first version may record a rule that was already in force, and ended, on paper.
    old = rule(
        team,
        code="OLD",
        traits=["fees"],
        effective_from=date(2020, 1, 1),
        ends_on=date(2021, 12, 31),
    )
    before = catalogue_state()
    with pytest.raises(InvalidInput) as e:
        services.rule_end(actor=team.reviewer, rule=old, ends_on=today + timedelta(days=30))
    assert e.value.code == "catalogue_backdated" and "2021-12-31废止" in e.value.message
    assert catalogue_state() == before
    # Restored by a new version from today.
    again = rule(team, code="OLD", traits=["fees"], effective_from=today)
    assert (again.version, again.ends_on) == (2, None)


@pytest.mark.django_db
def test_the_doors_show_the_refusal_of_a_backdated_change(team, client_for):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    r1 = rule(team, amount_threshold="10000", effective_from=date(2020, 1, 1))
    client = client_for(team.reviewer)
    before = catalogue_state()

    # The API's end action.
    url = reverse("api:review-rule-end", args=[r1.pk])
    response = client.post(url, {"ends_on": str(yesterday)}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "catalogue_backdated"
    assert "不能追溯废止" in response.json()["detail"]

    # The workbench's form for a new version.
    form = {
        "code": "R1",
        "name": "较大数额罚款",
        "party_type": "any",
        "amount_of": "fine",
        "amount_threshold": "60000",
        "amount_inclusive": "on",
        "effective_from": str(yesterday),
    }
    response = client.post(reverse("reviews:rule-create"), form)
    assert response.status_code == 200
    assert "目录条目的修改不能追溯生效" in response.content.decode()
    assert catalogue_state() == before

    response = client.post(url, {"ends_on": str(today)}, content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post(reverse("reviews:rule-create"), {**form, "effective_from": str(today)})
    assert response.status_code == 302
    assert MajorDecisionRule.objects.filter(code="R1").count() == 3


@pytest.mark.django_db
def test_penalty_kinds_traits_and_hearing(team):
    rule(team, code="K", name="吊销许可证", penalty_kinds=["revoke_licence"])
    rule(team, code="T", name="以政府名义", traits=["county_government"])
    rule(team, code="C", name="较大数额没收", amount_of="confiscation", amount_threshold="20000")
    case = proposed(team, "0")
    assert not is_major(case)
    services.proposal_set(actor=team.lead, case=case, penalty_kinds=["revoke_licence"])
    assert [r.code for r in catalogue.matching_rules(case)] == ["K"]
    services.proposal_set(
        actor=team.lead, case=case, traits=["county_government"], confiscation_amount="20000"
    )
    assert sorted(r.code for r in catalogue.matching_rules(case)) == ["C", "T"]


@pytest.mark.django_db
def test_rule_refusals_change_nothing(team, county):
    before = (MajorDecisionRule.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(Forbidden):
        rule(team.__class__(**{**team.__dict__, "reviewer": team.lead}))
    with pytest.raises(InvalidInput) as e:
        rule(team)  # no criterion at all
    assert e.value.code == "rule_without_criteria"
    with pytest.raises(InvalidInput):
        rule(team, amount_threshold="-1")
    with pytest.raises(Forbidden):
        services.rule_save(
            actor=county.safety_admin,
            agency=team.agency,
            data=services.RuleInput(
                code="X", name="x", effective_from=date(2020, 1, 1), traits=["fees"]
            ),
        )
    assert (MajorDecisionRule.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.django_db
def test_the_handler_flags_but_cannot_clear(team):
    case = proposed(team)
    assert not is_major(case)
    flag = services.major_flag_set(
        actor=team.lead, case=case, reason="涉及群体性投诉，社会关注度高"
    )
    (reason,) = major_reasons(case)
    assert reason.code == "handler_flag" and "群体性投诉" in reason.detail
    with pytest.raises(Forbidden):
        services.major_flag_clear(actor=team.lead, flag=flag, reason="不重大")
    with pytest.raises(InvalidInput):
        services.major_flag_clear(actor=team.reviewer, flag=flag, reason=" ")
    assert is_major(case)
    services.major_flag_clear(actor=team.reviewer, flag=flag, reason="经核实影响有限")
    assert not is_major(case)
    assert MajorFlag.objects.get().cleared_by_name == "审核员"
    assert LedgerEntry.objects.filter(action="review.flag_clear").count() == 1


@pytest.mark.django_db
@pytest.mark.req("REV-11")
def test_reach_per_agency(team, build):
    case = proposed(team)
    assert not catalogue.needs_review(case)
    with pytest.raises(Forbidden):
        services.reach_set(actor=team.lead, agency=team.agency, reach=ReviewReach.ALL)
    services.reach_set(actor=team.leader, agency=team.agency, reach=ReviewReach.ALL)
    assert catalogue.needs_review(case)
    assert catalogue.why_reviewed(case)[0].code == "reach"
    services.reach_set(actor=team.leader, agency=team.agency, reach=ReviewReach.ALL_BUT_SIMPLE)
    assert catalogue.needs_review(case)
    onspot = open_case(team, procedure=Procedure.SIMPLE)
    assert not catalogue.needs_review(onspot)
    services.reach_set(actor=team.leader, agency=team.agency, reach=ReviewReach.MAJOR)
    assert not catalogue.needs_review(case)
