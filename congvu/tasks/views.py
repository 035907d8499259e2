"""Pages of task assignment. Thin: visibility lookups, a form, a service call, a template.

Who sees a task is decided by :mod:`congvu.tasks.scope` (404 outside it); who may act on
it is decided by the services (the owner acts on their task, the assigner reviews,
cancels and decides extensions). The action forms are shown only to those who may use
them, and every action carries the version of the task the page showed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts.models import User
from congvu.accounts.scope import has_capability, people_in_scope, signed_in, unit_in_scope, units_in_scope
from congvu.audit.chain import history
from congvu.core.policy import Cap
from congvu.org.models import Person, Unit, UnitStatus
from congvu.tasks import forms, services
from congvu.tasks.buckets import BUCKETS, LABELS, bucket_counts, bucket_of
from congvu.tasks.models import Extension, ExtensionState, Task, TaskState
from congvu.tasks.scope import bucket_q, mine_q, visible_task, visible_tasks

PAGE_SIZE = 25


def _today() -> date:
    return timezone.localdate()


# -- lists ---------------------------------------------------------------------------------


def _task_list(request: HttpRequest, tasks: QuerySet[Task], context: dict[str, Any]) -> HttpResponse:
    """Filters (state, bucket), the four bucket counts and one page of tasks: constant queries."""
    today = _today()
    state = request.GET.get("state", "")
    bucket = request.GET.get("bucket", "")
    counts = bucket_counts(tasks, today)
    filtered = tasks
    if state in TaskState.values:
        filtered = filtered.filter(state=state)
    else:
        state = ""
    if bucket in BUCKETS:
        filtered = filtered.filter(bucket_q(bucket, today))
    else:
        bucket = ""
    filtered = filtered.select_related("lead_unit", "owner").order_by("deadline", "id")
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(task, LABELS[b] if (b := bucket_of(task, today)) else "") for task in page]
    context |= {
        "page": page,
        "rows": rows,
        "state": state,
        "bucket": bucket,
        "states": TaskState.choices,
        "buckets": [(key, LABELS[key], counts[key]) for key in BUCKETS],
        "total": sum(counts.values()),
        "can_assign": has_capability(request.user, Cap.TASK_ASSIGN),
    }
    template = "tasks/_task_rows.html" if request.htmx else "tasks/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Nhiệm vụ của tôi: the tasks I am accountable for or assigned."""
    user = signed_in(request)
    return _task_list(
        request,
        Task.objects.filter(mine_q(user)),
        {"title": _("Nhiệm vụ của tôi"), "list_url": reverse("tasks:my"), "unit": None},
    )


@require_GET
def unit_board(request: HttpRequest, pk: int) -> HttpResponse:
    """Nhiệm vụ của đơn vị: the tasks led by the unit or a unit below it."""
    unit = unit_in_scope(request.user, Cap.ORG_VIEW, pk)
    return _task_list(
        request,
        Task.objects.filter(lead_unit__path__startswith=unit.path),
        {
            "title": _("Nhiệm vụ của đơn vị"),
            "list_url": reverse("tasks:unit_board", args=[unit.pk]),
            "unit": unit,
        },
    )


# -- the task page -------------------------------------------------------------------------


@dataclass
class Action:
    key: str
    title: str | Promise
    button: str | Promise
    url: str
    form: django_forms.Form


def _actions(user: User, task: Task, pending: Extension | None) -> list[Action]:
    """The action forms the user may use on the task in its current state."""
    initial = {"version": task.version}
    is_owner = user.person_id is not None and user.person_id == task.owner_id
    is_assigner = user.pk == task.assigned_by_id

    def url(name: str) -> str:
        return reverse(f"tasks:{name}", args=[task.pk])

    actions: list[Action] = []
    if is_owner:
        if task.state == TaskState.ASSIGNED:
            actions.append(
                Action(
                    "accept",
                    gettext_lazy("Tiếp nhận với kế hoạch thực hiện"),
                    gettext_lazy("Tiếp nhận"),
                    url("accept"),
                    forms.AcceptForm(initial=initial),
                )
            )
        if task.state in services.WORKING_STATES:
            actions.append(
                Action(
                    "progress",
                    gettext_lazy("Báo cáo tiến độ"),
                    gettext_lazy("Gửi báo cáo"),
                    url("progress"),
                    forms.ProgressForm(initial=initial),
                )
            )
            actions.append(
                Action(
                    "submit",
                    gettext_lazy("Trình kết quả"),
                    gettext_lazy("Trình kết quả"),
                    url("submit"),
                    forms.SubmitForm(initial=initial, task=task),
                )
            )
        if task.state in services.OPEN_STATES - {TaskState.SUBMITTED} and pending is None:
            actions.append(
                Action(
                    "extension_request",
                    gettext_lazy("Đề nghị gia hạn"),
                    gettext_lazy("Gửi đề nghị"),
                    url("extension_request"),
                    forms.ExtensionRequestForm(initial=initial),
                )
            )
    if is_assigner:
        if task.state == TaskState.SUBMITTED:
            actions.append(
                Action(
                    "review",
                    gettext_lazy("Đánh giá kết quả"),
                    gettext_lazy("Ghi kết luận"),
                    url("review"),
                    forms.ReviewForm(initial=initial),
                )
            )
        if pending is not None and task.state in services.OPEN_STATES:
            actions.append(
                Action(
                    "extension_decide",
                    gettext_lazy("Quyết định gia hạn"),
                    gettext_lazy("Ghi quyết định"),
                    reverse("tasks:extension_decide", args=[pending.pk]),
                    forms.ExtensionDecideForm(initial=initial),
                )
            )
        if task.state in services.OPEN_STATES:
            actions.append(
                Action(
                    "cancel",
                    gettext_lazy("Huỷ nhiệm vụ"),
                    gettext_lazy("Huỷ nhiệm vụ"),
                    url("cancel"),
                    forms.CancelForm(initial=initial),
                )
            )
    return actions


def _detail(
    request: HttpRequest,
    task: Task,
    *,
    bound: tuple[str, django_forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    today = _today()
    extensions = list(task.extensions.select_related("requested_by", "decided_by").order_by("round"))
    pending = next((e for e in extensions if e.state == ExtensionState.PENDING), None)
    actions = _actions(user, task, pending)
    if bound is not None:
        for action in actions:
            if action.key == bound[0]:
                action.form = bound[1]
    bucket = bucket_of(task, today)
    context = {
        "task": task,
        "bucket": LABELS[bucket] if bucket else "",
        "products": task.products.select_related("product_type").order_by("id"),
        "plan": task.plan_steps.order_by("order"),
        "reports": task.progress_reports.select_related("reported_by").order_by("-reported_at", "-id"),
        "extensions": extensions,
        "actions": actions,
        "error": error,
        "audit": history("task", task.pk)[:100],
    }
    return render(request, "tasks/detail.html", context, status=status)


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, visible_task(request.user, pk))


# -- assigning -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    today = _today()

    def find_unit(code: str) -> Unit | None:
        return units_in_scope(user, Cap.TASK_ASSIGN).filter(code=code, status=UnitStatus.ACTIVE).first()

    def find_person(pk: int) -> Person | None:
        return people_in_scope(user, Cap.TASK_ASSIGN, on=today).filter(pk=pk).first()

    form = forms.AssignForm(request.POST or None, find_unit=find_unit, find_person=find_person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.assign_task(
                acting_user=user,
                title=data["title"],
                description=data["description"],
                lead_unit=data["lead_unit_code"],
                owner=data["owner_id"],
                deadline=data["deadline"] if data["working_days"] is None else None,
                working_days=data["working_days"],
                meeting=data["meeting"],
                directive=data["directive"],
                clause=data["clause"].strip(),
                priority=data["priority"],
                products=data["products"],
            )
        except services.TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
            return redirect("tasks:detail", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tasks/assign.html", {"form": form}, status=status)


# -- actions -------------------------------------------------------------------------------

FormFactory = Callable[[Any, Task], django_forms.Form]
Perform = Callable[[User, Task, dict[str, Any]], object]


def _act(request: HttpRequest, task: Task, key: str, make_form: FormFactory, perform: Perform) -> HttpResponse:
    """Validate the action's form, call its service; errors re-render the task page with 400."""
    user = signed_in(request)
    form = make_form(request.POST, task)
    error = ""
    if form.is_valid():
        try:
            perform(user, task, form.cleaned_data)
        except services.TaskError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Đã ghi nhận."))
            return redirect("tasks:detail", pk=task.pk)
    else:
        error = _("Thông tin chưa hợp lệ; xem các lỗi bên dưới.")
        if form.non_field_errors() or "version" in form.errors:
            error = " ".join([error, *form.non_field_errors(), *form.errors.get("version", [])])
    task = visible_task(user, task.pk)  # as it is now, for the page
    return _detail(request, task, bound=(key, form), error=error, status=400)


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "accept",
        lambda data, task: forms.AcceptForm(data),
        lambda user, task, d: services.accept_task(
            acting_user=user, task=task, plan=d["plan"], expected_version=d["version"]
        ),
    )


@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "progress",
        lambda data, task: forms.ProgressForm(data),
        lambda user, task, d: services.report_progress(
            acting_user=user, task=task, percent=d["percent"], note=d["note"], expected_version=d["version"]
        ),
    )


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "submit",
        lambda data, task: forms.SubmitForm(data, task=task),
        lambda user, task, d: services.submit_task(
            acting_user=user,
            task=task,
            products_done=dict.fromkeys(d["products_done"], True),
            expected_version=d["version"],
        ),
    )


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "review",
        lambda data, task: forms.ReviewForm(data),
        lambda user, task, d: services.review_task(
            acting_user=user,
            task=task,
            accept=d["decision"] == "accept",
            grade=d["grade"] or None,
            major_errors=d["major_errors"] or 0,
            return_reason=d["return_reason"],
            expected_version=d["version"],
        ),
    )


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "cancel",
        lambda data, task: forms.CancelForm(data),
        lambda user, task, d: services.cancel_task(
            acting_user=user, task=task, reason=d["reason"], expected_version=d["version"]
        ),
    )


@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "extension_request",
        lambda data, task: forms.ExtensionRequestForm(data),
        lambda user, task, d: services.request_extension(
            acting_user=user,
            task=task,
            reason=d["reason"],
            impact=d["impact"],
            proposed_deadline=d["proposed_deadline"],
            expected_version=d["version"],
        ),
    )


@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide one extension round (the URL names the extension; its task must be visible)."""
    extension = Extension.objects.filter(pk=pk, task__in=visible_tasks(request.user)).first()
    if extension is None:
        raise Http404
    return _act(
        request,
        visible_task(request.user, extension.task_id),
        "extension_decide",
        lambda data, task: forms.ExtensionDecideForm(data),
        lambda user, task, d: services.decide_extension(
            acting_user=user,
            extension=extension,
            approve=d["decision"] == "approve",
            note=d["note"],
            expected_version=d["version"],
        ),
    )
