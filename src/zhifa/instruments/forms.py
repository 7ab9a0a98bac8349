from __future__ import annotations

from django import forms

from zhifa.accounts.models import Agency, Officer
from zhifa.cases.models import Record
from zhifa.instruments.models import Instrument, Kind


class IssueForm(forms.Form):
    """Which record to render; the 文号 is never entered (REC-07)."""

    record = forms.ModelChoiceField(
        label="依据的记录", queryset=Record.objects.none(), required=False, empty_label=None
    )
    supersedes = forms.ModelChoiceField(
        label="更正的文书",
        queryset=Instrument.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, records, supersedable, record_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["record"]
        field.queryset = records
        field.label_from_instance = lambda r: (
            f"{r.kind_label}（{r.occurred_at:%Y-%m-%d %H:%M}{'，' + r.place if r.place else ''}）"
        )
        if not record_required:
            field.empty_label = "不依据具体送达记录（列出本案须送达的文书）"
        if not records.exists():
            del self.fields["record"]
        self.fields["supersedes"].queryset = supersedable


def _agency_field(form: forms.Form, agencies: list[Agency]) -> None:
    field = form.fields["agency"]
    field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("name")
    if len(agencies) == 1:
        field.initial = agencies[0]
        field.widget = forms.HiddenInput()


class TemplateUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label="执法主体", queryset=Agency.objects.none())
    kind = forms.ChoiceField(label="文书种类", choices=Kind.choices)
    name = forms.CharField(label="模板名称", max_length=128, required=False)
    file = forms.FileField(
        label="模板文件（.docx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text="在系统默认模板的基础上修改，保留 {{ }} 字段；上传时按该文书的字段逐一检查。",
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        _agency_field(self, agencies)


class PatternForm(forms.Form):
    pattern = forms.CharField(
        label="文号格式",
        max_length=64,
        help_text="可用 {abbr} 机关代字、{year} 年度、{n} 序号（{n:03d} 为三位补零），"
        "如 {abbr}罚〔{year}〕{n}号。",
    )
    abbr = forms.CharField(
        label="机关代字", max_length=32, required=False, help_text="留空则用机关简称"
    )


class BatchForm(forms.Form):
    agency = forms.ModelChoiceField(label="执法主体", queryset=Agency.objects.none())
    officer = forms.ModelChoiceField(label="领用人", queryset=Officer.objects.none())
    prefix = forms.CharField(label="编号前缀", max_length=32, required=False)
    first = forms.IntegerField(label="起始号", min_value=1)
    last = forms.IntegerField(label="终止号", min_value=1)
    width = forms.IntegerField(
        label="序号位数", min_value=1, max_value=12, required=False, help_text="留空按终止号位数"
    )
    note = forms.CharField(label="备注", max_length=255, required=False)

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        _agency_field(self, agencies)
        self.fields["officer"].queryset = Officer.objects.filter(
            agency__in=[a.pk for a in agencies], is_active=True
        ).order_by("agency_id", "name")
