"""REST endpoints of remedy outcomes: reads through the case scope, each put
on record; writes through ``zhifa.remedies.services``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from zhifa.cases.api.reads import LoggedReads
from zhifa.cases.selectors import case_get
from zhifa.core.api import created, validated
from zhifa.core.errors import InvalidInput
from zhifa.remedies import selectors, services
from zhifa.remedies.models import Remedy


class RemedySerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    superseded = serializers.SerializerMethodField()
    changes_decision = serializers.BooleanField(read_only=True)

    class Meta:
        model = Remedy
        fields = [
            "id",
            "case",
            "case_number",
            "channel",
            "instance",
            "outcome",
            "body",
            "document_number",
            "filed_on",
            "decided_on",
            "summary",
            "supersedes",
            "correction_reason",
            "changes_decision",
            "superseded",
            "digest",
            "recorded_by",
            "recorded_at",
        ]

    def get_superseded(self, obj) -> bool:
        return getattr(obj, "superseded_by", None) is not None


class RemedyRecordSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Remedy.Channel.choices)
    instance = serializers.ChoiceField(
        choices=Remedy.Instance.choices, required=False, allow_blank=True, default=""
    )
    outcome = serializers.ChoiceField(choices=Remedy.Outcome.choices)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)
    document_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    supersedes = serializers.IntegerField(required=False, allow_null=True, default=None)
    correction_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255
    )


@extend_schema_view(
    list=extend_schema(
        summary="复议、诉讼及纠错结果列表",
        parameters=[
            OpenApiParameter("case", int, description="只列出该案件的登记"),
            OpenApiParameter("in_force", bool, description="只列出未被取代的登记"),
        ],
    ),
    retrieve=extend_schema(summary="复议、诉讼或纠错结果的一条登记"),
    create=extend_schema(
        summary="登记复议、诉讼或纠错结果",
        description="本机关法制机构人员或机关负责人登记；supersedes 指向被取代的登记"
        "（审理中事项的结果，或更正，更正须说明原因）。撤销、部分撤销、确认违法、"
        "变更或责令重新作出的结果，立即撤下本案已公示的行政执法决定。",
        request=RemedyRecordSerializer,
        responses={201: RemedySerializer},
    ),
)
class RemedyViewSet(
    LoggedReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RemedySerializer
    logged_as = "remedies"
    ordering_fields = ["recorded_at", "decided_on", "filed_on"]

    def get_queryset(self):
        found = selectors.remedy_list(actor=self.request.user)
        case = self.request.query_params.get("case")
        if case:
            found = found.filter(case_id=case if case.isdigit() else -1)
        if self.request.query_params.get("in_force") in ("1", "true"):
            found = found.filter(superseded_by__isnull=True)
        return found.order_by("pk")

    def get_serializer_class(self):
        return RemedyRecordSerializer if self.action == "create" else RemedySerializer

    def create(self, request, *args, **kwargs):
        data = validated(self)
        case = case_get(actor=request.user, pk=data.pop("case"))
        supersedes = data.pop("supersedes")
        if supersedes is not None:
            supersedes = Remedy.objects.filter(pk=supersedes, case=case).first()
            if supersedes is None:
                raise InvalidInput("要取代的登记不属于本案。", code="remedy_other_case")
        remedy = services.remedy_record(
            actor=request.user, case=case, supersedes=supersedes, **data
        )
        body = RemedySerializer(remedy).data
        body["withdrawn_disclosures"] = [t.disclosure_id for t in remedy.withdrawn]
        return created(body)
