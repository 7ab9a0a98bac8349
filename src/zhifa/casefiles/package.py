"""The archived case file as an offline-verifiable BagIt package (RFC 8493).

``casefile_package`` writes a directory that anyone can check without Zhifa's
database (``zhifa verify-package``, ``zhifa.ledger.package_verify``):

- ``data/files/…``: every file of the case file, as ``export.members`` names it;
- ``data/catalogue.json``: the catalogue and file list of ``export.manifest``,
  each file naming the ledger entry (``ledger_seq``) that recorded it;
- ``data/ledger/entries.json``: those entries (with the case file's own
  ``casefile.assemble``/``archive``/``export`` entries and the entries of its
  records), each with its RFC 9162 inclusion proof against
- ``data/ledger/checkpoint.note``: a signed checkpoint issued at export, and
- ``data/ledger/verifier.vkey``: the key it verifies with;
- ``data/report.json`` and ``data/report.txt``: the DA/T 70 four-property
  check (真实性、完整性、可用性、安全性) as computed at export.

The bag carries SHA-256 and SHA-512 manifests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC
from pathlib import Path

import bagit
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from zhifa import ledger
from zhifa.casefiles.export import Member, manifest, members
from zhifa.casefiles.models import CaseFile, CatalogueEntry
from zhifa.cases.models import Case, Record, Stage
from zhifa.cases.selectors import case_get
from zhifa.core.errors import Conflict, InvalidInput, NotFound
from zhifa.ledger import evidence, merkle, note, tree
from zhifa.ledger import package_verify as pv
from zhifa.ledger.models import LedgerCheckpoint, LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.ledger.services import checkpoint_issue
from zhifa.ledger.signing import ledger_signer, ledger_verifiers

_CHUNK = 1024 * 1024
Kind = CatalogueEntry.Kind
KNOWN_FORMATS = {
    ".pdf": "PDF",
    ".docx": "Office Open XML 文档",
    ".png": "PNG 图像",
    ".jpg": "JPEG 图像",
    ".jpeg": "JPEG 图像",
    ".mp4": "MP4 视频",
    ".mov": "QuickTime 视频",
    ".m4a": "M4A 音频",
    ".mp3": "MP3 音频",
    ".wav": "WAV 音频",
    ".webm": "WebM 视频",
    ".mkv": "Matroska 视频",
    ".ogg": "Ogg 音视频",
}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
PDF_ACTIVE = (b"/JavaScript", b"/JS ", b"/Launch", b"/EmbeddedFile")


def _entry_doc(entry: LedgerEntry, proof: list[bytes], about: str) -> dict:
    doc = {name: getattr(entry, name) for name in pv.HASHED}
    doc["recorded_at"] = entry.recorded_at.astimezone(UTC).isoformat()
    doc["entry_hash"] = entry.entry_hash
    doc["leaf_index"] = entry.seq - 1
    doc["proof"] = [h.hex() for h in proof]
    doc["about"] = about
    return doc


def _file_entry(stored) -> LedgerEntry | None:
    """The ``file.store`` entry that first recorded ``stored``."""
    return entries_for(stored).filter(action="file.store").order_by("seq").first()


def _copy(member: Member, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = evidence.backend(member.stored.backend).open(member.stored.storage_key)
    with source, open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _usable(path: Path) -> tuple[bool, str, int | None]:
    suffix = path.suffix.lower()
    if suffix not in KNOWN_FORMATS:
        return False, f"格式 {suffix or '（无扩展名）'} 不在已知格式之列", None
    if suffix == ".pdf":
        try:
            pages = len(PdfReader(str(path)).pages)
        except (PyPdfError, OSError, ValueError) as exc:
            return False, f"PDF 无法打开：{exc}", None
        return True, f"{KNOWN_FORMATS[suffix]}，{pages} 页", pages
    return True, KNOWN_FORMATS[suffix], None


def _safe(path: Path) -> tuple[bool, str]:
    with open(path, "rb") as f:
        head = f.read(8)
    if any(head.startswith(m) for m in EXECUTABLE_MAGIC):
        return False, "含可执行程序"
    if path.suffix.lower() == ".pdf":
        body = path.read_bytes()
        found = [m.decode().strip() for m in PDF_ACTIVE if m in body]
        if found:
            return False, f"PDF 含活动内容（{'、'.join(found)}）"
    return True, "无可执行内容"


def _record_entries(case_file: CaseFile) -> list[tuple[LedgerEntry, str]]:
    ids = case_file.entries.filter(kind=CatalogueEntry.Kind.RECORD).values_list(
        "source_id", flat=True
    )
    out = []
    for record in Record.objects.filter(pk__in=list(ids)).order_by("pk"):
        for entry in entries_for(record).order_by("seq"):
            out.append((entry, f"执法记录“{record.kind_label}”（{record.pk}）"))
    return out


def _require_archived(case: Case) -> CaseFile:
    case_file = CaseFile.objects.filter(case=case).select_related("case", "pdf").first()
    if case_file is None:
        raise NotFound("本案尚未装订案卷。")
    if case.stage != Stage.ARCHIVED or case_file.archived_at is None:
        raise Conflict("案卷归档后才能导出可离线验证的案卷包。", code="not_archived")
    return case_file


def casefile_package(*, actor, case: Case, dest_dir) -> Path:
    """Write the BagIt package of the archived file of ``case`` under ``dest_dir``
    and return its directory. Whoever may download the case file may package it;
    the export is recorded (``casefile.export``) before the checkpoint is signed,
    so the package proves its own export too."""
    case = case_get(actor=actor, pk=case.pk)
    case_file = _require_archived(case)
    dest = Path(dest_dir)
    if dest.exists() and not dest.is_dir():
        raise InvalidInput("导出位置不是目录。", code="bad_dest")
    files = members(case_file)
    bag_dir = dest / f"{case.number}-案卷包-{timezone.localtime():%Y%m%d%H%M%S}"
    if bag_dir.exists():
        raise Conflict("同名案卷包已存在，请稍后再试。", code="package_exists")

    with transaction.atomic():
        export_entry = ledger.append(
            actor=actor,
            action="casefile.export",
            obj=case_file,
            payload={
                "case": case.number,
                "format": "bagit",
                "version": case_file.version,
                "archive_number": case_file.archive_number,
                "files": {m.name: m.stored.sha256 for m in files},
            },
        )
    checkpoint_issue()
    cp = LedgerCheckpoint.objects.order_by("-size").first()
    try:
        return _write(case_file, files, export_entry, cp, bag_dir)
    except BaseException:
        shutil.rmtree(bag_dir, ignore_errors=True)
        raise


def _write(case_file, files, export_entry, cp: LedgerCheckpoint, bag_dir: Path) -> Path:
    data = bag_dir  # bagit.make_bag moves the contents under data/
    bag_dir.mkdir(parents=True)
    catalogue = manifest(case_file, files)

    wanted: list[tuple[LedgerEntry, str]] = []
    file_seq: dict[str, int | None] = {}
    for m in files:
        entry = _file_entry(m.stored)
        file_seq[m.name] = entry.seq if entry else None
        if entry:
            wanted.append((entry, f"文件“{m.name}”的存证记录"))
    wanted += _record_entries(case_file)
    for e in entries_for(case_file).filter(seq__lte=export_entry.seq).order_by("seq"):
        wanted.append((e, f"案卷的 {e.action} 记录"))
    for f in catalogue["files"]:
        f["ledger_seq"] = file_seq[f["path"]]

    entries, seen = [], set()
    for entry, about in sorted(wanted, key=lambda pair: pair[0].seq):
        if entry.seq in seen:
            continue
        seen.add(entry.seq)
        proof = tree.stored_inclusion_proof(entry.seq - 1, cp.size)
        entries.append(_entry_doc(entry, proof, about))

    # Files, and what DA/T 70 asks of each.
    report_files, checks = (
        [],
        {"authenticity": [], "integrity": [], "usability": [], "security": []},
    )
    for m in files:
        target = data / pv.FILES_DIR / m.name
        actual = _copy(m, target)
        usable, usable_detail, pages = _usable(target)
        safe, safe_detail = _safe(target)
        matches = actual == m.stored.sha256
        recorded = file_seq[m.name] is not None
        report_files.append(
            {
                "path": m.name,
                "role": m.role,
                "sha256": actual,
                "stored_sha256": m.stored.sha256,
                "ledger_seq": file_seq[m.name],
                "pages": pages,
                "format": usable_detail,
                "authentic": matches and recorded,
                "usable": usable,
                "safe": safe,
            }
        )
        if not matches:
            checks["authenticity"].append(f"“{m.name}”的摘要与存证不符")
        if not recorded:
            checks["authenticity"].append(f"“{m.name}”没有存证台账记录")
        if not usable:
            checks["usability"].append(f"“{m.name}”：{usable_detail}")
        if not safe:
            checks["security"].append(f"“{m.name}”：{safe_detail}")

    verifiers = ledger_verifiers()
    try:
        note.open_note(cp.note, verifiers)
    except note.NoteError as exc:
        checks["authenticity"].append(f"签名检查点验证失败：{exc}")
    for doc in entries:
        try:
            merkle.verify_inclusion(
                index=doc["leaf_index"],
                size=cp.size,
                leaf_hash=pv.entry_leaf(doc),
                proof=[bytes.fromhex(h) for h in doc["proof"]],
                root=bytes.fromhex(cp.root),
            )
        except merkle.ProofError as exc:
            checks["authenticity"].append(f"第 {doc['seq']} 条台账记录的包含证明不成立：{exc}")
    packed = {m.stored.pk for m in files}
    for e in case_file.entries.order_by("position"):
        kept = {e.pdf_id, e.original_id} - {None}
        if e.kind in (Kind.INSTRUMENT, Kind.SUPPLEMENT) and e.pdf_id is None:
            checks["integrity"].append(f"目录条目“{e.title}”没有 PDF")
        if e.kind in (Kind.INSTRUMENT, Kind.MEDIA, Kind.SUPPLEMENT) and kept - packed:
            checks["integrity"].append(f"目录条目“{e.title}”的文件未打包")
    if case_file.pdf_id not in packed:
        checks["integrity"].append("装订案卷 PDF 未打包")

    labels = {
        "authenticity": ("真实性", "文件摘要与存证台账一致，台账记录的包含证明和检查点签名成立"),
        "integrity": ("完整性", "目录所列材料均已打包，清单（SHA-256、SHA-512）完整"),
        "usability": ("可用性", "PDF 均可打开、格式均为已知格式"),
        "security": ("安全性", "不含可执行内容，文件附有校验和"),
    }
    report = {
        "format": pv.FORMAT,
        "standard": "DA/T 70—2018 文书类电子档案检测一般要求（四性检测）",
        "generated_at": timezone.now(),
        "case": catalogue["case"],
        "checkpoint": {"size": cp.size, "root": cp.root, "key_name": cp.key_name},
        "checks": [
            {
                "property": key,
                "label": labels[key][0],
                "passed": not found,
                "detail": "；".join(found) if found else labels[key][1],
            }
            for key, found in checks.items()
        ],
        "files": report_files,
    }

    ledger_dir = data / pv.LEDGER_DIR
    ledger_dir.mkdir(parents=True, exist_ok=True)
    _dump(data / pv.CATALOGUE, catalogue)
    _dump(data / pv.ENTRIES, {"checkpoint_size": cp.size, "entries": entries})
    _dump(data / pv.REPORT, report)
    (data / "report.txt").write_text(_report_text(report), encoding="utf-8")
    (data / pv.CHECKPOINT).write_text(cp.note, encoding="utf-8")
    (data / pv.VERIFIER).write_text(ledger_signer().verifier_key() + "\n", encoding="utf-8")

    case = case_file.case
    bagit.make_bag(
        str(bag_dir),
        bag_info={
            "Source-Organization": case.agency.name,
            "External-Identifier": case.number,
            "External-Description": f"{case.title}（档号 {case_file.archive_number}）",
            "Bag-Group-Identifier": case_file.archive_number or case.number,
        },
        checksums=["sha256", "sha512"],
    )
    return bag_dir


def _dump(path: Path, body) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _report_text(report: dict) -> str:
    lines = [
        "案卷包四性检测报告（DA/T 70）",
        f"案号：{report['case']['number']}  案由：{report['case']['title']}",
        f"生成时间：{report['generated_at']:%Y-%m-%d %H:%M:%S}",
        f"签名检查点：第 {report['checkpoint']['size']} 条，根 {report['checkpoint']['root']}",
        "",
    ]
    for item in report["checks"]:
        lines.append(f"{item['label']}：{'通过' if item['passed'] else '未通过'}。{item['detail']}")
    lines += ["", "文件："]
    for f in report["files"]:
        lines.append(f"  {f['path']}  {f['format']}  SHA-256 {f['sha256']}")
    return "\n".join(lines) + "\n"
