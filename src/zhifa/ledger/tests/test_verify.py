import io
import json
import os

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse

from zhifa.ledger import dbguard, evidence
from zhifa.ledger.models import LedgerEntry, VerificationRun
from zhifa.ledger.selectors import entries_for, ledger_audit
from zhifa.ledger.services import checkpoint_issue, file_store, verification_run
from zhifa.ledger.signing import ledger_signer
from zhifa.ledger.tests.tampering import append_events, behind_the_guard

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def _verify_json(*args) -> tuple[int, dict]:
    """Run ``zhifa verify --json``; its exit status and the parsed document."""
    out = io.StringIO()
    status = 0
    try:
        call_command("verify", "--json", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        status = exc.code
    return status, json.loads(out.getvalue())


def _store(actor, data: bytes, name="处罚决定书.pdf"):
    return file_store(
        actor=actor, stream=io.BytesIO(data), original_name=name, content_type="application/pdf"
    )


# --- zhifa verify ------------------------------------------------------------------


@pytest.mark.req("REC-11")
def test_verify_json_on_a_clean_ledger_exits_0_with_the_counts(sysadmin):
    _store(sysadmin, b"instrument")
    checkpoint_issue()
    size = LedgerEntry.objects.count()
    status, document = _verify_json()
    assert status == 0
    assert document == {
        "ok": True,
        "entries": size,
        "checkpoints": 1,
        "files": 1,
        "findings": [],
    }


@pytest.mark.req("REC-11")
def test_verify_names_an_entry_changed_behind_the_guard_and_exits_1(sysadmin):
    append_events(4)
    seq = LedgerEntry.objects.order_by("seq").last().seq - 2
    behind_the_guard("UPDATE ledger_entry SET action = 'forged' WHERE seq = %s", [seq])
    status, document = _verify_json()
    assert status == 1
    assert document["ok"] is False
    [finding] = document["findings"]
    assert (finding["kind"], finding["object"], finding["path"]) == (
        "changed",
        f"台账第 {seq} 条",
        None,
    )
    assert finding["expected"] != finding["found"]
    assert set(finding) == {
        "kind",
        "object",
        "path",
        "chunk",
        "expected",
        "found",
        "actor",
        "message",
    }


@pytest.mark.req("REC-11")
def test_verify_names_a_removed_entry_as_a_gap(sysadmin):
    append_events(3)
    last = LedgerEntry.objects.order_by("seq").last().seq
    behind_the_guard("DELETE FROM ledger_entry WHERE seq = %s", [last - 1])
    status, document = _verify_json("--no-record")
    assert status == 1
    assert [(f["kind"], f["object"]) for f in document["findings"]] == [
        ("gap", f"台账第 {last - 1} 条")
    ]


@pytest.mark.req("REC-11")
def test_verify_locates_a_changed_byte_of_a_stored_file(sysadmin):
    stored = _store(sysadmin, os.urandom(2 * MiB + 5))
    path = evidence.LocalBackend().path_for(stored.storage_key)
    os.chmod(path, 0o644)  # what someone with the server's account could do
    with open(path, "r+b") as handle:
        handle.seek(MiB + 7)
        byte = handle.read(1)
        handle.seek(MiB + 7)
        handle.write(bytes([byte[0] ^ 0x01]))
    status, document = _verify_json()
    assert status == 1
    [finding] = document["findings"]
    assert (finding["kind"], finding["path"], finding["chunk"]) == (
        "changed",
        stored.storage_key,
        2,
    )
    assert finding["expected"] == stored.chunk_sha256[1]


@pytest.mark.req("REC-11")
def test_the_human_output_summarises_in_chinese_and_keeps_progress_off_stdout(sysadmin):
    append_events(2)
    out, err = io.StringIO(), io.StringIO()
    call_command("verify", stdout=out, stderr=err)
    assert "台账完整" in out.getvalue()
    assert "本次校验已记入台账" in out.getvalue()
    # Not a terminal: one plain line per phase, no redrawn bar.
    assert "校验哈希链：共" in err.getvalue()
    assert "校验签名检查点" in err.getvalue() and "校验存证文件" in err.getvalue()
    assert "\r" not in err.getvalue()


@pytest.mark.req("REC-11")
def test_ledger_verify_still_works_and_records_nothing(sysadmin, capsys):
    append_events(1)
    call_command("ledger", "verify")
    assert "台账完整" in capsys.readouterr().out
    assert not VerificationRun.objects.exists()


# --- Recording a verification --------------------------------------------------------


@pytest.mark.req("REC-12")
def test_zhifa_verify_records_the_run_and_its_ledger_entry(sysadmin):
    append_events(2)
    before = LedgerEntry.objects.count()
    _verify_json()
    run = VerificationRun.objects.get()
    assert (run.trigger, run.entries, run.findings_count, run.findings) == (
        "command",
        before,
        0,
        [],
    )
    assert run.finished_at >= run.started_at
    [entry] = entries_for(run)
    assert entry.action == "ledger.verify"
    assert entry.payload == {
        "ok": True,
        "entries": before,
        "checkpoints": 0,
        "files": 0,
        "findings": 0,
        "trigger": "command",
    }
    assert ledger_audit().ok  # the entry it appended is itself part of a sound chain


@pytest.mark.req("REC-12")
def test_no_record_only_prints(sysadmin):
    append_events(1)
    before = LedgerEntry.objects.count()
    assert _verify_json("--no-record")[0] == 0
    assert not VerificationRun.objects.exists()
    assert LedgerEntry.objects.count() == before


@pytest.mark.req("REC-12")
def test_a_failed_run_keeps_its_findings(sysadmin):
    append_events(2)
    behind_the_guard("UPDATE ledger_entry SET payload = %s WHERE seq = 2", ['{"i": 9}'])
    run = verification_run(trigger="command")
    assert not run.ok
    assert run.findings[0]["object"] == "台账第 2 条"
    assert entries_for(run).get().payload["ok"] is False


@pytest.mark.req("REC-12")
def test_verification_runs_cannot_be_changed_or_deleted(sysadmin):
    verification_run(trigger="command")
    with pytest.raises(DatabaseError), transaction.atomic():
        VerificationRun.objects.update(findings_count=0, findings=[])
    with pytest.raises(DatabaseError), transaction.atomic():
        VerificationRun.objects.all().delete()
    assert "ledger_verification_run" in dbguard.TABLES


@pytest.mark.req("REC-12")
def test_a_person_who_may_not_see_the_ledger_cannot_run_it(county):
    from zhifa.core.errors import Forbidden

    with pytest.raises(Forbidden):
        verification_run(actor=county.market_admin, trigger="page")
    assert not VerificationRun.objects.exists()


# --- The supervisor's page -------------------------------------------------------------

STATE = "/workbench/ledger/"


@pytest.mark.req("REC-12")
def test_the_supervisor_sees_the_ledger_state(county, client_for):
    checkpoint = checkpoint_issue()
    behind_the_guard("UPDATE ledger_entry SET action = 'forged' WHERE seq = 1")
    run = verification_run(trigger="command")
    assert reverse("ledger:state") == STATE
    response = client_for(county.supervisor).get(STATE)
    assert response.status_code == 200
    page = response.content.decode()
    state = response.context["state"]
    assert state.size == LedgerEntry.objects.count()
    assert state.last_run == run
    assert f"{checkpoint.size} 条" in page and checkpoint.root in page
    assert checkpoint.key_name in page
    assert ledger_signer().verifier_key() in page
    assert "台账第 1 条" in page  # the finding, in the findings table
    assert f"{run.findings_count} 处问题" in page
    assert response.context["page"].object_list[0] == run
    assert "防删改台账" in page  # the nav link


@pytest.mark.req("REC-12")
def test_the_system_administrator_sees_the_page(sysadmin, client_for):
    response = client_for(sysadmin).get(STATE)
    assert response.status_code == 200
    assert "从未校验" in response.content.decode()


@pytest.mark.req("REC-12")
def test_everyone_else_gets_404_and_no_nav_link(county, build, client_for):
    officer = build.officer(county.market, unit=county.market_unit).user
    for user in (county.market_admin, officer):
        client = client_for(user)
        assert client.get(STATE).status_code == 404
        assert client.get(reverse("ledger:verify")).status_code == 404
        assert client.post(reverse("ledger:verify"), {"confirmed": "1"}).status_code == 404
        assert "防删改台账" not in client.get(reverse("accounts:home")).content.decode()
    assert not VerificationRun.objects.exists()


@pytest.mark.req("REC-12")
def test_anonymous_is_sent_to_login(client):
    response = client.get(STATE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.req("REC-12")
def test_verify_now_asks_first_then_records_a_run(county, client_for):
    client = client_for(county.supervisor)
    # The page's button posts without confirming: the confirmation page answers.
    response = client.post(reverse("ledger:verify"))
    assert response.status_code == 200
    assert "确认校验" in response.content.decode()
    assert not VerificationRun.objects.exists()
    response = client.post(reverse("ledger:verify"), {"confirmed": "1"})
    assert response.status_code == 302 and response.url == STATE
    run = VerificationRun.objects.get()
    assert (run.trigger, run.run_by_id, run.ok) == ("page", county.supervisor.pk, True)
    entry = entries_for(run).get()
    assert (entry.action, entry.actor_id, entry.agency_id) == (
        "ledger.verify",
        county.supervisor.pk,
        county.bureau.pk,
    )


@pytest.mark.req("REC-12")
def test_the_history_is_paginated(sysadmin, client_for):
    for _ in range(21):
        verification_run(trigger="command")
    client = client_for(sysadmin)
    assert len(client.get(STATE).context["page"].object_list) == 20
    assert len(client.get(STATE + "?page=2").context["page"].object_list) == 1


# --- The home card ---------------------------------------------------------------------


def _ledger_card(client):
    for section in client.get(reverse("accounts:home")).context["sections"]:
        for item in section.items:
            if item.href == STATE:
                return item
    return None


@pytest.mark.req("REC-12")
def test_the_home_card_shows_the_last_result(county, client_for, settings):
    client = client_for(county.supervisor)
    assert _ledger_card(client).level == "warn"  # never run
    verification_run(trigger="command")
    card = _ledger_card(client)
    assert (card.count, card.level) == ("完整", "ok")
    behind_the_guard("UPDATE ledger_entry SET action = 'forged' WHERE seq = 1")
    verification_run(trigger="command")
    card = _ledger_card(client)
    assert (card.count, card.level) == (1, "bad")
    assert "台账校验" in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.req("REC-12")
def test_the_home_card_warns_when_the_last_run_is_stale(sysadmin, client_for, settings):
    verification_run(trigger="command")
    client = client_for(sysadmin)
    assert _ledger_card(client).level == "ok"
    # With no hours allowed, any run already lies in the past beyond them.
    settings.ZHIFA_VERIFY_STALE_HOURS = 0
    card = _ledger_card(client)
    assert card.level == "warn" and "已超过 0 小时" in card.label


@pytest.mark.req("REC-12")
def test_no_home_card_for_an_agency_admin(county, client_for):
    assert _ledger_card(client_for(county.market_admin)) is None
