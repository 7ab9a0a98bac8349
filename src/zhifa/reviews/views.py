"""Workbench pages of the legal review. Thin: selectors read (outside scope:
404), services write and decide who may act; their refusals show on the form."""

from __future__ import annotations

import dataclasses
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhifa.accounts.selectors import agency_list, officer_of, reviewer_staffings
from zhifa.cases.selectors import case_get
from zhifa.cases.services import case_viewed
from zhifa.core.errors import NotFound, ZhifaError
from zhifa.core.excel import workbook_response
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, permitted
from zhifa.instruments.rendering import DOCX_TYPE
from zhifa.ledger.services import file_store
from zhifa.reviews import catalogue, clock, selectors, services
from zhifa.reviews.forms import (
    AdviserInviteForm,
    AdviserOpinionForm,
    AdviserRecheckForm,
    CheckForm,
    DecideForm,
    DeliberationForm,
    EmptyForm,
    FilingAnswerForm,
    ForwardAnswerForm,
    ForwardForm,
    ImportForm,
    ParticipantFormSet,
    PauseForm,
    PreliminaryForm,
    PreliminarySettingForm,
    ReasonForm,
    RespondForm,
    RuleForm,
    SubmitForm,
)
from zhifa.reviews.gates import review_refusals, unit_refusals
from zhifa.reviews.models import Finding, ReviewPoint

FORM = "reviews/form.html"
QUEUE_PAGE_SIZE = 50


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
    """The reviewer's queue, least working time left first (REV-05), a page at a time."""
    rows = selectors.queue_rows(actor=request.user)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/queue.html",
        {
            "title": "法制审核待办",
            "page": page,
            "items": selectors.queue_items(page.object_list),
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
            **_preliminary_and_forwarding(request, case),
        },
    )


def _preliminary_and_forwarding(request, case) -> dict:
    required = catalogue.preliminary_required(case.agency_id)
    government = catalogue.in_government_name(case)
    return {
        "prelim_required": required,
        "prelims": selectors.preliminary_reviews(case),
        "prelim_refusal": services.preliminary_refusal(case) if required else "",
        "may_prelim": case.stage == "decision"
        and permitted(services.require_unit_head, request.user, case),
        "government_name": government,
        "unit_refusals": unit_refusals(case) if government else [],
    }


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
            ("报备司法局", reverse("reviews:filing-list")),
            ("生成公示稿", reverse("reviews:catalogue-disclose")),
            ("初审设置", reverse("reviews:preliminary-setting")),
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


# --- Catalogue filing with the 司法局 and its publication (REV-01) ---------------------------


def _filing_url(pk) -> str:
    return reverse("reviews:filing", args=[pk])


FILING_LISTING = Listing(
    title="重大执法决定法制审核目录备案",
    columns=[
        Column("执法主体", "agency.name", sort="agency__name", link=lambda f: _filing_url(f.pk)),
        Column("报备时间", "filed_at", sort="filed_at"),
        Column("条目数", lambda f: len(f.rules)),
        Column("状态", "get_state_display", sort="state"),
        Column("审查时间", "answered_at", sort="answered_at"),
        Column("审查意见", "answer"),
    ],
    search_fields=("agency__name", "answer"),
    default_sort="-filed_at",
)


@login_required
def filing_list_view(request):
    """The agency's filings and their state; the 司法局 sees its region's (REV-01)."""
    officer = officer_of(request.user)
    actions = []
    if officer is not None and not officer.agency.is_supervisory:
        actions = [("报备目录", reverse("reviews:filing-create"))]
    listing = dataclasses.replace(FILING_LISTING, actions=actions)
    return listing.respond(request, selectors.filing_list(actor=request.user))


@login_required
def filing_create_view(request):
    agency = _own_agency(request)
    form = EmptyForm(_posted(request))
    rules = catalogue.rules_in_force(agency.pk, timezone.localdate())

    def save(data):
        filing = services.catalogue_file(actor=request.user, agency=agency)
        return f"已向司法局报备目录（{len(filing.rules)} 条）。", _filing_url(filing.pk)

    return form_page(
        request,
        form,
        save=save,
        title="向司法局报备重大执法决定法制审核目录",
        cancel_url=reverse("reviews:filing-list"),
        template="core/confirm.html",
        verb="报备",
        question=f"将今天施行的 {len(rules)} 条目录条目报司法局备案。报备后不能撤回。",
    )


@login_required
def filing_view(request, pk):
    try:
        filing = selectors.filing_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "reviews/filing.html",
        {
            "title": f"{filing.agency.name} 目录备案",
            "filing": filing,
            "rules": [(r, catalogue.rule_lines(r)) for r in selectors.filing_rules(filing)],
            "may_answer": filing.state == "filed"
            and permitted(
                lambda actor: services.require_filing_answerer(actor, filing), request.user
            ),
        },
    )


@login_required
def filing_answer_view(request, pk):
    try:
        filing = selectors.filing_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    form = FilingAnswerForm(_posted(request))

    def save(data):
        done = services.catalogue_filing_answer(
            actor=request.user, filing=filing, accepted=data["accepted"], answer=data["answer"]
        )
        return f"已审查：{done.get_state_display()}。", _filing_url(filing.pk)

    return form_page(
        request,
        form,
        save=save,
        title=f"审查 {filing.agency.name} 目录备案",
        cancel_url=_filing_url(filing.pk),
        template=FORM,
    )


@login_required
def catalogue_disclose_view(request):
    """生成公示稿: the catalogue in force, prepared for the portal and handed to the legal unit."""
    agency = _own_agency(request)
    form = EmptyForm(_posted(request))

    def save(data):
        item = services.catalogue_disclosure_prepare(actor=request.user, agency=agency)
        return (
            f"已生成公示稿“{item.title}”并提交法制机构审核；确认后在公示平台公开。",
            reverse("portal:wb-detail", args=[item.pk]),
        )

    return form_page(
        request,
        form,
        save=save,
        title="生成目录公示稿",
        cancel_url=reverse("reviews:rule-list"),
        template="core/confirm.html",
        verb="生成",
        question="按今天施行的目录条目生成公示稿并提交法制机构审核；"
        "公示平台上已有的目录清单将被新稿替代（撤下并注明更新说明）。",
    )


@login_required
def preliminary_setting_view(request):
    agency = _own_agency(request)
    form = PreliminarySettingForm(
        _posted(request), initial={"required": catalogue.preliminary_required(agency.pk)}
    )

    def save(data):
        row = services.preliminary_setting_set(
            actor=request.user, agency=agency, required=data["required"]
        )
        state = "须经" if row.required else "不要求"
        return f"已设置：送审前{state}承办机构负责人初审。", reverse("reviews:rule-list")

    return form_page(
        request,
        form,
        save=save,
        title="初审设置",
        cancel_url=reverse("reviews:rule-list"),
        template=FORM,
        intro="开启后，案件送审前须经承办机构负责人初审同意（004 (三)3）。",
    )


# --- Preliminary review, advisers, forwarding (REV-02, REV-03) ---------------------------


@login_required
def preliminary_view(request, pk):
    case = _case(request, pk)
    form = PreliminaryForm(_posted(request))

    def save(data):
        row = services.preliminary_review_record(actor=request.user, case=case, **data)
        return f"已记录初审意见：{row.get_result_display()}。", _case_url(case.pk)

    return form_page(
        request,
        form,
        save=save,
        title=f"{case.number} 承办机构初审",
        cancel_url=_case_url(case.pk),
        template=FORM,
    )


@login_required
def adviser_invite_view(request, pk):
    s = _submission(request, pk)
    form = AdviserInviteForm(_posted(request))

    def save(data):
        a = services.adviser_invite(actor=request.user, submission=s, **data)
        return f"已邀请{a}出具书面意见。", _case_url(s.case_id)

    return form_page(
        request,
        form,
        save=save,
        title=f"{s} 邀请法律顾问、公职律师",
        cancel_url=_case_url(s.case_id),
        template=FORM,
    )


def _adviser(request, pk):
    try:
        return selectors.adviser_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def adviser_opinion_view(request, pk):
    adviser = _adviser(request, pk)
    form = AdviserOpinionForm(_posted(request), request.FILES or None)
    case_pk = adviser.submission.case_id

    def save(data):
        stored = None
        upload = data.get("document")
        if upload:
            stored = file_store(
                actor=request.user,
                stream=upload,
                original_name=upload.name,
                content_type=upload.content_type or "application/octet-stream",
            )
        services.adviser_opinion_record(
            actor=request.user, adviser=adviser, text=data["text"], document=stored
        )
        return f"已录入{adviser.name}的书面意见，请复核。", _case_url(case_pk)

    return form_page(
        request,
        form,
        save=save,
        title=f"录入{adviser}的书面意见",
        cancel_url=_case_url(case_pk),
        template=FORM,
        multipart=True,
    )


@login_required
def adviser_recheck_view(request, pk):
    adviser = _adviser(request, pk)
    form = AdviserRecheckForm(_posted(request))
    case_pk = adviser.submission.case_id

    def save(data):
        done = services.adviser_recheck(actor=request.user, adviser=adviser, **data)
        return f"已复核{adviser.name}的意见：{done.get_recheck_display()}。", _case_url(case_pk)

    return form_page(
        request,
        form,
        save=save,
        title=f"复核{adviser}的书面意见",
        cancel_url=_case_url(case_pk),
        template=FORM,
        intro=adviser.text or "（书面意见见原件）",
    )


@login_required
@require_GET
def adviser_document_view(request, pk):
    adviser = _adviser(request, pk)
    if adviser.document is None:
        raise Http404("没有书面意见原件。")
    case_viewed(actor=request.user, case=adviser.submission.case, what=f"adviser_opinion:{pk}")
    response = HttpResponse(
        services.stored_bytes(adviser.document), content_type=adviser.document.content_type
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''adviser-opinion-{pk}"
    return response


@login_required
def forward_view(request, pk):
    """Forward a decision in the county government's name to the 司法局."""
    review = selectors.review_list(actor=request.user).filter(pk=pk).first()
    if review is None:
        raise Http404("审核意见不存在，或您无权查看。")
    form = ForwardForm(_posted(request))
    case_pk = review.submission.case_id

    def save(data):
        services.forwarding_create(actor=request.user, review=review, note=data["note"])
        return "已报送司法局审核。", _case_url(case_pk)

    return form_page(
        request,
        form,
        save=save,
        title="报送司法局审核（以本级人民政府名义作出的决定）",
        cancel_url=_case_url(case_pk),
        template=FORM,
        intro="随附本机关法制审核意见及法律顾问、公职律师的意见。",
    )


FORWARDING_LISTING = Listing(
    title="以政府名义作出的决定报送司法局审核",
    columns=[
        Column(
            "案件编号",
            "case.number",
            sort="case__number",
            link=lambda f: reverse("reviews:case", args=[f.case_id]),
        ),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("报送人", "forwarded_by_name"),
        Column("报送时间", "forwarded_at", sort="forwarded_at"),
        Column("状态", "get_state_display", sort="state"),
        Column(
            "司法局意见", lambda f: "" if f.agreed is None else ("同意" if f.agreed else "不同意")
        ),
        Column(
            "审核",
            lambda f: "出具意见" if f.state == "forwarded" else "",
            link=lambda f: (
                reverse("reviews:forward-answer", args=[f.pk]) if f.state == "forwarded" else ""
            ),
        ),
    ],
    search_fields=("case__number", "agency__name"),
    default_sort="-forwarded_at",
)


@login_required
def forwarding_list_view(request):
    return FORWARDING_LISTING.respond(request, selectors.forwarding_list(actor=request.user))


@login_required
def forward_answer_view(request, pk):
    try:
        forwarding = selectors.forwarding_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    form = ForwardAnswerForm(_posted(request))
    review = forwarding.review

    def save(data):
        services.forwarding_answer(actor=request.user, forwarding=forwarding, **data)
        return "已出具司法局审核意见。", reverse("reviews:forwarding-list")

    return form_page(
        request,
        form,
        save=save,
        title=f"{forwarding.case.number} 司法局审核意见",
        cancel_url=reverse("reviews:forwarding-list"),
        template=FORM,
        intro=f"本机关法制审核意见：{review.get_opinion_display()}。{review.text}"
        + (f" 报送说明：{forwarding.note}" if forwarding.note else ""),
    )
