from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    MerkleNode,
    StoredFile,
    VerificationRun,
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "recorded_at", "action", "actor_name", "object_repr")
    list_filter = ("action",)
    search_fields = ("action", "actor_name", "object_repr")


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "size", "sha256", "backend", "stored_at", "stored_by_name")
    search_fields = ("original_name", "sha256", "sm3")


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("size", "issued_at", "key_name", "root")


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "trigger", "entries", "findings_count", "run_by_name")


@admin.register(MerkleNode)
class MerkleNodeAdmin(ReadOnlyAdmin):
    list_display = ("level", "index", "hash")
