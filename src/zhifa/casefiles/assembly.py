"""Binding a case file: the catalogue pages, a PDF of every record no instrument
renders, the instruments' own PDFs and the audio-video catalogue, merged into
one PDF in the prescribed order with the page range of every item (REC-10).

LibreOffice starts once for all the record pages (``convert.to_pdf`` takes
them together) and once more for the cover, catalogue and remarks sheet, whose
page numbers are known only when the records are converted. The catalogue's
own length is estimated first and, in the rare case the estimate was wrong,
converted once more.
"""

from __future__ import annotations

import math
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from zhifa.casefiles.catalogue import Material, media_facts
from zhifa.casefiles.models import CatalogueEntry, Retention
from zhifa.cases.models import Case, CaseOfficer, Signature
from zhifa.cases.records import KINDS
from zhifa.ledger import evidence
from zhifa.ledger.models import StoredFile

# First guesses only, checked after conversion: catalogue lines per page, text
# lines and characters per line of a record page, AV items per page.
_LINES_PER_PAGE = 22
_LINES_PER_RECORD_PAGE = 40
_CHARS_PER_LINE = 30
_AV_ITEMS_PER_PAGE = 2
_ROUNDS = 4
Kind = CatalogueEntry.Kind


@dataclass
class Line:
    """One catalogue line while the file is bound; saved as a ``CatalogueEntry``."""

    part: str
    kind: str
    title: str
    number: str = ""
    date: date | None = None
    pages: int = 0
    page_first: int = 0
    page_last: int = 0
    source_id: int | None = None
    pdf: StoredFile | None = None
    original: StoredFile | None = None
    storage_key: str = ""
    sha256: str = ""
    made_how: str = ""
    proves: str = ""
    note: str = ""
    path: Path | None = None  # the pages bound for this line (none for an AV item)
    marker: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def pages_label(self) -> str:
        if not self.page_first:
            return ""
        if self.page_first == self.page_last:
            return str(self.page_first)
        return f"{self.page_first}–{self.page_last}"

    @property
    def date_label(self) -> str:
        return self.date.strftime("%Y-%m-%d") if self.date else ""

    @property
    def remark(self) -> str:
        return {Kind.MEDIA: "音像资料", Kind.INSTRUMENT: "文书"}.get(self.kind, "")


@dataclass
class Bound:
    pdf_path: Path
    pages: int
    lines: list[Line]


def cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def cn_time(value: datetime | None) -> str:
    if value is None:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(value)} {value:%H:%M}"


def copy_stored(stored: StoredFile, target: Path) -> Path:
    """Copy a stored evidence file to ``target``."""
    with (
        evidence.backend(stored.backend).open(stored.storage_key) as source,
        open(target, "wb") as out,
    ):
        shutil.copyfileobj(source, out, 1024 * 1024)
    return target


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


# --- The pages of each record ------------------------------------------------------


def _field_value(spec_field, value: str) -> str:
    if spec_field.kind == "choice":
        return dict(spec_field.choices).get(value, value)
    return value


def _image_suffix(stored: StoredFile) -> str:
    suffix = Path(stored.original_name).suffix.lower()
    if suffix in (".png", ".jpg", ".jpeg", ".gif", ".bmp"):
        return suffix
    return {"image/jpeg": ".jpg", "image/gif": ".gif"}.get(stored.content_type, ".png")


def _signature_image(stored: StoredFile, workdir: Path) -> str:
    name = f"sig-{stored.sha256[:24]}{_image_suffix(stored)}"
    if not (workdir / name).exists():
        copy_stored(stored, workdir / name)
    return name


def record_html(case: Case, record, workdir: Path) -> str:
    spec = KINDS.get(record.kind)
    fields = []
    if spec is not None:
        for f in spec.fields:
            value = record.content.get(f.name, "")
            if value or f.required:
                fields.append((f.label, _field_value(f, value)))
    else:
        fields = list(record.content.items())
    signatures = [
        {
            "role": Signature.Role(s.role).label if s.role in Signature.Role.values else s.role,
            "name": s.name,
            "method": s.get_method_display(),
            "signed_at": cn_time(s.signed_at),
            "refused": s.method == Signature.Method.REFUSED,
            "refusal_note": s.refusal_note,
            "witness_name": s.witness_name,
            "image": _signature_image(s.image, workdir) if s.image_id else "",
        }
        for s in record.signatures.all()
    ]
    recorded_by = getattr(getattr(record.created_by, "officer", None), "name", "")
    return render_to_string(
        "casefiles/pdf/record.html",
        {
            "doc_title": record.kind_label,
            "case": case,
            "record": record,
            "label": record.kind_label,
            "occurred_at": cn_time(record.occurred_at),
            "fields": fields,
            "signatures": signatures,
            "corrects": cn_time(record.supersedes.occurred_at) if record.supersedes_id else "",
            "recorded_by": recorded_by or record.created_by.get_username(),
            "created_at": cn_time(record.created_at),
        },
    )


# --- Binding -----------------------------------------------------------------------


def _write(workdir: Path, name: str, html: str) -> Path:
    path = workdir / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def _marker_pages(pdf: Path, markers: list[str]) -> dict[str, tuple[int, int]]:
    """The 1-based pages of ``pdf`` on which each marker appears (first, last)."""
    found: dict[str, tuple[int, int]] = {}
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        text = re.sub(r"\s+", "", page.extract_text() or "")
        for marker in markers:
            if f"[{marker}]" in text:
                first = found.get(marker, (number, number))[0]
                found[marker] = (first, number)
    return found


def bind(*, case: Case, found: list[Material], actor, workdir: Path, to_pdf) -> Bound:
    """Bind ``found`` (already in order) into one PDF under ``workdir``."""
    assembled_at = timezone.now()

    # 1. The materials: records to HTML, instruments' PDFs copied, AV items listed.
    lines: list[Line] = []
    media: list[Line] = []
    for m in found:
        if m.kind == "record":
            text = record_html(case, m.obj, workdir)
            path = _write(workdir, f"record-{m.obj.pk}", text)
            line = Line(m.part, Kind.RECORD, m.title, m.number, m.date, source_id=m.obj.pk)
            line.path, line.pages = path, _guess_record_pages(m.obj)
            lines.append(line)
        elif m.kind == "instrument":
            i = m.obj
            path = copy_stored(i.pdf, workdir / f"instrument-{i.pk}.pdf")
            line = Line(m.part, Kind.INSTRUMENT, m.title, m.number, m.date, source_id=i.pk)
            line.pdf, line.original, line.path = i.pdf, i.docx, path
            line.pages = page_count(path)
            lines.append(line)
        else:
            media.append(_media_line(m, len(media)))
    media_list = None
    if media:
        media_list = _media_list(case, media, workdir)
        lines += [media_list, *media]
    content = [x for x in lines if x.path is not None and x.path.suffix == ".html"]

    # 2. Cover, catalogue and remarks, numbered from the cover as page 1. The
    # first round guesses the pages of the records and converts them and the
    # front matter at the same time; a wrong guess costs one more round.
    front = Front(case, actor, assembled_at, lines, media, media_list, workdir)
    with ThreadPoolExecutor(max_workers=2) as pool:
        total = _number(front.lines)
        converting = pool.submit(to_pdf, [x.path for x in content], workdir / "pdf")
        front_pdfs = pool.submit(to_pdf, front.write(total), workdir / "front")
        content_pdfs, front_pdfs = converting.result(), front_pdfs.result()
    stable = True
    for line, pdf in zip(content, content_pdfs, strict=True):
        line.path = pdf
        pages = page_count(pdf)
        stable &= pages == line.pages
        line.pages = pages
    if media_list is not None:
        found_at = _marker_pages(media_list.path, [m.marker for m in media])
        for m in media:
            at = found_at.get(m.marker, (1, media_list.pages))
            stable &= at == m.extra["at"]
            m.extra["at"] = at
    for _ in range(_ROUNDS):
        stable &= front.measure(front_pdfs)
        if stable:
            break
        total = _number(front.lines)
        front_pdfs = to_pdf(front.write(total), workdir / "front")
        stable = True
    else:  # pragma: no cover - the page counts settle in two rounds in practice
        raise RuntimeError("卷内目录页数无法确定。")

    # 3. Merge, with a bookmark for every line.
    writer = PdfWriter()
    for x in front.lines:
        if x.path is None:
            continue
        start = len(writer.pages)
        writer.append(str(x.path), import_outline=False)
        writer.add_outline_item(title=f"{x.title} {x.number}".strip(), page_number=start)
    writer.add_metadata(
        {
            "/Title": f"{case.number} {case.title} 案卷",
            "/Author": case.agency.name,
            "/Subject": "行政执法案卷",
        }
    )
    out = workdir / f"casefile-{case.pk}.pdf"
    with open(out, "wb") as f:
        writer.write(f)
    pages = len(writer.pages)
    if pages != total:  # pragma: no cover - a guard on the numbering above
        raise RuntimeError(f"装订页数 {pages} 与目录页号 {total} 不符。")
    return Bound(out, pages, front.lines)


def _guess_record_pages(record) -> int:
    """About how many pages a record takes: only a first guess, checked after."""
    lines = 14 + 2 * len(record.signatures.all())
    for value in record.content.values():
        for paragraph in str(value).splitlines() or [""]:
            lines += max(1, math.ceil(len(paragraph) / _CHARS_PER_LINE))
    return max(1, math.ceil(lines / _LINES_PER_RECORD_PAGE))


def _media_line(m: Material, index: int) -> Line:
    facts = media_facts(m.obj)
    line = Line("media", Kind.MEDIA, m.title, date=m.date, source_id=m.obj.pk, extra=facts)
    line.original = facts["file"]
    line.storage_key, line.sha256 = facts["file"].storage_key, facts["file"].sha256
    line.made_how, line.proves = _made_how(facts), facts["proves"]
    line.marker = f"AV-{index + 1:03d}"
    page = 1 + index // _AV_ITEMS_PER_PAGE
    line.extra["at"] = (page, page)
    return line


def _media_list(case: Case, media: list[Line], workdir: Path) -> Line:
    items = [
        {
            **line.extra,
            "marker": line.marker,
            "captured_at": cn_time(line.extra["captured_at"]),
            "uploaded_at": cn_time(line.extra["uploaded_at"]),
        }
        for line in media
    ]
    html = render_to_string(
        "casefiles/pdf/media_list.html",
        {"doc_title": "音像资料目录", "case": case, "items": items},
    )
    line = Line("media", Kind.MEDIA_LIST, f"音像资料目录（{len(media)} 项）")
    line.path = _write(workdir, "media-list", html)
    line.pages = max(1, math.ceil(len(media) / _AV_ITEMS_PER_PAGE))
    return line


class Front:
    """The cover, catalogue and remarks sheet, which show page numbers and counts."""

    def __init__(self, case, actor, assembled_at, lines, media, media_list, workdir) -> None:
        self.case, self.workdir, self.assembled_at = case, workdir, assembled_at
        self.media_list = media_list
        today = timezone.localdate(assembled_at)
        self.cover = Line("cover", Kind.COVER, "封面", date=today, pages=1)
        self.catalogue = Line("catalogue", Kind.CATALOGUE, "卷内目录", date=today)
        self.remarks = Line("remarks", Kind.REMARKS, "备考表", date=today, pages=1)
        self.lines = [self.cover, self.catalogue, *lines, self.remarks]
        self.catalogue.pages = max(1, math.ceil(len(self.lines) / _LINES_PER_PAGE))
        self.common = {
            "case": case,
            "assembled_by": getattr(getattr(actor, "officer", None), "name", "")
            or actor.get_username(),
            "item_count": sum(1 for x in lines if x.kind in (Kind.RECORD, Kind.INSTRUMENT)),
            "record_count": sum(1 for x in lines if x.kind == Kind.RECORD),
            "instrument_count": sum(1 for x in lines if x.kind == Kind.INSTRUMENT),
            "media_count": len(media),
        }
        self.cover_context = {
            "case_kind": case.get_action_kind_display(),
            "parties": list(case.parties.all()),
            "assignments": list(
                CaseOfficer.objects.filter(case=case, released_at__isnull=True).select_related(
                    "officer"
                )
            ),
            "started_on": cn_date(case.started_on),
            "ended_on": cn_date(case.action_ended_on),
            "retention": Retention.PERMANENT.label,
            "assembled_on": cn_date(today),
        }
        self.corrections = [
            f"{x.title}（{cn_time(r.occurred_at)}）更正了{cn_time(r.supersedes.occurred_at)}的原记录。"
            for x, r in self._records(lines)
            if r.supersedes_id
        ]

    @staticmethod
    def _records(lines):
        from zhifa.cases.models import Record

        ids = {x.source_id: x for x in lines if x.kind == Kind.RECORD}
        records = Record.objects.filter(pk__in=ids).select_related("supersedes")
        return [(ids[r.pk], r) for r in records]

    def write(self, total: int) -> list[Path]:
        common = {**self.common, "total_pages": total}
        rows = [_catalogue_row(i, x) for i, x in enumerate(self.lines, start=1)]
        return [
            _write(
                self.workdir,
                "cover",
                render_to_string(
                    "casefiles/pdf/cover.html",
                    {**common, **self.cover_context, "doc_title": "案卷封面"},
                ),
            ),
            _write(
                self.workdir,
                "catalogue",
                render_to_string(
                    "casefiles/pdf/catalogue.html",
                    {**common, "doc_title": "卷内目录", "entries": rows},
                ),
            ),
            _write(
                self.workdir,
                "remarks",
                render_to_string(
                    "casefiles/pdf/remarks.html",
                    {
                        **common,
                        "doc_title": "备考表",
                        "media_pages": self.media_list.pages_label if self.media_list else "",
                        "corrections": self.corrections,
                        "assembled_at": cn_time(self.assembled_at),
                    },
                ),
            ),
        ]

    def measure(self, pdfs: list[Path]) -> bool:
        """Take the converted front matter; whether its page counts were as assumed."""
        parts = (self.cover, self.catalogue, self.remarks)
        measured = [page_count(p) for p in pdfs]
        stable = measured == [x.pages for x in parts]
        for x, pdf, pages in zip(parts, pdfs, measured, strict=True):
            x.path, x.pages = pdf, pages
        return stable


def _made_how(facts: dict) -> str:
    parts = []
    if facts["captured_at"]:
        parts.append(f"时间：{cn_time(facts['captured_at'])}")
    if facts["place"]:
        parts.append(f"地点：{facts['place']}")
    if facts["author"]:
        parts.append(f"制作人：{facts['author']}")
    if facts["device"]:
        parts.append(f"设备：{facts['device']}")
    if facts["made_how"]:
        parts.append(f"制作方法：{facts['made_how']}")
    return "；".join(parts)


def _number(lines: list[Line]) -> int:
    """Give every line its page range; return the total. An AV item has no pages
    of its own: it is numbered where its block stands in the AV catalogue."""
    page = 1
    offset = 0
    for x in lines:
        if x.kind == Kind.MEDIA:
            first, last = x.extra["at"]
            x.page_first, x.page_last = offset + first, offset + last
            continue
        x.page_first, x.page_last = page, page + max(x.pages, 1) - 1
        if x.kind == Kind.MEDIA_LIST:
            offset = x.page_first - 1
        page = x.page_last + 1
    return page - 1


def _catalogue_row(position: int, x: Line) -> dict:
    return {
        "position": position,
        "number": x.number,
        "title": x.title,
        "kind": x.kind,
        "date_label": x.date_label,
        "pages_label": x.pages_label,
        "remark": x.remark,
    }
