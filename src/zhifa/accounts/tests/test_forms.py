"""The workbench pages that write agencies, units, people, roles and credentials:
each one works for whom the service allows, records its ledger entry, hides other
agencies (404), refuses the others (403), and shows a service's refusal on the form
without changing anything."""

import pytest
from django.urls import reverse

from zhifa.accounts.models import Agency, Credential, Officer, Role, RoleGrant, Unit
from zhifa.core.testing import PASSWORD
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhifa-New-2026!"
VALID_CREDIT_CODE = "91330106MA2B00000U"


def url(name, *args) -> str:
    return reverse(f"accounts:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def state(person: Officer) -> tuple:
    """Everything the pages below could change."""
    person.user.refresh_from_db()
    return (
        LedgerEntry.objects.count(),
        Agency.objects.count(),
        Unit.objects.count(),
        Officer.objects.count(),
        RoleGrant.objects.count(),
        Credential.objects.count(),
        person.user.password,
        Agency.objects.values_list("short_name", flat=True).order_by("pk")[0],
    )


def officer_data(county, **changes) -> dict:
    return {
        "username": "zhangsan",
        "name": "张三",
        "unit": county.market_unit.pk,
        "post": "科员",
        "phone": "0731-1234567",
        "id_number": "",
        "legal_qualification": "on",
        "roles": [Role.OFFICER],
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **changes,
    }


def credential_data(**changes) -> dict:
    return {
        "number": "湘执0001",
        "kind": Credential.Kind.ENFORCEMENT,
        "issuer": "示范县人民政府",
        "issued_on": "2025-01-01",
        "valid_until": "2030-12-31",
        "annual_review_on": "2026-01-01",
        "categories": "市场监管",
        "area": "示范县",
        **changes,
    }


# Each page on a person or agency of the market bureau: its URL arguments and a valid POST.
PAGES = {
    "agency-edit": (lambda c, p: [c.market.pk], lambda c: {"short_name": "改名"}),
    "unit-create": (lambda c, p: [c.market.pk], lambda c: {"name": "新股", "kind": "other"}),
    "officer-create": (lambda c, p: [c.market.pk], officer_data),
    "officer-password": (
        lambda c, p: [p.pk],
        lambda c: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ),
    "role-grant": (lambda c, p: [p.pk], lambda c: {"role": Role.UNIT_HEAD}),
    "role-revoke": (lambda c, p: [p.pk, Role.OFFICER], lambda c: {"confirmed": "1"}),
    "credential-issue": (lambda c, p: [p.pk], lambda c: credential_data()),
}


@pytest.mark.parametrize("name", PAGES)
def test_another_agencys_admin_gets_404(client_for, build, county, name):
    args, data = PAGES[name]
    person = build.officer(county.market)
    page = url(name, *args(county, person))
    before = state(person)
    client = client_for(county.safety_admin)
    assert client.get(page).status_code == 404
    assert client.post(page, data(county)).status_code == 404
    assert state(person) == before


@pytest.mark.parametrize("name", PAGES)
def test_an_officer_without_the_role_is_refused(client_for, build, county, name):
    args, data = PAGES[name]
    person = build.officer(county.market)
    client = client_for(build.officer(county.market).user)
    page = url(name, *args(county, person))
    before = state(person)
    assert client.get(page).status_code == 403
    assert client.post(page, data(county)).status_code == 403
    assert state(person) == before


@pytest.mark.parametrize("name", PAGES)
def test_the_allowed_actor_succeeds(client_for, build, county, name):
    args, data = PAGES[name]
    person = build.officer(county.market)
    actor = county.supervisor if name == "credential-issue" else county.market_admin
    before = LedgerEntry.objects.count()
    response = client_for(actor).post(url(name, *args(county, person)), data(county), follow=True)
    assert response.redirect_chain, text(response)
    assert [m.message[0] for m in response.context["messages"]] == ["已"]
    assert LedgerEntry.objects.count() > before


# --- Agencies ----------------------------------------------------------------------


def test_the_sysadmin_creates_an_agency(client_for, county):
    data = {
        "region": county.region.pk,
        "name": "示范县交通运输局",
        "kind": Agency.Kind.ENFORCEMENT,
        "domain": "transport",
        "credit_code": VALID_CREDIT_CODE,
        "legal_representative": "李四",
        "complaint_phone": "12345",
    }
    client = client_for(county.sysadmin)
    assert "新增执法主体" in text(client.get(url("agency-list")))
    response = client.post(url("agency-create"), data)
    agency = Agency.objects.get(name="示范县交通运输局")
    assert response.url == url("agency-detail", agency.pk)
    assert (agency.region, agency.credit_code) == (county.region, VALID_CREDIT_CODE)
    assert entries_for(agency).filter(action="agency.create").exists()

    entrusted = {**data, "name": "示范县运输执法所", "kind": Agency.Kind.ENTRUSTED}
    entrusted.update(credit_code="", entrusted_by=agency.pk)
    client.post(url("agency-create"), entrusted)
    assert Agency.objects.get(name="示范县运输执法所").entrusted_by == agency


def test_only_the_sysadmin_may_create_an_agency(client_for, county):
    client = client_for(county.market_admin)
    assert "新增执法主体" not in text(client.get(url("agency-list")))
    assert client.get(url("agency-create")).status_code == 403
    data = {"region": county.region.pk, "name": "新局", "kind": "enforcement", "domain": "other"}
    assert client.post(url("agency-create"), data).status_code == 403
    assert not Agency.objects.filter(name="新局").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"credit_code": "91330106MA2B00000A"}, "统一社会信用代码 91330106MA2B00000A 无效"),
        ({"kind": Agency.Kind.ENTRUSTED}, "受委托组织必须注明委托机关"),
        ({"name": "示范县应急管理局"}, "示范县已有名为“示范县应急管理局”的执法主体"),
    ],
)
def test_agency_creation_errors_show_on_the_form(client_for, county, changes, message):
    data = {"region": county.region.pk, "name": "新局", "kind": "enforcement", "domain": "other"}
    before = (Agency.objects.count(), LedgerEntry.objects.count())
    response = client_for(county.sysadmin).post(url("agency-create"), {**data, **changes})
    assert response.status_code == 200
    assert message in text(response)
    assert (Agency.objects.count(), LedgerEntry.objects.count()) == before


def test_the_agency_admin_edits_the_profile(client_for, build, county):
    client = client_for(county.market_admin)
    page = text(client.get(url("agency-detail", county.market.pk)))
    assert "修改主体信息" in page and "新增内设机构" in page and "新增人员" in page
    form = text(client.get(url("agency-edit", county.market.pk)))
    assert "统一社会信用代码" in form and "投诉举报电话" in form and "委托协议" in form

    data = {"short_name": "县市监局", "credit_code": VALID_CREDIT_CODE, "phone": "0731-1"}
    assert client.post(url("agency-edit", county.market.pk), data).status_code == 302
    county.market.refresh_from_db()
    assert (county.market.short_name, county.market.credit_code) == ("县市监局", VALID_CREDIT_CODE)
    change = entries_for(county.market).filter(action="agency.update").latest("seq")
    assert change.payload["changes"]["short_name"]["to"] == "县市监局"

    plain = client_for(build.officer(county.market).user)
    assert "修改主体信息" not in text(plain.get(url("agency-detail", county.market.pk)))


def test_an_invalid_credit_code_changes_nothing(client_for, county):
    data = {"short_name": "县市监局", "credit_code": "91330106MA2B00000A"}
    response = client_for(county.market_admin).post(url("agency-edit", county.market.pk), data)
    assert "统一社会信用代码 91330106MA2B00000A 无效（校验位不符）" in text(response)
    county.market.refresh_from_db()
    assert county.market.short_name == ""
    assert not entries_for(county.market).filter(action="agency.update").exists()


def test_the_agency_admin_adds_a_unit_once(client_for, county):
    client = client_for(county.market_admin)
    data = {"name": "稽查队", "kind": Unit.Kind.ENFORCEMENT, "duties": "案件查办"}
    assert client.post(url("unit-create", county.market.pk), data).status_code == 302
    unit = county.market.units.get(name="稽查队")
    assert entries_for(unit).filter(action="unit.create").exists()

    response = client.post(url("unit-create", county.market.pk), data)
    assert "已有名为“稽查队”的内设机构" in text(response)
    assert county.market.units.filter(name="稽查队").count() == 1


# --- People ------------------------------------------------------------------------


@pytest.mark.req("ORG-01")
def test_the_agency_admin_adds_a_person_with_roles(client_for, county):
    client = client_for(county.market_admin)
    form = text(client.get(url("officer-create", county.market.pk)))
    assert county.market_unit.name in form and "执法监督人员" not in form
    data = officer_data(county, roles=[Role.OFFICER, Role.UNIT_HEAD])
    response = client.post(url("officer-create", county.market.pk), data)
    officer = Officer.objects.get(user__username="zhangsan")
    assert response.url == url("officer-detail", officer.pk)
    assert (officer.agency, officer.unit, officer.legal_qualification) == (
        county.market,
        county.market_unit,
        True,
    )
    assert set(officer.role_grants.values_list("role", flat=True)) == {"officer", "unit_head"}
    assert officer.user.check_password(NEW_PASSWORD)
    assert entries_for(officer).filter(action="officer.create").exists()
    assert entries_for(officer).filter(action="role.grant").count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password1": "12345678", "password2": "12345678"}, "密码不符合要求"),
        ({"password2": "Other-Pass-2026!"}, "两次输入的密码不一致"),
        ({"id_number": "110105194912310021"}, "居民身份证号码 110105194912310021 无效"),
        ({"unit": "999999"}, "选择一个有效的选项"),
        pytest.param(
            {"roles": [Role.OFFICER, Role.REVIEWER]},
            "法制审核人员不得同时从事行政执法工作",
            marks=pytest.mark.req("REV-02"),
            id="officer-and-reviewer",
        ),
    ],
)
def test_a_refused_person_is_not_created(client_for, county, changes, message):
    before = (Officer.objects.count(), LedgerEntry.objects.count())
    response = client_for(county.market_admin).post(
        url("officer-create", county.market.pk), officer_data(county, **changes)
    )
    assert message in text(response)
    assert (Officer.objects.count(), LedgerEntry.objects.count()) == before
    assert not Officer.objects.filter(user__username="zhangsan").exists()


def test_a_unit_of_another_agency_is_not_offered(client_for, build, county):
    other = build.unit(county.safety, "应急股")
    response = client_for(county.sysadmin).post(
        url("officer-create", county.market.pk), officer_data(county, unit=other.pk)
    )
    assert "选择一个有效的选项" in text(response)
    assert not Officer.objects.filter(user__username="zhangsan").exists()


def test_the_agency_admin_sets_a_password(client_for, build, county):
    person = build.officer(county.market)
    client = client_for(county.market_admin)
    assert "设置密码" in text(client.get(url("officer-detail", person.pk)))
    weak = {"password1": "12345678", "password2": "12345678"}
    assert "密码不符合要求" in text(client.post(url("officer-password", person.pk), weak))
    person.user.refresh_from_db()
    assert person.user.check_password(PASSWORD)
    assert not entries_for(person).filter(action="officer.set_password").exists()

    strong = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(url("officer-password", person.pk), strong).status_code == 302
    person.user.refresh_from_db()
    assert person.user.check_password(NEW_PASSWORD)
    assert entries_for(person).filter(action="officer.set_password").exists()


# --- Roles -------------------------------------------------------------------------


def test_the_agency_admin_grants_and_revokes_a_role(client_for, build, county):
    person = build.officer(county.market)
    client = client_for(county.market_admin)
    page = text(client.get(url("officer-detail", person.pk)))
    assert "授予角色" in page and url("role-revoke", person.pk, Role.OFFICER) in page

    assert client.post(url("role-grant", person.pk), {"role": Role.LEADER}).status_code == 302
    assert person.role_grants.filter(role=Role.LEADER).exists()
    assert entries_for(person).filter(action="role.grant", payload__role="leader").exists()

    revoke = url("role-revoke", person.pk, Role.LEADER)
    assert "确认撤销" in text(client.get(revoke))
    assert person.role_grants.filter(role=Role.LEADER).exists()
    assert client.post(revoke, {"confirmed": "1"}).status_code == 302
    assert not person.role_grants.filter(role=Role.LEADER).exists()
    assert entries_for(person).filter(action="role.revoke", payload__role="leader").exists()

    response = client.post(revoke, {"confirmed": "1"})
    assert "未担任机关负责人" in text(response)
    assert client.get(url("role-revoke", person.pk, "pope")).status_code == 404


def test_people_without_the_role_see_no_role_buttons(client_for, build, county):
    person = build.officer(county.market)
    page = text(client_for(build.officer(county.market).user).get(url("officer-detail", person.pk)))
    assert "授予角色" not in page and "设置密码" not in page and "撤销" not in page


@pytest.mark.req("REV-02")
def test_an_enforcement_officer_cannot_be_made_a_reviewer(client_for, build, county):
    person = build.officer(county.market)
    before = LedgerEntry.objects.count()
    response = client_for(county.market_admin).post(
        url("role-grant", person.pk), {"role": Role.REVIEWER}
    )
    assert "法制审核人员不得同时从事行政执法工作" in text(response)
    assert not person.role_grants.filter(role=Role.REVIEWER).exists()
    assert LedgerEntry.objects.count() == before


def test_only_the_sysadmin_grants_supervisors_and_only_in_a_bureau(client_for, build, county):
    clerk = build.officer(county.bureau, roles=(), credential=False)
    admin_form = client_for(county.market_admin).get(url("role-grant", clerk.pk))
    assert admin_form.status_code == 404
    client = client_for(county.sysadmin)
    assert client.post(url("role-grant", clerk.pk), {"role": Role.SUPERVISOR}).status_code == 302
    assert entries_for(clerk).filter(action="role.grant", payload__role="supervisor").exists()

    person = build.officer(county.market)
    response = client.post(url("role-grant", person.pk), {"role": Role.SUPERVISOR})
    assert "只有司法局（行政执法监督机关）的人员可以担任执法监督人员" in text(response)
    assert not person.role_grants.filter(role=Role.SUPERVISOR).exists()

    offered = text(client_for(county.market_admin).get(url("role-grant", person.pk)))
    assert "执法监督人员" not in offered
    refused = client_for(county.market_admin).post(
        url("role-grant", person.pk), {"role": Role.SUPERVISOR}
    )
    assert "选择一个有效的选项" in text(refused)


# --- Credentials -------------------------------------------------------------------


@pytest.mark.req("ORG-01")
def test_the_regions_supervisor_issues_a_credential(client_for, build, county):
    person = build.officer(county.market, credential=False)
    client = client_for(county.supervisor)
    assert "登记执法证件" in text(client.get(url("officer-detail", person.pk)))
    response = client.post(url("credential-issue", person.pk), credential_data())
    assert response.status_code == 302
    credential = person.credentials.get()
    assert (credential.number, credential.status) == ("湘执0001", Credential.Status.VALID)
    assert str(credential.valid_until) == "2030-12-31"
    assert entries_for(credential).filter(action="credential.issue").exists()


@pytest.mark.req("ORG-01")
def test_agency_admins_and_other_regions_do_not_issue_credentials(client_for, build, county):
    person = build.officer(county.market, credential=False)
    admin = client_for(county.market_admin)
    assert "登记执法证件" not in text(admin.get(url("officer-detail", person.pk)))
    assert admin.post(url("credential-issue", person.pk), credential_data()).status_code == 403
    neighbour = build.county(code="990103", name="邻县").supervisor
    response = client_for(neighbour).post(url("credential-issue", person.pk), credential_data())
    assert response.status_code == 404
    assert not person.credentials.exists()


@pytest.mark.req("ORG-01")
def test_a_credential_number_is_issued_once(client_for, build, county):
    taken = build.officer(county.market).credentials.get().number
    person = build.officer(county.market, credential=False)
    before = LedgerEntry.objects.count()
    response = client_for(county.supervisor).post(
        url("credential-issue", person.pk), credential_data(number=taken)
    )
    assert f"证件编号 {taken} 已存在" in text(response)
    assert not person.credentials.exists()
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"valid_until": "2024-12-31"}, "有效期至不能早于发证日期"),
        ({"number": "   "}, "该字段是必填项"),
    ],
)
def test_a_malformed_credential_is_not_recorded(client_for, build, county, changes, message):
    person = build.officer(county.market, credential=False)
    before = LedgerEntry.objects.count()
    response = client_for(county.supervisor).post(
        url("credential-issue", person.pk), credential_data(**changes)
    )
    assert message in text(response)
    assert not person.credentials.exists()
    assert LedgerEntry.objects.count() == before
