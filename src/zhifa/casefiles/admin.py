from django.contrib import admin

from zhifa.casefiles import models
from zhifa.core.admin import ReadOnlyAdmin


@admin.register(models.CaseFile)
class CaseFileAdmin(ReadOnlyAdmin):
    list_display = ("case", "agency", "version", "pages", "assembled_at", "archive_number")
    search_fields = ("case__number", "archive_number")


@admin.register(models.CatalogueEntry)
class CatalogueEntryAdmin(ReadOnlyAdmin):
    list_display = ("case_file", "version", "position", "kind", "title", "page_first", "page_last")
    list_filter = ("kind", "added_after_archive")
