"""Enforcement instruments (执法文书) and what they are made from (REC-07, REC-14).

An ``Instrument`` is one issued document of a case: the DOCX rendered from an
``InstrumentTemplate`` with the case's data, and its PDF, both kept in the
tamper-evident file store. It is never changed once issued; a corrected
instrument is a new row that names the one it supersedes. Its 文号 comes from
the agency's ``DocumentNumberPattern`` and a gap-free sequence, or — for the
pre-printed 当场行政处罚决定书 only — from an ``OnSpotFormBatch`` issued to one
of the case's officers. A number is never typed in by anyone else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhifa.accounts.models import Agency, Officer
from zhifa.cases.models import Case, Record
from zhifa.ledger.models import StoredFile


class Kind(models.TextChoices):
    """The kinds of instrument the system ships templates for (001 附件2 §22)."""

    FILING_APPROVAL = "filing_approval", "立案审批表"
    ONSITE_INSPECTION = "onsite_inspection", "现场笔录"
    INTERVIEW = "interview", "询问笔录"
    EVIDENCE_PRESERVATION = "evidence_preservation", "先行登记保存证据通知书"
    PRIOR_NOTICE = "prior_notice", "行政处罚事先告知书"
    HEARING_NOTICE = "hearing_notice", "听证告知书"
    HEARING_MINUTES = "hearing_minutes", "听证笔录"
    INVESTIGATION_REPORT = "investigation_report", "案件调查终结报告"
    DECISION = "decision", "行政处罚决定书"
    ONSPOT_DECISION = "onspot_decision", "当场行政处罚决定书"
    DELIVERY_RECEIPT = "delivery_receipt", "送达回证"
    CLOSING_APPROVAL = "closing_approval", "结案审批表"
    REASONS_STATEMENT = "reasons_statement", "说明理由书"


class InstrumentTemplate(models.Model):
    """A DOCX template of one kind of instrument (文书格式).

    ``agency`` empty: the system's default, loaded from the file shipped in
    ``instruments/templates_docx``. An agency's own template, uploaded by its
    administrator, replaces the default for that agency while active.
    Templates are versioned, never edited: an upload is a new version and the
    earlier one is deactivated, so every issued instrument still names the
    exact template it was rendered from.
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name="机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instrument_templates",
        help_text="留空为系统默认格式",
    )
    kind = models.CharField("文书种类", max_length=32, choices=Kind.choices)
    name = models.CharField("名称", max_length=128)
    version = models.PositiveIntegerField("版本")
    file = models.ForeignKey(
        StoredFile, verbose_name="模板文件（DOCX）", on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("在用", default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["agency_id", "kind", "-version"]
        constraints = [
            # NULL agency (the defaults) is spelled out: NULLs are distinct in
            # a unique index on both SQLite and PostgreSQL.
            models.UniqueConstraint(
                fields=["agency", "kind", "version"],
                condition=Q(agency__isnull=False),
                name="instrument_template_version",
            ),
            models.UniqueConstraint(
                fields=["kind", "version"],
                condition=Q(agency__isnull=True),
                name="instrument_template_default_version",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind"],
                condition=Q(is_active=True, agency__isnull=False),
                name="instrument_template_one_active",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_active=True, agency__isnull=True),
                name="instrument_template_default_one_active",
            ),
        ]

    def __str__(self) -> str:
        owner = "系统默认" if self.agency_id is None else str(self.agency)
        return f"{owner} {self.get_kind_display()} v{self.version}"


class DocumentNumberPattern(models.Model):
    """How an agency numbers one kind of instrument (文号格式).

    ``pattern`` uses ``{abbr}``, ``{year}`` and ``{n}`` (``{n:03d}`` for a fixed
    width), e.g. ``{abbr}罚〔{year}〕{n}号`` → ``示市监罚〔2026〕12号``. ``{n}``
    comes from a gap-free sequence per agency, kind and year.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="number_patterns"
    )
    kind = models.CharField("文书种类", max_length=32, choices=Kind.choices)
    pattern = models.CharField(
        "文号格式", max_length=64, help_text="可用 {abbr} 机关简称、{year} 年度、{n} 序号"
    )
    abbr = models.CharField("机关代字", max_length=32, blank=True, help_text="留空则用机关简称")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "文号格式"
        verbose_name_plural = "文号格式"
        ordering = ["agency_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="number_pattern_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.pattern}"


class OnSpotFormBatch(models.Model):
    """A range of pre-printed 当场行政处罚决定书 issued to one officer (REC-07).

    Form numbers are ``prefix`` followed by the serial padded to ``width``
    digits, from ``first`` to ``last`` inclusive. A simple-procedure decision
    may use a number only from a batch issued to one of the case's officers,
    and only once.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="onspot_batches"
    )
    officer = models.ForeignKey(
        Officer, verbose_name="领用人", on_delete=models.PROTECT, related_name="onspot_batches"
    )
    prefix = models.CharField("编号前缀", max_length=32, blank=True)
    first = models.PositiveIntegerField("起始号")
    last = models.PositiveIntegerField("终止号")
    width = models.PositiveSmallIntegerField("序号位数", help_text="不足位数的前补零")
    note = models.CharField("备注", max_length=255, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发放人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("发放时间")

    class Meta:
        verbose_name = "当场处罚决定书领用"
        verbose_name_plural = "当场处罚决定书领用"
        ordering = ["agency_id", "prefix", "first"]
        constraints = [
            models.CheckConstraint(condition=Q(first__lte=F("last")), name="onspot_batch_range"),
        ]

    def __str__(self) -> str:
        return f"{self.form_number(self.first)}—{self.form_number(self.last)}（{self.officer}）"

    def form_number(self, serial: int) -> str:
        return f"{self.prefix}{serial:0{self.width}d}"

    def serial_of(self, form_number: str) -> int | None:
        """The serial of ``form_number`` if it belongs to this batch."""
        if not form_number.startswith(self.prefix):
            return None
        digits = form_number[len(self.prefix) :]
        if len(digits) != self.width or not digits.isdigit():
            return None
        serial = int(digits)
        return serial if self.first <= serial <= self.last else None


class Instrument(models.Model):
    """One issued enforcement instrument (执法文书) of a case (REC-07, REC-14).

    Immutable once issued. ``number`` is the 文号 (blank for kinds without
    one); ``record`` the case record whose content it renders, if any;
    ``docx`` and ``pdf`` the stored files; ``pages`` the PDF's page count.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="instruments"
    )
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="instruments"
    )
    kind = models.CharField("文书种类", max_length=32, choices=Kind.choices)
    title = models.CharField("文书名称", max_length=128)
    number = models.CharField("文号", max_length=64, blank=True)
    record = models.ForeignKey(
        Record,
        verbose_name="所据记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    template = models.ForeignKey(
        InstrumentTemplate,
        verbose_name="模板",
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    docx = models.ForeignKey(
        StoredFile, verbose_name="文书（DOCX）", on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.ForeignKey(
        StoredFile, verbose_name="文书（PDF）", on_delete=models.PROTECT, related_name="+"
    )
    pages = models.PositiveIntegerField("页数")
    issued_at = models.DateTimeField("制作时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["case_id", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "number"],
                condition=~Q(number=""),
                name="instrument_unique_number",
            ),
        ]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.title} {self.number}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("执法文书制作后不能修改；如有错误，请制作更正的文书。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("执法文书不能删除；如有错误，请制作更正的文书。")
