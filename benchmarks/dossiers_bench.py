"""Dossier import at scale: ``import_dossiers`` against the database's own bulk load of the same rows.

``uv run python -m benchmarks.dossiers_bench --rows 1000000 [--repeat 3] [--pg postgres://…/bench_dossiers]``
prints a markdown table; :func:`measure` returns the same figures as a dict (for ``benchmarks.run``).

* The file: a deterministic CSV of N valid dossiers (``random.Random(SEED)``) received by the units of a
  small generated organisation (a province, ``AGENCIES`` agencies with ``DIVISIONS`` divisions each),
  timestamps in ISO 8601 with the +07:00 offset, about 95 % with a deadline, 80 % ended (some late,
  some with an apology letter), half of the returned ones rated.
* Each database is fresh: SQLite in a temporary data directory; PostgreSQL (only with ``--pg``) in the
  database the URL names, which must start with ``bench`` and is dropped and recreated, then dropped at
  the end. ``congvu migrate`` runs first; the units are created through ``congvu.org.services``.
* Measured in one process per database, medians of ``--repeat`` rounds, each round in this order:

  - **ours**: ``import_dossiers(acting_user=None, source=<the CSV>)`` into an empty dossier table
    (emptied before each round, outside the timing): reading, checking, the upsert and its audit event;
  - **re-import**: the same call again, every row unchanged (nothing written, no audit event);
  - **reference**: the database's own bulk load of the same file into a plain table with the same ten
    columns (no index, no constraint) in one transaction: ``COPY … FROM STDIN (FORMAT csv, HEADER)`` on
    PostgreSQL, the file streamed through the client; on SQLite, which has no loader in its library,
    ``csv.reader`` over the file into ``executemany`` of one ``INSERT``.

  The ratio is ours ÷ reference (the target is ≤ 2×). "Reading and checking" is the part of ours before
  the write (up to the last progress report, which comes after the last row is checked).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.run import CONGVU, ROOT, _env, recreate_pg_database

SEED = 20_260_316
AGENCIES, DIVISIONS = 20, 5
TARGET = 2.0
HEADER = (
    "code",
    "procedure_code",
    "unit_code",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "satisfaction",
    "apology_issued_at",
)
REFERENCE_TABLE = "bench_dossier_reference"
# status → weight: mostly returned or processed, some in progress, a few paused, refused or withdrawn
STATUS_WEIGHTS = {10: 55, 9: 12, 4: 14, 2: 5, 1: 2, 5: 4, 6: 1, 8: 1, 3: 3, 7: 3}
FIRST_DAY = datetime(2025, 1, 2, 7, 30)
SPAN_SECONDS = 440 * 86_400


def units() -> list[tuple[str, str, str | None]]:
    """(code, name, parent code) of the generated organisation, parents first."""
    rows: list[tuple[str, str, str | None]] = [("01", "Tỉnh Thử Nghiệm", None)]
    for a in range(1, AGENCIES + 1):
        agency = f"01.{a:03d}"
        rows.append((agency, f"Sở thứ {a}", "01"))
        rows.extend((f"{agency}.{d:02d}", f"Phòng {d} của sở {a}", agency) for d in range(1, DIVISIONS + 1))
    return rows


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+07:00")


def generate_csv(path: Path, rows: int, seed: int = SEED) -> int:
    """Write ``rows`` valid dossiers to ``path``; returns the file's size in bytes."""
    rng = random.Random(seed)
    receiving = [code for code, _name, parent in units() if parent is not None]
    procedures = [f"1.{11_000 + k:06d}.000.00.00.H38" for k in range(60)]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for i in range(rows):
            unit = receiving[rng.randrange(len(receiving))]
            received = FIRST_DAY + timedelta(seconds=rng.randrange(SPAN_SECONDS))
            status = rng.choices(statuses, weights)[0]
            due = None
            if rng.random() < 0.95:
                due = (received + timedelta(days=rng.randint(1, 30))).replace(hour=17, minute=0, second=0)
            finished = apology = None
            if status in (7, 9, 10):
                if due is not None and rng.random() < 0.12:  # late
                    finished = due + timedelta(hours=rng.randint(1, 240))
                    if rng.random() < 0.4:
                        apology = max(received, due - timedelta(days=1))
                else:
                    latest = (due - received).total_seconds() if due is not None else 20 * 86_400
                    finished = received + timedelta(seconds=rng.randrange(max(1, int(latest))))
            satisfaction = rng.choice((1, 1, 2, 2, 2, 3)) if status == 10 and rng.random() < 0.5 else None
            writer.writerow(
                (
                    f"000.00.{unit[3:6]}.H38-{received:%y%m%d}-{i:07d}",
                    procedures[rng.randrange(len(procedures))],
                    unit,
                    rng.choices((1, 2, 3), (45, 50, 5))[0],
                    status,
                    _stamp(received),
                    "" if due is None else _stamp(due),
                    "" if finished is None else _stamp(finished),
                    "" if satisfaction is None else satisfaction,
                    "" if apology is None else _stamp(apology),
                )
            )
    return path.stat().st_size


# --------------------------------------------------------------------------- inside one database


def _median(times: list[float]) -> float:
    return statistics.median(times)


def _run_in_database(source: Path, repeat: int) -> dict[str, Any]:
    """The measurements on the database Django is configured with (a freshly migrated one)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from benchmarks.tasks_bench import database_version
    from congvu.dossiers.importer import import_dossiers
    from congvu.dossiers.models import Dossier
    from congvu.org import services
    from congvu.org.models import Unit, UnitKind

    kinds = {0: UnitKind.PROVINCE, 1: UnitKind.AGENCY, 2: UnitKind.DIVISION}
    made: dict[str, Unit] = {}
    for code, name, parent in units():
        made[code] = services.create_unit(
            acting_user=None,
            code=code,
            name=name,
            kind=kinds[code.count(".")],
            parent=made[parent] if parent else None,
            valid_from=FIRST_DAY.date(),
        )
    with source.open(encoding="utf-8") as handle:
        expected = sum(1 for _line in handle) - 1
    table = connection.ops.quote_name(Dossier._meta.db_table)
    reference = connection.ops.quote_name(REFERENCE_TABLE)
    postgresql = connection.vendor == "postgresql"
    types = (
        "varchar(60)",
        "varchar(50)",
        "varchar(40)",
        "smallint",
        "smallint",
        *(("timestamptz",) * 3 if postgresql else ("datetime",) * 3),
        "smallint",
        "timestamptz" if postgresql else "datetime",
    )
    definition = ", ".join(f"{name} {kind}" for name, kind in zip(HEADER, types, strict=True))
    columns = ", ".join(HEADER)

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}" if not postgresql else f"TRUNCATE {table}")
            cursor.execute(f"DROP TABLE IF EXISTS {reference}")
            cursor.execute(f"CREATE TABLE {reference} ({definition})")
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {table}")

    def ours() -> tuple[float, float]:
        marks: list[float] = []
        start = time.perf_counter()
        report = import_dossiers(
            acting_user=None, source=source, progress=lambda _d, _t: marks.append(time.perf_counter())
        )
        elapsed = time.perf_counter() - start
        assert report.ok, [str(issue) for issue in report.issues[:5]]
        assert report.created + report.updated + report.unchanged == expected, report.summary()
        return elapsed, marks[-1] - start

    def bulk_load() -> float:
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if postgresql:
                sql = f"COPY {reference} ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
                with source.open("rb") as handle, cursor.cursor.copy(sql) as copy:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            else:
                placeholders = ", ".join(["?"] * len(HEADER))
                with source.open(encoding="utf-8", newline="") as handle:
                    rows = csv.reader(handle)
                    next(rows)
                    cursor.cursor.executemany(f"INSERT INTO {reference} ({columns}) VALUES ({placeholders})", rows)
        elapsed = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {reference}")
            assert cursor.fetchone()[0] == expected
        return elapsed

    runs: dict[str, list[float]] = {"ours": [], "reading": [], "reimport": [], "reference": []}
    for _ in range(repeat):
        empty()
        elapsed, reading = ours()
        assert Dossier.objects.count() == expected
        runs["ours"].append(elapsed)
        runs["reading"].append(reading)
        again, _reading = ours()
        runs["reimport"].append(again)
        runs["reference"].append(bulk_load())
    empty()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {reference}")
    return {
        "vendor": connection.vendor,
        "database_version": database_version(connection),
        "rows": expected,
        "ours_s": _median(runs["ours"]),
        "reading_s": _median(runs["reading"]),
        "reimport_s": _median(runs["reimport"]),
        "reference_s": _median(runs["reference"]),
        "runs": runs,
    }


# --------------------------------------------------------------------------- the driver


def _drop_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parts.path.lstrip("/"))))


def _in_database(source: Path, repeat: int, pg: str | None) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="cv-dossiers-"))
    env = _env(data_dir) | {"CONGVU_DEBUG": "false"}
    if pg:
        recreate_pg_database(pg)
        env["DATABASE_URL"] = pg
    try:
        subprocess.run([*CONGVU, "migrate", "-v0"], env=env, check=True, capture_output=True, cwd=ROOT)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.dossiers_bench", "--measure", str(source), "--repeat", str(repeat)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode:
            raise RuntimeError(f"measuring failed:\n{done.stderr[-4000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if pg:
            _drop_pg_database(pg)


def measure(rows: int = 1_000_000, repeat: int = 3, pg: str | None = None) -> dict[str, Any]:
    """Generate the file, measure on SQLite (and on PostgreSQL with ``pg``); every figure in seconds."""
    folder = Path(tempfile.mkdtemp(prefix="cv-dossiers-csv-"))
    try:
        source = folder / "dossiers.csv"
        start = time.perf_counter()
        size = generate_csv(source, rows)
        out: dict[str, Any] = {
            "rows": rows,
            "repeat": repeat,
            "csv_bytes": size,
            "generate_s": time.perf_counter() - start,
            "databases": {},
        }
        out["databases"]["SQLite"] = _in_database(source, repeat, None)
        if pg:
            out["databases"]["PostgreSQL"] = _in_database(source, repeat, pg)
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def table(measured: dict[str, Any]) -> str:
    lines = [
        "| database | rows | ours: `import_dossiers` into an empty table | of which reading and checking |"
        " reference: the database's bulk load | ratio | target | re-import, all unchanged | re-import ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, m in measured["databases"].items():
        ratio = m["ours_s"] / m["reference_s"]
        lines.append(
            f"| {label} {m['database_version']} | {int(m['rows']):,} | {m['ours_s']:.2f} s | {m['reading_s']:.2f} s |"
            f" {m['reference_s']:.2f} s | {ratio:.2f} | ≤ {TARGET:.0f}×: {'met' if ratio <= TARGET else '**missed**'} |"
            f" {m['reimport_s']:.2f} s | {m['reimport_s'] / m['reference_s']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pg", metavar="URL", default="", help="also on PostgreSQL; the database name must start with 'bench'"
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # inside one database (the driver's child)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_run_in_database(args.measure, args.repeat)))
        return
    measured = measure(args.rows, args.repeat, args.pg or None)
    print(json.dumps({k: v for k, v in measured.items() if k != "databases"}))
    for label, m in measured["databases"].items():
        print(f"{label}: {json.dumps(m)}")
    print()
    print(
        f"{measured['rows']:,} rows, CSV of {measured['csv_bytes'] / 2**20:.0f} MB, medians of {measured['repeat']} rounds"
    )
    print()
    print(table(measured))


if __name__ == "__main__":
    main()
