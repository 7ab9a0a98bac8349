"""Writes to equipment and rooms (REC-15). Each function runs in one
transaction, checks who is acting and appends its ledger entry.

Who may act [001 附件2 §35 “明确专人负责……设备设施的保存、使用和管理”]: the
agency's admin, unit heads and leaders manage devices and rooms; any officer of
the agency checks devices out and back for themselves and reports faults.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Agency, Officer, Role
from zhifa.accounts.selectors import is_sysadmin, officer_of, roles_of
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.core.excel import read_rows, upsert_rows
from zhifa.equipment.models import Device, DeviceCheckout, DeviceFault, Room

MANAGER_ROLES = frozenset({Role.AGENCY_ADMIN, Role.UNIT_HEAD, Role.LEADER})

# --- Who may act ------------------------------------------------------------------------


def require_equipment_manager(actor, agency: Agency) -> None:
    if is_sysadmin(actor):
        return
    officer = officer_of(actor)
    if officer and officer.agency_id == agency.pk and roles_of(actor) & MANAGER_ROLES:
        return
    raise Forbidden(
        "只有本机关的机关管理员、内设机构负责人或机关负责人可以管理执法装备和询问室、听证室。"
    )


def _is_manager(actor, agency: Agency) -> bool:
    try:
        require_equipment_manager(actor, agency)
    except Forbidden:
        return False
    return True


def require_agency_staff(actor, agency: Agency) -> None:
    officer = officer_of(actor)
    if officer and officer.agency_id == agency.pk and officer.is_active:
        return
    raise Forbidden("只有本机关在岗人员可以借用、归还设备或报告设备故障。")


def require_may_borrow(actor, agency: Agency, officer: Officer | None = None) -> None:
    """Officers borrow for themselves; managers may also lend to a colleague."""
    if _is_manager(actor, agency):
        return
    require_agency_staff(actor, agency)
    if officer is not None and officer.pk != officer_of(actor).pk:
        raise Forbidden(
            "只能为本人借用设备；为其他人员办理借用须由机关管理员、内设机构负责人或机关负责人操作。"
        )


def require_may_return(actor, checkout: DeviceCheckout) -> None:
    if _is_manager(actor, checkout.device.agency):
        return
    officer = officer_of(actor)
    if officer is None or officer.pk != checkout.officer_id:
        raise Forbidden("只有借用人本人或本机关的设备管理人员可以办理归还。")


# --- Checking input ---------------------------------------------------------------------


def _text(value, label: str, model, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{label}不能为空。")
    limit = model._meta.get_field(field).max_length
    if limit and len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 个字符（现有 {len(text)} 个）。")
    return text


def _device_fields(fields: dict) -> dict:
    checked = {}
    if "kind" in fields:
        if fields["kind"] not in Device.Kind.values:
            raise InvalidInput(f"设备类型“{fields['kind']}”无效。")
        checked["kind"] = fields["kind"]
    if "model" in fields:
        checked["model"] = _text(fields["model"], "型号", Device, "model", required=True)
    if "serial_number" in fields:
        checked["serial_number"] = _text(fields["serial_number"], "序列号", Device, "serial_number")
    if "note" in fields:
        checked["note"] = _text(fields["note"], "备注", Device, "note")
    return checked


def _locked(device: Device) -> Device:
    # Re-read under a row lock: two people checking out the same recorder at
    # once must not both see it in stock.
    return Device.objects.select_for_update().select_related("agency").get(pk=device.pk)


def _failed_checks(battery_ok: bool, storage_ok: bool, clock_ok: bool) -> list[str]:
    checks = ((battery_ok, "电池电量"), (storage_ok, "存储空间"), (clock_ok, "日期时间"))
    return [label for ok, label in checks if not ok]


# --- Devices ----------------------------------------------------------------------------


@transaction.atomic
def device_create(
    *,
    actor,
    agency: Agency,
    kind: str,
    asset_number: str,
    model: str,
    serial_number: str = "",
    note: str = "",
) -> Device:
    require_equipment_manager(actor, agency)
    asset_number = _text(asset_number, "资产编号", Device, "asset_number", required=True)
    fields = _device_fields(
        {"kind": kind, "model": model, "serial_number": serial_number, "note": note}
    )
    if Device.objects.filter(agency=agency, asset_number=asset_number).exists():
        raise Conflict(f"{agency.name}已有资产编号为 {asset_number} 的设备。")
    device = Device.objects.create(agency=agency, asset_number=asset_number, **fields)
    ledger.append(
        actor=actor,
        action="device.create",
        obj=device,
        payload={"asset_number": asset_number, **fields},
    )
    return device


@transaction.atomic
def device_update(*, actor, device: Device, **fields) -> Device:
    """Change what describes a device; its status changes only by its own services."""
    require_equipment_manager(actor, device.agency)
    unknown = set(fields) - {"kind", "model", "serial_number", "note"}
    if unknown:
        raise InvalidInput(f"未知的设备字段：{'、'.join(sorted(unknown))}")
    fields = _device_fields(fields)
    device = _locked(device)
    changes = {
        key: {"from": getattr(device, key), "to": value}
        for key, value in fields.items()
        if getattr(device, key) != value
    }
    for key, value in fields.items():
        setattr(device, key, value)
    device.save()
    ledger.append(actor=actor, action="device.update", obj=device, payload={"changes": changes})
    return device


@transaction.atomic
def device_retire(*, actor, device: Device, reason: str) -> Device:
    """Take a device out of service for good (报废). An open fault is closed
    with the reason; a device out on loan must come back first."""
    require_equipment_manager(actor, device.agency)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请说明报废原因。")
    device = _locked(device)
    if device.status == Device.Status.RETIRED:
        raise Conflict(f"设备 {device.asset_number} 已经报废。")
    if device.status == Device.Status.CHECKED_OUT:
        raise Conflict(f"设备 {device.asset_number} 尚未归还，须先归还再报废。")
    now = timezone.now()
    closed = DeviceFault.objects.filter(device=device, resolved_at__isnull=True).update(
        resolved_at=now, resolution=f"设备报废：{reason}"
    )
    device.status = Device.Status.RETIRED
    device.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="device.retire",
        obj=device,
        payload={"reason": reason, "faults_closed": closed},
    )
    return device


# --- Checking out and returning (001 附件2 §35) ------------------------------------------


def _refuse_unavailable(device: Device) -> None:
    name = f"设备 {device.asset_number}"
    if device.status == Device.Status.CHECKED_OUT:
        holder = device.checkouts.get(returned_at__isnull=True)
        since = timezone.localtime(holder.checked_out_at).strftime("%Y-%m-%d %H:%M")
        raise Conflict(
            f"{name}已于 {since} 借给{holder.officer.name}，须先归还才能再借出。",
            code="checked_out",
        )
    if device.status == Device.Status.FAULTY:
        raise Conflict(f"{name}有未处理的故障，修复后才能借出。", code="faulty")
    if device.status == Device.Status.RETIRED:
        raise Conflict(f"{name}已报废，不能借出。", code="retired")


@transaction.atomic
def device_checkout(
    *,
    actor,
    device: Device,
    officer: Officer,
    battery_ok: bool,
    storage_ok: bool,
    clock_ok: bool,
    clock_offset_seconds: int | None = None,
    note: str = "",
) -> DeviceCheckout:
    """Lend ``device`` to ``officer`` after the checks of 001 附件2 §35 (电量、
    存储空间、日期时间设定) have all passed."""
    require_may_borrow(actor, device.agency, officer)
    if officer.agency_id != device.agency_id:
        raise InvalidInput(
            f"{officer.name}不是{device.agency.name}的人员，不能借用该机关的设备。",
            code="other_agency",
        )
    if not officer.is_active:
        raise InvalidInput(f"{officer.name}已不在岗，不能借用设备。", code="officer_inactive")
    note = _text(note, "借出备注", DeviceCheckout, "note")
    device = _locked(device)
    _refuse_unavailable(device)
    failed = _failed_checks(battery_ok, storage_ok, clock_ok)
    if failed:
        raise InvalidInput(
            f"借出前检查未通过：{'、'.join(failed)}。请充电、清理存储或校准时间后重新检查；"
            "设备损坏的请报告故障。",
            code="checks_failed",
        )
    checkout = DeviceCheckout.objects.create(
        device=device,
        officer=officer,
        checked_out_at=timezone.now(),
        battery_ok=True,
        storage_ok=True,
        clock_ok=True,
        clock_offset_seconds=clock_offset_seconds,
        note=note,
    )
    device.status = Device.Status.CHECKED_OUT
    device.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="device.checkout",
        obj=device,
        payload={
            "checkout": checkout.pk,
            "officer": officer.pk,
            "officer_name": officer.name,
            "clock_offset_seconds": clock_offset_seconds,
            "note": note,
        },
    )
    return checkout


@transaction.atomic
def device_return(
    *,
    actor,
    device: Device,
    battery_ok: bool,
    storage_ok: bool,
    clock_ok: bool,
    clock_offset_seconds: int | None = None,
    note: str = "",
) -> DeviceCheckout:
    """Take ``device`` back, recording its state. A check that fails on return
    is recorded, not refused: the device is back either way, and a fault is
    reported separately."""
    require_may_borrow(actor, device.agency)
    device = _locked(device)
    checkout = device.checkouts.select_related("officer").filter(returned_at__isnull=True).first()
    if checkout is None:
        raise Conflict(f"设备 {device.asset_number} 未借出，无需归还。", code="not_checked_out")
    require_may_return(actor, checkout)
    checkout.return_note = _text(note, "归还备注", DeviceCheckout, "return_note")
    checkout.returned_at = timezone.now()
    checkout.return_battery_ok = battery_ok
    checkout.return_storage_ok = storage_ok
    checkout.return_clock_ok = clock_ok
    checkout.return_clock_offset_seconds = clock_offset_seconds
    checkout.save()
    device.status = Device.Status.AVAILABLE
    device.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="device.return",
        obj=device,
        payload={
            "checkout": checkout.pk,
            "officer": checkout.officer_id,
            "failed_checks": _failed_checks(battery_ok, storage_ok, clock_ok),
            "clock_offset_seconds": clock_offset_seconds,
            "note": checkout.return_note,
        },
    )
    return checkout


# --- Faults -----------------------------------------------------------------------------


@transaction.atomic
def fault_report(*, actor, device: Device, description: str) -> DeviceFault:
    """Report a fault [001 附件2 §35 “发现设备故障、损坏的，应当及时报告管理员”]:
    the device becomes faulty, and comes back first if it is out on loan."""
    require_agency_staff(actor, device.agency)
    description = (description or "").strip()
    if not description:
        raise InvalidInput("请描述故障情况。")
    device = _locked(device)
    if device.status == Device.Status.RETIRED:
        raise Conflict(f"设备 {device.asset_number} 已报废，无需报告故障。", code="retired")
    if device.status == Device.Status.FAULTY:
        raise Conflict(
            f"设备 {device.asset_number} 已有未处理的故障报告，请等待管理人员处理。",
            code="faulty",
        )
    now = timezone.now()
    returned = None
    if device.status == Device.Status.CHECKED_OUT:
        checkout = device.checkouts.get(returned_at__isnull=True)
        checkout.returned_at = now
        checkout.return_note = "报告故障时收回"
        checkout.save(update_fields=["returned_at", "return_note"])
        returned = checkout.pk
    fault = DeviceFault.objects.create(
        device=device, reported_by=officer_of(actor), reported_at=now, description=description
    )
    device.status = Device.Status.FAULTY
    device.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="device.fault_report",
        obj=device,
        payload={"fault": fault.pk, "description": description, "checkout_closed": returned},
    )
    return fault


@transaction.atomic
def fault_resolve(*, actor, fault: DeviceFault, resolution: str) -> DeviceFault:
    """Close a fault once the device is repaired: it goes back in stock."""
    require_equipment_manager(actor, fault.device.agency)
    resolution = (resolution or "").strip()
    if not resolution:
        raise InvalidInput("请填写处理结果（如：已更换电池，检测正常）。")
    device = _locked(fault.device)
    fault = DeviceFault.objects.select_for_update().get(pk=fault.pk)
    if fault.resolved_at is not None:
        raise Conflict("该故障已处理。", code="resolved")
    fault.resolved_at = timezone.now()
    fault.resolution = resolution
    fault.save(update_fields=["resolved_at", "resolution"])
    device.status = Device.Status.AVAILABLE
    device.save(update_fields=["status"])
    ledger.append(
        actor=actor,
        action="device.fault_resolve",
        obj=device,
        payload={"fault": fault.pk, "resolution": resolution},
    )
    return fault


# --- Rooms ------------------------------------------------------------------------------

ROOM_FIELDS = ("kind", "name", "location", "has_av_recording", "is_active")


def _room_fields(fields: dict) -> dict:
    checked = dict(fields)
    if "kind" in fields and fields["kind"] not in Room.Kind.values:
        raise InvalidInput(f"场所类型“{fields['kind']}”无效。")
    if "name" in fields:
        checked["name"] = _text(fields["name"], "名称", Room, "name", required=True)
    if "location" in fields:
        checked["location"] = _text(fields["location"], "位置", Room, "location")
    return checked


@transaction.atomic
def room_create(
    *,
    actor,
    agency: Agency,
    kind: str,
    name: str,
    location: str = "",
    has_av_recording: bool = False,
) -> Room:
    require_equipment_manager(actor, agency)
    fields = _room_fields(
        {"kind": kind, "name": name, "location": location, "has_av_recording": has_av_recording}
    )
    if Room.objects.filter(agency=agency, name=fields["name"]).exists():
        raise Conflict(f"{agency.name}已有名为“{fields['name']}”的场所。")
    room = Room.objects.create(agency=agency, **fields)
    ledger.append(actor=actor, action="room.create", obj=room, payload=fields)
    return room


@transaction.atomic
def room_update(*, actor, room: Room, **fields) -> Room:
    require_equipment_manager(actor, room.agency)
    unknown = set(fields) - set(ROOM_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的场所字段：{'、'.join(sorted(unknown))}")
    fields = _room_fields(fields)
    room = Room.objects.select_for_update().get(pk=room.pk)
    name = fields.get("name")
    if name and Room.objects.filter(agency=room.agency_id, name=name).exclude(pk=room.pk).exists():
        raise Conflict(f"{room.agency.name}已有名为“{name}”的场所。")
    changes = {
        key: {"from": getattr(room, key), "to": value}
        for key, value in fields.items()
        if getattr(room, key) != value
    }
    for key, value in fields.items():
        setattr(room, key, value)
    room.save()
    ledger.append(actor=actor, action="room.update", obj=room, payload={"changes": changes})
    return room


# --- The device list as an Excel sheet ---------------------------------------------------

# Export, blank template and import share this layout, so an exported list can
# be edited and uploaded again. 状态 is shown but not read: status changes only
# by checking out, returning, faults and retirement.
DEVICE_SHEET_TITLE = "执法装备清单"
DEVICE_SHEET_HEADERS = (
    "序号",
    "资产编号",
    "设备类型",
    "型号",
    "序列号",
    "执法主体",
    "状态",
    "备注",
)
_READ_HEADERS = ("资产编号", "设备类型", "型号", "序列号", "执法主体", "备注")
_KIND_LABELS = {
    **{kind.label: kind.value for kind in Device.Kind},
    "记录仪": Device.Kind.RECORDER.value,
    "手持执法终端": Device.Kind.TERMINAL.value,
    "执法终端": Device.Kind.TERMINAL.value,
    "其他": Device.Kind.OTHER.value,
}


def device_rows(devices: Iterable[Device]) -> Iterator[list]:
    """The sheet rows of ``devices``, already limited by ``selectors.device_list``."""
    for number, device in enumerate(devices, start=1):
        yield [
            number,
            device.asset_number,
            device.get_kind_display(),
            device.model,
            device.serial_number,
            device.agency.name,
            device.get_status_display(),
            device.note,
        ]


@dataclass(frozen=True)
class DeviceImportResult:
    created: int
    updated: int
    unchanged: int


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # An asset number typed as digits comes back from Excel as a float.
        return str(int(value))
    return str(value).strip()


def _read_device_row(agency: Agency, row: dict) -> tuple[str, dict, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    values = {header: _cell(row[header]) for header in _READ_HEADERS}
    for header, field, required in (
        ("资产编号", "asset_number", True),
        ("型号", "model", True),
        ("序列号", "serial_number", False),
        ("备注", "note", False),
    ):
        try:
            _text(values[header], header, Device, field, required=required)
        except InvalidInput as exc:
            problems.append((header, exc.message))
    kind = _KIND_LABELS.get(values["设备类型"])
    if kind is None:
        allowed = "、".join(Device.Kind.labels)
        given = values["设备类型"]
        problems.append(
            (
                "设备类型",
                f"设备类型“{given}”无效，应为：{allowed}。"
                if given
                else f"设备类型不能为空，应为：{allowed}。",
            )
        )
    if values["执法主体"] and values["执法主体"] != agency.name:
        problems.append(
            (
                "执法主体",
                f"执法主体“{values['执法主体']}”不是{agency.name}：只能导入本机关的设备。",
            )
        )
    fields = {
        "kind": kind,
        "model": values["型号"],
        "serial_number": values["序列号"],
        "note": values["备注"],
    }
    return values["资产编号"], fields, problems


def device_import(*, actor, agency: Agency, data: bytes, filename: str) -> DeviceImportResult:
    """Import ``agency``'s device list from an .xlsx sheet in the layout of
    ``DEVICE_SHEET_HEADERS``: new asset numbers are registered in stock, known
    ones have their description updated, devices missing from the file stay.

    Every row is checked first; if any is wrong nothing is imported, and each
    problem comes back with its row number and column.
    """
    require_equipment_manager(actor, agency)
    rows = read_rows(data, headers=_READ_HEADERS)
    if not rows:
        raise InvalidInput("表格中没有设备：请在表头下方逐行填写后再上传。")
    first_row: dict[str, int] = {}
    parsed: list[tuple[str, dict]] = []
    details: list[dict] = []
    for number, row in rows:
        asset_number, fields, problems = _read_device_row(agency, row)
        if asset_number in first_row:
            problems.insert(
                0, ("资产编号", f"资产编号 {asset_number} 与第 {first_row[asset_number]} 行重复。")
            )
        elif asset_number:
            first_row[asset_number] = number
        details += [{"row": number, "column": col, "message": msg} for col, msg in problems]
        parsed.append((asset_number, fields))
    if details:
        bad_rows = len({d["row"] for d in details})
        raise InvalidInput(
            f"共有 {bad_rows} 行不符合要求，未导入任何数据。请按提示修改后重新上传整个文件。",
            code="import_rows_invalid",
            details=details,
        )

    with transaction.atomic():
        existing = {
            device.asset_number: device
            for device in Device.objects.select_related("agency").filter(
                agency=agency, asset_number__in=first_row
            )
        }
        created, updated, unchanged = upsert_rows(
            parsed,
            existing,
            create=lambda asset_number, fields: device_create(
                actor=actor, agency=agency, asset_number=asset_number, **fields
            ),
            update=lambda device, changed: device_update(actor=actor, device=device, **changed),
        )
        ledger.append(
            actor=actor,
            action="device.import",
            obj=agency,
            payload={
                "filename": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": len(parsed),
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
            },
        )
    return DeviceImportResult(created=created, updated=updated, unchanged=unchanged)
