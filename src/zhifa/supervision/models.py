"""Case file evaluation (案卷评查, SUP-02): the random sample of closed case files.

A draw is recorded with everything needed to make it again: the population
(the closed cases it was drawn from, by id, with their SHA-256 digest), the
seed and the size. ``zhifa.supervision.sampling.sample`` is a pure function of
those three, so anyone can re-draw it and get the same cases; a change to any
input changes the result. Scoring against a rubric and rectification notices
are not built yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case


class FileEvaluation(models.Model):
    """One 案卷评查 round of one agency: its recorded random sample (SUP-02)."""

    agency = models.ForeignKey(
        Agency, verbose_name="被评查机关", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("结案年度")
    size = models.PositiveIntegerField("抽取数量")
    seed = models.CharField("随机种子", max_length=64, help_text="十六进制；与总体一起决定抽样结果")
    population = models.JSONField("抽样总体（案件 ID，升序）", default=list)
    population_digest = models.CharField("抽样总体摘要（SHA-256）", max_length=64)
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "案卷评查抽样"
        verbose_name_plural = "案卷评查抽样"
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="file_evaluation_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} 案卷评查抽样（{self.size} 卷）"


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
