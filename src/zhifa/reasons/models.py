from __future__ import annotations

from django.conf import settings
from django.db import models

from zhifa.cases.models import Case


class Reasons(models.Model):
    """One saved version of a case's structured reasons (说明理由, RSN-01 … RSN-04).

    The four parts of 001 附件4 — facts found (each linked to its evidence),
    evidence assessed, provisions cited with why, discretion — and the answer
    to each point the party raised, as one JSON document whose shape
    ``zhifa.reasons.content.clean`` enforces. Every save is a new row
    (append-only); the latest is the draft the decision is issued from and
    the checker reads.
    """

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="reasons_versions"
    )
    number = models.PositiveIntegerField("版本号")
    content = models.JSONField("说明理由内容")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="保存人", on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField("保存时间", auto_now_add=True)
    note = models.CharField("修改说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "说明理由"
        verbose_name_plural = "说明理由"
        ordering = ["case_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="reasons_unique_version"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="reasons_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 说明理由 第{self.number}版"


class ReasonsFingerprint(models.Model):
    """The fingerprint of one free passage of a case's latest reasons (RSN-04: a
    passage copied word for word from an unrelated case is flagged).

    ``reasons_save`` replaces the case's rows with those of the version it
    saves, in the same transaction, so the table holds one row per passage of
    each case's latest version and the boilerplate check finds the cases
    sharing a passage through the index on ``digest``. It is derived from
    ``Reasons`` (which keeps every version) and can be rebuilt from it.
    """

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    reasons = models.ForeignKey(
        Reasons,
        verbose_name="说明理由版本",
        on_delete=models.CASCADE,
        related_name="fingerprints",
    )
    digest = models.CharField(
        "段落指纹",
        max_length=64,
        db_index=True,
        help_text="去除空白和标点后的段落文字的 SHA-256",
    )

    class Meta:
        verbose_name = "说明理由段落指纹"
        verbose_name_plural = "说明理由段落指纹"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "digest"], name="reasons_fingerprint_unique_in_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.digest[:12]}"


class OralReasons(models.Model):
    """Reasons given orally on the spot under the simplified procedure, with the
    party's statement heard there, recorded in text or by an audio-video record
    (RSN-05, 001 附件4 §15)."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="oral_reasons"
    )
    given_at = models.DateTimeField("说明时间")
    facts = models.TextField("告知的事实")
    basis = models.TextField("告知的依据")
    reasons = models.TextField("说明的理由")
    party_statement = models.TextField("当事人当场陈述申辩", blank=True)
    av_reference = models.CharField(
        "音像记录", max_length=128, blank=True, help_text="执法记录仪文件编号或音像记录标识"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "口头说明理由"
        verbose_name_plural = "口头说明理由"
        ordering = ["case_id", "given_at"]

    def __str__(self) -> str:
        return f"{self.case.number} 口头说明理由"


class ReasonsRequest(models.Model):
    """A party's request for written reasons after the decision (RSN-05, RSN-06 (三)):
    answered in writing within ``ZHIFA_REASONS_REQUEST_DAYS`` of the request."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "门户网站"
        WORKBENCH = "workbench", "窗口或执法人员登记"
        POST = "post", "邮寄"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="reasons_requests"
    )
    requester = models.CharField("申请人", max_length=128)
    contact = models.CharField("联系方式", max_length=128, blank=True)
    channel = models.CharField("申请渠道", max_length=16, choices=Channel.choices)
    content = models.TextField("申请内容")
    requested_on = models.DateField("申请日期")
    deadline = models.DateField("答复期限")
    deadline_provisional = models.BooleanField(
        "期限暂定", default=False, help_text="期限跨越尚未确认放假安排的年度"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="门户网站提交的为空",
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answer = models.TextField("书面说明理由", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name="说明理由书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="答复制作成的编号文书，送达当事人",
    )
    decision_number = models.CharField(
        "所涉决定书文号", max_length=64, blank=True, help_text="门户网站申请时当事人填写"
    )
    tracking_number = models.CharField(
        "查询编号", max_length=32, null=True, blank=True, unique=True, help_text="门户网站申请"
    )
    access_code_hash = models.CharField("查询码摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "说明理由申请"
        verbose_name_plural = "说明理由申请"
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("requested_on")),
                name="reasons_request_deadline_after_request",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_on__isnull=True) | ~models.Q(answer=""),
                name="reasons_request_answer_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.requester} 申请说明理由"


class ReasonsExemption(models.Model):
    """A decision that states no reasons, with the ground that allows it (RSN-06,
    001 附件4 §16). A third party's objection cancels the "favourable to the
    party" ground: the cancellation is recorded on the row once, with the
    objection, and the reasons are then required again."""

    class Ground(models.TextChoices):
        FAVOURABLE = "favourable", "行政执法决定有利于当事人"
        SECRET = "secret", "避免泄露国家秘密、商业秘密、个人隐私"
        EMERGENCY = "emergency", "紧急事由必须立即处理"
        LAW = "law", "法律法规规定可以不说明理由"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="reasons_exemptions"
    )
    ground = models.CharField("不说明理由的情形", max_length=16, choices=Ground.choices)
    explanation = models.TextField("具体情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    cancellation = models.TextField("撤销原因（第三人异议）", blank=True)
    objector = models.CharField("提出异议的第三人", max_length=128, blank=True)

    class Meta:
        verbose_name = "不说明理由情形"
        verbose_name_plural = "不说明理由情形"
        ordering = ["case_id", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | ~models.Q(cancellation=""),
                name="reasons_exemption_cancellation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_ground_display()}"


class DetailedGround(models.Model):
    """A ground the handler records for which the decision must state its reasons
    in detail although the case is not major (RSN-02, 001 附件4 §5): the wording
    is the seed's. Once recorded, the case needs detailed (structured) reasons
    like a major one; a ground recorded in error is withdrawn with a reason, on
    the same row, once."""

    class Ground(models.TextChoices):
        PUBLIC_INTEREST = "public_interest", "涉及重大公共利益"
        SOCIAL_RISK = "social_risk", "可能造成重大社会影响或引发社会风险"
        MAJOR_RIGHTS = "major_rights", "直接关系行政相对人或第三人重大权益"
        COMPLEX = "complex", "案件情况疑难复杂"
        LEGAL_RELATIONS = "legal_relations", "涉及多个法律关系"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="detailed_grounds"
    )
    ground = models.CharField("须详细说明理由的情形", max_length=24, choices=Ground.choices)
    note = models.TextField("具体情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal = models.TextField("撤回原因", blank=True)

    class Meta:
        verbose_name = "须详细说明理由的情形"
        verbose_name_plural = "须详细说明理由的情形"
        ordering = ["case_id", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal=""),
                name="reasons_ground_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_ground_display()}"
