"""Excel import and export of the device list (REC-15): a file is checked row
by row and imported whole or not at all; an exported list re-imports unchanged."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zhifa.core.errors import Forbidden, InvalidInput
from zhifa.equipment import services
from zhifa.equipment.models import Device
from zhifa.equipment.selectors import device_list
from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-15")]

HEADERS = services.DEVICE_SHEET_HEADERS


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    workbook.active.append(list(headers))
    for row in rows:
        workbook.active.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(county):
    return [
        [1, "JLY-001", "执法记录仪", "DSJ-V9", "SN1", county.market.name, "", ""],
        [2, 20260002, "手持执法终端", "ZF-T5", "", "", "在库", "二大队"],
        [3, "XJ-001", "其他音像设备", "EOS 90D", "", "", "", ""],
    ]


def do_import(county, data, actor=None):
    return services.device_import(
        actor=actor or county.market_admin, agency=county.market, data=data, filename="设备.xlsx"
    )


def test_a_good_file_registers_every_device_in_stock(county):
    result = do_import(county, xlsx(good_rows(county)))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    terminal = Device.objects.get(asset_number="20260002")
    assert (terminal.kind, terminal.status, terminal.note) == ("terminal", "available", "二大队")
    entry = LedgerEntry.objects.get(action="device.import")
    assert (entry.agency_id, entry.payload["rows"]) == (county.market.pk, 3)
    assert LedgerEntry.objects.filter(action="device.create").count() == 3


def test_bad_rows_are_named_and_nothing_is_imported(county):
    rows = [
        *good_rows(county),
        [4, "", "执法记录仪", "DSJ-V9", "", "", "", ""],
        [5, "JLY-001", "无人机", "", "", "", "", ""],
        [6, "JLY-006", "执法记录仪", "DSJ-V9", "", "示范县应急管理局", "", ""],
    ]
    entries = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        do_import(county, xlsx(rows))
    assert refused.value.message.startswith("共有 3 行不符合要求，未导入任何数据。")
    assert [(d["row"], d["column"]) for d in refused.value.details] == [
        (5, "资产编号"),
        (6, "资产编号"),
        (6, "型号"),
        (6, "设备类型"),
        (7, "执法主体"),
    ]
    messages = {d["message"] for d in refused.value.details}
    assert "资产编号 JLY-001 与第 2 行重复。" in messages
    assert any(m.startswith("设备类型“无人机”无效，应为：执法记录仪、") for m in messages)
    assert not Device.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_a_sheet_without_the_headers_or_rows_is_refused(county):
    with pytest.raises(InvalidInput, match="表头缺少列：资产编号"):
        do_import(county, xlsx([], headers=["设备", "型号"]))
    with pytest.raises(InvalidInput, match="表格中没有设备"):
        do_import(county, xlsx([]))
    with pytest.raises(InvalidInput, match="无法读取上传的文件"):
        do_import(county, b"not a workbook")


def test_only_managers_import(county, officer):
    with pytest.raises(Forbidden):
        do_import(county, xlsx(good_rows(county)), actor=officer.user)
    with pytest.raises(Forbidden):
        do_import(county, xlsx(good_rows(county)), actor=county.safety_admin)
    assert not Device.objects.exists()


def test_an_exported_list_reimports_unchanged_and_edits_update(county):
    do_import(county, xlsx(good_rows(county)))
    exported = list(services.device_rows(device_list(actor=county.market_admin)))
    assert do_import(county, xlsx(exported)).unchanged == 3
    exported[0][3] = "DSJ-V10"
    # 状态 is not read: a row cannot retire a device.
    exported[1][6] = "报废"
    result = do_import(county, xlsx(exported))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert Device.objects.get(asset_number=exported[0][1]).model == "DSJ-V10"
    assert not Device.objects.filter(status="retired").exists()


def test_the_upload_page_lists_the_bad_rows_and_the_template_downloads(client_for, county):
    client = client_for(county.market_admin)
    rows = [[1, "JLY-001", "无人机", "DSJ-V9", "", "", "", ""]]
    response = client.post(
        reverse("equipment:device-import"),
        {"agency": county.market.pk, "file": SimpleUploadedFile("设备.xlsx", xlsx(rows))},
    )
    page = response.content.decode()
    assert "未导入任何数据" in page and "第 2 行" in page and "设备类型“无人机”无效" in page
    response = client.post(
        reverse("equipment:device-import"),
        {
            "agency": county.market.pk,
            "file": SimpleUploadedFile("设备.xlsx", xlsx(good_rows(county))),
        },
        follow=True,
    )
    assert "新增 3 台" in response.content.decode()
    template = client.get(reverse("equipment:device-template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
