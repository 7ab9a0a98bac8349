"""Transcription jobs, the worker and corrections (REC-05 text record, INF-04)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.assist import services, speech
from zhifa.assist.models import Transcript, TranscriptionJob, TranscriptSegment
from zhifa.cases.models import Case, Stage
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.media.models import MediaItem

pytestmark = pytest.mark.req("REC-05")

Status = TranscriptionJob.Status


def counts():
    return (
        TranscriptionJob.objects.count(),
        Transcript.objects.count(),
        TranscriptSegment.objects.count(),
        LedgerEntry.objects.count(),
    )


def run_queued(**kw):
    return services.work(worker="test", once=True, **kw)


def test_an_officer_queues_a_recording_and_the_worker_writes_version_1(team, video):
    job = services.transcription_start(actor=team.lead, item=video)
    assert (job.status, job.progress, job.attempts, job.case) == (Status.QUEUED, 0, 1, video.case)
    [entry] = entries_for(job).filter(action="assist.transcription_start")
    assert entry.actor_id == team.lead.pk and entry.payload["case"] == video.case.number
    assert run_queued() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.engine) == (Status.DONE, 100, "test")
    assert job.audio_seconds == pytest.approx(12, abs=0.1)
    [transcript] = Transcript.objects.filter(item=video)
    assert (transcript.version, transcript.source, transcript.job) == (1, "machine", job)
    segments = list(transcript.segments.all())
    assert segments and all(s.start < s.end for s in segments)
    assert transcript.text == "\n".join(s.text for s in segments)
    [done] = LedgerEntry.objects.filter(action="assist.transcription_done")
    assert done.actor_id is None and done.actor_name == "系统"
    assert done.payload["sha256"] == transcript.sha256 == services.digest(transcript.text)
    assert done.agency_id == video.case.agency_id
    assert run_queued() == 0  # nothing left


def test_only_a_handling_officer_of_an_open_case_starts_it(build, county, team, audio, photo):
    outsider = build.officer(county.safety, roles=(Role.OFFICER,)).user
    before = counts()
    for actor in (team.reviewer, team.leader, outsider, team.sysadmin):
        with pytest.raises(Forbidden):
            services.transcription_start(actor=actor, item=audio)
    with pytest.raises(InvalidInput) as refused:
        services.transcription_start(actor=team.lead, item=photo)
    assert refused.value.code == "not_audio"
    assert counts() == before


def test_a_closed_case_is_not_transcribed(team, audio):
    # The stage only: driving a case to its end is the cases kit's business (and slow).
    Case.objects.filter(pk=audio.case_id).update(stage=Stage.CLOSED)
    item = MediaItem.objects.get(pk=audio.pk)
    before = counts()
    with pytest.raises(Conflict) as refused:
        services.transcription_start(actor=team.lead, item=item)
    assert refused.value.code == "case_closed" and counts() == before


def test_a_job_runs_once_and_a_done_one_is_corrected_not_rerun(team, audio):
    services.transcription_start(actor=team.lead, item=audio)
    with pytest.raises(Conflict) as refused:
        services.transcription_start(actor=team.lead, item=audio)
    assert refused.value.code == "already_running"
    run_queued()
    with pytest.raises(Conflict) as refused:
        services.transcription_start(actor=team.lead, item=audio)
    assert refused.value.code == "already_done"


def test_a_cancelled_job_leaves_the_recording_and_can_be_retried(team, audio):
    sha = audio.file.sha256
    job = services.transcription_start(actor=team.lead, item=audio)
    with pytest.raises(Forbidden):
        services.transcription_cancel(actor=team.reviewer, job=job)
    job = services.transcription_cancel(actor=team.lead, job=job)
    assert job.status == Status.CANCELLED and job.finished_at
    assert run_queued() == 0
    with pytest.raises(Conflict):
        services.transcription_cancel(actor=team.lead, job=job)
    job = services.transcription_start(actor=team.lead, item=audio)
    assert (job.status, job.attempts) == (Status.QUEUED, 2)
    run_queued()
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert MediaItem.objects.get(pk=audio.pk).file.sha256 == sha
    actions = list(entries_for(job).values_list("action", flat=True))
    assert actions == [
        "assist.transcription_start",
        "assist.transcription_cancel",
        "assist.transcription_start",
    ]


class CancelsMidway:
    """A recogniser during whose work the officer cancels the job."""

    name = "test"

    def __init__(self, team, job):
        self.team, self.job = team, job

    def transcribe(self, audio, *, offset=0.0):
        yield speech.Segment(offset, offset + 1, "第一句")
        services.transcription_cancel(actor=self.team.lead, job=self.job)
        yield speech.Segment(offset + 1, offset + 2, "第二句")


def test_cancelling_a_running_job_stops_it_and_stores_nothing(team, video, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    job = services.transcription_start(actor=team.lead, item=video)
    claimed = services.job_claim(worker="w1")
    assert claimed.pk == job.pk and claimed.status == Status.RUNNING
    assert services.job_claim(worker="w2") is None  # never twice
    assert services.job_run(claimed, recogniser=CancelsMidway(team, job)) == Status.CANCELLED
    assert not Transcript.objects.exists()
    job.refresh_from_db()
    assert job.status == Status.CANCELLED


class Broken:
    name = "broken"

    def __init__(self, exc):
        self.exc = exc

    def transcribe(self, audio, *, offset=0.0):
        raise self.exc
        yield  # a generator


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (speech.SpeechError("模型无法加载。"), "模型无法加载。"),
        (MemoryError(), "转写出错（MemoryError），请重试或联系系统管理员。"),
    ],
)
def test_a_failed_job_keeps_its_reason_and_can_be_retried(team, audio, exc, message):
    job = services.transcription_start(actor=team.lead, item=audio)
    assert run_queued(recogniser=Broken(exc)) == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, message)
    [entry] = entries_for(job).filter(action="assist.transcription_fail")
    assert entry.payload["error"] == message and entry.actor_id is None
    assert not Transcript.objects.exists()
    job = services.transcription_start(actor=team.lead, item=audio)
    assert (job.status, job.error, job.attempts) == (Status.QUEUED, "", 2)
    run_queued()
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_a_recording_without_sound_fails_with_its_reason(team, case):
    from zhifa.media.testing import attach

    silent = attach(team, case, filename="无声录像.mp4")  # the kit's video has no sound track
    job = services.transcription_start(actor=team.lead, item=silent)
    run_queued()
    job.refresh_from_db()
    assert job.status == Status.FAILED and "没有音轨" in job.error


def test_a_job_whose_worker_died_is_failed_and_retryable(team, audio):
    job = services.transcription_start(actor=team.lead, item=audio)
    services.job_claim(worker="dead")
    TranscriptionJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(hours=2)
    )
    assert services.job_claim(worker="alive") is None  # reaps, finds nothing queued
    job.refresh_from_db()
    assert job.status == Status.FAILED and "工作进程中断" in job.error
    services.transcription_start(actor=team.lead, item=audio)
    assert run_queued() == 1


def test_the_worker_command_runs_what_is_queued(team, audio, capsys):
    services.transcription_start(actor=team.lead, item=audio)
    call_command("assist", "work", "--once")
    assert "已处理 1 个转写或文件识别任务" in capsys.readouterr().out
    assert TranscriptionJob.objects.get().status == Status.DONE


def test_the_worker_sleeps_between_polls(db):
    slept = []
    assert services.work(worker="w", rounds=3, sleep=slept.append) == 0
    assert len(slept) == 2


# --- Corrections ---------------------------------------------------------------------


@pytest.fixture
def transcribed(team, video):
    services.transcription_start(actor=team.lead, item=video)
    run_queued()
    return video


def rows_of(transcript):
    return [{"start": s.start, "end": s.end, "text": s.text} for s in transcript.segments.all()]


@pytest.mark.req("INF-04")
def test_a_correction_is_a_new_version_and_the_machine_text_stays(team, transcribed):
    machine = services.transcript_current(transcribed)
    rows = rows_of(machine)
    rows[0]["text"] = "执法人员出示了执法证件。"
    corrected = services.transcript_correct(
        actor=team.officers[1].user,
        item=transcribed,
        segments=rows,
        note="第一句听写有误",
        based_on=1,
    )
    assert (corrected.version, corrected.source, corrected.based_on) == (2, "correction", machine)
    assert corrected.created_by == team.officers[1].user
    assert corrected.segments.first().text == "执法人员出示了执法证件。"
    machine.refresh_from_db()
    assert machine.segments.first().text != "执法人员出示了执法证件。"
    [entry] = entries_for(corrected).filter(action="assist.transcript_correct")
    assert entry.payload["version"] == 2 and entry.payload["based_on"] == 1
    assert entry.payload["changed"] == 1 and entry.payload["sha256"] == corrected.sha256
    assert entry.payload["note"] == "第一句听写有误"
    # Emptying a segment drops it.
    rows = rows_of(corrected)
    rows[-1]["text"] = "  "
    third = services.transcript_correct(actor=team.lead, item=transcribed, segments=rows)
    assert third.version == 3 and third.segments.count() == len(rows) - 1


@pytest.mark.req("REC-05", "REC-10")
def test_the_case_files_av_catalogue_carries_the_transcript_in_force(team, transcribed):
    from django.template.loader import render_to_string

    from zhifa.casefiles.catalogue import _media, media_facts

    rows = rows_of(services.transcript_current(transcribed))
    rows[0]["text"] = "执法人员出示了执法证件。"
    corrected = services.transcript_correct(
        actor=team.officers[1].user, item=transcribed, segments=rows, based_on=1
    )
    [item] = [m for m in _media(transcribed.case) if m.pk == transcribed.pk]
    facts = media_facts(item)
    assert facts["machine_transcript"] == corrected
    page = render_to_string(
        "casefiles/pdf/media_list.html",
        {"case": transcribed.case, "items": [{**facts, "marker": "AV-001"}]},
    )
    assert "转写文字记录" in page and "第 2 版（人工校正，机器转写经执法人员校正）" in page
    assert "执法人员出示了执法证件。" in page and corrected.sha256 in page


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda rows: rows, "unchanged"),
        (lambda rows: [{**r, "text": ""} for r in rows], "transcript_empty"),
        (lambda rows: [{**rows[0], "end": rows[0]["start"] - 1}], "segment_time"),
        (lambda rows: [{**rows[0], "start": "x"}], "segment_time"),
        (lambda rows: [{**rows[0], "end": 3600}], "segment_time"),
        (lambda rows: [{**rows[0], "text": "字" * 2001}], "segment_text"),
    ],
)
def test_a_bad_correction_changes_nothing(team, transcribed, change, code):
    rows = change(rows_of(services.transcript_current(transcribed)))
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        services.transcript_correct(actor=team.lead, item=transcribed, segments=rows)
    assert refused.value.code == code
    assert counts() == before


def test_a_correction_of_an_old_version_or_by_a_reader_is_refused(team, transcribed, audio):
    rows = rows_of(services.transcript_current(transcribed))
    rows[0]["text"] = "改"
    services.transcript_correct(actor=team.lead, item=transcribed, segments=rows, based_on=1)
    before = counts()
    rows[0]["text"] = "再改"
    with pytest.raises(Conflict) as refused:
        services.transcript_correct(actor=team.lead, item=transcribed, segments=rows, based_on=1)
    assert refused.value.code == "stale_version"
    with pytest.raises(Forbidden):
        services.transcript_correct(actor=team.reviewer, item=transcribed, segments=rows)
    with pytest.raises(Conflict) as refused:
        services.transcript_correct(actor=team.lead, item=audio, segments=rows)
    assert refused.value.code == "no_transcript"
    assert counts() == before
