"""Bulk task data for the benchmarks: N tasks added to an already-built demo province.

``CONGVU_DATA_DIR=... python -m benchmarks.task_data COUNT [--seed S] [--batch B]`` (after
``congvu demo --no-serve --scale S``); prints one JSON object with what it wrote and how long it took.

The rows are written with ``bulk_create`` and deliberately bypass ``congvu.tasks.services``:
no audit event, no product, plan or progress report, no notification, no check of who may
assign what. That is what makes a million rows take minutes instead of hours; the screens
measured only read ``Task`` rows, so the rows are what matters. The spread is meant to look
like a province's real work:

* the lead unit is one of the province's active units that has someone in post today, and the
  accountable person holds a current appointment (any kind) in that unit;
* the assigner is ``giamdoc`` for the units of the Department of Finance, ``lanhdao`` elsewhere,
  as in the demo;
* deadlines lie from June 2025 to December 2026; a task is assigned 7 to 120 days before its
  deadline, never after today; ``original_deadline = deadline`` (no extension);
* about 45 % are done (most on time, some late, never completed after today), 5 % cancelled,
  the rest open (assigned, accepted, in progress, submitted), with deadlines skewed towards the
  later months (so the open ones that are overdue are mostly recent);
* each task comes from one of the demo's meetings or directives (a clause of it), chosen
  uniformly: the demo has only the sources of early 2026, so a task assigned in 2025 may cite
  a later source (nothing measured depends on it);
* the demo accounts ``chuyenvien`` and ``truongphong`` own about 200 tasks each in their division
  (Phòng Ngân sách), so that "my tasks" shows the same amount of work at every scale.

Deterministic: one ``random.Random(seed)`` and the database's own order; the only inputs from the
clock are today's date (assignment days are capped at it) and ``created_at``/``updated_at``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

SEED = 20_261_126
TASKS_PER_SCALE = 10_000
BATCH = 20_000
FIRST_DEADLINE = date(2025, 6, 1)
LAST_DEADLINE = date(2026, 12, 31)
OWN_TASKS = 200  # owned by each of chuyenvien and truongphong
DONE, CANCELLED = 0.45, 0.05
OPEN_STATES = (("assigned", 15), ("accepted", 20), ("in_progress", 50), ("submitted", 15))
LATE = 0.2  # share of done tasks completed after their deadline (when the deadline has passed)
CANCEL_REASON = "Nhiệm vụ đã được lồng ghép vào nhiệm vụ khác."

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Added:
    tasks: int
    total_tasks: int
    lead_units: int
    owners: int
    own_tasks: dict[str, int]
    seconds: float
    tally_seconds: float  # building today's tallies afresh (the daily job's work) after the bulk load
    tally_rows: int


def task_count(scale: int) -> int:
    return TASKS_PER_SCALE * scale


def add_tasks(count: int, *, seed: int = SEED, batch: int = BATCH, progress: Progress | None = None) -> Added:
    """Add ``count`` tasks to the demo province in the database Django is configured with."""
    from django.db import connection, reset_queries, transaction
    from django.db.models import Q
    from django.utils import timezone

    from congvu.accounts.models import User
    from congvu.demo.generator import province
    from congvu.demo.tasks import TASK_TITLES
    from congvu.org.models import Appointment, Unit, UnitStatus
    from congvu.tasks import tallies
    from congvu.tasks.models import Directive, Meeting, Priority, Task, TaskTally

    say: Progress = progress or (lambda _message: None)
    started = time.perf_counter()
    root = province()
    if root is None:
        raise LookupError("no demo province: run `congvu demo --no-serve --scale N` first")
    today = timezone.localdate()
    rng = random.Random(seed)

    # Who can lead and own: every active unit of the province with someone in post today.
    unit_paths = dict(
        Unit.objects.filter(status=UnitStatus.ACTIVE, path__startswith=root.path)
        .order_by("id")
        .values_list("id", "path")
    )
    posts = (
        Appointment.objects.filter(
            unit__status=UnitStatus.ACTIVE, unit__path__startswith=root.path, start_date__lte=today
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("unit_id", "person_id")
        .values_list("unit_id", "person_id")
    )
    staff: dict[int, list[int]] = defaultdict(list)
    for unit_id, person_id in posts.iterator(chunk_size=20_000):
        if not staff[unit_id] or staff[unit_id][-1] != person_id:
            staff[unit_id].append(person_id)
    leads = [(unit_id, people) for unit_id, people in sorted(staff.items()) if people]
    if not leads:
        raise LookupError("nobody holds a post in the demo province today")

    users = {
        u.username: u for u in User.objects.filter(username__in=["lanhdao", "giamdoc", "truongphong", "chuyenvien"])
    }
    finance = Unit.objects.get(code=f"{root.code}.STC")
    budget = Unit.objects.get(parent=finance, name="Phòng Ngân sách", status=UnitStatus.ACTIVE)
    mine: list[tuple[str, int]] = []
    for username in ("chuyenvien", "truongphong"):
        official = users[username].person_id
        assert official is not None, f"{username} has no official"
        mine.append((username, official))
    # Positions (spread evenly over the run) of the tasks owned by the two demo accounts.
    own_slots = min(OWN_TASKS * len(mine), count)
    special = {(k * count) // own_slots: mine[k % len(mine)] for k in range(own_slots)} if own_slots else {}

    sources: list[tuple[str, Meeting | Directive, str]] = [
        ("meeting", m, m.conclusions) for m in Meeting.objects.order_by("id")
    ] + [("directive", d, d.summary) for d in Directive.objects.order_by("id")]
    if not sources:
        raise LookupError("the demo has no meetings or directives")

    span_days = (LAST_DEADLINE - FIRST_DEADLINE).days
    open_states = [s for s, _ in OPEN_STATES]
    open_weights = [w for _, w in OPEN_STATES]
    priorities = list(Priority.values)

    def make(index: int) -> Task:
        chosen = special.get(index)
        if chosen is None:
            unit_id, people = leads[rng.randrange(len(leads))]
            owner_id = people[rng.randrange(len(people))]
        else:
            unit_id, owner_id = budget.pk, chosen[1]
        finance_unit = unit_paths[unit_id].startswith(finance.path)
        assigner = users["giamdoc" if finance_unit else "lanhdao"]
        roll = rng.random()
        if roll < DONE + CANCELLED:
            deadline = FIRST_DEADLINE + timedelta(days=rng.randint(0, span_days))
        else:  # open work: skewed towards the later deadlines
            deadline = FIRST_DEADLINE + timedelta(days=round(rng.triangular(0, span_days, span_days)))
        assigned_on = min(deadline - timedelta(days=rng.randint(7, 120)), today)
        kind, source, about = sources[rng.randrange(len(sources))]
        title, _product = TASK_TITLES[rng.randrange(len(TASK_TITLES))]
        state, grade, errors = "assigned", None, 0
        submitted_on = completed_on = None
        cancel_reason = ""
        if roll < DONE:
            state = "done"
            if deadline < today and rng.random() < LATE:
                completed_on = min(deadline + timedelta(days=rng.randint(1, 45)), today)
            else:
                earliest = max(assigned_on, deadline - timedelta(days=30))
                latest = min(deadline, today)
                completed_on = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
            submitted_on = completed_on
            grade = "meets" if rng.random() < 0.9 else "errors"
            errors = rng.randint(1, 2) if grade == "errors" else 0
        elif roll < DONE + CANCELLED:
            state, cancel_reason = "cancelled", CANCEL_REASON
        else:
            state = rng.choices(open_states, weights=open_weights)[0]
            if state == "submitted":
                submitted_on = assigned_on + timedelta(days=rng.randint(0, max(0, (today - assigned_on).days)))
        if kind == "meeting":
            where: dict[str, Any] = {"meeting": source, "clause": f"Mục {rng.randint(1, 4)}.{rng.randint(1, 6)}"}
        else:
            where = {"directive": source, "clause": f"Điều {rng.randint(1, 5)}, khoản {rng.randint(1, 4)}"}
        return Task(
            title=title,
            description=about,
            lead_unit_id=unit_id,
            owner_id=owner_id,
            assigned_by=assigner,
            assigned_on=assigned_on,
            deadline=deadline,
            original_deadline=deadline,
            priority=rng.choices(priorities, weights=(70, 20, 10))[0],
            state=state,
            grade=grade,
            major_errors=errors,
            submitted_on=submitted_on,
            completed_on=completed_on,
            cancel_reason=cancel_reason,
            **where,
        )

    written = 0
    while written < count:
        rows = [make(i) for i in range(written, min(written + batch, count))]
        with transaction.atomic():
            Task.objects.bulk_create(rows)
        written += len(rows)
        reset_queries()
        say(f"  tasks: {written:,} / {count:,} ({time.perf_counter() - started:.0f} s)")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: the visibility map that index-only scans need,
        # and planner statistics for every table (the demo's units and people included). Without them
        # the planner guesses (e.g. 10 units under the province instead of all of them) and the
        # figures would describe a database no running server has.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_task")
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    # The rows bypassed the services, so the demo's tallies of today no longer describe them: built
    # afresh, as the daily job does after midnight.
    tally_started = time.perf_counter()
    tallies.rebuild(today)
    tally_seconds = time.perf_counter() - tally_started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_tasktally")
    own = {name: Task.objects.filter(owner_id=pid).count() for name, pid in mine}
    return Added(
        tasks=count,
        total_tasks=Task.objects.count(),
        lead_units=len(leads),
        owners=sum(len(people) for _, people in leads),
        own_tasks=own,
        seconds=seconds,
        tally_seconds=tally_seconds,
        tally_rows=TaskTally.objects.filter(day=today).count(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("count", type=int, help=f"tasks to add ({TASKS_PER_SCALE:,} × scale in the benchmarks)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    # Django's DEBUG keeps the text of every (huge) bulk statement; not wanted here.
    os.environ.setdefault("CONGVU_DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    added = add_tasks(args.count, seed=args.seed, batch=args.batch, progress=None if args.quiet else print)
    print(json.dumps(asdict(added)))


if __name__ == "__main__":
    main()
