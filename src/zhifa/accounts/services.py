"""Writes to agencies, units, people, roles and credentials. Each function runs
in one transaction, checks who is acting, and appends its ledger entry."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from zhifa import ledger
from zhifa.accounts.models import (
    Agency,
    Credential,
    LoginAttempt,
    Officer,
    Region,
    Role,
    RoleGrant,
    Unit,
)
from zhifa.accounts.selectors import (
    is_sysadmin,
    officer_of,
    region_scope,
    roles_of,
    supervised_region,
)
from zhifa.core.errors import Conflict, Forbidden, InvalidInput

User = get_user_model()

AGENCY_PROFILE_FIELDS = (
    "short_name",
    "credit_code",
    "duties",
    "division_of_duties",
    "jurisdiction",
    "enforcement_area",
    "nature",
    "funding_source",
    "staffing",
    "legal_representative",
    "address",
    "postcode",
    "phone",
    "complaint_phone",
    "email",
    "entrustment_agreement",
)


# --- Who may act --------------------------------------------------------------


def require_sysadmin(actor) -> None:
    if not is_sysadmin(actor):
        raise Forbidden("只有系统管理员可以执行此操作。")


def require_agency_admin(actor, agency: Agency) -> None:
    if is_sysadmin(actor):
        return
    officer = officer_of(actor)
    if officer and officer.agency_id == agency.pk and Role.AGENCY_ADMIN in roles_of(actor):
        return
    raise Forbidden("只有本机关的管理员可以执行此操作。")


def supervises(actor, agency: Agency) -> bool:
    """True when ``actor`` is a supervisor of the 司法局 whose region holds ``agency``."""
    region = supervised_region(actor)
    if region is None:
        return False
    return Agency.objects.filter(region_scope(region), pk=agency.pk).exists()


def require_supervisor_of(actor, agency: Agency) -> None:
    if is_sysadmin(actor) or supervises(actor, agency):
        return
    raise Forbidden("只有该地区的司法局执法监督人员可以执行此操作。")


# --- Regions and agencies -------------------------------------------------------


@transaction.atomic
def region_create(
    *, actor, code: str, name: str, level: str, parent: Region | None = None
) -> Region:
    require_sysadmin(actor)
    if parent is not None and not code.startswith(parent.code_prefix):
        raise InvalidInput(f"区划代码 {code} 不在上级区划 {parent.name}（{parent.code}）之内。")
    if Region.objects.filter(code=code).exists():
        raise Conflict(f"区划代码 {code} 已存在。")
    region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    ledger.append(
        actor=actor,
        action="region.create",
        obj=region,
        payload={"code": code, "name": name, "level": level},
    )
    return region


def _check_agency_profile(profile: dict) -> None:
    unknown = set(profile) - set(AGENCY_PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的机关信息字段：{'、'.join(sorted(unknown))}")
    code = profile.get("credit_code")
    if code and not uscc.is_valid(code):
        raise InvalidInput(f"统一社会信用代码 {code} 无效（校验位不符）。")


@transaction.atomic
def agency_create(
    *,
    actor,
    region: Region,
    name: str,
    kind: str,
    domain: str,
    entrusted_by: Agency | None = None,
    **profile,
) -> Agency:
    require_sysadmin(actor)
    _check_agency_profile(profile)
    if Agency.objects.filter(region=region, name=name).exists():
        raise Conflict(f"{region.name}已有名为“{name}”的执法主体。")
    if (
        kind == Agency.Kind.SUPERVISORY
        and Agency.objects.filter(region=region, kind=Agency.Kind.SUPERVISORY).exists()
    ):
        raise Conflict(f"{region.name}已有行政执法监督机关。")
    if (kind == Agency.Kind.ENTRUSTED) != (entrusted_by is not None):
        raise InvalidInput("受委托组织必须注明委托机关；其他主体不得注明委托机关。")
    agency = Agency.objects.create(
        region=region, name=name, kind=kind, domain=domain, entrusted_by=entrusted_by, **profile
    )
    ledger.append(
        actor=actor,
        action="agency.create",
        obj=agency,
        payload={"name": name, "kind": kind, "domain": domain, "region": region.code},
    )
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, **profile) -> Agency:
    require_agency_admin(actor, agency)
    _check_agency_profile(profile)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    changes = {
        field: {"from": getattr(agency, field), "to": value}
        for field, value in profile.items()
        if getattr(agency, field) != value
    }
    for field, value in profile.items():
        setattr(agency, field, value)
    agency.save(update_fields=list(profile) or None)
    ledger.append(actor=actor, action="agency.update", obj=agency, payload={"changes": changes})
    return agency


@transaction.atomic
def unit_create(*, actor, agency: Agency, name: str, kind: str, duties: str = "") -> Unit:
    require_agency_admin(actor, agency)
    if Unit.objects.filter(agency=agency, name=name).exists():
        raise Conflict(f"{agency.name}已有名为“{name}”的内设机构。")
    unit = Unit.objects.create(agency=agency, name=name, kind=kind, duties=duties)
    ledger.append(actor=actor, action="unit.create", obj=unit, payload={"name": name, "kind": kind})
    return unit


# --- People and roles ------------------------------------------------------------


def _check_password(password: str, user=None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "密码不符合要求：" + "；".join(exc.messages), code="weak_password"
        ) from None


@transaction.atomic
def sysadmin_create(*, actor, username: str, password: str, name: str = "系统管理员"):
    """Create a system administrator. ``actor=None`` is accepted only while no
    administrator exists (first start, from the command line)."""
    if actor is None:
        if User.objects.filter(is_superuser=True).exists():
            raise Forbidden("系统管理员已存在，请由现有系统管理员创建新的管理员。")
    else:
        require_sysadmin(actor)
    if User.objects.filter(username=username).exists():
        raise Conflict(f"用户名 {username} 已被使用。")
    _check_password(password)
    user = User.objects.create_user(
        username=username, password=password, is_staff=True, is_superuser=True, first_name=name
    )
    ledger.append(actor=actor, action="sysadmin.create", obj=user, payload={"username": username})
    return user


@transaction.atomic
def officer_create(
    *,
    actor,
    agency: Agency,
    username: str,
    name: str,
    unit: Unit | None = None,
    password: str | None = None,
    roles: tuple[str, ...] = (),
    post: str = "",
    phone: str = "",
    id_number: str = "",
    legal_qualification: bool = False,
) -> Officer:
    """Create a person of ``agency`` with a login. Without ``password`` the
    account cannot log in until the agency admin sets one."""
    require_agency_admin(actor, agency)
    if unit is not None and unit.agency_id != agency.pk:
        raise InvalidInput(f"内设机构“{unit.name}”不属于{agency.name}。")
    if id_number and not ric.is_valid(id_number):
        raise InvalidInput(f"居民身份证号码 {id_number} 无效（校验位或出生日期不符）。")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"用户名 {username} 已被使用。")
    user = User(username=username, first_name=name)
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    officer = Officer.objects.create(
        user=user,
        agency=agency,
        unit=unit,
        name=name,
        post=post,
        phone=phone,
        id_number=id_number,
        legal_qualification=legal_qualification,
    )
    ledger.append(
        actor=actor,
        action="officer.create",
        obj=officer,
        payload={"username": username, "name": name, "unit": unit.name if unit else ""},
    )
    for role in roles:
        role_grant(actor=actor, officer=officer, role=role)
    return officer


@transaction.atomic
def officer_set_password(*, actor, officer: Officer, password: str) -> None:
    if actor is None or actor.pk != officer.user_id:
        require_agency_admin(actor, officer.agency)
    _check_password(password, officer.user)
    officer.user.set_password(password)
    officer.user.save(update_fields=["password"])
    ledger.append(actor=actor, action="officer.set_password", obj=officer)


# Roles that cannot be held together (REV-02: a reviewer does no enforcement).
_EXCLUSIVE_ROLES = {Role.OFFICER: Role.REVIEWER, Role.REVIEWER: Role.OFFICER}


@transaction.atomic
def role_grant(*, actor, officer: Officer, role: str) -> RoleGrant:
    role = Role(role)
    if role in (Role.SUPERVISOR, Role.SYSADMIN):
        require_sysadmin(actor)
        if role == Role.SUPERVISOR and not officer.agency.is_supervisory:
            raise InvalidInput("只有司法局（行政执法监督机关）的人员可以担任执法监督人员。")
    else:
        require_agency_admin(actor, officer.agency)
    # Lock the person so two concurrent grants cannot both pass the check below.
    Officer.objects.select_for_update().filter(pk=officer.pk).first()
    held = set(officer.role_grants.values_list("role", flat=True))
    if role in held:
        raise Conflict(f"{officer.name}已担任{role.label}。")
    excluded = _EXCLUSIVE_ROLES.get(role)
    if excluded in held:
        raise Conflict(
            f"{officer.name}已担任{Role(excluded).label}，法制审核人员不得同时从事行政执法工作。",
            code="reviewer_officer_conflict",
        )
    grant = RoleGrant.objects.create(officer=officer, role=role)
    if role == Role.SYSADMIN:
        User.objects.filter(pk=officer.user_id).update(is_staff=True, is_superuser=True)
    ledger.append(actor=actor, action="role.grant", obj=officer, payload={"role": role.value})
    return grant


@transaction.atomic
def role_revoke(*, actor, officer: Officer, role: str) -> None:
    role = Role(role)
    if role in (Role.SUPERVISOR, Role.SYSADMIN):
        require_sysadmin(actor)
    else:
        require_agency_admin(actor, officer.agency)
    deleted, _ = RoleGrant.objects.filter(officer=officer, role=role).delete()
    if not deleted:
        raise Conflict(f"{officer.name}未担任{role.label}。")
    if role == Role.SYSADMIN:
        User.objects.filter(pk=officer.user_id).update(is_staff=False, is_superuser=False)
    ledger.append(actor=actor, action="role.revoke", obj=officer, payload={"role": role.value})


# --- Credentials -------------------------------------------------------------------


@transaction.atomic
def credential_issue(
    *,
    actor,
    officer: Officer,
    number: str,
    issuer: str,
    issued_on: date,
    valid_until: date,
    categories: str,
    area: str,
    kind: str = Credential.Kind.ENFORCEMENT,
    annual_review_on: date | None = None,
) -> Credential:
    """Record a credential issued to ``officer``. Credentials are managed by the
    司法局 of the officer's region (or a system administrator)."""
    require_supervisor_of(actor, officer.agency)
    number = number.strip()
    if not number:
        raise InvalidInput("证件编号不能为空。")
    if valid_until < issued_on:
        raise InvalidInput("有效期至不能早于发证日期。")
    try:
        with transaction.atomic():
            credential = Credential.objects.create(
                officer=officer,
                number=number,
                kind=kind,
                issuer=issuer,
                issued_on=issued_on,
                valid_until=valid_until,
                annual_review_on=annual_review_on,
                categories=categories,
                area=area,
            )
    except IntegrityError:
        raise Conflict(f"证件编号 {number} 已存在。") from None
    ledger.append(
        actor=actor,
        action="credential.issue",
        obj=credential,
        agency_id=officer.agency_id,
        payload={"number": number, "officer": officer.name, "valid_until": valid_until},
    )
    return credential


_STATUS_MOVES = {
    Credential.Status.SUSPENDED: {Credential.Status.VALID},
    Credential.Status.REVOKED: {
        Credential.Status.VALID,
        Credential.Status.SUSPENDED,
        Credential.Status.EXPIRED,
    },
    Credential.Status.VALID: {Credential.Status.SUSPENDED},
}


@transaction.atomic
def credential_set_status(*, actor, credential: Credential, status: str, reason: str) -> Credential:
    """Suspend, revoke or reinstate a credential; a reason is always required."""
    status = Credential.Status(status)
    require_supervisor_of(actor, credential.officer.agency)
    if not reason.strip():
        raise InvalidInput("请填写状态变更的理由。")
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    allowed_from = _STATUS_MOVES.get(status, set())
    if credential.status not in allowed_from:
        raise Conflict(
            f"证件 {credential.number} 当前为“{credential.get_status_display()}”，"
            f"不能变更为“{status.label}”。"
        )
    previous = credential.status
    credential.status = status
    credential.status_reason = reason.strip()
    credential.save(update_fields=["status", "status_reason"])
    ledger.append(
        actor=actor,
        action="credential.set_status",
        obj=credential,
        agency_id=credential.officer.agency_id,
        payload={"from": previous, "to": status.value, "reason": reason.strip()},
    )
    return credential


def officer_assert_can_enforce(officer: Officer, *, on: date) -> Credential:
    """Refuse unless ``officer`` may be assigned enforcement work on ``on`` (ORG-01):
    active, holding the officer role, not a reviewer, with a valid credential."""
    roles = set(officer.role_grants.values_list("role", flat=True))
    if not officer.is_active:
        raise Forbidden(f"{officer.name}不在岗，不能承办执法案件。", code="officer_inactive")
    if Role.REVIEWER in roles:
        raise Forbidden(
            f"{officer.name}是法制审核人员，不得承办执法案件。", code="reviewer_cannot_enforce"
        )
    if Role.OFFICER not in roles:
        raise Forbidden(f"{officer.name}不是执法人员。", code="not_an_officer")
    for credential in officer.credentials.filter(kind=Credential.Kind.ENFORCEMENT):
        if credential.is_valid_on(on):
            return credential
    raise Forbidden(
        f"{officer.name}在 {on:%Y-%m-%d} 没有有效的行政执法证件，不能承办执法案件。",
        code="no_valid_credential",
    )


# --- Login lockout -------------------------------------------------------------------


def login_locked_until(username: str, *, now=None):
    """When the account is locked after repeated failures, the time the lock ends."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.ZHIFA_LOGIN_LOCKOUT_MINUTES)
    recent = list(
        LoginAttempt.objects.filter(username=username, attempted_at__gte=now - window)
        .order_by("-attempted_at")
        .values_list("succeeded", "attempted_at")[: settings.ZHIFA_LOGIN_MAX_FAILURES]
    )
    failures = [at for ok, at in recent if not ok]
    if len(recent) == settings.ZHIFA_LOGIN_MAX_FAILURES and len(failures) == len(recent):
        return failures[0] + window
    return None


@transaction.atomic
def login_attempt_record(
    *, username: str, succeeded: bool, ip_address: str | None, user=None
) -> None:
    attempt = LoginAttempt.objects.create(
        username=username, succeeded=succeeded, ip_address=ip_address
    )
    agency_id = None
    officer = officer_of(user)
    if officer is not None:
        agency_id = officer.agency_id
    ledger.append(
        actor=user if succeeded else None,
        action="login.success" if succeeded else "login.failure",
        obj=attempt,
        agency_id=agency_id,
        payload={"username": username, "ip": ip_address},
    )


@transaction.atomic
def logout_record(*, actor) -> None:
    ledger.append(actor=actor, action="logout", obj=actor)
