"""``congvu audit verify [--checkpoint FILE]`` and ``congvu audit checkpoint [--output FILE]``."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.audit import chain


class Command(BaseCommand):
    help = "Verify the audit hash chain or export its head as a checkpoint."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every event of the chain")
        verify.add_argument("--checkpoint", type=Path, help="a checkpoint file exported earlier")
        export = sub.add_parser("checkpoint", help="print (or write) the head of the chain")
        export.add_argument("--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            data = json.dumps(chain.checkpoint(), indent=2)
            if options["output"]:
                options["output"].write_text(data + "\n", encoding="utf-8")
            else:
                self.stdout.write(data)
            return
        point = None
        if options["checkpoint"]:
            try:
                point = json.loads(options["checkpoint"].read_text(encoding="utf-8"))
                int(point["seq"])
                str(point["hash"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"cannot read checkpoint {options['checkpoint']}: {exc}") from None
        result = chain.verify(point)
        if result.problem is not None:
            raise CommandError(
                f"audit chain BROKEN at event #{result.problem.seq}: {result.problem.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain OK: {result.checked} events, head #{result.head_seq} {result.head_hash}")
