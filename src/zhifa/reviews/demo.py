"""The demo county's legal-review catalogues (REV-01), made through the services.
Called by ``zhifa demo`` for each enforcement agency."""

from __future__ import annotations

from datetime import date

from zhifa.accounts.models import Agency
from zhifa.reviews import services
from zhifa.reviews.models import MajorDecisionRule

START = date(2020, 1, 1)
BASIS = "《安乡县重大行政执法决定法制审核办法（试行）》第四条"

RULES = [
    dict(
        code="FK-01",
        name="对法人或其他组织处五万元以上（含本数）罚款",
        penalty_kinds=["fine"],
        party_type="organisation",
        amount_threshold="50000",
    ),
    dict(
        code="FK-02",
        name="对公民处一万元以上（含本数）罚款",
        penalty_kinds=["fine"],
        party_type="natural",
        amount_threshold="10000",
    ),
    dict(
        code="MS-01",
        name="没收违法所得和非法财物价值超过五万元（不含本数）",
        amount_of="confiscation",
        amount_threshold="50000",
        amount_inclusive=False,
    ),
    dict(
        code="ZL-01",
        name="责令停产停业、吊销许可证件、责令关闭、行政拘留",
        penalty_kinds=["suspend_business", "revoke_licence", "close", "detention"],
    ),
    dict(code="TZ-01", name="依法应当举行听证的", hearing_required=True),
    dict(
        code="QZ-01",
        name="行政强制执行和非紧急情况下实施的行政强制措施",
        traits=["coercive_execution", "non_emergency_measure"],
    ),
    dict(code="ZF-01", name="以本级人民政府名义作出的", traits=["county_government"]),
]


def reviews_demo(agency: Agency, actor) -> list[MajorDecisionRule]:
    """Seed ``agency``'s catalogue; ``actor`` is its reviewer or administrator.
    The catalogue is filed with the 司法局 (left for it to answer) and its portal
    item prepared from the rules; where ``actor`` is in the legal unit, another
    member of it publishes the item."""
    from zhifa.disclosures import selectors as disclosure_selectors
    from zhifa.disclosures import services as disclosures

    rules = [
        services.rule_save(
            actor=actor,
            agency=agency,
            data=services.RuleInput(effective_from=START, basis=BASIS, **spec),
        )
        for spec in RULES
    ]
    services.catalogue_file(actor=actor, agency=agency)
    item = services.catalogue_disclosure_prepare(actor=actor, agency=agency)
    if disclosures.is_legal_unit(actor, agency):
        # Confirmed by another member of the legal unit (PUB-13); with none, it waits.
        checkers = disclosure_selectors.checkers(item)
        if checkers:
            disclosures.disclosure_publish(actor=checkers[0], disclosure=item)
    return rules
