"""Shared plumbing for the benchmarks: a fresh database per run, machine facts,
a small table on stdout and a JSON file under bench/results/.

Settings are read once per process, so a script that measures both SQLite and
PostgreSQL runs itself once per backend (``--backend``) and merges the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "zhifa_bench")
BACKENDS = ("sqlite", "postgresql")


def parser(description: str, *, backends: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes, under 30 s")
    if backends:
        p.add_argument("--backend", choices=[*BACKENDS, "all"], default="all")
        p.add_argument("--json-out", help=argparse.SUPPRESS)  # used by the per-backend child
    return p


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    try:
        import django

        info["django"] = django.get_version()
    except ImportError:
        pass
    info["postgresql"] = _pg_scalar("SHOW server_version") or "unavailable"
    return info


def _pg_admin():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)


def _pg_scalar(sql: str) -> str | None:
    try:
        with _pg_admin() as conn:
            return str(conn.execute(sql).fetchone()[0])
    except Exception:
        return None


def pg_available() -> bool:
    return _pg_scalar("SELECT 1") == "1"


def pg_settings() -> dict:
    names = ("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers")
    return {name: _pg_scalar(f"SHOW {name}") for name in names}


def setup_django(backend: str) -> Path:
    """Point Zhifa at a fresh database in a temporary data directory and migrate it."""
    data_dir = Path(tempfile.mkdtemp(prefix="zhifa-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhifa.conf.settings"
    os.environ["ZHIFA_DATA_DIR"] = str(data_dir)
    # Production-like: DEBUG off (no query log), so a throwaway secret key.
    os.environ["ZHIFA_DEBUG"] = "0"
    os.environ["ZHIFA_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ZHIFA_LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if backend == "postgresql":
        if PG_DATABASE == "test":
            raise SystemExit("refusing to use the database 'test'")
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return data_dir


# An existing PostgreSQL database filled beforehand, measured with ``--data-dir``.
EXISTING_PG = os.environ.get("BENCH_DATABASE_URL", "")


def existing_backend() -> str:
    """The backend that ``--data-dir`` measures: PostgreSQL when
    ``BENCH_DATABASE_URL`` names a filled database, else the directory's SQLite."""
    return "postgresql" if EXISTING_PG else "sqlite"


def use_data_dir(path: str) -> None:
    """Point Zhifa at the database of an existing data directory (filled
    beforehand, e.g. by ``zhifa demo --decisions N``) — its SQLite file, or the
    PostgreSQL database of ``BENCH_DATABASE_URL`` — with the same settings as
    ``setup_django``; nothing is migrated, filled or dropped."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhifa.conf.settings"
    os.environ["ZHIFA_DATA_DIR"] = str(Path(path).resolve())
    os.environ["ZHIFA_DEBUG"] = "0"
    os.environ["ZHIFA_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ZHIFA_LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if EXISTING_PG:
        os.environ["DATABASE_URL"] = EXISTING_PG
    import django

    django.setup()


def teardown_django(backend: str) -> None:
    from django.db import connections

    connections.close_all()
    if backend == "postgresql":
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def run_backends(script: str, args: argparse.Namespace, extra: list[str] | None = None) -> dict:
    """Run ``script`` once per backend in a child process; return {backend: results}."""
    wanted = BACKENDS if args.backend == "all" else (args.backend,)
    out: dict = {}
    for backend in wanted:
        if backend == "postgresql" and not pg_available():
            print(f"[{script}] PostgreSQL at {PG_SERVER} unreachable: skipped", file=sys.stderr)
            out[backend] = {"skipped": f"PostgreSQL at {PG_SERVER} unreachable"}
            continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            path = handle.name
        cmd = [sys.executable, str(BENCH_DIR / script), "--backend", backend, "--json-out", path]
        if args.quick:
            cmd.append("--quick")
        cmd += extra or []
        started = time.perf_counter()
        subprocess.run(cmd, check=True)
        out[backend] = json.loads(Path(path).read_text())
        out[backend]["wall_s"] = round(time.perf_counter() - started, 1)
        os.unlink(path)
    return out


def save(name: str, payload: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def table(rows: list[list], headers: list[str]) -> str:
    cells = [[str(c) for c in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def median(values: list[float]) -> float:
    return statistics.median(values)


def payload_for(i: int) -> dict:
    """A payload of about the size of a real one (a case event with Chinese text)."""
    return {
        "case_no": f"示市监罚〔2026〕{i:06d}号",
        "stage": "立案审批",
        "party": "示范县某某食品有限公司",
        "uscc": "91330100MA2KXXXX0X",
        "officers": ["张三", "李四"],
        "amount": "5000.00",
        "note": "当事人经营超过保质期的食品，依据《食品安全法》第一百二十四条立案调查。",
        "n": i,
    }
