"""REST endpoints of 双随机、一公开 (INS-01, INS-02).

Reads come from the selectors, so another agency's object is a 404; writes go
through ``zhifa.inspections.services``. ``inspection-draws`` is public: the
commitment of every draw, readable anonymously, and its reveal once drawn.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from zhifa.core.api import created, own_agency, validated
from zhifa.core.errors import Conflict
from zhifa.inspections import selectors, services
from zhifa.inspections.api import serializers as s
from zhifa.inspections.models import Plan
from zhifa.inspections.verify import material_of, material_public, plan_verify


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    create_serializer = None
    read_serializer = None

    def get_serializer_class(self):
        if self.action == "create":
            return self.create_serializer
        return self.read_serializer


@extend_schema_view(
    list=extend_schema(summary="随机抽查事项清单"),
    retrieve=extend_schema(summary="随机抽查事项"),
    create=extend_schema(summary="登记随机抽查事项", responses={201: s.InspectionMatterSerializer}),
)
class InspectionMatterViewSet(_ReadViewSet):
    read_serializer = s.InspectionMatterSerializer
    create_serializer = s.InspectionMatterCreateSerializer
    search_fields = ["code", "name", "category"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.matter_list(actor=self.request.user)

    def create(self, request):
        fields = validated(self)
        agency = own_agency(request, fields.pop("agency", None))
        item = services.matter_create(actor=request.user, agency=agency, **fields)
        return created(s.InspectionMatterSerializer(item).data)


@extend_schema_view(
    list=extend_schema(summary="检查对象名录库"),
    retrieve=extend_schema(summary="检查对象"),
    create=extend_schema(
        summary="登记检查对象",
        description="企业、个体工商户和其他组织须填写有效的统一社会信用代码。",
        responses={201: s.InspectionTargetSerializer},
    ),
)
class InspectionTargetViewSet(_ReadViewSet):
    read_serializer = s.InspectionTargetSerializer
    create_serializer = s.InspectionTargetCreateSerializer
    search_fields = ["name", "credit_code", "address"]
    ordering_fields = ["name", "credit_code"]

    def get_queryset(self):
        return selectors.target_list(actor=self.request.user)

    def create(self, request):
        target = services.target_create(actor=request.user, **validated(self))
        return created(s.InspectionTargetSerializer(target).data)


@extend_schema_view(
    list=extend_schema(summary="执法检查人员名录库"),
    retrieve=extend_schema(summary="检查人员名录条目"),
    create=extend_schema(summary="加入检查人员名录库", responses={201: s.PoolMemberSerializer}),
)
class PoolMemberViewSet(_ReadViewSet):
    read_serializer = s.PoolMemberSerializer
    create_serializer = s.PoolMemberCreateSerializer

    def get_queryset(self):
        return selectors.pool_list(actor=self.request.user)

    def create(self, request):
        member = services.pool_add(actor=request.user, **validated(self))
        return created(s.PoolMemberSerializer(member).data)

    @extend_schema(
        summary="移出检查人员名录库", request=None, responses={200: s.PoolMemberSerializer}
    )
    @action(detail=True, methods=["post"], url_path="remove", url_name="remove")
    def remove(self, request, pk=None):
        member = services.pool_remove(actor=request.user, member=self.get_object())
        return Response(s.PoolMemberSerializer(member).data)


@extend_schema_view(
    list=extend_schema(summary="回避登记"),
    retrieve=extend_schema(summary="回避"),
    create=extend_schema(
        summary="申报回避",
        description="检查人员本人申报，或由本机关管理人员登记；此后冻结的名录库中，该人员不会被抽取检查该对象。",
        responses={201: s.ConflictSerializer},
    ),
)
class ConflictViewSet(_ReadViewSet):
    read_serializer = s.ConflictSerializer
    create_serializer = s.ConflictCreateSerializer

    def get_queryset(self):
        return selectors.conflict_list(actor=self.request.user)

    def create(self, request):
        conflict = services.conflict_declare(actor=request.user, **validated(self))
        return created(s.ConflictSerializer(conflict).data)


@extend_schema_view(
    list=extend_schema(summary="抽查计划"),
    retrieve=extend_schema(summary="抽查计划详情"),
    create=extend_schema(summary="制定抽查计划", responses={201: s.PlanSerializer}),
)
class PlanViewSet(_ReadViewSet):
    read_serializer = s.PlanSerializer
    create_serializer = s.PlanCreateSerializer
    search_fields = ["name", "matter__name"]
    ordering_fields = ["created_at", "name", "period_start"]

    def get_queryset(self):
        return selectors.plan_list(actor=self.request.user)

    def _data(self, plan):
        return s.PlanSerializer(self.get_queryset().get(pk=plan.pk)).data

    def create(self, request):
        plan = services.plan_create(actor=request.user, **validated(self))
        return created(self._data(plan))

    @extend_schema(
        summary="冻结名录库并公布种子承诺值",
        request=s.CommitSerializer,
        responses={200: s.PlanSerializer},
    )
    @action(detail=True, methods=["post"], url_path="commit", url_name="commit")
    def commit(self, request, pk=None):
        given = s.CommitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        plan = services.plan_commit(
            actor=request.user, plan=self.get_object(), **given.validated_data
        )
        return Response(self._data(plan))

    @extend_schema(
        summary="抽取",
        description="录入已公布的公开随机数，抽取检查对象并随机匹配检查人员；不可重复抽取。",
        request=s.DrawSerializer,
        responses={200: s.PlanSerializer},
    )
    @action(detail=True, methods=["post"], url_path="draw", url_name="draw")
    def draw(self, request, pk=None):
        given = s.DrawSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        plan = services.plan_draw(
            actor=request.user, plan=self.get_object(), **given.validated_data
        )
        return Response(self._data(plan))

    @extend_schema(
        summary="完整抽取核验材料",
        description="含检查人员姓名、执法证件编号、全部回避及加盐摘要的盐值的抽取核验材料，"
        "供本机关和负责监督的司法局离线核验（`zhifa inspections verify-draw --material 文件`）；"
        "公众可取得的不含姓名的材料见 `/api/v1/inspection-draws/{id}/material/`。",
        responses={200: dict},
    )
    @action(detail=True, methods=["get"], url_path="material", url_name="material")
    def material(self, request, pk=None):
        plan = self.get_object()
        if plan.status != Plan.Status.DRAWN:
            raise Conflict("该计划尚未抽取，没有核验材料。", code="not_drawn")
        return Response(material_of(plan, full=True))

    @extend_schema(summary="核验抽取结果", responses={200: s.CheckSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="verify", url_name="verify")
    def verify(self, request, pk=None):
        return Response(s.CheckSerializer(plan_verify(self.get_object()), many=True).data)


@extend_schema_view(
    list=extend_schema(summary="抽查任务"),
    retrieve=extend_schema(summary="抽查任务详情", description="含历次录入的结果和审核意见。"),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    search_fields = ["target__name", "target__credit_code", "plan__name"]
    ordering_fields = ["order", "status"]

    def get_queryset(self):
        return selectors.inspection_list(actor=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.InspectionDetailSerializer
        return s.InspectionSerializer

    def _data(self, inspection):
        return s.InspectionDetailSerializer(self.get_queryset().get(pk=inspection.pk)).data

    @extend_schema(
        summary="录入检查结果",
        request=s.ResultEnterSerializer,
        responses={201: s.InspectionDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="result", url_name="result")
    def result(self, request, pk=None):
        inspection = self.get_object()
        given = s.ResultEnterSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.result_enter(actor=request.user, inspection=inspection, **given.validated_data)
        return created(self._data(inspection))

    @extend_schema(
        summary="审核检查结果",
        request=s.ReviewSerializer,
        responses={200: s.InspectionDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="review", url_name="review")
    def review(self, request, pk=None):
        inspection = self.get_object()
        given = s.ReviewSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.result_review(actor=request.user, inspection=inspection, **given.validated_data)
        return Response(self._data(inspection))


@extend_schema_view(
    list=extend_schema(
        summary="双随机抽取公示（公开）",
        description="每个抽查计划在抽取前公布的种子承诺值、名录库摘要和公开随机数来源；"
        "抽取后公布承诺随机串、公开随机数、随机种子和抽取结果摘要。无需登录。",
    ),
    retrieve=extend_schema(summary="双随机抽取公示详情（公开）"),
)
class PublicDrawViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.PublicDrawSerializer
    search_fields = ["name", "agency__name", "matter__name"]
    ordering_fields = ["committed_at"]

    def get_queryset(self):
        return selectors.public_draw_list()

    @extend_schema(
        summary="抽取核验材料（公开）",
        description="冻结的名录（检查对象；检查人员只有序号、执法类别和加盐摘要，不含姓名；"
        "回避名单为逐户的加盐摘要，只公开抽中对象的回避序号；按抽查频次排除的对象及抽中它的计划）、"
        "种子材料（含承诺随机串）、公开随机数和抽取结果，供任何人离线重新抽取、核对各摘要和承诺值"
        "（`zhifa inspections verify-draw --material 文件`）。抽查期间结束或全部结果公示后，"
        "且排除名单所涉计划的核验材料已公开时才公开，以免检查前泄露抽中名单。",
        responses={200: dict},
    )
    @action(detail=True, methods=["get"], url_path="material", url_name="material")
    def material(self, request, pk=None):
        plan = self.get_object()
        if not material_public(plan):
            raise Conflict(
                "抽查期间结束或全部抽查结果公示后，才公开抽取核验材料。", code="not_yet_public"
            )
        return Response(material_of(plan))
