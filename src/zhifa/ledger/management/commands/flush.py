"""``zhifa flush``: Django's flush, which also empties the ledger.

Wiping the whole database is the one operation that may remove ledger
entries, because nothing selective survives it. The guard triggers are lifted
for the flush and put back in the same breath.
"""

from django.core.management.commands import flush
from django.db import connections

from zhifa.ledger import dbguard


class Command(flush.Command):
    help = "清空数据库（包括防删改台账）。" + flush.Command.help

    def handle(self, **options):
        connection = connections[options["database"]]
        dbguard.remove(connection)
        try:
            return super().handle(**options)
        finally:
            dbguard.install(connection)
