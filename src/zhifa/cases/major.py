"""Why a case is a major one (重大执法决定, REV-01).

Several apps know a reason: the legal review's catalogue rules and the
handler's "major social impact" flag (``reviews``), a 减轻 below the statutory
minimum of the discretion benchmark — read both from the structured reasons
(``reasons``) and from the draft decision's fine itself (``reviews``), so that
silent or missing reasons cannot hide it. Each registers ``@source`` returning
``MajorReason``s for a case; ``major_reasons(case)`` collects them (a reason
reported twice in the same words is listed once), and the legal review treats
a case with any reason as major. No reason can be cleared by the handler: a
source reports what the data says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MajorReason:
    code: str  # stable, e.g. "catalogue_rule", "below_minimum"
    label: str  # Chinese, shown on the case page and the review
    detail: str = ""  # which rule, which amount …


Source = Callable[..., list[MajorReason]]
_SOURCES: list[Source] = []


def source(fn: Source) -> Source:
    """Register ``fn(case) -> [MajorReason, …]``."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def major_reasons(case) -> list[MajorReason]:
    found: list[MajorReason] = []
    for fn in _SOURCES:
        found.extend(r for r in fn(case) if r not in found)
    return found


def is_major(case) -> bool:
    return bool(major_reasons(case))
