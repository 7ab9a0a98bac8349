"""Remedy outcomes through the workbench and the API: recording with
confirmation, the case page's panel, the agency's list with Excel export, and
the refusals (plain officers, other agencies, the portal's anonymous visitor)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.disclosures.models import Disclosure
from zhifa.ledger.models import LedgerEntry
from zhifa.remedies.models import Remedy
from zhifa.remedies.tests.test_services import published_decision
from zhifa.supervision.testing import decided_case

pytestmark = [pytest.mark.django_db, pytest.mark.req("SUP-03"), pytest.mark.req("PUB-09")]
TODAY = timezone.localdate()


def form(**kw):
    return {
        "channel": "reconsideration",
        "instance": "",
        "outcome": "revoked",
        "body": "示范县人民政府",
        "document_number": "示政复决〔2026〕9号",
        "filed_on": TODAY.isoformat(),
        "decided_on": TODAY.isoformat(),
        "summary": "撤销原处罚决定。",
        "correction_reason": "",
        "confirmed": "on",
        **kw,
    }


def test_the_legal_unit_records_an_outcome_on_the_workbench(market, client_for):
    case, record = decided_case(market)
    item = published_decision(market, case, record)
    client = client_for(market.reviewer)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "行政复议、行政诉讼与自行纠正" in page and "没有登记" in page
    url = reverse("remedies:create", args=[case.pk])
    # Without the confirmation nothing is written.
    page = client.post(url, form(confirmed="")).content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    assert not Remedy.objects.exists()
    # A bad date: the service's Chinese message on the form, nothing written.
    page = client.post(url, form(decided_on="2001-01-01")).content.decode()
    assert "不能早于本案执法决定的日期" in page and not Remedy.objects.exists()
    response = client.post(url, form(), follow=True)
    page = response.content.decode()
    assert "已登记：行政复议撤销。本案已公示的行政执法决定 1 项已撤下。" in page
    remedy = Remedy.objects.get()
    item.refresh_from_db()
    assert item.status == Disclosure.Status.WITHDRAWN
    # The case page shows it, and the supersede form concludes or corrects it.
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "行政复议撤销" in page
    page = client.get(reverse("remedies:case", args=[case.pk])).content.decode()
    assert "示政复决〔2026〕9号" in page and "更正" in page
    supersede = reverse("remedies:supersede", args=[case.pk, remedy.pk])
    page = client.post(supersede, form(outcome="varied")).content.decode()
    assert "请说明更正原因" in page
    client.post(supersede, form(outcome="varied", correction_reason="结果录入有误"))
    assert Remedy.objects.filter(superseded_by__isnull=True).get().outcome == "varied"


def test_a_plain_officer_sees_but_may_not_record(market, client_for):
    case, _ = decided_case(market)
    client = client_for(market.lead)
    page = client.get(reverse("remedies:case", args=[case.pk])).content.decode()
    assert "登记结果" not in page
    assert client.get(reverse("remedies:create", args=[case.pk])).status_code == 403
    assert client.post(reverse("remedies:create", args=[case.pk]), form()).status_code == 403
    assert not Remedy.objects.exists()


def test_another_agency_cannot_see_the_case(market, safety, client_for):
    case, _ = decided_case(market)
    client = client_for(safety.reviewer)
    for name in ("remedies:case", "remedies:create"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
    assert client.post(reverse("remedies:create", args=[case.pk]), form()).status_code == 404
    assert not Remedy.objects.exists()


def test_the_list_is_scoped_filtered_and_exported(market, safety, client_for):
    from zhifa.supervision.tests.test_annual import record_remedy

    mine, _ = decided_case(market)
    record_remedy(market, mine, "reconsideration", "revoked")
    upheld, _ = decided_case(market, title="另一案")
    record_remedy(market, upheld, "litigation", "upheld")
    theirs, _ = decided_case(safety)
    record_remedy(safety, theirs, "self_correction", "varied")
    client = client_for(market.reviewer)
    page = client.get(reverse("remedies:list")).content.decode()
    assert mine.number in page and upheld.number in page
    assert "自行纠正" not in page.split("<table")[1]  # the safety agency's entry is not listed
    page = client.get(reverse("remedies:list"), {"outcome": "upheld"}).content.decode()
    table = page.split('id="list-table"')[1]
    assert "维持" in table and "撤销" not in table
    response = client.get(reverse("remedies:list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][4] == "结果" and {r[4] for r in rows[1:]} == {"撤销", "维持"}


def test_the_api_records_lists_and_refuses(market, safety, client_for):
    case, record = decided_case(market)
    item = published_decision(market, case, record)
    body = {
        "case": case.pk,
        "channel": "litigation",
        "instance": "first",
        "outcome": "confirmed_illegal",
        "body": "示范县人民法院",
        "document_number": "（2026）示0101行初5号",
        "filed_on": TODAY.isoformat(),
        "decided_on": TODAY.isoformat(),
    }
    url = reverse("api:remedy-list")
    # A plain officer of the agency: 403; another agency's legal unit: 404.
    response = client_for(market.lead).post(url, body, content_type="application/json")
    assert response.status_code == 403 and "法制机构人员或机关负责人" in response.json()["detail"]
    response = client_for(safety.reviewer).post(url, body, content_type="application/json")
    assert response.status_code == 404
    bad = {**body, "decided_on": "2001-01-01"}
    response = client_for(market.reviewer).post(url, bad, content_type="application/json")
    assert response.status_code == 400 and "不能早于" in str(response.json())
    assert not Remedy.objects.exists()

    client = client_for(market.reviewer)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["changes_decision"] and made["withdrawn_disclosures"] == [item.pk]
    looks = LedgerEntry.objects.filter(action="case.view").count()
    listed = client.get(url, {"case": case.pk}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [made["id"]]
    assert LedgerEntry.objects.filter(action="case.view").count() == looks + 1
    assert client_for(safety.reviewer).get(url).json() in (
        [],
        {"count": 0, "next": None, "previous": None, "results": []},
    )
    assert client.logout() is None
    assert client.get(url).status_code in (401, 403)
