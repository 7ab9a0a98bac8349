"""What is waiting for each role on the workbench home page.

Each section is a title, a few counted items (each linking to its list) and a
short table; later systems (cases, reviews, disclosures) add their own items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts import selectors
from zhifa.accounts.models import Role


@dataclass
class Item:
    label: str
    count: int | str
    href: str = ""
    level: str = "ok"  # ok | warn | bad


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[list] = field(default_factory=list)
    note: str = ""


def _level(count: int, bad: bool = False) -> str:
    if not count:
        return "ok"
    return "bad" if bad else "warn"


def _officer_section(actor) -> Section:
    officer = selectors.officer_of(actor)
    today = timezone.localdate()
    section = Section("我的执法资格")
    credentials = list(officer.credentials.all())
    valid = [c for c in credentials if c.is_valid_on(today)]
    section.items.append(Item("有效执法证件", len(valid), level="ok" if valid else "bad"))
    section.table_headers = ["证件编号", "执法类别", "执法区域", "有效期至", "状态"]
    section.table_rows = [
        [c.number, c.categories, c.area, c.valid_until, c.status_label_on(today)]
        for c in credentials
    ]
    if not valid:
        section.note = "您目前没有有效的行政执法证件，不能承办执法案件。"
    return section


def _agency_section(actor, title: str) -> Section:
    officer = selectors.officer_of(actor)
    agency = officer.agency
    staffing = selectors.reviewer_staffing(agency)
    expiring = selectors.credentials_expiring(actor=actor).count()
    not_valid = selectors.credentials_not_valid(actor=actor).count()
    credentials_url = reverse("accounts:credential-list")
    section = Section(title)
    section.items = [
        Item(
            "在岗人员",
            agency.officers.filter(is_active=True).count(),
            reverse("accounts:officer-list"),
        ),
        Item("即将到期的执法证件", expiring, f"{credentials_url}?state=expiring", _level(expiring)),
        Item(
            "失效（暂扣、过期、注销）的执法证件",
            not_valid,
            f"{credentials_url}?state=invalid",
            _level(not_valid),
        ),
        Item(
            f"法制审核人员（应不少于 {staffing.required} 人）",
            staffing.reviewers,
            reverse("accounts:agency-detail", args=[agency.pk]),
            "ok" if staffing.ok else "bad",
        ),
        Item("执法事项", agency.matters.count(), reverse("catalogues:matter-list")),
    ]
    return section


def _unit_section(actor) -> Section:
    officer = selectors.officer_of(actor)
    today = timezone.localdate()
    section = Section(f"本机构（{officer.unit.name if officer.unit else '未分配'}）人员资格")
    if officer.unit is None:
        return section
    people = officer.unit.officers.filter(is_active=True).prefetch_related("credentials")
    rows = []
    for person in people:
        if not any(c.is_valid_on(today) for c in person.credentials.all()):
            rows.append([person.name, person.post, "无有效执法证件"])
    section.items.append(Item("无有效证件的人员", len(rows), level=_level(len(rows), bad=True)))
    section.table_headers = ["姓名", "职务", "问题"]
    section.table_rows = rows
    return section


def _cases_section(actor) -> Section:
    """The cases the actor may read (REC-01): those in hand, and the late ones."""
    from zhifa.cases.selectors import case_list, open_stages, overdue_filter

    cases = case_list(actor=actor)
    url = reverse("cases:case-list")
    emergency = cases.filter(overdue_filter("emergency")).count()
    archive = cases.filter(overdue_filter("archive")).count()
    return Section(
        "案件",
        items=[
            Item("在办案件", cases.filter(stage__in=open_stages()).count(), url),
            Item(
                "紧急先行启动逾期未补办批准",
                emergency,
                f"{url}?overdue=emergency",
                _level(emergency, bad=True),
            ),
            Item("结案后逾期未归档", archive, f"{url}?overdue=archive", _level(archive, bad=True)),
        ],
    )


def _ledger_item(actor) -> Item | None:
    """The last full verification of the ledger (REC-11): bad when it found
    something, warn when it never ran or is older than the configured hours."""
    from zhifa.ledger.selectors import ledger_state

    state = ledger_state(actor=actor)
    if state is None:
        return None
    run = state.last_run
    href = reverse("ledger:state")
    if run is None:
        return Item("台账完整性校验", "从未校验", href, "warn")
    when = timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M")
    if not run.ok:
        return Item(f"台账校验（{when}）发现的问题", run.findings_count, href, "bad")
    stale = timezone.now() - run.finished_at > timedelta(hours=settings.ZHIFA_VERIFY_STALE_HOURS)
    label = f"台账校验（{when}）" + (
        f"，已超过 {settings.ZHIFA_VERIFY_STALE_HOURS} 小时" if stale else ""
    )
    return Item(label, "完整", href, "warn" if stale else "ok")


def _supervisor_section(actor) -> Section:
    section = Section("辖区执法主体")
    agencies = selectors.agency_list(actor=actor).exclude(kind="supervisory")
    rows = []
    short = 0
    for staffing in selectors.reviewer_staffings(agencies):
        agency = staffing.agency
        short += 0 if staffing.ok else 1
        rows.append(
            [
                agency.name,
                staffing.officers,
                f"{staffing.reviewers} / {staffing.required}",
                "达标" if staffing.ok else "不足",
            ]
        )
    not_valid = selectors.credentials_not_valid(actor=actor).count()
    section.items = [
        Item("执法主体", len(rows), reverse("accounts:agency-list")),
        Item("法制审核人员不足的机关", short, reverse("accounts:agency-list"), _level(short, True)),
        Item(
            "失效的执法证件",
            not_valid,
            reverse("accounts:credential-list") + "?state=invalid",
            _level(not_valid),
        ),
    ]
    ledger = _ledger_item(actor)
    if ledger is not None:
        section.items.append(ledger)
    section.table_headers = ["执法主体", "执法人员", "法制审核人员（现有/应有）", "审核力量"]
    section.table_rows = rows
    return section


def _sysadmin_section(actor) -> Section:
    from zhifa.catalogues.selectors import calendar_year_known

    next_year = timezone.localdate().year + 1
    known = calendar_year_known(next_year)
    section = Section("系统维护")
    section.items = [
        Item(
            f"{next_year} 年工作日历",
            "已录入" if known else "未录入",
            reverse("catalogues:calendar"),
            "ok" if known else "warn",
        ),
    ]
    ledger = _ledger_item(actor)
    if ledger is not None:
        section.items.append(ledger)
    if not known:
        section.note = (
            f"{next_year} 年的节假日安排尚未录入：落在该年的期限只排除周末，显示为“暂定”。"
            "国务院办公厅公布放假安排后，请在工作日历中录入并确认。"
        )
    return section


def home_sections(actor) -> list[Section]:
    roles = selectors.roles_of(actor)
    officer = selectors.officer_of(actor)
    sections: list[Section] = []
    case_roles = {Role.OFFICER, Role.UNIT_HEAD, Role.LEADER, Role.REVIEWER, Role.SUPERVISOR}
    if officer is not None and roles & case_roles:
        sections.append(_cases_section(actor))
    if officer is not None and Role.OFFICER in roles:
        sections.append(_officer_section(actor))
    if officer is not None and Role.UNIT_HEAD in roles:
        sections.append(_unit_section(actor))
    if officer is not None and Role.REVIEWER in roles:
        section = _agency_section(actor, "法制审核")
        section.note = "待审核的重大执法决定将在此列出。"
        sections.append(section)
    if officer is not None and roles & {Role.LEADER, Role.AGENCY_ADMIN}:
        sections.append(_agency_section(actor, "本机关概况"))
    if officer is not None and Role.SUPERVISOR in roles:
        sections.append(_supervisor_section(actor))
    if Role.SYSADMIN in roles:
        sections.append(_sysadmin_section(actor))
    return sections
