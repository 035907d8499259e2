"""Scoring a month from the database, measured in-process (run by ``benchmarks.run --sections evaluation-db``).

Usage: ``CONGVU_DATA_DIR=... [DATABASE_URL=...] python -m benchmarks.evaluation_bench [REPEAT] [SPLIT_REPEAT]``
on a database filled by ``benchmarks.evaluation_data``; prints one JSON object (its last line).

* ours: :func:`congvu.evaluation.batch.score_period_of` for March 2026, every official (a list of
  their ids), ``as_of`` 5 April 2026, and the queries it runs (``CaptureQueriesContext``); also the
  same with a query of the ids instead of the list;
* reference: a bare ``SELECT owner_id, SUM(weight), SUM(done weight), SUM(delays) … GROUP BY owner_id`` over
  the same products (same month, cancelled tasks left out), fetched whole through ``connection.cursor()``.

All run on the same connection: one warm-up run of each, then ``REPEAT`` alternating runs; medians.
The warm-up also checks that the database's sums of a sample of officials are exactly their
products' sums (``collect_for_people`` and the engine's ``product_totals``, the per-product path).
Then where the time goes, medians of ``SPLIT_REPEAT`` runs of each part:

* the sums query of ``score_period_of`` alone: its SQL as captured, executed raw and fetched whole;
* ``totals_for_people`` alone: that query and a ``ProductTotals`` per official;
* the sheets query alone (``values_list`` of the columns the scoring reads);
* ``score_period_of`` with its sums already in memory (``totals_for_people`` patched to return them):
  the sheets query, then a ``PeriodInput`` and the engine, with its traces, per official;
* a what-if: ``score_period_of`` without pausing the cyclic garbage collector;

one run under ``cProfile`` (own time per function and per part of the stack); and the query plans
of the sums query and of the reference.
"""

from __future__ import annotations

import contextlib
import cProfile
import json
import os
import pstats
import re
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any
from unittest import mock

from benchmarks.evaluation_data import AS_OF, MONTH_END, MONTH_START
from benchmarks.tasks_bench import database_version, explain

REFERENCE_SQL = (
    "SELECT t.owner_id, SUM(p.weight), SUM(CASE WHEN p.done THEN p.weight ELSE 0 END), SUM(p.delays)"
    " FROM tasks_taskproduct p JOIN tasks_task t ON t.id = p.task_id"
    f" WHERE t.deadline BETWEEN '{MONTH_START.isoformat()}' AND '{MONTH_END.isoformat()}'"
    " AND t.state <> 'cancelled' GROUP BY t.owner_id"
)

# Parts of the stack, for the profile: the first whose test matches a function takes its own time.
PARTS: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    ("database driver: execute and fetch", lambda file, name: "sqlite" in name.lower() or "psycopg" in file + name),
    ("Django ORM: rows → dicts (compiler, converters, values iterable)", lambda file, _n: "/django/" in file),
    (
        "dataclass __init__ (PeriodInput, Facts, ProductTotals, PeriodResult, …)",
        lambda file, name: file == "<string>" and name == "__init__",
    ),
    ("evidence.py: totals_for_people (rows → sums)", lambda file, _n: file.endswith("evaluation/evidence.py")),
    (
        "engine.py: score_period, _validate, round_half_up, trace",
        lambda file, _n: file.endswith("evaluation/engine.py"),
    ),
    (
        "exact arithmetic: fractions, decimal",
        lambda file, name: file.endswith("fractions.py") or "decimal.Decimal" in name or "Fraction" in name,
    ),
    ("rulesets.py: params.get", lambda file, _n: file.endswith("evaluation/rulesets.py")),
    ("batch.py: score_period_of loop", lambda file, _n: file.endswith("evaluation/batch.py")),
    (
        "freeing the objects of `score_period_of` as it returns (own time of its caller)",
        lambda file, _n: file.endswith("benchmarks/evaluation_bench.py"),
    ),
)


def _median_s(times: list[float]) -> float:
    return statistics.median(times)


def _clip(line: str, width: int = 220) -> str:
    return line if len(line) <= width else line[:width] + " …"


def _short(file: str, line: int, name: str) -> str:
    """``fractions.py:62(__new__)``, ``django/db/models/query.py:221(<dictcomp>)``, without memory addresses."""
    for marker in ("/site-packages/", "/congvu/", "/python3.11/", "/work/main/"):
        file = file.rsplit(marker, 1)[-1]
    return f"{file}:{line}({re.sub(r' at 0x[0-9a-f]+', '', name)})"


def _where(file: str, name: str) -> str:
    for label, test in PARTS:
        if test(file, name):
            return label
    return "other (builtins, dict/list operations, …)"


def profile(fn: Callable[[], object]) -> dict[str, Any]:
    """One run of ``fn`` under cProfile: its total, the own time per part of the stack, the top functions."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(fn)
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    parts: dict[str, float] = defaultdict(float)
    rows: list[dict[str, Any]] = []
    for (file, line, name), (_cc, calls, own, cum, _callers) in raw.items():
        parts[_where(file, name)] += own
        rows.append({"function": _short(file, line, name), "calls": calls, "own_s": own, "cumulative_s": cum})
    total = sum(parts.values())
    keys = ("totals_for_people", "score_period", "_validate", "_score", "_rounded", "_trace_line")
    cumulative = {
        name: sum(r["cumulative_s"] for r in rows if str(r["function"]).endswith(f"({name})")) for name in keys
    }
    return {
        "wall_s": wall,
        "profiled_s": total,
        "parts": sorted(((label, s, s / total) for label, s in parts.items()), key=lambda p: -p[1]),
        "top_own": sorted(rows, key=lambda r: -float(r["own_s"]))[:15],
        "cumulative": cumulative,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congvu.evaluation import batch
    from congvu.evaluation.batch import SHEET_COLUMNS, score_period_of
    from congvu.evaluation.engine import PeriodResult, ProductTotals, product_totals
    from congvu.evaluation.errors import EvaluationError
    from congvu.evaluation.evidence import collect_for_people, engine_products, people_in, totals_for_people
    from congvu.evaluation.models import Sheet
    from congvu.evaluation.services import month_period, params
    from congvu.org.models import Person
    from congvu.tasks.models import Task, TaskProduct

    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    split_repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    period = month_period(date(2026, 3, 1))
    rules = params(period.end)
    person_ids = list(Person.objects.order_by("id").values_list("id", flat=True))
    out: dict[str, Any] = {
        "vendor": connection.vendor,
        "database_version": database_version(connection),
        "officials": len(person_ids),
        "tasks": Task.objects.count(),
        "products": TaskProduct.objects.count(),
        "period": str(period),
        "as_of": AS_OF.isoformat(),
        "reference_sql": REFERENCE_SQL,
    }

    def ours() -> dict[int, PeriodResult | EvaluationError]:
        return score_period_of(period=period, person_ids=person_ids, as_of=AS_OF)

    def ours_by_query() -> dict[int, PeriodResult | EvaluationError]:
        ids = Person.objects.order_by().values_list("id", flat=True)
        return score_period_of(period=period, person_ids=ids, as_of=AS_OF)

    def reference() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL)
            return list(cursor.fetchall())

    # Warm-up, with the queries of ours and checks: both count the same people, and the database's
    # sums of a sample of officials are exactly their products' sums (the per-product path).
    with CaptureQueriesContext(connection) as ctx:
        results = ours()
    queries = [q["sql"] for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as ctx:
        by_query = ours_by_query()
    reference_rows = reference()
    scored = [r for r in results.values() if isinstance(r, PeriodResult)]
    errors = Counter(r.code for r in results.values() if isinstance(r, EvaluationError))
    assert len(scored) == len(reference_rows), (len(scored), len(reference_rows), errors)
    assert set(by_query) == set(results), "the query of ids finds other people"
    sample = person_ids[:: max(1, len(person_ids) // 500)]
    sums = totals_for_people(person_ids=sample, start=period.start, end=period.end, params=rules, as_of=AS_OF)
    itemised = collect_for_people(person_ids=sample, start=period.start, end=period.end, as_of=AS_OF)
    for person_id, evidence in itemised.items():
        expected: ProductTotals = product_totals(engine_products(evidence), rules)
        assert sums[person_id] == expected, (person_id, sums[person_id], expected)
    del itemised
    out |= {
        "queries": len(queries),
        "queries_by_query": len(ctx.captured_queries),
        "query_heads": [q[:160] for q in queries],
        "scored": len(scored),
        "not_scored": dict(errors),
        "levels": dict(Counter(r.level for r in scored)),
        "reference_rows": len(reference_rows),
        "checked_officials": len(sample),
        "products_scored": TaskProduct.objects.filter(task__deadline__range=(MONTH_START, MONTH_END))
        .exclude(task__state="cancelled")
        .count(),
    }
    del results, by_query, reference_rows, scored

    runs: dict[str, list[float]] = {"ours": [], "reference": [], "ours_by_query": []}
    measured: dict[str, Callable[[], object]] = {"ours": ours, "reference": reference, "ours_by_query": ours_by_query}
    for _ in range(repeat):
        for name, fn in measured.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    for name, times in runs.items():
        out[f"{name}_s"] = _median_s(times)
        out[f"{name}_runs"] = times

    # ---- where the time goes
    sums_sql = next(q for q in queries if "tasks_taskproduct" in q)

    def sums_query() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sums_sql)
            return cursor.fetchall()

    def totals() -> dict[int, ProductTotals]:
        return totals_for_people(person_ids=person_ids, start=period.start, end=period.end, params=rules, as_of=AS_OF)

    def sheets() -> object:
        return list(
            Sheet.objects.filter(period=period, person_id__in=people_in(person_ids)).values_list(*SHEET_COLUMNS)
        )

    in_memory_totals = totals()

    def in_memory() -> object:
        with mock.patch("congvu.evaluation.batch.totals_for_people", lambda **_kwargs: in_memory_totals):
            return ours()

    def collector_running() -> object:
        with mock.patch.object(batch, "_cyclic_gc_paused", contextlib.nullcontext):
            return ours()

    parts: dict[str, Callable[[], object]] = {
        "sums query, raw": sums_query,
        "totals_for_people": totals,
        "sheets query": sheets,
        "sums in memory": in_memory,
        "collector running": collector_running,
    }
    split: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(split_repeat):
        for name, fn in parts.items():
            start = time.perf_counter()
            fn()
            split[name].append(time.perf_counter() - start)
    out["split"] = {name: _median_s(times) for name, times in split.items()}
    out["profile"] = profile(ours)
    out["plans"] = {
        "ours": [_clip(line) for line in explain(connection, sums_sql)],
        "reference": [_clip(line) for line in explain(connection, REFERENCE_SQL)],
    }
    out["sums_sql_chars"] = len(sums_sql)
    out["sums_sql_head"] = sums_sql[:1500]
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
