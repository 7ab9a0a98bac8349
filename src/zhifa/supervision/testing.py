"""Test kit for supervision: cases with decisions, made through the real services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zhifa.cases.models import Case, Stage
from zhifa.cases.testing import Team, add, advance_to, open_case
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.services import matter_create


def matter_of(t: Team, kind: str, *, name: str | None = None, limit: int | None = 90) -> Matter:
    """A matter of ``kind`` in the team's agency (made once per kind and name)."""
    code = f"S-{kind}-{t.agency.pk}-{name or ''}"
    found = Matter.objects.filter(agency=t.agency, code=code).first()
    return found or matter_create(
        actor=t.sysadmin,
        agency=t.agency,
        code=code,
        name=name
        or ("销售不符合食品安全标准的食品" if kind == ActionKind.PENALTY else "食品经营许可"),
        action_kind=kind,
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        time_limit_days=limit,
    )


def decided_case(
    t: Team,
    *,
    kind: str = ActionKind.PENALTY,
    fine: str = "2000.00",
    conclusion: str = "给予警告，并处罚款人民币贰仟元整。",
    matter: Matter | None = None,
    officers=None,
    **kw,
) -> tuple[Case, object]:
    """A case in 审查决定 with a decision record carrying ``fine`` and ``conclusion``."""
    t.matter = matter or matter_of(t, kind)
    case = open_case(t, officers=officers or t.officers, **kw)
    case = advance_to(t, case, Stage.DECISION)
    record = decide(t, case, fine=fine, conclusion=conclusion)
    return case, record


def decide(t: Team, case: Case, *, fine: str, conclusion: str, supersedes=None):
    when = timezone.now() - timedelta(seconds=30)
    return add(
        t,
        case,
        "decision",
        content={"fine_amount": fine, "conclusion": conclusion},
        supersedes=supersedes,
        when=when,
    )
