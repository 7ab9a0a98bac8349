"""Precision and recall of the redaction module (PUB-06, PUB-07).

Two sets: (1) generated decision texts with personal data planted at known
places (valid 身份证号 incl. X and full-width, mobiles written several ways,
fixed lines, Luhn bank cards, addresses, names of parties and witnesses) and
harmless look-alikes (统一社会信用代码, 文号, amounts, dates, the agency's
public phone); (2) a hand-written set of realistic decision passages with every
piece of personal data marked.

A planted item counts as found when the spans of ``redaction.find`` cover all
of it (recall); a span counts as right when it overlaps a planted item
(precision). No database is needed.

    .venv/bin/python bench/redaction_quality.py [--quick] [--n 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from zhifa.disclosures import testing
from zhifa.disclosures.redaction import find

AGENCY = "示范县市场监督管理局"
AGENCY_PHONE = "0731-84567890"

# Hand-written passages: [[text, kind], …] pieces; kind "" is text to keep.
HAND = [
    [
        ["经查，当事人", ""],
        ["刘建国", "name"],
        ["（男，身份证号码", ""],
        ["430721198503150614", "id"],
        ["，住", ""],
        ["安乡县深柳镇书院路88号", "address"],
        ["）于2026年5月12日在其经营的小卖部销售超过保质期的饮料6瓶，货值金额36元。", ""],
    ],
    [
        [
            "当事人示范县好味食品有限公司（统一社会信用代码91430721MA4L12345X，"
            "法定代表人王五，住所示范县城关镇人民路5号）未按规定建立进货查验记录。",
            "",
        ],
    ],
    [
        ["证人", ""],
        ["陈小红", "name"],
        ["（联系电话", ""],
        ["139 0736 1234", "phone"],
        ["）证明：2026年4月3日晚，当事人", ""],
        ["周", "keep"],
        ["某", ""],
        ["在店内向未成年人出售香烟。", ""],
    ],
    [
        ["当事人应自收到本决定书之日起十五日内，将罚款缴至", ""],
        ["示范县财政局非税收入专户（账号：", ""],
        ["1901 0233 0900 0123 456", "card"],
        ["），逾期每日按罚款数额的3%加处罚款。", ""],
    ],
    [
        ["当事人", ""],
        ["李某", ""],
        ["通过其本人银行卡", ""],
        ["6228480402564890018", "card"],
        [
            "收取货款，违法所得2,350元。依据《中华人民共和国食品安全法》第一百二十四条第一款第（三）项。",
            "",
        ],
    ],
    [
        [
            "如不服本决定，可在收到本决定书之日起六十日内向示范县人民政府申请行政复议，"
            "或者在六个月内依法向示范县人民法院提起行政诉讼。咨询电话",
            "",
        ],
        [AGENCY_PHONE, "keep"],
        ["。", ""],
    ],
    [
        ["当事人", ""],
        ["欧阳明月", "name"],
        ["，身份证号", ""],
        ["４３０７２１１９９２０２２９００１Ｘ", "id"],
        ["，家住", ""],
        ["安乡县黄山头镇南山村3组", "address"],
        ["，系个体工商户“明月小吃店”经营者，手机", ""],
        ["+86 158-7361-0095", "phone"],
        ["。", ""],
    ],
    [
        [
            "本案编号示市监立〔2026〕123号，案件于2026年3月1日立案，"
            "2026年3月20日经集体讨论决定，罚款20000元，没收违法所得1580.50元。",
            "",
        ],
    ],
    [
        ["执法人员", ""],
        ["张伟", "keep"],
        ["（执法证号43072100123）、", ""],
        ["赵敏", "keep"],
        ["（执法证号43072100456）到现场检查，当事人", ""],
        ["孙立", "name"],
        ["在场并在笔录上签字。", ""],
    ],
    [
        ["经营场所位于示范县城关镇解放路12号（示范县好味食品有限公司门店），", ""],
        ["受托人", ""],
        ["吴芳", "name"],
        ["，电话", ""],
        ["0736-4321765", "phone"],
        ["，身份证", ""],
        ["430721 19780101 0017", "id"],
        ["。", ""],
    ],
]
HAND_NAMES = ["刘建国", "陈小红", "欧阳明月", "孙立", "吴芳"]
HAND_ADDRESSES: list[str] = []


def _assemble(pieces):
    text, truth, position = "", [], 0
    for piece, kind in pieces:
        if kind and kind != "keep":
            truth.append((position, position + len(piece), kind))
        text += piece
        position += len(piece)
    return text, truth


def generated(rng: random.Random):
    s = testing.secrets(rng)
    v = testing.variant
    pieces = [
        ("经查，当事人", ""),
        (s.name, "name"),
        ("（身份证号码：", ""),
        (v(rng, s.id_number), "id"),
        ("，住址：", ""),
        (s.address, "address"),
        ("，联系电话", ""),
        (v(rng, s.phone), "phone"),
        ("）于2026年3月销售过期食品，违法所得经本人银行卡", ""),
        (v(rng, s.card), "card"),
        ("收取。见证人", ""),
        (s.witness, "name"),
        ("（电话", ""),
        (s.landline, "phone"),
        ("）在场。", ""),
        (
            f"{AGENCY}（统一社会信用代码{testing.credit_code(rng)}，投诉电话{AGENCY_PHONE}）"
            f"依据示市监罚〔2026〕{rng.randint(1, 999)}号决定罚款{rng.randint(1, 99999)}元。",
            "",
        ),
    ]
    text, truth = _assemble(pieces)
    return text, truth, [s.name, s.witness], [s.address]


def score(samples):
    planted = found = spans_total = spans_right = 0
    by_kind: dict[str, list[int]] = {}
    misses = []
    for text, truth, names, addresses in samples:
        spans = find(text, names=names, addresses=addresses, keep=[AGENCY, AGENCY_PHONE])
        spans_total += len(spans)
        for span in spans:
            if any(span.start < b and a < span.end for a, b, _ in truth):
                spans_right += 1
            else:
                misses.append(("false_positive", text[span.start : span.end]))
        for a, b, kind in truth:
            planted += 1
            hit = any(span.start <= a and b <= span.end for span in spans) or all(
                any(span.start <= i < span.end for span in spans) for i in range(a, b)
            )
            found += hit
            by_kind.setdefault(kind, [0, 0])
            by_kind[kind][0] += 1
            by_kind[kind][1] += hit
            if not hit:
                misses.append(("missed", text[a:b]))
    return {
        "planted": planted,
        "recall": found / planted if planted else 1.0,
        "spans": spans_total,
        "precision": spans_right / spans_total if spans_total else 1.0,
        "recall_by_kind": {k: round(h / n, 4) for k, (n, h) in sorted(by_kind.items())},
        "examples_of_errors": misses[:10],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--n", type=int, default=5000)
    args = p.parse_args()
    n = 500 if args.quick else args.n
    rng = random.Random(20261123)
    started = time.perf_counter()
    gen = score([generated(rng) for _ in range(n)])
    elapsed = time.perf_counter() - started
    hand = score([(*_assemble(pieces), HAND_NAMES, HAND_ADDRESSES) for pieces in HAND])
    result = {"generated": {"texts": n, **gen, "seconds": round(elapsed, 2)}, "hand_written": hand}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "redaction_quality.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
