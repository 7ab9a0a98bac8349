"""RSN-02 with INF-03: a decision fining below the statutory minimum of the
benchmark in force (减轻处罚, 行政处罚法 第三十二条) must give detailed,
structured reasons, even once the legal review has agreed; a fine of exactly
the minimum keeps the free-text reasons of its decision record."""

import pytest
from django.urls import reverse

from zhifa.cases.testing import add
from zhifa.instruments.gates import refusals
from zhifa.instruments.models import Instrument, Kind
from zhifa.ledger.models import LedgerEntry
from zhifa.reasons.selectors import BELOW_MINIMUM, detailed_required
from zhifa.reasons.testing import valid_content
from zhifa.reviews.gates import review_refusals
from zhifa.reviews.testing import review_pass

from .test_gate_api import client_of, decided_case

pytestmark = [pytest.mark.django_db, pytest.mark.req("RSN-02"), pytest.mark.req("INF-03")]


def fined(team, amount: str):
    """A case in 审查决定 whose free-text draft decision fines ``amount`` yuan
    (the ``bench`` fixture's statutory minimum is 50,000)."""
    case = decided_case(team)
    add(
        team,
        case,
        "decision",
        supersedes=case.records.get(kind="decision"),
        content={"conclusion": f"没收违法经营的食品，并处罚款{amount}元", "fine_amount": amount},
    )
    return case


def issue(api, case):
    return api.post("/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json")


def test_one_cent_below_the_minimum_needs_structured_reasons_that_reason_the_reduction(
    team, library, bench, settings, client_for
):
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = True
    case = fined(team, "49999.99")
    assert detailed_required(case) == [BELOW_MINIMUM]

    # The legal review agrees, and the reasons gate still refuses the free text.
    review_pass(team, case)
    assert review_refusals(case) == []
    api = client_of(team.lead)
    refused = issue(api, case)
    assert refused.status_code == 409, refused.json()
    (error,) = refused.json()["errors"]
    assert BELOW_MINIMUM in error and "须详细说明理由" in error and "结构化说明理由" in error
    assert LedgerEntry.objects.filter(action="instrument.refused").last().payload["kind"] == (
        "decision"
    )
    assert not Instrument.objects.filter(case=case, kind=Kind.DECISION).exists()

    # The reasons page says why.
    page = client_for(team.lead).get(reverse("reasons:detail", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert BELOW_MINIMUM in text and "应当重点、详细地说明理由" in text

    # Structured reasons that do not reason the reduction are no better (减轻 rule).
    content = valid_content(case, benchmark=bench, band="minor")
    assert content["discretion"]["amount"] == "49999.99"
    saved = api.post("/api/v1/reasons/", {"case": case.pk, "content": content}, format="json")
    assert saved.status_code == 201, saved.json()
    refused = issue(api, case)
    assert refused.status_code == 409
    assert "未写明减轻处罚的情节和理由" in " ".join(refused.json()["errors"])

    # Reasoned, the decision is issued.
    content["discretion"].update(
        factors=[{"effect": "reducing", "description": "配合查处有立功表现"}],
        out_of_range_reason="当事人协助查获上游供货商，有立功表现，依法减轻处罚",
    )
    saved = api.post("/api/v1/reasons/", {"case": case.pk, "content": content}, format="json")
    assert saved.status_code == 201, saved.json()
    issued = issue(api, case)
    assert issued.status_code == 201, issued.json()


def test_exactly_the_minimum_keeps_its_free_text_reasons(team, library, bench, settings):
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = True
    case = fined(team, "50000.00")
    assert detailed_required(case) == []
    assert refusals(case, Kind.DECISION) == []
    issued = issue(client_of(team.lead), case)
    assert issued.status_code == 201, issued.json()


@pytest.mark.parametrize(
    "fine, required",
    [("49999.99", True), ("50000.00", False), ("80000.00", False), ("0", False)],
)
def test_the_statutory_minimum_is_the_boundary(team, bench, fine, required):
    case = fined(team, fine)
    assert (BELOW_MINIMUM in detailed_required(case)) is required


def test_without_a_benchmark_a_low_fine_needs_no_detailed_reasons(team):
    case = fined(team, "10.00")
    assert detailed_required(case) == []


def test_a_hearing_and_a_reduction_are_both_named(team, bench, settings):
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = True
    case = fined(team, "30000.00")
    add(team, case, "hearing_minutes")
    assert detailed_required(case) == ["经过听证程序", BELOW_MINIMUM]
