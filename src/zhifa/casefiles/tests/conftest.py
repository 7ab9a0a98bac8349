import pytest

from zhifa.cases.testing import team as make_team


@pytest.fixture
def team(build, county):
    return make_team(build, county.market)
