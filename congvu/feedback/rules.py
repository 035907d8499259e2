"""The feedback rule data: answer deadlines per track (working days, dated, cited) and the windows.

Read from ``congvu/feedback/rules/deadlines.yaml`` or the file named by
``CONGVU_FEEDBACK_RULES`` (a province's corrected copy). The figures are marked
``unverified`` until checked against the official texts (domain-law §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

DEFAULT_FILE = Path(__file__).resolve().parent / "rules" / "deadlines.yaml"


@dataclass(frozen=True)
class Deadline:
    working_days: int
    citation: str
    certainty: str


class FeedbackRulesError(ValueError):
    """The rule file does not follow its format."""


@cache
def _load(path: str) -> dict[str, Any]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("tracks"), dict):
        raise FeedbackRulesError(f"{path}: a mapping with 'tracks' is expected")
    for track, spec in data["tracks"].items():
        for value in spec.get("values", []):
            if not isinstance(value.get("from"), date) or not isinstance(value.get("working_days"), int):
                raise FeedbackRulesError(f"{path}: {track}: each value needs 'from' (a date) and 'working_days'")
    for key in ("reopen_days", "retention_days"):
        if not isinstance(data.get(key), int) or data[key] < 1:
            raise FeedbackRulesError(f"{path}: '{key}' must be a positive integer")
    return data


def rules() -> dict[str, Any]:
    return _load(str(getattr(settings, "CONGVU_FEEDBACK_RULES", None) or DEFAULT_FILE))


def deadline(track: str, on: date) -> Deadline:
    """The answer deadline of ``track`` in force on ``on`` (the latest value starting on or before it)."""
    values = sorted(rules()["tracks"][track]["values"], key=lambda v: v["from"])
    in_force = [v for v in values if v["from"] <= on]
    if not in_force:
        raise FeedbackRulesError(f"no deadline for {track} on {on.isoformat()}")
    v = in_force[-1]
    return Deadline(int(v["working_days"]), str(v["citation"]), str(v["certainty"]))


def reopen_days() -> int:
    return int(rules()["reopen_days"])


def retention_days() -> int:
    return int(rules()["retention_days"])
