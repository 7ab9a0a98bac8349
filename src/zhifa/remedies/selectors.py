"""Reads of remedy outcomes: who sees which, and the figures that supervision
draws from them (the entries in force, that is not superseded)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Q, QuerySet

from zhifa.cases.models import Case
from zhifa.cases.selectors import case_list
from zhifa.remedies.models import CHANGING, Remedy


def remedy_list(*, actor) -> QuerySet[Remedy]:
    """The remedy entries of the cases ``actor`` may read."""
    return Remedy.objects.filter(case__in=case_list(actor=actor).values("pk")).select_related(
        "case", "case__agency", "recorded_by", "superseded_by"
    )


def in_force(cases: QuerySet[Case]) -> QuerySet[Remedy]:
    return Remedy.objects.filter(case__in=cases, superseded_by__isnull=True)


def changed(cases: QuerySet[Case], first: date, after: date) -> QuerySet[Remedy]:
    """Entries in force whose outcome changed the decision, decided in
    ``[first, after)``."""
    return in_force(cases).filter(outcome__in=CHANGING, decided_on__gte=first, decided_on__lt=after)


def year_counts(cases: QuerySet[Case], year: int) -> dict[str, Counter]:
    """Per channel: ``filed`` (applications or suits filed in the year),
    ``decided`` (concluded in the year) and one count per outcome concluded in
    the year — over the entries in force."""
    out: dict[str, Counter] = {c: Counter() for c in Remedy.Channel.values}
    rows = in_force(cases).filter(Q(filed_on__year=year) | Q(decided_on__year=year))
    for channel, outcome, filed_on, decided_on in rows.values_list(
        "channel", "outcome", "filed_on", "decided_on"
    ):
        counts = out[channel]
        if filed_on and filed_on.year == year:
            counts["filed"] += 1
        if decided_on and decided_on.year == year:
            counts["decided"] += 1
            counts[outcome] += 1
    return out
