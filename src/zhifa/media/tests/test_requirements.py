"""REC-04: each agency's 音像记录事项清单, kept by its admin."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.cases.records import KIND_LIST
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.core.excel import workbook_bytes
from zhifa.core.tests.api_suite import APIReadTests, APIWriteTests
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for
from zhifa.media import services
from zhifa.media.models import MediaRequirement

pytestmark = pytest.mark.req("REC-04")


def test_the_seed_fills_what_rec04_requires(county):
    rows = services.requirement_seed(actor=county.market_admin, agency=county.market)
    by_kind = {r.record_kind: r.mode for r in rows}
    assert by_kind == {
        k.code: {"continuous": "continuous", "photo_or_video": "photo"}[k.av]
        for k in KIND_LIST
        if k.av
    }
    for kind in (
        "onsite_inspection",
        "sampling",
        "evidence_preservation",
        "coercive_measure",
        "hearing_minutes",
        "delivery_left",
        "coercive_execution",
    ):
        assert by_kind[kind] == "continuous"
    assert by_kind["delivery_notice"] == "photo"
    assert all(r.content and r.stage for r in rows)
    # Run again: nothing new, nothing changed.
    assert services.requirement_seed(actor=county.market_admin, agency=county.market) == []
    assert MediaRequirement.objects.filter(agency=county.market).count() == len(rows)
    assert entries_for(county.market).filter(action="media.requirement_seed").count() == 2


def test_only_the_agency_admin_keeps_the_list(county, team):
    for actor in (county.safety_admin, team.lead, county.supervisor):
        with pytest.raises(Forbidden):
            services.requirement_seed(actor=actor, agency=county.market)
    assert not MediaRequirement.objects.exists()


def test_a_line_is_checked(county):
    admin, agency = county.market_admin, county.market

    def create(**kw):
        fields = {"content": "全过程", "mode": "continuous", **kw}
        return services.requirement_create(actor=admin, agency=agency, **fields)

    line = create(record_kind="interview", action_kind="penalty", place="询问室")
    assert line.stage == "investigation"  # taken from the record kind
    with pytest.raises(Conflict):
        create(record_kind="interview", action_kind="penalty")
    with pytest.raises(InvalidInput, match="全过程音像记录"):
        create(record_kind="onsite_inspection", mode="photo")
    with pytest.raises(InvalidInput, match="调查取证环节"):
        create(record_kind="sampling", stage="decision")
    with pytest.raises(InvalidInput):
        create(record_kind="no_such_kind")
    with pytest.raises(InvalidInput):
        create(stage="")
    with pytest.raises(InvalidInput):
        create(stage="start", content="  ")
    free = create(stage="investigation", place="询问室", content="询问过程", mode="key_moments")
    assert free.record_kind == ""

    updated = services.requirement_update(actor=admin, requirement=line, mode="key_moments")
    assert updated.mode == "key_moments"
    entry = entries_for(line).get(action="media.requirement_update")
    assert entry.payload["changes"] == {"mode": {"from": "continuous", "to": "key_moments"}}
    with pytest.raises(InvalidInput):
        services.requirement_update(
            actor=admin, requirement=line, record_kind="sampling", mode="photo"
        )
    pk = free.pk
    services.requirement_delete(actor=admin, requirement=free)
    assert not MediaRequirement.objects.filter(pk=pk).exists()
    assert LedgerEntry.objects.filter(action="media.requirement_delete", object_id=str(pk)).exists()


def sheet(rows) -> bytes:
    return workbook_bytes(
        title="音像记录事项清单", headers=services.REQUIREMENT_SHEET_HEADERS, rows=rows
    )


def test_import_replaces_the_list_and_export_reads_back(client_for, county):
    admin, agency = county.market_admin, county.market
    services.requirement_seed(actor=admin, agency=agency)
    result = services.requirement_import(
        actor=admin,
        agency=agency,
        data=sheet(
            [
                [
                    1,
                    "全部",
                    "",
                    "现场检查（勘验）笔录",
                    "执法现场",
                    "出示证件、现场情况",
                    "全过程音像记录",
                ],
                [2, "行政处罚", "调查取证", "询问笔录", "询问室", "询问全过程", "全过程"],
                [3, "全部", "审查决定", "", "听证室", "听证会场", "关键环节音像记录"],
            ]
        ),
        filename="清单.xlsx",
    )
    assert (result.created, result.removed) == (3, 9)
    assert MediaRequirement.objects.filter(agency=agency).count() == 3

    response = client_for(admin).get(reverse("media:requirement-list") + "?export=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == services.REQUIREMENT_SHEET_HEADERS and len(rows) == 4
    again = services.requirement_import(actor=admin, agency=agency, data=response.content)
    assert again.created == 3


def test_a_bad_sheet_changes_nothing_and_names_each_problem(county):
    admin, agency = county.market_admin, county.market
    services.requirement_seed(actor=admin, agency=agency)
    before = list(MediaRequirement.objects.values_list("pk", flat=True))
    with pytest.raises(InvalidInput) as refused:
        services.requirement_import(
            actor=admin,
            agency=agency,
            data=sheet(
                [
                    [1, "全部", "", "现场检查（勘验）笔录", "", "现场", "拍照或录像"],
                    [2, "行政罚款", "调查取证", "", "", "x", "全过程"],
                    [3, "全部", "", "询问笔录", "", "询问", "全过程"],
                    [4, "全部", "", "询问笔录", "", "询问", "全过程"],
                ]
            ),
        )
    rows = sorted({d["row"] for d in refused.value.details})
    assert rows == [2, 3, 5]
    assert list(MediaRequirement.objects.values_list("pk", flat=True)) == before


def test_the_workbench_pages(client_for, county):
    admin = client_for(county.market_admin)
    page = admin.get(reverse("media:requirement-list")).content.decode()
    assert "填入默认清单" in page and "导入 Excel" in page
    assert admin.post(reverse("media:requirement-seed"), {"confirmed": "1"}).status_code == 302
    assert MediaRequirement.objects.filter(agency=county.market).count() == 9
    response = admin.post(
        reverse("media:requirement-create"),
        {
            "agency": county.market.pk,
            "record_kind": "interview",
            "place": "询问室",
            "content": "询问全过程",
            "mode": "continuous",
        },
    )
    assert response.status_code == 302
    line = MediaRequirement.objects.get(record_kind="interview")
    response = admin.post(
        reverse("media:requirement-edit", args=[line.pk]),
        {"record_kind": "onsite_inspection", "content": "x", "mode": "continuous"},
    )
    assert response.status_code == 200 and "清单中已有" in response.content.decode()
    upload = io.BytesIO(sheet([[1, "全部", "", "抽样取证记录", "", "抽样", "全过程"]]))
    upload.name = "清单.xlsx"
    response = admin.post(
        reverse("media:requirement-import"), {"agency": county.market.pk, "file": upload}
    )
    assert response.status_code == 302
    assert MediaRequirement.objects.get(agency=county.market).record_kind == "sampling"
    template = admin.get(reverse("media:requirement-template"))
    assert template.status_code == 200
    # An officer reads the list but does not keep it.
    officer = client_for(county.safety_admin)
    assert officer.get(reverse("media:requirement-create")).status_code == 200
    response = officer.get(
        reverse("media:requirement-edit", args=[MediaRequirement.objects.get().pk])
    )
    assert response.status_code == 404


class RequirementEndpoint:
    list_url_name = "api:media-requirement-list"

    def make_object(self, build, county):
        return services.requirement_create(
            actor=county.market_admin,
            agency=county.market,
            record_kind="onsite_inspection",
            content="现场检查全过程",
            mode="continuous",
        )


class TestRequirementRead(RequirementEndpoint, APIReadTests):
    pass


class TestRequirementUpdate(RequirementEndpoint, APIWriteTests):
    write_method = "patch"
    ledger_action = "media.requirement_update"

    def write_payload(self, county, obj):
        return {"place": "执法现场"}


class TestRequirementCreate(RequirementEndpoint, APIWriteTests):
    write_method = "post"
    ledger_action = "media.requirement_create"
    other_status = (400,)

    def write_payload(self, county, obj):
        return {
            "agency": county.market.pk,
            "record_kind": "sampling",
            "content": "抽样全过程",
            "mode": "continuous",
        }


def test_the_api_refuses_a_weaker_mode_and_seeds(client_for, county):
    client = client_for(county.market_admin)
    response = client.post(
        "/api/v1/media-requirements/",
        {"record_kind": "hearing_minutes", "content": "听证", "mode": "photo"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "below_statutory_mode"
    response = client.post("/api/v1/media-requirements/seed/", {}, content_type="application/json")
    assert response.status_code == 201 and len(response.json()) == 9
    line = MediaRequirement.objects.get(record_kind="hearing_minutes")
    assert client.delete(f"/api/v1/media-requirements/{line.pk}/").status_code == 204
    assert (
        client_for(county.safety_admin)
        .delete(f"/api/v1/media-requirements/{MediaRequirement.objects.first().pk}/")
        .status_code
        == 404
    )


def test_every_page_of_the_list_answers(client_for, county):
    admin = client_for(county.market_admin)
    line = services.requirement_seed(actor=county.market_admin, agency=county.market)[0]
    for name, args in (
        ("media:requirement-list", []),
        ("media:requirement-create", []),
        ("media:requirement-import", []),
        ("media:requirement-seed", []),
        ("media:requirement-edit", [line.pk]),
        ("media:requirement-delete", [line.pk]),
    ):
        assert admin.get(reverse(name, args=args)).status_code == 200, name
    assert (
        admin.post(
            reverse("media:requirement-delete", args=[line.pk]), {"confirmed": "1"}
        ).status_code
        == 302
    )
    assert not MediaRequirement.objects.filter(pk=line.pk).exists()
    # Someone who keeps no list gets no door to change it.
    officer = client_for(county.supervisor)
    assert officer.get(reverse("media:requirement-list")).status_code == 200
    for name in ("media:requirement-create", "media:requirement-import", "media:requirement-seed"):
        assert officer.get(reverse(name)).status_code == 403, name
