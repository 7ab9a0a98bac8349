"""Legal review (法制审核) of major enforcement decisions (REV-01 … REV-11, ORG-02).

The rule at the centre (001 附件3 §6): 未经法制审核或者审核未通过的，不得作出决定.
An agency keeps a catalogue of ``MajorDecisionRule``s; a proposed decision that
matches one, or that a handler flagged (``MajorFlag``), makes its case major.
The handling unit submits the case (``Submission``, one row per round); the
legal unit returns it once for missing materials, refuses it the second time,
or accepts it and gives its ``LegalReview`` within the working-day clock, less
the ``ReviewPause``s. The handler accepts the opinion or asks for a re-review
(a new round); the leaders may decide collectively (``CollectiveDeliberation``).
Names are stored beside every foreign key to a person, so the responsibility
trail (REV-10) survives later changes of staff. Everything is append-only but
for the state of the open round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency, Officer
from zhifa.cases.models import Case, Record
from zhifa.catalogues.models import ActionKind, Matter


class PenaltyKind(models.TextChoices):
    """行政处罚的种类 (行政处罚法第九条) and the like, as the catalogue names them."""

    WARNING = "warning", "警告、通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_GAINS = "confiscate_gains", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    SUSPEND_BUSINESS = "suspend_business", "责令停产停业"
    SUSPEND_LICENCE = "suspend_licence", "暂扣许可证件"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证件"
    LOWER_QUALIFICATION = "lower_qualification", "降低资质等级"
    RESTRICT_BUSINESS = "restrict_business", "限制开展生产经营活动"
    RESTRICT_PRACTICE = "restrict_practice", "限制从业"
    CLOSE = "close", "责令关闭、关闭取缔"
    DETENTION = "detention", "行政拘留"


class Trait(models.TextChoices):
    """What else can make a decision major (001 附件3 §4)."""

    COUNTY_GOVERNMENT = "county_government", "以本级人民政府名义作出"
    PUBLIC_INTEREST_LICENCE = "public_interest_licence", "涉及公共利益或利害关系人重大权益的许可"
    COERCIVE_EXECUTION = "coercive_execution", "行政强制执行"
    NON_EMERGENCY_MEASURE = "non_emergency_measure", "非紧急情况下的行政强制措施"
    EXPROPRIATION = "expropriation", "房屋征收、征用，集体土地征收"
    FEES = "fees", "较大数额的收费、政府性基金及其减免缓"
    BENEFITS = "benefits", "较大数额的行政给付"


class PartyType(models.TextChoices):
    ANY = "any", "不限"
    NATURAL = "natural", "自然人（含个体工商户）"
    ORGANISATION = "organisation", "法人或其他组织"


class AmountOf(models.TextChoices):
    FINE = "fine", "罚款金额"
    CONFISCATION = "confiscation", "没收违法所得和非法财物金额"
    FEES = "fees", "收费或基金金额"
    BENEFITS = "benefits", "给付金额"


class MajorDecisionRule(models.Model):
    """One row of an agency's 重大执法决定法制审核目录清单 (REV-01).

    A rule matches a proposed decision when every criterion it sets holds
    (an unset criterion matches anything). Rules are versioned: a revision is
    a new row with the same ``code`` and a later ``effective_from``; a decision
    is judged by the versions in force on the day it was proposed.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="major_rules"
    )
    code = models.CharField("条目编号", max_length=32)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("情形", max_length=255)
    action_kind = models.CharField(
        "执法类别", max_length=16, choices=ActionKind.choices, blank=True, help_text="留空为不限"
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name="执法事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空为不限",
    )
    penalty_kinds = models.JSONField(
        "处罚种类", default=list, blank=True, help_text="拟作出的处罚含其中任一种即符合；留空为不限"
    )
    traits = models.JSONField(
        "其他情形", default=list, blank=True, help_text="拟作出的决定具有其中任一情形即符合"
    )
    party_type = models.CharField(
        "当事人类型", max_length=16, choices=PartyType.choices, default=PartyType.ANY
    )
    amount_of = models.CharField(
        "金额种类", max_length=16, choices=AmountOf.choices, default=AmountOf.FINE
    )
    amount_threshold = models.DecimalField(
        "金额标准（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_inclusive = models.BooleanField(
        "含本数",
        default=True,
        help_text="是：达到标准即符合（以上含本数）；否：须超过标准（不含本数）",
    )
    hearing_required = models.BooleanField(
        "须经听证", default=False, help_text="是：仅当事人申请听证或依法应当听证时符合"
    )
    effective_from = models.DateField("施行日期")
    ends_on = models.DateField("废止日期", null=True, blank=True)
    basis = models.CharField("依据", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "重大执法决定目录条目"
        verbose_name_plural = "重大执法决定法制审核目录"
        ordering = ["agency_id", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code", "version"], name="major_rule_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(amount_threshold__isnull=True) | Q(amount_threshold__gte=0),
                name="major_rule_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("effective_from")),
                name="major_rule_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}（第{self.version}版）{self.name}"

    def in_force_on(self, day) -> bool:
        return self.effective_from <= day and (self.ends_on is None or day <= self.ends_on)


class CatalogueFiling(models.Model):
    """The catalogue filed with the 司法局 (备案, REV-01); each filing a new row."""

    class State(models.TextChoices):
        FILED = "filed", "已报备"
        ACCEPTED = "accepted", "已备案"
        RETURNED = "returned", "退回修改"

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="catalogue_filings"
    )
    rules = models.JSONField("报备的条目", default=list, help_text="[条目编号, 版本] 的列表")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.FILED)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报备人", on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField("报备时间")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField("审查时间", null=True, blank=True)
    answer = models.TextField("审查意见", blank=True)

    class Meta:
        verbose_name = "目录备案"
        verbose_name_plural = "目录备案"
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} 目录备案 {self.get_state_display()}"


class ReviewReach(models.TextChoices):
    """Which decisions of an agency are reviewed (REV-11)."""

    MAJOR = "major", "仅重大执法决定"
    ALL = "all", "全部执法决定"
    ALL_BUT_SIMPLE = "all_but_simple", "除简易程序外的全部执法决定"


class ReachSetting(models.Model):
    """An agency's choice of ``ReviewReach``; the latest row applies (REV-11)."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="review_reaches"
    )
    reach = models.CharField("审核范围", max_length=16, choices=ReviewReach.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "法制审核范围"
        verbose_name_plural = "法制审核范围"
        ordering = ["agency_id", "-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_reach_display()}"


class MajorFlag(models.Model):
    """A handler's "may cause major social impact or risk" flag on a case (REV-01).

    The handler cannot clear it; only the legal unit or a leader can, with a
    reason, and the clearing is recorded on the row (once).
    """

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="major_flags"
    )
    reason = models.TextField("理由")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="标记人", on_delete=models.PROTECT, related_name="+"
    )
    set_by_name = models.CharField("标记人姓名", max_length=64)
    set_at = models.DateTimeField("标记时间")
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_by_name = models.CharField("撤销人姓名", max_length=64, blank=True)
    cleared_at = models.DateTimeField("撤销时间", null=True, blank=True)
    clear_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "重大社会影响标记"
        verbose_name_plural = "重大社会影响标记"
        ordering = ["case_id", "set_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | ~Q(clear_reason=""),
                name="major_flag_clear_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} 重大社会影响标记"


class Proposal(models.Model):
    """What the handler proposes to decide, as the catalogue reads it (REV-01).

    The decision record gives the fine; this adds the penalty kinds, the
    confiscated or other amounts and the traits. The latest row counts.
    """

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="review_proposals"
    )
    proposed_on = models.DateField("拟决定日期")
    penalty_kinds = models.JSONField("处罚种类", default=list, blank=True)
    traits = models.JSONField("其他情形", default=list, blank=True)
    confiscation_amount = models.DecimalField(
        "没收金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    fees_amount = models.DecimalField(
        "收费或基金金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    benefits_amount = models.DecimalField(
        "给付金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField("填报时间")

    class Meta:
        verbose_name = "拟作出的决定"
        verbose_name_plural = "拟作出的决定"
        ordering = ["case_id", "made_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} 拟决定（{self.proposed_on}）"


class Material(models.TextChoices):
    """What a submission bundles (001 附件3 §8)."""

    INVESTIGATION_REPORT = "investigation_report", "调查终结报告"
    COMPETENCE = "competence", "行政执法主体资格情况"
    CASE_MATERIALS = "case_materials", "案卷材料（调查取证、程序履行及文字、音像记录）"
    DRAFT_DECISION = "draft_decision", "行政执法决定代拟稿（含事实根据和法律依据）"
    HEARING = "hearing", "听证笔录或评估报告"
    DISCRETION = "discretion", "行政裁量权基准及理由说明"
    PRELIMINARY = "preliminary", "法制机构和法律顾问的初审意见（以政府名义作出的）"
    OTHER = "other", "其他相关材料"


class Submission(models.Model):
    """One round of legal review of a case (送审, REV-03 … REV-05).

    A re-submission after fixing what a review found, and a re-review the
    handler asks for, are each a new round; all rounds stay visible. The clock
    runs from ``complete_on`` (materials complete) for ``limit_days`` plus
    ``extension_days`` working days, less the working days of its pauses.
    """

    class Kind(models.TextChoices):
        FIRST = "first", "送审"
        RESUBMISSION = "resubmission", "重新送审"
        RE_REVIEW = "re_review", "申请复审"

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待受理"
        RETURNED = "returned", "已一次性告知补正"
        SUPPLEMENTED = "supplemented", "已补正待受理"
        REFUSED = "refused", "不予受理"
        ACCEPTED = "accepted", "审核中"
        DECIDED = "decided", "已出具意见"

    OPEN_STATES = ("submitted", "returned", "supplemented", "accepted")

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="review_submissions"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveIntegerField("轮次")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    state = models.CharField("状态", max_length=16, choices=State.choices)
    urgent = models.BooleanField("情况紧急", default=False)
    materials = models.JSONField(
        "报送材料", default=dict, help_text="材料代码 → 说明（页码、附件）"
    )
    note = models.TextField("送审说明", blank=True)
    re_review_reasons = models.TextField("申请复审理由", blank=True)
    reasons_for_major = models.JSONField("重大执法决定依据", default=list)
    decision_record = models.ForeignKey(
        Record,
        verbose_name="决定代拟稿",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    late_warning = models.CharField("送审时限提示", max_length=255, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送审人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_by_name = models.CharField("送审人姓名", max_length=64)
    submitted_at = models.DateTimeField("送审时间")
    reviewer = models.ForeignKey(
        Officer,
        verbose_name="审核人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer_name = models.CharField("审核人员姓名", max_length=64, blank=True)
    returned_at = models.DateTimeField("告知补正时间", null=True, blank=True)
    returned_missing = models.JSONField("需补正的材料", default=list, blank=True)
    supplemented_at = models.DateTimeField("补正时间", null=True, blank=True)
    refused_at = models.DateTimeField("不予受理时间", null=True, blank=True)
    refusal_reasons = models.TextField("不予受理理由", blank=True)
    notice = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="补正通知书或不予受理决定书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="最近一次书面告知：一次性补正通知，或补正后仍不齐全的不予受理决定",
    )
    complete_on = models.DateField("材料完备日期", null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField("审核期限（工作日）", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长（工作日）", default=0)
    extension_reason = models.TextField("延长理由", blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准延长的领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_approved_by_name = models.CharField("批准人姓名", max_length=64, blank=True)
    extension_approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    due_on = models.DateField(
        "审核期限届满日", null=True, blank=True, help_text="按已结束的中止计算；中止中时为空"
    )
    paused_past_due_on = models.DateField(
        "中止前已届满的期满日",
        null=True,
        blank=True,
        help_text="中止开始时审核期限已经届满（已超期）的，记录中止前的期满日，"
        "中止期间仍计为超期；中止结束后为空",
    )

    class Meta:
        verbose_name = "法制审核送审"
        verbose_name_plural = "法制审核送审"
        ordering = ["case_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="submission_unique_round"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state__in=["submitted", "returned", "supplemented", "accepted"]),
                name="submission_one_open_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(state="accepted") | Q(complete_on__isnull=False),
                name="submission_accepted_has_start",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_on"]),
            models.Index(
                fields=["agency", "state", "paused_past_due_on"],
                condition=Q(paused_past_due_on__isnull=False),
                name="submission_paused_past_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 第{self.round}轮{self.get_kind_display()}"

    @classmethod
    def overdue_filter(cls, today) -> Q:
        """Running reviews past their due date on ``today`` (REV-05): by the stored
        due date, or, while paused, by the due date that had already passed when
        the pause began — the pause stops the clock, it does not undo the days
        already over the limit."""
        return Q(state=cls.State.ACCEPTED) & (Q(due_on__lt=today) | Q(paused_past_due_on__lt=today))

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ReviewPause(models.Model):
    """Time that does not count against the review clock (REV-05, 001 附件3 §12)."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", "补充材料"
        JOINT_INVESTIGATION = "joint_investigation", "会同调查取证"
        EXPERT = "expert", "专家论证"
        INTERPRETATION = "interpretation", "提请有权机关解释或确认"

    submission = models.ForeignKey(
        Submission, verbose_name="送审", on_delete=models.PROTECT, related_name="pauses"
    )
    kind = models.CharField("事由", max_length=24, choices=Kind.choices)
    reason = models.TextField("说明")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "审核期限中止"
        verbose_name_plural = "审核期限中止"
        ordering = ["submission_id", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(ends_on__isnull=True),
                name="review_pause_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="review_pause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}—{self.ends_on or ''}"


class ReviewPoint(models.TextChoices):
    """The nine points of 001 附件3 §9 (REV-06)."""

    POWERS = "powers", "是否在本机关职权范围内"
    QUALIFIED = "qualified", "执法人员是否具备执法资格"
    FACTS = "facts", "事实是否清楚，证据是否确实充分"
    PROCEDURE = "procedure", "程序是否合法、正当"
    LAW = "law", "法律、法规和规章的适用是否准确"
    DISCRETION = "discretion", "行政裁量权运用是否适当"
    DOCUMENTS = "documents", "执法文书是否完备规范"
    TRANSFER = "transfer", "是否需要移送司法机关或其他机关"
    OTHER = "other", "其他应当审核的内容"


class Finding(models.TextChoices):
    OK = "ok", "符合"
    PROBLEM = "problem", "存在问题"
    NOT_APPLICABLE = "na", "不适用"


class Opinion(models.TextChoices):
    """审核意见 (REV-07)."""

    AGREE = "agree", "同意"
    CHANGE = "change", "变更"
    CORRECT = "correct", "补正"
    TERMINATE = "terminate", "终止"
    REINVESTIGATE = "reinvestigate", "重新调查"
    TRANSFER = "transfer", "移送"


class LegalReview(models.Model):
    """The legal unit's opinion on one round (法制审核意见, REV-06, REV-07).

    One per round: a second opinion on a decided round is refused (database
    and service). ``findings`` holds the nine review points, each with its
    finding and note. The opinion form is made in two copies.
    """

    submission = models.OneToOneField(
        Submission, verbose_name="送审", on_delete=models.PROTECT, related_name="review"
    )
    reviewer = models.ForeignKey(
        Officer, verbose_name="审核人员", on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField("审核人员姓名", max_length=64)
    opinion = models.CharField("审核意见", max_length=16, choices=Opinion.choices)
    text = models.TextField("意见内容")
    findings = models.JSONField("审核要点", default=list)
    adviser_opinions = models.TextField("法律顾问、公职律师书面意见及复核情况", blank=True)
    decided_at = models.DateTimeField("出具时间")
    within_limit = models.BooleanField("在审核期限内", default=True)
    copy_handler = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="意见书（退执法机构联）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    copy_archive = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="意见书（法制机构存档联）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "法制审核意见"
        verbose_name_plural = "法制审核意见"
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission} {self.get_opinion_display()}"


class OpinionResponse(models.Model):
    """The handling unit's answer to an opinion: accept, or ask for re-review (REV-08)."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", "采纳"
        RE_REVIEW = "re_review", "申请复审"

    review = models.OneToOneField(
        LegalReview, verbose_name="审核意见", on_delete=models.PROTECT, related_name="response"
    )
    kind = models.CharField("处理", max_length=16, choices=Kind.choices)
    reasons = models.TextField("理由", blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.PROTECT, related_name="+"
    )
    made_by_name = models.CharField("处理人姓名", max_length=64)
    made_at = models.DateTimeField("处理时间")

    class Meta:
        verbose_name = "对审核意见的处理"
        verbose_name_plural = "对审核意见的处理"
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="re_review") | ~Q(reasons=""),
                name="opinion_response_re_review_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.get_kind_display()}"


class CollectiveDeliberation(models.Model):
    """The leaders' collective deliberation (集体讨论) of a reviewed case (REV-08).

    Recorded complete, with every participant's view and signature; a
    decision that differs from the review opinion records the difference.
    """

    class Outcome(models.TextChoices):
        ISSUE = "issue", "作出决定"
        NOT_ISSUE = "not_issue", "不作出决定（补正、重新调查、终止或移送）"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="deliberations"
    )
    review = models.ForeignKey(
        LegalReview,
        verbose_name="所议审核意见",
        on_delete=models.PROTECT,
        related_name="deliberations",
    )
    held_at = models.DateTimeField("时间")
    place = models.CharField("地点", max_length=255)
    chair = models.CharField("主持人", max_length=64)
    attendees = models.TextField("列席人员", blank=True)
    recorder = models.CharField("记录人", max_length=64)
    handler_report = models.TextField("承办机构汇报")
    proposal = models.TextField("承办机构处理意见")
    review_opinion = models.TextField("法制审核意见")
    outcome = models.CharField("讨论结果", max_length=16, choices=Outcome.choices)
    decision = models.TextField("集体讨论决定")
    follows_review = models.BooleanField("与法制审核意见一致")
    difference = models.TextField("与法制审核意见不一致的情况", blank=True)
    votes_for = models.PositiveSmallIntegerField("赞成人数")
    votes_against = models.PositiveSmallIntegerField("反对人数")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间")
    minutes = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="集体讨论笔录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"
        ordering = ["case_id", "held_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follows_review=True) | ~Q(difference=""),
                name="deliberation_difference_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} 集体讨论 {self.held_at:%Y-%m-%d}"


class Participant(models.Model):
    """One participant of a collective deliberation: view, vote and signature."""

    class Vote(models.TextChoices):
        FOR = "for", "赞成"
        AGAINST = "against", "反对"
        ABSTAIN = "abstain", "弃权"

    deliberation = models.ForeignKey(
        CollectiveDeliberation,
        verbose_name="集体讨论",
        on_delete=models.PROTECT,
        related_name="participants",
    )
    officer = models.ForeignKey(
        Officer,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=64)
    post = models.CharField("职务", max_length=64, blank=True)
    view = models.TextField("发言内容")
    vote = models.CharField("表决", max_length=8, choices=Vote.choices)
    signed_at = models.DateTimeField("签名时间")
    signature = models.ForeignKey(
        "ledger.StoredFile", verbose_name="签名图像", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "参加人员"
        verbose_name_plural = "参加人员"
        ordering = ["deliberation_id", "pk"]

    def __str__(self) -> str:
        return self.name


class AdviserOpinion(models.Model):
    """A legal adviser's or public lawyer's written opinion on one round, and
    the legal unit's re-check of it (REV-02, 001 附件3 §13).

    The reviewer invites the adviser, records the written opinion on the
    adviser's behalf (typed, or an uploaded file) and records the unit's
    re-check; the round's opinion is refused until every invited adviser's
    opinion is recorded and re-checked.
    """

    class Kind(models.TextChoices):
        ADVISER = "adviser", "法律顾问"
        PUBLIC_LAWYER = "public_lawyer", "公职律师"

    class Recheck(models.TextChoices):
        ADOPTED = "adopted", "采纳"
        PARTLY = "partly", "部分采纳"
        NOT_ADOPTED = "not_adopted", "不采纳"

    submission = models.ForeignKey(
        Submission, verbose_name="送审", on_delete=models.PROTECT, related_name="advisers"
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    name = models.CharField("姓名", max_length=64)
    organisation = models.CharField("工作单位", max_length=128)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="邀请人", on_delete=models.PROTECT, related_name="+"
    )
    invited_by_name = models.CharField("邀请人姓名", max_length=64)
    invited_at = models.DateTimeField("邀请时间")
    text = models.TextField("书面意见", blank=True)
    document = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="书面意见原件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_name = models.CharField("录入人姓名", max_length=64, blank=True)
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)
    recheck = models.CharField("复核结论", max_length=16, choices=Recheck.choices, blank=True)
    recheck_reason = models.TextField("复核理由", blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rechecked_by_name = models.CharField("复核人姓名", max_length=64, blank=True)
    rechecked_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "法律顾问、公职律师意见"
        verbose_name_plural = "法律顾问、公职律师意见"
        ordering = ["submission_id", "invited_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recorded_at__isnull=True) | ~Q(text="") | Q(document__isnull=False),
                name="adviser_opinion_has_content",
            ),
            models.CheckConstraint(
                condition=Q(rechecked_at__isnull=True)
                | (Q(recorded_at__isnull=False) & ~Q(recheck="") & ~Q(recheck_reason="")),
                name="adviser_recheck_after_opinion_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.name}（{self.organisation}）"

    @property
    def state(self) -> str:
        if self.rechecked_at:
            return f"已复核：{self.get_recheck_display()}"
        if self.recorded_at:
            return "已出具书面意见，待复核"
        return "已邀请，待出具书面意见"


class PrelimSetting(models.Model):
    """Whether the agency requires a 初审 by the head of the handling unit
    before a case is submitted (REV-03, 004 (三)3); the latest row applies,
    none means not required."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="prelim_settings"
    )
    required = models.BooleanField("送审前须经承办机构负责人初审")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "初审设置"
        verbose_name_plural = "初审设置"
        ordering = ["agency_id", "-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} 初审{'必经' if self.required else '不要求'}"


class PreliminaryReview(models.Model):
    """The handling unit head's 初审意见 on the draft decision (REV-03, 004 (三)3).

    Covers the draft decision record it names: a later change of the draft
    needs a new 初审. The latest row counts.
    """

    class Result(models.TextChoices):
        AGREE = "agree", "同意送审"
        RETURN = "return", "退回承办人员"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="preliminary_reviews"
    )
    decision_record = models.ForeignKey(
        Record, verbose_name="所审决定代拟稿", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("初审意见", max_length=16, choices=Result.choices)
    reasons = models.TextField("意见内容", blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="初审人", on_delete=models.PROTECT, related_name="+"
    )
    made_by_name = models.CharField("初审人姓名", max_length=64)
    made_at = models.DateTimeField("初审时间")

    class Meta:
        verbose_name = "承办机构初审"
        verbose_name_plural = "承办机构初审"
        ordering = ["case_id", "made_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="return") | ~Q(reasons=""),
                name="preliminary_return_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} 初审 {self.get_result_display()}"


class Forwarding(models.Model):
    """A decision in the county government's name, forwarded to the 司法局
    with the agency's review opinion and its advisers' opinions (REV-03,
    001 附件3 §7); the 司法局 records its opinion on the same row."""

    class State(models.TextChoices):
        FORWARDED = "forwarded", "已报送司法局"
        ANSWERED = "answered", "司法局已出具意见"

    review = models.OneToOneField(
        LegalReview,
        verbose_name="本机关审核意见",
        on_delete=models.PROTECT,
        related_name="forwarding",
    )
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="review_forwardings"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.FORWARDED)
    note = models.TextField("报送说明", blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    forwarded_by_name = models.CharField("报送人姓名", max_length=64)
    forwarded_at = models.DateTimeField("报送时间")
    agreed = models.BooleanField("司法局同意", null=True, blank=True)
    opinion = models.TextField("司法局审核意见", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="司法局审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_by_name = models.CharField("司法局审核人姓名", max_length=64, blank=True)
    answered_at = models.DateTimeField("司法局出具意见时间", null=True, blank=True)

    class Meta:
        verbose_name = "报送司法局审核"
        verbose_name_plural = "报送司法局审核"
        ordering = ["-forwarded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="forwarded")
                | (Q(agreed__isnull=False) & ~Q(opinion="") & Q(answered_at__isnull=False)),
                name="forwarding_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} 报送司法局 {self.get_state_display()}"
