"""The demo county's portal (PUB-01 … PUB-10), made through the services so that
the ledger holds every step. Call ``disclosures_demo(agency)`` for each demo
agency after its cases are built (``zhifa demo``)."""

from __future__ import annotations

from django.db.models import Q

from zhifa.accounts.models import Agency, Role
from zhifa.disclosures import selectors, services
from zhifa.disclosures.models import Disclosure

FLOW = "\n".join(
    (
        "立案",
        "调查取证",
        "案件审核（重大执法决定须经法制审核）",
        "告知陈述申辩、听证权利",
        "作出决定",
        "送达",
        "执行",
        "结案归档",
    )
)
GUIDE = (
    "办理依据：见本机关行政执法事项清单。\n"
    "申请材料：申请书、主体资格证明、经营场所证明。\n"
    "办理时限：自受理之日起20个工作日。\n"
    "办理地点：县政务服务中心本机关窗口。\n"
    "进度查询：本平台或窗口电话。"
)


def _legal_user(agency: Agency):
    officer = (
        agency.officers.filter(role_grants__role=Role.REVIEWER, is_active=True)
        .order_by("pk")
        .first()
    )
    return officer.user if officer else None


def _clerk(agency: Agency, legal):
    """Who prepares the agency's ex-ante items: its administrator (办公室), or
    else an officer outside the legal unit, so that the legal unit checks them."""
    staff = agency.officers.filter(is_active=True, user__isnull=False).exclude(user=legal)
    officer = (
        staff.filter(role_grants__role=Role.AGENCY_ADMIN).order_by("pk").first()
        or staff.filter(role_grants__role=Role.OFFICER).order_by("pk").first()
    )
    return officer.user if officer else legal


def _handler(instrument, fallback):
    """The case's lead handling officer (承办人员) prepares its public version."""
    assignment = (
        instrument.case.assignments.filter(released_at__isnull=True, officer__is_active=True)
        .select_related("officer__user")
        .order_by("-is_lead", "pk")
        .first()
    )
    return assignment.officer.user if assignment else fallback


def _confirm(item: Disclosure, legal) -> Disclosure:
    """Published by ``legal``, or by another member of the legal unit where
    ``legal`` prepared or submitted it (PUB-13); left in review if nobody may."""
    checkers = selectors.checkers(item)
    if not checkers:
        return item
    checker = legal if legal in checkers else checkers[0]
    return services.disclosure_publish(actor=checker, disclosure=item)


def disclosures_demo(agency: Agency) -> list[Disclosure]:
    """Publish the agency's issued decisions (one is withdrawn, one left due in
    review), its approved inspection results, a flowchart and a service guide,
    and set up one service window for its board. Officers prepare and submit,
    the legal reviewer confirms (PUB-13). Agencies without a legal reviewer are
    left alone."""
    legal = _legal_user(agency)
    if legal is None:
        return []
    clerk = _clerk(agency, legal)
    made = []
    for topic, title, body in (
        (Disclosure.Topic.FLOWCHART, "行政处罚流程图", FLOW),
        (Disclosure.Topic.SERVICE_GUIDE, "行政许可服务指南", GUIDE),
    ):
        item = services.disclosure_prepare(
            actor=clerk,
            agency=agency,
            draft=services.DraftInput(kind="ex_ante", topic=topic, title=title, body=body),
        )
        services.disclosure_submit(actor=clerk, disclosure=item)
        made.append(_confirm(item, legal))
    instruments = list(selectors.decisions_unprepared(actor=legal).filter(agency=agency))
    for n, instrument in enumerate(instruments):
        handler = _handler(instrument, legal)
        item = services.decision_prepare(actor=handler, instrument=instrument)
        services.disclosure_submit(actor=handler, disclosure=item)
        if n == len(instruments) - 1 and n > 0:
            made.append(item)  # left in review: the queue shows a due item
            continue
        made.append(_confirm(item, legal))
    # Approved inspection results and the 随机抽查事项清单 wait in review (inspections
    # demo): confirm them (PUB-06, PUB-02).
    for item in Disclosure.objects.filter(
        Q(kind=Disclosure.Kind.INSPECTION_RESULT)
        | Q(kind=Disclosure.Kind.EX_ANTE, topic=Disclosure.Topic.INSPECTION_MATTERS),
        agency=agency,
        status=Disclosure.Status.IN_REVIEW,
    ).order_by("pk"):
        made.append(_confirm(item, legal))
    _window(agency, legal)
    published = [d for d in made if d.kind == "decision" and d.status == "published"]
    if len(published) > 1:
        _remedies(legal, published)
    return made


def _remedies(legal, published: list[Disclosure]) -> None:
    """The first published decision is revoked on reconsideration, which takes it
    off the portal (PUB-09); the second is upheld at first instance."""
    from django.utils import timezone

    from zhifa.cases.models import Case
    from zhifa.remedies.services import remedy_record
    from zhifa.reviews.catalogue import decision_record

    today = timezone.localdate()
    for item, outcome, channel, body, number in (
        (published[0], "revoked", "reconsideration", "示范县人民政府", "示政复决〔2026〕1号"),
        (published[1], "upheld", "litigation", "示范县人民法院", "（2026）示0101行初1号"),
    ):
        case = Case.objects.get(pk=item.case_id_ref)
        remedy_record(
            actor=legal,
            case=case,
            channel=channel,
            instance="first" if channel == "litigation" else "",
            outcome=outcome,
            body=body,
            document_number=number,
            filed_on=timezone.localdate(decision_record(case).occurred_at),
            decided_on=today,
            summary="（演示数据）",
        )


def _window(agency: Agency, legal):
    """One service window (PUB-05) with the agency's first matters and an officer on duty."""
    from django.utils import timezone

    from zhifa.accounts.models import Credential

    today = timezone.localdate()
    credential = (
        Credential.objects.filter(
            officer__agency=agency,
            officer__is_active=True,
            status=Credential.Status.VALID,
            valid_until__gte=today,
        )
        .select_related("officer")
        .order_by("number")
        .first()
    )
    staff = [f"{credential.officer.name}|受理审核岗|{credential.number}"] if credential else []
    staff.append("窗口导办员|咨询引导岗")
    return services.window_save(
        actor=legal,
        agency=agency,
        data=services.WindowInput(
            name=f"{agency.name.removeprefix('示范县')}综合受理窗口",
            location="示范县政务服务中心二楼",
            hours="工作日 9:00–12:00，13:30–17:00",
            phone=agency.phone,
            supervision_phone=agency.complaint_phone or agency.phone or "12345",
            matter_codes=tuple(
                agency.matters.filter(is_active=True)
                .order_by("code")
                .values_list("code", flat=True)[:5]
            ),
            staff="\n".join(staff),
        ),
    )
