"""REC-04: a record that must be recorded on audio or video holds its case in
its stage until the recording is attached."""

import pytest
from django.utils import timezone

from zhifa.cases import services as case_services
from zhifa.cases.driver import CORE_STEPS
from zhifa.cases.models import Procedure, Source, Stage
from zhifa.cases.rules import needs
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.core.errors import Conflict
from zhifa.media import services
from zhifa.media.testing import attach, sample_audio, sample_photo

pytestmark = pytest.mark.req("REC-04")


def investigate(team, case):
    """Everything entering 审查决定 needs, except the recordings."""
    case = advance_to(team, case, Stage.INVESTIGATION)
    for kind in CORE_STEPS[Procedure.ORDINARY][Stage.DECISION]:
        add(team, case, kind)
    return case


def test_an_onsite_inspection_blocks_the_next_stage_until_a_continuous_video(team):
    case = investigate(team, open_case(team))
    inspection = case.records.get(kind="onsite_inspection")
    missing = needs(case)
    assert len(missing) == 1
    assert "现场检查（勘验）笔录" in missing[0] and "全过程音像记录" in missing[0]
    with pytest.raises(Conflict) as refused:
        case_services.case_advance(actor=team.lead, case=case, to_stage=Stage.DECISION)
    assert "现场检查（勘验）笔录" in refused.value.message

    # A video that is not continuous, or one of another record, does not count.
    attach(team, case, record=inspection, is_continuous=False)
    attach(team, case, record=case.records.get(kind="interview"))
    attach(team, case)  # of the case, of no record
    assert len(needs(case)) == 1
    # A continuous audio recording does.
    attach(
        team,
        case,
        record=inspection,
        path=sample_audio(),
        transcript="现场检查过程录音的文字摘要",
    )
    assert needs(case) == []
    case = case_services.case_advance(actor=team.lead, case=case, to_stage=Stage.DECISION)
    assert case.stage == Stage.DECISION


def test_a_correction_keeps_the_recording_of_the_record_it_corrects(team):
    case = investigate(team, open_case(team))
    inspection = case.records.get(kind="onsite_inspection")
    attach(team, case, record=inspection)
    correction = add(team, case, "onsite_inspection", supersedes=inspection)
    assert correction.supersedes_id == inspection.pk
    assert needs(case) == []


def test_a_posted_notice_needs_a_photo_or_video(team):
    case = open_case(team, source=Source.INSPECTION)
    notice = add(team, case, "inspection_start")  # 监督检查登记: photo or video
    add(team, case, "filing_approval")
    assert any("尚未附照片或录像" in m for m in needs(case))
    attach(team, case, record=notice, path=sample_photo(), is_continuous=False)
    assert needs(case) == []


def test_the_agency_list_may_ask_for_more_never_for_less(team, county):
    admin = county.market_admin
    # More: interviews of penalty cases on continuous recording.
    services.requirement_create(
        actor=admin,
        agency=team.agency,
        action_kind="penalty",
        record_kind="interview",
        place="询问室",
        content="询问全过程",
        mode="continuous",
    )
    # A line for another kind of action does not apply to a penalty case.
    services.requirement_create(
        actor=admin,
        agency=team.agency,
        action_kind="licensing",
        record_kind="rights_notification",
        content="告知过程",
        mode="continuous",
    )
    case = investigate(team, open_case(team))
    missing = needs(case)
    assert len(missing) == 2
    assert any("询问笔录" in m for m in missing) and any("现场检查" in m for m in missing)
    for kind in ("interview", "onsite_inspection"):
        attach(team, case, record=case.records.get(kind=kind))
    assert needs(case) == []


def test_a_key_moments_line_accepts_any_audio_or_video(team, county):
    services.requirement_create(
        actor=county.market_admin,
        agency=team.agency,
        record_kind="filing_approval",
        content="审批讨论的关键环节",
        mode="key_moments",
    )
    case = open_case(team)
    approval = add(team, case, "filing_approval")
    assert len(needs(case)) == 1
    attach(team, case, record=approval, path=sample_photo(), is_continuous=False)
    assert len(needs(case)) == 1
    attach(team, case, record=approval, is_continuous=False)
    assert needs(case) == []


def test_advance_to_attaches_what_the_rule_needs(team):
    case = advance_to(team, open_case(team), Stage.CLOSED)
    assert case.stage == Stage.CLOSED
    inspection = case.records.get(kind="onsite_inspection")
    assert inspection.media_items.get().is_continuous


def test_the_rule_reads_in_a_fixed_number_of_queries(team, django_assert_max_num_queries):
    from zhifa.cases.rules import facts
    from zhifa.media.rules import missing_media

    case = investigate(team, open_case(team))
    for _ in range(5):
        add(team, case, "sampling", when=timezone.now())
    loaded = facts(case)
    with django_assert_max_num_queries(3):
        assert len(missing_media(loaded)) == 6
