"""Measure server time and query counts of pages in-process (run by ``benchmarks.run``).

Usage: ``CONGVU_DATA_DIR=... python -m benchmarks.pages REPEAT`` prints one JSON object.
Server time is the time Django takes to answer through the test client (no network);
the reference is ``/health/`` measured in the same process, in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from congvu.accounts.models import User
    from congvu.org.models import Unit

    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    biggest = Unit.objects.filter(status="active").exclude(parent=None).order_by("-id").first()
    assert biggest is not None
    targets = {
        "reference /health/": "/health/",
        "org tree page": "/org/",
        "org tree children": f"/org/units/{biggest.parent_id}/children/",
        "/api/v1/units": "/api/v1/units",
        "unit page": f"/org/units/{biggest.parent_id}/",
    }
    out: dict[str, Any] = {"units": Unit.objects.count()}
    for label, url in targets.items():
        times = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(ctx.captured_queries)
        out[label] = {"median_ms": statistics.median(times) * 1000, "queries": queries}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
