"""Test kit for cases: a team of an agency and a driver that takes a case to
any stage through the real services.

``advance_to`` is ``zhifa.cases.driver.advance_to`` with sample records; apps
register what satisfies their own rules with ``@step`` (see the driver).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from zhifa.accounts.models import Agency, Officer, Role
from zhifa.cases import driver, services
from zhifa.cases.driver import step  # noqa: F401 — re-exported for the apps' kits
from zhifa.cases.models import Case, Procedure, Signature, Source
from zhifa.cases.services import SignatureInput
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.services import matter_create
from zhifa.core.testing import Builder

# A tiny valid PNG (1×1), used as an on-screen signature image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
)
PARTY = {"kind": "legal", "name": "示范县好味食品有限公司", "credit_code": "91110000600037341L"}


@dataclass
class Team:
    agency: Agency
    officers: list[Officer]
    leader: object  # user
    reviewer: object  # user
    matter: Matter
    sysadmin: object
    extra: dict = field(default_factory=dict)

    @property
    def lead(self):
        return self.officers[0].user


def team(build: Builder, agency: Agency, *, action_kind: str = ActionKind.PENALTY) -> Team:
    officers = [build.officer(agency, name=f"执法员{i}") for i in (1, 2)]
    leader = build.officer(agency, roles=(Role.LEADER,), credential=False, name="局长")
    reviewer = build.officer(agency, roles=(Role.REVIEWER,), credential=False, name="审核员")
    matter = matter_create(
        actor=build.sysadmin,
        agency=agency,
        code=f"M-{action_kind}-{agency.pk}",
        name="销售不符合食品安全标准的食品" if action_kind == "penalty" else "食品经营许可",
        action_kind=action_kind,
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        time_limit_days=90,
    )
    return Team(agency, officers, leader.user, reviewer.user, matter, build.sysadmin)


def signature_image(actor):
    from zhifa.ledger.services import file_store

    return file_store(
        actor=actor, stream=io.BytesIO(PNG), original_name="signature.png", content_type="image/png"
    )


def signatures_for(t: Team, kind: str, at) -> list[SignatureInput]:
    from zhifa.cases.records import KINDS

    image = signature_image(t.lead)
    out = []
    for role in KINDS[kind].signers:
        officer = t.officers[0] if role == Signature.Role.OFFICER else None
        name = {Signature.Role.LEADER: "局长"}.get(role, f"{Signature.Role(role).label}甲")
        out.append(
            SignatureInput(
                role=role, name=name, method="on_screen", signed_at=at, image=image, officer=officer
            )
        )
    return out


def sample_content(kind: str) -> dict:
    from zhifa.cases.records import KINDS

    values = {}
    for f in KINDS[kind].fields:
        if not f.required:
            continue
        if f.kind == "choice":
            values[f.name] = f.choices[0][0]
        elif f.kind == "date":
            values[f.name] = timezone.localdate().isoformat()
        elif f.kind == "datetime":
            values[f.name] = timezone.now().strftime("%Y-%m-%d %H:%M")
        elif f.kind == "money":
            values[f.name] = "2000.00"
        else:
            values[f.name] = f"{f.label}：示例内容"
    return values


def add(t: Team, case: Case, kind: str, *, actor=None, content=None, when=None, **kw):
    """Add a complete, signed record of ``kind`` with sample content."""
    from zhifa.cases.records import KINDS

    spec = KINDS[kind]
    if actor is None:
        actor = {"leader": t.leader, "reviewer": t.reviewer}.get(spec.by, t.lead)
    if when is None:
        when = timezone.now() - timedelta(minutes=1)
        if timezone.localtime(when).date() < case.started_on:
            when = timezone.now()  # just after local midnight: not before the case began
    return services.record_add(
        actor=actor,
        case=case,
        kind=kind,
        occurred_at=when,
        place=kw.pop("place", "示范县城关镇"),
        content={**sample_content(kind), **(content or {})},
        signatures=kw.pop("signatures", None) or signatures_for(t, kind, when),
        **kw,
    )


def open_case(t: Team, *, procedure=Procedure.ORDINARY, source=Source.EX_OFFICIO, **kw) -> Case:
    return services.case_open(
        actor=t.lead,
        matter=t.matter,
        title=kw.pop("title", "好味食品公司销售过期食品案"),
        procedure=procedure,
        source=source,
        started_on=kw.pop("started_on", timezone.localdate()),
        officers=kw.pop(
            "officers", t.officers[:1] if procedure == Procedure.SIMPLE else t.officers
        ),
        parties=kw.pop("parties", [PARTY]),
        **kw,
    )


def advance_to(t: Team, case: Case, stage: str) -> Case:
    return driver.advance_to(t, case, stage, add=add)
