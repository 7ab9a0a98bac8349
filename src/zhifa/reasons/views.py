"""Workbench pages of the reasons: a case's structured reasons with the checker's
findings and the discretion assistant, the editing form, requests for written
reasons, exemptions and oral reasons (RSN-01 … RSN-06, INF-03). Thin: reads
through selectors, writes through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhifa.cases.models import Case
from zhifa.cases.records import EVIDENCE_KINDS
from zhifa.cases.selectors import case_get, is_handler
from zhifa.cases.services import case_viewed, require_handler
from zhifa.catalogues.benchmarks import band_suggest
from zhifa.catalogues.models import DiscretionBenchmark
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, require
from zhifa.disclosures import ratelimit
from zhifa.disclosures.forms import RequestStatusForm
from zhifa.reasons import forms, selectors, services
from zhifa.reasons.content import empty
from zhifa.reasons.models import DetailedGround, ReasonsExemption, ReasonsRequest
from zhifa.reasons.rendering import as_context
from zhifa.reasons.similar import similar_decisions


def _case(request, pk: int) -> Case:
    try:
        return case_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def detail_url(case: Case) -> str:
    return reverse("reasons:detail", args=[case.pk])


@login_required
def reasons_detail_view(request, pk: int):
    case = _case(request, pk)
    case_viewed(actor=request.user, case=case, what="reasons")
    latest = selectors.reasons_latest(case)
    content = latest.content if latest else empty()
    bench = None
    if content["discretion"]["benchmark"]:
        bench = DiscretionBenchmark.objects.filter(pk=content["discretion"]["benchmark"]).first()
    if latest is not None:
        findings = selectors.case_findings(case, content, actor=request.user)
    else:
        findings = selectors.free_text_findings(case)
    suggestion = None
    if bench is not None:
        effects = [f["effect"] for f in content["discretion"]["factors"]]
        suggestion = band_suggest(
            bench, amount_involved=content["discretion"]["amount_involved"] or None, effects=effects
        )
    return render(
        request,
        "reasons/detail.html",
        {
            "title": f"{case.number} 说明理由",
            "case": case,
            "case_url": reverse("cases:case-detail", args=[case.pk]),
            "latest": latest,
            "reasons": as_context(content, bench),
            "blocking": [f for f in findings if f.blocking],
            "warnings": [f for f in findings if not f.blocking],
            "suggestion": suggestion,
            "similar": similar_decisions(case, actor=request.user),
            "detailed": selectors.detailed_required(case),
            "exemptions": case.reasons_exemptions.all(),
            "grounds": case.detailed_grounds.all(),
            "requests": case.reasons_requests.select_related("instrument"),
            "oral": selectors.oral_list(case),
            "can_edit": is_handler(request.user, case),
        },
    )


def _evidence_choices(case: Case):
    return [
        (r.pk, f"{r.kind_label}（{timezone.localtime(r.occurred_at):%Y-%m-%d}）")
        for r in case.records.filter(kind__in=EVIDENCE_KINDS, superseded_by__isnull=True)
    ]


@login_required
def reasons_edit_view(request, pk: int):
    case = _case(request, pk)
    require(require_handler, request.user, case)
    case_viewed(actor=request.user, case=case, what="reasons:edit")
    latest = selectors.reasons_latest(case)
    content = latest.content if latest else empty()
    data = request.POST if request.method == "POST" else None
    records = _evidence_choices(case)
    evidence_initial = [
        {**e, "adopted": {True: "yes", False: "no"}.get(e["adopted"], "")}
        for e in content["evidence"]
    ]
    sets = {
        "facts": forms.FactFormSet(data, prefix="facts", initial=content["facts"]),
        "evidence": forms.EvidenceFormSet(
            data, prefix="evidence", initial=evidence_initial, form_kwargs={"records": records}
        ),
        "provisions": forms.ProvisionFormSet(
            data, prefix="provisions", initial=content["provisions"]
        ),
        "points": forms.PointFormSet(data, prefix="points", initial=content["points"]),
    }
    discretion = forms.DiscretionForm(
        data,
        prefix="discretion",
        agency=case.agency,
        initial=forms.DiscretionForm.initial_from(content["discretion"]),
    )
    if data is not None and discretion.is_valid() and all(s.is_valid() for s in sets.values()):
        given = {
            key: [row for f in formset.forms for row in [f.as_row()] if row]
            for key, formset in sets.items()
        }
        given["discretion"] = discretion.as_part()
        try:
            services.reasons_save(
                actor=request.user, case=case, content=given, note="工作台编辑", fill_quotes=True
            )
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "说明理由已保存，检查结果见下方。")
            return redirect(detail_url(case))
    return render(
        request,
        "reasons/edit.html",
        {
            "title": f"{case.number} 编辑说明理由",
            "case": case,
            "sets": sets,
            "discretion": discretion,
            "cancel_url": detail_url(case),
        },
    )


# --- Requests, exemptions, oral reasons ------------------------------------------------


@login_required
def request_create_view(request, pk: int):
    case = _case(request, pk)
    form = forms.RequestForm(
        request.POST if request.method == "POST" else None,
        initial={"requested_on": timezone.localdate()},
    )

    def save(d):
        made = services.reasons_request_register(actor=request.user, case=case, **d)
        return f"已登记，答复期限 {made.deadline:%Y-%m-%d}。", detail_url(case)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 登记说明理由申请",
        cancel_url=detail_url(case),
        template="reasons/form.html",
    )


@login_required
def request_answer_view(request, pk: int):
    item = get_object_or_404(selectors.request_list(actor=request.user), pk=pk)
    case_viewed(actor=request.user, case=item.case, what=f"reasons_request:{item.pk}")
    form = forms.AnswerForm(
        request.POST if request.method == "POST" else None,
        initial={"answered_on": timezone.localdate()},
    )

    def save(d):
        services.reasons_request_answer(actor=request.user, request=item, **d)
        return "已书面答复。", detail_url(item.case)

    return form_page(
        request,
        form,
        save=save,
        title=f"答复 {item.requester} 的说明理由申请",
        cancel_url=detail_url(item.case),
        template="reasons/form.html",
        item=item,
    )


@login_required
def exemption_create_view(request, pk: int):
    case = _case(request, pk)
    form = forms.ExemptionForm(request.POST if request.method == "POST" else None)

    def save(d):
        services.exemption_record(actor=request.user, case=case, **d)
        return "已记录不说明理由的情形。", detail_url(case)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 记录不说明理由的情形",
        cancel_url=detail_url(case),
        template="reasons/form.html",
    )


@login_required
def exemption_objection_view(request, pk: int):
    visible = ReasonsExemption.objects.filter(case__in=_visible_cases(request.user))
    exemption = get_object_or_404(visible, pk=pk)
    form = forms.ObjectionForm(request.POST if request.method == "POST" else None)

    def save(d):
        services.exemption_object(actor=request.user, exemption=exemption, **d)
        return "已登记第三人异议，该情形已撤销，须说明理由。", detail_url(exemption.case)

    return form_page(
        request,
        form,
        save=save,
        title="登记第三人异议",
        cancel_url=detail_url(exemption.case),
        template="reasons/form.html",
    )


def _visible_cases(user):
    from zhifa.cases.selectors import case_list

    return case_list(actor=user).values("pk")


@login_required
def oral_create_view(request, pk: int):
    case = _case(request, pk)
    form = forms.OralForm(request.POST if request.method == "POST" else None)

    def save(d):
        services.oral_reasons_record(actor=request.user, case=case, **d)
        return "已记录口头说明理由。", detail_url(case)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 记录口头说明理由",
        cancel_url=detail_url(case),
        template="reasons/form.html",
    )


def _state(r: ReasonsRequest) -> str:
    if r.answered_on:
        return "已答复" + ("（逾期）" if r.answered_on > r.deadline else "")
    return "逾期未答复" if r.deadline < timezone.localdate() else "待答复"


REQUEST_LISTING = Listing(
    title="说明理由申请",
    columns=[
        Column(
            "案件编号",
            "case.number",
            sort="case__number",
            link=lambda r: reverse("reasons:detail", args=[r.case_id]),
        ),
        Column("执法主体", "case.agency.name", sort="case__agency__name"),
        Column("申请人", "requester", sort="requester"),
        Column("渠道", "get_channel_display", sort="channel"),
        Column("申请日期", "requested_on", sort="requested_on"),
        Column("答复期限", "deadline", sort="deadline"),
        Column("答复日期", "answered_on", sort="answered_on"),
        Column("状态", _state),
    ],
    search_fields=["case__number", "requester", "content"],
    default_sort="deadline",
    export_name="说明理由申请",
)


@login_required
def request_list_view(request):
    found = selectors.request_list(actor=request.user)
    if request.GET.get("overdue") == "1":
        found = found.filter(answered_on__isnull=True, deadline__lt=timezone.localdate())
    return REQUEST_LISTING.respond(request, found)


# --- Grounds for detailed reasons (RSN-02) ---------------------------------------------


@login_required
def ground_create_view(request, pk: int):
    case = _case(request, pk)
    form = forms.GroundForm(request.POST if request.method == "POST" else None)

    def save(d):
        services.detailed_ground_record(actor=request.user, case=case, **d)
        return "已记录，本案须详细说明理由。", detail_url(case)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 记录须详细说明理由的情形",
        cancel_url=detail_url(case),
        template="reasons/form.html",
    )


@login_required
def ground_withdraw_view(request, pk: int):
    visible = DetailedGround.objects.filter(case__in=_visible_cases(request.user))
    ground = get_object_or_404(visible, pk=pk)
    form = forms.WithdrawalForm(request.POST if request.method == "POST" else None)

    def save(d):
        services.detailed_ground_withdraw(actor=request.user, ground=ground, **d)
        return "已撤回该情形。", detail_url(ground.case)

    return form_page(
        request,
        form,
        save=save,
        title=f"撤回“{ground.get_ground_display()}”",
        cancel_url=detail_url(ground.case),
        template="reasons/form.html",
    )


# --- The portal: a party asks for written reasons (RSN-05, PUB-10) ----------------------


@require_http_methods(["GET", "POST"])
def public_request_view(request):
    posted = request.method == "POST"
    form = forms.PublicRequestForm(request.POST if posted else None, session=request.session)
    if posted:
        per_hour = settings.ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR
        if not ratelimit.allow(request, "reasons_request", limit=per_hour, period_seconds=3600):
            form.add_error(None, "提交过于频繁，请稍后再试。")
        elif form.is_valid():
            d = form.cleaned_data
            try:
                made = services.reasons_request_submit(
                    decision_number=d["decision_number"],
                    party=d["party"],
                    requester=d["requester"],
                    contact=d["contact"],
                    content=d["content"],
                )
            except ZhifaError as exc:
                form.add_error(None, exc.message)
            else:
                return render(
                    request,
                    "reasons/public_done.html",
                    {"title": "已收到您的申请", "item": made, "code": made.access_code},
                )
    return render(
        request,
        "reasons/public_request.html",
        {"title": "申请书面说明理由", "form": form},
        status=400 if posted else 200,
    )


@require_http_methods(["GET", "POST"])
def public_status_view(request):
    form = RequestStatusForm(request.POST or None)
    context = {"title": "查询说明理由申请", "form": form}
    if request.method == "POST":
        per_hour = settings.ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR * 3
        if not ratelimit.allow(request, "reasons_status", limit=per_hour, period_seconds=3600):
            context["message"] = "查询过于频繁，请稍后再试。"
        elif form.is_valid():
            item = services.reasons_request_lookup(
                tracking_number=form.cleaned_data["tracking_number"],
                access_code=form.cleaned_data["access_code"],
            )
            if item is None:
                # One message for a wrong number and a wrong code: numbers are not probed.
                context["message"] = "查询编号或查询码不正确。"
            else:
                context["item"] = item
    return render(request, "reasons/public_status.html", context)
