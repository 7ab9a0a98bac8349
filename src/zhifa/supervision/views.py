"""Workbench pages of the supervision platform: the dashboard (SUP-01), the
lists behind its watch items, early warning (SUP-05) and the annual statistics
report (PUB-11). Thin: figures come from the modules beside this one, the scope
from ``selectors.supervision_scope``; out of scope is a 404.

These pages show counts, case numbers and titles, never case content, so they
do not put a look on record (REC-12); the links lead to the case pages, which do.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.excel import XLSX_CONTENT_TYPE, workbook_response
from zhifa.core.listing import Listing
from zhifa.supervision import annual, dashboard, early_warning, selectors, services
from zhifa.supervision.forms import EvaluationDrawForm
from zhifa.supervision.selectors import region_agencies, supervision_scope
from zhifa.supervision.stats import annual_stats
from zhifa.supervision.watch import case_columns, watch_get


def _scope(request):
    try:
        return supervision_scope(actor=request.user, agency=request.GET.get("agency"))
    except NotFound as exc:
        raise Http404(exc.message) from None


def _page(request, template: str, scope, context: dict):
    agencies = region_agencies(scope.region).order_by("name") if scope.region else []
    return render(
        request,
        template,
        {"scope": scope, "scope_agencies": agencies, "suffix": _suffix(scope), **context},
    )


def _suffix(scope) -> str:
    return f"?agency={scope.agency.pk}" if scope.agency and scope.region else ""


# --- Dashboard ----------------------------------------------------------------------------


def _tables(scope) -> tuple[dict[str, tuple[str, list[str], list]], list]:
    counts = dashboard.watch_counts(scope)
    tables = {
        "watches": (
            "督办事项",
            ["事项", "类别", "依据", "数量"],
            [[c.item.label, c.level_label, c.item.requirement, c.count] for c in counts],
        ),
        "kinds": ("案件：按执法类别", ["执法类别", "案件数"], dashboard.cases_by_kind(scope)),
        "stages": ("案件：按环节", ["环节", "案件数"], dashboard.cases_by_stage(scope)),
        "months": ("案件：按启动月份", ["月份", "案件数"], dashboard.cases_by_month(scope)),
    }
    if scope.is_region:
        tables["agencies"] = (
            "各执法主体案件",
            ["执法主体", "案件总数", "在办", "本年启动"],
            [
                [a.name, total, open_, year]
                for a, total, open_, year in dashboard.agency_rows(scope)
            ],
        )
    return tables, counts


@login_required
def dashboard_view(request):
    scope = _scope(request)
    tables, counts = _tables(scope)
    which = request.GET.get("export")
    if which:
        if which not in tables:
            raise Http404("没有这张表。")
        title, headers, rows = tables[which]
        return workbook_response(
            filename=f"{scope.title}{title}.xlsx", title=title, headers=headers, rows=rows
        )
    suffix = _suffix(scope)
    agencies = dashboard.agency_rows(scope) if scope.is_region else []
    return _page(
        request,
        "supervision/dashboard.html",
        scope,
        {
            "title": f"执法监督：{scope.title}",
            "counts": [
                (c, reverse("supervision:watch-list", args=[c.item.key]) + suffix) for c in counts
            ],
            "agencies": agencies,
            "charts": {
                "kinds": tables["kinds"][2],
                "stages": tables["stages"][2],
                "months": tables["months"][2],
            },
            "tables": tables,
            "export_base": f"?agency={scope.agency.pk}&" if scope.agency and scope.region else "?",
        },
    )


@login_required
def watch_list_view(request, key: str):
    scope = _scope(request)
    item = watch_get(key)
    if item is None:
        raise Http404("没有这项督办事项。")
    listing = Listing(
        title=f"{item.label}（{scope.title}）",
        columns=item.columns,
        search_fields=item.search_fields,
        default_sort=item.default_sort,
        export_name=item.label,
        actions=[("返回监督首页", reverse("supervision:dashboard") + _suffix(scope))],
    )
    return listing.respond(request, item.queryset(scope))


# --- Early warning (SUP-05) ---------------------------------------------------------------


@login_required
def warning_list_view(request):
    scope = _scope(request)
    findings = early_warning.findings(scope)
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            filename=f"{scope.title}执法预警.xlsx",
            title="执法预警",
            headers=["预警类型", "对象", "情况", "案件数"],
            rows=[[f.kind_label, f.subject, f.detail, len(f.case_ids)] for f in findings],
        )
    suffix = _suffix(scope)
    return _page(
        request,
        "supervision/warnings.html",
        scope,
        {
            "title": f"执法预警：{scope.title}",
            "findings": [
                (
                    f,
                    reverse("supervision:warning-detail", args=[f.kind, f.key]) + suffix,
                )
                for f in findings
            ],
        },
    )


@login_required
def warning_detail_view(request, kind: str, key: str):
    scope = _scope(request)
    finding = early_warning.finding_get(scope, kind, key)
    if finding is None:
        raise Http404("该预警不存在或已消除。")
    listing = Listing(
        title=f"{finding.kind_label}：{finding.subject}",
        columns=case_columns(),
        search_fields=("number", "title"),
        default_sort="started_on",
        export_name=f"{finding.kind_label}-{finding.subject}",
        actions=[("返回执法预警", reverse("supervision:warning-list") + _suffix(scope))],
    )
    cases = scope.cases.filter(pk__in=finding.case_ids).select_related("agency")
    return listing.respond(
        request, cases, template="supervision/finding.html", context={"finding": finding}
    )


# --- Annual statistics report (PUB-11) ----------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        raise Http404("年度不正确。") from None
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404("年度不正确。")
    return year


def report_title(scope, year: int) -> str:
    return f"{scope.title} {year}年度行政执法统计年报"


@login_required
def annual_view(request):
    scope = _scope(request)
    year = _year(request)
    fmt = request.GET.get("format")
    if fmt in ("pdf", "xlsx"):
        stats = annual_stats(scope.agencies, year, title=report_title(scope, year))
        filename = f"{stats.title}.{fmt}"
        if fmt == "pdf":
            response = HttpResponse(annual.render_pdf(stats), content_type="application/pdf")
        else:
            response = HttpResponse(annual.render_xlsx(stats), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response
    stats = annual_stats(scope.agencies, year, title=report_title(scope, year))
    this_year = timezone.localdate().year
    return _page(
        request,
        "supervision/annual.html",
        scope,
        {
            "title": "行政执法统计年报",
            "stats": stats,
            "kind_table": annual.kind_table(stats),
            "other_table": annual.other_table(stats),
            "unrecorded": annual.UNRECORDED,
            "years": list(range(this_year, this_year - 6, -1)),
            "year": year,
            "agency_param": scope.agency.pk if scope.agency and scope.region else "",
        },
    )


# --- Case file evaluation (SUP-02) --------------------------------------------------------


@login_required
def evaluation_list_view(request):
    scope = _scope(request)
    form = None
    if scope.region is not None:
        form = EvaluationDrawForm(
            request.POST or None, agencies=region_agencies(scope.region).order_by("name")
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                evaluation = services.file_evaluation_draw(
                    actor=request.user,
                    agency=data["agency"],
                    year=data["year"],
                    size=data["size"],
                    seed=data["seed"] or None,
                )
            except ZhifaError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已抽取 {evaluation.items.count()} 卷案卷。")
                return redirect("supervision:evaluation-detail", pk=evaluation.pk)
    evaluations = selectors.evaluation_list(actor=request.user).filter(agency__in=scope.agencies)
    return _page(
        request,
        "supervision/evaluations.html",
        scope,
        {"title": f"案卷评查抽样：{scope.title}", "form": form, "evaluations": evaluations[:100]},
    )


@login_required
def evaluation_detail_view(request, pk: int):
    try:
        evaluation = selectors.evaluation_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "supervision/evaluation_detail.html",
        {
            "title": str(evaluation),
            "evaluation": evaluation,
            "items": evaluation.items.select_related("case"),
            "verified": services.file_evaluation_verify(evaluation),
        },
    )
