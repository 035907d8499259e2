"""Background jobs of public feedback (huey): the daily escalation of breached deadlines."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from congvu.feedback.reminders import escalate_breaches


# 07:05 Vietnam time, after the task sweep.
@db_periodic_task(crontab(minute="5", hour="0"))  # type: ignore[untyped-decorator]
def daily_feedback_escalation() -> None:
    escalate_breaches(timezone.localdate())
