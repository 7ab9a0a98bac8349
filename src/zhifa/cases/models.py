"""Cases and their whole-process record (REC-01 … REC-03, REC-06, REC-08, REC-09).

A case moves through its stages only by ``services.case_advance``; each move
is a new ``StageChange`` row. What was done in the case is a ``Record``: a
structured text record of one of the kinds in ``zhifa.cases.records``, never
edited once made — a correction is a new record that names the one it
supersedes. Signatures on a record say who signed, when and how, and a refusal
to sign is itself recorded with its witness.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency, Officer, Unit
from zhifa.catalogues.models import ActionKind, Matter


class Procedure(models.TextChoices):
    """程序 (REC-01)."""

    ORDINARY = "ordinary", "普通程序"
    SIMPLE = "simple", "简易程序"
    FAST = "fast", "快速办理"


class Source(models.TextChoices):
    """案件来源 (REC-02)."""

    APPLICATION = "application", "依申请"
    EX_OFFICIO = "ex_officio", "依职权"
    COMPLAINT = "complaint", "投诉举报"
    INSPECTION = "inspection", "监督检查发现"
    TRANSFER = "transfer", "移送"


class Stage(models.TextChoices):
    """The stages of REC-01, in order."""

    START = "start", "启动"
    INVESTIGATION = "investigation", "调查取证"
    DECISION = "decision", "审查决定"
    EXECUTION = "execution", "送达执行"
    CLOSED = "closed", "结案"
    ARCHIVED = "archived", "归档"

    @classmethod
    def order(cls, stage: str) -> int:
        return list(cls.values).index(stage)


class Case(models.Model):
    """One enforcement case (执法案件) of an agency, from its start to its archive."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="承办机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    number = models.CharField("案件编号", max_length=64)
    title = models.CharField("案件名称", max_length=255)
    matter = models.ForeignKey(
        Matter, verbose_name="执法事项", on_delete=models.PROTECT, related_name="cases"
    )
    action_kind = models.CharField("执法类别", max_length=16, choices=ActionKind.choices)
    procedure = models.CharField("程序", max_length=16, choices=Procedure.choices)
    source = models.CharField("案件来源", max_length=16, choices=Source.choices)
    source_detail = models.TextField("来源说明", blank=True)
    stage = models.CharField("当前环节", max_length=16, choices=Stage.choices, default=Stage.START)
    started_on = models.DateField("启动日期")
    is_emergency = models.BooleanField(
        "紧急情况先行启动", default=False, help_text="先行启动后须在 24 小时内补办批准手续"
    )
    emergency_started_at = models.DateTimeField("先行启动时间", null=True, blank=True)
    emergency_approved_at = models.DateTimeField("补办批准时间", null=True, blank=True)
    action_ended_on = models.DateField(
        "执法行为终结日期", null=True, blank=True, help_text="结案时记录；据此计算归档期限"
    )
    archive_due_on = models.DateField("归档期限", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    # The case clock (SUP-01, SUP-05), kept by ``services.case_suspend`` and
    # ``case_resume`` from the ``Suspension`` rows, so that the time-limit counts
    # stay one query over a million cases (see ``zhifa.cases.clock``).
    suspended_since = models.DateField(
        "办理期限中止日期",
        null=True,
        blank=True,
        help_text="办理期限中止中时为中止日期；恢复计算后为空",
    )
    limit_extension_workdays = models.PositiveIntegerField(
        "中止不计入的工作日数",
        default=0,
        help_text="已恢复的各次中止期间的工作日数，办理期限相应顺延",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    officers = models.ManyToManyField(
        Officer, through="CaseOfficer", verbose_name="承办人员", related_name="cases"
    )

    class Meta:
        verbose_name = "执法案件"
        verbose_name_plural = "执法案件"
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="case_unique_number"),
        ]
        indexes = [
            models.Index(fields=["agency", "stage"]),
            # The few cases whose clock was suspended: the time-limit counts read
            # them apart from the rest (``zhifa.cases.clock``).
            models.Index(
                fields=["agency", "stage"],
                condition=Q(limit_extension_workdays__gt=0) | Q(suspended_since__isnull=False),
                name="case_clock_adjusted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_archived(self) -> bool:
        return self.stage == Stage.ARCHIVED


class Suspension(models.Model):
    """A suspension of a case's time limit (案件中止 / 办理期限中止; SUP-01, SUP-05).

    While a hearing, a test or appraisal, a public announcement, the search for
    a deceased party's successor, force majeure … holds a case up, the time it
    takes does not count against the case's time limit (行政处罚法 第六十条 and
    the agencies' procedure rules). The working days from ``started_on`` up to
    the day before ``ended_on`` are left out; the clock runs again on
    ``ended_on`` (恢复之日起继续计算). Recorded by the case's leader through
    ``services.case_suspend`` and ended once by ``services.case_resume``; never
    edited or removed, and both writes are in the ledger.
    """

    class Ground(models.TextChoices):
        HEARING = "hearing", "听证"
        TESTING = "testing", "检测、检验、检疫、鉴定"
        IDENTIFICATION = "identification", "权利人辨认或者鉴别"
        ANNOUNCEMENT = "announcement", "公告"
        SUCCESSOR = "successor", "当事人死亡或者终止，尚未确定权利义务承受人"
        INCAPACITY = "incapacity", "当事人丧失行为能力，尚未确定法定代理人"
        FORCE_MAJEURE = "force_majeure", "因不可抗力致使案件暂时无法办理"
        INTERPRETATION = "interpretation", "法律适用问题需送请有权机关解释或者确认"
        OTHER = "other", "其他依法不计入办理期限的情形"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="suspensions"
    )
    ground = models.CharField("中止事由", max_length=24, choices=Ground.choices)
    note = models.TextField("说明", blank=True, help_text="事由为“其他”时必填")
    started_on = models.DateField("中止日期", help_text="自该日起不计入办理期限")
    ended_on = models.DateField(
        "恢复日期", null=True, blank=True, help_text="自该日起恢复计算办理期限"
    )
    workdays = models.PositiveIntegerField(
        "不计入的工作日数", null=True, blank=True, help_text="恢复时按工作日历计算"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="恢复登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField("恢复登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "办理期限中止"
        verbose_name_plural = "办理期限中止"
        ordering = ["case_id", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="suspension_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="suspension_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, ended_by__isnull=True, workdays__isnull=True)
                | Q(ended_on__isnull=False, ended_by__isnull=False, workdays__isnull=False),
                name="suspension_ended_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ground_display()} {self.started_on}—{self.ended_on or ''}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class Party(models.Model):
    """A party (当事人) of a case (REC-03)."""

    class Kind(models.TextChoices):
        NATURAL = "natural", "自然人"
        LEGAL = "legal", "法人"
        OTHER_ORG = "other_org", "其他组织"
        INDIVIDUAL_BUSINESS = "individual_business", "个体工商户"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="parties"
    )
    kind = models.CharField("当事人类型", max_length=24, choices=Kind.choices)
    name = models.CharField("名称或姓名", max_length=128)
    id_number = models.CharField("居民身份证号码", max_length=18, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    representative = models.CharField("法定代表人或负责人", max_length=64, blank=True)
    address = models.CharField("住所或地址", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    added_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["case_id", "pk"]

    def __str__(self) -> str:
        return self.name


class CaseOfficer(models.Model):
    """A handling officer (承办人员) of a case, with the credential shown (REC-03)."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="assignments"
    )
    officer = models.ForeignKey(
        Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="assignments"
    )
    credential_number = models.CharField("执法证件编号", max_length=64)
    is_lead = models.BooleanField("主办", default=False)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    released_at = models.DateTimeField("退出时间", null=True, blank=True)

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        ordering = ["case_id", "-is_lead", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "officer"],
                condition=Q(released_at__isnull=True),
                name="case_officer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer.name}（{self.credential_number}）"


class StageChange(models.Model):
    """One move of a case from one stage to the next (REC-01)."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="stage_changes"
    )
    from_stage = models.CharField("原环节", max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField("新环节", max_length=16, choices=Stage.choices)
    changed_at = models.DateTimeField("时间")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "环节变更"
        verbose_name_plural = "环节变更"
        ordering = ["case_id", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class Record(models.Model):
    """A text record (文字记录) of one kind of ``zhifa.cases.records`` (REC-03 …).

    ``content`` holds the kind's fields; ``digest`` is the SHA-256 of its
    canonical form, also written to the ledger, so a later change to the row is
    detectable. A record is never edited: ``supersedes`` links a correction to
    the record it corrects.
    """

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="records"
    )
    kind = models.CharField("记录类型", max_length=40)
    stage = models.CharField("所处环节", max_length=16, choices=Stage.choices)
    occurred_at = models.DateTimeField("发生时间")
    place = models.CharField("地点", max_length=255, blank=True)
    content = models.JSONField("内容", default=dict)
    digest = models.CharField("内容摘要（SHA-256）", max_length=64)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法记录"
        verbose_name_plural = "执法记录"
        ordering = ["case_id", "occurred_at", "pk"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        from zhifa.cases.records import KINDS

        spec = KINDS.get(self.kind)
        return spec.label if spec else self.kind


class Signature(models.Model):
    """Who signed a record, when and how; or that they refused (REC-03)."""

    class Role(models.TextChoices):
        OFFICER = "officer", "执法人员"
        PARTY = "party", "当事人"
        WITNESS = "witness", "见证人"
        RECIPIENT = "recipient", "受送达人"
        INTERVIEWEE = "interviewee", "被询问人"
        EXPERT = "expert", "专家"
        PARTICIPANT = "participant", "参加人"
        LEADER = "leader", "负责人"

    class Method(models.TextChoices):
        ON_SCREEN = "on_screen", "屏幕手写签名"
        SCAN = "scan", "纸质签名扫描件"
        REFUSED = "refused", "拒绝签名"

    record = models.ForeignKey(
        Record, verbose_name="记录", on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField("签名人身份", max_length=16, choices=Role.choices)
    name = models.CharField("姓名", max_length=64)
    officer = models.ForeignKey(
        Officer,
        verbose_name="执法人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField("方式", max_length=16, choices=Method.choices)
    signed_at = models.DateTimeField("签名时间")
    image = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="签名图像或扫描件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_note = models.CharField("拒签情况", max_length=255, blank=True)
    witness_name = models.CharField("见证人", max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "签名"
        verbose_name_plural = "签名"
        ordering = ["record_id", "signed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="refused") | ~Q(witness_name=""),
                name="signature_refusal_has_witness",
            ),
            models.CheckConstraint(
                condition=Q(method="refused") | Q(image__isnull=False),
                name="signature_has_image",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name} {self.get_method_display()}"


class NumberSequence(models.Model):
    """A gap-free counter per agency, kind and year (案件编号, 文号).

    ``zhifa.cases.numbering.number_next`` takes the next value under a row lock
    in the caller's transaction, so a number is used only if the write that
    uses it commits.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("序列", max_length=64)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name", "year"], name="number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last}"
