"""The data an instrument template is filled with (REC-07, REC-14).

``context_for`` reads a case, its parties and officers, and the record the
instrument renders, into plain strings: dates in Chinese (2026年3月5日), choices
by their label, amounts also in capital numerals (贰仟元整). Every field of the
record's kind is present, empty when not filled, so a template may name any of
them. ``sample_context`` builds the same structure from unsaved objects with
sample values: it is what an uploaded template is checked against, so a
template that renders the sample renders every real case.

Keys a template can use (see also ``FIELD_HELP``):
``agency.*``, ``case.*``, ``number`` (文号), ``title``, ``parties`` (list),
``party`` (the first), ``party_names``, ``officers`` (list), ``officer_names``,
``record.*``, ``r.<field>`` (the record's content), ``documents`` (送达回证),
``issued_on``, ``seal``, ``reasons`` (the structured reasons of the decision and
the prior notice: see ``zhifa.reasons.rendering``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.utils import timezone

from zhifa.accounts.models import Agency, Officer
from zhifa.cases.models import Case, CaseOfficer, Party, Procedure, Record, Signature, Source
from zhifa.cases.records import KINDS as RECORD_KINDS
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.instruments.kinds import SPECS

SEAL = "（印章）"

FIELD_HELP = {
    "agency": "执法机关：name 名称、short_name 简称、address 地址、postcode 邮编、phone 电话、"
    "complaint_phone 投诉举报电话",
    "case": "案件：number 案件编号、title 案件名称、procedure 程序、source 来源、source_detail "
    "来源说明、matter 执法事项、matter_code 事项编码、legal_basis 执法依据、started_on 启动日期、"
    "unit 承办机构",
    "number": "文号（系统生成，当场处罚决定书为预印编号）",
    "title": "文书名称",
    "parties": "当事人列表，每项有 kind 类型、name 名称、id_label 证件名称、id_number 证件号码、"
    "representative 法定代表人、address 地址、phone 电话",
    "party": "第一个当事人（字段同上）",
    "party_names": "全部当事人名称，以顿号分隔",
    "officers": "承办人员列表，每项有 name 姓名、credential_number 执法证件编号、is_lead 是否主办",
    "officer_names": "承办人员及执法证件编号",
    "record": "所据记录：occurred_at 时间、occurred_on 日期、place 地点、signers 签名情况、"
    "signatures 签名列表（role、name、method、signed_at、note）",
    "r": "所据记录的内容字段（见记录类型），金额字段另有 <字段>_upper 大写金额",
    "documents": "本案已制作的须送达文书，每项有 title 名称、number 文号",
    "issued_on": "制作日期",
    "seal": "印章位置占位文字",
    "reasons": "结构化说明理由（处罚决定书、事先告知书）：structured 是否结构化；"
    "facts 事实（n、text、evidence）；"
    "evidence 证据（n、name、source、assessment、adopted、reason）；"
    "provisions 依据（n、citation、quoted_text、why）；"
    "discretion 裁量（band、benchmark、factors、reasons、amount、out_of_range_reason）；"
    "points 当事人意见及答复（n、source、content、answer、reply）",
}

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{cn_date(value)}{value.hour}时{value.minute:02d}分"


def rmb_upper(amount: str | Decimal | int) -> str:
    """An amount of yuan in capital numerals: 2000.50 → 贰仟元伍角整."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    if value < 0:
        return ""
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    out = _integer_upper(yuan) + "元" if yuan else ""
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    else:
        out += "整"
    return out if out != "整" else "零元整"


def _integer_upper(n: int) -> str:
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    zero_pending = False
    for i in range(len(groups) - 1, -1, -1):
        group = groups[i]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        zero_pending = False
        out += _group_upper(group) + _SECTIONS[i]
    return out


def _group_upper(n: int) -> str:
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _UNITS[position]
    return out


# --- Pieces --------------------------------------------------------------------------


def _agency(agency: Agency) -> dict:
    return {
        "name": agency.name,
        "short_name": agency.short_name or agency.name,
        "address": agency.address,
        "postcode": agency.postcode,
        "phone": agency.phone,
        "complaint_phone": agency.complaint_phone,
    }


def _case(case: Case) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "procedure": case.get_procedure_display(),
        "source": case.get_source_display(),
        "source_detail": case.source_detail,
        "matter": case.matter.name,
        "matter_code": case.matter.code,
        "legal_basis": case.matter.legal_basis,
        "started_on": cn_date(case.started_on),
        "unit": case.unit.name if case.unit_id else "",
    }


def _party(party: Party | None) -> dict:
    if party is None:
        party = Party(kind=Party.Kind.NATURAL, name="")
    if party.credit_code:
        id_label, id_number = "统一社会信用代码", party.credit_code
    elif party.id_number:
        id_label, id_number = "居民身份证号码", party.id_number
    else:
        id_label, id_number = "证件号码", ""
    return {
        "kind": party.get_kind_display(),
        "name": party.name,
        "id_label": id_label,
        "id_number": id_number,
        "representative": party.representative,
        "address": party.address,
        "phone": party.phone,
    }


def _officer(assignment: CaseOfficer) -> dict:
    return {
        "name": assignment.officer.name,
        "credential_number": assignment.credential_number,
        "is_lead": assignment.is_lead,
    }


def _signature(s: Signature) -> dict:
    note = ""
    if s.method == Signature.Method.REFUSED:
        note = f"拒绝签名：{s.refusal_note}；见证人：{s.witness_name}"
    return {
        "role": s.get_role_display(),
        "name": s.name,
        "method": s.get_method_display(),
        "signed_at": cn_datetime(s.signed_at),
        "note": note,
    }


def record_fields(kind: str) -> list:
    """The content fields an instrument of ``kind`` can show (``r.<name>``)."""
    seen: dict[str, object] = {}
    for record_kind in SPECS[kind].records:
        for f in RECORD_KINDS[record_kind].fields:
            seen.setdefault(f.name, f)
    return list(seen.values())


class Fields(SimpleNamespace):
    """A record's content for templates, as attributes: Jinja looks ``r.items``
    up as an attribute first, and on a dict would find the method ``items``."""


def _content(kind: str, record: Record | None) -> Fields:
    content = record.content if record is not None else {}
    out = {}
    for f in record_fields(kind):
        value = str(content.get(f.name) or "")
        if f.kind == "choice":
            value = dict(f.choices).get(value, value)
        elif f.kind == "date" and value:
            value = cn_date(date.fromisoformat(value))
        out[f.name] = value
        if f.kind == "money":
            out[f"{f.name}_upper"] = rmb_upper(value) if value else ""
    return Fields(**out)


def _record(record: Record | None, signatures: list[Signature]) -> dict:
    signed = [_signature(s) for s in signatures]
    return {
        "kind": record.kind_label if record is not None else "",
        "occurred_at": cn_datetime(record.occurred_at) if record is not None else "",
        "occurred_on": cn_date(record.occurred_at) if record is not None else "",
        "place": record.place if record is not None else "",
        "signatures": signed,
        "signers": "；".join(
            f"{s['role']}：{s['name']}" + (f"（{s['note']}）" if s["note"] else "") for s in signed
        ),
    }


# --- The whole context -------------------------------------------------------------


def context_for(
    *,
    case: Case,
    kind: str,
    number: str,
    issued_on: date,
    parties: list[Party],
    assignments: list[CaseOfficer],
    record: Record | None,
    signatures: list[Signature],
    documents: list[tuple[str, str]],
) -> dict:
    """Everything a template of ``kind`` may show, as strings (and lists of dicts)."""
    party_rows = [_party(p) for p in parties]
    officers = [_officer(a) for a in assignments]
    return {
        "kind": str(kind),
        "title": SPECS[kind].label,
        "number": number,
        "agency": _agency(case.agency),
        "case": _case(case),
        "parties": party_rows,
        "party": party_rows[0] if party_rows else _party(None),
        "party_names": "、".join(p["name"] for p in party_rows),
        "officers": officers,
        "officer_names": "、".join(
            f"{o['name']}（执法证件编号：{o['credential_number']}）" for o in officers
        ),
        "record": _record(record, signatures),
        "r": _content(kind, record),
        "documents": [{"title": t, "number": n} for t, n in documents],
        "issued_on": cn_date(issued_on),
        "seal": SEAL,
        "reasons": _reasons(case, str(kind)),
        # The answer of a request for written reasons (说明理由书, RSN-05): filled
        # by the reasons app through ``IssueRequest.extra``.
        "request": _request_sample() if not case.pk and kind == "reasons_statement" else {},
    }


def _request_sample() -> dict:
    from zhifa.reasons.rendering import request_sample

    return request_sample()


def _reasons(case: Case, kind: str) -> dict:
    from zhifa.reasons.rendering import reasons_context, reasons_sample

    # An unsaved case is the sample a template is checked against.
    return reasons_context(case, kind) if case.pk else reasons_sample()


def sample_context(kind: str, agency: Agency | None = None) -> dict:
    """The context of ``kind`` filled with sample values, from unsaved objects."""
    agency = agency or Agency(name="示例县市场监督管理局", short_name="示市监")
    matter = Matter(
        agency=agency,
        code="330217001000",
        name="对销售不符合食品安全标准的食品的行政处罚",
        action_kind=ActionKind.PENALTY,
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
    )
    spec = SPECS[kind]
    case = Case(
        agency=agency,
        number="2026-0001",
        title="示例食品公司销售过期食品案",
        matter=matter,
        action_kind=ActionKind.PENALTY,
        procedure=spec.procedures[0],
        source=Source.EX_OFFICIO,
        source_detail="日常检查发现",
        started_on=date(2026, 3, 2),
    )
    if case.procedure not in Procedure.values:  # pragma: no cover - SPECS are well formed
        raise AssertionError(kind)
    parties = [
        Party(
            kind=Party.Kind.LEGAL,
            name="示例食品有限公司",
            credit_code="91110000600037341L",
            representative="张三",
            address="示例县城关镇幸福路 1 号",
            phone="0571-00000000",
        )
    ]
    assignments = [
        CaseOfficer(
            officer=Officer(name="执法员甲"), credential_number="33000000001", is_lead=True
        ),
        CaseOfficer(officer=Officer(name="执法员乙"), credential_number="33000000002"),
    ]
    moment = timezone.make_aware(datetime(2026, 3, 3, 9, 30))
    content = {}
    for f in record_fields(kind):
        if f.kind == "choice":
            content[f.name] = f.choices[0][0]
        elif f.kind == "date":
            content[f.name] = "2026-03-05"
        elif f.kind == "datetime":
            content[f.name] = "2026-03-03 09:30"
        elif f.kind == "money":
            content[f.name] = "2000.00"
        else:
            content[f.name] = f"{f.label}（示例）"
    record = (
        Record(kind=spec.records[0], occurred_at=moment, place="示例县城关镇", content=content)
        if spec.records
        else None
    )
    signatures = [
        Signature(
            role=Signature.Role.OFFICER, name="执法员甲", method="on_screen", signed_at=moment
        ),
        Signature(
            role=Signature.Role.PARTY,
            name="张三",
            method="refused",
            signed_at=moment,
            refusal_note="当事人拒绝签名",
            witness_name="李四",
        ),
    ]
    number = content.get("form_number", "") if spec.preprinted else "示市监罚〔2026〕1号"
    return context_for(
        case=case,
        kind=kind,
        number=number,
        issued_on=date(2026, 3, 5),
        parties=parties,
        assignments=assignments,
        record=record,
        signatures=signatures,
        documents=[("行政处罚决定书", "示市监罚〔2026〕1号")],
    )
