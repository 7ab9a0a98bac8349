"""Workbench pages for the 执法事项清单 (PUB-02): list, Excel import and export,
and the form for one matter. They read through selectors, write through
services, and show ``ZhifaError`` messages; who may write is decided by
``require_agency_admin`` alone."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from zhifa.accounts.models import Agency, Unit
from zhifa.accounts.selectors import agency_list
from zhifa.accounts.services import require_agency_admin
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.selectors import matter_list
from zhifa.catalogues.services import (
    MATTER_SHEET_HEADERS,
    MATTER_SHEET_TITLE,
    matter_create,
    matter_import,
    matter_rows,
    matter_update,
)
from zhifa.core.errors import ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, managed_agencies, permitted


def _may_manage(user, agency: Agency) -> bool:
    return permitted(require_agency_admin, user, agency)


def _managed_agencies(user) -> list[Agency]:
    """The agencies whose matters ``user`` may write, in the order of the list."""
    return managed_agencies(user, require_agency_admin)


# --- List and export -----------------------------------------------------------------

MATTER_LISTING = Listing(
    title="执法事项清单",
    columns=[
        Column("项目编码", "code", sort="code"),
        Column("事项名称", "name", sort="name"),
        Column("事项类别", "get_action_kind_display", sort="action_kind"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("承办机构", "unit.name"),
        Column("执法依据", "legal_basis"),
        Column("办理时限（工作日）", "time_limit_days", sort="time_limit_days"),
    ],
    search_fields=("code", "name", "legal_basis", "agency__name"),
    default_sort="code",
)


def _sheet_response(filename: str, matters) -> HttpResponse:
    return workbook_response(
        filename=filename,
        title=MATTER_SHEET_TITLE,
        headers=MATTER_SHEET_HEADERS,
        rows=matter_rows(matters),
    )


@login_required
def matter_list_view(request):
    matters = matter_list(actor=request.user)
    if request.GET.get("export") == "xlsx":
        # The export uses the import layout, not the on-screen columns, so that the
        # downloaded file can be edited and uploaded again.
        matters, _, _ = MATTER_LISTING.filter(request, matters)
        return _sheet_response(f"{MATTER_SHEET_TITLE}.xlsx", matters.iterator())
    listing = MATTER_LISTING
    if any(_may_manage(request.user, a) for a in agency_list(actor=request.user)):
        # A per-request copy: the module-level listing is shared by every request.
        code = dataclasses.replace(
            listing.columns[0], link=lambda m: reverse("catalogues:matter-edit", args=[m.pk])
        )
        listing = dataclasses.replace(
            listing,
            columns=[code, *listing.columns[1:]],
            actions=[
                ("新建事项", reverse("catalogues:matter-create")),
                ("导入 Excel", reverse("catalogues:matter-import")),
                ("下载导入模板", reverse("catalogues:matter-template")),
            ],
        )
    return listing.respond(request, matters)


@login_required
def matter_template_view(request):
    return _sheet_response(f"{MATTER_SHEET_TITLE}导入模板.xlsx", [])


# --- Import ----------------------------------------------------------------------------


class MatterImportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="执法主体", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            # An agency admin imports for their own agency only: nothing to choose.
            self.fields["agency"].initial = agencies[0]
            self.fields["agency"].widget = forms.HiddenInput()


@login_required
def matter_import_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以导入执法事项。")
    form = MatterImportForm(request.POST or None, request.FILES or None, agencies=agencies)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        agency = form.cleaned_data["agency"]
        try:
            result = matter_import(
                actor=request.user, agency=agency, data=upload.read(), filename=upload.name
            )
        except ZhifaError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"已导入{agency.name}的执法事项：新增 {result.created} 条，"
                f"更新 {result.updated} 条，未变 {result.unchanged} 条。",
            )
            return redirect("catalogues:matter-list")
    return render(
        request,
        "catalogues/matter_import.html",
        {
            "title": "导入执法事项",
            "form": form,
            "error": error,
            "agency": agencies[0] if len(agencies) == 1 else None,
            "headers": MATTER_SHEET_HEADERS,
            "kinds": ActionKind.labels,
        },
    )


# --- One matter ------------------------------------------------------------------------


def _max_length(field: str) -> int:
    return Matter._meta.get_field(field).max_length


class MatterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="执法主体", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    code = forms.CharField(label="项目编码", max_length=_max_length("code"))
    name = forms.CharField(label="事项名称", max_length=_max_length("name"))
    action_kind = forms.ChoiceField(label="事项类别", choices=ActionKind.choices)
    unit = forms.ModelChoiceField(
        label="承办机构", queryset=Unit.objects.none(), required=False, empty_label="（不指定）"
    )
    legal_basis = forms.CharField(label="执法依据", widget=forms.Textarea(attrs={"rows": 5}))
    time_limit_days = forms.IntegerField(
        label="办理时限（工作日）",
        min_value=0,
        required=False,
        help_text="法定办理时限，以工作日计；无法定时限的留空并在备注中说明",
    )
    note = forms.CharField(label="备注", max_length=_max_length("note"), required=False)
    is_active = forms.BooleanField(label="在用", required=False)

    def __init__(self, *args, agencies: list[Agency], matter: Matter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(agency__in=[a.pk for a in agencies]).select_related("agency")
        self.fields["unit"].queryset = units.order_by("agency__name", "name")
        if len(agencies) > 1:
            self.fields["unit"].label_from_instance = lambda u: f"{u.agency.name} · {u.name}"
        if matter is not None:
            # The code identifies the matter in imports and in the ledger: it is not edited.
            del self.fields["agency"], self.fields["code"]
            self.fields["unit"].queryset = units.filter(agency=matter.agency)
            return
        del self.fields["is_active"]
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
            self.fields["agency"].widget = forms.HiddenInput()


def _matter_form_page(request, form, *, save, title: str, matter: Matter | None = None):
    return form_page(
        request,
        form,
        save=save,
        title=title,
        cancel_url=reverse("catalogues:matter-list"),
        template="catalogues/matter_form.html",
        matter=matter,
    )


@login_required
def matter_create_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有机关管理员可以新建执法事项。")
    form = MatterForm(request.POST or None, agencies=agencies)

    def save(data):
        matter = matter_create(actor=request.user, **data)
        return f"已新建执法事项 {matter}。", reverse("catalogues:matter-list")

    return _matter_form_page(request, form, save=save, title="新建执法事项")


@login_required
def matter_edit_view(request, pk: int):
    matter = get_object_or_404(matter_list(actor=request.user), pk=pk)
    if not _may_manage(request.user, matter.agency):
        raise PermissionDenied("只有本机关的管理员可以修改执法事项。")
    initial = {
        name: getattr(matter, name)
        for name in (
            "name",
            "action_kind",
            "unit",
            "legal_basis",
            "time_limit_days",
            "note",
            "is_active",
        )
    }
    form = MatterForm(
        request.POST or None, initial=initial, agencies=[matter.agency], matter=matter
    )

    def save(data):
        matter_update(actor=request.user, matter=matter, **data)
        return f"已保存执法事项 {matter.code}。", reverse("catalogues:matter-list")

    return _matter_form_page(
        request, form, save=save, title=f"修改执法事项 {matter}", matter=matter
    )
