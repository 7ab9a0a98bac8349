"""SUP-05, REC-13: early-warning findings, each linking to the cases behind it;
thresholds are settings."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.accounts.models import Agency
from zhifa.cases import services as case_services
from zhifa.cases.models import Case, Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.models import ActionKind
from zhifa.catalogues.workdays import workdays_add
from zhifa.media import services as media_services
from zhifa.media.testing import attach
from zhifa.supervision import early_warning
from zhifa.supervision.selectors import Scope, region_agencies
from zhifa.supervision.testing import decide, decided_case, matter_of
from zhifa.supervision.tests import test_dashboard as dashboard_tests

pytestmark = [pytest.mark.req("SUP-05"), pytest.mark.req("REC-13")]
URL = "/workbench/supervision/warnings/"
VIOLATION = "销售过期食品"


def region(county):
    return Scope(county.supervisor, region_agencies(county.region), region=county.region)


@pytest.fixture
def fines(market, safety):
    """The same violation fined 100 … 1,000 yuan in two agencies."""
    made = []
    for t, fine in (
        (market, "100.00"),
        (market, "200.00"),
        (market, "300.00"),
        (safety, "400.00"),
        (safety, "1000.00"),
    ):
        matter = matter_of(t, ActionKind.PENALTY, name=VIOLATION)
        made.append(decided_case(t, matter=matter, fine=fine)[0])
    return made


def test_very_different_fines_for_the_same_violation_are_found(county, fines, settings):
    (finding,) = early_warning.fine_dispersion(region(county))
    assert finding.subject == VIOLATION
    assert sorted(finding.case_ids) == sorted(c.pk for c in fines)
    assert "2 个执法主体" in finding.detail and "10.0 倍" in finding.detail
    settings.ZHIFA_SUPERVISION_FINE_MAX_RATIO = 11
    assert early_warning.fine_dispersion(region(county)) == []
    settings.ZHIFA_SUPERVISION_FINE_MAX_RATIO = 5
    settings.ZHIFA_SUPERVISION_FINE_MIN_CASES = 6
    assert early_warning.fine_dispersion(region(county)) == []


def test_fines_are_compared_within_their_discretion_band(county, market, safety, fines, settings):
    from zhifa.reasons.services import reasons_save

    def band(case, value):
        t = market if case.agency_id == county.market.pk else safety
        reasons_save(actor=t.lead, case=case, content={"discretion": {"band": value}})

    for case in fines[:3]:  # 100, 200, 300
        band(case, "minor")
    for case in fines[3:]:  # 400, 1,000
        band(case, "serious")
    # Each band alone holds too few decisions, and 1:3 within 轻微.
    assert early_warning.fine_dispersion(region(county)) == []
    settings.ZHIFA_SUPERVISION_FINE_MIN_CASES = 2
    settings.ZHIFA_SUPERVISION_FINE_MAX_RATIO = 2
    found = {f.subject: f for f in early_warning.fine_dispersion(region(county))}
    assert set(found) == {f"{VIOLATION}（裁量阶次：轻微）", f"{VIOLATION}（裁量阶次：较重）"}
    assert found[f"{VIOLATION}（裁量阶次：轻微）"].case_ids == sorted(c.pk for c in fines[:3])
    assert "3.0 倍" in found[f"{VIOLATION}（裁量阶次：轻微）"].detail
    # The latest version's band counts: 1,000 moved to 轻微 makes that band 1:10.
    band(fines[4], "minor")
    settings.ZHIFA_SUPERVISION_FINE_MAX_RATIO = 5
    (finding,) = early_warning.fine_dispersion(region(county))
    assert finding.subject == f"{VIOLATION}（裁量阶次：轻微）" and "10.0 倍" in finding.detail
    assert early_warning.finding_get(region(county), "fine_dispersion", finding.key) == finding


def test_corrected_decisions_are_found_per_officer_and_agency(county, market, settings):
    case, record = decided_case(market, fine="500.00")
    decide(market, case, fine="300.00", conclusion="处罚款叁佰元。", supersedes=record)
    settings.ZHIFA_SUPERVISION_CORRECTED_MIN = 2
    assert early_warning.corrected(region(county)) == []
    settings.ZHIFA_SUPERVISION_CORRECTED_MIN = 1
    found = {f.key: f for f in early_warning.corrected(region(county))}
    lead = case.assignments.get(is_lead=True).officer
    assert set(found) == {f"officer-{lead.pk}", f"agency-{county.market.pk}"}
    assert all(f.case_ids == [case.pk] for f in found.values())


def test_revoked_decisions_are_found_per_officer_and_agency(county, market, safety, settings):
    from zhifa.supervision.tests.test_annual import record_remedy

    revoked, _ = decided_case(market, fine="500.00")
    record_remedy(market, revoked, "reconsideration", "revoked")
    illegal, _ = decided_case(market, fine="800.00")
    record_remedy(market, illegal, "litigation", "confirmed_illegal")
    # Neither an upheld decision, nor a pending matter, nor another agency's case counts.
    upheld, _ = decided_case(market, fine="900.00")
    record_remedy(market, upheld, "litigation", "upheld")
    pending, _ = decided_case(market, fine="900.00")
    record_remedy(market, pending, "reconsideration", "pending")
    other, _ = decided_case(safety, fine="100.00")
    record_remedy(safety, other, "self_correction", "revoked")
    settings.ZHIFA_SUPERVISION_REVOKED_MIN = 3
    assert early_warning.revoked(region(county)) == []
    settings.ZHIFA_SUPERVISION_REVOKED_MIN = 2
    found = {f.key: f for f in early_warning.revoked(region(county))}
    lead = revoked.assignments.get(is_lead=True).officer
    assert set(found) == {f"officer-{lead.pk}", f"agency-{county.market.pk}"}
    assert all(f.case_ids == sorted([revoked.pk, illegal.pk]) for f in found.values())
    assert found[f"agency-{county.market.pk}"].kind_label == "执法决定被撤销、变更或确认违法较多"
    # Corrected by a later entry (the first instance reversed): it no longer counts.
    from zhifa.remedies.models import Remedy
    from zhifa.remedies.services import remedy_record

    first = Remedy.objects.get(case=illegal)
    remedy_record(
        actor=market.reviewer,
        case=illegal,
        supersedes=first,
        correction_reason="二审改判，一审结果登记更正",
        channel="litigation",
        instance="second",
        outcome="upheld",
        body="示范市中级人民法院",
        document_number="（2026）示行终1号",
        filed_on=first.filed_on,
        decided_on=first.decided_on,
    )
    assert early_warning.revoked(region(county)) == []


def test_cases_near_their_limit_are_found_per_agency(county, market):
    today = timezone.localdate()
    horizon = workdays_add(today, 2).date
    day = horizon
    while workdays_add(day, 90).date > horizon:
        day -= timedelta(days=1)
    near = open_case(market, started_on=day, title="临期")
    open_case(market, title="不临期")
    (finding,) = early_warning.near_limit(region(county))
    assert finding.case_ids == [near.pk] and finding.key == f"agency-{county.market.pk}"


on = dashboard_tests.on


def test_a_suspended_case_is_not_near_its_limit_until_it_resumes(county, market, on):
    """15 working days from 15 September 2026: due 12 October unsuspended (国庆,
    调休 Saturday 10 October)."""
    market.matter = matter_of(market, ActionKind.PENALTY, name="十五日事项", limit=15)
    held = open_case(market, started_on=date(2026, 9, 15), title="中止")
    plain = open_case(market, started_on=date(2026, 9, 15), title="未中止")
    on(date(2026, 10, 9))
    case_services.case_suspend(
        actor=market.leader, case=held, ground="hearing", started_on=date(2026, 10, 9)
    )
    (finding,) = early_warning.near_limit(region(county))
    assert finding.case_ids == [plain.pk]
    # Resumed on 13 October: 9, 10 (调休) and 12 October left out, due 15 October.
    on(date(2026, 10, 13))
    case_services.case_resume(actor=market.leader, case=held, ended_on=date(2026, 10, 13))
    (finding,) = early_warning.near_limit(region(county))
    assert finding.case_ids == [held.pk]


def test_a_case_suspended_for_long_is_warned_until_it_resumes(county, market, settings):
    today = timezone.localdate()
    held = open_case(market, started_on=today - timedelta(days=80), title="长期中止")
    case_services.case_suspend(
        actor=market.leader, case=held, ground="testing", started_on=today - timedelta(days=61)
    )
    recent = open_case(market, started_on=today - timedelta(days=80), title="新近中止")
    case_services.case_suspend(
        actor=market.leader, case=recent, ground="hearing", started_on=today - timedelta(days=5)
    )
    settings.ZHIFA_SUPERVISION_SUSPENSION_WARNING_DAYS = 61
    (finding,) = early_warning.long_suspended(region(county))
    assert finding.case_ids == [held.pk] and finding.key == f"agency-{county.market.pk}"
    assert "已中止 61 日以上" in finding.detail
    settings.ZHIFA_SUPERVISION_SUSPENSION_WARNING_DAYS = 62
    assert early_warning.long_suspended(region(county)) == []
    # Resumed: no longer warned.
    settings.ZHIFA_SUPERVISION_SUSPENSION_WARNING_DAYS = 60
    held.refresh_from_db()
    case_services.case_resume(actor=market.leader, case=held, ended_on=today)
    assert early_warning.long_suspended(region(county)) == []


def test_many_cases_closed_without_penalty_by_one_officer(county, market, settings):
    case, _ = decided_case(market, fine="", conclusion="违法行为轻微并及时改正，不予行政处罚。")
    advance_to(market, case, Stage.CLOSED)
    settings.ZHIFA_SUPERVISION_NO_PENALTY_MIN = 1
    (finding,) = early_warning.no_penalty(region(county))
    assert finding.case_ids == [case.pk] and "100%" in finding.detail
    settings.ZHIFA_SUPERVISION_NO_PENALTY_MIN = 2
    assert early_warning.no_penalty(region(county)) == []


def test_many_late_uploads_by_one_person(county, market, settings, monkeypatch):
    case = open_case(market)
    real_now = media_services._now
    monkeypatch.setattr(media_services, "_now", lambda: real_now() + timedelta(days=10))
    attach(market, case)
    attach(market, case)
    settings.ZHIFA_SUPERVISION_LATE_UPLOADS_MIN = 3
    assert early_warning.late_uploads(region(county)) == []
    settings.ZHIFA_SUPERVISION_LATE_UPLOADS_MIN = 2
    (finding,) = early_warning.late_uploads(region(county))
    assert finding.case_ids == [case.pk] and "2 条" in finding.detail


def test_each_finding_links_to_its_cases(county, fines, client_for):
    client = client_for(county.supervisor)
    page = client.get(URL)
    assert page.status_code == 200
    ((_finding, href),) = [
        (f, h) for f, h in page.context["findings"] if f.kind == "fine_dispersion"
    ]
    listing = client.get(href)
    assert listing.status_code == 200
    body = listing.content.decode()
    for case in fines:
        assert f"/workbench/cases/{case.pk}/" in body
    xlsx = client.get(href, {"export": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows())) == 6
    export = client.get(URL, {"export": "xlsx"})
    assert export.status_code == 200
    assert client.get(URL + "fine_dispersion/无此事项").status_code == 404
    assert client.get(URL + "nothing/x").status_code == 404


def test_a_leader_sees_only_findings_of_their_agency(county, fines, market, client_for, settings):
    settings.ZHIFA_SUPERVISION_FINE_MIN_CASES = 3
    settings.ZHIFA_SUPERVISION_FINE_MAX_RATIO = 2
    client = client_for(market.leader)
    ((finding, _href),) = client.get(URL).context["findings"]
    own = set(Case.objects.filter(agency=county.market).values_list("pk", flat=True))
    assert set(finding.case_ids) <= own and len(finding.case_ids) == 3
    assert client.get(URL, {"agency": county.safety.pk}).status_code == 404


def test_findings_are_limited_to_the_scope(county, fines):
    scope = Scope(None, Agency.objects.filter(pk=county.safety.pk), agency=county.safety)
    assert early_warning.fine_dispersion(scope) == []  # two decisions only: below the minimum
