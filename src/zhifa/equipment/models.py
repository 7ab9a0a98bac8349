"""Enforcement equipment (REC-15): audio-video recorders and handheld terminals,
who has each one, its faults, and the interview and hearing rooms of an agency.

[001 附件2 §35; 001 main (二)3]: about one recorder or terminal per three
officers, checked out only after battery, storage and clock checks.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from zhifa.accounts.models import Agency, Officer


class Device(models.Model):
    """One 执法记录仪, 移动执法终端 or other AV device of an agency (REC-15).

    ``status`` is changed only by the services: checking out and returning,
    reporting and resolving a fault, retiring.
    """

    class Kind(models.TextChoices):
        RECORDER = "recorder", "执法记录仪"
        TERMINAL = "terminal", "移动执法终端"
        OTHER = "other", "其他音像设备"

    class Status(models.TextChoices):
        AVAILABLE = "available", "在库"
        CHECKED_OUT = "checked_out", "已借出"
        FAULTY = "faulty", "故障"
        RETIRED = "retired", "报废"

    # The kinds that count towards the one-per-three-officers standard.
    RATIO_KINDS = (Kind.RECORDER, Kind.TERMINAL)
    IN_SERVICE = (Status.AVAILABLE, Status.CHECKED_OUT)

    agency = models.ForeignKey(
        Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="devices"
    )
    kind = models.CharField("设备类型", max_length=16, choices=Kind.choices)
    asset_number = models.CharField(
        "资产编号", max_length=64, help_text="本机关固定资产编号，机关内唯一"
    )
    model = models.CharField("型号", max_length=128)
    serial_number = models.CharField("序列号", max_length=128, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.AVAILABLE
    )
    note = models.CharField("备注", max_length=255, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法装备"
        verbose_name_plural = "执法装备"
        ordering = ["agency_id", "asset_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "asset_number"], name="device_unique_asset_number_in_agency"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["recorder", "terminal", "other"]), name="device_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["available", "checked_out", "faulty", "retired"]),
                name="device_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset_number}"


class DeviceCheckout(models.Model):
    """One loan of a device to an officer, with the checks made when it left and
    came back (REC-15). A device leaves only when all three checks pass."""

    device = models.ForeignKey(
        Device, verbose_name="设备", on_delete=models.PROTECT, related_name="checkouts"
    )
    officer = models.ForeignKey(
        Officer, verbose_name="借用人", on_delete=models.PROTECT, related_name="device_checkouts"
    )
    checked_out_at = models.DateTimeField("借出时间")
    battery_ok = models.BooleanField("电池电量正常")
    storage_ok = models.BooleanField("存储空间充足")
    clock_ok = models.BooleanField("时钟准确", help_text="设备时间与北京时间一致")
    clock_offset_seconds = models.IntegerField(
        "时钟偏差（秒）", null=True, blank=True, help_text="设备时间减北京时间；未测量的留空"
    )
    note = models.CharField("借出备注", max_length=255, blank=True)
    returned_at = models.DateTimeField("归还时间", null=True, blank=True)
    # Null while out, and when the device came back through a fault report unchecked.
    return_battery_ok = models.BooleanField("归还时电池电量正常", null=True, blank=True)
    return_storage_ok = models.BooleanField("归还时存储空间正常", null=True, blank=True)
    return_clock_ok = models.BooleanField("归还时时钟准确", null=True, blank=True)
    return_clock_offset_seconds = models.IntegerField("归还时时钟偏差（秒）", null=True, blank=True)
    return_note = models.CharField("归还备注", max_length=255, blank=True)

    class Meta:
        verbose_name = "设备借用记录"
        verbose_name_plural = "设备借用记录"
        ordering = ["-checked_out_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(battery_ok=True, storage_ok=True, clock_ok=True),
                name="devicecheckout_checks_passed",
            ),
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(returned_at__isnull=True),
                name="devicecheckout_one_open_per_device",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("checked_out_at")),
                name="devicecheckout_returned_after_checkout",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} → {self.officer}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class DeviceFault(models.Model):
    """A fault reported on a device (REC-15). While it is open the device is
    ``faulty`` and cannot be checked out; resolving it puts the device back."""

    device = models.ForeignKey(
        Device, verbose_name="设备", on_delete=models.PROTECT, related_name="faults"
    )
    reported_by = models.ForeignKey(
        Officer, verbose_name="报告人", on_delete=models.PROTECT, related_name="device_faults"
    )
    reported_at = models.DateTimeField("报告时间")
    description = models.TextField("故障描述")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolution = models.TextField("处理结果", blank=True)

    class Meta:
        verbose_name = "设备故障"
        verbose_name_plural = "设备故障"
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(resolved_at__isnull=True),
                name="devicefault_one_open_per_device",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("reported_at")),
                name="devicefault_resolved_after_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} 故障（{self.reported_at:%Y-%m-%d}）"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Room(models.Model):
    """An 询问室, 听证室 or other room an agency uses for enforcement (REC-15)."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", "询问室"
        HEARING = "hearing", "听证室"
        OTHER = "other", "其他"

    agency = models.ForeignKey(
        Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="rooms"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=64)
    location = models.CharField("位置", max_length=255, blank=True)
    has_av_recording = models.BooleanField(
        "配备音像记录设备", default=False, help_text="室内装有可全程录音录像的设备"
    )
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "询问室、听证室"
        verbose_name_plural = "询问室、听证室"
        ordering = ["agency_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="room_unique_name_in_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"
