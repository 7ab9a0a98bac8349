"""Full-text search of published items in Chinese (PUB-12).

STACK-NOTES: rjieba alone splits 对张三 as 对张 / 三, so a word-only index misses
names; SQLite's trigram tokenizer misses two-character words. So the index
holds, for every run of Chinese characters, each character, each overlapping
pair of characters (the CJK-bigram approach of Lucene's CJKAnalyzer) and the
rjieba words; Latin letters and digits are kept as whole lower-case words. A
query of two or more Chinese characters becomes the AND of its pairs: every
substring a user types is found. Latin letters and digits match as word
prefixes (the first digits of a 统一社会信用代码 or 文号 number), not inside a word.

SQLite: an FTS5 table ``disclosures_fts`` (unicode61 tokenizer over the
space-separated tokens), kept by ``index_put`` / ``index_drop``, which the
services call. PostgreSQL: a stored generated column ``search_vector``
(``to_tsvector('simple', search_tokens)``, outside the Django model) with a GIN
index, kept by the database itself.

On both, a query that many items match (a common word: 罚款, 拒不改正) is not
answered through the index, which would collect every match and sort them all
for one page of 21, but by walking the list in its own order and checking each
row until the page is full (bench/portal_search.py, docs/benchmarks.md §10).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

try:  # The words only add precision to ranking-free matching; pairs suffice.
    import rjieba
except ImportError:  # pragma: no cover
    rjieba = None

FTS_TABLE = "disclosures_fts"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_CJK_RE = re.compile(rf"[{_CJK}]")


def _fold(text: str) -> str:
    from zhifa.disclosures.redaction import fold

    return fold(text or "").lower()


def tokens(text: str) -> list[str]:
    """The index tokens of ``text``, in order, repeated ones once."""
    out: dict[str, None] = {}
    for run in _RUN_RE.findall(_fold(text)):
        if not _CJK_RE.match(run):
            out[run] = None
            continue
        for ch in run:
            out[ch] = None
        for i in range(len(run) - 1):
            out[run[i : i + 2]] = None
        if rjieba is not None and len(run) > 2:
            for word in rjieba.cut(run):
                if len(word) > 2:
                    out[word] = None
    return list(out)


def query_terms(query: str) -> list[str]:
    """What every match must contain: the pairs of each Chinese run (a single
    character alone), and each Latin or digit word."""
    terms: dict[str, None] = {}
    for run in _RUN_RE.findall(_fold(query)):
        if not _CJK_RE.match(run) or len(run) == 1:
            terms[run] = None
        else:
            for i in range(len(run) - 1):
                terms[run[i : i + 2]] = None
    return list(terms)[:32]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index_put(pk: int, text: str) -> None:
    """Make item ``pk`` findable by ``text`` (SQLite; PostgreSQL reads the column)."""
    if _is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)", [pk, " ".join(tokens(text))]
        )


def index_drop(pk: int) -> None:
    if _is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])


def matching(queryset: QuerySet, query: str) -> QuerySet:
    """``queryset`` limited to the items whose public text contains ``query``."""
    terms = query_terms(query)
    if not terms:
        return queryset
    if _is_postgres():
        # Each term is a lexeme of the 'simple' configuration: quote it as one.
        # Latin and digit words match as prefixes (a credit code's first digits).
        tsquery = " & ".join(
            "'" + term.replace("'", "''") + "'" + ("" if _CJK_RE.match(term) else ":*")
            for term in terms
        )
        if _pg_is_broad(terms):
            # The same test as a function call, which the GIN index cannot serve
            # and the planner takes to keep a third of the rows: it walks the
            # list's order index. (It would multiply the terms' frequencies and
            # judge 拒不改正 rare, though its pairs always come together.)
            where = "ts_match_vq(search_vector, to_tsquery('simple', %s))"
        else:
            where = "search_vector @@ to_tsquery('simple', %s)"
        return queryset.extra(where=[where], params=[tsquery])
    match = " AND ".join(
        '"' + term.replace('"', '""') + '"' + ("" if _CJK_RE.match(term) else "*") for term in terms
    )
    if _is_broad(match):
        # Many items match: walk the list in its own order and check each row's
        # own tokens, so the first page stops after a few rows instead of
        # collecting every match first (bench/portal_search.py). Same tokens,
        # same answers as the index.
        where, params = [], []
        for term in terms:
            if _CJK_RE.match(term):
                where.append("instr(' ' || search_tokens || ' ', %s) > 0")
                params.append(f" {term} ")
            else:
                where.append("instr(' ' || search_tokens, %s) > 0")
                params.append(f" {term}")
        return queryset.extra(where=where, params=params)
    return queryset.extra(
        where=[f"disclosures_disclosure.id IN (SELECT rowid FROM {FTS_TABLE} WHERE body MATCH %s)"],
        params=[match],
    )


# A query matching at least this many items counts as broad (SQLite).
BROAD_MATCHES = 2000


def _is_broad(match: str) -> bool:
    with connection.cursor() as cursor:
        # FTS5 counts its matches without reading the rows (faster than a LIMIT subquery).
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE body MATCH %s", [match])
        return cursor.fetchone()[0] >= BROAD_MATCHES


# PostgreSQL: a query counts as broad when every term's share of the items, as
# ANALYZE last found it, gives at least this many matches. Reading that many rows
# through the GIN index takes about 6 µs each at 10⁶ items, walking the list about
# 30 µs per row examined: past about 10,000 matches the walk wins.
PG_BROAD_MATCHES = 10_000
PG_STATISTICS_TARGET = 1000  # finer element frequencies for ``search_vector``


def _pg_is_broad(terms: list[str]) -> bool:
    """Whether every one of ``terms`` (Chinese ones; a prefix has no statistics)
    is among the column's most common elements often enough, by the planner's
    statistics of ``search_vector``. No statistics yet: not broad."""
    if not all(_CJK_RE.match(term) for term in terms):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT min(coalesce(mce.freq, 0)) * max(greatest(c.reltuples, 0))
            FROM unnest(%s::text[]) AS t(term)
            CROSS JOIN pg_class c
            LEFT JOIN (
                SELECT u.elem, u.freq
                FROM pg_stats s,
                     unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
                         AS u(elem, freq)
                WHERE s.schemaname = current_schema()
                  AND s.tablename = 'disclosures_disclosure'
                  AND s.attname = 'search_vector'
            ) mce ON mce.elem = t.term
            WHERE c.oid = 'disclosures_disclosure'::regclass
            """,
            [terms],
        )
        estimate = cursor.fetchone()[0]
    return (estimate or 0) >= PG_BROAD_MATCHES


# --- Schema (called from the migrations) -----------------------------------------------


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS disclosure_search_gin ON disclosures_disclosure "
            "USING gin (to_tsvector('simple', search_tokens))"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 0')"
        )


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS disclosure_search_gin")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def create_vector(apps, schema_editor) -> None:
    """PostgreSQL: the stored ``search_vector`` column replaces the expression
    index, so a row's check reads its vector instead of computing it (rewrites
    the table: about 5 min at 10⁶ items on the 2-core machine). The column
    depends on ``search_tokens``: changing that field's type needs it dropped."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE disclosures_disclosure ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED"
    )
    schema_editor.execute(
        "ALTER TABLE disclosures_disclosure ALTER COLUMN search_vector "
        f"SET STATISTICS {PG_STATISTICS_TARGET}"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS disclosure_search_vector_gin ON disclosures_disclosure "
        "USING gin (search_vector)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS disclosure_search_gin")


def drop_vector(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    create_index(apps, schema_editor)
    schema_editor.execute("ALTER TABLE disclosures_disclosure DROP COLUMN IF EXISTS search_vector")
