"""One recorder or terminal per three officers (REC-15, 001 main (二)3): what
counts on each side, the boundary, the setting, and a region in one query."""

import pytest

from zhifa.accounts.models import Agency, Role
from zhifa.accounts.selectors import agency_list
from zhifa.equipment import services
from zhifa.equipment.selectors import (
    device_list,
    equipment_ratio,
    equipment_ratios,
    officers_per_device,
    room_list,
)

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-15")]


def devices(county, n, *, agency=None, kind="recorder", start=1):
    agency = agency or county.market
    admin = county.market_admin if agency == county.market else county.safety_admin
    return [
        services.device_create(
            actor=admin, agency=agency, kind=kind, asset_number=f"{kind}-{i}", model="DSJ-V9"
        )
        for i in range(start, start + n)
    ]


def officers(build, agency, n):
    return [build.officer(agency) for _ in range(n)]


def test_exactly_three_officers_per_device_meets_the_standard(build, county):
    devices(county, 1)
    officers(build, county.market, 3)
    ratio = equipment_ratio(county.market)
    assert (ratio.devices, ratio.officers, ratio.standard) == (1, 3, 3)
    assert ratio.officers_per_device == 3
    assert ratio.meets and ratio.shortfall == 0


def test_four_officers_per_device_does_not(build, county):
    devices(county, 1)
    officers(build, county.market, 4)
    ratio = equipment_ratio(county.market)
    assert (ratio.officers_per_device, ratio.required, ratio.shortfall) == (4, 2, 1)
    assert not ratio.meets


def test_only_recorders_and_terminals_in_service_and_officers_count(build, county, lend):
    _in_stock, faulty, retired = devices(county, 3)
    terminal = devices(county, 1, kind="terminal")[0]
    devices(county, 2, kind="other")
    staff = officers(build, county.market, 2)
    # Neither the admin nor a reviewer without the officer role counts.
    build.officer(county.market, roles=(Role.REVIEWER,))
    lend(terminal, staff[0])
    services.fault_report(actor=staff[1].user, device=faulty, description="无法开机")
    services.device_retire(actor=county.market_admin, device=retired, reason="老旧")
    ratio = equipment_ratio(county.market)
    # The recorder in stock and the terminal out on loan.
    assert (ratio.devices, ratio.officers) == (2, 2)


def test_an_agency_without_devices_or_officers(build, county):
    ratio = equipment_ratio(county.safety)
    assert (ratio.devices, ratio.officers, ratio.officers_per_device, ratio.meets) == (
        0,
        0,
        None,
        True,
    )
    officers(build, county.safety, 1)
    ratio = equipment_ratio(county.safety)
    assert (ratio.meets, ratio.required) == (False, 1)


def test_the_standard_is_a_setting(settings, build, county):
    assert officers_per_device() == 3
    settings.ZHIFA_EQUIPMENT_OFFICERS_PER_DEVICE = 4
    devices(county, 1)
    officers(build, county.market, 4)
    ratio = equipment_ratio(county.market)
    assert (ratio.standard, ratio.meets) == (4, True)


def test_a_region_is_counted_in_one_query(build, county, django_assert_num_queries):
    neighbour = build.county(code="990103", name="邻县")
    devices(county, 2)
    devices(county, 1, agency=county.safety)
    officers(build, county.market, 7)
    officers(build, neighbour.market, 2)
    region = agency_list(actor=county.supervisor).order_by("name")
    with django_assert_num_queries(1):
        ratios = {r.agency.name: r for r in equipment_ratios(region)}
    assert set(ratios) == set(
        Agency.objects.filter(region=county.region).values_list("name", flat=True)
    )
    market, safety = ratios[county.market.name], ratios[county.safety.name]
    assert (market.devices, market.officers, market.meets) == (2, 7, False)
    assert (safety.devices, safety.officers, safety.meets) == (1, 0, True)


def test_lists_are_limited_to_what_the_actor_may_see(build, county):
    neighbour = build.county(code="990103", name="邻县")
    mine = devices(county, 1)[0]
    theirs = devices(county, 1, agency=county.safety)[0]
    services.room_create(
        actor=county.safety_admin, agency=county.safety, kind="hearing", name="听证室"
    )
    assert list(device_list(actor=county.market_admin)) == [mine]
    assert set(device_list(actor=county.supervisor)) == {mine, theirs}
    assert not device_list(actor=neighbour.supervisor).exists()
    assert not room_list(actor=county.market_admin).exists()
    assert room_list(actor=county.supervisor).count() == 1
