"""Chunked upload of an audio-video record: server memory and throughput against cp.

A file of ``--size-mib`` (1 GiB; 64 MiB with ``--quick``) is made: a real
one-second H.264 MP4 (``moov`` first) padded with random bytes, so that the
server's type check and ffprobe accept it. The in-run baseline is ``cp`` of the
same file on the same disk (also shown with ``sync``). The product then runs as
it would serve: ``zhifa runserver --noreload`` in a child process, DEBUG off,
against a fresh SQLite database in a temporary data directory (the upload's
temporary file, the evidence store and the source file all on that disk). The
file is uploaded over HTTP in ``--chunk-mib`` pieces (8 MiB) through
``/api/v1/media-uploads/`` (declare, PUT each piece, complete); completion
sniffs the type, runs ffprobe and ffmpeg, and stores the file through
``ledger.services.file_store`` (SHA-256 + SM3 + per-chunk SHA-256, fsync).

Reported: the server process' peak resident memory (``VmHWM`` from /proc; the
ffprobe and ffmpeg children are separate processes), the time of the pieces and
of the completion, and end-to-end throughput as a fraction of cp's.
Targets: peak < 200 MiB, throughput ≥ 70 % of cp.

    .venv/bin/python bench/media_upload.py [--quick] [--size-mib N] [--chunk-mib N]
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import _common

MIB = 1024 * 1024
TARGET_PEAK_MIB = 200
TARGET_RATIO = 0.70


# Django's development server (wsgiref, threaded) serving the real WSGI
# application, with one change: TCP_NODELAY on each connection. wsgiref writes
# the status line, each of two headers and the header block as separate small
# sends; with Nagle's algorithm on, each waits for the client's delayed ACK
# (40 ms on Linux), which costs ~90 ms per request on loopback and says nothing
# about the upload. Production servers (gunicorn, uWSGI) write one buffer.
SERVER = """
import sys, django
django.setup()
from socketserver import ThreadingMixIn
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.wsgi import get_wsgi_application

class Handler(WSGIRequestHandler):
    disable_nagle_algorithm = True

class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True

httpd = Server(("127.0.0.1", int(sys.argv[1])), Handler)
httpd.set_app(get_wsgi_application())
httpd.serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm(pid: int, field: str) -> int:
    """A memory figure of ``pid`` from /proc, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def make_file(path: Path, size: int) -> None:
    head = path.with_suffix(".head.mp4")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=320x240:rate=10",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            str(head),
        ],
        check=True,
    )
    with open(path, "wb") as out:
        out.write(head.read_bytes())
        left = size - out.tell()
        while left > 0:
            n = min(8 * MIB, left)
            out.write(os.urandom(n))
            left -= n
        out.flush()
        os.fsync(out.fileno())
    head.unlink()


def time_cp(source: Path, *, sync: bool) -> float:
    target = source.with_name("cp-copy.bin")
    os.sync()  # start from a clean page cache: no writeback of earlier files meanwhile
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    if sync:
        with open(target, "rb") as f:
            os.fsync(f.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def prepare_case() -> tuple[str, str, int]:
    """A county, a team and an open case, through the services; a logged-in
    session for the lead officer. Returns (session cookie, CSRF secret, case id)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    from zhifa.accounts.services import sysadmin_create
    from zhifa.cases.testing import open_case, team
    from zhifa.core.testing import PASSWORD, Builder

    build = Builder(sysadmin_create(actor=None, username="root", password=PASSWORD))
    county = build.county()
    t = team(build, county.market)
    case = open_case(t)
    user = t.lead
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.set_expiry(timedelta(hours=2))
    session.create()
    return session.session_key, _get_new_csrf_string(), case.pk


class Client:
    def __init__(self, port: int, session: str, csrf: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600, blocksize=MIB)
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Accept": "application/json",
        }

    def call(self, method: str, path: str, body: bytes | None = None, **headers) -> dict:
        self.conn.request(method, path, body=body, headers={**self.headers, **headers})
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:500]!r}")
        return json.loads(payload) if payload else {}


def wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("runserver exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("runserver did not start")


def upload(client: Client, case_id: int, source: Path, chunk: int) -> dict:
    from django.utils import timezone

    size = source.stat().st_size
    declared = {
        "case": case_id,
        "filename": "现场检查录像.mp4",
        "size": size,
        "captured_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "place": "示范县城关镇",
        "author": "执法员1",
        "device": "JLY-001",
        "is_continuous": True,
        "production_method": "执法记录仪现场录制，原始文件导出",
        "proves": "现场检查过程",
    }
    started = time.perf_counter()
    session = client.call(
        "POST",
        "/api/v1/media-uploads/",
        json.dumps(declared).encode(),
        **{"Content-Type": "application/json"},
    )
    path = f"/api/v1/media-uploads/{session['id']}/"
    with open(source, "rb") as f:
        offset = 0
        while offset < size:
            piece = f.read(chunk)
            answer = client.call(
                "PUT",
                path,
                piece,
                **{
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{size}",
                },
            )
            offset = answer["offset"]
    pieces_done = time.perf_counter()
    item = client.call("POST", path + "complete/")
    done = time.perf_counter()
    assert item["size"] == size and item["duration_seconds"], item
    return {
        "pieces_s": pieces_done - started,
        "complete_s": done - pieces_done,
        "total_s": done - started,
        "item": item["id"],
        "sha256": item["sha256"],
    }


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0], backends=False)
    p.add_argument("--size-mib", type=int, help="file size (default 1024; 64 with --quick)")
    p.add_argument("--chunk-mib", type=int, default=8)
    p.add_argument(
        "--server",
        choices=["wsgiref", "runserver"],
        default="wsgiref",
        help="wsgiref: the development server with TCP_NODELAY (default); "
        "runserver: `zhifa runserver` as it is",
    )
    args = p.parse_args()
    size = (args.size_mib or (64 if args.quick else 1024)) * MIB
    chunk = args.chunk_mib * MIB

    data_dir = _common.setup_django("sqlite")
    session, csrf, case_id = prepare_case()
    from django.db import connections

    connections.close_all()

    source = data_dir / "source.mp4"
    print(f"[media_upload] making {size // MIB} MiB file in {data_dir}", file=sys.stderr)
    make_file(source, size)
    cp_s = min(time_cp(source, sync=False) for _ in range(2))
    cp_sync_s = time_cp(source, sync=True)

    port = _free_port()
    env = {
        **os.environ,
        "ZHIFA_HTTPS": "0",
        "ZHIFA_ALLOWED_HOSTS": "127.0.0.1",
        "ZHIFA_LOG_LEVEL": "WARNING",
    }
    command = (
        [sys.executable, "-m", "zhifa", "runserver", "--noreload", f"127.0.0.1:{port}"]
        if args.server == "runserver"
        else [sys.executable, "-c", SERVER, str(port)]
    )
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, server)
        client = Client(port, session, csrf)
        client.call("GET", "/api/v1/media/")  # loads the URLs, views and templates once
        idle_rss = _vm(server.pid, "VmRSS")
        os.sync()
        result = upload(client, case_id, source, chunk)
        peak = _vm(server.pid, "VmHWM")
    finally:
        server.terminate()
        try:
            _, err = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    stored = list((data_dir / "evidence").glob(f"*/{result['sha256']}"))
    assert stored and stored[0].stat().st_size == size, "the evidence object is missing"

    mb = size / 1e6
    ratio = cp_s / result["total_s"]
    row = {
        "size_mib": size // MIB,
        "chunk_mib": chunk // MIB,
        "cp_s": cp_s,
        "cp_MBps": mb / cp_s,
        "cp_sync_s": cp_sync_s,
        "pieces_s": result["pieces_s"],
        "pieces_MBps": mb / result["pieces_s"],
        "complete_s": result["complete_s"],
        "total_s": result["total_s"],
        "total_MBps": mb / result["total_s"],
        "ratio_to_cp": ratio,
        "ratio_to_cp_sync": cp_sync_s / result["total_s"],
        "server_idle_rss_mib": idle_rss / MIB,
        "server_peak_rss_mib": peak / MIB,
    }
    headers = [
        "size",
        "chunk",
        "cp s (MB/s)",
        "cp+sync s",
        "pieces s (MB/s)",
        "complete s",
        "total s (MB/s)",
        "× cp",
        "server RSS idle → peak MiB",
        "targets",
    ]
    met = (
        f"peak {'met' if peak / MIB < TARGET_PEAK_MIB else 'NOT met'}, "
        f"throughput {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    cells = [
        f"{row['size_mib']} MiB",
        f"{row['chunk_mib']} MiB",
        f"{cp_s:.2f} ({row['cp_MBps']:.0f})",
        f"{cp_sync_s:.2f}",
        f"{row['pieces_s']:.2f} ({row['pieces_MBps']:.0f})",
        f"{row['complete_s']:.2f}",
        f"{row['total_s']:.2f} ({row['total_MBps']:.0f})",
        f"{ratio:.2f}",
        f"{row['server_idle_rss_mib']:.0f} → {row['server_peak_rss_mib']:.0f}",
        met,
    ]
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    print("| " + " | ".join(cells) + " |")
    out = {"benchmark": "media_upload", "quick": args.quick, "machine": _common.machine()}
    row["server"] = args.server
    out["result"] = row
    print(f"results: {_common.save('media_upload', out)}")
    shutil.rmtree(data_dir, ignore_errors=True)
    if err and server.returncode not in (0, -15):
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
