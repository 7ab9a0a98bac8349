from django.db import migrations


def install(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.install(schema_editor.connection, ("ledger_verification_run",))


def remove(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.remove(schema_editor.connection, ("ledger_verification_run",))


class Migration(migrations.Migration):
    """A verification run, like the ledger, is only ever appended: a bad result
    cannot be rewritten into a good one."""

    dependencies = [("ledger", "0007_verification_run")]
    operations = [migrations.RunPython(install, remove)]
