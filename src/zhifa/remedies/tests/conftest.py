import pytest

from zhifa.cases.testing import team as make_team
from zhifa.catalogues.services import calendar_seed


@pytest.fixture(autouse=True)
def calendar_2026(sysadmin):
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
