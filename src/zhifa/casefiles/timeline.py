"""The case file on the case page: a panel with its state and archive deadline,
and its bindings, archive and supplements on the timeline. One query each."""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from zhifa.casefiles.models import CaseFile, CatalogueEntry
from zhifa.casefiles.selectors import is_overdue
from zhifa.cases.models import Case, Stage
from zhifa.cases.timeline import Entry, panel, source


def _url(case: Case) -> str:
    return reverse("casefiles:detail", args=[case.pk])


@panel
def casefile_panel(request, case: Case) -> str | None:
    if case.stage not in (Stage.CLOSED, Stage.ARCHIVED):
        return None
    case_file = CaseFile.objects.filter(case=case).first()
    return render_to_string(
        "casefiles/_panel.html",
        {
            "case": case,
            "case_file": case_file,
            "overdue": is_overdue(case),
            "url": _url(case),
        },
        request=request,
    )


@source
def casefile_events(case: Case) -> list[Entry]:
    if case.stage not in (Stage.CLOSED, Stage.ARCHIVED):
        return []
    url = _url(case)
    entries = CatalogueEntry.objects.filter(
        Q(position=1) | Q(added_after_archive=True), case_file__case=case
    ).order_by("added_at", "pk")
    out = []
    for e in entries:
        if e.added_after_archive:
            out.append(Entry(e.added_at, "casefile", f"归档后补充材料：{e.title}", e.note, url=url))
        else:
            out.append(Entry(e.added_at, "casefile", f"装订案卷（第 {e.version} 版）", url=url))
    return out
