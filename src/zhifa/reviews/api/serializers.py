"""How the legal review looks on the REST door. Request serializers check only
the shape of the input; ``zhifa.reviews.services`` decides what is allowed."""

from __future__ import annotations

from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.accounts.selectors import agency_list, officer_list
from zhifa.cases.api.serializers import Base64ImageField
from zhifa.cases.selectors import case_list
from zhifa.catalogues.selectors import matter_list
from zhifa.reviews.models import (
    AdviserOpinion,
    AmountOf,
    CatalogueFiling,
    CollectiveDeliberation,
    Forwarding,
    LegalReview,
    MajorDecisionRule,
    Material,
    Opinion,
    OpinionResponse,
    Participant,
    PartyType,
    PenaltyKind,
    PreliminaryReview,
    ReviewPause,
    Submission,
    Trait,
)


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MajorDecisionRule
        fields = [
            "id",
            "agency",
            "code",
            "version",
            "name",
            "action_kind",
            "matter",
            "penalty_kinds",
            "traits",
            "party_type",
            "amount_of",
            "amount_threshold",
            "amount_inclusive",
            "hearing_required",
            "effective_from",
            "ends_on",
            "basis",
            "created_at",
        ]
        read_only_fields = fields


class RuleInputSerializer(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(selector=agency_list, required=False)
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=255)
    effective_from = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    action_kind = serializers.CharField(required=False, allow_blank=True, default="")
    matter = ScopedPrimaryKeyRelatedField(selector=matter_list, required=False, allow_null=True)
    penalty_kinds = serializers.ListField(
        child=serializers.ChoiceField(PenaltyKind.choices), required=False, default=list
    )
    traits = serializers.ListField(
        child=serializers.ChoiceField(Trait.choices), required=False, default=list
    )
    party_type = serializers.ChoiceField(PartyType.choices, default=PartyType.ANY)
    amount_of = serializers.ChoiceField(AmountOf.choices, default=AmountOf.FINE)
    amount_threshold = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    amount_inclusive = serializers.BooleanField(default=True)
    hearing_required = serializers.BooleanField(default=False)
    basis = serializers.CharField(required=False, allow_blank=True, default="")


class EndSerializer(serializers.Serializer):
    ends_on = serializers.DateField()


class PauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPause
        fields = ["id", "kind", "reason", "starts_on", "ends_on"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpinionResponse
        fields = ["kind", "reasons", "made_by_name", "made_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="submission.case_id", read_only=True)
    round = serializers.IntegerField(source="submission.round", read_only=True)
    response = serializers.SerializerMethodField()

    class Meta:
        model = LegalReview
        fields = [
            "id",
            "submission",
            "case",
            "round",
            "reviewer_name",
            "opinion",
            "text",
            "findings",
            "adviser_opinions",
            "decided_at",
            "within_limit",
            "copy_handler",
            "copy_archive",
            "response",
        ]
        read_only_fields = fields

    def get_response(self, obj) -> dict | None:
        response = getattr(obj, "response", None)
        return ResponseSerializer(response).data if response else None


class SubmissionSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    pauses = PauseSerializer(many=True, read_only=True)
    advisers = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "case",
            "case_number",
            "round",
            "kind",
            "state",
            "urgent",
            "materials",
            "note",
            "re_review_reasons",
            "reasons_for_major",
            "decision_record",
            "late_warning",
            "submitted_by_name",
            "submitted_at",
            "reviewer_name",
            "returned_at",
            "returned_missing",
            "supplemented_at",
            "refused_at",
            "refusal_reasons",
            "notice",
            "complete_on",
            "limit_days",
            "extension_days",
            "extension_reason",
            "extension_approved_by_name",
            "due_on",
            "pauses",
            "advisers",
            "review",
        ]
        read_only_fields = fields

    def get_advisers(self, obj) -> list[dict]:
        return AdviserSerializer(obj.advisers.all(), many=True).data

    def get_review(self, obj) -> dict | None:
        review = getattr(obj, "review", None)
        return ReviewSerializer(review).data if review else None


class SubmitSerializer(serializers.Serializer):
    case = ScopedPrimaryKeyRelatedField(selector=case_list)
    materials = serializers.DictField(child=serializers.CharField(allow_blank=True))
    urgent = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CheckSerializer(serializers.Serializer):
    missing = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MaterialsSupplementSerializer(serializers.Serializer):
    materials = serializers.DictField(child=serializers.CharField(allow_blank=True))


class PauseStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ReviewPause.Kind.choices)
    reason = serializers.CharField()
    starts_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="中止开始日期，缺省为今天；审核已超期的，只能自今天起中止",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    point = serializers.CharField()
    finding = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    opinion = serializers.ChoiceField(Opinion.choices)
    text = serializers.CharField()
    findings = FindingSerializer(many=True)
    adviser_opinions = serializers.CharField(required=False, allow_blank=True, default="")


class RespondSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(OpinionResponse.Kind.choices)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["name", "post", "view", "vote", "signed_at"]
        read_only_fields = fields


class DeliberationSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = CollectiveDeliberation
        fields = [
            "id",
            "case",
            "review",
            "held_at",
            "place",
            "chair",
            "attendees",
            "recorder",
            "handler_report",
            "proposal",
            "review_opinion",
            "outcome",
            "decision",
            "follows_review",
            "difference",
            "votes_for",
            "votes_against",
            "participants",
            "minutes",
            "recorded_at",
        ]
        read_only_fields = fields


class ParticipantInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    post = serializers.CharField(required=False, allow_blank=True, default="")
    view = serializers.CharField()
    vote = serializers.ChoiceField(Participant.Vote.choices)
    signature = Base64ImageField(
        required=False,
        allow_blank=True,
        default="",
        help_text="签名图像：PNG 或 JPEG 图片的 base64 编码",
    )
    signed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    officer = ScopedPrimaryKeyRelatedField(
        selector=officer_list, required=False, allow_null=True, default=None
    )


class DeliberationInputSerializer(serializers.Serializer):
    case = ScopedPrimaryKeyRelatedField(selector=case_list)
    held_at = serializers.DateTimeField()
    place = serializers.CharField()
    chair = serializers.CharField()
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    recorder = serializers.CharField()
    handler_report = serializers.CharField()
    proposal = serializers.CharField()
    outcome = serializers.ChoiceField(CollectiveDeliberation.Outcome.choices)
    decision = serializers.CharField()
    difference = serializers.CharField(required=False, allow_blank=True, default="")
    participants = ParticipantInputSerializer(many=True)


class FlagSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ProposalSerializer(serializers.Serializer):
    proposed_on = serializers.DateField(required=False, allow_null=True, default=None)
    penalty_kinds = serializers.ListField(
        child=serializers.ChoiceField(PenaltyKind.choices), required=False, default=list
    )
    traits = serializers.ListField(
        child=serializers.ChoiceField(Trait.choices), required=False, default=list
    )
    confiscation_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    fees_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    benefits_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )


MATERIAL_CODES = Material.values


class FilingSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = CatalogueFiling
        fields = [
            "id",
            "agency",
            "agency_name",
            "rules",
            "state",
            "filed_at",
            "answered_at",
            "answer",
        ]
        read_only_fields = fields


class FileCatalogueSerializer(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(selector=agency_list, required=False)


class FilingAnswerSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    answer = serializers.CharField(required=False, allow_blank=True, default="")


class AdviserSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="submission.case_id", read_only=True)
    document_sha256 = serializers.CharField(source="document.sha256", default=None)

    class Meta:
        model = AdviserOpinion
        fields = [
            "id",
            "submission",
            "case",
            "kind",
            "name",
            "organisation",
            "invited_by_name",
            "invited_at",
            "text",
            "document",
            "document_sha256",
            "recorded_by_name",
            "recorded_at",
            "recheck",
            "recheck_reason",
            "rechecked_by_name",
            "rechecked_at",
        ]
        read_only_fields = fields


class AdviserInviteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(AdviserOpinion.Kind.choices)
    name = serializers.CharField(max_length=64)
    organisation = serializers.CharField(max_length=128)


class AdviserOpinionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="书面意见原件（multipart 上传）"
    )


class AdviserRecheckSerializer(serializers.Serializer):
    recheck = serializers.ChoiceField(AdviserOpinion.Recheck.choices)
    reason = serializers.CharField()


class PreliminarySerializer(serializers.Serializer):
    result = serializers.ChoiceField(PreliminaryReview.Result.choices)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


class PreliminarySettingSerializer(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(selector=agency_list, required=False)
    required = serializers.BooleanField()


class ForwardingSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = Forwarding
        fields = [
            "id",
            "review",
            "case",
            "case_number",
            "agency",
            "state",
            "note",
            "forwarded_by_name",
            "forwarded_at",
            "agreed",
            "opinion",
            "answered_by_name",
            "answered_at",
        ]
        read_only_fields = fields


class ForwardSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ForwardAnswerSerializer(serializers.Serializer):
    agreed = serializers.BooleanField()
    opinion = serializers.CharField()
