"""The list of my cases, opening a case, the case page, its parties, handling
officers, the move to the next stage and the suspension of its time limit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Role
from zhifa.accounts.selectors import officer_of, roles_of
from zhifa.cases import clock, rules, selectors, services
from zhifa.cases.forms import (
    AdvanceForm,
    CaseOpenForm,
    OfficerAssignForm,
    OfficerReleaseForm,
    PartyForm,
    ResumeForm,
    SuspendForm,
    enforcement_officers,
)
from zhifa.cases.models import Case, CaseOfficer, Procedure, Record, Signature, Stage
from zhifa.cases.records import KIND_LIST, KINDS
from zhifa.cases.timeline import panels, timeline
from zhifa.catalogues.selectors import matter_list
from zhifa.core.errors import NotFound
from zhifa.core.listing import Column, Listing
from zhifa.core.views import form_page, permitted

FORM_TEMPLATE = "cases/form.html"


def case_url(case: Case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


def get_case(request, pk: int) -> Case:
    """The case if the user may read it; otherwise 404, whether or not it exists."""
    try:
        return selectors.case_get(actor=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _posted(request):
    return request.POST if request.method == "POST" else None


# --- Who may do what (to show only usable buttons; the services decide) -----------------


@dataclass(frozen=True)
class Standing:
    """How the user stands to a case, read once per page (each check is a query)."""

    handler: bool
    leader: bool
    reviewer: bool
    open: bool

    @classmethod
    def of(cls, user, case: Case, assignments: list[CaseOfficer] | None = None) -> Standing:
        """``assignments``: the officers in post, where the caller has read them."""
        if assignments is None:
            handler = selectors.is_handler(user, case)
        else:
            officer = officer_of(user)
            handler = (
                officer is not None
                and Role.OFFICER in roles_of(user)
                and any(a.officer_id == officer.pk for a in assignments)
            )
        return cls(
            handler=handler,
            leader=selectors.is_case_leader(user, case),
            reviewer=selectors.is_case_reviewer(user, case),
            open=case.stage in selectors.open_stages(),
        )

    @property
    def may_handle(self) -> bool:
        return self.open and self.handler

    @property
    def may_steer(self) -> bool:
        """Handling officers and the case's leader adjust officers and move stages."""
        return self.open and (self.handler or self.leader)

    @property
    def may_time(self) -> bool:
        """The case's leader suspends and resumes its time limit (SUP-01)."""
        return self.open and self.leader

    def may_author(self, kind: str) -> bool:
        by = KINDS[kind].by
        return {"leader": self.leader, "reviewer": self.reviewer}.get(by, self.handler)


def may_handle(user, case: Case) -> bool:
    return case.stage in selectors.open_stages() and permitted(services.require_handler, user, case)


def require_steer(user, case: Case) -> None:
    if not Standing.of(user, case).may_steer:
        raise PermissionDenied("只有本案承办人员或负责人可以执行此操作。")


def may_open(user) -> bool:
    roles = roles_of(user)
    return (
        officer_of(user) is not None
        and bool(roles & {Role.OFFICER, Role.UNIT_HEAD, Role.LEADER})
        and Role.REVIEWER not in roles
    )


# --- Flags -------------------------------------------------------------------------------


def archive_overdue(case: Case, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        case.stage == Stage.CLOSED
        and case.archive_due_on is not None
        and case.archive_due_on < today
    )


def case_flags(case: Case) -> list[str]:
    flags = []
    if case.is_emergency:
        flags.append("紧急先行启动")
    if rules.emergency_overdue(case):
        flags.append(
            "补办批准逾期" if case.emergency_approved_at else "尚未补办批准（已超过 24 小时）"
        )
    if archive_overdue(case):
        flags.append("归档逾期")
    if case.suspended_since is not None and case.stage in selectors.open_stages():
        flags.append("期限中止中")
    return flags


# --- My cases --------------------------------------------------------------------------

OVERDUE_CHOICES = [
    ("", "全部"),
    ("any", "有逾期"),
    ("archive", "归档逾期"),
    ("emergency", "紧急启动补办批准逾期"),
]


def _party_names(case: Case) -> str:
    return "、".join(p.name for p in case.parties.all())


CASE_LISTING = Listing(
    title="我的案件",
    columns=[
        Column("案件编号", "number", sort="number", link=case_url),
        Column("案件名称", "title", sort="title"),
        Column("当事人", _party_names),
        Column("执法事项", "matter.name", sort="matter__name"),
        Column("程序", "get_procedure_display", sort="procedure"),
        Column("当前环节", "get_stage_display"),
        Column("启动日期", "started_on", sort="started_on"),
        Column("归档期限", "archive_due_on", sort="archive_due_on"),
        Column("提示", lambda c: "；".join(case_flags(c))),
    ],
    search_fields=("number", "title", "parties__name"),
    default_sort="-started_on",
    export_name="案件清单",
)


@login_required
def case_list_view(request):
    cases = selectors.case_list(actor=request.user)
    matters = matter_list(actor=request.user).filter(pk__in=cases.values("matter_id"))
    selects = [
        ("stage", "环节", [("", "全部"), *Stage.choices]),
        ("procedure", "程序", [("", "全部"), *Procedure.choices]),
        ("matter", "执法事项", [("", "全部"), *[(str(m.pk), m.name) for m in matters]]),
        ("overdue", "逾期", OVERDUE_CHOICES),
    ]
    chosen = {}
    for name, _, choices in selects:
        value = request.GET.get(name, "")
        chosen[name] = value if value in {key for key, _ in choices} else ""
    if chosen["stage"]:
        cases = cases.filter(stage=chosen["stage"])
    if chosen["procedure"]:
        cases = cases.filter(procedure=chosen["procedure"])
    if chosen["matter"]:
        cases = cases.filter(matter_id=chosen["matter"])
    if chosen["overdue"]:
        cases = cases.filter(selectors.overdue_filter(chosen["overdue"]))
    # The party search joins the parties: one row per case again.
    cases = cases.prefetch_related("parties").distinct()
    listing = CASE_LISTING
    if may_open(request.user):
        # A per-request copy: the module-level listing is shared by every request.
        listing = dataclasses.replace(listing, actions=[("登记案件", reverse("cases:case-create"))])
    return listing.respond(
        request,
        cases,
        template="cases/case_list.html",
        context={
            "selects": [(name, label, choices, chosen[name]) for name, label, choices in selects],
        },
    )


# --- Opening a case ----------------------------------------------------------------------


@login_required
def case_create_view(request):
    if not may_open(request.user):
        raise PermissionDenied("只有本机关的执法人员或负责人可以登记案件。")
    agency = officer_of(request.user).agency
    form = CaseOpenForm(
        _posted(request),
        matters=matter_list(actor=request.user)
        .filter(agency=agency, is_active=True)
        .order_by("code"),
        officers=enforcement_officers(actor=request.user, agency=agency),
        initial={"started_on": timezone.localdate(), "lead": officer_of(request.user)},
    )

    def save(data):
        case = services.case_open(actor=request.user, **form.open_arguments())
        return f"已登记案件 {case.number}“{case.title}”。", case_url(case)

    return form_page(
        request,
        form,
        save=save,
        title="登记案件",
        cancel_url=reverse("cases:case-list"),
        template="cases/case_form.html",
    )


# --- The case page -----------------------------------------------------------------------


@dataclass
class RecordRow:
    """A record in the timeline, with what the page shows of it."""

    record: Record
    fields: list[tuple[str, str]]
    signatures: list[Signature]
    missing: list[str] = field(default_factory=list)
    superseded: bool = False
    can_correct: bool = False


def _field_value(spec_field, value: str) -> str:
    if spec_field.kind == "choice":
        return dict(spec_field.choices).get(value, value)
    if spec_field.kind == "money" and value:
        return f"{value} 元"
    return value


def record_row(record: Record, standing: Standing) -> RecordRow:
    spec = KINDS.get(record.kind)
    signatures = list(record.signatures.all())
    if spec is None:
        fields = [(name, str(value)) for name, value in record.content.items()]
        return RecordRow(record, fields, signatures)
    fields = [
        (f.label, _field_value(f, record.content[f.name]))
        for f in spec.fields
        if record.content.get(f.name)
    ]
    signed = {s.role for s in signatures}
    missing = [Signature.Role(r).label for r in spec.signers if r not in signed]
    superseded = getattr(record, "superseded_by", None) is not None
    can_correct = standing.open and not superseded and standing.may_author(record.kind)
    return RecordRow(record, fields, signatures, missing, superseded, can_correct)


def stage_progress(case: Case) -> list[tuple[str, str]]:
    current = Stage.order(case.stage)
    steps = [*rules.STAGE_ORDER, Stage.ARCHIVED]
    return [
        (
            Stage(s).label,
            "done" if Stage.order(s) < current else "current" if s == case.stage else "todo",
        )
        for s in steps
    ]


def addable_kinds(standing: Standing, case: Case) -> list[tuple[str, list[tuple[str, str]]]]:
    """The record kinds the user may add now, by stage: those of the current stage
    and the earlier ones, of the case's procedure."""
    if not standing.open:
        return []
    groups = []
    for stage in rules.STAGE_ORDER[: rules.STAGE_ORDER.index(case.stage) + 1]:
        kinds = [
            (k.code, k.label)
            for k in KIND_LIST
            if k.stage == stage and case.procedure in k.procedures and standing.may_author(k.code)
        ]
        if kinds:
            groups.append((Stage(stage).label, kinds))
    return groups


@login_required
def case_detail_view(request, pk: int):
    case = get_case(request, pk)
    # Every look at a case is on record (调阅监督, REC-12).
    with transaction.atomic():
        ledger.append(
            actor=request.user, action="case.view", obj=case, payload={"number": case.number}
        )
    entries = timeline(case)
    # One snapshot for the needs, the parties and the officers, with the records in
    # force taken from the timeline rather than read again (the page's query budget).
    in_force = sorted(
        (
            e.obj
            for e in entries
            if isinstance(e.obj, Record) and getattr(e.obj, "superseded_by", None) is None
        ),
        key=lambda r: (r.occurred_at, r.pk),
    )
    facts = rules.facts(case, records=in_force)
    standing = Standing.of(request.user, case, assignments=facts.assignments)
    for entry in entries:
        entry.row = record_row(entry.obj, standing) if isinstance(entry.obj, Record) else None
    target = rules.next_stage(case)
    case_clock = clock.case_clock(case)
    suspensions = list(case.suspensions.select_related("started_by__officer", "ended_by__officer"))
    return render(
        request,
        "cases/case_detail.html",
        {
            "title": f"{case.number} {case.title}",
            "case": case,
            "flags": case_flags(case),
            "progress": stage_progress(case),
            "parties": facts.parties,
            "active": facts.assignments,
            "released": facts.released,
            "next_stage": Stage(target).label if target else "",
            "needs": rules.needs(case, target, loaded=facts) if target else [],
            "entries": entries,
            "kinds": addable_kinds(standing, case),
            "panels": panels(request, case),
            "can_handle": standing.may_handle,
            "can_steer": standing.may_steer,
            "clock": case_clock,
            "limit_past": standing.open and case_clock.past(clock.today()),
            "suspensions": suspensions,
            "can_time": standing.may_time and bool(case_clock.limit_days),
        },
    )


# --- Parties and handling officers ---------------------------------------------------------


@login_required
def party_add_view(request, pk: int):
    case = get_case(request, pk)
    if not may_handle(request.user, case):
        raise PermissionDenied("只有本案的承办人员可以登记当事人。")

    def save(data):
        party = services.party_add(actor=request.user, case=case, **data)
        return f"已登记当事人“{party.name}”。", case_url(case)

    return form_page(
        request,
        PartyForm(_posted(request)),
        save=save,
        title=f"为案件 {case.number} 登记当事人",
        cancel_url=case_url(case),
        template=FORM_TEMPLATE,
        case=case,
    )


@login_required
def officer_assign_view(request, pk: int):
    case = get_case(request, pk)
    require_steer(request.user, case)
    assigned = CaseOfficer.objects.filter(case=case, released_at__isnull=True).values("officer_id")
    officers = enforcement_officers(actor=request.user, agency=case.agency).exclude(pk__in=assigned)

    def save(data):
        a = services.officer_assign(actor=request.user, case=case, officer=data["officer"])
        return f"已指派{a.officer.name}（证件 {a.credential_number}）承办本案。", case_url(case)

    return form_page(
        request,
        OfficerAssignForm(_posted(request), officers=officers),
        save=save,
        title=f"为案件 {case.number} 指派承办人员",
        cancel_url=case_url(case),
        template=FORM_TEMPLATE,
        case=case,
    )


@login_required
def officer_release_view(request, pk: int, officer_pk: int):
    case = get_case(request, pk)
    require_steer(request.user, case)
    assignment = (
        CaseOfficer.objects.filter(case=case, officer_id=officer_pk, released_at__isnull=True)
        .select_related("officer")
        .first()
    )
    if assignment is None:
        raise Http404("该人员不是本案承办人员。")
    officer = assignment.officer

    def save(data):
        services.officer_release(
            actor=request.user, case=case, officer=officer, reason=data["reason"]
        )
        return f"{officer.name}已退出本案承办。", case_url(case)

    return form_page(
        request,
        OfficerReleaseForm(_posted(request)),
        save=save,
        title=f"{officer.name}退出案件 {case.number} 的承办",
        cancel_url=case_url(case),
        template="core/confirm.html",
        question=f"{officer.name}（证件 {assignment.credential_number}）将不再承办本案，"
        "调整及原因记入台账。",
        verb="调整",
    )


# --- Stages -------------------------------------------------------------------------------


@login_required
def case_advance_view(request, pk: int):
    case = get_case(request, pk)
    require_steer(request.user, case)
    target = rules.next_stage(case)
    if target is None:
        messages.error(request, f"案件已{case.get_stage_display()}，没有下一环节。")
        return redirect(case_url(case))
    form = AdvanceForm(_posted(request), to_stage=target)

    def save(data):
        services.case_advance(actor=request.user, case=case, **data)
        return f"案件已进入{Stage(data['to_stage']).label}环节。", case_url(case)

    return form_page(
        request,
        form,
        save=save,
        title=f"案件 {case.number} 进入{Stage(target).label}环节",
        cancel_url=case_url(case),
        template="cases/advance.html",
        case=case,
        next_stage=Stage(target).label,
        needs=rules.needs(case, target),
    )


# --- The time limit: suspension and resumption (SUP-01, SUP-05) ----------------------------


def require_time(user, case: Case) -> None:
    if not Standing.of(user, case).may_time:
        raise PermissionDenied(
            "只有本机关负责人或承办机构负责人可以中止或恢复计算在办案件的办理期限。"
        )


@login_required
def case_suspend_view(request, pk: int):
    case = get_case(request, pk)
    require_time(request.user, case)
    form = SuspendForm(_posted(request), initial={"started_on": clock.today()})

    def save(data):
        s = services.case_suspend(actor=request.user, case=case, **data)
        return (
            f"案件办理期限自 {s.started_on:%Y-%m-%d} 起中止（{s.get_ground_display()}）。",
            case_url(case),
        )

    due = clock.limit_due_on(case)
    now = f"目前的时限届满日为 {due:%Y-%m-%d}。" if due else ""
    return form_page(
        request,
        form,
        save=save,
        title=f"中止案件 {case.number} 的办理期限",
        cancel_url=case_url(case),
        template="core/confirm.html",
        question=(
            f"案件办理期限自中止日期起停止计算，直至登记恢复。{now}"
            "中止登记后不能撤回或修改，记入台账；已超过时限的案件不能中止。"
        ),
        verb="中止",
    )


@login_required
def case_resume_view(request, pk: int):
    case = get_case(request, pk)
    require_time(request.user, case)
    if case.suspended_since is None:
        messages.error(request, "案件办理期限未中止，无需恢复计算。")
        return redirect(case_url(case))
    form = ResumeForm(_posted(request), initial={"ended_on": clock.today()})

    def save(data):
        s = services.case_resume(actor=request.user, case=case, **data)
        due = clock.limit_due_on(s.case)
        return (
            f"案件办理期限自 {s.ended_on:%Y-%m-%d} 起恢复计算，中止期间 {s.workdays} 个工作日"
            f"不计入，时限届满日为 {due:%Y-%m-%d}。",
            case_url(case),
        )

    return form_page(
        request,
        form,
        save=save,
        title=f"恢复计算案件 {case.number} 的办理期限",
        cancel_url=case_url(case),
        template="core/confirm.html",
        question=(
            f"办理期限自 {case.suspended_since:%Y-%m-%d} 起中止。恢复后，自恢复日期起继续计算，"
            "中止期间的工作日不计入；恢复登记后不能撤回或修改，记入台账。"
        ),
        verb="恢复计算",
    )
