"""REST endpoints of audio-video records (REC-04, REC-05).

``media-uploads`` is a resumable upload: ``POST`` declares the file and what
it records, each ``PUT`` appends one piece (``Content-Range: bytes a-b/total``)
read from the request in small pieces, never parsed or buffered whole, ``GET``
says how much has arrived, and ``POST …/complete/`` checks and stores the file
as a ``MediaItem``. A piece that does not start where the received bytes end
is refused with the offset to resume from.
"""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.response import Response

from zhifa.cases.services import case_items_viewed, case_viewed
from zhifa.core.api import created, own_agency, validated
from zhifa.core.errors import InvalidInput
from zhifa.media import selectors, services
from zhifa.media.api.serializers import (
    AgencySerializer,
    MediaItemSerializer,
    MediaRequirementCreateSerializer,
    MediaRequirementSerializer,
    MediaRequirementUpdateSerializer,
    UploadCreateSerializer,
    UploadErrorSerializer,
    UploadProgressSerializer,
    UploadSessionSerializer,
)
from zhifa.media.models import UploadSession


@extend_schema_view(
    list=extend_schema(summary="音像记录事项清单"),
    retrieve=extend_schema(summary="音像记录事项详情"),
    create=extend_schema(
        summary="新增音像记录事项",
        description="由机关管理员维护。规定必须全过程记录的记录类型不能降低记录方式。",
        request=MediaRequirementCreateSerializer,
        responses={201: MediaRequirementSerializer},
    ),
    partial_update=extend_schema(
        summary="修改音像记录事项",
        request=MediaRequirementUpdateSerializer,
        responses={200: MediaRequirementSerializer},
    ),
    destroy=extend_schema(summary="删除音像记录事项"),
)
class MediaRequirementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    search_fields = ["place", "content", "record_kind", "agency__name"]
    ordering_fields = ["stage", "record_kind", "mode", "agency__name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.requirement_list(actor=self.request.user)

    def get_serializer_class(self):
        return {
            "create": MediaRequirementCreateSerializer,
            "partial_update": MediaRequirementUpdateSerializer,
            "seed": AgencySerializer,
        }.get(self.action, MediaRequirementSerializer)

    def create(self, request):
        fields = validated(self)
        agency = own_agency(request, fields.pop("agency", None))
        requirement = services.requirement_create(actor=request.user, agency=agency, **fields)
        return created(MediaRequirementSerializer(requirement).data)

    def partial_update(self, request, pk=None):
        requirement = self.get_object()
        requirement = services.requirement_update(
            actor=request.user, requirement=requirement, **validated(self, partial=True)
        )
        return Response(MediaRequirementSerializer(requirement).data)

    def destroy(self, request, pk=None):
        services.requirement_delete(actor=request.user, requirement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="填入默认音像记录事项",
        description="按 REC-04 填入必须全过程记录和须拍照或录像的事项；已有的事项不变。",
        request=AgencySerializer,
        responses={201: MediaRequirementSerializer(many=True)},
    )
    @action(detail=False, methods=["post"])
    def seed(self, request):
        agency = own_agency(request, validated(self).get("agency"))
        rows = services.requirement_seed(actor=request.user, agency=agency)
        return created(MediaRequirementSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="音像记录列表",
        parameters=[OpenApiParameter("case", int, description="只列出该案件的音像记录")],
    ),
    retrieve=extend_schema(summary="音像记录详情"),
)
class MediaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read only: an item is made by completing an upload, and never changed."""

    serializer_class = MediaItemSerializer
    search_fields = ["place", "author", "device", "proves", "filename"]
    ordering_fields = ["captured_at", "uploaded_at", "kind"]

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        case_items_viewed(
            actor=request.user, case_param=request.query_params.get("case"), what="media"
        )
        return response

    def retrieve(self, request, pk=None):
        item = self.get_object()
        case_viewed(actor=request.user, case=item.case, what=f"media:{item.pk}")
        return Response(self.get_serializer(item).data)

    def get_queryset(self):
        items = selectors.media_list(actor=self.request.user)
        case = self.request.query_params.get("case")
        if case:
            if not case.isdigit():
                raise serializers.ValidationError({"case": ["案件 ID 须为整数。"]})
            items = items.filter(case_id=int(case))
        return items.order_by("captured_at", "pk")


class ChunkParser(BaseParser):
    """Names the body type of a piece for the schema. The view reads the body
    itself, as a stream, and never asks DRF to parse it."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        raise InvalidInput("分块内容不经解析。")


_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _offset_refusal(exc: services.UploadOffsetError) -> Response:
    return Response(
        {"code": exc.code, "detail": exc.message, "offset": exc.offset}, status=exc.status
    )


@extend_schema_view(
    create=extend_schema(
        summary="开始上传音像记录",
        description="声明文件名、大小和音像记录信息（信息在此时校验）；返回上传地址，"
        "之后用 PUT 逐块上传，最后 POST complete。只有本案承办人员可在案件办结前上传。",
        request=UploadCreateSerializer,
        responses={201: UploadSessionSerializer},
    ),
    retrieve=extend_schema(
        summary="查询上传进度", description="offset 为已收到的字节数，即续传的起点。"
    ),
    destroy=extend_schema(summary="取消上传", description="删除已收到的内容。"),
)
class UploadViewSet(viewsets.GenericViewSet):
    serializer_class = UploadSessionSerializer
    queryset = UploadSession.objects.none()  # for the schema; reads go through ``_session``
    lookup_value_regex = "[0-9a-f-]{36}"
    pagination_class = None
    filter_backends: list = []

    def get_parsers(self):
        # A piece is read raw, by the view, as a stream: no parser may touch it.
        if getattr(getattr(self, "request", None), "method", "") == "PUT":
            return [ChunkParser()]
        return [JSONParser()]

    def _session(self, pk):
        return selectors.upload_get(actor=self.request.user, pk=pk)

    def create(self, request):
        given = UploadCreateSerializer(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        session = services.upload_begin(
            actor=request.user,
            case=fields.pop("case"),
            record=fields.pop("record"),
            filename=fields.pop("filename"),
            size=fields.pop("size"),
            **fields,
        )
        return created(UploadSessionSerializer(session, context={"request": request}).data)

    def retrieve(self, request, pk=None):
        session = self._session(pk)
        return Response(UploadSessionSerializer(session, context={"request": request}).data)

    @extend_schema(
        summary="上传一个分块",
        description="请求体为文件的一段原始字节，Content-Range: bytes 起-止/总大小；"
        "起点须等于已收到的字节数，否则返回 409 及应续传的 offset。",
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter(
                "Content-Range",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="bytes 起-止/总大小，如 bytes 0-8388607/1073741824",
            )
        ],
        responses={
            200: UploadProgressSerializer,
            409: OpenApiResponse(UploadErrorSerializer, description="起点不对或分块不完整"),
        },
    )
    def update(self, request, pk=None):
        session = self._session(pk)
        match = _CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
        if match is None:
            raise InvalidInput(
                "请在 Content-Range 中注明分块范围，如 bytes 0-8388607/总大小。",
                code="content_range_required",
            )
        first, last, total = (int(g) for g in match.groups())
        if last < first:
            raise InvalidInput("分块范围不正确。", code="bad_range")
        length = last - first + 1
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared != length:
            raise InvalidInput(
                f"请求体长度（Content-Length: {declared}）与分块范围（{length} 字节）不符。",
                code="length_mismatch",
            )
        try:
            offset = services.upload_append(
                actor=request.user,
                session=session,
                start=first,
                length=length,
                total=total,
                # The WSGI input itself (DRF's ``stream``): read piece by piece.
                stream=request.stream,
            )
        except services.UploadOffsetError as exc:
            return _offset_refusal(exc)
        return Response({"offset": offset, "size": session.size})

    def destroy(self, request, pk=None):
        services.upload_abandon(actor=request.user, session=self._session(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="完成上传",
        description="核对大小，按文件头识别类型（与扩展名不符的拒收且不保存），读取时长、"
        "生成封面帧，存入防删改存证库，登记音像记录并记入台账。",
        request=None,
        responses={
            201: MediaItemSerializer,
            409: OpenApiResponse(UploadErrorSerializer, description="尚未接收完整"),
        },
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        session = self._session(pk)
        try:
            item = services.upload_complete(actor=request.user, session=session)
        except services.UploadOffsetError as exc:
            return _offset_refusal(exc)
        return created(MediaItemSerializer(item, context={"request": request}).data)
