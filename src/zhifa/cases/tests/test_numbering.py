"""Case numbers are unique and gap-free per agency and year, also with
parallel writers (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE)."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from zhifa.cases.models import Case, NumberSequence
from zhifa.cases.numbering import number_next
from zhifa.cases.testing import open_case

WRITERS = 4
PER_WRITER = 5

pytestmark = pytest.mark.req("REC-01")


def test_numbers_count_per_agency_name_and_year(county):
    with transaction.atomic():
        assert [number_next(agency=county.market, name="case", year=2026) for _ in range(3)] == [
            1,
            2,
            3,
        ]
        assert number_next(agency=county.market, name="case", year=2027) == 1
        assert number_next(agency=county.safety, name="case", year=2026) == 1
        assert number_next(agency=county.market, name="doc:decision", year=2026) == 1


def test_a_rolled_back_write_gives_its_number_back(team):
    with pytest.raises(RuntimeError), transaction.atomic():
        number_next(agency=team.agency, name="case", year=2026)
        raise RuntimeError("the write failed")
    assert not NumberSequence.objects.filter(last__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_case_openings_get_distinct_gap_free_numbers(build):
    from zhifa.cases.testing import team as make_team

    t = make_team(build, build.county().market)
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(PER_WRITER):
                open_case(t)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    year = timezone.localdate().year
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert numbers == [f"{year}-{n:04d}" for n in range(1, WRITERS * PER_WRITER + 1)]
