"""Read-only admin of the agencies' 音像记录事项清单. Recordings are case content:
they are read on the workbench, where every opening is logged (REC-12), never here."""

from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.media import models


@admin.register(models.MediaRequirement)
class MediaRequirementAdmin(ReadOnlyAdmin):
    list_display = ("agency", "stage", "record_kind", "mode", "action_kind")
    list_filter = ("mode", "stage")
    search_fields = ("place", "content", "record_kind")
