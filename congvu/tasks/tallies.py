"""Tallies of the reporting buckets per lead unit and accountable person, kept for the current day.

A province's overview adds up the buckets of every task (a million at scale 100). Grouping
them on each request costs a scan of the whole table, so the figures are also kept here:
one ``TaskTally`` row per (day, lead unit, owner) and one ``OwnerTally`` row per (day, owner)
with the four counts of :mod:`congvu.tasks.buckets`. They stay derived, never typed in:

* **Built** for a day from the tasks (``rebuild``, one grouped query), by the daily job just
  after midnight and at the start of each sweep (``ensure``). A task's bucket depends on the
  day (an open task becomes overdue the day after its deadline), so a day's tallies are only
  valid on that day; the ``TallyDay`` row says they are complete.
* **Moved** by every change of a task (``save_task`` and ``assign_task`` call ``moved``), in the
  same transaction: the task leaves its old bucket and enters its new one on today's tallies.
* **Read** (``grouped``) only when today's tallies are complete; otherwise (before the first
  build of the day) the caller computes the buckets from the tasks as before. Both give the
  same numbers: ``tests/tasks/test_tallies.py`` compares them after every kind of change.

A change that commits while the tallies are being built is never lost: on PostgreSQL the
build takes a SHARE lock on the tasks table (writers wait for the build, then see its day and
move the tallies); SQLite runs one writing transaction at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from congvu.tasks.buckets import BUCKETS, COMPLETED_LATE, OVERDUE, bucket_for, grouped_buckets
from congvu.tasks.models import OwnerTally, TallyDay, Task, TaskTally

# The columns of a task that decide its tally row and bucket.
TALLIED_FIELDS = frozenset({"state", "deadline", "completed_on", "lead_unit", "owner"})
Stored = tuple[str, date, date | None, int, int]  # state, deadline, completed_on, lead unit id, owner id
Key = tuple[int, int, str]  # lead unit id, owner id, bucket
BATCH = 5_000


def _key(stored: Stored | None, day: date) -> Key | None:
    if stored is None:
        return None
    state, deadline, completed_on, lead_unit_id, owner_id = stored
    bucket = bucket_for(state, deadline, completed_on, day)
    return None if bucket is None else (lead_unit_id, owner_id, bucket)


def stored(task_id: int) -> Stored:
    """The tallied columns of a task as the database holds them (read before a change is saved)."""
    return (
        Task.objects.filter(pk=task_id)
        .values_list("state", "deadline", "completed_on", "lead_unit_id", "owner_id")
        .get()
    )


def of(task: Task) -> Stored:
    """The tallied columns of a task as they are in memory (after a change)."""
    return (task.state, task.deadline, task.completed_on, task.lead_unit_id, task.owner_id)


def ready(day: date) -> bool:
    return TallyDay.objects.filter(day=day).exists()


def _add(day: date, key: Key, n: int) -> None:
    unit_id, owner_id, bucket = key
    _add_to(TaskTally, {"day": day, "lead_unit_id": unit_id, "owner_id": owner_id}, bucket, n)
    _add_to(OwnerTally, {"day": day, "owner_id": owner_id}, bucket, n)


def _add_to(model: type[TaskTally] | type[OwnerTally], where: dict[str, Any], bucket: str, n: int) -> None:
    rows = model.objects.filter(**where)
    if rows.update(**{bucket: F(bucket) + n}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**where, **{bucket: n})
    except IntegrityError:  # created meanwhile by a concurrent change
        rows.update(**{bucket: F(bucket) + n})


def moved(*, before: Stored | None, task: Task) -> None:
    """Move today's tallies for one task that changed (``before`` is None for a new task); inside its transaction."""
    day = timezone.localdate()
    old, new = _key(before, day), _key(of(task), day)
    if old == new or not ready(day):
        return
    if old is not None:
        _add(day, old, -1)
    if new is not None:
        _add(day, new, 1)


@transaction.atomic
def rebuild(day: date) -> TallyDay:
    """Count every task into ``day``'s tallies afresh (one grouped query), and drop the tallies of earlier days."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Task._meta.db_table} IN SHARE MODE")
    TallyDay.objects.filter(day__lte=day).delete()
    TaskTally.objects.filter(day__lte=day).delete()
    OwnerTally.objects.filter(day__lte=day).delete()
    counts = grouped_buckets(Task.objects.all(), day, ("lead_unit_id", "owner_id"))
    per_owner: dict[int, dict[str, int]] = {}
    for (_unit_id, owner_id), buckets in counts.items():
        mine = per_owner.setdefault(owner_id, dict.fromkeys(BUCKETS, 0))
        for b in BUCKETS:
            mine[b] += buckets[b]
    _bulk(
        TaskTally,
        (
            TaskTally(day=day, lead_unit_id=unit_id, owner_id=owner_id, **buckets)
            for (unit_id, owner_id), buckets in counts.items()
        ),
    )
    _bulk(OwnerTally, (OwnerTally(day=day, owner_id=owner_id, **buckets) for owner_id, buckets in per_owner.items()))
    total = sum(sum(buckets.values()) for buckets in counts.values())
    return TallyDay.objects.create(day=day, built_at=timezone.now(), tasks=total)


def _bulk(model: type[TaskTally] | type[OwnerTally], rows: Iterable[Any]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


def ensure(day: date) -> TallyDay:
    """``day``'s tallies, built if they are not yet."""
    found = TallyDay.objects.filter(day=day).first()
    return found if found is not None else rebuild(day)


def grouped(where: Q, day: date, by: str) -> dict[int, dict[str, int]]:
    """The four counts per ``by`` (``"lead_unit_id"`` or ``"owner_id"``) of the tallies matching ``where`` (one query).

    Call only when ``ready(day)``.
    """
    rows = (
        TaskTally.objects.filter(where, day=day).values(by).annotate(**{f"n_{b}": Sum(b) for b in BUCKETS}).order_by()
    )
    return {row[by]: {b: int(row[f"n_{b}"]) for b in BUCKETS} for row in rows}


def counts(where: Q, day: date) -> dict[str, int]:
    """The four counts of the tallies matching ``where``, summed (one query). Call only when ``ready(day)``."""
    sums = TaskTally.objects.filter(where, day=day).aggregate(**{b: Sum(b) for b in BUCKETS})
    return {b: int(sums[b] or 0) for b in BUCKETS}


def ranked_owners(where: Q, day: date, limit: int) -> list[tuple[int, dict[str, int]]]:
    """The owners with tasks completed late or overdue, worst first, with their four counts.

    For the whole province (``where`` empty) the owners' own tallies are read worst first from
    their index (one query). Within a subtree, the ranking reads only the rows of its lead units
    with late or overdue work (their sums of those two counts are the owner's whole sums there,
    the other rows adding nothing to them); the four counts of the owners ranked are then summed
    over all their rows (two queries).
    """
    if not where:
        worst = (
            OwnerTally.objects.filter(day=day)
            .filter(Q(completed_late__gt=0) | Q(overdue__gt=0))
            .order_by("-overdue", "-completed_late", "owner_id")
            .values_list("owner_id", *BUCKETS)[:limit]
        )
        return [(owner_id, dict(zip(BUCKETS, values, strict=True))) for owner_id, *values in worst]
    ranked = list(
        TaskTally.objects.filter(where, day=day)
        .filter(Q(completed_late__gt=0) | Q(overdue__gt=0))
        .values("owner_id")
        .annotate(late=Sum(COMPLETED_LATE), over=Sum(OVERDUE))
        .order_by("-over", "-late", "owner_id")
        .values_list("owner_id", flat=True)[:limit]
    )
    if not ranked:
        return []
    counts = grouped(where & Q(owner_id__in=ranked), day, "owner_id")
    return [(owner_id, counts[owner_id]) for owner_id in ranked]
