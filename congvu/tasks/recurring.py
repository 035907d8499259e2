"""Recurring tasks (nhiệm vụ định kỳ): monthly and quarterly reports as a series of ordinary tasks.

A series is created by someone who may assign the task (the same checks as one task). Each
period's occurrence is assigned on the first day of the period (or the day the series
began, for its first period) with its deadline on ``due_day`` of the period's last month;
a period whose due day had already passed when the series began is skipped. The daily
sweep creates the occurrence of the current period once (a unique key per series and
period); when it cannot (the assigner lost their scope, the owner left the unit), the
assigner is told and the period is tried again on the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.audit.chain import record
from congvu.notifications.models import Kind
from congvu.notifications.services import notify
from congvu.org.models import Person, Unit
from congvu.tasks import services
from congvu.tasks.changes import TaskError, dmy
from congvu.tasks.models import Directive, Frequency, Meeting, Priority, Task, TaskSeries

CREATE: Final = "tasks.series.create"
STOP: Final = "tasks.series.stop"
MONTHS: Final = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}
ROMAN: Final = ("I", "II", "III", "IV")


def period_start(day: date, frequency: str) -> date:
    months = MONTHS[Frequency(frequency)]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def period_label(start: date, frequency: str) -> str:
    if frequency == Frequency.QUARTERLY:
        return _("quý %(q)s/%(y)s") % {"q": ROMAN[(start.month - 1) // 3], "y": start.year}
    return _("tháng %(m)02d/%(y)s") % {"m": start.month, "y": start.year}


def occurrence_deadline(series: TaskSeries, start: date) -> date:
    last_month = start.month + MONTHS[Frequency(series.frequency)] - 1
    return date(start.year, last_month, series.due_day)


@transaction.atomic
def create_series(
    *,
    acting_user: User,
    title: str,
    lead_unit: Unit,
    owner: Person,
    frequency: str,
    due_day: int,
    meeting: Meeting | None = None,
    directive: Directive | None = None,
    clause: str = "",
    description: str = "",
    priority: str = Priority.NORMAL,
    products: Sequence[services.ProductSpec] = (),
    ends_on: date | None = None,
) -> TaskSeries:
    """Create a recurring task and, when its due day is still ahead, the current period's task."""
    today = timezone.localdate()
    if not title.strip():
        raise TaskError(_("Tên nhiệm vụ không được để trống."))
    if meeting is None and directive is None:
        raise TaskError(_("Nhiệm vụ định kỳ phải có nguồn giao: cuộc họp hoặc văn bản chỉ đạo."))
    if frequency not in Frequency.values:
        raise TaskError(_("Chu kỳ phải là hằng tháng hoặc hằng quý."))
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= 28:
        raise TaskError(_("Hạn trong kỳ phải là một ngày từ 1 đến 28 của tháng cuối kỳ."))
    if ends_on is not None and ends_on < today:
        raise TaskError(_("Ngày kết thúc %(day)s không được trước hôm nay.") % {"day": dmy(ends_on)})
    unit, lines = services.check_assignment(
        acting_user=acting_user, lead_unit=lead_unit, owner=owner, on=today, priority=priority, products=products
    )
    series = TaskSeries.objects.create(
        title=title.strip(),
        description=description,
        meeting=meeting,
        directive=directive,
        clause=clause,
        lead_unit=unit,
        owner=owner,
        assigned_by=acting_user,
        priority=priority,
        products=[[pt.code, str(q)] for pt, q in lines],
        frequency=frequency,
        due_day=due_day,
        starts_on=today,
        ends_on=ends_on,
    )
    record(
        acting_user=acting_user,
        action=CREATE,
        object_type="task_series",
        object_id=series.pk,
        object_label=series.title,
        after={
            "lead_unit_id": unit.pk,
            "owner_id": owner.pk,
            "frequency": frequency,
            "due_day": due_day,
            "starts_on": today,
            "ends_on": ends_on,
            "products": series.products,
        },
        subjects=[("unit", str(unit.pk)), ("person", str(owner.pk))],
    )
    _occurrence(series, today)
    return series


def _occurrence(series: TaskSeries, today: date) -> Task | None:
    """The current period's task of the series (created if due and missing); None if the period is skipped."""
    start = period_start(today, series.frequency)
    if series.ends_on is not None and series.ends_on < start:
        return None
    existing = Task.objects.filter(series=series, period_start=start).first()
    if existing is not None:
        return existing
    assigned_on = max(start, series.starts_on)
    deadline = occurrence_deadline(series, start)
    if deadline < assigned_on:
        return None
    return services.assign_task(
        acting_user=series.assigned_by,
        title=f"{series.title} — {period_label(start, series.frequency)}",
        description=series.description,
        lead_unit=series.lead_unit,
        owner=series.owner,
        deadline=deadline,
        meeting=series.meeting,
        directive=series.directive,
        clause=series.clause,
        priority=series.priority,
        products=[(code, quantity) for code, quantity in series.products],
        assigned_on=assigned_on if assigned_on < today else None,
        series=series,
        period_start=start,
    )


def generate_occurrences(today: date) -> int:
    """Create the current period's task of every active series (inside the sweep); returns how many were made."""
    made = 0
    series_list = (
        TaskSeries.objects.filter(active=True, starts_on__lte=today)
        .select_related("lead_unit", "owner", "assigned_by", "meeting", "directive")
        .order_by("id")
    )
    for series in series_list:
        start = period_start(today, series.frequency)
        if Task.objects.filter(series=series, period_start=start).exists():
            continue
        try:
            with transaction.atomic():
                task = _occurrence(series, today)
        except TaskError as exc:
            notify(
                [series.assigned_by],
                key=f"series-failed:{series.pk}:{start.isoformat()}",
                kind=Kind.ASSIGNED,
                title=_("Không tạo được nhiệm vụ định kỳ: %(task)s") % {"task": series.title},
                body=str(exc),
            )
            continue
        made += task is not None
    return made


@transaction.atomic
def stop_series(*, acting_user: User, series: TaskSeries) -> TaskSeries:
    """No further occurrences; those already assigned stay as they are."""
    series = TaskSeries.objects.select_for_update().get(pk=series.pk)
    if acting_user.pk != series.assigned_by_id:
        raise TaskError(_("Chỉ người giao nhiệm vụ mới được dừng nhiệm vụ định kỳ."))
    if not series.active:
        raise TaskError(_("Nhiệm vụ định kỳ này đã dừng."))
    series.active = False
    series.save(update_fields=["active"])
    record(
        acting_user=acting_user,
        action=STOP,
        object_type="task_series",
        object_id=series.pk,
        object_label=series.title,
        before={"active": True},
        after={"active": False},
        subjects=[("unit", str(series.lead_unit_id)), ("person", str(series.owner_id))],
    )
    return series


def series_url(series: TaskSeries) -> str:
    first = series.occurrences.order_by("-period_start").first()
    return reverse("tasks:detail", args=[first.pk]) if first else reverse("tasks:my")
