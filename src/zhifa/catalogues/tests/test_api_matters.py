import pytest
from django.urls import reverse

from zhifa.catalogues.models import Matter
from zhifa.catalogues.services import matter_create
from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests, listed_ids
from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-02")]

LIST = "api:matter-list"


def a_matter(county, code="330217001000", **fields):
    return matter_create(
        actor=county.market_admin,
        agency=county.market,
        code=code,
        name=fields.pop("name", "对未取得营业执照从事经营活动的处罚"),
        action_kind=fields.pop("action_kind", "penalty"),
        legal_basis=fields.pop("legal_basis", "《无证无照经营查处办法》第十三条"),
        unit=fields.pop("unit", county.market_unit),
        time_limit_days=fields.pop("time_limit_days", 90),
        **fields,
    )


def payload(**fields):
    return {
        "code": "330217002000",
        "name": "对销售不符合安全标准的食品的处罚",
        "action_kind": "penalty",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        **fields,
    }


class MatterEndpoint:
    list_url_name = LIST

    def make_object(self, build, county):
        return a_matter(county)


# --- The generic suite ------------------------------------------------------------------


class TestMatterRead(MatterEndpoint, APIReadTests):
    pass


class TestMatterCreate(MatterEndpoint, APIWriteTests):
    ledger_action = "matter.create"
    # The other agency names agency A in the payload; A is not among the ids it
    # may refer to, so the id is refused as unknown.
    other_status = (400,)

    def write_payload(self, county, obj):
        return payload(agency=county.market.pk, unit=county.market_unit.pk)


class TestMatterUpdate(MatterEndpoint, APIWriteTests):
    write_method = "patch"
    ledger_action = "matter.update"

    def write_payload(self, county, obj):
        return {"time_limit_days": 60, "note": "依据修订后调整"}


# --- What the generic suite cannot know ---------------------------------------------------


def post(client, data):
    return client.post(reverse(LIST), data, content_type="application/json")


def test_an_agency_admin_creates_a_matter_of_its_own_agency(client, county):
    client.force_login(county.market_admin)
    response = post(client, payload(unit=county.market_unit.pk, time_limit_days=90))
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["agency"], body["unit_name"], body["action_kind_display"]) == (
        county.market.pk,
        "执法大队",
        "行政处罚",
    )
    assert Matter.objects.get(pk=body["id"]).time_limit_days == 90


def test_a_sysadmin_names_the_agency(client, county):
    client.force_login(county.sysadmin)
    response = post(client, payload())
    assert response.status_code == 400
    assert response.json()["agency"] == ["请指定执法主体。"]
    response = post(client, payload(agency=county.safety.pk))
    assert response.status_code == 201
    assert response.json()["agency"] == county.safety.pk


def test_a_supervisor_may_read_but_not_write_an_agencys_matters(client, county):
    matter = a_matter(county)
    client.force_login(county.supervisor)
    assert client.get(reverse("api:matter-detail", args=[matter.pk])).status_code == 200
    response = post(client, payload(agency=county.market.pk))
    assert response.status_code == 403
    assert response.json()["detail"] == "只有本机关的管理员可以执行此操作。"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"legal_basis": "  "}, "detail"),
        ({"name": ""}, "detail"),
        ({"action_kind": "reward"}, "action_kind"),
        ({"time_limit_days": -1}, "detail"),
        ({"time_limit_days": "三十"}, "time_limit_days"),
        ({"code": None}, "code"),
    ],
)
def test_a_bad_matter_is_a_400_and_nothing_is_saved(client, county, bad, field):
    client.force_login(county.market_admin)
    entries = LedgerEntry.objects.count()
    response = post(client, payload(**bad))
    assert response.status_code == 400, response.content.decode()
    assert field in response.json()
    assert not Matter.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_the_service_message_comes_back_in_chinese(client, county):
    client.force_login(county.market_admin)
    response = post(client, payload(legal_basis=" "))
    assert response.json() == {"code": "invalid", "detail": "执法依据不能为空。"}


def test_a_unit_of_another_agency_is_refused(client, build, county):
    client.force_login(county.sysadmin)
    response = post(client, payload(agency=county.safety.pk, unit=county.market_unit.pk))
    assert response.status_code == 400
    assert "不属于" in response.json()["detail"]
    assert not Matter.objects.exists()


def test_a_duplicate_code_is_a_409(client, county):
    existing = a_matter(county)
    client.force_login(county.market_admin)
    response = post(client, payload(code=existing.code))
    assert response.status_code == 409
    assert existing.code in response.json()["detail"]
    assert Matter.objects.count() == 1


def test_an_update_may_retire_a_matter_but_not_recode_it(client, county):
    matter = a_matter(county)
    client.force_login(county.market_admin)
    url = reverse("api:matter-detail", args=[matter.pk])
    response = client.patch(url, {"is_active": False, "code": "X"}, content_type="application/json")
    assert response.status_code == 200
    matter.refresh_from_db()
    assert (matter.is_active, matter.code) == (False, "330217001000")
    assert client.put(url, payload(), content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405


def test_matters_can_be_searched(client, county):
    wanted = a_matter(county)
    a_matter(county, code="330217009000", name="对广告违法行为的处罚", legal_basis="《广告法》")
    client.force_login(county.market_admin)
    assert listed_ids(client.get(reverse(LIST), {"search": "营业执照"})) == [wanted.pk]
