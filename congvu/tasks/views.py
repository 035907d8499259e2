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
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts.models import User
from congvu.accounts.scope import has_capability, people_in_scope, signed_in, unit_in_scope, units_in_scope
from congvu.audit.chain import history
from congvu.core.files import download
from congvu.core.policy import Cap
from congvu.core.xlsx import xlsx_response
from congvu.org.models import Person, Unit, UnitStatus
from congvu.tasks import coordination, difficulties, forms, recurring, services, tallies
from congvu.tasks.buckets import BUCKETS, LABELS, bucket_counts, bucket_of
from congvu.tasks.models import (
    Coordination,
    Difficulty,
    Evidence,
    Extension,
    ExtensionState,
    Finding,
    Meeting,
    Task,
    TaskSeries,
    TaskState,
)
from congvu.tasks.scope import bucket_q, mine_q, subtree_filter, visible_task, visible_tasks

PAGE_SIZE = 25


def _today() -> date:
    return timezone.localdate()


# -- lists ---------------------------------------------------------------------------------


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told how many objects there are (from the tallies) instead of counting them."""

    def __init__(self, object_list: Any, per_page: int, known_count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _task_list(
    request: HttpRequest, tasks: QuerySet[Task], context: dict[str, Any], tallied: Q | None = None
) -> HttpResponse:
    """Filters (state, bucket), the four bucket counts and one page of tasks: constant queries.

    ``tallied``: the filter of today's tallies (``congvu.tasks.tallies``) that selects the same
    tasks as ``tasks``; when given and the tallies are built, the counts come from them instead
    of a count over the tasks (a province has a million).
    """
    today = _today()
    state = request.GET.get("state", "")
    bucket = request.GET.get("bucket", "")
    from_tallies = tallied is not None and tallies.ready(today)
    counts = tallies.counts(tallied, today) if tallied is not None and from_tallies else bucket_counts(tasks, today)
    filtered = tasks
    if state in TaskState.values:
        filtered = filtered.filter(state=state)
    else:
        state = ""
    if bucket in BUCKETS:
        filtered = filtered.filter(bucket_q(bucket, today))
    else:
        bucket = ""
    owner = request.GET.get("owner", "")
    if owner.isdigit() and len(owner) < 19:
        filtered = filtered.filter(owner_id=int(owner))
    filtered = filtered.select_related("lead_unit", "owner").order_by("deadline", "id")
    if request.GET.get("format") == "xlsx":
        return export_tasks(filtered, today, str(context["title"]))
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    context["export_url"] = f"{context['list_url']}?{query.urlencode()}"
    paginator: Paginator = Paginator(filtered, PAGE_SIZE)  # type: ignore[type-arg]
    if from_tallies and not state and not (owner.isdigit() and len(owner) < 19):
        # every task, or one bucket: the tallies know how many (cancelled tasks are in no bucket)
        known = counts[bucket] if bucket else sum(counts.values()) + tasks.filter(state=TaskState.CANCELLED).count()
        paginator = _CountedPaginator(filtered, PAGE_SIZE, known)
    page = paginator.get_page(request.GET.get("page"))
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


TASK_COLUMNS = (
    gettext_lazy("Số hiệu"),
    gettext_lazy("Tên nhiệm vụ"),
    gettext_lazy("Đơn vị chủ trì"),
    gettext_lazy("Người chịu trách nhiệm"),
    gettext_lazy("Ngày giao"),
    gettext_lazy("Hạn hoàn thành"),
    gettext_lazy("Hạn ban đầu"),
    gettext_lazy("Trạng thái"),
    gettext_lazy("Tình trạng thời hạn"),
    gettext_lazy("Ngày hoàn thành"),
)


def export_tasks(tasks: QuerySet[Task], today: date, title: str) -> HttpResponse:
    """The whole filtered list (not only the page on screen) as a spreadsheet."""
    rows = (
        (
            t.pk,
            t.title,
            t.lead_unit.name,
            t.owner.full_name,
            t.assigned_on,
            t.deadline,
            t.original_deadline,
            t.get_state_display(),
            LABELS[b] if (b := bucket_of(t, today)) else "",
            t.completed_on,
        )
        for t in tasks.iterator(chunk_size=2000)
    )
    return xlsx_response(f"nhiem-vu-{today.isoformat()}.xlsx", [(title, TASK_COLUMNS, rows)])


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
    in_subtree = subtree_filter(unit, "lead_unit_id")
    return _task_list(
        request,
        Task.objects.filter(in_subtree),
        {
            "title": _("Nhiệm vụ của đơn vị"),
            "list_url": reverse("tasks:unit_board", args=[unit.pk]),
            "unit": unit,
        },
        tallied=in_subtree,
    )


# -- the task page -------------------------------------------------------------------------


@dataclass
class Action:
    key: str
    title: str | Promise
    button: str | Promise
    url: str
    form: django_forms.Form


def _actions(
    user: User,
    task: Task,
    pending: Extension | None,
    open_difficulties: list[Difficulty],
    open_requests: list[Coordination],
) -> list[Action]:
    """The action forms the user may use on the task in its current state."""
    initial = {"version": task.version}
    today = _today()
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
    task_open = task.state not in (TaskState.DONE, TaskState.CANCELLED)
    if is_owner and task_open:
        actions.append(
            Action(
                "difficulty",
                gettext_lazy("Báo cáo khó khăn, vướng mắc"),
                gettext_lazy("Gửi cấp trên"),
                url("difficulty_raise"),
                forms.DifficultyForm(initial=initial),
            )
        )
    if task_open and coordination.may_request(user, task):
        actions.append(
            Action(
                "coordination",
                gettext_lazy("Đề nghị đơn vị khác phối hợp"),
                gettext_lazy("Gửi đề nghị phối hợp"),
                url("coordination_request"),
                forms.CoordinationForm(initial=initial, find_unit=_no_unit),
            )
        )
    for d in open_difficulties:
        if difficulties.may_answer(user, d):
            actions.append(
                Action(
                    f"difficulty_answer-{d.pk}",
                    gettext_lazy("Trả lời khó khăn, vướng mắc: %(text)s") % {"text": d.description[:80]},
                    gettext_lazy("Gửi trả lời"),
                    reverse("tasks:difficulty_answer", args=[d.pk]),
                    forms.AnswerForm(initial={"version": d.version}),
                )
            )
    for c in open_requests:
        if coordination.may_answer(user, c, today):
            actions.append(
                Action(
                    f"coordination_answer-{c.pk}",
                    gettext_lazy("Trả lời đề nghị phối hợp của %(unit)s") % {"unit": c.from_unit.name},
                    gettext_lazy("Gửi trả lời"),
                    reverse("tasks:coordination_answer", args=[c.pk]),
                    forms.AnswerForm(initial={"version": c.version}),
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
    task_difficulties = list(
        task.difficulties.select_related("addressed_unit", "raised_by", "answered_by").order_by("raised_at", "id")
    )
    coordinations = list(
        task.coordinations.select_related("from_unit", "to_unit", "escalated_to", "answered_by").order_by("due", "id")
    )
    actions = _actions(
        user,
        task,
        pending,
        [d for d in task_difficulties if d.answered_on is None],
        [c for c in coordinations if c.answered_on is None],
    )
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
        "difficulties": task_difficulties,
        "coordinations": [(c, OUTCOMES[coordination.outcome(c, today)]) for c in coordinations],
        "evidence": task.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"),
        "actions": actions,
        "error": error,
        "audit": history("task", task.pk)[:100],
    }
    return render(request, "tasks/detail.html", context, status=status)


OUTCOMES = {
    coordination.ON_TIME: gettext_lazy("Trả lời đúng hạn"),
    coordination.LATE: gettext_lazy("Trả lời muộn"),
    coordination.NEVER: gettext_lazy("Quá hạn chưa trả lời"),
    coordination.PENDING: gettext_lazy("Chờ trả lời"),
}


def _no_unit(code: str) -> Unit | None:
    return None


def _active_unit(code: str) -> Unit | None:
    """Any active unit by its code (a coordinating unit may lie outside the asker's scope)."""
    return Unit.objects.filter(code=code, status=UnitStatus.ACTIVE).first()


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, visible_task(request.user, pk))


@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download one evidence file of a visible task (as an attachment, never rendered inline)."""
    return download(Evidence.objects.filter(pk=pk, task__in=visible_tasks(request.user)).first())


# -- assigning -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    today = _today()

    def find_unit(code: str) -> Unit | None:
        return units_in_scope(user, Cap.TASK_ASSIGN).filter(code=code, status=UnitStatus.ACTIVE).first()

    def find_person(pk: int) -> Person | None:
        return people_in_scope(user, Cap.TASK_ASSIGN, on=today).filter(pk=pk).first()

    initial: dict[str, Any] = {}
    for key, model in (("meeting", Meeting), ("finding", Finding)):
        raw = request.GET.get(key, "")
        if raw.isdigit() and len(raw) < 19 and model.objects.filter(pk=int(raw)).exists():
            initial[key] = int(raw)
    form = forms.AssignForm(
        request.POST or None,
        find_unit=find_unit,
        find_person=find_person,
        find_any_unit=_active_unit,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["frequency"]:
            try:
                series = recurring.create_series(
                    acting_user=user,
                    title=data["title"],
                    description=data["description"],
                    lead_unit=data["lead_unit_code"],
                    owner=data["owner_id"],
                    frequency=data["frequency"],
                    due_day=data["due_day"],
                    meeting=data["meeting"],
                    directive=data["directive"],
                    clause=data["clause"].strip(),
                    priority=data["priority"],
                    products=data["products"],
                    ends_on=data["ends_on"],
                )
            except services.TaskError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã giao nhiệm vụ định kỳ."))
                return redirect(recurring.series_url(series))
            return render(request, "tasks/assign.html", {"form": form, "finding": None}, status=400)
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
                finding=data["finding"],
                coordinators=data["coordinators"],
            )
        except services.TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
            return redirect("tasks:detail", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    finding = Finding.objects.select_related("visit").filter(pk=initial.get("finding") or 0).first()
    return render(request, "tasks/assign.html", {"form": form, "finding": finding}, status=status)


# -- actions -------------------------------------------------------------------------------

FormFactory = Callable[[Any, Any, Task], django_forms.Form]
Perform = Callable[[User, Task, dict[str, Any]], object]


def _act(request: HttpRequest, task: Task, key: str, make_form: FormFactory, perform: Perform) -> HttpResponse:
    """Validate the action's form, call its service; errors re-render the task page with 400."""
    user = signed_in(request)
    form = make_form(request.POST, request.FILES, task)
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
        lambda data, files, task: forms.AcceptForm(data),
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
        lambda data, files, task: forms.ProgressForm(data, files),
        lambda user, task, d: services.report_progress(
            acting_user=user,
            task=task,
            percent=d["percent"],
            note=d["note"],
            files=d["evidence_files"],
            expected_version=d["version"],
        ),
    )


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "submit",
        lambda data, files, task: forms.SubmitForm(data, files, task=task),
        lambda user, task, d: services.submit_task(
            acting_user=user,
            task=task,
            products_done=dict.fromkeys(d["products_done"], True),
            files=d["evidence_files"],
            expected_version=d["version"],
        ),
    )


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "review",
        lambda data, files, task: forms.ReviewForm(data),
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
        lambda data, files, task: forms.CancelForm(data),
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
        lambda data, files, task: forms.ExtensionRequestForm(data),
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
        lambda data, files, task: forms.ExtensionDecideForm(data),
        lambda user, task, d: services.decide_extension(
            acting_user=user,
            extension=extension,
            approve=d["decision"] == "approve",
            note=d["note"],
            expected_version=d["version"],
        ),
    )


@require_POST
def difficulty_raise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "difficulty",
        lambda data, files, task: forms.DifficultyForm(data),
        lambda user, task, d: difficulties.raise_difficulty(
            acting_user=user, task=task, description=d["description"], proposal=d["proposal"]
        ),
    )


@require_POST
def difficulty_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one difficulty (the URL names it; its task must be visible)."""
    item = Difficulty.objects.filter(pk=pk, task__in=visible_tasks(request.user)).first()
    if item is None:
        raise Http404
    return _act(
        request,
        visible_task(request.user, item.task_id),
        f"difficulty_answer-{item.pk}",
        lambda data, files, task: forms.AnswerForm(data),
        lambda user, task, d: difficulties.answer_difficulty(
            acting_user=user, difficulty=item, answer=d["answer"], expected_version=d["version"]
        ),
    )


@require_POST
def coordination_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        visible_task(request.user, pk),
        "coordination",
        lambda data, files, task: forms.CoordinationForm(data, find_unit=_active_unit),
        lambda user, task, d: coordination.request_coordination(
            acting_user=user, task=task, to_unit=d["to_unit_code"], request=d["request"], due=d["due"]
        ),
    )


@require_POST
def coordination_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one coordination request (the URL names it; its task must be visible)."""
    item = Coordination.objects.filter(pk=pk, task__in=visible_tasks(request.user)).first()
    if item is None:
        raise Http404
    return _act(
        request,
        visible_task(request.user, item.task_id),
        f"coordination_answer-{item.pk}",
        lambda data, files, task: forms.AnswerForm(data),
        lambda user, task, d: coordination.answer_coordination(
            acting_user=user, coordination=item, answer=d["answer"], expected_version=d["version"]
        ),
    )


@require_POST
def series_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a recurring task (its assigner); the series must have a visible occurrence."""
    user = signed_in(request)
    series = TaskSeries.objects.filter(pk=pk, occurrences__in=visible_tasks(user)).distinct().first()
    if series is None:
        raise Http404
    try:
        recurring.stop_series(acting_user=user, series=series)
    except services.TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã dừng nhiệm vụ định kỳ."))
    return redirect(recurring.series_url(series))
