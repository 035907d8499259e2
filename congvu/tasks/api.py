"""Task API under ``/api/v1/tasks``: the tasks the caller sees (congvu.tasks.scope), 404 outside.

Writes call the same services as the pages. A refusal is ``422 {"detail", "code": "refused"}``
with the Vietnamese message; a change based on an outdated ``version`` is
``409 {"detail", "code": "conflict"}``; neither changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from congvu.accounts.scope import people_in_scope, scope_paths, signed_in, unit_in_scope, units_in_scope
from congvu.core.policy import Cap
from congvu.org.models import Unit, UnitStatus
from congvu.tasks import coordination, difficulties, services
from congvu.tasks.buckets import BUCKETS, bucket_of
from congvu.tasks.changes import StaleTask, TaskError
from congvu.tasks.models import Coordination, Difficulty, Directive, Extension, Finding, Meeting, Task, TaskState
from congvu.tasks.overview import people_rows, unit_rows
from congvu.tasks.scope import bucket_q, visible_task, visible_tasks

router = Router(tags=["tasks"])


MAX_ID = 2**63 - 1


class TaskFilter(Schema):
    state: str | None = None
    bucket: str | None = None
    lead_unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


class TaskOut(Schema):
    id: int
    title: str
    state: str
    bucket: str | None
    lead_unit_id: int
    owner_id: int
    assigned_by_id: int
    assigned_on: date
    deadline: date
    original_deadline: date
    priority: str
    meeting_id: int | None
    directive_id: int | None
    clause: str
    grade: str | None
    major_errors: int
    completed_on: date | None
    version: int


class TaskList(Schema):
    items: list[TaskOut]
    count: int


class ProductOut(Schema):
    id: int
    code: str
    name: str
    quantity: Decimal
    coefficient: Decimal
    weight: Decimal
    done: bool


class PlanStepOut(Schema):
    order: int
    title: str
    due: date
    done_on: date | None


class ProgressOut(Schema):
    reported_at: datetime
    percent: int
    note: str


class ExtensionOut(Schema):
    id: int
    round: int
    state: str
    reason: str
    impact: str
    previous_deadline: date
    proposed_deadline: date
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str


class DifficultyOut(Schema):
    id: int
    description: str
    proposal: str
    raised_on: date
    addressed_unit_id: int
    level: int
    answer_due: date
    answer: str
    answered_on: date | None
    version: int


class CoordinationOut(Schema):
    id: int
    from_unit_id: int
    to_unit_id: int
    request: str
    due: date
    on_assignment: bool
    answer: str
    answered_on: date | None
    escalated_to_id: int | None
    outcome: str
    version: int


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class TaskDetailOut(TaskOut):
    description: str
    finding_id: int | None
    products: list[ProductOut]
    plan: list[PlanStepOut]
    progress: list[ProgressOut]
    extensions: list[ExtensionOut]
    difficulties: list[DifficultyOut]
    coordinations: list[CoordinationOut]
    evidence: list[EvidenceOut]


class ErrorOut(Schema):
    detail: str
    code: str


def _task_out(task: Task, today: date) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "state": task.state,
        "bucket": bucket_of(task, today),
        "lead_unit_id": task.lead_unit_id,
        "owner_id": task.owner_id,
        "assigned_by_id": task.assigned_by_id,
        "assigned_on": task.assigned_on,
        "deadline": task.deadline,
        "original_deadline": task.original_deadline,
        "priority": task.priority,
        "meeting_id": task.meeting_id,
        "directive_id": task.directive_id,
        "clause": task.clause,
        "grade": task.grade,
        "major_errors": task.major_errors,
        "completed_on": task.completed_on,
        "version": task.version,
    }


@router.get("", response=TaskList, url_name="task_list")
def task_list(request: HttpRequest, filters: Query[TaskFilter]) -> dict[str, Any]:
    today = timezone.localdate()
    tasks = visible_tasks(request.user).order_by("deadline", "id")
    if filters.state is not None:
        tasks = tasks.filter(state=filters.state) if filters.state in TaskState.values else tasks.none()
    if filters.bucket is not None:
        tasks = tasks.filter(bucket_q(filters.bucket, today)) if filters.bucket in BUCKETS else tasks.none()
    if filters.lead_unit_id is not None:
        tasks = tasks.filter(lead_unit_id=filters.lead_unit_id)
    page = tasks[filters.offset : filters.offset + filters.limit]
    return {"items": [_task_out(t, today) for t in page], "count": tasks.count()}


def _detail(task: Task) -> dict[str, Any]:
    today = timezone.localdate()
    return _task_out(task, today) | {
        "description": task.description,
        "finding_id": task.finding_id,
        "difficulties": [
            {
                "id": d.pk,
                "description": d.description,
                "proposal": d.proposal,
                "raised_on": d.raised_on,
                "addressed_unit_id": d.addressed_unit_id,
                "level": d.level,
                "answer_due": d.answer_due,
                "answer": d.answer,
                "answered_on": d.answered_on,
                "version": d.version,
            }
            for d in task.difficulties.order_by("raised_at", "id")
        ],
        "coordinations": [
            {
                "id": c.pk,
                "from_unit_id": c.from_unit_id,
                "to_unit_id": c.to_unit_id,
                "request": c.request,
                "due": c.due,
                "on_assignment": c.on_assignment,
                "answer": c.answer,
                "answered_on": c.answered_on,
                "escalated_to_id": c.escalated_to_id,
                "outcome": coordination.outcome(c, today),
                "version": c.version,
            }
            for c in task.coordinations.order_by("due", "id")
        ],
        "evidence": [
            {
                "id": e.pk,
                "name": e.name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "uploaded_at": e.uploaded_at,
            }
            for e in task.evidence.order_by("uploaded_at", "id")
        ],
        "products": [
            {
                "id": p.pk,
                "code": p.product_type.code,
                "name": p.product_type.name,
                "quantity": p.quantity,
                "coefficient": p.coefficient,
                "weight": p.weight,
                "done": p.done,
            }
            for p in task.products.select_related("product_type").order_by("id")
        ],
        "plan": [
            {"order": s.order, "title": s.title, "due": s.due, "done_on": s.done_on}
            for s in task.plan_steps.order_by("order")
        ],
        "progress": [
            {"reported_at": r.reported_at, "percent": r.percent, "note": r.note}
            for r in task.progress_reports.order_by("reported_at", "id")
        ],
        "extensions": [
            {
                "id": e.pk,
                "round": e.round,
                "state": e.state,
                "reason": e.reason,
                "impact": e.impact,
                "previous_deadline": e.previous_deadline,
                "proposed_deadline": e.proposed_deadline,
                "requested_at": e.requested_at,
                "decided_at": e.decided_at,
                "decision_note": e.decision_note,
            }
            for e in task.extensions.order_by("round")
        ],
    }


@router.get("/{int:task_id}", response=TaskDetailOut, url_name="task_detail")
def task_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _detail(visible_task(request.user, task_id))


# -- writes --------------------------------------------------------------------------------

WRITE = {200: TaskDetailOut, 201: TaskDetailOut, 409: ErrorOut, 422: ErrorOut}


def _perform(action: Callable[[], object], task_id: int, request: HttpRequest, created: bool = False) -> Any:
    """Run a service; its refusal or conflict becomes a structured answer, success the task as it is now."""
    try:
        action()
    except StaleTask as exc:
        return Status(409, {"detail": str(exc), "code": "conflict"})
    except TaskError as exc:
        return _refused(str(exc))
    detail = _detail(visible_task(request.user, task_id))
    return Status(201, detail) if created else detail


def _refused(message: str) -> Status[dict[str, str]]:
    return Status(422, {"detail": message, "code": "refused"})


class ProductIn(Schema):
    code: str = Field(..., max_length=40)
    quantity: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)


class CoordinatorIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    request: str = Field(..., max_length=5000)
    due: date


class AssignIn(Schema):
    title: str = Field(..., max_length=500)
    description: str = Field("", max_length=20000)
    lead_unit_id: int = Field(..., ge=1, le=MAX_ID)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    deadline: date | None = None
    working_days: int | None = Field(None, ge=1, le=1000)
    meeting_id: int | None = Field(None, ge=1, le=MAX_ID)
    directive_id: int | None = Field(None, ge=1, le=MAX_ID)
    finding_id: int | None = Field(None, ge=1, le=MAX_ID)
    clause: str = Field("", max_length=200)
    priority: str = Field("normal", max_length=10)
    products: list[ProductIn] = Field(default_factory=list, max_length=100)
    coordinators: list[CoordinatorIn] = Field(default_factory=list, max_length=50)


@router.post("/assign", response={201: TaskDetailOut, 409: ErrorOut, 422: ErrorOut}, url_name="task_assign")
def task_assign(request: HttpRequest, body: AssignIn) -> Any:
    """Assign a task (the lead unit within the caller's task.assign scope)."""
    user = signed_in(request)
    today = timezone.localdate()
    lead = units_in_scope(user, Cap.TASK_ASSIGN).filter(pk=body.lead_unit_id).first()
    if lead is None:
        return _refused(f"Không có đơn vị số {body.lead_unit_id} trong phạm vi giao nhiệm vụ của bạn.")
    owner = people_in_scope(user, Cap.TASK_ASSIGN, on=today).filter(pk=body.owner_id).first()
    if owner is None:
        return _refused(f"Không có cán bộ số {body.owner_id} trong phạm vi của bạn.")
    sources: dict[str, Any] = {}
    for key, model, raw in (
        ("meeting", Meeting, body.meeting_id),
        ("directive", Directive, body.directive_id),
        ("finding", Finding, body.finding_id),
    ):
        if raw is not None:
            found = model.objects.filter(pk=raw).first()
            if found is None:
                return _refused(f"Không có nguồn giao {key} số {raw}.")
            sources[key] = found
    units = {
        u.pk: u for u in Unit.objects.filter(pk__in=[c.unit_id for c in body.coordinators], status=UnitStatus.ACTIVE)
    }
    for c in body.coordinators:
        if c.unit_id not in units:
            return _refused(f"Không có đơn vị đang hoạt động số {c.unit_id}.")
    try:
        task = services.assign_task(
            acting_user=user,
            title=body.title,
            description=body.description,
            lead_unit=lead,
            owner=owner,
            deadline=body.deadline,
            working_days=body.working_days,
            clause=body.clause,
            priority=body.priority,
            products=[(p.code, p.quantity) for p in body.products],
            coordinators=[(units[c.unit_id], c.request, c.due) for c in body.coordinators],
            **sources,
        )
    except TaskError as exc:
        return _refused(str(exc))
    return Status(201, _detail(visible_task(user, task.pk)))


class Versioned(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)


class PlanStepIn(Schema):
    title: str = Field(..., max_length=500)
    due: date


class AcceptIn(Versioned):
    plan: list[PlanStepIn] = Field(..., max_length=100)


@router.post("/{int:task_id}/accept", response=WRITE, url_name="task_accept")
def task_accept(request: HttpRequest, task_id: int, body: AcceptIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: services.accept_task(
            acting_user=signed_in(request),
            task=task,
            plan=[(s.title, s.due) for s in body.plan],
            expected_version=body.version,
        ),
        task.pk,
        request,
    )


class ProgressIn(Versioned):
    percent: int = Field(..., ge=0, le=100)
    note: str = Field("", max_length=20000)


@router.post("/{int:task_id}/progress", response=WRITE, url_name="task_progress")
def task_progress(request: HttpRequest, task_id: int, body: ProgressIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: services.report_progress(
            acting_user=signed_in(request),
            task=task,
            percent=body.percent,
            note=body.note,
            expected_version=body.version,
        ),
        task.pk,
        request,
    )


class SubmitIn(Versioned):
    products_done: list[int] = Field(default_factory=list, max_length=100)


@router.post("/{int:task_id}/submit", response=WRITE, url_name="task_submit")
def task_submit(request: HttpRequest, task_id: int, body: SubmitIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: services.submit_task(
            acting_user=signed_in(request),
            task=task,
            products_done=dict.fromkeys(body.products_done, True),
            expected_version=body.version,
        ),
        task.pk,
        request,
    )


class ReviewIn(Versioned):
    accept: bool
    grade: str | None = Field(None, max_length=10)
    major_errors: int = Field(0, ge=0, le=1000)
    return_reason: str = Field("", max_length=20000)


@router.post("/{int:task_id}/review", response=WRITE, url_name="task_review")
def task_review(request: HttpRequest, task_id: int, body: ReviewIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: services.review_task(
            acting_user=signed_in(request),
            task=task,
            accept=body.accept,
            grade=body.grade,
            major_errors=body.major_errors,
            return_reason=body.return_reason,
            expected_version=body.version,
        ),
        task.pk,
        request,
    )


class CancelIn(Versioned):
    reason: str = Field(..., max_length=20000)


@router.post("/{int:task_id}/cancel", response=WRITE, url_name="task_cancel")
def task_cancel(request: HttpRequest, task_id: int, body: CancelIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: services.cancel_task(
            acting_user=signed_in(request), task=task, reason=body.reason, expected_version=body.version
        ),
        task.pk,
        request,
    )


class ExtensionIn(Versioned):
    proposed_deadline: date
    reason: str = Field(..., max_length=20000)
    impact: str = Field("", max_length=20000)


@router.post("/{int:task_id}/extensions", response=WRITE, url_name="task_extension_request")
def task_extension_request(request: HttpRequest, task_id: int, body: ExtensionIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: services.request_extension(
            acting_user=signed_in(request),
            task=task,
            reason=body.reason,
            impact=body.impact,
            proposed_deadline=body.proposed_deadline,
            expected_version=body.version,
        ),
        task.pk,
        request,
    )


class DecisionIn(Versioned):
    approve: bool
    note: str = Field("", max_length=20000)


@router.post("/extensions/{int:extension_id}/decision", response=WRITE, url_name="extension_decide")
def extension_decide(request: HttpRequest, extension_id: int, body: DecisionIn) -> Any:
    """Decide an extension round; ``version`` is the task's."""
    extension = Extension.objects.filter(pk=extension_id, task__in=visible_tasks(request.user)).first()
    if extension is None:
        raise Http404
    return _perform(
        lambda: services.decide_extension(
            acting_user=signed_in(request),
            extension=extension,
            approve=body.approve,
            note=body.note,
            expected_version=body.version,
        ),
        extension.task_id,
        request,
    )


class DifficultyIn(Schema):
    description: str = Field(..., max_length=20000)
    proposal: str = Field("", max_length=20000)


@router.post("/{int:task_id}/difficulties", response=WRITE, url_name="difficulty_raise")
def difficulty_raise(request: HttpRequest, task_id: int, body: DifficultyIn) -> Any:
    task = visible_task(request.user, task_id)
    return _perform(
        lambda: difficulties.raise_difficulty(
            acting_user=signed_in(request), task=task, description=body.description, proposal=body.proposal
        ),
        task.pk,
        request,
        created=True,
    )


class AnswerIn(Versioned):
    answer: str = Field(..., max_length=20000)


@router.post("/difficulties/{int:difficulty_id}/answer", response=WRITE, url_name="difficulty_answer")
def difficulty_answer(request: HttpRequest, difficulty_id: int, body: AnswerIn) -> Any:
    """Answer a difficulty; ``version`` is the difficulty's."""
    item = Difficulty.objects.filter(pk=difficulty_id, task__in=visible_tasks(request.user)).first()
    if item is None:
        raise Http404
    return _perform(
        lambda: difficulties.answer_difficulty(
            acting_user=signed_in(request), difficulty=item, answer=body.answer, expected_version=body.version
        ),
        item.task_id,
        request,
    )


class CoordinationIn(Schema):
    to_unit_id: int = Field(..., ge=1, le=MAX_ID)
    request: str = Field(..., max_length=20000)
    due: date


@router.post("/{int:task_id}/coordinations", response=WRITE, url_name="coordination_request")
def coordination_request(request: HttpRequest, task_id: int, body: CoordinationIn) -> Any:
    task = visible_task(request.user, task_id)
    to_unit = Unit.objects.filter(pk=body.to_unit_id).first()
    if to_unit is None:
        return _refused(f"Không có đơn vị số {body.to_unit_id}.")
    return _perform(
        lambda: coordination.request_coordination(
            acting_user=signed_in(request), task=task, to_unit=to_unit, request=body.request, due=body.due
        ),
        task.pk,
        request,
        created=True,
    )


@router.post("/coordinations/{int:coordination_id}/answer", response=WRITE, url_name="coordination_answer")
def coordination_answer(request: HttpRequest, coordination_id: int, body: AnswerIn) -> Any:
    """Answer a coordination request; ``version`` is the request's."""
    item = Coordination.objects.filter(pk=coordination_id, task__in=visible_tasks(request.user)).first()
    if item is None:
        raise Http404
    return _perform(
        lambda: coordination.answer_coordination(
            acting_user=signed_in(request), coordination=item, answer=body.answer, expected_version=body.version
        ),
        item.task_id,
        request,
    )


class UnitRowOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    own: bool
    total: int
    buckets: dict[str, int]
    extensions: int
    open_difficulties: int
    coordination: dict[str, int]


class PersonRowOut(Schema):
    person_id: int
    full_name: str
    buckets: dict[str, int]


class OverviewOut(Schema):
    unit_id: int
    date: date
    units: list[UnitRowOut]
    people: list[PersonRowOut]


class OverviewQuery(Schema):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.get("/overview", response=OverviewOut, url_name="task_overview")
def task_overview(request: HttpRequest, query: Query[OverviewQuery]) -> dict[str, Any]:
    """The leader's overview of a unit in scope: its own row, one per sub-unit, and the people who are late."""
    today = timezone.localdate()
    if query.unit_id is not None:
        unit = unit_in_scope(request.user, Cap.ORG_VIEW, query.unit_id)
    else:
        unit = Unit.objects.get(path=scope_paths(request.user, Cap.ORG_VIEW)[0])
    return {
        "unit_id": unit.pk,
        "date": today,
        "units": [
            {
                "unit_id": r.unit.pk,
                "unit_code": r.unit.code,
                "unit_name": r.unit.name,
                "own": r.own,
                "total": r.total,
                "buckets": r.buckets,
                "extensions": r.extensions,
                "open_difficulties": r.difficulties,
                "coordination": r.responsiveness,
            }
            for r in unit_rows(unit, today)
        ],
        "people": [
            {"person_id": p["id"], "full_name": p["name"], "buckets": dict(zip(BUCKETS, p["buckets"], strict=True))}
            for p in people_rows(unit, today)
        ],
    }
