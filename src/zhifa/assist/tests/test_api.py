"""The REST door of transcripts: the same services and refusals as the workbench."""

import pytest
from django.urls import reverse

from zhifa.accounts.models import Role
from zhifa.assist import services
from zhifa.assist.models import Transcript, TranscriptionJob
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.req("REC-05")


def test_start_run_read_correct_and_cancel_over_the_api(client_for, team, video):
    client = client_for(team.lead)
    response = client.post(
        reverse("api:transcription-list"), {"item": video.pk}, "application/json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "queued" and response.json()["item"] == video.pk
    again = client.post(reverse("api:transcription-list"), {"item": video.pk}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_running"
    services.work(worker="t", once=True)
    url = reverse("api:transcription-detail", args=[video.pk])
    body = client.get(url).json()
    assert body["job"]["status"] == "done" and body["job"]["progress"] == 100
    assert body["transcript"]["version"] == 1 and body["transcript"]["source"] == "machine"
    segments = body["transcript"]["segments"]
    assert segments and {"start", "end", "text", "position"} <= segments[0].keys()
    segments[0]["text"] = "更正后的第一段"
    response = client.post(
        reverse("api:transcription-corrections", args=[video.pk]),
        {"segments": segments, "note": "听写更正", "based_on": 1},
        "application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2 and response.json()["based_on"] == 1
    stale = client.post(
        reverse("api:transcription-corrections", args=[video.pk]),
        {"segments": segments, "based_on": 1},
        "application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert client.get(url, {"version": 1}).json()["transcript"]["source"] == "machine"
    assert client.get(url, {"version": 9}).status_code == 404
    assert [v["version"] for v in client.get(url).json()["versions"]] == [2, 1]
    cancel = client.post(reverse("api:transcription-cancel", args=[video.pk]))
    assert cancel.status_code == 409 and cancel.json()["code"] == "not_cancellable"


def test_refusals_over_the_api(client_for, build, county, team, audio, photo):
    outsider = build.officer(county.safety, roles=(Role.OFFICER, Role.LEADER)).user
    start = reverse("api:transcription-list")
    before = (TranscriptionJob.objects.count(), LedgerEntry.objects.count())
    response = client_for(team.reviewer).post(start, {"item": audio.pk}, "application/json")
    assert response.status_code == 403 and response.json()["code"] == "not_a_handler"
    response = client_for(team.lead).post(start, {"item": photo.pk}, "application/json")
    assert response.status_code == 400 and response.json()["code"] == "not_audio"
    client = client_for(outsider)
    assert client.post(start, {"item": audio.pk}, "application/json").status_code == 404
    assert client.get(reverse("api:transcription-detail", args=[audio.pk])).status_code == 404
    corrections = reverse("api:transcription-corrections", args=[audio.pk])
    assert client.post(corrections, {"segments": []}, "application/json").status_code == 404
    assert (TranscriptionJob.objects.count(), LedgerEntry.objects.count()) == before
    bad = client_for(team.lead).post(
        corrections, {"segments": [{"start": -1, "end": 2, "text": "x"}]}, "application/json"
    )
    assert bad.status_code == 400


@pytest.mark.req("REC-12")
def test_reading_text_over_the_api_is_logged(client_for, team, video):
    services.transcription_start(actor=team.lead, item=video)
    services.work(worker="t", once=True)
    client = client_for(team.reviewer)
    last = LedgerEntry.objects.order_by("-seq").first().seq
    client.get(reverse("api:transcription-detail", args=[video.pk]))
    [entry] = LedgerEntry.objects.filter(seq__gt=last)
    assert (entry.action, entry.payload["what"]) == ("case.view", f"transcript:{video.pk}")
    last = entry.seq
    jobs = client.get(reverse("api:transcription-list"), {"case": video.case_id}).json()
    assert jobs["count"] == 1 and "text" not in jobs["results"][0]
    [entry] = LedgerEntry.objects.filter(seq__gt=last)
    assert entry.payload["what"] == "transcriptions"
    last = entry.seq
    hits = client.get(reverse("api:transcript-segment-list"), {"q": "测试转写"}).json()
    assert hits["count"] >= 1 and hits["results"][0]["item"] == video.pk
    [entry] = LedgerEntry.objects.filter(seq__gt=last)
    assert entry.payload["what"] == "transcript-search"
    assert Transcript.objects.count() == 1


@pytest.mark.req("REC-12")
def test_a_correction_over_the_api_logs_the_look_at_the_transcript_it_returns(
    client_for, team, video
):
    services.transcription_start(actor=team.lead, item=video)
    services.work(worker="t", once=True)
    client = client_for(team.lead)
    segments = client.get(reverse("api:transcription-detail", args=[video.pk])).json()[
        "transcript"
    ]["segments"]
    segments[0]["text"] = "更正后的第一段"
    last = LedgerEntry.objects.order_by("-seq").first().seq
    response = client.post(
        reverse("api:transcription-corrections", args=[video.pk]),
        {"segments": segments, "based_on": 1},
        "application/json",
    )
    assert response.status_code == 201 and response.json()["segments"]
    entries = list(LedgerEntry.objects.filter(seq__gt=last).order_by("seq"))
    assert [e.action for e in entries] == ["assist.transcript_correct", "case.view"]
    assert entries[1].payload == {
        "number": video.case.number,
        "what": f"transcript:{video.pk}",
    }
    assert entries[1].actor_id == team.lead.pk
    # A refused correction shows no text and logs nothing.
    last = entries[-1].seq
    stale = client.post(
        reverse("api:transcription-corrections", args=[video.pk]),
        {"segments": segments, "based_on": 1},
        "application/json",
    )
    assert stale.status_code == 409
    assert not LedgerEntry.objects.filter(seq__gt=last).exists()
