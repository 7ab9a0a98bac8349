"""Ledger append throughput, SQLite and PostgreSQL, 1 and 4 writers.

Each append is its own transaction (``transaction.atomic()`` around
``zhifa.ledger.append``), as in the product. The baseline, measured in the
same run against the same database, is one plain single-row INSERT per
transaction into a table of the same shape (same columns, same indexes, no
triggers): what the database costs without the ledger's lock, head read,
canonical JSON, hash and ORM.

Writers are threads, each with its own database connection (Django opens one
per thread). "Sustained" is the slowest one-second window of the run.

    .venv/bin/python bench/ledger_append.py [--quick] [--backend sqlite|postgresql|all]
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid

import _common

DURATION_S = 10.0
QUICK_DURATION_S = 2.0
WRITERS = (1, 4)

_BASELINE_DDL = {
    "sqlite": [
        """CREATE TABLE bench_baseline (
            id integer PRIMARY KEY AUTOINCREMENT, recorded_at datetime NOT NULL,
            action varchar(64) NOT NULL, actor_id bigint NULL, actor_name varchar(150) NOT NULL,
            agency_id bigint NULL, object_type varchar(64) NOT NULL,
            object_id varchar(64) NOT NULL, object_repr varchar(255) NOT NULL,
            payload text NOT NULL CHECK (JSON_VALID(payload)), prev_hash varchar(64) NOT NULL,
            entry_hash varchar(64) NOT NULL UNIQUE)""",
    ],
    "postgresql": [
        """CREATE TABLE bench_baseline (
            id bigserial PRIMARY KEY, recorded_at timestamptz NOT NULL,
            action varchar(64) NOT NULL, actor_id bigint NULL, actor_name varchar(150) NOT NULL,
            agency_id bigint NULL, object_type varchar(64) NOT NULL,
            object_id varchar(64) NOT NULL, object_repr varchar(255) NOT NULL,
            payload jsonb NOT NULL, prev_hash varchar(64) NOT NULL,
            entry_hash varchar(64) NOT NULL UNIQUE)""",
    ],
}
_BASELINE_INDEXES = [
    "CREATE INDEX bench_baseline_action ON bench_baseline (action)",
    "CREATE INDEX bench_baseline_agency ON bench_baseline (agency_id)",
    "CREATE INDEX bench_baseline_object ON bench_baseline (object_type, object_id)",
]
_BASELINE_INSERT = """INSERT INTO bench_baseline (recorded_at, action, actor_id, actor_name,
    agency_id, object_type, object_id, object_repr, payload, prev_hash, entry_hash)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"""


def _create_baseline_table(vendor: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in _BASELINE_DDL[vendor] + _BASELINE_INDEXES:
            cursor.execute(sql)


def _baseline_one(i: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    params = [
        timezone.now(),
        "bench.append",
        None,
        "系统",
        1,
        "",
        "",
        "",
        json.dumps(_common.payload_for(i), ensure_ascii=False),
        uuid.uuid4().hex * 2,
        uuid.uuid4().hex * 2,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_BASELINE_INSERT, params)


def _ledger_one(i: int) -> None:
    from django.db import transaction

    from zhifa import ledger

    with transaction.atomic():
        ledger.append(
            actor=None, action="bench.append", agency_id=1, payload=_common.payload_for(i)
        )


def _run(kind: str, writers: int, duration: float) -> dict:
    """``writers`` threads call the operation until ``duration`` has passed."""
    from django.db import connection

    op = _ledger_one if kind == "ledger" else _baseline_one
    stamps: list[list[float]] = [[] for _ in range(writers)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers + 1)
    counter = iter(range(10**12))
    lock = threading.Lock()

    def work(slot: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            deadline = start_box[0] + duration
            mine = stamps[slot]
            while True:
                with lock:
                    i = next(counter)
                op(i)
                now = time.perf_counter()
                mine.append(now)
                if now >= deadline:
                    break
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            connection.close()

    start_box = [0.0]
    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    start_box[0] = time.perf_counter()  # set before the threads are released
    barrier.wait()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    all_stamps = sorted(s for per in stamps for s in per)
    start = start_box[0]
    elapsed = all_stamps[-1] - start
    # Slowest whole one-second window: the sustained rate.
    windows = [0] * int(elapsed)
    for s in all_stamps:
        w = int(s - start)
        if w < len(windows):
            windows[w] += 1
    return {
        "kind": kind,
        "writers": writers,
        "ops": len(all_stamps),
        "seconds": round(elapsed, 3),
        "per_s": len(all_stamps) / elapsed,
        "sustained_per_s": min(windows) if windows else None,
    }


def child(args) -> None:
    backend = args.backend
    _common.setup_django(backend)
    from django.db import connection

    from zhifa.ledger import selectors
    from zhifa.ledger.models import LedgerEntry

    duration = QUICK_DURATION_S if args.quick else DURATION_S
    _create_baseline_table(connection.vendor)
    # Warm up both paths (connections, statement caches, first pages).
    for i in range(50):
        _baseline_one(i)
        _ledger_one(i)
    runs = []
    for writers in WRITERS:
        for kind in ("baseline", "ledger"):
            runs.append(_run(kind, writers, duration))
            print(f"  [{backend}] {kind} x{writers}: {runs[-1]['per_s']:.0f}/s", file=sys.stderr)
    report = selectors.ledger_verify()
    result = {
        "backend": backend,
        "duration_s": duration,
        "runs": runs,
        "entries_after": LedgerEntry.objects.count(),
        "chain_ok_after": report.ok,
    }
    if backend == "postgresql":
        result["pg_settings"] = _common.pg_settings()
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            result["sqlite_journal_mode"] = cursor.fetchone()[0]
    connection.close()
    _common.teardown_django(backend)
    with open(args.json_out, "w") as handle:
        json.dump(result, handle)


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    if args.json_out:
        child(args)
        return
    results = _common.run_backends("ledger_append.py", args)
    rows = []
    for backend, res in results.items():
        if "skipped" in res:
            rows.append([backend, "-", "skipped", "-", "-", "-", "-"])
            continue
        by = {(r["kind"], r["writers"]): r for r in res["runs"]}
        for writers in WRITERS:
            base, led = by[("baseline", writers)], by[("ledger", writers)]
            ratio = led["per_s"] / base["per_s"]
            res.setdefault("ratios", {})[str(writers)] = ratio
            rows.append(
                [
                    backend,
                    writers,
                    base["per_s"],
                    led["per_s"],
                    led["sustained_per_s"],
                    ratio,
                    "met" if writers > 1 or led["sustained_per_s"] >= 1000 else "NOT met",
                ]
            )
            if writers > 1:
                rows[-1][-1] = "(reported)"
    headers = [
        "backend",
        "writers",
        "baseline/s",
        "ledger/s",
        "ledger sustained/s",
        "ledger/baseline",
        "target ≥1000/s (1 writer)",
    ]
    print(_common.table(rows, headers))
    out = {"benchmark": "ledger_append", "quick": args.quick, "machine": _common.machine()}
    out["results"] = results
    print(f"results: {_common.save('ledger_append', out)}")


if __name__ == "__main__":
    main()
