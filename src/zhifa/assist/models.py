"""Transcripts of audio and video records (REC-05 text record; INF-04 speech recognition).

001 附件2 §32 asks that a sound recording used as evidence carry its text record
(应该附有相应文字记录). For each audio or video ``media.MediaItem`` an officer can
ask for a machine transcript: a ``TranscriptionJob`` queues the work, which a
background worker (``zhifa assist work``) carries out. Its result is version 1
of the recording's ``Transcript``, made of timestamped ``TranscriptSegment``s.
An officer's correction never changes it: it is a new version, based on the one
it corrects, with its own ledger entry; the machine's text stays readable.

The job row is the queue (status, progress, error), so its fields change as the
work goes on; every change of status is in the ledger. Transcripts and segments
are written once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.cases.models import Case
from zhifa.media.models import MediaItem


class TranscriptionJob(models.Model):
    """The machine transcription of one recording (REC-05, INF-04).

    One per recording. ``queued`` → ``running`` → ``done``; a job may be
    ``cancelled`` while queued or running, and ends ``failed`` with its reason
    when the audio cannot be read or recognised. A failed or cancelled job is
    queued again by a retry (``attempts`` counts the tries); the recording itself
    is never touched.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "转写中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    item = models.OneToOneField(
        MediaItem,
        verbose_name="音像记录",
        on_delete=models.PROTECT,
        related_name="transcription_job",
    )
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="transcription_jobs"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=1)
    engine = models.CharField("识别引擎", max_length=64, blank=True)
    audio_seconds = models.FloatField("音频时长（秒）", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        "最近进度时间", null=True, blank=True, help_text="工作进程每处理一段即更新"
    )
    worker = models.CharField("工作进程", max_length=128, blank=True)

    class Meta:
        verbose_name = "语音转写任务"
        verbose_name_plural = "语音转写任务"
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="assist_job_progress"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="assist_job_failed_has_error"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.filename} 转写（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Transcript(models.Model):
    """One version of a recording's text record (REC-05; 001 附件2 §32).

    Version 1 is the machine's (``source`` = ``machine``, linked to its job);
    each correction by a handling officer is the next version, ``based_on`` the
    one it corrects. The highest version is the one in force; earlier ones stay.
    ``text`` is the segments' text joined, for search; ``sha256`` its digest, as
    recorded in the ledger.
    """

    class Source(models.TextChoices):
        MACHINE = "machine", "机器转写"
        CORRECTION = "correction", "人工校正"

    item = models.ForeignKey(
        MediaItem, verbose_name="音像记录", on_delete=models.PROTECT, related_name="transcripts"
    )
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="transcripts"
    )
    version = models.PositiveIntegerField("版本")
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    based_on = models.ForeignKey(
        "self",
        verbose_name="所校正的版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    job = models.ForeignKey(
        TranscriptionJob,
        verbose_name="转写任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transcripts",
    )
    engine = models.CharField("识别引擎", max_length=64, blank=True)
    text = models.TextField("全文", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    note = models.TextField("校正说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="校正人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("形成时间")

    class Meta:
        verbose_name = "文字记录版本"
        verbose_name_plural = "文字记录版本"
        ordering = ["item_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="assist_transcript_version"),
            models.CheckConstraint(
                condition=Q(source="machine", job__isnull=False)
                | Q(source="correction", based_on__isnull=False, created_by__isnull=False),
                name="assist_transcript_source",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="assist_transcript_v1"),
        ]

    def __str__(self) -> str:
        return f"{self.item.filename} 文字记录 第 {self.version} 版（{self.get_source_display()}）"


class TranscriptSegment(models.Model):
    """A stretch of speech with its time in the recording (seconds from its start)."""

    transcript = models.ForeignKey(
        Transcript, verbose_name="文字记录", on_delete=models.PROTECT, related_name="segments"
    )
    position = models.PositiveIntegerField("序号")
    start = models.FloatField("开始（秒）")
    end = models.FloatField("结束（秒）")
    text = models.TextField("内容")

    class Meta:
        verbose_name = "文字记录片段"
        verbose_name_plural = "文字记录片段"
        ordering = ["transcript_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "position"], name="assist_segment_position"
            ),
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gte=models.F("start")),
                name="assist_segment_times",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.start:.1f}–{self.end:.1f}] {self.text}"


# --- Reading documents (INF-03, INF-04: 法律文件阅读与分析) ------------------------------


class Document(models.Model):
    """An uploaded PDF or image of evidence whose text the worker reads (pdftotext
    or pypdf for PDFs, rapidocr for images and scanned pages), so that it is
    searchable and used by the similar-case search and the dispute hints.

    The file is kept in the evidence store as uploaded (``ledger.file_store``);
    the row is the job (status, progress, error) and, once read, the result.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "识别中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF 文件"
        IMAGE = "image", "图片"

    class Role(models.TextChoices):
        STATEMENT = "statement", "当事人陈述申辩材料"
        HEARING = "hearing", "听证材料"
        EVIDENCE = "evidence", "证据材料"
        OTHER = "other", "其他文件"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="assist_documents"
    )
    file = models.ForeignKey(
        "ledger.StoredFile", verbose_name="文件", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("文件名", max_length=255)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    role = models.CharField("材料性质", max_length=16, choices=Role.choices, default=Role.OTHER)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=1)
    engine = models.CharField("识别方式", max_length=64, blank=True)
    pages = models.PositiveIntegerField("页数", null=True, blank=True)
    text = models.TextField("识别文字", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)

    class Meta:
        verbose_name = "待识别文件"
        verbose_name_plural = "待识别文件"
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["status", "uploaded_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="assist_doc_progress"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="assist_doc_failed_has_error"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class DocumentPage(models.Model):
    """The text of one page of a read document (written once, with the result)."""

    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.PROTECT, related_name="page_texts"
    )
    number = models.PositiveIntegerField("页码")
    method = models.CharField("识别方式", max_length=16)
    text = models.TextField("文字", blank=True)

    class Meta:
        verbose_name = "文件页文字"
        verbose_name_plural = "文件页文字"
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="assist_doc_page"),
        ]

    def __str__(self) -> str:
        return f"{self.document.name} 第 {self.number} 页"


class Embedding(models.Model):
    """A dense vector of a searchable text (a decided case, a provision, a published
    decision), computed by the worker and kept until the text changes
    (``sha256`` of the text embedded). ``vector``: float32, L2-normalised."""

    class Kind(models.TextChoices):
        CASE = "case", "案件"
        PROVISION = "provision", "条文"
        DISCLOSURE = "disclosure", "公示决定"

    kind = models.CharField("对象类型", max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("对象 ID")
    model = models.CharField("模型", max_length=64)
    sha256 = models.CharField("文本 SHA-256", max_length=64)
    vector = models.BinaryField("向量")
    created_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "文本向量"
        verbose_name_plural = "文本向量"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "model"], name="assist_embedding_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}（{self.model}）"
