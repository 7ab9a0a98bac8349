"""Who sees which case, and the reads of the case pages.

An agency's cases are seen by their handling officers, by the head of the
handling unit, by the agency's leaders and legal reviewers, and by the
supervisor (司法局) of the agency's region; nobody else. The system
administrator runs the system and does not read case files.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.accounts.selectors import officer_of, region_scope, roles_of, supervised_region
from zhifa.cases.models import Case, CaseOfficer, Stage
from zhifa.core.errors import NotFound


def case_scope(actor) -> Q | None:
    """The cases ``actor`` may read, as a filter; ``None`` when none."""
    region = supervised_region(actor)
    if region is not None:
        return Q(agency__in=_agencies_in(region))
    officer = officer_of(actor)
    if officer is None:
        return None
    roles = roles_of(actor)
    if roles & {Role.LEADER, Role.REVIEWER}:
        return Q(agency_id=officer.agency_id)
    scope = Q(assignments__officer=officer, assignments__released_at__isnull=True)
    if Role.UNIT_HEAD in roles and officer.unit_id:
        scope |= Q(agency_id=officer.agency_id, unit_id=officer.unit_id)
    if Role.OFFICER in roles or Role.UNIT_HEAD in roles:
        return scope
    return None


def _agencies_in(region):
    from zhifa.accounts.models import Agency

    return Agency.objects.filter(region_scope(region)).values("pk")


def case_list(*, actor) -> QuerySet[Case]:
    scope = case_scope(actor)
    if scope is None:
        return Case.objects.none()
    return (
        Case.objects.filter(pk__in=Case.objects.filter(scope).values("pk"))
        .select_related("agency", "matter", "unit")
        .order_by("-started_on", "-pk")
    )


def case_get(*, actor, pk) -> Case:
    case = case_list(actor=actor).filter(pk=pk).first()
    if case is None:
        raise NotFound("案件不存在，或您无权查看。")
    return case


def assignment_of(actor, case: Case) -> CaseOfficer | None:
    """The actor's active assignment as a handling officer of ``case``."""
    officer = officer_of(actor)
    if officer is None:
        return None
    return CaseOfficer.objects.filter(case=case, officer=officer, released_at__isnull=True).first()


def is_handler(actor, case: Case) -> bool:
    return Role.OFFICER in roles_of(actor) and assignment_of(actor, case) is not None


def is_case_leader(actor, case: Case) -> bool:
    """A leader of the case's agency, or the head of its handling unit."""
    officer = officer_of(actor)
    if officer is None or officer.agency_id != case.agency_id:
        return False
    roles = roles_of(actor)
    if Role.LEADER in roles:
        return True
    return Role.UNIT_HEAD in roles and case.unit_id is not None and officer.unit_id == case.unit_id


def is_case_reviewer(actor, case: Case) -> bool:
    officer = officer_of(actor)
    return (
        officer is not None
        and officer.agency_id == case.agency_id
        and Role.REVIEWER in roles_of(actor)
    )


def open_stages() -> list[str]:
    return [Stage.START, Stage.INVESTIGATION, Stage.DECISION, Stage.EXECUTION]


def overdue_filter(which: str) -> Q:
    """Cases overdue for archiving (REC-10) or for the approval of an emergency start
    (REC-02), as ``rules.emergency_overdue`` decides for one case."""
    now = timezone.now()
    archive = Q(stage=Stage.CLOSED, archive_due_on__lt=timezone.localdate())
    window = timedelta(hours=settings.ZHIFA_EMERGENCY_APPROVAL_HOURS)
    emergency = Q(is_emergency=True, emergency_started_at__isnull=False) & (
        Q(emergency_approved_at__isnull=True, emergency_started_at__lt=now - window)
        | Q(emergency_approved_at__gt=F("emergency_started_at") + window)
    )
    return {"archive": archive, "emergency": emergency, "any": archive | emergency}[which]
