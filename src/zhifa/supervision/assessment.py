"""考核 (SUP-03, REC-13): indicators of each agency's year, computed from the
platform's data only, their weighted score and the ranking.

Each rate is a percentage (0–100) or ``None`` when the year had nothing to
measure (no item is then counted for or against the agency: the score is the
weighted mean of the indicators that exist). The weights are
``ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS``:

- ``publication_on_time``: items whose publication deadline fell in the year
  (and has passed, or that were published) published on time (PUB-06);
- ``major_reviewed``: cases decided in the year that are major decisions
  (REV-01) and carry a legal review (REV-03);
- ``av_coverage``: records of the cases decided in the year that must be
  recorded on audio or video (REC-04) and carry the recording;
- ``archive_on_time``: cases whose archiving deadline fell in the year (and
  has passed, or that were archived) archived by it (REC-10);
- ``reasons_pass``: cases decided in the year whose structured reasons pass
  the checker without a blocking finding (RSN-04);
- ``corrections``: 100 × (1 − decisions corrected / decisions), where a
  decision is corrected when its record was corrected, its publication was
  withdrawn, or a reconsideration, a court or the agency itself revoked,
  varied, remade or confirmed it illegal in the year (each case counted once);
  the three counts are shown too;
- ``evaluation_score``: the mean total of the year's evaluated case files (SUP-02);
- ``satisfaction``: share of portal survey answers 满意 or 非常满意 in the year
  (target ``ZHIFA_SUPERVISION_SATISFACTION_TARGET``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case
from zhifa.supervision.stats import decisions_in, year_bounds

INDICATORS: list[tuple[str, str]] = [
    ("publication_on_time", "按时公示率"),
    ("major_reviewed", "重大决定法制审核率"),
    ("av_coverage", "法定环节音像记录覆盖率"),
    ("archive_on_time", "按时归档率"),
    ("reasons_pass", "说明理由校验通过率"),
    ("corrections", "决定未被纠错率"),
    ("evaluation_score", "案卷评查平均分"),
    ("satisfaction", "社会满意度"),
]
LABELS = dict(INDICATORS)


@dataclass
class Indicator:
    key: str
    numerator: int | float
    denominator: int

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def value(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass
class Assessment:
    agency: Agency
    year: int
    indicators: dict[str, Indicator]
    corrected: int = 0
    withdrawn: int = 0
    revoked: int = 0
    rank: int = 0
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        total = weight = 0.0
        for key, indicator in self.indicators.items():
            w = float(self.weights.get(key, 0))
            if indicator.value is not None and w > 0:
                total += w * indicator.value
                weight += w
        return round(total / weight, 1) if weight else None


def _rate(numerator, denominator) -> tuple:
    return numerator, denominator


def publication_on_time(agency: Agency, year: int, today=None) -> Indicator:
    from zhifa.disclosures.models import Disclosure

    today = today or timezone.localdate()
    items = Disclosure.objects.filter(agency=agency, due_on__year=year).filter(
        Q(published_at__isnull=False) | Q(due_on__lt=today)
    )
    on_time = items.filter(published_at__isnull=False, is_late=False).count()
    return Indicator("publication_on_time", on_time, items.count())


def _decided_cases(agency: Agency, year: int):
    cases = Case.objects.filter(agency=agency)
    ids = decisions_in(cases, year).values("case_id")
    return Case.objects.filter(pk__in=ids).select_related("agency", "matter").order_by("pk")


def major_reviewed(agency: Agency, year: int) -> Indicator:
    from zhifa.cases.major import is_major
    from zhifa.reviews.models import LegalReview

    major = [c.pk for c in _decided_cases(agency, year) if is_major(c)]
    reviewed = (
        LegalReview.objects.filter(submission__case_id__in=major)
        .values("submission__case_id")
        .distinct()
        .count()
    )
    return Indicator("major_reviewed", reviewed, len(major))


def av_coverage(agency: Agency, year: int) -> Indicator:
    from zhifa.cases.rules import facts
    from zhifa.media.rules import _load, missing_media, required_mode

    required = missing = 0
    for case in _decided_cases(agency, year):
        f = facts(case)
        lines, _parents, _attached = _load(f)
        required += sum(1 for r in f.records if required_mode(r.kind, case.action_kind, lines))
        missing += len(missing_media(f))
    return Indicator("av_coverage", required - missing, required)


def archive_on_time(agency: Agency, year: int, today=None) -> Indicator:
    from zhifa.supervision.rubric import archive_late

    today = today or timezone.localdate()
    cases = Case.objects.filter(agency=agency, archive_due_on__year=year).filter(
        Q(archived_at__isnull=False) | Q(archive_due_on__lt=today)
    )
    total = on_time = 0
    for case in cases.only("pk", "archive_due_on", "archived_at"):
        total += 1
        on_time += not archive_late(case, today)
    return Indicator("archive_on_time", on_time, total)


def reasons_pass(agency: Agency, year: int) -> Indicator:
    from zhifa.reasons.selectors import case_findings, reasons_latest

    total = passed = 0
    for case in _decided_cases(agency, year):
        if reasons_latest(case) is None:
            continue
        total += 1
        passed += not any(f.blocking for f in case_findings(case, with_others=False))
    return Indicator("reasons_pass", passed, total)


@dataclass
class Corrections:
    decided: int  # decisions in force made in the year
    corrected: int  # decision records corrected in the year
    withdrawn: int  # published decisions withdrawn in the year
    revoked: int  # remedy outcomes in force that changed a decision, decided in the year
    affected: int  # the cases (or, without a case, publications) behind the three


def correction_counts(agency: Agency, year: int) -> Corrections:
    from datetime import date

    from zhifa.cases.models import Record
    from zhifa.disclosures.models import Disclosure, Takedown
    from zhifa.reasons.selectors import DECISION_KINDS
    from zhifa.remedies.selectors import changed

    first, after = year_bounds(year)
    cases = Case.objects.filter(agency=agency)
    decided = decisions_in(cases, year).count()
    corrected = list(
        Record.objects.filter(
            case__in=cases,
            kind__in=DECISION_KINDS,
            superseded_by__isnull=False,
            occurred_at__gte=first,
            occurred_at__lt=after,
        ).values_list("case_id", flat=True)
    )
    withdrawn = list(
        Takedown.objects.filter(
            agency=agency,
            kind=Takedown.Kind.WITHDRAWN,
            disclosure__kind=Disclosure.Kind.DECISION,
            at__gte=first,
            at__lt=after,
        ).values_list("disclosure_id", "disclosure__case_id_ref")
    )
    revoked = list(
        changed(cases, date(year, 1, 1), date(year + 1, 1, 1)).values_list("case_id", flat=True)
    )
    affected = (
        {("case", c) for c in corrected}
        | {("case", c) if c else ("disclosure", d) for d, c in withdrawn}
        | {("case", c) for c in revoked}
    )
    return Corrections(decided, len(corrected), len(withdrawn), len(revoked), len(affected))


def evaluation_score(agency: Agency, year: int) -> Indicator:
    from zhifa.supervision.models import FileEvaluationItem

    files = FileEvaluationItem.objects.filter(
        evaluation__agency=agency, evaluation__year=year
    ).prefetch_related("scores")
    totals = [f.total for f in files]
    # Mean total, as a percentage of the full marks of each file.
    full = [sum(s.max_points for s in f.scores.all()) for f in files]
    share = sum(t / m for t, m in zip(totals, full, strict=True) if m)
    return Indicator("evaluation_score", share, sum(1 for m in full if m))


def satisfaction(agency: Agency, year: int) -> Indicator:
    from zhifa.supervision.models import SatisfactionResponse

    first, after = year_bounds(year)
    answers = SatisfactionResponse.objects.filter(
        agency=agency, submitted_at__gte=first, submitted_at__lt=after
    )
    return Indicator("satisfaction", answers.filter(rating__gte=4).count(), answers.count())


def assess(agency: Agency, year: int, *, today=None) -> Assessment:
    counts = correction_counts(agency, year)
    indicators = [
        publication_on_time(agency, year, today),
        major_reviewed(agency, year),
        av_coverage(agency, year),
        archive_on_time(agency, year, today),
        reasons_pass(agency, year),
        Indicator("corrections", max(counts.decided - counts.affected, 0), counts.decided),
        evaluation_score(agency, year),
        satisfaction(agency, year),
    ]
    return Assessment(
        agency=agency,
        year=year,
        indicators={i.key: i for i in indicators},
        corrected=counts.corrected,
        withdrawn=counts.withdrawn,
        revoked=counts.revoked,
        weights=dict(settings.ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS),
    )


def ranking(agencies, year: int, *, today=None) -> list[Assessment]:
    """Every agency's assessment, best score first (no score last), ranked."""
    rows = [assess(a, year, today=today) for a in agencies.order_by("name")]
    rows.sort(key=lambda a: (a.score is None, -(a.score or 0)))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


def render_pdf(rows: list[Assessment], *, title: str) -> bytes:
    """The 通报: a table of the ranking, drawn as the annual report is."""
    from io import BytesIO

    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from zhifa.supervision.annual import A4, _font_family, _table

    rc = {"font.family": _font_family(), "pdf.fonttype": 3, "axes.unicode_minus": False}
    headers = ["名次", "执法主体", "综合得分", *[label[:6] for _k, label in INDICATORS]]

    def fmt(v):
        return "—" if v is None else f"{v:.1f}"

    table = [
        [r.rank, r.agency.name, fmt(r.score), *[fmt(r.indicators[k].value) for k, _ in INDICATORS]]
        for r in rows
    ]
    buffer = BytesIO()
    with matplotlib.rc_context(rc), PdfPages(buffer, metadata={"Title": title}) as pdf:
        per_page = 30
        for start in range(0, max(len(table), 1), per_page):
            fig = Figure(figsize=(A4[1], A4[0]))
            fig.text(0.5, 0.94, title, ha="center", fontsize=15, weight="bold")
            chunk = table[start : start + per_page]
            _table(fig, 0.88, 0.025 * (len(chunk) + 1), "考核结果", headers, chunk)
            weights = settings.ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS
            fig.text(
                0.08,
                0.04,
                "权重："
                + "，".join(f"{label} {weights.get(k, 0)}" for k, label in INDICATORS)
                + "。指标均由平台数据计算，无数据的指标不计入综合得分。",
                fontsize=7,
            )
            pdf.savefig(fig)
    return buffer.getvalue()
