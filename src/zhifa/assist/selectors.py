"""Reads of transcripts, limited to what the asking actor may see.

A recording's job and transcripts are seen by whoever sees its case
(``cases.selectors.case_list``: the handling officers, the unit head, the
agency's leaders and reviewers, the supervisor of the region); anything else is
a 404. Search runs over the version in force of each transcript.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from zhifa.assist.models import (
    Document,
    DocumentPage,
    Transcript,
    TranscriptionJob,
    TranscriptSegment,
)
from zhifa.cases.selectors import case_list
from zhifa.media.models import MediaItem
from zhifa.media.selectors import media_get, media_list

TRANSCRIBABLE = (MediaItem.Kind.AUDIO, MediaItem.Kind.VIDEO)


def recording_list(*, actor, case=None) -> QuerySet[MediaItem]:
    """Audio and video the actor may see, with their job (if any)."""
    return (
        media_list(actor=actor, case=case)
        .filter(kind__in=TRANSCRIBABLE)
        .select_related("transcription_job")
    )


def recording_get(*, actor, pk) -> MediaItem:
    """Any recording the actor may see (a photo too: the caller refuses it)."""
    return media_get(actor=actor, pk=pk)


def job_list(*, actor) -> QuerySet[TranscriptionJob]:
    return TranscriptionJob.objects.filter(
        case__in=case_list(actor=actor).values("pk")
    ).select_related("item", "case", "case__agency")


def job_of(item: MediaItem) -> TranscriptionJob | None:
    return TranscriptionJob.objects.filter(item=item).first()


def current_filter():
    """Transcripts with no later version of the same recording."""
    return ~Exists(
        Transcript.objects.filter(item=OuterRef("item"), version__gt=OuterRef("version"))
    )


def versions_of(item: MediaItem) -> QuerySet[Transcript]:
    return Transcript.objects.filter(item=item).select_related("created_by").order_by("-version")


def transcript_of(item: MediaItem, version: int | None = None) -> Transcript | None:
    found = versions_of(item)
    if version is not None:
        found = found.filter(version=version)
    return found.first()


def segment_search(*, actor, q: str) -> QuerySet[TranscriptSegment]:
    """Segments of transcripts in force, in the cases the actor may see, whose text
    contains ``q``; nothing for an empty ``q``."""
    q = (q or "").strip()
    if not q:
        return TranscriptSegment.objects.none()
    current = Transcript.objects.filter(current_filter()).filter(
        case__in=case_list(actor=actor).values("pk")
    )
    return (
        TranscriptSegment.objects.filter(transcript__in=current.values("pk"), text__icontains=q)
        .select_related("transcript", "transcript__item", "transcript__case")
        .order_by("-transcript__case__started_on", "transcript__item_id", "position")
    )


# --- Read documents -------------------------------------------------------------------


def document_list(*, actor, case=None) -> QuerySet[Document]:
    found = Document.objects.filter(case__in=case_list(actor=actor).values("pk"))
    if case is not None:
        found = found.filter(case=case)
    return found.select_related("case", "uploaded_by").order_by("-uploaded_at", "-pk")


def document_get(*, actor, pk) -> Document:
    from zhifa.core.errors import NotFound

    found = document_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("没有该文件，或您无权查看。")
    return found


def page_search(*, actor, q: str) -> QuerySet[DocumentPage]:
    """Pages of read documents, in the cases the actor may see, containing ``q``."""
    q = (q or "").strip()
    if not q:
        return DocumentPage.objects.none()
    return (
        DocumentPage.objects.filter(
            document__case__in=case_list(actor=actor).values("pk"), text__icontains=q
        )
        .select_related("document", "document__case")
        .order_by("-document__case__started_on", "document_id", "number")
    )


def photos_unread(case) -> list[MediaItem]:
    """The case's photos whose text has not been read (or whose reading failed
    and was not retried): what the upload page offers to read."""
    read = Document.objects.filter(case=case).exclude(status=Document.Status.FAILED)
    return list(
        MediaItem.objects.filter(case=case, kind=MediaItem.Kind.PHOTO)
        .exclude(file_id__in=read.values("file_id"))
        .select_related("file")
        .order_by("captured_at", "pk")
    )
