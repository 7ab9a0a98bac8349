import types
from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.cases.testing import team as make_team
from zhifa.catalogues.services import calendar_seed


@pytest.fixture(autouse=True)
def calendar_2026(sysadmin):
    """2026's official holidays and make-up working days."""
    calendar_seed(actor=sysadmin, years=[2026])


@pytest.fixture(autouse=True)
def _uploads_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def market(build, county):
    return make_team(build, county.market)


@pytest.fixture
def safety(build, county):
    return make_team(build, county.safety)


@pytest.fixture
def later(monkeypatch):
    """``later(days)``: from now on, the deadline checks believe it is ``days`` days later."""

    def move(days: int):
        shift = timedelta(days=days)
        fake = types.SimpleNamespace(
            now=lambda: timezone.now() + shift,
            localdate=lambda: timezone.localdate() + shift,
            localtime=timezone.localtime,
            get_current_timezone=timezone.get_current_timezone,
        )
        import zhifa.cases.selectors
        import zhifa.supervision.watches

        monkeypatch.setattr(zhifa.cases.selectors, "timezone", fake)
        monkeypatch.setattr(zhifa.supervision.watches, "timezone", fake)
        return fake

    return move
