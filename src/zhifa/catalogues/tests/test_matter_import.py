"""Excel import and export of the 执法事项清单 (PUB-02): a file is checked row by
row and either imported whole or not at all, and an exported file re-imports
unchanged."""

import hashlib
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.selectors import matter_list
from zhifa.catalogues.services import (
    MATTER_SHEET_HEADERS,
    matter_create,
    matter_import,
    matter_rows,
)
from zhifa.core.errors import Forbidden, InvalidInput
from zhifa.core.excel import workbook_bytes
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for, ledger_verify

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-02")]

BASIS = "《中华人民共和国食品安全法》第一百二十四条"


def xlsx(rows, headers=MATTER_SHEET_HEADERS) -> bytes:
    """A workbook as an agency would fill it in, written by openpyxl itself."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(county):
    return [
        [
            1,
            "330100-CF-001",
            "对生产经营不符合食品安全标准的食品的处罚",
            "行政处罚",
            county.market.name,
            "执法大队",
            BASIS,
            20,
            "经营者",
        ],
        [
            2,
            "330100-JC-001",
            "食品生产经营日常监督检查",
            "检查",
            "",
            "",
            "《食品安全法》第八十七条",
            20.0,
            "",
        ],
        [
            3,
            330100005,
            "查封、扣押不符合食品安全标准的食品",
            "行政强制",
            county.market.name,
            "法规股",
            "《食品安全法》第一百一十条",
            "30",
            "",
        ],
        [
            4,
            "330100-QT-001",
            "食品安全信息公布",
            "其他",
            "",
            "",
            "《食品安全法》第一百一十八条",
            None,
            "无法定时限",
        ],
    ]


def test_a_good_file_creates_every_matter_with_its_ledger_entries(county):
    data = xlsx(good_rows(county))
    result = matter_import(
        actor=county.market_admin, agency=county.market, data=data, filename="权责清单.xlsx"
    )

    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    matters = {m.code: m for m in Matter.objects.filter(agency=county.market)}
    assert set(matters) == {"330100-CF-001", "330100-JC-001", "330100005", "330100-QT-001"}
    penalty = matters["330100-CF-001"]
    assert penalty.action_kind == ActionKind.PENALTY
    assert penalty.unit == county.market_unit
    assert penalty.legal_basis == BASIS
    assert penalty.time_limit_days == 20
    assert matters["330100-JC-001"].action_kind == ActionKind.INSPECTION
    assert matters["330100-JC-001"].unit is None
    assert matters["330100-JC-001"].time_limit_days == 20
    assert matters["330100005"].unit == county.market_legal
    assert matters["330100005"].time_limit_days == 30
    assert matters["330100-QT-001"].action_kind == ActionKind.OTHER
    assert matters["330100-QT-001"].time_limit_days is None

    for matter in matters.values():
        assert entries_for(matter).filter(action="matter.create").count() == 1
    entry = LedgerEntry.objects.get(action="matter.import")
    assert entry.agency_id == county.market.pk
    assert entry.payload == {
        "filename": "权责清单.xlsx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
    }
    assert ledger_verify().ok


def test_one_bad_row_among_good_ones_saves_nothing_and_names_that_row(county):
    rows = good_rows(county)
    rows[2][6] = "  "  # 执法依据 of the third data row, which is sheet row 4
    ledger_before = LedgerEntry.objects.count()

    with pytest.raises(InvalidInput) as exc:
        matter_import(
            actor=county.market_admin,
            agency=county.market,
            data=xlsx(rows),
            filename="权责清单.xlsx",
        )

    assert "未导入任何数据" in exc.value.message
    assert "1 行" in exc.value.message
    assert exc.value.details == [{"row": 4, "column": "执法依据", "message": "执法依据不能为空。"}]
    assert not Matter.objects.exists()
    assert LedgerEntry.objects.count() == ledger_before


def test_every_bad_row_is_reported_with_its_number_and_reason(build, county):
    rows = [
        ["", "", "没有编码的事项", "行政处罚", "", "", BASIS, 10, ""],
        ["", "A-1", "", "行政处罚", "", "", BASIS, 10, ""],
        ["", "A-2", "类别写错", "罚款", "", "", BASIS, 10, ""],
        ["", "A-1", "编码重复", "行政许可", "", "", BASIS, 10, ""],
        ["", "A-3", "他机关的事项", "行政许可", county.safety.name, "", BASIS, 10, ""],
        ["", "A-4", "承办机构不存在", "行政许可", "", "稽查局", BASIS, 10, ""],
        ["", "A-5", "负数时限", "行政许可", "", "", BASIS, -1, ""],
        ["", "A-6", "小数时限", "行政许可", "", "", BASIS, 2.5, ""],
        ["", "A-7", "文字时限", "行政许可", "", "", BASIS, "二十日", ""],
        ["", "A-8", "好的一行", "行政许可", "", "", BASIS, 10, ""],
        [9, None, None, None, None, None, None, None, None],  # a pre-numbered blank row
        ["", "A-9", "两处错误", "", "", "", "", 10, ""],
    ]
    with pytest.raises(InvalidInput) as exc:
        matter_import(
            actor=county.market_admin, agency=county.market, data=xlsx(rows), filename="x.xlsx"
        )

    reported = [(d["row"], d["column"]) for d in exc.value.details]
    assert reported == [
        (2, "项目编码"),
        (3, "事项名称"),
        (4, "事项类别"),
        (5, "项目编码"),
        (6, "执法主体"),
        (7, "承办机构"),
        (8, "办理时限（工作日）"),
        (9, "办理时限（工作日）"),
        (10, "办理时限（工作日）"),
        (13, "事项类别"),
        (13, "执法依据"),
    ]
    messages = {(d["row"], d["column"]): d["message"] for d in exc.value.details}
    assert messages[(5, "项目编码")] == "项目编码 A-1 与第 3 行重复。"
    assert "罚款" in messages[(4, "事项类别")]
    assert county.safety.name in messages[(6, "执法主体")]
    assert "稽查局" in messages[(7, "承办机构")]
    assert "共有 10 行" in exc.value.message
    assert not Matter.objects.exists()


def test_another_agencys_admin_is_refused_and_nothing_is_saved(county):
    with pytest.raises(Forbidden):
        matter_import(
            actor=county.safety_admin,
            agency=county.market,
            data=xlsx(good_rows(county)),
            filename="x.xlsx",
        )
    assert not Matter.objects.exists()
    assert not LedgerEntry.objects.filter(action="matter.import").exists()


def test_an_officer_who_is_not_admin_is_refused(build, county):
    officer = build.officer(county.market, unit=county.market_unit)
    with pytest.raises(Forbidden):
        matter_import(
            actor=officer.user,
            agency=county.market,
            data=xlsx(good_rows(county)),
            filename="x.xlsx",
        )
    assert not Matter.objects.exists()


def test_another_agencys_file_is_refused_row_by_row(county):
    with pytest.raises(InvalidInput) as exc:
        matter_import(
            actor=county.safety_admin,
            agency=county.safety,
            data=xlsx(good_rows(county)),
            filename="market.xlsx",
        )
    # Rows 2 and 4 name the market agency and its units; rows 3 and 5 leave both blank.
    assert [(d["row"], d["column"]) for d in exc.value.details] == [
        (2, "执法主体"),
        (2, "承办机构"),
        (4, "执法主体"),
        (4, "承办机构"),
    ]
    assert not Matter.objects.exists()


@pytest.mark.parametrize("data", [b"not a workbook", "序号,项目编码\n1,A\n".encode(), b""])
def test_a_file_that_is_not_xlsx_is_refused_in_chinese(county, data):
    with pytest.raises(InvalidInput) as exc:
        matter_import(
            actor=county.market_admin, agency=county.market, data=data, filename="清单.csv"
        )
    assert ".xlsx" in exc.value.message
    assert not Matter.objects.exists()


def test_missing_headers_and_empty_sheets_are_refused(county):
    with pytest.raises(InvalidInput) as exc:
        matter_import(
            actor=county.market_admin,
            agency=county.market,
            data=xlsx([["A-1", "名称"]], headers=["项目编码", "事项名称"]),
            filename="x.xlsx",
        )
    assert "事项类别" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        matter_import(
            actor=county.market_admin, agency=county.market, data=xlsx([]), filename="x.xlsx"
        )
    assert "没有执法事项" in exc.value.message
    assert not LedgerEntry.objects.filter(action="matter.import").exists()


def _sheet(data: bytes):
    return load_workbook(BytesIO(data)).worksheets[0]


def _export(actor, agency) -> bytes:
    matters = matter_list(actor=actor).filter(agency=agency).order_by("code")
    return workbook_bytes(
        title="执法事项清单", headers=MATTER_SHEET_HEADERS, rows=matter_rows(matters)
    )


def test_export_then_reimport_is_unchanged_and_an_edit_updates_only_that_matter(county):
    matter_import(
        actor=county.market_admin,
        agency=county.market,
        data=xlsx(good_rows(county)),
        filename="first.xlsx",
    )
    matter_create(
        actor=county.market_admin,
        agency=county.market,
        code="000-HAND",
        name="手工录入的事项",
        action_kind=ActionKind.LICENSING,
        legal_basis=BASIS,
        note="手工",
    )

    exported = _export(county.market_admin, county.market)
    result = matter_import(
        actor=county.market_admin, agency=county.market, data=exported, filename="export.xlsx"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert not LedgerEntry.objects.filter(action="matter.update").exists()

    rows = [[c.value for c in row] for row in _sheet(exported).iter_rows(min_row=2)]
    edited = next(r for r in rows if r[1] == "330100-CF-001")
    edited[7] = 15
    edited[5] = ""
    rows.append(["", "NEW-1", "新增事项", "确认", "", "", BASIS, "", ""])
    result = matter_import(
        actor=county.market_admin, agency=county.market, data=xlsx(rows), filename="edited.xlsx"
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 4)
    matter = Matter.objects.get(agency=county.market, code="330100-CF-001")
    assert (matter.time_limit_days, matter.unit) == (15, None)
    update = entries_for(matter).get(action="matter.update")
    assert update.payload["changes"] == {
        "time_limit_days": {"from": 20, "to": 15},
        "unit": {"from": "执法大队", "to": None},
    }
    assert LedgerEntry.objects.filter(action="matter.import").count() == 3


def test_export_and_template_use_exactly_the_import_headers(county):
    matter_import(
        actor=county.market_admin,
        agency=county.market,
        data=xlsx(good_rows(county)),
        filename="x.xlsx",
    )
    sheet = _sheet(_export(county.supervisor, county.market))
    assert [c.value for c in sheet[1]] == list(MATTER_SHEET_HEADERS)
    assert [c.value for c in sheet[2]][:5] == [
        1,
        "330100-CF-001",
        good_rows(county)[0][2],
        "行政处罚",
        county.market.name,
    ]


# --- The command line ------------------------------------------------------------------


def test_cli_imports_and_exports_as_a_named_sysadmin(county, tmp_path, capsys):
    source = tmp_path / "清单.xlsx"
    source.write_bytes(xlsx(good_rows(county)))
    call_command(
        "matters", "import", "--agency", str(county.market.pk), "--as", "root", str(source)
    )
    assert "新增 4 条" in capsys.readouterr().out
    assert Matter.objects.filter(agency=county.market).count() == 4
    assert LedgerEntry.objects.get(action="matter.import").actor_id == county.sysadmin.pk

    target = tmp_path / "导出.xlsx"
    call_command(
        "matters", "export", "--agency", str(county.market.pk), "--as", "root", str(target)
    )
    assert [c.value for c in _sheet(target.read_bytes())[1]] == list(MATTER_SHEET_HEADERS)
    call_command(
        "matters", "import", "--agency", str(county.market.pk), "--as", "root", str(target)
    )
    assert "未变 4 条" in capsys.readouterr().out


def test_cli_prints_bad_rows_and_saves_nothing(county, tmp_path):
    rows = good_rows(county)
    rows[1][3] = "罚款"
    source = tmp_path / "bad.xlsx"
    source.write_bytes(xlsx(rows))
    with pytest.raises(CommandError) as exc:
        call_command(
            "matters", "import", "--agency", str(county.market.pk), "--as", "root", str(source)
        )
    assert "未导入任何数据" in str(exc.value)
    assert "第 3 行 [事项类别]" in str(exc.value)
    assert not Matter.objects.exists()


def test_cli_refuses_a_user_who_is_not_sysadmin(county, tmp_path):
    source = tmp_path / "清单.xlsx"
    source.write_bytes(xlsx(good_rows(county)))
    with pytest.raises(CommandError) as exc:
        call_command(
            "matters",
            "import",
            "--agency",
            str(county.market.pk),
            "--as",
            county.market_admin.username,
            str(source),
        )
    assert "系统管理员" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("matters", "import", "--agency", "999999", "--as", "root", str(source))
    assert not Matter.objects.exists()
