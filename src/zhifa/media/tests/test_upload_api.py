"""REC-05: the resumable upload. Pieces are streamed to disk; a wrong piece is
refused with the offset to resume from; only a whole, checked file becomes a
MediaItem, stored in the evidence store with its ledger entry."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to
from zhifa.ledger.models import StoredFile
from zhifa.ledger.selectors import entries_for
from zhifa.media import services
from zhifa.media.models import MediaItem, UploadSession
from zhifa.media.testing import sample_audio, sample_photo, sample_video

pytestmark = pytest.mark.req("REC-05")

LIST = "/api/v1/media-uploads/"


def declaration(case, data: bytes, **overrides) -> dict:
    body = {
        "case": case.pk,
        "filename": "现场检查.mp4",
        "size": len(data),
        "captured_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
        "place": "示范县城关镇好味食品店",
        "author": "执法员1",
        "device": "JLY-001",
        "is_continuous": True,
        "production_method": "执法记录仪现场录制，原始文件导出",
        "proves": "现场检查过程",
    }
    body.update(overrides)
    return body


def begin(client, case, data: bytes, **overrides):
    return client.post(
        LIST, json.dumps(declaration(case, data, **overrides)), content_type="application/json"
    )


def put(client, url: str, piece: bytes, start: int, total: int, **headers):
    return client.put(
        url,
        piece,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {start}-{start + len(piece) - 1}/{total}",
        **headers,
    )


def upload_all(client, url: str, data: bytes, piece: int):
    for start in range(0, len(data), piece):
        response = put(client, url, data[start : start + piece], start, len(data))
        assert response.status_code == 200, response.content.decode()
        assert response.json()["offset"] == min(start + piece, len(data))


@pytest.fixture
def video() -> bytes:
    # Padded past Django's in-memory body limit (2.5 MB): a piece of it would
    # fail with RequestDataTooBig if anything buffered the body via request.body.
    return sample_video().read_bytes() + b"\0" * (3 * 1024 * 1024)


def test_a_file_in_pieces_becomes_an_item_with_duration_and_poster(
    client_for, team, case, video, settings
):
    client = client_for(team.lead)
    response = begin(client, case, video)
    assert response.status_code == 201, response.content.decode()
    session = response.json()
    assert session["offset"] == 0
    url = f"{LIST}{session['id']}/"
    upload_all(client, url, video, piece=len(video) - 1000)  # 3 MiB, then 1,000 bytes
    assert client.get(url).json()["offset"] == len(video)

    response = client.post(url + "complete/")
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    item = MediaItem.objects.get(pk=body["id"])
    assert item.kind == "video" and item.filename == "现场检查.mp4" and item.is_continuous
    assert item.file.size == len(video) and body["sha256"] == item.file.sha256
    assert item.duration_seconds == pytest.approx(1.0, abs=0.05)
    assert item.poster.content_type == "image/jpeg"
    assert not item.is_late
    entry = entries_for(item).get(action="media.add")
    assert entry.actor_id == team.lead.pk and entry.payload["sha256"] == item.file.sha256
    assert entry.agency_id == case.agency_id
    # The session and its temporary file are gone.
    assert not UploadSession.objects.exists()
    assert list((settings.DATA_DIR / "uploads").glob("*.part")) == []
    assert client.get(url).status_code == 404


def test_a_piece_at_the_wrong_offset_is_refused_and_the_upload_resumes(
    client_for, team, case, video
):
    client = client_for(team.lead)
    session_id = begin(client, case, video).json()["id"]
    url = f"{LIST}{session_id}/"
    assert put(client, url, video[:1000], 0, len(video)).status_code == 200

    # A retry of the piece already received, and a piece that skips ahead.
    for start in (0, 5000):
        response = put(client, url, video[start : start + 1000], start, len(video))
        assert response.status_code == 409
        assert response.json()["code"] == "wrong_offset"
        assert response.json()["offset"] == 1000
        assert "1000" in response.json()["detail"]

    # The connection breaks in the middle of a piece: what arrived is kept.
    session = UploadSession.objects.get(pk=session_id)
    with pytest.raises(services.UploadOffsetError) as broken:
        services.upload_append(
            actor=team.lead,
            session=session,
            start=1000,
            length=4000,
            total=len(video),
            stream=io.BytesIO(video[1000:2500]),  # only 1,500 of the 4,000 bytes
        )
    assert broken.value.offset == 2500 and broken.value.code == "incomplete_chunk"
    assert client.get(url).json()["offset"] == 2500

    # Completing early is refused with the offset, and nothing is stored.
    response = client.post(url + "complete/")
    assert response.status_code == 409 and response.json()["offset"] == 2500
    assert not MediaItem.objects.exists()

    rest = video[2500:]
    for start in range(0, len(rest), 1024 * 1024):
        piece = rest[start : start + 1024 * 1024]
        assert put(client, url, piece, 2500 + start, len(video)).status_code == 200
    response = client.post(url + "complete/")
    assert response.status_code == 201, response.content.decode()
    assert MediaItem.objects.get().file.size == len(video)


def test_a_piece_beyond_the_declared_size_is_refused(client_for, team, case, video):
    client = client_for(team.lead)
    url = f"{LIST}{begin(client, case, video).json()['id']}/"
    size = len(video)
    response = put(client, url, video[:1000] + b"x" * 10, 0, size)  # fine: inside
    assert response.status_code == 200
    response = client.put(
        url,
        b"x" * 100,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {size - 50}-{size + 49}/{size}",
    )
    assert response.status_code == 400 and response.json()["code"] == "beyond_size"
    response = put(client, url, b"x" * 10, 1010, size + 1)
    assert response.status_code == 400 and response.json()["code"] == "size_mismatch"
    response = client.put(url, b"x" * 10, content_type="application/octet-stream")
    assert response.status_code == 400 and response.json()["code"] == "content_range_required"
    assert client.get(url).json()["offset"] == 1010


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(
    client_for, team, case
):
    client = client_for(team.lead)
    photo = sample_photo().read_bytes()
    stored_before = StoredFile.objects.count()
    session_id = begin(client, case, photo, filename="现场检查.mp4").json()["id"]
    response = put(client, f"{LIST}{session_id}/", photo, 0, len(photo))
    assert response.status_code == 400
    assert response.json()["code"] == "type_mismatch"
    assert "扩展名" in response.json()["detail"] and "JPEG" in response.json()["detail"]
    assert client.get(f"{LIST}{session_id}/").status_code == 404
    assert not MediaItem.objects.exists()
    assert StoredFile.objects.count() == stored_before


def test_a_mismatch_found_at_completion_also_keeps_nothing(team, case):
    # Pieces written through the service in a way that skips the first-piece check
    # cannot happen through the API; completion checks the bytes again anyway.
    data = b"%PDF-1.7\n" + b"x" * 200
    session = services.upload_begin(
        actor=team.lead,
        case=case,
        filename="录音.mp3",
        size=len(data),
        captured_at=timezone.now(),
        place="询问室",
        author="执法员1",
        production_method="录音笔录制",
        proves="询问过程",
        transcript="问：……答：……",
    )
    services.part_path(session).write_bytes(data)
    stored_before = StoredFile.objects.count()
    with pytest.raises(services.InvalidInput) as refused:
        services.upload_complete(actor=team.lead, session=session)
    assert refused.value.code == "type_mismatch" and "PDF" in refused.value.message
    assert not UploadSession.objects.exists() and not services.part_path(session).exists()
    assert StoredFile.objects.count() == stored_before and not MediaItem.objects.exists()


def test_what_an_upload_must_say_is_checked_before_any_byte_arrives(client_for, team, case):
    client = client_for(team.lead)
    cases = [
        ({"filename": "说明.pdf"}, "unsupported_type"),
        ({"filename": "询问.mp3"}, "transcript_required"),
        ({"interruption": "resumed"}, "interruption_reason_required"),
        ({"interruption": "resumed", "is_continuous": False, "interruption_reason": "没电"}, None),
        ({"filename": "照片.jpg", "is_continuous": True}, "photo_not_continuous"),
        ({"proves": ""}, "proves_required"),
        ({"captured_at": (timezone.now() + timedelta(days=1)).isoformat()}, "time_in_future"),
        ({"kind": "audio"}, "kind_mismatch"),
    ]
    for overrides, code in cases:
        response = begin(client, case, b"x" * 10, **overrides)
        assert response.status_code == 400, overrides
        if code:
            assert response.json()["code"] == code, (overrides, response.json())
    assert not UploadSession.objects.exists()


def test_audio_with_its_text_record_and_a_photo(client_for, team, case):
    client = client_for(team.lead)
    audio = sample_audio().read_bytes()
    response = begin(
        client,
        case,
        audio,
        filename="询问录音.mp3",
        transcript="问：你是否知道销售的食品已过期？答：不知道。",
        interruption="resumed",
        interruption_reason="电量不足更换电池，约两分钟后恢复录音",
    )
    url = f"{LIST}{response.json()['id']}/"
    upload_all(client, url, audio, piece=4096)
    item = MediaItem.objects.get(pk=client.post(url + "complete/").json()["id"])
    assert item.kind == "audio" and item.transcript.startswith("问：")
    assert item.duration_seconds == pytest.approx(1.0, abs=0.1) and item.poster is None
    assert item.interruption == "resumed"

    photo = sample_photo().read_bytes()
    response = begin(client, case, photo, filename="公告张贴.jpg", is_continuous=False)
    url = f"{LIST}{response.json()['id']}/"
    upload_all(client, url, photo, piece=len(photo))
    item = MediaItem.objects.get(pk=client.post(url + "complete/").json()["id"])
    assert item.kind == "photo" and item.duration_seconds is None and item.poster is None


def test_who_may_upload(client_for, build, county, team, case, video):
    # Another agency's officer does not see the case at all.
    other = build.officer(county.safety)
    client = client_for(other.user)
    response = begin(client, case, video)
    assert response.status_code == 400 and "case" in response.json()
    # The agency's legal reviewer sees the case but does not handle it.
    client = client_for(team.reviewer)
    response = begin(client, case, video)
    assert response.status_code == 403 and response.json()["code"] == "not_a_handler"
    # Another handling officer may not write to the lead's upload.
    url = f"{LIST}{begin(client_for(team.lead), case, video).json()['id']}/"
    client = client_for(team.officers[1].user)
    assert client.get(url).status_code == 404
    assert put(client, url, video[:100], 0, len(video)).status_code == 404
    assert client.post(url + "complete/").status_code == 404
    assert client.delete(url).status_code == 404
    assert not MediaItem.objects.exists()


def test_nothing_may_be_uploaded_to_a_closed_case(client_for, team, case, video):
    client = client_for(team.lead)
    url = f"{LIST}{begin(client, case, video).json()['id']}/"
    upload_all(client, url, video, piece=len(video))
    advance_to(team, case, Stage.CLOSED)
    response = client.post(url + "complete/")
    assert response.status_code == 409 and response.json()["code"] == "case_closed"
    response = begin(client, case, video)
    assert response.status_code == 409 and response.json()["code"] == "case_closed"
    before = MediaItem.objects.count()
    with open(sample_video(), "rb") as stream, pytest.raises(services.Conflict):
        services.media_add(
            actor=team.lead,
            case=case,
            stream=stream,
            filename="补充.mp4",
            captured_at=timezone.now(),
            place="现场",
            author="执法员1",
            production_method="录制",
            proves="现场",
        )
    assert MediaItem.objects.count() == before


def test_a_record_of_another_case_cannot_be_named(client_for, team, case, video):
    from zhifa.cases.testing import open_case

    other_case = open_case(team, title="另一案件")
    record = add(team, other_case, "filing_approval")
    response = begin(client_for(team.lead), case, video, record=record.pk)
    assert response.status_code == 400 and "record" in response.json()


def test_an_upload_can_be_cancelled_and_idle_ones_are_purged(
    client_for, team, case, video, settings
):
    from django.core.management import call_command

    client = client_for(team.lead)
    first = f"{LIST}{begin(client, case, video).json()['id']}/"
    assert put(client, first, video[:100], 0, len(video)).status_code == 200
    assert client.delete(first).status_code == 204
    assert client.get(first).status_code == 404

    idle = begin(client, case, video).json()["id"]
    fresh = begin(client, case, video).json()["id"]
    UploadSession.objects.filter(pk=idle).update(updated_at=timezone.now() - timedelta(days=2))
    out = io.StringIO()
    call_command("media", "purge-uploads", stdout=out)
    assert "1 个" in out.getvalue()
    assert list(UploadSession.objects.values_list("pk", flat=True)) == [
        UploadSession.objects.get(pk=fresh).pk
    ]
    assert sorted(p.stem for p in (settings.DATA_DIR / "uploads").glob("*.part")) == [fresh]


def test_the_api_lists_items_only_to_those_who_see_the_case(client_for, build, county, team, case):
    from zhifa.media.testing import attach

    item = attach(team, case)
    assert reverse("api:media-detail", args=[item.pk]) == f"/api/v1/media/{item.pk}/"
    body = client_for(team.reviewer).get(f"/api/v1/media/?case={case.pk}").json()
    assert [row["id"] for row in body["results"]] == [item.pk]
    assert body["results"][0]["file_url"].endswith(f"/workbench/media/{item.pk}/file")
    other = build.officer(county.safety, roles=(Role.LEADER,), credential=False)
    client = client_for(other.user)
    assert client.get(f"/api/v1/media/{item.pk}/").status_code == 404
    assert client.get("/api/v1/media/").json()["results"] == []
