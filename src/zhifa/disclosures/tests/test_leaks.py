"""The leak test (PUB-06, PUB-07, PUB-12): many decisions with random names, ID
numbers (valid check characters, X, full-width digits), phones, bank cards and
addresses planted in every free-text field are prepared, published (some
withdrawn or corrected), and every public page, feed, API response and export is
scanned: none of the planted personal data may appear.

``ZHIFA_LEAK_DECISIONS`` sets how many decisions (default 120; the report's run
used 2,000). Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import os
import random
import re
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from zhifa.disclosures import services, testing
from zhifa.disclosures.redaction import Kind, find, fold
from zhifa.disclosures.services import DraftInput, PartyInput

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-06"), pytest.mark.req("PUB-07")]

N = int(os.environ.get("ZHIFA_LEAK_DECISIONS", "120"))
FIELDS = ("facts", "basis", "conclusion", "body", "violation_type", "licence")


def _draft(rng, desk, n, s: testing.Secrets) -> DraftInput:
    natural = rng.random() < 0.6
    party = (
        PartyInput(
            kind=rng.choice(["natural", "individual_business"]) if natural else "natural",
            name=s.name,
            id_number=s.id_number,
            address=s.address,
            phone=s.phone,
            representative=s.name,
        )
        if natural
        else PartyInput(
            kind="legal",
            name=f"示范县{rng.choice('甲乙丙丁戊')}{n}号商贸有限公司",
            credit_code=testing.credit_code(rng),
            representative="",
        )
    )
    texts = {field: testing.text_with(rng, s, field) for field in FIELDS}
    return DraftInput(
        kind="decision",
        title=f"行政处罚决定书 示市监罚〔2026〕{n}号",
        action_kind=rng.choice(["penalty", "penalty", "licensing", "coercion"]),
        matter=desk.matter,
        decided_on=date(2026, 11, 2) + timedelta(days=rng.randint(0, 15)),
        document_number=f"示市监罚〔2026〕{n}号",
        party=party,
        fine_amount=Decimal(rng.randint(0, 200000)),
        private_names=(s.name, s.witness),
        private_addresses=(s.address,),
        **texts,
    )


def _planted_digits(s: testing.Secrets) -> list[str]:
    return [s.id_number, s.phone, s.card, s.landline.replace("-", "")]


def _squash(text: str) -> str:
    """Page text with full-width folded and separators between digits gone."""
    return re.sub(r"(?<=[0-9Xx])[\s\-]+(?=[0-9Xx])", "", fold(text)).upper()


def _scan(label: str, text: str, secrets: list[testing.Secrets], problems: list[str]) -> None:
    squashed = _squash(text)
    for s in secrets:
        for number in _planted_digits(s):
            if number.upper() in squashed:
                problems.append(f"{label}: number {number}")
        for value in (s.name, s.witness, s.address):
            if value in text:
                problems.append(f"{label}: {value}")
    for span in find(text):
        if span.kind in (Kind.ID_NUMBER, Kind.BANK) or (
            span.kind == Kind.PHONE and "0731" not in text[span.start : span.end]
        ):
            problems.append(f"{label}: pattern {span.kind} {text[span.start : span.end]}")


def test_no_planted_personal_data_reaches_any_public_output(desk, client, settings):
    settings.ZHIFA_DISCLOSURE_VERIFY_RATE_PER_MINUTE = 10_000
    rng = random.Random(20261123)
    planted: list[testing.Secrets] = []
    published = []
    for n in range(1, N + 1):
        s = testing.secrets(rng)
        planted.append(s)
        draft = _draft(rng, desk, n, s)
        if n % 5 == 0:
            draft.kind = "inspection_result"  # the inspection-result pages are scanned too
        item = services.disclosure_prepare(actor=desk.officer, agency=desk.agency, draft=draft)
        services.disclosure_submit(actor=desk.officer, disclosure=item)
        published.append(services.disclosure_publish(actor=desk.legal, disclosure=item))
    # Some are withdrawn and corrected: the takedown log and replacements are scanned too.
    for item in published[:3]:
        services.disclosure_withdraw(actor=desk.legal, disclosure=item, reason="原决定已撤销")
    s = testing.secrets(rng)
    planted.append(s)
    replacement = services.disclosure_correct(
        actor=desk.leader,
        disclosure=published[3],
        explanation="重新作出决定",
        draft=_draft(rng, desk, N + 1, s),
    )
    services.disclosure_submit(actor=desk.officer, disclosure=replacement)
    services.disclosure_publish(actor=desk.legal, disclosure=replacement)

    problems: list[str] = []
    pages = [
        reverse("portal:home"),
        reverse("portal:agency-detail", args=[desk.agency.pk]),
        reverse("portal:agency-embed", args=[desk.agency.pk]),
        reverse("portal:matter-list"),
        reverse("portal:takedown-list"),
        reverse("portal:decision-feed"),
        reverse("api:disclosure-list") + "?page_size=200",
    ]
    pages += [f"{reverse('portal:decision-list')}?page={p}" for p in range(1, N // 20 + 3)]
    pages += [reverse("portal:decision-detail", args=[item.pk]) for item in published]
    pages += [
        reverse("portal:inspection-result-detail", args=[item.pk])
        for item in published
        if item.kind == "inspection_result"
    ]
    pages += [
        f"{reverse('portal:inspection-result-list')}?page={p}" for p in range(1, N // 100 + 3)
    ]
    pages += [reverse("api:disclosure-detail", args=[item.pk]) for item in published[3:]]
    pages += [f"{reverse('api:disclosure-list')}?page={p}" for p in range(2, N // 50 + 2)]
    # Searching by a planted name or number finds nothing and shows nothing.
    # (The search box shows the searcher's own words back: that echo is not scanned.)
    searches = [f"{reverse('portal:decision-list')}?q={s.name}" for s in planted[:10]]
    searches += [f"{reverse('api:disclosure-list')}?q={s.id_number}" for s in planted[:10]]
    pages += searches
    for layout in ("penalty", "licence"):
        pages.append(f"{reverse('portal:decision-export', args=['csv'])}?layout={layout}")
    api_pages = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.streaming:
            body = b"".join(response.streaming_content).decode("utf-8")
        else:
            body = response.content.decode("utf-8")
        if url in searches:
            body = re.sub(r'name="q" type="search" value="[^"]*"', "", body)
            assert response.json()["count"] == 0 if "/api/" in url else "没有符合条件" in body
        # JSON escapes nothing Chinese by default in DRF; decode \u escapes anyway.
        if body.lstrip().startswith(("{", "[")):
            body = body.encode().decode("unicode_escape", errors="ignore") + body
            api_pages += 1
        _scan(url, body, planted, problems)
    for layout in ("penalty", "licence"):
        response = client.get(f"{reverse('portal:decision-export', args=['xlsx'])}?layout={layout}")
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        cells = "\n".join(
            str(value) for row in book.active.iter_rows(values_only=True) for value in row if value
        )
        _scan(f"xlsx {layout}", cells, planted, problems)
    assert api_pages >= 2
    assert problems == [], problems[:20]


def test_names_searched_for_are_not_found_but_masked_ones_are(desk, client):
    rng = random.Random(7)
    s = testing.secrets(rng)
    item = services.disclosure_prepare(
        actor=desk.officer, agency=desk.agency, draft=_draft(rng, desk, 1, s)
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    item = services.disclosure_publish(actor=desk.legal, disclosure=item)
    url = reverse("portal:decision-list")
    assert item.document_number not in client.get(f"{url}?q={s.name}").content.decode()
    assert item.document_number not in client.get(f"{url}?q={s.id_number}").content.decode()
