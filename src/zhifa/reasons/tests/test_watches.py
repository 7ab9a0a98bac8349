"""RSN-05 on the supervisor dashboard (SUP-01): requests for written reasons not
answered within their 7 working days. The count equals an independent query,
is limited to the reader's scope, and shows on the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.services import calendar_seed
from zhifa.catalogues.workdays import workdays_add
from zhifa.reasons import services
from zhifa.reasons.models import ReasonsRequest
from zhifa.reasons.selectors import requests_overdue
from zhifa.supervision.watch import watch_get

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.req("RSN-05"),
    pytest.mark.usefixtures("live_dashboard"),
]
URL = reverse("supervision:dashboard")
KEY = "reasons_requests_overdue"


@pytest.fixture(autouse=True)
def calendar(sysadmin):
    calendar_seed(actor=sysadmin, years=[2026])


@pytest.fixture
def safety(build, county):
    return make_team(build, county.safety)


def register(t, *, days_ago: int, title: str) -> ReasonsRequest:
    return services.reasons_request_register(
        actor=t.lead,
        case=advance_to(t, open_case(t, title=title), Stage.DECISION),
        requester="示范县好味食品有限公司",
        content="请书面说明罚款数额的理由",
        requested_on=timezone.localdate() - timedelta(days=days_ago),
    )


def count(client_for, user, agency=None) -> int:
    response = client_for(user).get(URL, {"agency": agency.pk} if agency else {})
    assert response.status_code == 200
    return {c.item.key: c.count for c, _href in response.context["counts"]}[KEY]


def expected(agencies) -> int:
    """Independently: the 7th working day after the request, worked out here."""
    today = timezone.localdate()
    return sum(
        1
        for r in ReasonsRequest.objects.filter(case__agency__in=agencies)
        if r.answered_on is None and workdays_add(r.requested_on, 7).date < today
    )


def test_requests_past_their_deadline_are_counted_in_scope(team, safety, county, client_for):
    late = register(team, days_ago=20, title="逾期未答复案")
    register(team, days_ago=1, title="期限内案")
    answered = register(team, days_ago=20, title="已答复案")
    services.reasons_request_answer(
        actor=team.lead,
        request=answered,
        answer="本案货值金额较小，初次违法并主动下架，故从轻处罚",
        answered_on=timezone.localdate() - timedelta(days=1),
    )
    register(safety, days_ago=30, title="应急局逾期案")

    supervisor = county.supervisor
    region = count(client_for, supervisor)
    assert region == expected([county.market, county.safety]) == 2
    assert count(client_for, supervisor, county.market) == expected([county.market]) == 1
    assert count(client_for, team.leader) == 1  # the other agency's request is not counted
    assert count(client_for, safety.leader) == 1
    assert list(requests_overdue(actor=team.leader)) == [late]

    page = client_for(team.leader).get(URL + f"watch/{KEY}/")
    body = page.content.decode()
    assert page.status_code == 200 and late.case.number in body
    assert reverse("reasons:request-answer", args=[late.pk]) in body

    # Answered, even late, it leaves the list.
    services.reasons_request_answer(
        actor=team.lead, request=late, answer="本案罚款数额依裁量基准的一般阶次确定"
    )
    assert count(client_for, supervisor) == expected([county.market, county.safety]) == 1


def test_the_dashboard_shows_the_item(county, client_for):
    response = client_for(county.supervisor).get(URL)
    assert response.status_code == 200
    assert watch_get(KEY).label in response.content.decode()
    assert watch_get(KEY).requirement == "RSN-05"
