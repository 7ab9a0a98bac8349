"""Stale public items (PUB-03): a matter citing a law version that is repealed or
replaced is flagged with its 15-working-day update deadline."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.catalogues.provisions import legal_basis_import, legal_basis_repeal
from zhifa.disclosures import selectors

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-03")]


def test_a_matter_citing_a_repealed_law_is_flagged_until_updated(desk, build, client_for):
    basis = legal_basis_import(
        actor=build.sysadmin,
        name="中华人民共和国食品安全法",
        short_name="食品安全法",
        version="2021年修正",
        level="law",
        effective_on=date(2021, 4, 29),
        text="第一条 为了保证食品安全，制定本法。",
    )
    assert selectors.stale_items(actor=desk.legal) == []
    today = timezone.localdate()
    legal_basis_repeal(actor=build.sysadmin, basis=basis, repealed_on=today)
    stale = selectors.stale_items(actor=desk.legal)
    assert [s.label for s in stale] == [f"执法事项 {desk.matter.code} {desk.matter.name}"]
    assert stale[0].since == today
    assert stale[0].due_on > today and not stale[0].is_overdue(today)
    assert stale[0].is_overdue(date(2099, 1, 1))
    assert selectors.stale_items(actor=desk.outsider) == []
    page = client_for(desk.legal).get(reverse("portal:wb-queue")).content.decode()
    assert desk.matter.name in page and "待更新" in page
    portal = client_for(desk.legal).get(reverse("portal:matter-list")).content.decode()
    assert "本事项待更新" in portal
