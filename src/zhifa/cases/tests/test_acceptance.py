"""Whole cases, browser-free, through the API as a client system would drive
them: an ordinary 行政处罚 from its start to its bound case file, a 简易程序
on-the-spot fine, and a case served by 留置送达 with video. Each checks the
case file's catalogue, the text of the PDFs and the ledger entry of every step
(REC-01 … REC-10, REC-14)."""

from __future__ import annotations

import base64
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from zhifa.cases.models import Case, Stage
from zhifa.cases.testing import PNG
from zhifa.instruments.convert import pdf_text
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import ledger_audit

pytestmark = [
    pytest.mark.req(r) for r in ("REC-01", "REC-03", "REC-04", "REC-07", "REC-08", "REC-10")
]

IMAGE = base64.b64encode(PNG).decode()
PARTY = {
    "kind": "legal",
    "name": "示范县好味食品有限公司",
    "credit_code": "91110000600037341L",
    "representative": "王建国",
    "address": "示范县建设路 18 号",
}


@pytest.fixture(scope="session")
def video(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("av") / "onsite.mp4"
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-f", "lavfi",
            "-i", "testsrc=duration=2:size=160x120:rate=5",
            "-pix_fmt", "yuv420p", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


class Driver:
    """One person's API client, and the clock of the case they work on."""

    def __init__(self, client, team, case_id=None):
        self.client, self.team, self.case_id = client, team, case_id
        self.at = timezone.now() - timedelta(hours=6)

    def as_(self, user):
        self.client.force_login(user)
        return self

    def post(self, url, data, status=201):
        response = self.client.post(url, data, content_type="application/json")
        assert response.status_code == status, (url, response.status_code, response.content[:800])
        return response.json()

    def tick(self):
        self.at += timedelta(minutes=10)
        return self.at.isoformat()

    def sign(self, role, name="", officer=None, method="on_screen", **extra):
        signature = {"role": role, "name": name, "method": method, "signed_at": self.at.isoformat()}
        if officer is not None:
            signature["officer"] = officer.pk
        if method != "refused":
            signature["image"] = IMAGE
        return {**signature, **extra}

    def record(self, kind, content, signatures=(), place="示范县建设路 18 号"):
        when = self.tick()
        return self.post(
            f"/api/v1/cases/{self.case_id}/records/",
            {
                "kind": kind,
                "occurred_at": when,
                "place": place,
                "content": content,
                "signatures": [s for s in signatures],
            },
        )

    def advance(self, to_stage, **extra):
        return self.post(
            f"/api/v1/cases/{self.case_id}/advance/", {"to_stage": to_stage, **extra}, status=200
        )

    def issue(self, kind):
        return self.post("/api/v1/instruments/", {"case": self.case_id, "kind": kind})

    def upload(self, path: Path, record_id: int, *, proves: str, continuous: bool = True):
        data = path.read_bytes()
        session = self.post(
            "/api/v1/media-uploads/",
            {
                "case": self.case_id,
                "record": record_id,
                "filename": path.name,
                "size": len(data),
                "captured_at": self.at.isoformat(),
                "place": "示范县建设路 18 号",
                "author": self.team.officers[0].name,
                "device": "JLY-001",
                "is_continuous": continuous,
                "production_method": "执法记录仪现场连续录制，原始文件导出",
                "proves": proves,
            },
        )
        half = len(data) // 2
        for start, end in ((0, half), (half, len(data))):
            response = self.client.put(
                f"/api/v1/media-uploads/{session['id']}/",
                data[start:end],
                content_type="application/octet-stream",
                HTTP_CONTENT_RANGE=f"bytes {start}-{end - 1}/{len(data)}",
            )
            assert response.status_code in (200, 204), response.content[:500]
        return self.post(f"/api/v1/media-uploads/{session['id']}/complete/", {})


def _open(d: Driver, procedure: str, officers) -> int:
    case = d.post(
        "/api/v1/cases/",
        {
            "matter": d.team.matter.pk,
            "title": "好味食品公司销售超过保质期食品案",
            "procedure": procedure,
            "source": "inspection",
            "source_detail": "日常监督检查中发现",
            "started_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "officers": [o.pk for o in officers],
            "parties": [PARTY],
        },
    )
    d.case_id = case["id"]
    d.at = timezone.now() - timedelta(hours=20)
    return case["id"]


def _steps(case_id: int) -> list[str]:
    """The ledger actions that name this case or one of its records."""
    case = Case.objects.get(pk=case_id)
    record_ids = [str(pk) for pk in case.records.values_list("pk", flat=True)]
    entries = LedgerEntry.objects.filter(object_type="cases.case", object_id=str(case_id)) | (
        LedgerEntry.objects.filter(object_type="cases.record", object_id__in=record_ids)
    )
    return list(entries.order_by("seq").values_list("action", flat=True))


def _bound_pdf(client, case_id, tmp_path) -> tuple[dict, str]:
    casefile = client.post(
        f"/api/v1/casefiles/{case_id}/assemble/", content_type="application/json"
    )
    assert casefile.status_code in (200, 201), casefile.content[:800]
    pdf = client.get(f"/api/v1/casefiles/{case_id}/pdf/")
    assert pdf.status_code == 200
    path = tmp_path / "case.pdf"
    path.write_bytes(b"".join(pdf.streaming_content))
    # pdftotext puts spaces between Chinese and Latin text: compare without any.
    return casefile.json(), "".join(pdf_text(path).split())


def test_ordinary_penalty_case_end_to_end(client, team, video, tmp_path):
    lead, second = team.officers
    d = Driver(client, team).as_(lead.user)
    case_id = _open(d, "ordinary", team.officers)

    # 启动: inspection findings with a photo, and the leader's filing approval.
    found = d.record(
        "inspection_start",
        {
            "method": "日常监督检查",
            "object": PARTY["name"],
            "inspectors": f"{lead.name}、{second.name}",
            "findings": "货架上有超过保质期的预包装食品",
        },
    )
    photo = tmp_path / "shelf.png"
    photo.write_bytes(PNG)
    d.upload(photo, found["id"], proves="货架上超过保质期食品的陈列情况", continuous=False)
    d.as_(team.leader).record(
        "filing_approval",
        {
            "cause": "涉嫌销售超过保质期的食品",
            "facts": "日常检查发现",
            "handler_opinion": "建议立案",
            "unit_opinion": "同意",
            "leader_opinion": "同意立案调查",
            "approved_by": "局长",
        },
        [d.sign("leader", "局长")],
    )
    d.as_(lead.user).advance("investigation")

    # 调查取证: rights, interview, on-site inspection with continuous video, final report.
    d.record(
        "rights_notification",
        {"credentials_shown": "出示执法证件", "rights": "陈述、申辩、申请回避、听证"},
        [d.sign("officer", officer=lead), d.sign("party", "王建国")],
    )
    d.record(
        "interview",
        {"interviewee": "王建国", "questions_answers": "问：这批酸奶何时进货？\n答：上月进货。"},
        [d.sign("officer", officer=lead), d.sign("interviewee", "王建国")],
    )
    onsite = d.record(
        "onsite_inspection",
        {
            "present": "王建国",
            "situation": "冷柜中有 24 盒超过保质期的酸奶",
            "evidence_found": "酸奶 24 盒",
        },
        [d.sign("officer", officer=lead), d.sign("party", "王建国")],
    )
    refused = d.client.post(
        f"/api/v1/cases/{case_id}/advance/",
        {"to_stage": "decision"},
        content_type="application/json",
    )
    assert refused.status_code == 409 and "调查终结报告" in refused.json()["detail"]
    media = d.upload(video, onsite["id"], proves="冷柜中超过保质期酸奶的数量和状态")
    assert media["duration_seconds"] and not media["is_late"]
    d.record(
        "investigation_report",
        {
            "facts": "当事人销售超过保质期的酸奶 24 盒",
            "evidence": "现场检查笔录、询问笔录、现场视频",
            "basis": "《中华人民共和国食品安全法》第三十四条、第一百二十四条",
            "proposal": "没收违法食品，并处罚款",
        },
        [d.sign("officer", officer=lead)],
    )
    d.advance("decision")

    # 审查决定: opinion, prior notice, statements, sign-off, decision; instruments issued.
    d.record(
        "handling_opinion",
        {
            "facts": "违法事实清楚",
            "basis": "食品安全法第一百二十四条",
            "proposed_decision": "没收违法食品，罚款伍仟元",
            "discretion": "初次违法，从轻",
        },
        [d.sign("officer", officer=lead)],
    )
    d.record(
        "prior_notice",
        {
            "proposed_decision": "没收违法食品，罚款伍仟元",
            "facts": "销售超过保质期的酸奶 24 盒",
            "reasons": "违反食品安全法第三十四条",
            "basis": "食品安全法第一百二十四条",
            "rights": "可在五个工作日内陈述、申辩，或申请听证",
            "served_on": timezone.localdate().isoformat(),
        },
    )
    notice = d.issue("prior_notice")
    d.record(
        "statements",
        {"statements": "承认违法事实，请求从轻处罚", "review": "已在裁量时考虑"},
        [d.sign("party", "王建国")],
    )
    d.as_(team.leader).record(
        "leader_signoff", {"opinion": "同意", "approved_by": "局长"}, [d.sign("leader", "局长")]
    )
    d.as_(lead.user).record(
        "decision",
        {
            "party": PARTY["name"],
            "facts": "当事人销售超过保质期的酸奶 24 盒",
            "evidence": "现场检查笔录、询问笔录、现场视频，相互印证",
            "basis": "《中华人民共和国食品安全法》第一百二十四条第一款",
            "discretion": "依《市场监管行政处罚裁量基准》，初次违法且主动整改，从轻处罚",
            "conclusion": "没收超过保质期的酸奶 24 盒，并处罚款人民币伍仟元",
            "performance": "自收到本决定书之日起十五日内缴纳罚款",
            "remedies": "六十日内申请行政复议，或六个月内提起行政诉讼",
            "fine_amount": "5000",
        },
    )
    decision = d.issue("decision")
    d.advance("execution")

    # 送达执行: direct delivery, voluntary performance, closing approval.
    d.record(
        "delivery_direct",
        {
            "document": f"行政处罚决定书 {decision['number']}",
            "server": lead.name,
            "recipient": "王建国",
        },
        [d.sign("recipient", "王建国")],
    )
    d.record(
        "voluntary_performance",
        {"manner": "银行缴款", "performed_on": timezone.localdate().isoformat()},
    )
    d.as_(team.leader).record(
        "closing_approval",
        {"summary": "已执行完毕", "result": "罚款已缴纳", "approved_by": "局长"},
        [d.sign("leader", "局长")],
    )
    d.as_(lead.user).advance("closed")

    # The case file: catalogue in order, PDF text, ledger.
    casefile, text = _bound_pdf(client, case_id, tmp_path)
    titles = [e["title"] for e in casefile["catalogue"]]
    assert titles[0].startswith("封面") or "封面" in titles[0]
    order = [
        t
        for t in titles
        if any(k in t for k in ("立案", "询问", "调查终结", "事先告知", "决定书", "送达"))
    ]
    assert order == sorted(order, key=lambda t: titles.index(t))
    for needle in (
        Case.objects.get(pk=case_id).number,
        PARTY["name"],
        decision["number"],
        notice["number"],
        "询问笔录",
        "现场检查",
        "没收超过保质期的酸奶",
        "六十日内申请行政复议",
        "执法记录仪现场连续录制",
    ):
        assert "".join(needle.split()) in text, needle
    assert any(e.get("sha256") == media["sha256"] for e in casefile["catalogue"] if e.get("sha256"))

    steps = _steps(case_id)
    assert steps[0] == "case.open"
    assert steps.count("case.stage") == 4
    assert steps.count("record.add") == 14
    assert LedgerEntry.objects.filter(action="instrument.issue").count() == 2
    assert (
        LedgerEntry.objects.filter(action="media.upload").exists()
        or LedgerEntry.objects.filter(action__startswith="media.").exists()
    )
    assert LedgerEntry.objects.filter(action__startswith="casefile.").exists()
    assert ledger_audit().ok


def test_simple_procedure_on_the_spot_fine(client, team, tmp_path):
    from zhifa.instruments.services import onspot_batch_issue

    lead = team.officers[0]
    onspot_batch_issue(
        actor=team.leader,
        agency=team.agency,
        officer=lead,
        prefix="示市监当",
        first=1,
        last=50,
        width=4,
    )
    d = Driver(client, team).as_(lead.user)
    case_id = _open(d, "simple", [lead])
    d.advance("investigation")
    d.record(
        "rights_notification",
        {"credentials_shown": "出示执法证件", "rights": "陈述、申辩"},
        [d.sign("officer", officer=lead), d.sign("party", "王建国")],
    )
    d.advance("decision")
    d.record(
        "onspot_decision",
        {
            "form_number": "示市监当0001",
            "facts": "未按规定公示食品经营许可证",
            "basis": "食品安全法实施条例",
            "conclusion": "警告并罚款壹佰元",
            "fine_amount": "100",
            "remedies": "六十日内申请行政复议，或六个月内提起行政诉讼",
        },
        [d.sign("officer", officer=lead), d.sign("party", "王建国")],
    )
    form = d.issue("onspot_decision")
    d.advance("execution")
    d.record(
        "delivery_direct",
        {
            "document": f"当场行政处罚决定书 {form['number']}",
            "server": lead.name,
            "recipient": "王建国",
        },
        [d.sign("recipient", "王建国")],
    )
    d.record(
        "voluntary_performance",
        {
            "manner": "当场缴纳罚款",
            "performed_on": timezone.localdate().isoformat(),
            "receipt": "罚没款收据 0012",
        },
    )
    d.advance("closed")
    _casefile, text = _bound_pdf(client, case_id, tmp_path)
    assert "当场行政处罚决定书" in text and "示市监当0001" in text
    steps = _steps(case_id)
    assert steps.count("case.stage") == 4 and steps.count("record.add") == 4
    assert ledger_audit().ok


def test_case_closed_by_service_left_at_the_premises_with_video(client, team, video, tmp_path):
    from zhifa.cases.testing import advance_to

    case = advance_to(team, _open_case_via_services(team), Stage.EXECUTION)
    lead = team.officers[0]
    d = Driver(client, team, case.pk).as_(lead.user)
    d.at = timezone.now() - timedelta(hours=2)
    left = d.record(
        "delivery_left",
        {
            "document": "行政处罚决定书",
            "reason": "受送达人拒绝签收",
            "server": lead.name,
            "witness": "社区主任周平",
        },
        [d.sign("witness", "周平")],
    )
    d.record(
        "voluntary_performance",
        {"manner": "银行缴款", "performed_on": timezone.localdate().isoformat()},
    )
    d.as_(team.leader).record(
        "closing_approval",
        {"summary": "留置送达后已履行", "result": "罚款已缴纳", "approved_by": "局长"},
        [d.sign("leader", "局长")],
    )
    refused = d.as_(lead.user).client.post(
        f"/api/v1/cases/{case.pk}/advance/", {"to_stage": "closed"}, content_type="application/json"
    )
    assert refused.status_code == 409 and "留置送达" in refused.json()["detail"]
    d.upload(video, left["id"], proves="留置送达的过程：见证人在场，文书留置于当事人住所")
    d.advance("closed")
    _casefile, text = _bound_pdf(client, case.pk, tmp_path)
    assert "留置送达" in text and "周平" in text
    assert ledger_audit().ok


def _open_case_via_services(team):
    from zhifa.cases.testing import open_case

    # Started yesterday: the records below are dated hours ago, which just after
    # local midnight is yesterday.
    return open_case(team, started_on=timezone.localdate() - timedelta(days=1))
