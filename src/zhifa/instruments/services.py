"""Writes of instruments: templates, number formats, pre-printed form batches,
issuing and reading the files (REC-07, REC-14).

Issuing takes the 文号, renders the DOCX, converts it to PDF, stores both
files and writes the instrument's row and ledger entry in ONE transaction: the
number is printed in the document, so it must be taken before rendering, and
it must be given back if anything after fails. The price is that the sequence
row (and on SQLite the database's single write lock) stays held during the
LibreOffice conversion, about 2 s; instruments are made a few at a time, so
this is accepted. The evidence files themselves are written by
``ledger.services.file_store`` before the transaction ends: if it rolls back
afterwards, their content-addressed objects stay in the store unreferenced,
which the ledger's verification does not count as damage.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Agency, Officer, Role
from zhifa.accounts.selectors import officer_of, roles_of
from zhifa.accounts.services import require_agency_admin
from zhifa.cases.models import Case, CaseOfficer, Record, Stage
from zhifa.cases.records import KINDS as RECORD_KINDS
from zhifa.cases.selectors import case_list, is_case_leader, is_handler
from zhifa.cases.services import require_open
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.instruments import convert, gates, numbering, rendering
from zhifa.instruments.context import context_for, sample_context
from zhifa.instruments.kinds import SERVED_KINDS, SPECS, Spec, applies, reached
from zhifa.instruments.models import (
    DocumentNumberPattern,
    Instrument,
    InstrumentTemplate,
    Kind,
    OnSpotFormBatch,
)
from zhifa.ledger import evidence
from zhifa.ledger.models import StoredFile
from zhifa.ledger.services import file_store

DEFAULTS_DIR = Path(__file__).resolve().parent / "templates_docx"
PDF_TYPE = "application/pdf"
MAX_BATCH_FORMS = 10_000


def _spec(kind: str) -> Spec:
    spec = SPECS.get(kind)
    if spec is None:
        raise InvalidInput("文书种类不正确。", code="instrument_kind")
    return spec


def _read(stored: StoredFile) -> bytes:
    with evidence.backend(stored.backend).open(stored.storage_key) as handle:
        return handle.read()


# --- Templates ---------------------------------------------------------------------------


def default_template_bytes(kind: str) -> bytes:
    _spec(kind)
    return (DEFAULTS_DIR / f"{kind}.docx").read_bytes()


def template_default(kind: str) -> InstrumentTemplate:
    """The system's template of ``kind``, matching the file shipped with this release.

    The first use (and the first after an upgrade that changed the file) stores
    the file and records a new default version; later calls only compare the
    digest. Runs in its own short transaction: call it before taking locks.
    """
    data = default_template_bytes(kind)
    digest = hashlib.sha256(data).hexdigest()
    current = (
        InstrumentTemplate.objects.select_related("file")
        .filter(agency__isnull=True, kind=kind, is_active=True)
        .first()
    )
    if current is not None and current.file.sha256 == digest:
        return current
    try:
        with transaction.atomic():
            stored = file_store(
                actor=None,
                stream=io.BytesIO(data),
                original_name=f"{Kind(kind).label}（系统默认）.docx",
                content_type=rendering.DOCX_TYPE,
            )
            latest = (
                InstrumentTemplate.objects.select_for_update()
                .filter(agency__isnull=True, kind=kind)
                .order_by("-version")
                .first()
            )
            if latest is not None and latest.is_active and latest.file_id == stored.pk:
                return latest  # installed by a concurrent caller a moment ago
            InstrumentTemplate.objects.filter(
                agency__isnull=True, kind=kind, is_active=True
            ).update(is_active=False)
            template = InstrumentTemplate.objects.create(
                agency=None,
                kind=kind,
                name=f"{Kind(kind).label}（系统默认）",
                version=(latest.version + 1) if latest else 1,
                file=stored,
                is_active=True,
                uploaded_at=timezone.now(),
            )
            ledger.append(
                actor=None,
                action="instrument.template_install",
                obj=template,
                payload={"kind": kind, "version": template.version, "sha256": digest},
            )
    except IntegrityError:
        # Another process installed the same version first.
        return InstrumentTemplate.objects.get(agency__isnull=True, kind=kind, is_active=True)
    return template


def template_active(agency: Agency, kind: str) -> InstrumentTemplate:
    """The template an agency uses for ``kind``: its own while active, else the default."""
    own = (
        InstrumentTemplate.objects.select_related("file")
        .filter(agency=agency, kind=kind, is_active=True)
        .first()
    )
    return own or template_default(kind)


def template_check(data: bytes, kind: str, agency: Agency | None = None) -> None:
    """Refuse a file that is not a .docx or cannot be rendered with the context of ``kind``."""
    with tempfile.TemporaryDirectory(prefix="zhifa-template-") as work:
        rendering.render(data, sample_context(kind, agency), Path(work) / "check.docx")


def template_upload(
    *, actor, agency: Agency, kind: str, data: bytes, filename: str, name: str = ""
) -> InstrumentTemplate:
    """An agency's own template of ``kind``, replacing the one in use (REC-14)."""
    require_agency_admin(actor, agency)
    spec = _spec(kind)
    if not (filename or "").lower().endswith(".docx"):
        raise InvalidInput("请上传 Word 文档（.docx）格式的模板。", code="template_not_docx")
    template_check(data, kind, agency)
    name = (name or "").strip() or f"{agency.short_name or agency.name}{spec.label}"
    if len(name) > 128:
        raise InvalidInput("模板名称不能超过 128 个字符。")
    stored = file_store(
        actor=actor,
        stream=io.BytesIO(data),
        original_name=filename,
        content_type=rendering.DOCX_TYPE,
    )
    with transaction.atomic():
        versions = InstrumentTemplate.objects.select_for_update().filter(agency=agency, kind=kind)
        latest = versions.order_by("-version").first()
        versions.filter(is_active=True).update(is_active=False)
        template = InstrumentTemplate.objects.create(
            agency=agency,
            kind=kind,
            name=name,
            version=(latest.version + 1) if latest else 1,
            file=stored,
            is_active=True,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="instrument.template_upload",
            obj=template,
            payload={
                "kind": kind,
                "version": template.version,
                "name": name,
                "sha256": stored.sha256,
            },
        )
    return template


def template_deactivate(*, actor, template: InstrumentTemplate) -> InstrumentTemplate:
    """Stop using an agency's own template: the system default applies again."""
    if template.agency_id is None:
        raise Forbidden("系统默认模板不能停用。", code="default_template")
    require_agency_admin(actor, template.agency)
    with transaction.atomic():
        template = InstrumentTemplate.objects.select_for_update().get(pk=template.pk)
        if not template.is_active:
            raise Conflict("该模板已停用。", code="template_inactive")
        template.is_active = False
        template.save(update_fields=["is_active"])
        ledger.append(
            actor=actor,
            action="instrument.template_deactivate",
            obj=template,
            payload={"kind": template.kind, "version": template.version},
        )
    return template


def template_file(template: InstrumentTemplate) -> bytes:
    return _read(template.file)


# --- Number formats ----------------------------------------------------------------------


def number_pattern_set(
    *, actor, agency: Agency, kind: str, pattern: str, abbr: str = ""
) -> DocumentNumberPattern:
    """Set how ``agency`` numbers ``kind`` (文号格式); applies from the next number."""
    require_agency_admin(actor, agency)
    spec = _spec(kind)
    if spec.preprinted:
        raise InvalidInput(
            f"{spec.label}使用预印编号，不设文号格式。", code="pattern_for_preprinted"
        )
    pattern = numbering.pattern_check(pattern)
    abbr = (abbr or "").strip()
    if len(abbr) > 32:
        raise InvalidInput("机关代字不能超过 32 个字符。")
    with transaction.atomic():
        row, created = DocumentNumberPattern.objects.select_for_update().update_or_create(
            agency=agency,
            kind=kind,
            defaults={"pattern": pattern, "abbr": abbr, "updated_by": actor},
        )
        ledger.append(
            actor=actor,
            action="instrument.number_pattern_set",
            obj=row,
            payload={"kind": kind, "pattern": pattern, "abbr": abbr, "created": created},
        )
    return row


def number_pattern_reset(*, actor, pattern: DocumentNumberPattern) -> None:
    """Return to the system's default format for the kind (or to no number)."""
    require_agency_admin(actor, pattern.agency)
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="instrument.number_pattern_reset",
            obj=pattern.agency,
            payload={"kind": pattern.kind, "pattern": pattern.pattern, "abbr": pattern.abbr},
        )
        pattern.delete()


# --- Pre-printed 当场行政处罚决定书 -------------------------------------------------------


def require_form_issuer(actor, agency: Agency) -> None:
    """The agency's administrator or leader hands out pre-printed forms."""
    officer = officer_of(actor)
    if officer is not None and officer.agency_id == agency.pk and Role.LEADER in roles_of(actor):
        return
    require_agency_admin(actor, agency)


def onspot_batch_issue(
    *,
    actor,
    agency: Agency,
    officer: Officer,
    prefix: str,
    first: int,
    last: int,
    width: int | None = None,
    note: str = "",
) -> OnSpotFormBatch:
    """Record that the forms ``prefix+first`` … ``prefix+last`` were issued to ``officer``."""
    require_form_issuer(actor, agency)
    if officer.agency_id != agency.pk:
        raise InvalidInput(f"{officer.name}不是本机关人员。", code="officer_other_agency")
    prefix = (prefix or "").strip()
    if len(prefix) > 32 or any(c.isspace() for c in prefix):
        raise InvalidInput("编号前缀不能含空格，且不超过 32 个字符。", code="bad_prefix")
    if prefix[-1:].isdigit():
        raise InvalidInput("编号前缀不能以数字结尾，否则前缀与序号无法区分。", code="bad_prefix")
    try:
        first, last = int(first), int(last)
    except (TypeError, ValueError):
        raise InvalidInput("起止号须是整数。", code="bad_range") from None
    if first < 1 or last < first:
        raise InvalidInput("起始号须不小于 1，且不大于终止号。", code="bad_range")
    if last - first + 1 > MAX_BATCH_FORMS:
        raise InvalidInput(f"一次发放不能超过 {MAX_BATCH_FORMS} 份。", code="bad_range")
    width = int(width) if width else len(str(last))
    if width < len(str(last)) or width > 12:
        raise InvalidInput("序号位数须能容纳终止号，且不超过 12 位。", code="bad_width")
    note = (note or "").strip()[:255]
    with transaction.atomic():
        overlapping = OnSpotFormBatch.objects.select_for_update().filter(
            agency=agency, prefix=prefix, first__lte=last, last__gte=first
        )
        clash = overlapping.first()
        if clash is not None:
            raise Conflict(f"编号范围与已发放的 {clash} 重叠。", code="batch_overlap")
        batch = OnSpotFormBatch.objects.create(
            agency=agency,
            officer=officer,
            prefix=prefix,
            first=first,
            last=last,
            width=width,
            note=note,
            issued_by=actor,
            issued_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="instrument.onspot_batch_issue",
            obj=batch,
            payload={
                "officer": officer.name,
                "first": batch.form_number(first),
                "last": batch.form_number(last),
            },
        )
    return batch


def onspot_form_problems(case: Case, record: Record, officer_ids: set[int]) -> list[str]:
    """What is wrong with the pre-printed number of an on-the-spot decision record."""
    number = str(record.content.get("form_number") or "").strip()
    if not number:
        return ["当场行政处罚决定缺少预印的决定书编号"]
    batch = next(
        (
            b
            for b in OnSpotFormBatch.objects.filter(agency_id=case.agency_id).select_related(
                "officer"
            )
            if b.serial_of(number) is not None
        ),
        None,
    )
    if batch is None:
        return [f"当场行政处罚决定书编号“{number}”不在本机关发放的预印编号范围内"]
    problems = []
    if batch.officer_id not in officer_ids:
        problems.append(
            f"当场行政处罚决定书编号“{number}”发放给{batch.officer.name}，不是本案承办人员领用的"
        )
    reused = (
        Record.objects.filter(
            case__agency_id=case.agency_id,
            kind="onspot_decision",
            superseded_by__isnull=True,
            content__form_number=number,
        )
        .exclude(pk=record.pk)
        .exists()
    ) or (
        Instrument.objects.filter(
            agency_id=case.agency_id, kind=Kind.ONSPOT_DECISION, number=number
        )
        .exclude(case=case)
        .exists()
    )
    if reused:
        problems.append(f"当场行政处罚决定书编号“{number}”已被使用")
    return problems


# --- Issuing --------------------------------------------------------------------------------


@dataclass
class IssueRequest:
    kind: str
    record: Record | None = None
    supersedes: Instrument | None = None
    # What a kind made elsewhere (``Spec.made_elsewhere``) shows besides the case.
    extra: dict | None = None


def may_issue(actor, case: Case, kind: str) -> bool:
    spec = SPECS.get(kind)
    if spec is None:
        return False
    return is_handler(actor, case) or (spec.leader_may_issue and is_case_leader(actor, case))


def require_issuer(actor, case: Case, kind: str) -> None:
    if not may_issue(actor, case, kind):
        spec = SPECS.get(kind)
        who = "本案承办人员或负责人" if spec and spec.leader_may_issue else "本案承办人员"
        raise Forbidden(f"只有{who}可以制作此文书。", code="not_an_issuer")


def instrument_issue(
    *, actor, case: Case, kind: str, record: Record | None = None, supersedes=None
) -> Instrument:
    """Issue one instrument of ``kind`` for ``case`` (see ``instruments_issue``)."""
    return instruments_issue(
        actor=actor, case=case, items=[IssueRequest(kind, record, supersedes)]
    )[0]


def instruments_issue(*, actor, case: Case, items: list[IssueRequest]) -> list[Instrument]:
    """Issue instruments of ``case``: number, render, convert (one LibreOffice run
    for all of them), store, and record each with its ledger entry, atomically.

    The 文号 is never an input: it is taken from the agency's format and
    sequence, or for the 当场行政处罚决定书 from the record's pre-printed form
    number, which must belong to a batch issued to an officer of the case.
    """
    if not items:
        return []
    for item in items:
        _spec(item.kind)
        require_issuer(actor, case, item.kind)
    _require_open_for(case, items)
    # Before any lock: installing a default template writes to the ledger.
    templates = {item.kind: template_active(case.agency, item.kind) for item in items}
    try:
        return _issue(actor, case, items, templates)
    except gates.GateClosed as error:
        gates.refusal_record(actor=actor, error=error)
        raise


def _require_open_for(case: Case, items: list[IssueRequest]) -> None:
    if not all(SPECS[item.kind].after_closing for item in items):
        require_open(case)


def _issue(actor, case: Case, items: list[IssueRequest], templates: dict) -> list[Instrument]:
    with tempfile.TemporaryDirectory(prefix="zhifa-instrument-") as work, transaction.atomic():
        # Issuers of one case queue here, so the checks below see every
        # instrument issued before them (no two decisions in force).
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("agency", "matter", "unit")
            .get(pk=case.pk)
        )
        _require_open_for(case, items)
        plans = _plan(case, items)
        for plan in plans:
            gates.require_open_gates(case, plan.spec.code)
        parties = list(case.parties.all())
        assignments = list(
            CaseOfficer.objects.filter(case=case, released_at__isnull=True).select_related(
                "officer"
            )
        )
        documents = [
            (i.title, i.number)
            for i in Instrument.objects.filter(
                case=case, kind__in=SERVED_KINDS, superseded_by__isnull=True
            ).order_by("issued_at", "pk")
        ]
        issued_on = timezone.localdate()
        docx_paths, numbers = [], []
        for index, plan in enumerate(plans):
            spec, record = plan.spec, plan.record
            if spec.preprinted:
                number = str(record.content.get("form_number") or "").strip()
            else:
                number = numbering.number_take(
                    agency=case.agency, kind=spec.code, year=issued_on.year
                )
            context = context_for(
                case=case,
                kind=spec.code,
                number=number,
                issued_on=issued_on,
                parties=parties,
                assignments=assignments,
                record=record,
                signatures=list(record.signatures.all()) if record else [],
                documents=documents,
            )
            context.update(plan.extra or {})
            path = Path(work) / f"{index:02d}-{spec.code}.docx"
            rendering.render(template_file(templates[spec.code]), context, path)
            docx_paths.append(path)
            numbers.append(number)
        pdf_paths = convert.to_pdf(docx_paths, Path(work) / "pdf")

        issued = []
        for plan, number, docx_path, pdf_path in zip(
            plans, numbers, docx_paths, pdf_paths, strict=True
        ):
            issued.append(
                _save(actor, case, plan, templates[plan.spec.code], number, docx_path, pdf_path)
            )
    return issued


@dataclass
class _Plan:
    spec: Spec
    record: Record | None
    supersedes: Instrument | None
    extra: dict | None = None

    def as_instrument(self) -> Instrument:
        # Lets the requests of one batch conflict with each other as issued ones do.
        return Instrument(kind=self.spec.code, record=self.record)


def _plan(case: Case, items: list[IssueRequest]) -> list[_Plan]:
    """Check each request against the case as it is now, under the case's lock."""
    in_force = list(Instrument.objects.filter(case=case, superseded_by__isnull=True))
    replaced = set(
        Record.objects.filter(case=case, superseded_by__isnull=False).values_list("pk", flat=True)
    )
    officer_ids = set(
        CaseOfficer.objects.filter(case=case, released_at__isnull=True).values_list(
            "officer_id", flat=True
        )
    )
    plans: list[_Plan] = []
    for item in items:
        spec = _spec(item.kind)
        if not applies(spec, case):
            if case.procedure not in spec.procedures:
                raise InvalidInput(
                    f"{case.get_procedure_display()}的案件不使用{spec.label}。",
                    code="kind_not_for_procedure",
                )
            raise InvalidInput(f"{spec.label}只用于行政处罚案件。", code="kind_not_for_action")
        if not reached(spec, case):
            raise Conflict(
                f"{spec.label}在{Stage(spec.stage).label}环节制作，案件当前处于"
                f"{case.get_stage_display()}环节。",
                code="wrong_stage",
            )
        if spec.made_elsewhere and item.extra is None:
            raise InvalidInput(
                f"{spec.label}须在相应业务页面制作（如说明理由申请的答复页面）。",
                code="kind_made_elsewhere",
            )
        record = _record_for(case, spec, item.record)
        supersedes = _superseded(case, spec, item.supersedes, in_force)
        if supersedes is None and record is not None:
            # Made from a record that has since been corrected: the instrument
            # from the corrected record replaces it without being asked to.
            supersedes = next(
                (
                    o
                    for o in in_force
                    if o.kind == spec.code
                    and o.record_id in replaced
                    and (spec.one_per_case or o.record_id == record.supersedes_id)
                ),
                None,
            )
        for other in [*in_force, *(p.as_instrument() for p in plans)]:
            if other is None or other.kind != spec.code or other == supersedes:
                continue
            same_record = record is not None and other.record_id == record.pk
            if spec.one_per_case or same_record:
                shown = f"（{other.number}）" if other.number else ""
                raise Conflict(
                    f"本案已制作{spec.label}{shown}。如需更正，请在该文书页面选择“更正”重新制作。",
                    code="already_issued",
                )
        if spec.preprinted:
            problems = onspot_form_problems(case, record, officer_ids)
            if problems:
                raise InvalidInput("；".join(problems) + "。", code="bad_form_number")
        plans.append(_Plan(spec, record, supersedes, item.extra))
    return plans


def _record_for(case: Case, spec: Spec, record: Record | None) -> Record | None:
    labels = "或".join(RECORD_KINDS[k].label for k in spec.records)
    if record is not None:
        if record.case_id != case.pk or record.kind not in spec.records:
            raise InvalidInput(f"{spec.label}须依据本案的{labels}记录制作。", code="wrong_record")
        if Record.objects.filter(supersedes=record).exists():
            raise Conflict("该记录已被更正，请依据更正后的记录制作文书。", code="record_superseded")
        return record
    if not spec.record_required:
        return None
    candidates = list(
        Record.objects.filter(case=case, kind__in=spec.records, superseded_by__isnull=True)
        .prefetch_related("signatures")
        .order_by("occurred_at", "pk")
    )
    if not candidates:
        raise InvalidInput(f"请先填写{labels}记录，再制作{spec.label}。", code="record_missing")
    if len(candidates) > 1 and not spec.one_per_case:
        raise InvalidInput(
            f"本案有 {len(candidates)} 份{labels}记录，请选择依据哪一份制作{spec.label}。",
            code="record_ambiguous",
        )
    return candidates[-1]


def _superseded(
    case: Case, spec: Spec, supersedes: Instrument | None, in_force: list[Instrument]
) -> Instrument | None:
    if supersedes is None:
        return None
    if supersedes.case_id != case.pk or supersedes.kind != spec.code:
        raise InvalidInput("更正的文书须是本案同种文书。", code="wrong_superseded")
    if not any(i.pk == supersedes.pk for i in in_force):
        raise Conflict("该文书已被更正过，请更正最新的文书。", code="already_superseded")
    return supersedes


def _save(
    actor,
    case: Case,
    plan: _Plan,
    template: InstrumentTemplate,
    number: str,
    docx_path: Path,
    pdf_path: Path,
) -> Instrument:
    spec = plan.spec
    pages = convert.page_count(pdf_path)
    base = f"{spec.label}{number}".replace("/", "-").replace("\\", "-") or spec.label
    with docx_path.open("rb") as stream:
        docx = file_store(
            actor=actor,
            stream=stream,
            original_name=f"{base}.docx",
            content_type=rendering.DOCX_TYPE,
        )
    with pdf_path.open("rb") as stream:
        pdf = file_store(
            actor=actor, stream=stream, original_name=f"{base}.pdf", content_type=PDF_TYPE
        )
    instrument = Instrument.objects.create(
        agency=case.agency,
        case=case,
        kind=spec.code,
        title=spec.label,
        number=number,
        record=plan.record,
        template=template,
        docx=docx,
        pdf=pdf,
        pages=pages,
        issued_at=timezone.now(),
        issued_by=actor,
        supersedes=plan.supersedes,
    )
    ledger.append(
        actor=actor,
        action="instrument.correct" if plan.supersedes else "instrument.issue",
        obj=instrument,
        payload={
            "case": case.number,
            "kind": spec.code,
            "number": number,
            "record": plan.record.pk if plan.record else None,
            "record_digest": plan.record.digest if plan.record else "",
            "template": template.pk,
            "template_version": template.version,
            "docx_sha256": docx.sha256,
            "pdf_sha256": pdf.sha256,
            "pages": pages,
            "supersedes": plan.supersedes.pk if plan.supersedes else None,
        },
    )
    return instrument


# --- Reading the files --------------------------------------------------------------------


def instrument_open(*, actor, instrument: Instrument, fmt: str) -> tuple[BinaryIO, StoredFile]:
    """Open the PDF or DOCX of an instrument for ``actor``; each read is logged (REC-12)."""
    if fmt not in ("pdf", "docx"):
        raise InvalidInput("文件格式只能是 pdf 或 docx。", code="bad_format")
    if not case_list(actor=actor).filter(pk=instrument.case_id).exists():
        raise NotFound("文书不存在，或您无权查看。")
    stored = instrument.pdf if fmt == "pdf" else instrument.docx
    try:
        stream = evidence.backend(stored.backend).open(stored.storage_key)
    except FileNotFoundError:
        raise NotFound(
            "文书文件在存证库中缺失，请联系系统管理员运行台账校验。", code="file_missing"
        ) from None
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="instrument.view",
            obj=instrument,
            payload={"format": fmt, "sha256": stored.sha256, "number": instrument.number},
        )
    return stream, stored
