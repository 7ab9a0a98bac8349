"""The public, read-only API of published items (PUB-12): anonymous, the same
selector as the portal's list, with its filters (q, agency, category, from,
to, amount_min, amount_max). And the agency's publication work (PUB-13):
submitting an item, and the legal unit publishing or withholding it, through
the same services as the workbench."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from zhifa.disclosures import selectors, services
from zhifa.disclosures.api.serializers import (
    DisclosureWithholdSerializer,
    DisclosureWorkItemSerializer,
    PublishedItemSerializer,
)

FILTERS = [
    OpenApiParameter("q", str, description="关键词（中文全文检索）"),
    OpenApiParameter("agency", int, description="执法主体 ID"),
    OpenApiParameter("category", str, description="执法类别，如 penalty、licensing"),
    OpenApiParameter("from", str, description="决定日期起（YYYY-MM-DD）"),
    OpenApiParameter("to", str, description="决定日期止（YYYY-MM-DD）"),
    OpenApiParameter("amount_min", str, description="罚款金额下限（元）"),
    OpenApiParameter("amount_max", str, description="罚款金额上限（元）"),
]


class PublicPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(summary="已公示的行政执法信息", parameters=FILTERS),
    retrieve=extend_schema(summary="一条已公示的行政执法信息"),
)
class PublishedItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = PublishedItemSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    filter_backends: list = []
    pagination_class = PublicPagination

    def get_queryset(self):
        filters = selectors.DecisionFilters.from_params(self.request.query_params)
        return selectors.published_decisions(filters)


@extend_schema_view(
    list=extend_schema(summary="本机关的公示信息（含草稿与待法制审核）"),
    retrieve=extend_schema(summary="一条公示信息及其状态"),
)
class WorkItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The items the requester may see in the publication workbench; outside
    that scope: 404."""

    serializer_class = DisclosureWorkItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.disclosure_list(actor=self.request.user)

    def _done(self, item) -> Response:
        return Response(DisclosureWorkItemSerializer(item).data)

    @extend_schema(
        summary="提交法制审核", request=None, responses={200: DisclosureWorkItemSerializer}
    )
    @action(detail=True, methods=["post"], url_path="submit", url_name="submit")
    def submit(self, request, pk=None):
        return self._done(
            services.disclosure_submit(actor=request.user, disclosure=self.get_object())
        )

    @extend_schema(
        summary="审核通过并公示",
        description="本机关法制机构人员核对公开版后公示；拟稿人和提交人本人不能公示"
        "（ZHIFA_DISCLOSURE_FOUR_EYES，默认开启）。",
        request=None,
        responses={200: DisclosureWorkItemSerializer},
    )
    @action(detail=True, methods=["post"], url_path="publish", url_name="publish")
    def publish(self, request, pk=None):
        return self._done(
            services.disclosure_publish(actor=request.user, disclosure=self.get_object())
        )

    @extend_schema(
        summary="决定不予公开",
        description="写明不公开依据；与公示相同，拟稿人和提交人本人不能决定。",
        request=DisclosureWithholdSerializer,
        responses={200: DisclosureWorkItemSerializer},
    )
    @action(detail=True, methods=["post"], url_path="withhold", url_name="withhold")
    def withhold(self, request, pk=None):
        given = DisclosureWithholdSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        item = services.disclosure_withhold(
            actor=request.user, disclosure=self.get_object(), ground=given.validated_data["ground"]
        )
        return self._done(item)
