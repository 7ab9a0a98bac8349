"""Test kit for audio-video records: a small real video, made once per test
process with ffmpeg, and ``@step`` functions that attach it to every record
that needs one, so that ``cases.testing.advance_to`` passes the media rule."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.rules import STAGE_ORDER, facts
from zhifa.cases.testing import Team, step
from zhifa.media import services
from zhifa.media.models import MediaItem
from zhifa.media.rules import missing_media


def _make(name: str, args: list[str]) -> Path:
    directory = _directory()
    path = directory / name
    if not path.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin", "-y", *args, str(path)],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return path


@cache
def _directory() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="zhifa-media-kit-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@cache
def sample_video() -> Path:
    """A one-second 160×120 H.264 MP4 (five frames of ffmpeg's test pattern)."""
    return _make(
        "sample.mp4",
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=160x120:rate=5",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ],
    )


@cache
def sample_audio() -> Path:
    """A one-second sine tone as MP3."""
    return _make("sample.mp3", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"])


@cache
def sample_photo() -> Path:
    """One 160×120 JPEG frame of the test pattern."""
    return _make(
        "sample.jpg", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=1", "-frames:v", "1"]
    )


def meta(**overrides) -> dict:
    """What describes a recording, complete and valid; override what a test varies."""
    values = {
        "captured_at": timezone.now() - timedelta(minutes=1),
        "place": "示范县城关镇好味食品店",
        "author": "执法员1",
        "device": "JLY-001",
        "is_continuous": True,
        "production_method": "执法记录仪现场录制，原始文件导出，未经剪辑",
        "proves": "现场检查过程及发现的过期食品",
    }
    values.update(overrides)
    return values


def attach(t: Team, case: Case, *, record=None, path: Path | None = None, filename=None, **kw):
    """Store a sample file (the video by default) for ``case`` as its lead officer."""
    path = path or sample_video()
    when = kw.pop("captured_at", None) or (
        record.occurred_at if record is not None else timezone.now() - timedelta(minutes=1)
    )
    with open(path, "rb") as stream:
        return services.media_add(
            actor=kw.pop("actor", t.lead),
            case=case,
            stream=stream,
            filename=filename or f"现场记录{path.suffix}",
            record=record,
            **meta(captured_at=when, **kw),
        )


def attach_needed(t: Team, case: Case) -> list[MediaItem]:
    """A continuous video for every record that still lacks its recording."""
    return [attach(t, case, record=record) for record, _mode in missing_media(facts(case))]


for _stage in STAGE_ORDER[1:]:
    step(_stage)(attach_needed)
