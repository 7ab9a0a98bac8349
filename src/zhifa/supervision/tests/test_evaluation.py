"""SUP-02: the case file evaluation sample is drawn at random, recorded, and
re-drawn identically from its recorded inputs; it changes when any input does."""

import pytest
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.models import ActionKind
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.supervision.models import FileEvaluation
from zhifa.supervision.sampling import population_digest, sample
from zhifa.supervision.services import file_evaluation_draw, file_evaluation_verify
from zhifa.supervision.testing import matter_of

pytestmark = pytest.mark.req("SUP-02")
YEAR = timezone.localdate().year
SEED = "0123456789abcdef" * 2


@pytest.fixture
def closed(market):
    market.matter = matter_of(market, ActionKind.LICENSING)
    cases = [
        advance_to(market, open_case(market, title=f"许可{i}"), Stage.CLOSED) for i in range(4)
    ]
    open_case(market, title="在办")  # not closed: never drawn
    return cases


def test_the_draw_is_recorded_and_redrawn_identically(county, closed):
    evaluation = file_evaluation_draw(
        actor=county.supervisor, agency=county.market, year=YEAR, size=2, seed=SEED
    )
    drawn = list(evaluation.items.values_list("case_id", flat=True))
    assert len(drawn) == 2 and set(drawn) <= {c.pk for c in closed}
    assert evaluation.population == sorted(c.pk for c in closed)
    assert sample(evaluation.population, SEED, 2) == drawn
    assert file_evaluation_verify(evaluation)
    again = file_evaluation_draw(
        actor=county.supervisor, agency=county.market, year=YEAR, size=2, seed=SEED
    )
    assert list(again.items.values_list("case_id", flat=True)) == drawn
    entry = entries_for(evaluation).get(action="file_evaluation.draw")
    assert entry.payload["cases"] == drawn and entry.payload["seed"] == SEED
    assert entry.payload["population_digest"] == population_digest(evaluation.population)


def test_the_sample_changes_when_an_input_changes(county, closed):
    population = sorted(c.pk for c in closed)
    base = sample(population, SEED, 2)
    seeds = [f"{i:032x}" for i in range(1, 9)]
    assert any(sample(population, s, 2) != base for s in seeds)
    assert sample(population, SEED, 3)[:2] == base  # a larger size extends the same order
    assert sample(population, SEED, 3) != base
    changed = [*population[:-1], population[-1] + 1000]
    assert population_digest(changed) != population_digest(population)
    assert any(sample(changed, s, 2) != sample(population, s, 2) for s in [SEED, *seeds])


def test_a_tampered_record_no_longer_verifies(county, closed):
    evaluation = file_evaluation_draw(
        actor=county.supervisor, agency=county.market, year=YEAR, size=2, seed=SEED
    )
    evaluation.seed = "f" * 32
    assert not file_evaluation_verify(evaluation)


@pytest.mark.parametrize(
    ("who", "kwargs", "error"),
    [
        ("leader", {}, Forbidden),
        ("officer", {}, Forbidden),
        ("other", {}, NotFound),
        ("supervisor", {"size": 0}, InvalidInput),
        ("supervisor", {"size": 10_000}, InvalidInput),
        ("supervisor", {"seed": "not-hex"}, InvalidInput),
        ("supervisor", {"year": YEAR - 1}, Conflict),
    ],
)
def test_refusals_change_nothing(build, county, market, closed, who, kwargs, error):
    actor = {
        "leader": market.leader,
        "officer": market.lead,
        "supervisor": county.supervisor,
        "other": build.county(code="990103", name="邻县").supervisor if who == "other" else None,
    }[who]
    before = (FileEvaluation.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(error):
        file_evaluation_draw(
            actor=actor,
            agency=county.market,
            **{"year": YEAR, "size": 2, "seed": SEED, **kwargs},
        )
    assert (FileEvaluation.objects.count(), LedgerEntry.objects.count()) == before


def test_the_workbench_draws_and_shows_the_sample(county, market, closed, client_for):
    client = client_for(county.supervisor)
    url = "/workbench/supervision/evaluations/"
    response = client.post(url, {"agency": county.market.pk, "year": YEAR, "size": 3, "seed": SEED})
    assert response.status_code == 302
    evaluation = FileEvaluation.objects.get()
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "结果一致" in body and SEED in body
    for item in evaluation.items.all():
        assert f"/workbench/cases/{item.case_id}/" in body
    bad = client.post(url, {"agency": county.market.pk, "year": YEAR - 1, "size": 3})
    assert bad.status_code == 200 and "没有已结案的案件" in bad.content.decode()
    # The agency's leader sees the record but cannot draw; an officer sees nothing.
    leader = client_for(market.leader)
    page = leader.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert leader.get(f"{url}{evaluation.pk}/").status_code == 200
    officer = client_for(market.lead)
    assert officer.get(url).status_code == 404
    assert officer.get(f"{url}{evaluation.pk}/").status_code == 404
