"""Equipment services (REC-15): who may register, lend, return and report; the
three checks before a device leaves; faults; retirement; rooms. Every refusal
changes nothing."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.equipment import services
from zhifa.equipment.models import Device, DeviceCheckout, DeviceFault, Room
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-15")]


def fresh(device) -> Device:
    return Device.objects.get(pk=device.pk)


def state(device) -> tuple:
    """What a refused action must leave as it was."""
    return (
        fresh(device).status,
        DeviceCheckout.objects.count(),
        DeviceFault.objects.count(),
        LedgerEntry.objects.count(),
    )


def register(actor, agency, asset_number="JLY-009", **fields):
    return services.device_create(
        actor=actor,
        agency=agency,
        kind=fields.pop("kind", "recorder"),
        asset_number=asset_number,
        model=fields.pop("model", "DSJ-V9"),
        **fields,
    )


# --- Registering devices --------------------------------------------------------------


def test_admin_unit_head_and_leader_register_devices(build, county, unit_head):
    leader = build.officer(county.market, roles=("leader",), credential=False)
    for n, actor in enumerate((county.market_admin, unit_head.user, leader.user)):
        device = register(actor, county.market, asset_number=f"JLY-10{n}")
        assert device.status == Device.Status.AVAILABLE
        entry = entries_for(device).get(action="device.create")
        assert (entry.actor_id, entry.agency_id) == (actor.pk, county.market.pk)


@pytest.mark.parametrize("who", ["officer", "outsider", "supervisor", "safety_admin"])
def test_others_may_not_register_devices(county, officer, outsider, who):
    actor = {
        "officer": officer.user,
        "outsider": outsider.user,
        "supervisor": county.supervisor,
        "safety_admin": county.safety_admin,
    }[who]
    with pytest.raises(Forbidden, match="机关管理员、内设机构负责人或机关负责人"):
        register(actor, county.market)
    assert not Device.objects.exists()


def test_asset_numbers_are_unique_within_an_agency_only(county, recorder):
    with pytest.raises(Conflict, match="JLY-001"):
        register(county.market_admin, county.market, asset_number=" JLY-001 ")
    other = register(county.safety_admin, county.safety, asset_number="JLY-001")
    assert other.agency == county.safety


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"asset_number": "  "}, "资产编号不能为空"),
        ({"model": ""}, "型号不能为空"),
        ({"kind": "drone"}, "设备类型“drone”无效"),
        ({"note": "长" * 256}, "备注不能超过 255 个字符"),
    ],
)
def test_bad_device_input_is_refused(county, fields, message):
    with pytest.raises(InvalidInput, match=message):
        register(county.market_admin, county.market, **fields)
    assert not Device.objects.exists()


def test_update_changes_the_description_and_logs_the_change(county, recorder):
    services.device_update(actor=county.market_admin, device=recorder, model="DSJ-V10")
    assert fresh(recorder).model == "DSJ-V10"
    entry = entries_for(recorder).get(action="device.update")
    assert entry.payload["changes"] == {"model": {"from": "DSJ-V9 执法记录仪", "to": "DSJ-V10"}}
    with pytest.raises(InvalidInput, match="未知的设备字段：status"):
        services.device_update(actor=county.market_admin, device=recorder, status="retired")


# --- Checking out (001 附件2 §35) -------------------------------------------------------


def test_an_officer_checks_out_a_device_for_themselves(officer, recorder, lend):
    checkout = lend(recorder, officer, clock_offset_seconds=-2, note="市场巡查")
    assert fresh(recorder).status == Device.Status.CHECKED_OUT
    assert (checkout.officer, checkout.clock_offset_seconds, checkout.is_open) == (
        officer,
        -2,
        True,
    )
    entry = entries_for(recorder).get(action="device.checkout")
    assert entry.actor_id == officer.user.pk
    assert entry.payload["officer_name"] == "张执法"


@pytest.mark.parametrize(
    ("checks", "named"),
    [
        ({"battery_ok": False}, "电池电量。"),
        ({"storage_ok": False}, "存储空间。"),
        ({"clock_ok": False}, "日期时间。"),
        ({"battery_ok": False, "clock_ok": False}, "电池电量、日期时间。"),
        (
            {"battery_ok": False, "storage_ok": False, "clock_ok": False},
            "电池电量、存储空间、日期时间。",
        ),
    ],
)
def test_checkout_is_refused_unless_all_three_checks_pass(officer, recorder, lend, checks, named):
    before = state(recorder)
    with pytest.raises(InvalidInput) as refused:
        lend(recorder, officer, **checks)
    assert refused.value.message.startswith(f"借出前检查未通过：{named}")
    assert refused.value.code == "checks_failed"
    assert state(recorder) == before


def test_the_database_refuses_a_checkout_with_a_failed_check(officer, recorder):
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceCheckout.objects.create(
            device=recorder,
            officer=officer,
            checked_out_at=timezone.now(),
            battery_ok=False,
            storage_ok=True,
            clock_ok=True,
        )


def test_a_device_out_on_loan_cannot_be_checked_out_again(officer, colleague, recorder, lend):
    lend(recorder, officer)
    before = state(recorder)
    with pytest.raises(Conflict, match="借给张执法，须先归还") as refused:
        lend(recorder, colleague)
    assert refused.value.code == "checked_out"
    assert state(recorder) == before


def test_the_database_allows_one_open_checkout_per_device(officer, colleague, recorder, lend):
    lend(recorder, officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceCheckout.objects.create(
            device=recorder,
            officer=colleague,
            checked_out_at=timezone.now(),
            battery_ok=True,
            storage_ok=True,
            clock_ok=True,
        )


def test_a_retired_or_faulty_device_cannot_be_checked_out(county, officer, recorder, lend):
    services.fault_report(actor=officer.user, device=recorder, description="无法开机")
    with pytest.raises(Conflict, match="未处理的故障"):
        lend(recorder, officer)
    services.device_retire(actor=county.market_admin, device=recorder, reason="主板损坏")
    before = state(recorder)
    with pytest.raises(Conflict, match="已报废，不能借出") as refused:
        lend(recorder, officer)
    assert refused.value.code == "retired"
    assert state(recorder) == before


def test_an_officer_of_another_agency_cannot_borrow(county, outsider, recorder, lend):
    before = state(recorder)
    # Lent by the market agency's admin: the borrower is not its officer.
    with pytest.raises(InvalidInput, match="赵应急不是示范县市场监督管理局的人员"):
        lend(recorder, outsider, actor=county.market_admin)
    # Asked by the outsider: not an officer of the agency owning the device.
    with pytest.raises(Forbidden, match="只有本机关在岗人员"):
        lend(recorder, outsider)
    assert state(recorder) == before


def test_only_a_manager_lends_to_a_colleague(officer, colleague, unit_head, recorder, lend):
    with pytest.raises(Forbidden, match="只能为本人借用设备"):
        lend(recorder, colleague, actor=officer.user)
    checkout = lend(recorder, colleague, actor=unit_head.user)
    assert checkout.officer == colleague
    assert entries_for(recorder).get(action="device.checkout").actor_id == unit_head.user.pk


def test_a_supervisor_cannot_borrow_or_lend(county, officer, recorder, lend):
    with pytest.raises(Forbidden):
        lend(recorder, officer, actor=county.supervisor)
    assert fresh(recorder).status == Device.Status.AVAILABLE


# --- Returning --------------------------------------------------------------------------


def test_the_borrower_returns_and_the_return_checks_are_recorded(officer, recorder, lend):
    lend(recorder, officer)
    checkout = services.device_return(
        actor=officer.user,
        device=recorder,
        battery_ok=False,
        storage_ok=True,
        clock_ok=True,
        clock_offset_seconds=3,
        note="电量耗尽",
    )
    assert fresh(recorder).status == Device.Status.AVAILABLE
    assert (checkout.return_battery_ok, checkout.return_clock_offset_seconds) == (False, 3)
    assert checkout.returned_at >= checkout.checked_out_at
    entry = entries_for(recorder).get(action="device.return")
    assert entry.payload["failed_checks"] == ["电池电量"]


def test_only_the_borrower_or_a_manager_returns(county, officer, colleague, recorder, lend):
    lend(recorder, officer)
    before = state(recorder)
    with pytest.raises(Forbidden, match="借用人本人"):
        services.device_return(
            actor=colleague.user, device=recorder, battery_ok=True, storage_ok=True, clock_ok=True
        )
    assert state(recorder) == before
    services.device_return(
        actor=county.market_admin, device=recorder, battery_ok=True, storage_ok=True, clock_ok=True
    )
    assert fresh(recorder).status == Device.Status.AVAILABLE


def test_a_device_in_stock_cannot_be_returned(officer, outsider, recorder):
    with pytest.raises(Conflict, match="未借出，无需归还"):
        services.device_return(
            actor=officer.user, device=recorder, battery_ok=True, storage_ok=True, clock_ok=True
        )
    with pytest.raises(Forbidden):
        services.device_return(
            actor=outsider.user, device=recorder, battery_ok=True, storage_ok=True, clock_ok=True
        )


# --- Faults ---------------------------------------------------------------------------


def test_a_fault_on_a_device_out_on_loan_brings_it_back(officer, colleague, recorder, lend):
    checkout = lend(recorder, officer)
    fault = services.fault_report(actor=colleague.user, device=recorder, description="屏幕碎裂")
    assert fresh(recorder).status == Device.Status.FAULTY
    checkout.refresh_from_db()
    assert checkout.returned_at == fault.reported_at
    assert checkout.return_battery_ok is None
    assert fault.reported_by == colleague
    entry = entries_for(recorder).get(action="device.fault_report")
    assert entry.payload["checkout_closed"] == checkout.pk


def test_fault_reports_are_refused_when_they_cannot_apply(county, officer, outsider, recorder):
    with pytest.raises(InvalidInput, match="请描述故障情况"):
        services.fault_report(actor=officer.user, device=recorder, description=" ")
    for actor in (outsider.user, county.supervisor, county.sysadmin):
        with pytest.raises(Forbidden):
            services.fault_report(actor=actor, device=recorder, description="无法开机")
    services.fault_report(actor=officer.user, device=recorder, description="无法开机")
    before = state(recorder)
    with pytest.raises(Conflict, match="已有未处理的故障报告"):
        services.fault_report(actor=officer.user, device=recorder, description="又坏了")
    assert state(recorder) == before


def test_a_manager_resolves_a_fault_and_the_device_is_back_in_stock(
    county, officer, recorder, lend
):
    fault = services.fault_report(actor=officer.user, device=recorder, description="无法开机")
    with pytest.raises(Forbidden):
        services.fault_resolve(actor=officer.user, fault=fault, resolution="已修好")
    with pytest.raises(InvalidInput, match="请填写处理结果"):
        services.fault_resolve(actor=county.market_admin, fault=fault, resolution="")
    fault = services.fault_resolve(
        actor=county.market_admin, fault=fault, resolution="已更换电池，检测正常"
    )
    assert fresh(recorder).status == Device.Status.AVAILABLE
    assert not fault.is_open
    with pytest.raises(Conflict, match="该故障已处理"):
        services.fault_resolve(actor=county.market_admin, fault=fault, resolution="再次处理")
    assert lend(recorder, officer).is_open


# --- Retiring ---------------------------------------------------------------------------


def test_retiring_a_faulty_device_closes_its_fault(county, officer, recorder):
    fault = services.fault_report(actor=officer.user, device=recorder, description="进水")
    with pytest.raises(Forbidden):
        services.device_retire(actor=officer.user, device=recorder, reason="进水")
    with pytest.raises(InvalidInput, match="请说明报废原因"):
        services.device_retire(actor=county.market_admin, device=recorder, reason="")
    services.device_retire(actor=county.market_admin, device=recorder, reason="进水无法修复")
    fault.refresh_from_db()
    assert fresh(recorder).status == Device.Status.RETIRED
    assert fault.resolution == "设备报废：进水无法修复"
    with pytest.raises(Conflict, match="已经报废"):
        services.device_retire(actor=county.market_admin, device=recorder, reason="再报废")
    with pytest.raises(Conflict, match="已报废，无需报告故障"):
        services.fault_report(actor=officer.user, device=recorder, description="无法开机")


def test_a_device_out_on_loan_must_come_back_before_retiring(county, officer, recorder, lend):
    lend(recorder, officer)
    before = state(recorder)
    with pytest.raises(Conflict, match="须先归还再报废"):
        services.device_retire(actor=county.market_admin, device=recorder, reason="老旧")
    assert state(recorder) == before


# --- Rooms ------------------------------------------------------------------------------


def test_rooms_are_registered_and_updated_by_managers(county, officer, unit_head):
    room = services.room_create(
        actor=unit_head.user,
        agency=county.market,
        kind=Room.Kind.INTERVIEW,
        name="第一询问室",
        location="一楼东侧",
        has_av_recording=True,
    )
    assert entries_for(room).get(action="room.create").payload["has_av_recording"] is True
    with pytest.raises(Conflict, match="已有名为“第一询问室”的场所"):
        services.room_create(
            actor=county.market_admin, agency=county.market, kind="hearing", name="第一询问室"
        )
    for actor in (officer.user, county.safety_admin, county.supervisor):
        with pytest.raises(Forbidden):
            services.room_create(actor=actor, agency=county.market, kind="hearing", name="听证室")
        with pytest.raises(Forbidden):
            services.room_update(actor=actor, room=room, is_active=False)
    room = services.room_update(actor=county.market_admin, room=room, is_active=False)
    assert not room.is_active
    assert entries_for(room).get(action="room.update").payload["changes"] == {
        "is_active": {"from": True, "to": False}
    }
    assert Room.objects.count() == 1
