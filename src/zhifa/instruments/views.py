"""Workbench pages for instruments: issuing with confirmation, the instrument
page and its downloads (each logged), and the agency administrator's pages for
templates, number formats and pre-printed on-the-spot forms (REC-07, REC-14).
They read through selectors and write through services."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Record
from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page
from zhifa.instruments import selectors, services
from zhifa.instruments.context import FIELD_HELP, record_fields
from zhifa.instruments.forms import BatchForm, IssueForm, PatternForm, TemplateUploadForm
from zhifa.instruments.kinds import SPECS
from zhifa.instruments.models import DocumentNumberPattern, Instrument, Kind
from zhifa.instruments.numbering import number_preview, pattern_for
from zhifa.instruments.rendering import DOCX_TYPE
from zhifa.instruments.timeline import _panel


def _posted(request):
    return request.POST if request.method == "POST" else None


def _found(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _kind(kind: str):
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404("没有这种文书。")
    return spec


def _case_url(case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


# --- A case's instruments -------------------------------------------------------------------


@login_required
def case_instruments_view(request, case_pk: int):
    case = _found(case_get, actor=request.user, pk=case_pk)
    case_viewed(actor=request.user, case=case, what="instruments")
    return render(
        request,
        "instruments/case.html",
        {"title": "执法文书", "case": case, "panel": _panel(request, case) or ""},
    )


@login_required
def issue_view(request, case_pk: int, kind: str):
    case = _found(case_get, actor=request.user, pk=case_pk)
    spec = _kind(kind)
    if not services.may_issue(request.user, case, kind):
        raise PermissionDenied("只有本案承办人员（审批表也可由负责人）可以制作文书。")
    records = Record.objects.filter(
        case=case, kind__in=spec.records, superseded_by__isnull=True
    ).order_by("-occurred_at", "-pk")
    supersedable = Instrument.objects.filter(case=case, kind=kind, superseded_by__isnull=True)
    data = _posted(request)
    initial = {}
    if request.GET.get("supersedes"):
        initial["supersedes"] = request.GET["supersedes"]
    form = IssueForm(
        data,
        initial=initial,
        records=records,
        supersedable=supersedable,
        record_required=spec.record_required,
    )
    if data is not None and form.is_valid():
        try:
            instrument = services.instrument_issue(
                actor=request.user,
                case=case,
                kind=kind,
                record=form.cleaned_data.get("record"),
                supersedes=form.cleaned_data.get("supersedes"),
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            shown = f"，文号 {instrument.number}" if instrument.number else ""
            messages.success(
                request, f"已制作{instrument.title}{shown}，共 {instrument.pages} 页。"
            )
            return redirect("instruments:detail", instrument.pk)
    superseding = form["supersedes"].value()
    previous = supersedable.filter(pk=superseding).first() if str(superseding).isdigit() else None
    if spec.preprinted:
        number_note = "使用当场行政处罚决定记录中填写的预印决定书编号。"
    else:
        preview = number_preview(agency=case.agency, kind=kind, year=timezone.localdate().year)
        number_note = (
            f"将自动取得文号 {preview}（以实际制作时为准，文号不能手工填写）。"
            if preview
            else "该文书不编文号。"
        )
    template = services.template_active(case.agency, kind)
    return render(
        request,
        "instruments/issue.html",
        {
            "title": f"{'更正' if previous else '制作'}{spec.label}",
            "case": case,
            "case_url": _case_url(case),
            "form": form,
            "spec": spec,
            "previous": previous,
            "number_note": number_note,
            "template": template,
            "no_record": spec.record_required and not records.exists(),
        },
    )


@login_required
def detail_view(request, pk: int):
    instrument = _found(selectors.instrument_get, actor=request.user, pk=pk)
    case = instrument.case
    # The page shows the instrument; opening its PDF or DOCX is logged again.
    case_viewed(actor=request.user, case=case, what=f"instrument:{instrument.pk}")
    superseded_by = getattr(instrument, "superseded_by", None)
    can_correct = (
        superseded_by is None
        and case.stage not in ("closed", "archived")
        and services.may_issue(request.user, case, instrument.kind)
    )
    return render(
        request,
        "instruments/detail.html",
        {
            "title": f"{instrument.title} {instrument.number}".strip(),
            "instrument": instrument,
            "case": case,
            "case_url": _case_url(case),
            "superseded_by": superseded_by,
            "can_correct": can_correct,
        },
    )


@login_required
def download_view(request, pk: int, fmt: str):
    instrument = _found(selectors.instrument_get, actor=request.user, pk=pk)
    try:
        stream, stored = services.instrument_open(
            actor=request.user, instrument=instrument, fmt=fmt
        )
    except ZhifaError as exc:
        raise Http404(exc.message) from None
    return FileResponse(
        stream,
        as_attachment=fmt == "docx" or bool(request.GET.get("download")),
        content_type=stored.content_type or "application/octet-stream",
        filename=stored.original_name,
    )


# --- Templates (agency administrators) ---------------------------------------------------


def _agencies(request):
    agencies = selectors.managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以管理文书模板、文号格式。")
    return agencies


@login_required
def template_list_view(request):
    agencies = _agencies(request)
    rows = [(agency, selectors.templates_in_use(agency)) for agency in agencies]
    fields = [
        (label, "、".join(f"r.{f.name}（{f.label}）" for f in record_fields(code)))
        for code, label in Kind.choices
    ]
    return render(
        request,
        "instruments/templates.html",
        {
            "title": "文书模板",
            "rows": rows,
            "history": selectors.template_list(actor=request.user),
            "field_help": FIELD_HELP.items(),
            "record_fields": fields,
        },
    )


@login_required
def template_upload_view(request):
    agencies = _agencies(request)
    initial = {"kind": request.GET.get("kind", "")}
    form = TemplateUploadForm(
        _posted(request), request.FILES or None, agencies=agencies, initial=initial
    )

    def save(data):
        upload = data["file"]
        template = services.template_upload(
            actor=request.user,
            agency=data["agency"],
            kind=data["kind"],
            data=upload.read(),
            filename=upload.name,
            name=data["name"],
        )
        label = template.get_kind_display()
        return (
            f"已启用{label}模板“{template.name}”（第 {template.version} 版）。",
            reverse("instruments:template-list"),
        )

    return form_page(
        request,
        form,
        save=save,
        title="上传文书模板",
        cancel_url=reverse("instruments:template-list"),
        template="instruments/form.html",
        multipart=True,
    )


@login_required
def template_default_view(request, kind: str):
    spec = _kind(kind)
    response = HttpResponse(services.default_template_bytes(kind), content_type=DOCX_TYPE)
    response["Content-Disposition"] = _attachment(f"{spec.label}（系统默认模板）.docx")
    return response


@login_required
def template_file_view(request, pk: int):
    template = _found(selectors.template_get, actor=request.user, pk=pk)
    response = HttpResponse(services.template_file(template), content_type=DOCX_TYPE)
    response["Content-Disposition"] = _attachment(f"{template.name}-v{template.version}.docx")
    return response


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, filename)


@login_required
def template_deactivate_view(request, pk: int):
    template = _found(selectors.template_get, actor=request.user, pk=pk)

    def save(_data):
        services.template_deactivate(actor=request.user, template=template)
        return (
            f"已停用“{template.name}”，{template.get_kind_display()}恢复使用系统默认模板。",
            reverse("instruments:template-list"),
        )

    return form_page(
        request,
        forms.Form(_posted(request)),
        save=save,
        title=f"停用模板“{template.name}”",
        cancel_url=reverse("instruments:template-list"),
        template="core/confirm.html",
        question="停用后本机关的该种文书改用系统默认模板；已制作的文书不受影响。",
        verb="停用",
    )


# --- Number formats ---------------------------------------------------------------------------


@login_required
def pattern_list_view(request):
    agencies = _agencies(request)
    year = timezone.localdate().year
    rows = []
    for agency in agencies:
        own = {p.kind: p for p in DocumentNumberPattern.objects.filter(agency=agency)}
        for code, label in Kind.choices:
            spec = SPECS[code]
            found = None if spec.preprinted else pattern_for(agency, code)
            rows.append(
                {
                    "agency": agency,
                    "kind": code,
                    "label": label,
                    "preprinted": spec.preprinted,
                    "pattern": found[0] if found else "",
                    "own": own.get(code),
                    "next": number_preview(agency=agency, kind=code, year=year) if found else "",
                }
            )
    return render(
        request,
        "instruments/patterns.html",
        {"title": "文号格式", "rows": rows, "many": len(agencies) > 1},
    )


def _managed_agency(request, agency_pk: int):
    agency = next((a for a in _agencies(request) if a.pk == agency_pk), None)
    if agency is None:
        raise Http404("执法主体不存在，或您无权管理。")
    return agency


@login_required
def pattern_set_view(request, agency_pk: int, kind: str):
    agency = _managed_agency(request, agency_pk)
    spec = _kind(kind)
    current = DocumentNumberPattern.objects.filter(agency=agency, kind=kind).first()
    found = pattern_for(agency, kind)
    initial = {
        "pattern": found[0] if found else "{abbr}〔{year}〕{n}号",
        "abbr": current.abbr if current else "",
    }
    if request.method == "POST" and request.POST.get("reset") and current is not None:
        try:
            services.number_pattern_reset(actor=request.user, pattern=current)
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{spec.label}已恢复系统默认文号格式。")
        return redirect("instruments:pattern-list")

    def save(data):
        services.number_pattern_set(actor=request.user, agency=agency, kind=kind, **data)
        return f"已设置{spec.label}的文号格式。", reverse("instruments:pattern-list")

    return form_page(
        request,
        PatternForm(_posted(request), initial=initial),
        save=save,
        title=f"{agency.name} · {spec.label}文号格式",
        cancel_url=reverse("instruments:pattern-list"),
        template="instruments/form.html",
        can_reset=current is not None,
    )


# --- Pre-printed on-the-spot forms ---------------------------------------------------------

BATCH_LISTING = Listing(
    title="当场处罚决定书领用",
    columns=[
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("领用人", "officer.name", sort="officer__name"),
        Column("起始编号", lambda b: b.form_number(b.first), sort="first"),
        Column("终止编号", lambda b: b.form_number(b.last)),
        Column("份数", lambda b: b.last - b.first + 1),
        Column("发放时间", "issued_at", sort="issued_at"),
        Column("备注", "note"),
    ],
    search_fields=("prefix", "officer__name", "note"),
    default_sort="-issued_at",
)


@login_required
def batch_list_view(request):
    listing = BATCH_LISTING
    if selectors.form_agencies(request.user):
        listing = dataclasses.replace(
            listing, actions=[("发放预印决定书", reverse("instruments:batch-create"))]
        )
    return listing.respond(request, selectors.batch_list(actor=request.user))


@login_required
def batch_create_view(request):
    agencies = selectors.form_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员或负责人可以发放预印的当场处罚决定书。")

    def save(data):
        batch = services.onspot_batch_issue(actor=request.user, **data)
        return f"已登记发放 {batch}。", reverse("instruments:batch-list")

    return form_page(
        request,
        BatchForm(_posted(request), agencies=agencies),
        save=save,
        title="发放预印的当场行政处罚决定书",
        cancel_url=reverse("instruments:batch-list"),
        template="instruments/form.html",
    )
