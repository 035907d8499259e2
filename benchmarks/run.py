"""Benchmark runner: builds demo datasets and writes the measured rows to BENCHMARKS.md.

``uv run python -m benchmarks.run [--sections org,engine,tasks] [--scales 10,100] [--repeat 3] [--pg URL]``

Every figure is a median of several runs and is given as a ratio to a reference
measured in the same run, because these machines are noisy:

* demo generation at scale N → reference: ``congvu migrate`` on an empty database;
* pages and API at scale N → reference: ``/health/`` (one trivial query) in the same process;
* task assignment (``--sections tasks``) at scale N: the demo plus ``10,000 × N`` bulk tasks
  (``benchmarks.task_data``) on SQLite and, with ``--pg URL``, on PostgreSQL; pages → ``/health/``,
  the buckets of the whole province → a bare ``SELECT state, COUNT(*) … GROUP BY state``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
        " tasks of `chuyenvien` / `truongphong` |\n|---|---|---|---|---|---|---|---|\n"
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
{skipped}
{header}{chr(10).join(rows)}

Data sets (built in the same run; not benchmarks, for scale):

{data_header}{chr(10).join(data_rows)}

Query plans of the buckets at the largest scale:

{chr(10).join(plans)}"""


SECTIONS = {"org": org_section, "engine": engine_section, "tasks": tasks_section}


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
        " (the database is dropped and recreated; its name must start with 'bench')",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    text = args.output.read_text(encoding="utf-8") if args.output.exists() else "# Benchmarks\n"
    for name in args.sections.split(","):
        body = SECTIONS[name](args)
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
