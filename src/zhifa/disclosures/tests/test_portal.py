"""The portal pages (PUB-02, PUB-04, PUB-09, PUB-12): agency pages show only the
public officer fields, Chinese search finds names and two-character words,
filters and stable pagination, Atom feed, JSON API, 双公示 exports, takedown log."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts.services import officer_create
from zhifa.disclosures import exchange, search, services
from zhifa.disclosures.tests.conftest import decision

pytestmark = pytest.mark.django_db


def publish(desk, **kw):
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=decision(desk, **kw)
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    return services.disclosure_publish(actor=desk.legal, disclosure=item)


@pytest.mark.req("PUB-02")
def test_agency_page_lists_officers_with_public_fields_only(desk, client, county, build):
    officer = officer_create(
        actor=build.sysadmin,
        agency=county.market,
        username="li",
        name="李执法",
        unit=county.market_unit,
        phone="13912345678",
        id_number="11010519491231002X",
        roles=("officer",),
    )
    credential = build.credential(officer)
    build.officer(county.market, name="王暂扣", credential="suspended")
    page = client.get(reverse("portal:agency-detail", args=[county.market.pk])).content.decode()
    assert "李执法" in page and credential.number in page and "执法大队" in page
    assert "13912345678" not in page and "11010519491231002X" not in page
    assert "王暂扣" not in page  # only holders of a valid credential are listed
    assert "销售超过保质期的食品" in page  # the matters list
    found = client.get(
        reverse("portal:agency-detail", args=[county.market.pk]), {"mq": "不存在的事项"}
    )
    assert "没有符合条件的执法事项" in found.content.decode()


@pytest.mark.req("PUB-12")
@pytest.mark.parametrize("broad", [2000, 1], ids=["index", "walk"])
def test_search_finds_names_two_character_words_and_numbers(desk, client, monkeypatch, broad):
    # Both ways of answering (a narrow query through the index, a broad one by
    # walking the list) give the same results.
    monkeypatch.setattr(search, "BROAD_MATCHES", broad)
    monkeypatch.setattr(search, "_pg_is_broad", lambda terms: broad == 1)
    item = publish(
        desk,
        natural=False,
        decided_on=timezone.localdate(),
        facts="示范县好味食品有限公司销售过期牛奶，对张三作出罚款",
    )
    other = publish(
        desk,
        decided_on=timezone.localdate(),
        document_number="B-2",
        facts="未按规定公示价格",
        conclusion="罚款200元",
    )
    url = reverse("portal:decision-list")
    for query, expected in [
        ("好味", [item]),
        ("罚款", [item, other]),  # 罚款 is in both conclusions
        ("牛奶", [item]),
        ("张三", [item]),  # rjieba alone splits 对张 / 三
        ("价格", [other]),
        ("B-2", [other]),
        ("91110000600037341L", [item]),
        ("好味 牛奶", [item]),
        ("不存在的词", []),
    ]:
        page = client.get(url, {"q": query}).context["page"]
        assert sorted(d.pk for d in page.object_list) == sorted(d.pk for d in expected), query
    assert search.query_terms("张三丰") == ["张三", "三丰"]


@pytest.mark.req("PUB-12")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_postgresql_judges_a_query_broad_by_the_columns_statistics(desk, monkeypatch):
    for n in range(30):
        publish(desk, document_number=f"S-{n}", facts=f"销售过期牛奶第{n}批", conclusion="罚款")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosures_disclosure")
    monkeypatch.setattr(search, "PG_BROAD_MATCHES", 20)
    assert search._pg_is_broad(["牛奶"]) and search._pg_is_broad(["过期", "牛奶"])
    assert not search._pg_is_broad(["不存"])  # in no item
    assert not search._pg_is_broad(["牛奶", "9111"])  # a prefix has no statistics
    monkeypatch.setattr(search, "PG_BROAD_MATCHES", 31)
    assert not search._pg_is_broad(["牛奶"])
    # Broad or not, the same items, newest first.
    from zhifa.disclosures import selectors

    found = [
        list(selectors.published_decisions(selectors.DecisionFilters(query="过期牛奶")))
        for _ in (0, 1)
    ]
    monkeypatch.setattr(search, "PG_BROAD_MATCHES", 10**9)
    found.append(list(selectors.published_decisions(selectors.DecisionFilters(query="过期牛奶"))))
    assert len(found[0]) == 30 and found[0] == found[2]


@pytest.mark.req("PUB-12")
def test_filters_and_stable_pagination(desk, client):
    items = [
        publish(
            desk,
            natural=False,
            decided_on=date(2026, 11, 2 + n % 3),
            document_number=f"N{n}",
            fine_amount=Decimal(1000 * n),
            action_kind="penalty" if n % 2 else "licensing",
        )
        for n in range(1, 26)
    ]
    url = reverse("portal:decision-list")
    first = client.get(url).context["page"]
    second = client.get(url, {"page": 2}).context["page"]
    seen = [d.pk for d in first.object_list] + [d.pk for d in second.object_list]
    assert sorted(seen) == sorted(d.pk for d in items)  # every item once, none twice
    assert seen == [d.pk for d in sorted(items, key=lambda d: (d.decided_on, d.pk), reverse=True)]
    got = client.get(url, {"category": "licensing", "amount_min": "10000", "to": "2026-11-03"})
    expected = {
        d.pk
        for d in items
        if d.action_kind == "licensing"
        and d.fine_amount >= 10000
        and d.decided_on <= date(2026, 11, 3)
    }
    assert {d.pk for d in got.context["page"].object_list} == expected
    other = client.get(url, {"agency": desk.outsider.officer.agency_id}).context["page"]
    assert other.object_list == [] and not other.has_next()
    assert first.has_next() and not second.has_next() and second.has_previous()


@pytest.mark.req("PUB-12")
def test_atom_feed_and_json_api_are_public(desk, client):
    item = publish(desk, decided_on=timezone.localdate())
    feed = client.get(reverse("portal:decision-feed"))
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert item.title in feed.content.decode()
    api = client.get(reverse("api:disclosure-list"))
    assert api.status_code == 200
    row = api.json()["results"][0]
    assert row["party_name"] == "张某某" and row["document_number"] == item.document_number
    assert "private_names" not in row and "redactions" not in row
    assert client.get(reverse("api:disclosure-detail", args=[item.pk])).status_code == 200


@pytest.mark.req("PUB-12")
def test_shuang_gongshi_exports_have_the_field_layout(desk, client):
    publish(desk, natural=False, decided_on=timezone.localdate())
    response = client.get(reverse("portal:decision-export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert tuple(rows[0]) == exchange.PENALTY_HEADERS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["行政相对人名称"] == "示范县好味食品有限公司"
    assert record["行政相对人类别"] == "法人及非法人组织"
    assert record["统一社会信用代码"] == "91110000600037341L"
    assert record["法定代表人"] == "王五"
    assert record["罚款金额(万元)"] == "0.500000"
    assert record["处罚类别"] == "罚款"
    assert record["处罚机关"] == desk.agency.name
    xlsx = client.get(reverse("portal:decision-export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert tuple(c.value for c in sheet[1]) == exchange.PENALTY_HEADERS
    licences = client.get(reverse("portal:decision-export", args=["csv"]), {"layout": "licence"})
    assert "行政许可决定文书号" in b"".join(licences.streaming_content).decode("utf-8-sig")
    assert client.get(reverse("portal:decision-export", args=["pdf"])).status_code == 404


@pytest.mark.req("PUB-12")
def test_exports_are_bounded_in_rows_and_per_visitor(desk, client, settings):
    url = reverse("portal:decision-export", args=["xlsx"])
    publish(desk, decided_on=timezone.localdate())
    publish(desk, decided_on=timezone.localdate(), document_number="示市监罚〔2026〕13号")
    settings.ZHIFA_DISCLOSURE_EXPORT_MAX_ROWS = 1
    refused = client.get(url)
    assert refused.status_code == 400 and "超过 1 条" in refused.content.decode()
    narrowed = client.get(url, {"q": "示市监罚〔2026〕13号"})
    assert narrowed.status_code == 200
    settings.ZHIFA_DISCLOSURE_EXPORT_MAX_ROWS = 2
    settings.ZHIFA_DISCLOSURE_EXPORT_RATE_PER_HOUR = 3
    assert client.get(url).status_code == 200  # the third export of the hour
    limited = client.get(url)
    assert limited.status_code == 429 and "导出过于频繁" in limited.content.decode()


@pytest.mark.req("PUB-09")
def test_takedown_log_shows_what_when_why_but_not_the_content(desk, client):
    item = publish(desk, decided_on=timezone.localdate())
    detail = reverse("portal:decision-detail", args=[item.pk])
    assert client.get(detail).status_code == 200
    services.disclosure_withdraw(actor=desk.legal, disclosure=item, reason="原决定已被撤销")
    assert client.get(detail).status_code == 404
    log = client.get(reverse("portal:takedown-list")).content.decode()
    assert item.document_number in log and "原决定已被撤销" in log
    assert "过期牛奶" not in log


@pytest.mark.req("PUB-08")
def test_an_item_past_its_display_period_is_gone_from_the_portal(desk, client):
    item = publish(desk, decided_on=timezone.localdate())
    type(item).objects.filter(pk=item.pk).update(display_until=date(2026, 1, 1))
    assert client.get(reverse("portal:decision-detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("api:disclosure-list")).json()["count"] == 0


def test_agency_column_can_be_embedded(desk, client):
    item = publish(desk, decided_on=timezone.localdate())
    response = client.get(reverse("portal:agency-embed", args=[desk.agency.pk]))
    assert "X-Frame-Options" not in response
    assert item.document_number in response.content.decode()


def test_drafts_never_show_on_the_portal(desk, client):
    item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=decision(desk))
    assert client.get(reverse("portal:decision-detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("api:disclosure-detail", args=[item.pk])).status_code == 404


@pytest.mark.req("PUB-09")
@pytest.mark.req("PUB-12")
def test_the_cached_list_never_serves_a_withdrawn_decision(
    desk, client, django_assert_max_num_queries
):
    url = reverse("portal:decision-list")
    item = publish(desk, decided_on=timezone.localdate())
    assert "示市监罚〔2026〕12号" in client.get(url).content.decode()
    with django_assert_max_num_queries(2):  # the publication mark only
        assert "示市监罚〔2026〕12号" in client.get(url).content.decode()
    services.disclosure_withdraw(actor=desk.leader, disclosure=item, reason="原决定已被撤销")
    assert "示市监罚〔2026〕12号" not in client.get(url).content.decode()
    publish(desk, decided_on=timezone.localdate(), document_number="示市监罚〔2026〕13号")
    assert "示市监罚〔2026〕13号" in client.get(url).content.decode()
    # A signed-in visitor is always served a freshly rendered page.
    client.force_login(desk.legal)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert "示市监罚〔2026〕13号" in client.get(url).content.decode()
    assert len(queries) > 2
