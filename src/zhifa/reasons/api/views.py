"""REST endpoints for reasons (RSN-01 … RSN-06, INF-03).

Every read goes through the case scope (a case the actor may not see is a
404) and is put on record with ``case_viewed``; every write through
``zhifa.reasons.services``.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.cases.api.reads import LoggedReads
from zhifa.cases.selectors import case_get, case_list
from zhifa.cases.services import case_viewed
from zhifa.catalogues.benchmarks import band_suggest
from zhifa.catalogues.models import DiscretionBenchmark, FactorEffect
from zhifa.core.api import created
from zhifa.core.errors import InvalidInput
from zhifa.reasons import selectors, services
from zhifa.reasons.models import (
    DetailedGround,
    OralReasons,
    Reasons,
    ReasonsExemption,
    ReasonsRequest,
)
from zhifa.reasons.similar import similar_decisions


def _case(request, pk):
    if pk in (None, "") or not str(pk).isdigit():
        raise InvalidInput("请指定案件。", code="case_required")
    return case_get(actor=request.user, pk=int(pk))


class ReasonsSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    saved_by = serializers.CharField(source="saved_by.username", read_only=True)

    class Meta:
        model = Reasons
        fields = ["id", "case", "case_number", "number", "content", "note", "saved_by", "saved_at"]


class ReasonsSaveSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    content = serializers.JSONField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="说明理由版本列表",
        parameters=[OpenApiParameter("case", int, description="只列出该案件的版本")],
    ),
    retrieve=extend_schema(summary="说明理由某一版本"),
    create=extend_schema(
        summary="保存说明理由（新版本）",
        description="事实认定、证据采信、依据选择、裁量理由及对当事人意见的答复；"
        "保存后返回检查结果，阻断性问题未解决前不能制作处罚决定书。",
        request=ReasonsSaveSerializer,
        responses={201: ReasonsSerializer},
    ),
)
class ReasonsViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReasonsSerializer
    logged_as = "reasons"
    ordering_fields = ["saved_at", "number"]

    def get_queryset(self):
        found = Reasons.objects.filter(case__in=case_list(actor=self.request.user).values("pk"))
        case = self.request.query_params.get("case")
        if case:
            found = found.filter(case_id=case if case.isdigit() else -1)
        return found.select_related("case", "saved_by")

    def get_serializer_class(self):
        return ReasonsSaveSerializer if self.action == "create" else ReasonsSerializer

    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        case = _case(request, data["case"])
        version = services.reasons_save(
            actor=request.user, case=case, content=data["content"], note=data["note"]
        )
        findings = selectors.case_findings(case, version.content, actor=request.user)
        return created(
            {**ReasonsSerializer(version).data, "findings": [f.as_dict() for f in findings]}
        )

    @extend_schema(summary="检查说明理由（RSN-04）", responses={200: dict})
    @action(detail=True, methods=["get"])
    def check(self, request, pk=None):
        version = self.get_object()
        case_viewed(actor=request.user, case=version.case, what=f"reasons:{version.pk}:check")
        findings = selectors.case_findings(version.case, version.content, actor=request.user)
        return Response(
            {
                "blocking": sum(f.blocking for f in findings),
                "findings": [f.as_dict() for f in findings],
            }
        )

    @extend_schema(
        summary="裁量辅助：建议阶次和幅度、适用条文、同类案件（INF-03）",
        parameters=[
            OpenApiParameter("case", int, required=True),
            OpenApiParameter("benchmark", int),
            OpenApiParameter("amount_involved", str, description="涉案金额（元）"),
            OpenApiParameter("effects", str, description="情节效果，逗号分隔：mitigating,…"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def assist(self, request):
        case = _case(request, request.query_params.get("case"))
        case_viewed(actor=request.user, case=case, what="reasons:assist")
        out: dict = {"suggestion": None}
        bench_id = request.query_params.get("benchmark")
        bench = None
        if bench_id and bench_id.isdigit():
            bench = DiscretionBenchmark.objects.filter(pk=bench_id, agency=case.agency).first()
        if bench is None:
            from zhifa.catalogues.benchmarks import benchmark_in_force

            bench = benchmark_in_force(
                agency=case.agency, on=timezone.localdate(), matter=case.matter
            )
        if bench is not None:
            effects = [
                e
                for e in request.query_params.get("effects", "").split(",")
                if e in FactorEffect.values
            ]
            out["suggestion"] = band_suggest(
                bench, amount_involved=request.query_params.get("amount_involved"), effects=effects
            ).as_dict()
        out["similar"] = [s.as_dict() for s in similar_decisions(case, actor=request.user)]
        return Response(out)


# --- Requests, exemptions, oral reasons ------------------------------------------------


class RequestSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    instrument_number = serializers.CharField(
        source="instrument.number", read_only=True, default=None, help_text="说明理由书文号"
    )

    class Meta:
        model = ReasonsRequest
        fields = [
            "id",
            "case",
            "requester",
            "contact",
            "channel",
            "content",
            "requested_on",
            "deadline",
            "deadline_provisional",
            "answered_on",
            "answer",
            "overdue",
            "instrument",
            "instrument_number",
            "decision_number",
            "tracking_number",
        ]
        read_only_fields = [
            "deadline",
            "deadline_provisional",
            "answered_on",
            "answer",
            "instrument",
            "tracking_number",
        ]
        extra_kwargs = {"requested_on": {"required": False}}

    def get_overdue(self, obj) -> bool:
        today = timezone.localdate()
        return (obj.answered_on or today) > obj.deadline


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    answered_on = serializers.DateField(required=False)


@extend_schema_view(
    list=extend_schema(summary="说明理由申请列表"),
    retrieve=extend_schema(summary="说明理由申请详情"),
    create=extend_schema(summary="登记说明理由申请（7日内书面答复）"),
)
class ReasonsRequestViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RequestSerializer
    logged_as = "reasons_request"
    ordering_fields = ["deadline", "requested_on"]

    def get_queryset(self):
        found = selectors.request_list(actor=self.request.user)
        if self.request.query_params.get("overdue") == "1":
            found = found.filter(answered_on__isnull=True, deadline__lt=timezone.localdate())
        return found

    def create(self, request):
        given = RequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        case = _case(request, data.pop("case").pk)
        made = services.reasons_request_register(actor=request.user, case=case, **data)
        return created(RequestSerializer(made).data)

    @extend_schema(summary="书面答复说明理由申请", request=AnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        given = AnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        done = services.reasons_request_answer(
            actor=request.user, request=self.get_object(), **given.validated_data
        )
        return Response(RequestSerializer(done).data)


class ExemptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReasonsExemption
        fields = [
            "id",
            "case",
            "ground",
            "explanation",
            "recorded_at",
            "cancelled_at",
            "objector",
            "cancellation",
        ]
        read_only_fields = ["recorded_at", "cancelled_at", "objector", "cancellation"]


class ObjectionSerializer(serializers.Serializer):
    objector = serializers.CharField()
    objection = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="不说明理由情形列表"),
    retrieve=extend_schema(summary="不说明理由情形详情"),
    create=extend_schema(summary="记录不说明理由的情形（RSN-06）"),
)
class ExemptionViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ExemptionSerializer
    logged_as = "reasons_exemption"

    def get_queryset(self):
        return ReasonsExemption.objects.filter(
            case__in=case_list(actor=self.request.user).values("pk")
        )

    def create(self, request):
        given = ExemptionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        case = _case(request, data.pop("case").pk)
        made = services.exemption_record(actor=request.user, case=case, **data)
        return created(ExemptionSerializer(made).data)

    @extend_schema(summary="第三人提出异议（撤销“有利于当事人”情形）", request=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        given = ObjectionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        done = services.exemption_object(
            actor=request.user, exemption=self.get_object(), **given.validated_data
        )
        return Response(ExemptionSerializer(done).data)


class OralSerializer(serializers.ModelSerializer):
    class Meta:
        model = OralReasons
        fields = [
            "id",
            "case",
            "given_at",
            "facts",
            "basis",
            "reasons",
            "party_statement",
            "av_reference",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]


@extend_schema_view(
    list=extend_schema(summary="口头说明理由记录列表"),
    retrieve=extend_schema(summary="口头说明理由记录"),
    create=extend_schema(summary="记录简易程序口头说明理由（RSN-05）"),
)
class OralReasonsViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = OralSerializer
    logged_as = "oral_reasons"

    def get_queryset(self):
        return OralReasons.objects.filter(case__in=case_list(actor=self.request.user).values("pk"))

    def create(self, request):
        given = OralSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        case = _case(request, data.pop("case").pk)
        made = services.oral_reasons_record(actor=request.user, case=case, **data)
        return created(OralSerializer(made).data)


class GroundSerializer(serializers.ModelSerializer):
    class Meta:
        model = DetailedGround
        fields = ["id", "case", "ground", "note", "recorded_at", "withdrawn_at", "withdrawal"]
        read_only_fields = ["recorded_at", "withdrawn_at", "withdrawal"]


class WithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="须详细说明理由的情形列表"),
    retrieve=extend_schema(summary="须详细说明理由的情形详情"),
    create=extend_schema(summary="记录须详细说明理由的情形（RSN-02）"),
)
class GroundViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = GroundSerializer
    logged_as = "reasons_ground"

    def get_queryset(self):
        return DetailedGround.objects.filter(
            case__in=case_list(actor=self.request.user).values("pk")
        )

    def create(self, request):
        given = GroundSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        case = _case(request, data.pop("case").pk)
        made = services.detailed_ground_record(actor=request.user, case=case, **data)
        return created(GroundSerializer(made).data)

    @extend_schema(summary="撤回须详细说明理由的情形", request=WithdrawalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        given = WithdrawalSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        done = services.detailed_ground_withdraw(
            actor=request.user, ground=self.get_object(), **given.validated_data
        )
        return Response(GroundSerializer(done).data)
