"""Seed the default 案卷评查 rubric (SUP-02) and mark the draws made before the
commit-and-reveal step as drawn."""

from django.db import migrations

from zhifa.supervision.rubric import DEFAULT_RUBRIC


def seed(apps, schema_editor):
    RubricItem = apps.get_model("supervision", "RubricItem")
    for order, (code, requirement, title, points, precheck) in enumerate(DEFAULT_RUBRIC, 1):
        RubricItem.objects.get_or_create(
            code=code,
            defaults={
                "requirement": requirement,
                "title": title,
                "points": points,
                "precheck": precheck,
                "order": order * 10,
            },
        )
    FileEvaluation = apps.get_model("supervision", "FileEvaluation")
    FileEvaluation.objects.exclude(seed="").update(state="drawn")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_evaluation_rubric_filings")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
