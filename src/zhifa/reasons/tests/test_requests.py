"""Oral reasons, requests for written reasons and exemptions (RSN-05, RSN-06)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhifa.cases.models import Procedure, Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.services import calendar_seed
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.instruments.gates import refusals
from zhifa.instruments.models import Kind
from zhifa.ledger.models import LedgerEntry
from zhifa.reasons import services
from zhifa.reasons.models import ReasonsExemption, ReasonsRequest
from zhifa.reasons.selectors import requests_overdue

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.mark.req("RSN-05")
def test_oral_reasons_are_recorded_only_in_the_simple_procedure(team):
    simple = open_case(team, procedure=Procedure.SIMPLE)
    oral = services.oral_reasons_record(
        actor=team.lead,
        case=simple,
        given_at=timezone.now() - timedelta(minutes=5),
        facts="当事人在店外占道经营",
        basis="《某某条例》第十条",
        reasons="占用人行道影响通行",
        party_statement="当事人表示马上收回",
        av_reference="DSJ-0001-20260302",
    )
    assert oral.av_reference and LedgerEntry.objects.filter(action="reasons.oral").count() == 1
    ordinary = open_case(team)
    with pytest.raises(InvalidInput):
        services.oral_reasons_record(
            actor=team.lead,
            case=ordinary,
            given_at=timezone.now(),
            facts="事实写在这里",
            basis="依据写在这里",
            reasons="理由写在这里",
        )


@pytest.mark.req("RSN-05")
def test_the_seven_day_clock_counts_working_days_across_the_national_day_holiday(
    team, sysadmin, today
):
    calendar_seed(actor=sysadmin, years=[2026])
    case = advance_to(team, open_case(team), Stage.DECISION)
    request = services.reasons_request_register(
        actor=team.lead,
        case=case,
        requester="示范县好味食品有限公司",
        content="请书面说明罚款数额的理由",
        requested_on=date(2026, 9, 30),
    )
    # 10-01…07 are holidays, Sat 10-10 is a working day: 8, 9, 10, 12, 13, 14, 15.
    assert request.deadline == date(2026, 10, 15) and not request.deadline_provisional
    assert list(requests_overdue(actor=team.lead)) == [request]
    done = services.reasons_request_answer(
        actor=team.lead,
        request=request,
        answer="本案货值金额960元，属轻微阶次，初次违法并主动下架，故在轻微阶次内从轻处罚",
        answered_on=date(2026, 10, 14),
    )
    assert done.answered_on == date(2026, 10, 14)
    # The answer is issued as a numbered 说明理由书 carrying the text.
    assert done.instrument.kind == Kind.REASONS_STATEMENT
    assert "说理〔2026〕" in done.instrument.number and done.answer.startswith("本案货值")
    assert list(requests_overdue(actor=team.lead)) == []
    entry = LedgerEntry.objects.filter(action="reasons.answer").get()
    assert entry.payload["late"] is False
    with pytest.raises(Conflict):
        services.reasons_request_answer(
            actor=team.lead, request=request, answer="再次答复的内容很长"
        )


@pytest.mark.req("RSN-05")
def test_the_clock_is_a_setting(team, settings, today):
    settings.ZHIFA_REASONS_REQUEST_WORKDAYS = False
    settings.ZHIFA_REASONS_REQUEST_DAYS = 10
    case = open_case(team)
    request = services.reasons_request_register(
        actor=None,
        case=case,
        requester="张三",
        content="请说明理由",
        channel="portal",
        requested_on=date(2026, 11, 2),
    )
    assert request.deadline == date(2026, 11, 12) and request.registered_by is None


@pytest.mark.req("RSN-05")
def test_requests_are_refused_from_outsiders_and_bad_input_changes_nothing(
    team, build, county, today
):
    from zhifa.cases.testing import team as make_team

    case = open_case(team)
    outsider = make_team(build, county.safety).lead
    rows, entries = ReasonsRequest.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(Forbidden):
        services.reasons_request_register(
            actor=None, case=case, requester="张三", content="请说明", channel="workbench"
        )
    with pytest.raises(Forbidden):
        services.reasons_request_register(actor=outsider, case=case, requester="张三", content="x")
    with pytest.raises(InvalidInput):
        services.reasons_request_register(actor=team.lead, case=case, requester="", content="x")
    with pytest.raises(InvalidInput):
        services.reasons_request_register(
            actor=team.lead,
            case=case,
            requester="张三",
            content="请说明",
            requested_on=TODAY + timedelta(days=1),
        )
    assert (ReasonsRequest.objects.count(), LedgerEntry.objects.count()) == (rows, entries)


@pytest.mark.req("RSN-06")
def test_an_exemption_lifts_the_requirement_until_a_third_party_objects(team, library, settings):
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = True
    from zhifa.cases.testing import add

    case = advance_to(team, open_case(team), Stage.DECISION)
    add(team, case, "hearing_minutes")
    add(team, case, "decision")
    assert refusals(case, Kind.DECISION)  # a hearing: detailed reasons required
    exemption = services.exemption_record(
        actor=team.lead,
        case=case,
        ground="favourable",
        explanation="决定不予处罚，完全有利于当事人",
    )
    assert refusals(case, Kind.DECISION) == []
    with pytest.raises(Conflict):
        services.exemption_record(
            actor=team.lead, case=case, ground="law", explanation="另一个情形的具体说明内容"
        )
    services.exemption_object(
        actor=team.lead, exemption=exemption, objector="举报人李四", objection="认为应当处罚"
    )
    exemption.refresh_from_db()
    assert exemption.cancelled_at is not None and exemption.objector == "举报人李四"
    assert refusals(case, Kind.DECISION)  # reasons required again
    assert LedgerEntry.objects.filter(action="reasons.exemption_cancel").count() == 1


@pytest.mark.req("RSN-06")
def test_an_objection_does_not_cancel_other_grounds(team):
    case = open_case(team)
    exemption = services.exemption_record(
        actor=team.lead,
        case=case,
        ground=ReasonsExemption.Ground.SECRET,
        explanation="说明理由将泄露举报人个人信息",
    )
    with pytest.raises(Conflict):
        services.exemption_object(
            actor=team.lead, exemption=exemption, objector="王五", objection="异议"
        )
    with pytest.raises(InvalidInput):
        services.exemption_record(
            actor=team.lead, case=case, ground="whim", explanation="随便写写写写"
        )


@pytest.mark.req("RSN-05")
def test_only_the_case_team_and_the_legal_unit_register_on_a_partys_behalf(team, build, today):
    case = open_case(team)
    clerk = build.officer(team.agency, name="窗口人员", credential=False).user
    rows, entries = ReasonsRequest.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(Forbidden):
        services.reasons_request_register(
            actor=clerk, case=case, requester="张三", content="请书面说明理由"
        )
    assert (ReasonsRequest.objects.count(), LedgerEntry.objects.count()) == (rows, entries)
    for actor in (team.lead, team.leader, team.reviewer):
        services.reasons_request_register(
            actor=actor, case=case, requester="张三", content="请书面说明理由"
        )
    assert ReasonsRequest.objects.count() == rows + 3


@pytest.mark.req("RSN-05")
def test_staff_outside_the_case_team_and_the_legal_unit_cannot_register(
    team, build, county, today, client_for
):
    from zhifa.accounts.models import Role, Unit

    case = open_case(team)
    url = f"/workbench/cases/{case.pk}/reasons/requests/new/"
    form = {"requester": "张三", "content": "请书面说明理由", "requested_on": "2026-11-23"}
    same_unit = build.officer(team.agency, unit=case.unit, name="未承办本案的执法员").user
    foreign_legal = build.officer(
        county.safety,
        roles=(Role.REVIEWER,),
        unit=build.unit(county.safety, "法制科", Unit.Kind.LEGAL),
        credential=False,
    ).user
    rows, entries = ReasonsRequest.objects.count(), LedgerEntry.objects.count()
    for actor in (same_unit, foreign_legal):
        with pytest.raises(Forbidden) as refused:
            services.reasons_request_register(
                actor=actor, case=case, requester="张三", content="请书面说明理由"
            )
        assert refused.value.message.startswith("只有本案承办人员、负责人或本机关法制机构")
        assert client_for(actor).post(url, form).status_code == 404
    assert (ReasonsRequest.objects.count(), LedgerEntry.objects.count()) == (rows, entries)
    legal = build.officer(team.agency, roles=(), unit=county.market_legal, credential=False)
    made = services.reasons_request_register(
        actor=legal.user, case=case, requester="张三", content="请书面说明理由"
    )
    assert made.registered_by == legal.user
