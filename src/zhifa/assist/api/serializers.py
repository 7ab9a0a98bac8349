"""How transcripts look on the REST door. Write serializers check the shape of
the input only; what is valid is for ``zhifa.assist.services``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhifa.assist.models import Transcript, TranscriptionJob, TranscriptSegment
from zhifa.assist.services import MAX_SEGMENT_CHARS


class JobSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True,
        help_text="queued 排队中 | running 转写中 | done 已完成 | failed 失败 | cancelled 已取消",
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TranscriptionJob
        fields = [
            "id",
            "item",
            "case",
            "status",
            "status_display",
            "progress",
            "error",
            "attempts",
            "engine",
            "audio_seconds",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TranscriptSegment
        fields = ["position", "start", "end", "text"]
        read_only_fields = fields


class TranscriptSerializer(serializers.ModelSerializer):
    source = serializers.CharField(
        read_only=True, help_text="machine 机器转写 | correction 人工校正"
    )
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    based_on = serializers.IntegerField(source="based_on.version", read_only=True, default=None)
    created_by_name = serializers.SerializerMethodField()
    segments = SegmentSerializer(many=True, read_only=True)

    class Meta:
        model = Transcript
        fields = [
            "version",
            "source",
            "source_display",
            "based_on",
            "engine",
            "text",
            "sha256",
            "note",
            "created_by_name",
            "created_at",
            "segments",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_created_by_name(self, obj) -> str:
        user = obj.created_by
        if user is None:
            return ""
        officer = getattr(user, "officer", None)
        return officer.name if officer else user.get_username()


class VersionSerializer(serializers.ModelSerializer):
    source = serializers.CharField(read_only=True, help_text="machine | correction")

    class Meta:
        model = Transcript
        fields = ["version", "source", "created_at", "note"]
        read_only_fields = fields


class RecordingSerializer(serializers.Serializer):
    """A recording with its transcription: the job and the transcript in force
    (or the version asked for)."""

    item = serializers.IntegerField(source="pk")
    case = serializers.IntegerField(source="case_id")
    kind = serializers.CharField()
    filename = serializers.CharField()
    job = JobSerializer(allow_null=True)
    transcript = TranscriptSerializer(allow_null=True)
    versions = VersionSerializer(many=True)


class StartSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="音像记录（录音或录像）ID")


class SegmentInputSerializer(serializers.Serializer):
    start = serializers.FloatField(min_value=0, help_text="开始（秒）")
    end = serializers.FloatField(min_value=0, help_text="结束（秒）")
    text = serializers.CharField(
        allow_blank=True, max_length=MAX_SEGMENT_CHARS, help_text="留空即删除该段"
    )


class CorrectionSerializer(serializers.Serializer):
    segments = SegmentInputSerializer(many=True, help_text="校正后的全部片段，按时间排列")
    note = serializers.CharField(allow_blank=True, required=False, default="")
    based_on = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="所校正的版本号（防止覆盖他人校正）",
    )


class SearchHitSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="transcript.case_id")
    case_number = serializers.CharField(source="transcript.case.number")
    item = serializers.IntegerField(source="transcript.item_id")
    filename = serializers.CharField(source="transcript.item.filename")
    version = serializers.IntegerField(source="transcript.version")

    class Meta:
        model = TranscriptSegment
        fields = [
            "case",
            "case_number",
            "item",
            "filename",
            "version",
            "position",
            "start",
            "end",
            "text",
        ]
        read_only_fields = fields
