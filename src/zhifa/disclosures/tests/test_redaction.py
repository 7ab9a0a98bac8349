"""The redaction module (PUB-06, PUB-07): what it hides, what it keeps, and a
property test over generated personal data."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from zhifa.disclosures import testing
from zhifa.disclosures.redaction import Kind, find, is_id_number, mask_name, redact

pytestmark = pytest.mark.req("PUB-06")

ID_X = "11010519491231002X"
USCC = "91110000600037341L"


def kinds(text, **kw):
    return [span.kind for span in find(text, **kw)]


@pytest.mark.parametrize(
    "written",
    [
        ID_X,
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105 19491231 002X",
        "身份证号:11010519491231002X。",
    ],
)
def test_id_numbers_in_every_writing_are_hidden(written):
    result = redact(f"当事人身份证号{written}，")
    assert "002" not in result.text and "００２" not in result.text
    assert [kind for _, _, kind in result.marks] == [Kind.ID_NUMBER]


def test_an_id_number_with_a_bad_check_character_is_left():
    assert is_id_number(ID_X)
    assert not is_id_number("110105194912310021")
    assert kinds("编号110105194912310021") != [Kind.ID_NUMBER]


def test_an_id_number_glued_to_more_digits_is_not_a_match():
    assert Kind.ID_NUMBER not in kinds("流水号911010519491231002X7")


def test_credit_codes_and_agency_names_are_kept():
    text = f"示范县市场监督管理局对示范县好味食品有限公司（统一社会信用代码：{USCC}）作出处罚"
    assert redact(text, names=["王五"]).text == text


@pytest.mark.parametrize(
    "phone", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 13800138000", "0731-84567890"]
)
def test_phones_are_hidden(phone):
    result = redact(f"联系电话：{phone}。")
    assert result.text == "联系电话：[电话已隐去]。"


def test_the_agencys_public_phone_is_kept():
    text = "投诉举报电话0731-84567890"
    assert redact(text, keep=["0731-84567890"]).text == text


def test_bank_cards_by_luhn_and_accounts_by_keyword():
    card = "6222020200001234564"[:18]
    card += luhn.calc_check_digit(card)
    assert kinds(f"转入银行卡{card}") == [Kind.BANK]
    assert kinds("对公账号 1901 0000 0000 12") == [Kind.BANK]
    # A Luhn-invalid long number with no account word is not a card.
    assert kinds("罚没款票据号1234567890123456") == []


def test_addresses_known_and_after_home_words():
    result = redact(
        "当事人住址：示范县幸福路12号3栋201室，经营地址为城关镇人民路5号。张三现住示范县人民路8号",
        addresses=["城关镇人民路5号"],
    )
    assert "幸福路" not in result.text
    assert "人民路5号" not in result.text
    assert "人民路8号" not in result.text


def test_names_are_masked_surname_kept():
    assert mask_name("张三") == "张某"
    assert mask_name("张三丰") == "张某某"
    assert mask_name("欧阳修") == "欧阳某"
    assert mask_name("欧阳") == "欧某"
    result = redact("张三丰与证人李 四到场，张三丰签字。", names=["张三丰", "李四", "张三"])
    assert result.text == "张某某与证人李某到场，张某某签字。"


def test_marks_point_at_the_replacements():
    result = redact("张三电话13800138000", names=["张三"])
    assert [result.text[a:b] for a, b, _ in result.marks] == ["张某", "[电话已隐去]"]


def test_redacting_twice_changes_nothing_more():
    once = redact("住址：示范县幸福路12号，电话13800138000，身份证11010519491231002X").text
    assert redact(once).text == once


def test_the_redact_command_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"张三，身份证{ID_X}，电话13800138000"))
    call_command("redact", name=["张三"])
    assert capsys.readouterr().out == "张某，身份证[身份证号已隐去]，电话[电话已隐去]"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32), filler=st.text(max_size=40))
def test_generated_personal_data_never_survives(seed, filler):
    rng = random.Random(seed)
    s = testing.secrets(rng)
    code = testing.credit_code(rng)
    text = testing.text_with(rng, s, "违法事实") + filler + f"（信用代码{code}）"
    result = redact(text, names=[s.name, s.witness], addresses=[s.address])
    flat = folded(result.text)
    for number in (s.id_number, s.phone, s.card):
        assert number not in flat
    assert s.name not in result.text and s.witness not in result.text
    assert s.address not in result.text
    assert code in result.text
    # Nothing the patterns would still find.
    assert not [k for k in kinds(result.text) if k != Kind.NAME]


def folded(text: str) -> str:
    from zhifa.disclosures.redaction import fold

    return fold(text).replace(" ", "").replace("-", "").upper()
