"""What the assistance shows beside a case and its decision draft (INF-03, INF-04):
the agency's and the region's most similar decided cases, the provisions most
likely to apply, and the points the party contests — each with the passage or
sentence it comes from. Reads only; the looks at other cases are put on record
as the reasons app does (``case_viewed``).

Scope: the agency's similar cases are those of ``case_list(actor)`` (so an
officer sees only cases he may open); the region's are the *published, redacted*
decisions of the other agencies of the region (what the public sees), never
their files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhifa.assist import disputes, retrieval
from zhifa.assist.models import Document, Embedding, Transcript
from zhifa.cases.models import Case, Record
from zhifa.cases.records import DECISION_KINDS
from zhifa.reasons.similar import _decided

STATEMENT_KINDS = {
    "statements": ("statements", "当事人陈述申辩"),
    "hearing_application": ("request", "听证申请"),
    "hearing_minutes": ("minutes", "听证笔录"),
}


def case_text(case: Case) -> str:
    """The text a case is found by: its title, and the facts of its decision or
    reasons, else of its records."""
    facts, *_ = _decided(case)
    if not facts:
        parts = []
        for content in Record.objects.filter(case=case, superseded_by__isnull=True).values_list(
            "content", flat=True
        ):
            for key in ("facts", "proposed_decision", "findings", "situation"):
                value = content.get(key) if isinstance(content, dict) else None
                if value:
                    parts.append(str(value))
        facts = "；".join(parts)
    return f"{case.title}。{facts}"


def provision_text(p) -> str:
    from zhifa.catalogues.provisions import place_label

    return f"《{p.basis.name}》{place_label(p)}：{p.text}"


def disclosure_text(d) -> str:
    return "。".join(x for x in (d.title, d.violation_type, d.facts, d.basis, d.conclusion) if x)


def vectors_of(kind: str, keys) -> dict:
    if not retrieval.hybrid_on():
        return {}
    rows = Embedding.objects.filter(kind=kind, object_id__in=list(keys), model=retrieval.MODEL)
    return {r.object_id: retrieval.unpack(r.vector) for r in rows}


def _query_vector(case: Case, text: str):
    if not retrieval.hybrid_on():
        return None
    row = Embedding.objects.filter(kind="case", object_id=case.pk, model=retrieval.MODEL).first()
    if row is not None and row.sha256 == retrieval.digest(text):
        return retrieval.unpack(row.vector)
    return None  # embedded on the fly by retrieval.rank


@dataclass
class SimilarCase:
    number: str
    title: str
    agency: str
    amount: str
    band: str
    outcome: str
    passage: str
    score: float
    url: str = ""
    same_matter: bool = False
    bm25_rank: int | None = None
    dense_rank: int | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class PushedProvision:
    pk: int
    citation: str
    text: str
    passage: str
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _band_label(band: str) -> str:
    from zhifa.catalogues.models import Band

    return dict(Band.choices).get(band, band or "")


def _outcome(case: Case) -> str:
    record = (
        Record.objects.filter(case=case, kind__in=DECISION_KINDS, superseded_by__isnull=True)
        .order_by("occurred_at", "pk")
        .last()
    )
    return str(record.content.get("conclusion") or "")[:120] if record else ""


def similar_in_agency(case: Case, *, actor, query: str, limit: int) -> list[SimilarCase]:
    from zhifa.cases.selectors import case_list
    from zhifa.cases.services import case_viewed

    candidates = list(
        case_list(actor=actor)
        .filter(agency=case.agency, records__kind__in=DECISION_KINDS)
        .exclude(pk=case.pk)
        .distinct()
        .select_related("agency")
    )
    if not candidates:
        return []
    by_pk = {c.pk: c for c in candidates}
    docs = {c.pk: case_text(c) for c in candidates}
    hits = retrieval.rank(
        query,
        docs,
        vectors=vectors_of("case", by_pk),
        query_vector=_query_vector(case, query),
        limit=limit,
    )
    out = []
    for h in hits:
        other = by_pk[h.key]
        _facts, amount, band, _bench = _decided(other)
        out.append(
            SimilarCase(
                number=other.number,
                title=other.title,
                agency=other.agency.name,
                amount=amount,
                band=_band_label(band),
                outcome=_outcome(other),
                passage=h.passage,
                score=round(h.score, 4),
                url=reverse("cases:case-detail", args=[other.pk]),
                same_matter=other.matter_id == case.matter_id,
                bm25_rank=h.bm25_rank,
                dense_rank=h.dense_rank,
            )
        )
        case_viewed(actor=actor, case=other, what=f"similar_to:{case.number}")
    return out


def similar_in_region(case: Case, *, query: str, limit: int) -> list[SimilarCase]:
    """Published decisions of the region's other agencies (public, redacted)."""
    from zhifa.disclosures.selectors import published_decisions

    items = list(
        published_decisions()
        .filter(agency__region=case.agency.region)
        .exclude(agency=case.agency)[:2000]
    )
    if not items:
        return []
    by_pk = {d.pk: d for d in items}
    hits = retrieval.rank(
        query,
        {d.pk: disclosure_text(d) for d in items},
        vectors=vectors_of("disclosure", by_pk),
        query_vector=_query_vector(case, query),
        limit=limit,
    )
    out = []
    for h in hits:
        d = by_pk[h.key]
        url = reverse("portal:decision-detail", args=[d.pk])
        out.append(
            SimilarCase(
                number=d.document_number,
                title=d.title,
                agency=d.agency.name,
                amount=f"{d.fine_amount}" if d.fine_amount is not None else "",
                band="",
                outcome=(d.conclusion or "")[:120],
                passage=h.passage,
                score=round(h.score, 4),
                url=url,
                bm25_rank=h.bm25_rank,
                dense_rank=h.dense_rank,
            )
        )
    return out


def provisions_in_force(on=None):
    from django.db.models import Q

    from zhifa.catalogues.models import Provision

    on = on or timezone.localdate()
    return Provision.objects.filter(basis__effective_on__lte=on).filter(
        Q(basis__repealed_on__isnull=True) | Q(basis__repealed_on__gt=on)
    )


def provisions_for(query: str, *, limit: int, case: Case | None = None) -> list[PushedProvision]:
    from zhifa.catalogues.provisions import place_label

    rows = list(provisions_in_force().select_related("basis"))
    if not rows:
        return []
    by_pk = {p.pk: p for p in rows}
    hits = retrieval.rank(
        query,
        {p.pk: provision_text(p) for p in rows},
        vectors=vectors_of("provision", by_pk),
        query_vector=_query_vector(case, query) if case is not None else None,
        limit=limit,
    )
    out = []
    for h in hits:
        p = by_pk[h.key]
        passage = retrieval.best_passage(
            retrieval.tokens(query), p.text, {t: 1.0 for t in retrieval.tokens(p.text)}
        )
        out.append(
            PushedProvision(
                pk=p.pk,
                citation=f"《{p.basis.name}》{place_label(p)}",
                text=p.text,
                passage=passage,
                score=round(h.score, 4),
                bm25_rank=h.bm25_rank,
                dense_rank=h.dense_rank,
            )
        )
    return out


# --- Dispute hints ------------------------------------------------------------------


@dataclass
class Source:
    label: str
    url: str
    text: str


@dataclass
class DisputePoint:
    sentence: str
    category: str
    label: str
    source: str  # statement / hearing (reasons.content.POINT_SOURCES)
    where: str
    url: str
    answered: bool = False
    cues: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def dispute_sources(case: Case) -> list[tuple[str, Source]]:
    """(reasons point source, text) of what the party said on the case's file."""
    out = []
    page = reverse("cases:case-detail", args=[case.pk])
    for record in Record.objects.filter(
        case=case, kind__in=STATEMENT_KINDS, superseded_by__isnull=True
    ).order_by("occurred_at", "pk"):
        key, label = STATEMENT_KINDS[record.kind]
        text = str((record.content or {}).get(key) or "")
        source = "statement" if record.kind == "statements" else "hearing"
        when = timezone.localtime(record.occurred_at).strftime("%Y-%m-%d")
        out.append((source, Source(f"{label}（{when}）", f"{page}#record-{record.pk}", text)))
    # Transcripts: the version in force of each recording, segment by segment (links to moments).
    from zhifa.assist.selectors import current_filter

    in_force = (
        Transcript.objects.filter(case=case)
        .filter(current_filter())
        .select_related("item")
        .prefetch_related("segments")
        .order_by("item_id")
    )
    for t in in_force:
        base = reverse("assist:transcript", args=[t.item_id])
        for seg in t.segments.all():
            out.append(
                (
                    "hearing",
                    Source(
                        f"文字记录：{t.item.filename} "
                        f"{int(seg.start // 60)}:{int(seg.start % 60):02d}",
                        f"{base}?t={seg.start:g}#seg-{seg.position}",
                        seg.text,
                    ),
                )
            )
    for doc in Document.objects.filter(
        case=case,
        status=Document.Status.DONE,
        role__in=(Document.Role.STATEMENT, Document.Role.HEARING),
    ).prefetch_related("page_texts"):
        source = "statement" if doc.role == Document.Role.STATEMENT else "hearing"
        for page_text in doc.page_texts.all():
            out.append(
                (
                    source,
                    Source(
                        f"{doc.name} 第 {page_text.number} 页",
                        reverse("assist:document", args=[doc.pk]) + f"#p-{page_text.number}",
                        page_text.text,
                    ),
                )
            )
    return out


def _answered_texts(case: Case) -> set[str]:
    from zhifa.reasons.models import Reasons

    latest = Reasons.objects.filter(case=case).order_by("-number").first()
    if latest is None:
        return set()
    return {
        _plain(p.get("content", ""))
        for p in latest.content.get("points", [])
        if isinstance(p, dict)
    }


def _plain(text: str) -> str:
    from zhifa.reasons.checker import plain

    return plain(text)


def dispute_points(case: Case) -> list[DisputePoint]:
    listed = _answered_texts(case)
    out = []
    seen = set()
    for source, src in dispute_sources(case):
        for p in disputes.extract(src.text):
            if p.sentence in seen:
                continue
            seen.add(p.sentence)
            out.append(
                DisputePoint(
                    sentence=p.sentence,
                    category=p.category,
                    label=p.label,
                    source=source,
                    where=src.label,
                    url=src.url,
                    answered=_plain(p.sentence) in listed,
                    cues=list(p.cues),
                )
            )
    return out


def case_query(case: Case) -> str:
    """What the case's similar cases and provisions are looked for by: its own text,
    and the text read from its evidence documents (the first 1,000 characters)."""
    read = "；".join(
        Document.objects.filter(
            case=case, status=Document.Status.DONE, role=Document.Role.EVIDENCE
        ).values_list("text", flat=True)
    )
    return f"{case_text(case)}。{read[:1000]}" if read else case_text(case)


def shown() -> int:
    return settings.ZHIFA_ASSIST_SHOWN
