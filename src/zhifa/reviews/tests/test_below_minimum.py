"""REV-01 / REV-09 with INF-03: a draft decision fining below the statutory minimum
of the benchmark in force (减轻处罚) makes the case major, whatever its reasons say."""

from datetime import date

import pytest
from django.urls import reverse

from zhifa.cases.major import major_reasons
from zhifa.catalogues.benchmarks import benchmark_create
from zhifa.instruments.gates import GateClosed
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.services import IssueRequest, instruments_issue
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import catalogue, services
from zhifa.reviews.gates import PREFIX, review_refusals
from zhifa.reviews.testing import review_pass

from .conftest import proposed

pytestmark = [pytest.mark.req("REV-01"), pytest.mark.req("REV-09"), pytest.mark.django_db]

REDUCED = "减轻处罚，罚款低于法定最低额"


@pytest.fixture
def bench(county, team):
    """The market agency's benchmark for the team's matter: 5,000–50,000 yuan from 2024."""
    return benchmark_create(
        actor=county.market_admin,
        agency=county.market,
        matter=team.matter,
        violation_code="SP-124-5",
        violation="经营超过保质期的食品",
        penalty_citation="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        statutory_min=5000,
        statutory_max=50000,
        version="2024版",
        effective_on=date(2024, 1, 1),
        bands=[
            {"band": "ordinary", "conditions": "一般情形", "min_amount": 5000, "max_amount": 50000}
        ],
    )


def test_a_reasons_less_decision_below_the_minimum_is_refused_at_the_gate(bench, team, client_for):
    case = proposed(team, "4999.99")
    (reason,) = major_reasons(case)
    assert (reason.code, reason.label) == ("below_minimum", REDUCED)
    assert "4999.99" in reason.detail and "5000.00" in reason.detail
    assert review_refusals(case) == [
        f"{PREFIX}本案须经法制审核（{REDUCED}），未经法制审核不得作出决定"
    ]

    # The service, as a management command would call it.
    with pytest.raises(GateClosed) as e:
        instruments_issue(actor=team.lead, case=case, items=[IssueRequest(Kind.DECISION)])
    assert "未经法制审核不得作出决定" in e.value.message

    # The API.
    response = client_for(team.lead).post(
        reverse("api:instrument-list"),
        {"case": case.pk, "kind": "decision", "record": catalogue.decision_record(case).pk},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "gate_closed"
    assert REDUCED in response.content.decode()

    assert not Instrument.objects.filter(case=case).exists()
    assert LedgerEntry.objects.filter(action="instrument.refused").count() == 2

    # The submission keeps why the case is major, and a passed review opens the gate.
    review = review_pass(team, case)
    assert [r["code"] for r in review.submission.reasons_for_major] == ["below_minimum"]
    assert review_refusals(case) == []


@pytest.mark.parametrize(
    "fine, major",
    [
        ("5000.00", False),  # exactly the statutory minimum: not a 减轻
        ("4999.99", True),  # one cent below
        ("20000.00", False),
        ("0", False),  # no fine at all (a warning): not a fine below the minimum
        ("", False),
    ],
)
def test_the_statutory_minimum_is_the_boundary(bench, team, fine, major):
    case = proposed(team, fine)
    assert bool(major_reasons(case)) is major
    assert bool(review_refusals(case)) is major


def test_no_benchmark_no_effect(team):
    case = proposed(team, "10.00")
    assert major_reasons(case) == [] and review_refusals(case) == []


def test_a_benchmark_not_yet_in_force_on_the_proposal_day_has_no_effect(team, bench, on):
    case = proposed(team, "100.00")
    assert major_reasons(case)
    on(date(2023, 12, 31))
    services.proposal_set(actor=team.lead, case=case, proposed_on=date(2023, 12, 31))
    assert major_reasons(case) == []
    assert review_refusals(case) == []


def test_structured_reasons_that_say_nothing_of_the_benchmark_do_not_hide_it(bench, team, sysadmin):
    from zhifa.reasons.services import reasons_save
    from zhifa.reasons.testing import library, valid_content

    library(sysadmin)
    case = proposed(team, "3000.00")
    # Reasons without a benchmark: the reasons' own source has nothing to report.
    reasons_save(actor=team.lead, case=case, content=valid_content(case))
    assert [r.code for r in major_reasons(case)] == ["below_minimum"]
    assert review_refusals(case)[0].startswith(PREFIX + "本案须经法制审核")


def test_a_matter_with_several_violations_is_judged_by_the_benchmark_the_reasons_apply(
    bench, county, team, sysadmin
):
    """The matter's benchmarks: 经营超过保质期的食品 (minimum 5,000) and a lighter
    violation (minimum 500). A 1,000 fine is below the first only."""
    from zhifa.reasons.services import reasons_save
    from zhifa.reasons.testing import library, valid_content

    light = benchmark_create(
        actor=county.market_admin,
        agency=county.market,
        matter=team.matter,
        violation_code="SP-124-9",
        violation="未按规定查验供货者许可证",
        penalty_citation="《中华人民共和国食品安全法》第一百二十六条第一款第（三）项",
        statutory_min=500,
        statutory_max=5000,
        version="2024版",
        effective_on=date(2025, 1, 1),  # the newest of the two
        bands=[
            {"band": "ordinary", "conditions": "一般情形", "min_amount": 500, "max_amount": 5000}
        ],
    )
    library(sysadmin)
    case = proposed(team, "1000.00")
    # Without reasons, nobody knows which applies: below one minimum is enough.
    (reason,) = major_reasons(case)
    assert reason.code == "below_minimum" and bench.violation in reason.detail
    # The reasons apply the lighter violation: 1,000 is within it.
    reasons_save(actor=team.lead, case=case, content=valid_content(case, benchmark=light))
    assert major_reasons(case) == []
    # They apply the heavier one: 1,000 is a reduction below its 5,000.
    reasons_save(actor=team.lead, case=case, content=valid_content(case, benchmark=bench))
    assert {r.code for r in major_reasons(case)} == {"below_minimum"}
    # Below both minimums, whichever the reasons name.
    other = proposed(team, "100.00", title="另一案")
    assert [r.code for r in major_reasons(other)] == ["below_minimum"]
