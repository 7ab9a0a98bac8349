"""Grounds for detailed reasons that do not make a case major (RSN-02, 001 附件4
§5), and long but empty wording refused at the gate (RSN-04), through the
workbench and the API."""

import copy

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from zhifa.cases.major import major_reasons
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.instruments.gates import refusals
from zhifa.instruments.models import Kind
from zhifa.ledger.models import LedgerEntry
from zhifa.reasons import services
from zhifa.reasons.models import DetailedGround
from zhifa.reasons.services import reasons_save
from zhifa.reasons.testing import valid_content

from .test_gate_api import decided_case

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.req("RSN-02")
def test_a_recorded_ground_requires_detailed_reasons_like_a_major_case(
    team, library, settings, client_for
):
    settings.ZHIFA_REASONS_STRUCTURED_FOR_DETAILED = True
    case = decided_case(team)
    assert refusals(case, Kind.DECISION) == []  # ordinary: free-text reasons do
    wb = client_for(team.lead)
    response = wb.post(
        reverse("reasons:ground-create", args=[case.pk]),
        {"ground": "legal_relations", "note": "同时涉及食品安全和广告两个法律关系，须分别说明"},
    )
    assert response.status_code == 302
    ground = DetailedGround.objects.get()
    assert ground.recorded_by == team.lead and ground.get_ground_display() == "涉及多个法律关系"
    entry = LedgerEntry.objects.filter(action="reasons.detailed_ground").get()
    assert entry.payload["ground"] == "legal_relations"
    assert major_reasons(case) == []  # the case is not made major
    found = refusals(case, Kind.DECISION)
    assert found and "涉及多个法律关系" in found[0] and "须详细说明理由" in found[0]
    page = wb.get(reverse("reasons:detail", args=[case.pk])).content.decode()
    assert "涉及多个法律关系" in page and "应当重点、详细地说明理由" in page

    # Withdrawn with a reason, it no longer counts.
    api = client_of(team.lead)
    done = api.post(
        f"/api/v1/reasons-grounds/{ground.pk}/withdraw/",
        {"reason": "经核实只涉及一个法律关系，记录有误"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["withdrawn_at"]
    assert refusals(case, Kind.DECISION) == []
    again = api.post(
        f"/api/v1/reasons-grounds/{ground.pk}/withdraw/",
        {"reason": "再次撤回，原因同上一次撤回"},
        format="json",
    )
    assert again.status_code == 409

    # Through the API, then satisfied by structured reasons.
    made = api.post(
        "/api/v1/reasons-grounds/",
        {"case": case.pk, "ground": "complex", "note": "当事人对货值金额的计算方法有争议"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert refusals(case, Kind.DECISION)
    reasons_save(actor=team.lead, case=case, content=valid_content(case))
    assert refusals(case, Kind.DECISION) == []


@pytest.mark.req("RSN-02")
def test_grounds_are_refused_to_others_and_bad_input_changes_nothing(team, library, build, county):
    from zhifa.cases.testing import team as make_team

    case = decided_case(team)
    outsider = make_team(build, county.safety).lead
    rows, entries = DetailedGround.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(Forbidden):
        services.detailed_ground_record(
            actor=team.reviewer, case=case, ground="complex", note="案情复杂，须详细说明理由"
        )
    with pytest.raises(Forbidden):
        services.detailed_ground_record(
            actor=outsider, case=case, ground="complex", note="案情复杂，须详细说明理由"
        )
    with pytest.raises(InvalidInput):
        services.detailed_ground_record(
            actor=team.lead, case=case, ground="whim", note="随便写写写写写写"
        )
    with pytest.raises(InvalidInput):
        services.detailed_ground_record(actor=team.lead, case=case, ground="complex", note="复杂")
    assert (DetailedGround.objects.count(), LedgerEntry.objects.count()) == (rows, entries)
    services.detailed_ground_record(
        actor=team.lead, case=case, ground="complex", note="案情复杂，须详细说明理由"
    )
    with pytest.raises(Conflict):
        services.detailed_ground_record(
            actor=team.lead, case=case, ground="complex", note="同一情形再记录一次"
        )
    hidden = client_of(outsider).get("/api/v1/reasons-grounds/")
    assert hidden.status_code == 200 and hidden.json()["count"] == 0
    page = client_of(outsider).post(
        "/api/v1/reasons-grounds/",
        {"case": case.pk, "ground": "complex", "note": "案情复杂，须详细说明理由"},
        format="json",
    )
    assert page.status_code == 404


@pytest.mark.req("RSN-04")
def test_long_but_empty_reasons_are_refused_at_the_gate(team, library, bench):
    case = decided_case(team)
    api = client_of(team.lead)
    good = valid_content(case, benchmark=bench, band="minor")
    good["discretion"]["amount_involved"] = "960"
    bad = copy.deepcopy(good)
    bad["discretion"]["reasons"] = (
        "综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，依法作出上述处罚决定"
    )
    saved = api.post("/api/v1/reasons/", {"case": case.pk, "content": bad}, format="json")
    assert saved.status_code == 201, saved.json()
    empty = [f for f in saved.json()["findings"] if f["code"] == "empty"]
    assert len(empty) == 1 and empty[0]["severity"] == "blocking"
    assert empty[0]["label"] == "理由空泛" and empty[0]["place"] == "裁量理由"
    refused = api.post("/api/v1/instruments/", {"case": case.pk, "kind": "decision"}, format="json")
    assert refused.status_code == 409
    assert "裁量理由未结合本案" in " ".join(refused.json()["errors"])
    saved = api.post("/api/v1/reasons/", {"case": case.pk, "content": good}, format="json")
    assert not [f for f in saved.json()["findings"] if f["code"] == "empty"]
