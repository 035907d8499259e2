from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from congvu.accounts import services
from congvu.accounts.models import ApiToken, RoleAssignment
from congvu.accounts.scope import has_capability, signed_in
from congvu.core.policy import Cap


def _profile(request: HttpRequest, *, new_token: str = "", error: str = "", status: int = 200) -> HttpResponse:
    user = signed_in(request)
    context = {
        "roles": RoleAssignment.objects.filter(user=user).select_related("scope_unit"),
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "can_have_tokens": has_capability(user, Cap.TOKEN_OWN),
        "new_token": new_token,
        "token_error": error,
    }
    return render(request, "accounts/profile.html", context, status=status)


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create an API token for the signed-in user; the key is shown once, on this answer only."""
    name = request.POST.get("name", "").strip()
    if not name or len(name) > 100:
        return _profile(request, error=_("Hãy đặt tên cho khoá (tối đa 100 ký tự)."), status=400)
    raw = services.create_token(acting_user=signed_in(request), user=signed_in(request), name=name)
    return _profile(request, new_token=raw)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=signed_in(request), revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.revoke_token(acting_user=signed_in(request), token=token)
    return redirect("accounts:profile")
