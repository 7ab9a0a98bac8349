"""How case files (案卷, REC-10) look on the REST door."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhifa.casefiles.models import CaseFile, CatalogueEntry


class CatalogueEntrySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    pdf_sha256 = serializers.CharField(source="pdf.sha256", read_only=True, default=None)

    class Meta:
        model = CatalogueEntry
        fields = [
            "id",
            "position",
            "part",
            "kind",
            "kind_display",
            "title",
            "number",
            "date",
            "page_first",
            "page_last",
            "source_id",
            "storage_key",
            "sha256",
            "made_how",
            "proves",
            "note",
            "pdf_sha256",
            "added_after_archive",
            "added_at",
        ]
        read_only_fields = fields


class CaseFileSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)
    stage = serializers.CharField(source="case.stage", read_only=True)
    archive_due_on = serializers.DateField(source="case.archive_due_on", read_only=True)
    retention_display = serializers.CharField(source="get_retention_display", read_only=True)
    pdf_sha256 = serializers.CharField(source="pdf.sha256", read_only=True)
    pdf_sm3 = serializers.CharField(source="pdf.sm3", read_only=True)
    catalogue = serializers.SerializerMethodField()

    class Meta:
        model = CaseFile
        fields = [
            "id",
            "case",
            "case_number",
            "case_title",
            "stage",
            "version",
            "assembled_at",
            "pages",
            "pdf_sha256",
            "pdf_sm3",
            "archive_due_on",
            "archived_at",
            "archive_number",
            "retention",
            "retention_display",
            "catalogue",
        ]
        read_only_fields = fields

    @extend_schema_field(CatalogueEntrySerializer(many=True))
    def get_catalogue(self, obj):
        if not self.context.get("with_catalogue", True):
            return []
        from zhifa.casefiles.selectors import catalogue

        return CatalogueEntrySerializer(catalogue(obj), many=True).data


class OverdueCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="案件 ID")
    number = serializers.CharField()
    title = serializers.CharField()
    agency_name = serializers.CharField(source="agency.name")
    action_ended_on = serializers.DateField()
    archive_due_on = serializers.DateField()


class SupplementSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=255)
    note = serializers.CharField(allow_blank=True)
    file = serializers.FileField()
