"""Service windows and their printable 岗位信息公示牌 (PUB-05): kept in the
workbench (form, Excel import and export), printed as an A4 or A3 PDF through
LibreOffice, refused to other agencies."""

from __future__ import annotations

import subprocess
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from zhifa.core.errors import Forbidden, InvalidInput
from zhifa.disclosures import services
from zhifa.disclosures.models import Window, WindowStaff
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-05")]

MM = 72 / 25.4


@pytest.fixture
def clerk(build, county):
    """An enforcement officer on duty at the window, with a valid certificate."""
    officer = build.officer(county.market, unit=county.market_unit, name="李明")
    return officer, officer.credentials.get()


def _form(desk, clerk, **changes):
    _officer, credential = clerk
    data = {
        "name": "食品经营许可窗口（3号）",
        "location": "示范县政务服务中心二楼",
        "hours": "工作日 9:00–12:00，13:30–17:00",
        "phone": "0731-1234567",
        "supervision_phone": "0731-12345",
        "matters": [desk.matter.code],
        "staff": f"李明|受理审核岗|{credential.number}\n王芳|综合受理岗",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_window_is_kept_in_the_workbench_and_its_board_printed(desk, clerk, client_for):
    legal = client_for(desk.legal)
    listing = legal.get(reverse("portal:wb-windows")).content.decode()
    assert reverse("portal:wb-window-new") in listing
    response = legal.post(reverse("portal:wb-window-new"), _form(desk, clerk))
    window = Window.objects.get()
    assert response.url == reverse("portal:wb-window", args=[window.pk])
    assert [s.name for s in window.staff.all()] == ["李明", "王芳"]
    assert window.staff.get(name="李明").officer == clerk[0]
    assert window.staff.get(name="王芳").credential_number == ""
    assert list(window.matters.all()) == [desk.matter]
    assert entries_for(window).filter(action="window.create").exists()

    page = legal.get(reverse("portal:wb-window", args=[window.pk])).content.decode()
    assert "打印公示牌（A4）" in page and clerk[1].number in page

    sizes = {}
    for size, (width, height) in (("a4", (210, 297)), ("a3", (297, 420))):
        pdf = legal.get(reverse("portal:wb-window-board", args=[window.pk, size]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        data = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
        box = PdfReader(BytesIO(data)).pages[0].mediabox
        assert abs(float(box.width) - width * MM) < 2 and abs(float(box.height) - height * MM) < 2
        text = "".join(
            subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
            .stdout.decode()
            .split()
        )
        for expected in (
            "岗位信息公示牌",
            "食品经营许可窗口（3号）",
            "李明",
            "受理审核岗",
            clerk[1].number,
            "王芳",
            "销售超过保质期的食品",
            "食品安全法",
            "0731-12345",
            "示范县政务服务中心二楼",
        ):
            assert expected in text, (size, expected)
        sizes[size] = float(box.width)
    assert sizes["a3"] > sizes["a4"]
    assert legal.get(reverse("portal:wb-window-board", args=[window.pk, "a5"])).status_code == 404

    # Edited: the staff list is replaced, the change is on the ledger.
    legal.post(
        reverse("portal:wb-window-edit", args=[window.pk]),
        _form(desk, clerk, staff="王芳|综合受理岗"),
    )
    assert [s.name for s in window.staff.all()] == ["王芳"]
    assert entries_for(window).filter(action="window.update").exists()


def test_other_agencies_cannot_see_print_or_edit_a_window(desk, clerk, county, build, client_for):
    window = services.window_save(
        actor=desk.legal,
        agency=desk.agency,
        data=services.WindowInput(
            name="许可窗口", location="政务中心", supervision_phone="12345", staff="王芳|受理岗"
        ),
    )
    other_admin = client_for(county.safety_admin)
    for name, args in (
        ("portal:wb-window", [window.pk]),
        ("portal:wb-window-edit", [window.pk]),
        ("portal:wb-window-board", [window.pk, "a4"]),
    ):
        assert other_admin.get(reverse(name, args=args)).status_code == 404
    assert "许可窗口" not in other_admin.get(reverse("portal:wb-windows")).content.decode()
    # An officer of the agency may print but not edit.
    officer = client_for(desk.officer)
    assert officer.get(reverse("portal:wb-window-edit", args=[window.pk])).status_code == 403
    assert officer.post(reverse("portal:wb-window-new"), {"name": "x"}).status_code == 403
    before = (Window.objects.count(), WindowStaff.objects.count())
    for actor in (desk.officer, desk.outsider, county.supervisor, county.safety_admin):
        with pytest.raises(Forbidden):
            services.window_save(
                actor=actor,
                agency=desk.agency,
                window=window,
                data=services.WindowInput(name="改名", location="x", supervision_phone="1"),
            )
    assert (Window.objects.count(), WindowStaff.objects.count()) == before
    window.refresh_from_db()
    assert window.name == "许可窗口"


def test_bad_window_input_is_refused_and_changes_nothing(desk, clerk, build, county, client_for):
    other = build.officer(county.safety, name="赵六")
    suspended = build.officer(county.market, name="钱七", credential="suspended")
    cases = [
        ({"staff": "李明"}, "格式不对"),
        ({"staff": f"赵六|受理岗|{other.credentials.get().number}"}, "不是本机关"),
        ({"staff": f"钱七|受理岗|{suspended.credentials.get().number}"}, "有效证件"),
        ({"staff": f"王芳|受理岗|{clerk[1].number}"}, "持证人是李明"),
        ({"supervision_phone": " "}, "监督电话"),
    ]
    legal = client_for(desk.legal)
    for changes, message in cases:
        response = legal.post(reverse("portal:wb-window-new"), _form(desk, clerk, **changes))
        assert response.status_code == 200, changes
        assert message in response.content.decode(), changes
    with pytest.raises(InvalidInput, match="没有在用的事项"):
        services.window_save(
            actor=desk.legal,
            agency=desk.agency,
            data=services.WindowInput(
                name="x", location="x", supervision_phone="1", matter_codes=("NOPE",)
            ),
        )
    assert Window.objects.count() == 0 and WindowStaff.objects.count() == 0


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(services.WINDOW_SHEET_HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_windows_round_trip_through_excel(desk, clerk, client_for):
    legal = client_for(desk.legal)
    number = clerk[1].number
    good = _sheet(
        [
            [
                "1号窗口",
                "政务中心一楼",
                "工作日",
                "",
                "12345",
                desk.matter.code,
                f"李明|受理岗|{number}；王芳|咨询岗",
                "是",
            ],
            ["2号窗口", "政务中心一楼", "", "", "12345", "", "", "否"],
        ]
    )
    bad = _sheet(
        [
            ["3号窗口", "政务中心", "", "", "12345", "", "", "是"],
            ["4号窗口", "", "", "", "12345", "", "", "是"],
            ["5号窗口", "政务中心", "", "", "12345", "NOPE", "", "是"],
        ]
    )
    url = reverse("portal:wb-window-import")
    refused = legal.post(url, {"file": _upload(bad)})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "第 3 行" in text and "第 4 行" in text and "未导入任何数据" in text
    assert Window.objects.count() == 0
    response = legal.post(url, {"file": _upload(good)})
    assert response.status_code == 302
    assert Window.objects.count() == 2
    assert not Window.objects.get(name="2号窗口").is_active
    exported = legal.get(reverse("portal:wb-window-export"))
    rows = list(load_workbook(BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0] == services.WINDOW_SHEET_HEADERS
    assert rows[1][:2] == ("1号窗口", "政务中心一楼") and number in rows[1][6]
    # Re-importing the export changes nothing but updates in place.
    again = legal.post(url, {"file": _upload(exported.content)})
    assert again.status_code == 302 and Window.objects.count() == 2
    # Another agency's people cannot import into this one.
    assert client_for(desk.officer).post(url, {"file": _upload(good)}).status_code == 403


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("windows.xlsx", data)


def test_a_supervisor_reads_the_windows_of_the_region(desk, county, client_for):
    services.window_save(
        actor=desk.legal,
        agency=desk.agency,
        data=services.WindowInput(name="许可窗口", location="政务中心", supervision_phone="1"),
    )
    page = client_for(county.supervisor).get(reverse("portal:wb-windows")).content.decode()
    assert "许可窗口" in page and reverse("portal:wb-window-new") not in page


def test_the_window_list_reads_in_a_fixed_number_of_queries(
    desk, clerk, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        services.window_save(
            actor=desk.legal,
            agency=desk.agency,
            data=services.WindowInput(
                name=f"{n}号窗口",
                location="政务中心",
                supervision_phone="1",
                matter_codes=(desk.matter.code,),
                staff=f"李明|受理岗|{clerk[1].number}；王芳|咨询岗",
            ),
        )

    legal = client_for(desk.legal)
    add(1)
    with CaptureQueriesContext(connection) as one:
        legal.get(reverse("portal:wb-windows"))
    for n in range(2, 7):
        add(n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = legal.get(reverse("portal:wb-windows"))
    assert page.content.decode().count("号窗口") >= 6
