"""How audio-video records look on the REST door. Write serializers check the
shape of the input only; what is valid is for ``zhifa.media.services``."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.accounts.selectors import agency_list
from zhifa.cases.models import Record
from zhifa.cases.selectors import case_list
from zhifa.catalogues.models import ActionKind
from zhifa.media.models import REQUIREMENT_STAGES, MediaItem, MediaRequirement, Mode, UploadSession
from zhifa.media.services import upload_offset


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class MediaRequirementSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    mode_display = serializers.CharField(source="get_mode_display", read_only=True)
    record_kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = MediaRequirement
        fields = [
            "id",
            "agency",
            "agency_name",
            "action_kind",
            "stage",
            "stage_display",
            "record_kind",
            "record_kind_label",
            "place",
            "content",
            "mode",
            "mode_display",
            "updated_at",
        ]
        read_only_fields = fields


class MediaRequirementUpdateSerializer(serializers.Serializer):
    action_kind = serializers.ChoiceField(
        [("", "全部执法类别"), *ActionKind.choices], allow_blank=True, help_text="留空表示全部"
    )
    stage = serializers.ChoiceField(
        [("", "按执法记录类型"), *REQUIREMENT_STAGES],
        allow_blank=True,
        help_text="填写了执法记录类型的可留空",
    )
    record_kind = serializers.CharField(
        max_length=40, allow_blank=True, help_text="cases 记录类型代码，如 onsite_inspection"
    )
    place = serializers.CharField(max_length=_max(MediaRequirement, "place"), allow_blank=True)
    content = serializers.CharField(allow_blank=True)
    mode = serializers.ChoiceField(Mode.choices)


class MediaRequirementCreateSerializer(MediaRequirementUpdateSerializer):
    agency = ScopedPrimaryKeyRelatedField(
        selector=agency_list,
        required=False,
        help_text="执法主体 ID；不填时为本人所属机关（系统管理员必须填写）",
    )
    action_kind = serializers.ChoiceField(
        [("", "全部执法类别"), *ActionKind.choices], allow_blank=True, required=False, default=""
    )
    stage = serializers.ChoiceField(
        [("", "按执法记录类型"), *REQUIREMENT_STAGES], allow_blank=True, required=False, default=""
    )
    record_kind = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    place = serializers.CharField(
        max_length=_max(MediaRequirement, "place"), allow_blank=True, required=False, default=""
    )


class AgencySerializer(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(
        selector=agency_list, required=False, help_text="执法主体 ID；不填时为本人所属机关"
    )


class MediaItemSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    interruption_display = serializers.CharField(source="get_interruption_display", read_only=True)
    name = serializers.CharField(read_only=True)
    size = serializers.IntegerField(source="file.size", read_only=True)
    sha256 = serializers.CharField(source="file.sha256", read_only=True)
    sm3 = serializers.CharField(source="file.sm3", read_only=True)
    content_type = serializers.CharField(source="file.content_type", read_only=True)
    late_by_seconds = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    detail_url = serializers.SerializerMethodField()

    class Meta:
        model = MediaItem
        fields = [
            "id",
            "case",
            "record",
            "kind",
            "kind_display",
            "name",
            "size",
            "sha256",
            "sm3",
            "content_type",
            "captured_at",
            "place",
            "author",
            "device",
            "is_continuous",
            "interruption",
            "interruption_display",
            "interruption_reason",
            "production_method",
            "proves",
            "transcript",
            "duration_seconds",
            "upload_due_on",
            "is_late",
            "late_by_seconds",
            "uploaded_at",
            "file_url",
            "poster_url",
            "detail_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_late_by_seconds(self, item) -> int | None:
        return int(item.late_by.total_seconds()) if item.late_by else None

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_file_url(self, item) -> str:
        return self._absolute(reverse("media:file", args=[item.pk]))

    def get_poster_url(self, item) -> str | None:
        return self._absolute(reverse("media:poster", args=[item.pk])) if item.poster_id else None

    def get_detail_url(self, item) -> str:
        return self._absolute(reverse("media:detail", args=[item.pk]))


class UploadCreateSerializer(serializers.Serializer):
    """A file about to be uploaded in pieces, and what it records."""

    case = ScopedPrimaryKeyRelatedField(selector=case_list, help_text="案件 ID")
    record = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="对应的执法记录 ID（须为本案记录）"
    )
    filename = serializers.CharField(max_length=255, help_text="原文件名，扩展名须与文件内容一致")
    size = serializers.IntegerField(min_value=1, help_text="文件大小（字节）")
    kind = serializers.ChoiceField(
        MediaItem.Kind.choices, required=False, help_text="不填时按扩展名判断"
    )
    captured_at = serializers.DateTimeField(help_text="拍摄（录制）时间")
    place = serializers.CharField(max_length=_max(MediaItem, "place"), allow_blank=True)
    author = serializers.CharField(max_length=_max(MediaItem, "author"), allow_blank=True)
    device = serializers.CharField(
        max_length=_max(MediaItem, "device"), allow_blank=True, required=False, default=""
    )
    is_continuous = serializers.BooleanField(required=False, default=False)
    interruption = serializers.ChoiceField(
        MediaItem.Interruption.choices, required=False, default=MediaItem.Interruption.NONE
    )
    interruption_reason = serializers.CharField(allow_blank=True, required=False, default="")
    production_method = serializers.CharField(allow_blank=True)
    proves = serializers.CharField(allow_blank=True)
    transcript = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="录音必填：文字记录"
    )

    def validate(self, attrs):
        pk = attrs.get("record")
        if pk is not None:
            # Looked up within the case: another case's record is as unknown as none.
            attrs["record"] = Record.objects.filter(pk=pk, case=attrs["case"]).first()
            if attrs["record"] is None:
                raise serializers.ValidationError({"record": ["对应的执法记录须是本案的记录。"]})
        return attrs


class UploadSessionSerializer(serializers.ModelSerializer):
    offset = serializers.SerializerMethodField(help_text="已收到的字节数，即下一分块的起点")
    upload_url = serializers.SerializerMethodField()

    class Meta:
        model = UploadSession
        fields = ["id", "case", "record", "filename", "size", "offset", "created_at", "upload_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_offset(self, session) -> int:
        return upload_offset(session)

    def get_upload_url(self, session) -> str:
        path = reverse("api:media-upload-detail", args=[session.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class UploadProgressSerializer(serializers.Serializer):
    offset = serializers.IntegerField(help_text="已收到的字节数，即下一分块的起点")
    size = serializers.IntegerField()


class UploadErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    offset = serializers.IntegerField(required=False, help_text="从此字节继续上传")
