"""The official reporting buckets of tasks, derived from dates and never stored.

Reports on assigned tasks count them as *completed* (on time / late) and *not yet
completed* (within the deadline / overdue) (domain-law §1.6, Báo cáo 1270/BC-TCTTTg).
The deadline is the current one: an approved extension moves it, so a task finished by
the extended date is on time. Cancelled tasks are in no bucket.

:func:`bucket_counts` computes all four over any queryset in one query, :func:`grouped_buckets`
the same per unit or per person;
:func:`bucket_of` is the same rule for one task in plain Python.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congvu.tasks.models import Task, TaskState

COMPLETED_ON_TIME: Final = "completed_on_time"
COMPLETED_LATE: Final = "completed_late"
IN_PROGRESS_ON_TIME: Final = "in_progress_on_time"
OVERDUE: Final = "overdue"

BUCKETS: Final = (COMPLETED_ON_TIME, COMPLETED_LATE, IN_PROGRESS_ON_TIME, OVERDUE)
LABELS: Final[dict[str, Promise]] = {
    COMPLETED_ON_TIME: _("Hoàn thành đúng hạn"),
    COMPLETED_LATE: _("Hoàn thành quá hạn"),
    IN_PROGRESS_ON_TIME: _("Đang thực hiện trong hạn"),
    OVERDUE: _("Chưa hoàn thành, quá hạn"),
}


def grouped_buckets(
    queryset: QuerySet[Task], today: date, by: tuple[str, ...] = ()
) -> dict[tuple[Any, ...], dict[str, int]]:
    """The four counts per group of ``by`` fields (one query; the whole queryset when ``by`` is empty).

    The database groups by the ``by`` fields and the state and counts, per group, the tasks
    whose deadline has passed and those completed after their deadline: two filtered counts
    over columns of the covering indexes, which it reads faster than four. The buckets follow
    here: a done task is late or on time, any other (not cancelled) overdue or within deadline.
    """
    rows = (
        queryset.exclude(state=TaskState.CANCELLED)
        .values(*by, "state")
        .annotate(
            n=Count("state"),
            past=Count("state", filter=Q(deadline__lt=today)),
            late=Count("state", filter=Q(completed_on__gt=F("deadline"))),
        )
        .order_by()
    )
    result: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in rows:
        counts = result.setdefault(tuple(row[f] for f in by), dict.fromkeys(BUCKETS, 0))
        n, past, late = int(row["n"]), int(row["past"]), int(row["late"])
        if row["state"] == TaskState.DONE:
            counts[COMPLETED_ON_TIME] += n - late
            counts[COMPLETED_LATE] += late
        else:
            counts[IN_PROGRESS_ON_TIME] += n - past
            counts[OVERDUE] += past
    return result


def bucket_counts(queryset: QuerySet[Task], today: date) -> dict[str, int]:
    """The number of tasks of ``queryset`` in each bucket on ``today`` (one query)."""
    return grouped_buckets(queryset, today).get((), dict.fromkeys(BUCKETS, 0))


def bucket_for(state: str, deadline: date, completed_on: date | None, today: date) -> str | None:
    """The bucket on ``today`` of a task in ``state`` with these dates; ``None`` when cancelled."""
    if state == TaskState.CANCELLED:
        return None
    if state == TaskState.DONE:
        assert completed_on is not None
        return COMPLETED_ON_TIME if completed_on <= deadline else COMPLETED_LATE
    return IN_PROGRESS_ON_TIME if today <= deadline else OVERDUE


def bucket_of(task: Task, today: date) -> str | None:
    """The bucket of one task on ``today``; ``None`` for a cancelled task."""
    return bucket_for(task.state, task.deadline, task.completed_on, today)
