"""What became of a case's decision after it was made: the outcome of an
administrative reconsideration (行政复议), of administrative litigation (行政诉讼)
or of the agency's own correction (自行纠正) (SUP-03, SUP-05, PUB-09, PUB-11).

A ``Remedy`` is never edited. A matter still pending is recorded with the
outcome 审理中 and later superseded by the entry that records its result; a
mistaken entry is superseded by a corrected one with the reason. The entries
not superseded are the ones in force: they feed the assessment's correction
indicator, the early warning on revoked decisions and the annual statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhifa.cases.models import Case


class Remedy(models.Model):
    class Channel(models.TextChoices):
        RECONSIDERATION = "reconsideration", "行政复议"
        LITIGATION = "litigation", "行政诉讼"
        SELF_CORRECTION = "self_correction", "自行纠正"

    class Instance(models.TextChoices):
        FIRST = "first", "一审"
        SECOND = "second", "二审"
        RETRIAL = "retrial", "再审"

    class Outcome(models.TextChoices):
        PENDING = "pending", "审理中"
        UPHELD = "upheld", "维持"
        DISMISSED = "dismissed", "驳回申请（诉讼请求）"
        REVOKED = "revoked", "撤销"
        PARTLY_REVOKED = "partly_revoked", "部分撤销"
        CONFIRMED_ILLEGAL = "confirmed_illegal", "确认违法"
        VARIED = "varied", "变更"
        REMADE = "remade", "撤销并责令重新作出"
        WITHDRAWN = "withdrawn", "申请人撤回申请（原告撤诉）"
        SETTLED = "settled", "调解、和解结案"
        TERMINATED = "terminated", "终止"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="remedies"
    )
    channel = models.CharField("渠道", max_length=24, choices=Channel.choices)
    instance = models.CharField("审级", max_length=16, choices=Instance.choices, blank=True)
    outcome = models.CharField("结果", max_length=24, choices=Outcome.choices)
    body = models.CharField("复议机关或人民法院", max_length=128, blank=True)
    document_number = models.CharField("文书文号", max_length=64, blank=True)
    filed_on = models.DateField("申请（起诉）日期", null=True, blank=True)
    decided_on = models.DateField("决定（裁判）日期", null=True, blank=True)
    summary = models.TextField("结果摘要", blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="取代的登记",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.CharField("更正原因", max_length=255, blank=True)
    digest = models.CharField("内容摘要（SHA-256）", max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "复议诉讼及纠错结果"
        verbose_name_plural = "复议诉讼及纠错结果"
        ordering = ["case_id", "recorded_at", "pk"]
        indexes = [models.Index(fields=["outcome", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_outcome_display()}"

    @property
    def changes_decision(self) -> bool:
        return self.outcome in CHANGING

    @property
    def label(self) -> str:
        """行政诉讼（一审）撤销, as lists and the takedown log name it."""
        instance = f"（{self.get_instance_display()}）" if self.instance else ""
        return f"{self.get_channel_display()}{instance}{self.get_outcome_display()}"


# Outcomes that change the decision: it leaves the portal at once (PUB-09) and
# counts as corrected in the assessment and the early warning.
CHANGING = frozenset(
    {
        Remedy.Outcome.REVOKED,
        Remedy.Outcome.PARTLY_REVOKED,
        Remedy.Outcome.CONFIRMED_ILLEGAL,
        Remedy.Outcome.VARIED,
        Remedy.Outcome.REMADE,
    }
)
# What the agency's own correction may do to its decision.
SELF_CORRECTION_OUTCOMES = frozenset(
    {
        Remedy.Outcome.REVOKED,
        Remedy.Outcome.PARTLY_REVOKED,
        Remedy.Outcome.VARIED,
        Remedy.Outcome.CONFIRMED_ILLEGAL,
    }
)
