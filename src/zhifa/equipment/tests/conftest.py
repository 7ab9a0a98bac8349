import pytest

from zhifa.accounts.models import Role
from zhifa.equipment import services


@pytest.fixture
def officer(build, county):
    """An officer of the market agency (county.market), with no managing role."""
    return build.officer(county.market, unit=county.market_unit, name="张执法")


@pytest.fixture
def colleague(build, county):
    return build.officer(county.market, unit=county.market_unit, name="李执法")


@pytest.fixture
def unit_head(build, county):
    return build.officer(county.market, roles=(Role.OFFICER, Role.UNIT_HEAD), name="王队长")


@pytest.fixture
def outsider(build, county):
    """An officer of the other agency of the county (county.safety)."""
    return build.officer(county.safety, name="赵应急")


@pytest.fixture
def recorder(county):
    return services.device_create(
        actor=county.market_admin,
        agency=county.market,
        kind="recorder",
        asset_number="JLY-001",
        model="DSJ-V9 执法记录仪",
        serial_number="SN0001",
    )


@pytest.fixture
def lend():
    """``lend(device, officer)``: ``officer`` borrows ``device`` for themselves,
    with every check passed unless told otherwise."""

    def check_out(device, officer, actor=None, **checks):
        checks = {"battery_ok": True, "storage_ok": True, "clock_ok": True, **checks}
        return services.device_checkout(
            actor=actor or officer.user, device=device, officer=officer, **checks
        )

    return check_out
