from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from congvu.accounts.models import RoleAssignment
from congvu.accounts.scope import signed_in


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    roles = RoleAssignment.objects.filter(user=signed_in(request)).select_related("scope_unit")
    return render(request, "accounts/profile.html", {"roles": roles})
