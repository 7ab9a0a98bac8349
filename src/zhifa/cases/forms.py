"""Workbench forms for cases: the shape of the input only.

Whether a case may be opened, a record added or a stage entered is for
``zhifa.cases.services`` to say; these forms turn what was typed, drawn or
uploaded into the values the services take. The record form is generated from
the kind's fields in ``zhifa.cases.records.KINDS``, so a new kind needs no new
form.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from zhifa.accounts.models import Credential, Officer, Role
from zhifa.accounts.selectors import officer_list
from zhifa.cases.models import (
    Case,
    CaseOfficer,
    Party,
    Procedure,
    Signature,
    Source,
    Stage,
    Suspension,
)
from zhifa.cases.records import Kind
from zhifa.catalogues.models import Matter

# An on-screen signature is a small PNG; a scanned page may be a photo or a PDF.
MAX_DRAWING_BYTES = 2 * 1024 * 1024
MAX_SCAN_BYTES = 20 * 1024 * 1024
IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
SCAN_MAGIC = (*IMAGE_MAGIC, (b"%PDF-", "application/pdf", "pdf"))

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def sniff(data: bytes, known) -> tuple[str, str] | None:
    """The content type and file extension of ``data`` by its first bytes."""
    for magic, content_type, ext in known:
        if data.startswith(magic):
            return content_type, ext
    return None


def image_from_base64(text: str, *, label: str = "签名图像") -> tuple[bytes, str, str]:
    """Decode a base64 PNG or JPEG, with or without a ``data:`` URL prefix.

    Returns the bytes, content type and extension; raises ``ValidationError``
    with a Chinese message for anything else.
    """
    text = (text or "").strip()
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise forms.ValidationError(f"{label}不是有效的 base64 编码。") from None
    if not data:
        raise forms.ValidationError(f"{label}为空。")
    if len(data) > MAX_DRAWING_BYTES:
        raise forms.ValidationError(f"{label}不能超过 {MAX_DRAWING_BYTES // 1024 // 1024} MB。")
    kind = sniff(data, IMAGE_MAGIC)
    if kind is None:
        raise forms.ValidationError(f"{label}须是 PNG 或 JPEG 图片。")
    return data, *kind


# --- Who may be chosen ---------------------------------------------------------------


def enforcement_officers(*, actor, agency) -> QuerySet[Officer]:
    """Officers of ``agency`` who may be assigned today: in post, holding the officer
    role and a valid 行政执法证. The service checks again when they are assigned."""
    today = timezone.localdate()
    valid = Credential.objects.filter(
        officer=OuterRef("pk"),
        kind=Credential.Kind.ENFORCEMENT,
        status=Credential.Status.VALID,
        issued_on__lte=today,
        valid_until__gte=today,
    )
    return (
        officer_list(actor=actor)
        .filter(agency=agency, is_active=True, role_grants__role=Role.OFFICER)
        .exclude(role_grants__role=Role.REVIEWER)
        .filter(Exists(valid))
        .distinct()
        .order_by("name")
    )


def _officer_label(officer: Officer) -> str:
    today = timezone.localdate()
    numbers = [c.number for c in officer.credentials.all() if c.is_valid_on(today)]
    unit = f" · {officer.unit.name}" if officer.unit_id else ""
    return f"{officer.name}（{'、'.join(numbers)}）{unit}"


# --- Opening a case -------------------------------------------------------------------

PARTY_FIELDS = ("kind", "name", "id_number", "credit_code", "representative", "address", "phone")


def _party_fields(required: bool) -> dict[str, forms.Field]:
    fields = forms.fields_for_model(Party, fields=PARTY_FIELDS)
    fields["kind"].required = required
    fields["name"].required = required
    fields["id_number"].help_text = "自然人、个体工商户填写"
    fields["credit_code"].help_text = "法人、其他组织填写"
    return fields


class PartyForm(forms.Form):
    """A party of a case; the service checks the ID number and credit code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_party_fields(required=True))


class CaseOpenForm(forms.Form):
    matter = forms.ModelChoiceField(
        label="执法事项", queryset=Matter.objects.none(), empty_label="请选择执法事项"
    )
    title = forms.CharField(label="案件名称", max_length=255)
    procedure = forms.ChoiceField(label="程序", choices=Procedure.choices)
    source = forms.ChoiceField(label="案件来源", choices=Source.choices)
    source_detail = forms.CharField(
        label="来源说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如申请登记号、投诉举报编号、移送函文号、检查任务",
    )
    started_on = forms.DateField(label="启动日期", widget=date_input())
    is_emergency = forms.BooleanField(
        label="紧急情况先行启动",
        required=False,
        help_text="先行启动的，须在 24 小时内补办批准手续（紧急情况补办批准）",
    )
    lead = forms.ModelChoiceField(
        label="主办人员", queryset=Officer.objects.none(), empty_label="请选择主办人员"
    )
    officers = forms.ModelMultipleChoiceField(
        label="协办人员",
        queryset=Officer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="普通程序和快速办理须至少 2 名持有效执法证件的承办人员",
    )

    def __init__(self, *args, matters, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = matters
        self.fields["matter"].label_from_instance = lambda m: f"{m.code} {m.name}"
        for name in ("lead", "officers"):
            self.fields[name].queryset = officers
            self.fields[name].label_from_instance = _officer_label
        for name, field in _party_fields(required=False).items():
            field.label = f"当事人{field.label}" if name != "kind" else "当事人类型"
            self.fields[f"party_{name}"] = field
        self.fields["party_name"].help_text = "尚不明确的，可稍后在案件页面登记"

    def case_fields(self):
        names = ("matter", "title", "procedure", "source", "source_detail", "started_on")
        return [self[name] for name in (*names, "is_emergency")]

    def party_fields(self):
        return [self[f"party_{name}"] for name in PARTY_FIELDS]

    def party(self) -> dict | None:
        fields = {name: self.cleaned_data.get(f"party_{name}") or "" for name in PARTY_FIELDS}
        if not fields["name"].strip() and not fields["kind"]:
            return None
        return fields

    def open_arguments(self) -> dict:
        """The keyword arguments of ``services.case_open``."""
        data = self.cleaned_data
        party = self.party()
        return {
            "matter": data["matter"],
            "title": data["title"],
            "procedure": data["procedure"],
            "source": data["source"],
            "source_detail": data["source_detail"],
            "started_on": data["started_on"],
            "is_emergency": data["is_emergency"],
            # The first officer is the lead (主办).
            "officers": [data["lead"], *[o for o in data["officers"] if o != data["lead"]]],
            "parties": [party] if party else [],
        }


# --- Handling officers and stages -------------------------------------------------------


class OfficerAssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="执法人员", queryset=Officer.objects.none(), empty_label="请选择执法人员"
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = _officer_label


class OfficerReleaseForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=255, widget=forms.Textarea(attrs={"rows": 3}), help_text="如回避"
    )


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(label="说明", max_length=255, required=False)
    ended_on = forms.DateField(
        label="执法行为终结日期",
        required=False,
        widget=date_input(),
        help_text="不填为今天；归档期限自此起算",
    )

    def __init__(self, *args, to_stage: str, **kwargs):
        super().__init__(*args, initial={"to_stage": to_stage}, **kwargs)
        if to_stage != Stage.CLOSED:
            del self.fields["ended_on"]


class SuspendForm(forms.Form):
    ground = forms.ChoiceField(label="中止事由", choices=Suspension.Ground.choices)
    started_on = forms.DateField(
        label="中止日期", widget=date_input(), help_text="自该日起不计入办理期限；不能晚于今天"
    )
    note = forms.CharField(
        label="说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如听证通知、检测委托、公告的文号；事由为“其他”时必填",
    )


class ResumeForm(forms.Form):
    ended_on = forms.DateField(
        label="恢复日期", widget=date_input(), help_text="自该日起恢复计算办理期限；不能晚于今天"
    )


# --- Records ----------------------------------------------------------------------------


def content_field(spec_field) -> forms.Field:
    """The form field for one field of a record kind."""
    common = {"label": spec_field.label, "required": spec_field.required}
    if spec_field.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    if spec_field.kind == "date":
        return forms.DateField(widget=date_input(), **common)
    if spec_field.kind == "datetime":
        return forms.DateTimeField(
            widget=datetime_input(), input_formats=DATETIME_FORMATS, **common
        )
    if spec_field.kind == "money":
        return forms.DecimalField(
            min_value=0, max_digits=14, decimal_places=2, widget=forms.NumberInput(), **common
        )
    if spec_field.kind == "choice":
        choices = [("", "请选择"), *spec_field.choices]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=500, **common)


def content_value(spec_field, value) -> str:
    """A cleaned form value as the text the service stores."""
    if value is None:
        return ""
    if spec_field.kind == "datetime":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if spec_field.kind == "date":
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def content_initial(spec_field, value: str):
    """A stored text value as the initial value of its form field (for corrections)."""
    if spec_field.kind == "datetime" and value:
        return value.replace(" ", "T")
    return value


class RecordForm(forms.Form):
    """When and where, and the kind's own fields (``c_<name>``)."""

    occurred_at = forms.DateTimeField(
        label="记录时间", widget=datetime_input(), input_formats=DATETIME_FORMATS
    )
    place = forms.CharField(label="地点", max_length=255, required=False)

    def __init__(self, *args, spec: Kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        for f in spec.fields:
            self.fields[f"c_{f.name}"] = content_field(f)

    def content(self) -> dict:
        return {
            f.name: content_value(f, self.cleaned_data.get(f"c_{f.name}")) for f in self.spec.fields
        }

    @classmethod
    def initial_from(cls, record) -> dict:
        from zhifa.cases.records import KINDS

        spec = KINDS[record.kind]
        initial = {
            "occurred_at": timezone.localtime(record.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "place": record.place,
        }
        for f in spec.fields:
            initial[f"c_{f.name}"] = content_initial(f, record.content.get(f.name, ""))
        return initial


class SignatureForm(forms.Form):
    """One signer: drawn on the screen, a scanned paper signature, or a refusal.

    ``drawing`` holds the PNG drawn on the page's canvas as a data URL, so that
    a form shown again after an error still carries it.
    """

    role = forms.ChoiceField(label="签名人身份", choices=Signature.Role.choices)
    officer = forms.ModelChoiceField(
        label="承办人员", queryset=Officer.objects.none(), required=False, empty_label="请选择"
    )
    name = forms.CharField(label="姓名", max_length=64, required=False)
    method = forms.ChoiceField(
        label="签名方式", choices=Signature.Method.choices, widget=forms.RadioSelect
    )
    drawing = forms.CharField(required=False, widget=forms.HiddenInput)
    scan = forms.FileField(
        label="纸质签名扫描件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,application/pdf"}),
        help_text="PNG、JPEG 图片或 PDF",
    )
    refusal_note = forms.CharField(label="拒签情况", max_length=255, required=False)
    witness_name = forms.CharField(label="见证人", max_length=64, required=False)
    signed_at = forms.DateTimeField(
        label="签名时间",
        required=False,
        widget=datetime_input(),
        input_formats=DATETIME_FORMATS,
        help_text="不填：屏幕签名为当前时间，扫描件和拒签为记录时间",
    )

    def __init__(self, *args, case: Case, role: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_role = role
        if role is not None:
            # The kind's expected signer: shown, not chosen, and not taken from the post.
            self.fields["role"].initial = role
            self.fields["role"].required = False
            self.fields["role"].widget = forms.HiddenInput()
        self.fields["officer"].queryset = Officer.objects.filter(
            pk__in=CaseOfficer.objects.filter(case=case, released_at__isnull=True).values(
                "officer_id"
            )
        ).order_by("name")
        self.fields["method"].initial = Signature.Method.ON_SCREEN

    @property
    def role_label(self) -> str:
        role = self.fixed_role or self.data.get(self.add_prefix("role")) or ""
        return Signature.Role(role).label if role in Signature.Role.values else ""

    @property
    def is_officer(self) -> bool:
        return self.fixed_role == Signature.Role.OFFICER

    def clean_role(self):
        # A fixed role is the kind's expected signer, whatever was posted.
        return self.fixed_role or self.cleaned_data["role"]

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == Signature.Method.ON_SCREEN:
            if not cleaned.get("drawing"):
                self.add_error("drawing", "请在签名框内签名。")
            else:
                try:
                    cleaned["image"] = image_from_base64(cleaned["drawing"])
                except forms.ValidationError as exc:
                    self.add_error("drawing", exc)
        elif method == Signature.Method.SCAN:
            upload = cleaned.get("scan")
            if upload is None:
                self.add_error("scan", "请上传纸质签名扫描件。")
            elif upload.size > MAX_SCAN_BYTES:
                self.add_error("scan", f"扫描件不能超过 {MAX_SCAN_BYTES // 1024 // 1024} MB。")
            else:
                head = upload.read(8)
                upload.seek(0)
                kind = sniff(head, SCAN_MAGIC)
                if kind is None:
                    self.add_error("scan", "扫描件须是 PNG、JPEG 图片或 PDF 文件。")
                else:
                    cleaned["scan_type"] = kind
        return cleaned
