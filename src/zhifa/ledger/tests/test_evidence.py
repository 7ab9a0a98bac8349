import hashlib
import io
import os
import random
import stat
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from zhifa.core.errors import InvalidInput
from zhifa.ledger import dbguard, evidence, services
from zhifa.ledger.models import LedgerEntry, StoredFile
from zhifa.ledger.selectors import entries_for, file_verify
from zhifa.ledger.services import file_store
from zhifa.ledger.tests.tampering import behind_the_guard

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-11")]

MiB = 1024 * 1024


def _content(size: int) -> bytes:
    # Random, not a repeated pattern: every chunk must differ, or a misplaced
    # chunk boundary could go unnoticed.
    return random.Random(size).randbytes(size)


def _store(actor, data: bytes, name="笔录.pdf", content_type="application/pdf"):
    return file_store(
        actor=actor, stream=io.BytesIO(data), original_name=name, content_type=content_type
    )


def _files_under(directory) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(directory):
        found += [os.path.relpath(os.path.join(root, f), directory) for f in files]
    return sorted(found)


class _ShortReads(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes a read, like a socket."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step, self._at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, n=-1) -> bytes:
        piece = self._data[self._at : self._at + min(n, self._step)]
        self._at += len(piece)
        return piece


class _Broken(io.RawIOBase):
    """Gives ``good`` bytes, then fails, as a dropped connection does. It notes
    what the evidence directory holds at that moment."""

    def __init__(self, good: int, directory) -> None:
        self._left, self._directory, self.seen = good, directory, None

    def readable(self) -> bool:
        return True

    def read(self, n=-1) -> bytes:
        if self._left == 0:
            self.seen = _files_under(self._directory)
            raise ConnectionResetError("客户端断开")
        piece = b"\x5a" * min(n, self._left)
        self._left -= len(piece)
        return piece


@pytest.mark.parametrize("size", [0, 1, MiB, MiB + 1, 3 * MiB + MiB // 2])
def test_digests_are_hashlibs_sha256_and_sm3_with_one_mib_chunks(sysadmin, size):
    data = _content(size)
    stored = _store(sysadmin, data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.sm3 == hashlib.new("sm3", data).hexdigest()
    assert (stored.size, stored.chunk_size) == (size, MiB)
    assert stored.chunk_sha256 == [
        hashlib.sha256(data[i : i + MiB]).hexdigest() for i in range(0, size, MiB)
    ]
    assert file_verify(stored) == []


def test_chunk_boundaries_do_not_depend_on_how_the_stream_reads():
    data = _content(2 * MiB + 12_345)
    assert evidence.digest_stream(_ShortReads(data, 70_001)) == evidence.digest_stream(
        io.BytesIO(data)
    )


def test_a_large_copy_is_written_back_while_it_is_hashed(tmp_path, monkeypatch):
    """The copy is fdatasync'd in the background as it grows, so the final fsync
    has little left; the digests and the copy are unchanged by it."""
    synced = []
    real = os.fdatasync
    monkeypatch.setattr(evidence, "_FLUSH_EVERY", 1024 * 1024)
    monkeypatch.setattr(evidence.os, "fdatasync", lambda fd: synced.append(fd) or real(fd))
    data = random.Random(3).randbytes(8 * 1024 * 1024 + 5)
    with evidence.LocalBackend(tmp_path).incoming() as sink:
        digests = evidence.digest_stream(io.BytesIO(data), sink, chunk_size=256 * 1024)
        sink.seek(0)
        assert sink.read() == data
    assert synced  # asked for after the first MiB, and again whenever the last one is done
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.sm3 == hashlib.new("sm3", data).hexdigest()
    assert len(digests.chunk_sha256) == 33


def test_a_stored_file_is_read_only_and_the_same_content_is_kept_once(sysadmin, settings):
    data = _content(MiB + 1)
    first = _store(sysadmin, data, name="现场照片.jpg", content_type="image/jpeg")
    path = evidence.LocalBackend().path_for(first.storage_key)
    assert first.storage_key == f"{first.sha256[:2]}/{first.sha256}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    if os.geteuid() != 0:  # root ignores permission bits
        with pytest.raises(PermissionError):
            open(path, "r+b")  # noqa: SIM115

    again = _store(sysadmin, data, name="另一个名字.jpg")
    assert again.pk == first.pk and again.original_name == "现场照片.jpg"
    assert StoredFile.objects.count() == 1
    # One object, and no incoming file left beside it.
    assert _files_under(settings.ZHIFA_EVIDENCE_DIR) == [first.storage_key]
    entries = list(entries_for(first).order_by("seq"))
    assert [e.action for e in entries] == ["file.store", "file.store"]
    assert [e.payload["already_stored"] for e in entries] == [False, True]


def test_the_ledger_entry_records_the_digests(sysadmin):
    data = _content(2 * MiB + 5)
    stored = _store(sysadmin, data)
    entry = entries_for(stored).get()
    assert (entry.action, entry.actor_id, entry.object_type) == (
        "file.store",
        sysadmin.pk,
        "ledger.storedfile",
    )
    assert entry.payload["sha256"] == stored.sha256
    assert entry.payload["sm3"] == stored.sm3
    assert (entry.payload["size"], entry.payload["chunks"]) == (len(data), 3)
    assert (stored.stored_by_id, stored.stored_by_name) == (sysadmin.pk, "root")


def test_stored_file_rows_cannot_be_changed_or_deleted(sysadmin):
    _store(sysadmin, b"evidence")
    with pytest.raises(DatabaseError), transaction.atomic():
        StoredFile.objects.update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        StoredFile.objects.all().delete()


def _corrupt(stored, offset: int) -> None:
    path = evidence.LocalBackend().path_for(stored.storage_key)
    os.chmod(path, 0o644)  # what someone with the server's account could do
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def test_a_changed_byte_is_located_to_its_chunk(sysadmin):
    data = _content(3 * MiB + MiB // 2)
    stored = _store(sysadmin, data)
    _corrupt(stored, 2 * MiB + 10)  # in the third chunk
    [finding] = file_verify(stored)
    assert (finding.kind, finding.chunk, finding.object) == ("changed", 3, stored.storage_key)
    assert finding.expected == stored.chunk_sha256[2]
    damaged = bytearray(data[2 * MiB : 3 * MiB])
    damaged[10] ^= 0x01
    assert finding.found == hashlib.sha256(damaged).hexdigest()
    assert "第 3 块" in finding.message


def test_a_shortened_object_is_located_to_its_first_missing_chunk(sysadmin):
    stored = _store(sysadmin, _content(2 * MiB + 1))
    path = evidence.LocalBackend().path_for(stored.storage_key)
    os.chmod(path, 0o644)
    os.truncate(path, 2 * MiB)
    [finding] = file_verify(stored)
    assert (finding.kind, finding.chunk, finding.found) == ("changed", 3, "")


def test_a_record_whose_digest_was_rewritten_is_found(sysadmin):
    stored = _store(sysadmin, b"instrument")
    behind_the_guard("UPDATE ledger_stored_file SET sm3 = %s", ["0" * 64])
    stored.refresh_from_db()
    [finding] = file_verify(stored)
    assert (finding.kind, finding.chunk) == ("changed", None)
    assert "记录摘要自相矛盾" in finding.message


def test_a_removed_object_is_reported_missing(sysadmin):
    stored = _store(sysadmin, b"audio")
    evidence.LocalBackend().path_for(stored.storage_key).unlink()
    [finding] = file_verify(stored)
    assert (finding.kind, finding.object, finding.chunk) == ("missing", stored.storage_key, None)


def test_storing_the_same_content_again_puts_back_a_lost_object(sysadmin):
    stored = _store(sysadmin, b"video")
    evidence.LocalBackend().path_for(stored.storage_key).unlink()
    _store(sysadmin, b"video")
    assert file_verify(stored) == []
    assert entries_for(stored).order_by("-seq").first().payload["restored"] is True


def test_a_stream_failing_midway_leaves_nothing(sysadmin, settings):
    before = LedgerEntry.objects.count()
    stream = _Broken(2 * MiB, settings.ZHIFA_EVIDENCE_DIR)
    with pytest.raises(ConnectionResetError):
        file_store(actor=sysadmin, stream=stream, original_name="录像.mp4", content_type="")
    # While the bytes were arriving the incoming file had no name: a process
    # killed at that moment leaves nothing in the store to clean up.
    assert stream.seen == []
    assert _files_under(settings.ZHIFA_EVIDENCE_DIR) == []
    assert StoredFile.objects.count() == 0
    assert LedgerEntry.objects.count() == before


def test_a_failure_after_placing_removes_the_object(sysadmin, settings, monkeypatch):
    def refuse(**kwargs):
        raise DatabaseError("台账不可用")

    monkeypatch.setattr(services, "entry_append", refuse)
    before = LedgerEntry.objects.count()
    with pytest.raises(DatabaseError):
        _store(sysadmin, _content(MiB + 7))
    assert _files_under(settings.ZHIFA_EVIDENCE_DIR) == []
    assert StoredFile.objects.count() == 0
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize("name", ["", "   ", "dir/", "x" * 256])
def test_bad_names_are_refused_and_change_nothing(sysadmin, settings, name):
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput):
        _store(sysadmin, b"data", name=name)
    assert StoredFile.objects.count() == 0
    assert LedgerEntry.objects.count() == before
    assert _files_under(settings.ZHIFA_EVIDENCE_DIR) == []


def test_a_path_in_the_name_is_reduced_to_the_file_name(sysadmin):
    assert _store(sysadmin, b"x", name="C:\\案卷\\决定书.pdf").original_name == "决定书.pdf"


def test_ledger_verify_names_the_damaged_file_and_chunk(sysadmin, capsys):
    stored = _store(sysadmin, _content(2 * MiB), name="处罚决定书.pdf")
    call_command("ledger", "verify")
    assert "台账完整" in capsys.readouterr().out
    _corrupt(stored, MiB + 1)
    with pytest.raises(CommandError, match=r"处罚决定书\.pdf.*第 2 块"):
        call_command("ledger", "verify")


def test_ledger_store_command(sysadmin, tmp_path, capsys):
    path = tmp_path / "询问笔录.pdf"
    path.write_bytes(_content(MiB + 3))
    call_command("ledger", "store", str(path), "--as", "root")
    stored = StoredFile.objects.get()
    assert (stored.original_name, stored.content_type) == ("询问笔录.pdf", "application/pdf")
    assert stored.sha256 in capsys.readouterr().out
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        call_command("ledger", "store", str(path), "--as", "nobody")
    with pytest.raises(CommandError, match="不存在"):
        call_command("ledger", "store", str(tmp_path / "none.pdf"), "--as", "root")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_postgresql_refuses_truncating_stored_files(sysadmin):
    _store(sysadmin, b"x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE ledger_stored_file CASCADE")


def test_flush_keeps_the_guard_on_stored_files():
    assert "ledger_stored_file" in dbguard.TABLES


# --- S3-compatible object storage (moto) --------------------------------------

BUCKET = "zhifa-evidence"


@pytest.fixture
def s3(settings):
    pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    settings.ZHIFA_EVIDENCE_BACKEND = "s3"
    settings.ZHIFA_EVIDENCE_S3_BUCKET = BUCKET
    settings.ZHIFA_S3_ENDPOINT_URL = None
    settings.ZHIFA_S3_REGION = "us-east-1"
    settings.ZHIFA_S3_ACCESS_KEY = settings.ZHIFA_S3_SECRET_KEY = "testing"
    settings.ZHIFA_EVIDENCE_OBJECT_LOCK_DAYS = 30
    with moto.mock_aws():
        yield evidence._s3_client()


def test_s3_objects_get_compliance_retention_and_cannot_be_deleted(sysadmin, s3):
    from botocore.exceptions import ClientError

    s3.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    data = _content(MiB + 100)
    stored = _store(sysadmin, data)
    assert stored.backend == "s3"
    head = s3.head_object(Bucket=BUCKET, Key=stored.storage_key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert timezone.now() + timedelta(days=29) < until < timezone.now() + timedelta(days=31)
    assert file_verify(stored) == []

    version = head["VersionId"]
    for bypass in (False, True):  # compliance mode: not even with governance bypass
        with pytest.raises(ClientError) as refused:
            s3.delete_object(
                Bucket=BUCKET,
                Key=stored.storage_key,
                VersionId=version,
                BypassGovernanceRetention=bypass,
            )
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    # A conditional overwrite is refused; the store itself never writes twice.
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=BUCKET, Key=stored.storage_key, Body=b"forged", IfNoneMatch="*")
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    _store(sysadmin, data)
    versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
    assert [v["VersionId"] for v in versions] == [version]


def test_s3_an_overwritten_object_is_found_and_the_locked_version_survives(sysadmin, s3):
    s3.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    stored = _store(sysadmin, _content(2 * MiB + 1))
    original = s3.head_object(Bucket=BUCKET, Key=stored.storage_key)["VersionId"]
    # An unconditional PUT adds a newer version (S3 cannot refuse it), which
    # verification reports; the locked original is still there to restore from.
    s3.put_object(Bucket=BUCKET, Key=stored.storage_key, Body=b"forged")
    [finding] = file_verify(stored)
    assert (finding.kind, finding.chunk) == ("changed", 1)
    body = s3.get_object(Bucket=BUCKET, Key=stored.storage_key, VersionId=original)["Body"]
    assert hashlib.sha256(body.read()).hexdigest() == stored.sha256


def test_s3_without_object_lock_stores_plainly_and_verify_finds_removal(sysadmin, s3):
    s3.create_bucket(Bucket=BUCKET)
    stored = _store(sysadmin, b"photo")
    assert "ObjectLockMode" not in s3.head_object(Bucket=BUCKET, Key=stored.storage_key)
    s3.delete_object(Bucket=BUCKET, Key=stored.storage_key)
    [finding] = file_verify(stored)
    assert finding.kind == "missing"


def test_s3_a_failed_record_hides_the_object_it_placed(sysadmin, s3, monkeypatch):
    s3.create_bucket(Bucket=BUCKET)

    def refuse(**kwargs):
        raise DatabaseError("台账不可用")

    monkeypatch.setattr(services, "entry_append", refuse)
    with pytest.raises(DatabaseError):
        _store(sysadmin, b"call recording")
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert StoredFile.objects.count() == 0
