"""The instruments on the case page: timeline entries and the "制作文书" panel."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from zhifa.cases.models import Case, Record, Stage
from zhifa.cases.selectors import is_case_leader, is_handler
from zhifa.cases.timeline import Entry, panel, source
from zhifa.instruments.kinds import SPECS, applies, reached
from zhifa.instruments.models import Instrument


@source
def _instruments(case: Case) -> list[Entry]:
    out = []
    for i in Instrument.objects.filter(case=case).select_related("superseded_by"):
        flags = []
        if getattr(i, "superseded_by", None) is not None:
            flags.append("已被更正")
        if i.supersedes_id:
            flags.append("更正文书")
        detail = "　".join(x for x in (i.number, f"{i.pages} 页") if x)
        out.append(
            Entry(
                i.issued_at,
                "instrument",
                f"制作{i.title}",
                detail,
                url=reverse("instruments:detail", args=[i.pk]),
                flags=flags,
                obj=i,
            )
        )
    return out


def issuable(user, case: Case) -> list[dict]:
    """The kinds ``user`` may make now in ``case``, with whether the record exists."""
    if case.stage in (Stage.CLOSED, Stage.ARCHIVED):
        return []
    handler = is_handler(user, case)
    leader = is_case_leader(user, case)
    if not (handler or leader):
        return []
    have = set(
        Record.objects.filter(case=case, superseded_by__isnull=True)
        .values_list("kind", flat=True)
        .distinct()
    )
    out = []
    for spec in SPECS.values():
        if spec.made_elsewhere or not (applies(spec, case) and reached(spec, case)):
            continue
        if not (handler or spec.leader_may_issue):
            continue
        ready = not spec.record_required or bool(have & set(spec.records))
        out.append(
            {
                "kind": spec.code,
                "label": spec.label,
                "ready": ready,
                "url": reverse("instruments:issue", args=[case.pk, spec.code]),
            }
        )
    return out


@panel
def _panel(request, case: Case) -> str | None:
    instruments = list(
        Instrument.objects.filter(case=case).select_related("superseded_by", "issued_by__officer")
    )
    kinds = issuable(request.user, case)
    if not instruments and not kinds:
        return None
    return render_to_string(
        "instruments/_panel.html",
        {"case": case, "instruments": instruments, "kinds": kinds},
        request=request,
    )
