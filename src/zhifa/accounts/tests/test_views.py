from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.accounts.models import Credential, Role
from zhifa.ledger.selectors import entries_for

pytestmark = pytest.mark.django_db

PAGES = [
    "accounts:home",
    "accounts:agency-list",
    "accounts:officer-list",
    "accounts:credential-list",
]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.req("ORG-01")
def test_an_agency_sees_only_its_own_agency_and_people(client_for, build, county):
    mine = build.officer(county.market, name="本局甲")
    theirs = build.officer(county.safety, name="外局乙")
    client = client_for(county.market_admin)
    agencies = client.get(reverse("accounts:agency-list")).content.decode()
    assert county.market.name in agencies and county.safety.name not in agencies
    people = client.get(reverse("accounts:officer-list")).content.decode()
    assert mine.name in people and theirs.name not in people
    for url in (
        reverse("accounts:agency-detail", args=[county.safety.pk]),
        reverse("accounts:officer-detail", args=[theirs.pk]),
        reverse("accounts:credential-status", args=[theirs.credentials.get().pk]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.req("ORG-01")
def test_a_supervisor_sees_its_region_only(client_for, build, county):
    other = build.county(code="990103", name="邻县")
    client = client_for(county.supervisor)
    page = client.get(reverse("accounts:agency-list")).content.decode()
    assert county.market.name in page and county.safety.name in page
    assert other.market.name not in page
    assert client.get(reverse("accounts:agency-detail", args=[other.market.pk])).status_code == 404


def test_lists_search_sort_paginate_and_export(client_for, build, county):
    for i in range(30):
        build.officer(county.market, name=f"队员{i:02d}")
    client = client_for(county.market_admin)
    url = reverse("accounts:officer-list")
    page = client.get(url, {"q": "队员07"}).content.decode()
    assert "队员07" in page and "队员08" not in page
    first = client.get(url, {"sort": "-name"}).content.decode()
    assert first.index("队员29") < first.index("队员28")
    assert "第 1 / 2 页" in client.get(url).content.decode()
    partial = client.get(
        url, {"q": "队员1"}, headers={"HX-Request": "true", "HX-Target": "list-table"}
    )
    assert "<html" not in partial.content.decode() and "队员15" in partial.content.decode()

    export = client.get(reverse("accounts:credential-list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet["A1"].value == "证件编号"
    assert sheet.max_row == 31


@pytest.mark.req("ORG-01")
def test_credential_status_change_needs_the_supervisor_and_a_confirmation(
    client_for, build, county
):
    credential = build.officer(county.market).credentials.get()
    url = reverse("accounts:credential-status", args=[credential.pk])
    admin = client_for(county.market_admin)
    response = admin.post(url, {"status": "suspended", "reason": "违纪"})
    assert "司法局" in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VALID

    supervisor = client_for(county.supervisor)
    page = supervisor.get(url).content.decode()
    assert "确认变更" in page
    response = supervisor.post(url, {"status": "suspended", "reason": "违纪"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == Credential.Status.SUSPENDED
    assert entries_for(credential).filter(action="credential.set_status").exists()


@pytest.mark.parametrize(
    ("roles", "title"),
    [
        ((Role.OFFICER,), "我的执法资格"),
        ((Role.OFFICER, Role.UNIT_HEAD), "本机构"),
        ((Role.REVIEWER,), "法制审核"),
        ((Role.LEADER,), "本机关概况"),
        ((Role.AGENCY_ADMIN,), "本机关概况"),
    ],
)
def test_each_role_has_its_home(client_for, build, county, roles, title):
    officer = build.officer(county.market, roles=roles, unit=county.market_unit)
    page = client_for(officer.user).get(reverse("accounts:home")).content.decode()
    assert title in page


def test_supervisor_and_sysadmin_homes(client_for, county):
    assert (
        "辖区执法主体"
        in client_for(county.supervisor).get(reverse("accounts:home")).content.decode()
    )
    assert "系统维护" in client_for(county.sysadmin).get(reverse("accounts:home")).content.decode()


def test_portal_admin_and_api_docs_answer(client, client_for, county):
    assert county.market.name in client.get("/").content.decode()
    assert client_for(county.sysadmin).get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("accounts:agency-list", "主体名称"),
        ("accounts:officer-list", "姓名"),
        ("accounts:credential-list", "证件编号"),
        ("catalogues:matter-list", "序号"),
    ],
)
def test_every_list_exports_to_excel(client_for, build, county, name, header):
    build.officer(county.market)
    response = client_for(county.market_admin).get(reverse(name), {"export": "xlsx"})
    assert response.status_code == 200
    assert load_workbook(BytesIO(response.content)).active["A1"].value == header


def test_credentials_filter_by_state_as_linked_from_the_home(client_for, build, county):
    build.officer(county.market, name="有效甲")
    build.officer(county.market, name="暂扣乙", credential="suspended")
    client = client_for(county.market_admin)
    home = client.get(reverse("accounts:home")).content.decode()
    assert "?state=invalid" in home and "?state=expiring" in home
    page = client.get(reverse("accounts:credential-list"), {"state": "invalid"}).content.decode()
    assert "暂扣乙" in page and "有效甲" not in page
    assert "有效甲" in client.get(reverse("accounts:credential-list")).content.decode()
