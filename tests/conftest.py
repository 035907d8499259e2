"""Shared fixtures: a small province with one account per role, scoped."""

from __future__ import annotations

from datetime import date

import pytest
from huey.contrib.djhuey import HUEY

from tests.factories import Province

# Jobs run inline in tests, through the same huey API as in production.
HUEY.immediate = True


@pytest.fixture
def province(db: None) -> Province:
    return Province()


@pytest.fixture
def today() -> date:
    return date(2026, 3, 16)
