"""PostgreSQL: portal search reads a stored tsvector column (see
``zhifa.disclosures.search.create_vector``); nothing changes on SQLite."""

from django.db import migrations

import zhifa.disclosures.search


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0003_window"),
    ]

    operations = [
        migrations.RunPython(
            zhifa.disclosures.search.create_vector, zhifa.disclosures.search.drop_vector
        ),
    ]
