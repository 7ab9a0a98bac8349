"""What each kind of instrument is made from, who makes it and how it is numbered.

One table, read by the issuing service, the stage rules, the case page and the
template check. ``records`` names the case record kinds whose content the
instrument renders (the first is the usual one); ``record_required`` says the
instrument cannot be made without one. ``pattern`` is the default 文号 format
(``None``: the kind carries no number unless the agency sets a format).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhifa.cases.models import Procedure, Stage
from zhifa.cases.records import DELIVERY_KINDS
from zhifa.catalogues.models import ActionKind
from zhifa.instruments.models import Kind

ALL_PROCEDURES = (Procedure.ORDINARY, Procedure.SIMPLE, Procedure.FAST)


@dataclass(frozen=True)
class Spec:
    code: str
    records: tuple[str, ...]
    stage: str
    record_required: bool = True
    pattern: str | None = None
    # An approval form may also be made by the case's leader (负责人).
    leader_may_issue: bool = False
    # One instrument in force per case (a second one corrects the first), or
    # one per record (笔录, 通知书 of each seizure, …).
    one_per_case: bool = False
    procedures: tuple[str, ...] = ALL_PROCEDURES
    action_kinds: tuple[str, ...] = ()  # empty: every kind of action
    # Pre-printed forms take their number from the record (``form_number``).
    preprinted: bool = False
    # Made from another app's page, which passes what the template shows
    # (``IssueRequest.extra``): not offered on the case's instruments panel.
    made_elsewhere: bool = False
    # May be made after the case is closed (an answer the party asks for later).
    after_closing: bool = False

    @property
    def label(self) -> str:
        return Kind(self.code).label


PENALTY = (ActionKind.PENALTY,)
NOT_SIMPLE = (Procedure.ORDINARY, Procedure.FAST)

SPECS: dict[str, Spec] = {
    s.code: s
    for s in (
        Spec(
            Kind.FILING_APPROVAL,
            ("filing_approval",),
            Stage.START,
            leader_may_issue=True,
            one_per_case=True,
            procedures=NOT_SIMPLE,
        ),
        Spec(Kind.ONSITE_INSPECTION, ("onsite_inspection",), Stage.INVESTIGATION),
        Spec(Kind.INTERVIEW, ("interview",), Stage.INVESTIGATION),
        Spec(
            Kind.EVIDENCE_PRESERVATION,
            ("evidence_preservation",),
            Stage.INVESTIGATION,
            pattern="{abbr}登保〔{year}〕{n}号",
        ),
        Spec(
            Kind.INVESTIGATION_REPORT,
            ("investigation_report",),
            Stage.INVESTIGATION,
            one_per_case=True,
            procedures=NOT_SIMPLE,
        ),
        Spec(
            Kind.PRIOR_NOTICE,
            ("prior_notice",),
            Stage.DECISION,
            pattern="{abbr}罚告〔{year}〕{n}号",
            one_per_case=True,
            procedures=NOT_SIMPLE,
            action_kinds=PENALTY,
        ),
        Spec(
            Kind.HEARING_NOTICE,
            ("hearing_notice",),
            Stage.DECISION,
            pattern="{abbr}听告〔{year}〕{n}号",
            one_per_case=True,
            procedures=NOT_SIMPLE,
            action_kinds=PENALTY,
        ),
        Spec(
            Kind.HEARING_MINUTES,
            ("hearing_minutes",),
            Stage.DECISION,
            procedures=NOT_SIMPLE,
        ),
        Spec(
            Kind.DECISION,
            ("decision",),
            Stage.DECISION,
            pattern="{abbr}罚〔{year}〕{n}号",
            one_per_case=True,
            procedures=NOT_SIMPLE,
            action_kinds=PENALTY,
        ),
        Spec(
            Kind.ONSPOT_DECISION,
            ("onspot_decision",),
            Stage.DECISION,
            one_per_case=True,
            procedures=(Procedure.SIMPLE,),
            action_kinds=PENALTY,
            preprinted=True,
        ),
        Spec(
            Kind.DELIVERY_RECEIPT,
            DELIVERY_KINDS,
            Stage.DECISION,
            record_required=False,
        ),
        Spec(
            Kind.CLOSING_APPROVAL,
            ("closing_approval",),
            Stage.EXECUTION,
            leader_may_issue=True,
            one_per_case=True,
            procedures=NOT_SIMPLE,
        ),
        # The written answer to a party's request for reasons (RSN-05, 001 附件4
        # §15, §16), made from the request by ``reasons.services``.
        Spec(
            Kind.REASONS_STATEMENT,
            (),
            Stage.DECISION,
            record_required=False,
            pattern="{abbr}说理〔{year}〕{n}号",
            leader_may_issue=True,
            made_elsewhere=True,
            after_closing=True,
        ),
    )
}
assert set(SPECS) == set(Kind.values), "every kind needs a spec"

# The instruments a party is served with: the 送达回证 lists them.
SERVED_KINDS = (
    Kind.EVIDENCE_PRESERVATION,
    Kind.PRIOR_NOTICE,
    Kind.HEARING_NOTICE,
    Kind.DECISION,
    Kind.ONSPOT_DECISION,
    Kind.REASONS_STATEMENT,
)


def applies(spec: Spec, case) -> bool:
    """Whether the kind is used at all in ``case`` (procedure and kind of action)."""
    if case.procedure not in spec.procedures:
        return False
    return not spec.action_kinds or case.action_kind in spec.action_kinds


def reached(spec: Spec, case) -> bool:
    """Whether ``case`` has reached the stage at which the kind can be made."""
    return Stage.order(case.stage) >= Stage.order(spec.stage)
