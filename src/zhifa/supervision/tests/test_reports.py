"""PUB-11: last year's statistics report is generated, stored and filed with
the 司法局, published through the disclosure pipeline, and a daily job and the
dashboard remind agencies from 1 January until both are done."""

import types
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import zhifa.supervision.services
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.disclosures import services as disclosures
from zhifa.disclosures.models import Disclosure
from zhifa.ledger.models import LedgerEntry
from zhifa.supervision.models import AnnualReminder, AnnualReport
from zhifa.supervision.services import annual_pending, annual_report_file, annual_report_publish

pytestmark = pytest.mark.req("PUB-11")
YEAR = timezone.localdate().year


@pytest.fixture
def january(monkeypatch):
    """The services believe it is 5 January of next year."""
    fake = types.SimpleNamespace(
        now=timezone.now,
        localdate=lambda *a: date(YEAR + 1, 1, 5) if not a else timezone.localdate(*a),
        localtime=timezone.localtime,
    )
    monkeypatch.setattr(zhifa.supervision.services, "timezone", fake)
    return fake


def test_reminders_filing_and_publication(build, county, market, january, client_for):
    out = StringIO()
    call_command("annual_reminders", stdout=out)
    text = out.getvalue()
    assert county.market.name in text and county.safety.name in text and "新发提醒 4 条" in text
    call_command("annual_reminders", stdout=StringIO())
    assert AnnualReminder.objects.count() == 4  # once a day
    leader = client_for(market.leader)
    page = leader.get("/workbench/supervision/").content.decode()
    assert 'id="annual-reminder"' in page and "尚未报送司法局" in page

    response = leader.post("/workbench/supervision/reports/", {"action": "file", "year": YEAR})
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert report.pdf.content_type == "application/pdf" and "decided" in report.summary
    pending = {(a.pk, kind) for a, _y, kind, _d in annual_pending(date(YEAR + 1, 1, 5))}
    assert (county.market.pk, "file") not in pending and (county.market.pk, "publish") in pending
    pdf = leader.get(f"/workbench/supervision/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")

    leader.post("/workbench/supervision/reports/", {"action": "publish", "report": report.pk})
    report.refresh_from_db()
    item = report.disclosure
    assert item.kind == Disclosure.Kind.EX_ANTE and item.status == Disclosure.Status.IN_REVIEW
    legal = build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    disclosures.disclosure_publish(actor=legal.user, disclosure=item)
    pending = {(a.pk, kind) for a, _y, kind, _d in annual_pending(date(YEAR + 1, 1, 5))}
    assert not {k for k in pending if k[0] == county.market.pk}
    assert (county.safety.pk, "file") in pending
    assert annual_pending(date(YEAR + 1, 2, 1)) == []
    # The 司法局 sees the stored reports; another agency does not.
    sup = client_for(county.supervisor)
    assert county.market.name in sup.get("/workbench/supervision/reports/").content.decode()
    other = client_for(county.safety_admin)
    assert other.get(f"/workbench/supervision/reports/{report.pk}/pdf/").status_code == 404


def test_refusals_change_nothing(county, market, january):
    before = LedgerEntry.objects.count()
    with pytest.raises(Forbidden):
        annual_report_file(actor=market.lead, agency=county.market, year=YEAR)
    with pytest.raises(Forbidden):
        annual_report_file(actor=county.safety_admin, agency=county.market, year=YEAR)
    with pytest.raises(InvalidInput):
        annual_report_file(actor=market.leader, agency=county.market, year=YEAR + 1)
    assert LedgerEntry.objects.count() == before and not AnnualReport.objects.exists()
    report = annual_report_file(actor=market.leader, agency=county.market, year=YEAR)
    with pytest.raises(Conflict):
        annual_report_file(actor=market.leader, agency=county.market, year=YEAR)
    with pytest.raises(Forbidden):
        annual_report_publish(actor=county.safety_admin, report=report)
