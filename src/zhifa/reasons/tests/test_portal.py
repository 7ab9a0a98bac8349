"""The party asks for written reasons on the portal, and the answer is issued as a
numbered 说明理由书 (RSN-05, PUB-10): identification that leaks nothing, a
tracking number and code, the rate limit, CSRF, and the status page."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from zhifa.cases.models import Stage
from zhifa.cases.testing import PARTY, advance_to, open_case
from zhifa.disclosures.forms import _CHALLENGE_KEY
from zhifa.instruments.convert import pdf_text
from zhifa.instruments.models import Instrument, Kind
from zhifa.ledger.evidence import backend
from zhifa.ledger.models import LedgerEntry
from zhifa.reasons.models import ReasonsRequest

pytestmark = [pytest.mark.django_db, pytest.mark.req("RSN-05"), pytest.mark.req("PUB-10")]
URL = reverse("reasons-portal:public-request")
STATUS = reverse("reasons-portal:public-status")
ANSWER = "本案当事人销售超过保质期的牛奶12盒，货值960元，属轻微阶次，初次违法并主动下架。"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def decided(team, library):
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    decision = Instrument.objects.get(case=case, kind=Kind.DECISION, superseded_by__isnull=True)
    return case, decision


def _data(client, decision, **kw):
    client.get(URL)  # sets the challenge
    data = {
        "decision_number": decision.number,
        "party": PARTY["credit_code"],
        "requester": "示范县好味食品有限公司",
        "contact": "13700001111",
        "content": "决定书只写了罚款数额，请书面说明罚款的理由",
        "answer": client.session[_CHALLENGE_KEY],
    }
    data.update(kw)
    return data


def _status(client, number, code):
    return client.post(STATUS, {"tracking_number": number, "access_code": code})


def test_the_party_asks_gets_a_tracking_number_and_reads_the_numbered_answer(
    team, decided, client, client_for
):
    case, decision = decided
    response = client.post(URL, _data(client, decision))
    assert response.status_code == 200, response.content.decode()
    item = ReasonsRequest.objects.get()
    assert item.case == case and item.channel == "portal" and item.registered_by is None
    assert item.decision_number == decision.number and item.tracking_number.startswith("SL")
    code = response.context["code"]
    assert item.tracking_number in response.content.decode() and code in response.content.decode()
    assert code not in item.access_code_hash
    entry = LedgerEntry.objects.filter(action="reasons.request").get()
    assert entry.payload["tracking_number"] == item.tracking_number

    page = _status(client, item.tracking_number, code).content.decode()
    assert "办理中" in page and decision.number in page

    # The handler answers on the workbench: the answer is issued as a numbered instrument.
    wb = client_for(team.lead)
    answered = wb.post(
        reverse("reasons:request-answer", args=[item.pk]),
        {"answer": ANSWER, "answered_on": item.requested_on.isoformat()},
    )
    assert answered.status_code == 302
    item.refresh_from_db()
    statement = item.instrument
    assert statement.kind == Kind.REASONS_STATEMENT and "说理〔" in statement.number
    text = pdf_text(backend(statement.pdf.backend).path_for(statement.pdf.storage_key))
    flat = "".join(text.split())
    assert "说明理由书" in flat and statement.number in flat and "货值960元" in flat
    assert decision.number in flat
    assert LedgerEntry.objects.filter(action="reasons.answer").get().payload["late"] is False
    detail = wb.get(reverse("reasons:detail", args=[case.pk])).content.decode()
    assert statement.number in detail

    page = _status(client, item.tracking_number, code).content.decode()
    assert "已书面答复" in page and statement.number in page and "货值960元" in page


def test_a_mismatch_is_refused_with_one_message_that_says_nothing(decided, client):
    _case, decision = decided
    rows, entries = ReasonsRequest.objects.count(), LedgerEntry.objects.count()
    wrong_party = client.post(URL, _data(client, decision, party="别的公司", requester="甲"))
    no_such = client.post(
        URL, _data(client, decision, decision_number="示市监罚〔2099〕9号", requester="甲")
    )
    for response in (wrong_party, no_such):
        assert response.status_code == 400
        page = response.content.decode()
        assert "未能核对到该决定书" in page
        assert PARTY["name"] not in page and "好味" not in page
    # The two refusals read the same: the page does not tell which part was wrong.
    errors = [r.context["form"].non_field_errors() for r in (wrong_party, no_such)]
    assert errors[0] == errors[1]
    assert (ReasonsRequest.objects.count(), LedgerEntry.objects.count()) == (rows, entries)
    # The party's name works as well as its credit code.
    ok = client.post(URL, _data(client, decision, party=PARTY["name"]))
    assert ok.status_code == 200 and ReasonsRequest.objects.count() == rows + 1


def test_challenge_csrf_and_rate_limit(decided, client, settings):
    _case, decision = decided
    assert client.post(URL, _data(client, decision, answer=999)).status_code == 400
    assert ReasonsRequest.objects.count() == 0
    assert Client(enforce_csrf_checks=True).post(URL, {}).status_code == 403
    cache.clear()
    settings.ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR = 2
    for _ in range(2):
        client.post(URL, _data(client, decision))
    response = client.post(URL, _data(client, decision))
    assert "提交过于频繁" in response.content.decode()
    assert ReasonsRequest.objects.count() == 2


def test_another_requester_cannot_see_the_status(decided, client):
    _case, decision = decided
    first = client.post(URL, _data(client, decision)).context
    other = Client()
    second = other.post(URL, _data(other, decision, requester="另一申请人")).context
    mine = _status(other, second["item"].tracking_number, second["code"]).content.decode()
    assert "另一申请人" not in mine  # the status page names no requester
    assert second["item"].tracking_number in mine
    # The other requester's code does not open the first request, nor a guessed one.
    for code in (second["code"], "guess"):
        page = _status(other, first["item"].tracking_number, code).content.decode()
        assert "查询编号或查询码不正确" in page and "所涉决定书" not in page


def test_a_request_after_closing_is_still_answered_with_a_numbered_instrument(team, library):
    """Requests come after the decision; the case may be closed by then (RSN-05)."""
    from zhifa.reasons import services

    case = advance_to(team, open_case(team), Stage.CLOSED)
    item = services.reasons_request_register(
        actor=team.leader, case=case, requester="示范县好味食品有限公司", content="请说明理由"
    )
    done = services.reasons_request_answer(actor=team.leader, request=item, answer=ANSWER)
    assert done.instrument.kind == Kind.REASONS_STATEMENT and done.instrument.number
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
