from django.db import migrations


def install(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.install(schema_editor.connection, ("ledger_stored_file",))


def remove(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.remove(schema_editor.connection, ("ledger_stored_file",))


class Migration(migrations.Migration):
    """A stored file's record, like the ledger, is only ever appended."""

    dependencies = [("ledger", "0005_stored_file")]
    operations = [migrations.RunPython(install, remove)]
