"""Citations parsed, resolved and rejected (RSN-01, RSN-04)."""

from datetime import date

import pytest

from zhifa.catalogues.models import LegalBasis, Provision
from zhifa.catalogues.provisions import (
    CitationError,
    Reference,
    citation_parse,
    citation_resolve,
    citations_find,
    cn_number,
    cn_numeral,
    legal_basis_import,
    text_parse,
)
from zhifa.core.errors import Conflict, Forbidden
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.req("RSN-01")
ON = date(2026, 3, 5)
LAW = "中华人民共和国行政处罚法"


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零八", 108),
        ("一百二十四", 124),
        ("两百", 200),
        ("32", 32),
        ("３２", 32),
        ("一千零一", 1001),
    ],
)
def test_numerals(text, n):
    assert cn_number(text) == n
    if not text.isdigit() and "两" not in text and not text[0].isdigit():
        assert cn_numeral(n) == text


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("《中华人民共和国行政处罚法》第三十二条第一款第（一）项", Reference(LAW, 32, 0, 1, 1)),
        ("《行政处罚法》第三十二条第（一）项", Reference("行政处罚法", 32, 0, 1, 1)),
        ("《行政处罚法》第32条第1款第1项", Reference("行政处罚法", 32, 0, 1, 1)),
        ("《行政处罚法》第 32 条第 1 款第(1)项", Reference("行政处罚法", 32, 0, 1, 1)),
        ("《中华人民共和国行政处罚法》第五十七条", Reference(LAW, 57)),
        ("《中华人民共和国行政处罚法》第五十七条第二款", Reference(LAW, 57, 0, 2)),
        ("《刑法》第一百三十三条之一", Reference("刑法", 133, 1)),
        ("《某条例》第十条之二第一款第（三）项第2目", Reference("某条例", 10, 2, 1, 3, 2)),
        ("行政处罚法第五条", Reference("行政处罚法", 5)),
        (
            "依据《食品安全法》第一百二十四条第一款第五项的规定",
            Reference("食品安全法", 124, 0, 1, 5),
        ),
    ],
)
def test_each_form_parses(text, ref):
    assert citation_parse(text) == ref


@pytest.mark.parametrize("text", ["", "《行政处罚法》", "第三十二条", "《行政处罚法》第零条"])
def test_unreadable_citations_are_rejected(text):
    with pytest.raises(CitationError):
        citation_parse(text)


def test_citations_in_running_text_carry_the_law_over():
    found = citations_find("依据《中华人民共和国行政处罚法》第三十二条第（一）项、第五十七条的规定")
    assert [r for _, r in found] == [Reference(LAW, 32, 0, 1, 1), Reference(LAW, 57)]


@pytest.mark.django_db
def test_resolved_in_the_version_in_force(library):
    found = citation_resolve("《中华人民共和国行政处罚法》第三十二条第一款第（一）项", ON)
    assert found.ok and found.basis.version == "2021年修订"
    assert found.provision.text == "（一）主动消除或者减轻违法行为危害后果的；"
    short = citation_resolve("《行政处罚法》第32条第1项", ON)
    assert short.provision == found.provision
    # The same place under the 2017 text, on a day it was in force.
    old = citation_resolve("《行政处罚法》第二十七条第一款第（二）项", date(2020, 1, 1))
    assert old.ok and old.basis.version == "2017年修正"


@pytest.mark.django_db
@pytest.mark.req("RSN-04")
@pytest.mark.parametrize(
    ("text", "on", "problem"),
    [
        ("《行政处罚法》第二十七条第一款第（二）项", ON, "not_in_force"),  # the 2017 text
        ("《中华人民共和国食品卫生法》第一条", ON, "not_in_force"),  # repealed 2009
        ("《行政处罚法》第三十二条", date(2017, 6, 1), "not_in_force"),  # before any version
        ("《行政处罚法》第三十二条第一款第（九）项", ON, "no_such_provision"),
        ("《中华人民共和国不存在法》第一条", ON, "unknown_law"),
        ("第三条", ON, "unreadable"),
    ],
)
def test_rejected_when_missing_or_not_in_force(library, text, on, problem):
    found = citation_resolve(text, on)
    assert found.problem == problem and found.message


MARKDOWN = """# 某某条例

## 第一章 总则

**第一条** 为了规范管理，制定本条例。

### 第二条
本条例适用于本县。
有下列情形之一的，从重处罚：
（一）屡教不改的；
（二）造成严重后果的：
1. 造成人员伤亡的；
2. 造成重大财产损失的。
前款规定以外的，依法处理。

第二条之一　新增的条文。
"""


def test_text_layout_is_read_into_paragraphs_items_and_sub_items():
    articles = text_parse(MARKDOWN)
    assert [(a.article, a.suffix) for a in articles] == [(1, 0), (2, 0), (2, 1)]
    second = articles[1]
    assert [p["text"] for p in second.paragraphs] == [
        "本条例适用于本县。",
        "有下列情形之一的，从重处罚：",
        "前款规定以外的，依法处理。",
    ]
    assert [i["text"] for i in second.paragraphs[1]["items"]] == [
        "（一）屡教不改的；",
        "（二）造成严重后果的：",
    ]
    assert second.paragraphs[1]["items"][1]["subs"] == [
        "1. 造成人员伤亡的；",
        "2. 造成重大财产损失的。",
    ]


@pytest.mark.django_db
def test_import_makes_a_row_per_level_and_resolves_sub_items(sysadmin):
    basis = legal_basis_import(
        actor=sysadmin,
        name="某某条例",
        version="2020年",
        level="local_regulation",
        effective_on=date(2020, 1, 1),
        text=MARKDOWN,
    )
    found = citation_resolve("《某某条例》第二条第二款第（二）项第2目", ON)
    assert found.ok and found.provision.text == "2. 造成重大财产损失的。"
    assert citation_resolve("《某某条例》第二条之一", ON).provision.text == "新增的条文。"
    assert Provision.objects.filter(basis=basis, paragraph__isnull=True).count() == 3
    assert LedgerEntry.objects.filter(action="legal_basis.import").count() == 1


def test_a_place_holds_one_provision_on_every_database(sysadmin):
    from django.db import IntegrityError, transaction

    basis = legal_basis_import(
        actor=sysadmin,
        name="某某条例",
        version="2020年",
        level="local_regulation",
        effective_on=date(2020, 1, 1),
        text=MARKDOWN,
    )
    article = Provision.objects.get(basis=basis, article=2, article_suffix=0, paragraph=None)
    paragraph = Provision.objects.filter(basis=basis, article=2, paragraph=2, item=None).get()
    for place in (article, paragraph):  # the empty levels count as the same place
        with pytest.raises(IntegrityError), transaction.atomic():
            Provision.objects.create(
                basis=basis,
                article=place.article,
                article_suffix=place.article_suffix,
                paragraph=place.paragraph,
                item=place.item,
                sub_item=place.sub_item,
                text="重复",
            )


@pytest.mark.django_db
def test_a_new_version_closes_the_old_one_and_bad_imports_change_nothing(sysadmin, build, county):
    legal_basis_import(
        actor=sysadmin,
        name="某某条例",
        version="2020年",
        level="local_regulation",
        effective_on=date(2020, 1, 1),
        text=MARKDOWN,
    )
    legal_basis_import(
        actor=sysadmin,
        name="某某条例",
        version="2025年",
        level="local_regulation",
        effective_on=date(2025, 1, 1),
        text="第一条　新的条文。",
    )
    old = LegalBasis.objects.get(version="2020年")
    assert old.repealed_on == date(2025, 1, 1)
    assert citation_resolve("《某某条例》第二条", ON).problem == "not_in_force"  # 2020 text only
    assert citation_resolve("《某某条例》第二条", date(2024, 1, 1)).ok
    rows, entries = Provision.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(Conflict):
        legal_basis_import(
            actor=sysadmin,
            name="某某条例",
            version="2025年",
            level="local_regulation",
            effective_on=date(2025, 1, 1),
            text="第一条　x",
        )
    with pytest.raises(Forbidden):
        legal_basis_import(
            actor=county.market_admin,
            name="别的条例",
            version="1",
            level="rule",
            effective_on=date(2025, 1, 1),
            text="第一条　x",
        )
    assert (Provision.objects.count(), LedgerEntry.objects.count()) == (rows, entries)
