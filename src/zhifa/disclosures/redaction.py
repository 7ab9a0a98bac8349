"""Redaction (脱敏 / 技术处理) of text before it is made public (PUB-06, PUB-07).

[001 附件1 §17]: information touching personal privacy is published only after
"适当技术处理". This module finds, in any free text,

- 居民身份证号码 (18 characters, ISO 7064 check validated with python-stdnum),
  also written with full-width digits, a lower-case ``x`` or spaces inside;
- mobile and fixed-line phone numbers;
- bank card and account numbers (Luhn-valid 15–19 digits, or any long digit
  run introduced by 账号/卡号/账户);
- addresses of natural persons (the known addresses given, and what follows
  住址/家住/现住/户籍地/居住地);
- the names of natural persons given as known names (parties, witnesses,
  officers' private data), masked as 张某某 / 张某;

and keeps 统一社会信用代码 (GB 32100 check valid) and the strings given as
``keep`` (agency names and their public phone numbers).

The module is pure: no database, no Django. ``zhifa redact`` wraps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from stdnum import luhn
from stdnum.cn import ric, uscc


class Kind:
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK = "bank_account"
    ADDRESS = "address"
    NAME = "name"


LABELS = {
    Kind.ID_NUMBER: "身份证号",
    Kind.PHONE: "电话号码",
    Kind.BANK: "银行账号",
    Kind.ADDRESS: "住址",
    Kind.NAME: "自然人姓名",
}

REPLACEMENTS = {
    Kind.ID_NUMBER: "[身份证号已隐去]",
    Kind.PHONE: "[电话已隐去]",
    Kind.BANK: "[账号已隐去]",
    Kind.ADDRESS: "[地址已隐去]",
}

# Full-width digits and letters map one-to-one onto ASCII, so positions found in
# the folded text are positions in the original.
_FOLD = {0xFF10 + i: ord("0") + i for i in range(10)}
_FOLD.update({0xFF21 + i: ord("A") + i for i in range(26)})
_FOLD.update({0xFF41 + i: ord("a") + i for i in range(26)})
_FOLD.update({0x3000: ord(" "), 0xFF0D: ord("-"), 0xFF0B: ord("+")})

_SEP = r"[ \-]?"
# A digit run, maybe broken by single spaces or dashes; never glued to more digits
# or letters on either side.
_ID_RE = re.compile(rf"(?<![0-9A-Za-z])\d(?:{_SEP}\d){{16}}{_SEP}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?:\+|00)?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?![0-9A-Za-z])"
)
_LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[ \-]?)[2-9]\d{6,7}"
    r"(?:[ \-]?转?\d{1,5})?(?![0-9A-Za-z])"
)
_LONG_DIGITS_RE = re.compile(rf"(?<![0-9A-Za-z])\d(?:{_SEP}\d){{9,29}}(?![0-9A-Za-z])")
_ACCOUNT_WORDS = ("账号", "帐号", "账户", "帐户", "卡号", "银行卡")
_CREDIT_WORDS = ("信用代码", "社会信用", "注册号")
_ADDRESS_RE = re.compile(
    r"(?:住址|家住|现住|现居住|居住地|居住于|户籍地|户籍所在地|家庭住址|经常居住地"
    # “男，汉族，住某某村”: 住 alone after a comma or bracket, not 住所 (a company's seat).
    r"|(?<=[，,（(；;])住(?![所宿院房]))"
    r"(?:为|是|在|位于)?[：:]?\s*"
    r"(?P<address>[^，,。；;！？!?\n\r（）()“”\"：:\[\]【】]{4,60})"
)

COMPOUND_SURNAMES = [
    "欧阳",
    "太史",
    "端木",
    "上官",
    "司马",
    "东方",
    "独孤",
    "南宫",
    "万俟",
    "闻人",
    "夏侯",
    "诸葛",
    "尉迟",
    "公羊",
    "赫连",
    "澹台",
    "皇甫",
    "宗政",
    "濮阳",
    "公冶",
    "太叔",
    "申屠",
    "公孙",
    "慕容",
    "仲孙",
    "钟离",
    "长孙",
    "宇文",
    "司徒",
    "鲜于",
    "司空",
    "闾丘",
    "子车",
    "亓官",
    "司寇",
    "巫马",
    "公西",
    "颛孙",
    "壤驷",
    "公良",
    "漆雕",
    "乐正",
    "宰父",
    "谷梁",
    "拓跋",
    "夹谷",
    "轩辕",
    "令狐",
    "段干",
    "百里",
    "呼延",
    "东郭",
    "南门",
    "羊舌",
    "微生",
    "公户",
    "公玉",
    "公仪",
    "梁丘",
    "公仲",
    "公上",
    "公门",
    "公山",
    "公坚",
    "左丘",
    "公伯",
    "西门",
    "公祖",
    "第五",
    "公乘",
    "贯丘",
    "公皙",
    "南荣",
    "东里",
    "东宫",
    "仲长",
    "子书",
    "子桑",
    "即墨",
    "达奚",
    "褚师",
]


@dataclass(frozen=True)
class Span:
    """One piece of text to hide: ``text[start:end]`` becomes ``replacement``."""

    start: int
    end: int
    kind: str
    replacement: str


@dataclass(frozen=True)
class Redacted:
    """The redacted text and where each redaction sits in it (for highlighting)."""

    text: str
    marks: tuple[tuple[int, int, str], ...]  # (start, end, kind) in ``text``

    @property
    def count(self) -> int:
        return len(self.marks)


def mask_name(name: str) -> str:
    """张三 → 张某, 张三丰 → 张某某, 欧阳修 → 欧阳某 (surname kept, given name masked)."""
    name = re.sub(r"\s+", "", name or "")
    if not name:
        return ""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    given = len(name) - len(surname)
    return surname + ("某" if given <= 1 else "某某")


def fold(text: str) -> str:
    """Full-width digits, letters and separators to ASCII, position for position."""
    return text.translate(_FOLD)


def _digits(s: str) -> str:
    return re.sub(r"[ \-]", "", s)


def _preceded_by(folded: str, start: int, words: Iterable[str], reach: int = 12) -> bool:
    # Only what follows the last replacement marker: “[账号已隐去]” names no account.
    before = folded[max(0, start - reach) : start].rsplit("]", 1)[-1]
    return any(word in before for word in words)


def is_id_number(value: str) -> bool:
    """An 18-character 身份证号 with a valid check character and birth date. The
    place code is not required to be known to stdnum: new counties appear."""
    value = _digits(fold(value)).upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        if ric.calc_check_digit(value) != value[17]:
            return False
        ric.get_birth_date(value)
    except Exception:  # stdnum raises its ValidationError on a bad date
        return False
    return True


def _is_credit_code(folded: str, start: int, value: str) -> bool:
    if not uscc.is_valid(value):
        return False
    # An 18-digit string can be both; the check digit of a 身份证号 wins unless the
    # text says it is a credit code.
    return not is_id_number(value) or _preceded_by(folded, start, _CREDIT_WORDS)


def _pattern_for(value: str) -> re.Pattern | None:
    """A pattern for a known string that tolerates spaces between its characters."""
    chars = [re.escape(c) for c in re.sub(r"\s+", "", value or "")]
    if not chars:
        return None
    return re.compile(r"\s*".join(chars))


def find(
    text: str,
    *,
    names: Iterable[str] = (),
    addresses: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> list[Span]:
    """Every span of ``text`` to hide, sorted, without overlaps."""
    folded = fold(text)
    spans: list[Span] = []

    kept: list[tuple[int, int]] = []
    for value in keep:
        pattern = _pattern_for(value)
        if pattern and len(value) > 1:
            kept += [(m.start(), m.end()) for m in pattern.finditer(folded)]

    for m in _ID_RE.finditer(folded):
        value = _digits(m.group()).upper()
        if is_id_number(value) and not _is_credit_code(folded, m.start(), value):
            spans.append(Span(m.start(), m.end(), Kind.ID_NUMBER, REPLACEMENTS[Kind.ID_NUMBER]))
    for m in _LONG_DIGITS_RE.finditer(folded):
        value = _digits(m.group())
        is_card = 15 <= len(value) <= 19 and luhn.is_valid(value)
        if is_card or _preceded_by(folded, m.start(), _ACCOUNT_WORDS):
            spans.append(Span(m.start(), m.end(), Kind.BANK, REPLACEMENTS[Kind.BANK]))
    for regex in (_MOBILE_RE, _LANDLINE_RE):
        for m in regex.finditer(folded):
            spans.append(Span(m.start(), m.end(), Kind.PHONE, REPLACEMENTS[Kind.PHONE]))

    for value in addresses:
        pattern = _pattern_for(value)
        if pattern and len(value.strip()) >= 2:
            for m in pattern.finditer(folded):
                spans.append(Span(m.start(), m.end(), Kind.ADDRESS, REPLACEMENTS[Kind.ADDRESS]))
    for m in _ADDRESS_RE.finditer(folded):
        spans.append(
            Span(m.start("address"), m.end("address"), Kind.ADDRESS, REPLACEMENTS[Kind.ADDRESS])
        )

    # Longer names first, so 张三丰 is masked whole before 张三 is looked for.
    for value in sorted({re.sub(r"\s+", "", n or "") for n in names}, key=len, reverse=True):
        pattern = _pattern_for(value)
        if pattern and len(value) >= 2:
            for m in pattern.finditer(folded):
                spans.append(Span(m.start(), m.end(), Kind.NAME, mask_name(value)))

    def inside_kept(span: Span) -> bool:
        return any(a <= span.start and span.end <= b for a, b in kept)

    # Earliest first; at the same start the longer span wins.
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    chosen: list[Span] = []
    for span in spans:
        if inside_kept(span) and span.kind in (Kind.NAME, Kind.PHONE, Kind.ADDRESS):
            continue
        if chosen and span.start < chosen[-1].end:
            last = chosen[-1]
            if span.end > last.end:
                # Overlapping spans merge, so nothing of either is left visible.
                chosen[-1] = Span(last.start, span.end, last.kind, last.replacement)
            continue
        chosen.append(span)
    return chosen


def redact(
    text: str,
    *,
    names: Iterable[str] = (),
    addresses: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> Redacted:
    """``text`` with every span of ``find`` replaced, and the replacements' places."""
    text = text or ""
    out: list[str] = []
    marks: list[tuple[int, int, str]] = []
    position = 0
    length = 0
    for span in find(text, names=names, addresses=addresses, keep=keep):
        piece = text[position : span.start]
        out.append(piece)
        length += len(piece)
        out.append(span.replacement)
        marks.append((length, length + len(span.replacement), span.kind))
        length += len(span.replacement)
        position = span.end
    out.append(text[position:])
    return Redacted("".join(out), tuple(marks))


def leaks(
    text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """What in ``text`` would still be hidden by ``find``: (kind, value) pairs.
    Used by tests and by the publication check as a last guard."""
    return [
        (span.kind, text[span.start : span.end])
        for span in find(text, names=names, keep=keep)
        if span.kind != Kind.ADDRESS
    ]
