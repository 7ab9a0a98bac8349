from datetime import date, timedelta

import pytest
from django.urls import reverse

from zhifa.accounts import services
from zhifa.accounts.models import Credential, Role
from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests, listed_ids
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("ORG-01")]

# A valid 居民身份证号码 (GB 11643 example) that must never appear in a response.
ID_NUMBER = "11010519491231002X"


# --- The generic suite, once per endpoint ----------------------------------------------


class TestAgencyRead(APIReadTests):
    list_url_name = "api:agency-list"

    def make_object(self, build, county):
        return county.market


class TestUnitRead(APIReadTests):
    list_url_name = "api:unit-list"

    def make_object(self, build, county):
        return county.market_unit


class TestOfficerRead(APIReadTests):
    list_url_name = "api:officer-list"

    def make_object(self, build, county):
        return build.officer(county.market, unit=county.market_unit)


class CredentialEndpoint:
    list_url_name = "api:credential-list"

    def make_object(self, build, county):
        return build.officer(county.market).credentials.get()


class TestCredentialRead(CredentialEndpoint, APIReadTests):
    pass


class TestCredentialStatusChange(CredentialEndpoint, APIWriteTests):
    write_action = "status"
    ledger_action = "credential.set_status"

    def writer(self, county):
        # Credentials are managed by the 司法局 of the region, not by the agency.
        return county.supervisor

    def write_payload(self, county, obj):
        return {"status": "suspended", "reason": "涉嫌违纪，暂扣待查"}


# --- What the generic suite cannot know ---------------------------------------------------


def test_a_supervisor_sees_every_agency_of_its_region_and_no_other(client, build, county):
    neighbour = build.county(code="990103", name="邻县")
    client.force_login(county.supervisor)
    ids = listed_ids(client.get(reverse("api:agency-list")))
    assert set(ids) == {county.bureau.pk, county.market.pk, county.safety.pk}
    assert neighbour.market.pk not in ids
    url = reverse("api:agency-detail", args=[neighbour.market.pk])
    assert client.get(url).status_code == 404


def test_an_agency_admin_sees_only_its_own_agency(client, county):
    client.force_login(county.market_admin)
    assert listed_ids(client.get(reverse("api:agency-list"))) == [county.market.pk]


def test_an_agency_lists_its_units(client, county):
    client.force_login(county.market_admin)
    body = client.get(reverse("api:agency-detail", args=[county.market.pk])).json()
    assert {unit["name"] for unit in body["units"]} == {"法规股", "执法大队"}
    assert body["region"]["code"] == "990102"


def test_agencies_can_be_searched_and_ordered(client, county):
    client.force_login(county.supervisor)
    url = reverse("api:agency-list")
    assert listed_ids(client.get(url, {"search": "应急"})) == [county.safety.pk]
    names = [row["name"] for row in client.get(url, {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_an_officer_never_shows_the_id_number(client, county):
    officer = services.officer_create(
        actor=county.market_admin, agency=county.market, username="zhangsan", name="张三",
        id_number=ID_NUMBER, roles=(Role.OFFICER,),
    )  # fmt: skip
    client.force_login(county.market_admin)
    for url in (
        reverse("api:officer-list"),
        reverse("api:officer-detail", args=[officer.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert ID_NUMBER not in response.content.decode()
        assert "id_number" not in response.content.decode()
    detail = client.get(reverse("api:officer-detail", args=[officer.pk])).json()
    assert detail["roles"] == ["officer"]


def test_a_credential_past_its_date_shows_expired_today(client, build, county):
    officer = build.officer(county.market, credential=False)
    credential = build.credential(officer, valid_until=date.today() - timedelta(days=1))
    client.force_login(county.market_admin)
    body = client.get(reverse("api:credential-detail", args=[credential.pk])).json()
    assert body["status"] == "valid"
    assert body["status_today"] == "expired"
    assert body["status_today_display"] == "过期"


def test_an_agency_admin_cannot_change_a_credential_status(client, build, county):
    credential = build.officer(county.market).credentials.get()
    client.force_login(county.market_admin)
    url = reverse("api:credential-status", args=[credential.pk])
    response = client.post(
        url, {"status": "suspended", "reason": "涉嫌违纪"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "只有该地区的司法局执法监督人员可以执行此操作。"
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VALID
    assert not entries_for(credential).filter(action="credential.set_status").exists()


def test_the_supervisor_changes_a_credential_status(client, build, county):
    credential = build.officer(county.market).credentials.get()
    client.force_login(county.supervisor)
    url = reverse("api:credential-status", args=[credential.pk])
    response = client.post(
        url, {"status": "revoked", "reason": "调离执法岗位"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == response.json()["status_today"] == "revoked"
    credential.refresh_from_db()
    assert (credential.status, credential.status_reason) == ("revoked", "调离执法岗位")
    entry = entries_for(credential).get(action="credential.set_status")
    assert entry.payload["reason"] == "调离执法岗位"


@pytest.mark.parametrize(
    ("payload", "expected_status", "expected_detail"),
    [
        ({"status": "suspended", "reason": " "}, 400, "请填写状态变更的理由。"),
        ({"status": "suspended"}, 400, "请填写状态变更的理由。"),
        ({"status": "valid", "reason": "恢复"}, 409, "当前为“有效”，不能变更为“有效”。"),
    ],
)
def test_a_refused_status_change_says_why_in_chinese(
    client, build, county, payload, expected_status, expected_detail
):
    credential = build.officer(county.market).credentials.get()
    client.force_login(county.supervisor)
    url = reverse("api:credential-status", args=[credential.pk])
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == expected_status
    assert response.json()["detail"].endswith(expected_detail)
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VALID


def test_an_unknown_credential_status_is_a_400(client, build, county):
    credential = build.officer(county.market).credentials.get()
    client.force_login(county.supervisor)
    url = reverse("api:credential-status", args=[credential.pk])
    response = client.post(
        url, {"status": "lost", "reason": "遗失"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "status" in response.json()
