"""SUP-04: agencies file their rules, AV list, templates and reviewer roster
with the 司法局, which accepts or returns them; an overview of every agency."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.supervision.models import Filing
from zhifa.supervision.services import filing_decide, filing_submit

pytestmark = pytest.mark.req("SUP-04")


def test_file_accept_and_return(build, county, market):
    upload = io.BytesIO(b"%PDF-1.4 rules")
    upload.name = "实施办法.pdf"
    filing = filing_submit(
        actor=market.leader,
        agency=county.market,
        kind="rules",
        title="三项制度实施办法",
        upload=upload,
    )
    assert filing.file is not None and filing.state == Filing.State.FILED
    roster = filing_submit(actor=market.leader, agency=county.market, kind="roster", title="")
    assert "审核员" in roster.content and roster.title == "法制审核人员名册"
    filing_decide(actor=county.supervisor, filing=filing, accept=True)
    with pytest.raises(Conflict):
        filing_decide(actor=county.supervisor, filing=filing, accept=False, comment="x")
    with pytest.raises(InvalidInput):
        filing_decide(actor=county.supervisor, filing=roster, accept=False)
    roster = filing_decide(actor=county.supervisor, filing=roster, accept=False, comment="缺职务")
    assert roster.state == Filing.State.RETURNED
    assert entries_for(roster).filter(action="filing.return").exists()
    assert entries_for(filing).filter(action="filing.accept").exists()


def test_refusals_change_nothing(build, county, market):
    before = LedgerEntry.objects.count()
    with pytest.raises(Forbidden):
        filing_submit(actor=market.lead, agency=county.market, kind="roster", title="")
    with pytest.raises(Forbidden):
        filing_submit(actor=county.safety_admin, agency=county.market, kind="roster", title="")
    with pytest.raises(InvalidInput):  # no AV list lines to generate from, no file
        filing_submit(actor=market.leader, agency=county.market, kind="av_list", title="")
    with pytest.raises(InvalidInput):
        filing_submit(actor=market.leader, agency=county.market, kind="nonsense", title="")
    assert LedgerEntry.objects.count() == before
    filing = filing_submit(actor=market.leader, agency=county.market, kind="roster", title="")
    with pytest.raises(Forbidden):
        filing_decide(actor=market.leader, filing=filing, accept=True)
    neighbour = build.county(code="990103", name="邻县").supervisor
    with pytest.raises(NotFound):
        filing_decide(actor=neighbour, filing=filing, accept=True)


def test_the_workbench_overview(county, market, client_for):
    leader = client_for(market.leader)
    url = "/workbench/supervision/filings/"
    upload = SimpleUploadedFile("文书式样.docx", b"PK template", content_type="application/zip")
    response = leader.post(url, {"kind": "templates", "title": "执法文书式样", "upload": upload})
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert leader.get(response["Location"] + "?download=1").status_code == 200
    sup = client_for(county.supervisor)
    page = sup.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and county.safety.name in body and "未报备" in body
    assert "重大执法决定法制审核目录" in body
    assert sup.get(f"{url}?export=xlsx").status_code == 200
    assert sup.post(f"{url}{filing.pk}/", {"accept": "0", "comment": "缺式样"}).status_code == 302
    assert Filing.objects.get().state == Filing.State.RETURNED
    assert client_for(county.safety_admin).get(f"{url}{filing.pk}/").status_code == 404
    assert client_for(market.lead).get(url).status_code == 404
