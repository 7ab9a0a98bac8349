"""Full verification (``ledger_verify`` + ``checkpoint_audit``) of N entries.

The ledger is filled with N valid, hash-linked entries built exactly as
``entry_append`` builds them (same normalisation, ``chain.entry_hash``) but
inserted with ``bulk_create`` in large transactions, so that filling 100,000
entries takes seconds rather than minutes; ``ledger_verify`` then proves the
chain correct. One checkpoint is issued with ``checkpoint_issue``, and the
audit is timed with that one checkpoint and again with ten (nine more issued
after ten appends each), because the audit recomputes one root per checkpoint.

Baseline, in the same run: reading the N rows' hashed fields from the
database without checking anything (the I/O floor of any verification).

    .venv/bin/python bench/verify.py [--quick] [--backend sqlite|postgresql|all]
        [--entries N]
"""

from __future__ import annotations

import json
import sys
import time

import _common

ENTRIES = 100_000
QUICK_ENTRIES = 5_000
TARGET_ENTRIES = 1_000_000
TARGET_S = 300.0
BATCH = 5_000


def _fill(n: int) -> float:
    """Append ``n`` valid entries (bulk insert); return seconds taken."""
    from datetime import timedelta

    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import transaction
    from django.utils import timezone

    from zhifa.ledger import chain
    from zhifa.ledger.models import LedgerEntry

    started = time.perf_counter()
    head = LedgerEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
    seq = head["seq"] if head else 0
    prev = head["entry_hash"] if head else chain.GENESIS_HASH
    t0 = timezone.now()
    done = 0
    while done < n:
        batch = []
        for _ in range(min(BATCH, n - done)):
            seq += 1
            payload = json.loads(json.dumps(_common.payload_for(seq), cls=DjangoJSONEncoder))
            fields = {
                "seq": seq,
                "recorded_at": t0 + timedelta(microseconds=seq * 1_001),
                "action": "case.stage_changed",
                "actor_id": 12,
                "actor_name": "张三",
                "agency_id": 1,
                "object_type": "cases.case",
                "object_id": str(seq // 10),
                "object_repr": f"示市监罚〔2026〕{seq // 10:06d}号",
                "payload": payload,
                "prev_hash": prev,
            }
            prev = chain.entry_hash(**fields)
            batch.append(LedgerEntry(**fields, entry_hash=prev))
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(batch)
        done += len(batch)
    return time.perf_counter() - started


def _read_only() -> float:
    """Baseline: stream every row's hashed fields, checking nothing."""
    from zhifa.ledger.models import LedgerEntry
    from zhifa.ledger.selectors import _HASHED_FIELDS

    started = time.perf_counter()
    rows = LedgerEntry.objects.order_by("seq").values(*_HASHED_FIELDS, "entry_hash")
    for _row in rows.iterator(chunk_size=2000):
        pass
    return time.perf_counter() - started


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def child(args) -> None:
    backend = args.backend
    _common.setup_django(backend)
    from django.db import transaction

    from zhifa import ledger
    from zhifa.ledger.models import LedgerCheckpoint, LedgerEntry
    from zhifa.ledger.selectors import checkpoint_audit, ledger_root, ledger_verify
    from zhifa.ledger.services import checkpoint_issue

    n = args.entries or (QUICK_ENTRIES if args.quick else ENTRIES)
    fill_s = _fill(n - LedgerEntry.objects.count())
    n = LedgerEntry.objects.count()
    print(f"  [{backend}] filled {n:,} entries in {fill_s:.1f} s", file=sys.stderr)

    read_s = _read_only()
    report, verify_s = _timed(ledger_verify)
    if not report.ok or report.entries != n:
        raise SystemExit(f"ledger_verify failed on a valid ledger: {report}")
    (_, _root), root_s = _timed(ledger_root)
    checkpoint, issue_s = _timed(checkpoint_issue)
    assert checkpoint is not None and checkpoint.size == n
    findings, audit1_s = _timed(checkpoint_audit)
    if findings:
        raise SystemExit(f"checkpoint_audit found problems on a valid ledger: {findings}")
    print(f"  [{backend}] verify {verify_s:.1f} s, audit(1) {audit1_s:.1f} s", file=sys.stderr)

    for _ in range(9):
        for i in range(10):
            with transaction.atomic():
                ledger.append(actor=None, action="bench.append", payload={"i": i})
        checkpoint_issue()
    checkpoints = LedgerCheckpoint.objects.count()
    findings, audit10_s = _timed(checkpoint_audit)
    if findings:
        raise SystemExit(f"checkpoint_audit found problems on a valid ledger: {findings}")

    full_s = verify_s + audit1_s
    per_entry = full_s / n
    result = {
        "backend": backend,
        "entries": n,
        "fill_s": fill_s,
        "baseline_read_s": read_s,
        "ledger_verify_s": verify_s,
        "ledger_root_s": root_s,
        "checkpoint_issue_s": issue_s,
        "checkpoint_audit_1_s": audit1_s,
        "checkpoint_audit_10_s": audit10_s,
        "checkpoints_for_audit_10": checkpoints,
        "full_verify_s": full_s,
        "per_entry_us": per_entry * 1e6,
        "extrapolated_1M_s": per_entry * TARGET_ENTRIES,
        "extrapolated_1M_audit_per_extra_checkpoint_s": (audit10_s - audit1_s)
        / (checkpoints - 1)
        * TARGET_ENTRIES
        / n,
    }
    _common.teardown_django(backend)
    with open(args.json_out, "w") as handle:
        json.dump(result, handle)


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=0, help=f"N (default {ENTRIES:,})")
    args = p.parse_args()
    if args.json_out:
        child(args)
        return
    extra = ["--entries", str(args.entries)] if args.entries else []
    results = _common.run_backends("verify.py", args, extra)
    rows = []
    for backend, r in results.items():
        if "skipped" in r:
            rows.append([backend, "skipped"] + ["-"] * 9)
            continue
        base = r["baseline_read_s"]
        r["ratio_full_to_read"] = r["full_verify_s"] / base
        rows.append(
            [
                backend,
                r["entries"],
                base,
                r["ledger_verify_s"],
                r["checkpoint_audit_1_s"],
                r["checkpoint_audit_10_s"],
                r["full_verify_s"],
                r["ratio_full_to_read"],
                r["per_entry_us"],
                r["extrapolated_1M_s"],
                "met" if r["extrapolated_1M_s"] < TARGET_S else "NOT met",
            ]
        )
    headers = [
        "backend",
        "N",
        "read rows s (baseline)",
        "ledger_verify s",
        "audit s (1 ckpt)",
        "audit s (10 ckpts)",
        "verify+audit s",
        "× baseline",
        "µs/entry",
        "→ 10⁶ s (extrap.)",
        "< 300 s at 10⁶",
    ]
    print(_common.table(rows, headers))
    out = {"benchmark": "verify", "quick": args.quick, "machine": _common.machine()}
    out["results"] = results
    print(f"results: {_common.save('verify', out)}")


if __name__ == "__main__":
    main()
