"""The demo county's equipment (REC-15), made through the services so that the
ledger holds every step. Called by ``zhifa demo`` for each demo agency."""

from __future__ import annotations

import math
from collections.abc import Sequence

from zhifa.accounts.models import Agency, Officer
from zhifa.equipment import services
from zhifa.equipment.models import Device, Room
from zhifa.equipment.selectors import officers_per_device


def equipment_demo(agency: Agency, officers: Sequence[Officer], actor) -> list[Device]:
    """Recorders enough for ``officers`` at the configured standard, one terminal
    and one camera; one recorder out on loan, one reported faulty; an interview
    room and a hearing room. ``actor`` manages the agency's equipment (its admin
    or a system administrator); ``officers`` needs at least two people."""
    recorders = max(2, math.ceil(len(officers) / officers_per_device()))
    specs = [
        (Device.Kind.RECORDER, f"JLY-{n:03d}", "DSJ-V9 执法记录仪") for n in range(1, recorders + 1)
    ]
    specs += [
        (Device.Kind.TERMINAL, "ZD-001", "ZF-T5 移动执法终端"),
        (Device.Kind.OTHER, "XJ-001", "EOS 90D 照相机"),
    ]
    devices = [
        services.device_create(
            actor=actor,
            agency=agency,
            kind=kind,
            asset_number=number,
            model=model,
            serial_number=f"SN{agency.pk:03d}{i:04d}",
        )
        for i, (kind, number, model) in enumerate(specs, start=1)
    ]
    services.device_checkout(
        actor=officers[0].user,
        device=devices[0],
        officer=officers[0],
        battery_ok=True,
        storage_ok=True,
        clock_ok=True,
        clock_offset_seconds=1,
        note="日常巡查",
    )
    services.fault_report(
        actor=officers[1].user, device=devices[1], description="无法开机，充电指示灯不亮。"
    )
    services.room_create(
        actor=actor,
        agency=agency,
        kind=Room.Kind.INTERVIEW,
        name="第一询问室",
        location="办公楼一楼东侧",
        has_av_recording=True,
    )
    services.room_create(
        actor=actor,
        agency=agency,
        kind=Room.Kind.HEARING,
        name="听证室",
        location="办公楼三楼",
        has_av_recording=True,
    )
    return devices
