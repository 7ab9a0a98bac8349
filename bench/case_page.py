"""The case page with 200 records, on the demo county (issue: under 300 ms median).

Builds the demo county (``demo_build``, its cases included), gives one of the
market agency's open cases 200 more records through ``record_add``, then times
GET /workbench/cases/<pk>/ as that case's lead officer with Django's test
client, in process (request handling, queries and template rendering; no
network). Counts the database queries of one request too.

Baseline, in the same run: the same page for a demo case with its few
records, so the ratio shows what 200 records cost.

    .venv/bin/python bench/case_page.py [--quick] [--backend sqlite|postgresql|all]
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta

import _common

RECORDS = 200
REQUESTS = 30
QUICK_REQUESTS = 8
TARGET_MS = 300.0


def _time_page(client, url: str, n: int) -> tuple[float, int]:
    from django.db import connection

    client.get(url)  # warm caches and templates
    # Counted with an execute wrapper: the query log is reset at each request start.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return _common.median(samples), len(queries)


def _one_backend(backend: str, quick: bool) -> dict:
    os.environ["ZHIFA_ALLOWED_HOSTS"] = "testserver"
    os.environ["ZHIFA_HTTPS"] = "0"  # the test client speaks plain HTTP
    _common.setup_django(backend)
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from zhifa.cases import services
    from zhifa.cases.models import Case, Stage
    from zhifa.core.demo import demo_build

    call_command("collectstatic", interactive=False, verbosity=0)  # production static files
    started = time.perf_counter()
    demo_build()
    build_s = time.perf_counter() - started
    base = Case.objects.filter(agency__name="示范县市场监督管理局", stage=Stage.START).first()
    big = Case.objects.filter(
        agency__name="示范县市场监督管理局", stage=Stage.INVESTIGATION
    ).first()
    lead = big.assignments.get(is_lead=True).officer.user
    at = timezone.now() - timedelta(hours=1)
    for i in range(RECORDS):
        services.record_add(
            actor=lead,
            case=big,
            kind="documentary_evidence",
            occurred_at=at,
            place="示范县城关镇",
            content={
                "evidence_kind": "书证",
                "description": f"进货票据第 {i + 1} 张",
                "source": "当事人提供",
                "proves": "涉案食品的进货来源和数量",
            },
        )
    n = QUICK_REQUESTS if quick else REQUESTS
    client = Client()
    client.force_login(lead)
    big_ms, big_queries = _time_page(client, f"/workbench/cases/{big.pk}/", n)
    client.force_login(base.assignments.get(is_lead=True).officer.user)
    base_ms, base_queries = _time_page(client, f"/workbench/cases/{base.pk}/", n)
    records, baseline_records = big.records.count(), base.records.count()
    _common.teardown_django(backend)
    return {
        "demo_build_s": round(build_s, 1),
        "records": records,
        "requests": n,
        "median_ms": round(big_ms, 1),
        "queries": big_queries,
        "baseline_records": baseline_records,
        "baseline_median_ms": round(base_ms, 1),
        "baseline_queries": base_queries,
        "ratio": round(big_ms / base_ms, 2),
        "target_ms": TARGET_MS,
        "meets_target": big_ms < TARGET_MS,
    }


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    args = p.parse_args()
    if args.json_out:
        result = _one_backend(args.backend, args.quick)
        with open(args.json_out, "w") as handle:
            json.dump(result, handle)
        return
    results = _common.run_backends("case_page.py", args)
    rows = [
        [
            backend,
            r.get("records", "-"),
            r.get("median_ms", "-"),
            r.get("queries", "-"),
            r.get("baseline_median_ms", "-"),
            r.get("baseline_queries", "-"),
            r.get("ratio", "-"),
            r.get("meets_target", r.get("skipped", "-")),
        ]
        for backend, r in results.items()
    ]
    print(
        _common.table(
            rows,
            [
                "backend",
                "records",
                "median ms",
                "queries",
                "baseline ms",
                "baseline queries",
                "ratio",
                f"< {TARGET_MS:.0f} ms",
            ],
        )
    )
    path = _common.save("case_page", {"machine": _common.machine(), "results": results})
    print(f"saved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
