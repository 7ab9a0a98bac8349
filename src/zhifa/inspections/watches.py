"""The random inspections' watch item on the supervisor dashboard (SUP-01,
INS-02): drawn inspections whose result is still to be entered (never entered,
returned or not passed) after the plan's period ended. Imported from
``InspectionsConfig.ready()``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from zhifa.core.listing import Column
from zhifa.inspections.models import Inspection
from zhifa.inspections.services import ENTERABLE
from zhifa.supervision.watch import watch


def _inspection_url(inspection) -> str:
    return reverse("inspections:inspection-detail", args=[inspection.pk])


def results_overdue(scope, today=None) -> QuerySet[Inspection]:
    today = today or timezone.localdate()
    return Inspection.objects.filter(
        plan__agency__in=scope.agencies, plan__period_end__lt=today, status__in=ENTERABLE
    ).select_related("plan", "plan__agency", "target")


@watch(
    "inspection_results_overdue",
    label="抽查期满未录入检查结果",
    requirement="INS-02",
    columns=[
        Column("检查对象", "target.name", sort="target__name", link=_inspection_url),
        Column("抽查计划", "plan.name", sort="plan__name"),
        Column("执法主体", "plan.agency.name", sort="plan__agency__name"),
        Column("抽查结束日期", "plan.period_end", sort="plan__period_end"),
        Column("状态", lambda i: i.get_status_display(), sort="status"),
    ],
    link=_inspection_url,
    search_fields=("target__name", "plan__name"),
    default_sort="plan__period_end",
    order=78,
)
def watch_inspection_results_overdue(scope) -> QuerySet[Inspection]:
    return results_overdue(scope)
