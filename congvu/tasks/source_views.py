"""Pages of the sources of tasks: meetings with the tasks they produced, and field visits with their findings."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts.scope import has_capability, people_in_scope, scope_paths, signed_in, units_in_scope
from congvu.core.policy import Cap
from congvu.org.models import Person, Unit, UnitStatus
from congvu.tasks import field_visits, forms, services
from congvu.tasks.buckets import BUCKETS, LABELS, bucket_counts, bucket_of
from congvu.tasks.models import FieldVisit, Meeting
from congvu.tasks.scope import visible_tasks
from congvu.tasks.views import export_tasks

PAGE_SIZE = 25


def _in_scope(field: str, paths: list[str]) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def visible_meetings(request: HttpRequest) -> QuerySet[Meeting]:
    """Meetings organised in the caller's scope, or that gave the caller a visible task."""
    paths = scope_paths(request.user, Cap.ORG_VIEW)
    produced = Exists(visible_tasks(request.user).filter(meeting=OuterRef("pk")))
    return Meeting.objects.filter(_in_scope("unit__path", paths) | Q(produced))


def _lookups(request: HttpRequest, unit_cap: Cap) -> tuple[Any, Any]:
    user = signed_in(request)

    def find_unit(code: str) -> Unit | None:
        return units_in_scope(user, unit_cap).filter(code=code, status=UnitStatus.ACTIVE).first()

    def find_person(pk: int) -> Person | None:
        return people_in_scope(user, Cap.ORG_VIEW).filter(pk=pk).first()

    return find_unit, find_person


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = visible_meetings(request).select_related("unit", "chair").order_by("-held_on", "-id")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/meeting_list.html",
        {"page": page, "can_create": has_capability(request.user, Cap.TASK_ASSIGN)},
    )


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = visible_meetings(request).select_related("unit", "chair").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    today = timezone.localdate()
    tasks = visible_tasks(request.user).filter(meeting=meeting).select_related("lead_unit", "owner")
    if request.GET.get("format") == "xlsx":
        return export_tasks(tasks.order_by("deadline", "id"), today, _("Nhiệm vụ từ cuộc họp"))
    counts = bucket_counts(tasks, today)
    rows = [(t, LABELS[b] if (b := bucket_of(t, today)) else "") for t in tasks.order_by("clause", "deadline", "id")]
    return render(
        request,
        "tasks/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.order_by("full_name"),
            "notice_due": meeting.notice_due,
            "notice_late": meeting.is_notice_late(today),
            "rows": rows,
            "buckets": [(LABELS[k], counts[k]) for k in BUCKETS],
            "can_assign": has_capability(request.user, Cap.TASK_ASSIGN),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    find_unit, find_person = _lookups(request, Cap.TASK_ASSIGN)
    form = forms.MeetingForm(request.POST or None, find_unit=find_unit, find_person=find_person)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.create_meeting(
                acting_user=user,
                title=d["title"],
                held_on=d["held_on"],
                chair=d["chair_id"],
                unit=d["unit_code"],
                attendees=d["attendee_ids"],
                agenda=d["agenda"],
                conclusions=d["conclusions"],
                notice_number=d["notice_number"],
                notice_date=d["notice_date"],
            )
        except services.TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã ghi nhận cuộc họp."))
            return redirect("tasks:meeting", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tasks/source_form.html", {"form": form, "title": _("Ghi nhận cuộc họp")}, status=status)


def visible_visits(request: HttpRequest) -> QuerySet[FieldVisit]:
    return FieldVisit.objects.filter(_in_scope("unit__path", scope_paths(request.user, Cap.ORG_VIEW)))


@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = visible_visits(request).select_related("unit", "leader").order_by("-planned_on", "-id")
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/visit_list.html",
        {"page": page, "can_create": has_capability(request.user, Cap.TASK_ASSIGN)},
    )


def _visit_page(
    request: HttpRequest, visit: FieldVisit, form: forms.FindingsForm | None, status: int = 200, error: str = ""
) -> HttpResponse:
    user = signed_in(request)
    may_record = units_in_scope(user, Cap.TASK_ASSIGN).filter(pk=visit.unit_id).exists()
    findings = list(visit.findings.order_by("order"))
    tasks = visible_tasks(user).filter(finding__visit=visit).order_by("id")
    return render(
        request,
        "tasks/visit_detail.html",
        {
            "visit": visit,
            "participants": visit.participants.order_by("full_name"),
            "findings": findings,
            "tasks": tasks,
            "form": (form or forms.FindingsForm(initial={"version": visit.version}))
            if may_record and visit.state == "planned"
            else None,
            "can_assign": has_capability(user, Cap.TASK_ASSIGN) and visit.state == "done",
            "assign_url": reverse("tasks:assign"),
            "error": error,
        },
        status=status,
    )


@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visible_visits(request).select_related("unit", "leader").filter(pk=pk).first()
    if visit is None:
        raise Http404
    return _visit_page(request, visit, None)


@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    find_unit, find_person = _lookups(request, Cap.TASK_ASSIGN)
    form = forms.FieldVisitForm(request.POST or None, find_unit=find_unit, find_person=find_person)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = field_visits.plan_visit(
                acting_user=user,
                unit=d["unit_code"],
                title=d["title"],
                place=d["place"],
                planned_on=d["planned_on"],
                leader=d["leader_id"],
                purpose=d["purpose"],
            )
        except services.TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lập kế hoạch khảo sát."))
            return redirect("tasks:visit", pk=visit.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tasks/source_form.html", {"form": form, "title": _("Kế hoạch khảo sát thực tế")}, status=status
    )


@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    visit = visible_visits(request).select_related("unit", "leader").filter(pk=pk).first()
    if visit is None:
        raise Http404
    form = forms.FindingsForm(request.POST)
    error = _("Thông tin chưa hợp lệ; xem các lỗi bên dưới.")
    if form.is_valid():
        d = form.cleaned_data
        try:
            field_visits.record_findings(
                acting_user=user,
                visit=visit,
                visited_on=d["visited_on"],
                findings=d["findings"],
                expected_version=d["version"],
            )
        except services.TaskError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Đã ghi nhận kết quả khảo sát."))
            return redirect("tasks:visit", pk=visit.pk)
    return _visit_page(request, visit, form, status=400, error=error)
