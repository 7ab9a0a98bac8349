"""The case page's timeline and panels, which other apps extend.

``@source`` registers ``fn(case) -> list[Entry]`` (audio-video items,
instruments, …) and ``@panel`` registers ``fn(request, case) -> str | None``,
a rendered HTML fragment shown on the case page (for example "上传音像记录" or
"制作文书"). Each function must read in a fixed number of queries, whatever the
size of the case: the case page is measured against a query budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from zhifa.cases.models import Case, Record, StageChange


@dataclass
class Entry:
    at: datetime
    kind: str  # stage | record | media | instrument | …
    title: str
    detail: str = ""
    url: str = ""
    flags: list[str] = field(default_factory=list)  # warnings shown beside the entry
    obj: object = None


_SOURCES: list[Callable[[Case], list[Entry]]] = []
_PANELS: list[Callable] = []


def source(fn):
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def panel(fn):
    if fn not in _PANELS:
        _PANELS.append(fn)
    return fn


def panels(request, case: Case) -> list[str]:
    return [html for fn in _PANELS if (html := fn(request, case))]


@source
def _stages(case: Case) -> list[Entry]:
    return [
        Entry(c.changed_at, "stage", f"进入{c.get_to_stage_display()}环节", c.note, obj=c)
        for c in StageChange.objects.filter(case=case)
    ]


@source
def _records(case: Case) -> list[Entry]:
    records = (
        Record.objects.filter(case=case)
        .select_related("superseded_by")
        .prefetch_related("signatures")
    )
    out = []
    for r in records:
        flags = []
        if getattr(r, "superseded_by", None) is not None:
            flags.append("已被更正")
        if r.supersedes_id:
            flags.append("更正记录")
        if any(s.method == "refused" for s in r.signatures.all()):
            flags.append("有拒签")
        out.append(Entry(r.occurred_at, "record", r.kind_label, r.place, flags=flags, obj=r))
    return out


def timeline(case: Case) -> list[Entry]:
    entries = [e for fn in _SOURCES for e in fn(case)]
    entries.sort(key=lambda e: e.at)
    return entries
