from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce

from zhifa.accounts.models import Agency, Unit


class ActionKind(models.TextChoices):
    """执法类别 (PUB-02): the kinds of administrative action."""

    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    EXPROPRIATION = "expropriation", "行政征收征用"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    BENEFIT = "benefit", "行政给付"
    OTHER = "other", "其他行政权力"


class Matter(models.Model):
    """One item of an agency's 执法事项清单 / 权责清单 (PUB-02)."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="matters"
    )
    code = models.CharField("项目编码", max_length=64)
    name = models.CharField("事项名称", max_length=255)
    action_kind = models.CharField("事项类别", max_length=16, choices=ActionKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name="承办机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    legal_basis = models.TextField("执法依据")
    time_limit_days = models.PositiveIntegerField(
        "办理时限（工作日）",
        null=True,
        blank=True,
        help_text="法定办理时限，以工作日计；无法定时限的留空并在备注中说明",
    )
    note = models.CharField("备注", max_length=255, blank=True)
    is_active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "执法事项"
        verbose_name_plural = "执法事项"
        ordering = ["agency_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="matter_unique_code_in_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WorkCalendarYear(models.Model):
    """A year whose official working days are known (工作日).

    A year is known once its holiday arrangement (国务院办公厅放假安排) is in the
    table: seeded from ``chinesecalendar`` or entered by the system
    administrator when it is announced (each November or December). Deadlines
    that fall in a year not known here are provisional.
    """

    class Source(models.TextChoices):
        SEEDED = "seeded", "chinesecalendar 导入"
        MANUAL = "manual", "人工录入"

    year = models.PositiveIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    notice = models.CharField("放假安排文号", max_length=128, blank=True)
    is_published = models.BooleanField(
        "已确认",
        default=False,
        help_text="确认后该年日历生效；未确认年份的期限按仅排除周末计算并标注为暂定",
    )

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class WorkCalendarDay(models.Model):
    """A day that differs from the plain week: a holiday on a weekday, or a
    make-up working day (调休) on a weekend."""

    day = models.DateField("日期", unique=True)
    year = models.ForeignKey(
        WorkCalendarYear, verbose_name="年度", on_delete=models.PROTECT, related_name="days"
    )
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=64, blank=True, help_text="如：国庆节、国庆节调休")

    class Meta:
        verbose_name = "工作日历特殊日"
        verbose_name_plural = "工作日历特殊日"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'上班' if self.is_workday else '休息'} {self.name}"


# --- Provisions library (RSN-01, INF-03) ---------------------------------------------


class LegalBasis(models.Model):
    """One version of a law, regulation, rule or normative document (法律依据).

    A text amended in force is a new row with the same ``name`` and a later
    ``effective_on``; the older row gets its ``repealed_on``. A citation is
    resolved against the version in force on the decision date (RSN-01, RSN-04).
    """

    class Level(models.TextChoices):
        LAW = "law", "法律"
        ADMIN_REGULATION = "admin_regulation", "行政法规"
        LOCAL_REGULATION = "local_regulation", "地方性法规"
        RULE = "rule", "规章"
        NORMATIVE = "normative", "行政规范性文件"

    name = models.CharField("名称", max_length=128, help_text="全称，如：中华人民共和国行政处罚法")
    short_name = models.CharField("简称", max_length=64, blank=True, help_text="如：行政处罚法")
    level = models.CharField("效力层级", max_length=24, choices=Level.choices)
    issuer = models.CharField("制定机关", max_length=128, blank=True)
    version = models.CharField("版本", max_length=64, help_text="如：2021年修订")
    effective_on = models.DateField("施行日期")
    repealed_on = models.DateField(
        "失效日期", null=True, blank=True, help_text="废止或被新版本取代之日；该日起不再适用"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "法律依据"
        verbose_name_plural = "法律依据"
        ordering = ["name", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="legal_basis_unique_version"),
            models.CheckConstraint(
                condition=models.Q(repealed_on__isnull=True)
                | models.Q(repealed_on__gt=models.F("effective_on")),
                name="legal_basis_repealed_after_effective",
            ),
        ]

    def __str__(self) -> str:
        return f"《{self.name}》（{self.version}）"

    def in_force_on(self, day) -> bool:
        return self.effective_on <= day and (self.repealed_on is None or day < self.repealed_on)


class Provision(models.Model):
    """One article, paragraph (款), item (项) or sub-item (目) of a ``LegalBasis``.

    ``article_suffix`` is 1 for 第X条之一 (0 for a plain article). A paragraph
    row has ``paragraph`` set and ``item`` empty, and so on down: each level
    is its own row with its own text, so a citation resolves to exactly what
    it names.
    """

    basis = models.ForeignKey(
        LegalBasis, verbose_name="法律依据", on_delete=models.PROTECT, related_name="provisions"
    )
    article = models.PositiveIntegerField("条")
    article_suffix = models.PositiveSmallIntegerField("之几", default=0)
    paragraph = models.PositiveSmallIntegerField("款", null=True, blank=True)
    item = models.PositiveSmallIntegerField("项", null=True, blank=True)
    sub_item = models.PositiveSmallIntegerField("目", null=True, blank=True)
    text = models.TextField("条文")

    class Meta:
        verbose_name = "条文"
        verbose_name_plural = "条文"
        # An article before its paragraphs, a paragraph before its items: the empty
        # places first on every database (PostgreSQL puts NULLs last by default).
        ordering = [
            "basis_id",
            "article",
            "article_suffix",
            models.F("paragraph").asc(nulls_first=True),
            models.F("item").asc(nulls_first=True),
            models.F("sub_item").asc(nulls_first=True),
        ]
        constraints = [
            # One row per place. The empty levels count as 0 (numbering starts at 1):
            # an index over expressions, which SQLite builds too (it has no
            # NULLS NOT DISTINCT, and would otherwise take the same article twice).
            models.UniqueConstraint(
                "basis",
                "article",
                "article_suffix",
                Coalesce("paragraph", 0),
                Coalesce("item", 0),
                Coalesce("sub_item", 0),
                name="provision_unique_place",
            ),
            models.CheckConstraint(
                condition=models.Q(item__isnull=True) | models.Q(paragraph__isnull=False),
                name="provision_item_needs_paragraph",
            ),
            models.CheckConstraint(
                condition=models.Q(sub_item__isnull=True) | models.Q(item__isnull=False),
                name="provision_sub_item_needs_item",
            ),
        ]

    def __str__(self) -> str:
        from zhifa.catalogues.provisions import place_label

        return f"《{self.basis.name}》{place_label(self)}"


# --- Discretion benchmarks (裁量基准, INF-03) ----------------------------------------


class DiscretionBenchmark(models.Model):
    """An agency's 裁量基准 for one violation: the statutory range and the bands
    by circumstance, in one version with its effective dates (INF-03, RSN-01).

    A new version is a new row with the same ``violation_code``; the older one
    gets ``retired_on``. Amounts in yuan.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="benchmarks"
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name="执法事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benchmarks",
    )
    violation_code = models.CharField("违法行为编码", max_length=64)
    violation = models.CharField("违法行为", max_length=255)
    basis_citation = models.CharField("违法依据", max_length=255, blank=True)
    penalty_citation = models.CharField("处罚依据", max_length=255)
    penalty_kinds = models.CharField("处罚种类", max_length=255, default="罚款")
    statutory_min = models.DecimalField("法定最低罚款（元）", max_digits=14, decimal_places=2)
    statutory_max = models.DecimalField("法定最高罚款（元）", max_digits=14, decimal_places=2)
    version = models.CharField("版本", max_length=64)
    effective_on = models.DateField("施行日期")
    retired_on = models.DateField("停止适用日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["agency_id", "violation_code", "-effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "violation_code", "version"], name="benchmark_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(statutory_min__gte=0)
                & models.Q(statutory_max__gte=models.F("statutory_min")),
                name="benchmark_statutory_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.violation}（{self.version}）"

    def in_force_on(self, day) -> bool:
        return self.effective_on <= day and (self.retired_on is None or day < self.retired_on)


class Band(models.TextChoices):
    """Circumstance bands of a benchmark (裁量阶次)."""

    MINOR = "minor", "轻微"
    ORDINARY = "ordinary", "一般"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class DiscretionBand(models.Model):
    """One band of a benchmark: its circumstances and the fine range it allows."""

    benchmark = models.ForeignKey(
        DiscretionBenchmark, verbose_name="裁量基准", on_delete=models.PROTECT, related_name="bands"
    )
    band = models.CharField("裁量阶次", max_length=16, choices=Band.choices)
    conditions = models.TextField("适用情形")
    min_amount = models.DecimalField("最低罚款（元）", max_digits=14, decimal_places=2)
    max_amount = models.DecimalField("最高罚款（元）", max_digits=14, decimal_places=2)
    amount_from = models.DecimalField(
        "涉案金额下限（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="按涉案货值等金额划分阶次时填写；含下限",
    )
    amount_below = models.DecimalField(
        "涉案金额上限（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="不含上限",
    )
    penalty_kinds = models.CharField(
        "本阶次处罚种类",
        max_length=255,
        blank=True,
        help_text="本阶次可以适用的处罚种类，以顿号分隔；留空为基准的全部处罚种类（INF-03）",
    )

    class Meta:
        verbose_name = "裁量阶次"
        verbose_name_plural = "裁量阶次"
        ordering = ["benchmark_id", "min_amount"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "band"], name="band_unique_in_benchmark"),
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=models.F("min_amount")),
                name="band_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_band_display()} {self.min_amount}–{self.max_amount}元"


class FactorEffect(models.TextChoices):
    MITIGATING = "mitigating", "从轻"
    REDUCING = "reducing", "减轻"
    AGGRAVATING = "aggravating", "从重"
    EXEMPTING = "exempting", "不予处罚"


class DiscretionFactor(models.Model):
    """A circumstance that moves the penalty within or below the band (从轻、减轻、从重)."""

    benchmark = models.ForeignKey(
        DiscretionBenchmark,
        verbose_name="裁量基准",
        on_delete=models.PROTECT,
        related_name="factors",
    )
    effect = models.CharField("效果", max_length=16, choices=FactorEffect.choices)
    description = models.CharField("情节", max_length=255)
    citation = models.CharField("依据", max_length=255, blank=True)

    class Meta:
        verbose_name = "裁量情节"
        verbose_name_plural = "裁量情节"
        ordering = ["benchmark_id", "effect", "pk"]

    def __str__(self) -> str:
        return f"{self.get_effect_display()}：{self.description}"
