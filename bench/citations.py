"""Citation parsing and resolution accuracy on generated, labelled strings (RSN-01, RSN-04).

Seeds the provisions library (the shipped excerpts plus a small local
regulation with 第X条之一 and 目), then writes each provision of it the ways
officers do — full or short law name, with or without 《》, Chinese, Arabic or
full-width numerals, （一）/(1)/一 items, an item without its paragraph, in a
running sentence — and adds strings that must be rejected: a place the law
does not have, a repealed law, a law the library does not know, no place at
all. Each string is labelled from the generator's own data, not from the
parser; the score is the share resolved to exactly the labelled provision or
rejected for exactly the labelled reason.

    .venv/bin/python bench/citations.py [--quick]
"""

from __future__ import annotations

import random
import time
from datetime import date

import _common

ON = date(2026, 3, 5)
LOCAL = """第一条　为了规范管理，制定本条例。
第二条　有下列情形之一的，从重处罚：
（一）屡教不改的；
（二）造成严重后果的：
1. 造成人员伤亡的；
2. 造成重大财产损失的。
前款规定以外的，依法处理。
第二条之一　新增的条文。
第三条　违反本条例规定的，责令改正。
"""
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _num(n: int, style: str) -> str:
    from zhifa.catalogues.provisions import cn_numeral

    if style == "cn":
        return cn_numeral(n)
    if style == "full":
        return str(n).translate(FULLWIDTH)
    return str(n)


def _place(p, style: str, item_style: str, drop_paragraph: bool) -> str:
    out = f"第{_num(p.article, style)}条"
    if p.article_suffix:
        out += f"之{_num(p.article_suffix, 'cn')}"
    if p.paragraph and not drop_paragraph:
        out += f"第{_num(p.paragraph, style)}款"
    if p.item:
        n = _num(p.item, "cn" if item_style == "paren_cn" else style)
        out += {"paren_cn": f"第（{n}）项", "paren_ascii": f"第({n})项", "bare": f"第{n}项"}[
            item_style
        ]
    if p.sub_item:
        out += f"第{_num(p.sub_item, style)}目"
    return out


def generate(rng: random.Random, limit: int) -> list[tuple[str, object]]:
    """(citation string, expected provision pk or problem code)."""
    from zhifa.catalogues.models import LegalBasis, Provision

    cases: list[tuple[str, object]] = []
    in_force = [b for b in LegalBasis.objects.all() if b.in_force_on(ON)]
    provisions = list(Provision.objects.filter(basis__in=in_force).select_related("basis"))
    rng.shuffle(provisions)
    for p in provisions * 2:
        style = rng.choice(["cn", "cn", "arabic", "full"])
        item_style = rng.choice(["paren_cn", "paren_ascii", "bare"])
        drop = bool(p.item and p.paragraph == 1 and rng.random() < 0.3)
        name = rng.choice([f"《{p.basis.name}》", f"《{p.basis.short_name}》", p.basis.short_name])
        place = _place(p, style, item_style, drop)
        if rng.random() < 0.15:
            place = place.replace("第（", "（")  # 第一款（一）项
        if name.startswith("《") and rng.random() < 0.15:
            name += f"（{p.basis.version}）"
        text = name + place
        if rng.random() < 0.25:
            text = f"依据{text}的规定"
        if rng.random() < 0.15:
            text = text.replace("第", "第 ").replace("条", " 条")
        cases.append((text, p.pk))
    negatives = []
    for b in in_force:
        top = max(b.provisions.values_list("article", flat=True))
        negatives.append((f"《{b.name}》第{_num(top + 7, 'cn')}条", "no_such_provision"))
        negatives.append(
            (f"《{b.short_name}》第{_num(top + 3, 'arabic')}条第1款", "no_such_provision")
        )
        negatives.append((f"《{b.name}》第{_num(5, 'cn')}条第九款第（九）项", "no_such_provision"))
    negatives += [
        ("《中华人民共和国食品卫生法》第一条", "not_in_force"),
        ("《食品卫生法》第1条", "not_in_force"),
        ("《中华人民共和国行政处罚法》第二十七条第一款第（二）项", "not_in_force"),  # 2017 text
        ("《中华人民共和国不存在法》第一条", "unknown_law"),
        ("《某某办法》第三条第二款", "unknown_law"),
        ("《行政处罚法》", "unreadable"),
        ("第三条", "unreadable"),
        ("依照有关法律规定", "unreadable"),
    ]
    cases += negatives * 2
    rng.shuffle(cases)
    return cases[:limit]


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0], backends=False).parse_args()
    _common.setup_django("sqlite")
    from zhifa.accounts.services import sysadmin_create
    from zhifa.catalogues.provisions import citation_resolve, legal_bases_seed, legal_basis_import
    from zhifa.core.testing import PASSWORD

    admin = sysadmin_create(actor=None, username="bench", password=PASSWORD)
    legal_bases_seed(actor=admin)
    legal_basis_import(
        actor=admin,
        name="示范省某某管理条例",
        short_name="某某管理条例",
        version="2020年",
        level="local_regulation",
        effective_on=date(2020, 1, 1),
        text=LOCAL,
    )
    rng = random.Random(20261123)
    cases = generate(rng, 10_000 if not args.quick else 320)
    started = time.perf_counter()
    right, wrong = 0, []
    by_kind: dict[str, list[int]] = {}
    for text, expected in cases:
        found = citation_resolve(text, ON)
        got = found.provision.pk if found.ok else found.problem
        kind = "resolve" if isinstance(expected, int) else f"reject:{expected}"
        by_kind.setdefault(kind, [0, 0])[1] += 1
        if got == expected:
            right += 1
            by_kind[kind][0] += 1
        else:
            wrong.append((text, expected, got))
    elapsed = time.perf_counter() - started
    rows = [[k, n, ok, ok / n] for k, (ok, n) in sorted(by_kind.items())]
    rows.append(["all", len(cases), right, right / len(cases)])
    print(_common.table(rows, ["kind", "strings", "correct", "accuracy"]))
    print(f"\n{len(cases)} strings in {elapsed:.2f} s ({elapsed / len(cases) * 1e3:.2f} ms each)")
    for text, expected, got in wrong[:20]:
        print(f"  WRONG {text!r}: expected {expected}, got {got}")
    path = _common.save(
        "citations",
        {
            "machine": _common.machine(),
            "strings": len(cases),
            "correct": right,
            "accuracy": right / len(cases),
            "by_kind": {k: {"strings": n, "correct": ok} for k, (ok, n) in by_kind.items()},
            "wrong": wrong,
            "seconds": elapsed,
        },
    )
    print(f"results: {path}")
    _common.teardown_django("sqlite")


if __name__ == "__main__":
    main()
