"""REST endpoints of transcripts (REC-05, INF-04).

``transcriptions/{item}/`` is the transcription of one recording (a media item's
ID): ``GET`` its job and transcript (``?version=``), ``POST transcriptions/``
queues it (again, after a failure or cancellation), ``POST …/cancel/`` stops
it, ``POST …/corrections/`` saves an officer's correction as a new version.
``transcript-segments/?q=`` searches the transcripts in force. Reading text is
logged as a look at its case (REC-12).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.assist import selectors, services
from zhifa.assist.api.serializers import (
    CorrectionSerializer,
    JobSerializer,
    RecordingSerializer,
    SearchHitSerializer,
    StartSerializer,
    TranscriptSerializer,
)
from zhifa.cases.services import case_items_viewed, case_viewed
from zhifa.core.api import created, validated
from zhifa.core.errors import InvalidInput, NotFound


def _recording_data(item, version=None) -> dict:
    transcript = selectors.transcript_of(item, version)
    if version is not None and transcript is None:
        raise NotFound("没有该版本的文字记录。", code="no_version")
    return RecordingSerializer(
        {
            "pk": item.pk,
            "case_id": item.case_id,
            "kind": item.kind,
            "filename": item.filename,
            "job": selectors.job_of(item),
            "transcript": transcript,
            "versions": list(selectors.versions_of(item)),
        }
    ).data


@extend_schema_view(
    list=extend_schema(
        summary="语音转写任务列表",
        description="可查看案件中的录音录像转写任务（状态与进度，不含文字）。",
        parameters=[OpenApiParameter("case", int, description="只列出该案件的转写任务")],
        responses=JobSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="录音录像的转写与文字记录",
        description="路径中的 ID 为音像记录 ID。返回转写任务和现行文字记录"
        "（或 ?version= 指定的版本）。",
        parameters=[OpenApiParameter("version", int, description="文字记录版本号")],
        responses=RecordingSerializer,
    ),
)
class TranscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    ordering_fields = ["requested_at", "status"]
    search_fields = ["item__filename"]

    def get_queryset(self):
        if self.action == "list":
            jobs = selectors.job_list(actor=self.request.user)
            case = self.request.query_params.get("case")
            if case:
                if not case.isdigit():
                    raise serializers.ValidationError({"case": ["案件 ID 须为整数。"]})
                jobs = jobs.filter(case_id=int(case))
            return jobs.order_by("-requested_at", "pk")
        return selectors.recording_list(actor=self.request.user)

    def get_serializer_class(self):
        return {
            "list": JobSerializer,
            "create": StartSerializer,
            "corrections": CorrectionSerializer,
            "cancel": serializers.Serializer,
        }.get(self.action, RecordingSerializer)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        case_items_viewed(
            actor=request.user, case_param=request.query_params.get("case"), what="transcriptions"
        )
        return response

    def retrieve(self, request, pk=None):
        item = self.get_object()
        version = request.query_params.get("version")
        if version is not None and not version.isdigit():
            raise InvalidInput("版本号须为整数。", code="version")
        data = _recording_data(item, int(version) if version else None)
        case_viewed(actor=request.user, case=item.case, what=f"transcript:{item.pk}")
        return Response(data)

    @extend_schema(
        summary="提交语音转写",
        description="由本案承办人员在案件办结前提交；失败或已取消的任务再次提交即重试。"
        "转写在后台工作进程中进行（zhifa assist work）。",
        request=StartSerializer,
        responses={201: JobSerializer},
    )
    def create(self, request):
        item_pk = validated(self)["item"]
        item = selectors.recording_list(actor=request.user).filter(pk=item_pk).first()
        if item is None:
            item = selectors.recording_get(actor=request.user, pk=item_pk)  # 404, or a photo
        job = services.transcription_start(actor=request.user, item=item)
        return created(JobSerializer(job).data)

    @extend_schema(summary="取消语音转写", request=None, responses={200: JobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        item = self.get_object()
        job = selectors.job_of(item)
        if job is None:
            raise NotFound("该音像记录没有转写任务。", code="no_job")
        job = services.transcription_cancel(actor=request.user, job=job)
        return Response(JobSerializer(job).data)

    @extend_schema(
        summary="校正文字记录",
        description="保存为新版本，原版本（含机器转写结果）保留。清空内容的片段被删除。",
        request=CorrectionSerializer,
        responses={201: TranscriptSerializer},
    )
    @action(detail=True, methods=["post"])
    def corrections(self, request, pk=None):
        item = self.get_object()
        fields = validated(self)
        transcript = services.transcript_correct(
            actor=request.user,
            item=item,
            segments=fields["segments"],
            note=fields.get("note", ""),
            based_on=fields.get("based_on"),
        )
        return created(TranscriptSerializer(transcript).data)


@extend_schema_view(
    list=extend_schema(
        summary="检索文字记录",
        description="在可查看案件的录音录像文字记录（现行版本）中检索；返回的每个案件均记入调阅记录。",
        parameters=[OpenApiParameter("q", str, required=True, description="检索词")],
    )
)
class SegmentSearchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SearchHitSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.segment_search(
            actor=self.request.user, q=self.request.query_params.get("q", "")[:100]
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        cases = {hit.transcript.case_id: hit.transcript.case for hit in page}
        for case in cases.values():
            case_viewed(actor=request.user, case=case, what="transcript-search")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
