from django.db import migrations


def install(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.install(schema_editor.connection, ("ledger_merkle_node",))


def remove(apps, schema_editor):
    from zhifa.ledger import dbguard

    dbguard.remove(schema_editor.connection, ("ledger_merkle_node",))


class Migration(migrations.Migration):
    """A perfect subtree's hash never changes once stored: a rewritten node would
    serve proofs for a ledger that never was."""

    dependencies = [("ledger", "0009_merkle_node")]
    operations = [migrations.RunPython(install, remove)]
