"""Test helpers: fill the ledger, and alter it the way someone holding the
database password would (guard triggers dropped, SQL run, guard restored)."""

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
