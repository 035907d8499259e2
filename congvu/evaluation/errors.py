"""Errors of the evaluation engine (pure Python)."""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal["no_products", "no_ruleset", "invalid_input"]


class EvaluationError(Exception):
    """An input the engine cannot score. ``code`` is one of the contract's error codes."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message


class RuleDataError(Exception):
    """A rule-set file that does not follow the format (a mistake in the data, not in an input)."""
