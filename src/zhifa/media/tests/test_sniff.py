"""A file must be what its name says (REC-05, REC-11): the first bytes decide."""

import pytest
from django.utils import timezone

from zhifa.core.errors import InvalidInput
from zhifa.ledger.models import StoredFile
from zhifa.media import services, sniff
from zhifa.media.models import MediaItem
from zhifa.media.testing import sample_audio, sample_photo, sample_video

pytestmark = pytest.mark.req("REC-05")

HEADS = {
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "isobmff": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00",
    "quicktime": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00",
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm",
    "mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "mp3_frame": b"\xff\xfb\x90\x64\x00",
    "wav": b"RIFF\x24\x08\x00\x00WAVEfmt ",
    "amr": b"#!AMR\n\x3c",
}


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("a.jpg", "jpeg"),
        ("a.JPEG", "jpeg"),
        ("a.png", "png"),
        ("a.mp4", "isobmff"),
        ("a.mov", "quicktime"),
        ("a.m4a", "isobmff"),
        ("a.webm", "webm"),
        ("a.mp3", "mp3"),
        ("a.mp3", "mp3_frame"),
        ("a.wav", "wav"),
        ("a.amr", "amr"),
    ],
)
def test_what_agrees_with_its_name(name, head):
    assert sniff.mismatch(name, HEADS[head]) is None


@pytest.mark.parametrize(
    ("name", "head", "said"),
    [
        ("a.mp4", b"\xff\xd8\xff\xe0", "JPEG 图片"),
        ("a.jpg", b"%PDF-1.7", "PDF 文档"),
        ("a.mp3", b"MZ\x90\x00", "可执行程序"),
        ("a.wav", b"PK\x03\x04", "ZIP"),
        ("a.png", b"hello world", "无法识别"),
        ("a.mp4", HEADS["wav"], "WAV"),
    ],
)
def test_what_does_not(name, head, said):
    problem = sniff.mismatch(name, head)
    assert problem and said in problem and "扩展名" in problem


def test_an_extension_not_accepted():
    assert "不支持" in sniff.mismatch("a.exe", b"MZ")
    assert "不支持" in sniff.mismatch("无扩展名", b"\xff\xd8\xff")


def test_the_sample_files_are_what_they_say():
    for path in (sample_video(), sample_audio(), sample_photo()):
        assert sniff.mismatch(path.name, path.read_bytes()[:64]) is None


def test_a_damaged_recording_is_refused_and_nothing_kept(team, case):
    # The right first bytes, but no playable content.
    data = sample_video().read_bytes()[:40] + b"\0" * 4000
    session = services.upload_begin(
        actor=team.lead,
        case=case,
        filename="现场.mp4",
        size=len(data),
        captured_at=timezone.now(),
        place="现场",
        author="执法员1",
        production_method="执法记录仪",
        proves="现场",
    )
    services.part_path(session).write_bytes(data)
    before = StoredFile.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.upload_complete(actor=team.lead, session=session)
    assert refused.value.code == "media_unreadable" and "无法读取" in refused.value.message
    assert StoredFile.objects.count() == before and not MediaItem.objects.exists()
    assert not services.part_path(session).exists()


def test_a_video_without_pictures_is_refused(team, case, tmp_path):
    # An MP4 holding only sound, named as a video.
    import subprocess

    sound = tmp_path / "sound.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1",
            "-c:a",
            "aac",
            str(sound),
        ],
        check=True,
    )
    with open(sound, "rb") as stream, pytest.raises(InvalidInput) as refused:
        services.media_add(
            actor=team.lead,
            case=case,
            stream=stream,
            filename="现场.mp4",
            captured_at=timezone.now(),
            place="现场",
            author="执法员1",
            production_method="录制",
            proves="现场",
        )
    assert refused.value.code == "no_video_stream"
