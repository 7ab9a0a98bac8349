"""Workbench pages of 双随机、一公开 (INS-01, INS-02). Thin: they read through
selectors, write through services, and show ``ZhifaError`` messages; who may
act is asked of the services' ``require_*`` checks."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from zhifa.core.errors import ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, managed_agencies, permitted, require
from zhifa.inspections import selectors, services
from zhifa.inspections.forms import (
    CommitForm,
    ConflictForm,
    DrawForm,
    ImportForm,
    MatterForm,
    PlanForm,
    PoolForm,
    ResultForm,
    ReviewForm,
    TargetForm,
)
from zhifa.inspections.models import Inspection, InspectionMatter, Plan
from zhifa.inspections.verify import plan_verify


def _posted(request):
    return request.POST if request.method == "POST" else None


def _form(request, form, **kwargs):
    return form_page(request, form, template="inspections/form.html", **kwargs)


def _managed(user) -> list:
    return managed_agencies(user, services.require_inspection_manager)


def _plan_url(plan) -> str:
    return reverse("inspections:plan-detail", args=[plan.pk])


def _matter_url(matter) -> str:
    return reverse("inspections:matter-detail", args=[matter.pk])


def _inspection_url(inspection) -> str:
    return reverse("inspections:inspection-detail", args=[inspection.pk])


# --- Plans ------------------------------------------------------------------------------

PLAN_LISTING = Listing(
    title="双随机抽查计划",
    columns=[
        Column("计划名称", "name", sort="name", link=_plan_url),
        Column("抽查主体", "agency.name", sort="agency__name"),
        Column("抽查事项", "matter.name", sort="matter__name"),
        Column(
            "比例/数量", lambda p: f"{p.ratio_percent}%" if p.ratio_percent is not None else p.count
        ),
        Column("频次", "get_frequency_display", sort="frequency"),
        Column("开始日期", "period_start", sort="period_start"),
        Column("结束日期", "period_end", sort="period_end"),
        Column("状态", "get_status_display", sort="status"),
        Column("抽中户数", "drawn_count"),
    ],
    search_fields=("name", "matter__name", "agency__name"),
    default_sort="-period_start",
    export_name="双随机抽查计划",
)


@login_required
def plan_list_view(request):
    actions = [
        ("随机抽查事项与名录库", reverse("inspections:matter-list")),
        ("我的抽查任务", reverse("inspections:inspection-list")),
    ]
    if _managed(request.user):
        actions.insert(0, ("制定抽查计划", reverse("inspections:plan-create")))
    listing = dataclasses.replace(PLAN_LISTING, actions=actions)
    return listing.respond(request, selectors.plan_list(actor=request.user))


@login_required
def plan_create_view(request):
    agencies = _managed(request.user)
    if not agencies:
        raise PermissionDenied("只有本机关的管理人员可以制定抽查计划。")
    matters = selectors.matter_list(actor=request.user).filter(agency__in=agencies, is_active=True)
    form = PlanForm(_posted(request), matters=matters)

    def save(data):
        plan = services.plan_create(actor=request.user, **data)
        return f"已制定抽查计划“{plan.name}”。", _plan_url(plan)

    return _form(
        request,
        form,
        save=save,
        title="制定抽查计划",
        cancel_url=reverse("inspections:plan-list"),
    )


def _plan(request, pk) -> Plan:
    return get_object_or_404(selectors.plan_list(actor=request.user), pk=pk)


@login_required
def plan_detail_view(request, pk: int):
    plan = _plan(request, pk)
    manager = permitted(services.require_inspection_manager, request.user, plan.agency)
    inspections = selectors.inspection_list(actor=request.user).filter(plan=plan).order_by("order")
    checks = (
        plan_verify(plan) if plan.status == Plan.Status.DRAWN and "verify" in request.GET else None
    )
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "title": plan.name,
            "plan": plan,
            "inspections": inspections[:500],
            "can_commit": manager and plan.status == Plan.Status.DRAFT,
            "can_draw": manager and plan.status == Plan.Status.COMMITTED,
            "checks": checks,
            "exclusion_sources": selectors.exclusion_sources(plan),
            "exclusion_note": plan.exclusion_note(plan.excluded_count)
            if plan.excluded_count
            else "",
            "public_url": reverse("api:inspection-draw-detail", args=[plan.pk]),
        },
    )


@login_required
def plan_commit_view(request, pk: int):
    plan = _plan(request, pk)
    require(services.require_inspection_manager, request.user, plan.agency)

    def save(data):
        services.plan_commit(actor=request.user, plan=plan, **data)
        return "名录库已冻结，种子承诺值已公布。", _plan_url(plan)

    return form_page(
        request,
        CommitForm(_posted(request)),
        save=save,
        title=f"冻结名录库：{plan.name}",
        cancel_url=_plan_url(plan),
        template="core/confirm.html",
        question="冻结后，本计划使用的检查对象名录库、检查人员名录库和回避名单即固定下来，"
        "种子承诺值随即公开。请选择一个现在尚未产生的公开随机数（如下一期彩票开奖号码）作为来源；"
        "冻结后不能更改。",
        verb="冻结并公布",
    )


@login_required
def plan_draw_view(request, pk: int):
    plan = _plan(request, pk)
    require(services.require_inspection_manager, request.user, plan.agency)

    def save(data):
        drawn = services.plan_draw(actor=request.user, plan=plan, **data)
        return f"已抽取 {drawn.inspections.count()} 个检查对象。", _plan_url(plan)

    return form_page(
        request,
        DrawForm(_posted(request)),
        save=save,
        title=f"抽取：{plan.name}",
        cancel_url=_plan_url(plan),
        template="core/confirm.html",
        question=f"公开随机数来源：{plan.beacon_source}。请按公布的原文录入该随机数。"
        "抽取结果由随机数和已公布的承诺唯一确定，抽取后不能重新抽取。",
        verb="抽取",
    )


# --- Matters and libraries ---------------------------------------------------------------

MATTER_LISTING = Listing(
    title="随机抽查事项清单",
    columns=[
        Column("事项编码", "code", sort="code", link=_matter_url),
        Column("抽查事项", "name", sort="name"),
        Column("抽查主体", "agency.name", sort="agency__name"),
        Column("执法类别", "category"),
        Column("抽查方式", "method"),
        Column("在用", "is_active"),
    ],
    search_fields=("code", "name", "category"),
    default_sort="code",
    export_name="随机抽查事项清单",
)


@login_required
def matter_list_view(request):
    listing = MATTER_LISTING
    managed = _managed(request.user)
    if managed:
        actions = [("登记抽查事项", reverse("inspections:matter-create"))]
        if len(managed) == 1:
            actions.append(("生成随机抽查事项清单公示稿", reverse("inspections:matter-disclose")))
        listing = dataclasses.replace(listing, actions=actions)
    return listing.respond(request, selectors.matter_list(actor=request.user))


@login_required
def matter_disclose_view(request):
    """Prepare the agency's 随机抽查事项清单 for the portal (PUB-02), after a confirmation."""
    managed = _managed(request.user)
    if len(managed) != 1:
        raise PermissionDenied("只有本机关的管理人员可以生成随机抽查事项清单。")
    agency = managed[0]
    cancel = reverse("inspections:matter-list")
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            item = services.matters_disclosure_prepare(actor=request.user, agency=agency)
        except ZhifaError as exc:
            messages.error(request, exc.message)
            return redirect(cancel)
        messages.success(request, "已生成随机抽查事项清单公示稿，等待法制机构审核公示。")
        return redirect(reverse("portal:wb-detail", args=[item.pk]))
    return render(
        request,
        "core/confirm.html",
        {
            "title": "生成随机抽查事项清单公示稿",
            "question": f"按{agency.name}在用的随机抽查事项生成清单公示稿，并提交法制机构审核？"
            "已公示的旧清单将在新清单生成时撤下并说明更新。",
            "verb": "生成",
            "cancel_url": cancel,
            "form": None,
        },
    )


@login_required
def matter_create_view(request):
    agencies = _managed(request.user)
    if not agencies:
        raise PermissionDenied("只有本机关的管理人员可以登记随机抽查事项。")

    def save(data):
        item = services.matter_create(actor=request.user, **data)
        return f"已登记随机抽查事项“{item.name}”。", _matter_url(item)

    return _form(
        request,
        MatterForm(_posted(request), agencies=agencies),
        save=save,
        title="登记随机抽查事项",
        cancel_url=reverse("inspections:matter-list"),
    )


def _matter(request, pk) -> InspectionMatter:
    return get_object_or_404(selectors.matter_list(actor=request.user), pk=pk)


@login_required
def matter_detail_view(request, pk: int):
    item = _matter(request, pk)
    targets = selectors.target_list(actor=request.user).filter(matter=item)
    q = request.GET.get("q", "").strip()
    if q:
        targets = targets.filter(name__icontains=q) | targets.filter(credit_code__icontains=q)
    return render(
        request,
        "inspections/matter_detail.html",
        {
            "title": str(item),
            "matter": item,
            "targets": targets.order_by("credit_code", "name")[:200],
            "target_count": targets.count(),
            "q": q,
            "pool": selectors.pool_list(actor=request.user).filter(matter=item, is_active=True),
            "conflicts": selectors.conflict_list(actor=request.user).filter(target__matter=item)[
                :200
            ],
            "can_manage": permitted(services.require_inspection_manager, request.user, item.agency),
        },
    )


@login_required
def target_export_view(request, pk: int):
    item = _matter(request, pk)
    blank = request.GET.get("template") == "1"
    targets = (
        [] if blank else selectors.target_list(actor=request.user).filter(matter=item).iterator()
    )
    return workbook_response(
        filename=f"{services.TARGET_SHEET_TITLE}{'导入模板' if blank else ''}.xlsx",
        title=services.TARGET_SHEET_TITLE,
        headers=services.TARGET_SHEET_HEADERS,
        rows=services.target_rows(targets),
    )


@login_required
def target_create_view(request, pk: int):
    item = _matter(request, pk)
    require(services.require_inspection_manager, request.user, item.agency)

    def save(data):
        target = services.target_create(actor=request.user, matter=item, **data)
        return f"已登记检查对象“{target}”。", _matter_url(item)

    return _form(
        request,
        TargetForm(_posted(request)),
        save=save,
        title=f"登记检查对象：{item.name}",
        cancel_url=_matter_url(item),
    )


@login_required
def target_import_view(request, pk: int):
    item = _matter(request, pk)
    require(services.require_inspection_manager, request.user, item.agency)
    form = ImportForm(_posted(request), request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.target_import(
                actor=request.user, matter=item, data=upload.read(), filename=upload.name
            )
        except ZhifaError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"已导入检查对象名录库：新增 {result.created} 户，更新 {result.updated} 户，"
                f"未变 {result.unchanged} 户。",
            )
            return redirect(_matter_url(item))
    return render(
        request,
        "inspections/target_import.html",
        {
            "title": f"导入检查对象名录库：{item.name}",
            "matter": item,
            "form": form,
            "error": error,
            "headers": services.TARGET_SHEET_HEADERS,
        },
    )


@login_required
def pool_add_view(request, pk: int):
    item = _matter(request, pk)
    require(services.require_inspection_manager, request.user, item.agency)
    officers = item.agency.officers.filter(is_active=True).order_by("name")

    def save(data):
        services.pool_add(actor=request.user, matter=item, **data)
        return f"{data['officer'].name}已加入检查人员名录库。", _matter_url(item)

    return _form(
        request,
        PoolForm(_posted(request), officers=officers),
        save=save,
        title=f"加入检查人员名录库：{item.name}",
        cancel_url=_matter_url(item),
    )


@login_required
def conflict_declare_view(request, pk: int):
    item = _matter(request, pk)
    targets = selectors.target_list(actor=request.user).filter(matter=item).order_by("name")
    if permitted(services.require_inspection_manager, request.user, item.agency):
        officers = item.agency.officers.filter(inspection_pools__matter=item).order_by("name")
    else:
        me = getattr(request.user, "officer", None)
        if me is None or me.agency_id != item.agency_id:
            raise PermissionDenied("回避由检查人员本人申报，或由本机关管理人员登记。")
        officers = item.agency.officers.filter(pk=me.pk)
    form = ConflictForm(_posted(request), officers=officers, targets=targets)

    def save(data):
        services.conflict_declare(actor=request.user, **data)
        return "回避已登记。", _matter_url(item)

    return _form(
        request,
        form,
        save=save,
        title=f"申报回避：{item.name}",
        cancel_url=_matter_url(item),
        intro="登记后，此后冻结的名录库中该人员不会被抽取检查该对象；已抽取的计划不受影响。",
    )


# --- Inspections and results -------------------------------------------------------------

INSPECTION_LISTING = Listing(
    title="抽查任务",
    columns=[
        Column("检查对象", "target.name", sort="target__name", link=_inspection_url),
        Column("统一社会信用代码", "target.credit_code"),
        Column("抽查计划", "plan.name", sort="plan__name"),
        Column("检查人员", lambda i: "、".join(a.officer.name for a in i.assignments.all())),
        Column("检查日期", "checked_on", sort="checked_on"),
        Column("状态", "get_status_display", sort="status"),
    ],
    search_fields=("target__name", "target__credit_code", "plan__name"),
    default_sort="status",
    export_name="抽查任务",
)


@login_required
def inspection_list_view(request):
    inspections = selectors.inspection_list(actor=request.user)
    show = request.GET.get("show", "mine")
    if show == "mine":
        inspections = inspections.filter(assignments__officer__user=request.user)
    elif show == "review":
        inspections = inspections.filter(status=Inspection.Status.SUBMITTED)
    else:
        show = "all"
    filters = [
        ("mine", "我的任务", show == "mine"),
        ("review", "待审核", show == "review"),
        ("all", "全部", show == "all"),
    ]
    return INSPECTION_LISTING.respond(
        request, inspections, context={"filters": filters, "filter_name": "show"}
    )


@login_required
def inspection_detail_view(request, pk: int):
    inspection = get_object_or_404(selectors.inspection_list(actor=request.user), pk=pk)
    user = request.user
    can_enter = inspection.status in services.ENTERABLE and permitted(
        services.require_assigned_inspector, user, inspection
    )
    can_review = inspection.status == Inspection.Status.SUBMITTED and permitted(
        services.require_result_reviewer, user, inspection
    )
    result_form = ResultForm(request.POST if request.POST.get("form") == "result" else None)
    review_form = ReviewForm(request.POST if request.POST.get("form") == "review" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "result" and result_form.is_valid():
                require(services.require_assigned_inspector, user, inspection)
                services.result_enter(actor=user, inspection=inspection, **result_form.cleaned_data)
                messages.success(request, "检查结果已提交审核。")
                return redirect(_inspection_url(inspection))
            if request.POST.get("form") == "review" and review_form.is_valid():
                require(services.require_result_reviewer, user, inspection)
                services.result_review(
                    actor=user, inspection=inspection, **review_form.cleaned_data
                )
                messages.success(request, "审核意见已记录。")
                return redirect(_inspection_url(inspection))
        except ZhifaError as exc:
            (result_form if request.POST.get("form") == "result" else review_form).add_error(
                None, exc.message
            )
    results = inspection.results.select_related("entered_by").prefetch_related("reviews__reviewer")
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "title": f"抽查任务：{inspection.target.name}",
            "inspection": inspection,
            "results": results,
            "result_form": result_form if can_enter else None,
            "review_form": review_form if can_review else None,
        },
    )
