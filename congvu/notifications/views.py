"""The notification inbox: one's own notifications, newest first; marking them read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from congvu.accounts.scope import signed_in
from congvu.notifications import services
from congvu.notifications.models import Notification

PAGE_SIZE = 30


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    unread_only = request.GET.get("unread") == "1"
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of one's notifications read; others' ids change nothing."""
    user = signed_in(request)
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() and len(raw) < 19 else None
    services.mark_read(acting_user=user, ids=ids)
    target = request.POST.get("next", "")
    if ids is not None and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications:inbox")
