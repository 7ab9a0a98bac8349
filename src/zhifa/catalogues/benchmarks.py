"""Discretion benchmarks (裁量基准, INF-03): versions, Excel, and the suggestion.

An agency publishes, per violation, the statutory range and the bands by
circumstance (轻微/一般/较重/严重) with their ranges and conditions, and the
factors that move a penalty (从轻、减轻、从重). ``band_suggest`` reads a case's
facts — the amount involved and the factors found — into a band and a range;
a decided amount outside that range needs a written reason (RSN-04 checks it),
and a 减轻 below the statutory minimum makes the case major (``zhifa.reasons``
registers that with ``zhifa.cases.major`` for the structured reasons, and
``zhifa.reviews`` for the draft decision's fine against ``benchmark_in_force``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet

from zhifa import ledger
from zhifa.accounts.models import Agency
from zhifa.accounts.selectors import agency_list
from zhifa.accounts.services import require_agency_admin
from zhifa.catalogues.models import (
    Band,
    DiscretionBand,
    DiscretionBenchmark,
    DiscretionFactor,
    FactorEffect,
    Matter,
)
from zhifa.core.errors import Conflict, InvalidInput

BAND_ORDER = [Band.MINOR, Band.ORDINARY, Band.SERIOUS, Band.GRAVE]
BAND_BY_LABEL = {label: value for value, label in Band.choices}
EFFECT_BY_LABEL = {label: value for value, label in FactorEffect.choices}


def money(value, label: str = "金额") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("元", "").strip())
    except InvalidOperation:
        raise InvalidInput(f"{label}“{value}”不是有效的金额。", code="bad_amount") from None
    if amount < 0:
        raise InvalidInput(f"{label}不能为负数。", code="bad_amount")
    return amount.quantize(Decimal("0.01"))


# --- Reads ---------------------------------------------------------------------------


def benchmark_list(*, actor) -> QuerySet[DiscretionBenchmark]:
    return DiscretionBenchmark.objects.filter(agency__in=agency_list(actor=actor)).select_related(
        "agency", "matter"
    )


def benchmark_in_force(
    *, agency: Agency, on: date, matter: Matter | None = None, violation_code: str = ""
) -> DiscretionBenchmark | None:
    found = DiscretionBenchmark.objects.filter(agency=agency, effective_on__lte=on).exclude(
        retired_on__lte=on
    )
    if violation_code:
        found = found.filter(violation_code=violation_code)
    elif matter is not None:
        found = found.filter(matter=matter)
    else:
        return None
    return found.order_by("-effective_on", "-pk").first()


def benchmarks_in_force(*, agency: Agency, on: date, matter: Matter) -> list[DiscretionBenchmark]:
    """The version in force on ``on`` of each violation the agency's benchmarks
    list under ``matter`` (a matter may cover several violations)."""
    found = (
        DiscretionBenchmark.objects.filter(agency=agency, matter=matter, effective_on__lte=on)
        .exclude(retired_on__lte=on)
        .order_by("violation_code", "-effective_on", "-pk")
    )
    latest: dict[str, DiscretionBenchmark] = {}
    for bench in found:
        latest.setdefault(bench.violation_code, bench)
    return list(latest.values())


def benchmark_versions(bench: DiscretionBenchmark) -> list[dict]:
    """Every version of ``bench``'s violation in the same agency, newest first,
    each with what changed from the version before it (INF-03)."""
    versions = list(
        DiscretionBenchmark.objects.filter(agency=bench.agency, violation_code=bench.violation_code)
        .prefetch_related("bands", "factors")
        .order_by("effective_on", "pk")
    )
    out, before = [], None
    for v in versions:
        out.append({"benchmark": v, "changes": _changes(before, v) if before else ["首个版本"]})
        before = v
    return out[::-1]


def _describe(bench: DiscretionBenchmark) -> dict:
    return {
        "head": {
            "违法行为": bench.violation,
            "违法依据": bench.basis_citation,
            "处罚依据": bench.penalty_citation,
            "处罚种类": bench.penalty_kinds,
            "法定幅度": f"{bench.statutory_min}–{bench.statutory_max}元",
        },
        "bands": {
            b.get_band_display(): (
                f"{b.min_amount}–{b.max_amount}元；适用情形：{b.conditions}"
                + (f"；处罚种类：{b.penalty_kinds}" if b.penalty_kinds else "")
            )
            for b in bench.bands.all()
        },
        "factors": {f"{f.get_effect_display()}：{f.description}" for f in bench.factors.all()},
    }


def _changes(old: DiscretionBenchmark, new: DiscretionBenchmark) -> list[str]:
    a, b = _describe(old), _describe(new)
    out = [
        f"{k}：{a['head'][k] or '（空）'} → {b['head'][k] or '（空）'}"
        for k in b["head"]
        if a["head"][k] != b["head"][k]
    ]
    for label in [x.label for x in Band]:
        was, now = a["bands"].get(label), b["bands"].get(label)
        if was == now:
            continue
        if was is None:
            out.append(f"新增“{label}”阶次：{now}")
        elif now is None:
            out.append(f"删除“{label}”阶次")
        else:
            out.append(f"“{label}”阶次：{was} → {now}")
    out += [f"新增情节 {f}" for f in sorted(b["factors"] - a["factors"])]
    out += [f"删除情节 {f}" for f in sorted(a["factors"] - b["factors"])]
    return out or ["内容未变化"]


# --- Writes --------------------------------------------------------------------------


def kinds_of(text: str) -> list[str]:
    """The penalty kinds of a list written 罚款、没收违法所得 (or with commas)."""
    return [k.strip() for k in re.split(r"[、,，;；\s]+", text or "") if k.strip()]


def _check_bands(bench: dict, bands: list[dict]) -> list[dict]:
    lo, hi = bench["statutory_min"], bench["statutory_max"]
    allowed = kinds_of(bench.get("penalty_kinds") or "")
    if lo is None or hi is None or hi < lo:
        raise InvalidInput("法定罚款幅度无效：最高额不得低于最低额。", code="benchmark_range")
    if not bands:
        raise InvalidInput("裁量基准至少要有一个裁量阶次。", code="benchmark_no_band")
    clean, seen = [], set()
    for b in bands:
        band = BAND_BY_LABEL.get(b.get("band"), b.get("band"))
        if band not in Band.values:
            raise InvalidInput(f"裁量阶次“{b.get('band')}”无效。", code="benchmark_band")
        if band in seen:
            raise InvalidInput(f"裁量阶次“{Band(band).label}”重复。", code="benchmark_band")
        seen.add(band)
        b_lo = money(b.get("min_amount"), "阶次最低罚款")
        b_hi = money(b.get("max_amount"), "阶次最高罚款")
        if b_lo is None or b_hi is None or b_hi < b_lo:
            raise InvalidInput(f"“{Band(band).label}”阶次的罚款幅度无效。", code="benchmark_band")
        if b_lo < lo or b_hi > hi:
            raise InvalidInput(
                f"“{Band(band).label}”阶次的幅度 {b_lo}–{b_hi} 元超出法定幅度 {lo}–{hi} 元。",
                code="benchmark_band_outside",
            )
        if not str(b.get("conditions") or "").strip():
            raise InvalidInput(f"请写明“{Band(band).label}”阶次的适用情形。", code="benchmark_band")
        kinds = kinds_of(str(b.get("penalty_kinds") or ""))
        stray = [k for k in kinds if allowed and k not in allowed]
        if stray:
            raise InvalidInput(
                f"“{Band(band).label}”阶次的处罚种类“{'、'.join(stray)}”不在该违法行为的"
                f"处罚种类（{'、'.join(allowed)}）之内。",
                code="benchmark_band_kinds",
            )
        clean.append(
            {
                "band": band,
                "conditions": str(b["conditions"]).strip(),
                "min_amount": b_lo,
                "max_amount": b_hi,
                "amount_from": money(b.get("amount_from"), "涉案金额下限"),
                "amount_below": money(b.get("amount_below"), "涉案金额上限"),
                "penalty_kinds": "、".join(kinds),
            }
        )
    return clean


def _check_factors(factors: list[dict]) -> list[dict]:
    clean = []
    for f in factors or []:
        effect = EFFECT_BY_LABEL.get(f.get("effect"), f.get("effect"))
        if effect not in FactorEffect.values or not str(f.get("description") or "").strip():
            raise InvalidInput("裁量情节须写明效果（从轻、减轻、从重、不予处罚）和情节。")
        clean.append(
            {
                "effect": effect,
                "description": str(f["description"]).strip(),
                "citation": str(f.get("citation") or "").strip(),
            }
        )
    return clean


def benchmark_create(
    *,
    actor,
    agency: Agency,
    violation_code: str,
    violation: str,
    penalty_citation: str,
    statutory_min,
    statutory_max,
    version: str,
    effective_on: date,
    bands: list[dict],
    factors: list[dict] | None = None,
    matter: Matter | None = None,
    basis_citation: str = "",
    penalty_kinds: str = "罚款",
) -> DiscretionBenchmark:
    """A new version of the agency's benchmark for ``violation_code``; the
    version in force before it stops applying on ``effective_on``."""
    require_agency_admin(actor, agency)
    if matter is not None and matter.agency_id != agency.pk:
        raise InvalidInput("执法事项不属于该执法主体。", code="benchmark_matter")
    violation_code, violation = violation_code.strip(), violation.strip()
    if not violation_code or not violation or not penalty_citation.strip() or not version.strip():
        raise InvalidInput(
            "请填写违法行为编码、违法行为、处罚依据和版本。", code="benchmark_incomplete"
        )
    head = {
        "statutory_min": money(statutory_min, "法定最低罚款"),
        "statutory_max": money(statutory_max, "法定最高罚款"),
    }
    clean_bands = _check_bands({**head, "penalty_kinds": penalty_kinds}, bands)
    clean_factors = _check_factors(factors or [])
    with transaction.atomic():
        if DiscretionBenchmark.objects.filter(
            agency=agency, violation_code=violation_code, version=version
        ).exists():
            raise Conflict(f"{violation}的裁量基准已有版本“{version}”。", code="benchmark_exists")
        bench = DiscretionBenchmark.objects.create(
            agency=agency,
            matter=matter,
            violation_code=violation_code,
            violation=violation,
            basis_citation=basis_citation.strip(),
            penalty_citation=penalty_citation.strip(),
            penalty_kinds=penalty_kinds.strip() or "罚款",
            version=version.strip(),
            effective_on=effective_on,
            **head,
        )
        DiscretionBand.objects.bulk_create(
            DiscretionBand(benchmark=bench, **b) for b in clean_bands
        )
        DiscretionFactor.objects.bulk_create(
            DiscretionFactor(benchmark=bench, **f) for f in clean_factors
        )
        retired = list(
            DiscretionBenchmark.objects.filter(
                agency=agency,
                violation_code=violation_code,
                retired_on__isnull=True,
                effective_on__lt=effective_on,
            ).exclude(pk=bench.pk)
        )
        for old in retired:
            old.retired_on = effective_on
            old.save(update_fields=["retired_on"])
        ledger.append(
            actor=actor,
            action="benchmark.create",
            obj=bench,
            payload={
                "agency": agency.pk,
                "violation_code": violation_code,
                "version": bench.version,
                "effective_on": effective_on.isoformat(),
                "statutory": [str(head["statutory_min"]), str(head["statutory_max"])],
                "bands": [
                    [b["band"], str(b["min_amount"]), str(b["max_amount"]), b["penalty_kinds"]]
                    for b in clean_bands
                ],
                "factors": len(clean_factors),
                "retired": [o.version for o in retired],
            },
        )
    return bench


# --- Excel, in the layout agencies publish: one row per band or factor ---------------

EXCEL_HEADERS = (
    "违法行为编码",
    "违法行为",
    "违法依据",
    "处罚依据",
    "处罚种类",
    "法定最低罚款",
    "法定最高罚款",
    "版本",
    "施行日期",
    "裁量阶次或情节",
    "适用情形",
    "涉案金额下限",
    "涉案金额上限",
    "最低罚款",
    "最高罚款",
)
# Added with per-band penalty kinds (INF-03); a file without it still imports.
BAND_KINDS_HEADER = "阶次处罚种类"
EXPORT_HEADERS = (*EXCEL_HEADERS, BAND_KINDS_HEADER)


def benchmark_export_rows(benchmarks):
    for b in benchmarks:
        head = (
            b.violation_code,
            b.violation,
            b.basis_citation,
            b.penalty_citation,
            b.penalty_kinds,
            b.statutory_min,
            b.statutory_max,
            b.version,
            b.effective_on,
        )
        for band in b.bands.all():
            yield (
                *head,
                band.get_band_display(),
                band.conditions,
                band.amount_from,
                band.amount_below,
                band.min_amount,
                band.max_amount,
                band.penalty_kinds,
            )
        for f in b.factors.all():
            yield (*head, f.get_effect_display(), f.description, None, None, None, None, None)


def benchmark_import_excel(*, actor, agency: Agency, data: bytes) -> list[DiscretionBenchmark]:
    """Read the published layout; every benchmark of the file or none."""
    from zhifa.catalogues.provisions import _date
    from zhifa.core.excel import read_rows

    require_agency_admin(actor, agency)
    try:
        rows = read_rows(data, headers=EXPORT_HEADERS)
    except InvalidInput:  # a file of the earlier layout, without per-band kinds
        rows = read_rows(data, headers=EXCEL_HEADERS)
    groups: dict[tuple, dict] = {}
    errors: list[str] = []
    for number, row in rows:
        code, version = str(row["违法行为编码"] or "").strip(), str(row["版本"] or "").strip()
        group = groups.setdefault(
            (code, version),
            {
                "violation_code": code,
                "violation": str(row["违法行为"] or ""),
                "basis_citation": str(row["违法依据"] or ""),
                "penalty_citation": str(row["处罚依据"] or ""),
                "penalty_kinds": str(row["处罚种类"] or "罚款"),
                "statutory_min": row["法定最低罚款"],
                "statutory_max": row["法定最高罚款"],
                "version": version,
                "effective_on": _date(row["施行日期"], number, errors),
                "bands": [],
                "factors": [],
            },
        )
        kind = str(row["裁量阶次或情节"] or "").strip()
        if kind in BAND_BY_LABEL:
            group["bands"].append(
                {
                    "band": kind,
                    "conditions": row["适用情形"],
                    "min_amount": row["最低罚款"],
                    "max_amount": row["最高罚款"],
                    "amount_from": row["涉案金额下限"],
                    "amount_below": row["涉案金额上限"],
                    "penalty_kinds": row.get(BAND_KINDS_HEADER) or "",
                }
            )
        elif kind in EFFECT_BY_LABEL:
            group["factors"].append({"effect": kind, "description": row["适用情形"]})
        else:
            errors.append(f"第{number}行：“{kind}”不是裁量阶次（轻微、一般、较重、严重）或情节。")
    if errors:
        raise InvalidInput(
            "导入失败：" + "；".join(errors), code="benchmark_import", details=errors
        )
    with transaction.atomic():
        made = []
        for group in groups.values():
            try:
                made.append(benchmark_create(actor=actor, agency=agency, **group))
            except InvalidInput as error:
                raise InvalidInput(
                    f"{group['violation']}：{error.message}", code=error.code
                ) from None
        return made


# --- The suggestion ------------------------------------------------------------------


@dataclass
class Suggestion:
    benchmark: DiscretionBenchmark
    band: str
    min_amount: Decimal
    max_amount: Decimal
    reasons: list[str] = field(default_factory=list)
    below_minimum_allowed: bool = False  # a 减轻 factor was found
    exempt: bool = False

    @property
    def band_label(self) -> str:
        return Band(self.band).label

    def as_dict(self) -> dict:
        return {
            "benchmark": self.benchmark.pk,
            "violation": self.benchmark.violation,
            "band": self.band,
            "band_label": self.band_label,
            "min_amount": str(self.min_amount),
            "max_amount": str(self.max_amount),
            "statutory_min": str(self.benchmark.statutory_min),
            "statutory_max": str(self.benchmark.statutory_max),
            "reasons": self.reasons,
            "below_minimum_allowed": self.below_minimum_allowed,
            "exempt": self.exempt,
            "provisions": [
                c for c in (self.benchmark.basis_citation, self.benchmark.penalty_citation) if c
            ],
        }


def band_for_amount(bands: list[DiscretionBand], amount_involved: Decimal | None):
    """The band whose 涉案金额 interval holds the amount: ``from`` inclusive, ``below`` not."""
    if amount_involved is None:
        return None
    for b in bands:
        if b.amount_from is None and b.amount_below is None:
            continue
        if (b.amount_from is None or amount_involved >= b.amount_from) and (
            b.amount_below is None or amount_involved < b.amount_below
        ):
            return b
    return None


def band_suggest(
    benchmark: DiscretionBenchmark,
    *,
    amount_involved=None,
    effects: list[str] | tuple[str, ...] = (),
    band: str | None = None,
) -> Suggestion:
    """Band and range for the facts: the band by amount involved (or the one the
    officer names, or 一般), moved one step up by 从重 and down by 从轻 (they
    cancel each other); 减轻 opens the range below the statutory minimum,
    不予处罚 closes it at zero."""
    bands = sorted(benchmark.bands.all(), key=lambda b: BAND_ORDER.index(b.band))
    by_band = {b.band: b for b in bands}
    reasons = []
    amount = money(amount_involved, "涉案金额")
    chosen = by_band.get(band) if band else None
    if chosen is None:
        chosen = band_for_amount(bands, amount)
        if chosen is not None:
            reasons.append(f"涉案金额 {amount} 元，属“{chosen.get_band_display()}”阶次")
    if chosen is None:
        chosen = by_band.get(Band.ORDINARY) or bands[len(bands) // 2]
        reasons.append(f"未见其他情节，按“{chosen.get_band_display()}”阶次")
    effects = list(effects)
    up = effects.count(FactorEffect.AGGRAVATING)
    down = effects.count(FactorEffect.MITIGATING)
    step = 1 if up > down else -1 if down > up else 0
    present = [b for b in BAND_ORDER if b in by_band]
    if step:
        i = present.index(chosen.band)
        moved = present[max(0, min(len(present) - 1, i + step))]
        if moved != chosen.band:
            reasons.append(
                f"有{'从重' if step > 0 else '从轻'}情节，由“{chosen.get_band_display()}”"
                f"调整为“{Band(moved).label}”"
            )
            chosen = by_band[moved]
    suggestion = Suggestion(benchmark, chosen.band, chosen.min_amount, chosen.max_amount, reasons)
    if FactorEffect.REDUCING in effects:
        suggestion.below_minimum_allowed = True
        suggestion.min_amount = Decimal("0.00")
        suggestion.max_amount = benchmark.statutory_min
        suggestion.reasons.append("有减轻情节，可在法定最低罚款以下处罚（须经法制审核）")
    if FactorEffect.EXEMPTING in effects:
        suggestion.exempt = True
        suggestion.min_amount = suggestion.max_amount = Decimal("0.00")
        suggestion.reasons.append("有不予处罚情节")
    return suggestion
