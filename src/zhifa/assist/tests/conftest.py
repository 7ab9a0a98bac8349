import atexit
import shutil
import subprocess
import tempfile
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from zhifa.cases.testing import open_case
from zhifa.cases.testing import team as make_team
from zhifa.media.testing import attach, sample_audio


@pytest.fixture(autouse=True)
def _speech(settings, tmp_path):
    """The deterministic recogniser, and each test its own data directory."""
    settings.ZHIFA_SPEECH_BACKEND = "test"
    settings.DATA_DIR = tmp_path / "data"
    # BM25 alone unless a test asks for the hybrid: embedding every provision each time
    # the worker runs would cost each test tens of seconds on a CPU.
    settings.ZHIFA_ASSIST_RETRIEVAL = "bm25"


@pytest.fixture
def team(build, county):
    return make_team(build, county.market)


@pytest.fixture
def case(team):
    return open_case(team, started_on=date(2026, 9, 1))


@cache
def _directory() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="zhifa-assist-kit-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def _make(name: str, args: list[str]) -> Path:
    path = _directory() / name
    if not path.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin", "-y", *args, str(path)],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return path


@cache
def talking_video() -> Path:
    """A 12-second video with a sound track: 4 s of tone, 4 s of silence, 4 s of tone."""
    return _make(
        "talking.mp4",
        [
            "-f", "lavfi", "-i", "testsrc=duration=12:size=160x120:rate=5",
            "-f", "lavfi", "-i",
            "aevalsrc='if(between(t,4,8),0,0.3*sin(2*PI*440*t))':s=16000:d=12",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", "-movflags", "+faststart",
        ],
    )  # fmt: skip


@pytest.fixture
def audio(team, case):
    """A one-second tone, as the audio record of the case (with its typed summary)."""
    return attach(team, case, path=sample_audio(), filename="询问录音.mp3", transcript="询问摘要")


@pytest.fixture
def video(team, case):
    return attach(team, case, path=talking_video(), filename="现场执法.mp4")


@pytest.fixture
def photo(team, case):
    from zhifa.media.testing import sample_photo

    return attach(team, case, path=sample_photo(), filename="现场照片.jpg", is_continuous=False)


def has_espeak() -> bool:
    return shutil.which("espeak-ng") is not None
