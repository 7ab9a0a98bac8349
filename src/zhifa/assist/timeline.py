"""Transcripts on the case page: a panel listing the case's audio and video with
the state of their transcription, the button to start it and the way to the
transcript. A fixed number of queries, whatever the number of recordings."""

from __future__ import annotations

from django.db.models import Max
from django.template.loader import render_to_string

from zhifa.assist.models import TranscriptionJob
from zhifa.assist.selectors import TRANSCRIBABLE
from zhifa.cases.models import Case, Stage
from zhifa.cases.selectors import is_handler
from zhifa.cases.timeline import panel
from zhifa.media.models import MediaItem
from zhifa.media.timeline import duration_text

RETRYABLE = (TranscriptionJob.Status.FAILED, TranscriptionJob.Status.CANCELLED)


@panel
def _transcript_panel(request, case: Case) -> str | None:
    items = list(
        MediaItem.objects.filter(case=case, kind__in=TRANSCRIBABLE)
        .select_related("transcription_job")
        .annotate(versions=Max("transcripts__version"))
        .order_by("captured_at", "pk")
    )
    if not items:
        return None
    handler = is_handler(request.user, case) and case.stage not in (Stage.CLOSED, Stage.ARCHIVED)
    for item in items:
        item.job = getattr(item, "transcription_job", None)
        item.active = bool(item.job and item.job.is_active)
        item.can_start = handler and (item.job is None or item.job.status in RETRYABLE)
        item.duration_text = duration_text(item.duration_seconds)
    return render_to_string("assist/_panel.html", {"case": case, "items": items}, request=request)


@panel
def _hints_panel(request, case: Case) -> str | None:
    """智能辅助 on the case page: the contested points found on file, and the way
    to the similar cases, the provisions and the documents (INF-03, INF-04)."""
    from zhifa.assist import hints
    from zhifa.assist.models import Document

    points = hints.dispute_points(case)
    documents = Document.objects.filter(case=case).count()
    return render_to_string(
        "assist/_hints_panel.html",
        {
            "case": case,
            "points": points[:5],
            "total": len(points),
            "open": sum(1 for p in points if not p.answered),
            "documents": documents,
        },
        request=request,
    )
