"""REST endpoints for the provisions library and the discretion benchmarks (RSN-01, INF-03).

The library is national and readable by every signed-in user; the system
administrator imports it. Benchmarks belong to an agency: read within the
actor's agencies, written by the agency's administrator.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from zhifa.accounts.models import Agency
from zhifa.catalogues import benchmarks, provisions
from zhifa.catalogues.models import (
    DiscretionBand,
    DiscretionBenchmark,
    DiscretionFactor,
    LegalBasis,
    Provision,
)
from zhifa.core.api import created, own_agency
from zhifa.core.errors import InvalidInput
from zhifa.core.excel import workbook_response


class ProvisionSerializer(serializers.ModelSerializer):
    place = serializers.SerializerMethodField()

    class Meta:
        model = Provision
        fields = [
            "id",
            "place",
            "article",
            "article_suffix",
            "paragraph",
            "item",
            "sub_item",
            "text",
        ]

    def get_place(self, obj) -> str:
        return provisions.place_label(obj)


class LegalBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = [
            "id",
            "name",
            "short_name",
            "level",
            "issuer",
            "version",
            "effective_on",
            "repealed_on",
        ]


class LegalBasisImportSerializer(serializers.Serializer):
    name = serializers.CharField()
    short_name = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=LegalBasis.Level.choices)
    issuer = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.CharField()
    effective_on = serializers.DateField()
    repealed_on = serializers.DateField(required=False, allow_null=True, default=None)
    text = serializers.CharField(help_text="纯文本或 Markdown：第X条……，（一）……")


@extend_schema_view(
    list=extend_schema(summary="法规库"),
    retrieve=extend_schema(summary="法律依据及其条文"),
    create=extend_schema(
        summary="导入法律依据（纯文本或 Markdown）",
        request=LegalBasisImportSerializer,
        responses={201: LegalBasisSerializer},
    ),
)
class LegalBasisViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = LegalBasis.objects.all()
    serializer_class = LegalBasisSerializer
    search_fields = ["name", "short_name", "version"]
    ordering_fields = ["name", "effective_on"]

    def get_serializer_class(self):
        return LegalBasisImportSerializer if self.action == "create" else LegalBasisSerializer

    def retrieve(self, request, pk=None):
        basis = self.get_object()
        rows = ProvisionSerializer(basis.provisions.all(), many=True).data
        return Response({**LegalBasisSerializer(basis).data, "provisions": rows})

    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        basis = provisions.legal_basis_import(actor=request.user, **given.validated_data)
        return created(LegalBasisSerializer(basis).data)

    @extend_schema(
        summary="解析并核对一条引用",
        parameters=[
            OpenApiParameter("citation", str, required=True),
            OpenApiParameter("on", str, description="决定日期，默认今天"),
        ],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def resolve(self, request):
        on = request.query_params.get("on")
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise InvalidInput("日期格式应为 2026-03-05。") from None
        found = provisions.citation_resolve(request.query_params.get("citation", ""), day)
        ref = found.reference
        return Response(
            {
                "ok": found.ok,
                "problem": found.problem,
                "message": found.message,
                "law": ref.law if ref else "",
                "place": ref.place() if ref else "",
                "basis": LegalBasisSerializer(found.basis).data if found.basis else None,
                "provision": ProvisionSerializer(found.provision).data if found.provision else None,
            }
        )


class BandSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscretionBand
        fields = ["band", "conditions", "min_amount", "max_amount", "amount_from", "amount_below"]


class FactorSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscretionFactor
        fields = ["effect", "description", "citation"]


class BenchmarkSerializer(serializers.ModelSerializer):
    bands = BandSerializer(many=True)
    factors = FactorSerializer(many=True, required=False)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )

    class Meta:
        model = DiscretionBenchmark
        fields = [
            "id",
            "agency",
            "matter",
            "violation_code",
            "violation",
            "basis_citation",
            "penalty_citation",
            "penalty_kinds",
            "statutory_min",
            "statutory_max",
            "version",
            "effective_on",
            "retired_on",
            "bands",
            "factors",
        ]
        read_only_fields = ["retired_on"]
        validators = []  # benchmark_create checks the version is new


class ExcelSerializer(serializers.Serializer):
    file = serializers.FileField()
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )


@extend_schema_view(
    list=extend_schema(summary="裁量基准列表"),
    retrieve=extend_schema(summary="裁量基准详情"),
    create=extend_schema(summary="新增裁量基准（新版本）"),
)
class BenchmarkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BenchmarkSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    search_fields = ["violation_code", "violation", "penalty_citation"]
    ordering_fields = ["violation_code", "effective_on"]

    def get_queryset(self):
        return benchmarks.benchmark_list(actor=self.request.user).prefetch_related(
            "bands", "factors"
        )

    def create(self, request):
        given = BenchmarkSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        agency = own_agency(request, data.pop("agency"))
        bench = benchmarks.benchmark_create(actor=request.user, agency=agency, **data)
        return created(BenchmarkSerializer(bench).data)

    @extend_schema(summary="从 Excel 导入裁量基准", request=ExcelSerializer)
    @action(detail=False, methods=["post"], url_path="import")
    def import_excel(self, request):
        given = ExcelSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        agency = own_agency(request, given.validated_data["agency"])
        made = benchmarks.benchmark_import_excel(
            actor=request.user, agency=agency, data=given.validated_data["file"].read()
        )
        return created(BenchmarkSerializer(made, many=True).data)

    @extend_schema(summary="导出裁量基准（Excel）")
    @action(detail=False, methods=["get"])
    def export(self, request):
        return workbook_response(
            filename="裁量基准.xlsx",
            title="裁量基准",
            headers=benchmarks.EXPORT_HEADERS,
            rows=benchmarks.benchmark_export_rows(self.get_queryset()),
        )
