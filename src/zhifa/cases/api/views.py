"""REST endpoints for cases, their records and the suspensions of their time
limit (REC-01 … REC-03, REC-06, REC-08, REC-09, SUP-01).

Reads come from ``case_list(actor=...)``, so another agency's case is a 404
like a case that does not exist; every write goes through
``zhifa.cases.services``, whose refusals become 400/403/409 with the Chinese
message in ``zhifa.core.api.exception_handler``.
"""

from __future__ import annotations

from io import BytesIO

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa import ledger
from zhifa.cases import services
from zhifa.cases.api.serializers import (
    AdvanceSerializer,
    CaseDetailSerializer,
    CaseOpenSerializer,
    CaseSerializer,
    OfficerAssignSerializer,
    OfficerReleaseSerializer,
    PartySerializer,
    RecordCreateSerializer,
    RecordSerializer,
    ResumeSerializer,
    SignatureSerializer,
    SuspendSerializer,
    SuspensionSerializer,
)
from zhifa.cases.models import Case, CaseOfficer, Procedure, Record, Stage
from zhifa.cases.selectors import case_get, case_list
from zhifa.cases.services import SignatureInput
from zhifa.core.api import created
from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import file_store

REFUSALS = (
    "拒绝时返回 {code, detail}：400 输入不符合规则，403 无权操作（如非本案承办人员），"
    "404 案件不存在或无权查看，409 案件当前状态不允许（如环节顺序不对、尚缺记录）。"
)


def _cases(actor):
    return case_list(actor=actor).prefetch_related(
        "parties",
        "suspensions",
        Prefetch(
            "assignments",
            queryset=CaseOfficer.objects.filter(released_at__isnull=True).select_related("officer"),
            to_attr="active_assignments",
        ),
    )


def _detail(case: Case, context) -> dict:
    case = _cases(context["request"].user).get(pk=case.pk)
    return CaseDetailSerializer(case, context=context).data


LIST_FILTERS = [
    OpenApiParameter("stage", str, enum=Stage.values, description="按当前环节筛选"),
    OpenApiParameter("procedure", str, enum=Procedure.values, description="按程序筛选"),
    OpenApiParameter("matter", int, description="按执法事项 ID 筛选"),
]


@extend_schema_view(
    list=extend_schema(
        summary="案件列表",
        description="本人可查看的案件：承办人员看本人承办的，负责人、法制审核人员看本机关的，"
        "司法局看辖区的。",
        parameters=LIST_FILTERS,
    ),
    retrieve=extend_schema(
        summary="案件详情", description="含当事人、在办承办人员，以及进入下一环节尚需完成的事项。"
    ),
    create=extend_schema(
        summary="登记案件",
        description="由本机关执法人员或负责人登记；承办人员须持有效执法证件，第一位为主办。"
        + REFUSALS,
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer},
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    search_fields = ["number", "title", "parties__name"]
    ordering_fields = ["number", "title", "started_on", "archive_due_on", "created_at"]

    def get_queryset(self):
        cases = _cases(self.request.user)
        params = self.request.query_params
        if params.get("stage") in Stage.values:
            cases = cases.filter(stage=params["stage"])
        if params.get("procedure") in Procedure.values:
            cases = cases.filter(procedure=params["procedure"])
        if (params.get("matter") or "").isdigit():
            cases = cases.filter(matter_id=params["matter"])
        return cases

    def get_serializer_class(self):
        return {
            "retrieve": CaseDetailSerializer,
            "create": CaseOpenSerializer,
            "advance": AdvanceSerializer,
            "parties": PartySerializer,
            "officers": OfficerAssignSerializer,
            "officer_release": OfficerReleaseSerializer,
            "suspensions": SuspendSerializer,
            "resume": ResumeSerializer,
        }.get(self.action, CaseSerializer)

    def _given(self):
        given = self.get_serializer(data=self.request.data)
        given.is_valid(raise_exception=True)
        return given.validated_data

    def retrieve(self, request, pk=None):
        case = self.get_object()
        # Every look at a case is on record (调阅监督, REC-12), as on the case page.
        with transaction.atomic():
            ledger.append(
                actor=request.user, action="case.view", obj=case, payload={"number": case.number}
            )
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    def create(self, request):
        case = services.case_open(actor=request.user, **self._given())
        return created(_detail(case, self.get_serializer_context()))

    @extend_schema(
        summary="进入下一环节",
        description="案件只能进入其下一环节，且须已具备该环节所需的记录；"
        "结案时可给出执法行为终结日期（据此计算归档期限）。" + REFUSALS,
        request=AdvanceSerializer,
        responses={200: CaseDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        case = services.case_advance(actor=request.user, case=self.get_object(), **self._given())
        return Response(_detail(case, self.get_serializer_context()))

    @extend_schema(
        summary="登记当事人",
        description="本案承办人员登记；身份证号码和统一社会信用代码须通过校验。" + REFUSALS,
        request=PartySerializer,
        responses={201: PartySerializer},
    )
    @action(detail=True, methods=["post"])
    def parties(self, request, pk=None):
        party = services.party_add(actor=request.user, case=self.get_object(), **self._given())
        return created(PartySerializer(party).data)

    @extend_schema(
        summary="指派承办人员",
        description="本案承办人员或负责人指派本机关持有效执法证件的执法人员。" + REFUSALS,
        request=OfficerAssignSerializer,
        responses={201: CaseDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def officers(self, request, pk=None):
        case = self.get_object()
        services.officer_assign(actor=request.user, case=case, **self._given())
        return created(_detail(case, self.get_serializer_context()))

    @extend_schema(
        summary="承办人员退出",
        description="须说明原因（如回避）；退出后承办人员不得少于规定人数。" + REFUSALS,
        request=OfficerReleaseSerializer,
        responses={200: CaseDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="officers/release", url_name="officer-release")
    def officer_release(self, request, pk=None):
        case = self.get_object()
        services.officer_release(actor=request.user, case=case, **self._given())
        return Response(_detail(case, self.get_serializer_context()))

    @extend_schema(
        summary="中止办理期限",
        description="本机关负责人或承办机构负责人登记在办案件办理期限的中止（听证、检测鉴定、公告"
        "等期间不计入办理期限）。中止日期不能晚于今天、不能早于案件启动日期或上一次中止的恢复"
        "日期；已超过办理时限的案件不能中止（包括补登此前的中止）。登记后不能撤回或修改。"
        + REFUSALS,
        request=SuspendSerializer,
        responses={201: SuspensionSerializer},
    )
    @action(detail=True, methods=["post"])
    def suspensions(self, request, pk=None):
        suspension = services.case_suspend(
            actor=request.user, case=self.get_object(), **self._given()
        )
        return created(SuspensionSerializer(suspension).data)

    @extend_schema(
        summary="恢复计算办理期限",
        description="结束正在进行的中止：自恢复日期起继续计算办理期限，中止期间的工作日不计入，"
        "时限届满日相应顺延（见案件详情的 limit_due_on）。" + REFUSALS,
        request=ResumeSerializer,
        responses={200: SuspensionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="suspensions/resume", url_name="resume")
    def resume(self, request, pk=None):
        suspension = services.case_resume(
            actor=request.user, case=self.get_object(), **self._given()
        )
        return Response(SuspensionSerializer(suspension).data)


def _signature_input(actor, data: dict) -> SignatureInput:
    """A signature from the API, its image put in the evidence store first."""
    image = None
    if data.get("image"):
        content, content_type, ext = data["image"]
        image = file_store(
            actor=actor,
            stream=BytesIO(content),
            original_name=f"signature.{ext}",
            content_type=content_type,
        )
    return SignatureInput(
        role=data["role"],
        name=data.get("name", ""),
        method=data["method"],
        signed_at=data["signed_at"],
        image=image,
        officer=data.get("officer"),
        refusal_note=data.get("refusal_note", ""),
        witness_name=data.get("witness_name", ""),
    )


CASE_PK = OpenApiParameter(
    "case_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="案件 ID"
)
SIGNATURE_IMAGES = (
    "签名图像以 base64 编码放在 signatures[].image 中（PNG 或 JPEG，可带 data: 前缀）；"
    "服务器先将图像存入防篡改证据库，再写入记录。记录被拒绝时不会留下半条记录，"
    "已存入的图像只按内容摘要保存。"
)


@extend_schema_view(
    list=extend_schema(summary="案件的执法记录", parameters=[CASE_PK]),
    retrieve=extend_schema(summary="执法记录详情", parameters=[CASE_PK]),
    create=extend_schema(
        summary="添加执法记录",
        description="添加当前或以前环节、适用于本案程序的记录；更正记录时在 supersedes 中给出"
        "被更正的记录 ID。" + SIGNATURE_IMAGES + REFUSALS,
        parameters=[CASE_PK],
        request=RecordCreateSerializer,
        responses={201: RecordSerializer},
    ),
)
class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The records of one case: ``/cases/{case_pk}/records/``."""

    ordering_fields = ["occurred_at", "kind", "created_at"]
    search_fields = ["kind"]

    def get_case(self) -> Case:
        if not hasattr(self, "_case"):
            self._case = case_get(actor=self.request.user, pk=self.kwargs["case_pk"])
        return self._case

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Record.objects.none()
        return (
            self.get_case()
            .records.select_related("superseded_by")
            .prefetch_related("signatures__image")
            .order_by("occurred_at", "pk")
        )

    def list(self, request, case_pk=None):
        # Every look at a case's records is on record (调阅监督, REC-12).
        services.case_viewed(actor=request.user, case=self.get_case(), what="records")
        return super().list(request, case_pk=case_pk)

    def retrieve(self, request, case_pk=None, pk=None):
        record = self.get_object()
        services.case_viewed(actor=request.user, case=self.get_case(), what=f"record:{record.pk}")
        return Response(self.get_serializer(record).data)

    def get_serializer_class(self):
        return {
            "create": RecordCreateSerializer,
            "signatures": SignatureSerializer,
        }.get(self.action, RecordSerializer)

    def create(self, request, case_pk=None):
        case = self.get_case()
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        supersedes = None
        if data["supersedes"] is not None:
            supersedes = case.records.filter(pk=data["supersedes"]).first()
            if supersedes is None:
                raise InvalidInput("更正的记录须是本案同类记录。", code="supersedes")
        signatures = [_signature_input(request.user, s) for s in data["signatures"]]
        record = services.record_add(
            actor=request.user,
            case=case,
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            place=data["place"],
            content=data["content"],
            signatures=signatures,
            supersedes=supersedes,
        )
        return created(RecordSerializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(
        summary="补录签名",
        description="记录作出后补录签名或拒签（如当事人事后签名）。" + SIGNATURE_IMAGES + REFUSALS,
        parameters=[CASE_PK],
        request=SignatureSerializer,
        responses={201: SignatureSerializer},
    )
    @action(detail=True, methods=["post"])
    def signatures(self, request, case_pk=None, pk=None):
        record = self.get_object()
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        signature = services.signature_add(
            actor=request.user,
            record=record,
            signature=_signature_input(request.user, given.validated_data),
        )
        return created(SignatureSerializer(signature).data)
