from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhifa.casefiles import services
from zhifa.casefiles.models import CaseFile
from zhifa.casefiles.testing import archive, close
from zhifa.casefiles.tests.helpers import blank_pdf
from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.cases.timeline import timeline

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-10")]


@pytest.fixture
def closed(team):
    return advance_to(team, open_case(team), Stage.CLOSED)


def test_assemble_and_archive_through_the_pages(team, closed, client_for):
    client = client_for(team.lead)
    page = client.get(reverse("casefiles:detail", args=[closed.pk]))
    assert page.status_code == 200
    assert "尚未装订" in page.content.decode()
    assert reverse("casefiles:assemble", args=[closed.pk]) in page.content.decode()

    # GET asks for confirmation and changes nothing.
    confirm = client.get(reverse("casefiles:assemble", args=[closed.pk]))
    assert confirm.status_code == 200 and "确认装订" in confirm.content.decode()
    assert not CaseFile.objects.exists()

    done = client.post(reverse("casefiles:assemble", args=[closed.pk]), {"confirmed": "1"})
    assert done.status_code == 302
    case_file = CaseFile.objects.get(case=closed)
    page = client.get(reverse("casefiles:detail", args=[closed.pk])).content.decode()
    assert "卷内目录" in page and "立案审批" in page and "备考表" in page
    assert f"{case_file.pages}" in page

    archive_confirm = client.get(reverse("casefiles:archive", args=[closed.pk])).content.decode()
    assert "不可撤销" in archive_confirm
    done = client.post(reverse("casefiles:archive", args=[closed.pk]), {"confirmed": "1"})
    assert done.status_code == 302
    case_file.refresh_from_db()
    assert case_file.archived
    page = client.get(reverse("casefiles:detail", args=[closed.pk])).content.decode()
    assert case_file.archive_number in page
    assert reverse("casefiles:assemble", args=[closed.pk]) not in page
    assert reverse("casefiles:supplement", args=[closed.pk]) in page

    # A second archive through the page shows the service's message.
    again = client.post(reverse("casefiles:archive", args=[closed.pk]), {"confirmed": "1"})
    assert again.status_code == 200
    assert "不能重复归档" in again.content.decode()


def test_supplement_form_uploads_a_file(team, closed, client_for):
    case = archive(team, closed)
    client = client_for(team.lead)
    response = client.post(
        reverse("casefiles:supplement", args=[case.pk]),
        {
            "title": "补交的整改报告",
            "note": "当事人归档后提交。",
            "file": SimpleUploadedFile("整改报告.pdf", blank_pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    entry = case.case_file.entries.get(added_after_archive=True)
    assert entry.title == "补交的整改报告"
    page = client.get(reverse("casefiles:detail", args=[case.pk])).content.decode()
    assert "归档后补充" in page and "当事人归档后提交。" in page
    pdf = client.get(reverse("casefiles:entry-pdf", args=[case.pk, entry.pk]))
    assert pdf.status_code == 200


def test_pages_are_refused_to_whom_the_service_refuses(build, county, team, closed, client_for):
    other = make_team(build, county.safety)
    assert (
        client_for(other.lead).get(reverse("casefiles:detail", args=[closed.pk])).status_code == 404
    )
    reviewer = client_for(team.reviewer)
    # The reviewer reads the case file but may not bind it.
    assert reviewer.get(reverse("casefiles:detail", args=[closed.pk])).status_code == 200
    assert reviewer.get(reverse("casefiles:assemble", args=[closed.pk])).status_code == 403
    assert (
        reviewer.post(reverse("casefiles:assemble", args=[closed.pk]), {"confirmed": "1"})
    ).status_code == 403
    assert not CaseFile.objects.exists()


def test_case_page_panel_and_timeline_show_the_case_file(team, client_for):
    today = timezone.localdate()
    case = close(
        team,
        open_case(team, started_on=today - timedelta(days=40)),
        ended_on=today - timedelta(days=21),
    )
    page = client_for(team.lead).get(reverse("cases:case-detail", args=[case.pk]))
    html = page.content.decode()
    assert "尚未装订案卷" in html
    assert "归档逾期" in html
    assert reverse("casefiles:detail", args=[case.pk]) in html

    services.casefile_assemble(actor=team.lead, case=case)
    services.casefile_archive(actor=team.lead, case=case)
    case.refresh_from_db()
    html = client_for(team.lead).get(reverse("cases:case-detail", args=[case.pk]))
    html = html.content.decode()
    assert "已归档，档案号" in html and "归档逾期" not in html
    titles = [e.title for e in timeline(case)]
    assert "装订案卷（第 1 版）" in titles
    assert "进入归档环节" in titles


def test_overdue_and_list_pages(team, client_for):
    today = timezone.localdate()
    late = close(
        team,
        open_case(team, started_on=today - timedelta(days=40)),
        ended_on=today - timedelta(days=21),
    )
    on_time = close(team, open_case(team, title="按期案件"))
    client = client_for(team.leader)
    overdue = client.get(reverse("casefiles:overdue")).content.decode()
    assert "归档逾期" in overdue
    assert late.number in overdue and on_time.number not in overdue
    listing = client.get(reverse("casefiles:list")).content.decode()
    assert late.number in listing and on_time.number in listing
    filtered = client.get(reverse("casefiles:list") + "?state=overdue").content.decode()
    assert late.number in filtered and on_time.number not in filtered
    export = client.get(reverse("casefiles:overdue") + "?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
