"""Legal advisers' and public lawyers' written opinions and the legal unit's
re-check (REV-02): invited, recorded and re-checked before the round's opinion,
printed in the 法制审核意见书; through the workbench and the API."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import services
from zhifa.reviews.models import AdviserOpinion, LegalReview, ReviewPoint
from zhifa.reviews.testing import ALL_OK, decide, submit

from .test_api import api

pytestmark = [pytest.mark.django_db, pytest.mark.req("REV-02")]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _docx_text(stored) -> str:
    document = docx.Document(io.BytesIO(services.stored_bytes(stored)))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _decide_form() -> dict:
    form = {"opinion": "agree", "text": "同意", "adviser_opinions": ""}
    return form | {f"f_{p}": "ok" for p in ReviewPoint.values}


def test_advisers_on_the_workbench(major_case, team):
    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    reviewer = login(team.reviewer)
    case_url = reverse("reviews:case", args=[major_case.pk])
    assert "邀请法律顾问、公职律师" in reviewer.get(case_url).content.decode()
    invite = reverse("reviews:adviser-invite", args=[s.pk])
    # The handler cannot invite.
    response = login(team.lead).post(
        invite, {"kind": "adviser", "name": "王律师", "organisation": "某律师事务所"}
    )
    assert "只有本机关的法制审核人员可以审核" in response.content.decode()
    response = reviewer.post(
        invite, {"kind": "adviser", "name": "王律师", "organisation": "某律师事务所"}
    )
    assert response.status_code == 302
    response = reviewer.post(
        invite, {"kind": "public_lawyer", "name": "李公职", "organisation": "县司法局"}
    )
    assert response.status_code == 302
    wang, li = AdviserOpinion.objects.order_by("pk")
    assert wang.invited_by_name == "审核员" and li.get_kind_display() == "公职律师"
    # The round's opinion is refused while an opinion is missing.
    response = reviewer.post(reverse("reviews:decide", args=[s.pk]), _decide_form())
    text = response.content.decode()
    assert response.status_code == 200 and "书面意见尚未录入" in text and "王律师" in text
    # Re-checking before the opinion is recorded is refused.
    response = reviewer.post(
        reverse("reviews:adviser-recheck", args=[wang.pk]), {"recheck": "adopted", "reason": "x"}
    )
    assert "尚未出具书面意见" in response.content.decode()
    # An opinion needs text or the original.
    url = reverse("reviews:adviser-opinion", args=[wang.pk])
    assert "请填写书面意见或上传" in reviewer.post(url, {"text": ""}).content.decode()
    response = reviewer.post(url, {"text": "处罚幅度偏重，建议按基准下限。"})
    assert response.status_code == 302
    original = SimpleUploadedFile("意见.pdf", b"%PDF-1.4 opinion", content_type="application/pdf")
    response = reviewer.post(
        reverse("reviews:adviser-opinion", args=[li.pk]), {"text": "", "document": original}
    )
    assert response.status_code == 302
    li.refresh_from_db()
    assert li.document is not None and li.text == ""
    download = reviewer.get(reverse("reviews:adviser-document", args=[li.pk]))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 opinion"
    # Still refused: neither opinion is re-checked.
    response = reviewer.post(reverse("reviews:decide", args=[s.pk]), _decide_form())
    assert "书面意见尚未复核" in response.content.decode()
    recheck = reverse("reviews:adviser-recheck", args=[wang.pk])
    response = reviewer.post(recheck, {"recheck": "partly", "reason": ""})
    assert "复核理由不能为空" in response.content.decode()
    assert (
        reviewer.post(
            recheck, {"recheck": "partly", "reason": "裁量基准下限不适用于再犯"}
        ).status_code
        == 302
    )
    response = reviewer.post(
        reverse("reviews:adviser-recheck", args=[li.pk]),
        {"recheck": "adopted", "reason": "意见正确"},
    )
    assert response.status_code == 302
    # Re-checked once only.
    response = reviewer.post(recheck, {"recheck": "adopted", "reason": "改"})
    assert "已复核" in response.content.decode()
    # Now the opinion is given, and prints the advisers with the re-checks.
    assert reviewer.post(reverse("reviews:decide", args=[s.pk]), _decide_form()).status_code == 302
    review = LegalReview.objects.get()
    printed = _docx_text(review.copy_archive)
    assert "法律顾问王律师（某律师事务所）意见：处罚幅度偏重" in printed
    assert "复核：部分采纳。裁量基准下限不适用于再犯" in printed
    assert "公职律师李公职（县司法局）意见：（见书面意见原件）" in printed
    page = login(team.lead).get(case_url).content.decode()
    assert "已复核：部分采纳" in page and "裁量基准下限不适用于再犯" in page
    assert "复核王律师的意见：部分采纳" in page  # in the responsibility trail (REV-10)
    assert {"review.adviser_invite", "review.adviser_opinion", "review.adviser_recheck"} <= set(
        LedgerEntry.objects.values_list("action", flat=True)
    )
    # After the round closed nothing more can be recorded on it.
    with pytest.raises(services.Conflict):
        services.adviser_invite(
            actor=team.reviewer, submission=s, name="赵", organisation="所", kind="adviser"
        )


def test_the_old_free_text_field_still_prints(major_case, team):
    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    review = decide(team, s, adviser_opinions="法律顾问张某口头意见：同意。")
    assert review.adviser_opinions == "法律顾问张某口头意见：同意。"
    assert "法律顾问张某口头意见：同意。" in _docx_text(review.copy_handler)


def test_advisers_through_the_api(major_case, team, county, build):
    from zhifa.cases.testing import team as make_team

    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    reviewer = login(team.reviewer)
    data = {"kind": "adviser", "name": "王律师", "organisation": "某律师事务所"}
    assert (
        api(login(team.lead), "post", "review-submission-advisers", s.pk, data=data).status_code
        == 403
    )
    other = make_team(build, county.safety)
    r = api(login(other.reviewer), "post", "review-submission-advisers", s.pk, data=data)
    assert r.status_code == 404
    r = api(reviewer, "post", "review-submission-advisers", s.pk, data=data)
    assert r.status_code == 201, r.content
    adviser = r.json()["id"]
    r = api(
        reviewer,
        "post",
        "review-submission-decide",
        s.pk,
        data={"opinion": "agree", "text": "同意", "findings": ALL_OK},
    )
    assert r.status_code == 409 and r.json()["code"] == "advisers_unsettled"
    r = api(reviewer, "post", "review-adviser-opinion", adviser, data={"text": "同意"})
    assert r.status_code == 200 and r.json()["recorded_at"]
    r = api(
        reviewer,
        "post",
        "review-adviser-recheck",
        adviser,
        data={"recheck": "adopted", "reason": ""},
    )
    assert r.status_code == 400
    r = api(
        reviewer,
        "post",
        "review-adviser-recheck",
        adviser,
        data={"recheck": "adopted", "reason": "意见正确"},
    )
    assert r.status_code == 200 and r.json()["recheck"] == "adopted"
    r = api(reviewer, "get", "review-submission-detail", s.pk)
    assert r.json()["advisers"][0]["recheck_reason"] == "意见正确"
    assert api(login(other.reviewer), "get", "review-adviser-detail", adviser).status_code == 404
    assert api(reviewer, "get", "review-adviser-list").json()["count"] == 1
    r = api(
        reviewer,
        "post",
        "review-submission-decide",
        s.pk,
        data={"opinion": "agree", "text": "同意", "findings": ALL_OK},
    )
    assert r.status_code == 201, r.content
