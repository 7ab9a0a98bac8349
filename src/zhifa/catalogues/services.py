"""Writes to catalogues (matters, work calendar). Each function runs in one
transaction, checks who is acting and appends its ledger entry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from decimal import Decimal, InvalidOperation

import chinese_calendar
from django.conf import settings
from django.db import connection, transaction

from zhifa import ledger
from zhifa.accounts.models import Agency, Unit
from zhifa.accounts.services import require_agency_admin, require_sysadmin
from zhifa.catalogues.models import ActionKind, Matter, WorkCalendarDay, WorkCalendarYear
from zhifa.catalogues.workdays import is_plain_workday
from zhifa.core.errors import Conflict, InvalidInput, NotFound
from zhifa.core.excel import read_rows, upsert_rows

# --- Matters (PUB-02) ---------------------------------------------------------------

MATTER_FIELDS = ("name", "action_kind", "unit", "legal_basis", "time_limit_days", "note")


def _check_matter(agency: Agency, fields: dict) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInput("事项名称不能为空。")
    if "action_kind" in fields and fields["action_kind"] not in ActionKind.values:
        raise InvalidInput(f"事项类别“{fields['action_kind']}”无效。")
    if "legal_basis" in fields and not str(fields["legal_basis"]).strip():
        raise InvalidInput("执法依据不能为空。")
    unit: Unit | None = fields.get("unit")
    if unit is not None and unit.agency_id != agency.pk:
        raise InvalidInput(f"承办机构“{unit.name}”不属于{agency.name}。")
    days = fields.get("time_limit_days")
    if days is not None and (not isinstance(days, int) or days < 0):
        raise InvalidInput("办理时限应为不小于 0 的整数（工作日）。")


@transaction.atomic
def matter_create(
    *,
    actor,
    agency: Agency,
    code: str,
    name: str,
    action_kind: str,
    legal_basis: str,
    unit: Unit | None = None,
    time_limit_days: int | None = None,
    note: str = "",
) -> Matter:
    require_agency_admin(actor, agency)
    code = code.strip()
    if not code:
        raise InvalidInput("项目编码不能为空。")
    fields = {
        "name": name.strip(),
        "action_kind": action_kind,
        "unit": unit,
        "legal_basis": legal_basis.strip(),
        "time_limit_days": time_limit_days,
        "note": note.strip(),
    }
    _check_matter(agency, fields)
    if Matter.objects.filter(agency=agency, code=code).exists():
        raise Conflict(f"{agency.name}已有项目编码为 {code} 的执法事项。")
    matter = Matter.objects.create(agency=agency, code=code, **fields)
    ledger.append(
        actor=actor, action="matter.create", obj=matter, payload={"code": code, **_loggable(fields)}
    )
    return matter


@transaction.atomic
def matter_update(*, actor, matter: Matter, **fields) -> Matter:
    require_agency_admin(actor, matter.agency)
    unknown = set(fields) - set(MATTER_FIELDS) - {"is_active"}
    if unknown:
        raise InvalidInput(f"未知的事项字段：{'、'.join(sorted(unknown))}")
    _check_matter(matter.agency, fields)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    changes = {
        key: {"from": _loggable_value(getattr(matter, key)), "to": _loggable_value(value)}
        for key, value in fields.items()
        if getattr(matter, key) != value
    }
    for key, value in fields.items():
        setattr(matter, key, value)
    matter.save()
    ledger.append(actor=actor, action="matter.update", obj=matter, payload={"changes": changes})
    return matter


def _loggable_value(value):
    return value.name if isinstance(value, Unit) else value


def _loggable(fields: dict) -> dict:
    return {key: _loggable_value(value) for key, value in fields.items()}


# --- Matters: the Excel sheet (PUB-02) ------------------------------------------------

# The 权责清单 layout agencies already keep. Export, blank template and import all
# use it, so that an exported file re-imports unchanged.
MATTER_SHEET_TITLE = "执法事项清单"
MATTER_SHEET_HEADERS = (
    "序号",
    "项目编码",
    "事项名称",
    "事项类别",
    "执法主体",
    "承办机构",
    "执法依据",
    "办理时限（工作日）",
    "备注",
)
# 序号 is a running number for people only. Not reading it also makes the empty,
# pre-numbered rows at the bottom of a filled-in template count as blank rows.
_READ_HEADERS = MATTER_SHEET_HEADERS[1:]


def matter_rows(matters: Iterable[Matter]) -> Iterator[list]:
    """The sheet rows of ``matters``, which the caller has already limited with
    ``selectors.matter_list``."""
    for number, matter in enumerate(matters, start=1):
        yield [
            number,
            matter.code,
            matter.name,
            matter.get_action_kind_display(),
            matter.agency.name,
            matter.unit.name if matter.unit else "",
            matter.legal_basis,
            matter.time_limit_days,
            matter.note,
        ]


@dataclass(frozen=True)
class MatterImportResult:
    created: int
    updated: int
    unchanged: int


def _action_kinds_by_label() -> dict[str, str]:
    kinds = {}
    for kind in ActionKind:
        kinds[kind.label] = kind.value
        kinds[kind.label.removeprefix("行政")] = kind.value
    # Lists write 其他 for 其他行政权力, the one label that does not start with 行政.
    kinds["其他"] = ActionKind.OTHER.value
    return kinds


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A code typed as digits comes back from Excel as a float (110101.0).
        return str(int(value))
    return str(value).strip()


def _cell_workdays(value) -> int | None:
    """A time limit as Excel gives it (20, 20.0, "20"); ValueError unless blank or
    a whole number the column can hold."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    low, high = connection.ops.integer_field_range("PositiveIntegerField")
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(value)
    if not low <= number <= high:
        raise ValueError(value)
    return int(number)


def _too_long(field: str, text: str) -> str | None:
    limit = Matter._meta.get_field(field).max_length
    if len(text) > limit:
        return f"不能超过 {limit} 个字符（现有 {len(text)} 个）。"
    return None


def _read_matter_row(
    agency: Agency, row: dict, *, units: dict[str, Unit], kinds: dict[str, str]
) -> tuple[str, dict, list[tuple[str, str]]]:
    """One sheet row as ``(code, matter fields, [(column, problem)])``."""
    problems: list[tuple[str, str]] = []
    code = _cell_text(row["项目编码"])
    if not code:
        problems.append(("项目编码", "项目编码不能为空。"))
    elif message := _too_long("code", code):
        problems.append(("项目编码", "项目编码" + message))

    name = _cell_text(row["事项名称"])
    if not name:
        problems.append(("事项名称", "事项名称不能为空。"))
    elif message := _too_long("name", name):
        problems.append(("事项名称", "事项名称" + message))

    kind_label = _cell_text(row["事项类别"])
    action_kind = kinds.get(kind_label)
    if action_kind is None:
        allowed = "、".join(ActionKind.labels)
        problems.append(
            (
                "事项类别",
                f"事项类别“{kind_label}”无效，应为：{allowed}。"
                if kind_label
                else f"事项类别不能为空，应为：{allowed}。",
            )
        )

    agency_name = _cell_text(row["执法主体"])
    if agency_name and agency_name != agency.name:
        problems.append(
            ("执法主体", f"执法主体“{agency_name}”不是{agency.name}：只能导入本机关的执法事项。")
        )

    unit_name = _cell_text(row["承办机构"])
    unit = units.get(unit_name) if unit_name else None
    if unit_name and unit is None:
        problems.append(("承办机构", f"承办机构“{unit_name}”不是{agency.name}的内设机构。"))

    legal_basis = _cell_text(row["执法依据"])
    if not legal_basis:
        problems.append(("执法依据", "执法依据不能为空。"))

    try:
        time_limit_days = _cell_workdays(row["办理时限（工作日）"])
    except ValueError:
        time_limit_days = None
        problems.append(
            (
                "办理时限（工作日）",
                f"办理时限“{_cell_text(row['办理时限（工作日）'])}”无效，"
                "应为不小于 0 的整数（工作日）；无法定时限的留空。",
            )
        )

    note = _cell_text(row["备注"])
    if message := _too_long("note", note):
        problems.append(("备注", "备注" + message))

    fields = {
        "name": name,
        "action_kind": action_kind,
        "unit": unit,
        "legal_basis": legal_basis,
        "time_limit_days": time_limit_days,
        "note": note,
    }
    return code, fields, problems


def matter_import(*, actor, agency: Agency, data: bytes, filename: str) -> MatterImportResult:
    """Import ``agency``'s 执法事项清单 from an .xlsx sheet in the layout of
    ``MATTER_SHEET_HEADERS``: new codes are created, changed ones updated, and
    matters missing from the file are left as they are.

    Every row is checked before anything is written. If any row is wrong the
    whole file is refused with one detail per problem (row number, column,
    reason), so a half-imported list never exists.
    """
    require_agency_admin(actor, agency)
    rows = read_rows(data, headers=_READ_HEADERS)
    if not rows:
        raise InvalidInput("表格中没有执法事项：请在表头下方逐行填写后再上传。")

    units = {unit.name: unit for unit in agency.units.all()}
    kinds = _action_kinds_by_label()
    first_row_of_code: dict[str, int] = {}
    parsed: list[tuple[str, dict]] = []
    details: list[dict] = []
    for number, row in rows:
        code, fields, problems = _read_matter_row(agency, row, units=units, kinds=kinds)
        if code in first_row_of_code:
            problems.insert(
                0, ("项目编码", f"项目编码 {code} 与第 {first_row_of_code[code]} 行重复。")
            )
        elif code:
            first_row_of_code[code] = number
        details += [
            {"row": number, "column": column, "message": message} for column, message in problems
        ]
        parsed.append((code, fields))
    if details:
        bad_rows = len({d["row"] for d in details})
        raise InvalidInput(
            f"共有 {bad_rows} 行不符合要求，未导入任何数据。请按提示修改后重新上传整个文件。",
            code="import_rows_invalid",
            details=details,
        )

    with transaction.atomic():
        existing = {
            matter.code: matter
            for matter in Matter.objects.select_related("agency", "unit").filter(
                agency=agency, code__in=first_row_of_code
            )
        }
        created, updated, unchanged = upsert_rows(
            parsed,
            existing,
            create=lambda code, fields: matter_create(
                actor=actor, agency=agency, code=code, **fields
            ),
            update=lambda matter, changed: matter_update(actor=actor, matter=matter, **changed),
        )
        result = MatterImportResult(created=created, updated=updated, unchanged=unchanged)
        ledger.append(
            actor=actor,
            action="matter.import",
            obj=agency,
            payload={
                "filename": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": len(parsed),
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
            },
        )
    return result


# --- Work calendar (工作日) -----------------------------------------------------------

# chinesecalendar names a make-up working day after the holiday it serves.
_MAKEUP_SUFFIX = "调休"


def _chinesecalendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _seedable_years() -> list[int]:
    years = []
    year = settings.ZHIFA_CALENDAR_SEED_FIRST_YEAR
    while _chinesecalendar_knows(year):
        years.append(year)
        year += 1
    return years


def _chinesecalendar_special_days(year: int) -> dict[date, tuple[bool, str]]:
    """The days of ``year`` that chinesecalendar says differ from the plain week."""
    special = {}
    day = date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        if is_workday != is_plain_workday(day):
            _, english = chinese_calendar.get_holiday_detail(day)
            name = chinese_calendar.Holiday(english).chinese if english else ""
            special[day] = (is_workday, f"{name}{_MAKEUP_SUFFIX}" if is_workday and name else name)
        day += timedelta(days=1)
    return special


def _special_days_of(calendar_year: WorkCalendarYear) -> dict[date, tuple[bool, str]]:
    return {
        day: (is_workday, name)
        for day, is_workday, name in calendar_year.days.values_list("day", "is_workday", "name")
    }


def _check_length(model, field: str, value: str, label: str) -> None:
    limit = model._meta.get_field(field).max_length
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 个字符。")


@transaction.atomic
def calendar_seed(*, actor, years: Iterable[int] | None = None) -> list[int]:
    """Fill the work calendar from ``chinesecalendar``: by default every year
    from ``ZHIFA_CALENDAR_SEED_FIRST_YEAR`` to the last one it knows. Safe to
    run again: years already up to date are left alone, and a year entered or
    corrected by hand (source manual) is never overwritten. Returns the years
    written. ``actor=None`` is the command line."""
    if actor is not None:
        require_sysadmin(actor)
    if years is None:
        years = _seedable_years()
    else:
        years = sorted(set(years))
        missing = [str(year) for year in years if not _chinesecalendar_knows(year)]
        if missing:
            raise InvalidInput(
                f"chinesecalendar 没有 {'、'.join(missing)} 年的放假安排，"
                "请在国务院办公厅公布后于工作日历中人工录入。"
            )
    written = []
    for year in years:
        existing = WorkCalendarYear.objects.select_for_update().filter(year=year).first()
        if existing is not None and existing.source == WorkCalendarYear.Source.MANUAL:
            continue
        special = _chinesecalendar_special_days(year)
        if existing is not None and existing.is_published and _special_days_of(existing) == special:
            continue
        calendar_year, _ = WorkCalendarYear.objects.update_or_create(
            year=year,
            defaults={"source": WorkCalendarYear.Source.SEEDED, "is_published": True},
        )
        calendar_year.days.all().delete()
        WorkCalendarDay.objects.bulk_create(
            WorkCalendarDay(year=calendar_year, day=day, is_workday=is_workday, name=name)
            for day, (is_workday, name) in sorted(special.items())
        )
        ledger.append(
            actor=actor,
            action="calendar.seed",
            obj=calendar_year,
            payload={
                "year": year,
                "version": chinese_calendar.__version__,
                "special_days": len(special),
                "holidays": sum(not is_workday for is_workday, _ in special.values()),
                "workdays": sum(is_workday for is_workday, _ in special.values()),
                "names": sorted({name for _, name in special.values() if name}),
                "replaced": existing is not None,
            },
        )
        written.append(year)
    return written


@transaction.atomic
def calendar_year_add(*, actor, year: int, notice: str = "") -> WorkCalendarYear:
    """Open a year for entry by hand once its holidays are announced (each
    November or December). It stays unpublished — deadlines in it provisional —
    until ``calendar_year_publish``."""
    require_sysadmin(actor)
    if isinstance(year, bool) or not isinstance(year, int) or not MINYEAR <= year <= MAXYEAR:
        raise InvalidInput(f"年份“{year}”无效。")
    notice = notice.strip()
    _check_length(WorkCalendarYear, "notice", notice, "放假安排文号")
    if WorkCalendarYear.objects.filter(year=year).exists():
        raise Conflict(f"{year} 年的工作日历已存在。")
    calendar_year = WorkCalendarYear.objects.create(
        year=year, source=WorkCalendarYear.Source.MANUAL, notice=notice, is_published=False
    )
    ledger.append(
        actor=actor,
        action="calendar.year_add",
        obj=calendar_year,
        payload={"year": year, "notice": notice},
    )
    return calendar_year


@transaction.atomic
def calendar_day_set(
    *, actor, day: date, is_workday: bool, name: str = ""
) -> WorkCalendarDay | None:
    """Make ``day`` a working day or a day off. Only days that differ from the
    plain week are stored, so setting a day back to what the week says removes
    its row (and returns None)."""
    require_sysadmin(actor)
    is_workday = bool(is_workday)
    name = name.strip()
    _check_length(WorkCalendarDay, "name", name, "说明")
    # Lock the year so a concurrent seed cannot replace its days under us.
    calendar_year = WorkCalendarYear.objects.select_for_update().filter(year=day.year).first()
    if calendar_year is None:
        raise NotFound(f"{day.year} 年的工作日历尚未建立，请先添加该年度。")
    row = WorkCalendarDay.objects.filter(day=day).first()
    plain = is_plain_workday(day)
    before = {"is_workday": row.is_workday if row else plain, "name": row.name if row else ""}
    after = {"is_workday": is_workday, "name": "" if is_workday == plain else name}
    if before == after:
        return row
    if is_workday == plain:
        row.delete()
        row = None
    elif row is not None:
        row.is_workday, row.name = is_workday, name
        row.save(update_fields=["is_workday", "name"])
    else:
        row = WorkCalendarDay.objects.create(
            year=calendar_year, day=day, is_workday=is_workday, name=name
        )
    payload = {"day": day, "from": before, "to": after}
    if calendar_year.source == WorkCalendarYear.Source.SEEDED:
        # A corrected year is the administrator's now: a later seed must not undo it.
        calendar_year.source = WorkCalendarYear.Source.MANUAL
        calendar_year.save(update_fields=["source"])
        payload["source"] = {
            "from": WorkCalendarYear.Source.SEEDED,
            "to": WorkCalendarYear.Source.MANUAL,
        }
    ledger.append(actor=actor, action="calendar.day_set", obj=calendar_year, payload=payload)
    return row


@transaction.atomic
def calendar_year_publish(*, actor, year: int) -> WorkCalendarYear:
    """Make a year's calendar count: from now on deadlines in it use its
    holidays and are no longer provisional."""
    require_sysadmin(actor)
    calendar_year = WorkCalendarYear.objects.select_for_update().filter(year=year).first()
    if calendar_year is None:
        raise NotFound(f"{year} 年的工作日历尚未建立，请先添加该年度。")
    if calendar_year.is_published:
        raise Conflict(f"{year} 年的工作日历已确认生效。")
    special = _special_days_of(calendar_year)
    # Every announced year has holidays; an empty one is an entry not yet made,
    # and publishing it would make deadlines wrong without marking them.
    if not special:
        raise InvalidInput(f"{year} 年尚未录入任何节假日或调休上班日，不能确认。")
    calendar_year.is_published = True
    calendar_year.save(update_fields=["is_published"])
    ledger.append(
        actor=actor,
        action="calendar.year_publish",
        obj=calendar_year,
        payload={
            "year": year,
            "notice": calendar_year.notice,
            "holidays": sum(not is_workday for is_workday, _ in special.values()),
            "workdays": sum(is_workday for is_workday, _ in special.values()),
        },
    )
    return calendar_year
