from __future__ import annotations

from django.db import models

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
