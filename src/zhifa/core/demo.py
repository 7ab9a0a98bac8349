"""Builds the demo county 示范县 through the services, so that the ledger holds
every step exactly as if people had entered it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from zhifa.accounts import services as accounts
from zhifa.accounts.models import Agency, Credential, Officer, Region, Role, Unit
from zhifa.catalogues import services as catalogues
from zhifa.core import demo_data
from zhifa.ledger import services as ledger_services

DEMO_PASSWORD = "Zhifa@2026demo"

# The logins printed by ``zhifa demo`` and shown on the login page with ZHIFA_DEMO=1.
DEMO_LOGINS = [
    {"role": "执法人员", "username": "scj_zhifa", "where": "示范县市场监督管理局"},
    {"role": "内设机构负责人", "username": "scj_duizhang", "where": "示范县市场监督管理局"},
    {"role": "法制审核人员", "username": "scj_fazhi", "where": "示范县市场监督管理局"},
    {"role": "机关负责人", "username": "scj_juzhang", "where": "示范县市场监督管理局"},
    {"role": "机关管理员", "username": "scj_admin", "where": "示范县市场监督管理局"},
    {"role": "执法监督人员", "username": "sfj_jiandu", "where": "示范县司法局"},
    {"role": "系统管理员", "username": "admin", "where": "平台"},
]

OFFICERS_PER_AGENCY = 18


@dataclass
class DemoReport:
    created: bool
    agencies: int = 0
    officers: int = 0
    credentials: dict[str, int] = field(default_factory=dict)
    matters: int = 0
    cases: int = 0


class _Names:
    """Deterministic, distinct Chinese names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            given = self.rng.choice(demo_data.GIVEN)
            if self.rng.random() < 0.6:
                given += self.rng.choice(demo_data.GIVEN)
            name = self.rng.choice(demo_data.SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name


def _agency_credit_code(index: int, organ: str = "11") -> str:
    """A valid 统一社会信用代码 in the demo county: of an organ of state ("11"), or
    of a public institution ("12")."""
    body = f"{organ}999100MB{index:07d}"
    return body + uscc.calc_check_digit(body)


def demo_exists() -> bool:
    return Region.objects.filter(code=demo_data.REGIONS[-1][0]).exists()


def database_empty() -> bool:
    return not Agency.objects.exists() and not get_user_model().objects.exists()


class DemoBuilder:
    def __init__(
        self,
        *,
        scale: int = 1,
        seed: int = 2026,
        today: date | None = None,
        cases: bool = True,
        progress=None,
    ) -> None:
        self.cases = cases
        self.progress = progress
        self.scale = scale
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.today = today or timezone.localdate()
        self.serial = 0
        self.report = DemoReport(created=True)

    def build(self) -> DemoReport:
        with transaction.atomic():
            self.admin = accounts.sysadmin_create(
                actor=None, username="admin", password=DEMO_PASSWORD, name="平台管理员"
            )
            self._calendar()
            county = self._regions()
            self._bureau(county)
            for index, spec in enumerate(demo_data.AGENCIES, start=1):
                agency = self._agency(county, spec, index)
                if spec.get("entrusted"):
                    self._entrusted(county, agency, spec["entrusted"], index)
            self._catalogues()
            if self.cases:
                self._cases()
            self._portal()
        # Sign the demo ledger once, so `zhifa ledger verify` has a checkpoint to check.
        ledger_services.checkpoint_issue()
        counts = Credential.objects.values_list("status", "valid_until")
        for status, valid_until in counts:
            key = "expired" if status == "valid" and valid_until < self.today else status
            self.report.credentials[key] = self.report.credentials.get(key, 0) + 1
        self.report.agencies = Agency.objects.count()
        self.report.officers = Officer.objects.count()
        return self.report

    def _catalogues(self) -> None:
        """What the agencies keep before their cases: the provisions library and
        discretion benchmarks, each agency's major-decision catalogue, and the
        market agency's random-inspection plan."""
        from zhifa.inspections.demo import inspections_demo
        from zhifa.reasons.demo import reasons_demo
        from zhifa.reviews.demo import reviews_demo

        reasons_demo(actor=self.admin)
        enforcing = Agency.objects.filter(kind=Agency.Kind.ENFORCEMENT).order_by("pk")
        for agency in enforcing:
            # The catalogue is the legal unit's to keep (REV-01).
            reviewer = agency.officers.filter(role_grants__role=Role.REVIEWER).order_by("pk")
            reviews_demo(agency, reviewer.first().user)
        inspections_demo(enforcing.get(domain="market"), self.admin)

    def _portal(self) -> None:
        """Each agency's public items, and its decisions prepared and published."""
        from zhifa.disclosures.demo import disclosures_demo

        for agency in Agency.objects.exclude(kind=Agency.Kind.SUPERVISORY).order_by("pk"):
            disclosures_demo(agency)

    def _cases(self) -> None:
        from zhifa.cases.demo import DemoCases

        builder = DemoCases(self.rng, self.admin)
        agencies = Agency.objects.exclude(kind=Agency.Kind.SUPERVISORY).order_by("pk")
        for index, agency in enumerate(agencies):
            # The demo logins' agency also gets an archived case with its bound file.
            made = len(builder.build(agency, archived=index == 0))
            self.report.cases += made
            if self.progress and made:
                self.progress(f"  {agency.name}：执法案件 {made} 件（含文书与音像记录）")

    def _calendar(self) -> None:
        catalogues.calendar_seed(actor=self.admin)

    def _regions(self) -> Region:
        parent = None
        for code, name, level in demo_data.REGIONS:
            parent = accounts.region_create(
                actor=self.admin, code=code, name=name, level=level, parent=parent
            )
        return parent

    def _person(
        self,
        agency: Agency,
        username: str | None,
        roles,
        *,
        unit=None,
        post="",
        password: str | None = None,
    ) -> Officer:
        self.serial += 1
        return accounts.officer_create(
            actor=self.admin,
            agency=agency,
            username=username or f"demo{self.serial:04d}",
            name=self.names(),
            unit=unit,
            roles=tuple(roles),
            post=post,
            password=password,
            phone=f"1390999{self.serial:04d}",
        )

    def _credential(
        self,
        officer: Officer,
        categories: str,
        agency_index: int,
        state: str = "valid",
        kind: str = Credential.Kind.ENFORCEMENT,
    ) -> None:
        self.serial += 1
        issued = self.today - timedelta(days=self.rng.randint(200, 1500))
        valid_until = issued + timedelta(days=365 * 5)
        if state == "expired":
            valid_until = self.today - timedelta(days=self.rng.randint(1, 120))
            issued = valid_until - timedelta(days=365 * 5)
        elif state == "expiring":
            valid_until = self.today + timedelta(days=self.rng.randint(3, 25))
            issued = valid_until - timedelta(days=365 * 5)
        elif valid_until <= self.today + timedelta(days=60):
            valid_until = self.today + timedelta(days=self.rng.randint(200, 900))
        credential = accounts.credential_issue(
            actor=self.admin,
            officer=officer,
            number=f"99010220{agency_index:02d}{self.serial:05d}",
            issuer="示范县人民政府",
            issued_on=issued,
            valid_until=valid_until,
            annual_review_on=date(self.today.year, 3, 31),
            categories=categories,
            area="示范县",
            kind=kind,
        )
        if state in ("suspended", "revoked"):
            accounts.credential_set_status(
                actor=self.admin,
                credential=credential,
                status=state,
                reason="年度考核不合格，暂扣执法证件" if state == "suspended" else "调离执法岗位",
            )

    def _bureau(self, county: Region) -> Agency:
        spec = demo_data.BUREAU
        bureau = accounts.agency_create(
            actor=self.admin,
            region=county,
            name=spec["name"],
            kind=Agency.Kind.SUPERVISORY,
            domain="justice",
            short_name=spec["short_name"],
            duties=spec["duties"],
            address=spec["address"],
            complaint_phone=spec["complaint_phone"],
            enforcement_area="示范县",
            credit_code=_agency_credit_code(0),
        )
        unit = accounts.unit_create(
            actor=self.admin, agency=bureau, name=spec["units"][0][0], kind=spec["units"][0][1]
        )
        for i in range(2 * self.scale):
            supervisor = self._person(
                bureau,
                "sfj_jiandu" if i == 0 else None,
                (),
                unit=unit,
                post="执法监督员",
                password=DEMO_PASSWORD if i == 0 else None,
            )
            accounts.role_grant(actor=self.admin, officer=supervisor, role=Role.SUPERVISOR)
            self._credential(supervisor, "行政执法监督", 0, kind=Credential.Kind.SUPERVISION)
        return bureau

    def _agency(self, county: Region, spec: dict, index: int) -> Agency:
        agency = accounts.agency_create(
            actor=self.admin,
            region=county,
            name=spec["name"],
            kind=Agency.Kind.ENFORCEMENT,
            domain=spec["domain"],
            short_name=spec["short_name"],
            duties=spec["duties"],
            jurisdiction="示范县行政区域内" + spec["duties"].split("，")[0].removeprefix("负责"),
            enforcement_area="示范县",
            nature="行政机关",
            funding_source="财政全额拨款",
            staffing=f"行政编制 {20 + index * 3} 名",
            address=f"示范县建设路 {index * 10} 号",
            postcode="999100",
            phone=f"0999-81{index:02d}000",
            complaint_phone=f"0999-81{index:02d}315",
            credit_code=_agency_credit_code(index),
        )
        self._staff(agency, spec, index, demo=index == 1)
        self._equipment(agency)
        units = {u.name: u for u in agency.units.all()}
        for code, name, kind, basis, days in spec["matters"]:
            catalogues.matter_create(
                actor=self.admin,
                agency=agency,
                code=code,
                name=name,
                action_kind=kind,
                legal_basis=basis,
                time_limit_days=days,
                unit=units[spec["units"][0]],
            )
            self.report.matters += 1
        return agency

    def _equipment(self, agency: Agency) -> None:
        from zhifa.equipment.demo import equipment_demo

        officers = list(
            agency.officers.filter(is_active=True, role_grants__role=Role.OFFICER).order_by("pk")
        )
        equipment_demo(agency, officers, self.admin)

    def _staff(self, agency: Agency, spec: dict, index: int, *, demo: bool) -> None:
        categories = agency.get_domain_display()
        enforcement_units = [
            accounts.unit_create(
                actor=self.admin, agency=agency, name=name, kind=Unit.Kind.ENFORCEMENT
            )
            for name in spec["units"]
        ]
        accounts.unit_create(actor=self.admin, agency=agency, name="办公室", kind=Unit.Kind.OTHER)
        legal_unit = None
        if spec.get("legal_unit", True):
            legal_unit = accounts.unit_create(
                actor=self.admin, agency=agency, name="法规股", kind=Unit.Kind.LEGAL
            )

        def login(name: str) -> tuple[str | None, str | None]:
            return (name, DEMO_PASSWORD) if demo else (None, None)

        username, password = login("scj_juzhang")
        self._person(agency, username, (Role.LEADER,), post="局长", password=password)
        username, password = login("scj_admin")
        self._person(agency, username, (Role.AGENCY_ADMIN,), post="办公室主任", password=password)
        reviewers = 2 if legal_unit else 1
        for i in range(reviewers * self.scale):
            username, password = login("scj_fazhi") if i == 0 else (None, None)
            self._person(
                agency,
                username,
                (Role.REVIEWER,),
                unit=legal_unit,
                post="法制审核员",
                password=password,
            )

        states = ["valid"] * OFFICERS_PER_AGENCY
        states[-1] = "expired"
        states[-2] = "expiring"
        if index % 2:
            states[-3] = "suspended"
        if index == 3:
            states[-4] = "revoked"
        for n in range(OFFICERS_PER_AGENCY * self.scale):
            unit = enforcement_units[n % len(enforcement_units)]
            head = n < len(enforcement_units)
            roles = (Role.OFFICER, Role.UNIT_HEAD) if head else (Role.OFFICER,)
            username, password = (None, None)
            if demo and n == 0:
                username, password = "scj_duizhang", DEMO_PASSWORD
            elif demo and n == len(enforcement_units):
                username, password = "scj_zhifa", DEMO_PASSWORD
            officer = self._person(
                agency,
                username,
                roles,
                unit=unit,
                post="队长" if head else "执法队员",
                password=password,
            )
            state = states[n % OFFICERS_PER_AGENCY] if not username else "valid"
            self._credential(officer, categories, index, state)

    def _entrusted(self, county: Region, principal: Agency, spec: dict, index: int) -> None:
        agency = accounts.agency_create(
            actor=self.admin,
            region=county,
            name=spec["name"],
            kind=Agency.Kind.ENTRUSTED,
            domain=principal.domain,
            entrusted_by=principal,
            short_name=spec["short_name"],
            entrustment_agreement=spec["agreement"],
            enforcement_area="示范县",
            nature="事业单位",
            funding_source="财政全额拨款",
            address="示范县文化路 8 号",
            complaint_phone="0999-12318",
            credit_code=_agency_credit_code(100 + index, organ="12"),
        )
        unit = accounts.unit_create(
            actor=self.admin, agency=agency, name="执法一中队", kind=Unit.Kind.ENFORCEMENT
        )
        self._person(agency, None, (Role.LEADER,), post="大队长")
        self._person(agency, None, (Role.AGENCY_ADMIN,), post="综合股长")
        for _n in range(8 * self.scale):
            officer = self._person(agency, None, (Role.OFFICER,), unit=unit, post="执法队员")
            self._credential(officer, "文化市场", index + 10)


def demo_build(
    *, scale: int = 1, seed: int = 2026, cases: bool = True, progress=None
) -> DemoReport:
    """Build the demo county; ``progress(text)`` is told as each agency's cases are done."""
    return DemoBuilder(scale=scale, seed=seed, cases=cases, progress=progress).build()
