import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from zhifa.casefiles import services
from zhifa.casefiles.export import casefile_export
from zhifa.casefiles.models import CatalogueEntry
from zhifa.casefiles.testing import archive
from zhifa.casefiles.tests.helpers import blank_pdf
from zhifa.cases.models import Signature, Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-10"), pytest.mark.req("REC-11")]


def _open_zip(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def test_zip_holds_the_bound_pdf_every_original_and_a_matching_manifest(team, client_for):
    case = archive(team, advance_to(team, open_case(team), Stage.CLOSED))
    services.casefile_supplement(
        actor=team.lead,
        case=case,
        title="补交材料",
        stream=io.BytesIO(blank_pdf()),
        original_name="补交.pdf",
        note="归档后补交。",
    )
    response = client_for(team.lead).get(reverse("casefiles:zip", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response.streaming
    data = b"".join(response.streaming_content)
    archive_ = _open_zip(data)
    manifest = json.loads(archive_.read("manifest.json"))

    names = set(archive_.namelist()) - {"manifest.json"}
    assert names == {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        body = archive_.read(f["path"])
        assert hashlib.sha256(body).hexdigest() == f["sha256"], f["path"]
        assert hashlib.new("sm3", body).hexdigest() == f["sm3"], f["path"]
        assert len(body) == f["size"]

    case_file = case.case_file
    bound = f"{case.number}-案卷.pdf"
    assert bound in names
    assert next(f for f in manifest["files"] if f["path"] == bound)["sha256"] == (
        case_file.pdf.sha256
    )
    # Signature images of the records are there under readable names.
    signed = Signature.objects.filter(record__case=case, image__isnull=False)
    assert signed.exists()
    assert any(n.startswith("签名/") for n in names)
    assert any(n.startswith("补充材料/") for n in names)
    instruments = CatalogueEntry.objects.filter(case_file=case_file, kind="instrument")
    for e in instruments:
        assert any(n.startswith(f"文书/{e.position:03d}-") and n.endswith(".docx") for n in names)

    positions = [e["position"] for e in manifest["catalogue"]]
    assert positions == sorted(positions)
    assert manifest["catalogue"][-1]["added_after_archive"] is True
    assert manifest["case_file"]["archive_number"] == case_file.archive_number
    assert manifest["case"]["number"] == case.number

    entry = entries_for(case_file).filter(action="casefile.view").last()
    assert entry.payload["what"] == "zip"
    assert entry.actor_id == team.lead.pk


def test_pdf_download_is_recorded(team, client_for):
    case = advance_to(team, open_case(team), Stage.CLOSED)
    case_file = services.casefile_assemble(actor=team.lead, case=case)
    response = client_for(team.leader).get(reverse("casefiles:pdf", args=[case.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == case_file.pdf.sha256
    entry = entries_for(case_file).filter(action="casefile.view").last()
    assert entry.payload == {
        "case": case.number,
        "what": "pdf",
        "version": 1,
        "entry": None,
        "sha256": case_file.pdf.sha256,
    }
    assert entry.actor_id == team.leader.pk

    # The ZIP is produced in pieces, not held whole.
    pieces = list(casefile_export(case))
    assert len(pieces) > 2
    assert _open_zip(b"".join(pieces)).read("manifest.json")


def test_downloads_of_another_agency_are_404_and_not_recorded(build, county, team, client_for):
    from zhifa.cases.testing import team as make_team

    case = advance_to(team, open_case(team), Stage.CLOSED)
    case_file = services.casefile_assemble(actor=team.lead, case=case)
    other = make_team(build, county.safety)
    client = client_for(other.lead)
    for name in ("casefiles:pdf", "casefiles:zip", "casefiles:detail"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404
    assert not entries_for(case_file).filter(action="casefile.view").exists()
