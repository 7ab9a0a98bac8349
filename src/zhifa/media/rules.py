"""The stage rule of audio-video records (REC-04): a record whose kind must be
recorded on audio or video holds the case in its stage until the recording is
attached to it.

What a kind needs is the stricter of what REC-04 itself requires
(``cases.records.Kind.av``) and what the agency's 音像记录事项清单 says for
the case's kind of action: an agency may ask for more, never for less.

- continuous (全过程): a continuous video or audio recording;
- key moments (关键环节): a video or audio recording;
- photo (拍照或录像): a photo or a video.

A recording attached to a record counts for the corrections that supersede it.
"""

from __future__ import annotations

from django.utils import timezone

from zhifa.cases.models import Record
from zhifa.cases.records import KINDS
from zhifa.cases.rules import STAGE_ORDER, Facts, rule
from zhifa.media.models import MODE_OF_AV, MediaItem, MediaRequirement, Mode

K = MediaItem.Kind
MISSING = {
    Mode.CONTINUOUS: "尚未附全过程音像记录（连续的录像或录音）",
    Mode.KEY_MOMENTS: "尚未附音像记录（录像或录音）",
    Mode.PHOTO: "尚未附照片或录像",
}


def required_mode(kind: str, action_kind: str, lines: list[MediaRequirement]) -> str:
    """The mode a record of ``kind`` needs in a case of ``action_kind``; "" if none."""
    spec = KINDS.get(kind)
    best = MODE_OF_AV.get(spec.av, "") if spec else ""
    for line in lines:
        applies = line.record_kind == kind and line.action_kind in ("", action_kind)
        if applies and Mode.strength(line.mode) > Mode.strength(best):
            best = line.mode
    return best


def satisfied(mode: str, items: list[tuple[str, bool]]) -> bool:
    """Whether ``items`` ((kind, is_continuous), …) meet ``mode``."""
    if mode == Mode.CONTINUOUS:
        return any(kind in (K.AUDIO, K.VIDEO) and continuous for kind, continuous in items)
    if mode == Mode.KEY_MOMENTS:
        return any(kind in (K.AUDIO, K.VIDEO) for kind, _ in items)
    if mode == Mode.PHOTO:
        return any(kind in (K.PHOTO, K.VIDEO) for kind, _ in items)
    return True


def _load(f: Facts) -> tuple[list[MediaRequirement], dict[int, int | None], dict]:
    """The agency's list, the records' correction links and the attached items:
    three queries, whatever the size of the case; cached on the facts."""
    cached = f.extra.get("media")
    if cached is None:
        case = f.case
        lines = list(
            MediaRequirement.objects.filter(agency_id=case.agency_id).exclude(record_kind="")
        )
        parents = dict(Record.objects.filter(case=case).values_list("pk", "supersedes_id"))
        attached: dict[int, list[tuple[str, bool]]] = {}
        for record_id, kind, continuous in MediaItem.objects.filter(
            case=case, record__isnull=False
        ).values_list("record_id", "kind", "is_continuous"):
            attached.setdefault(record_id, []).append((kind, continuous))
        cached = f.extra["media"] = (lines, parents, attached)
    return cached


def missing_media(f: Facts) -> list[tuple[Record, str]]:
    """The records in force that lack the recording their kind needs, with that mode."""
    lines, parents, attached = _load(f)
    out = []
    for record in f.records:
        mode = required_mode(record.kind, f.case.action_kind, lines)
        if not mode:
            continue
        items: list[tuple[str, bool]] = []
        pk: int | None = record.pk
        while pk is not None:
            items += attached.get(pk, [])
            pk = parents.get(pk)
        if not satisfied(mode, items):
            out.append((record, mode))
    return out


def _media_attached(f: Facts) -> list[str]:
    return [
        f"{r.kind_label}（{timezone.localtime(r.occurred_at):%m-%d %H:%M}）{MISSING[mode]}"
        for r, mode in missing_media(f)
    ]


# Every record in force is checked before each move: whatever was recorded in
# a stage is complete before the case leaves it.
for _stage in STAGE_ORDER[1:]:
    rule(_stage)(_media_attached)
