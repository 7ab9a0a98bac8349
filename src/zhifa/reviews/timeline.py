"""The legal review on the case page: a panel with why the case is major, the
rounds and the remaining time, in a fixed number of queries."""

from __future__ import annotations

from django.template.loader import render_to_string

from zhifa.cases.models import Case, Stage
from zhifa.cases.timeline import panel
from zhifa.reviews import catalogue, clock
from zhifa.reviews.gates import review_refusals
from zhifa.reviews.selectors import rounds_of


@panel
def review_panel(request, case: Case) -> str | None:
    # The review is asked for in 审查决定, on a draft decision: nothing to show before.
    if Stage.order(case.stage) < Stage.order(Stage.DECISION):
        return None
    reasons = catalogue.why_reviewed(case)
    rounds = rounds_of(case)
    if not reasons and not rounds:
        return None
    latest = rounds[-1] if rounds else None
    return render_to_string(
        "reviews/_panel.html",
        {
            "case": case,
            "reasons": reasons,
            "rounds": rounds,
            "clock": clock.clock(latest) if latest and latest.complete_on else None,
            "refusals": review_refusals(case),
        },
        request=request,
    )
