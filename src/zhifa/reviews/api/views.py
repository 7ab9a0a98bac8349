"""REST endpoints of the legal review (REV-01 … REV-11).

Reads come from the selectors (outside scope: 404) and put each look at a
case's review on record (REC-12); writes go through ``zhifa.reviews.services``.
"""

from __future__ import annotations

import io

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.cases.api.reads import LoggedReads
from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed
from zhifa.core.api import created, own_agency, validated
from zhifa.ledger.services import file_store
from zhifa.reviews import catalogue, selectors, services
from zhifa.reviews.api.serializers import (
    CheckSerializer,
    DecideSerializer,
    DeliberationInputSerializer,
    DeliberationSerializer,
    EndSerializer,
    FlagSerializer,
    MaterialsSupplementSerializer,
    PauseStartSerializer,
    ProposalSerializer,
    ReasonSerializer,
    RespondSerializer,
    ReviewSerializer,
    RuleInputSerializer,
    RuleSerializer,
    SubmissionSerializer,
    SubmitSerializer,
)
from zhifa.reviews.gates import review_refusals


@extend_schema_view(
    list=extend_schema(summary="重大执法决定法制审核目录"),
    retrieve=extend_schema(summary="目录条目"),
    create=extend_schema(
        summary="新增目录条目或其新版本",
        description="同一条目编号再次提交即为新版本；拟作出的决定按拟决定之日施行的版本判断。",
        request=RuleInputSerializer,
        responses={201: RuleSerializer},
    ),
)
class RuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RuleSerializer
    search_fields = ["code", "name", "basis"]
    ordering_fields = ["code", "version", "effective_from"]

    def get_queryset(self):
        return selectors.rule_list(actor=self.request.user).order_by("code", "-version")

    def get_serializer_class(self):
        return RuleInputSerializer if self.action == "create" else RuleSerializer

    def create(self, request):
        fields = validated(self)
        agency = own_agency(request, fields.pop("agency", None))
        rule = services.rule_save(
            actor=request.user, agency=agency, data=services.RuleInput(**fields)
        )
        return created(RuleSerializer(rule).data)

    @extend_schema(summary="废止目录条目", request=EndSerializer, responses={201: RuleSerializer})
    @action(detail=True, methods=["post"], url_path="end", url_name="end")
    def end(self, request, pk=None):
        given = EndSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        rule = services.rule_end(
            actor=request.user, rule=self.get_object(), ends_on=given.validated_data["ends_on"]
        )
        return created(RuleSerializer(rule).data)


def _given(serializer_class, request, view=None):
    given = serializer_class(data=request.data, context={"request": request, "view": view})
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


@extend_schema_view(
    list=extend_schema(summary="法制审核送审列表"),
    retrieve=extend_schema(summary="送审详情", description="含审核意见、中止和期限。"),
    create=extend_schema(
        summary="送审",
        description="承办人员在审查决定环节送审，须附材料；决定代拟稿取自案件的决定记录。",
        request=SubmitSerializer,
        responses={201: SubmissionSerializer},
    ),
)
class SubmissionViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = SubmissionSerializer
    logged_as = "review_submission"
    ordering_fields = ["submitted_at", "due_on", "round"]

    def get_queryset(self):
        rows = selectors.submission_list(actor=self.request.user)
        case = self.request.query_params.get("case")
        if case:
            rows = rows.filter(case_id=case if case.isdigit() else -1)
        return rows

    def _data(self, submission):
        return SubmissionSerializer(
            selectors.submission_list(actor=self.request.user).get(pk=submission.pk)
        ).data

    def create(self, request):
        fields = _given(SubmitSerializer, request, self)
        submission = services.review_submit(actor=request.user, **fields)
        return created(self._data(submission))

    @extend_schema(
        summary="审查送审材料",
        description="无缺少材料则受理并开始计算审核期限；首次不齐全的一次性书面告知补正；"
        "补正后仍不齐全的书面不予受理。",
        request=CheckSerializer,
        responses={200: SubmissionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="check", url_name="check")
    def check(self, request, pk=None):
        fields = _given(CheckSerializer, request)
        submission = services.submission_check(
            actor=request.user, submission=self.get_object(), **fields
        )
        return Response(self._data(submission))

    @extend_schema(
        summary="补正材料",
        request=MaterialsSupplementSerializer,
        responses={200: SubmissionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="supplement", url_name="supplement")
    def supplement(self, request, pk=None):
        fields = _given(MaterialsSupplementSerializer, request)
        submission = services.submission_supplement(
            actor=request.user, submission=self.get_object(), **fields
        )
        return Response(self._data(submission))

    @extend_schema(
        summary="中止审核期限", request=PauseStartSerializer, responses={200: SubmissionSerializer}
    )
    @action(detail=True, methods=["post"], url_path="pause", url_name="pause")
    def pause(self, request, pk=None):
        fields = _given(PauseStartSerializer, request)
        submission = self.get_object()
        services.pause_start(actor=request.user, submission=submission, **fields)
        return Response(self._data(submission))

    @extend_schema(summary="恢复审核期限", request=None, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"], url_path="resume", url_name="resume")
    def resume(self, request, pk=None):
        submission = self.get_object()
        services.pause_end(actor=request.user, submission=submission)
        return Response(self._data(submission))

    @extend_schema(
        summary="批准延长审核期限", request=ReasonSerializer, responses={200: SubmissionSerializer}
    )
    @action(detail=True, methods=["post"], url_path="extend", url_name="extend")
    def extend(self, request, pk=None):
        fields = _given(ReasonSerializer, request)
        submission = services.extension_approve(
            actor=request.user, submission=self.get_object(), reason=fields["reason"]
        )
        return Response(self._data(submission))

    @extend_schema(
        summary="出具审核意见",
        description="九项审核要点各有结论和说明；同一轮只能出具一次意见。",
        request=DecideSerializer,
        responses={201: ReviewSerializer},
    )
    @action(detail=True, methods=["post"], url_path="decide", url_name="decide")
    def decide(self, request, pk=None):
        fields = _given(DecideSerializer, request)
        review = services.review_decide(actor=request.user, submission=self.get_object(), **fields)
        return created(ReviewSerializer(review).data)


@extend_schema_view(
    list=extend_schema(summary="法制审核意见列表"),
    retrieve=extend_schema(summary="法制审核意见"),
)
class ReviewViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReviewSerializer
    logged_as = "legal_review"
    case_path = "submission__case"

    def get_queryset(self):
        return selectors.review_list(actor=self.request.user).order_by("-decided_at")

    @extend_schema(
        summary="处理审核意见",
        description="采纳，或书面说明理由申请复审（复审为新一轮审核，仅一次）。",
        request=RespondSerializer,
        responses={201: ReviewSerializer},
    )
    @action(detail=True, methods=["post"], url_path="respond", url_name="respond")
    def respond(self, request, pk=None):
        fields = _given(RespondSerializer, request)
        review = self.get_object()
        services.review_respond(actor=request.user, review=review, **fields)
        review = self.get_queryset().get(pk=review.pk)
        return created(ReviewSerializer(review).data)


@extend_schema_view(
    list=extend_schema(summary="集体讨论列表"),
    retrieve=extend_schema(summary="集体讨论笔录"),
    create=extend_schema(
        summary="记录集体讨论",
        description="须达到法定人数、全体参加人员签名、过半数赞成；与法制审核意见不一致的须注明。",
        request=DeliberationInputSerializer,
        responses={201: DeliberationSerializer},
    ),
)
class DeliberationViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DeliberationSerializer
    logged_as = "deliberation"

    def get_queryset(self):
        return selectors.deliberation_list(actor=self.request.user).order_by("-held_at")

    def create(self, request):
        fields = _given(DeliberationInputSerializer, request, self)
        people = []
        for p in fields.pop("participants"):
            image = p.pop("signature")
            stored = None
            if image:
                data, content_type, ext = image
                stored = file_store(
                    actor=request.user,
                    stream=io.BytesIO(data),
                    original_name=f"签名-{p['name']}.{ext}",
                    content_type=content_type,
                )
            people.append(services.ParticipantInput(signature=stored, **p))
        d = services.deliberation_record(actor=request.user, participants=people, **fields)
        return created(DeliberationSerializer(d).data)


class ReviewCaseViewSet(viewsets.GenericViewSet):
    """A case seen from the legal review: why it is reviewed, its rounds, what
    still stops the decision, and the responsibility trail (REV-10)."""

    serializer_class = SubmissionSerializer

    def get_queryset(self):
        return selectors.submission_list(actor=self.request.user)

    @extend_schema(summary="案件法制审核情况", responses={200: dict})
    def retrieve(self, request, pk=None):
        case = case_get(actor=request.user, pk=pk)
        case_viewed(actor=request.user, case=case, what="reviews")
        return Response(
            {
                "case": case.pk,
                "reasons": [
                    {"code": r.code, "label": r.label, "detail": r.detail}
                    for r in catalogue.why_reviewed(case)
                ],
                "rules": [r.pk for r in catalogue.matching_rules(case)],
                "refusals": review_refusals(case),
                "rounds": SubmissionSerializer(selectors.rounds_of(case), many=True).data,
                "trail": [
                    {"at": s.at, "what": s.what, "who": s.who, "detail": s.detail}
                    for s in selectors.responsibility_trail(case)
                ],
            }
        )

    @extend_schema(
        summary="标记可能造成重大社会影响", request=FlagSerializer, responses={201: dict}
    )
    @action(detail=True, methods=["post"], url_path="flag", url_name="flag")
    def flag(self, request, pk=None):
        fields = _given(FlagSerializer, request)
        case = case_get(actor=request.user, pk=pk)
        flag = services.major_flag_set(actor=request.user, case=case, reason=fields["reason"])
        return created({"id": flag.pk, "reason": flag.reason, "set_by_name": flag.set_by_name})

    @extend_schema(summary="填报拟作出的决定", request=ProposalSerializer, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="proposal", url_name="proposal")
    def proposal(self, request, pk=None):
        fields = _given(ProposalSerializer, request)
        case = case_get(actor=request.user, pk=pk)
        proposal = services.proposal_set(actor=request.user, case=case, **fields)
        return created({"id": proposal.pk, "rules": [r.pk for r in catalogue.matching_rules(case)]})
