from django.db import migrations, models


def fill(apps, schema_editor):
    """Keep the reviews already paused past their due date on the overdue list,
    as ``pause_start`` does from now on (REV-05)."""
    from zhifa.reviews.clock import paused_past_due

    Submission = apps.get_model("reviews", "Submission")
    paused = (
        Submission.objects.filter(state="accepted", pauses__ends_on__isnull=True)
        .prefetch_related("pauses")
        .order_by("pk")
    )
    for submission in paused.iterator(chunk_size=500):
        submission.paused_past_due_on = paused_past_due(submission)
        if submission.paused_past_due_on is not None:
            submission.save(update_fields=["paused_past_due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogues", "0004_provision_place_unique_on_every_database"),
        ("reviews", "0002_advisers_prelim_forwarding"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="paused_past_due_on",
            field=models.DateField(
                blank=True,
                help_text="中止开始时审核期限已经届满（已超期）的，记录中止前的期满日，"
                "中止期间仍计为超期；中止结束后为空",
                null=True,
                verbose_name="中止前已届满的期满日",
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("paused_past_due_on__isnull", False)),
                fields=["agency", "state", "paused_past_due_on"],
                name="submission_paused_past_due",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
