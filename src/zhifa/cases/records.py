"""The kinds of text record (文字记录) a case holds, and what each must contain.

One table, read by the services (validation), the forms (one generic form per
kind), the stage rules and the instruments: what 001 附件2 §8–§26 asks each
record to show is written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhifa.cases.models import Signature, Stage

S = Signature.Role


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = True
    kind: str = "text"  # text | textarea | date | datetime | money | choice
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    stage: str
    fields: tuple[Field, ...]
    # Who must sign (or be recorded as refusing) before the record counts as complete.
    signers: tuple[str, ...] = ()
    # Made by the handling officers, or by the agency's leader (approvals).
    by: str = "handler"  # handler | leader
    # Continuous audio-video record required (REC-04); photo-or-video for notices.
    av: str = ""  # "" | "continuous" | "photo_or_video"
    procedures: tuple[str, ...] = field(default=("ordinary", "simple", "fast"))


def F(name, label, required=True, kind="text", choices=()):
    return Field(name, label, required, kind, tuple(choices))


RIGHTS = (("statement", "陈述"), ("defence", "申辩"), ("recusal", "申请回避"), ("hearing", "听证"))
DELIVERY_DOCUMENT = F("document", "送达文书（名称及文号）")

KIND_LIST: tuple[Kind, ...] = (
    # --- 启动 (REC-02) ---
    Kind(
        "application_registration",
        "申请登记",
        Stage.START,
        (
            F("applicant", "申请人"),
            F("application", "申请事项", kind="textarea"),
            F("materials", "提交材料", kind="textarea"),
            F("receipt_number", "收件凭证编号"),
        ),
    ),
    Kind(
        "application_acceptance",
        "受理决定",
        Stage.START,
        (
            F(
                "decision",
                "处理方式",
                kind="choice",
                choices=(
                    ("accepted", "受理"),
                    ("corrected_on_spot", "当场更正后受理"),
                    ("one_time_notice", "一次性告知补正"),
                    ("rejected", "不予受理"),
                ),
            ),
            F("reason", "理由", kind="textarea"),
            F("receipt_number", "受理凭证编号", required=False),
        ),
    ),
    Kind(
        "filing_approval",
        "立案审批",
        Stage.START,
        (
            F("cause", "案由"),
            F("facts", "案件来源及基本情况", kind="textarea"),
            F("handler_opinion", "承办人意见", kind="textarea"),
            F("unit_opinion", "承办机构意见", kind="textarea"),
            F("leader_opinion", "负责人审批意见", kind="textarea"),
            F("approved_by", "审批人"),
        ),
        signers=(S.LEADER,),
        by="leader",
    ),
    Kind(
        "complaint",
        "投诉举报登记",
        Stage.START,
        (
            F("complainant", "投诉举报人"),
            F("content", "投诉举报内容", kind="textarea"),
            F("received_at", "接收时间", kind="datetime"),
            F("recorder", "登记人"),
            F("handling", "处理情况", kind="textarea"),
            F("reply", "答复情况", kind="textarea", required=False),
        ),
    ),
    Kind(
        "inspection_start",
        "监督检查登记",
        Stage.START,
        (
            F("method", "检查方式"),
            F("object", "检查对象"),
            F("inspectors", "检查人员"),
            F("findings", "发现的问题", kind="textarea"),
        ),
        av="photo_or_video",
    ),
    Kind(
        "transfer",
        "案件移送登记",
        Stage.START,
        (
            F("from_agency", "移送机关"),
            F("document", "移送函件文号"),
            F("content", "移送内容", kind="textarea"),
        ),
    ),
    Kind(
        "emergency_approval",
        "紧急情况补办批准",
        Stage.START,
        (F("reason", "先行启动的紧急情况", kind="textarea"), F("approved_by", "批准人")),
        signers=(S.LEADER,),
        by="leader",
    ),
    Kind(
        "party_consent",
        "当事人同意适用快速办理",
        Stage.START,
        (F("statement", "当事人书面意见", kind="textarea"),),
        signers=(S.PARTY,),
        procedures=("fast",),
    ),
    # --- 调查取证 (REC-03) ---
    Kind(
        "rights_notification",
        "告知权利及出示证件",
        Stage.INVESTIGATION,
        (
            F("credentials_shown", "出示的执法证件", kind="textarea"),
            F("rights", "告知的权利", kind="textarea"),
            F("party_response", "当事人意见", kind="textarea", required=False),
        ),
        signers=(S.OFFICER, S.PARTY),
    ),
    Kind(
        "interview",
        "询问笔录",
        Stage.INVESTIGATION,
        (
            F("interviewee", "被询问人"),
            F("interviewee_id", "被询问人身份证件", required=False),
            F("questions_answers", "询问内容（问答）", kind="textarea"),
        ),
        signers=(S.OFFICER, S.INTERVIEWEE),
    ),
    Kind(
        "onsite_inspection",
        "现场检查（勘验）笔录",
        Stage.INVESTIGATION,
        (
            F("present", "在场人员"),
            F("situation", "现场情况", kind="textarea"),
            F("evidence_found", "发现的证据", kind="textarea", required=False),
        ),
        signers=(S.OFFICER, S.PARTY),
        av="continuous",
    ),
    Kind(
        "sampling",
        "抽样取证记录",
        Stage.INVESTIGATION,
        (
            F("items", "抽样物品及数量", kind="textarea"),
            F("method", "抽样方法"),
            F("sealing", "封样情况"),
        ),
        signers=(S.OFFICER, S.PARTY),
        av="continuous",
    ),
    Kind(
        "evidence_preservation",
        "先行登记保存证据",
        Stage.INVESTIGATION,
        (
            F("items", "保存物品清单", kind="textarea"),
            F("reason", "理由及依据", kind="textarea"),
            F("location", "保存地点"),
            F("approved_by", "批准人"),
        ),
        signers=(S.OFFICER, S.PARTY),
        av="continuous",
    ),
    Kind(
        "documentary_evidence",
        "证据登记（书证、物证、视听资料、证人证言）",
        Stage.INVESTIGATION,
        (
            F("evidence_kind", "证据种类"),
            F("description", "证据名称及内容", kind="textarea"),
            F("source", "来源"),
            F("proves", "证明事项", kind="textarea"),
        ),
    ),
    Kind(
        "commissioned_test",
        "委托检测、检验、鉴定",
        Stage.INVESTIGATION,
        (
            F("institution", "受托机构"),
            F("items", "委托事项", kind="textarea"),
            F("conclusion", "结论", kind="textarea"),
            F("report_number", "报告编号"),
        ),
    ),
    Kind(
        "coercive_measure",
        "行政强制措施（查封、扣押等）",
        Stage.INVESTIGATION,
        (
            F("measure", "措施种类"),
            F("items", "对象及清单", kind="textarea"),
            F("basis", "依据", kind="textarea"),
            F("approved_by", "批准人"),
            F("term", "期限"),
        ),
        signers=(S.OFFICER, S.PARTY),
        av="continuous",
    ),
    Kind(
        "investigation_report",
        "案件调查终结报告",
        Stage.INVESTIGATION,
        (
            F("facts", "违法事实", kind="textarea"),
            F("evidence", "证据", kind="textarea"),
            F("basis", "法律依据", kind="textarea"),
            F("proposal", "处理建议", kind="textarea"),
        ),
        signers=(S.OFFICER,),
    ),
    # --- 审查决定 (REC-06, REC-07) ---
    Kind(
        "handling_opinion",
        "案件处理意见",
        Stage.DECISION,
        (
            F("facts", "当事人、证据及违法事实", kind="textarea"),
            F("basis", "法律依据及理由", kind="textarea"),
            F("proposed_decision", "拟作出的决定", kind="textarea"),
            F("discretion", "裁量理由", kind="textarea"),
        ),
        signers=(S.OFFICER,),
    ),
    Kind(
        "expert_opinion",
        "专家论证意见",
        Stage.DECISION,
        (F("experts", "专家"), F("opinion", "论证意见", kind="textarea")),
        signers=(S.EXPERT,),
    ),
    Kind(
        "prior_notice",
        "行政处罚事先告知",
        Stage.DECISION,
        (
            F("proposed_decision", "拟作出的处罚", kind="textarea"),
            F("facts", "事实", kind="textarea"),
            F("reasons", "理由", kind="textarea"),
            F("basis", "依据", kind="textarea"),
            F("rights", "当事人依法享有的权利及行使方式、期限", kind="textarea"),
            F("served_on", "送达日期", kind="date"),
        ),
    ),
    Kind(
        "statements",
        "当事人陈述申辩",
        Stage.DECISION,
        (
            F("statements", "陈述申辩内容", kind="textarea"),
            F("review", "复核意见", kind="textarea"),
        ),
        signers=(S.PARTY,),
    ),
    Kind(
        "rights_waiver",
        "当事人放弃陈述申辩、听证",
        Stage.DECISION,
        (F("waived", "放弃的权利", kind="textarea"),),
        signers=(S.PARTY,),
    ),
    Kind(
        "hearing_notice",
        "听证告知",
        Stage.DECISION,
        (F("rights", "听证权利告知内容", kind="textarea"), F("deadline", "申请期限", kind="date")),
    ),
    Kind(
        "hearing_application",
        "听证申请",
        Stage.DECISION,
        (F("applicant", "申请人"), F("request", "申请内容", kind="textarea")),
        signers=(S.PARTY,),
    ),
    Kind(
        "hearing_minutes",
        "听证笔录",
        Stage.DECISION,
        (
            F("presiding", "主持人"),
            F("participants", "参加人"),
            F("minutes", "听证经过", kind="textarea"),
        ),
        signers=(S.PARTICIPANT,),
        av="continuous",
    ),
    Kind(
        "legal_review",
        "法制审核意见",
        Stage.DECISION,
        (F("reviewer", "审核人员"), F("opinion", "审核意见", kind="textarea")),
        by="reviewer",
    ),
    Kind(
        "collective_discussion",
        "集体讨论记录",
        Stage.DECISION,
        (
            F("participants", "参加人员"),
            F("discussion", "讨论情况", kind="textarea"),
            F("conclusion", "讨论结论", kind="textarea"),
        ),
        signers=(S.PARTICIPANT,),
        by="leader",
    ),
    Kind(
        "leader_signoff",
        "负责人审批决定",
        Stage.DECISION,
        (F("opinion", "审批意见", kind="textarea"), F("approved_by", "审批人")),
        signers=(S.LEADER,),
        by="leader",
    ),
    Kind(
        "decision",
        "行政执法决定",
        Stage.DECISION,
        (
            F("party", "当事人"),
            F("facts", "违法事实", kind="textarea"),
            F("evidence", "采纳的证据及理由", kind="textarea"),
            F("basis", "法律依据及适用理由", kind="textarea"),
            F("discretion", "适用的裁量基准及理由", kind="textarea"),
            F("conclusion", "决定内容", kind="textarea"),
            F("performance", "履行方式和期限", kind="textarea"),
            F("remedies", "救济途径和期限", kind="textarea"),
            F("fine_amount", "罚没款金额（元）", required=False, kind="money"),
        ),
        procedures=("ordinary", "fast"),
    ),
    Kind(
        "onspot_decision",
        "当场行政处罚决定",
        Stage.DECISION,
        (
            F("form_number", "当场处罚决定书编号"),
            F("facts", "违法行为", kind="textarea"),
            F("basis", "依据", kind="textarea"),
            F("conclusion", "处罚内容", kind="textarea"),
            F("fine_amount", "罚款金额（元）", kind="money"),
            F("remedies", "救济途径和期限", kind="textarea"),
        ),
        signers=(S.OFFICER, S.PARTY),
        procedures=("simple",),
    ),
    # --- 送达执行 (REC-08, REC-09) ---
    Kind(
        "delivery_direct",
        "直接送达",
        Stage.EXECUTION,
        (DELIVERY_DOCUMENT, F("server", "送达人"), F("recipient", "受送达人或代收人")),
        signers=(S.RECIPIENT,),
    ),
    Kind(
        "delivery_left",
        "留置送达",
        Stage.EXECUTION,
        (
            DELIVERY_DOCUMENT,
            F("reason", "留置事由", kind="textarea"),
            F("server", "送达人"),
            F("witness", "见证人"),
        ),
        signers=(S.WITNESS,),
        av="continuous",
    ),
    Kind(
        "delivery_post",
        "邮寄送达",
        Stage.EXECUTION,
        (
            DELIVERY_DOCUMENT,
            F(
                "mail_kind",
                "邮寄方式",
                kind="choice",
                choices=(("registered", "挂号信"), ("ems", "EMS")),
            ),
            F("tracking_number", "邮件号"),
            F("receipt", "回执情况"),
        ),
    ),
    Kind(
        "delivery_notice",
        "公告送达",
        Stage.EXECUTION,
        (
            DELIVERY_DOCUMENT,
            F("reason", "公告事由", kind="textarea"),
            F("medium", "公告载体"),
            F("published_on", "公告日期", kind="date"),
        ),
        av="photo_or_video",
    ),
    Kind(
        "voluntary_performance",
        "当事人自觉履行",
        Stage.EXECUTION,
        (
            F("manner", "履行方式"),
            F("performed_on", "履行日期", kind="date"),
            F("receipt", "缴款凭证或履行证明", required=False),
        ),
    ),
    Kind(
        "coercive_execution",
        "强制执行",
        Stage.EXECUTION,
        (
            F("demand", "催告情况", kind="textarea"),
            F("decision", "强制执行决定（文号）"),
            F("manner", "执行方式"),
            F("result", "执行结果", kind="textarea", required=False),
        ),
        signers=(S.OFFICER,),
        av="continuous",
    ),
    Kind(
        "objection",
        "当事人异议",
        Stage.EXECUTION,
        (
            F("raised_by", "提出人"),
            F("content", "异议内容", kind="textarea"),
            F("handling", "处理情况", kind="textarea", required=False),
        ),
    ),
    Kind(
        "court_application",
        "申请人民法院强制执行",
        Stage.EXECUTION,
        (
            F("demand", "催告情况", kind="textarea"),
            F("application", "申请书（文号）"),
            F("court", "受理法院"),
            F("outcome", "法院裁定及执行结果", kind="textarea", required=False),
        ),
    ),
    # --- 结案 ---
    Kind(
        "closing_approval",
        "结案审批",
        Stage.EXECUTION,
        (
            F("summary", "案件办理情况", kind="textarea"),
            F("result", "执行结果", kind="textarea"),
            F("approved_by", "审批人"),
        ),
        signers=(S.LEADER,),
        by="leader",
    ),
)

KINDS: dict[str, Kind] = {k.code: k for k in KIND_LIST}
# The records that hold a case's decision (行政执法决定, 当场行政处罚决定).
DECISION_KINDS = ("decision", "onspot_decision")
DELIVERY_KINDS = ("delivery_direct", "delivery_left", "delivery_post", "delivery_notice")
EVIDENCE_KINDS = (
    "interview",
    "onsite_inspection",
    "sampling",
    "evidence_preservation",
    "documentary_evidence",
    "commissioned_test",
    "coercive_measure",
)


def kind_choices(*, stage: str | None = None, procedure: str | None = None):
    return [
        (k.code, k.label)
        for k in KIND_LIST
        if (stage is None or k.stage == stage) and (procedure is None or procedure in k.procedures)
    ]
