"""The publication's watch items on the supervisor dashboard (SUP-01): items not
published by their deadline, decisions with no public version past it, items
published late (PUB-06), correction requests past their 3 working days
(PUB-10), stale matters and ex-ante items (PUB-03). Each count equals an
independent query over the same data, is limited to the reader's scope, and
shows on the dashboard. Everything is made through the real services; time is
moved for the watch items only."""

import types
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import zhifa.reasons.testing
import zhifa.reviews.testing  # noqa: F401
from zhifa.accounts.models import Role, Unit
from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.provisions import legal_basis_import, legal_basis_repeal
from zhifa.catalogues.services import matter_create
from zhifa.catalogues.workdays import workdays_add
from zhifa.disclosures import selectors, services
from zhifa.disclosures.models import Disclosure, PublicRequest
from zhifa.disclosures.services import DraftInput
from zhifa.disclosures.tests.conftest import Desk, decision
from zhifa.instruments.models import Instrument, Kind
from zhifa.supervision.watch import watch_get

pytestmark = pytest.mark.django_db
URL = reverse("supervision:dashboard")
KEYS = {
    "disclosures_overdue": "PUB-06",
    "decisions_unpublished": "PUB-06",
    "disclosures_late": "PUB-06",
    "corrections_overdue": "PUB-10",
    "stale_matters": "PUB-03",
    "stale_ex_ante": "PUB-03",
    "stale_matters_due": "PUB-03",
    "stale_ex_ante_due": "PUB-03",
}


@pytest.fixture
def later(monkeypatch):
    """``later(days)``: the watch items believe it is ``days`` days later."""

    def move(days: int) -> date:
        import zhifa.disclosures.watches

        today = timezone.localdate() + timedelta(days=days)
        fake = types.SimpleNamespace(localdate=lambda: today, localtime=timezone.localtime)
        monkeypatch.setattr(zhifa.disclosures.watches, "timezone", fake)
        return today

    return move


def desk_of(build, county, agency) -> Desk:
    """The publication desk of ``agency`` (as the conftest's ``desk`` for the market)."""
    if agency == county.market:
        unit, legal_unit = county.market_unit, county.market_legal
    else:
        unit = build.unit(agency, "执法大队")
        legal_unit = build.unit(agency, "法制股", Unit.Kind.LEGAL)
    officer = build.officer(agency, unit=unit)
    legal = build.officer(agency, roles=(), unit=legal_unit, credential=False)
    leader = build.officer(agency, roles=(Role.LEADER,), credential=False)
    matter = matter_create(
        actor=build.sysadmin,
        agency=agency,
        code=f"P-{agency.pk}",
        name="销售超过保质期的食品",
        action_kind="penalty",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        time_limit_days=90,
    )
    return Desk(agency, officer.user, legal.user, leader.user, None, matter)


def publish(d: Desk, draft: DraftInput) -> Disclosure:
    item = services.disclosure_prepare(actor=d.officer, agency=d.agency, draft=draft)
    services.disclosure_submit(actor=d.officer, disclosure=item)
    return services.disclosure_publish(actor=d.legal, disclosure=item)


def correction(d: Desk, item: Disclosure, kind="correction") -> PublicRequest:
    request, _code = services.public_request_submit(
        kind=kind,
        agency=d.agency,
        disclosure=item,
        requester_name="甲",
        requester_contact="a@example.com",
        content="公示的罚款数额有误",
    )
    return request


@pytest.fixture
def data(build, county, calendar_2026):
    """Of every item, in both agencies: something late or overdue, something not."""
    desks = {}
    today = timezone.localdate()
    for n, agency in enumerate((county.market, county.safety)):
        d = desks[agency.pk] = desk_of(build, county, agency)
        # Drafts: one long past its deadline, one decided today.
        services.disclosure_prepare(
            actor=d.officer,
            agency=agency,
            draft=decision(d, decided_on=date(2026, 9, 30), document_number=f"A{n}"),
        )
        services.disclosure_prepare(
            actor=d.officer,
            agency=agency,
            draft=decision(d, decided_on=today, document_number=f"B{n}"),
        )
        # Published: one late, one in time; corrections asked of both, one answered.
        late = publish(d, decision(d, decided_on=date(2026, 9, 1), document_number=f"C{n}"))
        in_time = publish(d, decision(d, decided_on=today, document_number=f"D{n}"))
        correction(d, late)
        answered = correction(d, in_time)
        services.public_request_answer(actor=d.legal, request=answered, answer="经核实已更正")
        correction(d, in_time, kind="complaint")  # a complaint: not a correction
        # An ex-ante item citing the law, published today.
        publish(
            d,
            DraftInput(
                kind="ex_ante",
                topic="service_guide",
                title=f"服务指南{n}",
                body="依据《中华人民共和国食品安全法》办理。",
            ),
        )
    # An issued decision with no public version yet (the market's case team).
    t = make_team(build, county.market)
    advance_to(t, open_case(t, title="已决定未公示案"), Stage.EXECUTION)
    # The food safety law is replaced today: the matters and the guides go stale.
    basis = legal_basis_import(
        actor=build.sysadmin,
        name="中华人民共和国食品安全法",
        short_name="食品安全法",
        version="2021年修正",
        level="law",
        effective_on=date(2021, 4, 29),
        text="第一条 为了保证食品安全，制定本法。",
    )
    legal_basis_repeal(actor=build.sysadmin, basis=basis, repealed_on=today)
    return desks


def shown(client_for, user, agency=None) -> dict[str, int]:
    response = client_for(user).get(URL, {"agency": agency.pk} if agency else {})
    assert response.status_code == 200
    return {c.item.key: c.count for c, _href in response.context["counts"] if c.item.key in KEYS}


def expected(agencies, today: date, actor) -> dict[str, int]:
    """The same figures, by plain queries and per-row Python, not the watch code."""
    agencies = list(agencies)
    items = Disclosure.objects.filter(agency__in=agencies)
    decisions = Instrument.objects.filter(agency__in=agencies, kind=Kind.DECISION).select_related(
        "case"
    )
    prepared = set(items.values_list("instrument_id_ref", flat=True))
    requests = PublicRequest.objects.filter(agency__in=agencies)
    every_stale = [
        s for s in selectors.stale_items(actor=actor, today=today) if s.agency in agencies
    ]
    stale = [s for s in every_stale if s.is_overdue(today)]
    due = [s for s in every_stale if not s.is_overdue(today)]
    return {
        "disclosures_overdue": sum(
            1
            for d in items
            if d.status in ("draft", "in_review")
            and d.decided_on
            and workdays_add(d.decided_on, 7).date < today
        ),
        "decisions_unpublished": sum(
            1
            for i in decisions
            if i.pk not in prepared
            and workdays_add(timezone.localtime(i.issued_at).date(), 7).date < today
        ),
        "disclosures_late": sum(
            1
            for d in items
            if d.published_at and d.due_on and timezone.localtime(d.published_at).date() > d.due_on
        ),
        "corrections_overdue": sum(
            1
            for r in requests
            if r.kind == "correction"
            and r.answered_at is None
            and workdays_add(timezone.localtime(r.received_at).date(), 3).date < today
        ),
        "stale_matters": sum(1 for s in stale if s.label.startswith("执法事项")),
        "stale_ex_ante": sum(1 for s in stale if not s.label.startswith("执法事项")),
        "stale_matters_due": sum(1 for s in due if s.label.startswith("执法事项")),
        "stale_ex_ante_due": sum(1 for s in due if not s.label.startswith("执法事项")),
    }


@pytest.mark.parametrize("days_later", [0, 40])
def test_every_count_equals_an_independent_query(data, county, client_for, later, days_later):
    today = later(days_later)
    counts = shown(client_for, county.supervisor)
    assert set(counts) == set(KEYS)
    assert counts == expected([county.market, county.safety], today, county.supervisor)
    if days_later == 0:
        assert counts == {
            "disclosures_overdue": 2,  # the drafts decided on 09-30
            "decisions_unpublished": 0,
            "disclosures_late": 2,
            "corrections_overdue": 0,
            "stale_matters": 0,
            "stale_ex_ante": 0,
            # Repealed today: within their 15 working days, at risk.
            "stale_matters_due": 3,
            "stale_ex_ante_due": 2,
        }
    else:
        # Forty days on, every deadline has passed.
        assert counts == {
            "disclosures_overdue": 4,
            "decisions_unpublished": 1,
            "disclosures_late": 2,
            "corrections_overdue": 2,
            "stale_matters": 3,  # both desks' matters and the case team's
            "stale_ex_ante": 2,
            "stale_matters_due": 0,
            "stale_ex_ante_due": 0,
        }
    # Per agency, the two agencies add up to the region.
    parts = [shown(client_for, county.supervisor, a) for a in (county.market, county.safety)]
    assert {k: parts[0][k] + parts[1][k] for k in KEYS} == counts
    assert parts[1] == expected([county.safety], today, county.supervisor)


def test_an_agency_leader_sees_only_their_agency(data, county, client_for, later):
    today = later(40)
    market, safety = (data[a.pk] for a in (county.market, county.safety))
    mine = shown(client_for, market.leader)
    assert mine == expected([county.market], today, county.supervisor)
    assert mine == shown(client_for, county.supervisor, county.market)
    theirs = shown(client_for, safety.leader)
    assert theirs == expected([county.safety], today, county.supervisor)
    assert theirs["decisions_unpublished"] == 0 and mine["decisions_unpublished"] == 1
    assert client_for(market.leader).get(URL, {"agency": county.safety.pk}).status_code == 404


def test_the_dashboard_shows_each_item_and_its_list(data, county, client_for, later):
    later(40)
    client = client_for(county.supervisor)
    body = client.get(URL).content.decode()
    for key, requirement in KEYS.items():
        item = watch_get(key)
        assert item.requirement == requirement and item.label in body
        page = client.get(URL + f"watch/{key}/", {"agency": county.market.pk})
        assert page.status_code == 200, key
    page = client.get(URL + "watch/disclosures_overdue/", {"agency": county.market.pk})
    overdue = Disclosure.objects.get(agency=county.market, document_number="A0")
    assert reverse("portal:wb-detail", args=[overdue.pk]) in page.content.decode()
    page = client.get(URL + "watch/corrections_overdue/", {"agency": county.market.pk})
    request = PublicRequest.objects.get(agency=county.market, kind="correction", status="received")
    assert reverse("portal:wb-request", args=[request.pk]) in page.content.decode()
