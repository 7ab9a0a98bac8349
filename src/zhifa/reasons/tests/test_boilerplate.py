"""The boilerplate check (RSN-04) at scale and across agencies: passages are
matched by fingerprint, the reasons page costs the same number of queries
however many other cases there are, and a reader is told the numbers of only
the cases they may see."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from zhifa.cases.testing import open_case
from zhifa.cases.testing import team as make_team
from zhifa.reasons.checker import Twins, plain
from zhifa.reasons.content import PARTS
from zhifa.reasons.fingerprints import fingerprint
from zhifa.reasons.models import ReasonsFingerprint
from zhifa.reasons.selectors import case_findings
from zhifa.reasons.services import reasons_save
from zhifa.reasons.testing import valid_content

pytestmark = [pytest.mark.django_db, pytest.mark.req("RSN-04")]

COPIED = "当事人初次违法，主动下架涉案食品，未造成危害后果，依照裁量基准在轻微阶次内从轻处罚"


def save_copy(t, case=None, text=COPIED):
    case = case or open_case(t)
    content = valid_content(case)
    content["discretion"]["reasons"] = text
    reasons_save(actor=t.lead, case=case, content=content)
    return case


def stranger_case(build, county):
    """A case of another agency whose number no case of the reader's agency has
    (numbers are unique only within an agency)."""
    other = make_team(build, county.safety)
    for _ in range(4):
        open_case(other)
    case = save_copy(other)
    assert case.number.endswith("0005")
    return case


def boilerplate(case, actor):
    """The boilerplate findings on the discretion reasons, the passage the tests copy."""
    return [
        f.message
        for f in case_findings(case, actor=actor)
        if f.code == "boilerplate" and f.place == PARTS["discretion"]
    ]


def page(client_for, actor, case) -> str:
    response = client_for(actor).get(f"/workbench/cases/{case.pk}/reasons/")
    assert response.status_code == 200
    return response.content.decode()


def test_saving_keeps_the_fingerprints_of_the_latest_version_only(team, library):
    case = save_copy(team)
    key = fingerprint(plain(COPIED))
    assert ReasonsFingerprint.objects.filter(case=case, digest=key).count() == 1
    save_copy(team, case, text="当事人初次违法，主动下架涉案食品，第二版另写的理由在此处说明清楚")
    assert not ReasonsFingerprint.objects.filter(case=case, digest=key).exists()
    latest = case.reasons_versions.order_by("-number").first()
    assert set(ReasonsFingerprint.objects.filter(case=case).values_list("reasons", flat=True)) == {
        latest.pk
    }


def test_a_reader_of_one_agency_is_never_shown_another_agencys_case_number(
    team, library, build, county, client_for
):
    theirs = stranger_case(build, county)
    mine = save_copy(team)
    said = "与其他执法主体的 1 件案件的说明理由逐字相同，请结合本案情况说明。"
    for reader in (team.lead, team.reviewer, team.leader):
        assert boilerplate(mine, reader) == [said]
        html = page(client_for, reader, mine)
        assert said in html and theirs.number not in html
    api = APIClient()
    api.force_authenticate(team.reviewer)
    version = mine.reasons_versions.get()
    body = api.get(f"/api/v1/reasons/{version.pk}/check/").json()
    messages = [
        f["message"]
        for f in body["findings"]
        if f["code"] == "boilerplate" and f["place"] == PARTS["discretion"]
    ]
    assert messages == [said] and theirs.number not in str(body)
    api.force_authenticate(team.lead)
    saved = api.post(
        "/api/v1/reasons/", {"case": mine.pk, "content": version.content}, format="json"
    )
    assert saved.status_code == 201 and theirs.number not in str(saved.json())


def test_the_cases_a_reader_may_see_are_named_the_others_only_counted(
    team, library, build, county, client_for
):
    licensing = make_team(build, county.market, action_kind="coercion")  # same agency
    near = save_copy(licensing)
    far = stranger_case(build, county)
    mine = save_copy(team)
    # The agency's reviewer sees every case of the agency; not those of another.
    assert boilerplate(mine, team.reviewer) == [
        f"与无关案件 {near.number} 及其他执法主体的 1 件案件的说明理由逐字相同，"
        "请结合本案情况说明。"
    ]
    # The handler sees only the cases they handle.
    assert boilerplate(mine, team.lead) == [
        "与本机关其他 1 件案件及其他执法主体的 1 件案件的说明理由逐字相同，请结合本案情况说明。"
    ]
    html = page(client_for, team.lead, mine)
    assert near.number not in html and far.number not in html
    assert near.number in page(client_for, team.reviewer, mine)
    # Without a reader, nobody is named.
    assert near.number not in boilerplate(mine, None)[0]


def test_the_same_matter_and_short_passages_are_not_boilerplate(team, library, settings):
    save_copy(team)
    mine = save_copy(team)
    assert boilerplate(mine, team.reviewer) == []
    settings.ZHIFA_REASONS_BOILERPLATE_MIN_CHARS = len(plain(COPIED)) + 1
    assert boilerplate(mine, team.reviewer) == []


def test_the_reasons_page_costs_the_same_queries_with_5_or_50_other_cases(
    team, library, build, county, client_for
):
    other = make_team(build, county.safety)
    for i in range(5):
        save_copy(other, text=COPIED if i % 2 == 0 else f"{COPIED}，另有不同的第{i}项情节")
    mine = save_copy(team)
    client = client_for(team.reviewer)
    url = f"/workbench/cases/{mine.pk}/reasons/"

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        return len(ctx.captured_queries), html

    few, html = queries()
    assert "其他执法主体的 3 件案件" in html
    for i in range(45):
        case = save_copy(other, text=COPIED if i % 2 == 0 else f"{COPIED}，另有第{i}项情节")
        save_copy(other, case, text=COPIED)  # a second version of each
    many, html = queries()
    assert "其他执法主体的 50 件案件" in html
    assert many == few


def test_twins_read_as_chinese():
    assert str(Twins(numbers=("A-1",))) == "无关案件 A-1 "
    assert str(Twins(numbers=("A-1", "A-2"), more_seen=3)) == "无关案件 A-1、A-2 等 5 件案件"
    assert (
        str(Twins(hidden_own=2, hidden_other=1)) == "本机关其他 2 件案件及其他执法主体的 1 件案件"
    )


def test_the_migration_fingerprints_the_reasons_saved_before_it(team, library):
    import importlib

    fill = importlib.import_module("zhifa.reasons.migrations.0003_fingerprints").fill
    case = save_copy(team)
    save_copy(team, case)
    expected = set(ReasonsFingerprint.objects.values_list("case", "reasons", "digest"))
    ReasonsFingerprint.objects.all().delete()
    fill(apps, None)
    assert set(ReasonsFingerprint.objects.values_list("case", "reasons", "digest")) == expected
