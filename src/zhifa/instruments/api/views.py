"""REST endpoints for instruments: list and read a case's instruments, issue
one, download its PDF or DOCX (each download is logged, REC-12).

Reads come from ``instrument_list(actor=...)``: an instrument of a case the
actor may not see is a 404. Issuing goes through ``instrument_issue``.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.cases.services import case_items_viewed, case_viewed
from zhifa.core.api import created
from zhifa.instruments import services
from zhifa.instruments.api.serializers import InstrumentIssueSerializer, InstrumentSerializer
from zhifa.instruments.selectors import instrument_list


@extend_schema_view(
    list=extend_schema(
        summary="执法文书列表",
        parameters=[OpenApiParameter("case", int, description="只列出该案件的文书")],
    ),
    retrieve=extend_schema(summary="执法文书详情"),
    create=extend_schema(
        summary="制作执法文书",
        description="按本机关在用模板生成 DOCX 和 PDF，文号由系统自动生成（不能指定）；"
        "当场行政处罚决定书使用记录中的预印编号。",
        request=InstrumentIssueSerializer,
        responses={201: InstrumentSerializer},
    ),
)
class InstrumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # No update or delete: an issued instrument is corrected by issuing a new
    # one that names it in ``supersedes``.
    search_fields = ["number", "title", "case__number"]
    ordering_fields = ["issued_at", "number", "kind"]

    def get_queryset(self):
        instruments = instrument_list(actor=self.request.user)
        case = self.request.query_params.get("case")
        if case:
            instruments = instruments.filter(case_id=case if case.isdigit() else -1)
        return instruments

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        case_items_viewed(
            actor=request.user, case_param=request.query_params.get("case"), what="instruments"
        )
        return response

    def retrieve(self, request, pk=None):
        instrument = self.get_object()
        case_viewed(actor=request.user, case=instrument.case, what=f"instrument:{instrument.pk}")
        return Response(self.get_serializer(instrument).data)

    def get_serializer_class(self):
        return InstrumentIssueSerializer if self.action == "create" else InstrumentSerializer

    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        instrument = services.instrument_issue(
            actor=request.user,
            case=data["case"],
            kind=data["kind"],
            record=data.get("record"),
            supersedes=data.get("supersedes"),
        )
        instrument = self.get_queryset().get(pk=instrument.pk)
        return created(InstrumentSerializer(instrument, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="下载执法文书",
        parameters=[OpenApiParameter("file", str, enum=["pdf", "docx"], description="默认 pdf")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        instrument = self.get_object()
        fmt = request.query_params.get("file", "pdf")
        stream, stored = services.instrument_open(
            actor=request.user, instrument=instrument, fmt=fmt
        )
        return FileResponse(
            stream,
            as_attachment=True,
            content_type=stored.content_type or "application/octet-stream",
            filename=stored.original_name,
        )
