"""The case page's remedy panel and timeline entries: one query for both, the
case's entries read once and kept on the case object for the page."""

from __future__ import annotations

from datetime import datetime, time

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Case, Stage
from zhifa.cases.timeline import Entry, panel, source
from zhifa.remedies.models import Remedy


def _entries(case: Case) -> list[Remedy]:
    if not hasattr(case, "_remedies"):
        case._remedies = list(Remedy.objects.filter(case=case).select_related("superseded_by"))
    return case._remedies


@panel
def remedies_panel(request, case: Case) -> str | None:
    entries = [r for r in _entries(case) if getattr(r, "superseded_by", None) is None]
    if not entries and Stage.order(case.stage) < Stage.order(Stage.DECISION):
        return None
    return render_to_string(
        "remedies/_panel.html",
        {
            "in_force": entries,
            "url": reverse("remedies:case", args=[case.pk]),
        },
        request=request,
    )


@source
def remedy_events(case: Case) -> list[Entry]:
    url = reverse("remedies:case", args=[case.pk])
    out = []
    for r in _entries(case):
        day = r.decided_on or r.filed_on
        at = (
            datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
            if day
            else r.recorded_at
        )
        flags = ["决定被纠正"] if r.changes_decision else []
        out.append(Entry(at, "remedy", r.label, r.body, url=url, flags=flags, obj=r))
    return out
