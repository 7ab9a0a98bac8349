"""Audio-video records on the case page: their timeline entries and the panel
with the upload link, the items and what is still missing."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from zhifa.cases.models import Case, Stage
from zhifa.cases.rules import facts
from zhifa.cases.selectors import is_handler
from zhifa.cases.timeline import Entry, panel, source
from zhifa.media.models import MediaItem
from zhifa.media.rules import MISSING, missing_media


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def late_text(item: MediaItem) -> str:
    if not item.is_late or item.late_by is None:
        return ""
    days, hours = item.late_by.days, item.late_by.seconds // 3600
    if days:
        return f"逾期存储 {days} 天 {hours} 小时"
    return f"逾期存储 {hours} 小时" if hours else "逾期存储不足 1 小时"


def flags_of(item: MediaItem) -> list[str]:
    flags = []
    if item.is_late:
        flags.append(late_text(item))
    if item.interruption != MediaItem.Interruption.NONE:
        flags.append(f"{item.get_interruption_display()}：{item.interruption_reason}")
    return flags


def decorate(item: MediaItem) -> MediaItem:
    """Add what the pages show beside an item: its addresses, duration and flags."""
    item.detail_url = reverse("media:detail", args=[item.pk])
    item.file_url = reverse("media:file", args=[item.pk])
    # Only a video's poster frame: a photo shown as a thumbnail would be a
    # viewing of the record itself, logged each time a list is displayed.
    item.thumbnail_url = reverse("media:poster", args=[item.pk]) if item.poster_id else ""
    item.duration_text = duration_text(item.duration_seconds)
    item.flags = flags_of(item)
    return item


def case_items(case: Case) -> list[MediaItem]:
    items = MediaItem.objects.filter(case=case).select_related("file", "poster", "record")
    return [decorate(item) for item in items]


@source
def _media(case: Case) -> list[Entry]:
    out = []
    for item in case_items(case):
        detail = "，".join(
            part
            for part in (
                item.place,
                item.author,
                item.duration_text and f"时长 {item.duration_text}",
                item.record and f"对应{item.record.kind_label}",
                item.is_continuous and "全过程连续记录",
            )
            if part
        )
        out.append(
            Entry(
                item.captured_at,
                "media",
                f"{item.get_kind_display()}：{item.name}",
                detail,
                url=item.detail_url,
                flags=item.flags,
                obj=item,
            )
        )
    return out


@panel
def _media_panel(request, case: Case) -> str:
    items = case_items(case)
    missing = [
        f"{record.kind_label}（{record.occurred_at:%Y-%m-%d}）{MISSING[mode]}"
        for record, mode in missing_media(facts(case))
    ]
    can_upload = is_handler(request.user, case) and case.stage not in (
        Stage.CLOSED,
        Stage.ARCHIVED,
    )
    return render_to_string(
        "media/_panel.html",
        {
            "case": case,
            "items": items,
            "missing": missing,
            "can_upload": can_upload,
            "upload_url": reverse("media:upload", args=[case.pk]),
            "list_url": reverse("media:case-list", args=[case.pk]),
        },
        request=request,
    )
