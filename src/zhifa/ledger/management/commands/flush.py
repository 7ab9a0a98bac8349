"""``zhifa flush``: Django's flush, which also empties the ledger.

Wiping the whole database is the one operation that may remove ledger
entries, because nothing selective survives it. The guard triggers are lifted
for the flush and put back in the same breath; the checkpoint copies outside
the database are moved aside, not deleted.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections
from django.utils import timezone

from zhifa.ledger import dbguard


class Command(flush.Command):
    help = "清空数据库（包括防删改台账）。" + flush.Command.help

    def handle(self, **options):
        connection = connections[options["database"]]
        dbguard.remove(connection)
        try:
            result = super().handle(**options)
        finally:
            dbguard.install(connection)
        # The checkpoint copies describe the ledger just wiped: set them aside
        # (never delete them) so that the new ledger starts its own.
        directory = Path(settings.ZHIFA_CHECKPOINT_DIR)
        if directory.exists() and any(directory.iterdir()):
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            directory.rename(directory.with_name(f"{directory.name}-wiped-{stamp}"))
        return result
