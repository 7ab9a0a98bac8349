"""Reads of case files, scoped like the cases they belong to (REC-10).

Whoever may read a case (``zhifa.cases.selectors.case_list``) may read its
file; everybody else gets a 404, as for the case itself.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from zhifa.casefiles.models import CaseFile, CatalogueEntry
from zhifa.cases.models import Case, Stage
from zhifa.cases.selectors import case_get, case_list
from zhifa.core.errors import NotFound


def casefile_list(*, actor) -> QuerySet[CaseFile]:
    return (
        CaseFile.objects.filter(case__in=case_list(actor=actor).values("pk"))
        .select_related("case", "agency", "pdf")
        .order_by("-assembled_at", "-pk")
    )


def casefile_of(*, actor, case_pk) -> tuple[Case, CaseFile | None]:
    """The case (404 if not visible) and its file, if bound."""
    case = case_get(actor=actor, pk=case_pk)
    return case, CaseFile.objects.filter(case=case).select_related("pdf").first()


def casefile_get(*, actor, case_pk) -> CaseFile:
    _, case_file = casefile_of(actor=actor, case_pk=case_pk)
    if case_file is None:
        raise NotFound("本案尚未装订案卷。")
    return case_file


def catalogue(case_file: CaseFile) -> QuerySet[CatalogueEntry]:
    """The current catalogue: the latest binding and the supplements after it."""
    return (
        case_file.entries.filter(version=case_file.version)
        .select_related("pdf", "original")
        .order_by("position")
    )


def archive_overdue(*, actor, on: date | None = None) -> QuerySet[Case]:
    """Closed, unarchived cases past their archive deadline (REC-10: 20 days)."""
    on = on or timezone.localdate()
    return (
        case_list(actor=actor)
        .filter(stage=Stage.CLOSED, archive_due_on__lt=on)
        .order_by("archive_due_on", "pk")
    )


def awaiting_archive(*, actor) -> QuerySet[Case]:
    return case_list(actor=actor).filter(stage=Stage.CLOSED).order_by("archive_due_on", "pk")


def archived(*, actor) -> QuerySet[Case]:
    return case_list(actor=actor).filter(stage=Stage.ARCHIVED).order_by("-archived_at", "-pk")


def is_overdue(case: Case, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    return bool(case.stage == Stage.CLOSED and case.archive_due_on and on > case.archive_due_on)
