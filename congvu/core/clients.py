"""The real client address behind the configured proxies, and a per-address rate limit.

``CONGVU_TRUSTED_PROXIES`` lists the addresses of the reverse proxies in front of the server;
the client is the right-most address of ``X-Forwarded-For`` that is not one of them (the
header is ignored unless the direct peer is a trusted proxy). Limits count requests in fixed
windows in the database (``RateCounter``), so that every worker process shares them: one atomic
statement per request (an upsert); a counter is never dropped before its window ends (Django's database
cache, used before, evicted a third of its entries whenever it held more than 300).
"""

from __future__ import annotations

import hashlib
import random
import time

from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpRequest

from congvu.core.models import RateCounter

CLEANUP_ONE_IN = 200  # about one request in 200 deletes the counters of ended windows


def client_ip(request: HttpRequest) -> str:
    peer = str(request.META.get("REMOTE_ADDR", ""))
    trusted: list[str] = settings.CONGVU_TRUSTED_PROXIES
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return peer


def over_limit(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request of ``key`` in the current window; True when it is over ``limit``."""
    now = time.time()
    window = int(now // window_seconds)
    name = hashlib.sha256(f"{scope}:{key}:{window}".encode()).hexdigest()[:32]
    table = RateCounter._meta.db_table
    alias = router.db_for_write(RateCounter)
    # One statement (SQLite ≥ 3.35 and PostgreSQL): no read-then-write race between workers. In a transaction
    # so that on SQLite it waits its turn in the writers' queue (congvu.core.sqlite) like every other write.
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, ends, count) VALUES (%s, %s, 1) "  # noqa: S608 - the model's own table
            f"ON CONFLICT (name) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [name, (window + 1) * window_seconds],
        )
        row = cursor.fetchone()
        if random.randrange(CLEANUP_ONE_IN) == 0:
            cursor.execute(f"DELETE FROM {table} WHERE ends < %s", [int(now)])  # noqa: S608
    return int(row[0]) > limit
