"""Audio-video records of cases (音像记录, REC-04, REC-05).

An agency keeps a ``MediaRequirement`` list (音像记录事项清单) saying which
actions, at which stage and place, are recorded and how. Each photo, audio or
video of a case is a ``MediaItem``: the file itself lives in the evidence store
(``ledger.StoredFile``), the row carries what 001 附件2 §31–§32 asks of
audio-visual evidence (when, where and by whom it was captured, how it was made,
what it proves, the text record of an audio) and whether it reached the system
in time. Large files arrive in pieces through an ``UploadSession``; only a
complete, checked file ever becomes a ``MediaItem``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case, Record, Stage
from zhifa.catalogues.models import ActionKind


class Mode(models.TextChoices):
    """How an action is recorded (记录方式, REC-04)."""

    CONTINUOUS = "continuous", "全过程音像记录"
    KEY_MOMENTS = "key_moments", "关键环节音像记录"
    PHOTO = "photo", "拍照或录像"

    @classmethod
    def strength(cls, mode: str) -> int:
        """Stricter modes rank higher; a stricter mode also satisfies a weaker one."""
        return {"": 0, cls.PHOTO: 1, cls.KEY_MOMENTS: 2, cls.CONTINUOUS: 3}[mode]


# ``cases.records.Kind.av`` in this app's terms.
MODE_OF_AV = {"continuous": Mode.CONTINUOUS, "photo_or_video": Mode.PHOTO}
REQUIREMENT_STAGES = [
    (s.value, s.label) for s in (Stage.START, Stage.INVESTIGATION, Stage.DECISION, Stage.EXECUTION)
]


class MediaRequirement(models.Model):
    """One line of an agency's 音像记录事项清单 (REC-04; 001 附件2 §4–§5).

    A line naming a record kind is enforced: a case of the agency may not leave
    its stage while a record of that kind lacks the audio-video record the line
    asks for (``zhifa.media.rules``). A line without a record kind describes
    what to record (for example in the interview room) and is shown to the
    officers, not enforced.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="media_requirements"
    )
    action_kind = models.CharField(
        "执法类别",
        max_length=16,
        choices=ActionKind.choices,
        blank=True,
        help_text="留空表示适用于本机关全部执法类别",
    )
    stage = models.CharField("执法环节", max_length=16, choices=REQUIREMENT_STAGES)
    record_kind = models.CharField(
        "执法记录类型",
        max_length=40,
        blank=True,
        help_text="填写后，该类记录须附相应音像记录才能进入下一环节",
    )
    place = models.CharField("场所", max_length=255, blank=True)
    content = models.TextField("记录内容", help_text="如：出示证件、现场环境、人员、询问、关键证据")
    mode = models.CharField("记录方式", max_length=16, choices=Mode.choices)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "音像记录事项"
        verbose_name_plural = "音像记录事项清单"
        ordering = ["agency_id", "stage", "record_kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "action_kind", "record_kind"],
                condition=~Q(record_kind=""),
                name="media_requirement_once_per_kind",
            ),
        ]

    def __str__(self) -> str:
        what = self.record_kind_label or self.place
        return f"{self.get_stage_display()} {what} {self.get_mode_display()}"

    @property
    def record_kind_label(self) -> str:
        from zhifa.cases.records import KINDS

        spec = KINDS.get(self.record_kind)
        return spec.label if spec else self.record_kind


class MediaItem(models.Model):
    """One photo, audio or video of a case (REC-04, REC-05; 001 附件2 §31–§32).

    Never edited: the file is in the write-once evidence store and the row's
    values are in its ``media.add`` ledger entry. ``is_late`` says whether it
    reached the system after ``ZHIFA_AV_UPLOAD_WORKDAYS`` working days.
    """

    class Kind(models.TextChoices):
        PHOTO = "photo", "照片"
        AUDIO = "audio", "录音"
        VIDEO = "video", "录像"

    class Interruption(models.TextChoices):
        NONE = "none", "无中断"
        RESUMED = "resumed", "中断后恢复"
        NOT_RESUMED = "not_resumed", "中断未能恢复"

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="media_items"
    )
    record = models.ForeignKey(
        Record,
        verbose_name="对应的执法记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="media_items",
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    file = models.ForeignKey(
        "ledger.StoredFile", verbose_name="文件", on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(
        "文件名", max_length=255, help_text="上传时的文件名；相同内容的文件只存一份，名称各自保留"
    )
    poster = models.ForeignKey(
        "ledger.StoredFile",
        verbose_name="封面帧",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="录像的一帧 JPEG 截图，由系统生成",
    )
    captured_at = models.DateTimeField("拍摄（录制）时间")
    place = models.CharField("拍摄（录制）地点", max_length=255)
    author = models.CharField("拍摄（录制）人", max_length=64)
    device = models.CharField(
        "记录设备", max_length=128, blank=True, help_text="如执法记录仪的资产编号"
    )
    is_continuous = models.BooleanField("全过程连续记录", default=False)
    interruption = models.CharField(
        "记录中断", max_length=16, choices=Interruption.choices, default=Interruption.NONE
    )
    interruption_reason = models.TextField(
        "中断情况说明",
        blank=True,
        help_text="恢复记录时说明中断原因；未能恢复的，书面说明情况",
    )
    production_method = models.TextField(
        "制作方法", help_text="如：执法记录仪现场录制，原始文件导出"
    )
    proves = models.TextField("证明对象", help_text="该音像记录所要证明的事项")
    transcript = models.TextField(
        "文字记录", blank=True, help_text="录音须附文字记录（全文或摘要）"
    )
    duration_seconds = models.FloatField("时长（秒）", null=True, blank=True)
    upload_due_on = models.DateField("应存储期限")
    is_late = models.BooleanField("逾期存储", default=False)
    late_by = models.DurationField("逾期时长", null=True, blank=True)
    uploaded_at = models.DateTimeField("存储时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "音像记录"
        verbose_name_plural = "音像记录"
        ordering = ["case_id", "captured_at", "pk"]
        indexes = [models.Index(fields=["case", "captured_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="audio") | ~Q(transcript=""), name="media_audio_has_transcript"
            ),
            models.CheckConstraint(
                condition=Q(interruption="none") | ~Q(interruption_reason=""),
                name="media_interruption_explained",
            ),
            models.CheckConstraint(
                condition=Q(is_continuous=False) | Q(kind__in=["audio", "video"]),
                name="media_continuous_is_audio_or_video",
            ),
            models.CheckConstraint(
                condition=Q(is_late=False, late_by__isnull=True)
                | Q(is_late=True, late_by__isnull=False),
                name="media_late_by_when_late",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def name(self) -> str:
        return self.filename


class UploadSession(models.Model):
    """A file being uploaded in pieces (REC-05).

    The bytes received so far are in a temporary file under ``DATA_DIR``; its
    length is the offset the next piece must start at. The metadata of the
    future ``MediaItem`` was checked when the session began. A session is
    scaffolding, not part of the record: it is deleted when its item is created,
    and ``zhifa media purge-uploads`` removes abandoned ones.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(
        Record,
        verbose_name="对应的执法记录",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    filename = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField("文件大小（字节）")
    meta = models.JSONField("音像记录信息", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("最近接收时间", auto_now=True)

    class Meta:
        verbose_name = "上传会话"
        verbose_name_plural = "上传会话"
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="upload_session_size"),
        ]

    def __str__(self) -> str:
        return f"{self.filename}（{self.size} 字节）"
