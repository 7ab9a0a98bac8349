from datetime import date

import pytest

from zhifa.cases.testing import open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.services import calendar_seed


@pytest.fixture
def team(build, county):
    return make_team(build, county.market)


@pytest.fixture
def calendar_2026(sysadmin):
    """2026's official holidays and make-up working days (国庆节 10-01…07, 10-10 worked)."""
    calendar_seed(actor=sysadmin, years=[2026])


@pytest.fixture
def case(team):
    """An ordinary case in its start stage, begun on 1 September 2026."""
    return open_case(team, started_on=date(2026, 9, 1))


@pytest.fixture(autouse=True)
def _uploads_dir(settings, tmp_path):
    """Each test its own temporary upload files (under DATA_DIR/uploads)."""
    settings.DATA_DIR = tmp_path / "data"
