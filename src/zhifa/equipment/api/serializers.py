"""How equipment and rooms (REC-15) look on the REST door.

The request serializers check only the shape of the input; whether an action is
allowed, and with which values, is for ``zhifa.equipment.services`` to say.
"""

from __future__ import annotations

from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.accounts.selectors import agency_list, officer_list
from zhifa.equipment.models import Device, DeviceCheckout, DeviceFault, Room


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class CheckoutSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)

    class Meta:
        model = DeviceCheckout
        fields = [
            "id",
            "device",
            "officer",
            "officer_name",
            "checked_out_at",
            "battery_ok",
            "storage_ok",
            "clock_ok",
            "clock_offset_seconds",
            "note",
            "returned_at",
            "return_battery_ok",
            "return_storage_ok",
            "return_clock_ok",
            "return_clock_offset_seconds",
            "return_note",
        ]
        read_only_fields = fields


class FaultSerializer(serializers.ModelSerializer):
    reported_by_name = serializers.CharField(source="reported_by.name", read_only=True)

    class Meta:
        model = DeviceFault
        fields = [
            "id",
            "device",
            "reported_by",
            "reported_by_name",
            "reported_at",
            "description",
            "resolved_at",
            "resolution",
        ]
        read_only_fields = fields


class DeviceSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    holder_name = serializers.CharField(
        read_only=True, allow_null=True, help_text="当前借用人；未借出时为 null"
    )

    class Meta:
        model = Device
        fields = [
            "id",
            "agency",
            "agency_name",
            "kind",
            "kind_display",
            "asset_number",
            "model",
            "serial_number",
            "status",
            "status_display",
            "holder_name",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class DeviceDetailSerializer(DeviceSerializer):
    checkouts = CheckoutSerializer(many=True, read_only=True)
    faults = FaultSerializer(many=True, read_only=True)

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "checkouts", "faults"]
        read_only_fields = fields


class DeviceCreateSerializer(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(
        selector=agency_list,
        required=False,
        help_text="执法主体 ID；不填时为本人所属机关（系统管理员必须填写）",
    )
    kind = serializers.ChoiceField(Device.Kind.choices)
    # Blank values pass through so that the service, which owns the rule, refuses them.
    asset_number = serializers.CharField(max_length=_max(Device, "asset_number"), allow_blank=True)
    model = serializers.CharField(max_length=_max(Device, "model"), allow_blank=True)
    serial_number = serializers.CharField(
        max_length=_max(Device, "serial_number"), allow_blank=True, required=False, default=""
    )
    note = serializers.CharField(
        max_length=_max(Device, "note"), allow_blank=True, required=False, default=""
    )


class ChecksSerializer(serializers.Serializer):
    """The checks of 001 附件2 §35 on a device leaving or coming back."""

    battery_ok = serializers.BooleanField(help_text="电池电量充足")
    storage_ok = serializers.BooleanField(help_text="存储空间充足")
    clock_ok = serializers.BooleanField(help_text="日期时间准确")
    clock_offset_seconds = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="设备时间减北京时间（秒）"
    )
    note = serializers.CharField(
        max_length=_max(DeviceCheckout, "note"), allow_blank=True, required=False, default=""
    )


class CheckoutRequestSerializer(ChecksSerializer):
    officer = ScopedPrimaryKeyRelatedField(
        selector=officer_list,
        required=False,
        help_text="借用人（人员 ID）；不填时为本人。为他人办理须为本机关设备管理人员",
    )


class FaultRequestSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True, help_text="故障描述")


class ResolveRequestSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, help_text="处理结果")


class RetireRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="报废原因")


class RoomSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Room
        fields = [
            "id",
            "agency",
            "agency_name",
            "kind",
            "kind_display",
            "name",
            "location",
            "has_av_recording",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class RoomUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(Room.Kind.choices)
    name = serializers.CharField(max_length=_max(Room, "name"), allow_blank=True)
    location = serializers.CharField(max_length=_max(Room, "location"), allow_blank=True)
    has_av_recording = serializers.BooleanField()
    is_active = serializers.BooleanField()


class RoomCreateSerializer(RoomUpdateSerializer):
    agency = ScopedPrimaryKeyRelatedField(
        selector=agency_list,
        required=False,
        help_text="执法主体 ID；不填时为本人所属机关（系统管理员必须填写）",
    )
    location = serializers.CharField(
        max_length=_max(Room, "location"), allow_blank=True, required=False, default=""
    )
    has_av_recording = serializers.BooleanField(required=False, default=False)
    # A new room is in use; taking it out of use is an update.
    is_active = None


class EquipmentRatioSerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency.pk", help_text="执法主体 ID")
    agency_name = serializers.CharField(source="agency.name")
    officers = serializers.IntegerField(help_text="在岗执法人员数")
    devices = serializers.IntegerField(help_text="在用执法记录仪和移动执法终端数（不含故障、报废）")
    standard = serializers.IntegerField(help_text="标准：每台设备对应的执法人员数上限")
    officers_per_device = serializers.FloatField(
        allow_null=True, help_text="每台设备对应的执法人员数；没有设备时为 null"
    )
    required = serializers.IntegerField(help_text="按标准应配设备数")
    shortfall = serializers.IntegerField(help_text="距标准的缺口（台）")
    meets = serializers.BooleanField(help_text="是否达到配备标准")
