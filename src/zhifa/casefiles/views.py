"""Workbench pages of case files: the case file of a case with its catalogue,
binding, archiving, supplements and downloads, and the lists of case files
awaiting the archive and past their deadline (REC-10). Thin: reads through
selectors, writes through services."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from zhifa.casefiles import selectors, services
from zhifa.casefiles.export import casefile_export
from zhifa.casefiles.forms import SupplementForm
from zhifa.casefiles.models import CatalogueEntry
from zhifa.cases.models import Case, Stage
from zhifa.cases.services import case_viewed
from zhifa.core.errors import NotFound
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, permitted, require
from zhifa.ledger import evidence


def detail_url(case: Case) -> str:
    return reverse("casefiles:detail", args=[case.pk])


def case_url(case: Case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


def _posted(request):
    return request.POST if request.method == "POST" else None


def _case_and_file(request, pk: int):
    try:
        return selectors.casefile_of(actor=request.user, case_pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _may_keep(user, case: Case) -> bool:
    return permitted(services.require_keeper, user, case)


# --- The case file of a case ------------------------------------------------------


@login_required
def casefile_detail_view(request, pk: int):
    case, case_file = _case_and_file(request, pk)
    case_viewed(actor=request.user, case=case, what="casefile")
    may_keep = _may_keep(request.user, case)
    return render(
        request,
        "casefiles/casefile_detail.html",
        {
            "title": f"{case.number} 案卷",
            "case": case,
            "case_url": case_url(case),
            "case_file": case_file,
            "entries": selectors.catalogue(case_file) if case_file else [],
            "overdue": selectors.is_overdue(case),
            "overdue_days": (timezone.localdate() - case.archive_due_on).days
            if selectors.is_overdue(case)
            else 0,
            "can_assemble": may_keep and case.stage == Stage.CLOSED,
            "can_archive": may_keep and case.stage == Stage.CLOSED and case_file is not None,
            "can_supplement": may_keep and case_file is not None and case_file.archived,
        },
    )


@login_required
def casefile_assemble_view(request, pk: int):
    case, case_file = _case_and_file(request, pk)
    require(services.require_keeper, request.user, case)

    def save(data):
        made = services.casefile_assemble(actor=request.user, case=case)
        return f"案卷已装订（第 {made.version} 版，共 {made.pages} 页）。", detail_url(case)

    again = case_file is not None
    return form_page(
        request,
        forms.Form(_posted(request)),
        save=save,
        title=f"{'重新' if again else ''}装订案卷：{case.number}",
        cancel_url=detail_url(case),
        template="core/confirm.html",
        question="将按规定顺序生成封面、卷内目录、执法记录、执法文书、音像资料目录和备考表，"
        "合并为一个 PDF 并存证，需要数秒。"
        + ("重新装订将以新版本替换归档前的草稿，原版本保留在台账中。" if again else ""),
        verb="装订",
    )


@login_required
def casefile_archive_view(request, pk: int):
    case, case_file = _case_and_file(request, pk)
    require(services.require_keeper, request.user, case)

    def save(data):
        done = services.casefile_archive(actor=request.user, case=case)
        return f"案卷已归档，档案号 {done.archive_number}。", detail_url(case)

    pages = f"（第 {case_file.version} 版，共 {case_file.pages} 页）" if case_file else ""
    return form_page(
        request,
        forms.Form(_posted(request)),
        save=save,
        title=f"归档案卷：{case.number}",
        cancel_url=detail_url(case),
        template="core/confirm.html",
        question=f"将以已装订的案卷{pages}归档，编定档案号，保管期限为永久，案件进入归档环节。"
        "归档不可撤销：此后案卷和目录不能再修改，新发现的材料只能作为补充材料另行编目。",
        verb="归档",
    )


@login_required
def casefile_supplement_view(request, pk: int):
    case, _ = _case_and_file(request, pk)
    require(services.require_keeper, request.user, case)
    form = SupplementForm(_posted(request), request.FILES if request.method == "POST" else None)

    def save(data):
        upload = data["file"]
        entry = services.casefile_supplement(
            actor=request.user,
            case=case,
            title=data["title"],
            stream=upload,
            original_name=upload.name,
            content_type=upload.content_type or "",
            note=data["note"],
        )
        return f"已将“{entry.title}”编入案卷目录第 {entry.position} 项。", detail_url(case)

    return form_page(
        request,
        form,
        save=save,
        title=f"归档后补充材料：{case.number}",
        cancel_url=detail_url(case),
        template="casefiles/form.html",
    )


# --- Downloads, each recorded in the ledger ---------------------------------------


def _file_response(stored, filename: str):
    try:
        stream = evidence.backend(stored.backend).open(stored.storage_key)
    except FileNotFoundError:
        raise Http404("文件不在存证库中。") from None
    return FileResponse(stream, content_type="application/pdf", filename=filename)


def _viewed(request, case, what, entry=None):
    try:
        return services.casefile_view(actor=request.user, case=case, what=what, entry=entry)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def casefile_pdf_view(request, pk: int):
    case, _ = _case_and_file(request, pk)
    case_file = _viewed(request, case, "pdf")
    return _file_response(case_file.pdf, f"{case.number}-案卷.pdf")


@login_required
def casefile_entry_pdf_view(request, pk: int, entry_pk: int):
    case, case_file = _case_and_file(request, pk)
    if case_file is None:
        raise Http404("本案尚未装订案卷。")
    entry = get_object_or_404(
        CatalogueEntry.objects.select_related("pdf"),
        pk=entry_pk,
        case_file=case_file,
        pdf__isnull=False,
    )
    _viewed(request, case, "entry", entry)
    return _file_response(entry.pdf, f"{case.number}-{entry.position:03d}-{entry.title}.pdf")


@login_required
def casefile_zip_view(request, pk: int):
    case, _ = _case_and_file(request, pk)
    _viewed(request, case, "zip")
    response = StreamingHttpResponse(casefile_export(case), content_type="application/zip")
    response["Content-Disposition"] = _attachment(f"{case.number}-案卷.zip")
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"casefile.zip\"; filename*=UTF-8''{quote(filename)}"


# --- Lists ------------------------------------------------------------------------


def _days_overdue(case: Case) -> int | str:
    if not selectors.is_overdue(case):
        return ""
    return (timezone.localdate() - case.archive_due_on).days


def _bound(case: Case) -> str:
    case_file = getattr(case, "case_file", None)
    if case_file is None:
        return "未装订"
    if case_file.archived:
        return f"已归档（{case_file.archive_number}）"
    return f"已装订第 {case_file.version} 版（{case_file.pages} 页）"


CASEFILE_LISTING = Listing(
    title="案卷归档",
    columns=[
        Column(
            "案件编号",
            "number",
            sort="number",
            link=lambda c: reverse("casefiles:detail", args=[c.pk]),
        ),
        Column("案件名称", "title", sort="title"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("环节", "get_stage_display", sort="stage"),
        Column("执法行为终结日期", "action_ended_on", sort="action_ended_on"),
        Column("归档期限", "archive_due_on", sort="archive_due_on"),
        Column("逾期天数", _days_overdue),
        Column("案卷", _bound),
    ],
    search_fields=("number", "title", "agency__name", "case_file__archive_number"),
    default_sort="archive_due_on",
    export_name="案卷归档情况",
)
OVERDUE_LISTING = dataclasses.replace(
    CASEFILE_LISTING, title="归档逾期", export_name="归档逾期案件"
)
STATES = {
    "": ("待归档", selectors.awaiting_archive),
    "overdue": ("归档逾期", selectors.archive_overdue),
    "archived": ("已归档", selectors.archived),
}


@login_required
def casefile_list_view(request):
    state = request.GET.get("state", "")
    if state not in STATES:
        state = ""
    queryset = STATES[state][1](actor=request.user).select_related("case_file")
    return CASEFILE_LISTING.respond(
        request,
        queryset,
        context={
            "filters": [(key, label, key == state) for key, (label, _) in STATES.items()],
            "filter_name": "state",
        },
    )


@login_required
def archive_overdue_view(request):
    queryset = selectors.archive_overdue(actor=request.user).select_related("case_file")
    return OVERDUE_LISTING.respond(request, queryset)
