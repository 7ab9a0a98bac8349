"""Workbench pages for agencies, people and credentials. Thin: they read
through selectors, write through services, and show ``ZhifaError`` messages."""

from __future__ import annotations

import dataclasses

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.accounts import selectors, services
from zhifa.accounts.forms import (
    AgencyCreateForm,
    AgencyProfileForm,
    CredentialIssueForm,
    CredentialStatusForm,
    LoginForm,
    OfficerCreateForm,
    PasswordForm,
    RoleGrantForm,
    UnitForm,
)
from zhifa.accounts.models import Credential, Officer, Role
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, permitted, require


class ZhifaLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO:
            from zhifa.core.demo import DEMO_LOGINS, DEMO_PASSWORD

            context["demo_logins"] = DEMO_LOGINS
            context["demo_password"] = DEMO_PASSWORD
        return context


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.logout_record(actor=request.user)
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


@login_required
def home(request):
    from zhifa.accounts.home import home_sections

    return render(
        request,
        "accounts/home.html",
        {
            "title": "我的待办",
            "sections": home_sections(request.user),
        },
    )


# --- Shared by the pages that write -----------------------------------------------


def _posted(request):
    return request.POST if request.method == "POST" else None


def _form_page(request, form, *, template="accounts/form.html", **kwargs):
    return form_page(request, form, template=template, **kwargs)


# --- Agencies ---------------------------------------------------------------------

AGENCY_LISTING = Listing(
    title="执法主体",
    columns=[
        Column(
            "主体名称",
            "name",
            sort="name",
            link=lambda a: reverse("accounts:agency-detail", args=[a.pk]),
        ),
        Column("主体类型", "get_kind_display", sort="kind"),
        Column("执法领域", "get_domain_display", sort="domain"),
        Column("行政区划", "region.name", sort="region__code"),
        Column("法定代表人", "legal_representative"),
        Column("投诉举报电话", "complaint_phone"),
    ],
    search_fields=("name", "short_name", "duties"),
    default_sort="name",
)


@login_required
def agency_list_view(request):
    listing = AGENCY_LISTING
    if permitted(services.require_sysadmin, request.user):
        # A per-request copy: the module-level listing is shared by every request.
        listing = dataclasses.replace(
            listing, actions=[("新增执法主体", reverse("accounts:agency-create"))]
        )
    return listing.respond(request, selectors.agency_list(actor=request.user))


def _agency(request, pk: int):
    return get_object_or_404(selectors.agency_list(actor=request.user), pk=pk)


def _agency_url(agency) -> str:
    return reverse("accounts:agency-detail", args=[agency.pk])


@login_required
def agency_detail_view(request, pk: int):
    agency = _agency(request, pk)
    return render(
        request,
        "accounts/agency_detail.html",
        {
            "title": agency.name,
            "agency": agency,
            "units": agency.units.all(),
            "staffing": selectors.reviewer_staffing(agency),
            "officer_count": agency.officers.filter(is_active=True).count(),
            "can_manage": permitted(services.require_agency_admin, request.user, agency),
        },
    )


@login_required
def agency_create_view(request):
    require(services.require_sysadmin, request.user)
    form = AgencyCreateForm(_posted(request), agencies=selectors.agency_list(actor=request.user))

    def save(data):
        agency = services.agency_create(actor=request.user, **data)
        return f"已新增执法主体“{agency.name}”。", _agency_url(agency)

    return _form_page(
        request, form, save=save, title="新增执法主体", cancel_url=reverse("accounts:agency-list")
    )


@login_required
def agency_edit_view(request, pk: int):
    agency = _agency(request, pk)
    require(services.require_agency_admin, request.user, agency)
    initial = {name: getattr(agency, name) for name in services.AGENCY_PROFILE_FIELDS}
    form = AgencyProfileForm(_posted(request), initial=initial)

    def save(data):
        services.agency_update(actor=request.user, agency=agency, **data)
        return f"已保存“{agency.name}”的主体信息。", _agency_url(agency)

    return _form_page(
        request,
        form,
        save=save,
        title=f"修改“{agency.name}”的主体信息",
        cancel_url=_agency_url(agency),
    )


@login_required
def unit_create_view(request, pk: int):
    agency = _agency(request, pk)
    require(services.require_agency_admin, request.user, agency)
    form = UnitForm(_posted(request))

    def save(data):
        unit = services.unit_create(actor=request.user, agency=agency, **data)
        return f"已为{agency.name}新增内设机构“{unit.name}”。", _agency_url(agency)

    return _form_page(
        request,
        form,
        save=save,
        title=f"为{agency.name}新增内设机构",
        cancel_url=_agency_url(agency),
    )


# --- People -----------------------------------------------------------------------


def _roles_label(officer: Officer) -> str:
    return "、".join(Role(g.role).label for g in officer.role_grants.all())


def _credential_label(officer: Officer) -> str:
    today = timezone.localdate()
    return "、".join(f"{c.number}（{c.status_label_on(today)}）" for c in officer.credentials.all())


OFFICER_LISTING = Listing(
    title="人员",
    columns=[
        Column(
            "姓名",
            "name",
            sort="name",
            link=lambda o: reverse("accounts:officer-detail", args=[o.pk]),
        ),
        Column("所属机关", "agency.name", sort="agency__name"),
        Column("内设机构", "unit.name", sort="unit__name"),
        Column("职务", "post"),
        Column("角色", _roles_label),
        Column("执法证件", _credential_label),
    ],
    search_fields=("name", "post", "unit__name", "agency__name", "credentials__number"),
    default_sort="agency__name",
)


@login_required
def officer_list_view(request):
    return OFFICER_LISTING.respond(request, selectors.officer_list(actor=request.user).distinct())


# The roles offered on the workbench. Who may grant or revoke each is decided by
# ``role_grant``/``role_revoke``; the sysadmin role is left to the admin site.
AGENCY_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.REVIEWER, Role.LEADER, Role.AGENCY_ADMIN)


def _offered_roles(user) -> tuple[Role, ...]:
    if selectors.is_sysadmin(user):
        return (*AGENCY_ROLES, Role.SUPERVISOR)
    return AGENCY_ROLES


def _officer(request, pk: int) -> Officer:
    return get_object_or_404(selectors.officer_list(actor=request.user), pk=pk)


def _officer_url(officer) -> str:
    return reverse("accounts:officer-detail", args=[officer.pk])


@login_required
def officer_detail_view(request, pk: int):
    officer = _officer(request, pk)
    today = timezone.localdate()
    credentials = [
        (c, c.status_on(today), c.status_label_on(today)) for c in officer.credentials.all()
    ]
    can_manage = permitted(services.require_agency_admin, request.user, officer.agency)
    offered = _offered_roles(request.user) if can_manage else ()
    return render(
        request,
        "accounts/officer_detail.html",
        {
            "title": officer.name,
            "officer": officer,
            "roles": [(Role(g.role), g.role in offered) for g in officer.role_grants.all()],
            "credentials": credentials,
            "can_manage": can_manage,
            "can_manage_credentials": permitted(
                services.require_supervisor_of, request.user, officer.agency
            ),
        },
    )


@login_required
def officer_create_view(request, pk: int):
    agency = _agency(request, pk)
    require(services.require_agency_admin, request.user, agency)
    form = OfficerCreateForm(
        _posted(request),
        units=selectors.unit_list(actor=request.user).filter(agency=agency).order_by("name"),
        roles=_offered_roles(request.user),
    )

    def save(data):
        officer = services.officer_create(actor=request.user, agency=agency, **data)
        return f"已新增人员{officer.name}（用户名 {data['username']}）。", _officer_url(officer)

    return _form_page(
        request, form, save=save, title=f"为{agency.name}新增人员", cancel_url=_agency_url(agency)
    )


@login_required
def officer_password_view(request, pk: int):
    officer = _officer(request, pk)
    require(services.require_agency_admin, request.user, officer.agency)

    def save(data):
        services.officer_set_password(actor=request.user, officer=officer, **data)
        return f"已为{officer.name}设置新密码。", _officer_url(officer)

    return _form_page(
        request,
        PasswordForm(_posted(request)),
        save=save,
        title=f"为{officer.name}设置新密码",
        cancel_url=_officer_url(officer),
    )


@login_required
def role_grant_view(request, pk: int):
    officer = _officer(request, pk)
    require(services.require_agency_admin, request.user, officer.agency)
    held = {g.role for g in officer.role_grants.all()}
    offered = [role for role in _offered_roles(request.user) if role not in held]

    def save(data):
        services.role_grant(actor=request.user, officer=officer, **data)
        return f"已授予{officer.name}“{Role(data['role']).label}”角色。", _officer_url(officer)

    return _form_page(
        request,
        RoleGrantForm(_posted(request), roles=offered),
        save=save,
        title=f"为{officer.name}授予角色",
        cancel_url=_officer_url(officer),
    )


@login_required
def role_revoke_view(request, pk: int, role: str):
    officer = _officer(request, pk)
    if role not in Role.values:
        raise Http404
    require(services.require_agency_admin, request.user, officer.agency)
    label = Role(role).label

    def save(data):
        services.role_revoke(actor=request.user, officer=officer, role=role)
        return f"已撤销{officer.name}的“{label}”角色。", _officer_url(officer)

    return _form_page(
        request,
        forms.Form(_posted(request)),
        save=save,
        title=f"撤销{officer.name}的“{label}”角色",
        cancel_url=_officer_url(officer),
        template="core/confirm.html",
        question=f"{officer.name}（{officer.agency.name}）将不再担任{label}，撤销记入台账。",
        verb="撤销",
    )


# --- Credentials --------------------------------------------------------------------


def _status_today(credential: Credential) -> str:
    return credential.status_label_on(timezone.localdate())


CREDENTIAL_LISTING = Listing(
    title="执法证件",
    columns=[
        Column("证件编号", "number", sort="number"),
        Column(
            "持证人",
            "officer.name",
            sort="officer__name",
            link=lambda c: reverse("accounts:officer-detail", args=[c.officer_id]),
        ),
        Column("所属机关", "officer.agency.name", sort="officer__agency__name"),
        Column("证件类型", "get_kind_display", sort="kind"),
        Column("执法类别", "categories"),
        Column("执法区域", "area"),
        Column("有效期至", "valid_until", sort="valid_until"),
        Column("状态", _status_today, sort="status"),
    ],
    search_fields=("number", "officer__name", "categories", "area"),
    default_sort="number",
    export_name="执法证件清单",
)


@login_required
def credential_list_view(request):
    states = {
        "": ("全部", selectors.credential_list),
        "expiring": ("即将到期", selectors.credentials_expiring),
        "invalid": ("已失效", selectors.credentials_not_valid),
    }
    state = request.GET.get("state", "")
    if state not in states:
        state = ""
    return CREDENTIAL_LISTING.respond(
        request,
        states[state][1](actor=request.user),
        context={
            "filters": [(key, label, key == state) for key, (label, _) in states.items()],
            "filter_name": "state",
        },
    )


@login_required
def credential_issue_view(request, pk: int):
    officer = _officer(request, pk)
    require(services.require_supervisor_of, request.user, officer.agency)

    def save(data):
        credential = services.credential_issue(actor=request.user, officer=officer, **data)
        return f"已为{officer.name}登记执法证件 {credential.number}。", _officer_url(officer)

    return _form_page(
        request,
        CredentialIssueForm(_posted(request)),
        save=save,
        title=f"为{officer.name}登记执法证件",
        cancel_url=_officer_url(officer),
    )


@login_required
def credential_status_view(request, pk: int):
    credential = get_object_or_404(selectors.credential_list(actor=request.user), pk=pk)
    officer = credential.officer

    def save(data):
        services.credential_set_status(actor=request.user, credential=credential, **data)
        return f"证件 {credential.number} 的状态已变更。", _officer_url(officer)

    return _form_page(
        request,
        CredentialStatusForm(_posted(request)),
        save=save,
        title=f"变更执法证件 {credential.number} 的状态",
        cancel_url=_officer_url(officer),
        template="core/confirm.html",
        question=f"持证人：{officer.name}（{officer.agency.name}）。"
        "状态变更会立即影响其执法资格和公开的证件查询结果，并记入台账。",
        verb="变更",
    )
