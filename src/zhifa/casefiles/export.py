"""The case file as one ZIP: the bound PDF, every original file under a readable
name, and ``manifest.json`` with the catalogue and the SHA-256 and SM3 of every
file (REC-10, REC-11).

The ZIP is written as it is sent (``zip_stream`` yields its bytes piece by
piece), so a case file with hours of video never sits in memory or on disk.
Every file in it comes from the evidence store, whose digests were taken when
it was stored; ``zhifa verify`` checks them against the objects.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from zhifa.casefiles.catalogue import instrument_model, media_model
from zhifa.casefiles.models import CaseFile, CatalogueEntry
from zhifa.casefiles.selectors import catalogue
from zhifa.cases.models import Case, Signature
from zhifa.ledger import evidence
from zhifa.ledger.models import StoredFile

_CHUNK = 1024 * 1024
Kind = CatalogueEntry.Kind


@dataclass
class Member:
    name: str  # path inside the ZIP
    stored: StoredFile
    role: str  # what the file is, in Chinese


def _safe(text: str) -> str:
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .")
    return text[:80] or "文件"


def _suffix(stored: StoredFile, default: str = "") -> str:
    return PurePosixPath(stored.original_name).suffix.lower() or default


def members(case_file: CaseFile) -> list[Member]:
    """Every file of the case file, each once, under a readable and unique name."""
    case = case_file.case
    entries = list(catalogue(case_file))
    out: list[Member] = [Member(f"{_safe(case.number)}-案卷.pdf", case_file.pdf, "装订案卷")]
    for e in entries:
        label = f"{e.position:03d}-{_safe(e.title)}"
        if e.kind == Kind.INSTRUMENT:
            out.append(Member(f"文书/{label}.pdf", e.pdf, "执法文书 PDF"))
            if e.original_id:
                out.append(Member(f"文书/{label}.docx", e.original, "执法文书 DOCX"))
        elif e.kind == Kind.MEDIA and e.original_id:
            out.append(Member(f"音像资料/{label}{_suffix(e.original)}", e.original, "音像资料原件"))
        elif e.kind == Kind.SUPPLEMENT:
            out.append(Member(f"补充材料/{label}.pdf", e.pdf, "补充材料 PDF"))
            if e.original_id and e.original_id != e.pdf_id:
                name = f"补充材料/{label}-原件{_suffix(e.original)}"
                out.append(Member(name, e.original, "补充材料原件"))
    out += _signature_images(case_file, entries)
    out += _media_posters(case_file)
    seen: set[tuple[str, int]] = set()
    unique = []
    for m in out:
        if (m.name, m.stored.pk) in seen:
            continue
        seen.add((m.name, m.stored.pk))
        unique.append(m)
    return unique


def _signature_images(case_file: CaseFile, entries: list[CatalogueEntry]) -> list[Member]:
    """The signature images of the records and of the records instruments render."""
    record_ids = {e.source_id for e in entries if e.kind == Kind.RECORD}
    model = instrument_model()
    instrument_ids = [e.source_id for e in entries if e.kind == Kind.INSTRUMENT]
    if model is not None and instrument_ids:
        record_ids |= set(
            model.objects.filter(pk__in=instrument_ids, record__isnull=False).values_list(
                "record_id", flat=True
            )
        )
    signatures = (
        Signature.objects.filter(record_id__in=record_ids, image__isnull=False)
        .select_related("image", "record")
        .order_by("record__occurred_at", "record_id", "pk")
    )
    return [
        Member(
            f"签名/{s.record.kind_label}-{s.record_id}-{_safe(s.name)}-{s.pk}"
            + _suffix(s.image, ".png"),
            s.image,
            f"{s.record.kind_label}的{s.get_role_display()}签名（{s.get_method_display()}）",
        )
        for s in signatures
    ]


def _media_posters(case_file: CaseFile) -> list[Member]:
    model = media_model()
    if model is None:
        return []
    items = model.objects.filter(case=case_file.case, poster__isnull=False).select_related("poster")
    return [Member(f"音像资料/封面帧-{m.pk}.jpg", m.poster, "录像封面帧") for m in items]


def manifest(case_file: CaseFile, files: list[Member]) -> dict:
    case = case_file.case
    return {
        "format": "zhifa-casefile/1",
        "generated_at": timezone.now(),
        "case": {
            "number": case.number,
            "title": case.title,
            "agency": case.agency.name,
            "stage": case.stage,
            "action_ended_on": case.action_ended_on,
            "archive_due_on": case.archive_due_on,
        },
        "case_file": {
            "version": case_file.version,
            "assembled_at": case_file.assembled_at,
            "pages": case_file.pages,
            "archive_number": case_file.archive_number,
            "archived_at": case_file.archived_at,
            "retention": case_file.get_retention_display(),
            "materials_digest": case_file.materials_digest,
        },
        "catalogue": [
            {
                "position": e.position,
                "part": e.part,
                "kind": e.kind,
                "title": e.title,
                "number": e.number,
                "date": e.date,
                "pages": [e.page_first, e.page_last],
                "source_id": e.source_id,
                "storage_key": e.storage_key,
                "sha256": e.sha256,
                "made_how": e.made_how,
                "proves": e.proves,
                "note": e.note,
                "added_after_archive": e.added_after_archive,
                "added_at": e.added_at,
            }
            for e in catalogue(case_file)
        ],
        "files": [
            {
                "path": m.name,
                "role": m.role,
                "original_name": m.stored.original_name,
                "size": m.stored.size,
                "sha256": m.stored.sha256,
                "sm3": m.stored.sm3,
                "storage_key": m.stored.storage_key,
            }
            for m in files
        ],
    }


class _Sink:
    """A write-only, unseekable file for ``zipfile`` that hands on what it gets."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def casefile_export(case: Case) -> Iterator[bytes]:
    """The ZIP of the case file of ``case``, piece by piece. The caller records
    the download (``services.casefile_view``) first."""
    return zip_stream(CaseFile.objects.select_related("case", "pdf").get(case=case))


def zip_stream(case_file: CaseFile) -> Iterator[bytes]:
    """The ZIP of ``case_file``, piece by piece."""
    files = members(case_file)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        body = json.dumps(
            manifest(case_file, files), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        ).encode()
        archive.writestr("manifest.json", body, compress_type=zipfile.ZIP_DEFLATED)
        yield sink.take()
        for m in files:
            info = zipfile.ZipInfo(m.name, date_time=_zip_time(m.stored))
            source = evidence.backend(m.stored.backend).open(m.stored.storage_key)
            with source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(_CHUNK):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def _zip_time(stored: StoredFile) -> tuple:
    moment = timezone.localtime(stored.stored_at)
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
