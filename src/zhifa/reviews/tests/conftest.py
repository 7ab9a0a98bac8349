from datetime import date

import pytest
from django.utils import timezone

import zhifa.reviews.testing  # noqa: F401 — registers the review's driver step
from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.services import calendar_seed


@pytest.fixture
def team(build, county):
    return make_team(build, county.market)


@pytest.fixture
def calendar_2026(sysadmin):
    """2026's official holidays and make-up days (国庆节 10-01…07 off, 10-10 worked)."""
    calendar_seed(actor=sysadmin, years=[2026])


@pytest.fixture
def on(monkeypatch):
    """``on(date)`` makes ``date`` today for the review's services."""

    def set_today(day: date):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_today


def proposed(t, fine="2000.00", **kw):
    """A case in 审查决定 with a draft decision imposing ``fine``."""
    case = advance_to(t, open_case(t, **kw), Stage.DECISION)
    add(t, case, "decision", content={"fine_amount": fine})
    return case


@pytest.fixture
def major_case(team):
    """A case whose draft decision (a 50,000 fine) matches the catalogue rule R1."""
    from zhifa.reviews.testing import rule

    rule(team, amount_threshold="10000", penalty_kinds=["fine"])
    return proposed(team, "50000.00")
