"""双随机、一公开 random inspections (INS-01, INS-02).

An agency keeps a 随机抽查事项清单 (``InspectionMatter``); for each matter a
检查对象名录库 (``InspectionTarget``) and an 执法检查人员名录库 (``PoolMember``),
with the conflicts of interest (回避, ``Conflict``) declared between inspectors
and targets. A ``Plan`` draws a share of the targets and pairs inspectors with
each, verifiably (see ``zhifa.inspections.draw``): the libraries are frozen into
``PlanTarget`` / ``PlanInspector`` / ``PlanConflict`` rows whose digests are
committed and published before the draw; targets already drawn within the
plan's frequency window are left out, as ``PlanExclusion`` rows, digested too.
Each drawn target becomes an ``Inspection`` whose result goes 未录入 → 待审核 →
审核退回 | 不通过 | 审核通过 → 已公示 through append-only ``InspectionResult`` and
``ResultReview`` rows.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency, Officer
from zhifa.catalogues.models import Matter
from zhifa.inspections.draw import frequency_window


class InspectionMatter(models.Model):
    """One item of an agency's 随机抽查事项清单 (INS-01; 001 附件1 §11): what is
    checked, on what basis, how, and which 执法类别 an inspector's credential
    must carry to take part."""

    agency = models.ForeignKey(
        Agency, verbose_name="抽查主体", on_delete=models.PROTECT, related_name="inspection_matters"
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name="对应执法事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_matters",
        help_text="执法事项清单中对应的行政检查事项（如有）",
    )
    code = models.CharField("事项编码", max_length=64)
    name = models.CharField("抽查事项", max_length=255)
    basis = models.TextField("抽查依据")
    content = models.TextField("抽查内容", blank=True)
    method = models.CharField(
        "抽查方式", max_length=128, blank=True, help_text="如：现场检查、书面检查"
    )
    category = models.CharField(
        "执法类别",
        max_length=64,
        help_text="检查人员的执法证件须载有此执法类别，如：市场监管",
    )
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "随机抽查事项"
        verbose_name_plural = "随机抽查事项"
        ordering = ["agency_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"], name="inspectionmatter_unique_code_in_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InspectionTarget(models.Model):
    """One entry of a matter's 检查对象名录库 (INS-01): a company or other market
    subject identified by its 统一社会信用代码, or another object (a site, a
    vehicle …) identified by its name alone."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        INDIVIDUAL = "individual", "个体工商户"
        ORGANISATION = "organisation", "其他组织"
        OTHER = "other", "其他检查对象"

    matter = models.ForeignKey(
        InspectionMatter, verbose_name="抽查事项", on_delete=models.PROTECT, related_name="targets"
    )
    kind = models.CharField("对象类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=255)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, help_text="其他检查对象可不填"
    )
    address = models.CharField("地址", max_length=255, blank=True)
    category = models.CharField(
        "执法类别",
        max_length=64,
        blank=True,
        help_text="检查该对象须具备的执法类别；不填时为抽查事项的执法类别",
    )
    is_active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["matter_id", "credit_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "credit_code"],
                condition=~Q(credit_code=""),
                name="inspectiontarget_unique_code_in_matter",
            ),
            models.UniqueConstraint(
                fields=["matter", "name"],
                condition=Q(credit_code=""),
                name="inspectiontarget_unique_uncoded_name_in_matter",
            ),
            models.CheckConstraint(
                condition=Q(kind="other") | ~Q(credit_code=""),
                name="inspectiontarget_subject_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）" if self.credit_code else self.name

    @property
    def key(self) -> str:
        """What identifies the target in an import sheet and a frozen library."""
        return self.credit_code or self.name


class PoolMember(models.Model):
    """An officer in a matter's 执法检查人员名录库 (INS-01). Only members who hold a
    valid credential carrying the required 执法类别 on the day the library is
    frozen take part in a draw."""

    matter = models.ForeignKey(
        InspectionMatter, verbose_name="抽查事项", on_delete=models.PROTECT, related_name="pool"
    )
    officer = models.ForeignKey(
        Officer, verbose_name="检查人员", on_delete=models.PROTECT, related_name="inspection_pools"
    )
    is_active = models.BooleanField("在库", default=True)
    added_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查人员名录"
        verbose_name_plural = "检查人员名录"
        ordering = ["matter_id", "officer__name"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "officer"], name="poolmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.matter.name} · {self.officer}"


class Conflict(models.Model):
    """A conflict of interest (回避) between an inspector and a target (INS-01): the
    inspector is never drawn for that target. Declared by the inspector or a
    manager, with the reason; kept for good (append-only)."""

    officer = models.ForeignKey(
        Officer,
        verbose_name="检查人员",
        on_delete=models.PROTECT,
        related_name="inspection_conflicts",
    )
    target = models.ForeignKey(
        InspectionTarget,
        verbose_name="检查对象",
        on_delete=models.PROTECT,
        related_name="conflicts",
    )
    reason = models.CharField("回避理由", max_length=255)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避"
        verbose_name_plural = "回避"
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "target"], name="conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} 回避 {self.target}"


class Plan(models.Model):
    """A 抽查计划 (INS-01): one matter, a ratio or a count, a frequency and a period.

    One plan is one round. Its frequency (每年/每半年/每季度/每月一次) allows one
    round of that frequency per calendar window for the matter, and leaves out
    of the draw the targets already drawn for the matter within the window
    (一次性: ever); see ``services.plan_create`` and ``services.plan_commit``.

    ``draft`` → ``committed`` (libraries frozen, commitment published) →
    ``drawn`` (seed revealed, inspections created). What the commitment and the
    draw used is kept on the plan and its frozen rows, so the draw can be re-run.
    """

    class Frequency(models.TextChoices):
        ONCE = "once", "一次性"
        YEARLY = "yearly", "每年一次"
        HALF_YEARLY = "half_yearly", "每半年一次"
        QUARTERLY = "quarterly", "每季度一次"
        MONTHLY = "monthly", "每月一次"

    class Status(models.TextChoices):
        DRAFT = "draft", "待冻结"
        COMMITTED = "committed", "已公布承诺值"
        DRAWN = "drawn", "已抽取"

    agency = models.ForeignKey(
        Agency, verbose_name="抽查主体", on_delete=models.PROTECT, related_name="inspection_plans"
    )
    matter = models.ForeignKey(
        InspectionMatter, verbose_name="抽查事项", on_delete=models.PROTECT, related_name="plans"
    )
    name = models.CharField("计划名称", max_length=255)
    ratio_percent = models.DecimalField(
        "抽查比例（%）",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="与抽查数量二选一；按比例计算的数量向上取整",
    )
    count = models.PositiveIntegerField("抽查数量", null=True, blank=True)
    frequency = models.CharField("抽查频次", max_length=16, choices=Frequency.choices)
    period_start = models.DateField("抽查开始日期")
    period_end = models.DateField("抽查结束日期")
    inspectors_per_target = models.PositiveSmallIntegerField(
        "每户检查人员数", help_text="每个检查对象随机匹配的检查人员数，不少于 2 人"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # The commitment, fixed when the libraries are frozen (published at once).
    committed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    beacon_source = models.CharField(
        "公开随机数来源",
        max_length=255,
        blank=True,
        help_text="抽取时采用的、承诺时尚未产生的公开随机数，如：福利彩票3D 2026年第320期开奖号码",
    )
    targets_digest = models.CharField("检查对象名录摘要", max_length=64, blank=True)
    inspectors_digest = models.CharField("检查人员名录摘要", max_length=64, blank=True)
    conflicts_digest = models.CharField("回避名单摘要", max_length=64, blank=True)
    excluded_digest = models.CharField(
        "频次排除名单摘要",
        max_length=64,
        blank=True,
        help_text="按抽查频次排除的、本频次周期内已抽中的检查对象名单的摘要；"
        "按频次排除施行前冻结的计划为空",
    )
    nonce = models.CharField(
        "承诺随机串", max_length=64, blank=True, help_text="抽取前保密，抽取后公开"
    )
    commitment = models.CharField("种子承诺值", max_length=64, blank=True)
    seal_key = models.CharField(
        "名录加盐密钥",
        max_length=64,
        blank=True,
        help_text="派生检查人员名录和回避名单各条目盐值的密钥，始终保密："
        "公开的核验材料只含加盐摘要，不含检查人员姓名和未抽中对象的回避；"
        "加盐施行前冻结的计划为空",
    )

    # The reveal, fixed by the draw.
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    beacon_value = models.CharField("公开随机数", max_length=128, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    result_digest = models.CharField("抽取结果摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(ratio_percent__isnull=False) & Q(count__isnull=True))
                | (Q(ratio_percent__isnull=True) & Q(count__isnull=False)),
                name="plan_ratio_or_count",
            ),
            models.CheckConstraint(
                condition=Q(ratio_percent__isnull=True)
                | (Q(ratio_percent__gt=0) & Q(ratio_percent__lte=100)),
                name="plan_ratio_in_range",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(inspectors_per_target__gte=2), name="plan_at_least_two_inspectors"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(commitment=""),
                name="plan_committed_has_commitment",
            ),
            models.CheckConstraint(
                condition=~Q(status="drawn") | ~Q(seed=""), name="plan_drawn_has_seed"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def frequency_window(self) -> tuple[date, date] | None:
        """The window of the plan's frequency holding its first day (``None``:
        一次性, all time); see ``draw.frequency_window``."""
        return frequency_window(self.frequency, self.period_start)

    @property
    def frequency_window_name(self) -> str:
        """The window by name: 2026年, 2026年下半年, 2026年第三季度, 2026年7月;
        empty for 一次性."""
        window = self.frequency_window
        if window is None:
            return ""
        start = window[0]
        match self.frequency:
            case Plan.Frequency.YEARLY:
                return f"{start.year}年"
            case Plan.Frequency.HALF_YEARLY:
                return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
            case Plan.Frequency.QUARTERLY:
                return f"{start.year}年第{'一二三四'[(start.month - 1) // 3]}季度"
        return f"{start.year}年{start.month}月"

    @property
    def frequency_window_label(self) -> str:
        """The window as the plan page and the ledger say it: 本年度（2026年）,
        本半年（2026年下半年）, 本季度（2026年第三季度）, 本月（2026年7月）, 该事项以往."""
        name = self.frequency_window_name
        if not name:
            return "该事项以往"
        unit = {
            Plan.Frequency.YEARLY: "本年度",
            Plan.Frequency.HALF_YEARLY: "本半年",
            Plan.Frequency.QUARTERLY: "本季度",
        }.get(self.frequency, "本月")
        return f"{unit}（{name}）"

    def exclusion_note(self, count: int) -> str:
        """Why ``count`` targets of the library were left out of the draw."""
        return (
            f"因抽查频次（{self.get_frequency_display()}）排除"
            f"{self.frequency_window_label}已抽中的对象 {count} 户"
        )


class PlanTarget(models.Model):
    """A target as frozen into a plan's library at commitment (INS-01): a copy of
    what the digest covers, so later edits of the library change no draw."""

    plan = models.ForeignKey(
        Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="frozen_targets"
    )
    position = models.PositiveIntegerField("序号", help_text="冻结名录中的位置，从 0 起")
    target = models.ForeignKey(
        InspectionTarget, verbose_name="检查对象", on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField("标识", max_length=255, help_text="统一社会信用代码，无代码的为名称")
    name = models.CharField("名称", max_length=255)
    category = models.CharField("执法类别", max_length=64)

    class Meta:
        verbose_name = "冻结的检查对象"
        verbose_name_plural = "冻结的检查对象"
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plantarget_unique_position"),
            models.UniqueConstraint(fields=["plan", "target"], name="plantarget_unique_target"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class PlanExclusion(models.Model):
    """A target of the library left out of a plan at commitment because another
    plan of the same matter drew it within the plan's frequency window (INS-01);
    digested into the commitment with the plan that drew it."""

    plan = models.ForeignKey(
        Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="exclusions"
    )
    position = models.PositiveIntegerField(
        "序号", help_text="排除名单中的位置，从 0 起，与检查对象名录同一排序"
    )
    target = models.ForeignKey(
        InspectionTarget, verbose_name="检查对象", on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField("标识", max_length=255, help_text="统一社会信用代码，无代码的为名称")
    name = models.CharField("名称", max_length=255)
    drawn_in = models.ForeignKey(
        Plan,
        verbose_name="已抽中该对象的计划",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "按频次排除的检查对象"
        verbose_name_plural = "按频次排除的检查对象"
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="planexclusion_unique_position"
            ),
            models.UniqueConstraint(fields=["plan", "target"], name="planexclusion_unique_target"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.drawn_in}）"


class PlanInspector(models.Model):
    """An inspector as frozen into a plan's pool at commitment (INS-01), with the
    credential and 执法类别 that made them eligible."""

    plan = models.ForeignKey(
        Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="frozen_inspectors"
    )
    position = models.PositiveIntegerField("序号")
    officer = models.ForeignKey(
        Officer, verbose_name="检查人员", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=64)
    credential_number = models.CharField("执法证件编号", max_length=32)
    categories = models.CharField("执法类别", max_length=255, help_text="以顿号分隔")

    class Meta:
        verbose_name = "冻结的检查人员"
        verbose_name_plural = "冻结的检查人员"
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="planinspector_unique_position"
            ),
            models.UniqueConstraint(
                fields=["plan", "officer"], name="planinspector_unique_officer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class PlanConflict(models.Model):
    """A conflict (回避) in force at commitment, between frozen positions (INS-01)."""

    plan = models.ForeignKey(
        Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="frozen_conflicts"
    )
    target_position = models.PositiveIntegerField("检查对象序号")
    inspector_position = models.PositiveIntegerField("检查人员序号")

    class Meta:
        verbose_name = "冻结的回避"
        verbose_name_plural = "冻结的回避"
        ordering = ["plan_id", "target_position", "inspector_position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "target_position", "inspector_position"],
                name="planconflict_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"对象 {self.target_position} × 人员 {self.inspector_position}"


class Inspection(models.Model):
    """One drawn target of a plan, with its inspectors and result (INS-01, INS-02).

    ``status`` follows the latest result and review: 未录入 → 待审核 → 审核退回 |
    不通过 (both re-entered) | 审核通过 → 已公示 or 不予公开 (set by the disclosure
    pipeline when the legal unit publishes or withholds the result).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "未录入"
        SUBMITTED = "submitted", "待审核"
        RETURNED = "returned", "审核退回"
        REJECTED = "rejected", "不通过"
        APPROVED = "approved", "审核通过（待公示）"
        PUBLISHED = "published", "已公示"
        WITHHELD = "withheld", "审核通过（不予公开）"

    plan = models.ForeignKey(
        Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="inspections"
    )
    order = models.PositiveIntegerField("抽取顺序", help_text="抽取时的先后，从 0 起")
    target = models.ForeignKey(
        InspectionTarget,
        verbose_name="检查对象",
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    disclosure_reference = models.CharField("公示编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["plan_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="inspection_unique_order"),
            models.UniqueConstraint(fields=["plan", "target"], name="inspection_unique_target"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="inspection_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.target}"


class Assignment(models.Model):
    """An inspector drawn for an inspection (INS-01)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="抽查任务", on_delete=models.PROTECT, related_name="assignments"
    )
    officer = models.ForeignKey(
        Officer,
        verbose_name="检查人员",
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
    )
    order = models.PositiveSmallIntegerField("抽取顺序")

    class Meta:
        verbose_name = "检查人员分派"
        verbose_name_plural = "检查人员分派"
        ordering = ["inspection_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "officer"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.officer}"


class InspectionResult(models.Model):
    """One entry (or re-entry) of an inspection's result (INS-02): check date,
    result, follow-up measures, completion date. Never changed; a correction is
    a new row."""

    class Outcome(models.TextChoices):
        NO_PROBLEM = "no_problem", "未发现问题"
        CORRECTED = "corrected", "发现问题已责令改正"
        FOLLOW_UP = "follow_up", "发现问题待后续处理"
        NOT_OPERATING = "not_operating", "未发现开展本次抽查涉及的经营活动"
        UNREACHABLE = "unreachable", "通过登记的住所（经营场所）无法联系"
        UNCOOPERATIVE = "uncooperative", "不配合检查情节严重"
        OTHER = "other", "其他"

    inspection = models.ForeignKey(
        Inspection, verbose_name="抽查任务", on_delete=models.PROTECT, related_name="results"
    )
    checked_on = models.DateField("检查日期")
    outcome = models.CharField("检查结果", max_length=16, choices=Outcome.choices)
    detail = models.TextField("检查情况", blank=True)
    follow_up = models.TextField("后续处置措施", blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽查结果"
        verbose_name_plural = "抽查结果"
        ordering = ["inspection_id", "-entered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(completed_on__gte=models.F("checked_on")),
                name="inspectionresult_completed_after_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection}（{self.checked_on}）"


class ResultReview(models.Model):
    """A review of one entered result (INS-02) by a reviewer or leader of the agency."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "审核通过"
        RETURN = "return", "审核退回"
        REJECT = "reject", "不通过"

    result = models.ForeignKey(
        InspectionResult, verbose_name="抽查结果", on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField("审核意见", max_length=16, choices=Decision.choices)
    opinion = models.TextField("审核说明", blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽查结果审核"
        verbose_name_plural = "抽查结果审核"
        ordering = ["-reviewed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["result"], name="resultreview_one_per_result"),
        ]

    def __str__(self) -> str:
        return self.get_decision_display()
