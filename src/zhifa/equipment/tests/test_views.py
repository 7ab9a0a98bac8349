"""Workbench pages for equipment and rooms (REC-15): each answers the roles
that may use it, refuses the others (403 inside the agency or region, 404
outside), and keeps what was typed when the service refuses."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.equipment import services
from zhifa.equipment.models import Device, Room

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-15")]

LIST = reverse("equipment:device-list")


def url(name, device):
    return reverse(f"equipment:{name}", args=[device.pk])


def status(device):
    return Device.objects.get(pk=device.pk).status


# --- Who sees what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["device-list", "device-create", "room-list", "ratio", "device-import"]
)
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(f"equipment:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_agency_people_and_supervisors_read_the_list_and_detail(
    client_for, county, officer, recorder
):
    for user in (officer.user, county.market_admin, county.supervisor):
        client = client_for(user)
        page = client.get(LIST).content.decode()
        assert "JLY-001" in page
        assert client.get(url("device-detail", recorder)).status_code == 200


def test_another_agency_neither_lists_nor_reaches_the_device(client_for, county, recorder):
    client = client_for(county.safety_admin)
    assert "JLY-001" not in client.get(LIST).content.decode()
    for name in (
        "device-detail",
        "device-edit",
        "device-checkout",
        "device-return",
        "device-fault",
        "device-resolve",
        "device-retire",
    ):
        assert client.get(url(name, recorder)).status_code == 404, name


def test_management_pages_are_refused_to_plain_officers_and_supervisors(
    client_for, county, officer, recorder
):
    for user in (officer.user, county.supervisor):
        client = client_for(user)
        for page in (
            reverse("equipment:device-create"),
            reverse("equipment:device-import"),
            reverse("equipment:room-create"),
            url("device-edit", recorder),
            url("device-retire", recorder),
            url("device-resolve", recorder),
        ):
            assert client.get(page).status_code == 403, page
    supervisor = client_for(county.supervisor)
    for name in ("device-checkout", "device-fault"):
        assert supervisor.get(url(name, recorder)).status_code == 403


def test_the_detail_offers_only_the_usable_actions(client_for, county, officer, recorder):
    page = client_for(officer.user).get(url("device-detail", recorder)).content.decode()
    assert url("device-checkout", recorder) in page
    assert url("device-fault", recorder) in page
    assert url("device-retire", recorder) not in page
    page = client_for(county.market_admin).get(url("device-detail", recorder)).content.decode()
    assert url("device-retire", recorder) in page


# --- Registering ------------------------------------------------------------------------


def test_a_manager_registers_a_device_and_a_refusal_keeps_the_input(client_for, county, recorder):
    client = client_for(county.market_admin)
    form = {
        "agency": county.market.pk,
        "asset_number": "JLY-001",
        "kind": "terminal",
        "model": "ZF-T5 移动执法终端",
        "serial_number": "SN-T5-77",
    }
    response = client.post(reverse("equipment:device-create"), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已有资产编号为 JLY-001 的设备" in page
    assert "ZF-T5 移动执法终端" in page and "SN-T5-77" in page
    response = client.post(reverse("equipment:device-create"), {**form, "asset_number": "ZD-001"})
    device = Device.objects.get(asset_number="ZD-001")
    assert response.status_code == 302 and response.url == url("device-detail", device)


# --- Checking out and back --------------------------------------------------------------


def test_checkout_form_names_the_failed_checks_and_keeps_the_input(client_for, officer, recorder):
    client = client_for(officer.user)
    page = client.get(url("device-checkout", recorder)).content.decode()
    assert "电池电量充足" in page and 'name="officer"' not in page
    response = client.post(
        url("device-checkout", recorder),
        {"storage_ok": "on", "clock_ok": "on", "clock_offset_seconds": "5", "note": "夜查"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "借出前检查未通过：电池电量。" in page
    assert 'value="夜查"' in page and 'value="5"' in page
    assert status(recorder) == Device.Status.AVAILABLE

    response = client.post(
        url("device-checkout", recorder),
        {"battery_ok": "on", "storage_ok": "on", "clock_ok": "on", "note": "夜查"},
    )
    assert response.status_code == 302
    assert status(recorder) == Device.Status.CHECKED_OUT
    assert recorder.checkouts.get().officer == officer


def test_a_manager_lends_to_a_chosen_officer(client_for, county, colleague, recorder):
    client = client_for(county.market_admin)
    assert 'name="officer"' in client.get(url("device-checkout", recorder)).content.decode()
    checks = {"battery_ok": "on", "storage_ok": "on", "clock_ok": "on"}
    client.post(url("device-checkout", recorder), {"officer": colleague.pk, **checks})
    assert recorder.checkouts.get().officer == colleague


def test_return_fault_and_resolve_through_the_pages(
    client_for, county, officer, colleague, recorder, lend
):
    lend(recorder, officer)
    # Another plain officer may neither return it nor open the return page.
    assert client_for(colleague.user).get(url("device-return", recorder)).status_code == 403
    client = client_for(officer.user)
    response = client.post(
        url("device-return", recorder), {"battery_ok": "on", "storage_ok": "on", "clock_ok": "on"}
    )
    assert response.status_code == 302 and status(recorder) == Device.Status.AVAILABLE

    response = client.post(url("device-fault", recorder), {"description": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    client.post(url("device-fault", recorder), {"description": "无法开机"})
    assert status(recorder) == Device.Status.FAULTY

    admin = client_for(county.market_admin)
    page = admin.get(url("device-resolve", recorder)).content.decode()
    assert "故障描述：无法开机" in page
    admin.post(url("device-resolve", recorder), {"resolution": "已更换电池"})
    assert status(recorder) == Device.Status.AVAILABLE
    detail = admin.get(url("device-detail", recorder)).content.decode()
    assert "已更换电池" in detail and "张执法" in detail


def test_retiring_asks_for_confirmation_first(client_for, county, recorder):
    client = client_for(county.market_admin)
    page = client.get(url("device-retire", recorder)).content.decode()
    assert "确认报废" in page and "不能恢复" in page
    assert status(recorder) == Device.Status.AVAILABLE
    response = client.post(url("device-retire", recorder), {"reason": "进水无法修复"})
    assert response.status_code == 302 and status(recorder) == Device.Status.RETIRED


# --- The list ---------------------------------------------------------------------------


def test_the_list_searches_filters_by_status_and_exports(
    client_for, county, officer, recorder, lend
):
    services.device_create(
        actor=county.market_admin,
        agency=county.market,
        kind="terminal",
        asset_number="ZD-001",
        model="ZF-T5",
    )
    lend(recorder, officer)
    client = client_for(county.market_admin)
    page = client.get(LIST, {"q": "ZF-T5"}).content.decode()
    assert "ZD-001" in page and "JLY-001" not in page
    page = client.get(LIST, {"status": "checked_out"}).content.decode()
    assert "JLY-001" in page and "ZD-001" not in page and "张执法" in page
    response = client.get(LIST, {"export": "xlsx", "sort": "-asset_number"})
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].values)
    assert rows[0] == services.DEVICE_SHEET_HEADERS
    assert [row[1] for row in rows[1:]] == ["ZD-001", "JLY-001"]
    assert rows[2][6] == "已借出"


# --- Rooms and the ratio ----------------------------------------------------------------


def test_rooms_are_listed_and_registered(client_for, county, officer):
    admin = client_for(county.market_admin)
    form = {"agency": county.market.pk, "kind": "hearing", "name": "", "location": "三楼"}
    response = admin.post(reverse("equipment:room-create"), form)
    assert response.status_code == 200 and 'value="三楼"' in response.content.decode()
    admin.post(
        reverse("equipment:room-create"), {**form, "name": "听证室", "has_av_recording": "on"}
    )
    room = Room.objects.get()
    assert room.has_av_recording
    page = client_for(officer.user).get(reverse("equipment:room-list")).content.decode()
    assert "听证室" in page and "三楼" in page
    assert (
        client_for(county.safety_admin)
        .get(reverse("equipment:room-edit", args=[room.pk]))
        .status_code
        == 404
    )
    # client_for logs the one test client in: log the admin back in.
    admin = client_for(county.market_admin)
    admin.post(
        reverse("equipment:room-edit", args=[room.pk]),
        {"kind": "hearing", "name": "听证室", "location": "三楼", "has_av_recording": "on"},
    )
    room.refresh_from_db()
    assert not room.is_active


def test_the_ratio_page_shows_the_agency_or_the_whole_region(client_for, build, county, recorder):
    for _ in range(4):
        build.officer(county.market)
    page = client_for(county.market_admin).get(reverse("equipment:ratio")).content.decode()
    assert county.market.name in page and county.safety.name not in page
    assert "1:3" in page and "不足" in page
    page = client_for(county.supervisor).get(reverse("equipment:ratio")).content.decode()
    assert county.market.name in page and county.safety.name in page
