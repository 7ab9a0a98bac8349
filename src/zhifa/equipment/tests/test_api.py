"""The REST door onto equipment and rooms (REC-15): the generic security suite
for each endpoint, then what it cannot know."""

import pytest
from django.urls import reverse

from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests, listed_ids
from zhifa.equipment import services
from zhifa.equipment.models import Device, DeviceCheckout, Room
from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-15")]

CHECKS = {"battery_ok": True, "storage_ok": True, "clock_ok": True}


def a_device(county, asset_number="JLY-001"):
    return services.device_create(
        actor=county.market_admin,
        agency=county.market,
        kind="recorder",
        asset_number=asset_number,
        model="DSJ-V9",
    )


def a_room(county):
    return services.room_create(
        actor=county.market_admin, agency=county.market, kind="interview", name="第一询问室"
    )


def post(client, name, obj=None, data=None):
    path = reverse(name, args=[obj.pk]) if obj is not None else reverse(name)
    return client.post(path, data or {}, content_type="application/json")


class DeviceEndpoint:
    list_url_name = "api:device-list"

    def make_object(self, build, county):
        return a_device(county)


class TestDeviceRead(DeviceEndpoint, APIReadTests):
    pass


class TestDeviceCreate(DeviceEndpoint, APIWriteTests):
    ledger_action = "device.create"
    # The other agency names agency A, which is not among the ids it may use.
    other_status = (400,)

    def write_payload(self, county, obj):
        return {
            "agency": county.market.pk,
            "kind": "terminal",
            "asset_number": "ZD-1",
            "model": "T5",
        }


class TestDeviceCheckout(DeviceEndpoint, APIWriteTests):
    write_action = "checkout"
    ledger_action = "device.checkout"

    def write_payload(self, county, obj):
        return CHECKS


class TestDeviceFault(DeviceEndpoint, APIWriteTests):
    write_action = "fault"
    ledger_action = "device.fault_report"

    def write_payload(self, county, obj):
        return {"description": "无法开机"}


class TestDeviceRetire(DeviceEndpoint, APIWriteTests):
    write_action = "retire"
    ledger_action = "device.retire"

    def write_payload(self, county, obj):
        return {"reason": "进水无法修复"}


class RoomEndpoint:
    list_url_name = "api:room-list"

    def make_object(self, build, county):
        return a_room(county)


class TestRoomRead(RoomEndpoint, APIReadTests):
    pass


class TestRoomCreate(RoomEndpoint, APIWriteTests):
    ledger_action = "room.create"
    other_status = (400,)

    def write_payload(self, county, obj):
        return {"agency": county.market.pk, "kind": "hearing", "name": "听证室"}


class TestRoomUpdate(RoomEndpoint, APIWriteTests):
    write_method = "patch"
    ledger_action = "room.update"

    def write_payload(self, county, obj):
        return {"is_active": False}


# --- What the generic suite cannot know ---------------------------------------------------


def test_a_device_is_created_for_the_requesters_own_agency(client, county):
    client.force_login(county.market_admin)
    response = post(
        client, "api:device-list", data={"kind": "recorder", "asset_number": "A", "model": "M"}
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["agency"], body["status"], body["status_display"], body["holder_name"]) == (
        county.market.pk,
        "available",
        "在库",
        None,
    )


def test_a_plain_officer_may_not_register_a_device(client, officer):
    client.force_login(officer.user)
    response = post(
        client, "api:device-list", data={"kind": "recorder", "asset_number": "A", "model": "M"}
    )
    assert response.status_code == 403
    assert "机关管理员、内设机构负责人或机关负责人" in response.json()["detail"]


def test_checkout_with_a_failed_check_is_a_400_naming_it(client, county, officer):
    device = a_device(county)
    client.force_login(officer.user)
    entries = LedgerEntry.objects.count()
    response = post(client, "api:device-checkout", device, {**CHECKS, "storage_ok": False})
    assert response.status_code == 400
    assert response.json()["code"] == "checks_failed"
    assert response.json()["detail"].startswith("借出前检查未通过：存储空间。")
    assert not DeviceCheckout.objects.exists() and LedgerEntry.objects.count() == entries


def test_checkout_return_fault_and_resolve(client, county, officer, colleague):
    device = a_device(county)
    client.force_login(officer.user)
    response = post(client, "api:device-checkout", device, {**CHECKS, "clock_offset_seconds": 2})
    assert response.status_code == 201
    assert (response.json()["officer"], response.json()["clock_offset_seconds"]) == (officer.pk, 2)
    assert (
        client.get(reverse("api:device-detail", args=[device.pk])).json()["holder_name"] == "张执法"
    )

    response = post(client, "api:device-checkout", device, CHECKS)
    assert response.status_code == 409 and "须先归还" in response.json()["detail"]

    response = post(client, "api:device-return", device, {**CHECKS, "note": "正常"})
    assert response.status_code == 200 and response.json()["return_note"] == "正常"

    response = post(client, "api:device-fault", device, {"description": "无法开机"})
    assert response.status_code == 201
    response = post(client, "api:device-resolve", device, {"resolution": "已修复"})
    assert response.status_code == 403

    client.force_login(county.market_admin)
    response = post(client, "api:device-resolve", device, {"resolution": "已修复"})
    assert response.status_code == 200
    detail = client.get(reverse("api:device-detail", args=[device.pk])).json()
    assert detail["status"] == "available"
    assert [f["resolution"] for f in detail["faults"]] == ["已修复"]
    assert len(detail["checkouts"]) == 1

    response = post(client, "api:device-checkout", device, {**CHECKS, "officer": colleague.pk})
    assert response.status_code == 201 and response.json()["officer_name"] == "李执法"


def test_an_officer_of_another_agency_is_an_unknown_borrower(client, county, outsider):
    device = a_device(county)
    client.force_login(county.market_admin)
    response = post(client, "api:device-checkout", device, {**CHECKS, "officer": outsider.pk})
    assert response.status_code == 400 and "officer" in response.json()
    client.force_login(county.sysadmin)
    response = post(client, "api:device-checkout", device, {**CHECKS, "officer": outsider.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "other_agency"
    assert Device.objects.get().status == "available"


def test_a_retired_device_is_a_409(client, county, officer):
    device = a_device(county)
    services.device_retire(actor=county.market_admin, device=device, reason="老旧")
    client.force_login(officer.user)
    response = post(client, "api:device-checkout", device, CHECKS)
    assert response.status_code == 409 and response.json()["code"] == "retired"


def test_devices_are_searched_and_not_deleted(client, county):
    wanted = a_device(county)
    a_device(county, "ZD-9")
    client.force_login(county.market_admin)
    assert listed_ids(client.get(reverse("api:device-list"), {"search": "JLY"})) == [wanted.pk]
    detail = reverse("api:device-detail", args=[wanted.pk])
    assert client.delete(detail).status_code == 405
    assert (
        client.patch(detail, {"status": "retired"}, content_type="application/json").status_code
        == 405
    )


def test_a_room_update_is_checked_by_the_service(client, county):
    room = a_room(county)
    services.room_create(
        actor=county.market_admin, agency=county.market, kind="hearing", name="听证室"
    )
    client.force_login(county.market_admin)
    response = client.patch(
        reverse("api:room-detail", args=[room.pk]),
        {"name": "听证室"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert Room.objects.get(pk=room.pk).name == "第一询问室"


def test_the_ratio_endpoint_lists_the_visible_agencies(client, build, county):
    a_device(county)
    for _ in range(3):
        build.officer(county.market)
    client.force_login(county.market_admin)
    body = client.get(reverse("api:equipment-ratio-list")).json()
    assert body == [
        {
            "agency": county.market.pk,
            "agency_name": county.market.name,
            "officers": 3,
            "devices": 1,
            "standard": 3,
            "officers_per_device": 3.0,
            "required": 1,
            "shortfall": 0,
            "meets": True,
        }
    ]
    client.force_login(county.supervisor)
    names = {r["agency_name"] for r in client.get(reverse("api:equipment-ratio-list")).json()}
    assert {county.market.name, county.safety.name} <= names
    client.logout()
    assert client.get(reverse("api:equipment-ratio-list")).status_code in (401, 403)
