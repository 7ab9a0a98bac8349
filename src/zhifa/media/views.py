"""Workbench pages of audio-video records: the agency's 音像记录事项清单
(REC-04), a case's photos, audio and video with their upload form and player
(REC-05), and the streamed file itself, every opening of which is logged
(REC-12). Reads go through selectors, writes through services."""

from __future__ import annotations

import dataclasses
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from zhifa.accounts.models import Agency
from zhifa.accounts.selectors import officer_of
from zhifa.accounts.services import require_agency_admin
from zhifa.cases.models import Case, Stage
from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed, require_handler
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, managed_agencies, permitted
from zhifa.ledger import evidence
from zhifa.media import selectors, services
from zhifa.media.forms import MediaUploadForm, RequirementForm, RequirementImportForm
from zhifa.media.models import MediaItem
from zhifa.media.timeline import decorate

# --- 音像记录事项清单 (REC-04) ----------------------------------------------------------


def _managed_agencies(user) -> list[Agency]:
    return managed_agencies(user, require_agency_admin)


REQUIREMENT_LISTING = Listing(
    title="音像记录事项清单",
    columns=[
        Column("执法主体", "agency.name", sort="agency__name"),
        Column(
            "执法类别",
            lambda r: r.get_action_kind_display() if r.action_kind else "全部",
            sort="action_kind",
        ),
        Column("执法环节", "get_stage_display", sort="stage"),
        Column("执法记录类型", "record_kind_label", sort="record_kind"),
        Column("场所", "place"),
        Column("记录内容", "content"),
        Column("记录方式", "get_mode_display", sort="mode"),
    ],
    search_fields=("place", "content", "record_kind", "agency__name"),
    default_sort="stage",
)


def _sheet(filename: str, requirements) -> HttpResponse:
    return workbook_response(
        filename=filename,
        title=services.REQUIREMENT_SHEET_TITLE,
        headers=services.REQUIREMENT_SHEET_HEADERS,
        rows=services.requirement_rows(requirements),
    )


@login_required
def requirement_list_view(request):
    requirements = selectors.requirement_list(actor=request.user)
    if request.GET.get("export") == "xlsx":
        # The import layout, so that an exported list can be edited and re-imported.
        requirements, _, _ = REQUIREMENT_LISTING.filter(request, requirements)
        return _sheet(f"{services.REQUIREMENT_SHEET_TITLE}.xlsx", requirements.iterator())
    listing = REQUIREMENT_LISTING
    if _managed_agencies(request.user):
        first = dataclasses.replace(
            listing.columns[2], link=lambda r: reverse("media:requirement-edit", args=[r.pk])
        )
        listing = dataclasses.replace(
            listing,
            columns=[*listing.columns[:2], first, *listing.columns[3:]],
            actions=[
                ("新建事项", reverse("media:requirement-create")),
                ("填入默认清单", reverse("media:requirement-seed")),
                ("导入 Excel", reverse("media:requirement-import")),
                ("下载导入模板", reverse("media:requirement-template")),
            ],
        )
    return listing.respond(request, requirements)


@login_required
def requirement_template_view(request):
    return _sheet(f"{services.REQUIREMENT_SHEET_TITLE}导入模板.xlsx", [])


@login_required
def requirement_import_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以导入音像记录事项清单。")
    form = RequirementImportForm(request.POST or None, request.FILES or None, agencies=agencies)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        agency = form.cleaned_data["agency"]
        try:
            result = services.requirement_import(
                actor=request.user, agency=agency, data=upload.read(), filename=upload.name
            )
        except ZhifaError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"已导入{agency.name}的音像记录事项清单：共 {result.created} 项"
                f"（替换原有 {result.removed} 项）。",
            )
            return redirect("media:requirement-list")
    return render(
        request,
        "media/requirement_import.html",
        {
            "title": "导入音像记录事项清单",
            "form": form,
            "error": error,
            "agency": agencies[0] if len(agencies) == 1 else None,
            "headers": services.REQUIREMENT_SHEET_HEADERS,
        },
    )


def _requirement_fields(data: dict) -> dict:
    return {
        k: data.get(k, "")
        for k in ("action_kind", "stage", "record_kind", "place", "content", "mode")
    }


@login_required
def requirement_create_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以维护音像记录事项清单。")
    form = RequirementForm(request.POST or None, agencies=agencies)

    def save(data):
        services.requirement_create(
            actor=request.user, agency=data["agency"], **_requirement_fields(data)
        )
        return "已新增音像记录事项。", reverse("media:requirement-list")

    return form_page(
        request,
        form,
        save=save,
        title="新增音像记录事项",
        cancel_url=reverse("media:requirement-list"),
        template="media/form.html",
    )


@login_required
def requirement_edit_view(request, pk: int):
    try:
        requirement = selectors.requirement_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if not permitted(require_agency_admin, request.user, requirement.agency):
        raise PermissionDenied("只有本机关的管理员可以修改音像记录事项清单。")
    initial = _requirement_fields(requirement.__dict__)
    form = RequirementForm(
        request.POST or None, initial=initial, agencies=[requirement.agency], editing=True
    )

    def save(data):
        services.requirement_update(
            actor=request.user, requirement=requirement, **_requirement_fields(data)
        )
        return "已保存音像记录事项。", reverse("media:requirement-list")

    return form_page(
        request,
        form,
        save=save,
        title=f"修改音像记录事项（{requirement.agency.name}）",
        cancel_url=reverse("media:requirement-list"),
        template="media/form.html",
        delete_url=reverse("media:requirement-delete", args=[requirement.pk]),
    )


def _confirm(request, *, title, question, verb, cancel_url):
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "question": question,
            "form": forms.Form(),
            "verb": verb,
            "cancel_url": cancel_url,
        },
    )


@login_required
def requirement_delete_view(request, pk: int):
    try:
        requirement = selectors.requirement_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if not permitted(require_agency_admin, request.user, requirement.agency):
        raise PermissionDenied("只有本机关的管理员可以修改音像记录事项清单。")
    if request.method == "POST" and request.POST.get("confirmed"):
        services.requirement_delete(actor=request.user, requirement=requirement)
        messages.success(request, "已删除该音像记录事项。")
        return redirect("media:requirement-list")
    return _confirm(
        request,
        title="删除音像记录事项",
        question=f"删除“{requirement}”？规定必须全过程记录的事项删除后仍按规定执行。",
        verb="删除",
        cancel_url=reverse("media:requirement-list"),
    )


@login_required
def requirement_seed_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以维护音像记录事项清单。")
    if request.method == "POST" and request.POST.get("confirmed"):
        for agency in agencies:
            created = services.requirement_seed(actor=request.user, agency=agency)
            messages.success(request, f"{agency.name}：新增默认事项 {len(created)} 项。")
        return redirect("media:requirement-list")
    return _confirm(
        request,
        title="填入默认音像记录事项",
        question="按规定填入必须全过程音像记录的事项（现场检查、抽样取证、先行登记保存、"
        "行政强制措施、听证、留置送达、强制执行）和须拍照或录像的事项（公告张贴等）；"
        "清单中已有的事项保持不变。",
        verb="填入",
        cancel_url=reverse("media:requirement-list"),
    )


# --- A case's photos, audio and video (REC-05) ---------------------------------------


def _case(request, case_pk: int) -> Case:
    try:
        return case_get(actor=request.user, pk=case_pk)
    except NotFound:
        raise Http404 from None


def case_url(case: Case) -> str:
    """The case page, once the cases app has one; until then this app's list."""
    try:
        return reverse("cases:case-detail", args=[case.pk])
    except NoReverseMatch:
        return reverse("media:case-list", args=[case.pk])


def _may_upload(user, case: Case) -> bool:
    return permitted(require_handler, user, case) and case.stage not in (
        Stage.CLOSED,
        Stage.ARCHIVED,
    )


MEDIA_LISTING = Listing(
    title="音像记录",
    columns=[
        Column("类型", "get_kind_display", sort="kind"),
        Column("文件", "name", link=lambda m: reverse("media:detail", args=[m.pk])),
        Column("拍摄（录制）时间", "captured_at", sort="captured_at"),
        Column("地点", "place", sort="place"),
        Column("拍摄（录制）人", "author", sort="author"),
        Column("对应记录", lambda m: m.record.kind_label if m.record else ""),
        Column("全过程", "is_continuous"),
        Column("时长", lambda m: decorate(m).duration_text),
        Column("中断", lambda m: m.get_interruption_display() if m.interruption != "none" else ""),
        Column("逾期存储", "is_late", sort="is_late"),
        Column("存储时间", "uploaded_at", sort="uploaded_at"),
    ],
    search_fields=("place", "author", "device", "proves", "filename"),
    default_sort="captured_at",
)


@login_required
def case_media_view(request, case_pk: int):
    case = _case(request, case_pk)
    case_viewed(actor=request.user, case=case, what="media")
    listing = dataclasses.replace(
        MEDIA_LISTING,
        title=f"音像记录 · {case.number} {case.title}",
        export_name=f"音像记录-{case.number}",
        actions=(
            [("上传音像记录", reverse("media:upload", args=[case.pk]))]
            if _may_upload(request.user, case)
            else []
        )
        + [("返回案件", case_url(case))],
    )
    return listing.respond(request, selectors.media_list(actor=request.user, case=case))


@login_required
def upload_view(request, case_pk: int):
    case = _case(request, case_pk)
    if not _may_upload(request.user, case):
        raise PermissionDenied("只有本案承办人员可以在案件办结前上传音像记录。")
    officer = officer_of(request.user)
    form = MediaUploadForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        author=officer.name if officer else "",
    )

    def save(data):
        upload = data.pop("file")
        record = data.pop("record")
        item = services.media_add(
            actor=request.user,
            case=case,
            stream=upload,
            filename=upload.name,
            record=record,
            **data,
        )
        note = "（逾期存储，已标注）" if item.is_late else ""
        return f"已保存{item.get_kind_display()}“{item.name}”{note}。", reverse(
            "media:detail", args=[item.pk]
        )

    return form_page(
        request,
        form,
        save=save,
        title=f"上传音像记录 · {case.number}",
        cancel_url=reverse("media:case-list", args=[case.pk]),
        template="media/upload.html",
        case=case,
        api_url=reverse("api:media-upload-list"),
        requirements=selectors.requirement_list(actor=request.user).filter(agency=case.agency),
    )


def _item(request, pk: int) -> MediaItem:
    try:
        return selectors.media_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def detail_view(request, pk: int):
    item = decorate(_item(request, pk))
    # The page shows what the item records; playing the file is logged again (file_view).
    case_viewed(actor=request.user, case=item.case, what=f"media:{item.pk}")
    return render(
        request,
        "media/detail.html",
        {
            "title": f"{item.get_kind_display()} · {item.name}",
            "item": item,
            "case": item.case,
            "case_url": case_url(item.case),
            "list_url": reverse("media:case-list", args=[item.case_id]),
        },
    )


# --- The file itself: streamed, with byte ranges, every opening logged (REC-12) ---------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """``(first, last)`` of a single ``Range: bytes=…`` request; ``None`` when
    there is none (or several: the whole file is sent); ``False`` when it
    cannot be satisfied."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = int(last)
        if n == 0:
            return False
        return max(size - n, 0), size - 1
    first = int(first)
    last = min(int(last), size - 1) if last else size - 1
    if first >= size or last < first:
        return False
    return first, last


class _Window:
    """``length`` bytes of an open object, from where it stands."""

    def __init__(self, f, length: int) -> None:
        self.f, self.left = f, length

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.f.read(self.left if n is None or n < 0 else min(n, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.f.close()


def _stream(stored, *, request, as_attachment: bool, filename: str):
    try:
        f = evidence.backend(stored.backend).open(stored.storage_key)
    except FileNotFoundError:
        raise Http404("存证文件缺失，请联系系统管理员校验台账。") from None
    wanted = byte_range(request.headers.get("Range", ""), stored.size)
    if wanted is False:
        f.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stored.size}"
        return response
    if wanted is None:
        response = FileResponse(
            f,
            content_type=stored.content_type or None,
            as_attachment=as_attachment,
            filename=filename,
        )
        response["Content-Length"] = str(stored.size)
    else:
        first, last = wanted
        if hasattr(f, "seek") and (not hasattr(f, "seekable") or f.seekable()):
            f.seek(first)
        else:  # an object store's body: read past what is not wanted
            skip = first
            while skip > 0:
                skipped = len(f.read(min(skip, services.COPY_BYTES)))
                if not skipped:
                    break
                skip -= skipped
        response = FileResponse(
            _Window(f, last - first + 1),
            status=206,
            content_type=stored.content_type or "application/octet-stream",
            as_attachment=as_attachment,
            filename=filename,
        )
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{stored.size}"
    response.block_size = services.COPY_BYTES
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def file_view(request, pk: int):
    """The file, for the player (inline) or as a download (``?download=1``).

    Each opening is one ``media.view`` entry: a request for the whole file or
    for its start. The further ranges a player asks for while seeking are
    part of the same viewing and are not logged again.
    """
    item = _item(request, pk)
    download = request.GET.get("download") == "1"
    header = request.headers.get("Range", "")
    wanted = byte_range(header, item.file.size)
    opening = wanted is None or (wanted is not False and wanted[0] == 0)
    if request.method == "GET" and opening:
        services.media_view_log(
            actor=request.user,
            item=item,
            part="download" if download else "view",
            byte_range=header[:64],
        )
    return _stream(item.file, request=request, as_attachment=download, filename=item.filename)


@login_required
def poster_view(request, pk: int):
    """The poster frame shown beside a video; a thumbnail, not the record, so
    it is not logged as a viewing."""
    item = _item(request, pk)
    if item.poster is None:
        raise Http404
    return _stream(
        item.poster, request=request, as_attachment=False, filename=item.poster.original_name
    )
