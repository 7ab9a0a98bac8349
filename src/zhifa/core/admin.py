"""Django admin is a read-only window onto the data.

Every change must go through a service so that it is checked and leaves its
ledger entry; an admin form would write behind both. The workbench is where
data is changed.
"""

from django.contrib import admin

from zhifa.core.daily import job_label
from zhifa.core.models import DailyRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyRun)
class DailyRunAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "job_name",
        "status",
        "attempts",
        "started_at",
        "seconds",
        "outcome",
        "error",
    )
    list_filter = ("status", "job")
    date_hierarchy = "day"

    @admin.display(description="任务", ordering="job")
    def job_name(self, run: DailyRun) -> str:
        return job_label(run.job)
