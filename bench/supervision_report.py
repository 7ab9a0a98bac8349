"""The annual statistics report (PUB-11) at growing case counts: how its time grows.

For each size N (10,000 / 30,000 / 100,000 cases; 2,000 / 6,000 / 20,000 with
``--quick``) spread over 50 agencies of one county (``--agencies``), measured on a fresh migrated
SQLite database (product settings):

* ``annual_stats`` for one agency and for the whole region (the queries and
  the pass over the decisions);
* ``render_pdf`` + ``render_xlsx`` of the region's report (constant work: the
  documents hold totals, not cases);
* the supervisor dashboard's figures (``watch_counts`` and the chart series)
  for the region;
* the dashboard's first view (SUP-01) through the Django test client as the
  county's supervisor: live (``ZHIFA_SUPERVISION_SNAPSHOT_SECONDS=0``, every
  figure counted in the request) and served from the stored snapshot (the
  default 300 s, the snapshot fresh), medians of several requests, their ratio;
  and the refresh of the region's snapshot (``dashboard_snapshot_refresh``, the
  live count that ``zhifa dashboard_snapshots`` runs in the background).

The county, its agencies, officers and matters are made through the services;
the cases are bulk-inserted with what the report reads, as the services would
write it: a case row with its lead officer, a decision record (a fine on 70 %
of penalty decisions, conclusions naming real penalty kinds), a 结案 stage
change for 60 % of cases, a hearing application for 3 %, a corrected decision
for 2 %. Making 100,000 cases through ``case_open`` and ``record_add`` would
measure hashing and ledger appends, not the report.

Baseline, in the same run: ``SELECT COUNT(*)`` over the year's decision
records of the region (the least any report must read).

    .venv/bin/python bench/supervision_report.py [--quick] [--sizes 10000,100000]
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import date, datetime, timedelta

import _common

SIZES = (10_000, 30_000, 100_000)
QUICK_SIZES = (2_000, 6_000, 20_000)
AGENCIES = 50  # as the issue measures: 10⁶ cases across 50 agencies
VIEWS = 9  # requests per dashboard view median
YEAR = 2026
CONCLUSIONS = (
    "给予警告。",
    "给予警告，并处罚款。",
    "没收违法所得，并处罚款。",
    "责令停产停业一个月，并处罚款。",
    "吊销食品经营许可证。",
    "违法行为轻微并及时改正，不予行政处罚。",
)
KINDS = ("penalty",) * 6 + ("licensing", "inspection", "coercion", "confirmation")


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def _count_decisions(first, after) -> int:
    from zhifa.cases.models import Record

    return Record.objects.filter(
        kind="decision", occurred_at__gte=first, occurred_at__lt=after
    ).count()


def _documents(stats) -> tuple[bytes, bytes]:
    from zhifa.supervision import annual

    return annual.render_pdf(stats), annual.render_xlsx(stats)


def _dashboard(scope) -> tuple:
    from zhifa.supervision import dashboard

    return (
        dashboard.watch_counts(scope),
        dashboard.cases_by_kind(scope),
        dashboard.cases_by_stage(scope),
        dashboard.cases_by_month(scope),
        dashboard.agency_rows(scope),
    )


def _views(client, n: int) -> float:
    """Median time of ``n`` dashboard requests as the supervisor."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/workbench/supervision/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return _common.median(times)


def _first_view(supervisor) -> dict:
    """The dashboard through the test client: live, then from a fresh snapshot."""
    from django.test import Client, override_settings

    from zhifa.supervision.models import DashboardSnapshot
    from zhifa.supervision.selectors import supervision_scope
    from zhifa.supervision.services import dashboard_snapshot_refresh

    client = Client()
    client.force_login(supervisor)
    with override_settings(ZHIFA_SUPERVISION_SNAPSHOT_SECONDS=0):
        live = _views(client, 3)
    scope = supervision_scope(actor=supervisor)
    refresh = _common.median([_timed(dashboard_snapshot_refresh, scope=scope)[1] for _ in range(3)])
    with override_settings(ZHIFA_SUPERVISION_SNAPSHOT_SECONDS=3600):
        _views(client, 1)  # warm: templates and the session
        stored = _views(client, VIEWS)
    assert DashboardSnapshot.objects.filter(region=scope.region).count() == 1
    return {
        "view_live_s": live,
        "snapshot_refresh_s": refresh,
        "view_snapshot_s": stored,
        "live_over_snapshot": round(live / stored, 1),
    }


def _county(n_agencies: int = AGENCIES):
    from zhifa.accounts.models import Agency, Role
    from zhifa.accounts.services import sysadmin_create
    from zhifa.catalogues.services import matter_create
    from zhifa.core.testing import Builder

    root = sysadmin_create(actor=None, username="bench-root", password="Bench-Root-2026!x")
    build = Builder(root)
    county = build.county()
    agencies = [county.market, county.safety] + [
        build.agency(county.region, f"示范县第{i}执法局") for i in range(n_agencies - 2)
    ]
    officers, matters = {}, {}
    for agency in agencies:
        officers[agency.pk] = [
            build.officer(agency, roles=(Role.OFFICER,), password=None) for _ in range(3)
        ]
        for kind in set(KINDS):
            matters[(agency.pk, kind)] = matter_create(
                actor=root,
                agency=agency,
                code=f"B-{kind}",
                name=f"{kind}事项",
                action_kind=kind,
                legal_basis="《中华人民共和国行政处罚法》",
                time_limit_days=90,
            )
    return root, county, Agency.objects.filter(pk__in=[a.pk for a in agencies]), officers, matters


def _fill(n: int, start: int, root, agencies, officers, matters, rng: random.Random) -> None:
    """Bulk-insert ``n`` more cases (numbers from ``start``) with their decisions."""
    from django.utils import timezone

    from zhifa.cases.models import Case, CaseOfficer, Record, Stage, StageChange

    tz = timezone.get_current_timezone()
    agency_ids = list(agencies.values_list("pk", flat=True))
    cases = []
    for i in range(start, start + n):
        agency_id = agency_ids[i % len(agency_ids)]
        kind = KINDS[rng.randrange(len(KINDS))]
        started = date(YEAR, 1, 1) + timedelta(days=rng.randrange(300))
        closed = rng.random() < 0.6
        cases.append(
            Case(
                agency_id=agency_id,
                number=f"B{i:08d}",
                title=f"示范案件{i}",
                matter=matters[(agency_id, kind)],
                action_kind=kind,
                procedure="ordinary",
                source="ex_officio",
                stage=Stage.CLOSED if closed else Stage.DECISION,
                started_on=started,
                created_by=root,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    cases = list(Case.objects.filter(number__gte=f"B{start:08d}").order_by("pk"))
    assignments, records, changes = [], [], []
    for case in cases:
        officer = officers[case.agency_id][case.pk % 3]
        assignments.append(
            CaseOfficer(case=case, officer=officer, credential_number="X", is_lead=True)
        )
        at = datetime.combine(case.started_on + timedelta(days=20), datetime.min.time(), tz)
        fine = (
            f"{rng.choice((200, 500, 1000, 2000, 5000, 20000))}.00"
            if case.action_kind == "penalty" and rng.random() < 0.7
            else ""
        )
        content = {
            "party": "示范县某某食品有限公司",
            "facts": "当事人经营超过保质期的食品。",
            "conclusion": rng.choice(CONCLUSIONS) if case.action_kind == "penalty" else "准予。",
            "fine_amount": fine,
        }
        records.append(
            Record(
                case=case,
                kind="decision",
                stage=Stage.DECISION,
                occurred_at=at,
                content=content,
                digest="0" * 64,
                created_by=root,
            )
        )
        if rng.random() < 0.03:
            records.append(
                Record(
                    case=case,
                    kind="hearing_application",
                    stage=Stage.DECISION,
                    occurred_at=at - timedelta(days=5),
                    content={"applicant": "当事人"},
                    digest="0" * 64,
                    created_by=root,
                )
            )
        if case.stage == Stage.CLOSED:
            changes.append(
                StageChange(
                    case=case,
                    from_stage=Stage.EXECUTION,
                    to_stage=Stage.CLOSED,
                    changed_at=at + timedelta(days=15),
                    changed_by=root,
                )
            )
    CaseOfficer.objects.bulk_create(assignments, batch_size=2000)
    Record.objects.bulk_create(records, batch_size=2000)
    StageChange.objects.bulk_create(changes, batch_size=2000)
    # A few corrections: the corrected decision stays, superseded by a new one.
    old = list(
        Record.objects.filter(case__in=cases[: max(1, n // 50)], kind="decision").order_by("pk")
    )
    Record.objects.bulk_create(
        [
            Record(
                case_id=r.case_id,
                kind="decision",
                stage=Stage.DECISION,
                occurred_at=r.occurred_at + timedelta(days=1),
                content=r.content,
                digest="0" * 64,
                created_by=root,
                supersedes=r,
            )
            for r in old
        ],
        batch_size=2000,
    )


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0], backends=False)
    p.add_argument("--sizes", help="case counts, comma-separated (e.g. 10000,100000)")
    p.add_argument("--agencies", type=int, default=AGENCIES, help="agencies in the region")
    args = p.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        sizes = tuple(sorted(int(n) for n in args.sizes.split(",")))
    os.environ["ZHIFA_ALLOWED_HOSTS"] = "testserver"
    os.environ["ZHIFA_HTTPS"] = "0"  # the test client speaks plain HTTP
    _common.setup_django("sqlite")
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)  # production static files

    from zhifa.supervision.selectors import Scope, region_agencies
    from zhifa.supervision.stats import annual_stats, year_bounds

    root, county, agencies, officers, matters = _county(args.agencies)
    rng = random.Random(20260101)
    have = 0
    rows, views, results = [], [], {}
    for size in sizes:
        _fill(size - have, have, root, agencies, officers, matters, rng)
        have = size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        first, after = year_bounds(YEAR)
        baseline = _common.median([_timed(_count_decisions, first, after)[1] for _ in range(3)])
        one = _common.median(
            [
                _timed(annual_stats, agencies.filter(pk=county.market.pk), YEAR, title="t")[1]
                for _ in range(3)
            ]
        )
        region = region_agencies(county.region)
        times = []
        for _ in range(3):
            stats, t = _timed(annual_stats, region, YEAR, title="示范县（全区域）年报")
            times.append(t)
        region_stats = _common.median(times)
        assert stats.totals.decided == size, (stats.totals.decided, size)
        docs = _common.median([_timed(_documents, stats)[1] for _ in range(3)])
        scope = Scope(county.supervisor, region, region=county.region)
        dash = _common.median([_timed(_dashboard, scope)[1] for _ in range(3)])
        view = _first_view(county.supervisor)
        results[size] = {
            "baseline_count_s": baseline,
            "agency_stats_s": one,
            "region_stats_s": region_stats,
            "region_pdf_xlsx_s": docs,
            "region_report_total_s": region_stats + docs,
            "dashboard_s": dash,
            **view,
        }
        rows.append([size, baseline, one, region_stats, docs, region_stats + docs, dash])
        views.append(
            [
                size,
                view["view_live_s"],
                view["snapshot_refresh_s"],
                view["view_snapshot_s"],
                view["live_over_snapshot"],
            ]
        )
        print(f"[supervision_report] {size} cases done", file=sys.stderr)
    _common.teardown_django("sqlite")
    small, large = sizes[0], sizes[-1]
    growth = {
        key: round(results[large][key] / results[small][key], 2)
        for key in (
            "agency_stats_s",
            "region_stats_s",
            "region_report_total_s",
            "dashboard_s",
            "view_live_s",
            "snapshot_refresh_s",
            "view_snapshot_s",
        )
    }
    print(
        _common.table(
            rows,
            [
                "cases",
                "baseline s",
                "agency stats s",
                "region stats s",
                "PDF+XLSX s",
                "region total s",
                "dashboard s",
            ],
        )
    )
    print(
        _common.table(
            views,
            [
                "cases",
                "view live s",
                "snapshot refresh s",
                f"view from snapshot s (median of {VIEWS})",
                "live / snapshot",
            ],
        )
    )
    print(f"growth from {small:,} to {large:,} cases (×{large // small}): {growth}")
    path = _common.save(
        "supervision_report",
        {"machine": _common.machine(), "sizes": results, "growth": growth, "quick": args.quick},
    )
    print(path)


if __name__ == "__main__":
    main()
