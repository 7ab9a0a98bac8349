"""The public, read-only API of published items (PUB-12): anonymous, the same
selector as the portal's list, with its filters (q, agency, category, from,
to, amount_min, amount_max)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from zhifa.disclosures import selectors
from zhifa.disclosures.api.serializers import PublishedItemSerializer

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
