"""The bulk write of an import: one upsert of every row, keyed on the dossier code (raw SQL, kept here).

Rows arrive checked, as tuples in ``COLUMNS`` order with timestamps in UTC: on SQLite as the text
Django writes for an aware ``DateTimeField`` (``db_timestamp``: ``YYYY-MM-DD HH:MM:SS[.ffffff]``),
so that stored and incoming values compare as text; on PostgreSQL as naive datetimes.

* PostgreSQL: binary ``COPY`` into a temporary table (timestamps as ``timestamp``, read as UTC), then
  one ``INSERT … SELECT … ORDER BY code ON CONFLICT (code) DO UPDATE … WHERE (columns) IS DISTINCT
  FROM (excluded columns)``: a row that would not change is left alone. The statement counts, in the
  database, the rows it inserted (``xmax = 0``) and those it updated.
* SQLite (3.24 or later, for upserts): ``executemany`` of the same ``INSERT … ON CONFLICT`` with
  ``IS NOT``, in one transaction; the rows written are the cursor's ``rowcount``, the new ones the
  growth of the table (the write lock is held, so nothing else changes it meanwhile).

In both the rows go in code order, so that the unique index on the code grows at one end instead of
at random places (on SQLite a million unsorted rows take over twice as long). Both run inside the
caller's transaction. Only column names from ``COLUMNS`` reach the SQL text; every value is a bound
parameter or goes through ``COPY``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from django.db import connection

from congvu.dossiers.models import Dossier

# Every column an import writes, in the order of the rows it passes.
COLUMNS: tuple[str, ...] = (
    "code",
    "procedure_code",
    "receiving_unit_id",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "satisfaction",
    "apology_issued_at",
)
_TIMESTAMPS = frozenset({"received_at", "due_at", "finished_at", "apology_issued_at"})
_PG_TYPES = {  # of the temporary table, and of the binary COPY
    "code": "varchar",
    "procedure_code": "varchar",
    "receiving_unit_id": "int8",
    "channel": "int2",
    "status": "int2",
    "received_at": "timestamp",
    "due_at": "timestamp",
    "finished_at": "timestamp",
    "satisfaction": "int2",
    "apology_issued_at": "timestamp",
}
_TEMP_TABLE = "dossiers_import_rows"
_SQLITE_UPSERT = (3, 24, 0)
_SQLITE_CACHE_KIB = 262_144  # 256 MiB, allocated only as pages are read
_SCOPE_CHUNK = 900  # codes per query (below SQLite's 999 parameters)
_by_code = itemgetter(0)


@dataclass(frozen=True)
class Written:
    created: int
    updated: int


def db_timestamp(value: datetime) -> str:
    """An aware datetime as the import writes it on SQLite (naive UTC text, Django's own format)."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def upsert(rows: Sequence[tuple[Any, ...]], columns: Sequence[str], now: datetime) -> Written:
    """Insert or update ``rows`` (full ``COLUMNS`` tuples; only ``columns`` are written) in the current transaction.

    A row whose written columns all equal the stored ones is not touched (its ``updated_at``
    stays). New rows get ``imported_at = updated_at = now``; changed rows ``updated_at = now``.
    """
    unknown = set(columns) - set(COLUMNS)
    if unknown or columns[0] != "code":
        raise ValueError(f"columns must start with 'code' and come from COLUMNS, not {sorted(unknown)}")
    if not connection.in_atomic_block:
        raise RuntimeError("the upsert runs inside the import's transaction")
    if len(columns) < len(COLUMNS):
        pick = itemgetter(*(COLUMNS.index(c) for c in columns))
        rows = [pick(row) for row in rows]
    if connection.vendor == "postgresql":
        return _upsert_postgresql(rows, columns, now)
    if connection.vendor == "sqlite":
        return _upsert_sqlite(sorted(rows, key=_by_code), columns, db_timestamp(now))
    raise NotImplementedError(f"dossier import on {connection.vendor}")


def _upsert_sqlite(rows: Sequence[tuple[Any, ...]], columns: Sequence[str], stamp: str) -> Written:
    if sqlite3.sqlite_version_info < _SQLITE_UPSERT:
        raise NotImplementedError(f"SQLite {sqlite3.sqlite_version} has no upsert (3.24 or later is needed)")
    table = _q(Dossier._meta.db_table)
    data = [c for c in columns if c != "code"]
    names = ", ".join(_q(c) for c in [*columns, "imported_at", "updated_at"])
    placeholders = ", ".join(["?"] * (len(columns) + 2))
    assignments = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in [*data, "updated_at"])
    differs = " OR ".join(f"{table}.{_q(c)} IS NOT excluded.{_q(c)}" for c in data)
    sql = (
        f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608 - names from COLUMNS, quoted; values bound
        f"ON CONFLICT ({_q('code')}) DO UPDATE SET {assignments} WHERE {differs}"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the sqlite3 cursor: ``?`` placeholders, rows streamed from a generator
        raw.execute("PRAGMA cache_size")
        cache_size = int(raw.fetchone()[0])
        # A cache that holds the indexes being filled: with the default 2 MB, a large transaction
        # spills pages to the WAL and reads them back over and over.
        raw.execute(f"PRAGMA cache_size = {-_SQLITE_CACHE_KIB}")
        try:
            before = _count(raw, table)
            raw.executemany(sql, ((*row, stamp, stamp) for row in rows))
            written = raw.rowcount
            created = _count(raw, table) - before
        finally:
            raw.execute(f"PRAGMA cache_size = {cache_size:d}")
    return Written(created=created, updated=written - created)


def _count(raw: Any, table: str) -> int:
    raw.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - the model's table, quoted
    return int(raw.fetchone()[0])


def _upsert_postgresql(rows: Sequence[tuple[Any, ...]], columns: Sequence[str], now: datetime) -> Written:
    table = _q(Dossier._meta.db_table)
    temp = _q(_TEMP_TABLE)
    data = [c for c in columns if c != "code"]
    listed = ", ".join(_q(c) for c in columns)
    # the naive UTC timestamps of the temporary table become timestamptz here
    selected = ", ".join(f"{_q(c)} AT TIME ZONE 'UTC'" if c in _TIMESTAMPS else _q(c) for c in columns)
    assignments = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in [*data, "updated_at"])
    stored = ", ".join(f"{table}.{_q(c)}" for c in data)
    incoming = ", ".join(f"excluded.{_q(c)}" for c in data)
    definition = ", ".join(f"{_q(c)} {_PG_TYPES[c]}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({definition}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {temp} ({listed}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_PG_TYPES[c] for c in columns])
            write = copy.write_row
            for row in rows:
                write(row)
        cursor.execute(
            f"WITH written AS ("  # noqa: S608 - names from COLUMNS, quoted; values bound
            f"INSERT INTO {table} ({listed}, {_q('imported_at')}, {_q('updated_at')}) "
            f"SELECT {selected}, %s, %s FROM {temp} ORDER BY {_q('code')} "
            f"ON CONFLICT ({_q('code')}) DO UPDATE SET {assignments} "
            f"WHERE ({stored}) IS DISTINCT FROM ({incoming}) "
            f"RETURNING (xmax = 0) AS inserted) "
            f"SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written",
            [now, now],
        )
        created, updated = cursor.fetchone()
        cursor.execute(f"DROP TABLE {temp}")
    return Written(created=int(created), updated=int(updated))


def codes_of_other_units(codes: Iterable[str], allowed_unit_ids: set[int]) -> set[str]:
    """Those of ``codes`` already held by a dossier of a unit outside ``allowed_unit_ids`` (chunked queries)."""
    found: set[str] = set()
    chunk: list[str] = []

    def flush() -> None:
        for known, unit_id in Dossier.objects.filter(code__in=chunk).values_list("code", "receiving_unit_id"):
            if unit_id not in allowed_unit_ids:
                found.add(known)
        chunk.clear()

    for code in codes:
        chunk.append(code)
        if len(chunk) == _SCOPE_CHUNK:
            flush()
    if chunk:
        flush()
    return found
