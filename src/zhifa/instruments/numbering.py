"""文号: how an instrument's number is formed and taken (REC-07).

The serial comes from ``zhifa.cases.numbering.number_next`` under the
sequence ``doc:<kind>`` of the agency and year, inside the issuing
transaction: a number is used only if the instrument that shows it is saved,
so the numbers of each agency, kind and year run without gaps or repeats.
"""

from __future__ import annotations

import string

from zhifa.accounts.models import Agency
from zhifa.cases.numbering import number_next, number_peek
from zhifa.core.errors import InvalidInput
from zhifa.instruments.kinds import SPECS
from zhifa.instruments.models import DocumentNumberPattern

PLACEHOLDERS = {"abbr", "year", "n"}


def sequence_name(kind: str) -> str:
    return f"doc:{kind}"


def pattern_check(pattern: str) -> str:
    """The cleaned pattern, or ``InvalidInput`` saying what is wrong with it."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise InvalidInput("文号格式不能为空。", code="pattern_required")
    if len(pattern) > 64:
        raise InvalidInput("文号格式不能超过 64 个字符。", code="pattern_too_long")
    try:
        names = [f[1] for f in string.Formatter().parse(pattern) if f[1] is not None]
    except ValueError:
        raise InvalidInput(
            "文号格式中的花括号不成对；字段须写成 {abbr}、{year}、{n}。", code="pattern_syntax"
        ) from None
    unknown = sorted(set(names) - PLACEHOLDERS)
    if unknown:
        raise InvalidInput(
            f"文号格式含未知字段：{'、'.join('{' + u + '}' for u in unknown)}；"
            "只能使用 {abbr}、{year}、{n}。",
            code="pattern_unknown_field",
        )
    for required in ("year", "n"):
        if required not in names:
            raise InvalidInput(
                f"文号格式须包含 {{{required}}}："
                + ("文号按年度编号。" if required == "year" else "序号由系统生成。"),
                code="pattern_missing_field",
            )
    try:
        number_format(pattern, abbr="示", year=2026, n=1)
    except (ValueError, TypeError):
        raise InvalidInput(
            "文号格式中序号的写法不正确，可写 {n} 或 {n:03d}。", code="pattern_syntax"
        ) from None
    return pattern


def number_format(pattern: str, *, abbr: str, year: int, n: int) -> str:
    return pattern.format(abbr=abbr, year=year, n=n)


def pattern_for(agency: Agency, kind: str) -> tuple[str, str] | None:
    """The agency's (pattern, abbreviation) for ``kind``; ``None``: no number."""
    row = DocumentNumberPattern.objects.filter(agency=agency, kind=kind).first()
    abbr_default = agency.short_name or agency.name
    if row is not None:
        return row.pattern, row.abbr or abbr_default
    default = SPECS[kind].pattern
    return (default, abbr_default) if default else None


def number_take(*, agency: Agency, kind: str, year: int) -> str:
    """Take the next 文号 of ``kind``; call inside the issuing transaction."""
    found = pattern_for(agency, kind)
    if found is None:
        return ""
    pattern, abbr = found
    n = number_next(agency=agency, name=sequence_name(kind), year=year)
    return number_format(pattern, abbr=abbr, year=year, n=n)


def number_preview(*, agency: Agency, kind: str, year: int) -> str:
    """The number the next instrument of ``kind`` would get, without taking it."""
    found = pattern_for(agency, kind)
    if found is None:
        return ""
    pattern, abbr = found
    n = number_peek(agency=agency, name=sequence_name(kind), year=year) + 1
    return number_format(pattern, abbr=abbr, year=year, n=n)
