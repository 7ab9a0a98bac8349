from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.media import models


@admin.register(models.MediaRequirement)
class MediaRequirementAdmin(ReadOnlyAdmin):
    list_display = ("agency", "stage", "record_kind", "mode", "action_kind")
    list_filter = ("mode", "stage")
    search_fields = ("place", "content", "record_kind")


@admin.register(models.MediaItem)
class MediaItemAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "captured_at", "author", "is_continuous", "is_late")
    list_filter = ("kind", "is_late", "is_continuous")
    search_fields = ("place", "author", "device")


@admin.register(models.UploadSession)
class UploadSessionAdmin(ReadOnlyAdmin):
    list_display = ("filename", "case", "size", "created_by", "updated_at")
