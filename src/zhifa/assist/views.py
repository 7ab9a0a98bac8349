"""Workbench pages of transcripts (REC-05, INF-04): a recording's transcript
beside its player, each segment a link to its moment (``#t=`` media fragment);
starting, following (htmx polling) and cancelling the machine transcription;
the correction form; search of transcripts across the cases one may see.

Every page that shows transcript text logs the look at its case (REC-12):
the transcript page and the correction form as ``transcript:<item>``, a search
as ``transcript-search`` for each case whose text it shows.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from zhifa.assist import reading, selectors, services
from zhifa.assist.models import TranscriptionJob
from zhifa.cases.models import Case
from zhifa.cases.services import case_viewed, require_handler
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.views import permitted
from zhifa.media.models import MediaItem
from zhifa.media.timeline import decorate, duration_text

SEARCH_PAGE_SIZE = 25


def case_url(case: Case) -> str:
    try:
        return reverse("cases:case-detail", args=[case.pk])
    except NoReverseMatch:  # pragma: no cover - the cases app has its page
        return reverse("media:case-list", args=[case.pk])


def _recording(request, pk: int) -> MediaItem:
    try:
        item = selectors.recording_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if item.kind not in selectors.TRANSCRIBABLE:
        raise Http404("照片没有文字记录。")
    return item


def clock(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss`` of a moment in a recording."""
    return duration_text(seconds) or "0:00"


def job_state(job: TranscriptionJob | None) -> dict:
    return {
        "job": job,
        "active": bool(job and job.is_active),
        "retryable": bool(
            job
            and job.status in (TranscriptionJob.Status.FAILED, TranscriptionJob.Status.CANCELLED)
        ),
    }


def may_transcribe(user, item: MediaItem) -> bool:
    """A handling officer of an open case (a closed case is a ``Conflict``, not a 403)."""
    try:
        services.require_transcriber(user, item)
    except ZhifaError:
        return False
    return True


@login_required
def transcript_view(request, pk: int):
    item = decorate(_recording(request, pk))
    version = request.GET.get("version")
    transcript = selectors.transcript_of(
        item, int(version) if version and version.isdigit() else None
    )
    if version and transcript is None:
        raise Http404("没有该版本的文字记录。")
    case_viewed(actor=request.user, case=item.case, what=f"transcript:{item.pk}")
    job = selectors.job_of(item)
    versions = list(selectors.versions_of(item))
    segments = list(transcript.segments.all()) if transcript else []
    for s in segments:
        s.clock = clock(s.start)
    start_at = request.GET.get("t", "")
    try:
        start_at = f"{max(float(start_at), 0):g}" if start_at else ""
    except ValueError:
        start_at = ""
    can_edit = may_transcribe(request.user, item)
    return render(
        request,
        "assist/transcript.html",
        {
            "title": f"文字记录 · {item.name}",
            "item": item,
            "case": item.case,
            "case_url": case_url(item.case),
            "transcript": transcript,
            "is_current": bool(transcript and versions and transcript.pk == versions[0].pk),
            "segments": segments,
            "versions": versions,
            "start_at": start_at,
            "can_start": can_edit and (job is None or job_state(job)["retryable"]),
            "can_cancel": bool(
                job and job.is_active and permitted(require_handler, request.user, item.case)
            ),
            "can_correct": can_edit and bool(versions),
            **job_state(job),
        },
    )


@login_required
def progress_view(request, pk: int):
    """The job's status and percentage only (polled by htmx while it runs)."""
    item = _recording(request, pk)
    job = selectors.job_of(item)
    response = render(
        request,
        "assist/_progress.html",
        {"item": item, "refresh": request.GET.get("refresh") == "1", **job_state(job)},
    )
    if request.GET.get("refresh") == "1" and job is not None and not job.is_active:
        response["HX-Refresh"] = "true"  # the page shows the finished transcript
    return response


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
def start_view(request, pk: int):
    item = _recording(request, pk)
    if not may_transcribe(request.user, item):
        raise PermissionDenied("只有本案承办人员可以在案件办结前转写音像记录。")
    back = reverse("assist:transcript", args=[item.pk])
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            job = services.transcription_start(actor=request.user, item=item)
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            retry = "重新" if job.attempts > 1 else ""
            messages.success(request, f"已{retry}提交转写，后台处理中，完成后显示文字记录。")
        return redirect(back)
    length = f"（时长 {duration_text(item.duration_seconds)}）" if item.duration_seconds else ""
    return _confirm(
        request,
        title=f"语音转写 · {item.case.number}",
        question=f"对{item.get_kind_display()}“{item.name}”{length}进行语音识别，生成带时间的"
        "文字记录？转写在后台进行，不影响原始文件；机器转写结果保留，校正另存为新版本。",
        verb="转写",
        cancel_url=back,
    )


@login_required
def cancel_view(request, pk: int):
    item = _recording(request, pk)
    job = selectors.job_of(item)
    if job is None or not permitted(require_handler, request.user, item.case):
        raise PermissionDenied("只有本案承办人员可以取消转写。")
    back = reverse("assist:transcript", args=[item.pk])
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            services.transcription_cancel(actor=request.user, job=job)
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已取消转写；原始文件不受影响，可随时重新转写。")
        return redirect(back)
    return _confirm(
        request,
        title=f"取消转写 · {item.case.number}",
        question=f"取消“{item.name}”的语音转写？已处理的部分不保存。",
        verb="取消转写",
        cancel_url=back,
    )


def _posted_segments(post) -> list[dict]:
    count = int(post.get("count") or 0) if (post.get("count") or "").isdigit() else 0
    return [
        {
            "start": post.get(f"seg-{n}-start", ""),
            "end": post.get(f"seg-{n}-end", ""),
            "text": post.get(f"seg-{n}-text", ""),
        }
        for n in range(1, min(count, 5000) + 1)
    ]


@login_required
def correct_view(request, pk: int):
    item = decorate(_recording(request, pk))
    if not may_transcribe(request.user, item):
        raise PermissionDenied("只有本案承办人员可以在案件办结前校正文字记录。")
    current = selectors.transcript_of(item)
    if current is None:
        messages.error(request, "该音像记录尚无文字记录可校正，请先转写。")
        return redirect("assist:transcript", pk=item.pk)
    error = None
    if request.method == "POST":
        rows = _posted_segments(request.POST)
        note = request.POST.get("note", "")
        try:
            transcript = services.transcript_correct(
                actor=request.user,
                item=item,
                segments=rows,
                note=note,
                based_on=request.POST.get("based_on") or None,
            )
        except ZhifaError as exc:
            error = exc.message
        else:
            messages.success(request, f"已保存文字记录第 {transcript.version} 版。")
            return redirect("assist:transcript", pk=item.pk)
        based_on = request.POST.get("based_on", "")
    else:
        case_viewed(actor=request.user, case=item.case, what=f"transcript:{item.pk}")
        rows = [{"start": s.start, "end": s.end, "text": s.text} for s in current.segments.all()]
        note, based_on = "", current.version
    for n, row in enumerate(rows, start=1):
        row["n"] = n
        try:
            row["clock"] = clock(float(row["start"]))
        except (TypeError, ValueError):
            row["clock"] = ""
    return render(
        request,
        "assist/correct.html",
        {
            "title": f"校正文字记录 · {item.name}",
            "item": item,
            "case": item.case,
            "rows": rows,
            "note": note,
            "based_on": based_on,
            "current": current,
            "error": error,
            "cancel_url": reverse("assist:transcript", args=[item.pk]),
        },
    )


@login_required
def search_view(request):
    """Transcripts in force of the cases the user may see, by a word or phrase."""
    q = request.GET.get("q", "").strip()[:100]
    what = request.GET.get("in", "transcripts")
    if what == "documents":
        return _document_search(request, q)
    found = selectors.segment_search(actor=request.user, q=q)
    page = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    hits = list(page.object_list)
    for case in {h.transcript.case_id: h.transcript.case for h in hits}.values():
        case_viewed(actor=request.user, case=case, what="transcript-search")
    for h in hits:
        h.clock = clock(h.start)
        h.url = (
            reverse("assist:transcript", args=[h.transcript.item_id])
            + f"?t={h.start:g}#seg-{h.position}"
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assist/search.html",
        {
            "title": "文字记录检索",
            "scope": "transcripts",
            "q": q,
            "page": page,
            "hits": hits,
            "querystring": params.urlencode(),
        },
    )


# --- Assistance beside a case: similar cases, provisions, dispute hints, documents ---------


def _case(request, pk: int) -> Case:
    from zhifa.cases.selectors import case_get

    try:
        return case_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def may_handle_open(user, case: Case) -> bool:
    """A handling officer of a case still open (a closed case is a ``Conflict``)."""
    from zhifa.cases.services import require_open

    try:
        require_handler(user, case)
        require_open(case)
    except ZhifaError:
        return False
    return True


@login_required
def case_hints_view(request, pk: int):
    """The 智能辅助 page of a case (INF-03, INF-04): what the handler drafting the
    decision and the reviewer checking it are shown."""
    from zhifa.assist import hints, reading, retrieval

    case = _case(request, pk)
    case_viewed(actor=request.user, case=case, what="assist")
    query = request.GET.get("q", "").strip()[:500] or hints.case_query(case)
    limit = hints.shown()
    points = hints.dispute_points(case)
    return render(
        request,
        "assist/hints.html",
        {
            "title": f"智能辅助 · {case.number}",
            "case": case,
            "case_url": case_url(case),
            "query": query,
            "own_query": bool(request.GET.get("q")),
            "agency_cases": hints.similar_in_agency(
                case, actor=request.user, query=query, limit=limit
            ),
            "region_cases": hints.similar_in_region(case, query=query, limit=limit),
            "provisions": hints.provisions_for(query, limit=limit, case=case),
            "points": points,
            "open_points": sum(1 for p in points if not p.answered),
            "documents": list(selectors.document_list(actor=request.user, case=case)),
            "can_handle": may_handle_open(request.user, case),
            "mode": "混合检索（BM25 + 向量，倒数排名融合）"
            if retrieval.hybrid_on()
            else "关键词检索（BM25）",
            "ocr": reading.ocr_enabled(),
        },
    )


@login_required
def point_add_view(request, pk: int):
    """Confirm, then add a contested point to the reasons as awaiting its answer."""
    case = _case(request, pk)
    if not may_handle_open(request.user, case):
        raise PermissionDenied("只有本案承办人员可以在案件办结前加入待答复要点。")
    back = reverse("assist:case-hints", args=[case.pk])
    sentence = (request.POST.get("sentence") or request.GET.get("sentence") or "").strip()[:2000]
    source = request.POST.get("source") or request.GET.get("source") or "statement"
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            services.dispute_point_add(
                actor=request.user, case=case, sentence=sentence, source=source
            )
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已加入说明理由的待答复要点，请在说明理由中逐项答复。")
        return redirect(back)
    return render(
        request,
        "assist/point_add.html",
        {
            "title": f"加入待答复要点 · {case.number}",
            "case": case,
            "sentence": sentence,
            "source": source,
            "form": forms.Form(),
            "cancel_url": back,
        },
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label="文件（PDF 或图片）")
    role = forms.ChoiceField(label="材料性质", choices=[])

    def __init__(self, *args, **kwargs):
        from zhifa.assist.models import Document

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Document.Role.choices


@login_required
def document_upload_view(request, pk: int):
    case = _case(request, pk)
    if not may_handle_open(request.user, case):
        raise PermissionDenied("只有本案承办人员可以在案件办结前上传文件。")
    photo = request.POST.get("media") if request.method == "POST" else None
    form = DocumentForm(None if photo else request.POST or None, request.FILES or None)
    error = None
    if photo:
        # A photo already on the case file: read the stored file itself.
        item = MediaItem.objects.filter(case=case, pk=photo if photo.isdigit() else 0).first()
        if item is None:
            raise Http404("没有这张照片。")
        try:
            doc = services.document_from_media(actor=request.user, item=item)
        except ZhifaError as exc:
            error = exc.message
        else:
            messages.success(request, "已加入识别，后台识别文字中，完成后可检索。")
            return redirect("assist:document", pk=doc.pk)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            doc = services.document_upload(
                actor=request.user,
                case=case,
                stream=upload.file,
                filename=upload.name,
                role=form.cleaned_data["role"],
            )
        except ZhifaError as exc:
            error = exc.message
        else:
            messages.success(request, "已上传，后台识别文字中，完成后可检索。")
            return redirect("assist:document", pk=doc.pk)
    photos = selectors.photos_unread(case) if reading.ocr_enabled() else []
    if photos:  # the photos' names and what they prove are the case's content (REC-12)
        case_viewed(actor=request.user, case=case, what="photos")
    return render(
        request,
        "assist/document_upload.html",
        {
            "title": f"上传文件识别文字 · {case.number}",
            "case": case,
            "form": form,
            "error": error,
            "photos": photos,
            "cancel_url": reverse("assist:case-hints", args=[case.pk]),
        },
    )


def _document(request, pk: int):
    try:
        return selectors.document_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def document_view(request, pk: int):
    doc = _document(request, pk)
    case_viewed(actor=request.user, case=doc.case, what=f"document:{doc.pk}")
    return render(
        request,
        "assist/document.html",
        {
            "title": f"文件文字 · {doc.name}",
            "doc": doc,
            "case": doc.case,
            "pages": list(doc.page_texts.all()),
            "can_retry": doc.status == doc.Status.FAILED
            and may_handle_open(request.user, doc.case),
        },
    )


@login_required
def document_progress_view(request, pk: int):
    """Status and percentage only (polled by htmx while the worker reads)."""
    doc = _document(request, pk)
    response = render(request, "assist/_document_progress.html", {"doc": doc})
    if request.GET.get("refresh") == "1" and not doc.is_active:
        response["HX-Refresh"] = "true"
    return response


@login_required
def document_retry_view(request, pk: int):
    doc = _document(request, pk)
    if not may_handle_open(request.user, doc.case):
        raise PermissionDenied("只有本案承办人员可以重新识别。")
    back = reverse("assist:document", args=[doc.pk])
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            services.document_retry(actor=request.user, document=doc)
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已重新提交识别。")
        return redirect(back)
    return _confirm(
        request,
        title=f"重新识别 · {doc.case.number}",
        question=f"重新识别“{doc.name}”的文字？",
        verb="重新识别",
        cancel_url=back,
    )


def _snippet(text: str, q: str, width: int = 60) -> str:
    at = text.lower().find(q.lower())
    if at < 0:
        return text[: 2 * width]
    start = max(0, at - width)
    return ("…" if start else "") + text[start : at + len(q) + width] + "…"


def _document_search(request, q: str):
    """Pages of read documents (PDFs, images) containing ``q``."""
    found = selectors.page_search(actor=request.user, q=q)
    page = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    hits = list(page.object_list)
    for case in {h.document.case_id: h.document.case for h in hits}.values():
        case_viewed(actor=request.user, case=case, what="document-search")
    for h in hits:
        h.snippet = _snippet(h.text, q)
        h.url = reverse("assist:document", args=[h.document_id]) + f"#p-{h.number}"
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assist/search.html",
        {
            "title": "文件文字检索",
            "scope": "documents",
            "q": q,
            "page": page,
            "hits": hits,
            "querystring": params.urlencode(),
        },
    )
