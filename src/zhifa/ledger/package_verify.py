"""Offline check of a case-file package (BagIt, RFC 8493) made by
``zhifa.casefiles.package`` — no database, no Zhifa settings beyond import.

A package holds the files of an archived case file, the ledger entries that
recorded them, each entry's RFC 9162 inclusion proof against a signed
checkpoint, the checkpoint note and the verifier key. ``verify_package``
re-checks all of it with ``bagit``, ``hashlib`` and the pure ledger modules
(``chain``, ``merkle``, ``note``) and returns what it finds, in Chinese, naming
the exact file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import bagit

from zhifa.ledger import chain, merkle, note

FORMAT = "zhifa-casefile-package/1"
FILES_DIR = "files"
LEDGER_DIR = "ledger"
ENTRIES = f"{LEDGER_DIR}/entries.json"
CHECKPOINT = f"{LEDGER_DIR}/checkpoint.note"
VERIFIER = f"{LEDGER_DIR}/verifier.vkey"
CATALOGUE = "catalogue.json"
REPORT = "report.json"
HASHED = (
    "seq",
    "recorded_at",
    "action",
    "actor_id",
    "actor_name",
    "agency_id",
    "object_type",
    "object_id",
    "object_repr",
    "payload",
    "prev_hash",
)


@dataclass(frozen=True)
class Problem:
    path: str  # the file inside the package it is about ("" for the whole package)
    message: str
    code: str

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def entry_fields(entry: dict) -> dict:
    """The hashed fields of a packaged entry, as ``chain.canonical`` takes them."""
    fields = {name: entry[name] for name in HASHED}
    fields["recorded_at"] = datetime.fromisoformat(entry["recorded_at"])
    return fields


def entry_leaf(entry: dict) -> bytes:
    return merkle.leaf_hash(chain.canonical(**entry_fields(entry)))


def _bag_problems(path: Path) -> tuple[bagit.Bag | None, list[Problem]]:
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        return None, [Problem("", f"不是有效的 BagIt 包：{exc}", "not_a_bag")]
    algorithms = set(bag.algorithms)
    problems = [
        Problem("", f"缺少 {alg} 清单（manifest-{alg}.txt）。", "manifest_missing")
        for alg in ("sha256", "sha512")
        if alg not in algorithms
    ]
    try:
        bag.validate(fast=False, completeness_only=False)
    except bagit.BagValidationError as exc:
        details = exc.details or []
        for d in details:
            if isinstance(d, bagit.ChecksumMismatch):
                problems.append(
                    Problem(
                        d.path,
                        f"文件“{d.path}”的 {d.algorithm} 摘要与清单不符（清单 {d.expected}，"
                        f"实际 {d.found}），文件已被改动。",
                        "checksum_mismatch",
                    )
                )
            elif isinstance(d, bagit.FileMissing):
                problems.append(Problem(d.path, f"清单中的文件“{d.path}”不存在。", "file_missing"))
            elif isinstance(d, bagit.UnexpectedFile):
                problems.append(Problem(d.path, f"文件“{d.path}”不在清单中。", "unexpected_file"))
            else:
                problems.append(Problem("", f"BagIt 校验未通过：{d}", "bag_invalid"))
        if not details:
            problems.append(Problem("", f"BagIt 校验未通过：{exc.message}", "bag_invalid"))
    return bag, problems


def _load_json(data: Path, name: str, problems: list[Problem]):
    try:
        return json.loads((data / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(Problem(f"data/{name}", f"无法读取“data/{name}”：{exc}", "unreadable"))
        return None


def _checkpoint(
    data: Path, trusted_keys: list[str], problems: list[Problem]
) -> note.Checkpoint | None:
    try:
        note_text = (data / CHECKPOINT).read_text(encoding="utf-8")
        packaged = (data / VERIFIER).read_text(encoding="utf-8").strip()
    except OSError as exc:
        problems.append(Problem(f"data/{LEDGER_DIR}", f"缺少检查点或公钥：{exc}", "unreadable"))
        return None
    keys = trusted_keys or [packaged]
    try:
        verifiers = [note.Verifier.from_key(k) for k in keys]
    except note.NoteError as exc:
        problems.append(Problem(f"data/{VERIFIER}", f"验证公钥格式不正确：{exc}", "bad_key"))
        return None
    try:
        text = note.open_note(note_text, verifiers)
        return note.Checkpoint.parse(text)
    except note.NoteError as exc:
        which = "指定的受信公钥" if trusted_keys else f"包内公钥 data/{VERIFIER}"
        problems.append(
            Problem(
                f"data/{CHECKPOINT}",
                f"签名检查点“data/{CHECKPOINT}”未能用{which}验证签名：{exc}",
                "checkpoint_signature",
            )
        )
        return None


def _entry_problems(entries: list, cp: note.Checkpoint | None) -> list[Problem]:
    problems = []
    where = f"data/{ENTRIES}"
    for entry in entries:
        seq = entry.get("seq")
        try:
            fields = entry_fields(entry)
            if chain.entry_hash(**fields) != entry.get("entry_hash"):
                problems.append(
                    Problem(
                        where, f"“{where}”中第 {seq} 条台账记录的哈希与内容不符。", "entry_hash"
                    )
                )
            if cp is None:
                continue
            leaf = merkle.leaf_hash(chain.canonical(**fields))
            proof = [bytes.fromhex(h) for h in entry["proof"]]
            merkle.verify_inclusion(
                index=seq - 1, size=cp.size, leaf_hash=leaf, proof=proof, root=cp.root
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                Problem(
                    where,
                    f"“{where}”中第 {seq} 条台账记录的包含证明不能还原签名检查点的默克尔根：{exc}",
                    "inclusion_proof",
                )
            )
    return problems


def verify_package(path, *, trusted_keys: list[str] | None = None) -> list[Problem]:
    """Everything wrong with the package at ``path``; empty when it verifies.

    With ``trusted_keys`` the checkpoint must verify with one of them; without,
    with the verifier key in the package (which proves integrity, not origin).
    """
    root = Path(path)
    bag, problems = _bag_problems(root)
    if bag is None:
        return problems
    data = root / "data"
    catalogue = _load_json(data, CATALOGUE, problems)
    packaged = _load_json(data, ENTRIES, problems)
    report = _load_json(data, REPORT, problems)
    cp = _checkpoint(data, list(trusted_keys or []), problems)
    if catalogue is None or packaged is None:
        return problems
    entries = packaged.get("entries", [])
    problems += _entry_problems(entries, cp)
    by_seq = {e.get("seq"): e for e in entries}

    listed = {f["path"] for f in catalogue.get("files", [])}
    on_disk = {
        p.relative_to(data / FILES_DIR).as_posix()
        for p in (data / FILES_DIR).rglob("*")
        if p.is_file()
    }
    for name in sorted(on_disk - listed):
        problems.append(
            Problem(
                f"data/{FILES_DIR}/{name}", f"文件“data/{FILES_DIR}/{name}”不在目录中。", "extra"
            )
        )
    computed: dict[str, str] = {}
    for f in catalogue.get("files", []):
        rel = f"data/{FILES_DIR}/{f['path']}"
        target = data / FILES_DIR / f["path"]
        if not target.is_file():
            problems.append(Problem(rel, f"目录所列文件“{rel}”不在包中。", "file_missing"))
            continue
        actual = computed[f["path"]] = file_sha256(target)
        entry = by_seq.get(f.get("ledger_seq"))
        if entry is None:
            problems.append(Problem(rel, f"文件“{rel}”没有记录它的台账记录。", "no_entry"))
            continue
        recorded = (entry.get("payload") or {}).get("sha256")
        if actual != recorded:
            problems.append(
                Problem(
                    rel,
                    f"文件“{rel}”的 SHA-256（{actual}）与第 {entry['seq']} 条台账记录的"
                    f"（{recorded}）不符，文件已被改动。",
                    "ledger_digest",
                )
            )
        elif f.get("sha256") != actual:
            problems.append(
                Problem(rel, f"文件“{rel}”的 SHA-256 与目录“data/{CATALOGUE}”不符。", "catalogue")
            )
    if cp is not None and packaged.get("checkpoint_size") != cp.size:
        problems.append(
            Problem(f"data/{ENTRIES}", "台账记录所用检查点与包内签名检查点不一致。", "checkpoint")
        )
    if report is not None:
        problems += _report_problems(report, catalogue, computed)
    return problems


def _report_problems(report: dict, catalogue: dict, computed: dict[str, str]) -> list[Problem]:
    where = f"data/{REPORT}"
    problems = []
    files = {f.get("path"): f for f in report.get("files", [])}
    if set(files) != {f["path"] for f in catalogue.get("files", [])}:
        problems.append(Problem(where, f"检测报告“{where}”所列文件与目录不一致。", "report"))
    for name, digest in computed.items():
        if name in files and files[name].get("sha256") != digest:
            problems.append(
                Problem(
                    where,
                    f"检测报告“{where}”中“{name}”的摘要与包内文件不符。",
                    "report",
                )
            )
    for item in report.get("checks", []):
        if not item.get("passed"):
            problems.append(
                Problem(
                    where,
                    f"检测报告“{where}”记载导出时{item.get('label', '')}"
                    f"检测未通过：{item.get('detail', '')}",
                    "report_failed",
                )
            )
    return problems
