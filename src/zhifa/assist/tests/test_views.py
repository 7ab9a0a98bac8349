"""The workbench doors of transcripts: case-page panel, transcript page with its
player links, start / cancel with confirmation, htmx progress, correction form,
search (REC-05, INF-04), and the looks on record (REC-12)."""

import pytest
from django.urls import reverse

from zhifa.accounts.models import Role
from zhifa.assist import services
from zhifa.assist.models import Transcript, TranscriptionJob
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.req("REC-05")


def views_of(case):
    return LedgerEntry.objects.filter(
        action="case.view", object_type="cases.case", object_id=str(case.pk)
    )


@pytest.fixture
def transcribed(team, video):
    services.transcription_start(actor=team.lead, item=video)
    services.work(worker="test", once=True)
    return video


def test_the_case_page_lists_recordings_with_their_transcription(client_for, team, case, video):
    url = reverse("cases:case-detail", args=[case.pk])
    page = client_for(team.lead).get(url).content.decode()
    assert "录音录像文字记录（1）" in page
    assert reverse("assist:start", args=[video.pk]) in page
    page = client_for(team.reviewer).get(url).content.decode()
    assert "录音录像文字记录（1）" in page
    assert reverse("assist:start", args=[video.pk]) not in page


def test_an_officer_starts_a_transcription_after_confirming(client_for, team, video):
    client = client_for(team.lead)
    url = reverse("assist:start", args=[video.pk])
    page = client.get(url).content.decode()
    assert "确认转写" in page and video.filename in page
    assert not TranscriptionJob.objects.exists()
    client.post(url, {})  # no confirmation: nothing
    assert not TranscriptionJob.objects.exists()
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert TranscriptionJob.objects.get().status == "queued"
    page = client.get(reverse("assist:transcript", args=[video.pk])).content.decode()
    assert "排队中" in page and 'hx-trigger="every 3s"' in page
    assert reverse("assist:cancel", args=[video.pk]) in page


def test_the_progress_fragment_polls_until_done_then_refreshes(client_for, team, video):
    client = client_for(team.lead)
    url = reverse("assist:progress", args=[video.pk])
    assert "未转写" in client.get(url).content.decode()
    job = services.transcription_start(actor=team.lead, item=video)
    services.job_claim(worker="w")
    services.job_progress(job.pk, 42)
    response = client.get(url + "?refresh=1", HTTP_HX_REQUEST="true")
    assert "42%" in response.content.decode() and "HX-Refresh" not in response
    services.work(worker="w", once=True)  # nothing queued: the running job is the test's
    TranscriptionJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    response = client.get(url + "?refresh=1", HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and "已完成" in response.content.decode()


def test_the_transcript_page_links_each_segment_to_its_moment(client_for, team, transcribed):
    client = client_for(team.reviewer)
    before = views_of(transcribed.case).count()
    page = client.get(reverse("assist:transcript", args=[transcribed.pk]) + "?t=8").content.decode()
    file_url = reverse("media:file", args=[transcribed.pk])
    segments = Transcript.objects.get().segments.all()
    for s in segments:
        assert f'href="{file_url}#t={s.start},{s.end}"' in page
        assert s.text in page
    assert f'src="{file_url}#t=8"' in page
    assert "机器转写" in page and "校正文字记录" not in page  # a reviewer reads only
    [entry] = views_of(transcribed.case)[before:]
    assert entry.payload["what"] == f"transcript:{transcribed.pk}"


def test_an_officer_corrects_the_transcript_as_a_new_version(client_for, team, transcribed):
    client = client_for(team.lead)
    url = reverse("assist:correct", args=[transcribed.pk])
    before = views_of(transcribed.case).count()
    page = client.get(url).content.decode()
    assert views_of(transcribed.case).count() == before + 1  # the form shows the text
    machine = Transcript.objects.get()
    first = machine.segments.first()
    assert first.text in page
    data = {"based_on": "1", "count": str(machine.segments.count()), "note": "更正人名"}
    for n, s in enumerate(machine.segments.all(), start=1):
        data |= {f"seg-{n}-start": s.start, f"seg-{n}-end": s.end, f"seg-{n}-text": s.text}
    # Unchanged: an error, the input kept.
    response = client.post(url, data)
    assert response.status_code == 200 and "没有改动" in response.content.decode()
    assert "更正人名" in response.content.decode()
    data["seg-1-text"] = "当事人张三在场。"
    response = client.post(url, data)
    assert response.status_code == 302
    current = Transcript.objects.get(version=2)
    assert current.segments.first().text == "当事人张三在场。" and current.note == "更正人名"
    page = client.get(reverse("assist:transcript", args=[transcribed.pk])).content.decode()
    assert "第 2 版（人工校正）" in page and "当事人张三在场。" in page
    old = client.get(reverse("assist:transcript", args=[transcribed.pk]) + "?version=1")
    assert first.text in old.content.decode() and "非现行版本" in old.content.decode()


def test_readers_and_outsiders_cannot_start_cancel_or_correct(
    client_for, build, county, team, transcribed, audio
):
    for url in (
        reverse("assist:start", args=[audio.pk]),
        reverse("assist:correct", args=[transcribed.pk]),
        reverse("assist:cancel", args=[transcribed.pk]),
    ):
        assert client_for(team.reviewer).post(url, {"confirmed": "1"}).status_code == 403
        assert client_for(team.leader).get(url).status_code == 403
    outsider = build.officer(county.safety, roles=(Role.LEADER, Role.OFFICER)).user
    client = client_for(outsider)
    before = LedgerEntry.objects.count()
    for name in ("transcript", "start", "cancel", "progress", "correct"):
        assert client.get(reverse(f"assist:{name}", args=[transcribed.pk])).status_code == 404
    assert LedgerEntry.objects.count() == before
    assert TranscriptionJob.objects.count() == 1 and Transcript.objects.count() == 1


def test_a_photo_has_no_transcript_page(client_for, team, photo):
    assert (
        client_for(team.lead).get(reverse("assist:transcript", args=[photo.pk])).status_code == 404
    )


def test_an_officer_cancels_after_confirming(client_for, team, video):
    services.transcription_start(actor=team.lead, item=video)
    client = client_for(team.lead)
    url = reverse("assist:cancel", args=[video.pk])
    assert "确认取消转写" in client.get(url).content.decode()
    client.post(url, {"confirmed": "1"})
    assert TranscriptionJob.objects.get().status == "cancelled"
    page = client.get(reverse("assist:transcript", args=[video.pk])).content.decode()
    assert "重新转写" in page


@pytest.mark.req("INF-04")
def test_search_finds_text_in_the_cases_one_may_see_and_logs_them(
    client_for, build, county, team, transcribed
):
    url = reverse("assist:search")
    client = client_for(team.reviewer)
    assert "没有找到" not in client.get(url).content.decode()  # no query, no list
    before = views_of(transcribed.case).count()
    page = client.get(url, {"q": "测试转写"}).content.decode()
    assert transcribed.filename in page and transcribed.case.number in page
    assert reverse("assist:transcript", args=[transcribed.pk]) + "?t=" in page
    [entry] = views_of(transcribed.case)[before:]
    assert entry.payload["what"] == "transcript-search"
    assert "没有找到" in client.get(url, {"q": "不存在的词"}).content.decode()
    outsider = build.officer(county.safety, roles=(Role.LEADER,)).user
    count = LedgerEntry.objects.count()
    page = client_for(outsider).get(url, {"q": "测试转写"}).content.decode()
    assert "没有找到" in page and LedgerEntry.objects.count() == count


@pytest.mark.req("INF-04")
def test_search_reads_only_the_version_in_force(client_for, team, transcribed):
    machine = Transcript.objects.get()
    rows = [
        {"start": s.start, "end": s.end, "text": "已校正的内容"} for s in machine.segments.all()
    ]
    services.transcript_correct(actor=team.lead, item=transcribed, segments=rows)
    page = client_for(team.lead).get(reverse("assist:search"), {"q": "测试转写"}).content.decode()
    assert "没有找到" in page
    page = client_for(team.lead).get(reverse("assist:search"), {"q": "已校正"}).content.decode()
    assert transcribed.filename in page
