"""Published decisions in bulk for the speed measurements (PUB-12; ``zhifa demo
--decisions N``): the rows are those the services leave — public text that
passes the last redaction guard, the search tokens of ``search_text``, the FTS
row, the three events — every one is on the portal and found by its search, and
the ledger records each batch and still verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from zhifa.disclosures import scale, search, selectors, services
from zhifa.disclosures.models import Disclosure, DisclosureEvent
from zhifa.ledger.models import LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-12")]


def test_generated_decisions_are_shaped_as_the_services_publish_them(desk, client, monkeypatch):
    monkeypatch.setattr(scale, "BATCH", 100)
    assert scale.decisions_generate(n=250, seed=7) == 250
    items = list(Disclosure.objects.filter(kind="decision").select_related("agency"))
    assert len(items) == 250
    assert selectors.published().filter(kind="decision").count() == 250  # all on the portal
    for item in items:
        assert item.status == "published" and item.published_at and item.display_until
        assert services.remaining_leaks(item) == []
        assert item.search_tokens == " ".join(search.tokens(services.search_text(item)))
        assert item.due_on >= item.decided_on
        assert item.is_late == (item.published_at.date() > item.due_on)
    assert DisclosureEvent.objects.count() == 3 * 250
    assert set(DisclosureEvent.objects.values_list("to_status", flat=True)) == {
        "draft",
        "in_review",
        "published",
    }
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {search.FTS_TABLE}")
            assert cursor.fetchone()[0] == 250
    entries = LedgerEntry.objects.filter(action="disclosure.bulk_generate")
    assert [e.payload["count"] for e in entries.order_by("seq")] == [100, 100, 50]
    # Found by the portal's search like any published decision.
    legal = next(i for i in items if i.party_kind == "legal")
    found = client.get(reverse("portal:decision-list"), {"q": legal.document_number})
    assert legal.document_number in found.content.decode()


def test_natural_persons_appear_masked_only(desk):
    scale.decisions_generate(n=120, seed=3)
    natural = Disclosure.objects.filter(party_kind="natural")
    assert natural.exists()
    for item in natural:
        assert item.party_name.endswith("某某") and len(item.party_name) == 3
        assert item.party_credit_code == "" and item.party_representative == ""


def test_nothing_is_generated_without_agencies_that_have_matters(db):
    from zhifa.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        scale.decisions_generate(n=5)
    assert not Disclosure.objects.exists()


def test_the_demo_command_adds_decisions_to_the_demo_county():
    out = io.StringIO()
    call_command("demo", "--no-cases", "--decisions", "40", stdout=out)
    assert "完成：40 件已公示的执法决定" in out.getvalue()
    before = selectors.published().filter(kind="decision").count()
    call_command("demo", "--decisions", "10", stdout=io.StringIO())
    assert selectors.published().filter(kind="decision").count() == before + 10
    call_command("ledger", "verify", stdout=io.StringIO())
