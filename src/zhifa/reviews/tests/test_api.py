"""The legal review through the REST API, end to end (REV-01 … REV-10), and its refusals."""

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.testing import PNG
from zhifa.instruments.models import Instrument, Kind
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import catalogue
from zhifa.reviews.models import Material, ReviewPoint
from zhifa.reviews.testing import ALL_OK

from .conftest import proposed

pytestmark = pytest.mark.django_db

SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()
FINDINGS_CHANGE = [
    {
        "point": p,
        "finding": "problem" if p == "discretion" else "ok",
        "note": "罚款偏高" if p == "discretion" else "",
    }
    for p in ReviewPoint.values
]


def api(client, method, name, *args, data=None):
    url = reverse(f"api:{name}", args=args)
    if method == "get":
        return client.get(url)
    return client.post(url, data or {}, content_type="application/json")


@pytest.mark.req("REV-01", "REV-03", "REV-04", "REV-06", "REV-07", "REV-08", "REV-09", "REV-10")
def test_end_to_end_through_the_api(team, client_for):
    reviewer, lead, leader = team.reviewer, team.lead, team.leader
    # The legal unit puts large fines in the catalogue.
    r = api(
        client_for(reviewer),
        "post",
        "review-rule-list",
        data={
            "code": "CF-01",
            "name": "对法人或其他组织处一万元以上罚款",
            "effective_from": "2020-01-01",
            "penalty_kinds": ["fine"],
            "party_type": "organisation",
            "amount_threshold": "10000.00",
            "amount_inclusive": True,
        },
    )
    assert r.status_code == 201, r.content
    rule_id = r.json()["id"]

    case = proposed(team, "50000.00")
    client = client_for(lead)
    r = api(client, "get", "review-case-detail", case.pk)
    assert r.status_code == 200
    assert r.json()["rules"] == [rule_id] and r.json()["reasons"][0]["code"] == "catalogue_rule"

    # Submitted with materials missing: returned once with the written list.
    r = api(
        client,
        "post",
        "review-submission-list",
        data={"case": case.pk, "materials": {Material.COMPETENCE: "执法主体资格证明"}},
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    r = api(
        client_for(reviewer), "post", "review-submission-check", sid, data={"missing": ["现场照片"]}
    )
    assert r.json()["state"] == "returned"
    assert "案卷材料（调查取证、程序履行及文字、音像记录）" in r.json()["returned_missing"]
    # Completed, then accepted.
    full = {code: "附卷" for code in Material.values}
    r = api(client_for(lead), "post", "review-submission-supplement", sid, data={"materials": full})
    assert r.json()["state"] == "supplemented"
    r = api(client_for(reviewer), "post", "review-submission-check", sid)
    assert r.json()["state"] == "accepted" and r.json()["due_on"]

    # The review says "change".
    r = api(
        client_for(reviewer),
        "post",
        "review-submission-decide",
        sid,
        data={
            "opinion": "change",
            "text": "裁量不当，建议罚款三万元。",
            "findings": FINDINGS_CHANGE,
        },
    )
    assert r.status_code == 201, r.content
    review_id = r.json()["id"]
    # A second opinion on the closed round is refused.
    r = api(
        client_for(reviewer),
        "post",
        "review-submission-decide",
        sid,
        data={"opinion": "agree", "text": "同意", "findings": ALL_OK},
    )
    assert r.status_code == 409 and r.json()["code"] == "round_closed"

    # The decision is refused while the review has not passed.
    record = catalogue.decision_record(case)
    issue = {"case": case.pk, "kind": "decision", "record": record.pk}
    r = api(client_for(lead), "post", "instrument-list", data=issue)
    assert r.status_code == 409 and "法制审核" in r.json()["detail"]

    # The handler asks for a re-review with reasons: a new round, which keeps "change".
    r = api(
        client_for(lead),
        "post",
        "review-respond",
        review_id,
        data={"kind": "re_review", "reasons": "当事人拒不改正，情节严重，五万元适当。"},
    )
    assert r.status_code == 201, r.content
    rounds = api(client_for(lead), "get", "review-case-detail", case.pk).json()["rounds"]
    assert [(x["round"], x["kind"], x["state"]) for x in rounds] == [
        (1, "first", "decided"),
        (2, "re_review", "accepted"),
    ]
    r = api(
        client_for(reviewer),
        "post",
        "review-submission-decide",
        rounds[1]["id"],
        data={"opinion": "change", "text": "复审维持变更意见。", "findings": FINDINGS_CHANGE},
    )
    assert r.status_code == 201

    # The leaders deliberate and override, recording the dissent.
    held = (timezone.now() - timedelta(hours=1)).isoformat()
    people = [
        {"name": n, "post": "局领导", "view": v, "vote": vote, "signature": SIGNATURE}
        for n, v, vote in (
            ("局长", "情节严重，同意罚款五万元", "for"),
            ("副局长甲", "同意承办机构意见", "for"),
            ("副局长乙", "赞同法制机构意见，罚款三万元为宜", "against"),
        )
    ]
    deliberation = {
        "case": case.pk,
        "held_at": held,
        "place": "局三楼会议室",
        "chair": "局长",
        "recorder": "办公室秘书",
        "handler_report": "承办机构汇报案情和调查结果",
        "proposal": "罚款五万元",
        "outcome": "issue",
        "decision": "按承办机构意见作出罚款五万元的决定",
        "participants": people,
    }
    r = api(client_for(leader), "post", "review-deliberation-list", data=deliberation)
    assert r.status_code == 400 and r.json()["code"] == "difference_required"
    unsigned = {**deliberation, "participants": [{**p, "signature": ""} for p in people]}
    r = api(client_for(leader), "post", "review-deliberation-list", data=unsigned)
    assert r.status_code == 400 and r.json()["code"] == "signature_missing"
    deliberation["difference"] = "法制机构建议罚款三万元；集体讨论以二比一决定罚款五万元。"
    r = api(client_for(leader), "post", "review-deliberation-list", data=deliberation)
    assert r.status_code == 201, r.content
    assert r.json()["follows_review"] is False and r.json()["votes_for"] == 2

    # Now the decision can be issued (the reasons check of RSN-02 is satisfied by its kit).
    reasons_kit = pytest.importorskip("zhifa.reasons.testing")
    reasons_kit.fill_reasons(team, case)
    r = api(client_for(lead), "post", "instrument-list", data=issue)
    assert r.status_code == 201, r.content
    assert Instrument.objects.filter(case=case, kind=Kind.DECISION).count() == 1

    # The responsibility trail and the ledger.
    body = api(client_for(team.reviewer), "get", "review-case-detail", case.pk).json()
    assert body["refusals"] == []
    trail = [(s["what"], s["who"]) for s in body["trail"]]
    for step in (
        ("第1轮送审", "执法员1"),
        ("一次性告知补正", "审核员"),
        ("出具审核意见：变更", "审核员"),
        ("申请复审审核意见", "执法员1"),
        ("第2轮申请复审", "执法员1"),
        ("集体讨论：作出决定", "局长、副局长甲、副局长乙"),
        ("制作决定书", "执法员1"),
    ):
        assert step in trail, (step, trail)
    actions = set(
        LedgerEntry.objects.filter(action__startswith="review.").values_list("action", flat=True)
    )
    assert {
        "review.rule_save",
        "review.submit",
        "review.return",
        "review.supplement",
        "review.accept",
        "review.decide",
        "review.respond_re_review",
        "review.deliberate",
    } <= actions
    assert LedgerEntry.objects.filter(action="instrument.refused").count() == 1
    assert LedgerEntry.objects.filter(action="instrument.issue").exists()


def test_api_refusals_and_scope(team, client_for, county, build):
    from zhifa.cases.testing import team as make_team
    from zhifa.reviews.testing import rule

    rule(team, amount_threshold="10000")
    case = proposed(team, "50000.00")
    # Another agency's staff cannot see or submit the case.
    other = make_team(build, county.safety)
    r = api(client_for(other.lead), "get", "review-case-detail", case.pk)
    assert r.status_code == 404
    r = api(
        client_for(other.lead),
        "post",
        "review-submission-list",
        data={"case": case.pk, "materials": {"competence": "x"}},
    )
    assert r.status_code == 400
    # No materials.
    r = api(
        client_for(team.lead),
        "post",
        "review-submission-list",
        data={"case": case.pk, "materials": {}},
    )
    assert r.status_code == 400 and r.json()["code"] == "materials_required"
    # The reviewer's rule list is the agency's; a handler may not write rules.
    r = api(
        client_for(team.lead),
        "post",
        "review-rule-list",
        data={"code": "X", "name": "x", "effective_from": "2020-01-01", "traits": ["fees"]},
    )
    assert r.status_code == 403
    assert api(client_for(other.reviewer), "get", "review-rule-list").json()["count"] == 0
    # The flag through the API, and no clearing by the handler anywhere.
    r = api(client_for(team.lead), "post", "review-case-flag", case.pk, data={"reason": "群体投诉"})
    assert r.status_code == 201
    submission_count = api(client_for(team.lead), "get", "review-submission-list").json()["count"]
    assert submission_count == 0
