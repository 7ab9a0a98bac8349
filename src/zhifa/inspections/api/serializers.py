"""Serializers of the 双随机、一公开 REST door (INS-01, INS-02)."""

from __future__ import annotations

from datetime import date

from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.accounts.selectors import agency_list, officer_list
from zhifa.catalogues.selectors import matter_list as catalogue_matter_list
from zhifa.inspections import selectors
from zhifa.inspections.models import Conflict as ConflictOfInterest
from zhifa.inspections.models import (
    Inspection,
    InspectionMatter,
    InspectionResult,
    InspectionTarget,
    Plan,
    PoolMember,
    ResultReview,
)


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class InspectionMatterSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = InspectionMatter
        fields = [
            "id",
            "agency",
            "agency_name",
            "matter",
            "code",
            "name",
            "basis",
            "content",
            "method",
            "category",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class InspectionMatterCreateSerializer(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(
        selector=agency_list, required=False, help_text="执法主体 ID；不填时为本人所属机关"
    )
    matter = ScopedPrimaryKeyRelatedField(
        selector=catalogue_matter_list,
        required=False,
        allow_null=True,
        default=None,
        help_text="执法事项清单中对应的行政检查事项 ID（可选）",
    )
    code = serializers.CharField(max_length=_max(InspectionMatter, "code"), allow_blank=True)
    name = serializers.CharField(max_length=_max(InspectionMatter, "name"), allow_blank=True)
    basis = serializers.CharField(allow_blank=True)
    category = serializers.CharField(
        max_length=_max(InspectionMatter, "category"), allow_blank=True
    )
    content = serializers.CharField(allow_blank=True, required=False, default="")
    method = serializers.CharField(
        max_length=_max(InspectionMatter, "method"), allow_blank=True, required=False, default=""
    )


class InspectionTargetSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = InspectionTarget
        fields = [
            "id",
            "matter",
            "kind",
            "kind_display",
            "name",
            "credit_code",
            "address",
            "category",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class InspectionTargetCreateSerializer(serializers.Serializer):
    matter = ScopedPrimaryKeyRelatedField(selector=selectors.matter_list, help_text="抽查事项 ID")
    kind = serializers.ChoiceField(InspectionTarget.Kind.choices)
    name = serializers.CharField(max_length=_max(InspectionTarget, "name"), allow_blank=True)
    credit_code = serializers.CharField(max_length=32, allow_blank=True, required=False, default="")
    address = serializers.CharField(
        max_length=_max(InspectionTarget, "address"), allow_blank=True, required=False, default=""
    )
    category = serializers.CharField(
        max_length=_max(InspectionTarget, "category"), allow_blank=True, required=False, default=""
    )


class PoolMemberSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)

    class Meta:
        model = PoolMember
        fields = ["id", "matter", "officer", "officer_name", "is_active", "added_at"]
        read_only_fields = fields


class PoolMemberCreateSerializer(serializers.Serializer):
    matter = ScopedPrimaryKeyRelatedField(selector=selectors.matter_list, help_text="抽查事项 ID")
    officer = ScopedPrimaryKeyRelatedField(selector=officer_list, help_text="人员 ID")


class ConflictSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)

    class Meta:
        model = ConflictOfInterest
        fields = ["id", "officer", "officer_name", "target", "reason", "declared_at"]
        read_only_fields = fields


class ConflictCreateSerializer(serializers.Serializer):
    officer = ScopedPrimaryKeyRelatedField(selector=officer_list, help_text="检查人员 ID")
    target = ScopedPrimaryKeyRelatedField(selector=selectors.target_list, help_text="检查对象 ID")
    reason = serializers.CharField(allow_blank=True, help_text="回避理由")


# The frequency window of a plan and what it left out of the draw (INS-01); a
# comment, not a docstring, so that it does not become the schema's description.
class FrequencyFields(serializers.Serializer):
    window_start = serializers.SerializerMethodField(help_text="抽查频次周期的第一天；一次性为空")
    window_end = serializers.SerializerMethodField(help_text="抽查频次周期的最后一天；一次性为空")
    excluded_count = serializers.IntegerField(
        read_only=True, help_text="因抽查频次排除的、本周期内已抽中的检查对象户数"
    )
    exclusion_note = serializers.SerializerMethodField(help_text="排除的说明")

    def get_window_start(self, plan) -> date | None:
        window = plan.frequency_window
        return None if window is None else window[0]

    def get_window_end(self, plan) -> date | None:
        window = plan.frequency_window
        return None if window is None else window[1]

    def get_exclusion_note(self, plan) -> str:
        count = getattr(plan, "excluded_count", 0)
        return plan.exclusion_note(count) if count else ""


FREQUENCY_FIELDS = ["window_start", "window_end", "excluded_count", "excluded_digest"]


class PlanSerializer(FrequencyFields, serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    matter_name = serializers.CharField(source="matter.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    drawn_count = serializers.IntegerField(read_only=True)
    nonce = serializers.SerializerMethodField(help_text="抽取前不公开")

    class Meta:
        model = Plan
        fields = [
            "id",
            "agency",
            "agency_name",
            "matter",
            "matter_name",
            "name",
            "ratio_percent",
            "count",
            "frequency",
            "period_start",
            "period_end",
            "inspectors_per_target",
            "status",
            "status_display",
            "committed_at",
            "beacon_source",
            "targets_digest",
            "inspectors_digest",
            "conflicts_digest",
            *FREQUENCY_FIELDS,
            "exclusion_note",
            "commitment",
            "nonce",
            "drawn_at",
            "beacon_value",
            "seed",
            "result_digest",
            "drawn_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_nonce(self, plan) -> str:
        return plan.nonce if plan.status == Plan.Status.DRAWN else ""


class PlanCreateSerializer(serializers.Serializer):
    matter = ScopedPrimaryKeyRelatedField(selector=selectors.matter_list, help_text="抽查事项 ID")
    name = serializers.CharField(max_length=_max(Plan, "name"), allow_blank=True)
    ratio_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None
    )
    count = serializers.IntegerField(required=False, allow_null=True, default=None)
    frequency = serializers.ChoiceField(Plan.Frequency.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    inspectors_per_target = serializers.IntegerField(required=False, allow_null=True, default=None)


class CommitSerializer(serializers.Serializer):
    beacon_source = serializers.CharField(
        allow_blank=True, help_text="将采用的、尚未产生的公开随机数，如某期彩票开奖号码"
    )


class DrawSerializer(serializers.Serializer):
    beacon_value = serializers.CharField(allow_blank=True, help_text="已公布的公开随机数原文")


class CheckSerializer(serializers.Serializer):
    label = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class ResultSerializer(serializers.ModelSerializer):
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = InspectionResult
        fields = [
            "id",
            "checked_on",
            "outcome",
            "outcome_display",
            "detail",
            "follow_up",
            "completed_on",
            "entered_at",
            "review",
        ]
        read_only_fields = fields

    def get_review(self, result) -> dict | None:
        review = result.reviews.first()
        if review is None:
            return None
        return {
            "decision": review.decision,
            "opinion": review.opinion,
            "reviewed_at": review.reviewed_at,
        }


class InspectionSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True)
    credit_code = serializers.CharField(source="target.credit_code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    inspectors = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "plan",
            "order",
            "target",
            "target_name",
            "credit_code",
            "status",
            "status_display",
            "inspectors",
            "published_at",
        ]
        read_only_fields = fields

    def get_inspectors(self, inspection) -> list[dict]:
        return [{"id": a.officer_id, "name": a.officer.name} for a in inspection.assignments.all()]


class InspectionDetailSerializer(InspectionSerializer):
    results = ResultSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "results"]
        read_only_fields = fields


class ResultEnterSerializer(serializers.Serializer):
    checked_on = serializers.DateField()
    outcome = serializers.ChoiceField(InspectionResult.Outcome.choices)
    detail = serializers.CharField(allow_blank=True, required=False, default="")
    follow_up = serializers.CharField(allow_blank=True, required=False, default="")
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(ResultReview.Decision.choices)
    opinion = serializers.CharField(allow_blank=True, required=False, default="")


class PublicDrawSerializer(FrequencyFields, serializers.ModelSerializer):
    """The public record of one draw: the commitment before, the reveal after."""

    agency_name = serializers.CharField(source="agency.name")
    matter_name = serializers.CharField(source="matter.name")
    matter_code = serializers.CharField(source="matter.code")
    status_display = serializers.CharField(source="get_status_display")
    drawn_count = serializers.IntegerField()
    nonce = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "agency_name",
            "matter_code",
            "matter_name",
            "name",
            "ratio_percent",
            "count",
            "frequency",
            "period_start",
            "period_end",
            "inspectors_per_target",
            "status",
            "status_display",
            "committed_at",
            "beacon_source",
            "targets_digest",
            "inspectors_digest",
            "conflicts_digest",
            *FREQUENCY_FIELDS,
            "exclusion_note",
            "commitment",
            "drawn_at",
            "nonce",
            "beacon_value",
            "seed",
            "result_digest",
            "drawn_count",
        ]
        read_only_fields = fields

    def get_nonce(self, plan) -> str:
        # Secret until the draw is recorded: with it, anyone could compute the
        # draw from the public random value before the agency does.
        return plan.nonce if plan.status == Plan.Status.DRAWN else ""
