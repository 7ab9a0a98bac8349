"""REST endpoints for the 执法事项清单 (PUB-02).

Reads come from ``matter_list(actor=...)``, so another agency's matter is a
404; writes go through ``matter_create`` / ``matter_update``, which decide who
may write and what is valid.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from zhifa.accounts.selectors import officer_of
from zhifa.catalogues import services
from zhifa.catalogues.api.serializers import (
    MatterCreateSerializer,
    MatterSerializer,
    MatterUpdateSerializer,
)
from zhifa.catalogues.selectors import matter_list
from zhifa.core.api import created


@extend_schema_view(
    list=extend_schema(summary="执法事项列表"),
    retrieve=extend_schema(summary="执法事项详情"),
    create=extend_schema(
        summary="新增执法事项",
        description="由执法主体的机关管理员新增；系统管理员须指定执法主体。",
        request=MatterCreateSerializer,
        responses={201: MatterSerializer},
    ),
    partial_update=extend_schema(
        summary="修改执法事项",
        description="项目编码不可修改；停用事项请将 is_active 设为 false。",
        request=MatterUpdateSerializer,
        responses={200: MatterSerializer},
    ),
)
class MatterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # No DELETE: cases refer to matters, so a matter is retired with is_active
    # instead. No PUT: every change goes field by field through matter_update.
    search_fields = ["code", "name", "legal_basis", "agency__name", "unit__name"]
    ordering_fields = ["code", "name", "action_kind", "agency__name", "time_limit_days"]

    def get_queryset(self):
        return matter_list(actor=self.request.user)

    def get_serializer_class(self):
        return {
            "create": MatterCreateSerializer,
            "partial_update": MatterUpdateSerializer,
        }.get(self.action, MatterSerializer)

    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        agency = fields.pop("agency", None)
        if agency is None:
            officer = officer_of(request.user)
            if officer is None:
                raise serializers.ValidationError({"agency": ["请指定执法主体。"]})
            agency = officer.agency
        matter = services.matter_create(actor=request.user, agency=agency, **fields)
        return created(MatterSerializer(matter, context=self.get_serializer_context()).data)

    def partial_update(self, request, pk=None):
        matter = self.get_object()
        given = self.get_serializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        matter = services.matter_update(actor=request.user, matter=matter, **given.validated_data)
        return Response(MatterSerializer(matter, context=self.get_serializer_context()).data)
