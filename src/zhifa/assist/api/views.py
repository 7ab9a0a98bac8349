"""REST endpoints of transcripts (REC-05, INF-04).

``transcriptions/{item}/`` is the transcription of one recording (a media item's
ID): ``GET`` its job and transcript (``?version=``), ``POST transcriptions/``
queues it (again, after a failure or cancellation), ``POST …/cancel/`` stops
it, ``POST …/corrections/`` saves an officer's correction as a new version.
``transcript-segments/?q=`` searches the transcripts in force. Every answer
that shows text (a transcript, a correction's result, the reasons' points) is
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
from zhifa.assist.models import Document
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
        # The answer shows the whole transcript, not only what was corrected (REC-12).
        case_viewed(actor=request.user, case=item.case, what=f"transcript:{item.pk}")
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


# --- Assistance: similar cases, provisions, dispute hints, read documents (INF-03, INF-04) ---


class HintsSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    number = serializers.CharField()
    retrieval = serializers.CharField(help_text="bm25 或 hybrid")
    query = serializers.CharField()
    agency_cases = serializers.ListField(child=serializers.DictField())
    region_cases = serializers.ListField(child=serializers.DictField())
    provisions = serializers.ListField(child=serializers.DictField())
    disputes = serializers.ListField(child=serializers.DictField())


class PointSerializer(serializers.Serializer):
    sentence = serializers.CharField(max_length=2000)
    source = serializers.CharField(
        max_length=16,
        default="statement",
        help_text="statement（陈述申辩）、hearing（听证）或 objection",
    )


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "name",
            "kind",
            "role",
            "status",
            "progress",
            "error",
            "attempts",
            "engine",
            "pages",
            "uploaded_at",
            "finished_at",
        ]
        read_only_fields = fields


class DocumentDetailSerializer(DocumentSerializer):
    page_texts = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "page_texts"]
        read_only_fields = fields

    def get_page_texts(self, doc) -> list[dict]:
        return [
            {"number": p.number, "method": p.method, "text": p.text} for p in doc.page_texts.all()
        ]


class UploadSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    file = serializers.FileField()
    role = serializers.ChoiceField(choices=Document.Role.choices, default=Document.Role.OTHER)


def _hints_data(case, actor, query: str = "") -> dict:
    from zhifa.assist import hints, retrieval

    query = query or hints.case_query(case)
    limit = hints.shown()
    return {
        "case": case.pk,
        "number": case.number,
        "retrieval": "hybrid" if retrieval.hybrid_on() else "bm25",
        "query": query,
        "agency_cases": [
            s.as_dict()
            for s in hints.similar_in_agency(case, actor=actor, query=query, limit=limit)
        ],
        "region_cases": [
            s.as_dict() for s in hints.similar_in_region(case, query=query, limit=limit)
        ],
        "provisions": [p.as_dict() for p in hints.provisions_for(query, limit=limit, case=case)],
        "disputes": [p.as_dict() for p in hints.dispute_points(case)],
    }


@extend_schema_view(
    retrieve=extend_schema(
        summary="案件智能辅助",
        description="路径中的 ID 为案件 ID。返回本机关和本地区（已公示决定）的类案、可能适用的条文"
        "（各附匹配内容）和争议焦点提示（附出处）。?q= 可用其他事实描述检索。记入调阅记录。",
        parameters=[OpenApiParameter("q", str, description="检索用的事实描述")],
        responses=HintsSerializer,
    )
)
class HintViewSet(viewsets.GenericViewSet):
    serializer_class = HintsSerializer

    def get_queryset(self):
        from zhifa.cases.selectors import case_list

        return case_list(actor=self.request.user)

    def retrieve(self, request, pk=None):
        case = self.get_object()
        case_viewed(actor=request.user, case=case, what="assist")
        return Response(_hints_data(case, request.user, request.query_params.get("q", "")[:500]))

    @extend_schema(
        summary="加入待答复要点",
        description="将争议焦点提示中的一句当事人意见加入说明理由的待答复要点（说明理由新版本）。",
        request=PointSerializer,
        responses={201: None},
    )
    @action(detail=True, methods=["post"], serializer_class=PointSerializer)
    def points(self, request, pk=None):
        case = self.get_object()
        fields = validated(self)
        version = services.dispute_point_add(
            actor=request.user, case=case, sentence=fields["sentence"], source=fields["source"]
        )
        # The answer shows every point of the reasons, the party's words included (REC-12).
        case_viewed(actor=request.user, case=case, what=f"reasons:{version.pk}")
        return created({"reasons_version": version.number, "points": version.content["points"]})


@extend_schema_view(
    list=extend_schema(
        summary="待识别文件列表",
        parameters=[OpenApiParameter("case", int, description="只列出该案件的文件")],
    ),
    retrieve=extend_schema(summary="文件及其识别出的文字", responses=DocumentDetailSerializer),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    ordering_fields = ["uploaded_at", "status"]
    search_fields = ["name"]

    def get_queryset(self):
        docs = selectors.document_list(actor=self.request.user)
        case = self.request.query_params.get("case")
        if self.action == "list" and case:
            if not case.isdigit():
                raise serializers.ValidationError({"case": ["案件 ID 须为整数。"]})
            docs = docs.filter(case_id=int(case))
        return docs

    def get_serializer_class(self):
        return {
            "retrieve": DocumentDetailSerializer,
            "create": UploadSerializer,
            "retry": serializers.Serializer,
        }.get(self.action, DocumentSerializer)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        case_items_viewed(
            actor=request.user, case_param=request.query_params.get("case"), what="documents"
        )
        return response

    def retrieve(self, request, pk=None):
        doc = self.get_object()
        case_viewed(actor=request.user, case=doc.case, what=f"document:{doc.pk}")
        return Response(DocumentDetailSerializer(doc).data)

    @extend_schema(
        summary="上传文件识别文字",
        description="本案承办人员在案件办结前上传 PDF 或图片；后台工作进程识别文字。",
        request={"multipart/form-data": UploadSerializer},
        responses={201: DocumentSerializer},
    )
    def create(self, request):
        from zhifa.cases.selectors import case_get

        fields = validated(self)
        case = case_get(actor=request.user, pk=fields["case"])
        upload = fields["file"]
        doc = services.document_upload(
            actor=request.user,
            case=case,
            stream=upload.file,
            filename=upload.name,
            role=fields["role"],
        )
        return created(DocumentSerializer(doc).data)

    @extend_schema(summary="重新识别", request=None, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        doc = services.document_retry(actor=request.user, document=self.get_object())
        return Response(DocumentSerializer(doc).data)


class PageHitSerializer(serializers.Serializer):
    document = serializers.IntegerField(source="document_id")
    name = serializers.CharField(source="document.name")
    case = serializers.IntegerField(source="document.case_id")
    case_number = serializers.CharField(source="document.case.number")
    page = serializers.IntegerField(source="number")
    text = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="检索上传文件的文字",
        description="在可查看案件中已识别的上传文件（PDF、图片）中检索；返回的每个案件均记入调阅记录。",
        parameters=[OpenApiParameter("q", str, required=True, description="检索词")],
    )
)
class PageSearchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PageHitSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.page_search(
            actor=self.request.user, q=self.request.query_params.get("q", "")[:100]
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        for case in {hit.document.case_id: hit.document.case for hit in page}.values():
            case_viewed(actor=request.user, case=case, what="document-search")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
