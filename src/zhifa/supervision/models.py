"""Case file evaluation (案卷评查, SUP-02): the random sample of closed case files.

A draw is recorded with everything needed to make it again: the population
(the closed cases it was drawn from, by id, with their SHA-256 digest), the
seed and the size. ``zhifa.supervision.sampling.sample`` is a pure function of
those three, so anyone can re-draw it and get the same cases; a change to any
input changes the result. The seed is not chosen: it is committed to before the
draw (commit, then reveal, as ``zhifa.inspections.draw`` does) and one round is
held per agency and year, so a sample cannot be drawn again until it pleases.

Also here: the rubric (评查标准) and the scores of each file, rectification
notices (整改通知), the satisfaction survey of the portal (SUP-03), filings
(备案, SUP-04), the stored annual statistics reports (PUB-11) and the stored
figures of the supervisor dashboard (SUP-01).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency, Region
from zhifa.cases.models import Case


class FileEvaluation(models.Model):
    """One 案卷评查 round of one agency: its recorded random sample (SUP-02)."""

    class State(models.TextChoices):
        COMMITTED = "committed", "已承诺，待抽取"
        DRAWN = "drawn", "已抽取"

    agency = models.ForeignKey(
        Agency, verbose_name="被评查机关", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("结案年度")
    size = models.PositiveIntegerField("抽取数量")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.COMMITTED)
    beacon_source = models.CharField(
        "公共随机数来源",
        max_length=255,
        blank=True,
        help_text="承诺时写明将采用的、尚未产生的公共随机数（如某期福利彩票开奖号码）",
    )
    beacon_value = models.CharField("公共随机数", max_length=255, blank=True)
    nonce = models.CharField(
        "承诺随机数", max_length=64, blank=True, help_text="抽取前保密，抽取时与结果一并公开"
    )
    commitment = models.CharField(
        "承诺值（SHA-256）", max_length=64, blank=True, help_text="抽取前登记并公开"
    )
    seed = models.CharField(
        "随机种子", max_length=64, blank=True, help_text="十六进制；由承诺材料和公共随机数得出"
    )
    population = models.JSONField("抽样总体（案件 ID，升序）", default=list)
    population_digest = models.CharField("抽样总体摘要（SHA-256）", max_length=64)
    committed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承诺人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽取人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "案卷评查抽样"
        verbose_name_plural = "案卷评查抽样"
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="file_evaluation_size_positive"),
            models.UniqueConstraint(fields=["agency", "year"], name="file_evaluation_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} 案卷评查抽样（{self.size} 卷）"

    @property
    def is_drawn(self) -> bool:
        return self.state == self.State.DRAWN


class FileEvaluationItem(models.Model):
    """One case file drawn into an evaluation, in draw order."""

    evaluation = models.ForeignKey(
        FileEvaluation, verbose_name="评查抽样", on_delete=models.PROTECT, related_name="items"
    )
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("抽取顺序")

    class Meta:
        verbose_name = "评查案卷"
        verbose_name_plural = "评查案卷"
        ordering = ["evaluation_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "case"], name="file_evaluation_case_once"
            ),
            models.UniqueConstraint(
                fields=["evaluation", "position"], name="file_evaluation_position_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.case}"

    @property
    def total(self) -> int:
        """The file's score: confirmed points, else the automatic pre-score, else full marks."""
        return sum(s.effective for s in self.scores.all())

    @property
    def is_confirmed(self) -> bool:
        return all(s.confirmed_at is not None for s in self.scores.all())


class RubricItem(models.Model):
    """One line of the 评查标准 (SUP-02): what is checked in a case file, how many
    points it carries and, where the data allows, which automatic pre-check
    proposes the score. Seeded from REC-01…REC-10 and RSN-01…RSN-04."""

    class Check(models.TextChoices):
        NONE = "", "人工评查"
        OFFICERS = "officers", "执法人员不少于两名且持证"
        EMERGENCY = "emergency", "紧急先行启动按时补办批准"
        MEDIA_MISSING = "media_missing", "法定环节音像记录齐全"
        MEDIA_LATE = "media_late", "音像记录按时存储"
        DECISION_RECORD = "decision_record", "有审查决定记录"
        MAJOR_REVIEW = "major_review", "重大执法决定经法制审核"
        SERVICE_RECORD = "service_record", "有送达记录"
        ARCHIVE_LATE = "archive_late", "按时归档"
        REASONS_PRESENT = "reasons_present", "有说明理由"
        REASONS_CHECK = "reasons_check", "说明理由通过校验"

    code = models.CharField("编号", max_length=16, unique=True)
    requirement = models.CharField("依据要求", max_length=16)
    title = models.CharField("评查内容", max_length=255)
    points = models.PositiveIntegerField("分值")
    precheck = models.CharField(
        "自动预评", max_length=24, choices=Check.choices, blank=True, default=""
    )
    order = models.PositiveIntegerField("顺序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评查标准条目"
        verbose_name_plural = "评查标准"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="rubric_item_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}（{self.points} 分）"


class FileScore(models.Model):
    """The score of one rubric item for one drawn case file (SUP-02): the
    automatic pre-score, then the evaluator's confirmed or adjusted points."""

    file = models.ForeignKey(
        FileEvaluationItem, verbose_name="评查案卷", on_delete=models.PROTECT, related_name="scores"
    )
    item = models.ForeignKey(
        RubricItem, verbose_name="评查标准条目", on_delete=models.PROTECT, related_name="+"
    )
    max_points = models.PositiveIntegerField("分值")
    auto_points = models.PositiveIntegerField("自动预评分", null=True, blank=True)
    auto_note = models.CharField("自动预评说明", max_length=500, blank=True)
    points = models.PositiveIntegerField("评定分", null=True, blank=True)
    comment = models.TextField("评查意见", blank=True)
    confirmed_at = models.DateTimeField("评定时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评查人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "案卷评分"
        verbose_name_plural = "案卷评分"
        ordering = ["file_id", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["file", "item"], name="file_score_once"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__lte=models.F("max_points")),
                name="file_score_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}：{self.effective}/{self.max_points}"

    @property
    def effective(self) -> int:
        if self.points is not None:
            return self.points
        if self.auto_points is not None:
            return self.auto_points
        return self.max_points


class RectificationNotice(models.Model):
    """A 整改通知 to an agency after 案卷评查 (SUP-02): issued with a due date,
    answered by the agency, closed (销号) or sent back by the 司法局."""

    class State(models.TextChoices):
        OPEN = "open", "待整改"
        REPLIED = "replied", "已回复，待审核"
        CLOSED = "closed", "已销号"

    evaluation = models.ForeignKey(
        FileEvaluation, verbose_name="评查抽样", on_delete=models.PROTECT, related_name="notices"
    )
    file = models.ForeignKey(
        FileEvaluationItem,
        verbose_name="所涉案卷",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        Agency, verbose_name="整改机关", on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField("问题与整改要求")
    due_on = models.DateField("整改期限")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    issued_at = models.DateTimeField("下发时间", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下发人", on_delete=models.PROTECT, related_name="+"
    )
    reply = models.TextField("整改情况", blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    review_comment = models.TextField("审核意见", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销号人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "整改通知"
        verbose_name_plural = "整改通知"
        ordering = ["state", "due_on", "pk"]

    def __str__(self) -> str:
        return f"整改通知 {self.pk}（{self.agency}）"

    @classmethod
    def overdue_filter(cls, today) -> Q:
        """Still awaiting the agency's reply after the due date (a reply sent
        back by the 司法局 reopens the notice)."""
        return Q(state=cls.State.OPEN, due_on__lt=today)

    def is_overdue(self, today) -> bool:
        return self.state == self.State.OPEN and self.due_on < today


class SatisfactionResponse(models.Model):
    """One visitor's answer to the short survey on a published decision page
    (SUP-03: social satisfaction ≥ 90 %). Anonymous: no address is kept."""

    class Rating(models.IntegerChoices):
        VERY_SATISFIED = 5, "非常满意"
        SATISFIED = 4, "满意"
        NEUTRAL = 3, "一般"
        DISSATISFIED = 2, "不满意"
        VERY_DISSATISFIED = 1, "非常不满意"

    disclosure = models.ForeignKey(
        "disclosures.Disclosure",
        verbose_name="公示信息",
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField("评价", choices=Rating.choices)
    comment = models.CharField("意见", max_length=500, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["agency", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()}（{self.agency}）"

    @property
    def satisfied(self) -> bool:
        return self.rating >= 4


class Filing(models.Model):
    """One 备案 of an agency with the 司法局 (SUP-04): implementation rules, the
    音像记录事项清单, instrument templates or the reviewer roster, as an attached
    file or as content generated from the platform's own lists. Each filing is
    a new row; the 司法局 accepts it or returns it with comments."""

    class Kind(models.TextChoices):
        RULES = "rules", "三项制度实施办法（制度）"
        AV_LIST = "av_list", "音像记录事项清单"
        TEMPLATES = "templates", "行政执法文书式样"
        ROSTER = "roster", "法制审核人员名册"

    class State(models.TextChoices):
        FILED = "filed", "已报备，待审查"
        ACCEPTED = "accepted", "已备案"
        RETURNED = "returned", "已退回"

    agency = models.ForeignKey(
        Agency, verbose_name="报备机关", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("备案类型", max_length=16, choices=Kind.choices)
    title = models.CharField("标题", max_length=255)
    file = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="附件",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    content = models.TextField(
        "生成内容", blank=True, help_text="未附文件时，由平台按本机关现有清单生成"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.FILED)
    filed_at = models.DateTimeField("报备时间", auto_now_add=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报备人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审查时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    comment = models.TextField("审查意见", blank=True)

    class Meta:
        verbose_name = "备案"
        verbose_name_plural = "备案"
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(file__isnull=False) | ~Q(content=""), name="filing_has_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_kind_display()}：{self.title}"


class AnnualReport(models.Model):
    """An agency's stored 行政执法统计年报 for one year (PUB-11): the PDF as
    filed with the 司法局 (by 10 January) and its publication on the portal
    through the disclosure pipeline (by 31 January)."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("统计年度")
    pdf = models.ForeignKey(
        "ledger.StoredFile", verbose_name="年报 PDF", on_delete=models.PROTECT, related_name="+"
    )
    summary = models.JSONField("主要数字", default=dict)
    filed_at = models.DateTimeField("报送时间", auto_now_add=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    disclosure = models.OneToOneField(
        "disclosures.Disclosure",
        verbose_name="公示信息",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "统计年报"
        verbose_name_plural = "统计年报"
        ordering = ["-year", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="annual_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}年度行政执法统计年报"


class AnnualReminder(models.Model):
    """A reminder sent by the daily job that an agency has not yet filed or
    published last year's annual report (PUB-11)."""

    class Kind(models.TextChoices):
        FILE = "file", "报送司法局"
        PUBLISH = "publish", "向社会公开"

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("统计年度")
    kind = models.CharField("事项", max_length=16, choices=Kind.choices)
    due_on = models.DateField("期限")
    sent_on = models.DateField("提醒日期")

    class Meta:
        verbose_name = "年报提醒"
        verbose_name_plural = "年报提醒"
        ordering = ["-sent_on", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind", "sent_on"], name="annual_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} 年报{self.get_kind_display()}提醒（{self.sent_on}）"


class DashboardSnapshot(models.Model):
    """The figures of the supervisor dashboard (SUP-01) of one scope — a region
    as its 司法局's supervisors see it, or one agency — counted at ``computed_at``
    and stored, so that the page reads one row instead of counting the region's
    cases on every view. One per scope: a refresh replaces it. Derived data,
    recomputed at will (``zhifa dashboard_snapshots``); the lists behind each
    count and the Excel exports stay live."""

    class Kind(models.TextChoices):
        REGION = "region", "区域"
        AGENCY = "agency", "执法主体"

    kind = models.CharField("范围类型", max_length=8, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name="区域",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name="执法主体",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    computed_at = models.DateTimeField(
        "数据截至", help_text="开始统计的时间：各项数字反映此时的数据"
    )
    seconds = models.FloatField("统计耗时（秒）")
    payload = models.JSONField(
        "监督首页数字",
        default=dict,
        help_text="督办事项计数（按事项键）、各执法主体案件数、按类别、环节、月份的案件数",
    )

    class Meta:
        verbose_name = "监督首页统计快照"
        verbose_name_plural = "监督首页统计快照"
        ordering = ["kind", "region_id", "agency_id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="region", region__isnull=False, agency__isnull=True)
                    | Q(kind="agency", agency__isnull=False, region__isnull=True)
                ),
                name="dashboard_snapshot_scope",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="region"),
                name="dashboard_snapshot_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(kind="agency"),
                name="dashboard_snapshot_one_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or self.agency} 监督首页统计（{self.computed_at:%Y-%m-%d %H:%M}）"
