"""Background jobs of task assignment (huey): the daily reminder and escalation sweep."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from congvu.tasks.reminders import sweep


# 07:00 Vietnam time (the queue keeps UTC): reminders are in the inbox before the working day.
@db_periodic_task(crontab(minute="0", hour="0"))  # type: ignore[untyped-decorator]
def daily_sweep() -> None:
    sweep()
