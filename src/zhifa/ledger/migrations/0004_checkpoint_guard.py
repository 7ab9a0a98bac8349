from django.db import migrations


def install(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.install(schema_editor.connection, ("ledger_checkpoint",))


def remove(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.remove(schema_editor.connection, ("ledger_checkpoint",))


class Migration(migrations.Migration):
    """Checkpoints, like entries, are only ever appended."""

    dependencies = [("ledger", "0003_checkpoint")]
    operations = [migrations.RunPython(install, remove)]
