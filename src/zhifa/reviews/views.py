"""Workbench pages of the legal review. Thin: selectors read (outside scope:
404), services write and decide who may act; their refusals show on the form."""

from __future__ import annotations

import dataclasses
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhifa.accounts.selectors import agency_list, officer_of, reviewer_staffings
from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page
from zhifa.instruments.rendering import DOCX_TYPE
from zhifa.ledger.services import file_store
from zhifa.reviews import catalogue, clock, selectors, services
from zhifa.reviews.forms import (
    CheckForm,
    DecideForm,
    DeliberationForm,
    EmptyForm,
    ImportForm,
    ParticipantFormSet,
    PauseForm,
    ReasonForm,
    RespondForm,
    RuleForm,
    SubmitForm,
)
from zhifa.reviews.gates import review_refusals
from zhifa.reviews.models import Finding, ReviewPoint

FORM = "reviews/form.html"


def _posted(request):
    return request.POST if request.method == "POST" else None


def _case(request, pk):
    try:
        return case_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _submission(request, pk):
    try:
        return selectors.submission_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _case_url(case_pk) -> str:
    return reverse("reviews:case", args=[case_pk])


# --- Queue and case page ------------------------------------------------------------------


@login_required
def queue_view(request):
    """The reviewer's queue, least working time left first (REV-05)."""
    return render(
        request,
        "reviews/queue.html",
        {
            "title": "法制审核待办",
            "items": selectors.queue(actor=request.user),
            # ORG-02 / REV-02: the reviewer staffing of each agency the user sees.
            "staffings": reviewer_staffings(
                agency_list(actor=request.user).exclude(kind="supervisory")
            ),
            "overdue": selectors.overdue_reviews(actor=request.user).count(),
        },
    )


@login_required
def case_view(request, pk):
    case = _case(request, pk)
    case_viewed(actor=request.user, case=case, what="reviews")
    rounds = selectors.rounds_of(case)
    latest = rounds[-1] if rounds else None
    for s in rounds:
        review = getattr(s, "review", None)
        if review is not None:
            review.finding_rows = [
                (ReviewPoint(f["point"]).label, Finding(f["finding"]).label, f["note"])
                for f in review.findings
            ]
    return render(
        request,
        "reviews/case.html",
        {
            "title": f"{case.number} 法制审核",
            "case": case,
            "reasons": catalogue.why_reviewed(case),
            "rounds": rounds,
            "latest": latest,
            "clock": clock.clock(latest) if latest and latest.complete_on else None,
            "refusals": review_refusals(case),
            "trail": selectors.responsibility_trail(case),
        },
    )


@login_required
@require_GET
def document_view(request, pk, which, fmt):
    """An opinion copy (``handler`` or ``archive``) as DOCX or PDF (REV-07)."""
    review = selectors.review_list(actor=request.user).filter(pk=pk).first()
    if review is None or which not in ("handler", "archive") or fmt not in ("docx", "pdf"):
        raise Http404("审核意见不存在，或您无权查看。")
    stored = review.copy_handler if which == "handler" else review.copy_archive
    if stored is None:
        raise Http404("意见书尚未生成。")
    case_viewed(actor=request.user, case=review.submission.case, what=f"legal_review:{pk}:{which}")
    if fmt == "pdf":
        data, content_type = services.document_pdf(stored=stored), "application/pdf"
    else:
        data, content_type = services.stored_bytes(stored), DOCX_TYPE
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''review-{pk}-{which}.{fmt}"
    return response


@login_required
@require_GET
def notice_view(request, pk):
    """The written notice of a round: 补正通知书 or 不予受理决定书 (REV-04)."""
    s = _submission(request, pk)
    if s.notice is None:
        raise Http404("该送审没有书面通知。")
    case_viewed(actor=request.user, case=s.case, what=f"review_submission:{pk}:notice")
    response = HttpResponse(services.stored_bytes(s.notice), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''review-notice-{pk}.docx"
    return response


# --- Forms ----------------------------------------------------------------------------------


@login_required
def submit_view(request, pk):
    case = _case(request, pk)
    form = SubmitForm(_posted(request))

    def save(data):
        s = services.review_submit(
            actor=request.user,
            case=case,
            materials=form.materials(),
            urgent=data["urgent"],
            note=data["note"],
        )
        warning = f"（{s.late_warning}）" if s.late_warning else ""
        return f"已送审第{s.round}轮。{warning}", _case_url(case.pk)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 送审",
        cancel_url=_case_url(case.pk),
        template=FORM,
        intro="行政执法决定代拟稿取自本案的决定记录。",
    )


@login_required
def check_view(request, pk):
    s = _submission(request, pk)
    form = CheckForm(_posted(request))

    def save(data):
        done = services.submission_check(
            actor=request.user, submission=s, missing=form.missing_list(), note=data["note"]
        )
        return f"第{done.round}轮送审：{done.get_state_display()}。", _case_url(s.case_id)

    missing = services.missing_materials(s.case, s.materials)
    intro = "按材料清单尚缺：" + "；".join(missing) if missing else "按材料清单材料齐全。"
    if s.returned_at:
        intro += " 已一次性告知补正过：仍不齐全的将书面不予受理。"
    return form_page(
        request,
        form,
        save=save,
        title=f"{s} 审查材料",
        cancel_url=_case_url(s.case_id),
        template=FORM,
        intro=intro,
    )


@login_required
def decide_view(request, pk):
    s = _submission(request, pk)
    form = DecideForm(_posted(request))

    def save(data):
        review = services.review_decide(
            actor=request.user,
            submission=s,
            opinion=data["opinion"],
            text=data["text"],
            findings=form.findings(),
            adviser_opinions=data["adviser_opinions"],
        )
        return f"已出具审核意见：{review.get_opinion_display()}。", _case_url(s.case_id)

    return form_page(
        request,
        form,
        save=save,
        title=f"{s} 出具审核意见",
        cancel_url=_case_url(s.case_id),
        template=FORM,
    )


@login_required
def respond_view(request, pk):
    review = selectors.review_list(actor=request.user).filter(pk=pk).first()
    if review is None:
        raise Http404("审核意见不存在，或您无权查看。")
    form = RespondForm(_posted(request))
    case_pk = review.submission.case_id

    def save(data):
        services.review_respond(
            actor=request.user, review=review, kind=data["kind"], reasons=data["reasons"]
        )
        return "已处理审核意见。", _case_url(case_pk)

    return form_page(
        request,
        form,
        save=save,
        title="处理审核意见",
        cancel_url=_case_url(case_pk),
        template=FORM,
        intro=f"审核意见：{review.get_opinion_display()}。{review.text}",
    )


@login_required
def flag_view(request, pk):
    """The handler marks the case as likely to cause major social impact (REV-01)."""
    case = _case(request, pk)
    form = ReasonForm(_posted(request))

    def save(data):
        services.major_flag_set(actor=request.user, case=case, reason=data["reason"])
        return "已标记为可能造成重大社会影响；标记不能由承办人员撤销。", _case_url(case.pk)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 标记重大社会影响",
        cancel_url=_case_url(case.pk),
        template="core/confirm.html",
        verb="标记",
        question="标记后本案须经法制审核，承办人员不能撤销标记。",
    )


@login_required
def pause_view(request, pk):
    s = _submission(request, pk)
    form = PauseForm(_posted(request))

    def save(data):
        services.pause_start(actor=request.user, submission=s, **data)
        return "审核期限已中止。", _case_url(s.case_id)

    return form_page(
        request,
        form,
        save=save,
        title=f"{s} 中止审核期限",
        cancel_url=_case_url(s.case_id),
        template=FORM,
    )


@login_required
def resume_view(request, pk):
    s = _submission(request, pk)
    form = EmptyForm(_posted(request))

    def save(data):
        services.pause_end(actor=request.user, submission=s)
        return "审核期限已恢复计算。", _case_url(s.case_id)

    return form_page(
        request,
        form,
        save=save,
        title=f"{s} 恢复审核期限",
        cancel_url=_case_url(s.case_id),
        template="core/confirm.html",
        verb="恢复",
        question="中止至今天结束，审核期限恢复计算。",
    )


@login_required
def extend_view(request, pk):
    s = _submission(request, pk)
    form = ReasonForm(_posted(request))

    def save(data):
        services.extension_approve(actor=request.user, submission=s, reason=data["reason"])
        return "已批准延长审核期限。", _case_url(s.case_id)

    return form_page(
        request,
        form,
        save=save,
        title=f"{s} 批准延长审核期限",
        cancel_url=_case_url(s.case_id),
        template="core/confirm.html",
        verb="批准",
        question="案件复杂的，经分管领导批准可延长 2 个工作日，每轮仅一次。",
    )


@login_required
def deliberate_view(request, pk):
    """Record the leaders' collective deliberation, with each participant's signature."""
    case = _case(request, pk)
    form = DeliberationForm(_posted(request))
    people = ParticipantFormSet(_posted(request), request.FILES or None, prefix="p")
    if request.method == "POST" and form.is_valid() and people.is_valid():
        inputs = []
        for row in people.cleaned_data:
            if not row or not (row.get("name") or "").strip():
                continue
            stored = None
            if row.get("signature"):
                data, content_type, ext = row["signature"]
                stored = file_store(
                    actor=request.user,
                    stream=io.BytesIO(data),
                    original_name=f"签名-{row['name']}.{ext}",
                    content_type=content_type,
                )
            inputs.append(
                services.ParticipantInput(
                    name=row["name"],
                    post=row.get("post", ""),
                    view=row.get("view", ""),
                    vote=row["vote"],
                    signature=stored,
                )
            )
        try:
            services.deliberation_record(
                actor=request.user, case=case, participants=inputs, **form.cleaned_data
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已记录集体讨论，笔录已生成。")
            return redirect("reviews:case", case.pk)
    return render(
        request,
        "reviews/deliberation.html",
        {
            "title": f"{case.number} 集体讨论",
            "form": form,
            "people": people,
            "cancel_url": _case_url(case.pk),
        },
    )


# --- Catalogue ----------------------------------------------------------------------------


RULE_LISTING = Listing(
    title="重大执法决定法制审核目录",
    columns=[
        Column("条目编号", "code", sort="code"),
        Column("版本", "version", sort="version"),
        Column("情形", "name"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("金额标准（元）", "amount_threshold"),
        Column("施行日期", "effective_from", sort="effective_from"),
        Column("废止日期", "ends_on"),
    ],
    search_fields=("code", "name", "basis"),
    default_sort="code",
)


def _own_agency(request):
    officer = officer_of(request.user)
    if officer is None:
        raise PermissionDenied("只有机关人员可以编辑目录。")
    return officer.agency


@login_required
def rule_list_view(request):
    rules = selectors.rule_list(actor=request.user)
    if request.GET.get("export") == "xlsx":
        rules, _, _ = RULE_LISTING.filter(request, rules)
        return workbook_response(
            filename=f"{services.RULE_SHEET_TITLE}.xlsx",
            title=services.RULE_SHEET_TITLE,
            headers=services.RULE_SHEET_HEADERS,
            rows=services.rule_rows(rules),
        )
    listing = dataclasses.replace(
        RULE_LISTING,
        actions=[
            ("新增条目", reverse("reviews:rule-create")),
            ("导入 Excel", reverse("reviews:rule-import")),
        ],
    )
    return listing.respond(request, rules)


@login_required
def rule_create_view(request):
    agency = _own_agency(request)
    form = RuleForm(_posted(request))

    def save(data):
        rule = services.rule_save(
            actor=request.user, agency=agency, data=services.RuleInput(**data)
        )
        return f"已保存{rule}。", reverse("reviews:rule-list")

    return form_page(
        request,
        form,
        save=save,
        title="新增目录条目",
        cancel_url=reverse("reviews:rule-list"),
        template=FORM,
    )


@login_required
def rule_import_view(request):
    agency = _own_agency(request)
    form = ImportForm(_posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved, unchanged = services.rules_import(
                actor=request.user, agency=agency, data=form.cleaned_data["file"].read()
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已导入：新增或修订 {saved} 条，未变 {unchanged} 条。")
            return redirect("reviews:rule-list")
    return render(
        request,
        FORM,
        {
            "title": "导入重大执法决定法制审核目录",
            "form": form,
            "cancel_url": reverse("reviews:rule-list"),
            "multipart": True,
            "intro": "表头：" + "、".join(services.RULE_SHEET_HEADERS),
        },
    )
