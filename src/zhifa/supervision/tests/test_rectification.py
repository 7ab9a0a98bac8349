"""SUP-02: rectification notices after 案卷评查 — issued by the 司法局 with a
due date, answered by the agency, closed or sent back; a tracking list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.models import ActionKind
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.supervision.models import RectificationNotice
from zhifa.supervision.services import (
    file_evaluation_commit,
    file_evaluation_draw,
    notice_issue,
    notice_reply,
    notice_review,
)
from zhifa.supervision.testing import matter_of

pytestmark = pytest.mark.req("SUP-02")
YEAR = timezone.localdate().year


@pytest.fixture
def evaluation(county, market):
    market.matter = matter_of(market, ActionKind.LICENSING)
    advance_to(market, open_case(market, title="许可"), Stage.CLOSED)
    committed = file_evaluation_commit(
        actor=county.supervisor,
        agency=county.market,
        year=YEAR,
        size=1,
        beacon_source="某期开奖号码",
    )
    return file_evaluation_draw(actor=county.supervisor, evaluation=committed, beacon_value="1 2 3")


def test_issue_reply_return_reply_close(county, market, evaluation):
    file = evaluation.items.get()
    notice = notice_issue(
        actor=county.supervisor, evaluation=evaluation, file=file, content="未附说明理由"
    )
    assert notice.state == RectificationNotice.State.OPEN and notice.due_on > timezone.localdate()
    with pytest.raises(Conflict):  # nothing to review before a reply
        notice_review(actor=county.supervisor, notice=notice, accept=True)
    with pytest.raises(Forbidden):
        notice_reply(actor=market.lead, notice=notice, reply="已整改")
    notice = notice_reply(actor=market.leader, notice=notice, reply="已补充说明理由")
    with pytest.raises(InvalidInput):
        notice_review(actor=county.supervisor, notice=notice, accept=False)
    notice = notice_review(
        actor=county.supervisor, notice=notice, accept=False, comment="未附补充材料"
    )
    assert notice.state == RectificationNotice.State.OPEN
    notice = notice_reply(actor=market.leader, notice=notice, reply="附补充材料")
    with pytest.raises(Forbidden):
        notice_review(actor=market.leader, notice=notice, accept=True)
    notice = notice_review(actor=county.supervisor, notice=notice, accept=True)
    assert (
        notice.state == RectificationNotice.State.CLOSED and notice.closed_by == county.supervisor
    )
    actions = list(entries_for(notice).values_list("action", flat=True))
    for action in ("issue", "reply", "return", "close"):
        assert f"rectification.{action}" in actions


def test_refusals_change_nothing(county, market, evaluation):
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidInput):
        notice_issue(actor=county.supervisor, evaluation=evaluation, content=" ")
    with pytest.raises(InvalidInput):
        notice_issue(
            actor=county.supervisor,
            evaluation=evaluation,
            content="x",
            due_on=timezone.localdate(),
        )
    with pytest.raises(Forbidden):
        notice_issue(actor=market.leader, evaluation=evaluation, content="x")
    assert LedgerEntry.objects.count() == before and not RectificationNotice.objects.exists()


def test_the_workbench_tracks_notices(county, market, evaluation, client_for):
    sup = client_for(county.supervisor)
    url = f"/workbench/supervision/evaluations/{evaluation.pk}/"
    response = sup.post(url, {"content": "卷内目录不全", "file": evaluation.items.get().pk})
    assert response.status_code == 302
    notice = RectificationNotice.objects.get()
    listing = sup.get("/workbench/supervision/notices/")
    assert listing.status_code == 200 and "卷内目录不全" in listing.content.decode()
    assert sup.get("/workbench/supervision/notices/?export=xlsx").status_code == 200
    leader = client_for(market.leader)
    detail = f"/workbench/supervision/notices/{notice.pk}/"
    assert leader.post(detail, {"reply": "已补齐目录"}).status_code == 302
    sup = client_for(county.supervisor)
    assert sup.post(detail, {"accept": "1", "comment": ""}).status_code == 302
    assert RectificationNotice.objects.get().state == RectificationNotice.State.CLOSED
    # Another agency's leader and an officer see nothing.
    other = client_for(county.safety_admin)
    assert other.get(detail).status_code == 404
    assert client_for(market.lead).get(detail).status_code == 404


@pytest.mark.req("SUP-01")
@pytest.mark.usefixtures("live_dashboard")
def test_overdue_notices_are_a_watch_item(county, market, safety, evaluation, later, client_for):
    from zhifa.supervision.selectors import supervision_scope
    from zhifa.supervision.watch import watch_get

    notice = notice_issue(
        actor=county.supervisor,
        evaluation=evaluation,
        file=evaluation.items.get(),
        content="未附说明理由",
    )
    item = watch_get("rectification_overdue")
    region = supervision_scope(actor=county.supervisor)

    def independent(day):
        return {
            n.pk
            for n in RectificationNotice.objects.all()
            if n.state == RectificationNotice.State.OPEN and n.due_on < day
        }

    days = (notice.due_on - timezone.localdate()).days
    for offset in (days, days + 1):
        later(offset)
        day = timezone.localdate() + timedelta(days=offset)
        assert set(item.queryset(region).values_list("pk", flat=True)) == independent(day)
    assert list(item.queryset(region)) == [notice]
    assert item.count(supervision_scope(actor=market.leader)) == 1
    assert item.count(supervision_scope(actor=safety.leader)) == 0
    page = client_for(county.supervisor).get("/workbench/supervision/")
    shown = {c.item.key: (c.count, href) for c, href in page.context["counts"]}
    assert shown["rectification_overdue"][0] == 1
    listing = client_for(county.supervisor).get(shown["rectification_overdue"][1])
    assert listing.status_code == 200
    assert f"/workbench/supervision/notices/{notice.pk}/" in listing.content.decode()
    # Replied (even late), it leaves the list; sent back, it is open and counts again.
    notice = notice_reply(actor=market.leader, notice=notice, reply="已补充说明理由")
    assert item.count(region) == 0
    notice_review(actor=county.supervisor, notice=notice, accept=False, comment="未附补充材料")
    assert item.count(region) == 1
