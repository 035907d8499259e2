"""Background jobs of task assignment (huey): the day's tallies and the daily reminder and escalation sweep."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from congvu.tasks import tallies
from congvu.tasks.reminders import sweep


# 07:00 Vietnam time (the queue keeps UTC): reminders are in the inbox before the working day.
@db_periodic_task(crontab(minute="0", hour="0"))  # type: ignore[untyped-decorator]
def daily_sweep() -> None:
    sweep()


# 00:01 Vietnam time: the new day's tallies of the reporting buckets (the overview reads them).
@db_periodic_task(crontab(minute="1", hour="17"))  # type: ignore[untyped-decorator]
def daily_tallies() -> None:
    tallies.ensure(timezone.localdate())
