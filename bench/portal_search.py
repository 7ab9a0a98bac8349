"""Portal search of published decisions (PUB-12; issue: first page < 100 ms median
at 10⁶ decisions, ratio against a plain LIKE '%…%' in the same run).

Fills a fresh database with N published decisions (bulk rows shaped as
``disclosure_publish`` writes them, with their search tokens and, on SQLite, the
FTS5 rows; PostgreSQL's GIN index is built by the migration), then times
GET /decisions/?q=<keyword>&category=penalty (Django test client, in process:
query, count, template) for several keywords — a party name, a two-character
word, a number — median over all requests. Baseline in the same run: the same
filter with ``LIKE '%keyword%'`` over the indexed fields; both fetch the first
page as the portal does (21 rows, no count) and the same page size.

    .venv/bin/python bench/portal_search.py [--quick] [--n N] [--backend sqlite|postgresql|all]
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date, timedelta

import _common

REQUESTS = 10
TARGET_MS = 100.0
KEYWORDS = ("好味", "罚款", "过期牛奶", "示范县丙", "9143")
SURNAMES = "王李张刘陈杨黄赵吴周"
GOODS = ("牛奶", "饮料", "面包", "食用油", "大米", "药品", "化妆品", "电动车")


def _fill(n: int, rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from zhifa.accounts.models import Agency, Region
    from zhifa.disclosures import search
    from zhifa.disclosures.models import Disclosure

    region = Region.objects.create(code="990102", name="示范县", level="county")
    agencies = [
        Agency.objects.create(
            region=region, name=f"示范县{name}", kind="enforcement", domain="market"
        )
        for name in ("市场监督管理局", "应急管理局", "城市管理局", "交通运输局")
    ]
    today = date.today()
    now = timezone.now()
    batch: list[Disclosure] = []

    def flush():
        with transaction.atomic():
            made = Disclosure.objects.bulk_create(batch)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {search.FTS_TABLE} (rowid, body) VALUES (%s, %s)",
                        [(d.pk, d.search_tokens) for d in made],
                    )
        batch.clear()

    for i in range(n):
        legal = rng.random() < 0.5
        party = (
            f"示范县{rng.choice('甲乙丙丁戊己庚辛')}{i % 997}号商贸有限公司"
            if legal
            else rng.choice(SURNAMES) + "某某"
        )
        goods = rng.choice(GOODS)
        fine = rng.randint(0, 200) * 100
        facts = (
            f"经查，当事人{party}于{2024 + i % 3}年{1 + i % 12}月在经营场所销售过期{goods}"
            f"{rng.randint(1, 99)}件，货值金额{rng.randint(10, 9999)}元。"
        )
        conclusion = f"没收过期{goods}，并处罚款{fine}元" if fine else "警告"
        title = f"行政处罚决定书 示市监罚〔{2024 + i % 3}〕{i}号"
        agency = agencies[i % len(agencies)]
        credit = f"9143{i:014d}"[:18] if legal else ""
        text = " ".join([agency.name, credit, title, party, facts, conclusion])
        decided = today - timedelta(days=i % 600)
        batch.append(
            Disclosure(
                agency=agency,
                kind="decision",
                status="published",
                title=title,
                action_kind="penalty" if i % 4 else "licensing",
                document_number=title.split(" ")[1],
                party_kind="legal" if legal else "natural",
                party_name=party,
                party_credit_code=credit,
                facts=facts,
                basis="《中华人民共和国食品安全法》第一百二十四条",
                conclusion=conclusion,
                fine_amount=fine,
                decided_on=decided,
                published_at=now,
                display_until=today + timedelta(days=700),
                search_tokens=" ".join(search.tokens(text)),
            )
        )
        if len(batch) == 5000:
            flush()
    if batch:
        flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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

    items = (
        selectors.published()
        .filter(action_kind="penalty")
        .filter(
            Q(facts__contains=keyword)
            | Q(title__contains=keyword)
            | Q(party_name__contains=keyword)
            | Q(party_credit_code__contains=keyword)
            | Q(conclusion__contains=keyword)
        )
    )
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


def _one_backend(backend: str, quick: bool, n: int) -> dict:
    os.environ["ZHIFA_ALLOWED_HOSTS"] = "testserver"
    os.environ["ZHIFA_HTTPS"] = "0"
    _common.setup_django(backend)
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    _fill(n, random.Random(20261123))
    fill_s = time.perf_counter() - started
    requests = 3 if quick else REQUESTS
    # The same answers both ways for Chinese keywords (digits match as word prefixes only).
    counts = {}
    for keyword in KEYWORDS:
        fts, like = _fts_page(keyword)[0].count(), _like_page(keyword)[0].count()
        counts[keyword] = [fts, like]
        if not keyword.isascii():
            assert fts == like, (keyword, fts, like)
    page_ms = _time(Client(), [f"/decisions/?q={k}&category=penalty" for k in KEYWORDS], requests)
    fts_by, like_by = {}, {}
    fts_ms = _time_fn(_fts_page, requests, fts_by)
    like_ms = _time_fn(_like_page, requests, like_by)
    _common.teardown_django(backend)
    return {
        "decisions": n,
        "fill_s": round(fill_s, 1),
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
    args = p.parse_args()
    n = 20_000 if args.quick and args.n == 1_000_000 else args.n
    if args.json_out:
        result = _one_backend(args.backend, args.quick, n)
        with open(args.json_out, "w") as handle:
            json.dump(result, handle)
        return
    results = _common.run_backends("portal_search.py", args, extra=["--n", str(n)])
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
