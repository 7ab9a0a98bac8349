"""The demo county's equipment is made through the services (REC-15)."""

import pytest

from zhifa.equipment.demo import equipment_demo
from zhifa.equipment.models import Device, DeviceCheckout, DeviceFault, Room
from zhifa.equipment.selectors import equipment_ratio
from zhifa.ledger.selectors import ledger_verify

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-15")]


def test_equipment_demo_meets_the_standard_with_one_loan_and_one_fault(build, county):
    officers = [build.officer(county.market) for _ in range(7)]
    devices = equipment_demo(county.market, officers, county.sysadmin)
    assert len(devices) == Device.objects.count() == 5
    assert DeviceCheckout.objects.get().officer == officers[0]
    assert DeviceFault.objects.get().reported_by == officers[1]
    assert set(Room.objects.values_list("kind", flat=True)) == {"interview", "hearing"}
    assert equipment_ratio(county.market).meets
    assert ledger_verify().ok
