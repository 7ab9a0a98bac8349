"""Workbench forms for equipment and rooms. They check the shape of the input
only; whether the action is allowed is for the services to say."""

from __future__ import annotations

from django import forms

from zhifa.accounts.models import Agency, Officer
from zhifa.equipment.models import Device, DeviceCheckout, Room


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _agency_field(form: forms.Form, agencies: list[Agency]) -> None:
    """An agency choice; hidden when the user manages one agency only."""
    field = form.fields["agency"]
    field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
    if len(agencies) == 1:
        field.initial = agencies[0]
        field.widget = forms.HiddenInput()


class DeviceForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="所属机关", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    asset_number = forms.CharField(label="资产编号", max_length=_max(Device, "asset_number"))
    kind = forms.ChoiceField(label="设备类型", choices=Device.Kind.choices)
    model = forms.CharField(label="型号", max_length=_max(Device, "model"))
    serial_number = forms.CharField(
        label="序列号", max_length=_max(Device, "serial_number"), required=False
    )
    note = forms.CharField(label="备注", max_length=_max(Device, "note"), required=False)

    def __init__(self, *args, agencies: list[Agency] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            # Editing: the agency and asset number identify the device and stay.
            del self.fields["agency"], self.fields["asset_number"]
        else:
            _agency_field(self, agencies)


class DeviceImportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="执法主体", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        _agency_field(self, agencies)


class ChecksForm(forms.Form):
    """The three checks of 001 附件2 §35, made when a device leaves and comes back."""

    battery_ok = forms.BooleanField(label="电池电量充足", required=False)
    storage_ok = forms.BooleanField(label="存储空间充足", required=False)
    clock_ok = forms.BooleanField(label="日期时间准确（与北京时间一致）", required=False)
    clock_offset_seconds = forms.IntegerField(
        label="时钟偏差（秒）", required=False, help_text="设备时间减北京时间；未测量的留空"
    )
    note = forms.CharField(label="备注", max_length=_max(DeviceCheckout, "note"), required=False)


class CheckoutForm(ChecksForm):
    officer = forms.ModelChoiceField(label="借用人", queryset=Officer.objects.none())
    field_order = ["officer"]

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is None:
            # An officer borrows for themselves: nobody to choose.
            del self.fields["officer"]
        else:
            self.fields["officer"].queryset = officers


class FaultForm(forms.Form):
    description = forms.CharField(
        label="故障描述",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="如：无法开机、录像无声音、存储卡损坏",
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="处理结果",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="如：已更换电池，检测正常",
    )


class RetireForm(forms.Form):
    reason = forms.CharField(label="报废原因", widget=forms.Textarea(attrs={"rows": 3}))


class RoomForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="所属机关", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    kind = forms.ChoiceField(label="类型", choices=Room.Kind.choices)
    name = forms.CharField(label="名称", max_length=_max(Room, "name"))
    location = forms.CharField(label="位置", max_length=_max(Room, "location"), required=False)
    has_av_recording = forms.BooleanField(label="配备全程录音录像设备", required=False)
    is_active = forms.BooleanField(label="在用", required=False)

    def __init__(self, *args, agencies: list[Agency] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            # A new room is in use; taking it out of use is an edit.
            del self.fields["is_active"]
            _agency_field(self, agencies)
