"""Open311 GeoReport v2 (JSON) — being written; see the module docstring once complete."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def services(request: HttpRequest) -> JsonResponse:
    return JsonResponse([{"code": 501, "description": "not implemented"}], safe=False, status=501)


def service(request: HttpRequest, code: str) -> JsonResponse:
    return services(request)


def requests(request: HttpRequest) -> JsonResponse:
    return services(request)


def request(request: HttpRequest, request_id: str) -> JsonResponse:
    return services(request)
