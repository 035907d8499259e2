"""Reporting buckets: derived in one query, agreeing with the per-task rule and hand counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congvu.org.models import Unit
from congvu.tasks.buckets import (
    BUCKETS,
    COMPLETED_LATE,
    COMPLETED_ON_TIME,
    IN_PROGRESS_ON_TIME,
    OVERDUE,
    bucket_counts,
    bucket_of,
)
from congvu.tasks.models import Task, TaskState
from tests.tasks.conftest import World

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)


def _task(world: World, key: str, state: str, deadline: date, unit: Unit, **extra: Any) -> Task:
    return Task.objects.create(
        title=key,
        meeting=world.meeting,
        lead_unit=unit,
        owner=world.owner,
        assigned_by=world.leader,
        assigned_on=date(2026, 3, 1),
        deadline=deadline,
        original_deadline=extra.pop("original_deadline", deadline),
        state=state,
        **extra,
    )


# key: (state, deadline, completed_on, original_deadline, bucket on 16/03/2026)
FIXTURE: dict[str, tuple[str, date, date | None, date | None, str | None]] = {
    "a": (TaskState.DONE, date(2026, 3, 12), date(2026, 3, 10), None, COMPLETED_ON_TIME),
    "b": (TaskState.DONE, date(2026, 3, 12), date(2026, 3, 12), None, COMPLETED_ON_TIME),  # on the deadline
    "c": (TaskState.DONE, date(2026, 3, 12), date(2026, 3, 13), None, COMPLETED_LATE),
    # extended from 05/03 to 14/03, done 14/03: on time
    "d": (TaskState.DONE, date(2026, 3, 14), date(2026, 3, 14), date(2026, 3, 5), COMPLETED_ON_TIME),
    "e": (TaskState.ASSIGNED, date(2026, 3, 16), None, None, IN_PROGRESS_ON_TIME),  # due today
    "f": (TaskState.IN_PROGRESS, date(2026, 3, 20), None, None, IN_PROGRESS_ON_TIME),
    "g": (TaskState.SUBMITTED, date(2026, 3, 13), None, None, OVERDUE),  # submitted, not yet accepted
    "h": (TaskState.RETURNED, date(2026, 3, 15), None, None, OVERDUE),
    "x": (TaskState.CANCELLED, date(2026, 3, 2), None, None, None),
}


@pytest.fixture
def fixture_tasks(world: World) -> dict[str, Task]:
    other = world.province.other_division
    tasks = {}
    for key, (state, deadline, completed_on, original, _bucket) in FIXTURE.items():
        unit = other if key in {"c", "h"} else world.province.division
        tasks[key] = _task(
            world, key, state, deadline, unit, completed_on=completed_on, original_deadline=original or deadline
        )
    return tasks


def test_bucket_counts_match_the_hand_computed_values_in_one_query(fixture_tasks: dict[str, Task]) -> None:
    with CaptureQueriesContext(connection) as queries:
        counts = bucket_counts(Task.objects.all(), TODAY)
    assert len(queries) == 1
    assert counts == {COMPLETED_ON_TIME: 3, COMPLETED_LATE: 1, IN_PROGRESS_ON_TIME: 2, OVERDUE: 2}


def test_bucket_of_agrees_with_the_fixture_and_with_bucket_counts(fixture_tasks: dict[str, Task]) -> None:
    for key, task in fixture_tasks.items():
        assert bucket_of(task, TODAY) == FIXTURE[key][4], key
    for today in (date(2026, 3, 1), TODAY, date(2026, 3, 21)):
        by_task = dict.fromkeys(BUCKETS, 0)
        for task in Task.objects.all():
            bucket = bucket_of(task, today)
            if bucket is not None:
                by_task[bucket] += 1
        assert bucket_counts(Task.objects.all(), today) == by_task


def test_bucket_counts_follow_the_queryset_and_the_day(world: World, fixture_tasks: dict[str, Task]) -> None:
    division = Task.objects.filter(lead_unit=world.province.division)
    assert bucket_counts(division, TODAY) == {
        COMPLETED_ON_TIME: 3,
        COMPLETED_LATE: 0,
        IN_PROGRESS_ON_TIME: 2,
        OVERDUE: 1,
    }
    # five days later "e" and "f" are overdue too
    assert bucket_counts(Task.objects.all(), date(2026, 3, 21)) == {
        COMPLETED_ON_TIME: 3,
        COMPLETED_LATE: 1,
        IN_PROGRESS_ON_TIME: 0,
        OVERDUE: 4,
    }
    assert bucket_counts(Task.objects.none(), TODAY) == dict.fromkeys(BUCKETS, 0)
