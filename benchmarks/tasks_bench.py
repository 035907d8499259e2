"""Task assignment at scale, measured in-process (run by ``benchmarks.run --sections tasks``).

Usage: ``CONGVU_DATA_DIR=... [DATABASE_URL=...] python -m benchmarks.tasks_bench [REPEAT] [BUCKET_REPEAT]``
prints one JSON object (its last line) on a demo database filled by ``benchmarks.task_data``.

* Pages: server time through Django's test client (no network), signed in with ``force_login``;
  median of ``REPEAT`` requests after two warm-up requests, and the number of queries of a request.
  Reference: ``/health/`` in the same process and session.
* Buckets: :func:`congvu.tasks.buckets.bucket_counts` over every task, against a bare
  ``SELECT state, COUNT(*) FROM tasks_task GROUP BY state`` on the same connection; medians of
  ``BUCKET_REPEAT`` runs each, alternating, after one warm-up run of each. The query plans of both
  are part of the output.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

WARM_UP = 2


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from congvu.accounts.models import User
    from congvu.demo.generator import province
    from congvu.org.models import Unit
    from congvu.tasks import tallies
    from congvu.tasks.buckets import bucket_counts
    from congvu.tasks.models import Task, TaskTally
    from congvu.tasks.scope import mine_q

    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    bucket_repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    root = province()
    assert root is not None, "no demo province"
    today = timezone.localdate()
    out: dict[str, Any] = {
        "vendor": connection.vendor,
        "database_version": database_version(connection),
        "autovacuum": setting(connection, "autovacuum"),
        "tasks": Task.objects.count(),
        "units": Unit.objects.filter(path__startswith=root.path).count(),
        "today": today.isoformat(),
        "notes": [],
    }

    # The nightly job builds a new day's tallies at 00:01; a run that crosses midnight does it here.
    if not tallies.ready(today):
        started = time.perf_counter()
        tallies.ensure(today)
        out["notes"].append(
            f"today's tallies built by the benchmark ({time.perf_counter() - started:.1f} s): the day changed"
        )

    clients: dict[str, Client] = {}

    def client(username: str) -> Client:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        return clients[username]

    def page(label: str, username: str, url: str) -> None:
        c = client(username)
        for _ in range(WARM_UP):
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times: list[float] = []
        counts: set[int] = set()
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = c.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            counts.add(len(ctx.captured_queries))
        out[label] = {
            "url": url,
            "user": username,
            "median_ms": _median_ms(times),
            "queries": max(counts),
            "query_counts": sorted(counts),
            "slowest": [
                (float(q["time"]) * 1000, q["sql"][:300])
                for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            ],
        }

    page("reference /health/", "chuyenvien", "/health/")
    for username in ("chuyenvien", "truongphong"):
        user = User.objects.get(username=username)
        page(f"my tasks ({username})", username, reverse("tasks:my"))
        out[f"my tasks ({username})"]["visible"] = Task.objects.filter(mine_q(user)).count()
    try:
        overview = reverse("tasks:overview")
    except NoReverseMatch:
        out["notes"].append("tasks:overview does not resolve in this checkout: leader's overview not measured")
    else:
        page("overview (lanhdao)", "lanhdao", overview)
        finance = Unit.objects.get(code=f"{root.code}.STC")
        page("overview drill-down (lanhdao)", "lanhdao", f"{overview}?unit={finance.pk}")
        out["overview drill-down (lanhdao)"]["unit"] = finance.name
    page("unit board, whole province (lanhdao)", "lanhdao", reverse("tasks:unit_board", args=[root.pk]))

    # ---- the buckets of the whole province against a bare GROUP BY
    reference_sql = "SELECT state, COUNT(*) FROM tasks_task GROUP BY state"

    def buckets() -> object:
        return bucket_counts(Task.objects.all(), today)

    def from_tallies() -> object:
        return tallies.counts(Q(), today)

    def group_by() -> object:
        with connection.cursor() as cursor:
            cursor.execute(reference_sql)
            return cursor.fetchall()

    runs: dict[str, list[float]] = {"buckets": [], "group by": [], "tallies": []}
    measured: dict[str, Callable[[], object]] = {"buckets": buckets, "group by": group_by, "tallies": from_tallies}
    for fn in measured.values():
        fn()
    for _ in range(bucket_repeat):
        for name, fn in measured.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as ctx:
        counts = bucket_counts(Task.objects.all(), today)
    bucket_sql = ctx.captured_queries[-1]["sql"]
    out["buckets"] = {
        "median_ms": _median_ms(runs["buckets"]),
        "reference_ms": _median_ms(runs["group by"]),
        "queries": len(ctx.captured_queries),
        "counts": counts,
        "sql": bucket_sql,
        "reference_sql": reference_sql,
        "plan": explain(connection, bucket_sql),
        "reference_plan": explain(connection, reference_sql),
        "tallies_ms": _median_ms(runs["tallies"]),
        "tallies_equal": from_tallies() == counts,
        "tally_rows": TaskTally.objects.filter(day=today).count(),
    }
    print(json.dumps(out, ensure_ascii=False))


def database_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0]).split()[0]


def setting(connection: Any, name: str) -> str:
    """A PostgreSQL server setting; empty on SQLite."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return str(cursor.fetchone()[0])


def explain(connection: Any, sql: str) -> list[str]:
    """The query plan: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL."""
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return [f"{row[0]}|{row[1]}| {row[-1]}" for row in rows]
    return [str(row[0]) for row in rows]


if __name__ == "__main__":
    main()
