"""ffprobe and ffmpeg: how long a recording is, and one frame of a video as
its poster (封面帧).

Both run as separate processes on the file on disk, so a large video is never
read into this process. A file ffprobe cannot read is refused: a damaged or
disguised recording would otherwise be accepted as evidence no one can play.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zhifa.core.errors import InvalidInput

PROBE_TIMEOUT_S = 120
POSTER_WIDTH = 480


@dataclass(frozen=True)
class Probe:
    duration_seconds: float | None
    has_video: bool
    has_audio: bool


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"未安装 {name}：请运行 scripts/system-deps.sh 安装 ffmpeg。")
    return path


def probe(path: Path, *, label: str) -> Probe:
    """Read the streams and duration of the audio or video at ``path``."""
    try:
        done = subprocess.run(
            [
                _tool("ffprobe"),
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                str(path),
            ],
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InvalidInput(f"无法读取“{label}”：分析超时，文件可能已损坏。") from None
    info = {}
    if done.returncode == 0:
        try:
            info = json.loads(done.stdout or b"{}")
        except ValueError:
            info = {}
    streams = info.get("streams") or []
    if done.returncode != 0 or not streams:
        raise InvalidInput(
            f"无法读取“{label}”中的音视频内容，文件可能已损坏或不完整，未保存。",
            code="media_unreadable",
        )
    kinds = {s.get("codec_type") for s in streams}
    # A cover image inside an audio file is a "video" stream with this flag.
    pictures = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    duration = _seconds((info.get("format") or {}).get("duration"))
    if duration is None:
        duration = max((d for s in streams if (d := _seconds(s.get("duration")))), default=None)
    return Probe(duration, bool(pictures), "audio" in kinds)


def _seconds(value) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return round(seconds, 3) if seconds >= 0 else None


def poster(path: Path, *, duration: float | None) -> bytes | None:
    """A JPEG of one frame, taken a little into the video (the very first frame
    is often black); ``None`` when ffmpeg cannot make one."""
    at = min(1.0, duration / 2) if duration else 0.0
    with tempfile.TemporaryDirectory(prefix="zhifa-poster-") as tmp:
        out = Path(tmp) / "poster.jpg"
        try:
            subprocess.run(
                [
                    _tool("ffmpeg"),
                    "-v",
                    "error",
                    "-nostdin",
                    "-ss",
                    f"{at:.3f}",
                    "-i",
                    str(path),
                    "-frames:v",
                    "1",
                    "-vf",
                    f"scale='min({POSTER_WIDTH},iw)':-2",
                    "-q:v",
                    "4",
                    "-f",
                    "image2",
                    str(out),
                ],
                capture_output=True,
                timeout=PROBE_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        if not out.exists() or out.stat().st_size == 0:
            return None
        return out.read_bytes()
