import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.casefiles import services
from zhifa.casefiles.models import CaseFile
from zhifa.casefiles.testing import archive
from zhifa.casefiles.tests.helpers import blank_pdf
from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-10")]


class CaseFileEndpoint:
    """A case file is addressed by its case's id."""

    list_url_name = "api:casefile-list"

    def make_object(self, build, county):
        county.team = make_team(build, county.market)
        case = advance_to(county.team, open_case(county.team), Stage.CLOSED)
        return services.casefile_assemble(actor=county.team.lead, case=case)

    def allowed_user(self, county):
        return county.team.lead

    def other_user(self, county):
        return county.safety_admin

    def detail_url(self, obj):
        return reverse("api:casefile-detail", args=[obj.case_id])

    def write_url(self, obj):
        return reverse(f"api:casefile-{self.write_action}", args=[obj.case_id])


class TestCaseFileRead(CaseFileEndpoint, APIReadTests):
    def test_detail_has_the_catalogue(self, client, county, obj):
        client.force_login(self.allowed_user(county))
        body = client.get(self.detail_url(obj)).json()
        assert body["case"] == obj.case_id
        assert body["pdf_sha256"] == obj.pdf.sha256
        kinds = [e["kind"] for e in body["catalogue"]]
        assert kinds[:2] == ["cover", "catalogue"] and kinds[-1] == "remarks"
        assert body["catalogue"][-1]["page_last"] == body["pages"]


class TestCaseFileArchive(CaseFileEndpoint, APIWriteTests):
    write_action = "archive"
    ledger_action = "casefile.archive"

    def write_payload(self, county, obj):
        return {}


class TestCaseFileAssemble(CaseFileEndpoint, APIWriteTests):
    """Binding again before the archive: a new version."""

    write_action = "assemble"
    ledger_action = "casefile.assemble"

    def write_payload(self, county, obj):
        return {}


def test_assemble_makes_the_case_file_and_refuses_an_open_case(team, client_for):
    client = client_for(team.lead)
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    refused = client.post(reverse("api:casefile-assemble", args=[case.pk]))
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_closed"
    case = advance_to(team, case, Stage.CLOSED)
    made = client.post(reverse("api:casefile-assemble", args=[case.pk]))
    assert made.status_code == 201
    assert made.json()["version"] == 1
    assert CaseFile.objects.get(case=case).pk == made.json()["id"]


def test_not_assembled_is_404_and_reviewer_may_not_assemble(team, client_for):
    case = advance_to(team, open_case(team), Stage.CLOSED)
    reviewer = client_for(team.reviewer)
    assert reviewer.get(reverse("api:casefile-detail", args=[case.pk])).status_code == 404
    assert reviewer.post(reverse("api:casefile-assemble", args=[case.pk])).status_code == 403


def test_supplement_and_downloads(team, client_for):
    case = archive(team, advance_to(team, open_case(team), Stage.CLOSED))
    client = client_for(team.lead)
    made = client.post(
        reverse("api:casefile-supplements", args=[case.pk]),
        {
            "title": "补交材料",
            "note": "归档后补交。",
            "file": SimpleUploadedFile("a.pdf", blank_pdf(3), "application/pdf"),
        },
    )
    assert made.status_code == 201, made.content.decode()
    assert made.json()["added_after_archive"] is True
    assert made.json()["page_last"] - made.json()["page_first"] == 2

    bad = client.post(
        reverse("api:casefile-supplements", args=[case.pk]),
        {"title": "", "note": "x", "file": SimpleUploadedFile("a.pdf", blank_pdf())},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "title_required"

    pdf = client.get(reverse("api:casefile-pdf", args=[case.pk]))
    assert pdf.status_code == 200
    body = b"".join(pdf.streaming_content)
    assert hashlib.sha256(body).hexdigest() == case.case_file.pdf.sha256
    zipped = client.get(reverse("api:casefile-zip", args=[case.pk]))
    assert zipped.status_code == 200
    assert b"".join(zipped.streaming_content)[:2] == b"PK"
    views = entries_for(case.case_file).filter(action="casefile.view")
    assert [e.payload["what"] for e in views] == ["pdf", "zip"]


def test_overdue_endpoint(team, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.casefiles.testing import close

    today = timezone.localdate()
    late = close(
        team,
        open_case(team, started_on=today - timedelta(days=40)),
        ended_on=today - timedelta(days=30),
    )
    body = client_for(team.lead).get(reverse("api:casefile-overdue")).json()
    assert [row["id"] for row in body["results"]] == [late.pk]
    assert body["results"][0]["archive_due_on"] == str(today - timedelta(days=10))
