"""The reasons checker (RSN-04): vague, contradictory or unfounded reasons count as none.

``check`` reads a structured reasons document and reports each finding with
its exact place (事实认定理由 第2项, 依据选择理由 第1项《…》第…条 …). Blocking
findings refuse the decision through ``zhifa.reasons.gates``; warnings are
shown to the reviewer and the leader on the reasons page.

What counts as vague is configuration (``ZHIFA_REASONS_MIN_CHARS``,
``ZHIFA_REASONS_MIN_ASSESSMENT_CHARS``, the phrases below); the statutory
range and the bands come from the agency's ``DiscretionBenchmark``; provisions
from the library, in force on the decision date.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from zhifa.catalogues.benchmarks import band_for_amount
from zhifa.catalogues.models import Band, DiscretionBenchmark, FactorEffect
from zhifa.catalogues.provisions import citation_resolve, cn_number, provision_text_differs
from zhifa.reasons.content import ANSWERS, ASSESSMENT, PARTS

BLOCKING, WARNING = "blocking", "warning"

KINDS = {
    "missing_part": ("缺少必要内容", BLOCKING),
    "vague": ("理由含糊", BLOCKING),
    "empty": ("理由空泛", BLOCKING),
    "fact_without_evidence": ("事实无证据支持", BLOCKING),
    "evidence_not_assessed": ("证据未作采信说明", BLOCKING),
    "provision_unknown": ("引用的条文不存在", BLOCKING),
    "provision_not_in_force": ("引用的条文未生效或已失效", BLOCKING),
    "provision_text_differs": ("引用的条文内容与法规库不一致", BLOCKING),
    "amount_outside_statutory": ("罚款超出法定幅度", BLOCKING),
    "amount_outside_band": ("罚款超出裁量阶次幅度且未说明理由", BLOCKING),
    "penalty_kind_outside": ("处罚种类不在法定种类之内", BLOCKING),
    "contradiction_amount": ("金额前后矛盾", BLOCKING),
    "contradiction_band": ("裁量阶次与理由表述矛盾", WARNING),
    "point_unanswered": ("当事人意见未答复", BLOCKING),
    "points_not_listed": ("陈述申辩意见未逐项列出", WARNING),
    "band_differs": ("裁量阶次与涉案金额对应阶次不一致", WARNING),
    "no_benchmark": ("未适用裁量基准", WARNING),
    "boilerplate": ("理由与无关案件逐字雷同", WARNING),
}

# Phrases that say nothing on their own (001 附件4 §17: 含糊).
VAGUE_PHRASES = {
    "依法",
    "根据有关规定",
    "依据有关规定",
    "根据相关规定",
    "符合规定",
    "符合法律规定",
    "事实清楚",
    "证据确凿",
    "证据确实充分",
    "事实清楚证据确凿",
    "情节一般",
    "酌情处理",
    "依法处理",
    "适用正确",
    "见卷宗",
    "详见卷宗",
    "同上",
    "略",
    "无",
    "有",
    "是",
    "否",
    "合法",
    "真实",
    "相关",
    "有效",
    "不予采纳",
    "不采纳",
    "采纳",
    "理由不成立",
}
SERIOUS_WORDS = ("情节严重", "后果严重", "危害严重", "情节恶劣", "影响恶劣", "严重危害", "重大危害")
MINOR_WORDS = ("情节轻微", "危害轻微", "后果轻微", "危害后果轻微", "社会危害性较小")
NEGATIONS = ("未", "没有", "不", "无", "并非", "尚未", "不属于", "不构成", "非")
PENALTY_KINDS = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证",
    "降低资质等级",
    "吊销许可证",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
)
_AMOUNT = re.compile(
    r"罚款(?:人民币)?\s*(?P<n>[0-9][0-9,]*(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万]+?)"
    # A range (五万元以上十万元以下) names no decided amount.
    r"\s*(?P<wan>万)?\s*元(?!\s*(?:以上|以下|至|到|－|-|~))"
)


@dataclass(frozen=True)
class Finding:
    code: str
    place: str
    message: str

    @property
    def severity(self) -> str:
        return KINDS[self.code][1]

    @property
    def label(self) -> str:
        return KINDS[self.code][0]

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def as_dict(self) -> dict:
        return {**asdict(self), "severity": self.severity, "label": self.label}

    def __str__(self) -> str:
        return f"{self.place}：{self.message}"


@dataclass(frozen=True)
class Twins:
    """The other cases sharing a passage, as the reader may be told of them (RSN-04):
    the numbers of those the reader may see, and only how many of the others,
    those of the reader's agency apart from those of other agencies."""

    numbers: tuple[str, ...] = ()
    more_seen: int = 0  # seen by the reader, beyond those numbered
    hidden_own: int = 0  # of the case's agency, not for this reader
    hidden_other: int = 0  # of other agencies

    def __str__(self) -> str:
        parts = []
        if self.numbers:
            named = "、".join(self.numbers)
            more = f"等 {len(self.numbers) + self.more_seen} 件案件" if self.more_seen else ""
            parts.append(f"无关案件 {named} {more}")
        if self.hidden_own:
            parts.append(f"本机关其他 {self.hidden_own} 件案件")
        if self.hidden_other:
            parts.append(f"其他执法主体的 {self.hidden_other} 件案件")
        return "及".join(parts)


@dataclass
class Context:
    """What the checker needs from outside the document."""

    on: date
    penalty: bool = True
    conclusion_amount: Decimal | None = None  # the decision record's fine
    conclusion_text: str = ""
    statements_on_file: bool = False  # the case holds statements or hearing minutes
    benchmark: DiscretionBenchmark | None = None
    # plain text → the other cases (of another matter) whose latest reasons hold
    # it: their number, or a ``Twins`` saying which the reader may be told of
    others: dict[str, str | Twins] | None = None
    # The case's own data as text: title, matter, parties, records other than the
    # decision (the document's evidence, provisions, factors and the benchmark
    # are added by ``check``).
    vocabulary: str = ""


def plain(text: str) -> str:
    return re.sub(r"[\s，。、；：,.;:！!？?“”\"'（）()]", "", text or "")


def is_vague(text: str, min_chars: int | None = None) -> bool:
    p = plain(text)
    if min_chars is None:
        min_chars = settings.ZHIFA_REASONS_MIN_CHARS
    return len(p) < min_chars or p in VAGUE_PHRASES


# Words a reasons passage may use without saying anything about the case: the
# vocabulary of every decision. The content check looks past them (RSN-04).
_GENERIC = """
本案 该案 案件 本机关 机关 行政机关 执法机关 经本 经 研究 认为 认定 综合
考虑 综合考虑 当事人 行为 违法 违法行为 违反 违反规定 相关 有关 法律 法规
法律法规 规章 规定 条款 该条 该款 该项 本条 规范 依据 根据 按照 依照 依法
予以 应当 应予 可以 给予 作出 决定 处罚 行政处罚 处理 处以 罚款 理由 充分
正确 适用 适用法律 符合 精神 要求 情形 情况 事实 事实清楚 清楚 证据 确凿
充分 确实 属于 构成 存在 具有 明确 合法 合理 真实 有效 采纳 不予 成立
不成立 意见 陈述 申辩 调查 核实 审查 查明 经查 查处 程序 本局 我局 阶次
裁量 基准 幅度 范围 之内 以内 情节 一般 较轻 较重 严重 轻微 从轻 从重 减轻
实际 具体 上述 以上 如下 下列 其他 等等 方面 因素 原则 公正 公平 过罚相当
教育 结合 所述 所称 规定的 一致 确定 处罚决定 处理决定 决定书 本决定
事实和理由 提出 缺乏 进行 发现 存在 经过 没有 造成 发生 作为 涉及 予以考虑
考虑 性质 程度 社会 危害 后果 社会危害 危害程度 危害后果 严重后果 坚持 相结合
相当 过罚 分析 判断 审理
"""
GENERIC_WORDS = frozenset(_GENERIC.split())
# Circumstances a discretion weighs (行政处罚法 第三十二条、第三十三条 and the usual
# aggravating ones): naming one is speaking of the case.
FACTOR_TERMS = (
    "主动消除或者减轻违法行为危害后果 受他人胁迫或者诱骗实施违法行为 主动供述 "
    "配合查处 如实陈述 立功表现 初次违法 首次违法 及时改正 主动改正 限期整改 整改到位 "
    "下架 召回 销毁 退赔 赔偿损失 未造成危害后果 未发生事故 再次违法 屡教不改 "
    "隐匿 转移 伪造证据 拒不配合 阻碍执法 未成年人 老年人 学生 学校 突发事件 "
    "经济困难 生活困难"
)
_NUMBER = re.compile(
    r"[0-9０-９]|[零〇一二两三四五六七八九十百千万]+\s*(?:元|人|名|盒|件|箱|瓶|袋|次|日|月|年|天|个|吨|公斤|千克|克|台|辆|家|条|款|项)"
)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that could name something of a case (rjieba words of
    two characters or more, less the generic vocabulary of decisions)."""
    from zhifa.reasons.similar import rjieba

    out = []
    for run in re.findall(r"[\u4e00-\u9fff]+", text or ""):
        words = rjieba.cut(run) if rjieba is not None else [run]
        out.extend(w for w in words if len(w) > 1 and w not in GENERIC_WORDS)
    return out


def is_empty(text: str, vocabulary: str | None) -> bool:
    """Long enough and free of the empty phrases, yet nothing in it is of this
    case: no amount, date, count or provision number, and none of its words
    occurs in the case's own data (001 附件4 §17: 含糊 counts as no reasons)."""
    if vocabulary is None or not plain(text) or _NUMBER.search(text):
        return False
    return not any(w in vocabulary for w in content_words(text))


def vocabulary(content: dict, benchmark=None, texts=(), *, with_facts: bool = True) -> str:
    """The case's own data as one text, what a reasons passage should speak of."""
    parts = [*texts, FACTOR_TERMS]
    parts += [e["name"] for e in content["evidence"]]
    parts += [p["citation"] for p in content["provisions"]]
    parts += [f["description"] for f in content["discretion"]["factors"]]
    parts += [p["content"] for p in content["points"]]
    if with_facts:
        parts += [f["text"] for f in content["facts"]]
    if benchmark is not None:
        parts += [benchmark.violation, benchmark.penalty_kinds]
        parts += [b.conditions for b in benchmark.bands.all()]
        parts += [f.description for f in benchmark.factors.all()]
    return "\n".join(str(p) for p in parts if p)


def says(text: str, words) -> str:
    """The first of ``words`` that ``text`` says without negating it, or ''."""
    for word in words:
        for m in re.finditer(re.escape(word), text or ""):
            before = text[max(0, m.start() - 4) : m.start()]
            if not any(before.endswith(n) or n in before[-3:] for n in NEGATIONS):
                return word
    return ""


def _cn_amount(text: str) -> int:
    """五万五千零一 → 55001: ``cn_number`` on each side of 万."""
    high, wan, low = text.partition("万")
    if not wan:
        return cn_number(text)
    return (cn_number(high) if high else 1) * 10000 + (cn_number(low) if low else 0)


def amounts_in(text: str) -> list[Decimal]:
    found = []
    for m in _AMOUNT.finditer(text or ""):
        raw = m.group("n").replace(",", "")
        try:
            value = Decimal(raw) if raw[0].isdigit() else Decimal(_cn_amount(raw))
        except (ArithmeticError, ValueError):  # an unreadable amount is not compared
            continue
        if m.group("wan"):
            value *= 10000
        found.append(value.quantize(Decimal("0.01")))
    return found


def _yuan(value: Decimal) -> str:
    return f"{value.normalize():f}元" if value == value.to_integral() else f"{value}元"


def check(content: dict, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    add = lambda code, place, message: out.append(Finding(code, place, message))  # noqa: E731
    facts, evidence = content["facts"], content["evidence"]
    provisions, d, points = content["provisions"], content["discretion"], content["points"]
    by_id = {e["id"]: e for e in evidence}
    assess_min = settings.ZHIFA_REASONS_MIN_ASSESSMENT_CHARS
    # A fact is measured against the case's data without the facts themselves.
    fact_vocabulary = words = None  # None: no content check
    if settings.ZHIFA_REASONS_CONTENT_CHECK:
        fact_vocabulary = vocabulary(
            content, ctx.benchmark, [ctx.vocabulary, ctx.conclusion_text], with_facts=False
        )
        words = fact_vocabulary + "\n" + "\n".join(f["text"] for f in facts)

    # Missing parts (RSN-01).
    for key in ("facts", "evidence", "provisions"):
        if not content[key]:
            add("missing_part", PARTS[key], f"未填写{PARTS[key]}。")

    # 事实认定理由: each fact, proved by adopted evidence.
    for i, f in enumerate(facts, start=1):
        place = f"{PARTS['facts']} 第{i}项（{f['id']}）"
        if not f["text"]:
            add("missing_part", place, "未写明认定的事实。")
        elif is_vague(f["text"]):
            add("vague", place, f"“{f['text']}”未具体写明认定的事实。")
        elif is_empty(f["text"], fact_vocabulary):
            add(
                "empty",
                place,
                "未写明本案的具体事实（时间、地点、当事人、数量、金额、违法行为等），"
                "仅有一般性表述。",
            )
        if not f["evidence"]:
            add("fact_without_evidence", place, "未关联证明该事实的证据。")
        elif not any(by_id.get(x, {}).get("adopted") is True for x in f["evidence"]):
            add(
                "fact_without_evidence",
                place,
                f"关联的证据（{'、'.join(f['evidence'])}）均未被采信，该事实没有证据支持。",
            )

    # 证据采信理由: the four aspects, adopted or not and why.
    for i, e in enumerate(evidence, start=1):
        place = f"{PARTS['evidence']} 第{i}项（{e['id']} {e['name'] or '未命名证据'}）"
        if not e["name"]:
            add("missing_part", place, "未写明证据名称。")
        lacking = [label for k, label in ASSESSMENT.items() if is_vague(e[k], assess_min)]
        if lacking:
            add("evidence_not_assessed", place, f"未说明证据的{'、'.join(lacking)}。")
        if e["adopted"] is None:
            add("evidence_not_assessed", place, "未说明是否采信。")
        elif e["adopted"] is False and is_vague(e["reason"]):
            add("evidence_not_assessed", place, "不予采信，但未说明不予采信的理由。")

    # 依据选择理由: every provision exists, is in force, is quoted as written, and why.
    for i, p in enumerate(provisions, start=1):
        place = f"{PARTS['provisions']} 第{i}项（{p['citation'] or '未填写'}）"
        if not p["citation"]:
            add("missing_part", place, "未写明所引用的法律名称及条款项目。")
            continue
        found = citation_resolve(p["citation"], ctx.on)
        if found.problem == "not_in_force":
            add("provision_not_in_force", place, found.message)
        elif found.problem:
            add("provision_unknown", place, found.message)
        elif not p["quoted_text"]:
            add("missing_part", place, "未写明所引用条文的内容（001 附件4 第十二条）。")
        elif provision_text_differs(p["quoted_text"], found.provision.text):
            add(
                "provision_text_differs",
                place,
                f"引用的条文内容与《{found.basis.name}》（{found.basis.version}）"
                f"{found.reference.place()}的原文不一致。",
            )
        if not p["why"]:
            add("missing_part", place, "未说明适用该条款的理由。")
        elif is_vague(p["why"]):
            add("vague", place, f"适用理由“{p['why']}”过于笼统。")
        elif is_empty(p["why"], words):
            add("empty", place, "适用理由未结合本案事实说明为何适用该条款。")

    # 裁量理由.
    if ctx.penalty:
        _check_discretion(d, ctx, add)
        if d["reasons"] and not is_vague(d["reasons"]) and is_empty(d["reasons"], words):
            add(
                "empty",
                PARTS["discretion"],
                "裁量理由未结合本案的情节、危害后果、涉案金额或从轻从重情节说明。",
            )

    # Each point the party raised, answered (RSN-03).
    for i, pt in enumerate(points, start=1):
        place = f"{PARTS['points']} 第{i}项（{pt['id']}）"
        if not pt["content"]:
            add("missing_part", place, "未写明当事人提出的意见。")
        if pt["answer"] == "pending":
            add("point_unanswered", place, "尚未答复当事人提出的意见。")
        elif pt["answer"] in ("not_adopted", "partly") and is_vague(pt["reply"]):
            add(
                "point_unanswered",
                place,
                f"{ANSWERS[pt['answer']]}，但未说明不予采纳的理由。",
            )
        elif pt["answer"] in ("not_adopted", "partly") and is_empty(pt["reply"], words):
            add("empty", place, "不予采纳的理由未针对当事人提出的意见和本案事实。")
    if ctx.statements_on_file and not points:
        add(
            "points_not_listed",
            PARTS["points"],
            "案卷中有当事人陈述申辩或听证记录，但说明理由中未逐项列出其意见及答复。",
        )

    # Boilerplate reused verbatim in unrelated cases.
    if ctx.others:
        _check_boilerplate(content, ctx.others, add)
    return out


def _check_discretion(d: dict, ctx: Context, add) -> None:
    place = PARTS["discretion"]
    bench = ctx.benchmark
    if not d["reasons"]:
        add(
            "missing_part",
            place,
            "未说明裁量理由（主观意图、手段、情节、危害后果及从重、从轻、减轻情节）。",
        )
    elif is_vague(d["reasons"]):
        add("vague", place, f"裁量理由“{d['reasons']}”过于笼统。")
    amount = Decimal(d["amount"]) if d["amount"] else None
    if amount is None and ctx.conclusion_amount:
        add("missing_part", f"{place}·罚款金额", "决定罚款，但裁量理由未写明罚款金额。")
    if bench is None:
        add("no_benchmark", place, "未选择适用的裁量基准，无法核对法定幅度和裁量阶次。")
    else:
        bands = list(bench.bands.all())
        if not d["band"]:
            add("missing_part", f"{place}·裁量阶次", "未写明适用的裁量阶次。")
        effects = {f["effect"] for f in d["factors"]}
        reason = d["out_of_range_reason"]
        if amount is not None:
            lo, hi = bench.statutory_min, bench.statutory_max
            if amount > hi:
                add(
                    "amount_outside_statutory",
                    f"{place}·罚款金额",
                    f"罚款 {_yuan(amount)}高于法定最高额 {_yuan(hi)}。",
                )
            elif amount < lo and not (FactorEffect.REDUCING in effects and not is_vague(reason)):
                add(
                    "amount_outside_statutory",
                    f"{place}·罚款金额",
                    f"罚款 {_yuan(amount)}低于法定最低额 {_yuan(lo)}，"
                    "且未写明减轻处罚的情节和理由。",
                )
            band = next((b for b in bands if b.band == d["band"]), None)
            if (
                band is not None
                and lo <= amount <= hi
                and not band.min_amount <= amount <= band.max_amount
                and is_vague(reason)
            ):
                add(
                    "amount_outside_band",
                    f"{place}·罚款金额",
                    f"罚款 {_yuan(amount)}不在“{band.get_band_display()}”阶次"
                    f" {_yuan(band.min_amount)}至{_yuan(band.max_amount)} 之内，且未书面说明理由。",
                )
            if d["band"] and d["amount_involved"]:
                expected = band_for_amount(bands, Decimal(d["amount_involved"]))
                if expected is not None and expected.band != d["band"] and is_vague(reason):
                    add(
                        "band_differs",
                        f"{place}·裁量阶次",
                        f"涉案金额 {d['amount_involved']} 元对应“{expected.get_band_display()}”"
                        f"阶次，选择的是“{Band(d['band']).label}”。",
                    )
        kinds = bench.penalty_kinds
        chosen = next((b for b in bands if b.band == d["band"]), None)
        band_kinds = chosen.penalty_kinds if chosen is not None else ""
        for kind in PENALTY_KINDS:
            if not says(ctx.conclusion_text, (kind,)):
                continue
            if kind not in kinds:
                add(
                    "penalty_kind_outside",
                    "决定内容",
                    f"决定“{kind}”，但该违法行为的处罚种类为：{kinds}。",
                )
            elif band_kinds and kind not in band_kinds:
                add(
                    "penalty_kind_outside",
                    f"决定内容（{chosen.get_band_display()}阶次）",
                    f"决定“{kind}”，但“{chosen.get_band_display()}”阶次的处罚种类为："
                    f"{band_kinds}。",
                )
    # Contradictions between parts.
    if amount is not None and ctx.conclusion_amount is not None and amount != ctx.conclusion_amount:
        add(
            "contradiction_amount",
            f"{place}·罚款金额",
            f"裁量理由写明罚款 {_yuan(amount)}，决定内容为 {_yuan(ctx.conclusion_amount)}。",
        )
    decided = ctx.conclusion_amount if ctx.conclusion_amount is not None else amount
    if decided is not None:
        for where, text in (("裁量理由", d["reasons"]), ("决定内容", ctx.conclusion_text)):
            for said in amounts_in(text):
                if said != decided:
                    add(
                        "contradiction_amount",
                        where,
                        f"文中写明罚款 {_yuan(said)}，与决定的罚款 {_yuan(decided)}不一致。",
                    )
    text = d["reasons"]
    if d["band"] in (Band.MINOR, Band.ORDINARY):
        word = says(text, SERIOUS_WORDS)
        if word:
            add(
                "contradiction_band",
                f"{place}·裁量阶次",
                f"适用“{Band(d['band']).label}”阶次，理由却称“{word}”。",
            )
    elif d["band"] in (Band.SERIOUS, Band.GRAVE):
        word = says(text, MINOR_WORDS)
        if word:
            add(
                "contradiction_band",
                f"{place}·裁量阶次",
                f"适用“{Band(d['band']).label}”阶次，理由却称“{word}”。",
            )


def boilerplate_texts(content: dict) -> list[tuple[str, str]]:
    """(place, text) of the free reasoning a case should write for itself."""
    out = [(f"{PARTS['facts']} {f['id']}", f["text"]) for f in content["facts"]]
    out += [
        (f"{PARTS['provisions']} 第{i}项适用理由", p["why"])
        for i, p in enumerate(content["provisions"], start=1)
    ]
    out.append((PARTS["discretion"], content["discretion"]["reasons"]))
    out += [(f"{PARTS['points']} {p['id']}", p["reply"]) for p in content["points"]]
    return out


def _check_boilerplate(content: dict, others: dict[str, str | Twins], add) -> None:
    floor = settings.ZHIFA_REASONS_BOILERPLATE_MIN_CHARS
    for place, text in boilerplate_texts(content):
        key = plain(text)
        if len(key) >= floor and key in others:
            twins = others[key]
            who = str(twins) if isinstance(twins, Twins) else f"无关案件 {twins} "
            add(
                "boilerplate",
                place,
                f"与{who}的说明理由逐字相同，请结合本案情况说明。",
            )


# --- The free-text path: a decision record without structured reasons -----------------

FREE_TEXT_FIELDS = {
    "facts": "违法事实",
    "evidence": "采纳的证据及理由",
    "basis": "法律依据及适用理由",
    "discretion": "适用的裁量基准及理由",
}


def check_free_text(fields: dict, ctx: Context) -> list[Finding]:
    """What can be checked in the decision record's own text fields: each part
    present and not vague, the provisions it cites (those the library knows)
    in force and existing, and the amounts it states equal to the fine."""
    from zhifa.catalogues.provisions import citations_find

    out: list[Finding] = []
    add = lambda code, place, message: out.append(Finding(code, place, message))  # noqa: E731
    words = f"{ctx.vocabulary}\n{FACTOR_TERMS}\n{fields.get('facts') or ''}"
    for name, label in FREE_TEXT_FIELDS.items():
        if name == "discretion" and not ctx.penalty:
            continue
        text = str(fields.get(name) or "")
        place = f"决定记录·{label}"
        if not text.strip():
            add("missing_part", place, f"未填写{label}。")
        elif is_vague(text):
            add("vague", place, f"“{text}”过于笼统。")
        elif (
            settings.ZHIFA_REASONS_CONTENT_CHECK
            and ctx.vocabulary
            and is_empty(text, words if name != "facts" else ctx.vocabulary)
        ):
            add("empty", place, f"{label}未写明本案的具体情况，仅有一般性表述。")
    for chunk, ref in citations_find(str(fields.get("basis") or "")):
        found = citation_resolve(ref, ctx.on)
        place = f"决定记录·法律依据（{chunk}）"
        if found.problem == "not_in_force":
            add("provision_not_in_force", place, found.message)
        elif found.problem == "no_such_provision":
            add("provision_unknown", place, found.message)
    if ctx.conclusion_amount is not None:
        for name in ("discretion", "conclusion"):
            for said in amounts_in(str(fields.get(name) or "")):
                if said != ctx.conclusion_amount:
                    add(
                        "contradiction_amount",
                        f"决定记录·{FREE_TEXT_FIELDS.get(name, '决定内容')}",
                        f"文中写明罚款 {_yuan(said)}，"
                        f"与罚没款金额 {_yuan(ctx.conclusion_amount)}不一致。",
                    )
    return out
