from __future__ import annotations

from django.db.models import QuerySet

from zhifa.accounts.selectors import agency_list
from zhifa.catalogues.models import Matter, WorkCalendarYear


def matter_list(*, actor) -> QuerySet[Matter]:
    return Matter.objects.filter(agency__in=agency_list(actor=actor)).select_related(
        "agency", "unit"
    )


def calendar_year_known(year: int) -> bool:
    """True when the year's official holiday arrangement is in the work calendar."""
    return WorkCalendarYear.objects.filter(year=year, is_published=True).exists()
