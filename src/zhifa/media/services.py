"""Writes to audio-video records: the agency's 音像记录事项清单 (REC-04), photos,
audio and video of cases and their upload (REC-05), and the log of who viewed
them (REC-12).

A file becomes a ``MediaItem`` only whole and checked: its first bytes must
agree with its extension, ffprobe must read it, and the evidence store must
hold it. The store is written first (``ledger.services.file_store`` streams
and hashes outside any transaction); the item and its ``media.add`` entry are
then written in one transaction, so there is never an item without its file
or entry. Large files come in pieces (``upload_begin`` / ``upload_append`` /
``upload_complete``), each piece streamed to a temporary file, never held
whole in memory.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhifa import ledger
from zhifa.accounts.models import Agency
from zhifa.accounts.services import require_agency_admin
from zhifa.cases.models import Case, Record, Stage
from zhifa.cases.records import KIND_LIST, KINDS
from zhifa.cases.services import require_handler, require_open
from zhifa.catalogues.models import ActionKind
from zhifa.catalogues.workdays import Deadline, workdays_add
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.core.excel import read_rows
from zhifa.ledger.services import file_store
from zhifa.media import probe, sniff
from zhifa.media.models import (
    MODE_OF_AV,
    REQUIREMENT_STAGES,
    MediaItem,
    MediaRequirement,
    Mode,
    UploadSession,
)

# Pieces of a request body or file are copied this many bytes at a time.
COPY_BYTES = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024**3


def _now():
    return timezone.now()


# --- 音像记录事项清单 (REC-04) ----------------------------------------------------------

# What REC-04 asks each kind's recording to show, for the seeded list.
SEED_CONTENT = {
    "inspection_start": ("检查现场", "检查对象、现场情况、发现的问题"),
    "onsite_inspection": (
        "执法现场",
        "出示执法证件、告知事项、现场环境、在场人员、检查（勘验）过程及发现的证据",
    ),
    "sampling": ("执法现场", "出示执法证件、抽样物品及数量、抽样方法、封样及签字过程"),
    "evidence_preservation": (
        "执法现场",
        "出示执法证件、保存物品及清单、登记保存过程、文书交付",
    ),
    "coercive_measure": (
        "执法现场",
        "出示执法证件、告知理由依据和权利、查封扣押等措施的对象及实施过程、清单及文书交付",
    ),
    "hearing_minutes": ("听证室", "听证全过程：主持人、参加人、调查、质证、辩论、最后陈述"),
    "delivery_left": ("受送达人住所", "送达人、见证人、受送达人住所、留置文书的过程"),
    "delivery_notice": ("公告张贴处", "公告张贴的地点、公告内容及张贴过程"),
    "coercive_execution": (
        "执行现场",
        "出示执法证件、催告及告知、强制执行的实施过程、执行结果、文书交付",
    ),
}


def statutory_mode(record_kind: str) -> str:
    """The least a record kind needs by REC-04 (``cases.records.Kind.av``)."""
    spec = KINDS.get(record_kind)
    return MODE_OF_AV.get(spec.av, "") if spec else ""


def _clean_requirement(
    agency: Agency, fields: dict, *, current: MediaRequirement | None, check_clash: bool = True
) -> dict:
    cleaned = {
        "action_kind": (fields.get("action_kind") or "").strip(),
        "stage": (fields.get("stage") or "").strip(),
        "record_kind": (fields.get("record_kind") or "").strip(),
        "place": (fields.get("place") or "").strip(),
        "content": (fields.get("content") or "").strip(),
        "mode": (fields.get("mode") or "").strip(),
    }
    if cleaned["action_kind"] and cleaned["action_kind"] not in ActionKind.values:
        raise InvalidInput(f"执法类别“{cleaned['action_kind']}”无效。", code="action_kind")
    kind = cleaned["record_kind"]
    if kind:
        spec = KINDS.get(kind)
        if spec is None:
            raise InvalidInput(f"执法记录类型“{kind}”无效。", code="record_kind")
        if not cleaned["stage"]:
            cleaned["stage"] = spec.stage
        elif cleaned["stage"] != spec.stage:
            raise InvalidInput(
                f"“{spec.label}”属于{Stage(spec.stage).label}环节，执法环节应填写"
                f"{Stage(spec.stage).label}。",
                code="stage_mismatch",
            )
    if cleaned["stage"] not in dict(REQUIREMENT_STAGES):
        raise InvalidInput("请选择执法环节（启动、调查取证、审查决定或送达执行）。", code="stage")
    if cleaned["mode"] not in Mode.values:
        raise InvalidInput("请选择记录方式。", code="mode")
    if not cleaned["content"]:
        raise InvalidInput("记录内容不能为空。", code="content_required")
    if len(cleaned["place"]) > MediaRequirement._meta.get_field("place").max_length:
        raise InvalidInput("场所不能超过 255 个字符。")
    least = statutory_mode(kind)
    if least and Mode.strength(cleaned["mode"]) < Mode.strength(least):
        raise InvalidInput(
            f"“{KINDS[kind].label}”依规定须{Mode(least).label}，记录方式不能低于此要求。",
            code="below_statutory_mode",
        )
    if kind and check_clash:
        clash = MediaRequirement.objects.filter(
            agency=agency, action_kind=cleaned["action_kind"], record_kind=kind
        )
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            scope = ActionKind(cleaned["action_kind"]).label if cleaned["action_kind"] else "全部"
            raise Conflict(
                f"清单中已有“{KINDS[kind].label}”（执法类别：{scope}）的事项，请修改该事项。",
                code="requirement_exists",
            )
    return cleaned


def _requirement_payload(r: MediaRequirement) -> dict:
    return {
        "action_kind": r.action_kind,
        "stage": r.stage,
        "record_kind": r.record_kind,
        "place": r.place,
        "content": r.content,
        "mode": r.mode,
    }


@transaction.atomic
def requirement_create(
    *,
    actor,
    agency: Agency,
    stage: str = "",
    content: str,
    mode: str,
    action_kind: str = "",
    record_kind: str = "",
    place: str = "",
) -> MediaRequirement:
    """Add a line to ``agency``'s 音像记录事项清单 (REC-04)."""
    require_agency_admin(actor, agency)
    fields = _clean_requirement(
        agency,
        {
            "action_kind": action_kind,
            "stage": stage,
            "record_kind": record_kind,
            "place": place,
            "content": content,
            "mode": mode,
        },
        current=None,
    )
    requirement = MediaRequirement.objects.create(agency=agency, **fields)
    ledger.append(
        actor=actor,
        action="media.requirement_create",
        obj=requirement,
        agency_id=agency.pk,
        payload=_requirement_payload(requirement),
    )
    return requirement


@transaction.atomic
def requirement_update(*, actor, requirement: MediaRequirement, **fields) -> MediaRequirement:
    require_agency_admin(actor, requirement.agency)
    allowed = {"action_kind", "stage", "record_kind", "place", "content", "mode"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(f"未知的字段：{'、'.join(sorted(unknown))}。")
    requirement = MediaRequirement.objects.select_for_update().get(pk=requirement.pk)
    before = _requirement_payload(requirement)
    merged = {**before, **fields}
    if "record_kind" in fields and "stage" not in fields:
        merged["stage"] = ""  # follows the new kind
    cleaned = _clean_requirement(requirement.agency, merged, current=requirement)
    for key, value in cleaned.items():
        setattr(requirement, key, value)
    requirement.save()
    changes = {
        key: {"from": before[key], "to": value}
        for key, value in cleaned.items()
        if before[key] != value
    }
    ledger.append(
        actor=actor,
        action="media.requirement_update",
        obj=requirement,
        agency_id=requirement.agency_id,
        payload={"changes": changes},
    )
    return requirement


@transaction.atomic
def requirement_delete(*, actor, requirement: MediaRequirement) -> None:
    """Remove a line. What REC-04 itself requires still applies (see ``rules``)."""
    require_agency_admin(actor, requirement.agency)
    payload = _requirement_payload(requirement)
    ledger.append(
        actor=actor,
        action="media.requirement_delete",
        obj=requirement,
        agency_id=requirement.agency_id,
        payload=payload,
    )
    requirement.delete()


@transaction.atomic
def requirement_seed(*, actor, agency: Agency) -> list[MediaRequirement]:
    """Fill ``agency``'s list with REC-04's defaults: continuous recording for
    on-site inspection, sampling, evidence preservation, coercive measures,
    hearings, 留置送达 and coercive execution; photo or video for posted
    notices. Lines the agency already has for a kind are left as they are."""
    require_agency_admin(actor, agency)
    have = set(
        MediaRequirement.objects.filter(agency=agency, action_kind="").values_list(
            "record_kind", flat=True
        )
    )
    created = []
    for spec in KIND_LIST:
        if not spec.av or spec.code in have:
            continue
        place, content = SEED_CONTENT.get(spec.code, ("执法现场", spec.label))
        created.append(
            MediaRequirement.objects.create(
                agency=agency,
                action_kind="",
                stage=spec.stage,
                record_kind=spec.code,
                place=place,
                content=content,
                mode=MODE_OF_AV[spec.av],
            )
        )
    ledger.append(
        actor=actor,
        action="media.requirement_seed",
        obj=agency,
        payload={"created": [r.record_kind for r in created]},
    )
    return created


# The sheet agencies fill in; export, template and import share it.
REQUIREMENT_SHEET_TITLE = "音像记录事项清单"
REQUIREMENT_SHEET_HEADERS = (
    "序号",
    "执法类别",
    "执法环节",
    "执法记录类型",
    "场所",
    "记录内容",
    "记录方式",
)
ALL_ACTION_KINDS = "全部"


def requirement_rows(requirements: Iterable[MediaRequirement]) -> Iterator[list]:
    for number, r in enumerate(requirements, start=1):
        yield [
            number,
            r.get_action_kind_display() if r.action_kind else ALL_ACTION_KINDS,
            r.get_stage_display(),
            r.record_kind_label if r.record_kind else "",
            r.place,
            r.content,
            r.get_mode_display(),
        ]


@dataclass(frozen=True)
class RequirementImportResult:
    removed: int
    created: int


def _labels_to_values(choices, *extra: tuple[str, str]) -> dict[str, str]:
    found = {}
    for value, label in choices:
        found[label] = value
        found[value] = value
    found.update(extra)
    return found


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def requirement_import(
    *, actor, agency: Agency, data: bytes, filename: str = ""
) -> RequirementImportResult:
    """Replace ``agency``'s list with the rows of an .xlsx sheet in the layout
    of ``REQUIREMENT_SHEET_HEADERS``. Every row is checked first; if any is
    wrong nothing changes and each problem is named by row and column."""
    require_agency_admin(actor, agency)
    rows = read_rows(data, headers=REQUIREMENT_SHEET_HEADERS[1:])
    if not rows:
        raise InvalidInput("表格中没有事项：请在表头下方逐行填写后再上传。")
    action_kinds = _labels_to_values(
        ActionKind.choices,
        (ALL_ACTION_KINDS, ""),
        *((label.removeprefix("行政"), value) for value, label in ActionKind.choices),
    )
    stages = _labels_to_values(REQUIREMENT_STAGES)
    record_kinds = _labels_to_values([(k.code, k.label) for k in KIND_LIST])
    modes = _labels_to_values(
        Mode.choices,
        ("全过程", Mode.CONTINUOUS),
        ("关键环节", Mode.KEY_MOMENTS),
        ("照片或视频", Mode.PHOTO),
        ("拍照", Mode.PHOTO),
    )
    parsed: list[tuple[int, dict]] = []
    details: list[dict] = []
    for number, row in rows:
        problems = []
        fields = {}
        for column, table, key in (
            ("执法类别", action_kinds, "action_kind"),
            ("执法环节", stages, "stage"),
            ("执法记录类型", record_kinds, "record_kind"),
            ("记录方式", modes, "mode"),
        ):
            text = _text(row[column])
            if text == "" and key in ("action_kind", "record_kind"):
                fields[key] = ""
            elif text == "" and key == "stage" and _text(row["执法记录类型"]):
                fields[key] = ""  # taken from the record kind
            elif text in table:
                fields[key] = table[text]
            else:
                problems.append(
                    (column, f"{column}“{text}”无效。" if text else f"{column}不能为空。")
                )
        fields["place"] = _text(row["场所"])
        fields["content"] = _text(row["记录内容"])
        parsed.append((number, fields))
        details += [{"row": number, "column": c, "message": m} for c, m in problems]
    unreadable = {d["row"] for d in details}
    seen: dict[tuple, int] = {}
    for number, fields in parsed:
        if number in unreadable:
            continue
        try:
            # The file replaces the list, so a line the agency has now is no clash.
            cleaned = _clean_requirement(agency, fields, current=None, check_clash=False)
        except InvalidInput as exc:
            details.append({"row": number, "column": "", "message": exc.message})
            continue
        fields.update(cleaned)
        key = (cleaned["action_kind"], cleaned["record_kind"])
        if cleaned["record_kind"] and key in seen:
            details.append(
                {
                    "row": number,
                    "column": "执法记录类型",
                    "message": f"与第 {seen[key]} 行重复（同一执法类别和记录类型只能有一行）。",
                }
            )
        seen.setdefault(key, number)
    if details:
        bad_rows = len({d["row"] for d in details})
        raise InvalidInput(
            f"共有 {bad_rows} 行不符合要求，未导入任何数据。请按提示修改后重新上传整个文件。",
            code="import_rows_invalid",
            details=details,
        )
    with transaction.atomic():
        removed, _ = MediaRequirement.objects.filter(agency=agency).delete()
        created = MediaRequirement.objects.bulk_create(
            MediaRequirement(agency=agency, **fields) for _, fields in parsed
        )
        ledger.append(
            actor=actor,
            action="media.requirement_import",
            obj=agency,
            payload={
                "filename": filename,
                "removed": removed,
                "rows": [_requirement_payload(r) for r in created],
            },
        )
    return RequirementImportResult(removed=removed, created=len(created))


# --- When a recording is due in the system (REC-05) ----------------------------------


def upload_deadline(captured_at: datetime) -> Deadline:
    """The last day a recording captured at ``captured_at`` may be stored on:
    ``ZHIFA_AV_UPLOAD_WORKDAYS`` working days after the day of capture."""
    return workdays_add(timezone.localdate(captured_at), settings.ZHIFA_AV_UPLOAD_WORKDAYS)


@dataclass(frozen=True)
class Lateness:
    due_on: date
    is_late: bool
    late_by: timedelta | None


def lateness(captured_at: datetime, uploaded_at: datetime) -> Lateness:
    """Whether a recording stored at ``uploaded_at`` came after its due day; how
    long after the end of that day if so."""
    due = upload_deadline(captured_at).date
    end_of_due = timezone.make_aware(datetime.combine(due + timedelta(days=1), time.min))
    if uploaded_at < end_of_due:
        return Lateness(due, False, None)
    return Lateness(due, True, uploaded_at - end_of_due)


# --- What an item says about itself (REC-05) -------------------------------------------

META_FIELDS = (
    "kind",
    "captured_at",
    "place",
    "author",
    "device",
    "is_continuous",
    "interruption",
    "interruption_reason",
    "production_method",
    "proves",
    "transcript",
)
_REQUIRED_TEXT = {
    "place": "拍摄（录制）地点",
    "author": "拍摄（录制）人",
    "production_method": "制作方法",
    "proves": "证明对象",
}


def _field_limit(name: str) -> int | None:
    return MediaItem._meta.get_field(name).max_length


def clean_meta(*, case: Case, record: Record | None, filename: str, meta: dict) -> dict:
    """Check what describes a photo, audio or video before its bytes are
    accepted, so that a long upload is never refused at the end for a missing
    field. Returns the values as JSON (``captured_at`` in ISO form)."""
    unknown = set(meta) - set(META_FIELDS)
    if unknown:
        raise InvalidInput(f"音像记录含未知字段：{'、'.join(sorted(unknown))}。")
    wanted = sniff.expected(filename or "")
    if wanted is None:
        raise InvalidInput(
            f"不支持的文件类型“{filename}”，只接受：{sniff.accepted_extensions()}。",
            code="unsupported_type",
        )
    kind = (meta.get("kind") or "").strip() or wanted.kind
    if kind != wanted.kind:
        raise InvalidInput(
            f"文件“{filename}”是{wanted.label}，不能登记为{MediaItem.Kind(kind).label}"
            if kind in MediaItem.Kind.values
            else "音像记录类型应为照片、录音或录像。",
            code="kind_mismatch",
        )
    if record is not None and record.case_id != case.pk:
        raise InvalidInput("对应的执法记录须是本案的记录。", code="record_other_case")
    captured_at = meta.get("captured_at")
    if isinstance(captured_at, str):
        captured_at = parse_datetime(captured_at.strip())
    if not isinstance(captured_at, datetime):
        raise InvalidInput("请填写有效的拍摄（录制）时间。", code="captured_at_required")
    if timezone.is_naive(captured_at):
        captured_at = timezone.make_aware(captured_at)
    tolerance = timedelta(minutes=settings.ZHIFA_CLOCK_TOLERANCE_MINUTES)
    if captured_at > _now() + tolerance:
        raise InvalidInput("拍摄（录制）时间不能晚于当前时间。", code="time_in_future")
    if timezone.localtime(captured_at).date() < case.started_on:
        raise InvalidInput(
            f"拍摄（录制）时间不能早于案件启动日期（{case.started_on:%Y-%m-%d}）。",
            code="time_before_start",
        )
    out = {"kind": kind, "captured_at": captured_at.isoformat()}
    for name in ("place", "author", "device", "production_method", "proves", "transcript"):
        value = str(meta.get(name) or "").strip()
        limit = _field_limit(name)
        label = MediaItem._meta.get_field(name).verbose_name
        if name in _REQUIRED_TEXT and not value:
            raise InvalidInput(f"{_REQUIRED_TEXT[name]}不能为空。", code=f"{name}_required")
        if limit and len(value) > limit:
            raise InvalidInput(f"{label}不能超过 {limit} 个字符。")
        out[name] = value
    is_continuous = meta.get("is_continuous", False)
    if isinstance(is_continuous, str):
        is_continuous = is_continuous.strip().lower() in ("1", "true", "yes", "on", "是")
    is_continuous = bool(is_continuous)
    if is_continuous and kind == MediaItem.Kind.PHOTO:
        raise InvalidInput("照片不能登记为全过程连续记录。", code="photo_not_continuous")
    interruption = (meta.get("interruption") or MediaItem.Interruption.NONE).strip()
    if interruption not in MediaItem.Interruption.values:
        raise InvalidInput("记录中断情况应为：无中断、中断后恢复或中断未能恢复。")
    reason = str(meta.get("interruption_reason") or "").strip()
    if interruption != MediaItem.Interruption.NONE:
        if not is_continuous:
            raise InvalidInput(
                "只有全过程连续记录才登记中断情况。", code="interruption_not_continuous"
            )
        if not reason:
            raise InvalidInput(
                "记录中断后恢复的，须说明中断原因；未能恢复的，须书面说明情况。",
                code="interruption_reason_required",
            )
    else:
        reason = ""
    if kind == MediaItem.Kind.AUDIO and not out["transcript"]:
        raise InvalidInput("录音须附文字记录（全文或摘要）。", code="transcript_required")
    out.update(is_continuous=is_continuous, interruption=interruption, interruption_reason=reason)
    return out


# --- Storing one item ---------------------------------------------------------------


def _may_upload(actor, case: Case) -> None:
    require_handler(actor, case)
    require_open(case)


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(sniff.HEAD_BYTES)


def _ingest(
    *,
    actor,
    case: Case,
    record: Record | None,
    path: Path,
    filename: str,
    meta: dict,
    session: UploadSession | None = None,
) -> MediaItem:
    """Check the file at ``path``, store it and its poster, and create the item."""
    problem = sniff.mismatch(filename, _head(path))
    if problem:
        raise InvalidInput(problem, code="type_mismatch")
    wanted = sniff.expected(filename)
    kind = meta["kind"]
    duration = None
    poster_jpeg = None
    if kind != MediaItem.Kind.PHOTO:
        found = probe.probe(path, label=filename)
        if kind == MediaItem.Kind.VIDEO and not found.has_video:
            raise InvalidInput(
                f"“{filename}”中没有视频画面；只有声音的请以录音上传。", code="no_video_stream"
            )
        if kind == MediaItem.Kind.AUDIO and not found.has_audio:
            raise InvalidInput(f"“{filename}”中没有声音。", code="no_audio_stream")
        duration = found.duration_seconds
        if kind == MediaItem.Kind.VIDEO:
            poster_jpeg = probe.poster(path, duration=duration)
    # Stored outside the item's transaction: hashing a large file holds no lock.
    # If the item is then refused, the stored object stays, unreferenced, in the
    # write-once store; storing the same bytes again reuses it.
    with open(path, "rb") as stream:
        stored = file_store(
            actor=actor, stream=stream, original_name=filename, content_type=wanted.content_type
        )
    poster_file = None
    if poster_jpeg:
        poster_file = file_store(
            actor=actor,
            stream=io.BytesIO(poster_jpeg),
            original_name=f"{os.path.splitext(filename)[0]}-封面.jpg",
            content_type="image/jpeg",
        )
    captured_at = parse_datetime(meta["captured_at"])
    with transaction.atomic():
        if session is not None:
            # Under the row lock: of two completions of one session, one creates the item.
            if not UploadSession.objects.select_for_update().filter(pk=session.pk).exists():
                raise Conflict("该上传已完成或已取消。", code="upload_gone")
            UploadSession.objects.filter(pk=session.pk).delete()
        case = Case.objects.select_for_update().get(pk=case.pk)
        _may_upload(actor, case)
        uploaded_at = _now()
        late = lateness(captured_at, uploaded_at)
        item = MediaItem.objects.create(
            case=case,
            record=record,
            kind=kind,
            file=stored,
            filename=filename,
            poster=poster_file,
            captured_at=captured_at,
            place=meta["place"],
            author=meta["author"],
            device=meta["device"],
            is_continuous=meta["is_continuous"],
            interruption=meta["interruption"],
            interruption_reason=meta["interruption_reason"],
            production_method=meta["production_method"],
            proves=meta["proves"],
            transcript=meta["transcript"],
            duration_seconds=duration,
            upload_due_on=late.due_on,
            is_late=late.is_late,
            late_by=late.late_by,
            uploaded_at=uploaded_at,
            uploaded_by=actor,
        )
        ledger.append(
            actor=actor,
            action="media.add",
            obj=item,
            agency_id=case.agency_id,
            payload={
                "case": case.number,
                "record": record.pk if record else None,
                "record_digest": record.digest if record else "",
                "kind": kind,
                "sha256": stored.sha256,
                "sm3": stored.sm3,
                "size": stored.size,
                "name": filename,
                "poster_sha256": poster_file.sha256 if poster_file else "",
                "duration_seconds": duration,
                "upload_due_on": late.due_on,
                "is_late": late.is_late,
                "late_by_seconds": int(late.late_by.total_seconds()) if late.late_by else None,
                **{k: v for k, v in meta.items() if k != "kind"},
            },
        )
    return item


@contextlib.contextmanager
def _as_path(stream: BinaryIO) -> Iterator[Path]:
    """A path to the bytes of ``stream``: the file Django already spooled a
    large upload to, or a temporary copy made in pieces."""
    spooled = getattr(stream, "temporary_file_path", None)
    if spooled is not None:
        yield Path(spooled())
        return
    with tempfile.NamedTemporaryFile(dir=uploads_dir(), prefix=".form-", suffix=".tmp") as copy:
        chunks = stream.chunks(COPY_BYTES) if hasattr(stream, "chunks") else None
        if chunks is None:
            shutil.copyfileobj(stream, copy, COPY_BYTES)
        else:
            for chunk in chunks:
                copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def media_add(
    *,
    actor,
    case: Case,
    stream: BinaryIO,
    filename: str,
    record: Record | None = None,
    **meta,
) -> MediaItem:
    """Store a photo, audio or video of ``case`` in one go (the workbench form,
    tests): a handling officer of an open case may (REC-05)."""
    _may_upload(actor, case)
    cleaned = clean_meta(case=case, record=record, filename=filename, meta=meta)
    with _as_path(stream) as path:
        if path.stat().st_size == 0:
            raise InvalidInput("上传的文件是空的。", code="empty_file")
        return _ingest(
            actor=actor, case=case, record=record, path=path, filename=filename, meta=cleaned
        )


# --- Uploading in pieces (REC-05) ----------------------------------------------------


class UploadOffsetError(Conflict):
    """A piece that does not continue the bytes received; ``offset`` is where
    the next piece must start."""

    def __init__(self, message: str, *, offset: int, code: str) -> None:
        super().__init__(message, code=code)
        self.offset = offset


def part_path(session: UploadSession) -> Path:
    return uploads_dir() / f"{session.pk}.part"


def upload_offset(session: UploadSession) -> int:
    """How many bytes of ``session`` have been received: where to resume."""
    try:
        return part_path(session).stat().st_size
    except FileNotFoundError:
        return 0


def max_upload_bytes() -> int:
    return getattr(settings, "ZHIFA_MEDIA_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def upload_begin(
    *,
    actor,
    case: Case,
    filename: str,
    size: int,
    record: Record | None = None,
    **meta,
) -> UploadSession:
    """Begin uploading a file of ``size`` bytes; its description is checked now."""
    _may_upload(actor, case)
    filename = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not filename:
        raise InvalidInput("文件名不能为空。", code="file_name_required")
    if len(filename) > UploadSession._meta.get_field("filename").max_length:
        raise InvalidInput("文件名不能超过 255 个字符。", code="file_name_too_long")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise InvalidInput("请声明文件大小（大于 0 的字节数）。", code="size_required")
    if size > max_upload_bytes():
        raise InvalidInput(
            f"文件过大：单个文件不能超过 {max_upload_bytes() // 1024**3} GiB。", code="too_large"
        )
    cleaned = clean_meta(case=case, record=record, filename=filename, meta=meta)
    # No ledger entry: a session is scaffolding; the item it becomes is recorded.
    session = UploadSession.objects.create(
        case=case, record=record, filename=filename, size=size, meta=cleaned, created_by=actor
    )
    part_path(session).touch()
    return session


def _require_uploader(actor, session: UploadSession) -> None:
    if session.created_by_id != getattr(actor, "pk", None):
        # The same answer as for a session that does not exist.
        raise NotFound("上传不存在或已过期。", code="upload_not_found")
    _may_upload(actor, session.case)


@contextlib.contextmanager
def _locked(session: UploadSession, mode: str = "r+b") -> Iterator[BinaryIO]:
    """The session's temporary file under an exclusive lock: one piece, or the
    completion, at a time, whichever server process receives it."""
    try:
        f = open(part_path(session), mode)  # noqa: SIM115 - closed by the with below
    except FileNotFoundError:
        raise NotFound("上传不存在或已过期，请重新开始上传。", code="upload_not_found") from None
    with f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise Conflict(
                "该文件的另一部分正在接收或正在保存，请稍后查询进度再继续。", code="upload_busy"
            ) from None
        yield f


def _discard(session: UploadSession) -> None:
    UploadSession.objects.filter(pk=session.pk).delete()
    with contextlib.suppress(FileNotFoundError):
        part_path(session).unlink()


def _refuse_mismatch(session: UploadSession, head: bytes) -> None:
    problem = sniff.mismatch(session.filename, head)
    if problem:
        _discard(session)
        raise InvalidInput(problem, code="type_mismatch")


def upload_append(
    *, actor, session: UploadSession, start: int, length: int, total: int, stream: BinaryIO
) -> int:
    """Append ``length`` bytes read from ``stream`` at byte ``start``; return
    the new offset. A piece must start exactly where the received bytes end."""
    _require_uploader(actor, session)
    if total != session.size:
        raise InvalidInput(
            f"分块声明的文件总大小 {total} 与开始上传时声明的 {session.size} 字节不符。",
            code="size_mismatch",
        )
    if start < 0 or length <= 0:
        raise InvalidInput("分块范围不正确。", code="bad_range")
    if start + length > session.size:
        raise InvalidInput(f"分块超出声明的文件大小（{session.size} 字节）。", code="beyond_size")
    with _locked(session) as f:
        offset = f.seek(0, os.SEEK_END)
        if start != offset:
            raise UploadOffsetError(
                f"分块应从第 {offset} 字节开始，收到的分块从第 {start} 字节开始；"
                f"请从第 {offset} 字节继续上传。",
                offset=offset,
                code="wrong_offset",
            )
        received = 0
        # The first bytes say what the file is: a file that is not what its name
        # says is refused at its first piece, not after the whole upload.
        head = b"" if start == 0 else None
        while received < length:
            piece = stream.read(min(COPY_BYTES, length - received))
            if not piece:
                break
            f.write(piece)
            received += len(piece)
            if head is not None:
                head += piece[: sniff.HEAD_BYTES - len(head)]
                if len(head) >= sniff.HEAD_BYTES or received == length:
                    _refuse_mismatch(session, head)
                    head = None
        if head:
            _refuse_mismatch(session, head)
        f.flush()
        # On disk before the offset is reported: a resumed upload must never
        # continue after bytes a crash took back.
        os.fdatasync(f.fileno())
        offset += received
    UploadSession.objects.filter(pk=session.pk).update(updated_at=_now())
    if received < length:
        raise UploadOffsetError(
            f"分块不完整：只收到 {received} / {length} 字节。请从第 {offset} 字节继续上传。",
            offset=offset,
            code="incomplete_chunk",
        )
    return offset


def upload_complete(*, actor, session: UploadSession) -> MediaItem:
    """Turn a fully received upload into a ``MediaItem``; a file whose content
    does not match its name, or which cannot be read, is refused and discarded."""
    _require_uploader(actor, session)
    with _locked(session, "rb") as f:
        received = f.seek(0, os.SEEK_END)
        if received != session.size:
            raise UploadOffsetError(
                f"文件尚未接收完整：已收到 {received} / {session.size} 字节。",
                offset=received,
                code="upload_incomplete",
            )
        cleaned = dict(session.meta)
        try:
            item = _ingest(
                actor=actor,
                case=session.case,
                record=session.record,
                path=part_path(session),
                filename=session.filename,
                meta=cleaned,
                session=session,
            )
        except InvalidInput as exc:
            if exc.code in (
                "type_mismatch",
                "media_unreadable",
                "no_video_stream",
                "no_audio_stream",
            ):
                _discard(session)  # the bytes are wrong: resuming cannot help
            raise
    with contextlib.suppress(FileNotFoundError):
        part_path(session).unlink()
    return item


def upload_abandon(*, actor, session: UploadSession) -> None:
    """Cancel an upload; its received bytes are removed."""
    if session.created_by_id != getattr(actor, "pk", None):
        raise NotFound("上传不存在或已过期。", code="upload_not_found")
    _discard(session)


def uploads_purge(*, older_than: timedelta) -> int:
    """Remove sessions idle longer than ``older_than`` and temporary files no
    session owns; return how many sessions were removed."""
    cutoff = _now() - older_than
    stale = list(UploadSession.objects.filter(updated_at__lt=cutoff))
    for session in stale:
        _discard(session)
    live = {str(pk) for pk in UploadSession.objects.values_list("pk", flat=True)}
    for path in uploads_dir().iterdir():
        stem = path.name.split(".")[0]
        old = path.stat().st_mtime < cutoff.timestamp()
        if old and (
            (path.suffix == ".part" and stem not in live) or path.name.startswith(".form-")
        ):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return len(stale)


# --- Viewing (REC-12) ----------------------------------------------------------------


def media_view_log(*, actor, item: MediaItem, part: str = "file", byte_range: str = "") -> None:
    """Record that ``actor`` opened an item (played, displayed or downloaded it).
    The caller has read the item through ``selectors.media_get``."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("请先登录。")
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="media.view",
            obj=item,
            agency_id=item.case.agency_id,
            payload={
                "case": item.case.number,
                "sha256": item.file.sha256,
                "part": part,
                "range": byte_range,
            },
        )
