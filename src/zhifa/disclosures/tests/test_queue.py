"""The legal unit's queue (PUB-01, PUB-06): links only for those allowed, and
a fixed number of queries however many decisions wait for their public version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.workdays import workdays_add
from zhifa.disclosures import services

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-06")]


def _issue(t, n):
    for i in range(n):
        case = open_case(
            t,
            title=f"排队案{i}",
            started_on=timezone.localdate() - timedelta(days=3),
        )
        advance_to(t, case, Stage.EXECUTION)


@pytest.mark.req("PUB-01")
def test_the_draft_link_shows_only_to_those_who_may_draft(desk, county, client_for):
    url = reverse("portal:wb-queue")
    new = reverse("portal:wb-ex-ante-new")
    admin = client_for(county.sysadmin)
    assert new not in admin.get(url).content.decode()
    assert admin.get(new).status_code == 403
    # Whoever sees the link may follow it.
    for user in (county.supervisor, desk.officer, desk.legal, desk.outsider):
        client = client_for(user)
        assert new in client.get(url).content.decode()
        assert client.get(new).status_code == 200


def test_the_queue_reads_in_a_fixed_number_of_queries(
    build, county, calendar_2026, client_for, django_assert_max_num_queries
):
    t = make_team(build, county.market)
    client = client_for(t.reviewer)
    url = reverse("portal:wb-queue")
    _issue(t, 1)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert page.status_code == 200
    _issue(t, 4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    body = page.content.decode()
    assert body.count("生成公开版") == 5
    # The batched deadlines agree with workdays_add row by row.
    instruments = list(services_unprepared(t.reviewer))
    for instrument, deadline in zip(
        instruments, services.decision_deadlines(instruments), strict=True
    ):
        issued = timezone.localtime(instrument.issued_at).date()
        assert deadline == workdays_add(
            issued, services.deadline_workdays(instrument.case.action_kind, instrument.case.matter)
        )
        assert f"{deadline.date:%Y-%m-%d}" in body


def services_unprepared(actor):
    from zhifa.disclosures.selectors import decisions_unprepared

    return decisions_unprepared(actor=actor)
