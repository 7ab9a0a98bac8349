"""Importing and exporting the 检查对象名录库 as Excel (INS-01)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhifa.core.errors import InvalidInput
from zhifa.inspections import services
from zhifa.inspections.models import InspectionTarget
from zhifa.inspections.tests.conftest import credit_code
from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.req("INS-01")]


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(list(services.TARGET_SHEET_HEADERS))
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_creates_updates_and_is_ledgered(matter, manager):
    data = sheet(
        [
            ["企业", "甲公司", credit_code(1), "城关镇", "", "是"],
            ["个体工商户", "乙商店", credit_code(2), "", "", ""],
            ["其他检查对象", "城东农贸市场", "", "", "食品安全", "是"],
        ]
    )
    result = services.target_import(actor=manager, matter=matter, data=data, filename="t.xlsx")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    again = sheet([["企业", "甲公司（更名）", credit_code(1), "城关镇", "", "否"]])
    result = services.target_import(actor=manager, matter=matter, data=again)
    assert (result.created, result.updated) == (0, 1)
    target = InspectionTarget.objects.get(credit_code=credit_code(1))
    assert target.name == "甲公司（更名）" and not target.is_active
    assert LedgerEntry.objects.filter(action="inspection_target.import").count() == 2


def test_bad_rows_refuse_the_whole_file(matter, manager):
    before = (InspectionTarget.objects.count(), LedgerEntry.objects.count())
    data = sheet(
        [
            ["企业", "甲公司", credit_code(1), "", "", "是"],
            ["企业", "乙公司", "91990102MA0000002X", "", "", "是"],
            ["工厂", "丙", credit_code(3), "", "", "是"],
            ["企业", "丁", credit_code(1), "", "", "是"],
        ]
    )
    with pytest.raises(InvalidInput) as refused:
        services.target_import(actor=manager, matter=matter, data=data)
    assert len(refused.value.details) == 3
    assert "第 3 行" in refused.value.details[0] and "统一社会信用代码" in refused.value.details[0]
    assert (InspectionTarget.objects.count(), LedgerEntry.objects.count()) == before


def test_export_round_trips_and_import_page(client_for, matter, targets, manager, county):
    client = client_for(manager)
    response = client.get(reverse("inspections:target-export", args=[matter.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == services.TARGET_SHEET_HEADERS and len(rows) == 11
    assert (
        services.target_import(actor=manager, matter=matter, data=response.content).unchanged == 10
    )
    upload = BytesIO(sheet([["企业", "新公司", credit_code(50), "", "", "是"]]))
    upload.name = "targets.xlsx"
    page = client.post(reverse("inspections:target-import", args=[matter.pk]), {"file": upload})
    assert page.status_code == 302
    assert InspectionTarget.objects.filter(credit_code=credit_code(50)).exists()
    assert (
        client_for(county.safety_admin)
        .get(reverse("inspections:target-import", args=[matter.pk]))
        .status_code
        == 404
    )
