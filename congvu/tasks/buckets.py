"""The official reporting buckets of tasks, derived from dates and never stored.

Reports on assigned tasks count them as *completed* (on time / late) and *not yet
completed* (within the deadline / overdue) (domain-law §1.6, Báo cáo 1270/BC-TCTTTg).
The deadline is the current one: an approved extension moves it, so a task finished by
the extended date is on time. Cancelled tasks are in no bucket.

:func:`bucket_counts` computes all four over any queryset in one aggregate query;
:func:`bucket_of` is the same rule for one task in plain Python.
"""

from __future__ import annotations

from datetime import date
from typing import Final

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


def bucket_aggregates(today: date) -> dict[str, Count]:
    """The four counts as aggregate expressions over non-cancelled tasks.

    :func:`bucket_counts` aggregates them over a whole queryset; grouped reports (per unit,
    per person) annotate them after ``values()``. They count a column of the index (``COUNT(state)``), not ids, so
    that the database can read them from an index holding state, deadline and completion date.
    """
    done = Q(state=TaskState.DONE)
    open_ = ~done
    return {
        COMPLETED_ON_TIME: Count("state", filter=done & Q(completed_on__lte=F("deadline"))),
        COMPLETED_LATE: Count("state", filter=done & Q(completed_on__gt=F("deadline"))),
        IN_PROGRESS_ON_TIME: Count("state", filter=open_ & Q(deadline__gte=today)),
        OVERDUE: Count("state", filter=open_ & Q(deadline__lt=today)),
    }


def bucket_counts(queryset: QuerySet[Task], today: date) -> dict[str, int]:
    """The number of tasks of ``queryset`` in each bucket on ``today`` (one query)."""
    counts = queryset.exclude(state=TaskState.CANCELLED).aggregate(**bucket_aggregates(today))
    return {key: int(counts[key] or 0) for key in BUCKETS}


def bucket_of(task: Task, today: date) -> str | None:
    """The bucket of one task on ``today``; ``None`` for a cancelled task."""
    if task.state == TaskState.CANCELLED:
        return None
    if task.state == TaskState.DONE:
        assert task.completed_on is not None
        return COMPLETED_ON_TIME if task.completed_on <= task.deadline else COMPLETED_LATE
    return IN_PROGRESS_ON_TIME if today <= task.deadline else OVERDUE
