"""REST endpoints of the supervision platform: the dashboard's watch-item counts
(SUP-01) and the early-warning findings (SUP-05), read-only. The scope is the
workbench's (``selectors.supervision_scope``): out of scope is a 404 through
``zhifa.core.api.exception_handler``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from zhifa.supervision import dashboard, early_warning
from zhifa.supervision.selectors import supervision_scope

AGENCY = OpenApiParameter(
    "agency", int, description="执法主体 ID；司法局人员不填则为全区域", required=False
)


class WatchCountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    requirement = serializers.CharField()
    level = serializers.CharField(help_text="overdue：已逾期或不达标；at_risk：临近期限")
    count = serializers.IntegerField()


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    key = serializers.CharField()
    subject = serializers.CharField()
    detail = serializers.CharField()
    case_ids = serializers.ListField(child=serializers.IntegerField())


def _scope(request):
    return supervision_scope(actor=request.user, agency=request.query_params.get("agency"))


class WatchCountViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="督办事项计数",
        description="司法局人员看本区域或其中一个执法主体，机关负责人看本机关；其他人 404。",
        parameters=[AGENCY],
        responses={200: WatchCountSerializer(many=True)},
    )
    def list(self, request):
        rows = [
            {
                "key": c.item.key,
                "label": c.item.label,
                "requirement": c.item.requirement,
                "level": c.item.level,
                "count": c.count,
            }
            for c in dashboard.watch_counts(_scope(request))
        ]
        return Response(WatchCountSerializer(rows, many=True).data)


class FindingViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="执法预警",
        description="按阈值配置（ZHIFA_SUPERVISION_*）得出的预警，每项列出所涉案件 ID。",
        parameters=[AGENCY],
        responses={200: FindingSerializer(many=True)},
    )
    def list(self, request):
        findings = early_warning.findings(_scope(request))
        return Response(FindingSerializer(findings, many=True).data)
