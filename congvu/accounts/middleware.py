"""Request gates: API tokens, session limits and the permission policy."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import ApiToken, hash_token
from congvu.accounts.scope import has_capability
from congvu.core.policy import URL_POLICY

Handler = Callable[[HttpRequest], HttpResponse]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _csrf_checked(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    """Stands for the view in the CSRF check (unlike ninja's views, it is not exempt)."""
    raise AssertionError("the CSRF check does not call the view")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class ApiTokenMiddleware:
    """``Authorization: Bearer <token>`` signs the request in as the token's user (API only)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if _is_api(request) and header:
            scheme, _sep, raw = header.partition(" ")
            token = None
            if scheme.lower() == "bearer" and raw.strip():
                token = (
                    ApiToken.objects.select_related("user")
                    .filter(digest=hash_token(raw.strip()), revoked_at__isnull=True, user__is_active=True)
                    .first()
                )
            if token is None:
                return JsonResponse({"detail": _("Khoá API không hợp lệ."), "code": "invalid_token"}, status=401)
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            request.user = token.user
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            request.congvu_token_auth = True  # type: ignore[attr-defined]
        return self.get_response(request)


class SessionLimitsMiddleware:
    """End a session after an absolute lifetime, whatever the activity (idle expiry is Django's)."""

    KEY = "congvu_session_started"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._session_user(request):
            started = request.session.get(self.KEY)
            if started is not None and time.time() - float(started) > settings.CONGVU_SESSION_ABSOLUTE_SECONDS:
                logout(request)
        response = self.get_response(request)
        # The clock starts with the request that signed the user in.
        if self._session_user(request) and self.KEY not in request.session:
            request.session[self.KEY] = time.time()
        return response

    @staticmethod
    def _session_user(request: HttpRequest) -> bool:
        return bool(request.user.is_authenticated) and not getattr(request, "congvu_token_auth", False)


class PolicyMiddleware:
    """Consult ``URL_POLICY`` for the resolved URL before its view runs.

    A URL without an entry is refused (404) so that forgetting the policy never opens
    a page. Anonymous users get the login page (401 on the API); a signed-in user
    without the capability gets 403. Object scope is checked by the view (404).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        name = match.view_name if match else ""
        access = URL_POLICY.get(name)
        if access is None:
            raise Http404
        if access.public:
            return None
        if _is_api(request) and request.method not in SAFE_METHODS and not getattr(request, "congvu_token_auth", False):
            # django-ninja exempts its views from CSRF; a session-authenticated API write must still carry the token.
            refused = CsrfViewMiddleware(self.get_response).process_view(request, _csrf_checked, (), {})
            if refused is not None:
                return JsonResponse(
                    {"detail": _("Thiếu hoặc sai mã chống giả mạo (CSRF)."), "code": "csrf"}, status=403
                )
        if not request.user.is_authenticated:
            if _is_api(request):
                return JsonResponse({"detail": _("Cần đăng nhập."), "code": "not_authenticated"}, status=401)
            return redirect_to_login(request.get_full_path())
        if access.capability is not None and not has_capability(request.user, access.capability):
            if _is_api(request):
                return JsonResponse({"detail": _("Không có quyền."), "code": "forbidden"}, status=403)
            return HttpResponse(_("Bạn không có quyền truy cập trang này."), status=403)
        return None
