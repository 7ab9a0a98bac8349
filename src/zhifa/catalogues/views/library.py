"""Workbench pages for the provisions library and the discretion benchmarks
(RSN-01, INF-03): lists, a law's provisions, citation check, imports and the
Excel export. Reads through selectors, writes through services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy

from zhifa.accounts.selectors import is_sysadmin, officer_of
from zhifa.catalogues import benchmarks, provisions
from zhifa.catalogues.models import LegalBasis
from zhifa.core.errors import ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page

BASIS_LISTING = Listing(
    title="法规库",
    columns=[
        Column(
            "名称",
            "name",
            sort="name",
            link=lambda b: reverse("catalogues:legal-basis-detail", args=[b.pk]),
        ),
        Column("效力层级", "get_level_display", sort="level"),
        Column("版本", "version"),
        Column("施行日期", "effective_on", sort="effective_on"),
        Column("失效日期", "repealed_on", sort="repealed_on"),
    ],
    search_fields=("name", "short_name", "version"),
    default_sort="name",
    actions=[("导入法律依据", reverse_lazy("catalogues:legal-basis-import"))],
)


@login_required
def legal_basis_list_view(request):
    return BASIS_LISTING.respond(request, LegalBasis.objects.all())


@login_required
def legal_basis_detail_view(request, pk: int):
    basis = get_object_or_404(LegalBasis, pk=pk)
    citation = request.GET.get("citation", "").strip()
    found = provisions.citation_resolve(citation, timezone.localdate()) if citation else None
    rows = [(provisions.place_label(p), p.text) for p in basis.provisions.all()]
    return render(
        request,
        "catalogues/legal_basis_detail.html",
        {"title": str(basis), "basis": basis, "rows": rows, "citation": citation, "found": found},
    )


class BasisImportForm(forms.Form):
    name = forms.CharField(label="全称", help_text="如：中华人民共和国行政处罚法")
    short_name = forms.CharField(label="简称", required=False)
    level = forms.ChoiceField(label="效力层级", choices=LegalBasis.Level.choices)
    issuer = forms.CharField(label="制定机关", required=False)
    version = forms.CharField(label="版本", help_text="如：2021年修订")
    effective_on = forms.DateField(label="施行日期", widget=forms.DateInput(attrs={"type": "date"}))
    repealed_on = forms.DateField(
        label="失效日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        label="条文（纯文本或 Markdown）",
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="每条以“第X条”开头；款另起一行；项以“（一）”开头；目以“1.”开头。",
    )


@login_required
def legal_basis_import_view(request):
    form = BasisImportForm(request.POST if request.method == "POST" else None)

    def save(d):
        basis = provisions.legal_basis_import(actor=request.user, **d)
        return f"已导入{basis}。", reverse("catalogues:legal-basis-detail", args=[basis.pk])

    return form_page(
        request,
        form,
        save=save,
        title="导入法律依据",
        cancel_url=reverse("catalogues:legal-basis-list"),
        template="catalogues/library_form.html",
    )


BENCHMARK_LISTING = Listing(
    title="裁量基准",
    columns=[
        Column("违法行为编码", "violation_code", sort="violation_code"),
        Column("违法行为", "violation", sort="violation"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("处罚依据", "penalty_citation"),
        Column("法定最低（元）", "statutory_min"),
        Column("法定最高（元）", "statutory_max"),
        Column(
            "版本",
            "version",
            link=lambda b: reverse("catalogues:benchmark-versions", args=[b.pk]),
        ),
        Column("施行日期", "effective_on", sort="effective_on"),
        Column("停止适用", "retired_on", sort="retired_on"),
    ],
    search_fields=("violation_code", "violation", "penalty_citation"),
    default_sort="violation_code",
    actions=[
        ("从 Excel 导入", reverse_lazy("catalogues:benchmark-import")),
        (
            "导出（发布格式）",
            format_lazy("{}?export=published", reverse_lazy("catalogues:benchmark-list")),
        ),
    ],
)


@login_required
def benchmark_list_view(request):
    found = benchmarks.benchmark_list(actor=request.user)
    if request.GET.get("export") == "published":
        return workbook_response(
            filename="裁量基准.xlsx",
            title="裁量基准",
            headers=benchmarks.EXPORT_HEADERS,
            rows=benchmarks.benchmark_export_rows(found.prefetch_related("bands", "factors")),
        )
    return BENCHMARK_LISTING.respond(request, found)


class BenchmarkImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


@login_required
def benchmark_import_view(request):
    form = BenchmarkImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    officer = officer_of(request.user)
    if request.method == "POST" and form.is_valid():
        if officer is None and not is_sysadmin(request.user):
            form.add_error(None, "只有本机关的管理员可以导入裁量基准。")
        else:
            try:
                made = benchmarks.benchmark_import_excel(
                    actor=request.user,
                    agency=officer.agency if officer else None,
                    data=form.cleaned_data["file"].read(),
                )
            except (ZhifaError, AttributeError) as exc:
                form.add_error(None, getattr(exc, "message", "请以本机关管理员身份导入。"))
            else:
                messages.success(request, f"已导入 {len(made)} 项裁量基准。")
                return redirect("catalogues:benchmark-list")
    return render(
        request,
        "catalogues/library_form.html",
        {
            "title": "导入裁量基准",
            "form": form,
            "headers": benchmarks.EXPORT_HEADERS,
            "cancel_url": reverse("catalogues:benchmark-list"),
            "upload": True,
        },
    )


@login_required
def benchmark_versions_view(request, pk: int):
    """A benchmark's versions with what changed in each (INF-03)."""
    bench = get_object_or_404(benchmarks.benchmark_list(actor=request.user), pk=pk)
    return render(
        request,
        "catalogues/benchmark_versions.html",
        {
            "title": f"{bench.violation} 裁量基准版本",
            "bench": bench,
            "versions": benchmarks.benchmark_versions(bench),
            "back_url": reverse("catalogues:benchmark-list"),
        },
    )
