"""Generators of personal data for the redaction and leak tests (PUB-06, PUB-07):
valid 身份证号 (X check characters, full-width digits), mobile and fixed-line
phones, Luhn-valid bank cards, addresses and names. Used by the tests and by
``bench/redaction_quality.py``."""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum import luhn
from stdnum.cn import ric, uscc

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
COMPOUND = ("欧阳", "司马", "诸葛", "上官")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文华玉兰红梅晓东志强春梅海燕"
PLACES = ("430721", "110105", "440305", "330106", "510107", "990102")
ROADS = ("幸福路", "人民路", "建设街", "解放大道", "朝阳巷", "城关镇新河村")
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def id_number(rng: random.Random, *, x: bool | None = None) -> str:
    """A valid 18-character 身份证号; ``x=True`` insists on an X check character."""
    while True:
        year = rng.randint(1940, 2005)
        body = (
            f"{rng.choice(PLACES)}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f"{rng.randint(0, 999):03d}"
        )
        check = ric.calc_check_digit(body + "0")  # it ignores the last character
        if x is None or (check == "X") == x:
            return body + check


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"


def landline(rng: random.Random) -> str:
    area = rng.choice(["731", "10", "21", "736"])
    return f"0{area}-{rng.randint(2, 9)}{rng.randint(0, 9999999):07d}"


def bank_card(rng: random.Random) -> str:
    body = f"62{rng.randint(0, 10**15 - 1):015d}"[: rng.choice([15, 16, 18])]
    return body + luhn.calc_check_digit(body)


def credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "91" + rng.choice(PLACES) + "".join(rng.choice(alphabet) for _ in range(9))
        code = body + uscc.calc_check_digit(body)
        if not code[:17].isdigit():
            return code


def person_name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND) if rng.random() < 0.1 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def address(rng: random.Random) -> str:
    road, number = rng.choice(ROADS), rng.randint(1, 300)
    return f"示范县{road}{number}号{rng.randint(1, 9)}栋{rng.randint(101, 2608)}室"


def variant(rng: random.Random, value: str) -> str:
    """The same number as people write it: full-width, spaced, lower-case x."""
    roll = rng.random()
    if roll < 0.25:
        return value.translate(FULLWIDTH)
    if roll < 0.4:
        return value.replace("X", "x")
    if roll < 0.55 and len(value) >= 11:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


@dataclass
class Secrets:
    """The personal data planted in one generated decision, to look for later."""

    name: str
    witness: str
    id_number: str
    phone: str
    landline: str
    card: str
    address: str

    @property
    def numbers(self) -> list[str]:
        return [self.id_number, self.phone, self.card]


def secrets(rng: random.Random) -> Secrets:
    return Secrets(
        name=person_name(rng),
        witness=person_name(rng),
        id_number=id_number(rng, x=rng.random() < 0.3),
        phone=mobile(rng),
        landline=landline(rng),
        card=bank_card(rng),
        address=address(rng),
    )


def text_with(rng: random.Random, s: Secrets, field: str) -> str:
    """A realistic free-text field with all of ``s`` planted in it."""
    pieces = [
        f"经查，当事人{s.name}（身份证号码：{variant(rng, s.id_number)}，"
        f"住址：{s.address}，联系电话{variant(rng, s.phone)}）",
        f"于2026年3月在示范县城关镇经营场所销售过期食品，见证人{s.witness}在场",
        f"，违法所得经{s.name}本人银行卡{variant(rng, s.card)}收取",
        f"，{s.witness}联系电话{s.landline}",
    ]
    rng.shuffle(pieces)
    return f"{field}：" + "".join(pieces) + "。"
