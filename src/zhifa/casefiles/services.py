"""Writes to case files: binding, archiving, supplements, and the record of who
read a case file (REC-10, REC-11).

Binding converts and merges outside any transaction (it takes seconds); the
bound PDF is then stored in the evidence store, and the case file, its
catalogue and the ledger entry are written in one transaction that re-checks
the case under a row lock. Once archived, a case file never changes: what is
found later is catalogued as a supplement after the last entry.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from zhifa import ledger
from zhifa.casefiles.assembly import bind
from zhifa.casefiles.catalogue import materials, materials_digest
from zhifa.casefiles.models import CaseFile, CatalogueEntry, Retention
from zhifa.cases.models import Case, Stage
from zhifa.cases.numbering import number_next
from zhifa.cases.selectors import case_get, is_case_leader, is_handler
from zhifa.cases.services import case_mark_archived
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.ledger.services import file_store

Kind = CatalogueEntry.Kind

# What a supplement may be: PDF as it is; office documents and HTML through
# LibreOffice; pictures on a page of their own.
OFFICE_SUFFIXES = {".docx", ".doc", ".odt", ".rtf", ".html", ".htm"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
SUPPLEMENT_SUFFIXES = {".pdf", *OFFICE_SUFFIXES, *IMAGE_SUFFIXES}


def _convert():
    from zhifa.instruments import convert

    return convert


# --- Who may act -------------------------------------------------------------------


def require_keeper(actor, case: Case) -> None:
    """Bind, archive or supplement the file: a handling officer or the case's leader."""
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden("只有本案的承办人员或负责人可以整理、归档案卷。", code="not_a_case_keeper")


def _require_closed(case: Case) -> None:
    if case.stage == Stage.ARCHIVED:
        raise Conflict(
            "案卷已归档，不能重新装订；归档后发现的材料请作为补充材料编目。",
            code="already_archived",
        )
    if case.stage != Stage.CLOSED:
        raise Conflict(
            f"案件处于{case.get_stage_display()}环节，结案后才能装订案卷。", code="not_closed"
        )


def _pdf_payload(stored) -> dict:
    return {"sha256": stored.sha256, "sm3": stored.sm3, "size": stored.size}


# --- Binding -----------------------------------------------------------------------


def casefile_assemble(*, actor, case: Case) -> CaseFile:
    """Bind the file of a closed case: cover, catalogue, every record, instrument
    and AV reference in the prescribed order (REC-10). Binding again before the
    archive replaces the draft with a new version."""
    require_keeper(actor, case)
    _require_closed(case)
    found = materials(case)
    digest = materials_digest(found)
    with tempfile.TemporaryDirectory(prefix="zhifa-casefile-") as workdir:
        bound = bind(
            case=case, found=found, actor=actor, workdir=Path(workdir), to_pdf=_convert().to_pdf
        )
        with open(bound.pdf_path, "rb") as stream:
            stored = file_store(
                actor=actor,
                stream=stream,
                original_name=f"{case.number}-案卷.pdf",
                content_type="application/pdf",
            )
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _require_closed(locked)
        if materials_digest(materials(locked)) != digest:
            raise Conflict("装订期间案件材料有变化，请重新装订。", code="materials_changed")
        case_file = CaseFile.objects.select_for_update().filter(case=locked).first()
        if case_file is None:
            case_file = CaseFile(case=locked, agency_id=locked.agency_id, version=1)
        else:
            case_file.version += 1
        case_file.assembled_at = now
        case_file.assembled_by = actor
        case_file.pdf = stored
        case_file.pages = bound.pages
        case_file.materials_digest = digest
        case_file.retention = Retention.PERMANENT
        case_file.save()
        entries = CatalogueEntry.objects.bulk_create(
            [
                CatalogueEntry(
                    case_file=case_file,
                    version=case_file.version,
                    position=position,
                    part=line.part,
                    kind=line.kind,
                    title=line.title[:255],
                    number=line.number,
                    date=line.date,
                    page_first=line.page_first,
                    page_last=line.page_last,
                    source_id=line.source_id,
                    pdf=line.pdf,
                    original=line.original,
                    storage_key=line.storage_key,
                    sha256=line.sha256,
                    made_how=line.made_how,
                    proves=line.proves,
                    note=line.note,
                    added_at=now,
                    added_by=actor,
                )
                for position, line in enumerate(bound.lines, start=1)
            ]
        )
        ledger.append(
            actor=actor,
            action="casefile.assemble",
            obj=case_file,
            payload={
                "case": locked.number,
                "version": case_file.version,
                "pdf": _pdf_payload(stored),
                "pages": bound.pages,
                "materials_digest": digest,
                "catalogue": [
                    [e.position, e.kind, e.title, e.number, e.page_first, e.page_last, e.sha256]
                    for e in entries
                ],
            },
        )
    return case_file


# --- Archiving ---------------------------------------------------------------------


def casefile_archive(*, actor, case: Case) -> CaseFile:
    """Fix the bound file under an archive number and move the case to 归档 (REC-10)."""
    require_keeper(actor, case)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        case_file = CaseFile.objects.select_for_update().filter(case=locked).first()
        if case_file is not None and case_file.archived:
            raise Conflict(
                f"案卷已于{timezone.localtime(case_file.archived_at):%Y-%m-%d}归档"
                f"（档案号 {case_file.archive_number}），不能重复归档。",
                code="already_archived",
            )
        _require_closed(locked)
        if case_file is None:
            raise Conflict("请先装订案卷，再归档。", code="not_assembled")
        if materials_digest(materials(locked)) != case_file.materials_digest:
            raise Conflict(
                "案卷装订后案件材料有变化（新增或更正了记录、文书或音像资料），请重新装订后再归档。",
                code="materials_changed",
            )
        now = timezone.now()
        year = timezone.localdate(now).year
        n = number_next(agency=locked.agency, name="archive", year=year)
        case_file.archive_number = f"{year}-{Retention.PERMANENT.label}-{n:04d}"
        case_file.archived_at = now
        case_file.archived_by = actor
        case_file.save(update_fields=["archive_number", "archived_at", "archived_by"])
        overdue = bool(locked.archive_due_on and timezone.localdate(now) > locked.archive_due_on)
        case_mark_archived(actor=actor, case=locked, note=f"档案号 {case_file.archive_number}")
        ledger.append(
            actor=actor,
            action="casefile.archive",
            obj=case_file,
            payload={
                "case": locked.number,
                "archive_number": case_file.archive_number,
                "version": case_file.version,
                "pdf": _pdf_payload(case_file.pdf),
                "pages": case_file.pages,
                "retention": case_file.retention,
                "archive_due_on": locked.archive_due_on,
                "overdue": overdue,
            },
        )
    case.stage, case.archived_at = locked.stage, locked.archived_at
    return case_file


# --- Supplements after the archive --------------------------------------------------


def _receive(stream: BinaryIO, target: Path) -> None:
    with open(target, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)


def _readable_pdf(path: Path) -> int:
    try:
        pages = len(PdfReader(path).pages)
    except (PyPdfError, ValueError, OSError):
        pages = 0
    if pages < 1:
        raise InvalidInput("上传的 PDF 文件无法读取或没有页面。", code="bad_pdf")
    return pages


def _supplement_pdf(case: Case, source: Path, *, title: str, note: str, workdir: Path) -> Path:
    """The PDF of a supplement: the upload itself, or converted from it."""
    suffix = source.suffix.lower()
    if suffix == ".pdf":
        return source
    convert = _convert()
    if suffix in IMAGE_SUFFIXES:
        html = workdir / "supplement-page.html"
        html.write_text(
            render_to_string(
                "casefiles/pdf/supplement_image.html",
                {"doc_title": title, "case": case, "image": source.name, "note": note},
            ),
            encoding="utf-8",
        )
        source = html
    return convert.to_pdf([source], workdir / "pdf")[0]


def casefile_supplement(
    *,
    actor,
    case: Case,
    title: str,
    stream: BinaryIO,
    original_name: str,
    note: str,
    content_type: str = "",
) -> CatalogueEntry:
    """Catalogue material found after the archive as a new entry, leaving the bound
    file and every earlier entry as they are (REC-10)."""
    require_keeper(actor, case)
    title = (title or "").strip()
    note = (note or "").strip()
    if not title:
        raise InvalidInput("请填写补充材料的题名。", code="title_required")
    if len(title) > 255:
        raise InvalidInput("补充材料的题名不能超过 255 个字。", code="title_too_long")
    if not note:
        raise InvalidInput("请说明补充材料的来源及归档后补充的原因。", code="note_required")
    suffix = Path(original_name or "").suffix.lower()
    if suffix not in SUPPLEMENT_SUFFIXES:
        raise InvalidInput(
            "补充材料须是 PDF、Word（DOCX/DOC）、ODT、RTF、HTML 文件或 PNG/JPG 图片。",
            code="unsupported_type",
        )
    case_file = CaseFile.objects.filter(case=case).first()
    if case_file is None or not case_file.archived:
        raise Conflict(
            "案卷尚未归档：归档前请将材料纳入案件后重新装订，归档后才作为补充材料编目。",
            code="not_archived",
        )
    with tempfile.TemporaryDirectory(prefix="zhifa-supplement-") as tmp:
        workdir = Path(tmp)
        source = workdir / f"upload{suffix}"
        _receive(stream, source)
        if source.stat().st_size == 0:
            raise InvalidInput("上传的文件是空的。", code="empty_file")
        pdf_path = _supplement_pdf(case, source, title=title, note=note, workdir=workdir)
        pages = _readable_pdf(pdf_path)
        # Both files are checked before anything is stored: bad input stores nothing.
        with open(source, "rb") as f:
            original = file_store(
                actor=actor, stream=f, original_name=original_name, content_type=content_type
            )
        if pdf_path == source:
            pdf = original
        else:
            with open(pdf_path, "rb") as f:
                pdf = file_store(
                    actor=actor,
                    stream=f,
                    original_name=f"{Path(original_name).stem}.pdf",
                    content_type="application/pdf",
                )
    with transaction.atomic():
        case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
        last = case_file.entries.filter(version=case_file.version).aggregate(
            position=Max("position"), page=Max("page_last")
        )
        first = max(last["page"] or 0, case_file.pages) + 1
        entry = CatalogueEntry.objects.create(
            case_file=case_file,
            version=case_file.version,
            position=(last["position"] or 0) + 1,
            part="supplement",
            kind=Kind.SUPPLEMENT,
            title=title,
            date=timezone.localdate(),
            page_first=first,
            page_last=first + pages - 1,
            pdf=pdf,
            original=original,
            sha256=original.sha256,
            storage_key=original.storage_key,
            note=note,
            added_after_archive=True,
            added_at=timezone.now(),
            added_by=actor,
        )
        ledger.append(
            actor=actor,
            action="casefile.supplement",
            obj=case_file,
            payload={
                "case": case.number,
                "archive_number": case_file.archive_number,
                "entry": entry.pk,
                "position": entry.position,
                "title": title,
                "note": note,
                "pages": [entry.page_first, entry.page_last],
                "original": _pdf_payload(original),
                "pdf": _pdf_payload(pdf),
            },
        )
    return entry


# --- Reading is recorded too ----------------------------------------------------------


VIEWS = ("pdf", "zip", "entry")


def casefile_view(*, actor, case: Case, what: str, entry: CatalogueEntry | None = None) -> CaseFile:
    """Record that ``actor`` downloads the case file (``what``: pdf, zip or one
    entry's PDF) and return it; a case the actor may not see is a 404 (REC-11)."""
    if what not in VIEWS or (what == "entry") != (entry is not None):
        raise InvalidInput("下载内容不正确。", code="bad_view")
    case = case_get(actor=actor, pk=case.pk)
    case_file = CaseFile.objects.filter(case=case).select_related("pdf").first()
    if case_file is None:
        raise NotFound("本案尚未装订案卷。")
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="casefile.view",
            obj=case_file,
            payload={
                "case": case.number,
                "what": what,
                "version": case_file.version,
                "entry": entry.pk if entry else None,
                "sha256": _viewed_sha256(case_file, what, entry),
            },
        )
    return case_file


def _viewed_sha256(case_file: CaseFile, what: str, entry: CatalogueEntry | None) -> str | None:
    if what == "pdf":
        return case_file.pdf.sha256
    if what == "entry":
        if entry.case_file_id != case_file.pk or entry.pdf_id is None:
            raise NotFound("该目录条目没有可下载的 PDF。")
        return entry.pdf.sha256
    return None
