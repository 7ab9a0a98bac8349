"""Test helpers: fill the ledger, and alter it the way someone holding the
database password would (guard triggers dropped, SQL run, guard restored)."""

import os
import stat
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction

from zhifa import ledger
from zhifa.ledger import dbguard


def append_events(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            ledger.append(actor=None, action="test.event", payload={"i": i})


def behind_the_guard(sql: str, params=()) -> None:
    with transaction.atomic():
        dbguard.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        dbguard.install(connection)


@contextmanager
def without_the_guard():
    """Run the body with the guard triggers dropped, inside a savepoint; they
    are put back afterwards (and a rollback puts them back too)."""
    with transaction.atomic():
        dbguard.remove(connection)
        yield
        dbguard.install(connection)


def chain_findings(report) -> list:
    """``ledger_verify``'s report as the findings ``ledger_audit`` gives for it."""
    from zhifa.ledger.selectors import chain_finding

    return [] if report.ok else [chain_finding(report)]


class FileFaults:
    """Changes to files on disk (read-only evidence objects, checkpoint copies)
    that ``restore`` undoes: each file is kept as it was before its first change."""

    def __init__(self, evidence_dir) -> None:
        self.evidence_dir = Path(evidence_dir)
        self._kept: dict[Path, tuple[bytes, int]] = {}
        self._added: set[Path] = set()

    def evidence(self, key: str) -> Path:
        return self.evidence_dir / key

    def take(self, path: Path) -> bytes:
        """Keep ``path``'s bytes and mode and make it writable; its bytes."""
        path = Path(path)
        if path not in self._kept:
            self._kept[path] = (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
        os.chmod(path, 0o644)
        return self._kept[path][0]

    def added(self, path: Path) -> None:
        """A file the fault created (a renamed one's new name)."""
        self._added.add(Path(path))

    def restore(self) -> None:
        for path in self._added:
            path.unlink(missing_ok=True)
        for path, (data, mode) in self._kept.items():
            if path.exists():
                os.chmod(path, 0o644)
                path.unlink()
            path.write_bytes(data)
            os.chmod(path, mode)
        self._kept.clear()
        self._added.clear()
