"""SQLite for several worker processes: write transactions queue on a file lock instead of polling.

SQLite admits one writer at a time. A connection that finds the database locked waits in SQLite's
busy handler, which sleeps and retries with growing pauses (up to 100 ms) and lets newcomers overtake
it: under steady concurrent writes from several processes (``congvu serve`` with its workers, the job
worker), some requests wait for a second or more although every transaction is short. Here each write
transaction (Django's ``atomic``, which begins ``BEGIN IMMEDIATE``) first takes an exclusive ``flock``
on ``<database>-writers.lock`` and releases it at commit or rollback: the kernel wakes the next writer
the moment the lock is free. Reads never wait (WAL). The busy timeout stays as the fallback for single
statements outside a transaction and for other programs (``sqlite3`` backups). In-memory databases
(the tests) need no lock.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_pid = 0
    _writer_locked = False

    def _writer_file(self) -> int | None:
        if self.is_in_memory_db():
            return None
        if self._writer_fd is not None and self._writer_pid != os.getpid():
            # Inherited through fork: a flock belongs to the open file, shared with the parent. Never use it.
            self._writer_fd, self._writer_locked = None, False
        if self._writer_fd is None:
            path = f"{self.settings_dict['NAME']}-writers.lock"
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._writer_pid = os.getpid()
        return self._writer_fd

    def _lock_writers(self) -> None:
        descriptor = self._writer_file()
        if descriptor is not None and not self._writer_locked:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._writer_locked = True

    def _unlock_writers(self) -> None:
        if self._writer_locked and self._writer_fd is not None and self._writer_pid == os.getpid():
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
        self._writer_locked = False

    def _start_transaction_under_autocommit(self) -> None:
        self._lock_writers()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            self._unlock_writers()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._unlock_writers()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._unlock_writers()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._unlock_writers()
            if self._writer_fd is not None and self._writer_pid == os.getpid():
                os.close(self._writer_fd)
            self._writer_fd = None
