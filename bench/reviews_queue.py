"""The reviewer's queue and the handler's case review page with 10,000 reviews (REV-05, REV-10).

On a scratch SQLite database (the product's settings), one market agency gets a
catalogue rule, a handling team and one major case taken through the real
services to three rounds of review (submitted, accepted, opinion, accepted by
the handler), so its case review page has three rounds. The other reviews are
added in bulk, cloned from a case and a decided round made by the services
(``bulk_create``, like ``verify.py`` fills the ledger): going through
``review_decide`` 10,000 times would render 20,000 opinion forms. Of all
reviews, ``OPEN_SHARE`` are open (in the reviewer's queue, accepted with a
running clock); the others are decided with an opinion.

Timed with Django's test client in process (median of N GETs, after one warm-up):
GET /workbench/reviews/ as the reviewer (the queue's first page of 50,
least time left first, ordered and cut in SQL) and GET /workbench/reviews/case/<pk>/
as the handler (the case review page). Query counts of one request each.

Baseline, in the same run and on the same database: the same two pages when
the agency has 100 reviews (``BASELINE``), measured before the bulk fill.

    .venv/bin/python bench/reviews_queue.py [--quick] [--reviews N]
"""

from __future__ import annotations

import json
import os
import sys
import time

import _common

REVIEWS = 10_000
QUICK_REVIEWS = 2_000
BASELINE = 100
OPEN_SHARE = 0.10
REQUESTS = 20
QUICK_REQUESTS = 5


def _time_page(client, url: str, n: int) -> tuple[float, int, int]:
    from django.db import connection

    client.get(url)  # warm caches and templates
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = len(response.content)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return _common.median(samples), len(queries), size


def _fill(template_case, template_review, upto: int, made: int) -> int:
    """Clone cases, each with one round, until the agency has ``upto`` reviews."""
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.cases.models import Case
    from zhifa.catalogues.workdays import workdays_add
    from zhifa.reviews.models import LegalReview, Submission

    s0 = template_review.submission
    today = timezone.localdate()
    batch = 1000
    while made < upto:
        n = min(batch, upto - made)
        fields = {
            f.attname: getattr(template_case, f.attname)
            for f in Case._meta.concrete_fields
            if f.attname not in ("id", "number", "title")
        }
        cases = Case.objects.bulk_create(
            [
                Case(
                    **fields,
                    number=f"示市监罚〔2026〕B{made + i:06d}号",
                    title=f"批量案件{made + i}",
                )
                for i in range(n)
            ]
        )
        subs = []
        for i, case in enumerate(cases):
            is_open = (made + i) % round(1 / OPEN_SHARE) == 0
            subs.append(
                Submission(
                    case=case,
                    agency_id=case.agency_id,
                    round=1,
                    kind=Submission.Kind.FIRST,
                    state=Submission.State.ACCEPTED if is_open else Submission.State.DECIDED,
                    urgent=(made + i) % 7 == 0,
                    materials=s0.materials,
                    reasons_for_major=s0.reasons_for_major,
                    decision_record=s0.decision_record,
                    submitted_by_id=s0.submitted_by_id,
                    submitted_by_name=s0.submitted_by_name,
                    submitted_at=s0.submitted_at - timedelta(minutes=made + i),
                    reviewer_id=s0.reviewer_id,
                    reviewer_name=s0.reviewer_name,
                    complete_on=today - timedelta(days=(made + i) % 5),
                    limit_days=1 if (made + i) % 7 == 0 else 3,
                )
            )
        for s in subs:
            if s.state == Submission.State.ACCEPTED:
                # As ``clock.due_on`` computes it for a round without pauses.
                s.due_on = workdays_add(s.complete_on, s.limit_days).date
        subs = Submission.objects.bulk_create(subs)
        LegalReview.objects.bulk_create(
            [
                LegalReview(
                    submission=s,
                    reviewer_id=template_review.reviewer_id,
                    reviewer_name=template_review.reviewer_name,
                    opinion=template_review.opinion,
                    text=template_review.text,
                    findings=template_review.findings,
                    decided_at=template_review.decided_at,
                    copy_handler_id=template_review.copy_handler_id,
                    copy_archive_id=template_review.copy_archive_id,
                )
                for s in subs
                if s.state == Submission.State.DECIDED
            ]
        )
        made += n
    return made


def run(total: int, quick: bool) -> dict:
    os.environ["ZHIFA_ALLOWED_HOSTS"] = "testserver"
    os.environ["ZHIFA_HTTPS"] = "0"
    _common.setup_django("sqlite")
    from django.core.management import call_command
    from django.test import Client

    import zhifa.reviews.testing  # noqa: F401 — registers the review's driver step
    from zhifa.accounts.services import sysadmin_create
    from zhifa.cases.models import Stage
    from zhifa.cases.testing import add, advance_to, open_case, team
    from zhifa.catalogues.services import calendar_seed
    from zhifa.core.testing import Builder
    from zhifa.reviews import services
    from zhifa.reviews.models import Submission
    from zhifa.reviews.testing import decide, rule, submit

    call_command("collectstatic", interactive=False, verbosity=0)  # production static files
    started = time.perf_counter()
    admin = sysadmin_create(actor=None, username="root", password="bench-password-1")
    calendar_seed(actor=admin)
    build = Builder(admin)
    county = build.county()
    t = team(build, county.market)
    rule(t, amount_threshold="10000", penalty_kinds=["fine"])
    case = advance_to(t, open_case(t), Stage.DECISION)
    add(t, case, "decision", content={"fine_amount": "50000.00"})
    review = None
    for _ in range(3):  # the handler's page: three rounds, each answered
        s = services.submission_check(actor=t.reviewer, submission=submit(t, case))
        review = decide(t, s, opinion="correct", text="文书不规范")
        services.review_respond(actor=t.lead, review=review, kind="accept")
    template = advance_to(t, open_case(t, title="模板案件"), Stage.DECISION)
    setup_s = time.perf_counter() - started

    n = QUICK_REQUESTS if quick else REQUESTS
    reviewer, handler = Client(), Client()
    reviewer.force_login(t.reviewer)
    handler.force_login(t.lead)
    queue_url, case_url = "/workbench/reviews/", f"/workbench/reviews/case/{case.pk}/"

    def measure(label: str) -> dict:
        q_ms, q_queries, q_bytes = _time_page(reviewer, queue_url, n)
        c_ms, c_queries, _ = _time_page(handler, case_url, n)
        return {
            "label": label,
            "reviews": Submission.objects.count(),
            "open": Submission.objects.filter(state__in=Submission.OPEN_STATES).count(),
            "queue_median_ms": round(q_ms, 1),
            "queue_queries": q_queries,
            "queue_kib": round(q_bytes / 1024, 1),
            "case_median_ms": round(c_ms, 1),
            "case_queries": c_queries,
        }

    made = _fill(template, review, BASELINE - 3, 0)
    baseline = measure("baseline")
    started = time.perf_counter()
    _fill(template, review, total - 3, made)
    fill_s = time.perf_counter() - started
    big = measure("full")
    _common.teardown_django("sqlite")
    return {
        "setup_s": round(setup_s, 1),
        "fill_s": round(fill_s, 1),
        "requests": n,
        "baseline": baseline,
        "full": big,
        "queue_ratio": round(big["queue_median_ms"] / baseline["queue_median_ms"], 2),
        "case_ratio": round(big["case_median_ms"] / baseline["case_median_ms"], 2),
    }


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0], backends=False)
    p.add_argument("--reviews", type=int, default=None, help=f"default {REVIEWS:,}")
    args = p.parse_args()
    total = args.reviews or (QUICK_REVIEWS if args.quick else REVIEWS)
    result = run(total, args.quick)
    rows = [
        [
            r["label"],
            r["reviews"],
            r["open"],
            r["queue_median_ms"],
            r["queue_queries"],
            r["queue_kib"],
            r["case_median_ms"],
            r["case_queries"],
        ]
        for r in (result["baseline"], result["full"])
    ]
    print(
        _common.table(
            rows,
            [
                "run",
                "reviews",
                "open",
                "queue ms",
                "queue queries",
                "queue KiB",
                "case page ms",
                "case queries",
            ],
        )
    )
    print(f"ratio full/baseline: queue {result['queue_ratio']}, case page {result['case_ratio']}")
    payload = {"machine": _common.machine(), "results": {"sqlite": result}}
    path = _common.save("reviews_queue", payload)
    print(f"saved {path}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
