"""The data templates are filled with."""

from __future__ import annotations

from datetime import date

import pytest

from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.instruments.context import cn_date, context_for, rmb_upper, sample_context
from zhifa.instruments.kinds import SPECS
from zhifa.instruments.models import Kind


@pytest.mark.parametrize(
    ("amount", "upper"),
    [
        ("2000.00", "贰仟元整"),
        ("5000", "伍仟元整"),
        ("10005", "壹万零伍元整"),
        ("10010000", "壹仟零壹万元整"),
        ("10011000", "壹仟零壹万壹仟元整"),
        ("1000500", "壹佰万零伍佰元整"),
        ("20.50", "贰拾元伍角整"),
        ("1.05", "壹元零伍分"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("100000000", "壹亿元整"),
        ("abc", ""),
    ],
)
def test_amounts_in_capitals(amount, upper):
    assert rmb_upper(amount) == upper


def test_dates_in_chinese():
    assert cn_date(date(2026, 3, 5)) == "2026年3月5日"


def _shape(value):
    if isinstance(value, str | bool | int):
        return type(value).__name__
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return "list"
    if hasattr(value, "__dict__"):
        return {k: _shape(v) for k, v in vars(value).items()}
    return type(value).__name__


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Kind.DECISION, Kind.INTERVIEW, Kind.DELIVERY_RECEIPT])
def test_the_sample_has_the_shape_of_a_real_context(team, kind):
    """Uploaded templates are checked against the sample: it must hold every key a
    real case gives, no more and no fewer."""
    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    spec = SPECS[kind]
    record = add(team, case, spec.records[0]) if spec.record_required else None
    real = context_for(
        case=case,
        kind=kind,
        number="X",
        issued_on=date.today(),
        parties=list(case.parties.all()),
        assignments=list(case.assignments.all()),
        record=record,
        signatures=list(record.signatures.all()) if record else [],
        documents=[("行政处罚决定书", "X")],
    )
    sample = sample_context(kind, case.agency)
    assert _shape(real) == _shape(sample)
    for key in ("parties", "officers", "documents"):
        assert _shape(real[key][0]) == _shape(sample[key][0]), key
    if record is not None and real["record"]["signatures"]:
        assert _shape(real["record"]["signatures"][0]) == _shape(sample["record"]["signatures"][0])
