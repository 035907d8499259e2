from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from congvu.accounts.models import RoleAssignment


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    roles = RoleAssignment.objects.filter(user_id=request.user.pk).select_related("scope_unit")
    return render(request, "accounts/profile.html", {"roles": roles})
