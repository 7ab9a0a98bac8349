from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.ledger.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "recorded_at", "action", "actor_name", "object_repr")
    list_filter = ("action",)
    search_fields = ("action", "actor_name", "object_repr")
