"""Workbench pages of the 执法事项清单 (PUB-02): list, export, Excel upload and
the form for one matter, each limited to what the user may see and do."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.services import MATTER_SHEET_HEADERS, matter_create
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-02")]

BASIS = "《中华人民共和国食品安全法》第一百二十四条"
LIST = reverse("catalogues:matter-list")
IMPORT = reverse("catalogues:matter-import")


def upload(rows, name="权责清单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(list(MATTER_SHEET_HEADERS))
    for row in rows:
        workbook.active.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def sheet_of(response):
    return load_workbook(BytesIO(response.content)).worksheets[0]


def make(county, code, name="事项", *, agency=None, **fields):
    agency = agency or county.market
    admin = county.market_admin if agency == county.market else county.safety_admin
    fields = {"action_kind": ActionKind.PENALTY, "legal_basis": BASIS, **fields}
    return matter_create(actor=admin, agency=agency, code=code, name=name, **fields)


# --- Upload -------------------------------------------------------------------------------


def test_agency_admin_uploads_a_good_file_and_sees_the_counts(county, client_for):
    client = client_for(county.market_admin)
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert county.market.name in page.content.decode()

    response = client.post(
        IMPORT,
        {
            "agency": county.market.pk,
            "file": upload(
                [
                    [
                        1,
                        "A-1",
                        "食品抽检",
                        "行政检查",
                        county.market.name,
                        "执法大队",
                        BASIS,
                        20,
                        "",
                    ],
                    [2, "A-2", "无证经营处罚", "处罚", "", "", BASIS, "", ""],
                ]
            ),
        },
        follow=True,
    )

    assert "新增 2 条" in response.content.decode()
    assert Matter.objects.filter(agency=county.market).count() == 2
    assert LedgerEntry.objects.filter(action="matter.import", agency_id=county.market.pk).exists()


def test_upload_with_one_bad_row_shows_that_row_and_saves_nothing(county, client_for):
    response = client_for(county.market_admin).post(
        IMPORT,
        {
            "agency": county.market.pk,
            "file": upload(
                [
                    [1, "A-1", "食品抽检", "行政检查", "", "", BASIS, 20, ""],
                    [2, "A-2", "无证经营处罚", "处罚", "", "", BASIS, 20, ""],
                    [3, "A-3", "时限写错", "处罚", "", "", BASIS, "二十", ""],
                    [4, "A-4", "食品召回", "行政强制", "", "", BASIS, 20, ""],
                ]
            ),
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "未导入任何数据" in html
    assert "<td>第 4 行</td><td>办理时限（工作日）</td>" in html
    assert "“二十”无效" in html
    assert not Matter.objects.exists()
    assert not LedgerEntry.objects.filter(action="matter.import").exists()


def test_upload_of_a_file_that_is_not_xlsx_is_refused(county, client_for):
    response = client_for(county.market_admin).post(
        IMPORT,
        {
            "agency": county.market.pk,
            "file": SimpleUploadedFile("清单.xls", b"\xd0\xcf\x11\xe0 old excel"),
        },
    )
    html = response.content.decode()
    assert "未导入任何数据" in html
    assert ".xlsx" in html
    assert not Matter.objects.exists()


def test_agency_admin_cannot_import_for_another_agency(county, client_for):
    response = client_for(county.market_admin).post(
        IMPORT,
        {
            "agency": county.safety.pk,
            "file": upload([[1, "A-1", "检查", "检查", "", "", BASIS, 20, ""]]),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Matter.objects.exists()


def test_sysadmin_picks_the_agency(county, client_for):
    client = client_for(county.sysadmin)
    page = client.get(IMPORT).content.decode()
    assert county.market.name in page and county.safety.name in page

    client.post(
        IMPORT,
        {
            "agency": county.safety.pk,
            "file": upload(
                [
                    [1, "S-1", "安全生产检查", "检查", county.safety.name, "", BASIS, 20, ""],
                ]
            ),
        },
    )
    assert Matter.objects.get().agency == county.safety


def test_an_officer_may_not_open_the_import_page(build, county, client_for):
    officer = build.officer(county.market, unit=county.market_unit)
    client = client_for(officer.user)
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("catalogues:matter-create")).status_code == 403


# --- List and export ------------------------------------------------------------------


def test_list_is_searchable_sortable_and_paginated(county, client_for):
    for n in range(30):
        make(county, f"M-{n:02d}", f"事项{n:02d}")
    make(county, "X-1", "餐饮服务许可", action_kind=ActionKind.LICENSING)
    client = client_for(county.market_admin)

    first = client.get(LIST)
    assert first.context["page"].paginator.count == 31
    assert len(first.context["rows"]) == 25
    assert client.get(LIST, {"page": 2}).context["rows"][-1][0][0] == "X-1"

    found = client.get(LIST, {"q": "餐饮"}).context["rows"]
    assert [row[0][0] for row in found] == ["X-1"]

    descending = client.get(LIST, {"sort": "-code"}).context["rows"]
    assert descending[0][0][0] == "X-1"
    assert descending[1][0][0] == "M-29"


def test_agency_admin_never_sees_another_agencys_matters(county, client_for):
    make(county, "M-1", "市场事项")
    other = make(county, "S-1", "应急事项", agency=county.safety)
    client = client_for(county.market_admin)

    html = client.get(LIST).content.decode()
    assert "市场事项" in html and "应急事项" not in html
    exported = sheet_of(client.get(LIST, {"export": "xlsx"}))
    assert [row[1] for row in exported.iter_rows(min_row=2, values_only=True)] == ["M-1"]
    assert client.get(reverse("catalogues:matter-edit", args=[other.pk])).status_code == 404


def test_export_uses_the_import_layout_and_keeps_the_search(county, client_for):
    make(county, "M-1", "食品抽检", unit=county.market_unit, time_limit_days=20)
    make(county, "M-2", "药品检查")
    response = client_for(county.market_admin).get(LIST, {"export": "xlsx", "q": "抽检"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(sheet_of(response).iter_rows(values_only=True))
    assert list(rows[0]) == list(MATTER_SHEET_HEADERS)
    assert list(rows[1]) == [
        1,
        "M-1",
        "食品抽检",
        "行政处罚",
        county.market.name,
        "执法大队",
        BASIS,
        20,
        None,
    ]
    assert len(rows) == 2


def test_template_download_is_the_blank_import_sheet(county, client_for):
    response = client_for(county.market_admin).get(reverse("catalogues:matter-template"))
    rows = list(sheet_of(response).iter_rows(values_only=True))
    assert rows == [tuple(MATTER_SHEET_HEADERS)]


def test_import_and_new_buttons_only_for_those_who_may_use_them(build, county, client_for):
    admin_page = client_for(county.market_admin).get(LIST).content.decode()
    assert IMPORT in admin_page and reverse("catalogues:matter-create") in admin_page
    assert reverse("catalogues:matter-template") in admin_page

    officer = build.officer(county.market, unit=county.market_unit)
    officer_page = client_for(officer.user).get(LIST).content.decode()
    assert IMPORT not in officer_page
    assert reverse("catalogues:matter-create") not in officer_page
    supervisor_page = client_for(county.supervisor).get(LIST).content.decode()
    assert IMPORT not in supervisor_page


# --- One matter ---------------------------------------------------------------------


def test_create_form_goes_through_the_service_and_shows_its_errors(county, client_for):
    client = client_for(county.market_admin)
    data = {
        "agency": county.market.pk,
        "code": "M-1",
        "name": "食品抽检",
        "action_kind": ActionKind.INSPECTION,
        "unit": county.market_unit.pk,
        "legal_basis": BASIS,
        "time_limit_days": "20",
        "note": "",
    }
    assert client.post(reverse("catalogues:matter-create"), data).status_code == 302
    matter = Matter.objects.get(code="M-1")
    assert (matter.agency, matter.unit, matter.time_limit_days) == (
        county.market,
        county.market_unit,
        20,
    )
    assert entries_for(matter).filter(action="matter.create").exists()

    again = client.post(reverse("catalogues:matter-create"), data)
    assert again.status_code == 200
    assert "已有项目编码为 M-1 的执法事项" in again.content.decode()
    assert Matter.objects.count() == 1


def test_edit_form_updates_through_the_service(county, client_for):
    matter = make(county, "M-1", "食品抽检")
    client = client_for(county.market_admin)
    url = reverse("catalogues:matter-edit", args=[matter.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "name": "食品安全抽样检验",
            "action_kind": ActionKind.INSPECTION,
            "unit": "",
            "legal_basis": BASIS,
            "time_limit_days": "",
            "note": "改",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert (matter.name, matter.action_kind, matter.note) == (
        "食品安全抽样检验",
        ActionKind.INSPECTION,
        "改",
    )
    assert entries_for(matter).filter(action="matter.update").exists()

    blank = client.post(
        url,
        {
            "name": "x",
            "action_kind": ActionKind.INSPECTION,
            "legal_basis": "   ",
            "is_active": "on",
        },
    )
    assert blank.status_code == 200
    assert "执法依据" in blank.content.decode()
    matter.refresh_from_db()
    assert matter.name == "食品安全抽样检验"


def test_supervisor_sees_the_matter_but_may_not_edit_it(county, client_for):
    matter = make(county, "M-1")
    client = client_for(county.supervisor)
    assert "M-1" in client.get(LIST).content.decode()
    assert client.get(reverse("catalogues:matter-edit", args=[matter.pk])).status_code == 403
