"""A writer killed with SIGKILL (REC-11): ledger appends and evidence files
being stored in a separate process, killed mid-way; the ledger must still
verify, and no partial stored file, row or object may be left.

Runs against its own SQLite database in a temporary ``ZHIFA_DATA_DIR``, migrated
with ``zhifa migrate``, so it needs no test database.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKER = r"""
import io, os, sys
import django
django.setup()
from django.db import transaction
from zhifa import ledger
from zhifa.ledger.services import checkpoint_issue, file_store

mode = sys.argv[1]
if mode == "append":
    # Appends, with a small evidence file stored every few entries, until killed.
    with transaction.atomic():
        ledger.append(actor=None, action="test.event", payload={"i": 0})
    checkpoint_issue()
    i = 0
    while True:
        i += 1
        with transaction.atomic():
            ledger.append(actor=None, action="test.event", payload={"i": i})
        if i % 3 == 0:
            data = os.urandom(3000 + i)
            file_store(actor=None, stream=io.BytesIO(data), original_name=f"f{i}.bin")
        print(i, flush=True)
else:
    # One file far larger than it will ever get to finish.
    block = os.urandom(1024 * 1024)

    class Endless(io.RawIOBase):
        sent = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            n = min(len(buffer), len(block))
            buffer[:n] = block[:n]
            self.sent += n
            if self.sent >= 16 * 1024 * 1024 and not getattr(self, "told", False):
                self.told = True
                print("streaming", flush=True)
            return n

    file_store(actor=None, stream=io.BufferedReader(Endless()), original_name="big.bin")
"""


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIFA_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="zhifa.conf.settings",
        ZHIFA_DATA_DIR=str(data_dir),
        ZHIFA_DEBUG="1",
        ZHIFA_EVIDENCE_CHUNK_BYTES="4096",
    )
    return env


def _zhifa(env, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zhifa", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def _kill_when(env, mode: str, ready) -> str:
    """Start the worker, SIGKILL it once a line of its output satisfies
    ``ready``; the last line it printed."""
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, mode],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    last = ""
    deadline = time.monotonic() + 30
    try:
        for line in process.stdout:
            last = line.strip()
            if ready(last) or time.monotonic() > deadline:
                break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    return last


@pytest.mark.req("REC-11")
def test_a_writer_killed_mid_way_leaves_a_ledger_that_verifies_and_no_partial_file(tmp_path):
    env = _env(tmp_path)
    _zhifa(env, "migrate", "--no-input", "-v", "0")

    appended = 0
    for threshold in (25, 61):  # killed at two different points of the loop
        appended += int(_kill_when(env, "append", lambda line, t=threshold: int(line) >= t))
    assert _kill_when(env, "large", lambda line: line == "streaming") == "streaming"

    result = _zhifa(env, "verify", "--json", "--no-record", check=False)
    document = json.loads(result.stdout)
    assert (result.returncode, document["findings"]) == (0, [])
    assert document["ok"] is True
    assert document["entries"] >= appended + 2  # the first entry of each run, too
    assert document["checkpoints"] >= 1

    with sqlite3.connect(tmp_path / "zhifa.sqlite3") as db:
        rows = dict(db.execute("SELECT storage_key, original_name FROM ledger_stored_file"))
        stores = db.execute(
            "SELECT COUNT(*) FROM ledger_entry WHERE action = 'file.store'"
        ).fetchone()[0]
    assert len(rows) == stores > 0  # a row for every entry, and no row without one
    assert "big.bin" not in rows.values()  # nothing of the killed large file recorded

    evidence = tmp_path / "evidence"
    objects = {
        str(path.relative_to(evidence)): path for path in evidence.rglob("*") if path.is_file()
    }
    assert not [key for key in objects if Path(key).name.startswith(".incoming")]
    assert set(rows) <= set(objects)
    # A kill between placing an object and committing its row can leave an
    # object without a row; it is then complete (placed only once written and
    # synced) and named by its own content, so storing it again reuses it.
    for key in set(objects) - set(rows):
        data = objects[key].read_bytes()
        assert key == f"{hashlib.sha256(data).hexdigest()[:2]}/{hashlib.sha256(data).hexdigest()}"
        assert len(data) < 1024 * 1024
