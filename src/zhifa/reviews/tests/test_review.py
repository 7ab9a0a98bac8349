"""REV-06/REV-07 review and opinions, rounds; REV-08 disagreement and deliberation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.cases.testing import signature_image
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import selectors, services
from zhifa.reviews.models import (
    CollectiveDeliberation,
    Finding,
    LegalReview,
    Opinion,
    OpinionResponse,
    ReviewPoint,
    Submission,
)
from zhifa.reviews.services import ParticipantInput
from zhifa.reviews.testing import ALL_OK, FULL_MATERIALS, decide, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(major_case, team):
    s = submit(team, major_case)
    return services.submission_check(actor=team.reviewer, submission=s)


def counts():
    return LegalReview.objects.count(), LedgerEntry.objects.count()


@pytest.mark.req("REV-06")
def test_every_point_needs_a_finding(under_review, team):
    before = counts()
    with pytest.raises(InvalidInput) as e:
        decide(team, under_review, findings=ALL_OK[:8])
    assert e.value.code == "findings_incomplete" and "其他应当审核的内容" in e.value.message
    problem = [{**f, "finding": Finding.PROBLEM} for f in ALL_OK]
    with pytest.raises(InvalidInput) as e:
        decide(team, under_review, opinion=Opinion.CHANGE, findings=problem)
    assert e.value.code == "finding_note_required"
    noted = [{**f, "finding": Finding.PROBLEM, "note": "问题"} for f in ALL_OK]
    with pytest.raises(InvalidInput) as e:
        decide(team, under_review, opinion=Opinion.AGREE, findings=noted)
    assert e.value.code == "agree_with_problems"
    with pytest.raises(InvalidInput):
        decide(team, under_review, opinion="maybe")
    with pytest.raises(Forbidden):
        services.review_decide(
            actor=team.lead, submission=under_review, opinion="agree", text="x", findings=ALL_OK
        )
    assert counts() == before


@pytest.mark.req("REV-07")
def test_the_opinion_is_made_in_two_copies_and_a_second_is_refused(under_review, team):
    review = decide(
        team, under_review, opinion=Opinion.CHANGE, text="罚款数额偏高，建议变更为3万元。"
    )
    assert [f["point"] for f in review.findings] == list(ReviewPoint.values)
    assert review.copy_handler and review.copy_archive
    assert review.copy_handler.sha256 != review.copy_archive.sha256
    under_review.refresh_from_db()
    assert under_review.state == "decided"
    before = counts()
    with pytest.raises(Conflict) as e:
        decide(team, under_review)
    assert e.value.code == "round_closed"
    assert counts() == before
    entry = LedgerEntry.objects.filter(action="review.decide").get()
    assert entry.payload["opinion"] == "change"


@pytest.mark.req("REV-07")
def test_opinion_document_text(under_review, team):
    from docx import Document

    review = decide(team, under_review, text="同意作出罚款五万元的决定。")
    doc = Document(__import__("io").BytesIO(services.stored_bytes(review.copy_handler)))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "重大执法决定法制审核意见书" in text and "第一联" in text
    assert "同意作出罚款五万元的决定" in text and "审核员" in text
    assert "事实是否清楚，证据是否确实充分" in text


@pytest.mark.req("REV-07")
def test_resubmission_is_a_new_round_and_all_rounds_stay(under_review, team, major_case):
    decide(team, under_review, opinion=Opinion.CORRECT, text="文书不规范，请补正。")
    services.review_respond(
        actor=team.lead, review=under_review.review, kind=OpinionResponse.Kind.ACCEPT
    )
    s2 = submit(team, major_case)
    assert (s2.round, s2.kind) == (2, "resubmission")
    s2 = services.submission_check(actor=team.reviewer, submission=s2)
    decide(team, s2)
    rounds = selectors.rounds_of(major_case)
    assert [(s.round, s.review.opinion) for s in rounds] == [(1, "correct"), (2, "agree")]


@pytest.mark.req("REV-08")
def test_re_review_once_with_reasons(under_review, team, major_case):
    review = decide(team, under_review, opinion=Opinion.CHANGE, text="建议变更")
    with pytest.raises(InvalidInput):
        services.review_respond(actor=team.lead, review=review, kind="re_review", reasons="")
    with pytest.raises(Forbidden):
        services.review_respond(actor=team.reviewer, review=review, kind="re_review", reasons="x")
    services.review_respond(
        actor=team.lead, review=review, kind="re_review", reasons="当事人违法情节严重，罚款适当"
    )
    with pytest.raises(Conflict):
        services.review_respond(actor=team.lead, review=review, kind="accept")
    again = Submission.objects.get(case=major_case, round=2)
    assert (again.kind, again.state) == ("re_review", "accepted")
    assert again.re_review_reasons == "当事人违法情节严重，罚款适当"
    assert again.materials == under_review.materials
    second = decide(team, again, opinion=Opinion.CHANGE, text="维持变更意见")
    with pytest.raises(Conflict) as e:
        services.review_respond(actor=team.lead, review=second, kind="re_review", reasons="再议")
    assert e.value.code == "re_review_once"


def participants(team, n=3, votes=("for", "for", "against"), signed=True):
    image = signature_image(team.leader) if signed else None
    names = ["局长", "副局长甲", "副局长乙", "纪检组长", "总工程师"]
    return [
        ParticipantInput(
            name=names[i],
            post="局领导",
            view=f"{names[i]}意见：{'同意' if votes[i] == 'for' else '不同意'}按承办机构意见处理",
            vote=votes[i],
            signature=image,
            signed_at=timezone.now() - timedelta(minutes=5),
        )
        for i in range(n)
    ]


def deliberate(team, case, **kw):
    fields = {
        "held_at": timezone.now() - timedelta(hours=1),
        "place": "局三楼会议室",
        "chair": "局长",
        "recorder": "办公室秘书",
        "handler_report": "承办机构汇报案情",
        "proposal": "罚款五万元",
        "outcome": CollectiveDeliberation.Outcome.ISSUE,
        "decision": "按承办机构意见作出罚款五万元的决定",
        "difference": "法制机构建议罚款三万元，集体讨论认为情节严重，维持五万元",
        "attendees": "法制股股长",
    }
    fields.update(kw)
    if "participants" not in fields:
        fields["participants"] = participants(team)
    return services.deliberation_record(actor=team.leader, case=case, **fields)


@pytest.mark.req("REV-08")
def test_a_deliberation_needs_a_review_quorum_signatures_majority_and_difference(
    under_review, team, major_case
):
    with pytest.raises(Conflict):
        deliberate(team, major_case)  # no opinion yet
    decide(team, under_review, opinion=Opinion.CHANGE, text="建议罚款三万元")
    signed = participants(team)
    cases = [
        ({"participants": signed[:2]}, "no_quorum"),
        ({"participants": participants(team, signed=False)}, "signature_missing"),
        (
            {"participants": participants(team, votes=("for", "against", "against"))},
            "no_majority",
        ),
        ({"difference": "", "participants": signed}, "difference_required"),
    ]
    before = CollectiveDeliberation.objects.count(), LedgerEntry.objects.count()
    for kw, code in cases:
        with pytest.raises(InvalidInput) as e:
            deliberate(team, major_case, **kw)
        assert e.value.code == code
    with pytest.raises(Forbidden):
        services.deliberation_record(
            actor=team.lead,
            case=major_case,
            held_at=timezone.now(),
            place="x",
            chair="x",
            recorder="x",
            handler_report="x",
            proposal="x",
            outcome="issue",
            decision="x",
            participants=signed,
        )
    assert (CollectiveDeliberation.objects.count(), LedgerEntry.objects.count()) == before
    d = deliberate(team, major_case, participants=signed)
    assert not d.follows_review and (d.votes_for, d.votes_against) == (2, 1)
    assert d.participants.count() == 3 and all(p.signature_id for p in d.participants.all())
    assert d.minutes is not None
    assert d.review_opinion.startswith("变更")
    entry = LedgerEntry.objects.filter(action="review.deliberate").get()
    assert entry.payload["follows_review"] is False and entry.payload["votes"] == [2, 1, 3]


@pytest.mark.req("REV-08")
def test_a_deliberation_following_the_opinion_needs_no_difference(under_review, team, major_case):
    decide(team, under_review, opinion=Opinion.REINVESTIGATE, text="事实不清")
    d = deliberate(
        team,
        major_case,
        outcome=CollectiveDeliberation.Outcome.NOT_ISSUE,
        decision="退回重新调查",
        difference="",
    )
    assert d.follows_review


def test_materials_check_list(major_case):
    from zhifa.reviews.services import missing_materials

    assert missing_materials(major_case, FULL_MATERIALS) == []
    assert "调查终结报告" in missing_materials(major_case, {})
