"""SUP-02: the case file evaluation sample is committed to before it is drawn
(commit, then reveal), drawn once, recorded and re-drawn identically from its
recorded inputs; it changes when any input does. Each drawn file is pre-scored
on the rubric, then confirmed or adjusted by an evaluator."""

import pytest
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.models import ActionKind
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.inspections.draw import digest
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.supervision.models import FileEvaluation, FileScore, RubricItem
from zhifa.supervision.sampling import population_digest, sample
from zhifa.supervision.services import (
    evaluation_material,
    evaluation_seed,
    file_evaluation_commit,
    file_evaluation_draw,
    file_evaluation_verify,
    file_score_set,
    rubric_item_update,
)
from zhifa.supervision.testing import matter_of

pytestmark = pytest.mark.req("SUP-02")
YEAR = timezone.localdate().year
SEED = "0123456789abcdef" * 2
SOURCE = "福利彩票双色球第 2026150 期开奖号码"
BEACON = "03 07 12 19 25 31 06"


@pytest.fixture
def closed(market):
    market.matter = matter_of(market, ActionKind.LICENSING)
    cases = [
        advance_to(market, open_case(market, title=f"许可{i}"), Stage.CLOSED) for i in range(4)
    ]
    open_case(market, title="在办")  # not closed: never drawn
    return cases


def commit(county, size=2, **kw):
    return file_evaluation_commit(
        actor=county.supervisor,
        agency=county.market,
        year=kw.pop("year", YEAR),
        size=size,
        beacon_source=kw.pop("beacon_source", SOURCE),
    )


def test_the_commitment_comes_before_the_draw_and_binds_it(county, closed):
    evaluation = commit(county)
    assert evaluation.state == FileEvaluation.State.COMMITTED and not evaluation.items.exists()
    entry = entries_for(evaluation).get(action="file_evaluation.commit")
    # The nonce stays secret until the draw: the ledger holds only the commitment.
    assert "nonce" not in entry.payload
    assert entry.payload["commitment"] == digest(evaluation_material(evaluation))
    assert file_evaluation_verify(evaluation)

    drawn = file_evaluation_draw(
        actor=county.supervisor, evaluation=evaluation, beacon_value=BEACON
    )
    cases = list(drawn.items.values_list("case_id", flat=True))
    assert len(cases) == 2 and set(cases) <= {c.pk for c in closed}
    assert drawn.population == sorted(c.pk for c in closed)
    assert drawn.seed == evaluation_seed(evaluation_material(drawn), BEACON)
    assert sample(drawn.population, drawn.seed, 2) == cases
    assert file_evaluation_verify(drawn)
    reveal = entries_for(drawn).get(action="file_evaluation.draw")
    assert reveal.payload["nonce"] == drawn.nonce and reveal.payload["cases"] == cases


def test_a_sample_cannot_be_drawn_again(county, closed):
    evaluation = commit(county)
    file_evaluation_draw(actor=county.supervisor, evaluation=evaluation, beacon_value=BEACON)
    before = LedgerEntry.objects.count()
    with pytest.raises(Conflict):
        file_evaluation_draw(actor=county.supervisor, evaluation=evaluation, beacon_value="1 2 3")
    with pytest.raises(Conflict):
        commit(county)
    assert LedgerEntry.objects.count() == before and FileEvaluation.objects.count() == 1


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
    evaluation = commit(county)
    evaluation = file_evaluation_draw(
        actor=county.supervisor, evaluation=evaluation, beacon_value=BEACON
    )
    evaluation.beacon_value = "9 9 9"
    assert not file_evaluation_verify(evaluation)


@pytest.mark.parametrize(
    ("who", "kwargs", "error"),
    [
        ("leader", {}, Forbidden),
        ("officer", {}, Forbidden),
        ("other", {}, NotFound),
        ("supervisor", {"size": 0}, InvalidInput),
        ("supervisor", {"size": 10_000}, InvalidInput),
        ("supervisor", {"beacon_source": " "}, InvalidInput),
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
        file_evaluation_commit(
            actor=actor,
            agency=county.market,
            **{"year": YEAR, "size": 2, "beacon_source": SOURCE, **kwargs},
        )
    assert (FileEvaluation.objects.count(), LedgerEntry.objects.count()) == before


def test_drawn_files_are_prescored_and_evaluators_confirm_or_adjust(county, market, closed):
    evaluation = commit(county, size=1)
    evaluation = file_evaluation_draw(
        actor=county.supervisor, evaluation=evaluation, beacon_value=BEACON
    )
    file = evaluation.items.get()
    active = RubricItem.objects.filter(is_active=True)
    assert file.scores.count() == active.count() == 15
    assert sum(i.points for i in active) == 100
    # The licensing cases were closed by two officers with a decision record but
    # without structured reasons: the pre-checks say so.
    officers = file.scores.get(item__precheck="officers")
    assert officers.auto_points == officers.max_points and "2 名" in officers.auto_note
    decision = file.scores.get(item__precheck="decision_record")
    assert decision.auto_points == decision.max_points
    reasons = file.scores.get(item__precheck="reasons_present")
    assert reasons.auto_points == 0 and "未见结构化的说明理由" in reasons.auto_note
    manual = file.scores.get(item__code="R07")
    assert manual.auto_points is None
    total = file.total
    # Confirm a proposal without comment; adjusting needs one.
    file_score_set(actor=county.supervisor, score=officers, points=officers.max_points)
    with pytest.raises(InvalidInput):
        file_score_set(actor=county.supervisor, score=manual, points=3)
    file_score_set(actor=county.supervisor, score=manual, points=3, comment="决定书未载明救济途径")
    file.refresh_from_db()
    assert file.total == total - (manual.max_points - 3)
    entry = entries_for(FileScore.objects.get(pk=manual.pk)).get(action="file_score.set")
    assert entry.payload["points"] == 3 and entry.payload["comment"] == "决定书未载明救济途径"
    # Refusals: out of range, a leader, change nothing.
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput):
        file_score_set(actor=county.supervisor, score=manual, points=99, comment="x")
    with pytest.raises(Forbidden):
        file_score_set(actor=market.leader, score=manual, points=1, comment="x")
    assert LedgerEntry.objects.count() == before


def test_the_rubric_is_data_the_bureau_may_change(county, market):
    item = RubricItem.objects.get(code="R07")
    rubric_item_update(actor=county.supervisor, item=item, points=10)
    assert RubricItem.objects.get(code="R07").points == 10
    with pytest.raises(Forbidden):
        rubric_item_update(actor=market.leader, item=item, points=1)
    with pytest.raises(InvalidInput):
        rubric_item_update(actor=county.supervisor, item=item, points=0)


def test_the_workbench_commits_draws_and_scores(county, market, closed, client_for):
    client = client_for(county.supervisor)
    url = "/workbench/supervision/evaluations/"
    response = client.post(
        url, {"agency": county.market.pk, "year": YEAR, "size": 3, "beacon_source": SOURCE}
    )
    assert response.status_code == 302
    evaluation = FileEvaluation.objects.get()
    detail = client.get(response["Location"]).content.decode()
    assert evaluation.commitment in detail and evaluation.nonce not in detail
    drawn = client.post(response["Location"], {"beacon_value": BEACON})
    assert drawn.status_code == 302
    evaluation.refresh_from_db()
    body = client.get(response["Location"]).content.decode()
    assert "结果一致" in body and evaluation.seed in body and evaluation.nonce in body
    file = evaluation.items.first()
    page = client.get(f"{url}files/{file.pk}/")
    assert page.status_code == 200 and "决定书载明事实" in page.content.decode()
    score = file.scores.get(item__code="R07")
    bad = client.post(f"{url}files/{file.pk}/", {"score": score.pk, "points": 2, "comment": ""})
    assert "调整预评分须填写评查意见" in bad.content.decode()
    ok = client.post(f"{url}files/{file.pk}/", {"score": score.pk, "points": 2, "comment": "缺"})
    assert ok.status_code == 302 and FileScore.objects.get(pk=score.pk).points == 2
    again = client.post(
        url, {"agency": county.market.pk, "year": YEAR, "size": 3, "beacon_source": SOURCE}
    )
    assert again.status_code == 200 and "不能重新抽取" in again.content.decode()
    bad = client.post(
        url, {"agency": county.market.pk, "year": YEAR - 1, "size": 3, "beacon_source": SOURCE}
    )
    assert bad.status_code == 200 and "没有已结案的案件" in bad.content.decode()
    # The agency's leader sees the record but cannot draw or score; an officer sees nothing.
    leader = client_for(market.leader)
    page = leader.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert leader.get(f"{url}{evaluation.pk}/").status_code == 200
    leader.post(f"{url}files/{file.pk}/", {"score": score.pk, "points": 0, "comment": "x"})
    assert FileScore.objects.get(pk=score.pk).points == 2
    officer = client_for(market.lead)
    assert officer.get(url).status_code == 404
    assert officer.get(f"{url}{evaluation.pk}/").status_code == 404
    assert officer.get(f"{url}files/{file.pk}/").status_code == 404
