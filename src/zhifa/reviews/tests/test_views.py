"""The workbench: queue, case page, forms, catalogue Excel; and the look at a review logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhifa.core.errors import InvalidInput
from zhifa.core.excel import workbook_bytes
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import selectors, services
from zhifa.reviews.catalogue import matching_rules
from zhifa.reviews.models import MajorDecisionRule, Material, Submission
from zhifa.reviews.testing import decide, rule, submit

from .conftest import proposed

pytestmark = pytest.mark.django_db


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reviews:queue"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.req("REV-05")
def test_the_queue_is_sorted_by_remaining_time_in_fixed_queries(team, client_for, calendar_2026):
    rule(team, amount_threshold="10000")
    cases = [proposed(team, "50000.00", title=f"案{i}") for i in range(4)]
    client = client_for(team.reviewer)
    s0 = services.submission_check(actor=team.reviewer, submission=submit(team, cases[0]))
    submit(team, cases[1])  # awaiting the materials check
    few = _queue_queries(client)
    s2 = services.submission_check(
        actor=team.reviewer, submission=submit(team, cases[2], urgent=True)
    )
    s3 = services.submission_check(actor=team.reviewer, submission=submit(team, cases[3]))
    assert _queue_queries(client) == few
    order = [item.submission.pk for item in selectors.queue(actor=team.reviewer)]
    # The urgent one (1 day) first, then the 3-day ones by submission, then the unchecked.
    assert order[0] == s2.pk and set(order[1:3]) == {s0.pk, s3.pk}
    assert Submission.objects.get(pk=order[3]).state == "submitted"
    page = client.get(reverse("reviews:queue")).content.decode()
    assert page.index(cases[2].number) < page.index(cases[1].number)


@pytest.mark.req("REV-05")
def test_the_queue_is_paged_in_queue_order(team, client_for, calendar_2026, monkeypatch):
    from zhifa.reviews import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    rule(team, amount_threshold="10000")
    cases = [proposed(team, "50000.00", title=f"案{i}") for i in range(3)]
    submit(team, cases[0])  # awaiting the materials check: last
    services.submission_check(actor=team.reviewer, submission=submit(team, cases[1]))
    services.submission_check(actor=team.reviewer, submission=submit(team, cases[2], urgent=True))
    client = client_for(team.reviewer)
    first = client.get(reverse("reviews:queue")).content.decode()
    second = client.get(reverse("reviews:queue"), {"page": 2}).content.decode()
    assert first.index(cases[2].number) < first.index(cases[1].number)
    assert cases[0].number not in first and "第 1 / 2 页，共 3 件" in first
    assert cases[0].number in second and cases[1].number not in second
    assert [i.submission.case_id for i in selectors.queue(actor=team.reviewer)] == [
        cases[2].pk,
        cases[1].pk,
        cases[0].pk,
    ]


@pytest.mark.req("REV-03", "REV-06")
def test_submit_check_and_decide_on_the_workbench(major_case, team, client_for):
    client = client_for(team.lead)
    url = reverse("reviews:submit", args=[major_case.pk])
    assert client.get(url).status_code == 200
    # No materials: refused, the input kept.
    response = client.post(url, {"note": "请尽快审核"})
    assert response.status_code == 200 and "报送材料不能为空" in response.content.decode()
    assert "请尽快审核" in response.content.decode()
    data = {f"m_{code}": "附卷" for code in Material.values}
    response = client.post(url, data)
    assert response.status_code == 302
    s = Submission.objects.get()

    reviewer = client_for(team.reviewer)
    response = reviewer.post(reverse("reviews:check", args=[s.pk]), {"missing": "", "note": ""})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.state == "accepted"
    form = {"opinion": "agree", "text": "同意", "adviser_opinions": ""}
    form |= {f"f_{p}": "ok" for p in ("powers", "qualified", "facts", "procedure", "law")}
    response = reviewer.post(reverse("reviews:decide", args=[s.pk]), form)
    assert response.status_code == 200  # four points left without a finding
    form |= {f"f_{p}": "ok" for p in ("discretion", "documents", "transfer", "other")}
    response = reviewer.post(reverse("reviews:decide", args=[s.pk]), form)
    assert response.status_code == 302
    page = client_for(team.lead).get(reverse("reviews:case", args=[major_case.pk]))
    text = page.content.decode()
    assert "审核意见：同意" in text and "责任追溯" in text
    assert LedgerEntry.objects.filter(action="case.view").exists()


@pytest.mark.req("REC-12")
def test_looking_at_a_review_is_logged(major_case, team, client_for):
    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    review = decide(team, s)
    client = client_for(team.lead)
    for url in (
        reverse("reviews:document", args=[review.pk, "handler", "docx"]),
        reverse("api:review-submission-detail", args=[s.pk]),
        reverse("api:review-detail", args=[review.pk]),
        # The lists show materials, opinions and minutes: a look per case shown.
        reverse("api:review-submission-list"),
        reverse("api:review-list"),
    ):
        last = LedgerEntry.objects.order_by("-seq").first().seq
        assert client.get(url).status_code == 200, url
        assert LedgerEntry.objects.filter(seq__gt=last, action="case.view").exists(), url
    # Someone outside the case's scope gets a 404.
    assert (
        client_for(team.sysadmin)
        .get(reverse("reviews:document", args=[review.pk, "handler", "docx"]))
        .status_code
        == 404
    )


@pytest.mark.req("REV-01")
def test_the_catalogue_round_trips_through_excel(team, client_for):
    rule(
        team,
        code="A1",
        name="较大数额罚款",
        amount_threshold="10000",
        amount_inclusive=False,
        penalty_kinds=["fine"],
        party_type="organisation",
    )
    client = client_for(team.reviewer)
    response = client.get(reverse("reviews:rule-list") + "?export=xlsx")
    assert response.status_code == 200
    exported = response.content
    # The same file again changes nothing; an edited one makes a new version.
    saved, unchanged = services.rules_import(actor=team.reviewer, agency=team.agency, data=exported)
    assert (saved, unchanged) == (0, 1)
    rows = services.rule_rows(MajorDecisionRule.objects.all())
    rows[0][8] = "20000"
    # An edit dated back to the rule's first day would re-judge past decisions: refused.
    data = workbook_bytes(title="目录", headers=services.RULE_SHEET_HEADERS, rows=rows)
    with pytest.raises(InvalidInput) as e:
        services.rules_import(actor=team.reviewer, agency=team.agency, data=data)
    assert "第 2 行：目录条目的修改不能追溯生效" in e.value.message
    assert MajorDecisionRule.objects.count() == 1
    rows[0][11] = timezone.localdate().isoformat()
    rows.append(
        [
            "B1",
            "吊销许可证",
            "",
            "",
            "吊销许可证件",
            "",
            "不限",
            "罚款金额",
            "",
            "是",
            "否",
            "2021-01-01",
            "",
            "",
        ]
    )
    data = workbook_bytes(title="目录", headers=services.RULE_SHEET_HEADERS, rows=rows)
    response = client.post(
        reverse("reviews:rule-import"), {"file": SimpleUploadedFile("目录.xlsx", data)}
    )
    assert response.status_code == 302
    a1 = MajorDecisionRule.objects.filter(code="A1").order_by("-version").first()
    assert (a1.version, str(a1.amount_threshold), a1.amount_inclusive) == (2, "20000.00", False)
    assert MajorDecisionRule.objects.get(code="B1").penalty_kinds == ["revoke_licence"]
    # A bad row: nothing is imported.
    before = MajorDecisionRule.objects.count()
    rows.append(["C1", "x", "", "", "没有这种处罚", "", "", "", "", "", "", "2021-01-01", "", ""])
    data = workbook_bytes(title="目录", headers=services.RULE_SHEET_HEADERS, rows=rows)
    with pytest.raises(Exception) as e:
        services.rules_import(actor=team.reviewer, agency=team.agency, data=data)
    assert "没有这种处罚" in str(e.value)
    assert MajorDecisionRule.objects.count() == before


@pytest.mark.req("REV-01")
def test_demo_catalogue(team, county, build):
    from zhifa.reviews.demo import reviews_demo

    # A second member of the legal unit confirms what the reviewer prepared (PUB-13).
    build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    rules = reviews_demo(county.market, team.reviewer)
    assert len(rules) == 7
    # Filed with the 司法局, and on the portal (the reviewer is the legal unit).
    from zhifa.disclosures.models import Disclosure
    from zhifa.reviews.models import CatalogueFiling

    assert CatalogueFiling.objects.get(agency=county.market).state == "filed"
    item = Disclosure.objects.get(agency=county.market, topic="major_catalogue")
    assert item.status == "published" and "ZF-01 以本级人民政府名义作出的" in item.body
    # An administrator seeding the catalogue leaves the portal item to the legal unit.
    reviews_demo(county.safety, county.safety_admin)
    item = Disclosure.objects.get(agency=county.safety, topic="major_catalogue")
    assert item.status == "in_review"
    case = proposed(team, "50000.00")
    assert [r.code for r in matching_rules(case)] == ["FK-01"]


@pytest.mark.req("REV-07")
def test_the_opinion_as_pdf(major_case, team, client_for):
    from zhifa.instruments.convert import pdf_text

    review = decide(
        team, services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    )
    response = client_for(team.reviewer).get(
        reverse("reviews:document", args=[review.pk, "archive", "pdf"])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "o.pdf"
        path.write_bytes(response.content)
        text = pdf_text(path)
    assert "法制审核意见书" in text and "第二联" in text


@pytest.mark.req("REV-02", "ORG-02")
def test_the_queue_shows_staffing_and_the_case_page_the_panel(major_case, team, client_for, county):
    page = client_for(county.supervisor).get(reverse("reviews:queue")).content.decode()
    assert "法制审核人员配备" in page and county.market.name in page and "不达标" in page
    page = client_for(team.lead).get(reverse("cases:case-detail", args=[major_case.pk]))
    text = page.content.decode()
    assert "符合重大执法决定法制审核目录" in text and "未经法制审核不得作出决定" in text


@pytest.mark.req("REV-01")
def test_the_catalogue_is_filed_with_the_bureau(team, county):
    from zhifa.core.errors import Forbidden

    rule(team, amount_threshold="10000")
    filing = services.catalogue_file(actor=team.reviewer, agency=team.agency)
    assert filing.rules == [["R1", 1]] and filing.state == "filed"
    with pytest.raises(Forbidden):
        services.catalogue_filing_answer(actor=team.leader, filing=filing, accepted=True)
    filing = services.catalogue_filing_answer(actor=county.supervisor, filing=filing, accepted=True)
    assert filing.state == "accepted"
    assert list(selectors.filing_list(actor=county.supervisor)) == [filing]


@pytest.mark.req("REV-05")
def test_flag_pause_resume_and_extend_on_the_workbench(major_case, team, client_for):
    from zhifa.reviews.models import MajorFlag

    response = client_for(team.lead).post(
        reverse("reviews:flag", args=[major_case.pk]), {"reason": "群体投诉", "confirmed": "1"}
    )
    assert response.status_code == 302 and MajorFlag.objects.count() == 1
    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    reviewer = client_for(team.reviewer)
    response = reviewer.post(
        reverse("reviews:pause", args=[s.pk]), {"kind": "expert", "reason": "专家论证"}
    )
    assert response.status_code == 302
    response = reviewer.post(reverse("reviews:resume", args=[s.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    # The reviewer may not extend: the refusal shows on the page.
    response = reviewer.post(reverse("reviews:extend", args=[s.pk]), {"reason": "复杂"})
    assert response.status_code == 200 and "机关负责人" in response.content.decode()
    response = client_for(team.leader).post(
        reverse("reviews:extend", args=[s.pk]), {"reason": "复杂"}
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.extension_days == 2 and s.pauses.get().ends_on is not None


@pytest.mark.req("REV-08")
def test_a_deliberation_on_the_workbench(major_case, team, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.cases.testing import PNG
    from zhifa.reviews.models import CollectiveDeliberation

    s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
    decide(team, s, opinion="change", text="建议罚款三万元")
    url = reverse("reviews:deliberate", args=[major_case.pk])
    client = client_for(team.leader)
    assert client.get(url).status_code == 200
    data = {
        "held_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "会议室",
        "chair": "局长",
        "recorder": "秘书",
        "handler_report": "汇报",
        "proposal": "罚款五万元",
        "outcome": "issue",
        "decision": "罚款五万元",
        "difference": "",
        "p-TOTAL_FORMS": "7",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "15",
    }
    for i, name in enumerate(("局长", "副局长甲", "副局长乙")):
        data |= {
            f"p-{i}-name": name,
            f"p-{i}-post": "局领导",
            f"p-{i}-view": "同意承办机构意见",
            f"p-{i}-vote": "for",
            f"p-{i}-signature": SimpleUploadedFile(f"s{i}.png", PNG, "image/png"),
        }
    for i in range(3, 7):
        data[f"p-{i}-vote"] = "for"
    response = client.post(url, data)
    # Differs from the opinion without recording how: refused, input kept.
    assert response.status_code == 200
    assert "应当在笔录中注明" in response.content.decode()
    data["difference"] = "审核意见三万元，讨论决定五万元"
    for i in range(3):
        data[f"p-{i}-signature"] = SimpleUploadedFile(f"s{i}.png", PNG, "image/png")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    d = CollectiveDeliberation.objects.get()
    assert d.participants.count() == 3 and not d.follows_review


@pytest.mark.req("REV-10")
def test_the_case_review_page_reads_in_fixed_queries(major_case, team, client_for):
    client = client_for(team.lead)
    url = reverse("reviews:case", args=[major_case.pk])

    def round_():
        s = services.submission_check(actor=team.reviewer, submission=submit(team, major_case))
        review = decide(team, s, opinion="correct", text="文书不规范")
        services.review_respond(actor=team.lead, review=review, kind="accept")

    round_()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    round_()
    round_()
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert response.content.decode().count("<strong>审核意见：补正") == 3
    assert len(three.captured_queries) == len(one.captured_queries)
