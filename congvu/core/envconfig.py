"""Strict parsing of settings from environment variables.

Every helper returns the default when the variable is unset (or empty) and raises
``ImproperlyConfigured`` naming the variable when a value is present but malformed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use one of: 1/0, true/false, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}.")
    return value


def env_choice(name: str, choices: Sequence[str], default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}.")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty item; separate values with single commas.")
    return items


def env_path(name: str, default: Path) -> Path:
    raw = _raw(name)
    return (default if raw is None else Path(raw)).expanduser().resolve()


def env_secret(name: str, *, required: bool, dev_default: str) -> str:
    raw = _raw(name)
    if raw is None:
        if required:
            raise ImproperlyConfigured(f"{name} must be set in production mode (at least 50 random characters).")
        return dev_default
    if required and len(raw) < 50:
        raise ImproperlyConfigured(f"{name} is too short: use at least 50 random characters.")
    return raw


# Django's SQLite backend plus a queue for the writers of several processes (see congvu/core/sqlite/base.py).
SQLITE_ENGINE = "congvu.core.sqlite"


def sqlite_options() -> dict[str, Any]:
    """WAL journal, IMMEDIATE write transactions and a busy timeout for SQLite."""
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }


def env_database(name: str, default_sqlite: Path) -> dict[str, Any]:
    raw = _raw(name)
    if raw is None:
        default_sqlite.parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(default_sqlite),
            "OPTIONS": sqlite_options(),
        }
    scheme = raw.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{name} must be a sqlite:// or postgres:// URL, not {scheme!r}.")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
        config["OPTIONS"] = sqlite_options()
        config["CONN_MAX_AGE"] = 0
    return config
