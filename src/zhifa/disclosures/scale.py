"""Many published decisions at once, for measuring the portal at scale (issue
PUB-12 speed: 10⁶ published decisions made by ``zhifa demo --decisions``;
``bench/portal_search.py``, ``bench/portal_load.py``).

The services publish one item at a time, each with its events, its ledger
entries and a redaction pass: hours for 10⁶. Here the rows are built in memory
exactly as ``disclosure_prepare`` → ``disclosure_submit`` →
``disclosure_publish`` leave them — the public (already masked) fields, the
publication deadline from the work calendar, ``published_at``, ``is_late``,
``display_until`` from the display period, ``search_tokens`` from
``services.search_text`` and, on SQLite, the FTS5 row; the three
``DisclosureEvent`` rows, prepared and submitted by an officer of the agency
and published by its legal unit's reviewer (PUB-13) — and written
with ``bulk_create`` in batches. What differs: the ledger gets one entry per
batch (``disclosure.bulk_generate``, with the batch's id range and count)
instead of three per item, and no redaction pass runs because the generated
text carries no personal data to redact (natural persons appear only as
张某某, as ``PartyInput.public_name`` writes them; tests check that
``services.remaining_leaks`` finds nothing).

Dates lie within each item's display period, so every generated decision is on
the portal: decisions about legal persons over the last 23 months, about
natural persons over the last 5 (PUB-08: 2 years and 6 months).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc

from zhifa import ledger
from zhifa.accounts.models import Agency, Role
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.workdays import workdays_add
from zhifa.disclosures import redaction, search, services
from zhifa.disclosures.models import Disclosure, DisclosureEvent

S = Disclosure.Status
BATCH = 2000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建华文玉红梅晓东志春海燕"
BRANDS = (
    "好味", "恒昌", "兴隆", "鑫源", "华康", "瑞丰", "永盛", "金穗", "安达", "宏发",
    "福满", "嘉禾", "顺通", "利民", "长青", "德胜", "惠众", "新锐", "博远", "百川",
)  # fmt: skip
TRADES = {
    "market": ("食品", "商贸", "超市", "餐饮管理", "药房"),
    "emergency": ("化工", "矿业", "机械制造", "烟花爆竹", "建材"),
    "ecology": ("化工", "造纸", "养殖", "建材", "印染"),
    "urban": ("建筑工程", "广告", "餐饮", "物业管理", "装饰工程"),
    "transport": ("运输", "客运", "物流", "汽车维修", "驾驶培训"),
    "natural_resources": ("砂石", "房地产开发", "矿业", "建材", "农业开发"),
    "health": ("诊所", "医疗器械", "美容", "口腔门诊", "保健品"),
    "culture": ("网吧", "文化传媒", "娱乐", "书店", "旅行社"),
}
TOWNS = ("城关镇", "河西镇", "石桥镇", "青山乡", "白沙镇", "新华街道", "工业园区")
PLACES = ("经营场所", "仓库", "生产车间", "门店", "施工现场", "营业场所")
CIRCUMSTANCES = (
    "当事人积极配合调查，主动消除违法行为危害后果",
    "当事人系初次违法，危害后果轻微并及时改正",
    "当事人在责令改正期限内拒不改正",
    "当事人违法行为持续时间较长，社会影响较大",
    "当事人如实陈述违法事实并主动提供证据材料",
)
LICENCES = ("食品经营许可证", "危险化学品经营许可证", "道路运输经营许可证", "医疗机构执业许可证")


@dataclass
class _Agency:
    agency: Agency
    prefix: str
    trades: tuple[str, ...]
    matters: list[Matter]
    reviewer_id: int | None
    preparer_id: int | None


# The first characters of the demo agencies' document numbers (示市监罚〔2026〕12号).
PREFIXES = {
    "market": "示市监",
    "emergency": "示应急",
    "ecology": "示环",
    "urban": "示城管",
    "transport": "示交",
    "natural_resources": "示自然资",
    "health": "示卫健",
    "culture": "示文旅",
}


def _prefix(agency: Agency) -> str:
    if agency.domain in PREFIXES and agency.kind == Agency.Kind.ENFORCEMENT:
        return PREFIXES[agency.domain]
    core = (agency.short_name or agency.name).removeprefix("示范县").removeprefix("县")
    return "示" + core[:2]


def _agencies() -> list[_Agency]:
    found = []
    qs = Agency.objects.filter(kind__in=[Agency.Kind.ENFORCEMENT, Agency.Kind.ENTRUSTED])
    for agency in qs.order_by("pk"):
        matters = list(
            Matter.objects.filter(agency=agency, is_active=True)
            .exclude(action_kind="")
            .order_by("pk")
        )
        if not matters:
            continue
        reviewer = (
            agency.officers.filter(role_grants__role=Role.REVIEWER, is_active=True)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        preparer = (
            agency.officers.filter(role_grants__role=Role.OFFICER, is_active=True)
            .exclude(role_grants__role=Role.REVIEWER)
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        found.append(
            _Agency(
                agency,
                _prefix(agency),
                TRADES.get(agency.domain, TRADES["market"]),
                matters,
                reviewer,
                preparer,
            )
        )
    return found


class _Deadlines:
    """``workdays_add`` once per (day, working days): the calendar lookups of 10⁶
    items shrink to a few hundred."""

    def __init__(self) -> None:
        self.cache: dict[tuple[date, int], tuple[date, bool]] = {}

    def __call__(self, day: date, action_kind: str) -> tuple[date, bool]:
        n = services.deadline_workdays(action_kind, None)
        key = (day, n)
        if key not in self.cache:
            deadline = workdays_add(day, n)
            self.cache[key] = (deadline.date, deadline.provisional)
        return self.cache[key]


def _behaviour(matter: Matter) -> str:
    name = matter.name.removeprefix("对")
    for suffix in ("的行政处罚", "行政处罚"):
        name = name.removesuffix(suffix)
    return name


class _Maker:
    def __init__(self, rng: random.Random, agencies: list[_Agency], today: date) -> None:
        self.rng = rng
        self.agencies = agencies
        self.today = today
        self.serial: dict[tuple[int, int, str], int] = {}
        self.deadlines = _Deadlines()
        self.months_natural = services.display_months(Disclosure.PartyKind.NATURAL)
        self.months_legal = services.display_months(Disclosure.PartyKind.LEGAL)

    def _company(self, spec: _Agency) -> tuple[str, str, str]:
        rng = self.rng
        n = rng.randrange(50_000)
        brand = BRANDS[n % len(BRANDS)] + ("" if n < 20 else "甲乙丙丁戊己庚辛壬癸"[n // 20 % 10])
        name = f"示范县{brand}{spec.trades[n % len(spec.trades)]}有限公司"
        body = f"91990102MA{n:07d}"
        code = body + uscc.calc_check_digit(body)
        representative = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        return name, code, representative

    def _number(self, spec: _Agency, year: int, kind: str) -> str:
        char = {"penalty": "罚", "licensing": "许", "coercion": "强", "inspection": "检"}.get(
            kind, "决"
        )
        key = (spec.agency.pk, year, char)
        self.serial[key] = self.serial.get(key, 0) + 1
        return f"{spec.prefix}{char}〔{year}〕{self.serial[key]}号"

    def make(self, i: int) -> Disclosure:
        rng = self.rng
        spec = self.agencies[i % len(self.agencies)]
        matter = rng.choice(spec.matters)
        kind = matter.action_kind
        natural = rng.random() < 0.3
        if natural:
            party_kind = Disclosure.PartyKind.NATURAL
            party = redaction.mask_name(
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            )
            credit, representative = "", ""
            decided = self.today - timedelta(days=rng.randrange(150))
            months = self.months_natural
        else:
            party_kind = Disclosure.PartyKind.LEGAL
            party, credit, representative = self._company(spec)
            decided = self.today - timedelta(days=rng.randrange(690))
            months = self.months_legal
        when = f"{decided.year}年{decided.month}月{decided.day}日"
        where = f"示范县{rng.choice(TOWNS)}{rng.choice(PLACES)}"
        behaviour = _behaviour(matter)
        fine = confiscated = None
        licence = ""
        if kind == ActionKind.PENALTY:
            title = "行政处罚决定书"
            amount = rng.choice((500, 1000, 2000, 3000, 5000, 10000, 20000, 50000, 100000))
            fine = Decimal(amount * rng.randint(1, 3))
            goods_value = rng.randint(50, 20000)
            facts = (
                f"经查，当事人{party}于{when}在{where}{behaviour}，"
                f"涉案货值金额{goods_value}元。{rng.choice(CIRCUMSTANCES)}。"
                f"以上事实有现场检查笔录、询问笔录、现场照片等证据证实。"
            )
            parts = ["警告"] if rng.random() < 0.2 else []
            if rng.random() < 0.3:
                confiscated = Decimal(rng.randint(1, 50) * 100)
                parts.append(f"没收违法所得{confiscated}元")
            parts.append(f"罚款{fine}元")
            if rng.random() < 0.03:
                licence = f"{rng.choice(LICENCES)}（编号JY{rng.randrange(10**12):012d}）"
                parts.append(f"暂扣{licence}三个月")
            conclusion = "决定给予" + "、".join(parts) + "的行政处罚"
        elif kind == ActionKind.LICENSING:
            title = "准予行政许可决定书"
            facts = (
                f"当事人{party}于{when}申请{matter.name}，经审查，申请材料齐全、"
                f"符合法定形式，经现场核查，{where}符合法定条件。"
            )
            conclusion = f"准予{matter.name}，有效期五年"
        elif kind == ActionKind.COERCION:
            title = "查封扣押决定书"
            facts = (
                f"当事人{party}在{where}存放的物品涉嫌{behaviour.removeprefix('查封、扣押')}，"
                f"经本机关负责人批准，依法实施行政强制措施。"
            )
            conclusion = f"查封、扣押涉案物品{rng.randint(1, 200)}件，期限三十日"
        else:
            title = f"{matter.name}结果"
            facts = f"{when}，执法人员对当事人{party}的{where}进行{matter.name}。"
            conclusion = rng.choice(
                ("未发现违法行为", "发现安全隐患，责令限期整改", "责令立即改正并复查")
            )
        number = self._number(spec, decided.year, kind)
        due_on, provisional = self.deadlines(decided, kind)
        # Most are published within the deadline; a few late, as the queue allows.
        late = rng.random() < 0.03
        published_day = min(
            self.today,
            due_on + timedelta(days=rng.randint(1, 10))
            if late
            else decided + timedelta(days=rng.randint(0, max(0, (due_on - decided).days))),
        )
        published_at = timezone.make_aware(
            datetime.combine(published_day, time(rng.randint(8, 17), rng.randrange(60)))
        )
        item = Disclosure(
            agency=spec.agency,
            kind=Disclosure.Kind.DECISION,
            status=S.PUBLISHED,
            title=f"{title} {number}（{party}）",
            action_kind=kind,
            matter=matter,
            document_number=number,
            party_kind=party_kind,
            party_name=party,
            party_credit_code=credit,
            party_representative=representative,
            violation_type=matter.name if kind == ActionKind.PENALTY else "",
            facts=facts,
            basis=matter.legal_basis,
            conclusion=conclusion,
            fine_amount=fine,
            confiscated_amount=confiscated,
            licence=licence,
            decided_on=decided,
            due_on=due_on,
            due_provisional=provisional,
            published_at=published_at,
            is_late=published_day > due_on,
            display_until=services.add_months(published_day, months),
            created_by_id=spec.preparer_id,
        )
        item.search_tokens = " ".join(search.tokens(services.search_text(item)))
        return item


def _events(items: list[Disclosure], people: dict[int, _Agency]) -> list[DisclosureEvent]:
    A = DisclosureEvent.Action
    steps = (
        (A.PREPARE, "", S.DRAFT),
        (A.SUBMIT, S.DRAFT, S.IN_REVIEW),
        (A.PUBLISH, S.IN_REVIEW, S.PUBLISHED),
    )
    events = []
    for item in items:
        spec = people[item.agency_id]
        for action, before, after in steps:
            events.append(
                DisclosureEvent(
                    disclosure=item,
                    action=action,
                    from_status=before,
                    to_status=after,
                    note="逾期公开" if action == A.PUBLISH and item.is_late else "",
                    actor_id=spec.reviewer_id if action == A.PUBLISH else spec.preparer_id,
                    at=item.published_at,
                )
            )
    return events


def decisions_generate(*, n: int, seed: int = 2026, today: date | None = None, progress=None):
    """Write ``n`` published decisions of the existing enforcement agencies (those
    with matters; ``zhifa demo`` makes them) in batches; ``progress(done)`` is
    told after each batch. Returns the number written."""
    today = today or timezone.localdate()
    agencies = _agencies()
    if not agencies:
        from zhifa.core.errors import InvalidInput

        raise InvalidInput("没有带执法事项的执法主体：请先建立示范县（zhifa demo）。")
    rng = random.Random(seed)
    maker = _Maker(rng, agencies, today)
    people = {spec.agency.pk: spec for spec in agencies}
    done = 0
    while done < n:
        size = min(BATCH, n - done)
        with transaction.atomic():
            items = Disclosure.objects.bulk_create([maker.make(done + k) for k in range(size)])
            if items[0].pk is None:  # pragma: no cover - every supported backend returns ids
                raise RuntimeError("bulk_create did not return primary keys")
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {search.FTS_TABLE} (rowid, body) VALUES (%s, %s)",
                        [(d.pk, d.search_tokens) for d in items],
                    )
            DisclosureEvent.objects.bulk_create(_events(items, people))
            ledger.append(
                actor=None,
                action="disclosure.bulk_generate",
                payload={
                    "count": size,
                    "first_id": items[0].pk,
                    "last_id": items[-1].pk,
                    "seed": seed,
                    "note": "演示数据：批量生成的已公示执法决定",
                },
            )
        done += size
        if progress:
            progress(done)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return done
