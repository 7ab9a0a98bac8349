"""Cases of the demo county: for every agency, cases in every stage and
procedure, made through the same services (and the same stage driver) as a
person at the workbench would, with plausible records."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zhifa.accounts.models import Agency, Role
from zhifa.cases import driver, services
from zhifa.cases.models import Case, Procedure, Signature, Source, Stage
from zhifa.cases.records import KINDS
from zhifa.cases.services import SignatureInput

COMPANIES = [
    ("示范县好味食品有限公司", "91110000600037341L", "王建国"),
    ("示范县顺达物流有限公司", "91330106MA28L5UQ18", "刘海"),
    ("示范县绿源农业开发有限公司", "91320582MA1MD1KG1D", "陈秀英"),
    ("示范县鑫盛建材有限公司", "91440300MA5FJ7LW0K", "赵立军"),
]
PEOPLE = [
    ("张伟", "11010519491231002X"),
    ("李娜", "110101199003074470"),
    ("王芳", "440305199112310021"),
]


@dataclass
class DemoTeam:
    agency: Agency
    officers: list
    leader: object
    reviewer: object
    matter: object
    sysadmin: object = None
    extra: dict = field(default_factory=dict)

    @property
    def lead(self):
        return self.officers[0].user


class _Clock:
    """Hands out record times from the case start to now, in order."""

    def __init__(self, started_on: date) -> None:
        start = timezone.make_aware(datetime.combine(started_on, time(9, 0)))
        self.now = timezone.now() - timedelta(minutes=30)
        self.at = min(start, self.now - timedelta(days=1))

    def next(self) -> datetime:
        self.at = min(self.at + timedelta(hours=5), self.now)
        return self.at


def _content(kind: str, case: Case, t: DemoTeam) -> dict:
    party = case.parties.first()
    who = party.name if party else "当事人"
    matter = case.matter.name
    basis = case.matter.legal_basis
    names = "、".join(a.officer.name for a in case.assignments.all())
    texts = {
        "cause": f"{who}涉嫌{matter.removeprefix('对').split('的行政')[0]}",
        "facts": f"经查，{who}于近期存在{matter.removeprefix('对').split('的行政')[0]}的行为，"
        "有现场检查笔录、询问笔录及相关票据为证。",
        "handler_opinion": "违法事实基本清楚，建议立案调查。",
        "unit_opinion": "同意立案。",
        "leader_opinion": "同意立案，由承办人员依法调查。",
        "approved_by": t.leader.officer.name,
        "credentials_shown": f"执法人员{names}向当事人出示了行政执法证件。",
        "rights": "告知当事人依法享有陈述、申辩、申请回避的权利，并告知听证权利及申请期限。",
        "interviewee": party.representative or who if party else "当事人",
        "questions_answers": "问：我们是示范县执法人员，现依法向你了解情况，你是否申请回避？\n"
        "答：不申请。\n问：请说明相关经营情况。\n答：情况属实，我们愿意配合调查并整改。",
        "present": f"{who}负责人及执法人员{names}",
        "situation": "现场检查时当事人正在营业，执法人员对经营场所及库存物品进行了检查并拍照录像。",
        "evidence": "现场检查笔录、询问笔录、营业执照复印件、进货票据。",
        "basis": basis,
        "proposal": "建议依法给予警告并处罚款。",
        "proposed_decision": "拟给予警告，并处罚款人民币贰仟元整。",
        "discretion": "当事人系初次违法，积极配合调查并主动整改，依裁量基准在法定幅度内从轻处罚。",
        "reasons": "当事人的行为违反了上述规定，事实清楚，证据确凿。",
        "statements": "当事人表示认可违法事实，请求从轻处罚。",
        "review": "当事人的陈述已在裁量时予以考虑。",
        "opinion": "同意承办机构意见。",
        "party": who,
        "conclusion": "给予警告，并处罚款人民币贰仟元整。",
        "performance": "自收到本决定书之日起十五日内缴纳罚款。",
        "remedies": "如不服本决定，可在六十日内申请行政复议，或在六个月内提起行政诉讼。",
        "fine_amount": "2000.00",
        "document": f"{case.matter.name}决定书",
        "server": t.officers[0].officer.name if hasattr(t.officers[0], "officer") else names,
        "recipient": who,
        "manner": "通过银行缴纳罚款",
        "summary": "案件调查终结，决定已送达并履行完毕。",
        "result": "当事人已履行完毕。",
        "applicant": who,
        "application": f"申请办理{matter}",
        "materials": "申请书、营业执照复印件、场所使用证明",
        "receipt_number": f"SL{case.number.replace('-', '')}",
        "decision": "accepted",
        "reason": "材料齐全，符合法定形式。",
    }
    content = {}
    for f in KINDS[kind].fields:
        if f.kind == "choice":
            content[f.name] = texts.get(f.name) if f.name in texts else f.choices[0][0]
        elif f.kind == "date":
            content[f.name] = timezone.localdate().isoformat()
        elif f.kind == "datetime":
            content[f.name] = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        elif f.kind == "money":
            content[f.name] = "2000.00"
        elif f.required or f.name in texts:
            content[f.name] = texts.get(f.name) or f"{f.label}：{matter}"
    return content


class DemoCases:
    def __init__(self, rng: random.Random, sysadmin) -> None:
        self.rng = rng
        self.sysadmin = sysadmin
        self.clocks: dict[int, _Clock] = {}

    def add(self, t: DemoTeam, case: Case, kind: str, **kw):
        spec = KINDS[kind]
        actor = {"leader": t.leader, "reviewer": t.reviewer}.get(spec.by, t.lead)
        when = self.clocks.setdefault(case.pk, _Clock(case.started_on)).next()
        content = {**_content(kind, case, t), **kw.pop("content", {})}
        return services.record_add(
            actor=actor,
            case=case,
            kind=kind,
            occurred_at=when,
            place=case.agency.address or "示范县",
            content=content,
            signatures=self._signatures(t, case, kind, when),
            **kw,
        )

    def _signatures(self, t: DemoTeam, case: Case, kind: str, when) -> list[SignatureInput]:
        from zhifa.cases.testing import signature_image

        party = case.parties.first()
        out = []
        for role in KINDS[kind].signers:
            officer = t.officers[0] if role == Signature.Role.OFFICER else None
            name = {
                Signature.Role.LEADER: t.leader.officer.name,
                Signature.Role.PARTY: party.representative or party.name,
            }.get(role, f"{party.name}代表")
            if role == Signature.Role.PARTY and kind == "interview" and self.rng.random() < 0.2:
                out.append(
                    SignatureInput(
                        role=role,
                        name=name,
                        method="refused",
                        signed_at=when,
                        refusal_note="当事人拒绝在笔录上签名",
                        witness_name="村委会主任周平",
                    )
                )
                continue
            out.append(
                SignatureInput(
                    role=role,
                    name=name,
                    method="on_screen",
                    signed_at=when,
                    image=signature_image(t.lead),
                    officer=officer,
                )
            )
        return out

    def team(self, agency: Agency) -> DemoTeam | None:
        from zhifa.accounts.services import officer_assert_can_enforce
        from zhifa.core.errors import ZhifaError

        today = timezone.localdate()
        eligible = []
        for officer in agency.officers.filter(role_grants__role=Role.OFFICER).order_by("pk"):
            try:
                officer_assert_can_enforce(officer, on=today - timedelta(days=60))
                officer_assert_can_enforce(officer, on=today)
            except ZhifaError:
                continue
            eligible.append(officer)
        leader = agency.officers.filter(role_grants__role=Role.LEADER).first()
        reviewer = agency.officers.filter(role_grants__role=Role.REVIEWER).first()
        matter = agency.matters.filter(action_kind="penalty").first()
        if len(eligible) < 2 or leader is None or matter is None:
            return None
        return DemoTeam(
            agency,
            eligible,
            leader.user,
            reviewer.user if reviewer else None,
            matter,
            sysadmin=self.sysadmin,
        )

    def build(self, agency: Agency, *, archived: bool = False) -> list[Case]:
        """The agency's demo cases; with ``archived``, one more bound and archived."""
        t = self.team(agency)
        if t is None:
            return []
        today = timezone.localdate()
        plan = [
            (Procedure.ORDINARY, Source.EX_OFFICIO, Stage.START, 2),
            (Procedure.ORDINARY, Source.COMPLAINT, Stage.INVESTIGATION, 10),
            (Procedure.ORDINARY, Source.INSPECTION, Stage.DECISION, 25),
            (Procedure.ORDINARY, Source.TRANSFER, Stage.EXECUTION, 40),
            (Procedure.ORDINARY, Source.EX_OFFICIO, Stage.CLOSED, 30),
            (Procedure.SIMPLE, Source.INSPECTION, Stage.CLOSED, 5),
            (Procedure.FAST, Source.COMPLAINT, Stage.DECISION, 6),
        ]
        cases = []
        for i, (procedure, source, stage, days_ago) in enumerate(plan):
            name, code, rep = COMPANIES[(agency.pk + i) % len(COMPANIES)]
            party = (
                {"kind": "legal", "name": name, "credit_code": code, "representative": rep}
                if i % 3
                else {"kind": "natural", "name": PEOPLE[i % 3][0], "id_number": PEOPLE[i % 3][1]}
            )
            officers = t.officers[(2 * i) % (len(t.officers) - 1) :][:2]
            if procedure == Procedure.SIMPLE:
                officers = officers[:1]
            t.officers = officers + [o for o in t.officers if o not in officers]
            case = services.case_open(
                actor=t.lead,
                matter=t.matter,
                title=f"{party['name']}涉嫌{t.matter.name.removeprefix('对').split('的行政')[0]}案",
                procedure=procedure,
                source=source,
                started_on=today - timedelta(days=days_ago),
                officers=officers,
                parties=[party],
                is_emergency=source == Source.TRANSFER and agency.pk % 2 == 0,
            )
            case = driver.advance_to(t, case, stage, add=self.add)
            cases.append(case)
        if archived:
            cases.append(self._archived(t, plan_days=45))
        return cases

    def _archived(self, t: DemoTeam, *, plan_days: int) -> Case:
        from zhifa.casefiles.services import casefile_archive, casefile_assemble

        name, code, rep = COMPANIES[0]
        case = services.case_open(
            actor=t.lead,
            matter=t.matter,
            title=f"{name}涉嫌{t.matter.name.removeprefix('对').split('的行政')[0]}案（已归档）",
            procedure=Procedure.ORDINARY,
            source=Source.COMPLAINT,
            started_on=timezone.localdate() - timedelta(days=plan_days),
            officers=t.officers[:2],
            parties=[{"kind": "legal", "name": name, "credit_code": code, "representative": rep}],
        )
        case = driver.advance_to(t, case, Stage.CLOSED, add=self.add)
        casefile_assemble(actor=t.lead, case=case)
        casefile_archive(actor=t.lead, case=case)
        case.refresh_from_db()
        return case
