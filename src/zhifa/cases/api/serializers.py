"""How cases, their parties, handling officers, records, signatures and the
suspensions of their time limit look on the REST door (REC-01 … REC-03, REC-06,
REC-08, REC-09, SUP-01).

The write serializers check only the shape of the input; what is allowed is for
``zhifa.cases.services`` to say. Signature images travel inside the JSON as
base64 (PNG or JPEG, a ``data:`` URL prefix is accepted) and are put in the
evidence store before the record is written.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.accounts.selectors import officer_list, unit_list
from zhifa.cases import clock, rules
from zhifa.cases.forms import image_from_base64
from zhifa.cases.models import (
    Case,
    CaseOfficer,
    Party,
    Procedure,
    Record,
    Signature,
    Source,
    Stage,
    Suspension,
)
from zhifa.catalogues.selectors import matter_list


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- Reading -------------------------------------------------------------------------


class PartySerializer(serializers.ModelSerializer):
    """A party, as read and as given (one serializer, so that its kinds are one enum)."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "id_number",
            "credit_code",
            "representative",
            "address",
            "phone",
            "added_at",
        ]
        read_only_fields = ["id", "added_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)

    class Meta:
        model = CaseOfficer
        fields = ["officer", "officer_name", "credential_number", "is_lead", "assigned_at"]
        read_only_fields = fields


class SuspensionSerializer(serializers.ModelSerializer):
    """A suspension of the case's time limit (SUP-01)."""

    ground_display = serializers.CharField(source="get_ground_display", read_only=True)

    class Meta:
        model = Suspension
        fields = [
            "id",
            "ground",
            "ground_display",
            "note",
            "started_on",
            "ended_on",
            "workdays",
            "created_at",
            "ended_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"workdays": {"help_text": "中止期间不计入办理期限的工作日数；恢复后才有"}}


class CaseSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    matter_name = serializers.CharField(source="matter.name", read_only=True)
    action_kind_display = serializers.CharField(source="get_action_kind_display", read_only=True)
    procedure_display = serializers.CharField(source="get_procedure_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    emergency_overdue = serializers.SerializerMethodField(
        help_text="紧急情况先行启动后超过 24 小时仍未补办（或逾期补办）批准"
    )
    archive_overdue = serializers.SerializerMethodField(help_text="已结案、超过归档期限仍未归档")
    parties = PartySerializer(many=True, read_only=True)
    officers = AssignmentSerializer(
        source="active_assignments", many=True, read_only=True, help_text="在办的承办人员"
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "agency",
            "agency_name",
            "unit",
            "matter",
            "matter_name",
            "action_kind",
            "action_kind_display",
            "procedure",
            "procedure_display",
            "source",
            "source_display",
            "source_detail",
            "stage",
            "stage_display",
            "started_on",
            "is_emergency",
            "emergency_started_at",
            "emergency_approved_at",
            "emergency_overdue",
            "action_ended_on",
            "archive_due_on",
            "archive_overdue",
            "archived_at",
            "suspended_since",
            "limit_extension_workdays",
            "created_at",
            "parties",
            "officers",
        ]
        read_only_fields = fields

    def get_emergency_overdue(self, case) -> bool:
        return rules.emergency_overdue(case)

    def get_archive_overdue(self, case) -> bool:
        return (
            case.stage == Stage.CLOSED
            and case.archive_due_on is not None
            and case.archive_due_on < timezone.localdate()
        )


class CaseDetailSerializer(CaseSerializer):
    next_stage = serializers.SerializerMethodField(
        help_text="下一环节（investigation、decision、execution、closed）；已结案或已归档的为空"
    )
    needs = serializers.SerializerMethodField(help_text="进入下一环节前尚需完成的事项")
    limit_due_on = serializers.SerializerMethodField(
        help_text="办理时限届满日（工作日，中止期间不计入）；未设时限或期限中止中的为空"
    )
    suspensions = SuspensionSerializer(many=True, read_only=True, help_text="办理期限的中止")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "next_stage", "needs", "limit_due_on", "suspensions"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_limit_due_on(self, case):
        return clock.limit_due_on(case)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_next_stage(self, case) -> str | None:
        return rules.next_stage(case)

    def get_needs(self, case) -> list[str]:
        return rules.needs(case)


class Base64ImageField(serializers.CharField):
    """A PNG or JPEG in base64, decoded to ``(bytes, content type, extension)``."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return None
        try:
            return image_from_base64(text)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class SignatureSerializer(serializers.ModelSerializer):
    """A signature or refusal, as read and as given. The image is given as base64
    and read back as the SHA-256 of the stored file."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    officer = ScopedPrimaryKeyRelatedField(
        selector=officer_list,
        allow_null=True,
        required=False,
        default=None,
        help_text="执法人员签名时为本案承办人员 ID",
    )
    image = Base64ImageField(
        write_only=True,
        allow_blank=True,
        required=False,
        default="",
        help_text="屏幕手写签名或纸质签名扫描件：PNG 或 JPEG 图片的 base64 编码"
        "（可带 data:image/png;base64, 前缀，不超过 2 MB）；拒签时不填",
    )
    image_sha256 = serializers.CharField(
        source="image.sha256", read_only=True, default=None, help_text="签名图像或扫描件的 SHA-256"
    )

    class Meta:
        model = Signature
        fields = [
            "id",
            "role",
            "role_display",
            "name",
            "officer",
            "method",
            "method_display",
            "signed_at",
            "image",
            "image_sha256",
            "refusal_note",
            "witness_name",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "name": {"required": False, "allow_blank": True, "help_text": "执法人员签名可不填"},
            "refusal_note": {"help_text": "拒签情况"},
            "witness_name": {"help_text": "拒签时的见证人"},
        }


class RecordSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    superseded_by = serializers.SerializerMethodField(help_text="更正本记录的记录 ID")
    content = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="记录类型的各项内容"
    )
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = Record
        fields = [
            "id",
            "case",
            "kind",
            "kind_label",
            "stage",
            "occurred_at",
            "place",
            "content",
            "digest",
            "supersedes",
            "superseded_by",
            "created_at",
            "signatures",
        ]
        read_only_fields = fields

    def get_superseded_by(self, record) -> int | None:
        later = getattr(record, "superseded_by", None)
        return later.pk if later is not None else None


# --- Writing -------------------------------------------------------------------------


class CaseOpenSerializer(serializers.Serializer):
    matter = ScopedPrimaryKeyRelatedField(selector=matter_list, help_text="本机关的执法事项 ID")
    title = serializers.CharField(max_length=_max_length(Case, "title"), allow_blank=True)
    procedure = serializers.ChoiceField(Procedure.choices)
    source = serializers.ChoiceField(Source.choices)
    source_detail = serializers.CharField(allow_blank=True, required=False, default="")
    started_on = serializers.DateField()
    is_emergency = serializers.BooleanField(required=False, default=False)
    officers = ScopedPrimaryKeyRelatedField(
        selector=officer_list,
        many=True,
        help_text="承办人员 ID，第一位为主办；须持有效行政执法证件",
    )
    parties = PartySerializer(many=True, required=False, default=list)
    unit = ScopedPrimaryKeyRelatedField(
        selector=unit_list,
        allow_null=True,
        required=False,
        default=None,
        help_text="承办机构 ID；不填时为执法事项的承办机构",
    )


class AdvanceSerializer(serializers.Serializer):
    # A code, not an enum: the service names the stage the case may enter next.
    to_stage = serializers.CharField(
        max_length=16,
        help_text="下一环节：investigation 调查取证、decision 审查决定、execution 送达执行、"
        "closed 结案；只能是案件的下一环节",
    )
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    ended_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="结案时的执法行为终结日期"
    )


class SuspendSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(Suspension.Ground.choices, help_text="中止事由")
    started_on = serializers.DateField(help_text="中止日期：自该日起不计入办理期限，不能晚于今天")
    note = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="说明；事由为 other 时必填"
    )


class ResumeSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text="恢复日期：自该日起恢复计算办理期限，不能晚于今天")


class OfficerAssignSerializer(serializers.Serializer):
    officer = ScopedPrimaryKeyRelatedField(selector=officer_list, help_text="执法人员 ID")


class OfficerReleaseSerializer(OfficerAssignSerializer):
    reason = serializers.CharField(max_length=255, allow_blank=True, help_text="如回避")


class RecordCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=40,
        help_text="记录类型代码，如 filing_approval、interview、decision、delivery_direct"
        "（见 zhifa.cases.records.KINDS）",
    )
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    content = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="记录类型的各项内容（字段名 → 文本）；日期 YYYY-MM-DD，时间 YYYY-MM-DD HH:MM",
    )
    supersedes = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="更正的本案同类记录 ID"
    )
    signatures = SignatureSerializer(many=True, required=False, default=list)
