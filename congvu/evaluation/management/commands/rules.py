"""``congvu rules test FILE...`` runs scenario files; ``congvu rules show`` lists the rules in force."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from congvu.evaluation.errors import EvaluationError, RuleDataError
from congvu.evaluation.rulesets import Registry
from congvu.evaluation.runner import Outcome, run_files


def _show(value: Any) -> str:
    return "—" if value is None else str(value)


class Command(BaseCommand):
    help = "Run evaluation scenario files against the rules (exit 0 only if every expectation holds)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        test = sub.add_parser("test", help="run scenario files (or folders of them)")
        test.add_argument("files", nargs="+", type=Path)
        test.add_argument("--format", choices=("text", "json"), default="text")
        test.add_argument("--rules-dir", type=Path, action="append", default=[], help="extra rule sets (overlays)")
        show = sub.add_parser("show", help="the parameters in force on a date, with citations")
        show.add_argument("--date", type=date.fromisoformat, default=None)
        show.add_argument("--ruleset", default=None, help="a provincial overlay id")
        show.add_argument("--rules-dir", type=Path, action="append", default=[])

    def _registry(self, extra: list[Path]) -> Registry:
        try:
            return Registry.load([*settings.CONGVU_RULES_DIRS, *extra])
        except RuleDataError as exc:
            raise CommandError(f"rule data error: {exc}") from None

    def handle(self, *args: Any, **options: Any) -> None:
        registry = self._registry(options["rules_dir"])
        if options["action"] == "show":
            self._show_rules(registry, options["date"] or timezone.localdate(), options["ruleset"])
            return
        outcomes = run_files(options["files"], registry)
        failed = [o for o in outcomes if not o.ok]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "files": [str(f) for f in options["files"]],
                        "total": len(outcomes),
                        "passed": len(outcomes) - len(failed),
                        "failed": len(failed),
                        "results": [o.as_dict() for o in outcomes],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self._report(outcomes, failed)
        if failed or not outcomes:
            raise CommandError(f"{len(failed)} of {len(outcomes)} scenarios failed" if outcomes else "no scenario ran")

    def _report(self, outcomes: list[Outcome], failed: list[Outcome]) -> None:
        for outcome in failed:
            where = f"{outcome.file} › {outcome.section or '-'} › {outcome.name}"
            self.stdout.write(f"✗ {where}")
            if outcome.problem:
                self.stdout.write(f"    {outcome.problem}")
            for key, wanted, got in outcome.mismatches:
                self.stdout.write(f"    {key}: expected {_show(wanted)}, got {_show(got)}")
        self.stdout.write(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed ({len(outcomes)} scenarios)")

    def _show_rules(self, registry: Registry, day: date, overlay: str | None) -> None:
        try:
            params = registry.params_for(day, overlay)
        except EvaluationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{params.ruleset_id} — {day.isoformat()}")
        for p in params.all():
            flag = "" if p.certainty == "verified" else f"  [{p.certainty}]"
            self.stdout.write(
                f"  {p.name} = {p.value}{flag}\n      {p.citation} (từ {p.start.isoformat()}, {p.ruleset})"
            )
