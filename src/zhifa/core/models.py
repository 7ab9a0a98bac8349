from django.db import models


class DailyRun(models.Model):
    """One calendar day's run of one daily job (``zhifa daily``; the jobs are
    ``ZHIFA_DAILY_JOBS``, e.g. the PUB-11 annual report reminders and the PUB-08
    expiry of public items).

    The row is the proof that the day's run happened: one per job and day
    (Asia/Shanghai), so a restart the same day does not run the job again. A
    failed attempt keeps its row with the error, and the next check tries the
    job again on the same row.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        OK = "ok", "完成"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=200, help_text="ZHIFA_DAILY_JOBS 中的点分路径")
    day = models.DateField("日期", help_text="按北京时间计的日历日")
    status = models.CharField("结果", max_length=16, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=1)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    outcome = models.CharField(
        "处理数量", max_length=200, blank=True, help_text="任务返回的数量，如新发提醒条数"
    )
    error = models.TextField("错误信息", blank=True, help_text="最近一次失败的原因")

    class Meta:
        db_table = "core_daily_run"
        verbose_name = "每日任务记录"
        verbose_name_plural = "每日任务记录"
        ordering = ["-day", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="daily_run_once_per_job_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.job}"
