import io
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.casefiles import selectors, services
from zhifa.casefiles.catalogue import ORDER, part_rank, place_of
from zhifa.casefiles.models import CaseFile, CatalogueEntry
from zhifa.casefiles.testing import archive
from zhifa.casefiles.tests.helpers import blank_pdf, page_text, png, stored_copy
from zhifa.cases.models import Record, Stage
from zhifa.cases.records import KINDS
from zhifa.cases.services import record_add
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.instruments.convert import pdf_text
from zhifa.ledger.models import LedgerEntry, StoredFile
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-10")]
Kind = CatalogueEntry.Kind


@pytest.fixture
def closed(team):
    return advance_to(team, open_case(team), Stage.CLOSED)


@pytest.fixture
def bound(team, closed):
    return services.casefile_assemble(actor=team.lead, case=closed)


def _current(case_file):
    return list(selectors.catalogue(case_file))


# --- The prescribed order ------------------------------------------------------------


@pytest.mark.django_db(False)
def test_every_record_and_instrument_kind_has_its_place_in_the_order():
    from zhifa.instruments.models import Kind as InstrumentKind

    for code in [*KINDS, *InstrumentKind.values]:
        part, _ = place_of(code)
        assert part != "other", f"{code} 没有列入案卷排列顺序"
    keys = [p.key for p in ORDER]
    assert keys[:2] == ["cover", "catalogue"]
    assert keys.index("filing") < keys.index("evidence") < keys.index("investigation_report")
    assert keys.index("deliberation") < keys.index("notice") < keys.index("decision")
    assert keys.index("decision") < keys.index("delivery") < keys.index("execution")
    assert keys.index("execution") < keys.index("closing") < keys.index("media")
    assert keys.index("media") < keys.index("remarks")
    evidence = next(p for p in ORDER if p.key == "evidence").kinds
    assert evidence.index("interview") < evidence.index("onsite_inspection")
    assert evidence.index("sampling") < evidence.index("evidence_preservation")
    assert evidence.index("commissioned_test") < evidence.index("documentary_evidence")


# --- Binding -------------------------------------------------------------------------


def test_assemble_binds_every_material_in_order_with_page_ranges(team, closed, tmp_path):
    case_file = services.casefile_assemble(actor=team.lead, case=closed)
    entries = _current(case_file)

    assert [e.kind for e in entries[:2]] == [Kind.COVER, Kind.CATALOGUE]
    assert entries[-1].kind == Kind.REMARKS
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    ranks = [part_rank(e.part) for e in entries]
    assert ranks == sorted(ranks), "目录未按规定顺序排列"
    # Pages run from the cover (1) to the last page with no gap or overlap.
    paged = [e for e in entries if e.kind != Kind.MEDIA]
    assert paged[0].page_first == 1
    for before, after in itertools.pairwise(paged):
        assert after.page_first == before.page_last + 1
    assert paged[-1].page_last == case_file.pages

    # Every record in force is in the file, either itself or through the
    # instrument that renders it.
    instruments = {e.source_id for e in entries if e.kind == Kind.INSTRUMENT}
    rendered = set()
    if instruments:
        from zhifa.instruments.models import Instrument

        rendered = set(
            Instrument.objects.filter(pk__in=instruments).values_list("record_id", flat=True)
        )
    records = Record.objects.filter(case=closed, superseded_by__isnull=True)
    filed = {e.source_id for e in entries if e.kind == Kind.RECORD}
    assert {r.pk for r in records} == filed | (rendered - {None})

    pdf = stored_copy(case_file.pdf, tmp_path / "casefile.pdf")
    text = "".join(pdf_text(pdf).split())
    assert closed.number in text
    assert "示范县好味食品有限公司" in text
    assert "卷内目录" in text and "备考表" in text
    for r in records:
        if r.pk in filed:
            assert r.kind_label.replace(" ", "") in text
    # Each entry's pages hold that entry: the page ranges are true.
    for e in entries:
        if e.kind == Kind.RECORD:
            assert e.title in page_text(pdf, e.page_first, e.page_last)
    for e in entries:
        if e.kind == Kind.INSTRUMENT:
            assert e.pdf and e.original, "文书的 PDF 和 DOCX 都应编目"
            assert e.title in page_text(pdf, e.page_first, e.page_last)

    # Audio-video items are referenced by storage location and hash, with how
    # they were made and what they prove, on the pages of the AV catalogue.
    from zhifa.media.models import MediaItem

    media = [e for e in entries if e.kind == Kind.MEDIA]
    items = {m.pk: m for m in MediaItem.objects.filter(case=closed).select_related("file")}
    assert media and {e.source_id for e in media} == set(items)
    av_list = next(e for e in entries if e.kind == Kind.MEDIA_LIST)
    for e in media:
        item = items[e.source_id]
        assert (e.sha256, e.storage_key) == (item.file.sha256, item.file.storage_key)
        assert e.original_id == item.file_id
        assert e.proves == item.proves
        assert item.production_method in e.made_how and item.author in e.made_how
        assert av_list.page_first <= e.page_first <= e.page_last <= av_list.page_last
        assert item.file.sha256 in page_text(pdf, e.page_first, e.page_last)
    first_record = next(e for e in entries if e.kind == Kind.RECORD)
    assert first_record.title == "立案审批"
    assert case_file.retention == "permanent"
    assert case_file.materials_digest

    entry = entries_for(case_file).get(action="casefile.assemble")
    assert entry.payload["pdf"]["sha256"] == case_file.pdf.sha256
    assert entry.payload["pages"] == case_file.pages
    assert len(entry.payload["catalogue"]) == len(entries)


def test_a_simple_procedure_case_is_bound_too(team, tmp_path):
    from zhifa.cases.models import Procedure

    case = advance_to(team, open_case(team, procedure=Procedure.SIMPLE), Stage.CLOSED)
    case_file = services.casefile_assemble(actor=team.lead, case=case)
    entries = _current(case_file)
    parts = [e.part for e in entries]
    assert "decision" in parts and "delivery" in parts
    assert entries[-1].page_last == case_file.pages
    text = "".join(pdf_text(stored_copy(case_file.pdf, tmp_path / "f.pdf")).split())
    assert "当场行政处罚决定书" in text or "当场行政处罚决定" in text


def test_record_page_shows_fields_signatures_and_refusal(team, tmp_path):
    case = advance_to(team, open_case(team), Stage.INVESTIGATION)
    when = timezone.now() - timedelta(minutes=2)
    from zhifa.cases.services import SignatureInput
    from zhifa.cases.testing import signature_image

    record_add(
        actor=team.lead,
        case=case,
        kind="interview",
        occurred_at=when,
        place="好味食品公司仓库",
        content={"interviewee": "李四", "questions_answers": "问：过期食品从何而来？答：不清楚。"},
        signatures=[
            SignatureInput(
                role="officer",
                name="",
                method="on_screen",
                signed_at=when,
                image=signature_image(team.lead),
                officer=team.officers[0],
            ),
            SignatureInput(
                role="interviewee",
                name="李四",
                method="refused",
                signed_at=when,
                refusal_note="当事人拒绝在笔录上签名",
                witness_name="王五",
            ),
        ],
    )
    case = advance_to(team, case, Stage.CLOSED)
    case_file = services.casefile_assemble(actor=team.lead, case=case)
    pdf = stored_copy(case_file.pdf, tmp_path / "casefile.pdf")
    interview = next(
        e for e in _current(case_file) if e.kind == Kind.RECORD and e.title == "询问笔录"
    )
    text = page_text(pdf, interview.page_first, interview.page_last)
    for expected in (
        "被询问人",
        "李四",
        "过期食品从何而来",
        "好味食品公司仓库",
        "拒绝签名：当事人拒绝在笔录",  # the cell wraps; pdftotext interleaves columns
        "见证人：王五",
        "屏幕手写签名",
    ):
        assert expected in text, expected


def test_assemble_again_before_archive_makes_a_new_version(team, closed, bound):
    again = services.casefile_assemble(actor=team.lead, case=closed)
    assert again.pk == bound.pk
    assert again.version == 2
    assert CaseFile.objects.count() == 1
    # The first binding's catalogue is kept under its version; the current one is new.
    assert CatalogueEntry.objects.filter(case_file=again, version=1).count() == len(_current(again))
    assert {e.version for e in _current(again)} == {2}
    assert entries_for(again).filter(action="casefile.assemble").count() == 2


def test_assemble_is_refused_before_the_case_is_closed(team):
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    with pytest.raises(Conflict) as exc:
        services.casefile_assemble(actor=team.lead, case=case)
    assert exc.value.code == "not_closed"
    assert not CaseFile.objects.exists()


def test_assemble_is_refused_to_another_agency_and_to_the_reviewer(build, county, team, closed):
    other = make_team(build, county.safety)
    before = LedgerEntry.objects.count()
    for actor in (other.lead, other.leader, team.reviewer, county.supervisor, county.sysadmin):
        with pytest.raises(Forbidden):
            services.casefile_assemble(actor=actor, case=closed)
    assert LedgerEntry.objects.count() == before
    assert not CaseFile.objects.exists()


def test_the_leader_may_assemble_and_archive(team, closed):
    services.casefile_assemble(actor=team.leader, case=closed)
    case_file = services.casefile_archive(actor=team.leader, case=closed)
    assert case_file.archived_by == team.leader


# --- Archiving -----------------------------------------------------------------------


def test_archive_numbers_the_file_and_moves_the_case_to_archived(team, closed, bound):
    case_file = services.casefile_archive(actor=team.lead, case=closed)
    closed.refresh_from_db()
    year = timezone.localdate().year
    assert case_file.archive_number == f"{year}-永久-0001"
    assert case_file.archived_at is not None
    assert closed.stage == Stage.ARCHIVED
    assert closed.archived_at is not None
    assert closed.stage_changes.last().to_stage == Stage.ARCHIVED
    entry = entries_for(case_file).get(action="casefile.archive")
    assert entry.payload["archive_number"] == case_file.archive_number
    assert entry.payload["pdf"]["sha256"] == case_file.pdf.sha256
    assert entries_for(closed).filter(action="case.stage").last().payload["to"] == "archived"

    # Archive numbers are gap-free per agency and year.
    second = advance_to(team, open_case(team), Stage.CLOSED)
    assert archive(team, second).case_file.archive_number == f"{year}-永久-0002"


def test_an_archived_case_refuses_records_binding_and_a_second_archive(team, closed, bound):
    services.casefile_archive(actor=team.lead, case=closed)
    closed.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        add(team, closed, "documentary_evidence")
    assert exc.value.code == "case_closed"
    with pytest.raises(Conflict) as exc:
        services.casefile_assemble(actor=team.lead, case=closed)
    assert exc.value.code == "already_archived"
    with pytest.raises(Conflict) as exc:
        services.casefile_archive(actor=team.lead, case=closed)
    assert exc.value.code == "already_archived"


def test_archive_needs_a_bound_file_and_a_keeper(build, county, team, closed):
    with pytest.raises(Conflict) as exc:
        services.casefile_archive(actor=team.lead, case=closed)
    assert exc.value.code == "not_assembled"
    services.casefile_assemble(actor=team.lead, case=closed)
    other = make_team(build, county.safety)
    for actor in (other.lead, team.reviewer):
        with pytest.raises(Forbidden):
            services.casefile_archive(actor=actor, case=closed)
    closed.refresh_from_db()
    assert closed.stage == Stage.CLOSED
    assert not CaseFile.objects.get().archived


def test_archive_is_refused_before_the_case_is_closed(team):
    case = advance_to(team, open_case(team), Stage.EXECUTION)
    with pytest.raises(Conflict) as exc:
        services.casefile_archive(actor=team.lead, case=case)
    assert exc.value.code == "not_closed"


# --- Supplements after the archive --------------------------------------------------


def test_supplement_adds_an_entry_and_leaves_the_bound_file_alone(team, closed):
    case = archive(team, closed)
    case_file = case.case_file
    before = list(CatalogueEntry.objects.filter(case_file=case_file).values().order_by("pk"))
    pdf_before, pages_before = case_file.pdf_id, case_file.pages

    entry = services.casefile_supplement(
        actor=team.lead,
        case=case,
        title="当事人补交的缴款凭证",
        stream=io.BytesIO(blank_pdf(2)),
        original_name="缴款凭证.pdf",
        content_type="application/pdf",
        note="归档后当事人补交，经核对与执行情况一致。",
    )
    assert entry.added_after_archive
    assert entry.kind == Kind.SUPPLEMENT
    assert entry.position == len(before) + 1
    assert (entry.page_first, entry.page_last) == (pages_before + 1, pages_before + 2)
    assert entry.pdf.sha256 == entry.original.sha256

    # A picture becomes a PDF page of its own, numbered on.
    photo = services.casefile_supplement(
        actor=team.leader,
        case=case,
        title="现场照片（补充）",
        stream=io.BytesIO(png()),
        original_name="现场.png",
        content_type="image/png",
        note="执法记录仪照片归档后导出。",
    )
    assert photo.position == entry.position + 1
    assert photo.page_first == entry.page_last + 1
    assert photo.pdf.content_type == "application/pdf"
    assert photo.original.original_name == "现场.png"

    case_file.refresh_from_db()
    assert (case_file.pdf_id, case_file.pages) == (pdf_before, pages_before)
    assert (
        list(
            CatalogueEntry.objects.filter(case_file=case_file, added_after_archive=False)
            .values()
            .order_by("pk")
        )
        == before
    )
    logged = entries_for(case_file).filter(action="casefile.supplement")
    assert logged.count() == 2
    assert logged.first().payload["note"] == "归档后当事人补交，经核对与执行情况一致。"


def test_supplement_is_refused_before_the_archive(team, closed, bound):
    with pytest.raises(Conflict) as exc:
        services.casefile_supplement(
            actor=team.lead,
            case=closed,
            title="补充",
            stream=io.BytesIO(blank_pdf()),
            original_name="a.pdf",
            note="说明",
        )
    assert exc.value.code == "not_archived"


BAD_SUPPLEMENTS = [
    ("", "a.pdf", blank_pdf(), "说明", "title_required"),
    ("补充", "a.pdf", blank_pdf(), " ", "note_required"),
    ("补充", "a.exe", b"MZ...", "说明", "unsupported_type"),
    ("补充", "a.pdf", b"%PDF-1.4 not really", "说明", "bad_pdf"),
    ("补充", "a.pdf", b"", "说明", "empty_file"),
]


def test_bad_supplements_change_nothing(team, closed):
    case = archive(team, closed)
    counts = (
        LedgerEntry.objects.count(),
        StoredFile.objects.count(),
        CatalogueEntry.objects.count(),
    )
    for title, name, data, note, code in BAD_SUPPLEMENTS:
        with pytest.raises(InvalidInput) as exc:
            services.casefile_supplement(
                actor=team.lead,
                case=case,
                title=title,
                stream=io.BytesIO(data),
                original_name=name,
                note=note,
            )
        assert exc.value.code == code
        assert (
            LedgerEntry.objects.count(),
            StoredFile.objects.count(),
            CatalogueEntry.objects.count(),
        ) == counts


def test_supplement_is_refused_to_other_agencies(build, county, team, closed):
    case = archive(team, closed)
    other = make_team(build, county.safety)
    with pytest.raises(Forbidden):
        services.casefile_supplement(
            actor=other.lead,
            case=case,
            title="补充",
            stream=io.BytesIO(blank_pdf()),
            original_name="a.pdf",
            note="说明",
        )


# --- The archive deadline -----------------------------------------------------------


def test_overdue_starts_the_day_after_the_twentieth_day(team, closed):
    today = timezone.localdate()
    assert closed.action_ended_on == today
    assert closed.archive_due_on == today + timedelta(days=20)
    on_due = selectors.archive_overdue(actor=team.lead, on=today + timedelta(days=20))
    assert closed not in on_due
    assert not selectors.is_overdue(closed, on=today + timedelta(days=20))
    late = selectors.archive_overdue(actor=team.lead, on=today + timedelta(days=21))
    assert list(late) == [closed]
    assert selectors.is_overdue(closed, on=today + timedelta(days=21))


def test_overdue_follows_the_setting_and_the_end_of_the_action(settings, team):
    from zhifa.casefiles.testing import close

    settings.ZHIFA_ARCHIVE_DAYS = 20
    today = timezone.localdate()
    start = today - timedelta(days=40)
    due_today = close(team, open_case(team, started_on=start), ended_on=today - timedelta(days=20))
    late = close(team, open_case(team, started_on=start), ended_on=today - timedelta(days=21))
    assert due_today.archive_due_on == today
    assert list(selectors.archive_overdue(actor=team.lead)) == [late]
    assert list(selectors.archive_overdue(actor=team.leader)) == [late]

    settings.ZHIFA_ARCHIVE_DAYS = 5
    short = close(team, open_case(team, started_on=start), ended_on=today - timedelta(days=6))
    assert short.archive_due_on == today - timedelta(days=1)
    assert short in selectors.archive_overdue(actor=team.lead)

    # Archiving takes a case off the list, and it records that it was late.
    archive(team, late)
    assert late not in selectors.archive_overdue(actor=team.lead)
    assert entries_for(late.case_file).get(action="casefile.archive").payload["overdue"] is True


def test_overdue_is_scoped_to_who_may_see_the_case(build, county, team):
    from zhifa.casefiles.testing import close

    today = timezone.localdate()
    case = close(
        team,
        open_case(team, started_on=today - timedelta(days=30)),
        ended_on=today - timedelta(days=25),
    )
    other = make_team(build, county.safety)
    assert list(selectors.archive_overdue(actor=team.lead)) == [case]
    assert list(selectors.archive_overdue(actor=county.supervisor)) == [case]
    assert not selectors.archive_overdue(actor=other.lead).exists()
    assert not selectors.archive_overdue(actor=county.sysadmin).exists()


def test_a_unit_head_is_a_keeper_of_the_units_cases(build, county, team):
    head = build.officer(county.market, roles=(Role.UNIT_HEAD,), unit=county.market_unit)
    case = open_case(team, unit=county.market_unit)
    case = advance_to(team, case, Stage.CLOSED)
    services.require_keeper(head.user, case)
