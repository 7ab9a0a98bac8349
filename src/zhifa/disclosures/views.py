"""The public portal (PUB-01 … PUB-12), anonymous, showing only what may be
public, and the legal unit's publication queue in the workbench. Thin: reads
through selectors, writes through services."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from zhifa.accounts.models import Agency, Credential
from zhifa.accounts.selectors import credential_list, officer_of
from zhifa.catalogues.models import ActionKind
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, managed_agencies, permitted, require
from zhifa.disclosures import exchange, ratelimit, selectors, services
from zhifa.disclosures.forms import (
    AnswerForm,
    ExAnteForm,
    GroundForm,
    PublicRequestForm,
    ReasonForm,
    RequestStatusForm,
    WindowForm,
    WindowImportForm,
)
from zhifa.disclosures.models import Disclosure, PublicRequest
from zhifa.disclosures.pagecache import cached_list
from zhifa.disclosures.redaction import LABELS

PAGE_SIZE = 20


def _page(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


class Window:
    """One page of a long list without counting it: ``size + 1`` rows tell
    whether a next page exists. Counting a broad search over a million
    published decisions costs more than the page itself (bench/portal_search.py)."""

    class paginator:
        count = None

    def __init__(self, items, number: int, size: int) -> None:
        offset = (number - 1) * size
        rows = list(items[offset : offset + size + 1])
        self.number = number
        self.object_list = rows[:size]
        self._more = len(rows) > size

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self._more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _window(request, items, size=PAGE_SIZE) -> Window:
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1
    return Window(items, number, size)


def _query_without_page(request) -> str:
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return urlencode(params) + "&" if params else ""


def _found(getter, *args):
    try:
        return getter(*args)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- Portal: agencies, officers, matters (PUB-02) ---------------------------------------


def portal_home(request):
    return render(request, "disclosures/home.html", {"groups": selectors.portal_agencies()})


def agency_detail(request, pk: int):
    agency = _found(selectors.portal_agency, pk)
    mq = request.GET.get("mq", "").strip()[:100]
    return render(
        request,
        "disclosures/agency_detail.html",
        {
            "title": agency.name,
            "agency": agency,
            "units": agency.units.exclude(kind="other").order_by("name"),
            "officers": selectors.portal_officers(agency),
            "ex_ante": selectors.published_ex_ante(agency),
            "matters": selectors.portal_matters(agency, query=mq),
            "stale": selectors.stale_matters_public(),
            "mq": mq,
        },
    )


def matter_list(request):
    mq = request.GET.get("mq", "").strip()[:100]
    return render(
        request,
        "disclosures/matter_list.html",
        {
            "title": "执法事项",
            "page": _page(request, selectors.portal_matters(query=mq), 50),
            "stale": selectors.stale_matters_public(),
            "mq": mq,
            "query": _query_without_page(request),
        },
    )


@xframe_options_exempt
def agency_embed(request, pk: int):
    """A column an agency can embed on its own website (PUB-12)."""
    agency = _found(selectors.portal_agency, pk)
    items = selectors.published_decisions(selectors.DecisionFilters(agency=agency.pk))[:20]
    base = settings.ZHIFA_PORTAL_BASE_URL.rstrip("/") or request.build_absolute_uri("/")[:-1]
    return render(
        request, "disclosures/embed.html", {"agency": agency, "items": items, "base": base}
    )


# --- Portal: decisions, search, feed, export, takedowns (PUB-06, PUB-09, PUB-12) ----------


@cached_list
def decision_list(request):
    filters = selectors.DecisionFilters.from_params(request.GET)
    return render(
        request,
        "disclosures/decision_list.html",
        {
            "title": "执法决定公示",
            "f": filters,
            "page": _window(request, selectors.published_decisions(filters)),
            "agencies": Agency.objects.filter(is_active=True).order_by("name").only("name"),
            "categories": ActionKind.choices,
            "query": _query_without_page(request),
        },
    )


@cached_list
def inspection_result_list(request):
    """Published inspection results (INS-02, PUB-06), searchable like decisions."""
    filters = selectors.DecisionFilters.from_params(request.GET)
    filters.action_kind = ""
    return render(
        request,
        "disclosures/inspection_result_list.html",
        {
            "title": "行政检查结果公示",
            "f": filters,
            "page": _window(request, selectors.published_inspection_results(filters)),
            "agencies": Agency.objects.filter(is_active=True).order_by("name").only("name"),
            "query": _query_without_page(request),
        },
    )


def inspection_result_detail(request, pk: int):
    item = _found(selectors.published_get, pk)
    if item.kind != Disclosure.Kind.INSPECTION_RESULT:
        raise Http404("没有这条行政检查结果。")
    return render(
        request, "disclosures/inspection_result_detail.html", {"title": item.title, "item": item}
    )


def draw_list(request):
    """The public record of random draws (双随机, PUB-02): the commitment hash
    published before each draw, the public random value, seed and result digest
    after it, so anyone can check that the draw was not chosen afterwards."""
    from zhifa.inspections.verify import material_public

    query = request.GET.get("q", "").strip()[:100]
    plans = selectors.public_draws()
    if query:
        plans = plans.filter(Q(name__icontains=query) | Q(agency__name__icontains=query))
    page = _page(request, plans)
    return render(
        request,
        "disclosures/draw_list.html",
        {
            "title": "双随机抽取公开记录",
            "page": page,
            "q": query,
            "material": {plan.pk for plan in page.object_list if material_public(plan)},
            "query": _query_without_page(request),
        },
    )


def decision_detail(request, pk: int):
    item = _found(selectors.published_get, pk)
    return render(request, "disclosures/decision_detail.html", {"title": item.title, "item": item})


def decision_feed(request):
    filters = selectors.DecisionFilters.from_params(request.GET)
    items = selectors.published_decisions(filters).order_by("-published_at", "-pk")[:50]
    return exchange.atom_feed(request, items)


def decision_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("不支持的格式。")
    layout = request.GET.get("layout", "penalty")
    if layout not in exchange.LAYOUTS:
        raise Http404("不支持的格式。")
    per_hour = settings.ZHIFA_DISCLOSURE_EXPORT_RATE_PER_HOUR
    if not ratelimit.allow(request, "export", limit=per_hour, period_seconds=3600):
        return HttpResponse(
            "导出过于频繁，请一小时后再试。", status=429, content_type="text/plain; charset=utf-8"
        )
    filters = selectors.DecisionFilters.from_params(request.GET)
    if not filters.action_kind:
        filters.action_kind = "licensing" if layout == "licence" else "penalty"
    items = selectors.published_decisions(filters)
    most = settings.ZHIFA_DISCLOSURE_EXPORT_MAX_ROWS
    if items[most : most + 1].exists():
        return HttpResponse(
            f"符合条件的记录超过 {most} 条，请按执法主体、类别或日期缩小范围后分批导出。",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return exchange.export_response(items, layout=layout, fmt=fmt)


def takedown_list(request):
    return render(
        request,
        "disclosures/takedown_list.html",
        {
            "title": "撤下记录",
            "page": _page(request, selectors.takedowns().select_related("replacement")),
            "query": _query_without_page(request),
        },
    )


# --- Portal: credential check (PUB-04) ----------------------------------------------------


def officer_verify(request):
    number = request.GET.get("number", "").strip()
    context = {"title": "执法证件查询", "number": number[:32]}
    if number:
        per_minute = settings.ZHIFA_DISCLOSURE_VERIFY_RATE_PER_MINUTE
        if not ratelimit.allow(request, "verify", limit=per_minute, period_seconds=60):
            context["message"] = "查询过于频繁，请一分钟后再试。"
            return render(request, "disclosures/officer_verify.html", context, status=429)
        if len(number) > 32 or not number.replace("-", "").isalnum():
            context["message"] = (
                "证件编号格式不正确：应为证件上印制的字母和数字，请核对后重新输入。"
            )
            return render(request, "disclosures/officer_verify.html", context, status=400)
        credential = selectors.credential_lookup(number)
        if credential is None:
            context["message"] = (
                f"未查到编号为“{number}”的执法证件。该证件不是本平台登记的有效证件，"
                "如执法人员出示此证件，可向县司法局反映。"
            )
            return render(request, "disclosures/officer_verify.html", context, status=404)
        status = credential.status_on(timezone.localdate())
        context.update(
            credential=credential, status=status, status_label=Credential.Status(status).label
        )
    return render(request, "disclosures/officer_verify.html", context)


# --- Portal: requests and complaints (PUB-10) --------------------------------------------


@require_http_methods(["GET", "POST"])
def request_new(request):
    # RSN-05 (requests for written reasons) belong to the reasons app: link to its form here.
    initial = {
        key: request.GET.get(key) for key in ("agency", "disclosure") if request.GET.get(key)
    }
    try:
        # Requests for written reasons (RSN-05) are taken by the reasons app's own form.
        reasons_url = reverse("reasons-portal:public-request")
    except NoReverseMatch:
        reasons_url = ""
    if initial.get("disclosure"):
        initial["kind"] = PublicRequest.Kind.CORRECTION
    posted = request.method == "POST"
    form = PublicRequestForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=initial,
        session=request.session,
    )
    if posted:
        per_hour = settings.ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR
        if not ratelimit.allow(request, "request", limit=per_hour, period_seconds=3600):
            form.add_error(None, "提交过于频繁，请稍后再试。")
        elif form.is_valid():
            data = form.cleaned_data
            disclosure = None
            if data["disclosure"]:
                disclosure = selectors.published().filter(pk=data["disclosure"]).first()
                if disclosure is None:
                    form.add_error("disclosure", "没有这条正在公示的信息，请核对编号。")
            if not form.errors:
                try:
                    item, code = services.public_request_submit(
                        kind=data["kind"],
                        agency=data["agency"],
                        disclosure=disclosure,
                        requester_name=data["requester_name"],
                        requester_contact=data["requester_contact"],
                        content=data["content"],
                        evidence=data["evidence"],
                    )
                except ZhifaError as exc:
                    form.add_error(None, exc.message)
                else:
                    return render(
                        request, "disclosures/request_done.html", {"item": item, "code": code}
                    )
    return render(
        request,
        "disclosures/request_new.html",
        {"title": "更正申请与投诉举报", "form": form, "reasons_url": reasons_url},
        status=400 if posted else 200,
    )


@require_http_methods(["GET", "POST"])
def request_status(request):
    form = RequestStatusForm(request.POST or None)
    context = {"title": "查询办理进度", "form": form}
    if request.method == "POST":
        per_hour = settings.ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR * 3
        if not ratelimit.allow(request, "status", limit=per_hour, period_seconds=3600):
            context["message"] = "查询过于频繁，请稍后再试。"
        elif form.is_valid():
            item = services.public_request_lookup(
                tracking_number=form.cleaned_data["tracking_number"],
                access_code=form.cleaned_data["access_code"],
            )
            if item is None:
                # One message for a wrong number and a wrong code: numbers are not probed.
                context["message"] = "查询编号或查询码不正确。"
            else:
                context["item"] = item
    return render(request, "disclosures/request_status.html", context)


# --- Workbench: the publication queue of the legal unit ----------------------------------


def _item(request, pk: int) -> Disclosure:
    return _found(lambda: selectors.disclosure_get(actor=request.user, pk=pk))


def _item_url(item) -> str:
    return reverse("portal:wb-detail", args=[item.pk])


@login_required
def queue(request):
    today = timezone.localdate()
    due = list(selectors.disclosures_due(actor=request.user).order_by("due_on", "pk")[:200])
    instruments = list(selectors.decisions_unprepared(actor=request.user)[:200])
    unprepared = [
        (instrument, deadline.date, deadline.date < today)
        for instrument, deadline in zip(
            instruments, services.decision_deadlines(instruments), strict=True
        )
    ]
    officer = officer_of(request.user)
    executions = selectors.executions_unprepared(actor=request.user)
    return render(
        request,
        "disclosures/wb_queue.html",
        {
            "title": "公示审核",
            "due": [(item, selectors.is_overdue(item, today)) for item in due],
            "unprepared": unprepared,
            "executions": executions,
            "requests": selectors.public_request_list(actor=request.user).filter(
                status=PublicRequest.Status.RECEIVED
            )[:100],
            "today": today,
            "stale": [(s, s.is_overdue(today)) for s in selectors.stale_items(actor=request.user)],
            # Only those who may draft an item of their own agency see the link (PUB-01).
            "may_prepare": officer is not None
            and permitted(services.require_preparer, request.user, officer.agency),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ex_ante_new(request):
    """Draft an ex-ante item (流程图, 服务指南, 监督方式 …) of the actor's agency (PUB-02)."""
    officer = officer_of(request.user)
    if officer is None or not permitted(services.require_preparer, request.user, officer.agency):
        raise PermissionDenied("只有执法主体的在岗人员可以拟制公示信息。")
    form = ExAnteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.disclosure_prepare(
                actor=request.user,
                agency=officer.agency,
                draft=services.DraftInput(
                    kind=Disclosure.Kind.EX_ANTE,
                    topic=data["topic"],
                    title=data["title"],
                    body=data["body"],
                ),
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存草稿，请核对后提交法制审核。")
            return redirect(_item_url(item))
    return render(
        request,
        "disclosures/wb_form.html",
        {"title": "拟制事前公开信息", "form": form, "cancel_url": reverse("portal:wb-queue")},
    )


@login_required
@require_http_methods(["POST"])
def prepare_decision(request, pk: int):
    instrument = selectors.decisions_unprepared(actor=request.user).filter(pk=pk).first()
    if instrument is None:
        raise Http404("没有待拟制公示的该决定书。")
    try:
        item = services.decision_prepare(actor=request.user, instrument=instrument)
    except ZhifaError as exc:
        messages.error(request, exc.message)
        return redirect("portal:wb-queue")
    messages.success(request, "已生成公开版草稿，请核对后提交法制审核。")
    return redirect(_item_url(item))


@login_required
@require_http_methods(["POST"])
def prepare_execution(request, pk: int):
    record = next(
        (r for r in selectors.executions_unprepared(actor=request.user) if r.pk == pk), None
    )
    if record is None:
        raise Http404("没有待拟制公示的该执行记录。")
    try:
        item = services.execution_prepare(actor=request.user, record=record)
    except ZhifaError as exc:
        messages.error(request, exc.message)
        return redirect("portal:wb-queue")
    messages.success(request, "已生成执行信息公开版草稿，请核对后提交法制审核。")
    return redirect(_item_url(item))


def _highlighted(item: Disclosure) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each public text as pieces (text, kind-or-blank), so the page marks every redaction."""
    out = []
    for name in services.TEXT_FIELDS:
        text = getattr(item, name) or ""
        if not text:
            continue
        pieces, position = [], 0
        for start, end, kind in item.redactions.get(name, []):
            pieces.append((text[position:start], ""))
            pieces.append((text[start:end], LABELS.get(kind, kind)))
            position = end
        pieces.append((text[position:], ""))
        out.append((Disclosure._meta.get_field(name).verbose_name, pieces))
    return out


@login_required
def detail(request, pk: int):
    item = _item(request, pk)
    agency = item.agency
    return render(
        request,
        "disclosures/wb_detail.html",
        {
            "title": item.title,
            "item": item,
            "texts": _highlighted(item),
            "events": item.events.select_related("actor"),
            "overdue": selectors.is_overdue(item),
            "may_prepare": permitted(services.require_preparer, request.user, agency),
            "may_review": permitted(services.require_legal_unit, request.user, agency),
            "own_work": services.own_work(request.user, item),
            "may_withdraw": permitted(services.require_withdrawer, request.user, agency),
        },
    )


@login_required
@require_http_methods(["POST"])
def submit(request, pk: int):
    item = _item(request, pk)
    try:
        services.disclosure_submit(actor=request.user, disclosure=item)
        messages.success(request, "已提交法制审核。")
    except ZhifaError as exc:
        messages.error(request, exc.message)
    return redirect(_item_url(item))


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk: int):
    item = _item(request, pk)
    if not permitted(services.require_legal_unit, request.user, item.agency):
        raise PermissionDenied("公示信息须经本机关法制机构审核。")
    own = services.own_work(request.user, item)
    if request.method == "GET" and own:
        # The preparer is not offered the confirmation page; a POST meets the service's refusal.
        messages.error(request, f"{own}，须由本机关法制机构其他人员审核公示。")
        return redirect(_item_url(item))
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            services.disclosure_publish(actor=request.user, disclosure=item)
            messages.success(request, "已审核通过并在公示平台公开。")
        except ZhifaError as exc:
            messages.error(request, exc.message)
        return redirect(_item_url(item))
    return render(
        request,
        "core/confirm.html",
        {
            "title": "审核通过并公示",
            "question": (
                f"确认“{item.title}”的公开版已核对（所有技术处理处均已高亮），立即在公示平台公开？"
            ),
            "verb": "公示",
            "cancel_url": _item_url(item),
            "form": None,
        },
    )


def _reason_action(request, pk, *, form_class, field, title, question, verb, act):
    item = _item(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and request.POST.get("confirmed") and form.is_valid():
        try:
            message = act(item, form.cleaned_data[field])
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect(_item_url(item))
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "question": question.format(title=item.title),
            "verb": verb,
            "cancel_url": _item_url(item),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_view(request, pk: int):
    def act(item, reason):
        services.disclosure_return(actor=request.user, disclosure=item, reason=reason)
        return "已退回修改。"

    return _reason_action(
        request,
        pk,
        form_class=ReasonForm,
        field="reason",
        title="退回修改",
        question="将“{title}”退回拟稿人修改？",
        verb="退回",
        act=act,
    )


@login_required
@require_http_methods(["GET", "POST"])
def withhold(request, pk: int):
    def act(item, ground):
        services.disclosure_withhold(actor=request.user, disclosure=item, ground=ground)
        return "已决定不予公开，依据已记录。"

    return _reason_action(
        request,
        pk,
        form_class=GroundForm,
        field="ground",
        title="决定不予公开",
        question="决定“{title}”不予公开？须写明不公开依据。",
        verb="不予公开",
        act=act,
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    def act(item, reason):
        services.disclosure_withdraw(actor=request.user, disclosure=item, reason=reason)
        return "已从公示平台撤下，撤下记录已公开。"

    return _reason_action(
        request,
        pk,
        form_class=ReasonForm,
        field="reason",
        title="撤回公示",
        question="立即从公示平台撤下“{title}”？撤下原因将在撤下记录中公开。",
        verb="撤回",
        act=act,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_answer(request, pk: int):
    item = _found(lambda: selectors.public_request_get(actor=request.user, pk=pk))
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.public_request_answer(
                actor=request.user, request=item, answer=form.cleaned_data["answer"]
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已答复。")
            return redirect("portal:wb-queue")
    return render(
        request,
        "disclosures/wb_request.html",
        {"title": "处理更正申请和投诉", "item": item, "form": form},
    )


@login_required
def credential_qr(request, pk: int):
    """The QR code printed for a credential: it opens the portal's check (PUB-04)."""
    import segno

    credential = credential_list(actor=request.user).filter(pk=pk).first()
    if credential is None:
        raise Http404("没有这个证件，或您无权查看。")
    base = settings.ZHIFA_PORTAL_BASE_URL.rstrip("/") or request.build_absolute_uri("/")[:-1]
    url = base + reverse("portal:officer-verify") + "?" + urlencode({"number": credential.number})
    svg = segno.make(url, error="m").svg_inline(scale=4, title=f"执法证件 {credential.number}")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


# --- Workbench: service windows and their boards (PUB-05) ---------------------------------


def _window_agency(request) -> Agency:
    """The agency whose windows the user keeps: their own, or for a system
    administrator the one named by ``?agency=``."""
    agencies = managed_agencies(request.user, services.require_window_editor)
    wanted = request.GET.get("agency") or request.POST.get("agency")
    if wanted and str(wanted).isdigit():
        agencies = [a for a in agencies if a.pk == int(wanted)]
    if len(agencies) != 1:
        if not agencies:
            raise PermissionDenied(
                "只有本机关的法制机构人员、机关管理员或机关负责人可以维护服务窗口。"
            )
        raise Http404("请从服务窗口列表选择要维护的执法主体。")
    return agencies[0]


def _window_url(window) -> str:
    return reverse("portal:wb-window", args=[window.pk])


WINDOW_LISTING = Listing(
    title="服务窗口",
    columns=[
        Column("窗口名称", "name", sort="name", link=_window_url),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("办公地点", "location"),
        Column("监督电话", "supervision_phone"),
        Column("办理事项（项）", lambda w: len(w.matters.all())),
        Column("工作人员（人）", lambda w: len(w.staff.all())),
        Column("在用", "is_active", sort="is_active"),
    ],
    search_fields=("name", "location", "agency__name", "staff__name"),
    default_sort="name",
    export_name="服务窗口",
)


@login_required
def window_list(request):
    listing = WINDOW_LISTING
    agencies = managed_agencies(request.user, services.require_window_editor)
    if len(agencies) == 1:
        listing = dataclasses.replace(
            listing,
            actions=[
                ("新增窗口", reverse("portal:wb-window-new")),
                ("导入（Excel）", reverse("portal:wb-window-import")),
                ("导出可导入的表格", reverse("portal:wb-window-export")),
            ],
        )
    return listing.respond(request, selectors.window_list(actor=request.user).distinct())


def _window_form(request, *, agency, window=None):
    matters = agency.matters.filter(is_active=True).order_by("code")
    initial = {"is_active": True}
    if window is not None:
        initial = {
            "name": window.name,
            "location": window.location,
            "hours": window.hours,
            "phone": window.phone,
            "supervision_phone": window.supervision_phone,
            "matters": [m.code for m in window.matters.all()],
            "staff": services.staff_text(window),
            "is_active": window.is_active,
        }
    form = WindowForm(request.POST or None, initial=initial, matters=matters)

    def save(data):
        saved = services.window_save(
            actor=request.user,
            agency=agency,
            window=window,
            data=services.WindowInput(
                name=data["name"],
                location=data["location"],
                hours=data["hours"],
                phone=data["phone"],
                supervision_phone=data["supervision_phone"],
                matter_codes=tuple(data["matters"]),
                staff=data["staff"],
                is_active=data["is_active"],
            ),
        )
        return f"已保存服务窗口“{saved.name}”。", _window_url(saved)

    return form_page(
        request,
        form,
        save=save,
        title=f"{'修改' if window else '新增'}服务窗口（{agency.name}）",
        cancel_url=_window_url(window) if window else reverse("portal:wb-windows"),
        template="disclosures/wb_window_form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def window_new(request):
    return _window_form(request, agency=_window_agency(request))


@login_required
@require_http_methods(["GET", "POST"])
def window_edit(request, pk: int):
    window = _found(lambda: selectors.window_get(actor=request.user, pk=pk))
    require(services.require_window_editor, request.user, window.agency)
    return _window_form(request, agency=window.agency, window=window)


@login_required
def window_detail(request, pk: int):
    window = _found(lambda: selectors.window_get(actor=request.user, pk=pk))
    return render(
        request,
        "disclosures/wb_window.html",
        {
            "title": window.name,
            "window": window,
            "may_edit": permitted(services.require_window_editor, request.user, window.agency),
        },
    )


@login_required
def window_board(request, pk: int, size: str):
    """The window's 岗位信息公示牌 as a PDF to print (PUB-05)."""
    from zhifa.disclosures.boards import SIZES, board_pdf

    if size not in SIZES:
        raise Http404("公示牌只能打印为 A4 或 A3。")
    window = _found(lambda: selectors.window_get(actor=request.user, pk=pk))
    try:
        data = board_pdf(window, size)
    except ZhifaError as exc:
        messages.error(request, exc.message)
        return redirect(_window_url(window))
    response = HttpResponse(data, content_type="application/pdf")
    filename = quote(f"岗位信息公示牌-{window.name}-{size.upper()}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def window_export(request):
    agency = _window_agency(request)
    windows = selectors.window_list(actor=request.user).filter(agency=agency)
    template = request.GET.get("template") == "1"
    return workbook_response(
        filename=f"{agency.name}服务窗口.xlsx",
        title="服务窗口",
        headers=services.WINDOW_SHEET_HEADERS,
        rows=[] if template else services.window_rows(windows),
    )


@login_required
@require_http_methods(["GET", "POST"])
def window_import(request):
    agency = _window_agency(request)
    form = WindowImportForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            created, updated = services.window_import(
                actor=request.user, agency=agency, data=form.cleaned_data["file"].read()
            )
        except ZhifaError as exc:
            error = exc
        else:
            messages.success(request, f"已导入服务窗口：新增 {created} 个，更新 {updated} 个。")
            return redirect("portal:wb-windows")
    return render(
        request,
        "disclosures/wb_window_import.html",
        {
            "title": f"导入服务窗口（{agency.name}）",
            "form": form,
            "error": error,
            "headers": services.WINDOW_SHEET_HEADERS,
        },
        status=400 if error else 200,
    )
