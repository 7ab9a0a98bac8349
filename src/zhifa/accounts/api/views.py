"""REST endpoints for agencies, units, officers and credentials (ORG-01).

Every queryset comes from a selector called with the requesting user, so an
object outside the user's scope is a 404, exactly like one that does not
exist. Writes call the services and return what they made; a ``ZhifaError``
becomes its HTTP status in ``zhifa.core.api.exception_handler``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.accounts import selectors, services
from zhifa.accounts.api.serializers import (
    AgencySerializer,
    CredentialSerializer,
    CredentialStatusSerializer,
    OfficerSerializer,
    UnitSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="执法主体列表", description="本人可见的执法主体（含内设机构）。"),
    retrieve=extend_schema(summary="执法主体详情"),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    search_fields = ["name", "short_name", "credit_code", "region__name", "region__code"]
    ordering_fields = ["name", "region__code", "kind", "domain", "created_at"]

    def get_queryset(self):
        return selectors.agency_list(actor=self.request.user).prefetch_related("units")


@extend_schema_view(
    list=extend_schema(summary="内设机构列表"),
    retrieve=extend_schema(summary="内设机构详情"),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    search_fields = ["name", "agency__name"]
    ordering_fields = ["name", "agency__name", "kind"]

    def get_queryset(self):
        return selectors.unit_list(actor=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="人员列表", description="不含居民身份证号码。"),
    retrieve=extend_schema(summary="人员详情"),
)
class OfficerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OfficerSerializer
    search_fields = ["name", "post", "agency__name", "unit__name"]
    ordering_fields = ["name", "agency__name", "unit__name", "training_hours"]

    def get_queryset(self):
        return selectors.officer_list(actor=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="执法证件列表"),
    retrieve=extend_schema(summary="执法证件详情"),
)
class CredentialViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CredentialSerializer
    search_fields = ["number", "officer__name", "officer__agency__name", "issuer", "categories"]
    ordering_fields = ["number", "issued_on", "valid_until", "status", "officer__name"]

    def get_queryset(self):
        return selectors.credential_list(actor=self.request.user)

    @extend_schema(
        summary="变更证件状态",
        description="暂扣、注销或恢复执法证件，须说明理由；仅限该地区司法局执法监督人员。",
        request=CredentialStatusSerializer,
        responses={200: CredentialSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="status",
        url_name="status",
        serializer_class=CredentialStatusSerializer,
    )
    def set_status(self, request, pk=None):
        credential = self.get_object()
        change = self.get_serializer(data=request.data)
        change.is_valid(raise_exception=True)
        credential = services.credential_set_status(
            actor=request.user, credential=credential, **change.validated_data
        )
        return Response(
            CredentialSerializer(credential, context=self.get_serializer_context()).data
        )
