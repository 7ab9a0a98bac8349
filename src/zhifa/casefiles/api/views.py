"""REST endpoints for case files (案卷, REC-10).

A case file is addressed by its case: ``/api/v1/casefiles/{case_id}/``, so
that binding, which makes the case file, has an address before it exists. Reads
come from the selectors (a case the user may not read is a 404); writes go
through the services; every download appends a ``casefile.view`` entry.
"""

from __future__ import annotations

from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from zhifa.casefiles import selectors, services
from zhifa.casefiles.api.serializers import (
    CaseFileSerializer,
    CatalogueEntrySerializer,
    OverdueCaseSerializer,
    SupplementSerializer,
)
from zhifa.casefiles.export import casefile_export
from zhifa.casefiles.views import _attachment
from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed
from zhifa.core.api import created
from zhifa.core.errors import NotFound
from zhifa.ledger import evidence

BINARY = {200: OpenApiResponse(OpenApiTypes.BINARY)}


@extend_schema_view(
    list=extend_schema(summary="案卷列表", description="本人可见案件的案卷（不含目录）。"),
    retrieve=extend_schema(summary="案卷及卷内目录", description="路径参数为案件 ID。"),
)
class CaseFileViewSet(viewsets.GenericViewSet):
    serializer_class = CaseFileSerializer
    lookup_value_regex = r"\d+"
    search_fields = ["case__number", "case__title", "archive_number"]
    ordering_fields = ["assembled_at", "archived_at", "case__number"]

    def get_queryset(self):
        return selectors.casefile_list(actor=self.request.user)

    def _case(self, pk):
        return case_get(actor=self.request.user, pk=pk)

    def _out(self, case_file, status=200):
        data = CaseFileSerializer(case_file, context=self.get_serializer_context()).data
        return created(data) if status == 201 else Response(data)

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), "with_catalogue": False}
        return self.get_paginated_response(
            CaseFileSerializer(page, many=True, context=context).data
        )

    def retrieve(self, request, pk=None):
        case_file = selectors.casefile_get(actor=request.user, case_pk=pk)
        case_viewed(actor=request.user, case=case_file.case, what="casefile")
        return self._out(case_file)

    @extend_schema(
        summary="装订案卷",
        description="结案后由承办人员或负责人装订；归档前可重新装订（新版本）。",
        request=None,
        responses={201: CaseFileSerializer},
    )
    @action(detail=True, methods=["post"])
    def assemble(self, request, pk=None):
        case_file = services.casefile_assemble(actor=request.user, case=self._case(pk))
        return self._out(case_file, status=201)

    @extend_schema(
        summary="归档",
        description="编定档案号，案件进入归档环节；不可撤销。",
        request=None,
        responses={200: CaseFileSerializer},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._out(services.casefile_archive(actor=request.user, case=self._case(pk)))

    @extend_schema(
        summary="归档后补充材料",
        description="作为新的目录条目编入，不改变已装订的案卷和原有目录。",
        request={"multipart/form-data": SupplementSerializer},
        responses={201: CatalogueEntrySerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def supplements(self, request, pk=None):
        given = SupplementSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        entry = services.casefile_supplement(
            actor=request.user,
            case=self._case(pk),
            title=given.validated_data["title"],
            note=given.validated_data["note"],
            stream=upload,
            original_name=upload.name,
            content_type=upload.content_type or "",
        )
        return created(CatalogueEntrySerializer(entry).data)

    @extend_schema(summary="下载案卷 PDF", responses=BINARY)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        case = self._case(pk)
        case_file = services.casefile_view(actor=request.user, case=case, what="pdf")
        try:
            stream = evidence.backend(case_file.pdf.backend).open(case_file.pdf.storage_key)
        except FileNotFoundError:
            raise NotFound("案卷文件不在存证库中。") from None
        return FileResponse(
            stream, content_type="application/pdf", filename=f"{case.number}-案卷.pdf"
        )

    @extend_schema(
        summary="下载案卷全部文件（ZIP）",
        description="装订的 PDF、全部原始文件和 manifest.json（目录及每个文件的 SHA-256、SM3）。",
        responses=BINARY,
    )
    @action(detail=True, methods=["get"])
    def zip(self, request, pk=None):
        case = self._case(pk)
        services.casefile_view(actor=request.user, case=case, what="zip")
        response = StreamingHttpResponse(casefile_export(case), content_type="application/zip")
        response["Content-Disposition"] = _attachment(f"{case.number}-案卷.zip")
        return response

    @extend_schema(
        summary="归档逾期案件",
        description="已结案、未归档且已过归档期限（执法行为终结之日起 20 日）的案件。",
        responses={200: OverdueCaseSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def overdue(self, request):
        queryset = selectors.archive_overdue(actor=request.user).select_related("agency")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(OverdueCaseSerializer(page, many=True).data)
