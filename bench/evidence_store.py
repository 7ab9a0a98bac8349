"""Storing a large evidence file with both digests, against hashlib in one pass.

A file of ``--size-mib`` random bytes (1024; 128 with ``--quick``) is made in
the run's temporary data directory, on the same disk as the evidence store, and
read once so that the page cache holds it for every measurement.

Baseline, in the same run: one pass over the file in 1 MiB reads, each chunk
updating ``hashlib.sha256()`` and ``hashlib.new("sm3")`` (best of two).
Product: ``zhifa.ledger.services.file_store(actor=None, ...)`` with the local
evidence backend in the same data directory and a fresh SQLite database. It
also computes a SHA-256 per chunk, copies the bytes into the store, fsyncs the
object and its directory, and writes its row and ledger entry.

Each measurement runs in its own child process, which reports its peak resident
memory (``VmHWM``) and how much it grew during the measurement (the peak is
reset after Django's start-up), so the figures of one do not include the other.
With ``--splits`` the product's parts are also timed on their own:
``digest_stream`` without a copy, and with the copy into an incoming file (no
fsync).

Target (issue 4): throughput ≥ 80 % of the baseline's; memory flat.

    .venv/bin/python bench/evidence_store.py [--quick] [--size-mib N] [--splits]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import _common

MIB = 1024 * 1024
CHUNK = MIB
TARGET_RATIO = 0.80
# Memory is "flat" when a measurement grows the process by less than this,
# whatever the file's size (a few chunks in flight, the hash states).
FLAT_MIB = 64


def _vm(field: str) -> int:
    """A memory figure of this process from /proc, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _read_through(path: Path) -> None:
    """Bring the file into the page cache (and leave nothing dirty behind)."""
    with open(path, "rb") as f:
        while f.read(8 * MIB):
            pass


def _baseline(path: Path) -> dict:
    sha = hashlib.sha256()
    sm3 = hashlib.new("sm3")
    started = time.perf_counter()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            sm3.update(chunk)
    return {"seconds": time.perf_counter() - started, "sha256": sha.hexdigest()}


def _product(path: Path) -> dict:
    from zhifa.ledger.services import file_store

    started = time.perf_counter()
    with open(path, "rb") as f:
        stored = file_store(actor=None, stream=f, original_name="big.bin")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "sha256": stored.sha256, "sm3": stored.sm3, "size": stored.size}


def _digest(path: Path, *, copy: bool) -> dict:
    from zhifa.ledger import evidence

    started = time.perf_counter()
    with open(path, "rb") as f:
        if copy:
            with evidence.backend().incoming() as sink:
                digests = evidence.digest_stream(f, sink)
                sink.flush()
        else:
            digests = evidence.digest_stream(f)
    return {"seconds": time.perf_counter() - started, "sha256": digests.sha256}


def _reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux >= 4.0), so the peak is the
    measurement's, not Django's start-up."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def child(mode: str, path: Path) -> None:
    if mode != "baseline":
        import django

        django.setup()
        from zhifa.ledger import evidence, services  # noqa: F401  (imports outside the timing)
    _reset_peak()
    before = _vm("VmRSS")
    hwm_before = _vm("VmHWM")
    if mode == "baseline":
        result = _baseline(path)
    elif mode == "product":
        result = _product(path)
    elif mode == "digest":
        result = _digest(path, copy=False)
    elif mode == "digest+copy":
        result = _digest(path, copy=True)
    else:
        raise SystemExit(f"unknown mode {mode}")
    result.update(
        rss_start_mib=before / MIB,
        hwm_start_mib=hwm_before / MIB,
        peak_mib=_vm("VmHWM") / MIB,
    )
    print(json.dumps(result))


def measure(mode: str, path: Path) -> dict:
    os.sync()  # no writeback of earlier work during the measurement
    _read_through(path)
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["growth_mib"] = result["peak_mib"] - result["hwm_start_mib"]
    return result


def make_file(path: Path, size: int) -> None:
    with open(path, "wb") as out:
        left = size
        while left > 0:
            n = min(8 * MIB, left)
            out.write(os.urandom(n))
            left -= n
        out.flush()
        os.fsync(out.fileno())


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
        return
    p = _common.parser(__doc__.splitlines()[0], backends=False)
    p.add_argument("--size-mib", type=int, help="file size (default 1024; 128 with --quick)")
    p.add_argument("--splits", action="store_true", help="also time the product's parts")
    args = p.parse_args()
    size = (args.size_mib or (128 if args.quick else 1024)) * MIB

    os.environ["ZHIFA_EVIDENCE_BACKEND"] = "local"
    data_dir = _common.setup_django("sqlite")
    from django.db import connections

    connections.close_all()
    try:
        source = data_dir / "big.bin"
        print(f"[evidence_store] making {size // MIB} MiB file in {data_dir}", file=sys.stderr)
        make_file(source, size)
        baselines = [measure("baseline", source) for _ in range(2)]
        base = min(baselines, key=lambda r: r["seconds"])
        product = measure("product", source)
        assert product["size"] == size and product["sha256"] == base["sha256"], product
        stored = data_dir / "evidence" / product["sha256"][:2] / product["sha256"]
        assert stored.stat().st_size == size, "the evidence object is missing"
        splits = {}
        if args.splits:
            splits = {mode: measure(mode, source) for mode in ("digest", "digest+copy")}
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    mb = size / 1e6
    ratio = base["seconds"] / product["seconds"]
    flat = product["growth_mib"] < FLAT_MIB
    row = {
        "size_mib": size // MIB,
        "hashlib_s": base["seconds"],
        "hashlib_MBps": mb / base["seconds"],
        "hashlib_runs_s": [r["seconds"] for r in baselines],
        "file_store_s": product["seconds"],
        "file_store_MBps": mb / product["seconds"],
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "throughput_met": ratio >= TARGET_RATIO,
        "baseline_peak_rss_mib": base["peak_mib"],
        "baseline_rss_growth_mib": base["growth_mib"],
        "product_start_rss_mib": product["hwm_start_mib"],
        "product_peak_rss_mib": product["peak_mib"],
        "product_rss_growth_mib": product["growth_mib"],
        "memory_flat": flat,
        "splits": {
            mode: {"seconds": r["seconds"], "MBps": mb / r["seconds"], "peak_mib": r["peak_mib"]}
            for mode, r in splits.items()
        },
    }
    headers = [
        "size",
        "hashlib SHA-256+SM3 s (MB/s)",
        "file_store s (MB/s)",
        "× hashlib",
        "target ≥ 0.80",
        "peak RSS MiB baseline / product (growth)",
        "memory flat",
    ]
    cells = [
        f"{size // MIB} MiB",
        f"{base['seconds']:.2f} ({row['hashlib_MBps']:.0f})",
        f"{product['seconds']:.2f} ({row['file_store_MBps']:.0f})",
        f"{ratio:.2f}",
        "met" if ratio >= TARGET_RATIO else "NOT met",
        f"{base['peak_mib']:.0f} (+{base['growth_mib']:.0f}) / "
        f"{product['peak_mib']:.0f} (+{product['growth_mib']:.0f})",
        f"{'yes' if flat else 'NO'} (< {FLAT_MIB} MiB growth)",
    ]
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    print("| " + " | ".join(cells) + " |")
    for mode, r in row["splits"].items():
        print(f"  split {mode}: {r['seconds']:.2f} s ({r['MBps']:.0f} MB/s)", file=sys.stderr)
    out = {"benchmark": "evidence_store", "quick": args.quick, "machine": _common.machine()}
    out["result"] = row
    print(f"results: {_common.save('evidence_store', out)}")


if __name__ == "__main__":
    main()
