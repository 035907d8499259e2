"""Shared fixtures: a small province with one account per role, scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many accounts; a fast hasher keeps them quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
