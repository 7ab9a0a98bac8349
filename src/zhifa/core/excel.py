"""Excel (.xlsx) lists, the form agencies already keep their catalogues in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from zhifa.core.errors import InvalidInput

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        values = ["" if value is None else value for value in row]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            # openpyxl turns text starting with "=" into a formula: keep it text,
            # so a cell can neither run in Excel nor read back empty.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
        for i, value in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(value)) * 2 + 2))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(*, filename: str, title: str, headers, rows) -> HttpResponse:
    response = HttpResponse(
        workbook_bytes(title=title, headers=headers, rows=rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def read_rows(data: bytes, *, headers: Sequence[str]) -> list[tuple[int, dict[str, object]]]:
    """Read the first sheet of an uploaded workbook into ``(row number, {header: value})``.

    The first row must carry the expected headers (in any order; extra columns
    are ignored). Blank rows are skipped. Raises ``InvalidInput`` when the file
    is not a workbook or a header is missing.
    """
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise InvalidInput(
            "无法读取上传的文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。"
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header_row = next(rows)
    except StopIteration:
        raise InvalidInput("上传的表格是空的。") from None
    found = {str(value).strip(): i for i, value in enumerate(header_row) if value is not None}
    missing = [h for h in headers if h not in found]
    if missing:
        raise InvalidInput(f"表头缺少列：{'、'.join(missing)}。请使用导出的模板填写。")
    result = []
    for number, row in enumerate(rows, start=2):
        values = {h: (row[found[h]] if found[h] < len(row) else None) for h in headers}
        if all(v is None or str(v).strip() == "" for v in values.values()):
            continue
        result.append((number, values))
    workbook.close()
    return result


def upsert_rows(
    parsed: Iterable[tuple[str, dict]],
    existing: Mapping[str, object],
    *,
    create: Callable[[str, dict], object],
    update: Callable[[object, dict], object],
) -> tuple[int, int, int]:
    """Write checked import rows ``(key, fields)`` against the ``existing``
    objects by key: ``create(key, fields)`` when the key is new, and
    ``update(obj, changed)`` with only the fields whose value differs.
    Returns the counts ``(created, updated, unchanged)``."""
    created = updated = unchanged = 0
    for key, fields in parsed:
        obj = existing.get(key)
        if obj is None:
            create(key, fields)
            created += 1
            continue
        changed = {name: value for name, value in fields.items() if getattr(obj, name) != value}
        if changed:
            update(obj, changed)
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged
