"""Portal search of published decisions (PUB-12; issue: first page < 100 ms median
at 10⁶ decisions, ratio against a plain LIKE '%…%' in the same run).

Fills a fresh database with the demo county and N published decisions made by
``zhifa demo --no-cases --decisions N`` (``zhifa.disclosures.scale``: bulk rows
shaped as ``disclosure_publish`` leaves them, with their search tokens and, on
SQLite, the FTS5 rows; PostgreSQL's GIN index is built by the migration) — or
measures a SQLite database already filled that way (``--data-dir``) — then times
GET /decisions/?q=<keyword>&category=penalty (Django test client, in process:
query, count, template) for several keywords — a party name, a two-character
word, a number — median over all requests. Baseline in the same run: the same
filter with ``LIKE '%keyword%'`` over the indexed fields; both fetch the first
page as the portal does (21 rows, no count) and the same page size.

    .venv/bin/python bench/portal_search.py [--quick] [--n N] [--backend sqlite|postgresql|all]
    .venv/bin/python bench/portal_search.py --data-dir DIR   # a database filled beforehand
"""

from __future__ import annotations

import json
import os
import sys
import time

import _common

REQUESTS = 10
TARGET_MS = 100.0
# A brand in about 5 % of company names, a word in every penalty, a phrase in about
# 20 % of penalties, a company-name prefix, a phrase in no row, a credit-code prefix.
KEYWORDS = ("好味", "罚款", "拒不改正", "示范县瑞丰", "过期牛奶", "91990102MA0012")


def _fill(n: int) -> None:
    """The demo county and ``n`` published decisions, exactly as ``zhifa demo
    --no-cases --decisions N`` makes them (``zhifa.disclosures.scale``)."""
    import io

    from django.core.management import call_command

    call_command("demo", "--no-cases", "--decisions", str(n), stdout=io.StringIO())


def _time(client, urls: list[str], n: int) -> float:
    samples = []
    for url in urls:
        assert client.get(url).status_code == 200
        for _ in range(n):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
    return _common.median(samples)


def _like_page(keyword: str):
    from django.db.models import Q

    from zhifa.disclosures import selectors
    from zhifa.disclosures.services import PUBLIC_FIELDS

    # The fields the full-text index holds (services.search_text), each LIKE '%…%'.
    anywhere = Q(party_credit_code__contains=keyword)
    for name in PUBLIC_FIELDS:
        anywhere |= Q(**{f"{name}__contains": keyword})
    items = selectors.published().filter(action_kind="penalty").filter(anywhere)
    items = items.select_related("agency").order_by("-decided_on", "-pk")
    return items, list(items[:21])


def _fts_page(keyword: str):
    from zhifa.disclosures import selectors

    items = selectors.published_decisions(
        selectors.DecisionFilters(query=keyword, action_kind="penalty")
    )
    return items, list(items[:21])


def _time_fn(fn, n: int, per_keyword: dict | None = None) -> float:
    samples = []
    for keyword in KEYWORDS:
        fn(keyword)
        mine = []
        for _ in range(n):
            started = time.perf_counter()
            fn(keyword)
            mine.append((time.perf_counter() - started) * 1000)
        samples += mine
        if per_keyword is not None:
            per_keyword[keyword] = round(_common.median(mine), 1)
    return _common.median(samples)


def _one_backend(backend: str, quick: bool, n: int, data_dir: str | None = None) -> dict:
    os.environ["ZHIFA_ALLOWED_HOSTS"] = "testserver"
    os.environ["ZHIFA_HTTPS"] = "0"
    # Repeated GETs of one URL would be answered by the portal's page cache
    # (disclosures.pagecache) without searching: measure the search.
    os.environ["ZHIFA_DISCLOSURE_PAGE_CACHE_SECONDS"] = "0"
    if data_dir:
        # A SQLite database already filled by `zhifa demo --decisions N` (kept, not dropped).
        _common.use_data_dir(data_dir)
    else:
        _common.setup_django(backend)
    from django.core.management import call_command
    from django.test import Client

    from zhifa.disclosures import selectors

    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    if not data_dir:
        _fill(n)
    fill_s = time.perf_counter() - started
    n = selectors.published().filter(kind="decision").count()
    requests = 3 if quick else REQUESTS
    # The same answers both ways for Chinese keywords (digits match as word prefixes only).
    counts, same = {}, True
    for keyword in KEYWORDS:
        fts, like = _fts_page(keyword)[0].count(), _like_page(keyword)[0].count()
        counts[keyword] = [fts, like]
        if keyword.isascii() or keyword[-1].isascii():
            continue  # digits match as word prefixes in the index, anywhere with LIKE
        if fts != like:
            same = False
            print(f"[portal_search] {keyword}: full text {fts}, LIKE {like}", file=sys.stderr)
    page_ms = _time(Client(), [f"/decisions/?q={k}&category=penalty" for k in KEYWORDS], requests)
    fts_by, like_by = {}, {}
    fts_ms = _time_fn(_fts_page, requests, fts_by)
    like_ms = _time_fn(_like_page, requests, like_by)
    if not data_dir:
        _common.teardown_django(backend)
    return {
        "decisions": n,
        "fill_s": round(fill_s, 1) if not data_dir else None,
        "same_matches_as_like": same,
        "page_median_ms": round(page_ms, 1),
        "query_median_ms": round(fts_ms, 1),
        "like_median_ms": round(like_ms, 1),
        "like_over_fts": round(like_ms / fts_ms, 2) if fts_ms else None,
        "matches_fts_like": counts,
        "query_ms_by_keyword": fts_by,
        "like_ms_by_keyword": like_by,
        "query_max_ms": max(fts_by.values()),
        "like_max_ms": max(like_by.values()),
        "target_ms": TARGET_MS,
        "meets_target": page_ms < TARGET_MS,
    }


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument(
        "--data-dir",
        help="measure the database of this ZHIFA_DATA_DIR (or, with BENCH_DATABASE_URL, that "
        "PostgreSQL database), already filled by "
        "`zhifa demo --no-cases --decisions N`, instead of filling a fresh one",
    )
    args = p.parse_args()
    n = 20_000 if args.quick and args.n == 1_000_000 else args.n
    if args.data_dir:
        args.backend = _common.existing_backend()
    if args.json_out:
        result = _one_backend(args.backend, args.quick, n, args.data_dir)
        with open(args.json_out, "w") as handle:
            json.dump(result, handle)
        return
    extra = ["--n", str(n)] + (["--data-dir", args.data_dir] if args.data_dir else [])
    results = _common.run_backends("portal_search.py", args, extra=extra)
    headers = ["backend", "decisions", "page ms", "query ms", "LIKE ms", "LIKE/FTS", "< 100 ms"]
    rows = [
        [
            backend,
            r.get("decisions", "-"),
            r.get("page_median_ms", "-"),
            r.get("query_median_ms", "-"),
            r.get("like_median_ms", "-"),
            r.get("like_over_fts", "-"),
            r.get("meets_target", r.get("skipped", "-")),
        ]
        for backend, r in results.items()
    ]
    print(_common.table(rows, headers))
    print(_common.save("portal_search", {"machine": _common.machine(), "results": results}))


if __name__ == "__main__":
    sys.exit(main())
