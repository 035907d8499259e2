"""``congvu feedback_privacy erase [--date D]`` and ``congvu feedback_privacy export (--email E | --code C)``."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from congvu.feedback import privacy


class Command(BaseCommand):
    help = "Erase the personal data of closed submissions past the retention period, or export one submitter's data."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        erase = sub.add_parser("erase", help="erase what the retention period allows (today by default)")
        erase.add_argument("--date", help="YYYY-MM-DD")
        export = sub.add_parser("export", help="print, as JSON, what is kept about one submitter")
        export.add_argument("--email", default="")
        export.add_argument("--code", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "erase":
            day = timezone.localdate()
            if options["date"]:
                try:
                    day = date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(f"not a date (YYYY-MM-DD): {options['date']}") from None
            self.stdout.write(f"personal data erased from {privacy.erase_expired(day)} submissions")
            return
        if not options["email"].strip() and not options["code"].strip():
            raise CommandError("give --email or --code")
        self.stdout.write(
            json.dumps(privacy.export(email=options["email"], code=options["code"]), ensure_ascii=False, indent=2)
        )
