"""Shared fixtures: a small province with one account per role, scoped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from tests.factories import Province

# Jobs run inline in tests, through the same huey API as in production.
HUEY.immediate = True


@pytest.fixture
def province(db: None) -> Province:
    return Province()


# Tests run at a fixed instant in Vietnam's time zone (the clock still ticks from there),
# so that "today", current appointments and deadlines never depend on when they run.
FIXED_NOW = datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def _controlled_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("e2e"):
        yield  # the browser tests talk to a real server running on the real clock
        return
    with time_machine.travel(FIXED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any, tmp_path: Any) -> None:
    """Tests create many accounts; a fast hasher keeps them quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")  # uploaded evidence of a test stays in its own directory
