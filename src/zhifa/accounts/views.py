"""Workbench pages for agencies, people and credentials. Thin: they read
through selectors, write through services, and show ``ZhifaError`` messages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.accounts import selectors, services
from zhifa.accounts.forms import CredentialStatusForm, LoginForm
from zhifa.accounts.models import Credential, Officer, Role
from zhifa.core.errors import ZhifaError
from zhifa.core.listing import Column, Listing


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
    return AGENCY_LISTING.respond(request, selectors.agency_list(actor=request.user))


@login_required
def agency_detail_view(request, pk: int):
    agency = get_object_or_404(selectors.agency_list(actor=request.user), pk=pk)
    return render(
        request,
        "accounts/agency_detail.html",
        {
            "title": agency.name,
            "agency": agency,
            "units": agency.units.all(),
            "staffing": selectors.reviewer_staffing(agency),
            "officer_count": agency.officers.filter(is_active=True).count(),
        },
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


@login_required
def officer_detail_view(request, pk: int):
    officer = get_object_or_404(selectors.officer_list(actor=request.user), pk=pk)
    today = timezone.localdate()
    credentials = [
        (c, c.status_on(today), c.status_label_on(today)) for c in officer.credentials.all()
    ]
    return render(
        request,
        "accounts/officer_detail.html",
        {
            "title": officer.name,
            "officer": officer,
            "roles": _roles_label(officer),
            "credentials": credentials,
            "can_manage_credentials": selectors.is_sysadmin(request.user)
            or services.supervises(request.user, officer.agency),
        },
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
    return CREDENTIAL_LISTING.respond(request, selectors.credential_list(actor=request.user))


@login_required
def credential_status_view(request, pk: int):
    credential = get_object_or_404(selectors.credential_list(actor=request.user), pk=pk)
    back = reverse("accounts:officer-detail", args=[credential.officer_id])
    form = CredentialStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_set_status(
                actor=request.user,
                credential=credential,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"证件 {credential.number} 的状态已变更。")
            return redirect(back)
    return render(
        request,
        "core/confirm.html",
        {
            "title": f"变更执法证件 {credential.number} 的状态",
            "question": f"持证人：{credential.officer.name}（{credential.officer.agency.name}）。"
            "状态变更会立即影响其执法资格和公开的证件查询结果，并记入台账。",
            "form": form,
            "verb": "变更",
            "cancel_url": back,
        },
    )
