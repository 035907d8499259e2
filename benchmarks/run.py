"""Benchmark runner: builds demo datasets and writes the measured rows to BENCHMARKS.md.

``uv run python -m benchmarks.run [--sections org,engine,tasks] [--scales 10,100] [--repeat 3] [--pg URL]``

Every figure is a median of several runs and is given as a ratio to a reference
measured in the same run, because these machines are noisy:

* demo generation at scale N → reference: ``congvu migrate`` on an empty database;
* pages and API at scale N → reference: ``/health/`` (one trivial query) in the same process;
* task assignment (``--sections tasks``) at scale N: the demo plus ``10,000 × N`` bulk tasks
  (``benchmarks.task_data``) on SQLite and, with ``--pg URL``, on PostgreSQL; pages → ``/health/``,
  the buckets of the whole province → a bare ``SELECT state, COUNT(*) … GROUP BY state``;
* scoring a month from the database (``--sections evaluation-db``) for N officials × P products
  (``benchmarks.evaluation_data``) on SQLite and, with ``--pg URL``, on PostgreSQL (the server of the URL,
  its own database ``bench_eval``) → a bare ``SELECT owner_id, SUM(…) … GROUP BY owner_id`` of the same products.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CONGVU = [sys.executable, "-m", "congvu"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVU_") and k != "DATABASE_URL"}
    return env | {"CONGVU_DATA_DIR": str(data_dir), "CONGVU_DEMO_PASSWORD": "Bench-mat-khau-2026"}


def _timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def demo_generation(scale: int, repeat: int) -> tuple[float, float, Path]:
    """Median seconds of ``congvu demo --no-serve --scale N`` and of the reference, and a built data dir."""
    demo_times, ref_times = [], []
    kept: Path | None = None
    for _ in range(repeat):
        ref_dir = Path(tempfile.mkdtemp(prefix="cv-ref-"))
        ref_times.append(_timed([*CONGVU, "migrate", "-v0"], _env(ref_dir)))
        data_dir = Path(tempfile.mkdtemp(prefix=f"cv-s{scale}-"))
        _timed([*CONGVU, "migrate", "-v0"], _env(data_dir))  # the demo's own migrate is then a no-op
        demo_times.append(_timed([*CONGVU, "demo", "--no-serve", "--scale", str(scale)], _env(data_dir)))
        kept = data_dir
    assert kept is not None
    return statistics.median(demo_times), statistics.median(ref_times), kept


def pages(data_dir: Path, repeat: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.pages", str(repeat)],
        env=_env(data_dir),
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


ENGINE_HEADER = "| what | inputs | median | reference median | ratio | scorecards per second | command |\n|---|---|---|---|---|---|---|\n"


def org_section(args: argparse.Namespace) -> str:
    scales = [int(s) for s in args.scales.split(",")]
    rows: list[str] = []
    page_rows: list[str] = []
    for scale in scales:
        demo, ref, data_dir = demo_generation(scale, args.repeat)
        rows.append(
            f"| demo generation | {scale} | {demo:.2f} s | {ref:.2f} s | {demo / ref:.1f} | — |"
            f" `uv run congvu demo --no-serve --scale {scale}` |"
        )
        measured = pages(data_dir, args.page_repeat)
        reference = measured["reference /health/"]
        assert isinstance(reference, dict)
        for label in ("org tree page", "org tree children", "unit page", "/api/v1/units"):
            m = measured[label]
            assert isinstance(m, dict)
            page_rows.append(
                f"| {label} ({measured['units']} units) | {scale} | {m['median_ms']:.1f} ms |"
                f" {reference['median_ms']:.1f} ms | {m['median_ms'] / reference['median_ms']:.1f} |"
                f" {m['queries']} | `uv run python -m benchmarks.run --sections org --scales {scale}` |"
            )
        print(f"scale {scale}: demo {demo:.2f}s (ref {ref:.2f}s); {json.dumps(measured)}", flush=True)
    header = "| what | scale | median | reference median | ratio | queries | command |\n|---|---|---|---|---|---|---|\n"
    return f"""## Organisation registry

Measured on {date.today().isoformat()} on {platform.machine()} with Python {platform.python_version()},
SQLite (the embedded default), by `uv run python -m benchmarks.run --sections org --scales {args.scales}`.
Medians of {args.repeat} demo generations and {args.page_repeat} requests per page. Ratios are to a reference
measured in the same run: `congvu migrate` on an empty database for generation, `/health/` (the signed-in
session's queries and `SELECT 1`) for pages. Server time is Django's time to answer through the test client,
signed in as `admin` (whole province in scope); the children and unit page are those of the parent of the
newest unit (a commune at these scales). The query count of a page must not grow with the number of units:
compare the rows of the two scales.

{header}{chr(10).join(rows + page_rows)}
"""


def engine_section(args: argparse.Namespace) -> str:
    from benchmarks.engine import measure

    m = measure(count=10_000, repeat=args.repeat)
    row = (
        f"| evaluation engine, one period per person (10 products, 1 in 10 a leader), with traces |"
        f" {int(m['count']):,} | {m['engine_s']:.2f} s | {m['reference_s']:.3f} s |"
        f" {m['engine_s'] / m['reference_s']:.0f} | {m['per_second']:,.0f} | `uv run python -m benchmarks.run --sections engine` |"
    )
    return f"""## Evaluation engine (in memory)

Measured on {date.today().isoformat()} on {platform.machine()} with Python {platform.python_version()}, median of
{args.repeat} runs. Reference: a bare Python loop over the same inputs that only sums the same product
columns (weights, done weights) per person. The engine's arithmetic is exact and every number carries its
trace, which is what the ratio buys.

{ENGINE_HEADER}{row}
"""


# ---- task assignment

TASK_PAGES = (
    ("my tasks (chuyenvien)", "“my tasks” `/tasks/` as `chuyenvien`"),
    ("my tasks (truongphong)", "“my tasks” `/tasks/` as `truongphong`"),
    ("overview (lanhdao)", "leader's overview `/tasks/overview/` as `lanhdao` (whole province)"),
    ("overview drill-down (lanhdao)", "leader's overview drill-down `?unit=` Sở Tài chính as `lanhdao`"),
    ("unit board, whole province (lanhdao)", "unit board `/tasks/unit/<province>/` as `lanhdao`"),
)
PAGE_TARGET_MS = 150.0
PAGE_TARGETS = {
    "my tasks (chuyenvien)",
    "my tasks (truongphong)",
    "overview (lanhdao)",
    "overview drill-down (lanhdao)",
}
BUCKET_TARGET = 2.0


def recreate_pg_database(url: str) -> None:
    """Drop and create the database of ``url`` (its name must start with ``bench``: it is thrown away)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"--pg: the database name must start with 'bench' (it is dropped and recreated), not {name!r}")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def tasks_dataset(scale: int, pg: str | None) -> tuple[dict[str, str], dict[str, Any]]:
    """A fresh database with the demo at ``scale`` and ``10,000 × scale`` bulk tasks; its env and build timings."""
    from benchmarks.task_data import task_count

    data_dir = Path(tempfile.mkdtemp(prefix=f"cv-tasks-s{scale}-"))
    env = _env(data_dir)
    if pg:
        recreate_pg_database(pg)
        env["DATABASE_URL"] = pg
    subprocess.run([*CONGVU, "migrate", "-v0"], env=env, check=True, capture_output=True, cwd=ROOT)
    demo = _timed([*CONGVU, "demo", "--no-serve", "--scale", str(scale)], env)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.task_data", str(task_count(scale)), "--quiet"],
        env=env | {"CONGVU_DEBUG": "false"},
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    added = dict(json.loads(result.stdout.strip().splitlines()[-1]))
    return env, {"demo_s": demo, **added}


def tasks_measure(env: dict[str, str], page_repeat: int, bucket_repeat: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.tasks_bench", str(page_repeat), str(bucket_repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def tasks_section(args: argparse.Namespace) -> str:
    scales = [int(s) for s in args.scales.split(",")]
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.pg:
        databases.append(("PostgreSQL", args.pg))
    rows: list[str] = []
    data_rows: list[str] = []
    notes: list[str] = []
    plans: list[str] = []
    versions: dict[str, str] = {}
    autovacuum = ""
    today = ""
    overdue: list[str] = []
    for db_label, pg in databases:
        for scale in scales:
            env, built = tasks_dataset(scale, pg)
            m = tasks_measure(env, args.page_repeat, args.bucket_repeat)
            shutil.rmtree(env["CONGVU_DATA_DIR"], ignore_errors=True)  # up to a gigabyte at scale 100
            print(f"tasks scale {scale} {db_label}: built {json.dumps(built)}", flush=True)
            print(f"tasks scale {scale} {db_label}: measured {json.dumps(m, ensure_ascii=False)}", flush=True)
            versions[db_label] = str(m["database_version"])
            autovacuum = str(m.get("autovacuum") or autovacuum)
            today = str(m["today"])
            counts = m["buckets"]["counts"]
            overdue.append(f"{100 * counts['overdue'] / max(1, sum(counts.values())):.0f} %")
            command = f"`uv run python -m benchmarks.run --sections tasks --scales {scale}" + (
                " --pg postgres://…/bench_tasks`" if pg else "`"
            )
            tasks = f"{int(m['tasks']):,}"
            data_rows.append(
                f"| {scale} | {db_label} | {int(m['units']):,} | {built['demo_s']:.1f} s |"
                f" {int(built['tasks']):,} | {built['seconds']:.1f} s |"
                f" {int(built['tasks']) / float(built['seconds']):,.0f} |"
                f" {built['own_tasks']['chuyenvien']} / {built['own_tasks']['truongphong']} |"
                f" {float(built['tally_seconds']):.1f} s ({int(built['tally_rows']):,} rows) |"
            )
            reference = m["reference /health/"]
            for key, label in TASK_PAGES:
                if key not in m:
                    continue
                page = m[key]
                target = "—"
                if key in PAGE_TARGETS:
                    target = f"≤ {PAGE_TARGET_MS:.0f} ms: {_met(page['median_ms'] <= PAGE_TARGET_MS)}"
                rows.append(
                    f"| {label} | {scale} | {tasks} | {db_label} | {page['median_ms']:.1f} ms |"
                    f" {reference['median_ms']:.1f} ms | {page['median_ms'] / reference['median_ms']:.1f} |"
                    f" {page['queries']} | {target} | {command} |"
                )
            b = m["buckets"]
            ratio = b["median_ms"] / b["reference_ms"]
            rows.append(
                f"| buckets of the whole province, `bucket_counts(Task.objects.all(), today)` | {scale} | {tasks} |"
                f" {db_label} | {b['median_ms']:.1f} ms | {b['reference_ms']:.1f} ms (GROUP BY state) |"
                f" {ratio:.1f} | {b['queries']} | ≤ {BUCKET_TARGET:.0f}×: {_met(ratio <= BUCKET_TARGET)} | {command} |"
            )
            tallied = b["tallies_ms"] / b["reference_ms"]
            rows.append(
                f"| the same four counts from today's tallies, `tallies.counts(Q(), today)`"
                f" ({int(b['tally_rows']):,} rows; equal: {'yes' if b['tallies_equal'] else '**no**'}) | {scale} |"
                f" {tasks} | {db_label} | {b['tallies_ms']:.1f} ms | {b['reference_ms']:.1f} ms (GROUP BY state) |"
                f" {tallied:.2f} | 1 | — | {command} |"
            )
            for note in m["notes"]:
                notes.append(f"* {db_label}, scale {scale}: {note}.")
            if scale == max(scales):
                plans.append(
                    f"{db_label}, scale {scale}, `bucket_counts`:\n\n```\n"
                    + "\n".join(b["plan"])
                    + f"\n```\n\n{db_label}, scale {scale}, reference `{b['reference_sql']}`:\n\n```\n"
                    + "\n".join(b["reference_plan"])
                    + "\n```\n"
                )
    header = (
        "| what | scale | tasks | database | median | reference median | ratio | queries | target | command |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    data_header = (
        "| scale | database | units | demo generation | bulk tasks added | bulk insert time | rows per second |"
        " tasks of `chuyenvien` / `truongphong` | today's tallies built |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    on = ", ".join(f"{name} {version}" for name, version in versions.items())
    pg_note = (
        "PostgreSQL rows come from `--pg URL` (a database whose name starts with `bench`, dropped and recreated"
        " per scale) with `VACUUM ANALYZE tasks_task` and `ANALYZE` of every table after the bulk load, as a"
        f" server's autovacuum would have done (autovacuum: {autovacuum or '?'} on the server measured)."
        if args.pg
        else "No PostgreSQL rows in this run (they need `--pg URL`)."
    )
    skipped = ("\n" + "\n".join(notes) + "\n") if notes else ""
    return f"""## Task assignment

Measured on {date.today().isoformat()} on {platform.machine()} with Python {platform.python_version()}, {on},
by `uv run python -m benchmarks.run --sections tasks --scales {args.scales}{" --pg postgres://…/bench_tasks" if args.pg else ""}`.
Each scale is a fresh database: `congvu demo --no-serve --scale N` (about 1,000 × N people, 600 tasks through
the services), then `10,000 × N` tasks bulk-inserted by `benchmarks/task_data.py` (no audit events: it bypasses
the services on purpose; lead units and owners spread over the province, deadlines June 2025 to December 2026,
about 45 % done, 5 % cancelled; `chuyenvien` and `truongphong` own about 200 each). Today was {today}, so most
deadlines had passed: {" to ".join(sorted(set(overdue)))} of the tasks counted are overdue, a heavy case for the
boards. SQLite gets no `ANALYZE` (the application does not run it). {pg_note}

Pages: server time through Django's test client (no network), median of {args.page_repeat} requests after 2
warm-up requests, and the queries of one request; reference: `/health/` (the signed-in session's queries and
`SELECT 1`) in the same process. The query count must not grow with the data: compare the rows of the scales.
Buckets: medians of {args.bucket_repeat} alternating runs of `bucket_counts` over every task and of a bare
`SELECT state, COUNT(*) FROM tasks_task GROUP BY state` on the same connection; the ratio is the row
(target ≤ {BUCKET_TARGET:.0f}×, on each database). The page targets are the issue's: “my tasks” and the leader's
overview under {PAGE_TARGET_MS:.0f} ms at the median at scale 100 (about a million tasks), with a query count
that does not grow with the data.

The leader's overview and the unit board read **today's tallies** (`congvu/tasks/tallies.py`: the four counts
per lead unit and person, built from the tasks by the nightly job and moved by every change of a task in
its transaction); the bulk-inserted rows bypass the services, so `benchmarks/task_data.py` builds them
afresh after the load, as the nightly job would (its time is in the data-set table). The one-pass
`bucket_counts` over the tasks is still what the reports, the boards of small units and the fallback
before the nightly build use, and is measured against the bare GROUP BY as the issue asks.
{skipped}
{header}{chr(10).join(rows)}

Data sets (built in the same run; not benchmarks, for scale):

{data_header}{chr(10).join(data_rows)}

Query plans of the buckets at the largest scale:

{chr(10).join(plans)}"""


# ---- scoring a month from the database

EVAL_TARGET = 3.0
EVAL_DATABASE = "bench_eval"  # never the tasks section's database: the two may run at the same time


def eval_sizes(spec: str) -> list[tuple[int, int]]:
    """``2000x100,20000x100`` → [(officials, products per official), …]."""
    sizes = []
    for item in spec.split(","):
        officials, _, products = item.strip().partition("x")
        sizes.append((int(officials), int(products or 100)))
    return sizes


def eval_pg_url(url: str) -> str:
    """The server of ``url`` with this section's own database (dropped and recreated)."""
    return urlsplit(url)._replace(path=f"/{EVAL_DATABASE}").geturl()


def evaluation_dataset(officials: int, products: int, pg: str | None) -> tuple[dict[str, str], dict[str, Any]]:
    """A fresh database with ``officials`` officials and ``products`` March 2026 products each; its env and build."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"cv-eval-{officials}x{products}-"))
    env = _env(data_dir) | {"CONGVU_DEBUG": "false"}
    if pg:
        recreate_pg_database(pg)
        env["DATABASE_URL"] = pg
    migrate = _timed([*CONGVU, "migrate", "-v0"], env)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.evaluation_data", str(officials), "--products", str(products), "--quiet"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return env, {"migrate_s": migrate, **json.loads(result.stdout.strip().splitlines()[-1])}


def evaluation_measure(env: dict[str, str], repeat: int, split_repeat: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.evaluation_bench", str(repeat), str(split_repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _eval_split_row(m: dict[str, Any], products: int, db_label: str) -> str:
    ref = float(m["reference_s"])
    split = m["split"]

    def cell(seconds: float) -> str:
        return f"{_seconds(seconds)} ({seconds / ref:.1f}×)"

    engine = float(split["sums in memory"])
    return (
        f"| {int(m['officials']):,} × {products} | {db_label} | {_seconds(ref)} | {cell(split['sums query, raw'])} |"
        f" {cell(split['totals_for_people'])} | {cell(split['sheets query'])} | {cell(engine)} |"
        f" {cell(m['ours_s'])} | {cell(split['collector running'])} |"
        f" {int(m['officials']) / engine:,.0f} | {m['max_rss_mb']:,.0f} MB |"
    )


def _jit(plan: list[str]) -> tuple[float, float] | None:
    """PostgreSQL's JIT compilation time and the execution time of an ``EXPLAIN ANALYZE`` plan, in ms."""
    jit = re.search(r"Timing: .*Total ([\d.]+) ms", "\n".join(plan))
    run = re.search(r"Execution Time: ([\d.]+) ms", "\n".join(plan))
    return (float(jit.group(1)), float(run.group(1))) if jit and run else None


def evaluation_findings(measured: list[tuple[str, int, dict[str, Any]]]) -> str:
    """What the measured parts say, size by size, and what is left."""
    if not measured:
        return ""
    lines = ["Findings (from the figures of this run):", ""]
    for db_label, products, m in measured:
        ref, ours, split = float(m["reference_s"]), float(m["ours_s"]), m["split"]
        query, totals = float(split["sums query, raw"]), float(split["totals_for_people"])
        engine, sheets = float(split["sums in memory"]), float(split["sheets query"])
        officials = int(m["officials"])
        verdict = "within" if ours / ref <= EVAL_TARGET else "**over**"
        lines.append(
            f"* {db_label}, {officials:,} × {products}: ours is {ours / ref:.1f}× the reference ({verdict} the"
            f" target), in {m['queries']} queries. The sums query alone is {query / ref:.1f}× the whole reference"
            f" ({totals / ref:.1f}× with its rows made `ProductTotals`); the rest is per official: the sheets query"
            f" {sheets / ref:.1f}×, and with it the engine and its traces {engine / ref:.1f}×"
            f" ({officials / engine:,.0f} scorecards per second, {engine / officials * 1e6:.0f} µs an official)."
        )
    jit = [(db, found) for db, _p, m in measured if (found := _jit(m["plans"]["ours"]))]
    if jit:
        db, (ms, total) = jit[-1]
        lines.append(
            f"* On {db} the sums query's estimated cost switches on JIT compilation at the largest size:"
            f" {ms:.0f} ms of its {total:.0f} ms under `EXPLAIN ANALYZE`."
        )
    lines += [
        "",
        "What is left, largest effect first:",
        "",
        "1. **The sums query.** On PostgreSQL it is one pass over the month's products like the reference, with"
        " more to evaluate per product (the done test three times, the weight in hundredths four times, the kept"
        " share of the errors and delays; no common subexpressions) and five sums a group in its hash aggregate"
        " (added as doubles: as `bigint`, 128-bit states made the query about a quarter slower in a trial), and a"
        " filter on the officials asked. On SQLite, for a batch of 1,000 people or more, it adds up each task's"
        " products first (in the order of the products' task index, no sort) and then the month's tasks per"
        " owner, so that SQLite sorts a row per task instead of a row per product; the other owners' rows are"
        " dropped in Python.",
        "2. **Per official**, what the reference does not do at all: a row of the sheets query, a `PeriodInput`,"
        " the engine's exact arithmetic (ratios of integers) and its dozen trace lines, each number rounded once."
        " With 10 products an official (200,000 × 10) this part, not the products, decides the ratio: it is"
        " about the same work as for 100 products, for a tenth of the reference's rows.",
        "3. **A list of every official** is written into the statement (PostgreSQL) or passed as one JSON"
        " parameter (SQLite); a query of ids (the row “with a query of the ids”) makes it a subquery instead.",
    ]
    return "\n".join(lines)


# The figures this section replaced (2026-11-26, commit 60a3444): the batch read every product of the
# month through the ORM into memory and scored each person's products one by one.
EVAL_HISTORY = """| officials | product rows scored | database | median | reference median | ratio | queries |
|---|---|---|---|---|---|---|
| 2,000 | 194,155 | SQLite | 3.00 s | 76 ms | 39.4 | 2 |
| 20,000 | 1,940,195 | SQLite | 32.50 s | 807 ms | 40.3 | 2 |
| 200,000 | 1,940,195 | SQLite | 75.30 s | 1.05 s | 71.6 | 2 |
| 2,000 | 194,155 | PostgreSQL | 2.55 s | 41 ms | 61.7 | 2 |
| 20,000 | 1,940,195 | PostgreSQL | 27.57 s | 535 ms | 51.6 | 2 |
| 200,000 | 1,940,195 | PostgreSQL | 73.39 s | 1.11 s | 66.2 | 2 |"""


def evaluation_db_section(args: argparse.Namespace) -> str:
    from benchmarks.evaluation_bench import REFERENCE_SQL

    sizes = eval_sizes(args.eval_sizes)
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.pg:
        databases.append(("PostgreSQL", eval_pg_url(args.pg)))
    rows: list[str] = []
    split_rows: list[str] = []
    data_rows: list[str] = []
    profiles: list[str] = []
    plans: list[str] = []
    versions: dict[str, str] = {}
    largest = max(sizes, key=lambda size: size[0] * size[1])
    measured: list[tuple[str, int, dict[str, Any]]] = []
    for db_label, pg in databases:
        for officials, products in sizes:
            env, built = evaluation_dataset(officials, products, pg)
            print(f"evaluation-db {officials}x{products} {db_label}: built {json.dumps(built)}", flush=True)
            m = evaluation_measure(env, args.eval_repeat, args.eval_split_repeat)
            shutil.rmtree(env["CONGVU_DATA_DIR"], ignore_errors=True)
            summary = {k: v for k, v in m.items() if k not in ("profile", "plans", "sums_sql_head")}
            print(f"evaluation-db {officials}x{products} {db_label}: measured {json.dumps(summary)}", flush=True)
            versions[db_label] = str(m["database_version"])
            measured.append((db_label, products, m))
            sizes_arg = f"{officials}x{products}"
            command = f"`uv run python -m benchmarks.run --sections evaluation-db --eval-sizes {sizes_arg}" + (
                " --pg postgres://…/bench_eval`" if pg else "`"
            )
            scored = f"{int(m['products_scored']):,} of {int(m['products']):,}"
            for what, key, queries in (
                ("`score_period_of` of March 2026, every official", "ours_s", m["queries"]),
                ("the same, with a query of the ids instead of their list", "ours_by_query_s", m["queries_by_query"]),
            ):
                ratio = m[key] / m["reference_s"]
                rows.append(
                    f"| {what} | {int(m['officials']):,} | {scored} | {db_label} | {_seconds(m[key])} |"
                    f" {_seconds(m['reference_s'])} | {ratio:.1f} | {queries} |"
                    f" ≤ {EVAL_TARGET:.0f}×: {_met(ratio <= EVAL_TARGET)} | {command} |"
                )
            split_rows.append(_eval_split_row(m, products, db_label))
            data_rows.append(
                f"| {officials:,} × {products} | {db_label} | {int(built['units']):,} | {int(built['tasks']):,} |"
                f" {int(built['products']):,} | {int(built['extensions']):,} | {int(built['sheets']):,} |"
                f" {built['seconds']:.1f} s | {float(built['rows_per_second']):,.0f} |"
            )
            if (officials, products) == largest:
                p = m["profile"]
                lines = [
                    f"{db_label}, {officials:,} officials × {products} products: one run of `score_period_of` under"
                    f" cProfile took {p['wall_s']:.1f} s (against {m['ours_s']:.1f} s unprofiled; the profiler"
                    " inflates the pure-Python parts). Own time per part of the stack:",
                    "",
                    "| part | own time | share |",
                    "|---|---|---|",
                    *(f"| {label} | {sec:.2f} s | {share * 100:.0f} % |" for label, sec, share in p["parts"]),
                    "",
                    "Top functions by own time:",
                    "",
                    "| function | calls | own time | cumulative |",
                    "|---|---|---|---|",
                    *(
                        f"| `{f['function']}` | {int(f['calls']):,} | {f['own_s']:.2f} s | {f['cumulative_s']:.2f} s |"
                        for f in p["top_own"][:12]
                    ),
                    "",
                ]
                profiles.append("\n".join(lines))
                plans.append(
                    f"{db_label}, {officials:,} × {products}, the sums query of `score_period_of`"
                    f" ({int(m['sums_sql_chars']):,} characters of SQL with the ids inlined):\n\n```\n"
                    + "\n".join(m["plans"]["ours"])
                    + f"\n```\n\n{db_label}, {officials:,} × {products}, reference:\n\n```\n"
                    + "\n".join(m["plans"]["reference"])
                    + "\n```\n"
                )
    header = (
        "| what | officials | product rows (scored of all) | database | median | reference median | ratio | queries"
        " | target | command |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    split_header = (
        "| size | database | reference | sums query alone, raw SQL | `totals_for_people` (that query, a"
        " `ProductTotals` an official) | sheets query alone | `score_period_of` with the sums in memory (sheets"
        " query, engine) | `score_period_of` | what-if: the cyclic garbage collector not paused |"
        " scorecards per second (engine part) | peak memory |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    data_header = (
        "| size | database | units | tasks | product rows | approved extensions | sheets | build time |"
        " task and product rows per second |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    on = ", ".join(f"{name} {version}" for name, version in versions.items())
    pg_note = (
        f"PostgreSQL rows: the server of `--pg URL`, in a database of this section's own, `{EVAL_DATABASE}`"
        " (dropped and recreated for each size), with `VACUUM ANALYZE` of the two task tables and `ANALYZE`"
        " after the bulk load, as autovacuum would soon have done."
        if args.pg
        else "No PostgreSQL rows in this run (they need `--pg URL`)."
    )
    pg_arg = " --pg postgres://…/bench_eval" if args.pg else ""
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    peak = max(float(m["max_rss_mb"]) for _db, _p, m in measured)
    return f"""## Scoring a month from the database

Measured on {date.today().isoformat()} on {platform.machine()} ({os.cpu_count()} CPUs, {ram_gb:.0f} GB, shared: other
engineers' tests and servers ran on the same two cores during the run, so every figure is noisy and only the
ratios, measured in alternation with their reference, compare) with Python {platform.python_version()}, {on}, by
`uv run python -m benchmarks.run --sections evaluation-db --eval-sizes {args.eval_sizes}{pg_arg}` (this section
runs only when named). The issue asks for a month of a national-scale data set (200,000 officials, 20,000,000
product records) in at most {EVAL_TARGET:.0f}× a bare SQL `GROUP BY` over the same products, with a query count that
does not depend on the number of officials.

What changed: `score_period_of` no longer reads the products. The engine scores a period's products by four
sums (Σ w; Σ w of the done products; Σ w × max(0; 1 − cut × errors) and Σ w × max(0; 1 − cut × delays) over the
done products, 0 errors and delays when excused), so one `GROUP BY` query (`evidence.totals_for_people`) adds
them up per official, exactly, as integers (weights in hundredths, each deduction as a fraction p / q; 64-bit
integers on SQLite, integers held in doubles on PostgreSQL, checked to stay below 2^53), and the engine scores
the sums (`PeriodInput(totals=…)`: the same results as from the products, to the last digit and character of
the trace, whose lines then name no products; `tests/evaluation/test_batch.py` checks this official by official
against the per-product path, and the warm-up below on a sample of each data set). The engine itself was made
several times faster: the rule parameters are resolved once per rule set instead of once per official, the
arithmetic is done on ratios of integers instead of `Fraction`s, and each value is rounded once. The batch
also pauses Python's cyclic garbage collector while it builds its results (the what-if column shows the
collector running). The peak memory of the measuring process no longer grows with the products:
{peak:,.0f} MB at most in this run.

Each size is a fresh database built by `benchmarks/evaluation_data.py`, which bypasses the services on purpose
(no audit events; organisation rows and sheets by `bulk_create`, tasks and products by `executemany` on SQLite
and `COPY` on PostgreSQL; seeded, deterministic): a province, a unit per 50 officials, each official with a
primary appointment (the first of each unit a leader) and a sheet for March 2026 (70 % reviewed), one
directive as the source, and for each official P / 5 tasks of 5 products each, all with deadlines in March 2026
(about 80 % done, 15 % of those late, 10 % with major errors, 2 % completed after the day scored; 3 %
cancelled; the rest open; 2 % with an approved extension). SQLite gets no `ANALYZE` (the application does not
run it). {pg_note}

Ours: `congvu.evaluation.batch.score_period_of(period=month_period(date(2026, 3, 1)), person_ids=<every
official>, as_of=date(2026, 4, 5))` and its query count (`CaptureQueriesContext`), and the same with
`person_ids=Person.objects.values_list("id", flat=True)` (one more query, for the ids; the other two use it as
a subquery). Reference: `{REFERENCE_SQL}` through `connection.cursor()`, every row fetched: the same rows (the
month, cancelled tasks left out) and no filter on the officials (ours has one, as it must, and every official
is asked). Same process and connection, one warm-up run of each, then medians of {args.eval_repeat} alternating
runs; the ratio is the row (target ≤ {EVAL_TARGET:.0f}×). The warm-up checks that both find the same officials
(every official has products, so every one is scored) and that the database's sums of a sample of officials
(one in every N, about 500) are exactly their products' sums as the per-product path reads and adds them.

{header}{chr(10).join(rows)}

Where the time goes (same run; medians of {args.eval_split_repeat} runs of each part, with its ratio to the
reference median): the sums query of `score_period_of` as captured (ids inlined), executed raw through the
cursor and fetched whole; `totals_for_people` alone; the sheets query alone; `score_period_of` with
`totals_for_people` patched to return sums already in memory (the sheets query, then a `PeriodInput`, the
engine and its traces per official: the engine's part); and a what-if, `score_period_of` with the cyclic
garbage collector left running. The peak memory is the measuring process's, after every part.

{split_header}{chr(10).join(split_rows)}

{evaluation_findings(measured)}

Before (history: the section as first measured, {EVAL_HISTORY.count(chr(10)) - 1} rows, 2026-11-26), when the
batch read every product of the month into memory (`collect_for_people`, a `ProductEvidence` and a `Product`
each) and the engine scored them one by one; its profile then: the ORM's rows and the `ProductEvidence`
objects were over half of the time, the engine and its `Fraction`s about a fifth, the cyclic garbage collector
up to a third (full collections over millions of live objects), and the whole month had to fit in memory
(2.5 to 4.5 KB a product: 20,000,000 products would have taken 50 to 90 GB):

{EVAL_HISTORY}

Profile of the largest size:

{chr(10).join(profiles)}
Query plans at the largest size:

{chr(10).join(plans)}
Data sets (built in the same run; not benchmarks, for scale):

{data_header}{chr(10).join(data_rows)}
"""


SECTIONS = {
    "org": org_section,
    "engine": engine_section,
    "tasks": tasks_section,
    "evaluation-db": evaluation_db_section,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sections", default="org,engine", help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--scales", default="10,100")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--page-repeat", type=int, default=15, help="requests per page")
    parser.add_argument("--bucket-repeat", type=int, default=7, help="runs of the bucket query and its reference")
    parser.add_argument(
        "--pg",
        metavar="URL",
        default="",
        help="tasks section: also measure on PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/bench_tasks"
        " (the database is dropped and recreated; its name must start with 'bench'); evaluation-db section:"
        f" the same, on the URL's server in its own database {EVAL_DATABASE!r} whatever the URL names",
    )
    parser.add_argument(
        "--eval-sizes",
        default="2000x100,20000x100",
        help="evaluation-db section: OFFICIALSxPRODUCTS (products per official), comma-separated",
    )
    parser.add_argument("--eval-repeat", type=int, default=5, help="evaluation-db: runs of ours and the reference")
    parser.add_argument("--eval-split-repeat", type=int, default=3, help="evaluation-db: runs of each part of the time")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    for name in args.sections.split(","):
        body = SECTIONS[name](args)
        # Read just before writing: another run (another section) may have written the file meanwhile.
        text = args.output.read_text(encoding="utf-8") if args.output.exists() else "# Benchmarks\n"
        begin, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
        block = f"{begin}\n{body}{end}"
        if begin in text and end in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
