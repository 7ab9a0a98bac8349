"""Writes to catalogues (matters, work calendar). Each function runs in one
transaction, checks who is acting and appends its ledger entry."""

from __future__ import annotations

from django.db import transaction

from zhifa import ledger
from zhifa.accounts.models import Agency, Unit
from zhifa.accounts.services import require_agency_admin
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.core.errors import Conflict, InvalidInput

# --- Matters (PUB-02) ---------------------------------------------------------------

MATTER_FIELDS = ("name", "action_kind", "unit", "legal_basis", "time_limit_days", "note")


def _check_matter(agency: Agency, fields: dict) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInput("事项名称不能为空。")
    if "action_kind" in fields and fields["action_kind"] not in ActionKind.values:
        raise InvalidInput(f"事项类别“{fields['action_kind']}”无效。")
    if "legal_basis" in fields and not str(fields["legal_basis"]).strip():
        raise InvalidInput("执法依据不能为空。")
    unit: Unit | None = fields.get("unit")
    if unit is not None and unit.agency_id != agency.pk:
        raise InvalidInput(f"承办机构“{unit.name}”不属于{agency.name}。")
    days = fields.get("time_limit_days")
    if days is not None and (not isinstance(days, int) or days < 0):
        raise InvalidInput("办理时限应为不小于 0 的整数（工作日）。")


@transaction.atomic
def matter_create(
    *, actor, agency: Agency, code: str, name: str, action_kind: str, legal_basis: str,
    unit: Unit | None = None, time_limit_days: int | None = None, note: str = "",
) -> Matter:
    require_agency_admin(actor, agency)
    code = code.strip()
    if not code:
        raise InvalidInput("项目编码不能为空。")
    fields = {"name": name.strip(), "action_kind": action_kind, "unit": unit,
              "legal_basis": legal_basis.strip(), "time_limit_days": time_limit_days,
              "note": note.strip()}
    _check_matter(agency, fields)
    if Matter.objects.filter(agency=agency, code=code).exists():
        raise Conflict(f"{agency.name}已有项目编码为 {code} 的执法事项。")
    matter = Matter.objects.create(agency=agency, code=code, **fields)
    ledger.append(actor=actor, action="matter.create", obj=matter,
                  payload={"code": code, **_loggable(fields)})
    return matter


@transaction.atomic
def matter_update(*, actor, matter: Matter, **fields) -> Matter:
    require_agency_admin(actor, matter.agency)
    unknown = set(fields) - set(MATTER_FIELDS) - {"is_active"}
    if unknown:
        raise InvalidInput(f"未知的事项字段：{'、'.join(sorted(unknown))}")
    _check_matter(matter.agency, fields)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    changes = {
        key: {"from": _loggable_value(getattr(matter, key)), "to": _loggable_value(value)}
        for key, value in fields.items()
        if getattr(matter, key) != value
    }
    for key, value in fields.items():
        setattr(matter, key, value)
    matter.save()
    ledger.append(actor=actor, action="matter.update", obj=matter, payload={"changes": changes})
    return matter


def _loggable_value(value):
    return value.name if isinstance(value, Unit) else value


def _loggable(fields: dict) -> dict:
    return {key: _loggable_value(value) for key, value in fields.items()}
