"""Refuse input no screen or API can store: NUL characters (PostgreSQL rejects them in text)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
        return True
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH"}:
        if content_type == "application/json":
            return b"\\u0000" in request.body or b"\x00" in request.body
        if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False


class RejectNulMiddleware:
    """A request carrying a NUL character gets a clear 400 instead of a database error."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("Dữ liệu gửi lên có ký tự không hợp lệ (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid"}, status=400)
            if request.path.startswith("/open311/"):  # the GeoReport v2 error list
                return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
