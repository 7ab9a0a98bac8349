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
    AdviserInviteSerializer,
    AdviserOpinionSerializer,
    AdviserRecheckSerializer,
    AdviserSerializer,
    CheckSerializer,
    DecideSerializer,
    DeliberationInputSerializer,
    DeliberationSerializer,
    EndSerializer,
    FileCatalogueSerializer,
    FilingAnswerSerializer,
    FilingSerializer,
    FlagSerializer,
    ForwardAnswerSerializer,
    ForwardingSerializer,
    ForwardSerializer,
    MaterialsSupplementSerializer,
    PauseStartSerializer,
    PreliminarySerializer,
    PreliminarySettingSerializer,
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

    @extend_schema(
        summary="邀请法律顾问、公职律师",
        description="审核中的送审，由审核人员邀请；其书面意见录入并复核后方能出具审核意见。",
        request=AdviserInviteSerializer,
        responses={201: AdviserSerializer},
    )
    @action(detail=True, methods=["post"], url_path="advisers", url_name="advisers")
    def advisers(self, request, pk=None):
        fields = _given(AdviserInviteSerializer, request)
        adviser = services.adviser_invite(
            actor=request.user, submission=self.get_object(), **fields
        )
        return created(AdviserSerializer(adviser).data)


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

    @extend_schema(
        summary="报送司法局审核",
        description="以本级人民政府名义作出的决定，本机关审核通过后报送司法局。",
        request=ForwardSerializer,
        responses={201: ForwardingSerializer},
    )
    @action(detail=True, methods=["post"], url_path="forward", url_name="forward")
    def forward(self, request, pk=None):
        fields = _given(ForwardSerializer, request)
        forwarding = services.forwarding_create(
            actor=request.user, review=self.get_object(), **fields
        )
        return created(ForwardingSerializer(forwarding).data)


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

    @extend_schema(
        summary="承办机构负责人初审", request=PreliminarySerializer, responses={201: dict}
    )
    @action(detail=True, methods=["post"], url_path="preliminary", url_name="preliminary")
    def preliminary(self, request, pk=None):
        fields = _given(PreliminarySerializer, request)
        case = case_get(actor=request.user, pk=pk)
        row = services.preliminary_review_record(actor=request.user, case=case, **fields)
        return created(
            {
                "id": row.pk,
                "result": row.result,
                "reasons": row.reasons,
                "made_by_name": row.made_by_name,
            }
        )

    @extend_schema(summary="填报拟作出的决定", request=ProposalSerializer, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="proposal", url_name="proposal")
    def proposal(self, request, pk=None):
        fields = _given(ProposalSerializer, request)
        case = case_get(actor=request.user, pk=pk)
        proposal = services.proposal_set(actor=request.user, case=case, **fields)
        return created({"id": proposal.pk, "rules": [r.pk for r in catalogue.matching_rules(case)]})


# --- Catalogue filing and publication (REV-01) -----------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="目录备案列表", description="本机关的备案；司法局看本地区的备案。"),
    retrieve=extend_schema(summary="目录备案"),
    create=extend_schema(
        summary="向司法局报备目录",
        description="报备今天施行的目录条目；尚有待审查的报备时不能再报备。",
        request=FileCatalogueSerializer,
        responses={201: FilingSerializer},
    ),
)
class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FilingSerializer
    ordering_fields = ["filed_at", "state"]

    def get_queryset(self):
        return selectors.filing_list(actor=self.request.user)

    def get_serializer_class(self):
        return FileCatalogueSerializer if self.action == "create" else FilingSerializer

    def create(self, request):
        fields = validated(self)
        agency = own_agency(request, fields.get("agency"))
        filing = services.catalogue_file(actor=request.user, agency=agency)
        return created(FilingSerializer(filing).data)

    @extend_schema(
        summary="审查目录备案",
        description="本地区司法局予以备案，或写明意见退回修改。",
        request=FilingAnswerSerializer,
        responses={200: FilingSerializer},
    )
    @action(detail=True, methods=["post"], url_path="answer", url_name="answer")
    def answer(self, request, pk=None):
        fields = _given(FilingAnswerSerializer, request)
        filing = services.catalogue_filing_answer(
            actor=request.user, filing=self.get_object(), **fields
        )
        return Response(FilingSerializer(filing).data)


class CatalogueDisclosureViewSet(viewsets.GenericViewSet):
    """The catalogue published on the portal from the rules in force (REV-01, PUB-02)."""

    serializer_class = FileCatalogueSerializer

    @extend_schema(
        summary="生成目录公示稿",
        description="按今天施行的目录条目生成事前公开信息（重大执法决定法制审核目录清单）"
        "并提交法制机构审核；公示平台上已有的目录清单由新稿替代。",
        request=FileCatalogueSerializer,
        responses={201: dict},
    )
    def create(self, request):
        fields = _given(FileCatalogueSerializer, request, self)
        agency = own_agency(request, fields.get("agency"))
        item = services.catalogue_disclosure_prepare(actor=request.user, agency=agency)
        return created(
            {
                "id": item.pk,
                "title": item.title,
                "status": item.status,
                "supersedes": item.supersedes_id,
            }
        )


class PreliminarySettingViewSet(viewsets.GenericViewSet):
    """Whether the agency requires 初审 by the handling unit's head (REV-03)."""

    serializer_class = PreliminarySettingSerializer

    @extend_schema(
        summary="设置送审前初审",
        request=PreliminarySettingSerializer,
        responses={201: dict},
    )
    def create(self, request):
        fields = _given(PreliminarySettingSerializer, request, self)
        agency = own_agency(request, fields.get("agency"))
        row = services.preliminary_setting_set(
            actor=request.user, agency=agency, required=fields["required"]
        )
        return created({"agency": agency.pk, "required": row.required, "set_at": row.set_at})


# --- Legal advisers (REV-02) ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="法律顾问、公职律师意见列表"),
    retrieve=extend_schema(summary="法律顾问、公职律师意见"),
)
class AdviserViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = AdviserSerializer
    logged_as = "adviser_opinion"
    case_path = "submission__case"

    def get_queryset(self):
        rows = selectors.adviser_list(actor=self.request.user).order_by("invited_at", "pk")
        submission = self.request.query_params.get("submission")
        if submission:
            rows = rows.filter(submission_id=submission if submission.isdigit() else -1)
        return rows

    @extend_schema(
        summary="录入书面意见",
        description="审核人员代为录入法律顾问、公职律师的书面意见：全文或原件（multipart），至少其一。",
        request=AdviserOpinionSerializer,
        responses={200: AdviserSerializer},
    )
    @action(detail=True, methods=["post"], url_path="opinion", url_name="opinion")
    def opinion(self, request, pk=None):
        fields = _given(AdviserOpinionSerializer, request)
        upload = fields.pop("document")
        stored = None
        if upload:
            stored = file_store(
                actor=request.user,
                stream=upload,
                original_name=upload.name,
                content_type=upload.content_type or "application/octet-stream",
            )
        adviser = services.adviser_opinion_record(
            actor=request.user, adviser=self.get_object(), document=stored, **fields
        )
        return Response(AdviserSerializer(adviser).data)

    @extend_schema(
        summary="复核书面意见",
        description="法制机构复核：采纳、部分采纳或不采纳，须说明理由。",
        request=AdviserRecheckSerializer,
        responses={200: AdviserSerializer},
    )
    @action(detail=True, methods=["post"], url_path="recheck", url_name="recheck")
    def recheck(self, request, pk=None):
        fields = _given(AdviserRecheckSerializer, request)
        adviser = services.adviser_recheck(actor=request.user, adviser=self.get_object(), **fields)
        return Response(AdviserSerializer(adviser).data)


# --- Decisions in the county government's name (REV-03) --------------------------------------


@extend_schema_view(
    list=extend_schema(summary="报送司法局审核列表"),
    retrieve=extend_schema(summary="报送司法局审核"),
)
class ForwardingViewSet(
    LoggedReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ForwardingSerializer
    logged_as = "review_forwarding"

    def get_queryset(self):
        return selectors.forwarding_list(actor=self.request.user)

    @extend_schema(
        summary="司法局出具审核意见",
        request=ForwardAnswerSerializer,
        responses={200: ForwardingSerializer},
    )
    @action(detail=True, methods=["post"], url_path="answer", url_name="answer")
    def answer(self, request, pk=None):
        fields = _given(ForwardAnswerSerializer, request)
        forwarding = services.forwarding_answer(
            actor=request.user, forwarding=self.get_object(), **fields
        )
        return Response(ForwardingSerializer(forwarding).data)
