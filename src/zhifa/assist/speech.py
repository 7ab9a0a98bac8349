"""Speech recognition of audio and video records (REC-05 text record, INF-04).

A ``Recogniser`` turns 16 kHz mono audio into timestamped ``Segment``s. Two
backends, chosen by ``ZHIFA_SPEECH_BACKEND``:

- ``whisper``: faster-whisper (CTranslate2) over the multilingual Whisper model
  assembled from its PyPI packages (``zhifa.assist.speechmodel``), on the CPU
  in int8 (float16 on ``cuda``), Mandarin, with faster-whisper's own Silero VAD
  (``assets/silero_vad_v6.onnx``, shipped inside the faster-whisper wheel) to
  skip silence. Nothing is downloaded: the model is a local directory.
- ``test``: deterministic and instant, for the test suite — one segment per
  five seconds of audio that is not silent, reading ``测试转写 第N段``.

``transcribe_file`` extracts the audio track with ffmpeg into a 16 kHz mono
WAV (about 115 MB for an hour, on disk) and feeds it to the recogniser
``ZHIFA_SPEECH_CHUNK_SECONDS`` at a time, cutting each chunk in the quietest
moment of its last seconds so that words are not split: memory stays bounded
whatever the length of the recording.
"""

from __future__ import annotations

import subprocess
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings

SAMPLE_RATE = 16_000
# A chunk is cut in the quietest 0.1 s window of its last this many seconds.
CUT_SEARCH_SECONDS = 10
TEST_WINDOW_SECONDS = 5.0
SILENCE_RMS = 0.01


class SpeechError(RuntimeError):
    """The audio could not be read or recognised; the message is shown to the user."""


class Stopped(Exception):
    """The caller asked to stop (the job was cancelled)."""


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the recording
    end: float
    text: str


class Recogniser(Protocol):
    name: str  # what made the transcript, kept with it (for example "faster-whisper base int8")

    def transcribe(self, audio: np.ndarray, *, offset: float = 0.0) -> Iterator[Segment]:
        """Segments of ``audio`` (float32, 16 kHz mono), times shifted by ``offset``."""
        ...


class TestRecogniser:
    """Deterministic stand-in: one segment per non-silent five-second window."""

    name = "test"
    __test__ = False  # not a pytest class, whatever its name

    def transcribe(self, audio: np.ndarray, *, offset: float = 0.0) -> Iterator[Segment]:
        window = int(TEST_WINDOW_SECONDS * SAMPLE_RATE)
        for first in range(0, len(audio), window):
            piece = audio[first : first + window]
            if not len(piece) or float(np.sqrt(np.mean(piece**2))) < SILENCE_RMS:
                continue
            start = offset + first / SAMPLE_RATE
            n = int(start // TEST_WINDOW_SECONDS) + 1
            yield Segment(
                round(start, 2), round(start + len(piece) / SAMPLE_RATE, 2), f"测试转写 第{n}段"
            )


def simplifier() -> Callable[[str], str]:
    """Traditional to simplified characters (OpenCC ``t2s``): Whisper writes Mandarin
    in either, as it likes (a prompt asking for simplified makes it hallucinate the
    prompt on robotic speech), and records here are in simplified characters."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - a dependency of the project
        return lambda text: text
    return opencc.OpenCC("t2s").convert


def vad_model_path() -> Path:
    """The Silero VAD model that faster-whisper ships inside its wheel."""
    from faster_whisper.utils import get_assets_path

    return Path(get_assets_path()) / "silero_vad_v6.onnx"


class WhisperRecogniser:
    """faster-whisper over a local model directory (no download, ever)."""

    _models: dict[tuple, object] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        size: str | None = None,
        device: str | None = None,
        threads: int | None = None,
        language: str | None = None,
    ) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise SpeechError("未安装 faster-whisper，无法进行语音识别。") from exc
        from zhifa.assist import speechmodel

        self.size = size or settings.ZHIFA_SPEECH_MODEL_SIZE
        try:
            directory = Path(model_dir) if model_dir else speechmodel.ensure(self.size)
        except speechmodel.ModelMissing as exc:
            raise SpeechError(str(exc)) from exc
        if not vad_model_path().is_file():
            raise SpeechError("faster-whisper 未附带 Silero VAD 模型，无法跳过静音段。")
        self.device = device or settings.ZHIFA_SPEECH_DEVICE
        self.compute_type = "int8" if self.device == "cpu" else "float16"
        self.language = language or settings.ZHIFA_SPEECH_LANGUAGE
        threads = threads or settings.ZHIFA_SPEECH_THREADS
        key = (str(directory), self.device, self.compute_type, threads)
        with self._lock:  # one loaded model per process and configuration
            if key not in self._models:
                self._models[key] = WhisperModel(
                    str(directory),
                    device=self.device,
                    compute_type=self.compute_type,
                    cpu_threads=threads,
                    local_files_only=True,
                )
        self.model = self._models[key]
        self.name = f"faster-whisper {self.size} {self.compute_type}"
        self.simplify = simplifier() if self.language == "zh" else (lambda text: text)

    def transcribe(self, audio: np.ndarray, *, offset: float = 0.0) -> Iterator[Segment]:
        segments, _info = self.model.transcribe(
            audio,
            language=self.language,
            task="transcribe",
            beam_size=5,
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": 500},
            condition_on_previous_text=False,
        )
        for s in segments:  # a generator: decoding happens as it is read
            text = self.simplify(s.text.strip())
            if text:
                yield Segment(round(offset + s.start, 2), round(offset + s.end, 2), text)


def recogniser(backend: str | None = None) -> Recogniser:
    backend = backend or settings.ZHIFA_SPEECH_BACKEND
    if backend == "test":
        return TestRecogniser()
    if backend == "whisper":
        return WhisperRecogniser()
    raise SpeechError(f"未知的语音识别方式：{backend}（只能是 whisper 或 test）。")


# --- Audio ---------------------------------------------------------------------------


def extract_audio(source: Path, target: Path, *, timeout: int | None = None) -> float:
    """Write the first audio track of ``source`` as 16 kHz mono 16-bit WAV to
    ``target``; return its length in seconds. ffmpeg streams, whatever the size."""
    command = [
        "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source),
        "-vn", "-sn", "-dn", "-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE),
        "-c:a", "pcm_s16le", "-f", "wav", str(target),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise SpeechError("未安装 ffmpeg（scripts/system-deps.sh 会安装），无法提取音频。") from exc
    except subprocess.TimeoutExpired as exc:
        raise SpeechError("提取音频超时。") from exc
    if done.returncode != 0 or not target.is_file():
        stderr = done.stderr.decode("utf-8", "replace").strip()
        if "matches no streams" in stderr:
            raise SpeechError("该文件没有音轨，无法转写。")
        detail = stderr.splitlines()[-1:] or [""]
        raise SpeechError(f"无法从该文件提取音频：{detail[0][:200]}")
    with wave.open(str(target), "rb") as w:
        return w.getnframes() / w.getframerate()


def _quietest_cut(audio: np.ndarray) -> int:
    """Where to end a chunk: the quietest 0.1 s window of its last seconds."""
    step = SAMPLE_RATE // 10
    search = min(len(audio), CUT_SEARCH_SECONDS * SAMPLE_RATE)
    tail = audio[len(audio) - search :]
    windows = len(tail) // step
    if windows < 2:
        return len(audio)
    energy = (tail[: windows * step].reshape(windows, step) ** 2).mean(axis=1)
    quietest = int(np.argmin(energy[1:])) + 1  # never cut at the very start of the tail
    return len(audio) - search + quietest * step + step // 2


def wav_chunks(path: Path, *, seconds: int) -> Iterator[tuple[float, np.ndarray]]:
    """``(offset_seconds, float32 samples)`` of a 16 kHz mono WAV, about ``seconds``
    at a time; only one chunk (and a tail of the next) is in memory."""
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SpeechError("音频格式应为 16 kHz 单声道 16 位。")
        size = max(int(seconds * SAMPLE_RATE), SAMPLE_RATE)
        carry = np.zeros(0, dtype=np.float32)
        position = 0  # samples handed out so far
        while True:
            raw = w.readframes(size - len(carry))
            fresh = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
            audio = np.concatenate([carry, fresh]) if len(carry) else fresh
            if not len(audio):
                return
            last = len(raw) < (size - len(carry)) * 2
            cut = len(audio) if last else _quietest_cut(audio)
            yield position / SAMPLE_RATE, audio[:cut]
            position += cut
            carry = audio[cut:].copy()
            if last:
                if len(carry):  # pragma: no cover - the last chunk is taken whole
                    yield position / SAMPLE_RATE, carry
                return


Progress = Callable[[float, float], None]  # (seconds done, seconds in all); may raise Stopped


def transcribe_wav(
    path: Path,
    *,
    recogniser: Recogniser,
    progress: Progress | None = None,
    chunk_seconds: int | None = None,
) -> Iterator[Segment]:
    """The segments of a 16 kHz mono WAV, chunk by chunk, reporting progress."""
    with wave.open(str(path), "rb") as w:
        total = w.getnframes() / SAMPLE_RATE
    seconds = chunk_seconds or settings.ZHIFA_SPEECH_CHUNK_SECONDS
    for offset, audio in wav_chunks(path, seconds=seconds):
        for segment in recogniser.transcribe(audio, offset=offset):
            yield segment
            if progress:
                progress(min(segment.end, total), total)
        if progress:
            progress(min(offset + len(audio) / SAMPLE_RATE, total), total)


def transcribe_file(
    source: Path,
    *,
    workdir: Path,
    recogniser: Recogniser,
    progress: Progress | None = None,
    chunk_seconds: int | None = None,
) -> Iterator[Segment]:
    """Extract the audio of ``source`` (audio or video) into ``workdir`` and transcribe it."""
    wav = Path(workdir) / "audio.wav"
    extract_audio(source, wav)
    try:
        yield from transcribe_wav(
            wav, recogniser=recogniser, progress=progress, chunk_seconds=chunk_seconds
        )
    finally:
        wav.unlink(missing_ok=True)
