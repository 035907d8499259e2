"""``congvu sweep [--date YYYY-MM-DD] [--rebuild-tallies]``: run the day's reminders, notices, escalations and digests now.

The queue runs the same sweep every morning; this command is for operators (after an
outage, or from cron where no queue worker runs). Running it twice on a day changes
nothing the second time. It then sends the e-mail of pending notifications.

The day's tallies of the reporting buckets are built first when missing; ``--rebuild-tallies``
counts them afresh from the tasks (after rows were loaded or restored behind the services' back).
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from congvu.feedback.reminders import escalate_breaches
from congvu.notifications.tasks import send_pending
from congvu.tasks import tallies
from congvu.tasks.reminders import sweep


class Command(BaseCommand):
    help = "Run the reminder and escalation sweep of task assignment for a day (today by default)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", help="the day to sweep, YYYY-MM-DD (default: today, Vietnam time)")
        parser.add_argument(
            "--rebuild-tallies", action="store_true", help="count the day's tallies afresh from the tasks first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"not a date (YYYY-MM-DD): {options['date']}") from None
        if options["rebuild_tallies"]:
            built = tallies.rebuild(day or timezone.localdate())
            self.stdout.write(f"tallies {built.day.isoformat()}: {built.tasks} tasks counted")
        run = sweep(day)
        escalated = escalate_breaches(run.day)
        mails = send_pending()
        self.stdout.write(
            f"sweep {run.day.isoformat()}: {run.notifications} notifications, {run.escalations} escalations; "
            f"{escalated} feedback past due escalated; {mails} e-mails sent"
        )
