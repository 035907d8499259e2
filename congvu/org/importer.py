"""Placeholder replaced by the importer implementation (being written)."""

from __future__ import annotations

from typing import Any


def build_template() -> bytes:
    raise RuntimeError("importer not written yet")


def import_org_workbook(**kwargs: Any) -> Any:
    raise RuntimeError("importer not written yet")
