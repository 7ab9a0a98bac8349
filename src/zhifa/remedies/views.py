"""Workbench pages of remedy outcomes: a case's entries, recording one (or the
entry that concludes or corrects another), and the agency's list (复议诉讼台账)
with search, sorting and Excel export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed
from zhifa.core.errors import NotFound
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page
from zhifa.remedies import selectors, services
from zhifa.remedies.forms import RemedyForm
from zhifa.remedies.models import Remedy
from zhifa.reviews.catalogue import decision_record


def case_url(case) -> str:
    return reverse("remedies:case", args=[case.pk])


def _case(request, pk: int):
    try:
        return case_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def case_remedies_view(request, pk: int):
    case = _case(request, pk)
    case_viewed(actor=request.user, case=case, what="remedies")
    entries = list(Remedy.objects.filter(case=case).select_related("recorded_by", "superseded_by"))
    return render(
        request,
        "remedies/case.html",
        {
            "case": case,
            "entries": entries,
            "decision": decision_record(case),
            "may_record": services.may_record(request.user, case),
        },
    )


def _form_page(request, case, *, supersedes: Remedy | None = None):
    if not services.may_record(request.user, case):
        raise PermissionDenied("只有本机关法制机构人员或机关负责人可以登记复议、诉讼及纠错结果。")
    initial = {}
    if supersedes is not None:
        initial = {
            f: getattr(supersedes, f)
            for f in ("channel", "instance", "body", "document_number", "filed_on", "summary")
        }
    form = RemedyForm(request.POST if request.method == "POST" else None, initial=initial)

    def save(data):
        data.pop("confirmed")
        remedy = services.remedy_record(
            actor=request.user, case=case, supersedes=supersedes, **data
        )
        message = f"已登记：{remedy.label}。"
        if remedy.withdrawn:
            message += f"本案已公示的行政执法决定 {len(remedy.withdrawn)} 项已撤下。"
        return message, case_url(case)

    verb = "登记结果或更正" if supersedes is not None else "登记复议、诉讼或纠错结果"
    return form_page(
        request,
        form,
        save=save,
        title=f"案件 {case.number} {verb}",
        cancel_url=case_url(case),
        template="remedies/form.html",
        case=case,
        supersedes=supersedes,
    )


@login_required
def remedy_create_view(request, pk: int):
    return _form_page(request, _case(request, pk))


@login_required
def remedy_supersede_view(request, pk: int, rid: int):
    case = _case(request, pk)
    entry = get_object_or_404(Remedy, case=case, pk=rid)
    return _form_page(request, case, supersedes=entry)


def _state(r: Remedy) -> str:
    return "已被取代" if getattr(r, "superseded_by", None) else "有效"


LISTING = Listing(
    title="行政复议、行政诉讼与自行纠正台账",
    columns=[
        Column("案件编号", "case.number", sort="case__number", link=lambda r: case_url(r.case)),
        Column("执法主体", "case.agency.name", sort="case__agency__name"),
        Column("渠道", "get_channel_display", sort="channel"),
        Column("审级", "get_instance_display", sort="instance"),
        Column("结果", "get_outcome_display", sort="outcome"),
        Column("复议机关或人民法院", "body", sort="body"),
        Column("文书文号", "document_number"),
        Column("申请（起诉）日期", "filed_on", sort="filed_on"),
        Column("决定（裁判）日期", "decided_on", sort="decided_on"),
        Column("登记人", "recorded_by.username"),
        Column("登记时间", "recorded_at", sort="recorded_at"),
        Column("状态", _state),
    ],
    search_fields=["case__number", "case__title", "body", "document_number"],
    default_sort="-recorded_at",
    export_name="复议诉讼台账",
)


@login_required
def remedy_list_view(request):
    found = selectors.remedy_list(actor=request.user)
    if request.GET.get("all") != "1":
        found = found.filter(superseded_by__isnull=True)
    for key, choices in (("channel", Remedy.Channel), ("outcome", Remedy.Outcome)):
        value = request.GET.get(key)
        if value in choices.values:
            found = found.filter(**{key: value})
    return LISTING.respond(
        request,
        found,
        template="remedies/list.html",
        context={"channels": Remedy.Channel.choices, "outcomes": Remedy.Outcome.choices},
    )
