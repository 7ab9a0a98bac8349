"""Read-only admin views: instruments and their configuration change only
through the services, which write the ledger."""

from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin as ReadOnly
from zhifa.instruments.models import (
    DocumentNumberPattern,
    Instrument,
    InstrumentTemplate,
    OnSpotFormBatch,
)


@admin.register(Instrument)
class InstrumentAdmin(ReadOnly):
    list_display = ["title", "number", "case", "pages", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["number", "case__number"]


@admin.register(InstrumentTemplate)
class InstrumentTemplateAdmin(ReadOnly):
    list_display = ["name", "agency", "kind", "version", "is_active", "uploaded_at"]
    list_filter = ["kind", "is_active"]


@admin.register(DocumentNumberPattern)
class DocumentNumberPatternAdmin(ReadOnly):
    list_display = ["agency", "kind", "pattern", "abbr", "updated_at"]


@admin.register(OnSpotFormBatch)
class OnSpotFormBatchAdmin(ReadOnly):
    list_display = ["agency", "officer", "prefix", "first", "last", "issued_at"]
