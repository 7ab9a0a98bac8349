"""Workbench pages: issuing with confirmation, the instrument page and its
downloads, templates, number formats and form batches."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.cases.timeline import timeline
from zhifa.instruments.models import DocumentNumberPattern, Instrument, OnSpotFormBatch
from zhifa.instruments.services import default_template_bytes
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_issue_with_confirmation_then_view_and_download(team, client_for, build, county):
    case = open_case(team)
    case = advance_to(team, case, Stage.DECISION)
    add(team, case, "decision")
    client = client_for(team.lead)

    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "制作行政处罚决定书" in page
    url = reverse("instruments:issue", args=[case.pk, "decision"])
    page = client.get(url).content.decode()
    assert "将自动取得文号" in page and "罚〔" in page and "确认制作" in page

    response = client.post(url, {"record": case.records.get(kind="decision").pk})
    instrument = Instrument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("instruments:detail", args=[instrument.pk])
    detail = client.get(response["Location"]).content.decode()
    assert instrument.number in detail and instrument.pdf.sha256 in detail
    assert "更正（重新制作）" in detail

    pdf = client.get(reverse("instruments:download", args=[instrument.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = client.get(reverse("instruments:download", args=[instrument.pk, "docx"]))
    assert "attachment" in docx["Content-Disposition"]
    views = LedgerEntry.objects.filter(action="instrument.view", object_id=str(instrument.pk))
    assert sorted(v.payload["format"] for v in views) == ["docx", "pdf"]

    # On the case: the timeline entry and the panel's list.
    entry = next(e for e in timeline(case) if e.kind == "instrument")
    assert entry.title == "制作行政处罚决定书" and instrument.number in entry.detail
    assert entry.url == reverse("instruments:detail", args=[instrument.pk])
    panel = client.get(reverse("instruments:case", args=[case.pk])).content.decode()
    assert instrument.number in panel and "制作行政处罚事先告知书" in panel

    # Issuing it again from the form is refused with the service's message.
    again = client.post(url, {"record": case.records.get(kind="decision").pk}).content.decode()
    assert "本案已制作行政处罚决定书" in again
    assert Instrument.objects.count() == 1

    # Not a handler: no form; another agency: not found.
    other = build.officer(case.agency, name="旁人")
    assert client_for(other.user).get(url).status_code in (403, 404)
    stranger = build.officer(county.safety, name="外机关")
    client = client_for(stranger.user)
    assert client.get(reverse("instruments:detail", args=[instrument.pk])).status_code == 404
    download = reverse("instruments:download", args=[instrument.pk, "pdf"])
    assert client.get(download).status_code == 404


def test_templates_pages_for_the_agency_admin(team, county, client_for):
    client = client_for(county.market_admin)
    page = client.get(reverse("instruments:template-list")).content.decode()
    assert "行政处罚决定书" in page and "系统默认模板" in page and "r.discretion" in page
    default = client.get(reverse("instruments:template-default", args=["decision"]))
    assert default.content == default_template_bytes("decision")

    upload = reverse("instruments:template-upload")
    bad = client.post(
        upload,
        {
            "agency": team.agency.pk,
            "kind": "interview",
            "file": SimpleUploadedFile("a.docx", b"not a docx"),
        },
    )
    assert "不是有效的 Word 文档" in bad.content.decode()
    good = client.post(
        upload,
        {
            "agency": team.agency.pk,
            "kind": "interview",
            "name": "本局询问笔录",
            "file": SimpleUploadedFile("a.docx", default_template_bytes("interview")),
        },
    )
    assert good.status_code == 302
    page = client.get(reverse("instruments:template-list")).content.decode()
    assert "本局询问笔录" in page

    assert client_for(team.lead).get(reverse("instruments:template-list")).status_code == 403


def test_number_format_and_form_batch_pages(team, county, client_for):
    client = client_for(county.market_admin)
    page = client.get(reverse("instruments:pattern-list")).content.decode()
    assert "{abbr}罚〔{year}〕{n}号" in page and "预印编号" in page
    url = reverse("instruments:pattern-set", args=[team.agency.pk, "decision"])
    bad = client.post(url, {"pattern": "{abbr}罚号", "abbr": ""}).content.decode()
    assert "须包含 {year}" in bad
    assert (
        client.post(url, {"pattern": "{abbr}罚〔{year}〕{n}号", "abbr": "示市监"}).status_code
        == 302
    )
    assert DocumentNumberPattern.objects.get().abbr == "示市监"
    assert client.post(url, {"reset": "1"}).status_code == 302
    assert not DocumentNumberPattern.objects.exists()

    client = client_for(team.leader)
    created = client.post(
        reverse("instruments:batch-create"),
        {
            "agency": team.agency.pk,
            "officer": team.officers[0].pk,
            "prefix": "浙A",
            "first": 1,
            "last": 100,
        },
    )
    assert created.status_code == 302
    assert OnSpotFormBatch.objects.get().form_number(5) == "浙A005"
    page = client_for(team.lead).get(reverse("instruments:batch-list")).content.decode()
    assert "浙A001" in page  # the officer sees the forms issued to them
    assert client_for(team.lead).get(reverse("instruments:batch-create")).status_code == 403
