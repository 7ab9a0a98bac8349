"""Workbench pages of the supervision platform: the dashboard (SUP-01), the
lists behind its watch items, early warning (SUP-05) and the annual statistics
report (PUB-11). Thin: figures come from the modules beside this one, the scope
from ``selectors.supervision_scope``; out of scope is a 404.

These pages show counts, case numbers and titles, never case content, so they
do not put a look on record (REC-12); the links lead to the case pages, which do.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.excel import XLSX_CONTENT_TYPE, workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.supervision import annual, assessment, dashboard, early_warning, selectors, services
from zhifa.supervision.forms import (
    EvaluationCommitForm,
    EvaluationDrawForm,
    FilingForm,
    NoticeForm,
    ReplyForm,
    ReviewForm,
    RubricItemForm,
    ScoreForm,
    SurveyForm,
)
from zhifa.supervision.models import Filing, RectificationNotice, RubricItem
from zhifa.supervision.selectors import region_agencies, supervision_scope
from zhifa.supervision.stats import annual_stats
from zhifa.supervision.watch import case_columns, watch_get
from zhifa.supervision.watches import NOTICE_COLUMNS


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


def _tables(scope, found) -> dict[str, tuple[str, list[str], list]]:
    tables = {
        "watches": (
            "督办事项",
            ["事项", "类别", "依据", "数量"],
            [[c.item.label, c.level_label, c.item.requirement, c.count] for c in found.counts],
        ),
        "kinds": ("案件：按执法类别", ["执法类别", "案件数"], found.kinds),
        "stages": ("案件：按环节", ["环节", "案件数"], found.stages),
        "months": ("案件：按启动月份", ["月份", "案件数"], found.months),
    }
    if scope.is_region:
        tables["agencies"] = (
            "各执法主体案件",
            ["执法主体", "案件总数", "在办", "本年启动"],
            [[a.name, total, open_, year] for a, total, open_, year in found.agencies],
        )
    return tables


def _every(seconds: int) -> str:
    return f"每 {seconds // 60} 分钟更新" if seconds % 60 == 0 else f"每 {seconds} 秒更新"


@login_required
def dashboard_view(request):
    scope = _scope(request)
    which = request.GET.get("export")
    if which:
        # Exports are counted live: a file handed on should not carry stale figures.
        tables = _tables(scope, dashboard.figures(scope))
        if which not in tables:
            raise Http404("没有这张表。")
        title, headers, rows = tables[which]
        return workbook_response(
            filename=f"{scope.title}{title}.xlsx", title=title, headers=headers, rows=rows
        )
    found = services.dashboard_figures(scope=scope)
    tables = _tables(scope, found)
    suffix = _suffix(scope)
    max_age = settings.ZHIFA_SUPERVISION_SNAPSHOT_SECONDS
    return _page(
        request,
        "supervision/dashboard.html",
        scope,
        {
            "title": f"执法监督：{scope.title}",
            "counts": [
                (c, reverse("supervision:watch-list", args=[c.item.key]) + suffix)
                for c in found.counts
            ],
            "agencies": found.agencies,
            "charts": {"kinds": found.kinds, "stages": found.stages, "months": found.months},
            "tables": tables,
            "as_of": found.computed_at,
            "every": _every(max_age) if max_age > 0 else "实时统计",
            "refresh_url": reverse("supervision:dashboard-refresh") + suffix,
            "export_base": f"?agency={scope.agency.pk}&" if scope.agency and scope.region else "?",
            "annual_pending": [
                p for p in services.annual_pending() if p[0].pk in {a.pk for a in scope.agencies}
            ],
        },
    )


@login_required
@require_POST
def dashboard_refresh_view(request):
    """立即刷新: count the reader's own scope again and store it."""
    scope = _scope(request)
    services.dashboard_snapshot_refresh(scope=scope)
    messages.success(request, "已按当前数据重新统计。")
    return redirect(reverse("supervision:dashboard") + _suffix(scope))


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
            "remedy_table": annual.remedy_table(stats),
            "remedy_note": annual.REMEDY_NOTE,
            "years": list(range(this_year, this_year - 6, -1)),
            "year": year,
            "agency_param": scope.agency.pk if scope.agency and scope.region else "",
        },
    )


# --- Case file evaluation (SUP-02) --------------------------------------------------------


def _found(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _attempt(request, form, action, success: str):
    """Run a service; its refusal becomes a form error (or a message)."""
    try:
        result = action()
    except ZhifaError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result or True


@login_required
def evaluation_list_view(request):
    scope = _scope(request)
    form = None
    if scope.region is not None:
        form = EvaluationCommitForm(
            request.POST or None, agencies=region_agencies(scope.region).order_by("name")
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            evaluation = _attempt(
                request,
                form,
                lambda: services.file_evaluation_commit(
                    actor=request.user,
                    agency=data["agency"],
                    year=data["year"],
                    size=data["size"],
                    beacon_source=data["beacon_source"],
                ),
                "已登记抽样承诺：待公共随机数公布后抽取。",
            )
            if evaluation:
                return redirect("supervision:evaluation-detail", pk=evaluation.pk)
    evaluations = selectors.evaluation_list(actor=request.user).filter(agency__in=scope.agencies)
    return _page(
        request,
        "supervision/evaluations.html",
        scope,
        {"title": f"案卷评查：{scope.title}", "form": form, "evaluations": evaluations[:100]},
    )


@login_required
def evaluation_detail_view(request, pk: int):
    evaluation = _found(selectors.evaluation_get, actor=request.user, pk=pk)
    is_supervisor = services.supervised_region(request.user) is not None
    draw_form = notice_form = None
    if is_supervisor and not evaluation.is_drawn:
        draw_form = EvaluationDrawForm(request.POST or None)
        if (
            request.method == "POST"
            and draw_form.is_valid()
            and _attempt(
                request,
                draw_form,
                lambda: services.file_evaluation_draw(
                    actor=request.user,
                    evaluation=evaluation,
                    beacon_value=draw_form.cleaned_data["beacon_value"],
                ),
                "已抽取评查案卷，并按评查标准自动预评。",
            )
        ):
            return redirect("supervision:evaluation-detail", pk=pk)
    files = evaluation.items.select_related("case").prefetch_related("scores")
    if is_supervisor and evaluation.is_drawn:
        notice_form = NoticeForm(request.POST or None, files=evaluation.items.all())
        if request.method == "POST" and notice_form.is_valid():
            data = notice_form.cleaned_data
            if _attempt(
                request,
                notice_form,
                lambda: services.notice_issue(
                    actor=request.user,
                    evaluation=evaluation,
                    content=data["content"],
                    due_on=data["due_on"],
                    file=data["file"],
                ),
                "已下发整改通知。",
            ):
                return redirect("supervision:evaluation-detail", pk=pk)
    return render(
        request,
        "supervision/evaluation_detail.html",
        {
            "title": str(evaluation),
            "evaluation": evaluation,
            "items": files,
            "verified": services.file_evaluation_verify(evaluation),
            "draw_form": draw_form,
            "notice_form": notice_form,
            "notices": evaluation.notices.select_related("file__case"),
        },
    )


@login_required
def evaluation_file_view(request, pk: int):
    file = _found(selectors.file_get, actor=request.user, pk=pk)
    is_supervisor = services.supervised_region(request.user) is not None
    form = None
    if is_supervisor and request.method == "POST":
        form = ScoreForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            score = file.scores.filter(pk=data["score"]).first()
            if score is None:
                raise Http404("评分条目不存在。")
            if _attempt(
                request,
                form,
                lambda: services.file_score_set(
                    actor=request.user, score=score, points=data["points"], comment=data["comment"]
                ),
                f"已评定“{score.item.title}”。",
            ):
                return redirect("supervision:evaluation-file", pk=pk)
    scores = file.scores.select_related("item", "confirmed_by")
    return render(
        request,
        "supervision/evaluation_file.html",
        {
            "title": f"评查案卷：{file.case.number}",
            "file": file,
            "scores": scores,
            "total": sum(s.effective for s in scores),
            "full": sum(s.max_points for s in scores),
            "can_score": is_supervisor,
            "form": form,
        },
    )


@login_required
def rubric_view(request):
    is_supervisor = services.supervised_region(request.user) is not None
    form = None
    if is_supervisor and request.method == "POST":
        form = RubricItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            item = RubricItem.objects.filter(pk=data["item"]).first()
            if item is None:
                raise Http404("评查标准条目不存在。")
            if _attempt(
                request,
                form,
                lambda: services.rubric_item_update(
                    actor=request.user,
                    item=item,
                    points=data["points"],
                    is_active=data["is_active"],
                ),
                f"已修改“{item.title}”。",
            ):
                return redirect("supervision:rubric")
    items = RubricItem.objects.all()
    return render(
        request,
        "supervision/rubric.html",
        {
            "title": "案卷评查标准",
            "items": items,
            "total": sum(i.points for i in items if i.is_active),
            "can_edit": is_supervisor,
            "form": form,
        },
    )


NOTICE_LISTING = Listing(
    title="整改通知跟踪",
    columns=[
        *NOTICE_COLUMNS,
        Column("状态", lambda n: n.get_state_display(), sort="state"),
        Column("逾期", lambda n: "逾期" if n.is_overdue(timezone.localdate()) else ""),
    ],
    search_fields=("content", "agency__name", "reply"),
    default_sort="due_on",
    export_name="整改通知",
)


@login_required
def notice_list_view(request):
    notices = selectors.notice_list(actor=request.user)
    state = request.GET.get("state")
    if state in RectificationNotice.State.values:
        notices = notices.filter(state=state)
    return NOTICE_LISTING.respond(request, notices)


@login_required
def notice_detail_view(request, pk: int):
    notice = _found(selectors.notice_get, actor=request.user, pk=pk)
    is_supervisor = services.supervised_region(request.user) is not None
    reply_form = review_form = None
    if not is_supervisor and notice.state == RectificationNotice.State.OPEN:
        reply_form = ReplyForm(request.POST or None)
        if (
            request.method == "POST"
            and reply_form.is_valid()
            and _attempt(
                request,
                reply_form,
                lambda: services.notice_reply(
                    actor=request.user, notice=notice, reply=reply_form.cleaned_data["reply"]
                ),
                "已报送整改情况。",
            )
        ):
            return redirect("supervision:notice-detail", pk=pk)
    if is_supervisor and notice.state == RectificationNotice.State.REPLIED:
        review_form = ReviewForm(request.POST or None)
        if request.method == "POST" and review_form.is_valid():
            data = review_form.cleaned_data
            if _attempt(
                request,
                review_form,
                lambda: services.notice_review(
                    actor=request.user,
                    notice=notice,
                    accept=data["accept"] == "1",
                    comment=data["comment"],
                ),
                "已审核整改情况。",
            ):
                return redirect("supervision:notice-detail", pk=pk)
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "title": str(notice),
            "notice": notice,
            "reply_form": reply_form,
            "review_form": review_form,
        },
    )


# --- Assessment (SUP-03) ------------------------------------------------------------------


@login_required
def assessment_view(request):
    scope = _scope(request)
    year = _year(request)
    rows = assessment.ranking(scope.agencies, year)
    title = f"{scope.title} {year}年度行政执法考核通报"
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            assessment.render_pdf(rows, title=title), content_type="application/pdf"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.pdf"
        return response
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            filename=f"{title}.xlsx",
            title="考核结果",
            headers=[
                "名次",
                "执法主体",
                "综合得分",
                *[label for _k, label in assessment.INDICATORS],
                "决定被更正",
                "决定被撤回",
                "决定被撤销、变更或确认违法",
            ],
            rows=[
                [
                    r.rank,
                    r.agency.name,
                    r.score,
                    *[r.indicators[k].value for k, _ in assessment.INDICATORS],
                    r.corrected,
                    r.withdrawn,
                    r.revoked,
                ]
                for r in rows
            ],
        )
    this_year = timezone.localdate().year
    return _page(
        request,
        "supervision/assessment.html",
        scope,
        {
            "title": "行政执法考核",
            "rows": rows,
            "indicators": assessment.INDICATORS,
            "weights": [
                (label, settings.ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS.get(key, 0))
                for key, label in assessment.INDICATORS
            ],
            "target": settings.ZHIFA_SUPERVISION_SATISFACTION_TARGET,
            "years": list(range(this_year, this_year - 6, -1)),
            "year": year,
            "agency_param": scope.agency.pk if scope.agency and scope.region else "",
        },
    )


# --- Filings (SUP-04) ---------------------------------------------------------------------


@login_required
def filing_list_view(request):
    own = None
    officer = services.officer_of(request.user)
    is_supervisor = services.supervised_region(request.user) is not None
    form = None
    if not is_supervisor and officer is not None:
        own = officer.agency
        form = FilingForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            filing = _attempt(
                request,
                form,
                lambda: services.filing_submit(
                    actor=request.user,
                    agency=own,
                    kind=data["kind"],
                    title=data["title"],
                    upload=data["upload"],
                ),
                "已报送备案。",
            )
            if filing:
                return redirect("supervision:filing-detail", pk=filing.pk)
    overview = selectors.filing_overview(actor=request.user)
    if not overview and not is_supervisor:
        raise Http404("页面不存在，或您无权查看。")
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            filename="备案情况.xlsx",
            title="备案情况",
            headers=[
                "执法主体",
                *[label for _k, label in Filing.Kind.choices],
                "重大执法决定法制审核目录",
            ],
            rows=[
                [
                    agency.name,
                    *[f.get_state_display() if f else "未报备" for f in latest.values()],
                    catalogue.get_state_display() if catalogue else "未报备",
                ]
                for agency, latest, catalogue in overview
            ],
        )
    return render(
        request,
        "supervision/filings.html",
        {
            "title": "备案",
            "kinds": Filing.Kind.choices,
            "overview": overview,
            "filings": selectors.filing_list(actor=request.user)[:100],
            "form": form,
        },
    )


@login_required
def filing_detail_view(request, pk: int):
    filing = _found(selectors.filing_get, actor=request.user, pk=pk)
    is_supervisor = services.supervised_region(request.user) is not None
    if request.GET.get("download") and filing.file_id:
        from zhifa.ledger.evidence import backend

        return FileResponse(
            backend(filing.file.backend).open(filing.file.storage_key),
            as_attachment=True,
            filename=filing.file.original_name,
        )
    form = None
    if is_supervisor and filing.state == Filing.State.FILED:
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if _attempt(
                request,
                form,
                lambda: services.filing_decide(
                    actor=request.user,
                    filing=filing,
                    accept=data["accept"] == "1",
                    comment=data["comment"],
                ),
                "已审查备案。",
            ):
                return redirect("supervision:filing-detail", pk=pk)
    return render(
        request,
        "supervision/filing_detail.html",
        {"title": str(filing), "filing": filing, "form": form},
    )


# --- Stored annual reports (PUB-11) -------------------------------------------------------


@login_required
def report_list_view(request):
    officer = services.officer_of(request.user)
    is_supervisor = services.supervised_region(request.user) is not None
    reports = selectors.report_list(actor=request.user)
    own = None if is_supervisor or officer is None else officer.agency
    if not is_supervisor and not selectors._visible_agencies(request.user).exists():
        raise Http404("页面不存在，或您无权查看。")
    if request.method == "POST" and own is not None:
        if request.POST.get("action") == "file":
            try:
                year = int(request.POST.get("year") or 0)
            except ValueError:
                year = 0
            _attempt(
                request,
                None,
                lambda: services.annual_report_file(actor=request.user, agency=own, year=year),
                f"已报送 {year} 年度统计年报。",
            )
        elif request.POST.get("action") == "publish":
            report = reports.filter(pk=request.POST.get("report") or 0).first()
            if report is None:
                raise Http404("统计年报不存在。")
            _attempt(
                request,
                None,
                lambda: services.annual_report_publish(actor=request.user, report=report),
                "已提交公开：经本机关法制机构审核后在公示平台发布。",
            )
        return redirect("supervision:report-list")
    pending = [
        p
        for p in services.annual_pending()
        if p[0] in set(selectors._visible_agencies(request.user))
    ]
    return render(
        request,
        "supervision/reports.html",
        {
            "title": "统计年报报送与公开",
            "reports": reports[:100],
            "pending": pending,
            "own": own,
            "last_year": timezone.localdate().year - 1,
        },
    )


@login_required
def report_pdf_view(request, pk: int):
    from zhifa.ledger.evidence import backend

    report = _found(selectors.report_get, actor=request.user, pk=pk)
    return FileResponse(
        backend(report.pdf.backend).open(report.pdf.storage_key),
        as_attachment=True,
        filename=f"{report}.pdf",
        content_type="application/pdf",
    )


# --- Portal survey (SUP-03) ---------------------------------------------------------------


@require_POST
def survey_view(request, pk: int):
    """The short satisfaction survey under a published decision (public, anonymous)."""
    from zhifa.disclosures import ratelimit
    from zhifa.disclosures.selectors import published_get

    item = _found(published_get, pk=pk)
    back = reverse("portal:decision-detail", args=[item.pk])
    limit = settings.ZHIFA_SUPERVISION_SURVEY_RATE_PER_HOUR
    if not ratelimit.allow(request, "survey", limit=limit, period_seconds=3600):
        return HttpResponse(
            "提交过于频繁，请稍后再试。", status=429, content_type="text/plain; charset=utf-8"
        )
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            "请选择满意程度。", status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        services.satisfaction_submit(
            disclosure=item,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ZhifaError as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    messages.success(request, "感谢您的评价。")
    return redirect(back + "#survey")
