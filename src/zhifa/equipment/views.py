"""Workbench pages for equipment and rooms (REC-15). Thin: they read through
selectors, write through services, and show ``ZhifaError`` messages; who may
act is asked of the services' ``require_*`` checks."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from zhifa.accounts.selectors import agency_list, officer_of
from zhifa.core.errors import ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, managed_agencies, permitted, require
from zhifa.equipment import selectors, services
from zhifa.equipment.forms import (
    CheckoutForm,
    ChecksForm,
    DeviceForm,
    DeviceImportForm,
    FaultForm,
    ResolveForm,
    RetireForm,
    RoomForm,
)
from zhifa.equipment.models import Device, Room


def _posted(request):
    return request.POST if request.method == "POST" else None


def _managed_agencies(user) -> list:
    return managed_agencies(user, services.require_equipment_manager)


def _device(request, pk: int) -> Device:
    return get_object_or_404(selectors.device_list(actor=request.user), pk=pk)


def _device_url(device: Device) -> str:
    return reverse("equipment:device-detail", args=[device.pk])


def _form(request, form, **kwargs):
    return form_page(request, form, template="equipment/form.html", **kwargs)


# --- Device list, export and import ----------------------------------------------------

DEVICE_LISTING = Listing(
    title="执法装备",
    columns=[
        Column("资产编号", "asset_number", sort="asset_number", link=_device_url),
        Column("设备类型", "get_kind_display", sort="kind"),
        Column("型号", "model", sort="model"),
        Column("序列号", "serial_number"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("状态", "get_status_display", sort="status"),
        Column("借用人", "holder_name"),
    ],
    search_fields=("asset_number", "model", "serial_number", "note", "agency__name"),
    default_sort="asset_number",
)


def _sheet_response(filename: str, devices) -> HttpResponse:
    return workbook_response(
        filename=filename,
        title=services.DEVICE_SHEET_TITLE,
        headers=services.DEVICE_SHEET_HEADERS,
        rows=services.device_rows(devices),
    )


@login_required
def device_list_view(request):
    devices = selectors.device_list(actor=request.user)
    status = request.GET.get("status", "")
    if status in Device.Status.values:
        devices = devices.filter(status=status)
    else:
        status = ""
    if request.GET.get("export") == "xlsx":
        # The import layout, not the on-screen columns, so that the file can be
        # edited and uploaded again.
        devices, _, _ = DEVICE_LISTING.filter(request, devices)
        return _sheet_response(f"{services.DEVICE_SHEET_TITLE}.xlsx", devices.iterator())
    actions = [
        ("询问室、听证室", reverse("equipment:room-list")),
        ("配备比例", reverse("equipment:ratio")),
    ]
    if _managed_agencies(request.user):
        actions = [
            ("登记设备", reverse("equipment:device-create")),
            ("导入 Excel", reverse("equipment:device-import")),
            ("下载导入模板", reverse("equipment:device-template")),
            *actions,
        ]
    # A per-request copy: the module-level listing is shared by every request.
    listing = dataclasses.replace(DEVICE_LISTING, actions=actions)
    filters = [("", "全部", not status)] + [
        (value, label, value == status) for value, label in Device.Status.choices
    ]
    return listing.respond(request, devices, context={"filters": filters, "filter_name": "status"})


@login_required
def device_template_view(request):
    return _sheet_response(f"{services.DEVICE_SHEET_TITLE}导入模板.xlsx", [])


@login_required
def device_import_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有本机关的设备管理人员可以导入设备清单。")
    form = DeviceImportForm(_posted(request), request.FILES or None, agencies=agencies)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        agency = form.cleaned_data["agency"]
        try:
            result = services.device_import(
                actor=request.user, agency=agency, data=upload.read(), filename=upload.name
            )
        except ZhifaError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"已导入{agency.name}的设备清单：新增 {result.created} 台，"
                f"更新 {result.updated} 台，未变 {result.unchanged} 台。",
            )
            return redirect("equipment:device-list")
    return render(
        request,
        "equipment/device_import.html",
        {
            "title": "导入执法装备清单",
            "form": form,
            "error": error,
            "agency": agencies[0] if len(agencies) == 1 else None,
            "headers": services.DEVICE_SHEET_HEADERS,
            "kinds": Device.Kind.labels,
        },
    )


# --- One device ------------------------------------------------------------------------


@login_required
def device_detail_view(request, pk: int):
    device = _device(request, pk)
    user = request.user
    is_manager = permitted(services.require_equipment_manager, user, device.agency)
    checkout = selectors.open_checkout(device)
    fault = selectors.open_fault(device)
    in_use = device.status != Device.Status.RETIRED
    return render(
        request,
        "equipment/device_detail.html",
        {
            "title": str(device),
            "device": device,
            "checkout": checkout,
            "fault": fault,
            "checkouts": device.checkouts.select_related("officer"),
            "faults": device.faults.select_related("reported_by"),
            "can_edit": is_manager and in_use,
            "can_retire": is_manager and device.status != Device.Status.CHECKED_OUT and in_use,
            "can_checkout": device.status == Device.Status.AVAILABLE
            and permitted(services.require_may_borrow, user, device.agency),
            "can_return": checkout is not None
            and permitted(services.require_may_return, user, checkout),
            "can_report": device.status in Device.IN_SERVICE
            and permitted(services.require_agency_staff, user, device.agency),
            "can_resolve": fault is not None and is_manager,
        },
    )


@login_required
def device_create_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有本机关的设备管理人员可以登记设备。")
    form = DeviceForm(_posted(request), agencies=agencies)

    def save(data):
        device = services.device_create(actor=request.user, **data)
        return f"已登记{device}。", _device_url(device)

    return _form(
        request, form, save=save, title="登记执法装备", cancel_url=reverse("equipment:device-list")
    )


@login_required
def device_edit_view(request, pk: int):
    device = _device(request, pk)
    require(services.require_equipment_manager, request.user, device.agency)
    initial = {key: getattr(device, key) for key in ("kind", "model", "serial_number", "note")}
    form = DeviceForm(_posted(request), initial=initial)

    def save(data):
        services.device_update(actor=request.user, device=device, **data)
        return f"已保存{device}。", _device_url(device)

    return _form(request, form, save=save, title=f"修改{device}", cancel_url=_device_url(device))


@login_required
def device_checkout_view(request, pk: int):
    device = _device(request, pk)
    require(services.require_may_borrow, request.user, device.agency)
    me = officer_of(request.user)
    officers = None
    if permitted(services.require_equipment_manager, request.user, device.agency):
        officers = device.agency.officers.filter(is_active=True).order_by("name")
    form = CheckoutForm(
        _posted(request), officers=officers, initial={"officer": me.pk if me else None}
    )

    def save(data):
        officer = data.pop("officer", None) or me
        services.device_checkout(actor=request.user, device=device, officer=officer, **data)
        return f"{device}已借给{officer.name}。", _device_url(device)

    return _form(
        request,
        form,
        save=save,
        title=f"借出{device}",
        cancel_url=_device_url(device),
        intro="领取设备前请检查电量、存储空间和日期时间设定，三项均正常方可借出"
        "（《行政执法全过程记录办法》第三十五条）。",
    )


@login_required
def device_return_view(request, pk: int):
    device = _device(request, pk)
    checkout = selectors.open_checkout(device)
    if checkout is None:
        require(services.require_may_borrow, request.user, device.agency)
    else:
        require(services.require_may_return, request.user, checkout)

    def save(data):
        services.device_return(actor=request.user, device=device, **data)
        return f"{device}已归还。", _device_url(device)

    return _form(
        request,
        ChecksForm(_posted(request)),
        save=save,
        title=f"归还{device}",
        cancel_url=_device_url(device),
        intro=f"借用人：{checkout.officer.name}。请记录归还时的检查情况；设备损坏的请改为报告故障。"
        if checkout
        else "",
    )


@login_required
def device_fault_view(request, pk: int):
    device = _device(request, pk)
    require(services.require_agency_staff, request.user, device.agency)

    def save(data):
        services.fault_report(actor=request.user, device=device, **data)
        return f"已报告{device}的故障，设备暂停借用。", _device_url(device)

    return _form(
        request,
        FaultForm(_posted(request)),
        save=save,
        title=f"报告{device}故障",
        cancel_url=_device_url(device),
        intro="报告后设备标记为故障、暂停借用；已借出的设备同时收回。",
    )


@login_required
def device_resolve_view(request, pk: int):
    device = _device(request, pk)
    require(services.require_equipment_manager, request.user, device.agency)
    fault = selectors.open_fault(device)
    if fault is None:
        messages.info(request, f"{device}没有未处理的故障。")
        return redirect(_device_url(device))

    def save(data):
        services.fault_resolve(actor=request.user, fault=fault, **data)
        return f"{device}的故障已处理，设备恢复在库。", _device_url(device)

    return _form(
        request,
        ResolveForm(_posted(request)),
        save=save,
        title=f"处理{device}故障",
        cancel_url=_device_url(device),
        intro=f"故障描述：{fault.description}",
    )


@login_required
def device_retire_view(request, pk: int):
    device = _device(request, pk)
    require(services.require_equipment_manager, request.user, device.agency)

    def save(data):
        services.device_retire(actor=request.user, device=device, **data)
        return f"{device}已报废。", _device_url(device)

    return form_page(
        request,
        RetireForm(_posted(request)),
        save=save,
        title=f"报废{device}",
        cancel_url=_device_url(device),
        template="core/confirm.html",
        question=f"{device}（{device.agency.name}）报废后不能再借出，也不能恢复；"
        "未处理的故障随之关闭。报废记入台账。",
        verb="报废",
    )


# --- Rooms -----------------------------------------------------------------------------


def _room_edit_url(room: Room) -> str:
    return reverse("equipment:room-edit", args=[room.pk])


ROOM_LISTING = Listing(
    title="询问室、听证室",
    columns=[
        Column("名称", "name", sort="name"),
        Column("类型", "get_kind_display", sort="kind"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("位置", "location"),
        Column("配备音像记录设备", "has_av_recording", sort="has_av_recording"),
        Column("在用", "is_active", sort="is_active"),
    ],
    search_fields=("name", "location", "agency__name"),
    default_sort="name",
    export_name="询问室听证室",
)


@login_required
def room_list_view(request):
    listing = ROOM_LISTING
    if _managed_agencies(request.user):
        name = dataclasses.replace(listing.columns[0], link=_room_edit_url)
        listing = dataclasses.replace(
            listing,
            columns=[name, *listing.columns[1:]],
            actions=[("登记场所", reverse("equipment:room-create"))],
        )
    return listing.respond(request, selectors.room_list(actor=request.user))


@login_required
def room_create_view(request):
    agencies = _managed_agencies(request.user)
    if not agencies:
        raise PermissionDenied("只有本机关的设备管理人员可以登记询问室、听证室。")
    form = RoomForm(_posted(request), agencies=agencies)

    def save(data):
        room = services.room_create(actor=request.user, **data)
        return f"已登记{room}。", reverse("equipment:room-list")

    return _form(
        request,
        form,
        save=save,
        title="登记询问室、听证室",
        cancel_url=reverse("equipment:room-list"),
    )


@login_required
def room_edit_view(request, pk: int):
    room = get_object_or_404(selectors.room_list(actor=request.user), pk=pk)
    require(services.require_equipment_manager, request.user, room.agency)
    initial = {key: getattr(room, key) for key in services.ROOM_FIELDS}
    form = RoomForm(_posted(request), initial=initial)

    def save(data):
        services.room_update(actor=request.user, room=room, **data)
        return f"已保存{room.name}。", reverse("equipment:room-list")

    return _form(
        request, form, save=save, title=f"修改{room}", cancel_url=reverse("equipment:room-list")
    )


# --- One device per three officers -----------------------------------------------------


@login_required
def ratio_view(request):
    ratios = selectors.equipment_ratios(agency_list(actor=request.user).order_by("name"))
    return render(
        request,
        "equipment/ratio.html",
        {
            "title": "执法记录仪、移动执法终端配备比例",
            "ratios": ratios,
            "standard": selectors.officers_per_device(),
        },
    )
