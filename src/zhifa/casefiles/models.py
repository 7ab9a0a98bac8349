"""The case file (案卷) of a closed case and its material catalogue (REC-10).

``casefiles.services.casefile_assemble`` binds every record, instrument and
audio-video reference of a closed case into one PDF with a catalogue
(卷内目录) in the prescribed order (``zhifa.casefiles.catalogue.ORDER``);
``casefile_archive`` then fixes it under an archive number (档案号) and moves
the case to 归档. Before archiving a case file may be bound again: the row is
bound anew (``version`` + 1) and the earlier catalogue rows stay, under their
own version, beside the ledger entry of each binding. After archiving nothing
of it changes; material found later is a supplement (补充材料), catalogued as a
new entry with its own PDF.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case
from zhifa.ledger.models import StoredFile


class Retention(models.TextChoices):
    """保管期限: an enforcement case file is kept permanently (001 附件2 §34)."""

    PERMANENT = "permanent", "永久"


class CaseFile(models.Model):
    """The bound case file (案卷) of one case (REC-10).

    ``pdf`` is the whole bound file; ``materials_digest`` fingerprints what it
    was bound from, so that archiving refuses a file that no longer holds every
    material of the case.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="case_files"
    )
    case = models.OneToOneField(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="case_file"
    )
    version = models.PositiveIntegerField(
        "装订版本", default=1, help_text="归档前每重新装订一次加一"
    )
    assembled_at = models.DateTimeField("装订时间")
    assembled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="立卷人", on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.ForeignKey(
        StoredFile, verbose_name="案卷（PDF）", on_delete=models.PROTECT, related_name="+"
    )
    pages = models.PositiveIntegerField("页数")
    materials_digest = models.CharField(
        "材料指纹",
        max_length=64,
        help_text="装订所据全部材料（记录、文书、音像）的 SHA-256；材料有变化时须重新装订",
    )
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="归档人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archive_number = models.CharField("档案号", max_length=64, blank=True)
    retention = models.CharField(
        "保管期限", max_length=16, choices=Retention.choices, default=Retention.PERMANENT
    )

    class Meta:
        verbose_name = "案卷"
        verbose_name_plural = "案卷"
        ordering = ["-assembled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "archive_number"],
                condition=~Q(archive_number=""),
                name="case_file_unique_archive_number",
            ),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True, archive_number="")
                | Q(archived_at__isnull=False, archived_by__isnull=False) & ~Q(archive_number=""),
                name="case_file_archived_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 案卷" + (f"（{self.archive_number}）" if self.archived else "")

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class CatalogueEntry(models.Model):
    """One line of the material catalogue (材料目录 / 卷内目录) of a case file (REC-10).

    ``page_first``–``page_last`` are page numbers of the bound PDF (the cover
    is page 1); a supplement continues the numbering after the bound file and
    after earlier supplements. An audio-video item is referenced by its storage
    location (``storage_key``, ``sha256``) with how, when and by whom it was
    made and what it proves (001 附件2 §33).
    """

    class Kind(models.TextChoices):
        COVER = "cover", "封面"
        CATALOGUE = "catalogue", "卷内目录"
        INSTRUMENT = "instrument", "执法文书"
        RECORD = "record", "执法记录"
        MEDIA_LIST = "media_list", "音像资料目录"
        MEDIA = "media", "音像资料"
        REMARKS = "remarks", "备考表"
        SUPPLEMENT = "supplement", "归档后补充材料"

    case_file = models.ForeignKey(
        CaseFile, verbose_name="案卷", on_delete=models.PROTECT, related_name="entries"
    )
    version = models.PositiveIntegerField("装订版本")
    position = models.PositiveIntegerField("序号")
    part = models.CharField(
        "案卷部分", max_length=32, help_text="见 zhifa.casefiles.catalogue.ORDER"
    )
    kind = models.CharField("材料类型", max_length=16, choices=Kind.choices)
    title = models.CharField("题名", max_length=255)
    number = models.CharField("文号", max_length=64, blank=True)
    date = models.DateField("日期", null=True, blank=True)
    page_first = models.PositiveIntegerField("起始页")
    page_last = models.PositiveIntegerField("终止页")
    source_id = models.BigIntegerField(
        "来源对象ID", null=True, blank=True, help_text="执法文书、执法记录或音像资料的 ID"
    )
    pdf = models.ForeignKey(
        StoredFile,
        verbose_name="本件 PDF",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="执法文书的 PDF、补充材料的 PDF",
    )
    original = models.ForeignKey(
        StoredFile,
        verbose_name="原件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="执法文书的 DOCX、音像资料原始文件、补充材料的原始文件",
    )
    storage_key = models.CharField("存储位置", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    made_how = models.TextField("制作说明", blank=True, help_text="制作方法、时间、地点、制作人")
    proves = models.TextField("证明对象", blank=True)
    note = models.TextField("备注", blank=True)
    added_after_archive = models.BooleanField("归档后补充", default=False)
    added_at = models.DateTimeField("编目时间")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编目人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "卷内目录条目"
        verbose_name_plural = "卷内目录条目"
        ordering = ["case_file_id", "version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_file", "version", "position"], name="catalogue_entry_position"
            ),
            models.CheckConstraint(
                condition=Q(page_first__gte=1) & Q(page_last__gte=F("page_first")),
                name="catalogue_entry_pages",
            ),
            models.CheckConstraint(
                condition=Q(kind="supplement", added_after_archive=True, pdf__isnull=False)
                | ~Q(kind="supplement") & Q(added_after_archive=False),
                name="catalogue_entry_supplement_after_archive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def pages_label(self) -> str:
        if self.page_first == self.page_last:
            return str(self.page_first)
        return f"{self.page_first}–{self.page_last}"
