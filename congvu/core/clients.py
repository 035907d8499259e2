"""The real client address behind the configured proxies, and a per-address rate limit.

``CONGVU_TRUSTED_PROXIES`` lists the addresses of the reverse proxies in front of the server;
the client is the right-most address of ``X-Forwarded-For`` that is not one of them (the
header is ignored unless the direct peer is a trusted proxy). Limits count requests in fixed
windows in the cache (the database cache by default, so that every worker process shares it).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


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
    window = int(time.time() // window_seconds)
    name = "rl:" + hashlib.sha256(f"{scope}:{key}:{window}".encode()).hexdigest()[:32]
    cache = caches["default"]
    cache.add(name, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window_seconds * 2)
        count = 1
    return count > limit
