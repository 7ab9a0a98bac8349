"""SUP-03: each agency's indicators come from the data (each equals a query of
its own over the same rows), are weighted by settings, ranked and issued as a
通报 PDF; the portal's survey feeds the satisfaction rate and is rate-limited."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhifa.cases.models import Record, Stage
from zhifa.cases.rules import facts
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.models import ActionKind
from zhifa.disclosures import services as disclosures
from zhifa.disclosures.models import Disclosure
from zhifa.disclosures.services import DraftInput, PartyInput
from zhifa.ledger.selectors import entries_for
from zhifa.media.rules import missing_media
from zhifa.supervision import assessment
from zhifa.supervision.models import SatisfactionResponse
from zhifa.supervision.testing import matter_of

pytestmark = pytest.mark.req("SUP-03")
TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _draft(county, title, decided_on):
    return DraftInput(
        kind="decision",
        title=title,
        action_kind="penalty",
        decided_on=decided_on,
        document_number=title,
        party=PartyInput(
            kind="legal", name="示范县好味食品有限公司", credit_code="91110000600037341L"
        ),
        violation_type="销售超过保质期的食品",
        conclusion="罚款5000元",
        fine_amount=Decimal("5000.00"),
    )


@pytest.fixture
def data(build, county, market):
    officer = build.officer(county.market, unit=county.market_unit).user
    legal = build.officer(county.market, roles=(), unit=county.market_legal, credential=False).user
    on_time = disclosures.disclosure_prepare(
        actor=officer, agency=county.market, draft=_draft(county, "示市监罚〔1〕号", TODAY)
    )
    disclosures.disclosure_submit(actor=officer, disclosure=on_time)
    on_time = disclosures.disclosure_publish(actor=legal, disclosure=on_time)
    # Decided early in the year and never published: its deadline has passed.
    disclosures.disclosure_prepare(
        actor=officer,
        agency=county.market,
        draft=_draft(county, "示市监罚〔2〕号", TODAY.replace(month=1, day=5)),
    )
    market.matter = matter_of(market, ActionKind.LICENSING)
    cases = [advance_to(market, open_case(market, title=f"许可{i}"), Stage.CLOSED) for i in (1, 2)]
    return on_time, cases


def test_the_survey_on_the_portal_is_counted_and_rate_limited(county, data, client, settings):
    item, _cases = data
    page = client.get(f"/decisions/{item.pk}/").content.decode()
    assert f"/decisions/{item.pk}/survey/" in page and "满意度评价" in page
    for rating in (5, 4, 2):
        response = client.post(f"/decisions/{item.pk}/survey/", {"rating": rating})
        assert response.status_code == 302
    assert client.post(f"/decisions/{item.pk}/survey/", {"rating": 9}).status_code == 400
    assert client.post("/decisions/999999/survey/", {"rating": 5}).status_code == 404
    answer = SatisfactionResponse.objects.first()
    assert entries_for(answer).filter(action="satisfaction.submit").exists()
    settings.ZHIFA_SUPERVISION_SURVEY_RATE_PER_HOUR = 4  # 4 counted so far
    assert client.post(f"/decisions/{item.pk}/survey/", {"rating": 5}).status_code == 429
    assert SatisfactionResponse.objects.count() == 3
    indicator = assessment.satisfaction(county.market, YEAR)
    satisfied = sum(1 for a in SatisfactionResponse.objects.all() if a.rating >= 4)
    assert (indicator.numerator, indicator.denominator) == (satisfied, 3) == (2, 3)
    assert indicator.value == 66.7


def test_each_indicator_equals_its_own_query(county, market, data):
    _item, cases = data
    result = assessment.assess(county.market, YEAR)
    ind = result.indicators
    # Publication: every item due this year that is past due or published.
    rows = [
        d
        for d in Disclosure.objects.all()
        if d.agency_id == county.market.pk
        and d.due_on
        and d.due_on.year == YEAR
        and (d.published_at or d.due_on < TODAY)
    ]
    good = [d for d in rows if d.published_at and not d.is_late]
    assert (
        (ind["publication_on_time"].numerator, ind["publication_on_time"].denominator)
        == (
            len(good),
            len(rows),
        )
        == (1, 2)
    )
    # Decisions of the year in force (one per case) and their corrections.
    decision_rows = [
        r
        for r in Record.objects.filter(case__agency=county.market)
        if r.kind in ("decision", "onspot_decision")
        and timezone.localtime(r.occurred_at).year == YEAR
    ]
    superseded = {r.supersedes_id for r in decision_rows if r.supersedes_id}
    in_force = [r for r in decision_rows if r.pk not in superseded]
    assert result.corrected == len(superseded) == 0
    assert ind["corrections"].denominator == len(in_force) == 2
    # AV coverage over the decided cases' records in force.
    required = missing = 0
    for case in cases:
        f = facts(case)
        from zhifa.media.rules import _load, required_mode

        lines = _load(f)[0]
        required += len([r for r in f.records if required_mode(r.kind, case.action_kind, lines)])
        missing += len(missing_media(f))
    assert ind["av_coverage"].denominator == required
    assert ind["av_coverage"].numerator == required - missing
    # Archiving: nothing is due yet; no structured reasons; no survey, no evaluation.
    assert ind["archive_on_time"].value is None
    assert ind["reasons_pass"].value is None
    assert ind["satisfaction"].value is None and ind["evaluation_score"].value is None
    # The score is the weighted mean of the indicators that exist.
    weights = result.weights
    present = {k: i.value for k, i in ind.items() if i.value is not None}
    expected = sum(weights[k] * v for k, v in present.items()) / sum(weights[k] for k in present)
    assert result.score == round(expected, 1)


def test_weights_are_settings(county, data, settings):
    base = assessment.assess(county.market, YEAR)
    settings.ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS = {"publication_on_time": 1}
    only = assessment.assess(county.market, YEAR)
    assert only.score == only.indicators["publication_on_time"].value == 50.0
    assert base.score != only.score or base.score == 50.0


def test_the_ranking_page_and_the_notice_pdf(county, market, data, client_for):
    client = client_for(county.supervisor)
    page = client.get(f"/workbench/supervision/assessment/?year={YEAR}")
    assert page.status_code == 200
    names = [r.agency.name for r in page.context["rows"]]
    assert set(names) == {county.market.name, county.safety.name}
    assert page.context["rows"][0].agency == county.market  # safety has no data: ranked last
    pdf = client.get(f"/workbench/supervision/assessment/?year={YEAR}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/workbench/supervision/assessment/?year={YEAR}&export=xlsx")
    assert xlsx.status_code == 200
    leader = client_for(market.leader)
    own = leader.get(f"/workbench/supervision/assessment/?year={YEAR}")
    assert [r.agency for r in own.context["rows"]] == [county.market]
    assert (
        leader.get(f"/workbench/supervision/assessment/?agency={county.safety.pk}").status_code
        == 404
    )
    assert client_for(market.lead).get("/workbench/supervision/assessment/").status_code == 404


def test_archiving_and_evaluation_indicators_over_data(county, market, data):
    from datetime import date

    from zhifa.cases.models import Case
    from zhifa.supervision.models import FileEvaluationItem
    from zhifa.supervision.services import (
        file_evaluation_commit,
        file_evaluation_draw,
        file_score_set,
    )

    _item, _cases = data
    # At the year's end the closed cases' archiving deadlines have passed unarchived.
    end = date(YEAR, 12, 31)
    rows = [
        c
        for c in Case.objects.filter(agency=county.market)
        if c.archive_due_on
        and c.archive_due_on.year == YEAR
        and (c.archived_at or c.archive_due_on < end)
    ]
    on_time = [
        c for c in rows if c.archived_at and timezone.localdate(c.archived_at) <= c.archive_due_on
    ]
    indicator = assessment.archive_on_time(county.market, YEAR, today=end)
    if rows:
        assert (indicator.numerator, indicator.denominator) == (len(on_time), len(rows))
    else:  # deadlines fall next year: nothing to measure
        assert indicator.value is None
    evaluation = file_evaluation_commit(
        actor=county.supervisor, agency=county.market, year=YEAR, size=2, beacon_source="某期"
    )
    evaluation = file_evaluation_draw(
        actor=county.supervisor, evaluation=evaluation, beacon_value="7"
    )
    first = evaluation.items.first()
    score = first.scores.get(item__code="R07")
    file_score_set(actor=county.supervisor, score=score, points=0, comment="未载明救济途径")
    files = FileEvaluationItem.objects.filter(evaluation=evaluation)
    shares = []
    for f in files:
        got = full = 0
        for s in f.scores.all():
            full += s.max_points
            got += (
                s.points
                if s.points is not None
                else (s.auto_points if s.auto_points is not None else s.max_points)
            )
        shares.append(got / full)
    indicator = assessment.evaluation_score(county.market, YEAR)
    assert indicator.denominator == len(shares) == 2
    assert indicator.value == round(100 * sum(shares) / len(shares), 1)


def test_reasons_pass_rate_over_data(county, market):
    from zhifa.reasons.models import Reasons
    from zhifa.reasons.services import reasons_save
    from zhifa.reasons.testing import library, valid_content

    market.matter = matter_of(market, ActionKind.PENALTY)
    case = advance_to(market, open_case(market, title="处罚"), Stage.DECISION)
    library(market.sysadmin)
    if not Reasons.objects.filter(case=case).exists():
        reasons_save(actor=market.lead, case=case, content=valid_content(case), note="测试")
    case = advance_to(market, case, Stage.CLOSED)
    with_reasons = {
        r.case_id for r in Reasons.objects.all() if r.case.agency_id == county.market.pk
    }
    assert case.pk in with_reasons
    indicator = assessment.reasons_pass(county.market, YEAR)
    # The test kit saves complete reasons that pass every blocking check.
    assert (indicator.numerator, indicator.denominator) == (len(with_reasons), len(with_reasons))


def test_corrected_withdrawn_and_revoked_decisions_count_once_per_case(market):
    from zhifa.remedies.tests.test_services import published_decision
    from zhifa.supervision.testing import decide, decided_case
    from zhifa.supervision.tests.test_annual import record_remedy

    decided_case(market, fine="100.00")  # untouched
    corrected, record = decided_case(market, fine="500.00")
    decide(market, corrected, fine="300.00", conclusion="罚款叁佰元。", supersedes=record)
    # Revoked on reconsideration: its publication is withdrawn by the same act, and a
    # later correction of the same case adds no second case to the count.
    revoked, record = decided_case(market, fine="800.00")
    published_decision(market, revoked, record)
    record_remedy(market, revoked, "reconsideration", "revoked")
    decide(market, revoked, fine="0.00", conclusion="撤销原处罚。", supersedes=record)
    upheld, _ = decided_case(market, fine="900.00")
    record_remedy(market, upheld, "litigation", "upheld")

    result = assessment.assess(market.agency, YEAR)
    assert (result.corrected, result.withdrawn, result.revoked) == (2, 1, 1)
    indicator = result.indicators["corrections"]
    assert (indicator.numerator, indicator.denominator) == (4 - 2, 4)
    counts = assessment.correction_counts(market.agency, YEAR)
    assert counts.affected == 2
    # Another year: nothing.
    assert assessment.correction_counts(market.agency, YEAR - 1).revoked == 0
