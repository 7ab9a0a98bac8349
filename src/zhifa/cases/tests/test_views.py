import base64
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.cases import driver, rules, services
from zhifa.cases.models import Case, Procedure, Record, Signature, Source, Stage
from zhifa.cases.testing import (
    PNG,
    add,
    advance_to,
    open_case,
    sample_content,
    signature_image,
)
from zhifa.ledger.models import LedgerEntry, StoredFile
from zhifa.ledger.selectors import entries_for

pytestmark = pytest.mark.django_db

DRAWING = "data:image/png;base64," + base64.b64encode(PNG).decode()


def ready_for(team, case, stage):
    """Everything ``case`` needs to enter ``stage``, done as ``advance_to`` does it, but
    without the move itself (so that the test makes the move through its door)."""
    driver._load_kits()
    kinds = list(driver.CORE_STEPS[case.procedure][stage])
    if stage == Stage.INVESTIGATION and case.procedure != Procedure.SIMPLE:
        kinds = driver.START_KINDS[case.source] + kinds
    for kind in kinds:
        add(team, case, kind)
    for step in driver._STEPS[stage]:
        step(team, case)
    assert rules.needs(case, stage) == []


def case_url(case, name="case-detail"):
    return reverse(f"cases:{name}", args=[case.pk])


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- Who sees a case ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cases:case-list", "cases:case-create", ("cases:case-detail", 1)])
def test_anonymous_users_are_sent_to_login(client, name):
    name, *args = name if isinstance(name, tuple) else (name,)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.req("REC-01")
@pytest.mark.parametrize("who", ["handler", "leader", "reviewer", "supervisor"])
def test_the_case_page_answers_everyone_entitled(client_for, county, team, who):
    case = open_case(team)
    user = {
        "handler": team.lead,
        "leader": team.leader,
        "reviewer": team.reviewer,
        "supervisor": county.supervisor,
    }[who]
    page = client_for(user).get(case_url(case))
    assert page.status_code == 200
    text = page.content.decode()
    assert case.number in text and "示范县好味食品有限公司" in text
    # Only handlers see the handling buttons.
    assert ("登记当事人" in text) == (who == "handler")
    assert ("进入下一环节" in text) == (who in ("handler", "leader"))


@pytest.mark.req("REC-12")
def test_another_agencys_officer_gets_404_and_a_view_is_logged(client_for, build, county, team):
    case = open_case(team)
    stranger = build.officer(county.safety, name="外局执法员")
    client = client_for(stranger.user)
    assert client.get(case_url(case)).status_code == 404
    assert client.get(case_url(case, "record-create") + "?kind=interview").status_code == 404
    assert not entries_for(case).filter(action="case.view").exists()
    client_for(team.leader).get(case_url(case))
    entry = entries_for(case).get(action="case.view")
    assert entry.actor_id == team.leader.pk
    assert entry.payload == {"number": case.number}


def test_an_officer_not_on_the_case_does_not_see_it(client_for, build, county, team):
    case = open_case(team)
    colleague = build.officer(county.market, name="同局其他执法员")
    client = client_for(colleague.user)
    assert client.get(case_url(case)).status_code == 404
    assert case.number not in client.get(reverse("cases:case-list")).content.decode()


# --- My cases ----------------------------------------------------------------------------


@pytest.mark.req("REC-01")
def test_the_list_searches_filters_and_exports(client_for, team):
    first = open_case(team, title="好味公司销售过期食品案")
    second = open_case(
        team,
        title="某超市未明码标价案",
        procedure=Procedure.SIMPLE,
        parties=[{"kind": "natural", "name": "李四", "id_number": "11010519491231002X"}],
    )
    advance_to(team, first, Stage.INVESTIGATION)
    client = client_for(team.lead)
    url = reverse("cases:case-list")

    def listed(**params):
        text = client.get(url, params).content.decode()
        return {c.number for c in (first, second) if c.number in text}

    assert listed() == {first.number, second.number}
    assert listed(q="李四") == {second.number}
    assert listed(q=first.number) == {first.number}
    assert listed(q="过期") == {first.number}
    assert listed(stage=Stage.INVESTIGATION) == {first.number}
    assert listed(procedure=Procedure.SIMPLE) == {second.number}
    assert listed(matter=team.matter.pk) == {first.number, second.number}
    assert listed(overdue="any") == set()
    assert listed(stage="no-such-stage") == {first.number, second.number}
    response = client.get(url, {"export": "xlsx", "procedure": Procedure.ORDINARY})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "案件编号" and [r[0] for r in rows[1:]] == [first.number]
    assert rows[1][2] == "示范县好味食品有限公司"


@pytest.mark.req("REC-02")
def test_the_overdue_filter_finds_late_emergency_approvals_and_archives(client_for, team):
    from zhifa.cases.rules import emergency_overdue

    late = open_case(team, title="紧急甲", is_emergency=True)
    Case.objects.filter(pk=late.pk).update(
        emergency_started_at=timezone.now() - timedelta(hours=30)
    )
    fresh = open_case(team, title="紧急乙", is_emergency=True)
    approved_late = open_case(team, title="紧急丙", is_emergency=True)
    Case.objects.filter(pk=approved_late.pk).update(
        emergency_started_at=timezone.now() - timedelta(hours=50),
        emergency_approved_at=timezone.now() - timedelta(hours=20),
    )
    closed = advance_to(team, open_case(team, title="已结案"), Stage.CLOSED)
    Case.objects.filter(pk=closed.pk).update(
        archive_due_on=timezone.localdate() - timedelta(days=1)
    )
    client = client_for(team.lead)
    url = reverse("cases:case-list")

    def listed(which):
        text = client.get(url, {"overdue": which}).content.decode()
        return {c.title for c in Case.objects.all() if c.number in text}

    assert listed("emergency") == {"紧急甲", "紧急丙"}
    assert listed("archive") == {"已结案"}
    assert listed("any") == {"紧急甲", "紧急丙", "已结案"}
    # The filter and the rule agree case by case.
    for case in Case.objects.all():
        assert emergency_overdue(case) == (case.title in {"紧急甲", "紧急丙"})
    assert fresh.title not in listed("any")
    page = client.get(case_url(late)).content.decode()
    assert "尚未补办批准" in page


# --- Opening a case -------------------------------------------------------------------------


def open_payload(team, **fields):
    return {
        "matter": team.matter.pk,
        "title": "好味食品公司销售过期食品案",
        "procedure": Procedure.ORDINARY,
        "source": Source.COMPLAINT,
        "source_detail": "12315 投诉 第 2026-001 号",
        "started_on": timezone.localdate().isoformat(),
        "lead": team.officers[0].pk,
        "officers": [team.officers[1].pk],
        "party_kind": "legal",
        "party_name": "示范县好味食品有限公司",
        "party_credit_code": "91110000600037341L",
        "party_representative": "王五",
        **fields,
    }


@pytest.mark.req("REC-02")
def test_an_officer_opens_a_case(client_for, team):
    client = client_for(team.lead)
    form = client.get(reverse("cases:case-create")).content.decode()
    assert team.matter.name in form and "执法员2" in form
    response = client.post(reverse("cases:case-create"), open_payload(team))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case_url(case)
    assert case.source == Source.COMPLAINT and case.source_detail.startswith("12315")
    lead = case.assignments.get(is_lead=True)
    assert lead.officer == team.officers[0]
    assert case.parties.get().representative == "王五"


@pytest.mark.req("REC-02")
def test_a_refused_case_keeps_the_input_and_shows_the_chinese_message(client_for, build, team):
    suspended = build.officer(team.agency, name="证件暂扣者", credential="suspended")
    client = client_for(team.lead)
    # The suspended officer is not offered; forcing the id is refused by the form.
    response = client.post(
        reverse("cases:case-create"), open_payload(team, officers=[suspended.pk])
    )
    assert response.status_code == 200 and not Case.objects.exists()
    # The service's own refusal: a bad credit code.
    response = client.post(
        reverse("cases:case-create"),
        open_payload(team, party_credit_code="91110000600037341X", title="保留的案件名称"),
    )
    text = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "统一社会信用代码“91110000600037341X”不正确" in text
    assert "保留的案件名称" in text and "12315 投诉 第 2026-001 号" in text
    # Too few officers for the ordinary procedure.
    text = client.post(
        reverse("cases:case-create"), open_payload(team, officers=[])
    ).content.decode()
    assert "普通程序须至少指派 2 名持有效执法证件的承办人员" in text
    assert not Case.objects.exists()


def test_a_reviewer_may_not_open_a_case(client_for, team):
    assert client_for(team.reviewer).get(reverse("cases:case-create")).status_code == 403


# --- Parties and officers -----------------------------------------------------------------


@pytest.mark.req("REC-03")
def test_parties_and_officers_are_managed_on_the_case_page(client_for, build, team):
    case = open_case(team)
    third = build.officer(team.agency, name="执法员3")
    client = client_for(team.lead)
    response = client.post(
        case_url(case, "party-add"),
        {"kind": "natural", "name": "张三", "id_number": "11010519491231002X"},
    )
    assert response.status_code == 302
    assert case.parties.filter(name="张三").exists()
    text = client.post(
        case_url(case, "party-add"), {"kind": "natural", "name": "张三", "id_number": "123"}
    ).content.decode()
    assert "居民身份证号码“123”不正确" in text
    assert "执法员3" in client.get(case_url(case, "officer-assign")).content.decode()
    client.post(case_url(case, "officer-assign"), {"officer": third.pk})
    assignment = case.assignments.get(officer=third)
    page = client.get(case_url(case)).content.decode()
    assert assignment.credential_number in page
    release = reverse("cases:officer-release", args=[case.pk, third.pk])
    text = client.post(release, {"reason": ""}).content.decode()
    assert "该字段是必填项" in text
    client.post(release, {"reason": "申请回避"})
    assignment.refresh_from_db()
    assert assignment.released_at is not None
    assert entries_for(case).filter(action="case.officer_release").get().payload["reason"] == (
        "申请回避"
    )


def test_only_handlers_add_parties(client_for, team):
    case = open_case(team)
    assert client_for(team.reviewer).get(case_url(case, "party-add")).status_code == 403
    assert client_for(team.reviewer).get(case_url(case, "case-advance")).status_code == 403


# --- Records ------------------------------------------------------------------------------


def signature_post(prefix, **fields):
    return {f"{prefix}-{k}": v for k, v in fields.items()}


@pytest.mark.req("REC-03")
def test_an_interview_with_drawn_signatures(client_for, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    client = client_for(team.lead)
    url = case_url(case, "record-create") + "?kind=interview"
    form = client.get(url).content.decode()
    assert "询问内容（问答）" in form and "<canvas" in form and "执法员1" in form
    when = timezone.now() - timedelta(minutes=5)
    response = client.post(
        url,
        {
            "occurred_at": local(when),
            "place": "示范县市场监督管理局询问室",
            "c_interviewee": "王五",
            "c_questions_answers": "问：你是否知道……\n答：知道。",
            **signature_post(
                "sig0", method="on_screen", officer=team.officers[0].pk, drawing=DRAWING
            ),
            **signature_post("sig1", method="on_screen", name="王五", drawing=DRAWING),
        },
    )
    record = Record.objects.get(kind="interview")
    assert response.status_code == 302
    assert record.content["interviewee"] == "王五"
    signatures = {s.role: s for s in record.signatures.all()}
    assert signatures["officer"].name == "执法员1"
    assert signatures["interviewee"].image.sha256 == StoredFile.objects.get(size=len(PNG)).sha256
    page = client.get(case_url(case)).content.decode()
    assert "问：你是否知道" in page and "被询问人" in page
    image = client.get(
        reverse("cases:signature-image", args=[case.pk, signatures["interviewee"].pk])
    )
    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG


@pytest.mark.req("REC-03")
def test_a_refused_signature_with_witness_and_a_scan(client_for, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    client = client_for(team.lead)
    url = case_url(case, "record-create") + "?kind=onsite_inspection"
    post = {
        "occurred_at": local(timezone.now() - timedelta(minutes=5)),
        "place": "好味公司仓库",
        "c_present": "王五（负责人）",
        "c_situation": "仓库内存放过期食品 20 箱。",
        **signature_post(
            "sig0",
            method="scan",
            officer=team.officers[1].pk,
            scan=SimpleUploadedFile("scan.png", PNG, content_type="image/png"),
        ),
        **signature_post("sig1", method="refused", name="王五", refusal_note="当事人拒绝签名"),
    }
    # A refusal without a witness is refused by the service; nothing is recorded.
    text = client.post(url, post).content.decode()
    assert "王五拒绝签名的，须记录见证人" in text
    assert not Record.objects.filter(kind="onsite_inspection").exists()
    assert "仓库内存放过期食品 20 箱。" in text
    post["sig0-scan"] = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    post["sig1-witness_name"] = "社区网格员赵六"
    assert client.post(url, post).status_code == 302
    record = Record.objects.get(kind="onsite_inspection")
    party = record.signatures.get(role="party")
    assert party.method == "refused" and party.witness_name == "社区网格员赵六"
    assert party.image is None
    assert record.signatures.get(role="officer").image.content_type == "image/png"
    page = client.get(case_url(case)).content.decode()
    assert "有拒签" in page and "社区网格员赵六" in page


@pytest.mark.req("REC-06")
def test_a_decision_with_money_and_a_leader_signoff(client_for, team):
    case = advance_to(team, open_case(team), Stage.DECISION)
    client = client_for(team.lead)
    fields = {
        "occurred_at": local(timezone.now() - timedelta(minutes=3)),
        "c_party": "示范县好味食品有限公司",
        "c_facts": "销售过期食品",
        "c_evidence": "询问笔录、现场检查笔录",
        "c_basis": "《食品安全法》第一百二十四条",
        "c_discretion": "一般情节",
        "c_conclusion": "罚款",
        "c_performance": "十五日内缴纳",
        "c_remedies": "六十日内申请复议",
        "c_fine_amount": "5000.5",
    }
    assert (
        client.post(case_url(case, "record-create") + "?kind=decision", fields).status_code == 302
    )
    assert Record.objects.get(kind="decision").content["fine_amount"] == "5000.50"
    # The leader's sign-off is the leader's: a handler is refused the page.
    signoff = case_url(case, "record-create") + "?kind=leader_signoff"
    assert client.get(signoff).status_code == 403
    leader = client_for(team.leader)
    response = leader.post(
        signoff,
        {
            "occurred_at": local(timezone.now() - timedelta(minutes=2)),
            "c_opinion": "同意",
            "c_approved_by": "局长",
            **signature_post("sig0", method="on_screen", name="局长", drawing=DRAWING),
        },
    )
    assert response.status_code == 302
    assert Record.objects.filter(kind="leader_signoff").exists()


@pytest.mark.req("REC-02")
def test_start_records_with_a_time_and_a_choice(client_for, team):
    case = open_case(team, source=Source.APPLICATION)
    client = client_for(team.lead)
    received = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        case_url(case, "record-create") + "?kind=complaint",
        {
            "occurred_at": local(timezone.now()),
            "c_complainant": "张三",
            "c_content": "购买到过期食品",
            "c_received_at": local(received),
            "c_recorder": "执法员1",
            "c_handling": "转办案机构核查",
        },
    )
    assert response.status_code == 302
    assert Record.objects.get(kind="complaint").content["received_at"] == received.strftime(
        "%Y-%m-%d %H:%M"
    )
    url = case_url(case, "record-create") + "?kind=application_acceptance"
    assert "一次性告知补正" in client.get(url).content.decode()
    fields = {"occurred_at": local(timezone.now()), "c_reason": "材料齐全"}
    text = client.post(url, {**fields, "c_decision": "forged"}).content.decode()
    assert "选择一个有效的选项" in text
    assert client.post(url, {**fields, "c_decision": "accepted"}).status_code == 302
    page = client.get(case_url(case)).content.decode()
    assert "处理方式</dt><dd>受理" in page


def test_a_handler_does_not_correct_the_leaders_records(client_for, team):
    case = open_case(team)
    approval = add(team, case, "filing_approval")
    correct = reverse("cases:record-correct", args=[case.pk, approval.pk])
    assert correct not in client_for(team.lead).get(case_url(case)).content.decode()
    assert client_for(team.lead).get(correct).status_code == 403
    assert correct in client_for(team.leader).get(case_url(case)).content.decode()


def test_a_kind_not_allowed_now_is_refused(client_for, team):
    case = open_case(team)
    client = client_for(team.lead)
    response = client.get(case_url(case, "record-create") + "?kind=interview", follow=True)
    assert "“询问笔录”属于调查取证环节，案件当前处于启动环节" in response.content.decode()
    assert client.get(case_url(case, "record-create") + "?kind=forged").status_code == 404
    simple = client.get(case_url(case, "record-create") + "?kind=onspot_decision", follow=True)
    assert "普通程序的案件不使用“当场行政处罚决定”" in simple.content.decode()


@pytest.mark.req("REC-03")
def test_a_record_in_the_future_is_refused_and_keeps_the_drawing(client_for, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    url = case_url(case, "record-create") + "?kind=interview"
    files = StoredFile.objects.count()
    text = (
        client_for(team.lead)
        .post(
            url,
            {
                "occurred_at": local(timezone.now() + timedelta(hours=2)),
                "c_interviewee": "王五",
                "c_questions_answers": "问答",
                **signature_post(
                    "sig0", method="on_screen", officer=team.officers[0].pk, drawing=DRAWING
                ),
                **signature_post("sig1", method="on_screen", name="王五", drawing=DRAWING),
            },
        )
        .content.decode()
    )
    assert "记录时间不能晚于当前时间" in text
    assert DRAWING in text
    assert not Record.objects.filter(kind="interview").exists()
    # Only the content-addressed image may remain, once.
    assert StoredFile.objects.count() <= files + 1


def test_a_drawing_that_is_not_an_image_stores_nothing(client_for, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    files = StoredFile.objects.count()
    text = (
        client_for(team.lead)
        .post(
            case_url(case, "record-create") + "?kind=investigation_report",
            {
                "occurred_at": local(timezone.now()),
                "c_facts": "事实",
                "c_evidence": "证据",
                "c_basis": "依据",
                "c_proposal": "建议",
                **signature_post(
                    "sig0",
                    method="on_screen",
                    officer=team.officers[0].pk,
                    drawing="data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
                ),
            },
        )
        .content.decode()
    )
    assert "签名图像须是 PNG 或 JPEG 图片" in text
    assert StoredFile.objects.count() == files
    assert not Record.objects.filter(kind="investigation_report").exists()


@pytest.mark.req("REC-03")
def test_a_correction_and_a_later_signature(client_for, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    officer_sig = services.SignatureInput(
        role="officer",
        name="",
        method="on_screen",
        signed_at=timezone.now() - timedelta(minutes=9),
        image=signature_image(team.lead),
        officer=team.officers[0],
    )
    original = add(
        team,
        case,
        "rights_notification",
        when=timezone.now() - timedelta(minutes=10),
        signatures=[officer_sig],
    )
    client = client_for(team.lead)
    page = client.get(case_url(case)).content.decode()
    assert "缺少当事人签名或拒签记录" in page
    sign = reverse("cases:record-sign", args=[case.pk, original.pk])
    assert 'value="party" selected' in client.get(sign).content.decode()
    response = client.post(
        sign,
        {"role": "party", "name": "王五", "method": "on_screen", "drawing": DRAWING},
    )
    assert response.status_code == 302
    assert original.signatures.filter(role="party", name="王五").exists()
    correct = reverse("cases:record-correct", args=[case.pk, original.pk])
    form = client.get(correct).content.decode()
    assert "出示的执法证件：示例内容" in form
    response = client.post(
        correct,
        {
            "occurred_at": local(original.occurred_at),
            "c_credentials_shown": "出示执法证 T0001、T0002",
            "c_rights": "告知陈述、申辩、申请回避的权利",
            **signature_post(
                "sig0", method="on_screen", officer=team.officers[0].pk, drawing=DRAWING
            ),
            **signature_post(
                "sig1", method="refused", name="王五", refusal_note="拒签", witness_name="赵六"
            ),
        },
    )
    assert response.status_code == 302
    correction = Record.objects.get(supersedes=original)
    assert correction.content["credentials_shown"] == "出示执法证 T0001、T0002"
    page = client.get(case_url(case)).content.decode()
    assert "已被更正" in page and "更正记录" in page
    # A record already corrected is not corrected twice.
    assert client.get(correct, follow=True).content.decode().count("该记录已被更正过") == 1


# --- Stages --------------------------------------------------------------------------------


@pytest.mark.req("REC-01")
def test_advance_is_refused_with_the_needs_shown(client_for, team):
    case = open_case(team)
    client = client_for(team.lead)
    page = client.get(case_url(case)).content.decode()
    assert "尚需完成（进入调查取证环节）" in page and "缺少立案审批" in page
    confirm = client.get(case_url(case, "case-advance")).content.decode()
    assert "缺少立案审批" in confirm
    text = client.post(
        case_url(case, "case-advance"), {"to_stage": Stage.INVESTIGATION}
    ).content.decode()
    assert "进入调查取证环节前尚需：缺少立案审批" in text
    case.refresh_from_db()
    assert case.stage == Stage.START
    # A stale form naming another stage is refused too.
    text = client.post(case_url(case, "case-advance"), {"to_stage": Stage.DECISION}).content
    assert "不能直接进入审查决定" in text.decode()


@pytest.mark.req("REC-01")
def test_advance_works_after_confirmation(client_for, team):
    case = open_case(team)
    ready_for(team, case, Stage.INVESTIGATION)
    client = client_for(team.lead)
    confirm = client.get(case_url(case, "case-advance")).content.decode()
    assert "环节变更不可撤回" in confirm
    response = client.post(
        case_url(case, "case-advance"), {"to_stage": Stage.INVESTIGATION, "note": "立案"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION
    assert case.stage_changes.last().note == "立案"


@pytest.mark.req("REC-09")
def test_closing_asks_for_the_end_date_and_sets_the_archive_deadline(client_for, team):
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    ready_for(team, case, Stage.CLOSED)
    client = client_for(team.leader)
    assert "执法行为终结日期" in client.get(case_url(case, "case-advance")).content.decode()
    today = timezone.localdate()
    client.post(
        case_url(case, "case-advance"),
        {"to_stage": Stage.CLOSED, "ended_on": today.isoformat()},
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.archive_due_on == today + timedelta(days=20)
    page = client.get(case_url(case)).content.decode()
    assert "进入下一环节" not in page and "添加记录" not in page


# --- The query budget ----------------------------------------------------------------------


@pytest.mark.req("REC-12")
def test_the_case_page_with_200_records_stays_within_50_queries(
    client_for, team, django_assert_max_num_queries
):
    # Started yesterday: the records below are dated from three hours ago.
    yesterday = timezone.localdate() - timedelta(days=1)
    case = advance_to(team, open_case(team, started_on=yesterday), Stage.INVESTIGATION)
    before = case.records.count()
    image = signature_image(team.lead)
    start = timezone.now() - timedelta(hours=3)
    for i in range(200):
        when = start + timedelta(seconds=30 * i)
        kind = "interview" if i % 2 else "documentary_evidence"
        signatures = [
            services.SignatureInput(
                role=Signature.Role.OFFICER,
                name="",
                method="on_screen",
                signed_at=when,
                image=image,
                officer=team.officers[0],
            ),
            services.SignatureInput(
                role=Signature.Role.INTERVIEWEE,
                name="王五",
                method="refused" if i % 3 == 0 else "on_screen",
                signed_at=when,
                image=image,
                refusal_note="拒签",
                witness_name="赵六",
            ),
        ]
        services.record_add(
            actor=team.lead,
            case=case,
            kind=kind,
            occurred_at=when,
            place="示范县城关镇",
            content=sample_content(kind),
            signatures=signatures if kind == "interview" else [],
        )
    assert case.records.count() - before == 200
    client = client_for(team.lead)
    client.get(case_url(case))  # warm the session and the caches a real user would have
    with django_assert_max_num_queries(50):
        response = client.get(case_url(case))
    assert response.status_code == 200
    assert response.content.decode().count('class="entry record') == before + 200
    assert LedgerEntry.objects.filter(action="case.view").count() == 2
