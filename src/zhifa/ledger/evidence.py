"""The evidence store: content-addressed, write-once storage for evidence files
(REC-05, REC-11).

A file is read once, in chunks of ``ZHIFA_EVIDENCE_CHUNK_BYTES``: each chunk
updates the file's SHA-256 and SM3, gets its own SHA-256 (so that damage can be
located later) and is written to an unnamed incoming file, so memory stays flat
whatever the file's size. Only then, under its SHA-256, is the file placed in a
backend:

- ``LocalBackend``: a directory, objects at ``sha256[:2]/sha256``, read-only,
  never overwritten;
- ``S3Backend``: S3-compatible object storage, each object under Object Lock in
  compliance mode where the bucket has Object Lock enabled.

``zhifa.ledger.services.file_store`` records the file and its ledger entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@dataclass
class Digests:
    """What one pass over a file computed."""

    sha256: str
    sm3: str
    size: int
    chunk_size: int
    chunk_sha256: list[str] = field(default_factory=list)


def read_chunk(stream: BinaryIO, chunk_size: int) -> bytes:
    """The next ``chunk_size`` bytes (fewer only at the end). A stream may return
    short reads (sockets, uploads), but chunk boundaries must not depend on that,
    or the same content would get different chunk digests."""
    data = stream.read(chunk_size)
    if not data or len(data) == chunk_size:
        return data or b""
    parts = [data]
    missing = chunk_size - len(data)
    while missing:
        more = stream.read(missing)
        if not more:
            break
        parts.append(more)
        missing -= len(more)
    return b"".join(parts)


def digest_stream(
    stream: BinaryIO, sink: BinaryIO | None = None, chunk_size: int | None = None
) -> Digests:
    """Hash ``stream`` in one pass (SHA-256, SM3 and per-chunk SHA-256), copying
    it into ``sink`` as it goes. Holds one chunk in memory at a time."""
    chunk_size = chunk_size or settings.ZHIFA_EVIDENCE_CHUNK_BYTES
    whole = hashlib.sha256()
    sm3 = hashlib.new("sm3")
    chunks: list[str] = []
    size = 0
    # SM3 is the slowest step (about a quarter of SHA-256's speed) and hashlib
    # releases the GIL while hashing, so it runs on a second thread while this
    # one reads, hashes with SHA-256 and writes. Waiting for the previous chunk
    # before handing over the next keeps SM3's input in order and at most two
    # chunks in memory.
    #
    # The store fsyncs the copy before placing it. Left to the end, writing a
    # large file back to disk would follow the hashing instead of overlapping
    # it, so a third thread asks for write-back every ``_FLUSH_EVERY`` bytes
    # (waiting on the disk, not the CPU); the final fsync then has little left.
    flush_fd = _flushable(sink)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sm3") as worker,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="flush") as flusher,
    ):
        pending: Future | None = None
        flushing: Future | None = None
        unflushed = 0
        while chunk := read_chunk(stream, chunk_size):
            if pending is not None:
                pending.result()
            pending = worker.submit(sm3.update, chunk)
            whole.update(chunk)
            chunks.append(hashlib.sha256(chunk).hexdigest())
            if sink is not None:
                _write_all(sink, chunk)
                unflushed += len(chunk)
                idle = flushing is None or flushing.done()
                if flush_fd is not None and unflushed >= _FLUSH_EVERY and idle:
                    sink.flush()
                    flushing = flusher.submit(os.fdatasync, flush_fd)
                    unflushed = 0
            size += len(chunk)
        if pending is not None:
            pending.result()
        if flushing is not None:
            flushing.result()
    return Digests(whole.hexdigest(), sm3.hexdigest(), size, chunk_size, chunks)


_FLUSH_EVERY = 64 * 1024 * 1024


def _write_all(sink: BinaryIO, data: bytes) -> None:
    """Write ``data`` whole; an unbuffered file may take it in parts."""
    view = memoryview(data)
    while view:
        written = sink.write(view)
        view = view[written if written is not None else len(view) :]


def _flushable(sink: BinaryIO | None) -> int | None:
    """The descriptor of a sink that is a real file, which can be written back early."""
    if sink is None:
        return None
    try:
        fd = sink.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return fd if hasattr(os, "fdatasync") else None


def object_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


class Backend(Protocol):
    """Where evidence objects live. Objects are written once and never replaced."""

    name: str

    def incoming(self) -> BinaryIO:
        """A writable file for the bytes being received. It has no name a crash
        could leave behind where the platform allows (O_TMPFILE)."""

    def place(self, incoming: BinaryIO, key: str, *, content_type: str) -> bool:
        """Store the incoming file under ``key``; False if an object was already
        there (it is kept, never overwritten)."""

    def open(self, key: str) -> BinaryIO:
        """The object for reading; ``FileNotFoundError`` when it is gone."""

    def discard(self, key: str) -> None:
        """Remove an object just placed whose record did not commit."""


class LocalBackend:
    name = "local"

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = Path(directory or settings.ZHIFA_EVIDENCE_DIR)

    def path_for(self, key: str) -> Path:
        return self.directory / key

    def incoming(self) -> BinaryIO:
        # In the store's own directory, so that placing it is a link on the same
        # file system, never a copy.
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.directory, os.O_TMPFILE | os.O_RDWR, 0o600)
        except (AttributeError, OSError):
            # No O_TMPFILE here: a named file, which close() removes again. A
            # crash can leave it behind; its name marks it as never placed.
            return tempfile.NamedTemporaryFile(dir=self.directory, prefix=".incoming-")
        # Unbuffered: chunks of a MiB gain nothing from a buffer in between, and
        # the extra copy through it costs kernel and CPU time on a large file.
        return os.fdopen(fd, "w+b", buffering=0)

    def place(self, incoming: BinaryIO, key: str, *, content_type: str) -> bool:
        incoming.flush()
        os.fsync(incoming.fileno())
        os.fchmod(incoming.fileno(), 0o444)
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        name = getattr(incoming, "name", None)
        source = name if isinstance(name, str) else f"/proc/self/fd/{incoming.fileno()}"
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            # link(), unlike rename(), fails when the target exists: no window in
            # which an existing object could be replaced. Naming the directory
            # by descriptor makes Python call linkat(), which can follow the
            # /proc link of an unnamed file.
            os.link(source, target.name, dst_dir_fd=directory, follow_symlinks=True)
        except FileExistsError:
            return False
        else:
            os.fsync(directory)  # the new name survives a power cut
        finally:
            os.close(directory)
        return True

    def open(self, key: str) -> BinaryIO:
        return open(self.path_for(key), "rb")

    def discard(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(key).unlink()


class S3Backend:
    name = "s3"

    def __init__(self, client=None, bucket: str | None = None) -> None:
        self.bucket = bucket or settings.ZHIFA_EVIDENCE_S3_BUCKET
        if not self.bucket:
            raise ImproperlyConfigured("未配置证据存储桶（ZHIFA_EVIDENCE_S3_BUCKET）。")
        self.client = client or _s3_client()
        self._locking: bool | None = None

    def object_lock_enabled(self) -> bool:
        """Whether the bucket has Object Lock; asked once per backend."""
        if self._locking is None:
            from botocore.exceptions import ClientError

            try:
                answer = self.client.get_object_lock_configuration(Bucket=self.bucket)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ObjectLockConfigurationNotFoundError":
                    raise
                self._locking = False
            else:
                config = answer.get("ObjectLockConfiguration", {})
                self._locking = config.get("ObjectLockEnabled") == "Enabled"
        return self._locking

    def incoming(self) -> BinaryIO:
        # TemporaryFile is unnamed on Linux (O_TMPFILE), unlinked at once elsewhere.
        return tempfile.TemporaryFile()

    def place(self, incoming: BinaryIO, key: str, *, content_type: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return False
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
                raise
        extra = {"ContentType": content_type or "application/octet-stream"}
        if self.object_lock_enabled():
            days = settings.ZHIFA_EVIDENCE_OBJECT_LOCK_DAYS
            extra["ObjectLockMode"] = "COMPLIANCE"
            extra["ObjectLockRetainUntilDate"] = timezone.now() + timedelta(days=days)
        incoming.seek(0)
        self.client.upload_fileobj(incoming, self.bucket, key, ExtraArgs=extra)
        return True

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(key) from exc
            raise

    def discard(self, key: str) -> None:
        # Under Object Lock this only adds a delete marker: the locked version
        # itself stays until its retention ends, as compliance mode intends.
        self.client.delete_object(Bucket=self.bucket, Key=key)


def _s3_client():
    try:
        import boto3  # only installations using S3 need it (the ``s3`` extra)
    except ImportError as exc:
        message = "使用 S3 证据存储需要安装 boto3（pip install 'zhifa[s3]'）。"
        raise ImproperlyConfigured(message) from exc
    return boto3.client(
        "s3",
        endpoint_url=settings.ZHIFA_S3_ENDPOINT_URL,
        region_name=settings.ZHIFA_S3_REGION,
        aws_access_key_id=settings.ZHIFA_S3_ACCESS_KEY,
        aws_secret_access_key=settings.ZHIFA_S3_SECRET_KEY,
    )


def backend(name: str | None = None) -> Backend:
    """The backend called ``name``, or the configured one for new files."""
    name = name or settings.ZHIFA_EVIDENCE_BACKEND
    if name == "local":
        return LocalBackend()
    if name == "s3":
        return S3Backend()
    raise ImproperlyConfigured(f"未知的证据存储方式：{name!r}（只能是 local 或 s3）。")
