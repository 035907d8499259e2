from __future__ import annotations

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from congvu.accounts.scope import people_in_scope, units_in_scope
from congvu.audit.models import AuditEvent, AuditSubject
from congvu.core.policy import Cap

PAGE_SIZE = 50


@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """The audit log of the caller's scope, newest first, paged by sequence number."""
    unit_ids = units_in_scope(request.user, Cap.AUDIT_VIEW).annotate(sid=Cast("pk", CharField())).values("sid")
    person_ids = people_in_scope(request.user, Cap.AUDIT_VIEW).annotate(sid=Cast("pk", CharField())).values("sid")
    in_scope = AuditSubject.objects.filter(
        Q(object_type="unit", object_id__in=unit_ids) | Q(object_type="person", object_id__in=person_ids),
        event=OuterRef("pk"),
    )
    events = AuditEvent.objects.filter(Exists(in_scope)).order_by("-seq")
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(seq__lt=int(before))
    page = list(events[:PAGE_SIZE])
    next_before = page[-1].seq if len(page) == PAGE_SIZE else None
    return render(request, "audit/log.html", {"events": page, "next_before": next_before})
