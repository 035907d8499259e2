"""Strict settings parsing and the production deploy check (run as real subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from congvu.core import envconfig


def congvu(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("CONGVU_") and k != "DATABASE_URL"}
    full |= {"CONGVU_DATA_DIR": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, "-m", "congvu", *args], env=full, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "value", "call", "message"),
    [
        ("X_BOOL", "maybe", lambda: envconfig.env_bool("X_BOOL", False), "X_BOOL='maybe' is not a boolean"),
        ("X_INT", "12a", lambda: envconfig.env_int("X_INT", 1), "X_INT='12a' is not an integer."),
        ("X_INT", "5", lambda: envconfig.env_int("X_INT", 10, minimum=8), "X_INT=5 is below the minimum 8."),
        (
            "X_CHOICE",
            "prod",
            lambda: envconfig.env_choice("X_CHOICE", ("development", "production"), "development"),
            "X_CHOICE='prod' is not one of development, production.",
        ),
        ("X_LIST", "a,,b", lambda: envconfig.env_list("X_LIST", []), "X_LIST='a,,b' has an empty item"),
        (
            "DATABASE_URL",
            "mysql://x/y",
            lambda: envconfig.env_database("DATABASE_URL", Path("/tmp/x.sqlite3")),
            "DATABASE_URL must be a sqlite:// or postgres:// URL, not 'mysql'.",
        ),
    ],
)
def test_bad_values_raise(monkeypatch: pytest.MonkeyPatch, name: str, value: str, call: object, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured) as info:
        call()  # type: ignore[operator]
    assert str(info.value).startswith(message)


def test_good_values_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.vn, b.vn")
    assert envconfig.env_bool("X_BOOL", False) is True
    assert envconfig.env_int("X_INT", 1) == 42
    assert envconfig.env_list("X_LIST", []) == ["a.vn", "b.vn"]
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/congvu")
    config = envconfig.env_database("DATABASE_URL", Path("/tmp/x.sqlite3"))
    assert (config["ENGINE"], config["NAME"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "congvu",
        "db.example",
        5432,
    )


def test_sqlite_default_uses_wal_immediate_and_busy_timeout(tmp_path: Path) -> None:
    config = envconfig.env_database("NO_SUCH_VARIABLE_SET", tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] == 20


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = congvu(["check"], {"CONGVU_MODE": "production", "CONGVU_ALLOWED_HOSTS": "congvu.example.gov.vn"}, tmp_path)
    assert result.returncode == 1
    assert "CONGVU_SECRET_KEY must be set in production mode" in result.stderr


def test_bad_setting_stops_start_up(tmp_path: Path) -> None:
    result = congvu(["check"], {"CONGVU_SESSION_IDLE_SECONDS": "thirty"}, tmp_path)
    assert result.returncode == 1
    assert "CONGVU_SESSION_IDLE_SECONDS='thirty' is not an integer." in result.stderr


def test_production_passes_the_deploy_check(tmp_path: Path) -> None:
    env = {
        "CONGVU_MODE": "production",
        "CONGVU_SECRET_KEY": "k" * 20 + "Zq8#x!2mP@4vN&7rT$1wY^5uB*9eC(3oL)6iK" + "s" * 10,
        "CONGVU_ALLOWED_HOSTS": "congvu.example.gov.vn",
    }
    result = congvu(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
