"""Make the synthetic Mandarin clips of ``bench/speech-clips/`` (used by
``bench/speech.py`` and, one of them, by the real-model test of zhifa.assist).

espeak-ng 1.51's ``cmn-latn-pinyin`` voice reads tone-numbered pinyin as Mandarin
(its ``cmn`` voice reads Chinese characters as tone digits in English). The
characters are turned into pinyin with pypinyin, spoken at 130 words a minute
and stored as 16 kHz mono Opus (24 kbit/s). Needs ``apt-get install espeak-ng``
and ``pip install pypinyin``; the clips are committed, so neither is needed to
run the benchmark or the tests.

    .venv/bin/python bench/speech_clips.py
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

CLIPS_DIR = Path(__file__).resolve().parent / "speech-clips"

# Sentences an officer says or hears in an on-site inspection or an interview.
SENTENCES = [
    "执法人员对现场进行了检查。",
    "当事人销售过期食品三箱。",
    "我们是市场监督管理局的执法人员，这是我们的执法证件。",
    "请你如实回答问题，你有权进行陈述和申辩。",
    "现场发现的物品已经登记保存。",
    "本次询问全程录音录像。",
    "当事人对检查结果没有异议。",
    "依法对你作出罚款两千元的处罚。",
    "你可以在六十日内申请行政复议。",
    "请在笔录上签名确认。",
]


def pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    words = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    spoken = " ".join(words)
    spoken = re.sub(r"\s*[，、；]\s*", ", ", spoken)
    return re.sub(r"\s*[。！？]\s*", ". ", spoken).strip()


def make() -> None:
    CLIPS_DIR.mkdir(exist_ok=True)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, text in enumerate(SENTENCES, start=1):
            name = f"zh{n:02d}.ogg"
            wav = Path(tmp) / "clip.wav"
            subprocess.run(
                ["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "130", "-w", str(wav), pinyin(text)],
                check=True,
            )
            subprocess.run(
                ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(wav), "-ac", "1",
                 "-ar", "16000", "-c:a", "libopus", "-b:a", "24k", str(CLIPS_DIR / name)],
                check=True,
            )  # fmt: skip
            lines.append(f"{name}\t{text}")
    (CLIPS_DIR / "clips.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    make()
