"""Checks case rows against the ledger entries that recorded them, as part of
``zhifa verify`` (REC-11, REC-12).

A record's content is hashed into its ``record.add`` entry; the fixed fields
of a case, a party, an officer's assignment and a suspension of the case's
time limit into the entry that wrote the row; each signature's fields into the
entry of its record; every stage change, release and resumption is an entry,
and the case's clock (suspended since, working days added) is the one its last
suspension entry left. The ledger itself cannot be changed unnoticed, so a
row changed, added or removed directly in the database — by someone holding the
database administrator's password — no longer matches and is named here, with
the last legitimate change to it: who, when and which entry (the responsible
actor the supervisor sees).

``case_audit`` runs the same checks for one case, with that case's ledger
entries proved against the latest signed checkpoint and its files re-hashed.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhifa.cases.models import Case, CaseOfficer, Party, Record, Signature, Suspension
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import (
    EVERYTHING,
    AuditResult,
    AuditScope,
    Finding,
    row_audit,
    row_audits,
    who_and_when,
)

RECORD_ACTIONS = ("record.add", "record.correct")
CLOCK_ACTIONS = ("case.suspend", "case.resume")


def _entries(object_type: str, actions: tuple[str, ...], scope: AuditScope):
    entries = LedgerEntry.objects.filter(object_type=object_type, action__in=actions)
    if scope.case is not None:
        entries = entries.filter(_about(scope.case, object_type))
    return entries.order_by("seq").values_list(
        "object_id", "payload", "actor_name", "recorded_at", "seq", "actor_id"
    )


def _about(case: Case, object_type: str) -> Q:
    if object_type == "cases.case":
        return Q(object_id=str(case.pk))
    return Q(agency_id=case.agency_id, payload__case=case.number)


def latest_payloads(
    object_type: str, actions: tuple[str, ...], scope: AuditScope
) -> dict[str, dict]:
    """The payload of the last entry per object, with ``_by`` added: who made that
    last legitimate change, when, and the entry's number."""
    latest: dict[str, dict] = {}
    for object_id, payload, actor, at, seq, actor_id in _entries(
        object_type, actions, scope
    ).iterator(chunk_size=5000):
        latest[object_id] = {**payload, "_by": who_and_when(actor, at, seq), "_actor": actor_id}
    return latest


def scoped_rows(queryset, scope: AuditScope, case_field: str = "case"):
    if scope.case is not None:
        queryset = queryset.filter(**{case_field: scope.case.pk})
    return queryset.order_by("pk").iterator(chunk_size=2000)


def last_change(payload: dict) -> str:
    return f"（最后一次合法变更：{payload['_by']}）"


def untracked(name: str) -> Finding:
    """A row the ledger never recorded."""
    return Finding("untracked", name, f"{name}：台账中没有它的登记，系绕过系统写入。")


def missing(label: str, gone: dict[str, str]) -> list[Finding]:
    """Rows the ledger recorded that are gone from the database: ``gone`` maps
    each row's id to its last legitimate change (who, when, which entry)."""
    return [
        Finding(
            "missing",
            f"{label} #{key}",
            f"{label} #{key}：台账中有登记，数据库中已被删除（最后一次合法变更：{who}）。",
            actor=who,
        )
        for key, who in sorted(gone.items())
    ]


@row_audit
def records_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    from zhifa.cases.services import record_digest

    recorded = latest_payloads("cases.record", RECORD_ACTIONS, scope)
    # Whose recorded digest is this: a record whose content is another's was moved.
    owner = {payload.get("digest"): key for key, payload in recorded.items()}
    findings = []
    seen = set()
    for record in scoped_rows(Record.objects.select_related("case"), scope):
        key = str(record.pk)
        seen.add(key)
        name = f"执法记录 #{record.pk}（案件 {record.case.number}，{record.kind_label}）"
        payload = recorded.get(key)
        if payload is None:
            findings.append(untracked(name))
            continue
        by = payload["_by"]
        digest = record_digest(record)
        if digest != payload.get("digest"):
            other = owner.get(digest)
            if other is not None and other != key:
                findings.append(
                    Finding(
                        "reordered",
                        name,
                        f"{name}：内容是台账登记的执法记录 #{other} 的内容，两条记录被调换。",
                        expected=payload.get("digest", ""),
                        found=digest,
                        actor=by,
                    )
                )
            else:
                findings.append(
                    Finding(
                        "changed",
                        name,
                        f"{name}：内容与台账登记时的摘要不符，已被修改{last_change(payload)}。",
                        expected=payload.get("digest", ""),
                        found=digest,
                        actor=by,
                    )
                )
        elif record.digest != digest:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：所存摘要与台账登记时不符，已被修改{last_change(payload)}。",
                    expected=digest,
                    found=record.digest,
                    actor=by,
                )
            )
        if record.created_by_id != payload["_actor"]:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：记录人与台账登记的操作人不符，已被修改{last_change(payload)}。",
                    expected=str(payload["_actor"]),
                    found=str(record.created_by_id),
                    actor=by,
                )
            )
    findings += missing("执法记录", {k: recorded[k]["_by"] for k in recorded.keys() - seen})
    return findings


def _instant(value) -> str:
    """A time from a payload or a row, as the ledger keeps it: UTC, milliseconds."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    return json.loads(json.dumps(value.astimezone(UTC), cls=DjangoJSONEncoder))


def _signature_key(payload: dict) -> str:
    fields = {k: v for k, v in payload.items() if k != "signed_at"}
    fields["signed_at"] = _instant(payload.get("signed_at"))
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


@row_audit
def signatures_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    """Each record's signatures against those its ledger entries recorded: one
    changed, added or removed in the database is named with its record."""
    from zhifa.cases.services import signature_payload

    recorded: dict[str, Counter] = defaultdict(Counter)
    fields: dict[str, tuple[str, ...]] = {}
    by: dict[str, str] = {}
    for object_id, payload, actor, at, seq, _ in _entries(
        "cases.record", (*RECORD_ACTIONS, "record.sign"), scope
    ).iterator(chunk_size=5000):
        signed = payload.get("signatures", []) if "signatures" in payload else [payload]
        if "role" not in payload and "signatures" not in payload:
            continue
        for item in signed:
            item = {k: item.get(k) for k in _SIGNATURE_KEYS if k in item}
            fields.setdefault(object_id, tuple(item))
            recorded[object_id][_signature_key(item)] += 1
        by[object_id] = who_and_when(actor, at, seq)
    found: dict[str, Counter] = defaultdict(Counter)
    names: dict[str, str] = {}
    rows = Signature.objects.select_related("record__case", "image")
    for signature in scoped_rows(rows, scope, "record__case"):
        key = str(signature.record_id)
        record = signature.record
        names[key] = f"执法记录 #{record.pk}（案件 {record.case.number}，{record.kind_label}）"
        payload = signature_payload(signature)
        keep = fields.get(key, tuple(payload))
        found[key][_signature_key({k: payload[k] for k in keep if k in payload})] += 1
    unnamed = [int(key) for key in recorded.keys() - names.keys()]
    for record in Record.objects.filter(pk__in=unnamed).select_related("case"):
        names[str(record.pk)] = (
            f"执法记录 #{record.pk}（案件 {record.case.number}，{record.kind_label}）"
        )
    findings = []
    for key in sorted(recorded.keys() | found.keys(), key=int):
        if recorded[key] == found[key]:
            continue
        name = names.get(key, f"执法记录 #{key}")
        added = sum((found[key] - recorded[key]).values())
        removed = sum((recorded[key] - found[key]).values())
        if added and removed:
            kind, what = "changed", "签名与台账登记时不符，已被修改"
        elif added:
            kind, what = "untracked", "有台账中未登记的签名，系绕过系统写入"
        else:
            kind, what = "missing", "台账登记的签名在数据库中已被删除"
        last = f"（最后一次合法变更：{by[key]}）" if key in by else ""
        findings.append(Finding(kind, name, f"{name}：{what}{last}。", actor=by.get(key, "")))
    return findings


_SIGNATURE_KEYS = (
    "role",
    "name",
    "method",
    "signed_at",
    "image_sha256",
    "witness",
    "officer",
    "refusal_note",
)


@row_audit
def cases_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    """Each case's fixed fields against its opening entry, its stage against the
    last stage change."""
    from zhifa.cases.services import CASE_FIXED, row_digest

    stages = latest_payloads("cases.case", ("case.stage",), scope)
    opened = latest_payloads("cases.case", ("case.open",), scope)
    clocks = latest_payloads("cases.case", CLOCK_ACTIONS, scope)
    findings = []
    seen = set()
    for case in scoped_rows(Case.objects.all(), scope, "pk"):
        key = str(case.pk)
        seen.add(key)
        name = f"执法案件 {case.number}"
        opening = opened.get(key)
        if opening is None:
            findings.append(
                Finding("untracked", name, f"{name}：台账中没有立案登记，系绕过系统写入。")
            )
            continue
        if "digest" in opening and row_digest(case, CASE_FIXED) != opening["digest"]:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：立案信息（名称、事项、程序、来源、日期等）与台账登记不符，"
                    f"已被直接修改{last_change(opening)}。",
                    expected=opening["digest"],
                    found=row_digest(case, CASE_FIXED),
                    actor=opening["_by"],
                )
            )
        last = stages.get(key, opening)
        expected = last.get("to", "start")
        if case.stage != expected:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：所处环节与台账不符，已被直接修改{last_change(last)}。",
                    expected=expected,
                    found=case.stage,
                    actor=last["_by"],
                )
            )
        # The clock: a case made to look suspended, or given working days, to
        # hide that it is past its time limit (SUP-01).
        last = clocks.get(key, opening)
        expected = _clock_text(last.get("suspended_since"), last.get("extension", 0))
        found = _clock_text(case.suspended_since, case.limit_extension_workdays)
        if found != expected:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：办理期限的中止状态或顺延工作日数与台账不符，"
                    f"已被直接修改{last_change(last)}。",
                    expected=expected,
                    found=found,
                    actor=last["_by"],
                )
            )
    for key in opened.keys() - seen:
        findings.append(
            Finding(
                "missing",
                f"执法案件 #{key}",
                f"执法案件 #{key}：已被删除{last_change(opened[key])}。",
                actor=opened[key]["_by"],
            )
        )
    return findings


def _clock_text(suspended_since, extension) -> str:
    # A date from the row, its ISO text from the payload: both print the same.
    return f"中止自 {suspended_since or '—'}，顺延 {extension or 0} 个工作日"


def _fixed_rows_audit(
    scope: AuditScope,
    *,
    model,
    fields: tuple[str, ...],
    opening_key: str,
    action: str,
    label: Callable[[object], str],
    released: bool = False,
) -> list[Finding]:
    """Rows of ``model`` (parties, assignments) against the digests that the
    case's opening entry and each later ``action`` entry recorded."""
    from zhifa.cases.services import row_digest

    recorded: dict[str, tuple[str, str]] = {}  # row pk -> (digest, who)
    releases: dict[str, tuple[str, str]] = {}
    actions = ("case.open", action, *(("case.officer_release",) if released else ()))
    for _, payload, actor, at, seq, _ in _entries("cases.case", actions, scope).iterator(
        chunk_size=5000
    ):
        who = who_and_when(actor, at, seq)
        if opening_key in payload:
            for pk, digest in payload[opening_key].items():
                recorded[pk] = (digest, who)
        elif "released_at" in payload and "assignment" in payload:
            releases[str(payload["assignment"])] = (_instant(payload["released_at"]), who)
        elif "digest" in payload and action != "case.open":
            key = str(payload.get("party", payload.get("assignment")))
            recorded[key] = (payload["digest"], who)
    findings = []
    seen = set()
    for row in scoped_rows(model.objects.select_related("case"), scope):
        key = str(row.pk)
        seen.add(key)
        name = label(row)
        if key not in recorded:
            findings.append(untracked(name))
            continue
        digest, who = recorded[key]
        if row_digest(row, fields) != digest:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：与台账登记时不符，已被直接修改（最后一次合法变更：{who}）。",
                    expected=digest,
                    found=row_digest(row, fields),
                    actor=who,
                )
            )
        if released:
            release = releases.get(key)
            now = _instant(row.released_at) if row.released_at else ""
            if (release[0] if release else "") != now:
                who = release[1] if release else who
                findings.append(
                    Finding(
                        "changed",
                        name,
                        f"{name}：退出时间与台账不符，已被直接修改（最后一次合法变更：{who}）。",
                        expected=release[0] if release else "",
                        found=now,
                        actor=who,
                    )
                )
    findings += missing(
        str(model._meta.verbose_name), {k: recorded[k][1] for k in recorded.keys() - seen}
    )
    return findings


@row_audit
def parties_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    from zhifa.cases.services import PARTY_FIXED

    return _fixed_rows_audit(
        scope,
        model=Party,
        fields=PARTY_FIXED,
        opening_key="party_digests",
        action="case.party_add",
        label=lambda p: f"当事人 #{p.pk}（案件 {p.case.number}，{p.name}）",
    )


@row_audit
def assignments_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    from zhifa.cases.services import ASSIGNMENT_FIXED

    return _fixed_rows_audit(
        scope,
        model=CaseOfficer,
        fields=ASSIGNMENT_FIXED,
        opening_key="assignment_digests",
        action="case.officer_assign",
        label=lambda a: f"承办人员 #{a.pk}（案件 {a.case.number}）",
        released=True,
    )


@row_audit
def suspensions_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    """Each suspension of a case's time limit against its ``case.suspend`` entry
    (ground, note, start, who) and its ``case.resume`` entry (end, working days
    left out, who, when): one changed, added or removed is named."""
    from zhifa.cases.services import RESUMPTION_FIXED, SUSPENSION_FIXED, row_digest

    recorded: dict[str, tuple[str, str]] = {}  # suspension pk -> (digest, who)
    resumed: dict[str, tuple[str, str]] = {}
    for _, payload, actor, at, seq, _ in _entries("cases.case", CLOCK_ACTIONS, scope).iterator(
        chunk_size=5000
    ):
        who = who_and_when(actor, at, seq)
        key = str(payload.get("suspension"))
        if "digest" in payload:
            recorded[key] = (payload["digest"], who)
        if "resumption_digest" in payload:
            resumed[key] = (payload["resumption_digest"], who)
    findings = []
    seen = set()
    for row in scoped_rows(Suspension.objects.select_related("case"), scope):
        key = str(row.pk)
        seen.add(key)
        name = f"办理期限中止 #{row.pk}（案件 {row.case.number}，{row.get_ground_display()}）"
        if key not in recorded:
            findings.append(untracked(name))
            continue
        digest, who = recorded[key]
        if row_digest(row, SUSPENSION_FIXED) != digest:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：事由、说明或中止日期与台账登记时不符，已被直接修改"
                    f"（最后一次合法变更：{who}）。",
                    expected=digest,
                    found=row_digest(row, SUSPENSION_FIXED),
                    actor=who,
                )
            )
        expected, who = resumed.get(key, ("", who))
        found = row_digest(row, RESUMPTION_FIXED) if row.ended_on or row.ended_by_id else ""
        if found != expected:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"{name}：恢复日期或不计入的工作日数与台账不符，已被直接修改"
                    f"（最后一次合法变更：{who}）。",
                    expected=expected,
                    found=found,
                    actor=who,
                )
            )
    findings += missing("办理期限中止", {k: recorded[k][1] for k in recorded.keys() - seen})
    return findings


# --- One case -------------------------------------------------------------------------


def case_entries(case: Case):
    """The ledger entries about ``case``: its own, and those of its records,
    instruments, recordings and case file, which name it in their payload."""
    return LedgerEntry.objects.filter(
        Q(object_type="cases.case", object_id=str(case.pk))
        | Q(agency_id=case.agency_id, payload__case=case.number)
    ).order_by("seq")


def _digests(value, found: set[str]) -> set[str]:
    """Every SHA-256 a payload names (``sha256``, ``pdf_sha256``, nested lists …)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("sha256") and isinstance(item, str) and len(item) == 64:
                found.add(item)
            else:
                _digests(item, found)
    elif isinstance(value, list):
        for item in value:
            _digests(item, found)
    return found


def case_audit(case: Case, *, progress=None) -> AuditResult:
    """``zhifa verify --case``: the chain, each of the case's entries proved
    included in the latest signed checkpoint (RFC 9162 inclusion proofs from the
    stored tree), the case's rows, and every file its entries name, re-hashed."""
    from zhifa.ledger import chain, merkle, note, tree
    from zhifa.ledger.models import LedgerCheckpoint, StoredFile
    from zhifa.ledger.selectors import HASHED_FIELDS, chain_finding, file_verify, ledger_verify
    from zhifa.ledger.signing import ledger_verifiers

    started_at = timezone.now()
    total = LedgerEntry.objects.count()
    if progress is not None:
        progress("chain", 0, total)
    chain_report = ledger_verify(
        progress=None if progress is None else (lambda done: progress("chain", done, total))
    )
    findings = [] if chain_report.ok else [chain_finding(chain_report)]

    entries = list(case_entries(case))
    checkpoint = LedgerCheckpoint.objects.order_by("-size").first()
    if progress is not None:
        progress("checkpoints", 0, 1)
    if checkpoint is not None:
        name = f"检查点 {checkpoint.size}"
        try:
            signed = note.Checkpoint.parse(note.open_note(checkpoint.note, ledger_verifiers()))
        except note.NoteError as exc:
            findings.append(Finding("signature_invalid", name, f"{name}的签名无效：{exc}"))
            signed = None
        for entry in entries:
            if signed is None or entry.seq > signed.size:
                continue
            leaf = merkle.leaf_hash(
                chain.canonical(**{name: getattr(entry, name) for name in HASHED_FIELDS})
            )
            try:
                merkle.verify_inclusion(
                    index=entry.seq - 1,
                    size=signed.size,
                    leaf_hash=leaf,
                    proof=tree.stored_inclusion_proof(entry.seq - 1, signed.size),
                    root=signed.root,
                )
            except (merkle.ProofError, LookupError, ValueError) as exc:
                entry_name = f"台账第 {entry.seq} 条"
                findings.append(
                    Finding(
                        "proof_invalid",
                        entry_name,
                        f"{entry_name}（{entry.action}）不能证明包含在{name}中：{exc}",
                        actor=who_and_when(entry.actor_name, entry.recorded_at, entry.seq),
                    )
                )
    if progress is not None:
        progress("checkpoints", 1, 1)

    sha256s: set[str] = set()
    for entry in entries:
        _digests(entry.payload, sha256s)
    files = list(StoredFile.objects.filter(sha256__in=sha256s).order_by("pk"))
    if progress is not None:
        progress("files", 0, len(files))
    for done, stored in enumerate(files, start=1):
        findings += file_verify(stored)
        if progress is not None:
            progress("files", done, len(files))
    findings += row_audits(AuditScope(case=case, sha256s=frozenset(sha256s)))
    return AuditResult(
        started_at=started_at,
        finished_at=timezone.now(),
        entries=len(entries),
        checkpoints=1 if checkpoint is not None else 0,
        files=len(files),
        findings=findings,
    )
