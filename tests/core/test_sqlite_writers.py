"""The SQLite backend queues write transactions of several connections on a file lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from congvu.core.envconfig import SQLITE_ENGINE, sqlite_options
from congvu.core.sqlite.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker: Any) -> Iterator[None]:
    """These tests open their own databases (files in tmp_path), not the test database."""
    with django_db_blocker.unblock():
        yield


def _handler(name: str) -> ConnectionHandler:
    # SQLite's own busy wait cut to 50 ms: a writer that got past the queue while another one writes would fail.
    options = sqlite_options() | {"timeout": 0.05, "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=50;"}
    return ConnectionHandler({"default": {"ENGINE": SQLITE_ENGINE, "NAME": name, "OPTIONS": options}})


def _connection(handler: ConnectionHandler) -> DatabaseWrapper:
    """This thread's connection (each thread has its own, as each worker of a server)."""
    connection = handler["default"]
    assert isinstance(connection, DatabaseWrapper)
    return connection


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    handler = _handler(str(tmp_path / "db.sqlite3"))
    first = _connection(handler)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (who TEXT)")
    order: list[str] = []
    ready = threading.Event()

    def second_writer() -> None:
        second = _connection(handler)
        second.ensure_connection()
        ready.set()
        second._start_transaction_under_autocommit()  # what atomic() does first
        order.append("second begins")
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('second')")
        second.commit()
        second.close()

    first._start_transaction_under_autocommit()
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES ('first')")
    thread = threading.Thread(target=second_writer)
    thread.start()
    assert ready.wait(10)
    time.sleep(0.3)  # the second writer is waiting for the lock, not polling SQLite
    order.append("first commits")
    first.commit()
    thread.join(10)
    assert order == ["first commits", "second begins"]
    with first.cursor() as cursor:
        cursor.execute("SELECT who FROM t ORDER BY rowid")
        assert [r[0] for r in cursor.fetchall()] == ["first", "second"]
    first.close()
    assert (tmp_path / "db.sqlite3-writers.lock").exists()


def test_a_rolled_back_transaction_releases_the_lock(tmp_path: Path) -> None:
    handler = _handler(str(tmp_path / "db.sqlite3"))
    first = _connection(handler)
    first.ensure_connection()
    first._start_transaction_under_autocommit()
    first.rollback()
    done = threading.Event()

    def second_writer() -> None:
        second = _connection(handler)
        second.ensure_connection()
        second._start_transaction_under_autocommit()
        second.commit()
        second.close()
        done.set()

    threading.Thread(target=second_writer).start()
    assert done.wait(10)
    first.close()


def test_an_in_memory_database_needs_no_lock(tmp_path: Path) -> None:
    memory = _connection(_handler(":memory:"))
    memory.ensure_connection()
    memory._start_transaction_under_autocommit()
    memory.commit()
    assert list(tmp_path.iterdir()) == []
    assert memory._writer_fd is None
