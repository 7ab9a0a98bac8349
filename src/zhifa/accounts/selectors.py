"""Reads of agencies, people and credentials, already limited to what the
asking actor may see: an agency's users see their agency, a supervisor (司法局)
sees every agency of its region, a system administrator sees all."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhifa.accounts.models import Agency, Credential, Officer, Region, Role, Unit


def roles_of(actor) -> frozenset[str]:
    """The roles an authenticated user holds, cached on the user object."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    cached = getattr(actor, "_zhifa_roles", None)
    if cached is None:
        officer = officer_of(actor)
        cached = (
            frozenset(officer.role_grants.values_list("role", flat=True))
            if officer
            else frozenset()
        )
        if actor.is_superuser:
            cached |= {Role.SYSADMIN}
        actor._zhifa_roles = cached
    return cached


def officer_of(actor) -> Officer | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    try:
        return actor.officer
    except Officer.DoesNotExist:
        return None


def is_sysadmin(actor) -> bool:
    return Role.SYSADMIN in roles_of(actor)


def region_scope(region: Region) -> Q:
    """Agencies whose region lies inside ``region`` (itself included)."""
    return Q(region__code__startswith=region.code_prefix)


def supervised_region(actor) -> Region | None:
    """The region ``actor`` supervises: that of their 司法局 when they hold the
    supervisor role there; ``None`` for everyone else."""
    officer = officer_of(actor)
    if officer is None or Role.SUPERVISOR not in roles_of(actor):
        return None
    return officer.agency.region if officer.agency.is_supervisory else None


def agency_list(*, actor) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("region")
    if is_sysadmin(actor):
        return agencies
    officer = officer_of(actor)
    if officer is None:
        return agencies.none()
    region = supervised_region(actor)
    if region is not None:
        return agencies.filter(region_scope(region))
    return agencies.filter(pk=officer.agency_id)


def unit_list(*, actor) -> QuerySet[Unit]:
    return Unit.objects.filter(agency__in=agency_list(actor=actor)).select_related("agency")


def officer_list(*, actor) -> QuerySet[Officer]:
    return (
        Officer.objects.filter(agency__in=agency_list(actor=actor))
        .select_related("agency", "unit", "user")
        .prefetch_related("role_grants", "credentials")
    )


def credential_list(*, actor) -> QuerySet[Credential]:
    return Credential.objects.filter(officer__agency__in=agency_list(actor=actor)).select_related(
        "officer", "officer__agency"
    )


def credentials_expiring(*, actor, today: date | None = None) -> QuerySet[Credential]:
    """Valid credentials that run out within the configured warning window."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ZHIFA_CREDENTIAL_EXPIRY_WARNING_DAYS)
    return credential_list(actor=actor).filter(
        status=Credential.Status.VALID, valid_until__gte=today, valid_until__lte=horizon
    )


def credentials_not_valid(*, actor, today: date | None = None) -> QuerySet[Credential]:
    """Credentials that no longer allow enforcement: suspended, revoked or past their date."""
    today = today or timezone.localdate()
    return credential_list(actor=actor).filter(
        ~Q(status=Credential.Status.VALID) | Q(valid_until__lt=today)
    )


@dataclass(frozen=True)
class ReviewerStaffing:
    """The reviewer staffing check of REV-02 / ORG-02 for one agency."""

    agency: Agency
    officers: int
    reviewers: int
    required: int
    has_legal_unit: bool

    @property
    def ok(self) -> bool:
        return self.reviewers >= self.required


def reviewer_staffings(agencies: QuerySet[Agency]) -> list[ReviewerStaffing]:
    """The staffing check for each of ``agencies``, counted in one query.

    At least 5 % of the officers and at least 2 reviewers where the agency has
    a legal unit; at least one dedicated reviewer where it has none (001 附件3 §5).
    """
    active = Q(officers__is_active=True)
    agencies = agencies.annotate(
        officer_count=Count(
            "officers", filter=active & Q(officers__role_grants__role=Role.OFFICER), distinct=True
        ),
        reviewer_count=Count(
            "officers", filter=active & Q(officers__role_grants__role=Role.REVIEWER), distinct=True
        ),
        has_legal_unit=Exists(Unit.objects.filter(agency=OuterRef("pk"), kind=Unit.Kind.LEGAL)),
    )
    result = []
    for agency in agencies:
        if agency.has_legal_unit:
            by_ratio = math.ceil(
                agency.officer_count * settings.ZHIFA_REVIEWER_MIN_RATIO_PERCENT / 100
            )
            required = max(settings.ZHIFA_REVIEWER_MIN_COUNT, by_ratio)
        else:
            required = 1
        result.append(
            ReviewerStaffing(
                agency,
                agency.officer_count,
                agency.reviewer_count,
                required,
                agency.has_legal_unit,
            )
        )
    return result


def reviewer_staffing(agency: Agency) -> ReviewerStaffing:
    return reviewer_staffings(Agency.objects.filter(pk=agency.pk))[0]
