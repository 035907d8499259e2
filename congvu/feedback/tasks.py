"""Background jobs of public feedback (huey): escalation of breached deadlines, erasure after retention."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from congvu.feedback.privacy import erase_expired
from congvu.feedback.reminders import escalate_breaches


# 07:05 Vietnam time, after the task sweep.
@db_periodic_task(crontab(minute="5", hour="0"))  # type: ignore[untyped-decorator]
def daily_feedback_escalation() -> None:
    escalate_breaches(timezone.localdate())


# 02:00 Vietnam time: personal data of closed submissions past the retention period.
@db_periodic_task(crontab(minute="0", hour="19"))  # type: ignore[untyped-decorator]
def daily_feedback_retention() -> None:
    erase_expired(timezone.localdate())
