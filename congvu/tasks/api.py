"""Task API under ``/api/v1/tasks``: the tasks the caller sees (congvu.tasks.scope), 404 outside."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from congvu.tasks.buckets import BUCKETS, bucket_of
from congvu.tasks.models import Task, TaskState
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


class TaskDetailOut(TaskOut):
    description: str
    products: list[ProductOut]
    plan: list[PlanStepOut]
    progress: list[ProgressOut]
    extensions: list[ExtensionOut]


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


@router.get("/{task_id}", response=TaskDetailOut, url_name="task_detail")
def task_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = visible_task(request.user, task_id)
    return _task_out(task, timezone.localdate()) | {
        "description": task.description,
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
