"""What the public portal shows (PUB-01, PUB-06 … PUB-10, PUB-13).

A ``Disclosure`` is one public item of an agency: its public version is built
from structured fields and redacted before anyone sees it; the agency's legal
unit (法制机构) confirms it before it is published. Each step is a new
``DisclosureEvent`` row; withdrawals and corrections leave a public
``Takedown`` entry that names what was taken down and why, never its content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency
from zhifa.catalogues.models import ActionKind, Matter


class Disclosure(models.Model):
    """One public item (公示信息) of an agency and its lifecycle (PUB-01, PUB-06,
    PUB-07, PUB-08, PUB-13): 草稿 → 待法制审核 → 已公示 → 已撤回/已更正/公示期满,
    or 不予公开 with its ground. ``status`` is the current state; the history is
    in ``events``. Free-text fields hold the *public*, already redacted text.
    """

    class Kind(models.TextChoices):
        DECISION = "decision", "行政执法决定"
        INSPECTION_RESULT = "inspection_result", "行政检查结果"
        EXECUTION = "execution", "执行信息"
        EX_ANTE = "ex_ante", "事前公开信息"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        IN_REVIEW = "in_review", "待法制审核"
        PUBLISHED = "published", "已公示"
        WITHHELD = "withheld", "不予公开"
        WITHDRAWN = "withdrawn", "已撤回"
        SUPERSEDED = "superseded", "已更正"
        EXPIRED = "expired", "公示期满"

    class PartyKind(models.TextChoices):
        NATURAL = "natural", "自然人"
        LEGAL = "legal", "法人"
        OTHER_ORG = "other_org", "其他组织"
        INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"
        NONE = "", "无"

    class Topic(models.TextChoices):
        """What an ex-ante item is (PUB-02); blank for ex-post items."""

        FLOWCHART = "flowchart", "执法流程图"
        SERVICE_GUIDE = "service_guide", "服务指南"
        INSPECTION_MATTERS = "inspection_matters", "随机抽查事项清单"
        MAJOR_CATALOGUE = "major_catalogue", "重大执法决定法制审核目录清单"
        CHANNELS = "channels", "监督方式和救济渠道"
        INSTRUMENT_SAMPLES = "instrument_samples", "行政执法文书样本"
        OTHER = "other", "其他事前公开信息"

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="disclosures"
    )
    kind = models.CharField("公示类型", max_length=24, choices=Kind.choices)
    topic = models.CharField(
        "事前公开类别",
        max_length=24,
        choices=Topic.choices,
        blank=True,
        help_text="执法流程图的正文每行一个步骤，公示平台按步骤绘制流程",
    )
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField("标题", max_length=255)
    action_kind = models.CharField(
        "执法类别", max_length=16, choices=ActionKind.choices, blank=True
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name="执法事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    # Where the item comes from: ids of the case, its decision record and the
    # issued instrument, kept as plain ids so the portal never joins case data.
    case_id_ref = models.PositiveBigIntegerField("案件", null=True, blank=True)
    record_id_ref = models.PositiveBigIntegerField("所据记录", null=True, blank=True)
    instrument_id_ref = models.PositiveBigIntegerField("决定书", null=True, blank=True, unique=True)
    inspection_id_ref = models.PositiveBigIntegerField(
        "抽查任务", null=True, blank=True, db_index=True, help_text="行政检查结果所据的抽查任务"
    )
    document_number = models.CharField("决定书文号", max_length=64, blank=True)
    party_kind = models.CharField(
        "行政相对人类别", max_length=24, choices=PartyKind.choices, blank=True
    )
    party_name = models.CharField(
        "行政相对人名称", max_length=128, blank=True, help_text="自然人只公示姓氏加“某”"
    )
    party_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    party_representative = models.CharField("法定代表人", max_length=64, blank=True)
    violation_type = models.CharField("违法行为类型", max_length=255, blank=True)
    facts = models.TextField("违法事实（公开版）", blank=True)
    basis = models.TextField("依据（公开版）", blank=True)
    conclusion = models.TextField("执法结论（公开版）", blank=True)
    body = models.TextField("正文（公开版）", blank=True)
    fine_amount = models.DecimalField(
        "罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    confiscated_amount = models.DecimalField(
        "没收金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    licence = models.CharField("暂扣或吊销证照名称及编号", max_length=255, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    due_on = models.DateField("公开期限", null=True, blank=True)
    due_provisional = models.BooleanField(
        "期限待定", default=False, help_text="期限所跨年份的放假安排尚未公布，按普通周计算"
    )
    redactions = models.JSONField(
        "技术处理位置",
        default=dict,
        blank=True,
        help_text="每个字段中已隐去内容的位置与类型，供法制审核时高亮显示",
    )
    private_names = models.JSONField(
        "须隐去的姓名",
        default=list,
        blank=True,
        help_text="仅供内部核查：发布前再次检查公开版中不含这些自然人姓名",
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    is_late = models.BooleanField("逾期公开", default=False)
    display_until = models.DateField("公示截止日期", null=True, blank=True)
    withholding_ground = models.TextField("不公开依据", blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的原公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    explanation = models.TextField(
        "变更说明", blank=True, help_text="更正、重新作出决定时向公众作出的说明"
    )
    search_tokens = models.TextField("检索词", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="拟稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("拟稿时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示信息"
        verbose_name_plural = "公示信息"
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "in_review",
                        "published",
                        "withheld",
                        "withdrawn",
                        "superseded",
                        "expired",
                    ]
                ),
                name="disclosure_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="withheld") | ~Q(withholding_ground=""),
                name="disclosure_withheld_has_ground",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(published_at__isnull=False, display_until__isnull=False),
                name="disclosure_published_has_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "-decided_on"]),
            # The portal's list walks this in order and stops at one page (PUB-12);
            # an index on display_until would tempt SQLite into sorting every match.
            models.Index(fields=["status", "-decided_on", "-id"], name="disclosure_portal_order"),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_natural_party(self) -> bool:
        return self.party_kind == self.PartyKind.NATURAL


class DisclosureEvent(models.Model):
    """One step in the life of a public item, appended, never changed (PUB-01)."""

    class Action(models.TextChoices):
        PREPARE = "prepare", "拟稿"
        SUBMIT = "submit", "提交法制审核"
        RETURN = "return", "退回修改"
        PUBLISH = "publish", "审核通过并公示"
        WITHHOLD = "withhold", "决定不予公开"
        WITHDRAW = "withdraw", "撤回"
        SUPERSEDE = "supersede", "更正替换"
        EXPIRE = "expire", "公示期满撤下"

    disclosure = models.ForeignKey(
        Disclosure, verbose_name="公示信息", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "公示流转记录"
        verbose_name_plural = "公示流转记录"
        ordering = ["disclosure_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.disclosure_id} {self.get_action_display()}"


class Takedown(models.Model):
    """A public takedown log entry (PUB-09): what was withdrawn, when and why —
    the document number and title only, never the withdrawn content."""

    class Kind(models.TextChoices):
        WITHDRAWN = "withdrawn", "撤回"
        CORRECTED = "corrected", "更正"

    disclosure = models.OneToOneField(
        Disclosure, verbose_name="公示信息", on_delete=models.PROTECT, related_name="takedown"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    document_number = models.CharField("文号", max_length=64, blank=True)
    title = models.CharField("标题", max_length=255)
    reason = models.TextField("撤下原因")
    replacement = models.ForeignKey(
        Disclosure,
        verbose_name="变更后的公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("撤下时间")

    class Meta:
        verbose_name = "撤下记录"
        verbose_name_plural = "撤下记录"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_kind_display()}）"


class DeadlineRule(models.Model):
    """A matter whose publication deadline differs from the default (PUB-06
    “法律、法规、规章对公开的期限另有规定的，从其规定”)."""

    matter = models.OneToOneField(
        Matter,
        verbose_name="执法事项",
        on_delete=models.PROTECT,
        related_name="disclosure_deadline",
    )
    workdays = models.PositiveIntegerField("公开期限（工作日）")
    basis = models.CharField("规定依据", max_length=255)

    class Meta:
        verbose_name = "公开期限特别规定"
        verbose_name_plural = "公开期限特别规定"

    def __str__(self) -> str:
        return f"{self.matter}：{self.workdays} 个工作日"


class PublicRequest(models.Model):
    """A correction request (更正申请) or complaint (投诉举报) from the public
    about published information (PUB-10). The requester's contact details are
    never shown on the portal; the status page shows only the tracking number,
    the dates, the state and the answer, to whoever holds the access code."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "更正申请"
        COMPLAINT = "complaint", "投诉举报"

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        ANSWERED = "answered", "已处理"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    tracking_number = models.CharField("查询编号", max_length=32, unique=True)
    access_code_hash = models.CharField("查询码摘要", max_length=64)
    agency = models.ForeignKey(
        Agency, verbose_name="处理机关", on_delete=models.PROTECT, related_name="public_requests"
    )
    disclosure = models.ForeignKey(
        Disclosure,
        verbose_name="所涉公示信息",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    requester_name = models.CharField("申请人", max_length=64)
    requester_contact = models.CharField("联系方式", max_length=128)
    content = models.TextField("请求内容")
    evidence = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="证据材料",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField("收到时间")
    due_on = models.DateField("处理期限")
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    answer = models.TextField("处理结果", blank=True)
    answered_at = models.DateTimeField("处理时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "更正申请和投诉"
        verbose_name_plural = "更正申请和投诉"
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="received") | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="publicrequest_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number


class Window(models.Model):
    """A service window (服务窗口) of an agency and what its 岗位信息公示牌 shows
    (PUB-05, 事中公开): where and when it serves, the matters handled there, the
    staff on duty and the phones for questions and supervision. Kept by the
    agency; printed as an A4 or A3 board."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="windows"
    )
    name = models.CharField("窗口名称", max_length=64, help_text="如：食品经营许可窗口（3号）")
    location = models.CharField("办公地点", max_length=255)
    hours = models.CharField("办公时间", max_length=128, blank=True)
    phone = models.CharField("咨询电话", max_length=32, blank=True)
    supervision_phone = models.CharField(
        "监督电话", max_length=32, help_text="对窗口服务有意见的投诉监督电话"
    )
    matters = models.ManyToManyField(
        Matter, verbose_name="办理事项", blank=True, related_name="windows"
    )
    is_active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="window_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class WindowStaff(models.Model):
    """One person on duty at a window as the board shows them (PUB-05): name,
    post and, for an enforcement officer, the certificate number — no photo,
    no other personal data. Replaced as a whole when the window is saved."""

    window = models.ForeignKey(
        Window, verbose_name="服务窗口", on_delete=models.CASCADE, related_name="staff"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("姓名", max_length=64)
    post = models.CharField("岗位", max_length=64)
    officer = models.ForeignKey(
        "accounts.Officer",
        verbose_name="执法人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credential_number = models.CharField("执法证件编号", max_length=32, blank=True)

    class Meta:
        verbose_name = "窗口工作人员"
        verbose_name_plural = "窗口工作人员"
        ordering = ["window_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["window", "position"], name="windowstaff_unique_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"
