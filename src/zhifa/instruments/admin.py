"""Read-only admin views of the instrument configuration, which changes only
through the services. Issued instruments are case content: they are read on
the workbench, where every opening is logged (REC-12), never here."""

from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin as ReadOnly
from zhifa.instruments.models import (
    DocumentNumberPattern,
    InstrumentTemplate,
    OnSpotFormBatch,
)


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
