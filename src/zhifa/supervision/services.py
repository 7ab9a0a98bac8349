"""Writes of the supervision platform: the case file evaluation draw (SUP-02)."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import transaction

from zhifa import ledger
from zhifa.accounts.models import Agency
from zhifa.accounts.selectors import supervised_region
from zhifa.cases.models import Case, Stage, StageChange
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.supervision.models import FileEvaluation, FileEvaluationItem
from zhifa.supervision.sampling import population_digest, sample
from zhifa.supervision.selectors import region_agencies
from zhifa.supervision.stats import year_bounds

SEED = re.compile(r"^[0-9a-f]{32,64}$")


def require_evaluator(actor, agency: Agency) -> None:
    """Only the 司法局's supervisors draw files, and only of agencies they supervise."""
    region = supervised_region(actor)
    if region is None:
        raise Forbidden("只有司法局执法监督人员可以抽取评查案卷。", code="not_supervisor")
    if not region_agencies(region).filter(pk=agency.pk).exists():
        raise NotFound("执法主体不存在，或不在您的监督范围内。")


def evaluation_population(agency: Agency, year: int) -> list[int]:
    """The agency's cases closed in ``year`` (结案 or since archived), by id."""
    first, after = year_bounds(year)
    closed = StageChange.objects.filter(
        to_stage=Stage.CLOSED, changed_at__gte=first, changed_at__lt=after
    ).values("case_id")
    return sorted(
        Case.objects.filter(
            agency=agency, stage__in=[Stage.CLOSED, Stage.ARCHIVED], pk__in=closed
        ).values_list("pk", flat=True)
    )


def file_evaluation_draw(
    *, actor, agency: Agency, year: int, size: int, seed: str | None = None
) -> FileEvaluation:
    """Draw ``size`` closed case files of ``agency``'s ``year`` at random and record
    the draw (population, seed, size) so that it can be re-drawn identically."""
    require_evaluator(actor, agency)
    if not isinstance(size, int) or size < 1:
        raise InvalidInput("抽取数量须为正整数。", code="size")
    if size > settings.ZHIFA_SUPERVISION_EVALUATION_MAX_SAMPLE:
        raise InvalidInput(
            f"一次最多抽取 {settings.ZHIFA_SUPERVISION_EVALUATION_MAX_SAMPLE} 卷。", code="size"
        )
    seed = (seed or secrets.token_hex(16)).strip().lower()
    if not SEED.match(seed):
        raise InvalidInput("随机种子须为 32 至 64 位十六进制数字。", code="seed")
    with transaction.atomic():
        population = evaluation_population(agency, year)
        if not population:
            raise Conflict(f"{agency.name}在 {year} 年没有已结案的案件可供抽取。", code="empty")
        drawn = sample(population, seed, size)
        evaluation = FileEvaluation.objects.create(
            agency=agency,
            year=year,
            size=size,
            seed=seed,
            population=population,
            population_digest=population_digest(population),
            drawn_by=actor,
        )
        FileEvaluationItem.objects.bulk_create(
            FileEvaluationItem(evaluation=evaluation, case_id=case_id, position=i)
            for i, case_id in enumerate(drawn, start=1)
        )
        ledger.append(
            actor=actor,
            action="file_evaluation.draw",
            obj=evaluation,
            agency_id=agency.pk,
            payload={
                "year": year,
                "size": size,
                "seed": seed,
                "population_size": len(population),
                "population_digest": evaluation.population_digest,
                "cases": drawn,
            },
        )
    return evaluation


def file_evaluation_verify(evaluation: FileEvaluation) -> bool:
    """Whether the recorded inputs give the recorded sample again."""
    recorded = list(evaluation.items.order_by("position").values_list("case_id", flat=True))
    return (
        population_digest(evaluation.population) == evaluation.population_digest
        and sample(evaluation.population, evaluation.seed, evaluation.size) == recorded
    )
