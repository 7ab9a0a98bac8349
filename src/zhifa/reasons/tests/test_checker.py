"""A test per checker finding (RSN-04), on the checker alone."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from zhifa.reasons.checker import Context, check, says
from zhifa.reasons.content import clean
from zhifa.reasons.testing import PENALTY, PROHIBITION, quoted

pytestmark = [pytest.mark.req("RSN-04"), pytest.mark.django_db]


@pytest.fixture
def good(library, bench):
    return clean(
        {
            "facts": [
                {
                    "id": "F1",
                    "text": "当事人于2026年3月2日在其门店销售超过保质期的牛奶12盒，货值金额960元",
                    "evidence": ["E1", "E2"],
                }
            ],
            "evidence": [
                {
                    "id": "E1",
                    "name": "现场检查笔录",
                    "legality": "两名执法人员出示证件依法制作",
                    "relevance": "记载涉案牛奶的数量和保质期",
                    "authenticity": "当事人签字确认",
                    "probative_force": "直接证明违法事实",
                    "adopted": True,
                },
                {
                    "id": "E2",
                    "name": "进货单据",
                    "source": "party",
                    "favourable": True,
                    "legality": "当事人提供，来源合法",
                    "relevance": "证明进货数量和价格",
                    "authenticity": "与供货商记录一致",
                    "probative_force": "证明货值金额",
                    "adopted": True,
                },
            ],
            "provisions": [
                {
                    "citation": PROHIBITION,
                    "quoted_text": quoted(PROHIBITION),
                    "why": "当事人经营超过保质期的食品，属于该项禁止经营的情形",
                },
                {
                    "citation": PENALTY,
                    "quoted_text": quoted(PENALTY),
                    "why": "该项规定了经营超过保质期食品的法律责任，货值不足一万元",
                },
            ],
            "discretion": {
                "benchmark": bench.pk,
                "band": "minor",
                "amount_involved": "960",
                "factors": [{"effect": "mitigating", "description": "主动下架"}],
                "reasons": "当事人初次违法，主动下架涉案食品，未造成危害后果，在轻微阶次内从轻处罚",
                "amount": "55000",
            },
            "points": [
                {
                    "id": "P1",
                    "source": "statement",
                    "content": "当事人称不知道已过期",
                    "answer": "not_adopted",
                    "reply": "食品经营者负有查验保质期的法定义务，不知情不能免责",
                }
            ],
        }
    )


@pytest.fixture
def ctx(bench):
    return Context(
        on=date(2026, 3, 5),
        conclusion_amount=Decimal("55000.00"),
        conclusion_text="没收违法经营的食品，并处罚款55000元",
        statements_on_file=True,
        benchmark=bench,
        others={},
    )


def codes(content, ctx, *, blocking=None):
    return sorted(
        {f.code for f in check(content, ctx) if blocking is None or f.blocking == blocking}
    )


def test_clean_reasons_have_no_finding(good, ctx):
    assert check(good, ctx) == []


def _with(good, fn):
    bad = copy.deepcopy(good)
    fn(bad)
    return bad


@pytest.mark.parametrize("part", ["facts", "evidence", "provisions"])
def test_a_missing_part_blocks(good, ctx, part):
    bad = _with(good, lambda c: c.update({part: []}))
    found = [f for f in check(bad, ctx) if f.code == "missing_part"]
    assert found and found[0].blocking


def test_missing_discretion_reasons_block(good, ctx):
    bad = _with(good, lambda c: c["discretion"].update(reasons=""))
    assert "missing_part" in codes(bad, ctx, blocking=True)


def test_a_vague_reason_blocks_with_its_place(good, ctx):
    bad = _with(good, lambda c: c["provisions"][0].update(why="依法"))
    found = [f for f in check(bad, ctx) if f.code == "vague"]
    assert found[0].blocking and "依据选择理由 第1项" in found[0].place


def test_a_fact_without_evidence_blocks(good, ctx):
    bad = _with(good, lambda c: c["facts"][0].update(evidence=[]))
    found = [f for f in check(bad, ctx) if f.code == "fact_without_evidence"]
    assert found[0].blocking and found[0].place.startswith("事实认定理由 第1项")


def test_a_fact_only_on_rejected_evidence_has_no_evidence(good, ctx):
    def reject(c):
        for e in c["evidence"]:
            e.update(adopted=False, reason="复印件无原件核对，且供货商否认")

    assert "fact_without_evidence" in codes(_with(good, reject), ctx)


@pytest.mark.parametrize(
    "change",
    [
        {"legality": ""},
        {"probative_force": "有"},
        {"adopted": None},
        {"adopted": False, "reason": ""},
    ],
)
def test_evidence_not_assessed_blocks(good, ctx, change):
    bad = _with(good, lambda c: c["evidence"][1].update(change))
    found = [f for f in check(bad, ctx) if f.code == "evidence_not_assessed"]
    assert found[0].blocking and "E2 进货单据" in found[0].place


def test_an_unknown_provision_blocks(good, ctx):
    bad = _with(
        good,
        lambda c: c["provisions"][0].update(citation="《食品安全法》第三十四条第一款第（十九）项"),
    )
    assert "provision_unknown" in codes(bad, ctx, blocking=True)


def test_a_repealed_provision_blocks(good, ctx):
    bad = _with(
        good, lambda c: c["provisions"][0].update(citation="《中华人民共和国食品卫生法》第一条")
    )
    assert "provision_not_in_force" in codes(bad, ctx, blocking=True)


def test_a_misquoted_provision_blocks_but_punctuation_width_does_not(good, ctx):
    bad = _with(good, lambda c: c["provisions"][0].update(quoted_text="（十）超过保质期的食品；"))
    assert "provision_text_differs" in codes(bad, ctx, blocking=True)
    same = _with(
        good,
        lambda c: c["provisions"][0].update(
            quoted_text=c["provisions"][0]["quoted_text"].replace("、", "、 ").replace("；", ";")
        ),
    )
    assert "provision_text_differs" not in codes(same, ctx)


def test_an_unquoted_provision_is_a_missing_part(good, ctx):
    bad = _with(good, lambda c: c["provisions"][1].update(quoted_text=""))
    assert codes(bad, ctx) == ["missing_part"]


def _amount(good, ctx, amount, **d):
    bad = _with(good, lambda c: c["discretion"].update(amount=amount, **d))
    ctx.conclusion_amount = Decimal(amount)
    ctx.conclusion_text = f"罚款{amount}元"
    return codes(bad, ctx, blocking=True)


def test_an_amount_above_the_statutory_maximum_blocks_even_with_a_reason(good, ctx):
    found = _amount(good, ctx, "120000", out_of_range_reason="情节特别恶劣，社会影响极大")
    assert found == ["amount_outside_statutory"]


def test_below_the_minimum_needs_a_reducing_factor_and_a_reason(good, ctx):
    assert "amount_outside_statutory" in _amount(good, ctx, "30000")
    assert "amount_outside_statutory" not in _amount(
        good,
        ctx,
        "30000",
        factors=[{"effect": "reducing", "description": "配合查处有立功表现"}],
        out_of_range_reason="当事人协助查获上游供货商，依法减轻处罚",
    )


def test_outside_the_band_needs_a_written_reason(good, ctx):
    assert _amount(good, ctx, "70000") == ["amount_outside_band"]
    assert _amount(good, ctx, "70000", out_of_range_reason="涉案牛奶系婴幼儿食品，危害较大") == []


def test_a_penalty_kind_the_law_does_not_give_blocks(good, ctx):
    ctx.conclusion_text = "罚款55000元，并责令停产停业"
    assert "penalty_kind_outside" in codes(good, ctx, blocking=True)


def test_amounts_that_contradict_each_other_block(good, ctx):
    ctx.conclusion_amount = Decimal("60000")
    ctx.conclusion_text = "罚款60000元"
    assert "contradiction_amount" in codes(good, ctx, blocking=True)
    ctx.conclusion_amount = Decimal("55000")
    ctx.conclusion_text = "罚款五万五千元"  # not a plain numeral: not compared
    bad = _with(
        good,
        lambda c: c["discretion"].update(reasons=c["discretion"]["reasons"] + "，决定罚款6万元"),
    )
    assert "contradiction_amount" in codes(bad, ctx, blocking=True)


def test_a_minor_band_with_serious_words_is_a_warning(good, ctx):
    bad = _with(
        good,
        lambda c: c["discretion"].update(
            reasons="当事人长期销售过期食品，情节恶劣，但考虑其初次被查"
        ),
    )
    found = [f for f in check(bad, ctx) if f.code == "contradiction_band"]
    assert found and not found[0].blocking
    negated = _with(
        good,
        lambda c: c["discretion"].update(
            reasons="当事人初次违法，未造成严重后果，不属于情节严重的情形"
        ),
    )
    assert "contradiction_band" not in codes(negated, ctx)


def test_negation_is_read():
    assert says("情节严重", ["情节严重"]) == "情节严重"
    assert says("不属于情节严重", ["情节严重"]) == ""


@pytest.mark.parametrize(
    "change",
    [
        {"answer": "pending"},
        {"answer": "not_adopted", "reply": ""},
        {"answer": "partly", "reply": "不予采纳"},
    ],
)
def test_an_unanswered_point_blocks(good, ctx, change):
    bad = _with(good, lambda c: c["points"][0].update(change))
    found = [f for f in check(bad, ctx) if f.code == "point_unanswered"]
    assert found[0].blocking and "P1" in found[0].place


def test_statements_on_file_but_no_points_is_a_warning(good, ctx):
    bad = _with(good, lambda c: c.update(points=[]))
    assert codes(bad, ctx) == ["points_not_listed"]
    assert codes(bad, ctx, blocking=True) == []


def test_boilerplate_from_an_unrelated_case_is_a_warning(good, ctx):
    from zhifa.reasons.checker import plain

    ctx.others = {plain(good["discretion"]["reasons"]): "2026-0099"}
    found = [f for f in check(good, ctx) if f.code == "boilerplate"]
    assert found and not found[0].blocking and "2026-0099" in found[0].message


def test_band_differing_from_the_amount_involved_is_a_warning(good, ctx):
    bad = _with(good, lambda c: c["discretion"].update(amount_involved="3000"))
    assert codes(bad, ctx) == ["band_differs"]


def test_no_benchmark_is_a_warning(good, ctx):
    ctx.benchmark = None
    assert codes(good, ctx) == ["no_benchmark"]


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("罚款55000元", ["55000"]),
        ("处罚款人民币5,000元", ["5000"]),
        ("罚款6万元", ["60000"]),
        ("罚款五万五千零一元", ["55001"]),
        ("并处罚款五万元以上十万元以下", []),
        ("每日按罚款数额的百分之三加处罚款", []),
    ],
)
def test_amounts_are_read_from_text(text, amounts):
    from zhifa.reasons.checker import amounts_in

    assert amounts_in(text) == [Decimal(a) for a in amounts]


# --- Long but empty wording (理由空泛) ----------------------------------------------------

EMPTY = {
    "facts": lambda c: c["facts"][0].update(
        text="经调查，当事人存在违法行为，事实清楚，证据确凿充分，违反了有关法律法规的规定"
    ),
    "provisions": lambda c: c["provisions"][1].update(
        why="本案适用该条款，理由充分，适用法律正确，符合有关规定的精神"
    ),
    "discretion": lambda c: c["discretion"].update(
        reasons="经本机关研究认为，当事人的行为违反了相关法律法规的规定，应当依法予以处罚"
    ),
    "points": lambda c: c["points"][0].update(
        reply="经审查，当事人提出的陈述申辩意见缺乏事实和法律依据，本机关依法不予采纳"
    ),
}
PLACES = {
    "facts": "事实认定理由 第1项",
    "provisions": "依据选择理由 第2项",
    "discretion": "裁量理由",
    "points": "第1项（P1）",
}


@pytest.mark.parametrize("part", list(EMPTY))
def test_long_but_empty_wording_blocks_with_its_place(good, ctx, part):
    bad = _with(good, EMPTY[part])
    found = [f for f in check(bad, ctx) if f.code == "empty"]
    assert len(found) == 1 and found[0].blocking and found[0].label == "理由空泛"
    assert PLACES[part] in found[0].place
    assert "vague" not in codes(bad, ctx)  # long enough, and no listed phrase


def test_wording_that_names_the_case_passes_without_numbers(good, ctx):
    """Specific by its words: the evidence, the violation, a statutory factor."""
    for reasons in (
        "当事人如实陈述进货来源，配合查处，在本阶次内从轻处罚",
        "当事人经营过期牛奶，面向学生销售，在本阶次内从重处罚",
    ):
        fine = _with(good, lambda c, r=reasons: c["discretion"].update(reasons=r))
        assert "empty" not in codes(fine, ctx), reasons


def test_the_case_data_counts_and_the_check_is_a_setting(good, ctx, settings):
    bad = _with(good, lambda c: c["discretion"].update(reasons="当事人在幸福路开展活动，应予处罚"))
    assert "empty" in codes(bad, ctx)  # nothing of it is in the document
    ctx.vocabulary = "示范县好味食品有限公司 住所：示范县城关镇幸福路1号"
    assert "empty" not in codes(bad, ctx)  # the party's address is the case's own data
    settings.ZHIFA_REASONS_CONTENT_CHECK = False
    ctx.vocabulary = ""
    assert "empty" not in codes(bad, ctx)
