"""The reasons on the case page: a panel with the latest version, the checker's
count of blocking findings and overdue requests; versions and requests on the
timeline."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Case, Stage
from zhifa.cases.timeline import Entry, panel, source
from zhifa.reasons import selectors
from zhifa.reasons.models import Reasons, ReasonsRequest


@panel
def reasons_panel(request, case: Case) -> str | None:
    if Stage.order(case.stage) < Stage.order(Stage.DECISION):
        return None
    latest = selectors.reasons_latest(case)
    findings = selectors.case_findings(case, latest.content, with_others=False) if latest else []
    return render_to_string(
        "reasons/_panel.html",
        {
            "latest": latest,
            "blocking": sum(f.blocking for f in findings),
            "warnings": sum(not f.blocking for f in findings),
            "detailed": selectors.detailed_required(case) if latest is None else [],
            "overdue": ReasonsRequest.objects.filter(
                case=case, answered_on__isnull=True, deadline__lt=timezone.localdate()
            ).exists(),
            "url": reverse("reasons:detail", args=[case.pk]),
        },
        request=request,
    )


@source
def reasons_events(case: Case) -> list[Entry]:
    url = reverse("reasons:detail", args=[case.pk])
    out = [
        Entry(v.saved_at, "reasons", f"说明理由第 {v.number} 版", v.note, url=url)
        for v in Reasons.objects.filter(case=case).order_by("number")
    ]
    out += [
        Entry(
            r.registered_at,
            "reasons",
            f"{r.requester}申请书面说明理由",
            f"期限 {r.deadline:%Y-%m-%d}",
            url=url,
        )
        for r in ReasonsRequest.objects.filter(case=case)
    ]
    return out
