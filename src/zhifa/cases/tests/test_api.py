import base64
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Case, Record, Stage
from zhifa.cases.testing import PARTY, PNG, add, advance_to, open_case, sample_content
from zhifa.cases.testing import team as make_team
from zhifa.cases.tests.test_views import ready_for
from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests, listed_ids
from zhifa.ledger.models import StoredFile
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db]

IMAGE = base64.b64encode(PNG).decode()


def moment(delta=timedelta(minutes=-1)) -> str:
    return (timezone.now() + delta).isoformat()


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


# --- The generic suite ------------------------------------------------------------------


class CaseEndpoint:
    """A case of agency A, opened by its team; the other user is an officer of B."""

    list_url_name = "api:case-list"

    def make_object(self, build, county):
        self.team = make_team(build, county.market)
        self.stranger = build.officer(county.safety, name="外局执法员").user
        return open_case(self.team)

    def allowed_user(self, county):
        return self.team.lead

    def other_user(self, county):
        return self.stranger


@pytest.mark.req("REC-01")
class TestCaseRead(CaseEndpoint, APIReadTests):
    pass


@pytest.mark.req("REC-02")
class TestCaseOpen(CaseEndpoint, APIWriteTests):
    ledger_action = "case.open"
    # Agency A's matter and officers are unknown ids to agency B.
    other_status = (400,)

    def write_payload(self, county, obj):
        return {
            "matter": self.team.matter.pk,
            "title": "某超市销售过期食品案",
            "procedure": "ordinary",
            "source": "complaint",
            "started_on": timezone.localdate().isoformat(),
            "officers": [o.pk for o in self.team.officers],
            "parties": [PARTY],
        }


@pytest.mark.req("REC-01")
class TestCaseAdvance(CaseEndpoint, APIWriteTests):
    write_action = "advance"
    ledger_action = "case.stage"

    def make_object(self, build, county):
        case = super().make_object(build, county)
        ready_for(self.team, case, Stage.INVESTIGATION)
        return case

    def write_payload(self, county, obj):
        return {"to_stage": "investigation", "note": "立案"}


@pytest.mark.req("REC-03")
class TestPartyAdd(CaseEndpoint, APIWriteTests):
    write_action = "parties"
    ledger_action = "case.party_add"

    def write_payload(self, county, obj):
        return {"kind": "natural", "name": "张三", "id_number": "11010519491231002X"}


@pytest.mark.req("REC-03")
class TestOfficerAssign(CaseEndpoint, APIWriteTests):
    write_action = "officers"
    ledger_action = "case.officer_assign"

    def make_object(self, build, county):
        case = super().make_object(build, county)
        self.third = build.officer(county.market, name="执法员3")
        return case

    def write_payload(self, county, obj):
        return {"officer": self.third.pk}


@pytest.mark.req("REC-03")
class TestOfficerRelease(CaseEndpoint, APIWriteTests):
    write_action = "officer-release"
    ledger_action = "case.officer_release"

    def make_object(self, build, county):
        self.team = make_team(build, county.market)
        self.stranger = build.officer(county.safety).user
        self.third = build.officer(county.market, name="执法员3")
        return open_case(self.team, officers=[*self.team.officers, self.third])

    def write_payload(self, county, obj):
        return {"officer": self.third.pk, "reason": "申请回避"}


class RecordEndpoint(CaseEndpoint):
    """A signed 立案审批 in a case of agency A: ``/cases/{case}/records/{id}/``."""

    list_url_name = "api:case-record-list"

    def make_object(self, build, county):
        self.case = super().make_object(build, county)
        return add(self.team, self.case, "filing_approval")

    def list_url(self):
        return reverse(self.list_url_name, args=[self.case.pk])

    def detail_url(self, obj):
        return reverse("api:case-record-detail", args=[self.case.pk, obj.pk])


@pytest.mark.req("REC-03")
class TestRecordRead(RecordEndpoint, APIReadTests):
    def test_other_agency_does_not_list_the_object(self, client, county, obj):
        # The records are listed under their case, which another agency cannot see.
        client.force_login(self.other_user(county))
        assert client.get(self.list_url()).status_code == 404


@pytest.mark.req("REC-03")
class TestRecordCreate(CaseEndpoint, APIWriteTests):
    ledger_action = "record.add"

    def write_url(self, obj):
        return reverse("api:case-record-list", args=[obj.pk])

    def written_object(self, response, obj):
        return Record.objects.get(pk=response.json()["id"])

    def write_payload(self, county, obj):
        return {
            "kind": "complaint",
            "occurred_at": moment(),
            "content": sample_content("complaint"),
        }


@pytest.mark.req("REC-03")
class TestSignatureAdd(RecordEndpoint, APIWriteTests):
    write_action = "signatures"
    ledger_action = "record.sign"

    def write_url(self, obj):
        return reverse("api:case-record-signatures", args=[self.case.pk, obj.pk])

    def write_payload(self, county, obj):
        return {
            "role": "witness",
            "name": "赵六",
            "method": "on_screen",
            "signed_at": moment(),
            "image": IMAGE,
        }


# --- Cases --------------------------------------------------------------------------------


@pytest.fixture
def api(client_for, team):
    return client_for(team.lead)


def case_action(case, action):
    return reverse(f"api:case-{action}", args=[case.pk])


def records_url(case):
    return reverse("api:case-record-list", args=[case.pk])


@pytest.mark.req("REC-02")
def test_opening_a_case_returns_it_with_what_it_needs(api, team):
    response = post(
        api,
        reverse("api:case-list"),
        {
            "matter": team.matter.pk,
            "title": "好味食品公司销售过期食品案",
            "procedure": "ordinary",
            "source": "ex_officio",
            "started_on": timezone.localdate().isoformat(),
            "is_emergency": True,
            "officers": [team.officers[1].pk, team.officers[0].pk],
            "parties": [PARTY],
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["stage"] == "start" and body["next_stage"] == "investigation"
    assert [o["officer_name"] for o in body["officers"]] == ["执法员2", "执法员1"]
    assert body["officers"][0]["is_lead"] and body["officers"][0]["credential_number"]
    assert body["parties"][0]["credit_code"] == PARTY["credit_code"]
    assert body["is_emergency"] and body["emergency_overdue"] is False
    # An emergency start is approved afterwards: no filing approval is asked for now.
    assert "缺少立案审批" not in body["needs"]


@pytest.mark.req("REC-03")
@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_an_officer_without_a_valid_credential_cannot_handle_a_case(api, build, team, status):
    invalid = build.officer(team.agency, name="无证人员", credential=status)
    response = post(
        api,
        reverse("api:case-list"),
        {
            "matter": team.matter.pk,
            "title": "某案",
            "procedure": "ordinary",
            "source": "ex_officio",
            "started_on": timezone.localdate().isoformat(),
            "officers": [team.officers[0].pk, invalid.pk],
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "no_valid_credential"
    assert (
        "无证人员" in response.json()["detail"]
        and "没有有效的行政执法证件" in (response.json()["detail"])
    )
    assert not Case.objects.exists()
    case = open_case(team)
    response = post(api, case_action(case, "officers"), {"officer": invalid.pk})
    assert response.status_code == 403 and response.json()["code"] == "no_valid_credential"
    assert case.assignments.count() == 2


def test_a_case_cannot_start_tomorrow(api, team):
    response = post(
        api,
        reverse("api:case-list"),
        {
            "matter": team.matter.pk,
            "title": "某案",
            "procedure": "ordinary",
            "source": "ex_officio",
            "started_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "officers": [o.pk for o in team.officers],
        },
    )
    assert response.status_code == 400
    assert response.json() == {"code": "time_in_future", "detail": "启动日期不能晚于今天。"}


def test_the_list_filters_and_searches(api, team):
    first = open_case(team, title="好味公司案")
    second = open_case(team, title="某超市案", procedure="simple")
    url = reverse("api:case-list")
    assert set(listed_ids(api.get(url))) == {first.pk, second.pk}
    assert listed_ids(api.get(url, {"procedure": "simple"})) == [second.pk]
    assert listed_ids(api.get(url, {"search": "超市"})) == [second.pk]
    assert listed_ids(api.get(url, {"search": first.number})) == [first.pk]
    advance_to(team, first, Stage.INVESTIGATION)
    assert listed_ids(api.get(url, {"stage": "investigation"})) == [first.pk]


# --- Stages -------------------------------------------------------------------------------


@pytest.mark.req("REC-01")
def test_advance_refuses_the_wrong_order_and_missing_records(api, team):
    case = open_case(team)
    url = case_action(case, "advance")
    response = post(api, url, {"to_stage": "decision"})
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_stage_order"
    assert "下一环节是调查取证，不能直接进入审查决定" in response.json()["detail"]
    response = post(api, url, {"to_stage": "investigation"})
    assert response.status_code == 409 and response.json()["code"] == "stage_needs"
    assert "缺少立案审批" in response.json()["detail"]
    reviewer = Client()
    reviewer.force_login(team.reviewer)
    response = post(reviewer, url, {"to_stage": "investigation"})
    assert response.status_code == 403
    assert response.json()["detail"] == "只有本案承办人员或负责人可以推进案件环节。"
    case.refresh_from_db()
    assert case.stage == Stage.START and case.stage_changes.count() == 1
    ready_for(team, case, Stage.INVESTIGATION)
    response = post(api, url, {"to_stage": "investigation"})
    assert response.status_code == 200 and response.json()["stage"] == "investigation"
    assert "缺少告知权利及出示证件记录" in response.json()["needs"]


@pytest.mark.req("REC-09")
def test_closing_sets_the_archive_deadline(api, team):
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    ready_for(team, case, Stage.CLOSED)
    response = post(
        api,
        case_action(case, "advance"),
        {"to_stage": "closed", "ended_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200, response.content.decode()
    body = api.get(reverse("api:case-detail", args=[case.pk])).json()
    assert entries_for(case).filter(action="case.view").count() == 1
    assert body["stage"] == "closed" and body["next_stage"] is None and body["needs"] == []
    assert (
        body["archive_due_on"] == (timezone.localdate() + timedelta(days=20)).isoformat()
        and body["archive_overdue"] is False
    )


# --- Who may write ---------------------------------------------------------------------------


@pytest.mark.req("REC-03")
def test_a_non_handler_is_refused_in_chinese(client_for, team):
    case = open_case(team)
    reviewer = client_for(team.reviewer)
    response = post(reviewer, case_action(case, "parties"), {"kind": "natural", "name": "张三"})
    assert response.status_code == 403
    assert response.json() == {
        "code": "not_a_handler",
        "detail": "只有本案的承办人员可以执行此操作。",
    }
    response = post(
        reviewer,
        records_url(case),
        {"kind": "complaint", "occurred_at": moment(), "content": sample_content("complaint")},
    )
    assert response.status_code == 403
    assert not case.parties.filter(name="张三").exists()


def test_another_agencys_case_is_404_everywhere(client_for, build, county, team):
    case = open_case(team)
    record = add(team, case, "filing_approval")
    stranger = client_for(build.officer(county.safety).user)
    assert stranger.get(records_url(case)).status_code == 404
    url = reverse("api:case-record-signatures", args=[case.pk, record.pk])
    payload = {"role": "party", "name": "x", "method": "on_screen", "signed_at": moment()}
    assert post(stranger, url, {**payload, "image": IMAGE}).status_code == 404
    assert post(stranger, case_action(case, "officers"), {"officer": 1}).status_code == 404


# --- Records --------------------------------------------------------------------------------


@pytest.mark.req("REC-03")
def test_a_record_with_a_drawn_signature_and_a_refusal(api, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    response = post(
        api,
        records_url(case),
        {
            "kind": "interview",
            "occurred_at": moment(timedelta(minutes=-30)),
            "place": "询问室",
            "content": {"interviewee": "王五", "questions_answers": "问：……答：……"},
            "signatures": [
                {
                    "role": "officer",
                    "officer": team.officers[0].pk,
                    "method": "on_screen",
                    "signed_at": moment(timedelta(minutes=-20)),
                    "image": "data:image/png;base64," + IMAGE,
                },
                {
                    "role": "interviewee",
                    "name": "王五",
                    "method": "refused",
                    "signed_at": moment(timedelta(minutes=-20)),
                    "refusal_note": "拒绝签名",
                    "witness_name": "社区网格员赵六",
                },
            ],
        },
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["kind_label"] == "询问笔录" and body["stage"] == "investigation"
    signatures = {s["role"]: s for s in body["signatures"]}
    assert signatures["officer"]["name"] == "执法员1"
    assert signatures["officer"]["image_sha256"] == hashlib.sha256(PNG).hexdigest()
    assert signatures["interviewee"]["image_sha256"] is None
    assert signatures["interviewee"]["witness_name"] == "社区网格员赵六"
    record = Record.objects.get(pk=body["id"])
    entry = entries_for(record).get(action="record.add")
    assert entry.payload["digest"] == record.digest == body["digest"]
    listed = api.get(records_url(case)).json()
    assert body["id"] in [r["id"] for r in listed["results"]]


def _record_post(case, **fields):
    return {
        "kind": "complaint",
        "occurred_at": moment(),
        "content": sample_content("complaint"),
        **fields,
    }


REFUSALS = {
    "in the future": (
        {"occurred_at": moment(timedelta(hours=2))},
        400,
        "time_in_future",
        "记录时间不能晚于当前时间",
    ),
    "before the start": (
        {"occurred_at": moment(timedelta(days=-10))},
        400,
        "time_before_start",
        "记录时间不能早于案件启动日期",
    ),
    "an unknown kind": ({"kind": "forged_kind"}, 400, "record_kind", "记录类型不正确"),
    "a later stage's kind": (
        {"kind": "decision", "content": sample_content("decision")},
        409,
        "wrong_stage",
        "“行政执法决定”属于审查决定环节，案件当前处于启动环节",
    ),
    "a kind of another procedure": (
        {"kind": "onspot_decision", "content": sample_content("onspot_decision")},
        400,
        "kind_not_for_procedure",
        "普通程序的案件不使用“当场行政处罚决定”",
    ),
    "an unknown field": (
        {"content": {**sample_content("complaint"), "forged": "x"}},
        400,
        "invalid",
        "投诉举报登记含未知字段：forged",
    ),
    "a missing field": (
        {"content": {"complainant": "张三"}},
        400,
        "field_required",
        "“投诉举报内容”不能为空",
    ),
    "a leader's kind": (
        {"kind": "filing_approval", "content": sample_content("filing_approval")},
        403,
        "forbidden",
        "立案审批须由本机关负责人或承办机构负责人作出",
    ),
    "a refusal without witness": (
        {
            "signatures": [
                {
                    "role": "party",
                    "name": "王五",
                    "method": "refused",
                    "signed_at": moment(),
                    "refusal_note": "拒签",
                }
            ]
        },
        400,
        "refusal_needs_witness",
        "王五拒绝签名的，须记录见证人",
    ),
    "an officer's signature naming no officer": (
        {
            "signatures": [
                {"role": "officer", "method": "on_screen", "signed_at": moment(), "image": IMAGE}
            ]
        },
        400,
        "invalid",
        "执法人员签名须指明是哪位承办人员",
    ),
}


@pytest.mark.req("REC-03")
@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_record_changes_nothing(api, team, name):
    change, status, code, message = REFUSALS[name]
    case = open_case(team, started_on=timezone.localdate() - timedelta(days=3))
    records = Record.objects.count()
    response = post(api, records_url(case), _record_post(case, **change))
    assert response.status_code == status, response.content.decode()
    assert response.json()["code"] == code
    assert message in response.json()["detail"]
    assert Record.objects.count() == records
    assert not entries_for(case).filter(action="record.add").exists()


def test_a_signature_image_that_is_not_an_image_is_refused_before_storing(api, team):
    case = open_case(team)
    files = StoredFile.objects.count()
    signature = {"role": "party", "name": "王五", "method": "on_screen", "signed_at": moment()}
    for image, message in (
        ("not base64!", "不是有效的 base64 编码"),
        (base64.b64encode(b"GIF89a....").decode(), "须是 PNG 或 JPEG 图片"),
    ):
        response = post(
            api, records_url(case), _record_post(case, signatures=[{**signature, "image": image}])
        )
        assert response.status_code == 400
        assert message in str(response.json()["signatures"])
    assert StoredFile.objects.count() == files
    assert not Record.objects.filter(kind="complaint").exists()


@pytest.mark.req("REC-03")
def test_a_later_signature_and_a_correction(api, team):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    response = post(
        api,
        records_url(case),
        {
            "kind": "documentary_evidence",
            "occurred_at": moment(timedelta(minutes=-10)),
            "content": sample_content("documentary_evidence"),
        },
    )
    original = response.json()["id"]
    sign = reverse("api:case-record-signatures", args=[case.pk, original])
    response = post(
        api,
        sign,
        {"role": "party", "name": "王五", "method": "scan", "signed_at": moment(), "image": IMAGE},
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["method_display"] == "纸质签名扫描件"
    # A signature dated before the record is refused.
    response = post(
        api,
        sign,
        {
            "role": "witness",
            "name": "赵六",
            "method": "on_screen",
            "signed_at": moment(timedelta(hours=-5)),
            "image": IMAGE,
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] in ("signature_before_record", "time_before_start")
    content = {**sample_content("documentary_evidence"), "proves": "证明当事人销售过期食品"}
    response = post(
        api,
        records_url(case),
        {
            "kind": "documentary_evidence",
            "occurred_at": moment(timedelta(minutes=-10)),
            "content": content,
            "supersedes": original,
        },
    )
    assert response.status_code == 201
    detail = api.get(reverse("api:case-record-detail", args=[case.pk, original])).json()
    assert detail["superseded_by"] == response.json()["id"]
    assert entries_for(Record.objects.get(pk=response.json()["id"])).get().action == (
        "record.correct"
    )
    # Correcting the same record twice, or naming another case's record, is refused.
    again = post(
        api,
        records_url(case),
        {
            "kind": "documentary_evidence",
            "occurred_at": moment(),
            "content": content,
            "supersedes": original,
        },
    )
    assert again.status_code == 409 and again.json()["code"] == "already_superseded"
    other = add(team, open_case(team), "filing_approval")
    response = post(
        api,
        records_url(case),
        {
            "kind": "documentary_evidence",
            "occurred_at": moment(),
            "content": content,
            "supersedes": other.pk,
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "supersedes"
