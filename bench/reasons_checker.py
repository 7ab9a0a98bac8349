"""Reasons checker precision and recall per defect kind on labelled drafts (RSN-04).

The drafts are fixtures (``bench/fixtures/reasons_drafts.json``): clean
decision reasons for the two demo violations (food past its shelf life,
安全生产 training not given) with varied facts, evidence, quotations,
amounts and answers, and copies of them with one deliberate defect each, of
every kind the checker knows. ``--regenerate`` rewrites the file from a fixed
seed (the quoted texts are taken from the seeded library, then varied in
punctuation width, which must not count as a difference).

A finding counts for its kind whatever its severity; the table also gives the
blocking findings on clean drafts (the goal: none) and the recall on the
structural kinds (the goal: 100 %).

    .venv/bin/python bench/reasons_checker.py [--quick] [--regenerate]
"""

from __future__ import annotations

import copy
import json
import random
import time
from datetime import date
from decimal import Decimal

import _common

FIXTURES = _common.BENCH_DIR / "fixtures" / "reasons_drafts.json"
ON = date(2026, 3, 5)
STRUCTURAL = {
    "missing_part",
    "fact_without_evidence",
    "evidence_not_assessed",
    "provision_unknown",
    "provision_not_in_force",
    "provision_text_differs",
    "amount_outside_statutory",
    "point_unanswered",
}

BENCHMARKS = {
    "food": {
        "violation_code": "SP-124-5",
        "violation": "经营超过保质期的食品（货值不足一万元）",
        "basis_citation": "《中华人民共和国食品安全法》第三十四条第一款第（十）项",
        "penalty_citation": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "penalty_kinds": "没收违法所得、没收违法经营的食品、罚款、吊销许可证",
        "statutory_min": 50000,
        "statutory_max": 100000,
        "bands": [
            {
                "band": "minor",
                "conditions": "货值不足二千元",
                "min_amount": 50000,
                "max_amount": 65000,
                "amount_below": 2000,
            },
            {
                "band": "ordinary",
                "conditions": "货值二千元以上不足五千元",
                "min_amount": 65000,
                "max_amount": 85000,
                "amount_from": 2000,
                "amount_below": 5000,
            },
            {
                "band": "grave",
                "conditions": "货值五千元以上不足一万元",
                "min_amount": 85000,
                "max_amount": 100000,
                "amount_from": 5000,
                "amount_below": 10000,
            },
        ],
    },
    "safety": {
        "violation_code": "AQ-97-3",
        "violation": "未按照规定对从业人员进行安全生产教育和培训",
        "basis_citation": "《中华人民共和国安全生产法》第二十八条第一款",
        "penalty_citation": "《中华人民共和国安全生产法》第九十七条第一款第（三）项",
        "penalty_kinds": "责令限期改正、罚款、责令停产停业整顿",
        "statutory_min": 0,
        "statutory_max": 100000,
        "bands": [
            {
                "band": "minor",
                "conditions": "未培训人数3人以下",
                "min_amount": 0,
                "max_amount": 30000,
                "amount_below": 4,
            },
            {
                "band": "ordinary",
                "conditions": "未培训人数4至9人",
                "min_amount": 30000,
                "max_amount": 60000,
                "amount_from": 4,
                "amount_below": 10,
            },
            {
                "band": "grave",
                "conditions": "未培训人数10人以上",
                "min_amount": 60000,
                "max_amount": 100000,
                "amount_from": 10,
            },
        ],
    },
}

SHOPS = [
    "城关镇惠民超市",
    "东街好味副食店",
    "西湖路便利店",
    "新华小卖部",
    "幸福里生鲜店",
    "向阳路食品商行",
    "南门粮油店",
    "北关烟酒副食店",
]
FOODS = ["牛奶", "面包", "火腿肠", "饼干", "酸奶", "方便面", "月饼", "饮料"]
FIRMS = [
    "示范县宏达建材有限公司",
    "示范县永兴机械厂",
    "示范县安康物流有限公司",
    "示范县金石化工有限公司",
    "示范县顺通运输公司",
]
VAGUE = ["依法处理。", "符合规定", "事实清楚，证据确凿。", "情节一般", "根据有关规定"]
WIDTH = str.maketrans({"，": ",", "；": ";", "：": ":"})


# --- Generating the fixtures -------------------------------------------------------------


def _band_for(bench: dict, involved: float) -> dict:
    for b in bench["bands"]:
        lo, hi = b.get("amount_from"), b.get("amount_below")
        if (lo is None or involved >= lo) and (hi is None or involved < hi):
            return b
    raise AssertionError(involved)


def _clean(rng: random.Random, kind: str, quotes: dict, n: int) -> dict:
    bench = BENCHMARKS[kind]
    if kind == "food":
        shop, food = rng.choice(SHOPS), rng.choice(FOODS)
        boxes = rng.randint(3, 60)
        involved = round(
            rng.choice([rng.uniform(50, 1999), rng.uniform(2000, 4999), rng.uniform(5000, 9999)]), 2
        )
        fact = (
            f"当事人{shop}于2026年{rng.randint(1, 2)}月{rng.randint(1, 28)}日在其经营场所销售"
            f"超过保质期的{food}{boxes}盒（第{n}号），货值金额{involved}元"
        )
        evidence = [
            (
                "现场检查笔录",
                "两名执法人员出示证件后依法制作",
                "记载了涉案食品的品名、数量和保质期",
                "当事人签名确认并有执法记录仪录像印证",
                "直接证明涉案食品超过保质期",
            ),
            (
                "当事人询问笔录",
                "询问前告知了陈述申辩权利，程序合法",
                "当事人陈述了进货和销售经过",
                "与进货单据相互印证",
                "证明货值金额和销售数量",
            ),
            (
                "进货单据",
                "当事人提供，来源合法",
                "证明进货数量和价格",
                "与供货商出具的记录一致",
                "可以证明货值金额",
            ),
        ]
        why = [
            "当事人经营超过保质期的食品，属于该项禁止经营的情形",
            f"该项规定了经营超过保质期食品的法律责任，本案货值{involved}元不足一万元",
        ]
        reasons = rng.choice(
            [
                f"当事人系初次违法，涉案{food}已全部下架，未造成危害后果，综合考虑在本阶次内处罚",
                f"当事人销售过期{food}{boxes}盒，主观上未尽查验义务，尚未造成严重后果，在本阶次内确定罚款数额",
                "当事人配合调查，如实陈述进货来源，不属于情节严重的情形，按本阶次中间值处罚",
            ]
        )
    else:
        firm = rng.choice(FIRMS)
        people = rng.randint(1, 15)
        involved = float(people)
        fact = (
            f"当事人{firm}有{people}名从业人员未经安全生产教育和培训即上岗作业"
            f"（检查编号{n}），培训记录缺失"
        )
        evidence = [
            (
                "现场检查记录",
                "依法出示证件并制作记录",
                "记载了在岗人员及培训记录情况",
                "当事人负责人签字确认",
                "证明培训记录缺失",
            ),
            (
                "从业人员花名册",
                "当事人提供，来源合法",
                "证明在岗从业人员人数",
                "与社保缴纳记录一致",
                "证明未培训人数",
            ),
            (
                "询问笔录",
                "依法询问并告知权利",
                "负责人陈述了培训组织情况",
                "与花名册相互印证",
                "证明未组织培训",
            ),
        ]
        why = [
            "当事人未对从业人员进行安全生产教育和培训，违反该款规定",
            f"该项规定了未按规定进行安全生产教育和培训的法律责任，本案涉及{people}人",
        ]
        reasons = rng.choice(
            [
                f"当事人{people}名从业人员未经培训上岗，未发生生产安全事故，已当场承诺限期整改，在本阶次内处罚",
                "当事人首次被查处，主动组织补训，尚未造成严重后果，在本阶次内从轻确定罚款",
            ]
        )
    band = _band_for(bench, involved)
    step = 1000 if band["max_amount"] - band["min_amount"] >= 1000 else 1
    amount = rng.randrange(int(band["min_amount"]), int(band["max_amount"]) + 1, step)
    ev_count = rng.randint(2, 3)
    rejected = rng.random() < 0.2 and ev_count == 3
    content = {
        "facts": [
            {"id": "F1", "text": fact, "evidence": [f"E{i}" for i in range(1, ev_count + 1)]}
        ],
        "evidence": [
            {
                "id": f"E{i}",
                "name": e[0],
                "source": "party" if "提供" in e[1] else "officer",
                "favourable": i == 3,
                "legality": e[1],
                "relevance": e[2],
                "authenticity": e[3],
                "probative_force": e[4],
                "adopted": not (rejected and i == 3),
                "reason": "该单据系复印件，当事人未能提供原件，且与供货方记录不符"
                if rejected and i == 3
                else "",
            }
            for i, e in enumerate(evidence[:ev_count], start=1)
        ],
        "provisions": [
            {
                "citation": bench["basis_citation"],
                "quoted_text": quotes[bench["basis_citation"]],
                "why": why[0],
            },
            {
                "citation": bench["penalty_citation"],
                "quoted_text": quotes[bench["penalty_citation"]],
                "why": why[1],
            },
        ],
        "discretion": {
            "benchmark": kind,
            "band": band["band"],
            "amount_involved": str(involved),
            "factors": [{"effect": "mitigating", "description": "主动改正违法行为"}],
            "reasons": reasons,
            "amount": str(amount),
            "out_of_range_reason": "",
        },
        "points": [],
    }
    if rng.random() < 0.3:  # punctuation width differs from the library: not a difference
        content["provisions"][0]["quoted_text"] = content["provisions"][0]["quoted_text"].translate(
            WIDTH
        )
    statements = rng.random() < 0.7
    if statements:
        content["points"] = [
            {
                "id": "P1",
                "source": rng.choice(["statement", "hearing"]),
                "content": "当事人称系初次违法，请求从轻处罚",
                "answer": rng.choice(["adopted", "partly"]),
                "reply": "当事人初次违法且主动改正，已在裁量时予以考虑",
            },
        ]
    conclusion = rng.choice([f"罚款{amount}元", f"处罚款人民币{amount}元", "处以罚款（金额见下）"])
    return {
        "content": content,
        "context": {
            "conclusion_amount": str(amount),
            "conclusion_text": conclusion,
            "statements_on_file": statements,
            "others": {},
        },
    }


def _defect(rng: random.Random, draft: dict, kind: str) -> dict:
    d = copy.deepcopy(draft)
    c, ctx = d["content"], d["context"]
    bench = BENCHMARKS[c["discretion"]["benchmark"]]
    variant = rng.randint(0, 3)
    if kind == "missing_part":
        [
            lambda: c.update(facts=[]),
            lambda: c.update(provisions=[]),
            lambda: c["discretion"].update(reasons=""),
            lambda: c["provisions"][rng.randint(0, 1)].update(
                rng.choice([{"why": ""}, {"quoted_text": ""}])
            ),
        ][variant]()
    elif kind == "vague":
        target = rng.choice(["discretion", "why", "fact"])
        if target == "discretion":
            c["discretion"]["reasons"] = rng.choice(VAGUE)
        elif target == "why":
            c["provisions"][1]["why"] = rng.choice(VAGUE)
        else:
            c["facts"][0]["text"] = rng.choice(["事实清楚", "见卷宗", "违法事实成立"])
    elif kind == "fact_without_evidence":
        if variant < 2:
            c["facts"][0]["evidence"] = []
        else:
            for e in c["evidence"]:
                e.update(adopted=False, reason="该证据系复印件且无法与原件核对，不予采信")
    elif kind == "evidence_not_assessed":
        e = rng.choice(c["evidence"])
        [
            lambda: e.update(legality=""),
            lambda: e.update(probative_force="有"),
            lambda: e.update(adopted=None),
            lambda: e.update(adopted=False, reason=""),
        ][variant]()
        if variant == 3 and all(x["adopted"] is False for x in c["evidence"]):  # pragma: no cover
            e.update(adopted=None)
    elif kind == "provision_unknown":
        p = c["provisions"][1]
        p["citation"] = (
            p["citation"].replace("第（", "第（二十").replace("第一款第", "第五款第")
            if variant % 2
            else p["citation"].replace("条", "条之三", 1)
        )
    elif kind == "provision_not_in_force":
        c["provisions"].append(
            rng.choice(
                [
                    {
                        "citation": "《中华人民共和国食品卫生法》第一条",
                        "quoted_text": "为保证食品卫生……",
                        "why": "当事人的行为不符合保证食品卫生的要求",
                    },
                    {
                        "citation": "《中华人民共和国行政处罚法》第二十七条第一款第（一）项",
                        "quoted_text": "（一）主动消除或者减轻违法行为危害后果的；",
                        "why": "当事人主动消除违法行为危害后果，应当从轻处罚",
                    },
                ]
            )
        )
    elif kind == "provision_text_differs":
        p = c["provisions"][rng.randint(0, 1)]
        text = p["quoted_text"]
        cut = rng.randint(2, max(3, len(text) // 3))
        p["quoted_text"] = text[:cut] + rng.choice(["不", "应当", "可以"]) + text[cut + 2 :]
    elif kind == "amount_outside_statutory":
        amount = bench["statutory_max"] + rng.choice([1000, 50000])
        if variant >= 2 and bench["statutory_min"] > 0:
            amount = bench["statutory_min"] - 10000
        c["discretion"]["amount"] = str(amount)
        ctx["conclusion_amount"] = str(amount)
        ctx["conclusion_text"] = f"罚款{amount}元"
    elif kind == "amount_outside_band":
        band = c["discretion"]["band"]
        other = [b for b in bench["bands"] if b["band"] != band]
        b = rng.choice(other)
        amount = (b["min_amount"] + b["max_amount"]) // 2
        c["discretion"]["amount"] = str(amount)
        ctx["conclusion_amount"] = str(amount)
        ctx["conclusion_text"] = f"罚款{amount}元"
    elif kind == "contradiction_amount":
        amount = int(Decimal(c["discretion"]["amount"]))
        other = amount + rng.choice([1000, 2000, 5000])
        if variant < 2:
            ctx["conclusion_amount"] = str(other)
            ctx["conclusion_text"] = f"罚款{other}元"
        else:
            ctx["conclusion_text"] = f"罚款{other}元"
    elif kind == "contradiction_band":
        c["discretion"]["band"] = "minor"
        band = bench["bands"][0]
        c["discretion"]["amount"] = str(
            band["min_amount"] + (band["max_amount"] - band["min_amount"]) // 2
        )
        ctx["conclusion_amount"] = c["discretion"]["amount"]
        ctx["conclusion_text"] = f"罚款{c['discretion']['amount']}元"
        c["discretion"]["amount_involved"] = str(
            (band.get("amount_below") or 1) - 1 if band.get("amount_below") else 0
        )
        c["discretion"]["reasons"] += rng.choice(
            ["，当事人情节恶劣", "，但其行为后果严重", "，影响恶劣"]
        )
    elif kind == "point_unanswered":
        if not c["points"]:
            c["points"] = [
                {
                    "id": "P1",
                    "source": "statement",
                    "content": "当事人称不知道已违法",
                    "answer": "pending",
                    "reply": "",
                }
            ]
            ctx["statements_on_file"] = True
        else:
            c["points"][0].update(
                rng.choice(
                    [
                        {"answer": "pending", "reply": ""},
                        {"answer": "not_adopted", "reply": ""},
                        {"answer": "partly", "reply": "不予采纳"},
                    ]
                )
            )
    elif kind == "penalty_kind_outside":
        ctx["conclusion_text"] += rng.choice(["，并处行政拘留五日", "，并责令关闭", "，并限制从业"])
    elif kind == "boilerplate":
        ctx["others"] = {"__plain__" + c["discretion"]["reasons"]: "示市监罚〔2025〕88号"}
    return d


DEFECTS = [
    "missing_part",
    "vague",
    "fact_without_evidence",
    "evidence_not_assessed",
    "provision_unknown",
    "provision_not_in_force",
    "provision_text_differs",
    "amount_outside_statutory",
    "amount_outside_band",
    "contradiction_amount",
    "contradiction_band",
    "point_unanswered",
    "penalty_kind_outside",
    "boilerplate",
]


def regenerate(quotes: dict) -> None:
    rng = random.Random(6)
    drafts = []
    for n in range(70):
        d = _clean(rng, "food" if n % 3 else "safety", quotes, n)
        drafts.append({"id": f"clean-{n:03d}", "defects": [], **d})
    for kind in DEFECTS:
        for i in range(12):
            base = _clean(rng, "food" if i % 3 else "safety", quotes, 1000 + len(drafts))
            drafts.append({"id": f"{kind}-{i:02d}", "defects": [kind], **_defect(rng, base, kind)})
    # Harder drafts, written the way real reasons go wrong beyond the checker's rules:
    # long but empty wording (``empty``: passes the length and phrase lists, names
    # nothing of the case), harm words outside its list, amounts in composite numerals.
    hard = [
        (
            "empty",
            lambda c, x: c["discretion"].update(
                reasons="经本机关研究认为，当事人的行为违反了相关法律法规的规定，应当依法予以处罚"
            ),
        ),
        (
            "empty",
            lambda c, x: c["provisions"][1].update(
                why="本案适用该条款，理由充分，适用法律正确，符合有关规定的精神"
            ),
        ),
        (
            "contradiction_band",
            lambda c, x: c["discretion"].update(
                band="minor", reasons=c["discretion"]["reasons"] + "，其行为性质极其恶劣，危害极大"
            ),
        ),
        ("contradiction_amount", lambda c, x: x.update(conclusion_text="罚款五万五千零一元")),
    ]
    for i, (kind, spoil) in enumerate(hard * 3):
        base = _clean(rng, "food", quotes, 2000 + i)
        if kind == "contradiction_band":
            base["content"]["discretion"].update(amount_involved="500", amount="55000")
            base["context"].update(conclusion_amount="55000", conclusion_text="罚款55000元")
        spoil(base["content"], base["context"])
        drafts.append({"id": f"hard-{kind}-{i:02d}", "defects": [kind], **base})
    # More long but empty wording, in every part that carries free reasoning.
    empty = [
        lambda c: c["facts"][0].update(
            text="经调查，当事人存在违法行为，事实清楚，证据确凿充分，违反了有关法律法规的规定"
        ),
        lambda c: c["provisions"][0].update(
            why="根据本案的实际情况，依照相关法律规定，适用该条款是正确、合法、合理的"
        ),
        lambda c: c["discretion"].update(
            reasons="综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，依法作出上述处罚决定"
        ),
        lambda c: c["discretion"].update(
            reasons="本机关坚持过罚相当、处罚与教育相结合的原则，在裁量基准范围内作出处罚"
        ),
        lambda c: c.update(
            points=[
                {
                    "id": "P1",
                    "source": "statement",
                    "content": "当事人称系初次违法，请求从轻处罚",
                    "answer": "not_adopted",
                    "reply": (
                        "经审查，当事人提出的陈述申辩意见缺乏事实和法律依据，本机关依法不予采纳"
                    ),
                }
            ]
        ),
        lambda c: c["provisions"][1].update(
            why="该条款是对此类违法行为进行处罚的法律依据，本机关依法予以适用"
        ),
    ]
    for i, spoil in enumerate(empty * 3):
        base = _clean(rng, "food" if i % 2 else "safety", quotes, 3000 + i)
        spoil(base["content"])
        if base["content"]["points"]:
            base["context"]["statements_on_file"] = True
        drafts.append({"id": f"empty-{i:02d}", "defects": ["empty"], **base})
    # Clean drafts worded without numbers: specific by their words alone.
    specific = [
        "当事人在学校周边销售过期食品，面向学生群体，但已全部下架并主动召回，在本阶次内处罚",
        "当事人系初次违法，如实陈述进货来源，配合调查，在本阶次内从轻处罚",
    ]
    for i in range(6):
        base = _clean(rng, "food", quotes, 4000 + i)
        base["content"]["discretion"]["reasons"] = specific[i % 2]
        drafts.append({"id": f"clean-specific-{i:02d}", "defects": [], **base})
    FIXTURES.parent.mkdir(exist_ok=True)
    FIXTURES.write_text(json.dumps(drafts, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(drafts)} drafts to {FIXTURES}")


# --- Running the checker ----------------------------------------------------------------


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0], backends=False)
    p.add_argument("--regenerate", action="store_true", help="rewrite the fixtures")
    args = p.parse_args()
    _common.setup_django("sqlite")
    from zhifa.accounts.services import sysadmin_create
    from zhifa.catalogues.benchmarks import benchmark_create
    from zhifa.catalogues.provisions import citation_resolve, legal_bases_seed
    from zhifa.core.testing import PASSWORD, Builder
    from zhifa.reasons.checker import Context, check, plain
    from zhifa.reasons.content import clean

    admin = sysadmin_create(actor=None, username="bench", password=PASSWORD)
    legal_bases_seed(actor=admin)
    county = Builder(admin).county()
    benches = {
        key: benchmark_create(
            actor=admin,
            agency=county.market,
            version="2024版",
            effective_on=date(2024, 1, 1),
            **spec,
        )
        for key, spec in BENCHMARKS.items()
    }
    if args.regenerate or not FIXTURES.exists():
        quotes = {
            c: citation_resolve(c, ON).provision.text
            for spec in BENCHMARKS.values()
            for c in (spec["basis_citation"], spec["penalty_citation"])
        }
        regenerate(quotes)
    drafts = json.loads(FIXTURES.read_text())
    if args.quick:
        drafts = drafts[::2]
    kinds = sorted({k for d in drafts for k in d["defects"]})
    tp = dict.fromkeys(kinds, 0)
    fp = dict.fromkeys(kinds, 0)
    fn = dict.fromkeys(kinds, 0)
    clean_blocked, clean_warned, misses = 0, 0, []
    started = time.perf_counter()
    for d in drafts:
        content = copy.deepcopy(d["content"])
        key = content["discretion"]["benchmark"]
        content["discretion"]["benchmark"] = benches[key].pk
        ctxd = d["context"]
        others = {plain(k.removeprefix("__plain__")): v for k, v in ctxd["others"].items()}
        ctx = Context(
            on=ON,
            conclusion_amount=Decimal(ctxd["conclusion_amount"]),
            conclusion_text=ctxd["conclusion_text"],
            statements_on_file=ctxd["statements_on_file"],
            benchmark=benches[key],
            others=others,
        )
        findings = check(clean(content), ctx)
        found = {f.code for f in findings}
        if not d["defects"]:
            clean_blocked += any(f.blocking for f in findings)
            clean_warned += bool(findings)
            if findings:
                misses.append((d["id"], "clean", sorted(found)))
        for kind in kinds:
            labelled, said = kind in d["defects"], kind in found
            tp[kind] += labelled and said
            fp[kind] += said and not labelled
            fn[kind] += labelled and not said
            if labelled and not said:
                misses.append((d["id"], kind, sorted(found)))
    elapsed = time.perf_counter() - started
    rows = []
    for kind in kinds:
        precision = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        recall = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        rows.append(
            [kind + (" *" if kind in STRUCTURAL else ""), tp[kind] + fn[kind], precision, recall]
        )
    n_clean = sum(1 for d in drafts if not d["defects"])
    print(_common.table(rows, ["defect kind (* structural)", "drafts", "precision", "recall"]))
    print(
        f"\n{len(drafts)} drafts ({n_clean} clean) in {elapsed:.2f} s; clean drafts blocked: "
        f"{clean_blocked}, with any finding: {clean_warned}"
    )
    for m in misses[:20]:
        print("  MISS", m)
    path = _common.save(
        "reasons_checker",
        {
            "machine": _common.machine(),
            "drafts": len(drafts),
            "clean": n_clean,
            "clean_blocked": clean_blocked,
            "clean_with_findings": clean_warned,
            "per_kind": {r[0]: {"drafts": r[1], "precision": r[2], "recall": r[3]} for r in rows},
            "misses": misses,
            "seconds": elapsed,
        },
    )
    print(f"results: {path}")
    _common.teardown_django("sqlite")


if __name__ == "__main__":
    main()
