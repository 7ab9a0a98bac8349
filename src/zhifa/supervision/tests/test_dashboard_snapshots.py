"""SUP-01 first view: the dashboard shows its scope's stored figures while they
are younger than ``ZHIFA_SUPERVISION_SNAPSHOT_SECONDS``, counted again when
older, on 立即刷新 and by ``zhifa dashboard_snapshots``; the stored figures are
the live ones; one scope's figures are never shown to another."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case, Stage
from zhifa.cases.selectors import open_stages
from zhifa.cases.testing import open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.models import ActionKind
from zhifa.supervision import dashboard
from zhifa.supervision.models import DashboardSnapshot
from zhifa.supervision.selectors import dashboard_readers, region_agencies, supervision_scope
from zhifa.supervision.services import dashboard_snapshot_refresh
from zhifa.supervision.tests import test_dashboard as base

pytestmark = pytest.mark.req("SUP-01")
URL = "/workbench/supervision/"
REFRESH = URL + "refresh/"
county_data = base.county_data


def stored(**key) -> DashboardSnapshot:
    return DashboardSnapshot.objects.get(**key)


def total_shown(response) -> int:
    return sum(n for _label, n in response.context["charts"]["stages"])


def plant(snapshot: DashboardSnapshot, key: str, value: int) -> None:
    """Mark a stored figure, to see where it is shown."""
    snapshot.payload["watches"][key] = value
    snapshot.save(update_fields=["payload"])


def test_the_stored_figures_equal_the_live_figures_and_independent_queries(
    county_data, county, market, safety
):
    today, now = timezone.localdate(), timezone.now()
    scopes = dashboard_readers()
    assert {(s.region, s.agency) for s in scopes} == {
        (county.region, None),
        (None, county.market),
        (None, county.safety),
    }
    for scope in scopes:
        snapshot = dashboard_snapshot_refresh(scope=scope)
        assert snapshot.payload == dashboard.payload(dashboard.figures(scope))
        figures = snapshot.payload
        agencies = Agency.objects.filter(pk__in=[a.pk for a in scope.agencies])
        expected = base.expected_counts(agencies, today, now)
        assert {k: figures["watches"][k] for k in expected} == expected
        cases = list(Case.objects.filter(agency__in=agencies))
        assert dict(figures["kinds"]) == {
            label: sum(1 for c in cases if c.action_kind == kind)
            for kind, label in ActionKind.choices
        }
        assert dict(figures["stages"]) == {
            label: sum(1 for c in cases if c.stage == stage) for stage, label in Stage.choices
        }
        months = dict(figures["months"])
        assert sum(months.values()) == sum(
            1 for c in cases if f"{c.started_on:%Y-%m}" >= min(months)
        )
        if scope.is_region:
            rows = {row[0]: row[1:] for row in figures["agencies"]}
            assert rows == {
                a.pk: [
                    sum(1 for c in cases if c.agency_id == a.pk),
                    sum(1 for c in cases if c.agency_id == a.pk and c.stage in open_stages()),
                    sum(
                        1 for c in cases if c.agency_id == a.pk and c.started_on.year == today.year
                    ),
                ]
                for a in region_agencies(county.region)
            }
        else:
            assert figures["agencies"] == []
    # The region's figures are those of its agencies added up.
    region = stored(region=county.region)
    for key, n in region.payload["watches"].items():
        assert n == sum(stored(agency=t.agency).payload["watches"][key] for t in (market, safety))


def test_a_fresh_snapshot_is_served_with_few_queries(
    county_data, county, market, client_for, django_assert_max_num_queries
):
    client = client_for(county.supervisor)
    first = client.get(URL)
    before = total_shown(first)
    snapshot = stored(region=county.region)
    open_case(market, title="快照之后的新案")
    with django_assert_max_num_queries(12) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    # Nothing counted over the cases: the stored figures, one row read.
    assert not [q for q in queries.captured_queries if '"cases_case"' in q["sql"]]
    assert total_shown(response) == before
    assert stored(region=county.region).computed_at == snapshot.computed_at
    assert {c.item.key: c.count for c, _href in response.context["counts"]} == snapshot.payload[
        "watches"
    ]
    assert [a.pk for a, *_n in response.context["agencies"]] == [
        row[0] for row in snapshot.payload["agencies"]
    ]
    body = response.content.decode()
    as_of = timezone.localtime(snapshot.computed_at)
    assert f"数据截至 {as_of:%Y-%m-%d %H:%M}（每 5 分钟更新）" in body
    assert "立即刷新" in body and "csrfmiddlewaretoken" in body
    # The lists behind the counts and the exports stay live.
    xlsx = client.get(URL, {"export": "kinds"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert sum(r[1] for r in rows[1:]) == before + 1


def test_a_stale_snapshot_is_counted_again(county_data, county, market, client_for, settings):
    settings.ZHIFA_SUPERVISION_SNAPSHOT_SECONDS = 120
    client = client_for(county.supervisor)
    before = total_shown(client.get(URL))
    open_case(market, title="快照之后的新案")
    old = timezone.now() - timedelta(seconds=121)
    DashboardSnapshot.objects.filter(region=county.region).update(computed_at=old)
    response = client.get(URL)
    assert total_shown(response) == before + 1
    assert "（每 2 分钟更新）" in response.content.decode()
    snapshot = stored(region=county.region)
    assert snapshot.computed_at > old and snapshot.payload == dashboard.payload(
        dashboard.figures(response.context["scope"])
    )
    # Still fresh: served as stored.
    open_case(market, title="又一新案")
    assert total_shown(client.get(URL)) == before + 1


def test_a_snapshot_that_no_longer_fits_is_counted_again(build, county_data, county, client_for):
    client = client_for(county.supervisor)
    client.get(URL)
    added = build.agency(county.region, "示范县交通运输局", domain="transport")
    response = client.get(URL)
    assert added.pk in {a.pk for a, *_n in response.context["agencies"]}
    assert added.pk in {row[0] for row in stored(region=county.region).payload["agencies"]}


def test_the_refresh_button_counts_the_readers_own_scope_again(
    county_data, county, market, client_for
):
    client = client_for(county.supervisor)
    before = total_shown(client.get(URL))
    client.get(URL, {"agency": county.safety.pk})
    safety_at = stored(agency=county.safety).computed_at
    open_case(market, title="快照之后的新案")
    assert total_shown(client.get(URL)) == before
    response = client.post(REFRESH)
    assert response.status_code == 302 and response["Location"] == URL
    page = client.get(URL)
    assert total_shown(page) == before + 1
    assert "已按当前数据重新统计" in page.content.decode()
    # Only the reader's scope: the region, not the agencies in it.
    assert stored(agency=county.safety).computed_at == safety_at
    assert not DashboardSnapshot.objects.filter(agency=county.market).exists()
    # Narrowed to one agency, the button refreshes that agency.
    response = client.post(REFRESH + f"?agency={county.market.pk}")
    assert response["Location"] == f"{URL}?agency={county.market.pk}"
    assert stored(agency=county.market).payload["watches"]["cases_past_limit"] == 1
    # A GET does nothing; a POST without the CSRF token is refused.
    assert client.get(REFRESH).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(county.supervisor)
    assert strict.post(REFRESH).status_code == 403


def test_zero_seconds_is_always_live(county_data, county, market, client_for, settings):
    settings.ZHIFA_SUPERVISION_SNAPSHOT_SECONDS = 0
    client = client_for(county.supervisor)
    before = total_shown(client.get(URL))
    open_case(market, title="新案之二")
    response = client.get(URL)
    assert total_shown(response) == before + 1
    assert "（实时统计）" in response.content.decode()
    assert not DashboardSnapshot.objects.exists()


def test_the_command_refreshes_every_scope(county_data, county, market, monkeypatch):
    out = io.StringIO()
    call_command("dashboard_snapshots", stdout=out)
    expected = {("region", county.region.pk, None)} | {
        ("agency", None, a.pk) for a in region_agencies(county.region)
    }
    assert {(s.kind, s.region_id, s.agency_id) for s in DashboardSnapshot.objects.all()} == expected
    assert "已更新监督首页统计快照 3 个" in out.getvalue()
    for snapshot in DashboardSnapshot.objects.all():
        scope = (
            supervision_scope(actor=county.supervisor)
            if snapshot.region
            else supervision_scope(actor=county.supervisor, agency=snapshot.agency_id)
        )
        assert snapshot.payload == dashboard.payload(dashboard.figures(scope))
    # The 司法局 itself has no leader here: nobody may read its dashboard, so none is kept.
    assert not DashboardSnapshot.objects.filter(agency=county.bureau).exists()
    # Looping: a round, a pause, another round — each one replacing the snapshots.
    first = stored(region=county.region).computed_at
    open_case(market, title="新案之三")
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    out = io.StringIO()
    call_command("dashboard_snapshots", "--watch", "30", "--rounds", "2", stdout=out)
    assert out.getvalue().count("已更新监督首页统计快照 3 个") == 2 and len(slept) == 1
    assert 0 < slept[0] <= 30
    assert DashboardSnapshot.objects.count() == 3
    snapshot = stored(region=county.region)
    assert snapshot.computed_at > first
    assert sum(n for _l, n in snapshot.payload["stages"]) == Case.objects.count()


def test_a_snapshot_is_never_shown_to_another_scope(
    build, county_data, county, market, safety, client_for
):
    call_command("dashboard_snapshots", stdout=io.StringIO())
    plant(stored(region=county.region), "cases_past_limit", 999)
    plant(stored(agency=county.market), "cases_past_limit", 777)
    plant(stored(agency=county.safety), "cases_past_limit", 555)

    def past_limit(user, **params) -> int:
        reader = Client()
        reader.force_login(user)
        page = reader.get(URL, params)
        assert page.status_code == 200
        return base.shown(page)["cases_past_limit"]

    # Each scope's readers see its figures …
    assert past_limit(county.supervisor) == 999
    assert past_limit(county.supervisor, agency=county.market.pk) == 777
    assert past_limit(market.leader) == 777
    assert past_limit(safety.leader) == 555
    # … a supervisor of another region sees their own, and none of these.
    other = build.county(code="990103", name="邻县")
    assert past_limit(other.supervisor) == 0
    assert DashboardSnapshot.objects.filter(region=other.region).exists()
    outsider = Client()
    outsider.force_login(other.supervisor)
    assert outsider.get(URL, {"agency": county.market.pk}).status_code == 404
    assert outsider.post(f"{REFRESH}?agency={county.market.pk}").status_code == 404
    # A leader of another agency can neither read nor refresh this agency's.
    leader = Client()
    leader.force_login(safety.leader)
    assert leader.get(URL, {"agency": county.market.pk}).status_code == 404
    assert leader.post(f"{REFRESH}?agency={county.market.pk}").status_code == 404
    # A refresh by the safety leader touches only the safety agency's snapshot.
    assert leader.post(REFRESH).status_code == 302
    assert stored(agency=county.safety).payload["watches"]["cases_past_limit"] == 0
    assert stored(agency=county.market).payload["watches"]["cases_past_limit"] == 777
    assert stored(region=county.region).payload["watches"]["cases_past_limit"] == 999
    # A plain officer gets nothing, and stores nothing.
    officer = Client()
    officer.force_login(market.officers[0].user)
    count = DashboardSnapshot.objects.count()
    assert officer.get(URL).status_code == 404
    assert officer.post(REFRESH).status_code == 404
    assert DashboardSnapshot.objects.count() == count
    # An agency the supervisor's region does not cover is not reachable by pk either.
    stranger = Agency.objects.filter(region=other.region).exclude(kind="supervisory").first()
    assert stranger is not None
    assert past_limit(county.supervisor) == 999
    supervisor = Client()
    supervisor.force_login(county.supervisor)
    assert supervisor.get(URL, {"agency": stranger.pk}).status_code == 404


def test_a_new_leader_is_counted_live_until_a_snapshot_exists(build, county, client_for):
    # No snapshot yet for an agency nobody could read before: the first view counts.
    agency = build.agency(county.region, "示范县文化旅游局", domain="culture")
    t = make_team(build, agency)
    open_case(t, title="文旅案")
    response = client_for(t.leader).get(URL)
    assert response.status_code == 200 and total_shown(response) == 1
    assert stored(agency=agency).payload["watches"]["cases_past_limit"] == 0


def test_a_first_snapshot_stored_by_another_reader_meanwhile_is_replaced(
    county_data, county, monkeypatch
):
    from django.db import IntegrityError

    scope = supervision_scope(actor=county.supervisor)
    real = DashboardSnapshot.objects.update_or_create
    tries = []

    def racing(**kw):
        tries.append(kw)
        if len(tries) == 1:  # the unique scope constraint, as when two readers insert at once
            raise IntegrityError("dashboard_snapshot_one_per_region")
        return real(**kw)

    monkeypatch.setattr(DashboardSnapshot.objects, "update_or_create", racing)
    snapshot = dashboard_snapshot_refresh(scope=scope)
    assert len(tries) == 2 and stored(region=county.region) == snapshot
    assert snapshot.payload == dashboard.payload(dashboard.figures(scope))
