from datetime import date, timedelta

import pytest

from zhifa.accounts import selectors, services
from zhifa.accounts.models import Credential, Role
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.ledger.selectors import entries_for, ledger_verify

pytestmark = pytest.mark.django_db


@pytest.mark.req("ORG-01")
def test_only_an_officer_with_a_valid_credential_can_enforce(build, county):
    officer = build.officer(county.market, unit=county.market_unit)
    today = date.today()
    assert services.officer_assert_can_enforce(officer, on=today).number

    credential = officer.credentials.get()
    assert not credential.is_valid_on(credential.valid_until + timedelta(days=1))
    with pytest.raises(Forbidden) as exc:
        services.officer_assert_can_enforce(officer, on=credential.valid_until + timedelta(days=1))
    assert exc.value.code == "no_valid_credential"

    services.credential_set_status(
        actor=county.supervisor, credential=credential, status="suspended", reason="涉嫌违纪"
    )
    with pytest.raises(Forbidden):
        services.officer_assert_can_enforce(officer, on=today)


@pytest.mark.req("ORG-01")
@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_suspended_or_revoked_credentials_do_not_enforce(build, county, status):
    officer = build.officer(county.market, credential=status)
    with pytest.raises(Forbidden):
        services.officer_assert_can_enforce(officer, on=date.today())


@pytest.mark.req("ORG-01")
def test_expired_on_the_day_after_valid_until(build, county):
    officer = build.officer(county.market, credential=False)
    credential = build.credential(officer, valid_until=date(2026, 10, 8))
    assert credential.status_on(date(2026, 10, 8)) == Credential.Status.VALID
    assert credential.status_on(date(2026, 10, 9)) == Credential.Status.EXPIRED


@pytest.mark.req("ORG-01")
def test_credentials_are_managed_by_the_regions_supervisor_only(build, county):
    officer = build.officer(county.market, credential=False)
    kwargs = dict(
        officer=officer,
        number="X1",
        issuer="示范县人民政府",
        issued_on=date(2026, 1, 1),
        valid_until=date(2028, 1, 1),
        categories="市场监管",
        area="示范县",
    )
    with pytest.raises(Forbidden):
        services.credential_issue(actor=county.market_admin, **kwargs)
    other = build.county(code="990103", name="邻县")
    with pytest.raises(Forbidden):
        services.credential_issue(actor=other.supervisor, **kwargs)
    credential = services.credential_issue(actor=county.supervisor, **kwargs)
    assert entries_for(credential).filter(action="credential.issue").exists()
    with pytest.raises(Conflict):
        services.credential_issue(actor=county.supervisor, **kwargs)


@pytest.mark.req("ORG-01")
def test_credential_status_changes_need_a_reason_and_a_legal_move(build, county):
    credential = build.officer(county.market).credentials.get()
    with pytest.raises(InvalidInput):
        services.credential_set_status(
            actor=county.supervisor, credential=credential, status="suspended", reason="  "
        )
    services.credential_set_status(
        actor=county.supervisor, credential=credential, status="revoked", reason="调离执法岗位"
    )
    with pytest.raises(Conflict):
        services.credential_set_status(
            actor=county.supervisor, credential=credential, status="valid", reason="恢复"
        )
    credential.refresh_from_db()
    assert credential.status == "revoked"


@pytest.mark.req("REV-02")
def test_a_reviewer_cannot_be_an_enforcement_officer(build, county):
    officer = build.officer(county.market)
    with pytest.raises(Conflict) as exc:
        services.role_grant(actor=county.market_admin, officer=officer, role=Role.REVIEWER)
    assert exc.value.code == "reviewer_officer_conflict"

    reviewer = build.officer(county.market, roles=(Role.REVIEWER,), unit=county.market_legal)
    with pytest.raises(Conflict):
        services.role_grant(actor=county.market_admin, officer=reviewer, role=Role.OFFICER)
    with pytest.raises(Forbidden) as exc:
        services.officer_assert_can_enforce(reviewer, on=date.today())
    assert exc.value.code == "reviewer_cannot_enforce"


@pytest.mark.req("ORG-02")
def test_reviewer_staffing_is_five_percent_and_at_least_two(build, county):
    for _ in range(41):
        build.officer(county.market, credential=False)
    staffing = selectors.reviewer_staffing(county.market)
    assert (staffing.officers, staffing.required, staffing.ok) == (41, 3, False)
    for _ in range(3):
        build.officer(county.market, roles=(Role.REVIEWER,), credential=False)
    assert selectors.reviewer_staffing(county.market).ok

    # No legal unit: one dedicated reviewer is enough.
    assert selectors.reviewer_staffing(county.safety).required == 1


def test_agency_admins_act_only_on_their_own_agency(build, county):
    with pytest.raises(Forbidden):
        services.officer_create(
            actor=county.market_admin, agency=county.safety, username="intruder", name="外机关"
        )
    with pytest.raises(Forbidden):
        services.role_grant(
            actor=county.market_admin, officer=build.officer(county.market), role=Role.SUPERVISOR
        )


def test_invalid_identifiers_are_refused(county, build):
    with pytest.raises(InvalidInput):
        services.officer_create(
            actor=county.market_admin,
            agency=county.market,
            username="a1",
            name="甲",
            id_number="110105194912310021",
        )
    with pytest.raises(InvalidInput):
        services.agency_update(
            actor=county.market_admin, agency=county.market, credit_code="91350100M000100Y44"
        )
    services.officer_create(
        actor=county.market_admin,
        agency=county.market,
        username="a2",
        name="乙",
        id_number="11010519491231002X",
    )


def test_weak_passwords_are_refused_in_chinese(county):
    with pytest.raises(InvalidInput) as exc:
        services.officer_create(
            actor=county.market_admin,
            agency=county.market,
            username="weak",
            name="弱",
            password="abcdefgh",
        )
    assert "密码" in exc.value.message


def test_every_write_is_in_the_ledger_and_the_chain_verifies(county):
    report = ledger_verify()
    assert report.ok and report.entries > 10


@pytest.mark.req("ORG-01")
def test_selectors_limit_what_each_actor_sees(build, county):
    other = build.county(code="990103", name="邻县")
    market_ids = set(selectors.agency_list(actor=county.market_admin).values_list("pk", flat=True))
    assert market_ids == {county.market.pk}
    region_ids = set(selectors.agency_list(actor=county.supervisor).values_list("pk", flat=True))
    assert county.safety.pk in region_ids and other.market.pk not in region_ids
    assert selectors.agency_list(actor=county.sysadmin).count() == 6
