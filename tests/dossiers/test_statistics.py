"""Dossier figures per receiving unit against values counted by hand, boundaries included."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from congvu.dossiers.models import Dossier
from congvu.dossiers.statistics import DossierCounts, DossierStatistics, dossier_counts
from congvu.org.models import Unit
from tests.conftest import FIXED_NOW
from tests.factories import Province

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
AS_OF = datetime(2026, 3, 20, 12, 0, tzinfo=VN)


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=VN)


def dossier(
    code: str,
    unit: Unit,
    channel: int,
    status: int,
    received: datetime,
    due: datetime | None = None,
    finished: datetime | None = None,
    apology: datetime | None = None,
) -> Dossier:
    return Dossier(
        code=code,
        procedure_code="1.011442.000.00.00.H38",
        receiving_unit=unit,
        channel=channel,
        status=status,
        received_at=received,
        due_at=due,
        finished_at=finished,
        apology_issued_at=apology,
    )


@pytest.fixture
def dossiers(province: Province) -> Province:
    """Twenty dossiers; what each counts for (period March 2026, as of 20 March 12:00) is noted."""
    agency, division, other = province.agency, province.division, province.other_agency
    Dossier.objects.bulk_create(
        [
            # the agency: every one received and finished in March
            dossier("d1", agency, 1, 10, at(3, 2, 8), at(3, 10, 17), at(3, 9, 10)),  # early (an earlier day)
            dossier("d2", agency, 2, 10, at(3, 2, 9), at(3, 10, 17), at(3, 10, 17)),  # on time: exactly at the due time
            dossier("d3", agency, 2, 9, at(3, 3, 8), at(3, 10, 17), at(3, 10, 8)),  # on time: the due day, earlier
            dossier("d4", agency, 1, 10, at(3, 3, 9), at(3, 5, 17), at(3, 5, 17, 0, 1), at(3, 5, 10)),  # late, letter
            dossier("d5", agency, 3, 10, at(3, 4), None, at(3, 12)),  # on time: no deadline
            # early in local time (the 9th before the 10th); both the 9th in UTC
            dossier("d19", agency, 1, 10, at(3, 8, 8), at(3, 10, 6), at(3, 9, 23, 30)),
            # on time in local time (both the 10th); in UTC the 9th before the 10th
            dossier("d20", agency, 1, 9, at(3, 8, 8), at(3, 10, 8), at(3, 10, 5)),
            # the division
            dossier("d6", division, 2, 4, at(3, 5, 8), at(3, 18, 17)),  # in progress, overdue, no letter
            dossier("d7", division, 1, 2, at(3, 6), at(3, 25, 17)),  # in progress within the deadline
            dossier("d8", division, 2, 2, at(3, 7)),  # in progress, no deadline: within
            dossier("d9", division, 1, 5, at(3, 8)),  # paused (supplement requested)
            dossier("d10", division, 2, 3, at(3, 9)),  # not accepted
            dossier("d11", division, 2, 7, at(3, 9), None, at(3, 11)),  # withdrawn
            dossier("d18", division, 1, 10, at(3, 30), at(3, 31, 17), at(3, 31, 16)),  # on time; after as_of
            # the other agency
            dossier("d12", other, 1, 4, at(2, 20), at(3, 2, 17), None, at(3, 1)),  # carried over; overdue, letter
            dossier("d13", other, 1, 10, at(2, 10), at(2, 20), at(2, 25)),  # ended in February: nothing
            dossier("d14", other, 2, 10, at(2, 25), at(3, 3, 17), at(3, 4, 9)),  # carried over; late, no letter
            dossier("d15", other, 1, 10, at(3, 15), at(3, 25), at(3, 22, 10)),  # early; in progress at as_of
            dossier("d16", other, 2, 4, at(4, 2)),  # after the period and as_of: nothing
            # outside the province's tree
            dossier("d17", province.outside_unit, 1, 4, at(3, 5)),
        ]
    )
    return province


AGENCY = DossierCounts(
    received=7,
    received_in_person=4,
    received_online=2,
    received_by_post=1,
    finished_early=2,
    finished_on_time=4,
    finished_late=1,
    late_with_apology=1,
)
DIVISION = DossierCounts(
    received=7,
    received_in_person=3,
    received_online=4,
    not_accepted=1,
    finished_on_time=1,
    withdrawn=1,
    in_progress_within_deadline=2,
    in_progress_overdue=1,
    paused=1,
)
OTHER = DossierCounts(
    received=1,
    received_in_person=1,
    carried_over=2,
    finished_early=1,
    finished_late=1,
    in_progress_within_deadline=1,
    in_progress_overdue=1,
    overdue_with_apology=1,
)


def by_code(statistics: DossierStatistics) -> dict[str, DossierCounts]:
    return {row.code: row.counts for row in statistics.rows}


def test_the_province_by_receiving_unit(dossiers: Province, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        statistics = dossier_counts(unit=dossiers.root, start=MARCH[0], end=MARCH[1], as_of=AS_OF)
    assert [row.code for row in statistics.rows] == ["01.001", "01.001.01", "01.002"]  # tree order, only with figures
    assert by_code(statistics) == {"01.001": AGENCY, "01.001.01": DIVISION, "01.002": OTHER}
    assert asdict(statistics.total) == asdict(
        DossierCounts(
            received=15,
            received_in_person=8,
            received_online=6,
            received_by_post=1,
            carried_over=2,
            not_accepted=1,
            finished_early=3,
            finished_on_time=5,
            finished_late=2,
            withdrawn=1,
            in_progress_within_deadline=3,
            in_progress_overdue=2,
            paused=1,
            late_with_apology=1,
            overdue_with_apology=1,
        )
    )
    total = statistics.total
    assert (total.finished, total.processed, total.in_progress) == (10, 11, 5)
    assert (total.late_without_apology, total.overdue_without_apology) == (1, 1)
    assert total.on_time_share == 0.8
    assert statistics.rows[0].name == "Sở Tài chính" and statistics.rows[0].unit_id == dossiers.agency.pk


def test_a_subtree_counts_only_its_units(dossiers: Province) -> None:
    statistics = dossier_counts(unit=dossiers.agency, start=MARCH[0], end=MARCH[1], as_of=AS_OF)
    assert by_code(statistics) == {"01.001": AGENCY, "01.001.01": DIVISION}
    expected = DossierCounts()
    expected.add(AGENCY)
    expected.add(DIVISION)
    assert statistics.total == expected
    only = dossier_counts(unit=dossiers.division, start=MARCH[0], end=MARCH[1], as_of=AS_OF)
    assert by_code(only) == {"01.001.01": DIVISION} and only.total == DIVISION
    outside = dossier_counts(unit=dossiers.outside_root, start=MARCH[0], end=MARCH[1], as_of=AS_OF)
    assert by_code(outside) == {
        "02.001": DossierCounts(received=1, received_in_person=1, in_progress_within_deadline=1)
    }


def test_as_of_defaults_to_now_within_the_period(dossiers: Province) -> None:
    statistics = dossier_counts(unit=dossiers.root, start=MARCH[0], end=MARCH[1])
    assert FIXED_NOW <= statistics.as_of < FIXED_NOW + timedelta(minutes=1)  # 16 March 09:00
    total = statistics.total
    # d6 (due 18 March), d7, d8 within; d12 overdue; d15 received on the 15th, finished on the 22nd: within
    assert (total.in_progress_within_deadline, total.in_progress_overdue) == (4, 1)
    assert (total.received, total.finished_late, total.overdue_with_apology, total.paused) == (15, 2, 1, 1)


def test_as_of_defaults_to_the_end_of_a_past_period(dossiers: Province) -> None:
    statistics = dossier_counts(unit=dossiers.root, start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert statistics.as_of == at(3, 1)
    assert by_code(statistics) == {
        # d12 and d14 in progress on 1 March (d14 finished on the 4th); d13 finished late in February
        "01.002": DossierCounts(
            received=3, received_in_person=2, received_online=1, finished_late=1, in_progress_within_deadline=2
        ),
    }


def test_as_of_at_the_due_instant_is_not_overdue(dossiers: Province) -> None:
    due = at(3, 18, 17)  # d6's deadline
    on_the_dot = dossier_counts(unit=dossiers.division, start=MARCH[0], end=MARCH[1], as_of=due).total
    after = dossier_counts(
        unit=dossiers.division, start=MARCH[0], end=MARCH[1], as_of=due + timedelta(microseconds=1)
    ).total
    assert (on_the_dot.in_progress_within_deadline, on_the_dot.in_progress_overdue) == (3, 0)
    assert (after.in_progress_within_deadline, after.in_progress_overdue) == (2, 1)


def test_a_period_of_one_day_uses_local_days(dossiers: Province) -> None:
    """3 March in Vietnam is 2 March 17:00 to 3 March 17:00 UTC."""
    Dossier.objects.create(
        code="late-evening",
        procedure_code="x",
        receiving_unit=dossiers.other_division,
        channel=1,
        status=2,
        received_at=at(3, 3, 23, 59, 59),
    )
    Dossier.objects.create(
        code="next-day",
        procedure_code="x",
        receiving_unit=dossiers.other_division,
        channel=1,
        status=2,
        received_at=at(3, 4),
    )
    statistics = dossier_counts(unit=dossiers.other_division, start=date(2026, 3, 3), end=date(2026, 3, 3))
    assert statistics.total.received == 1


def test_arguments_are_checked(dossiers: Province) -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        dossier_counts(unit=dossiers.root, start=MARCH[1], end=MARCH[0])
    with pytest.raises(ValueError, match="aware"):
        dossier_counts(unit=dossiers.root, start=MARCH[0], end=MARCH[1], as_of=datetime(2026, 3, 20))


def test_no_dossiers_no_rows(province: Province) -> None:
    statistics = dossier_counts(unit=province.root, start=MARCH[0], end=MARCH[1], as_of=timezone.now())
    assert statistics.rows == [] and statistics.total == DossierCounts()
    assert statistics.total.on_time_share is None
