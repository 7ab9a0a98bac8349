from django.contrib import admin

from zhifa.catalogues import models
from zhifa.core.admin import ReadOnlyAdmin


@admin.register(models.Matter)
class MatterAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "action_kind", "agency", "time_limit_days")
    list_filter = ("action_kind",)
    search_fields = ("code", "name")


@admin.register(models.WorkCalendarYear)
class WorkCalendarYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "source", "notice", "is_published")


@admin.register(models.WorkCalendarDay)
class WorkCalendarDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "is_workday", "name")
    list_filter = ("is_workday", "year")
