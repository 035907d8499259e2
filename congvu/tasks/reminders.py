"""The daily sweep: reminders before deadlines, overdue notices, escalations and the digest.

:func:`sweep` runs once a working day (a periodic job of the queue, or ``congvu sweep``).
Everything it does is derived from the database on the day it runs, and every notification
has a key, so running it twice on a day changes nothing the second time. After an outage
the next run catches up the working days it missed (at most
:data:`~congvu.tasks.rules.SWEEP_CATCH_UP_WORKING_DAYS`): a reminder that fell on a missed
day goes out late rather than never.

Moments, in working days of the calendar (``congvu.core.workcal``):

* a reminder ``n`` working days before the deadline goes out on the ``n``-th working day
  before it, for each ``n`` in :data:`~congvu.tasks.rules.REMINDER_WORKING_DAYS`, if the task
  had been assigned by then;
* the overdue notice goes out on the first working day after the deadline;
* a difficulty unanswered after its answer day moves up one level, and a coordination
  request unanswered after its date goes to the common superior, on the next run;
* the current period's task of every recurring series is created (``congvu.tasks.recurring``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import RoleAssignment, User
from congvu.core.workcal import default_calendar
from congvu.notifications.models import Kind, SweepRun
from congvu.notifications.services import LEADER_ROLES, notify
from congvu.tasks import coordination, difficulties, recurring, tallies
from congvu.tasks.changes import dmy
from congvu.tasks.models import Coordination, Difficulty, Extension, ExtensionState, Task, TaskState
from congvu.tasks.rules import REMINDER_WORKING_DAYS, SWEEP_CATCH_UP_WORKING_DAYS

# Tasks the owner still has to work on (a submitted one waits for the assigner).
ACTIVE_STATES = (TaskState.ASSIGNED, TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.RETURNED)
CLOSED_STATES = (TaskState.DONE, TaskState.CANCELLED)
DUE_SOON_WORKING_DAYS = 3


def days_to_cover(today: date) -> list[date]:
    """The working days this run is responsible for: those since the last finished run, up to today."""
    cal = default_calendar()
    # Runs on non-working days cover nothing, so the catch-up starts from the last working day that ran.
    runs = SweepRun.objects.filter(day__lt=today, finished_at__isnull=False).order_by("-day")
    previous = next((d for d in runs.values_list("day", flat=True).iterator() if cal.is_working_day(d)), None)
    if previous is None:
        return [today]
    start = max(previous, cal.add_working_days(today, -SWEEP_CATCH_UP_WORKING_DAYS))
    return [d for d in cal.working_days_in(start, today) if d > previous]


def _owner_users(person_ids: set[int]) -> dict[int, list[User]]:
    users: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(person_id__in=person_ids, is_active=True):
        assert user.person_id is not None
        users[user.person_id].append(user)
    return users


def send_reminders(days: list[date]) -> int:
    """Reminders whose moment is one of ``days``; returns how many notifications were written."""
    cal = default_calendar()
    covered = set(days)
    latest = max(cal.add_working_days(d, max(REMINDER_WORKING_DAYS)) for d in days)
    tasks = list(
        Task.objects.filter(state__in=ACTIVE_STATES, deadline__gt=min(days), deadline__lte=latest).only(
            "pk", "title", "deadline", "assigned_on", "owner_id"
        )
    )
    users = _owner_users({t.owner_id for t in tasks})
    written = 0
    for task in tasks:
        for n in sorted(REMINDER_WORKING_DAYS):  # the nearest first: after an outage only it goes out
            moment = cal.add_working_days(task.deadline, -n)
            if moment in covered and moment >= task.assigned_on:
                written += notify(
                    users.get(task.owner_id, []),
                    key=f"reminder:{task.pk}:{task.deadline.isoformat()}:{n}",
                    kind=Kind.REMINDER,
                    title=_("Còn %(n)s ngày làm việc đến hạn: %(task)s") % {"n": n, "task": task.title},
                    body=_("Hạn hoàn thành: %(deadline)s.") % {"deadline": dmy(task.deadline)},
                    url=reverse("tasks:detail", args=[task.pk]),
                )
                break
    return written


def send_overdue_notices(days: list[date]) -> int:
    """The notice to the owner and the assigner on the first working day after a missed deadline."""
    cal = default_calendar()
    covered = set(days)
    earliest = cal.add_working_days(min(days), -1)
    tasks = list(
        Task.objects.filter(state__in=ACTIVE_STATES, deadline__gte=earliest, deadline__lt=max(days))
        .select_related("assigned_by")
        .only("pk", "title", "deadline", "owner_id", "assigned_by")
    )
    users = _owner_users({t.owner_id for t in tasks})
    written = 0
    for task in tasks:
        if cal.add_working_days(task.deadline, 1) not in covered:
            continue
        written += notify(
            [*users.get(task.owner_id, []), task.assigned_by],
            key=f"overdue:{task.pk}:{task.deadline.isoformat()}",
            kind=Kind.OVERDUE,
            title=_("Quá hạn: %(task)s") % {"task": task.title},
            body=_("Nhiệm vụ chưa hoàn thành, hạn là ngày %(deadline)s.") % {"deadline": dmy(task.deadline)},
            url=reverse("tasks:detail", args=[task.pk]),
        )
    return written


def _heads_by_unit(unit_ids: set[int]) -> dict[int, set[int]]:
    heads: dict[int, set[int]] = defaultdict(set)
    rows = RoleAssignment.objects.filter(
        scope_unit_id__in=unit_ids, role__in=LEADER_ROLES, user__is_active=True
    ).values_list("scope_unit_id", "user_id")
    for unit_id, user_id in rows:
        heads[unit_id].add(user_id)
    return heads


def send_digests(today: date) -> int:
    """One summary per person with something to do today (a constant number of queries)."""
    cal = default_calendar()
    soon = cal.add_working_days(today, DUE_SOON_WORKING_DAYS)
    lines: dict[int, list[str]] = defaultdict(list)
    owned = (
        Task.objects.filter(state__in=ACTIVE_STATES, owner__user_account__is_active=True)
        .values("owner__user_account")
        .annotate(
            open=Count("pk"),
            soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=soon)),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
        )
        .order_by()
    )
    for row in owned:
        lines[row["owner__user_account"]].append(
            _(
                "Nhiệm vụ đang thực hiện: %(open)s, sắp đến hạn (trong %(days)s ngày làm việc): %(soon)s, quá hạn: %(overdue)s."
            )
            % {"open": row["open"], "soon": row["soon"], "overdue": row["overdue"], "days": DUE_SOON_WORKING_DAYS}
        )
    to_review = Task.objects.filter(state=TaskState.SUBMITTED).values("assigned_by").annotate(n=Count("pk")).order_by()
    for row in to_review:
        lines[row["assigned_by"]].append(_("Kết quả chờ bạn đánh giá: %(n)s.") % {"n": row["n"]})
    to_decide = (
        Extension.objects.filter(state=ExtensionState.PENDING)
        .values("task__assigned_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in to_decide:
        lines[row["task__assigned_by"]].append(_("Đề nghị gia hạn chờ bạn quyết định: %(n)s.") % {"n": row["n"]})
    open_difficulties = dict(
        Difficulty.objects.filter(answered_on__isnull=True)
        .exclude(task__state__in=CLOSED_STATES)
        .values("addressed_unit")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("addressed_unit", "n")
    )
    open_requests = dict(
        Coordination.objects.filter(answered_on__isnull=True)
        .exclude(task__state__in=CLOSED_STATES)
        .values("to_unit")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("to_unit", "n")
    )
    heads = _heads_by_unit(set(open_difficulties) | set(open_requests))
    for unit_id, n in sorted(open_difficulties.items()):
        for user_id in sorted(heads.get(unit_id, ())):
            lines[user_id].append(_("Khó khăn, vướng mắc chờ trả lời: %(n)s.") % {"n": n})
    for unit_id, n in sorted(open_requests.items()):
        for user_id in sorted(heads.get(unit_id, ())):
            lines[user_id].append(_("Đề nghị phối hợp chờ đơn vị trả lời: %(n)s.") % {"n": n})
    written = 0
    recipients = {u.pk: u for u in User.objects.filter(pk__in=lines, is_active=True)}
    for user_id in sorted(recipients):
        written += notify(
            [recipients[user_id]],
            key=f"digest:{today.isoformat()}",
            kind=Kind.DIGEST,
            title=_("Tổng hợp công việc ngày %(day)s") % {"day": dmy(today)},
            body="\n".join(lines[user_id]),
            url=reverse("tasks:my"),
        )
    return written


def sweep(today: date | None = None) -> SweepRun:
    """Run the day's reminders, notices, escalations and digests (idempotent)."""
    today = today or timezone.localdate()
    tallies.ensure(today)  # every day, working or not: an open task becomes overdue on any day
    with transaction.atomic():
        run, _created = SweepRun.objects.select_for_update().get_or_create(
            day=today, defaults={"started_at": timezone.now()}
        )
        if not default_calendar().is_working_day(today):
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            return run
        days = days_to_cover(today)
        recurring.generate_occurrences(today)
        written = send_reminders(days) + send_overdue_notices(days)
        escalated = difficulties.escalate_overdue(today) + coordination.escalate_overdue(today)
        written += send_digests(today)
        run.notifications += written
        run.escalations += escalated
        run.finished_at = timezone.now()
        run.save(update_fields=["notifications", "escalations", "finished_at"])
    return run
