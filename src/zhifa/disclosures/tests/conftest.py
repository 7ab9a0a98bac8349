from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from zhifa.accounts.models import Role
from zhifa.catalogues.services import calendar_seed, matter_create
from zhifa.disclosures.services import DraftInput, PartyInput


@pytest.fixture(autouse=True)
def _data_dirs(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def calendar_2026(sysadmin):
    """2026's official holidays and make-up working days (中秋 09-25, 09-20 worked;
    国庆 10-01…07, 10-10 worked)."""
    calendar_seed(actor=sysadmin, years=[2026])


@dataclass
class Desk:
    """The people of one agency's publication work."""

    agency: object
    officer: object  # user preparing items
    legal: object  # user in the legal unit
    leader: object
    outsider: object  # the legal unit of another agency
    matter: object


@pytest.fixture
def desk(build, county, calendar_2026):
    officer = build.officer(county.market, unit=county.market_unit)
    legal = build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    leader = build.officer(county.market, roles=(Role.LEADER,), credential=False)
    outsider = build.officer(county.safety, roles=(Role.REVIEWER,), credential=False)
    matter = matter_create(
        actor=build.sysadmin,
        agency=county.market,
        code="330217001000",
        name="销售超过保质期的食品",
        action_kind="penalty",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        time_limit_days=90,
    )
    return Desk(county.market, officer.user, legal.user, leader.user, outsider.user, matter)


def decision(desk, *, decided_on=date(2026, 9, 30), natural=True, **kw) -> DraftInput:
    party = (
        PartyInput(
            kind="natural",
            name="张三丰",
            id_number="11010519491231002X",
            address="示范县幸福路12号",
            phone="13800138000",
        )
        if natural
        else PartyInput(
            kind="legal",
            name="示范县好味食品有限公司",
            credit_code="91110000600037341L",
            representative="王五",
        )
    )
    fields = dict(
        kind="decision",
        title="行政处罚决定书 示市监罚〔2026〕12号",
        action_kind="penalty",
        matter=desk.matter,
        decided_on=decided_on,
        document_number="示市监罚〔2026〕12号",
        party=party,
        violation_type="销售超过保质期的食品",
        facts="经查，张三丰（身份证号11010519491231002X，电话13800138000，住址示范县幸福路12号）"
        "于2026年3月销售过期牛奶12箱，见证人李四在场。",
        basis="《中华人民共和国食品安全法》第三十四条、第一百二十四条",
        conclusion="没收过期牛奶12箱，并处罚款5000元",
        fine_amount=Decimal("5000.00"),
        private_names=("李四",),
    )
    fields.update(kw)
    return DraftInput(**fields)
