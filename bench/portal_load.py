"""Load on the portal's decision list (PUB-12; issue: ≥ 200 requests/s under 32
concurrent clients on loopback, p95 < 250 ms, on the 2-core machine).

The product is served as docs/operations.md deploys it — gunicorn with
``--workers W`` sync workers (default 4, as documented; ``ZHIFA_DEBUG=0``,
WhiteNoise) — over a database holding N published decisions made by ``zhifa
demo --no-cases --decisions N`` (or a SQLite database already filled that way,
``--data-dir``). 32 clients (asyncio, one connection per request, as gunicorn's
sync workers close each one) request, in turn, the first page of the list, its
second page, the penalty category and one agency's list, for a bounded time after
a warm-up. Reported: requests/s, p50/p95/p99 latency, errors, per URL kind.
Baseline in the same run: a static file (``/static/core/zhifa.css``, served by
WhiteNoise through the same workers) under the same load for 5 s — what the server,
the client and the machine alone allow.

    .venv/bin/python bench/portal_load.py [--quick] [--n N] [--backend sqlite|postgresql|all]
        [--data-dir DIR] [--clients 32] [--seconds 20] [--workers 4]
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import _common

TARGET_RPS = 200.0
TARGET_P95_MS = 250.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _get(port: int, path: str) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Accept-Language: zh-CN\r\n\r\n".encode()
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, len(data)


async def _load(
    port: int, paths: list[tuple[str, str]], clients: int, warmup: float, seconds: float
):
    samples: list[tuple[str, float, int]] = []
    measuring = False
    stop_at = time.perf_counter() + warmup + seconds

    async def client(k: int):
        i = k
        while time.perf_counter() < stop_at:
            kind, path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _size = await _get(port, path)
            except OSError:
                status = 0
            if measuring:
                samples.append((kind, (time.perf_counter() - started) * 1000, status))

    async def clock():
        nonlocal measuring
        await asyncio.sleep(warmup)
        measuring = True
        began = time.perf_counter()
        await asyncio.sleep(seconds)
        return began

    tasks = [asyncio.create_task(client(k)) for k in range(clients)]
    began = await clock()
    ended = time.perf_counter()
    measuring = False
    await asyncio.gather(*tasks)
    return samples, ended - began


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _summary(samples, elapsed: float) -> dict:
    ok = [ms for _, ms, status in samples if status == 200]
    out = {
        "requests": len(samples),
        "errors": sum(1 for _, _, status in samples if status != 200),
        "rps": round(len(ok) / elapsed, 1),
        "p50_ms": round(_pct(ok, 0.5), 1),
        "p95_ms": round(_pct(ok, 0.95), 1),
        "p99_ms": round(_pct(ok, 0.99), 1),
        "by_kind": {},
    }
    for kind in sorted({k for k, _, _ in samples}):
        mine = [ms for k, ms, status in samples if k == kind and status == 200]
        out["by_kind"][kind] = {
            "n": len(mine),
            "p50_ms": round(_pct(mine, 0.5), 1),
            "p95_ms": round(_pct(mine, 0.95), 1),
        }
    return out


def _serve(port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = dict(os.environ, ZHIFA_ALLOWED_HOSTS="127.0.0.1", ZHIFA_HTTPS="0")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "zhifa.conf.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "512",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/decisions/", timeout=10) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not answer within 60 s")


def _one_backend(backend: str, args) -> dict:
    if args.data_dir:
        _common.use_data_dir(args.data_dir)
    else:
        _common.setup_django(backend)
    from django.core.management import call_command

    from zhifa.accounts.models import Agency
    from zhifa.disclosures import selectors

    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    if not args.data_dir:
        import io

        call_command("demo", "--no-cases", "--decisions", str(args.n), stdout=io.StringIO())
    fill_s = time.perf_counter() - started
    n = selectors.published().filter(kind="decision").count()
    agency = Agency.objects.filter(disclosures__isnull=False).order_by("pk").first()
    from django.db import connections

    connections.close_all()  # the server's workers open their own
    paths = [
        ("first page", "/decisions/"),
        ("page 2", "/decisions/?page=2"),
        ("penalty", "/decisions/?category=penalty"),
        ("agency", f"/decisions/?agency={agency.pk}"),
    ]
    port = _free_port()
    server = _serve(port, args.workers)
    try:
        warmup = 2.0 if args.quick else 5.0
        samples, elapsed = asyncio.run(_load(port, paths, args.clients, warmup, args.seconds))
        result = _summary(samples, elapsed)
        static, static_elapsed = asyncio.run(
            _load(port, [("static", "/static/core/zhifa.css")], args.clients, 1.0, 5.0)
        )
        baseline = _summary(static, static_elapsed)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if not args.data_dir:
        _common.teardown_django(backend)
    result.update(
        decisions=n,
        fill_s=round(fill_s, 1) if not args.data_dir else None,
        clients=args.clients,
        seconds=round(elapsed, 1),
        workers=args.workers,
        static_rps=baseline["rps"],
        static_p95_ms=baseline["p95_ms"],
        meets_target=result["rps"] >= TARGET_RPS
        and result["p95_ms"] < TARGET_P95_MS
        and result["errors"] == 0,
    )
    return result


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument(
        "--data-dir",
        help="serve the database of this ZHIFA_DATA_DIR (or, with BENCH_DATABASE_URL, that "
        "PostgreSQL database), already filled by "
        "`zhifa demo --no-cases --decisions N`",
    )
    args = p.parse_args()
    if args.quick:
        args.n = 20_000 if args.n == 1_000_000 else args.n
        args.seconds = min(args.seconds, 5.0)
    if args.data_dir:
        args.backend = _common.existing_backend()
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(_one_backend(args.backend, args), handle)
        return
    extra = ["--n", str(args.n), "--clients", str(args.clients)]
    extra += ["--seconds", str(args.seconds), "--workers", str(args.workers)]
    if args.data_dir:
        extra += ["--data-dir", args.data_dir]
    results = _common.run_backends("portal_load.py", args, extra=extra)
    headers = ["backend", "decisions", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    headers += ["static req/s", "target met"]
    rows = [
        [
            backend,
            r.get("decisions", "-"),
            r.get("rps", "-"),
            r.get("p50_ms", "-"),
            r.get("p95_ms", "-"),
            r.get("p99_ms", "-"),
            r.get("errors", "-"),
            r.get("static_rps", "-"),
            r.get("meets_target", r.get("skipped", "-")),
        ]
        for backend, r in results.items()
    ]
    print(_common.table(rows, headers))
    print(_common.save("portal_load", {"machine": _common.machine(), "results": results}))


if __name__ == "__main__":
    sys.exit(main())
