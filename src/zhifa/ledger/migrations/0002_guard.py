from django.db import migrations


def install(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.install(schema_editor.connection, ("ledger_entry",))


def remove(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.remove(schema_editor.connection, ("ledger_entry",))


class Migration(migrations.Migration):
    """Refuse UPDATE and DELETE on the ledger at the database level."""

    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
