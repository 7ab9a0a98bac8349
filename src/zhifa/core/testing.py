"""Builders for tests. They go through the real services (as Zulip's tests
do), so a test cannot pass on a state the product cannot reach."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from zhifa.accounts import services
from zhifa.accounts.models import Agency, Credential, Officer, Region, Role, Unit

PASSWORD = "Zhifa-Test-2026!"
_numbers = itertools.count(1)


@dataclass
class County:
    """A small county: its 司法局 and two agencies, each with an admin."""

    region: Region
    bureau: Agency
    supervisor: object
    sysadmin: object
    market: Agency
    market_admin: object
    market_legal: Unit
    market_unit: Unit
    safety: Agency
    safety_admin: object


class Builder:
    def __init__(self, sysadmin) -> None:
        self.sysadmin = sysadmin

    def region(self, code: str, name: str, level: str, parent: Region | None = None) -> Region:
        return services.region_create(
            actor=self.sysadmin, code=code, name=name, level=level, parent=parent
        )

    def agency(
        self,
        region: Region,
        name: str,
        *,
        kind: str = Agency.Kind.ENFORCEMENT,
        domain: str = "market",
        **profile,
    ) -> Agency:
        return services.agency_create(
            actor=self.sysadmin, region=region, name=name, kind=kind, domain=domain, **profile
        )

    def unit(self, agency: Agency, name: str, kind: str = Unit.Kind.ENFORCEMENT) -> Unit:
        return services.unit_create(actor=self.sysadmin, agency=agency, name=name, kind=kind)

    def officer(
        self,
        agency: Agency,
        *,
        roles=(Role.OFFICER,),
        unit: Unit | None = None,
        name: str | None = None,
        credential: bool | str = True,
        password: str | None = PASSWORD,
    ) -> Officer:
        n = next(_numbers)
        officer = services.officer_create(
            actor=self.sysadmin,
            agency=agency,
            username=f"user{n}",
            name=name or f"人员{n}",
            unit=unit,
            password=password,
            roles=tuple(roles),
        )
        if credential:
            self.credential(officer, status=credential if isinstance(credential, str) else "valid")
        return officer

    def credential(
        self, officer: Officer, *, status: str = "valid", valid_until: date | None = None
    ) -> Credential:
        today = date.today()
        credential = services.credential_issue(
            actor=self.sysadmin,
            officer=officer,
            number=f"T{next(_numbers):08d}",
            issuer="示范县人民政府",
            issued_on=today - timedelta(days=400),
            valid_until=valid_until or today + timedelta(days=1000),
            categories="市场监管",
            area="示范县",
        )
        if status in (Credential.Status.SUSPENDED, Credential.Status.REVOKED):
            credential = services.credential_set_status(
                actor=self.sysadmin, credential=credential, status=status, reason="测试"
            )
        return credential

    def county(self, code: str = "990102", name: str = "示范县") -> County:
        province = Region.objects.filter(code=code[:2] + "0000").first() or self.region(
            code[:2] + "0000", "示范省", "province"
        )
        city = Region.objects.filter(code=code[:4] + "00").first() or self.region(
            code[:4] + "00", "示范市", "city", province
        )
        region = self.region(code, name, "county", city)
        bureau = self.agency(
            region, f"{name}司法局", kind=Agency.Kind.SUPERVISORY, domain="justice"
        )
        supervisor = self.officer(bureau, roles=(), credential=False)
        services.role_grant(actor=self.sysadmin, officer=supervisor, role=Role.SUPERVISOR)
        market = self.agency(region, f"{name}市场监督管理局", domain="market")
        market_legal = self.unit(market, "法规股", Unit.Kind.LEGAL)
        market_unit = self.unit(market, "执法大队")
        safety = self.agency(region, f"{name}应急管理局", domain="emergency")
        return County(
            region=region,
            bureau=bureau,
            supervisor=supervisor.user,
            sysadmin=self.sysadmin,
            market=market,
            market_admin=self.officer(market, roles=(Role.AGENCY_ADMIN,), credential=False).user,
            market_legal=market_legal,
            market_unit=market_unit,
            safety=safety,
            safety_admin=self.officer(safety, roles=(Role.AGENCY_ADMIN,), credential=False).user,
        )
