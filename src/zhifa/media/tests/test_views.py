"""The workbench doors of audio-video records: upload form, player, streamed
file with byte ranges (REC-05), and every opening in the ledger (REC-12)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.cases.timeline import panels, timeline
from zhifa.ledger.models import LedgerEntry, StoredFile
from zhifa.ledger.selectors import entries_for
from zhifa.media import views
from zhifa.media.models import MediaItem
from zhifa.media.testing import attach, sample_audio, sample_photo, sample_video

pytestmark = pytest.mark.req("REC-05")


@pytest.fixture
def item(team, case):
    return attach(team, case)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.req("REC-12")
def test_each_opening_is_in_the_ledger(client_for, team, case, item):
    data = sample_video().read_bytes()
    url = reverse("media:file", args=[item.pk])
    client = client_for(team.reviewer)  # sees the case without handling it
    response = client.get(url)
    assert response.status_code == 200 and body(response) == data
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Type"] == "video/mp4" and response["Accept-Ranges"] == "bytes"
    response = client.get(url + "?download=1")
    assert "attachment" in response["Content-Disposition"]
    assert body(response) == data
    views_logged = entries_for(item).filter(action="media.view")
    assert [(e.actor_id, e.payload["part"]) for e in views_logged] == [
        (team.reviewer.pk, "view"),
        (team.reviewer.pk, "download"),
    ]
    assert views_logged[0].payload["sha256"] == item.file.sha256


def test_a_range_request_streams_part_of_the_file(client_for, team, case, item):
    data = sample_video().read_bytes()
    url = reverse("media:file", args=[item.pk])
    client = client_for(team.lead)
    response = client.get(url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert response["Content-Length"] == "100" and body(response) == data[100:200]
    response = client.get(url, HTTP_RANGE="bytes=-10")
    assert response.status_code == 206 and body(response) == data[-10:]
    response = client.get(url, HTTP_RANGE=f"bytes={len(data) - 5}-")
    assert body(response) == data[-5:]
    response = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(data)}"
    # A player starts at byte 0 (one viewing); its seeks are part of that viewing.
    response = client.get(url, HTTP_RANGE="bytes=0-")
    assert response.status_code == 206 and body(response) == data
    assert entries_for(item).filter(action="media.view").count() == 1


@pytest.mark.req("REC-12")
def test_only_those_who_see_the_case_open_its_recordings(client_for, build, county, item):
    other = build.officer(county.safety, roles=(Role.LEADER,), credential=False)
    client = client_for(other.user)
    before = LedgerEntry.objects.count()
    for name in ("media:file", "media:detail", "media:poster"):
        assert client.get(reverse(name, args=[item.pk])).status_code == 404
    assert LedgerEntry.objects.count() == before
    client.logout()
    assert client.get(reverse("media:file", args=[item.pk])).status_code == 302  # to login


def test_the_poster_is_a_jpeg_and_not_a_viewing(client_for, team, item):
    response = client_for(team.lead).get(reverse("media:poster", args=[item.pk]))
    assert response.status_code == 200 and body(response).startswith(b"\xff\xd8\xff")
    assert not entries_for(item).filter(action="media.view").exists()


def test_the_player_page(client_for, team, case, item):
    audio = attach(team, case, path=sample_audio(), transcript="录音文字记录：问……答……")
    photo = attach(team, case, path=sample_photo(), is_continuous=False)
    client = client_for(team.lead)
    page = client.get(reverse("media:detail", args=[item.pk])).content.decode()
    assert "<video" in page and reverse("media:file", args=[item.pk]) in page
    assert reverse("media:poster", args=[item.pk]) in page and item.file.sha256 in page
    assert "0:01" in page and "执法记录仪现场录制" in page
    page = client.get(reverse("media:detail", args=[audio.pk])).content.decode()
    assert "<audio" in page and "录音文字记录" in page
    page = client.get(reverse("media:detail", args=[photo.pk])).content.decode()
    assert "<img" in page
    # Rendering the page is not a viewing; the player's request for the file is.
    assert not LedgerEntry.objects.filter(action="media.view").exists()


def test_the_case_list_and_its_export(client_for, team, case, item):
    client = client_for(team.lead)
    url = reverse("media:case-list", args=[case.pk])
    page = client.get(url).content.decode()
    assert item.filename in page and "上传音像记录" in page
    response = client.get(url + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    page = client_for(team.reviewer).get(url).content.decode()
    assert item.filename in page and "上传音像记录" not in page


def test_the_form_uploads_a_photo(client_for, team, case):
    client = client_for(team.lead)
    url = reverse("media:upload", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and "media/upload.js" in page
    with open(sample_photo(), "rb") as f:
        response = client.post(url, form_data(f, filename="现场照片.jpg", is_continuous=""))
    item = MediaItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("media:detail", args=[item.pk])
    assert item.kind == "photo" and item.filename == "现场照片.jpg"


def form_data(f, *, filename=None, **overrides):
    import io

    data = f.read()
    upload = io.BytesIO(data)
    upload.name = filename or f.name
    values = {
        "file": upload,
        "captured_at": (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "place": "示范县城关镇",
        "author": "执法员1",
        "device": "JLY-001",
        "is_continuous": "on",
        "interruption": "none",
        "production_method": "执法记录仪现场录制",
        "proves": "现场情况",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v != ""}


def test_a_large_form_upload_is_spooled_to_disk(client_for, team, case, monkeypatch, tmp_path):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert "django.core.files.uploadhandler.TemporaryFileUploadHandler" in (
        settings.FILE_UPLOAD_HANDLERS
    )
    seen = []
    original = views.services.media_add

    def spy(**kw):
        seen.append(type(kw["stream"]))
        return original(**kw)

    monkeypatch.setattr(views.services, "media_add", spy)
    big = tmp_path / "big.mp4"
    big.write_bytes(sample_video().read_bytes() + b"\0" * (3 * 1024 * 1024))
    with open(big, "rb") as f:
        response = client_for(team.lead).post(
            reverse("media:upload", args=[case.pk]), form_data(f, filename="大文件.mp4")
        )
    assert response.status_code == 302
    assert seen == [TemporaryUploadedFile]
    assert MediaItem.objects.get().file.size == big.stat().st_size


def test_the_form_refuses_a_disguised_file_and_keeps_nothing(client_for, team, case):
    before = StoredFile.objects.count()
    with open(sample_photo(), "rb") as f:
        response = client_for(team.lead).post(
            reverse("media:upload", args=[case.pk]), form_data(f, filename="录像.mp4")
        )
    assert response.status_code == 200
    assert "类型与扩展名不符" in response.content.decode()
    assert not MediaItem.objects.exists() and StoredFile.objects.count() == before


def test_the_form_is_for_handling_officers_only(client_for, team, case):
    assert client_for(team.reviewer).get(reverse("media:upload", args=[case.pk])).status_code == 403


def test_the_case_page_panel_and_timeline(team, case):
    from zhifa.cases.testing import add

    add(team, case, "filing_approval")
    late = attach(team, case, captured_at=timezone.now() - timedelta(days=10))
    add(team, case, "inspection_start")
    request = RequestFactory().get("/")
    request.user = team.lead
    html = "".join(panels(request, case))
    assert "上传音像记录" in html and late.filename in html
    assert "监督检查登记" in html and "尚未附照片或录像" in html
    assert "逾期存储" in html and reverse("media:poster", args=[late.pk]) in html
    entries = [e for e in timeline(case) if e.kind == "media"]
    assert [e.obj.pk for e in entries] == [late.pk]
    assert entries[0].flags and entries[0].flags[0].startswith("逾期存储 ")
    assert entries[0].obj.thumbnail_url and "时长 0:01" in entries[0].detail
