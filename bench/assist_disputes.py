"""Dispute-focus hints (INF-04): precision and recall of the rule-based extractor
(``zhifa.assist.disputes``) on 105 hand-labelled party statements
(bench/fixtures/assist_disputes.tsv: 陈述申辩, hearing-minute and transcript lines).

``--holdout``: 22 statements written after the cues were tuned on the main set
(bench/fixtures/assist_disputes_holdout.tsv), never used to tune them.

A predicted point counts as found when it is (part of) a sentence labelled as a
contested point; detection precision/recall ignore the category, and the
category accuracy is over the points found. Also per-category P/R on
(sentence, category) pairs.

    .venv/bin/python bench/assist_disputes.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import _common

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
FIXTURE = _common.BENCH_DIR / "fixtures" / "assist_disputes.tsv"
HOLDOUT = _common.BENCH_DIR / "fixtures" / "assist_disputes_holdout.tsv"


def load(path=FIXTURE) -> list[list[tuple[str, str]]]:
    blocks, block = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if block:
                blocks.append(block)
            block = []
            continue
        label, sentence = line.split("\t", 1)
        block.append((label, sentence))
    if block:
        blocks.append(block)
    return blocks


def plain(text: str) -> str:
    import re

    text = re.sub(r"^[\u4e00-\u9fff]{1,8}[：:]", "", text.strip())
    return re.sub(r"[\s，。、；：,.;:！!？?“”\"']", "", text)


def main() -> None:
    p = _common.parser(__doc__, backends=False)
    p.add_argument("--holdout", action="store_true", help="the held-out set (not used to tune)")
    args = p.parse_args()
    from zhifa.assist import disputes

    statements = load(HOLDOUT if args.holdout else FIXTURE)
    started = time.perf_counter()
    tp = fp = fn = 0
    right = 0
    per = {c: Counter() for c in disputes.CATEGORIES}
    confusion: Counter = Counter()
    mistakes = []
    sentences = 0
    for block in statements:
        text = "\n".join(s for _label, s in block)
        sentences += len(block)
        gold = [(plain(s), label) for label, s in block if label != "-"]
        found = disputes.extract(text)
        matched_gold = set()
        for p in found:
            ps = plain(p.sentence)
            hit = next(
                (
                    i
                    for i, (g, _l) in enumerate(gold)
                    if i not in matched_gold and (ps in g or g in ps)
                ),
                None,
            )
            if hit is None:
                fp += 1
                per[p.category]["fp"] += 1
                mistakes.append(("FP", p.category, p.sentence))
                continue
            matched_gold.add(hit)
            tp += 1
            label = gold[hit][1]
            confusion[(label, p.category)] += 1
            if label == p.category:
                right += 1
                per[label]["tp"] += 1
            else:
                per[p.category]["fp"] += 1
                per[label]["fn"] += 1
                mistakes.append((f"AS {p.category}", label, p.sentence))
        for i, (g, label) in enumerate(gold):
            if i not in matched_gold:
                fn += 1
                per[label]["fn"] += 1
                mistakes.append(("FN", label, g))
    elapsed = time.perf_counter() - started
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    rows = [["detection (any category)", tp + fn, precision, recall]]
    for c, n in per.items():
        p_ = n["tp"] / (n["tp"] + n["fp"]) if n["tp"] + n["fp"] else 1.0
        r_ = n["tp"] / (n["tp"] + n["fn"]) if n["tp"] + n["fn"] else 1.0
        rows.append([f"{c} ({disputes.CATEGORIES[c]})", n["tp"] + n["fn"], p_, r_])
    print(_common.table(rows, ["points", "labelled", "precision", "recall"]))
    accuracy = right / tp if tp else 0.0
    print(
        f"\n{len(statements)} statements, {sentences} sentences, {tp + fn} labelled points; "
        f"category accuracy on found points {accuracy:.3f}; {elapsed * 1000:.1f} ms in all"
    )
    for m in mistakes:
        print("  ", *m)
    path = _common.save(
        "assist_disputes" + ("_holdout" if args.holdout else ""),
        {
            "machine": _common.machine(),
            "statements": len(statements),
            "sentences": sentences,
            "points": tp + fn,
            "detection": {"precision": precision, "recall": recall},
            "category_accuracy": accuracy,
            "per_category": {
                r[0]: {"points": r[1], "precision": r[2], "recall": r[3]} for r in rows
            },
            "confusion": {f"{g}->{p}": n for (g, p), n in confusion.items()},
            "mistakes": mistakes,
            "seconds": elapsed,
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
