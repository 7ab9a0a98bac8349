"""Reads of audio-video records, limited to what the asking actor may see.

An item is seen by whoever may see its case (``cases.selectors.case_list``);
an agency's 音像记录事项清单 by whoever sees the agency. Anything else is a
404, as everywhere in Zhifa.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from zhifa.accounts.selectors import agency_list
from zhifa.cases.models import Case
from zhifa.cases.selectors import case_list
from zhifa.core.errors import NotFound
from zhifa.media.models import MediaItem, MediaRequirement, UploadSession


def requirement_list(*, actor) -> QuerySet[MediaRequirement]:
    return MediaRequirement.objects.filter(agency__in=agency_list(actor=actor)).select_related(
        "agency"
    )


def requirement_get(*, actor, pk) -> MediaRequirement:
    found = requirement_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("音像记录事项不存在，或您无权查看。")
    return found


def media_list(*, actor, case: Case | None = None) -> QuerySet[MediaItem]:
    items = MediaItem.objects.filter(case__in=case_list(actor=actor).values("pk"))
    if case is not None:
        items = items.filter(case=case)
    return items.select_related("case", "case__agency", "record", "file", "poster")


def media_get(*, actor, pk) -> MediaItem:
    item = media_list(actor=actor).filter(pk=pk).first()
    if item is None:
        raise NotFound("音像记录不存在，或您无权查看。")
    return item


def upload_get(*, actor, pk) -> UploadSession:
    """An upload session of the actor's own; others' are not found."""
    try:
        session = (
            UploadSession.objects.select_related("case", "record")
            .filter(pk=pk, created_by_id=getattr(actor, "pk", None))
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        session = None
    if session is None:
        raise NotFound("上传不存在或已过期，请重新开始上传。", code="upload_not_found")
    return session
