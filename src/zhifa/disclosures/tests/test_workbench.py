"""The legal unit's publication queue (PUB-01, PUB-06, PUB-13): an issued
决定书 waits for its public version with its due date; the public version is
built from the case's structured fields, shown with every redaction
highlighted, confirmed on a confirmation page, and published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.disclosures import selectors, services
from zhifa.disclosures.models import Disclosure
from zhifa.disclosures.tests.conftest import decision
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

PERSON = {
    "kind": "natural",
    "name": "张三丰",
    "id_number": "11010519491231002X",
    "address": "示范县幸福路12号",
    "phone": "13800138000",
}


@pytest.mark.req("PUB-06")
def test_an_issued_decision_is_prepared_from_the_case_and_published_through_the_queue(
    build, county, calendar_2026, client_for
):
    t = make_team(build, county.market)
    case = open_case(t, parties=[PERSON], started_on=timezone.localdate() - timedelta(days=2))
    advance_to(t, case, Stage.EXECUTION)  # the kit issues the 行政处罚决定书
    waiting = list(selectors.decisions_unprepared(actor=t.reviewer))
    assert len(waiting) == 1 and waiting[0].case_id == case.pk
    assert selectors.decisions_unprepared(actor=county.safety_admin).count() == 0

    client = client_for(t.reviewer)
    queue = client.get(reverse("portal:wb-queue"))
    assert waiting[0].number in queue.content.decode()
    response = client.post(reverse("portal:wb-prepare", args=[waiting[0].pk]))
    item = Disclosure.objects.get()
    assert response.url == reverse("portal:wb-detail", args=[item.pk])
    assert item.party_name == "张某某" and item.document_number == waiting[0].number
    assert item.due_on is not None
    assert "张三丰" in item.private_names
    assert LedgerEntry.objects.filter(action="case.view", object_id=str(case.pk)).exists()
    assert not selectors.decisions_unprepared(actor=t.reviewer).exists()

    services.disclosure_submit(actor=t.lead, disclosure=item)
    # The reviewer prepared it: the page says why they may not publish it (PUB-13).
    page = client.get(reverse("portal:wb-detail", args=[item.pk])).content.decode()
    assert 'class="redacted"' in page and "审核通过并公示" not in page
    assert 'id="four-eyes"' in page and "您是该信息的拟稿人" in page
    # Another member of the legal unit checks and publishes it.
    checker = client_for(
        build.officer(county.market, roles=(), unit=county.market_legal, credential=False).user
    )
    page = checker.get(reverse("portal:wb-detail", args=[item.pk])).content.decode()
    assert 'class="redacted"' in page and "审核通过并公示" in page and "four-eyes" not in page
    confirm = checker.get(reverse("portal:wb-publish", args=[item.pk]))
    assert "确认公示" in confirm.content.decode()
    checker.post(reverse("portal:wb-publish", args=[item.pk]), {"confirmed": "1"})
    item.refresh_from_db()
    assert item.status == Disclosure.Status.PUBLISHED


@pytest.mark.req("PUB-13")
def test_the_publish_page_is_refused_outside_the_legal_unit(desk, client_for):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    officer = client_for(desk.officer)
    assert officer.get(reverse("portal:wb-publish", args=[item.pk])).status_code == 403
    assert (
        officer.post(reverse("portal:wb-publish", args=[item.pk]), {"confirmed": "1"}).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.status == Disclosure.Status.IN_REVIEW


@pytest.mark.req("PUB-07")
def test_withholding_from_the_workbench_keeps_the_ground(desk, client_for):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    client = client_for(desk.legal)
    url = reverse("portal:wb-withhold", args=[item.pk])
    empty = client.post(url, {"confirmed": "1", "ground": ""})
    assert empty.status_code == 200  # the form again, with its error
    client.post(url, {"confirmed": "1", "ground": "涉及商业秘密"})
    item.refresh_from_db()
    assert item.status == Disclosure.Status.WITHHELD and item.withholding_ground == "涉及商业秘密"


def test_an_unpublished_item_is_seen_by_its_writer_and_the_legal_unit_only(
    desk, build, county, client_for
):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    colleague = build.officer(county.market, unit=county.market_unit, name="同局其他执法员")
    assert item not in selectors.disclosure_list(actor=colleague.user)
    client = client_for(colleague.user)
    assert client.get(reverse("portal:wb-detail", args=[item.pk])).status_code == 404
    queue = client.get(reverse("portal:wb-queue"))  # the queue itself opens for them
    assert queue.status_code == 200
    for allowed in (desk.officer, desk.legal, desk.leader):
        assert item in selectors.disclosure_list(actor=allowed)


def test_another_agencys_item_is_not_found(desk, client_for):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    outsider = client_for(desk.outsider)
    assert outsider.get(reverse("portal:wb-detail", args=[item.pk])).status_code == 404
    assert outsider.post(reverse("portal:wb-submit", args=[item.pk])).status_code == 404


def test_the_workbench_needs_a_login(client):
    response = client.get(reverse("portal:wb-queue"))
    assert response.status_code == 302


@pytest.mark.req("PUB-02")
@pytest.mark.req("PUB-13")
def test_an_ex_ante_flowchart_is_drafted_reviewed_and_drawn_from_its_steps(desk, client_for):
    client = client_for(desk.officer)
    response = client.post(
        reverse("portal:wb-ex-ante-new"),
        {"topic": "flowchart", "title": "行政处罚流程图", "body": "立案\n调查取证\n法制审核\n决定"},
    )
    item = Disclosure.objects.get()
    assert response.url == reverse("portal:wb-detail", args=[item.pk])
    assert item.kind == "ex_ante" and item.due_on is None
    agency_page = reverse("portal:agency-detail", args=[desk.agency.pk])
    assert "行政处罚流程图" not in client.get(agency_page).content.decode()
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    services.disclosure_publish(actor=desk.legal, disclosure=item)
    page = client.get(agency_page).content.decode()
    assert "行政处罚流程图" in page and '<ol class="flow"' in page and "<li>法制审核</li>" in page
    # Ex-ante items are not decisions: they stay out of the decisions list.
    assert "行政处罚流程图" not in client.get(reverse("portal:decision-list")).content.decode()


def test_an_ex_ante_item_needs_its_category(desk):
    from zhifa.core.errors import InvalidInput
    from zhifa.disclosures.services import DraftInput

    with pytest.raises(InvalidInput):
        services.disclosure_prepare(
            actor=desk.officer,
            agency=desk.agency,
            draft=DraftInput(kind="ex_ante", title="x", body="y"),
        )


@pytest.mark.req("PUB-10")
def test_the_legal_unit_answers_a_request_in_the_workbench(desk, client_for):
    today = timezone.localdate()
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=decision(desk, decided_on=today)
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    item = services.disclosure_publish(actor=desk.legal, disclosure=item)
    request, _ = services.public_request_submit(
        kind="correction",
        agency=desk.agency,
        disclosure=item,
        requester_name="甲",
        requester_contact="13700001111",
        content="罚款金额有误",
    )
    client = client_for(desk.legal)
    assert request.tracking_number in client.get(reverse("portal:wb-queue")).content.decode()
    url = reverse("portal:wb-request", args=[request.pk])
    assert "罚款金额有误" in client.get(url).content.decode()
    assert client_for(desk.outsider).get(url).status_code == 404
    client = client_for(desk.legal)
    client.post(url, {"answer": "经核实，信息无误"})
    request.refresh_from_db()
    assert request.status == "answered" and request.answered_by == desk.legal


@pytest.mark.req("PUB-09")
def test_withdrawal_and_return_from_the_workbench(desk, client_for):
    today = timezone.localdate()
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=decision(desk, decided_on=today)
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    client = client_for(desk.legal)
    client.post(reverse("portal:wb-return", args=[item.pk]), {"confirmed": "1", "reason": "补正"})
    item.refresh_from_db()
    assert item.status == Disclosure.Status.DRAFT
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    services.disclosure_publish(actor=desk.legal, disclosure=item)
    url = reverse("portal:wb-withdraw", args=[item.pk])
    assert "撤下原因将在撤下记录中公开" in client.get(url).content.decode()
    client.post(url, {"confirmed": "1", "reason": "原决定已撤销"})
    item.refresh_from_db()
    assert item.status == Disclosure.Status.WITHDRAWN
