"""Workbench forms of audio-video records. They check the shape of the input
only; what is valid is for the services to say."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case, Record
from zhifa.cases.records import KIND_LIST
from zhifa.catalogues.models import ActionKind
from zhifa.media import sniff
from zhifa.media.models import REQUIREMENT_STAGES, MediaItem, MediaRequirement, Mode

DEFAULT_PRODUCTION_METHOD = "执法记录仪现场录制，原始文件导出，未经剪辑"


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class RequirementForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="执法主体", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    action_kind = forms.ChoiceField(
        label="执法类别", choices=[("", "全部执法类别"), *ActionKind.choices], required=False
    )
    record_kind = forms.ChoiceField(
        label="执法记录类型",
        choices=[("", "（不对应具体记录，仅作提示）")] + [(k.code, k.label) for k in KIND_LIST],
        required=False,
        help_text="选择后，该类记录须附相应音像记录，案件才能进入下一环节",
    )
    stage = forms.ChoiceField(
        label="执法环节",
        choices=[("", "（按执法记录类型）"), *REQUIREMENT_STAGES],
        required=False,
    )
    place = forms.CharField(
        label="场所", max_length=_max(MediaRequirement, "place"), required=False
    )
    content = forms.CharField(label="记录内容", widget=forms.Textarea(attrs={"rows": 3}))
    mode = forms.ChoiceField(label="记录方式", choices=Mode.choices)

    def __init__(self, *args, agencies: list[Agency], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["agency"]
            return
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
            self.fields["agency"].widget = forms.HiddenInput()


class RequirementImportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="执法主体", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
            self.fields["agency"].widget = forms.HiddenInput()


class MediaUploadForm(forms.Form):
    file = forms.FileField(
        label="文件",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in sniff.EXTENSIONS)}
        ),
        help_text=f"接受 {sniff.accepted_extensions()}；请上传设备导出的原始文件",
    )
    record = forms.ModelChoiceField(
        label="对应的执法记录",
        queryset=Record.objects.none(),
        required=False,
        empty_label="（不对应具体记录）",
    )
    captured_at = forms.DateTimeField(
        label="拍摄（录制）时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    place = forms.CharField(label="拍摄（录制）地点", max_length=_max(MediaItem, "place"))
    author = forms.CharField(label="拍摄（录制）人", max_length=_max(MediaItem, "author"))
    device = forms.CharField(
        label="记录设备",
        max_length=_max(MediaItem, "device"),
        required=False,
        help_text="如执法记录仪的资产编号",
    )
    is_continuous = forms.BooleanField(label="全过程连续记录", required=False)
    interruption = forms.ChoiceField(label="记录中断", choices=MediaItem.Interruption.choices)
    interruption_reason = forms.CharField(
        label="中断情况说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="恢复记录时说明中断原因；未能恢复的，书面说明情况",
    )
    production_method = forms.CharField(
        label="制作方法",
        initial=DEFAULT_PRODUCTION_METHOD,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    proves = forms.CharField(label="证明对象", widget=forms.Textarea(attrs={"rows": 2}))
    transcript = forms.CharField(
        label="文字记录",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="录音须附文字记录（全文或摘要）",
    )

    def __init__(self, *args, case: Case, author: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        records = Record.objects.filter(case=case, superseded_by__isnull=True).order_by(
            "-occurred_at"
        )
        self.fields["record"].queryset = records
        self.fields["record"].label_from_instance = lambda r: (
            f"{r.kind_label}（{timezone.localtime(r.occurred_at):%Y-%m-%d %H:%M}）"
        )
        self.fields["author"].initial = author
