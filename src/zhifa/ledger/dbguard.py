"""Database-level refusal of UPDATE and DELETE on the ledger table.

The triggers make an alteration through the ORM, a shell or a careless SQL
statement fail loudly. They do not stop someone who drops them first: that is
what the hash chain (and the signed checkpoints kept outside the database)
detect.
"""

from __future__ import annotations

TABLE = "ledger_entry"
MESSAGE = "台账记录只能追加，不能修改或删除"

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]

_PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END;
        $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()""",
]
_PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
]


def _statements(connection, *, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return _PG_INSTALL if install else _PG_REMOVE
    raise NotImplementedError(f"ledger guard does not support {connection.vendor}")


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)
