"""Credential check (PUB-04) and requests and complaints (PUB-10): clear answers,
rate limits, CSRF, the challenge, upload limits, the 3-working-day clock, and no
requester ever sees another's data."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.disclosures import services
from zhifa.disclosures.forms import _CHALLENGE_KEY
from zhifa.disclosures.models import PublicRequest
from zhifa.disclosures.tests.conftest import decision
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

VERIFY = "portal:officer-verify"
PDF = b"%PDF-1.4\n%test\n"


@pytest.mark.req("PUB-04")
def test_verify_shows_status_and_says_clearly_when_unknown_or_invalid(client, build, county):
    valid = build.officer(county.market, name="赵有效", unit=county.market_unit)
    suspended = build.officer(county.market, name="钱暂扣", credential="suspended")
    number = valid.credentials.get().number
    page = client.get(reverse(VERIFY), {"number": number})
    text = page.content.decode()
    assert page.status_code == 200 and "赵有效" in text and "有效" in text
    assert county.market.name in text
    bad = client.get(reverse(VERIFY), {"number": suspended.credentials.get().number})
    assert "暂扣" in bad.content.decode() and "不能用于执法" in bad.content.decode()
    unknown = client.get(reverse(VERIFY), {"number": "T99999999"})
    assert unknown.status_code == 404 and "未查到编号" in unknown.content.decode()
    invalid = client.get(reverse(VERIFY), {"number": "<script>"})
    assert invalid.status_code == 400 and "格式不正确" in invalid.content.decode()


@pytest.mark.req("PUB-04")
def test_verify_is_rate_limited(client, settings):
    settings.ZHIFA_DISCLOSURE_VERIFY_RATE_PER_MINUTE = 3
    codes = [client.get(reverse(VERIFY), {"number": f"T{n}"}).status_code for n in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


@pytest.mark.req("PUB-04")
def test_the_workbench_prints_a_qr_code_for_a_credential(client_for, build, county):
    officer = build.officer(county.market)
    credential = officer.credentials.get()
    response = client_for(county.market_admin).get(
        reverse("portal:wb-credential-qr", args=[credential.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in response.content
    outsider = client_for(county.safety_admin).get(
        reverse("portal:wb-credential-qr", args=[credential.pk])
    )
    assert outsider.status_code == 404


def _published(desk):
    item = services.disclosure_prepare(
        actor=desk.officer,
        agency=desk.agency,
        draft=decision(desk, decided_on=timezone.localdate()),
    )
    services.disclosure_submit(actor=desk.officer, disclosure=item)
    return services.disclosure_publish(actor=desk.legal, disclosure=item)


def _form_data(client, desk, item, **kw):
    client.get(reverse("portal:request-new"))  # sets the challenge
    answer = client.session[_CHALLENGE_KEY]
    data = {
        "kind": "correction",
        "agency": desk.agency.pk,
        "disclosure": item.pk,
        "requester_name": "申请人甲",
        "requester_contact": "13700001111",
        "content": "罚款金额有误，应为3000元",
        "answer": answer,
    }
    data.update(kw)
    return data


@pytest.mark.req("PUB-10")
def test_a_correction_request_gets_a_tracking_number_and_a_three_workday_clock(desk, client):
    item = _published(desk)
    data = _form_data(client, desk, item)
    data["evidence"] = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("portal:request-new"), data)
    assert response.status_code == 200, response.content.decode()
    request = PublicRequest.objects.get()
    code = response.context["code"]
    assert request.evidence is not None
    assert request.due_on == services.workdays_add(timezone.localdate(), 3).date
    assert LedgerEntry.objects.filter(action="disclosure.request_receive").count() == 1
    # The status page shows it to the holder of the code, and to nobody else.
    status = client.post(
        reverse("portal:request-status"),
        {"tracking_number": request.tracking_number, "access_code": code},
    )
    assert "已受理" in status.content.decode()
    assert "13700001111" not in status.content.decode()
    stranger = Client().post(
        reverse("portal:request-status"),
        {"tracking_number": request.tracking_number, "access_code": "guess"},
    )
    assert "查询编号或查询码不正确" in stranger.content.decode()
    assert "罚款金额有误" not in stranger.content.decode()


@pytest.mark.req("PUB-10")
def test_the_clock_counts_working_days_over_a_holiday(desk):
    item = _published(desk)
    request, _ = services.public_request_submit(
        kind="complaint",
        agency=desk.agency,
        disclosure=item,
        requester_name="甲",
        requester_contact="a@example.com",
        content="未依法公示",
    )
    received = timezone.localdate(request.received_at)
    assert services.workdays_add(received, 3).date == request.due_on
    # 2026-09-30 + 3 working days across 国庆: 10-08, 10-09, 10-10 (调休 Saturday).
    assert services.workdays_add(date(2026, 9, 30), 3).date == date(2026, 10, 10)


@pytest.mark.req("PUB-10")
def test_wrong_challenge_bad_uploads_and_missing_csrf_are_refused(desk, client, settings):
    item = _published(desk)
    data = _form_data(client, desk, item, answer=999)
    assert client.post(reverse("portal:request-new"), data).status_code == 400
    data = _form_data(client, desk, item)
    data["evidence"] = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(reverse("portal:request-new"), data)
    assert "只接受 PDF" in response.content.decode()
    settings.ZHIFA_DISCLOSURE_EVIDENCE_MAX_BYTES = 10
    data = _form_data(client, desk, item)
    data["evidence"] = SimpleUploadedFile("big.pdf", PDF * 10, content_type="application/pdf")
    assert "不能超过" in client.post(reverse("portal:request-new"), data).content.decode()
    assert PublicRequest.objects.count() == 0
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("portal:request-new"), {}).status_code == 403


@pytest.mark.req("PUB-10")
def test_the_form_is_rate_limited(desk, client, settings):
    settings.ZHIFA_DISCLOSURE_FORM_RATE_PER_HOUR = 2
    item = _published(desk)
    for _ in range(2):
        client.post(reverse("portal:request-new"), _form_data(client, desk, item))
    response = client.post(reverse("portal:request-new"), _form_data(client, desk, item))
    assert "提交过于频繁" in response.content.decode()
    assert PublicRequest.objects.count() == 2


@pytest.mark.req("PUB-10")
def test_the_agency_answers_and_others_cannot(desk, county):
    item = _published(desk)
    request, code = services.public_request_submit(
        kind="correction",
        agency=desk.agency,
        disclosure=item,
        requester_name="甲",
        requester_contact="a@example.com",
        content="有误",
    )
    with pytest.raises(Forbidden):
        services.public_request_answer(actor=desk.outsider, request=request, answer="x")
    with pytest.raises(InvalidInput):
        services.public_request_answer(actor=desk.legal, request=request, answer=" ")
    services.public_request_answer(actor=desk.legal, request=request, answer="经核实已更正")
    with pytest.raises(Conflict):
        services.public_request_answer(actor=desk.legal, request=request, answer="again")
    found = services.public_request_lookup(
        tracking_number=request.tracking_number, access_code=code
    )
    assert found.answer == "经核实已更正"
