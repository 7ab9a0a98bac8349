"""The reasons gate through the API (RSN-04 acceptance), the free-text path, and
the 减轻 → major rule (INF-03)."""

import copy
import re

import pytest
from rest_framework.test import APIClient

from zhifa.cases.major import major_reasons
from zhifa.cases.models import Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Conflict
from zhifa.instruments.convert import pdf_text
from zhifa.instruments.models import Instrument, Kind
from zhifa.instruments.services import instrument_issue
from zhifa.ledger.evidence import backend
from zhifa.ledger.models import LedgerEntry
from zhifa.reasons.models import Reasons
from zhifa.reasons.services import reasons_save
from zhifa.reasons.testing import valid_content

pytestmark = pytest.mark.django_db
CONCLUSION = {"conclusion": "没收违法经营的食品，并处罚款55000元", "fine_amount": "55000.00"}


def client_of(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def decided_case(team):
    case = advance_to(team, open_case(team), Stage.DECISION)
    for kind in ("handling_opinion", "prior_notice", "statements", "leader_signoff"):
        add(team, case, kind)
    add(team, case, "decision", content=CONCLUSION)
    return case


@pytest.mark.req("RSN-04")
@pytest.mark.req("RSN-01")
@pytest.mark.req("RSN-03")
def test_a_bad_draft_is_refused_and_the_fixed_one_is_issued_with_every_part(
    team, library, bench, build, county
):
    case = decided_case(team)
    api = client_of(team.lead)
    good = valid_content(case, benchmark=bench, band="minor")
    good["discretion"]["amount_involved"] = "960"
    bad = copy.deepcopy(good)
    bad["points"][0].update(answer="pending", reply="")
    bad["provisions"].append(
        {
            "citation": "《中华人民共和国食品卫生法》第一条",
            "quoted_text": "为保证食品卫生……",
            "why": "当事人的行为违反了食品卫生的要求",
        }
    )

    saved = api.post("/api/v1/reasons/", {"case": case.pk, "content": bad}, format="json")
    assert saved.status_code == 201, saved.json()
    blocking = {f["code"] for f in saved.json()["findings"] if f["severity"] == "blocking"}
    assert blocking == {"point_unanswered", "provision_not_in_force"}

    refused = api.post("/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json")
    assert refused.status_code == 409
    errors = " ".join(refused.json()["errors"])
    assert "尚未答复当事人" in errors and "食品卫生法" in errors and "已失效" in errors
    entry = LedgerEntry.objects.filter(action="instrument.refused").last()
    assert entry is not None and entry.payload["kind"] == "decision"
    assert not Instrument.objects.filter(case=case, kind=Kind.DECISION).exists()

    # Another agency's officer can neither read nor write the reasons.
    from zhifa.cases.testing import team as make_team

    outsider = client_of(make_team(build, county.safety).lead)
    version = saved.json()["id"]
    assert outsider.get(f"/api/v1/reasons/{version}/").status_code == 404
    before = Reasons.objects.count()
    assert (
        outsider.post(
            "/api/v1/reasons/", {"case": case.pk, "content": good}, format="json"
        ).status_code
        == 404
    )
    assert Reasons.objects.count() == before

    fixed = api.post("/api/v1/reasons/", {"case": case.pk, "content": good}, format="json")
    assert fixed.status_code == 201
    assert [f for f in fixed.json()["findings"] if f["severity"] == "blocking"] == []
    check = api.get(f"/api/v1/reasons/{fixed.json()['id']}/check/").json()
    assert check["blocking"] == 0
    issued = api.post("/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json")
    assert issued.status_code == 201, issued.json()

    instrument = Instrument.objects.get(pk=issued.json()["id"])
    stored = instrument.pdf
    text = flat(pdf_text(backend(stored.backend).path_for(stored.storage_key)))
    for part in (
        good["facts"][0]["text"],  # 事实认定
        "证据1：现场检查笔录",
        "合法性：",
        "证明力：",
        "予以采信",  # 证据采信
        "《中华人民共和国食品安全法》第三十四条第一款第（十）项",
        "适用理由：",  # 依据选择
        "标注虚假生产日期、保质期或者超过保质期的食品",
        "裁量阶次：轻微",
        "裁量理由：",
        "主动下架涉案食品",  # 裁量
        "对当事人陈述、申辩意见的采纳情况",
        "不知情不能免责",  # 答复
    ):
        assert flat(part) in text, part


@pytest.mark.req("RSN-02")
def test_without_structured_reasons_only_detailed_cases_are_refused(team, library, settings):
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = True
    case = decided_case(team)
    # An ordinary case keeps the free-text reasons of its decision record.
    from zhifa.instruments.gates import refusals

    assert refusals(case, Kind.DECISION) == []
    add(team, case, "hearing_minutes")
    found = refusals(case, Kind.DECISION)
    assert found and "经过听证程序" in found[0]
    with pytest.raises(Conflict):
        instrument_issue(actor=team.lead, case=case, kind=Kind.DECISION)
    reasons_save(actor=team.lead, case=case, content=valid_content(case))
    assert refusals(case, Kind.DECISION) == []


@pytest.mark.req("INF-03")
def test_reducing_below_the_statutory_minimum_makes_the_case_major(team, library, bench):
    case = decided_case(team)
    content = valid_content(case, benchmark=bench, band="minor", amount="55000")
    reasons_save(actor=team.lead, case=case, content=content)
    assert [r.code for r in major_reasons(case)] == []
    content["discretion"].update(
        amount="30000",
        factors=[{"effect": "reducing", "description": "协助查获上游供货商"}],
        out_of_range_reason="当事人协助查获上游供货商，有立功表现，依法减轻处罚",
    )
    reasons_save(actor=team.lead, case=case, content=content)
    found = major_reasons(case)
    assert [r.code for r in found] == ["below_minimum"] and "50000" in found[0].detail


@pytest.mark.req("RSN-01")
def test_saving_is_append_only_ledgered_and_refuses_bad_input(team, library, county):
    case = decided_case(team)
    first = reasons_save(actor=team.lead, case=case, content=valid_content(case))
    second = reasons_save(actor=team.lead, case=case, content=valid_content(case), note="补充")
    assert (first.number, second.number) == (1, 2)
    assert LedgerEntry.objects.filter(action="reasons.save").count() == 2
    rows, entries = Reasons.objects.count(), LedgerEntry.objects.count()
    from zhifa.core.errors import Forbidden, InvalidInput

    bad = valid_content(case)
    bad["facts"][0]["evidence"] = ["E9"]
    with pytest.raises(InvalidInput):
        reasons_save(actor=team.lead, case=case, content=bad)
    with pytest.raises(Forbidden):
        reasons_save(actor=team.leader, case=case, content=valid_content(case))
    with pytest.raises(Forbidden):
        reasons_save(actor=county.market_admin, case=case, content=valid_content(case))
    assert (Reasons.objects.count(), LedgerEntry.objects.count()) == (rows, entries)


@pytest.mark.req("RSN-04")
def test_free_text_reasons_are_checked_for_what_text_allows(team, library):
    from zhifa.instruments.gates import refusals

    case = decided_case(team)
    add(
        team,
        case,
        "decision",
        supersedes=case.records.get(kind="decision"),
        content={
            "basis": "依据《中华人民共和国食品卫生法》第一条的规定",
            "discretion": "依法",
            "conclusion": "罚款3000元",
            "fine_amount": "2000.00",
        },
    )
    found = " ".join(refusals(case, Kind.DECISION))
    assert "食品卫生法" in found and "适用的裁量基准及理由" in found and "3000元" in found


@pytest.mark.req("RSN-03")
@pytest.mark.parametrize("kind", [Kind.PRIOR_NOTICE, Kind.DECISION])
def test_the_prior_notice_and_the_decision_carry_every_structured_part(kind, tmp_path):
    from docx import Document

    from zhifa.instruments.context import sample_context
    from zhifa.instruments.rendering import render
    from zhifa.instruments.services import default_template_bytes

    out = render(default_template_bytes(kind), sample_context(kind), tmp_path / "out.docx")
    text = flat("".join(p.text for p in Document(out).paragraphs))
    for part in (
        "当事人于2026年3月2日",
        "证据2：当事人提供的进货单据",
        "真实性：与供货方记录一致",
        "第三十四条第一款第（十）项",
        "适用理由：",
        "裁量理由：当事人初次违法",
    ):
        assert flat(part) in text, part
    if kind == Kind.DECISION:
        assert flat("本机关意见：不予采纳。食品经营者负有查验义务") in text


@pytest.mark.req("RSN-04")
def test_boilerplate_is_compared_with_each_other_cases_latest_version_only(
    team, library, build, county
):
    from zhifa.cases.testing import team as make_team
    from zhifa.reasons.selectors import case_findings

    other = make_team(build, county.safety)  # another matter
    theirs = open_case(other)
    old = valid_content(theirs)
    old["discretion"]["reasons"] = (
        "当事人初次违法，主动下架涉案食品，未造成危害后果，旧版本的理由表述在此"
    )
    reasons_save(actor=other.lead, case=theirs, content=old)
    new = copy.deepcopy(old)
    new["discretion"]["reasons"] = (
        "当事人初次违法，主动下架涉案食品，未造成危害后果，新版本的理由表述在此"
    )
    reasons_save(actor=other.lead, case=theirs, content=new)
    mine = open_case(team)
    copied = valid_content(mine)
    copied["discretion"]["reasons"] = new["discretion"]["reasons"]
    found = case_findings(mine, copied, actor=team.reviewer)
    assert [f.message for f in found if f.code == "boilerplate" and "裁量" in f.place] == [
        "与其他执法主体的 1 件案件的说明理由逐字相同，请结合本案情况说明。"
    ]
    copied["discretion"]["reasons"] = old["discretion"]["reasons"]
    found = case_findings(mine, copied, actor=team.reviewer)
    assert not [f for f in found if f.code == "boilerplate" and "裁量" in f.place]
