"""文号: formats, forged numbers, and no gaps or repeats under concurrency (REC-07)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Forbidden, InvalidInput
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.numbering import number_format, number_preview, pattern_check
from zhifa.instruments.services import instrument_issue, number_pattern_reset, number_pattern_set


def test_number_format_examples():
    assert number_format("{abbr}罚〔{year}〕{n}号", abbr="示市监", year=2026, n=12) == (
        "示市监罚〔2026〕12号"
    )
    assert number_format("{abbr}罚字〔{year}〕第{n:03d}号", abbr="示", year=2026, n=7) == (
        "示罚字〔2026〕第007号"
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "不能为空"),
        ("{abbr}罚〔{year}〕号", "须包含 {n}"),
        ("{abbr}罚〔2026〕{n}号", "须包含 {year}"),
        ("{abbr}罚〔{year}〕{n}号{case}", "未知字段：{case}"),
        ("{abbr}罚〔{year}〕{n号", "花括号不成对"),
        ("{abbr}罚〔{year}〕{n:x3}号", "序号的写法不正确"),
        ("罚" * 65 + "{year}{n}", "64 个字符"),
    ],
)
def test_a_bad_pattern_is_refused(pattern, message):
    with pytest.raises(InvalidInput, match=message.replace("{", r"\{").replace("}", r"\}")):
        pattern_check(pattern)


@pytest.mark.django_db
def test_an_agency_sets_its_format_and_numbers_follow_it(team, county):
    agency = team.agency
    year = 2026
    assert number_preview(agency=agency, kind=Kind.DECISION, year=year) == (
        f"{agency.name}罚〔2026〕1号"
    )
    assert number_preview(agency=agency, kind=Kind.INTERVIEW, year=year) == ""  # no number
    row = number_pattern_set(
        actor=county.market_admin,
        agency=agency,
        kind=Kind.DECISION,
        pattern="{abbr}罚字〔{year}〕第{n:04d}号",
        abbr="示市监",
    )
    assert (
        number_preview(agency=agency, kind=Kind.DECISION, year=year) == "示市监罚字〔2026〕第0001号"
    )
    number_pattern_set(
        actor=county.market_admin,
        agency=agency,
        kind=Kind.INTERVIEW,
        pattern="{abbr}询〔{year}〕{n}号",
    )
    assert number_preview(agency=agency, kind=Kind.INTERVIEW, year=year).endswith("询〔2026〕1号")
    with pytest.raises(InvalidInput, match="预印编号"):
        number_pattern_set(
            actor=county.market_admin, agency=agency, kind=Kind.ONSPOT_DECISION, pattern="{year}{n}"
        )
    for actor in (team.lead, county.safety_admin):
        with pytest.raises(Forbidden):
            number_pattern_set(actor=actor, agency=agency, kind=Kind.DECISION, pattern="{year}{n}")
    number_pattern_reset(actor=county.market_admin, pattern=row)
    assert number_preview(agency=agency, kind=Kind.DECISION, year=year).startswith(agency.name)


def _evidence_cases(team, count: int):
    """Cases in 调查取证, each with one record of 先行登记保存证据."""
    cases = []
    for i in range(count):
        case = open_case(team, title=f"并发案{i}")
        case = advance_to(team, case, Stage.INVESTIGATION)
        add(team, case, "evidence_preservation")
        cases.append(case)
    return cases


def _issue_in_parallel(team, cases) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(cases))

    def issuer(case) -> None:
        try:
            start.wait()
            instrument_issue(actor=team.lead, case=case, kind=Kind.EVIDENCE_PRESERVATION)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issuer, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_gap_free(agency, count: int) -> None:
    numbers = list(
        Instrument.objects.filter(agency=agency, kind=Kind.EVIDENCE_PRESERVATION).values_list(
            "number", flat=True
        )
    )
    serials = sorted(int(n.split("〕")[1].removesuffix("号")) for n in numbers)
    assert serials == list(range(1, count + 1)), numbers


@pytest.mark.django_db(transaction=True)
@pytest.mark.req("REC-07")
def test_parallel_issuers_get_gap_free_numbers(team):
    """Three issuers at once, on SQLite (one writer at a time) or PostgreSQL (row locks)."""
    cases = _evidence_cases(team, 3)
    errors = _issue_in_parallel(team, cases)
    assert not errors, errors
    _assert_gap_free(team.agency, 3)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of PostgreSQL")
@pytest.mark.req("REC-07")
def test_parallel_issuers_get_gap_free_numbers_on_postgresql(team):
    cases = _evidence_cases(team, 6)
    errors = _issue_in_parallel(team, cases)
    assert not errors, errors
    _assert_gap_free(team.agency, 6)
