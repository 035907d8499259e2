"""URLconf of the load benchmark's server: every URL of the project, plus the reference ``/bench/insert/``.

The reference is the smallest Django page that stores something: GET answers the CSRF token, POST
(through the same middleware, CSRF check included) inserts one row into ``bench_insert`` with plain SQL
and answers 201. ``benchmarks.portal_load`` creates the table before starting the server.
"""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path
from django.views.decorators.http import require_http_methods

from benchmarks.portal_load import REFERENCE_TABLE as TABLE
from congvu.core.policy import PUBLIC, URL_POLICY


@require_http_methods(["GET", "POST"])
def insert(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return HttpResponse(get_token(request), content_type="text/plain")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (client, created_at) VALUES (%s, %s)",
            [request.POST.get("client", "")[:100], time.time()],
        )
    return HttpResponse("ok", status=201, content_type="text/plain")


URL_POLICY["bench_insert"] = PUBLIC  # the project's policy refuses (404) any URL it does not list
urlpatterns = [
    path("", include("congvu.urls")),
    path("bench/insert/", insert, name="bench_insert"),
]
