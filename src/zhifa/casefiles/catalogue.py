"""The prescribed order of a case file (卷内材料排列顺序) and the materials of a case.

``ORDER`` is the order of an administrative-penalty case file (行政处罚案卷,
001 附件2 §33–§34): cover, catalogue, filing approval and source materials,
evidence (interviews, on-site records, sampling, preservation, tests, documents
and things), the investigation report, handling opinion / legal review /
collective discussion / leader's approval, the prior notice with statements and
hearing, the decision, delivery, execution, the closing approval, the
audio-video catalogue and the remarks sheet (备考表). Each part names the record
kinds (``zhifa.cases.records``) and instrument kinds (``zhifa.instruments``)
filed in it, in their order inside the part; both share their codes where an
instrument renders a record of the same kind.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.utils import timezone

from zhifa.cases.models import Case, Record
from zhifa.cases.records import DELIVERY_KINDS


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    kinds: tuple[str, ...] = ()


ORDER: tuple[Part, ...] = (
    Part("cover", "封面"),
    Part("catalogue", "卷内目录"),
    Part(
        "filing",
        "立案审批表及案件来源材料",
        (
            "filing_approval",
            "emergency_approval",
            "application_registration",
            "application_acceptance",
            "complaint",
            "inspection_start",
            "transfer",
            "party_consent",
        ),
    ),
    Part(
        "evidence",
        "证据材料",
        (
            "rights_notification",
            "interview",
            "onsite_inspection",
            "sampling",
            "evidence_preservation",
            "coercive_measure",
            "commissioned_test",
            "documentary_evidence",
        ),
    ),
    Part("investigation_report", "案件调查终结报告", ("investigation_report",)),
    Part(
        "deliberation",
        "处理意见、法制审核、集体讨论及负责人审批",
        (
            "handling_opinion",
            "expert_opinion",
            "legal_review",
            "collective_discussion",
            "leader_signoff",
        ),
    ),
    Part(
        "notice",
        "事先告知书、陈述申辩及听证材料",
        (
            "prior_notice",
            "hearing_notice",
            "statements",
            "rights_waiver",
            "hearing_application",
            "hearing_minutes",
        ),
    ),
    # The 说明理由书 answering a party's request follows the decision it explains (RSN-05).
    Part("decision", "决定书", ("decision", "onspot_decision", "reasons_statement")),
    Part("delivery", "送达回证及送达材料", ("delivery_receipt", *DELIVERY_KINDS)),
    Part(
        "execution",
        "执行材料",
        ("voluntary_performance", "objection", "coercive_execution", "court_application"),
    ),
    # A kind the table does not know yet is still filed, never dropped.
    Part("other", "其他材料"),
    Part("closing", "结案审批表", ("closing_approval",)),
    Part("media", "音像资料目录"),
    Part("remarks", "备考表"),
    Part("supplement", "归档后补充材料"),
)

PARTS: dict[str, Part] = {p.key: p for p in ORDER}
_PART_INDEX = {p.key: i for i, p in enumerate(ORDER)}
_KIND_PLACE: dict[str, tuple[int, int]] = {
    kind: (_PART_INDEX[p.key], j) for p in ORDER for j, kind in enumerate(p.kinds)
}


def place_of(kind: str) -> tuple[str, tuple[int, int]]:
    """The part a record or instrument kind is filed in, and its rank for sorting."""
    rank = _KIND_PLACE.get(kind)
    if rank is None:
        return "other", (_PART_INDEX["other"], 0)
    return ORDER[rank[0]].key, rank


def part_rank(key: str) -> int:
    return _PART_INDEX[key]


@dataclass
class Material:
    """One item of a case that goes into its file: a record, instrument or AV item."""

    kind: str  # CatalogueEntry.Kind: record | instrument | media
    part: str
    rank: tuple
    title: str
    obj: object
    number: str = ""
    date: date | None = None
    fingerprint: str = ""
    extra: dict = field(default_factory=dict)


def _local_date(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def instrument_model():
    try:
        return apps.get_model("instruments", "Instrument")
    except LookupError:
        return None


def media_model():
    try:
        return apps.get_model("media", "MediaItem")
    except LookupError:
        return None


def _instruments(case: Case) -> list:
    model = instrument_model()
    if model is None:
        return []
    return list(
        model.objects.filter(case=case, superseded_by__isnull=True)
        .select_related("pdf", "docx", "record")
        .order_by("issued_at", "pk")
    )


def transcript_model():
    try:
        return apps.get_model("assist", "Transcript")
    except LookupError:
        return None


def _media(case: Case) -> list:
    """The case's recordings, each with ``machine_transcript``: the version in
    force of its machine transcript as corrected by the officers (REC-05), or
    None where the assistant has not transcribed it."""
    model = media_model()
    if model is None:
        return []
    query = model.objects.filter(case=case).select_related("file", "record")
    items = list(query.order_by("captured_at", "pk"))
    latest = {}
    transcripts = transcript_model()
    if transcripts is not None:
        for t in transcripts.objects.filter(case=case).order_by("item_id", "version"):
            latest[t.item_id] = t
    for item in items:
        item.machine_transcript = latest.get(item.pk)
    return items


def materials(case: Case) -> list[Material]:
    """Everything of ``case`` that its file holds, in the prescribed order.

    Records in force are filed unless an instrument in force renders them (the
    instrument is the signed document); audio-video items go to the AV
    catalogue. Reads a fixed number of queries.
    """
    instruments = _instruments(case)
    rendered = {i.record_id for i in instruments if i.record_id}
    records = list(
        Record.objects.filter(case=case, superseded_by__isnull=True)
        .exclude(pk__in=rendered)
        .select_related("supersedes")
        .prefetch_related("signatures__image", "signatures__officer")
        .order_by("occurred_at", "pk")
    )
    found: list[Material] = []
    for r in records:
        part, rank = place_of(r.kind)
        found.append(
            Material(
                kind="record",
                part=part,
                rank=(*rank, r.occurred_at, 0, r.pk),
                title=r.kind_label,
                obj=r,
                number=r.content.get("form_number", ""),
                date=_local_date(r.occurred_at),
                fingerprint=f"record:{r.pk}:{r.digest}:{len(r.signatures.all())}",
            )
        )
    for i in instruments:
        part, rank = place_of(i.kind)
        if part == "other" and i.record_id:
            part, rank = place_of(i.record.kind)
        moment = i.record.occurred_at if i.record_id else i.issued_at
        found.append(
            Material(
                kind="instrument",
                part=part,
                rank=(*rank, moment, 1, i.pk),
                title=i.title,
                obj=i,
                number=i.number,
                date=_local_date(i.issued_at),
                fingerprint=f"instrument:{i.pk}:{i.pdf.sha256}",
            )
        )
    for m in _media(case):
        moment = m.captured_at
        found.append(
            Material(
                kind="media",
                part="media",
                rank=(part_rank("media"), 0, moment, 2, m.pk),
                title=media_title(m),
                obj=m,
                date=_local_date(moment),
                fingerprint=f"media:{m.pk}:{m.file.sha256}",
            )
        )
    found.sort(key=lambda m: m.rank)
    return found


def materials_digest(found: list[Material]) -> str:
    """A fingerprint of the materials: it changes when one is added, corrected or
    signed after binding."""
    text = json.dumps(sorted(m.fingerprint for m in found), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# --- Audio-video items ------------------------------------------------------------


def media_title(item) -> str:
    return f"{item.get_kind_display()}：{item.file.original_name}"


def media_facts(item) -> dict:
    """What the AV catalogue shows of one item (REC-05, REC-10; 001 附件2 §31–§33)."""
    interruption = ""
    if item.interruption != "none":
        interruption = f"{item.get_interruption_display()}：{item.interruption_reason}"
    return {
        "kind": item.get_kind_display(),
        "title": media_title(item),
        "captured_at": item.captured_at,
        "place": item.place,
        "author": item.author,
        "device": item.device,
        "duration": round(item.duration_seconds) if item.duration_seconds else None,
        "continuous": item.is_continuous,
        "interruption": interruption,
        "made_how": item.production_method,
        "proves": item.proves,
        "transcript": item.transcript,
        "machine_transcript": getattr(item, "machine_transcript", None),
        "record": item.record.kind_label if item.record_id else "",
        "uploaded_at": item.uploaded_at,
        "is_late": item.is_late,
        "file": item.file,
    }
