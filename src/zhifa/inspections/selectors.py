"""Reads of 双随机、一公开 (INS-01, INS-02), limited to what the asking actor may
see: an agency's people see their agency, the 司法局 supervisor its region, a
system administrator everything (the scope of ``accounts.selectors.agency_list``).
The public commitment of each draw is readable by anyone (``public_draw_list``).
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from zhifa.accounts.selectors import agency_list
from zhifa.inspections.models import (
    Conflict,
    Inspection,
    InspectionMatter,
    InspectionResult,
    InspectionTarget,
    Plan,
    PlanExclusion,
    PoolMember,
)


def matter_list(*, actor) -> QuerySet[InspectionMatter]:
    return InspectionMatter.objects.filter(agency__in=agency_list(actor=actor)).select_related(
        "agency", "matter"
    )


def target_list(*, actor) -> QuerySet[InspectionTarget]:
    return InspectionTarget.objects.filter(
        matter__agency__in=agency_list(actor=actor)
    ).select_related("matter", "matter__agency")


def pool_list(*, actor) -> QuerySet[PoolMember]:
    return PoolMember.objects.filter(matter__agency__in=agency_list(actor=actor)).select_related(
        "matter", "officer"
    )


def conflict_list(*, actor) -> QuerySet[Conflict]:
    return Conflict.objects.filter(
        target__matter__agency__in=agency_list(actor=actor)
    ).select_related("officer", "target", "declared_by")


def _excluded_count() -> Coalesce:
    """Targets left out of the plan for its frequency (INS-01)."""
    rows = (
        PlanExclusion.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def plan_list(*, actor) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(agency__in=agency_list(actor=actor))
        .select_related("agency", "matter")
        .annotate(drawn_count=Count("inspections"), excluded_count=_excluded_count())
        .order_by("-created_at", "-pk")
    )


def exclusion_sources(plan: Plan) -> list[dict]:
    """The plans whose drawn targets were left out of ``plan`` for its frequency,
    with how many each (INS-01): ``drawn_in``, ``drawn_in__name``, ``n``."""
    return list(
        PlanExclusion.objects.filter(plan=plan)
        .values("drawn_in", "drawn_in__name")
        .annotate(n=Count("pk"))
        .order_by("drawn_in")
    )


def _latest_result(field: str) -> Subquery:
    latest = InspectionResult.objects.filter(inspection=OuterRef("pk")).order_by(
        "-entered_at", "-pk"
    )
    return Subquery(latest.values(field)[:1])


def inspection_list(*, actor) -> QuerySet[Inspection]:
    return (
        Inspection.objects.filter(plan__agency__in=agency_list(actor=actor))
        .select_related("plan", "plan__agency", "plan__matter", "target")
        .prefetch_related("assignments__officer")
        .annotate(checked_on=_latest_result("checked_on"), outcome=_latest_result("outcome"))
    )


def my_inspections(*, actor) -> QuerySet[Inspection]:
    """The inspections ``actor`` was drawn for."""
    return inspection_list(actor=actor).filter(assignments__officer__user=actor)


def latest_result(inspection: Inspection) -> InspectionResult | None:
    return inspection.results.select_related("entered_by").order_by("-entered_at", "-pk").first()


def results_ready_to_publish(*, agency=None) -> QuerySet[Inspection]:
    """Approved results not yet on the portal (INS-02 → PUB-06): what the
    disclosure pipeline publishes (主体, 对象, 依据, 结论, 日期), then marks with
    ``services.inspection_mark_published``. Not actor-scoped: the pipeline runs
    for every agency; pass ``agency`` to limit it."""
    ready = (
        Inspection.objects.filter(status=Inspection.Status.APPROVED)
        .select_related("plan", "plan__agency", "plan__matter", "target")
        .annotate(
            checked_on=_latest_result("checked_on"),
            outcome=_latest_result("outcome"),
            follow_up=_latest_result("follow_up"),
            completed_on=_latest_result("completed_on"),
            result_id=_latest_result("pk"),
        )
        .order_by("plan_id", "order")
    )
    if agency is not None:
        ready = ready.filter(plan__agency=agency)
    return ready


def public_draw_list() -> QuerySet[Plan]:
    """Every committed or drawn plan, for the public record of commitments."""
    return (
        Plan.objects.filter(~Q(status=Plan.Status.DRAFT))
        .select_related("agency", "matter")
        .annotate(drawn_count=Count("inspections"), excluded_count=_excluded_count())
        .order_by("-committed_at", "-pk")
    )
