"""How instruments look on the REST door (REC-07, REC-14).

The issue serializer takes what to issue (case, kind, record, what it
corrects) and nothing else: the 文号 is never an input. A request that names
one anyway is refused rather than silently ignored, so a client cannot believe
its own number was used.
"""

from __future__ import annotations

from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.cases.models import Record
from zhifa.cases.selectors import case_list
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.selectors import instrument_list


def _records(*, actor):
    return Record.objects.filter(case__in=case_list(actor=actor).values("pk"))


class InstrumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    issued_by_name = serializers.SerializerMethodField()
    docx_sha256 = serializers.CharField(source="docx.sha256", read_only=True)
    pdf_sha256 = serializers.CharField(source="pdf.sha256", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "kind_display",
            "title",
            "number",
            "record",
            "pages",
            "issued_at",
            "issued_by_name",
            "template",
            "template_version",
            "docx_sha256",
            "pdf_sha256",
            "supersedes",
            "superseded_by",
        ]
        read_only_fields = fields

    def get_issued_by_name(self, obj) -> str:
        officer = getattr(obj.issued_by, "officer", None)
        return officer.name if officer else obj.issued_by.get_username()

    def get_superseded_by(self, obj) -> int | None:
        later = getattr(obj, "superseded_by", None)
        return later.pk if later else None


class InstrumentIssueSerializer(serializers.Serializer):
    case = ScopedPrimaryKeyRelatedField(selector=case_list, help_text="案件 ID")
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="文书种类")
    record = ScopedPrimaryKeyRelatedField(
        selector=_records,
        required=False,
        allow_null=True,
        help_text="依据的记录 ID；本案只有一份时可省略",
    )
    supersedes = ScopedPrimaryKeyRelatedField(
        selector=instrument_list,
        required=False,
        allow_null=True,
        help_text="更正的文书 ID",
    )

    def validate(self, attrs):
        given = set(getattr(self, "initial_data", {}) or {})
        if {"number", "form_number"} & given:
            raise serializers.ValidationError(
                {"number": ["文号由系统按文号格式自动生成，不能由调用方指定。"]}
            )
        unknown = given - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: ["未知字段。"] for name in sorted(unknown)})
        return attrs
