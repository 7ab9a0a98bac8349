from datetime import date

import pytest

from zhifa.catalogues import services


@pytest.fixture
def draft_2027(sysadmin):
    """2027 entered by hand with one holiday, not yet published."""
    services.calendar_year_add(actor=sysadmin, year=2027)
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
