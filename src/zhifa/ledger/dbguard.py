"""Database-level refusal of UPDATE and DELETE on the ledger table.

The triggers make an alteration through the ORM, a shell or a careless SQL
statement fail loudly. They do not stop someone who drops them first: that is
what the hash chain (and the signed checkpoints kept outside the database)
detect.
"""

from __future__ import annotations

TABLES = (
    "ledger_entry",
    "ledger_checkpoint",
    "ledger_stored_file",
    "ledger_verification_run",
    "ledger_merkle_node",
)
MESSAGE = "台账记录只能追加，不能修改或删除"


def _sqlite_install(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]


def _sqlite_remove(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


# One refusing function serves every guarded table.
_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION ledger_entry_refuse() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END;
    $$ LANGUAGE plpgsql"""


def _pg_install(table: str) -> list[str]:
    return [
        _PG_FUNCTION,
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION ledger_entry_refuse()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_refuse()""",
    ]


def _pg_remove(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


def _statements(connection, table: str, *, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return _sqlite_install(table) if install else _sqlite_remove(table)
    if connection.vendor == "postgresql":
        return _pg_install(table) if install else _pg_remove(table)
    raise NotImplementedError(f"ledger guard does not support {connection.vendor}")


def install(connection, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _statements(connection, table, install=True):
                cursor.execute(sql)


def remove(connection, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _statements(connection, table, install=False):
                cursor.execute(sql)
