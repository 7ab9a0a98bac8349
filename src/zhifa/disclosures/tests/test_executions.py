"""执行信息 (PUB-06): when a coercive execution's result is recorded in the
case, the legal unit's queue offers its public version (决定书编号, 执行主体,
对象, 依据, 结果), built from the structured fields and redacted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.services import record_add
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.disclosures import selectors, services
from zhifa.disclosures.models import Disclosure
from zhifa.instruments.models import Instrument, Kind

pytestmark = [pytest.mark.django_db, pytest.mark.req("PUB-06")]

PERSON = {
    "kind": "natural",
    "name": "张三丰",
    "id_number": "11010519491231002X",
    "address": "示范县幸福路12号",
    "phone": "13800138000",
}


def _executed(t, *, result="已划拨罚款5000元及加处罚款"):
    case = open_case(t, parties=[PERSON], started_on=timezone.localdate() - timedelta(days=5))
    case = advance_to(t, case, Stage.EXECUTION)
    return case, record_add(
        actor=t.lead,
        case=case,
        kind="coercive_execution",
        occurred_at=timezone.now() - timedelta(minutes=5),
        content={
            "demand": "已于十日前书面催告，当事人张三丰（电话13800138000）未履行",
            "decision": "示市监强执〔2026〕1号",
            "manner": "划拨存款",
            "result": result,
        },
    )


def test_a_recorded_execution_is_prepared_and_published(
    build, county, calendar_2026, client, client_for
):
    t = make_team(build, county.market)
    case, record = _executed(t)
    legal = client_for(t.reviewer)
    queue = legal.get(reverse("portal:wb-queue")).content.decode()
    assert "生成执行信息公开版" in queue and case.number in queue
    assert selectors.executions_unprepared(actor=county.safety_admin) == []

    response = legal.post(reverse("portal:wb-prepare-execution", args=[record.pk]))
    item = Disclosure.objects.get(kind=Disclosure.Kind.EXECUTION)
    assert response.url == reverse("portal:wb-detail", args=[item.pk])
    decision = Instrument.objects.get(case=case, kind=Kind.DECISION)
    assert item.document_number == decision.number
    assert item.party_name == "张某某" and item.conclusion == "已划拨罚款5000元及加处罚款"
    assert decision.number in item.basis and "示市监强执〔2026〕1号" in item.basis
    assert "划拨存款" in item.body
    # The 催告情况 is process information: it is not in the public version (PUB-07).
    public = " ".join(getattr(item, f) for f in services.PUBLIC_FIELDS)
    assert "催告" not in public and "13800138000" not in public and "张三丰" not in public
    assert item.action_kind == "coercion" and item.due_on is not None
    assert selectors.executions_unprepared(actor=t.reviewer) == []

    services.disclosure_submit(actor=t.reviewer, disclosure=item)
    # The reviewer prepared it: another member of the legal unit publishes it (PUB-13).
    checker = build.officer(county.market, roles=(), unit=county.market_legal, credential=False)
    services.disclosure_publish(actor=checker.user, disclosure=item)
    page = client.get(reverse("portal:decision-detail", args=[item.pk]))
    assert page.status_code == 200 and "已划拨罚款" in page.content.decode()


def test_execution_refusals(build, county, calendar_2026, client_for):
    t = make_team(build, county.market)
    case, record = _executed(t, result="")
    assert selectors.executions_unprepared(actor=t.reviewer) == []  # no result yet
    before = Disclosure.objects.count()
    with pytest.raises(InvalidInput, match="尚未载明执行结果"):
        services.execution_prepare(actor=t.reviewer, record=record)
    done = record_add(
        actor=t.lead,
        case=case,
        kind="coercive_execution",
        occurred_at=timezone.now() - timedelta(minutes=1),
        content={**record.content, "result": "已执行完毕"},
        supersedes=record,
    )
    with pytest.raises(Forbidden):
        services.execution_prepare(actor=county.safety_admin, record=done)
    assert (
        client_for(county.safety_admin)
        .post(reverse("portal:wb-prepare-execution", args=[done.pk]))
        .status_code
        == 404
    )
    assert Disclosure.objects.count() == before
    services.execution_prepare(actor=t.reviewer, record=done)
    with pytest.raises(Conflict, match="已拟制"):
        services.execution_prepare(actor=t.reviewer, record=done)
    interview = case.records.exclude(kind="coercive_execution").first()
    with pytest.raises(InvalidInput, match="只有强制执行"):
        services.execution_prepare(actor=t.reviewer, record=interview)
