"""REST endpoints of the supervision platform: the dashboard's watch-item counts
(SUP-01) and the early-warning findings (SUP-05), read-only. The scope is the
workbench's (``selectors.supervision_scope``): out of scope is a 404 through
``zhifa.core.api.exception_handler``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.core.errors import InvalidInput
from zhifa.supervision import assessment, dashboard, early_warning, selectors, services
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


class IndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    numerator = serializers.FloatField()
    denominator = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="百分制；无数据为 null")


class AssessmentSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency.pk")
    agency_name = serializers.CharField(source="agency.name")
    year = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    corrected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    indicators = serializers.SerializerMethodField()

    def get_indicators(self, obj) -> list[dict]:
        return IndicatorSerializer(list(obj.indicators.values()), many=True).data


class AssessmentViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="考核排名",
        description="各执法主体某年度的考核指标、综合得分与名次（SUP-03），按数据计算。",
        parameters=[AGENCY, OpenApiParameter("year", int, required=True)],
        responses={200: AssessmentSerializer(many=True)},
    )
    def list(self, request):
        scope = _scope(request)
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            raise InvalidInput("请给出年度（year）。", code="year") from None
        rows = assessment.ranking(scope.agencies, year)
        return Response(AssessmentSerializer(rows, many=True).data)


class RectificationNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    evaluation = serializers.IntegerField(source="evaluation_id")
    case = serializers.IntegerField(source="file.case_id", allow_null=True, default=None)
    content = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.CharField()
    reply = serializers.CharField()
    review_comment = serializers.CharField()


class RectificationReplySerializer(serializers.Serializer):
    reply = serializers.CharField()


class NoticeViewSet(viewsets.ViewSet):
    @extend_schema(summary="整改通知", responses={200: RectificationNoticeSerializer(many=True)})
    def list(self, request):
        return Response(
            RectificationNoticeSerializer(selectors.notice_list(actor=request.user), many=True).data
        )

    @extend_schema(
        summary="报送整改情况",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=RectificationReplySerializer,
        responses={200: RectificationNoticeSerializer},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        notice = selectors.notice_get(actor=request.user, pk=pk)
        body = RectificationReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice = services.notice_reply(
            actor=request.user, notice=notice, reply=body.validated_data["reply"]
        )
        return Response(RectificationNoticeSerializer(notice).data)


class SupervisionFilingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    kind = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    filed_at = serializers.DateTimeField()
    comment = serializers.CharField()
    file_sha256 = serializers.CharField(source="file.sha256", allow_null=True, default=None)


class FilingViewSet(viewsets.ViewSet):
    @extend_schema(summary="备案", responses={200: SupervisionFilingSerializer(many=True)})
    def list(self, request):
        return Response(
            SupervisionFilingSerializer(selectors.filing_list(actor=request.user), many=True).data
        )
