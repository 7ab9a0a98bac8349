"""Reads of instruments, templates, number formats and form batches, scoped by
who is asking: an instrument is seen by whoever may see its case."""

from __future__ import annotations

from django.db.models import QuerySet

from zhifa.accounts.models import Agency
from zhifa.accounts.selectors import agency_list, is_sysadmin, officer_of
from zhifa.accounts.services import require_agency_admin
from zhifa.cases.selectors import case_list
from zhifa.core.errors import NotFound
from zhifa.core.views import permitted
from zhifa.instruments.models import (
    DocumentNumberPattern,
    Instrument,
    InstrumentTemplate,
    Kind,
    OnSpotFormBatch,
)


def instrument_list(*, actor, case=None) -> QuerySet[Instrument]:
    cases = case_list(actor=actor)
    if case is not None:
        cases = cases.filter(pk=case.pk)
    return (
        Instrument.objects.filter(case__in=cases.values("pk"))
        .select_related(
            "case",
            "agency",
            "record",
            "template",
            "docx",
            "pdf",
            "issued_by__officer",
            "supersedes",
            "superseded_by",
        )
        .order_by("case_id", "issued_at", "pk")
    )


def instrument_get(*, actor, pk) -> Instrument:
    instrument = instrument_list(actor=actor).filter(pk=pk).first()
    if instrument is None:
        raise NotFound("文书不存在，或您无权查看。")
    return instrument


def managed_agencies(actor) -> list[Agency]:
    """The agencies whose templates, number formats and forms ``actor`` manages."""
    if is_sysadmin(actor):
        return list(agency_list(actor=actor).order_by("name"))
    officer = officer_of(actor)
    if officer is None or not permitted(require_agency_admin, actor, officer.agency):
        return []
    return [officer.agency]


def form_agencies(actor) -> list[Agency]:
    """The agencies whose pre-printed forms ``actor`` may hand out (admin or leader)."""
    from zhifa.instruments.services import require_form_issuer

    agencies = managed_agencies(actor)
    officer = officer_of(actor)
    if (
        officer is not None
        and officer.agency not in agencies
        and permitted(require_form_issuer, actor, officer.agency)
    ):
        agencies.append(officer.agency)
    return agencies


def template_list(*, actor) -> QuerySet[InstrumentTemplate]:
    """The agency templates of the agencies ``actor`` manages, every version."""
    return (
        InstrumentTemplate.objects.filter(agency__in=managed_agencies(actor))
        .select_related("agency", "file", "uploaded_by__officer")
        .order_by("agency__name", "kind", "-version")
    )


def template_get(*, actor, pk) -> InstrumentTemplate:
    template = template_list(actor=actor).filter(pk=pk).first()
    if template is None:
        raise NotFound("模板不存在，或您无权查看。")
    return template


def templates_in_use(agency: Agency) -> list[dict]:
    """For each kind: the agency's own active template, if any (else the default applies)."""
    own = {
        t.kind: t
        for t in InstrumentTemplate.objects.filter(agency=agency, is_active=True).select_related(
            "file"
        )
    }
    return [{"kind": k, "label": label, "own": own.get(k)} for k, label in Kind.choices]


def pattern_list(*, actor) -> QuerySet[DocumentNumberPattern]:
    return DocumentNumberPattern.objects.filter(agency__in=managed_agencies(actor)).select_related(
        "agency"
    )


def batch_list(*, actor) -> QuerySet[OnSpotFormBatch]:
    """Batches of the agencies ``actor`` manages, and those issued to ``actor``."""
    agencies = form_agencies(actor)
    officer = officer_of(actor)
    query = OnSpotFormBatch.objects.filter(agency__in=agencies)
    if officer is not None:
        query = query | OnSpotFormBatch.objects.filter(officer=officer)
    return query.select_related("agency", "officer", "issued_by__officer").order_by(
        "-issued_at", "-pk"
    )
