"""What every change to a task shares: its errors, locking, version check, and audit event.

Used by the lifecycle services and by those of difficulties and coordination, so that a
refusal reads the same and every change is recorded the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.audit.chain import record
from congvu.tasks import tallies
from congvu.tasks.models import Task


class TaskError(ValueError):
    """A change that task assignment refuses, with a Vietnamese message for the screen."""


class StaleTask(TaskError):
    """The task changed since the caller read it (optimistic concurrency)."""


TASK_FIELDS = (
    "title",
    "lead_unit_id",
    "owner_id",
    "assigned_on",
    "deadline",
    "original_deadline",
    "priority",
    "state",
    "grade",
    "major_errors",
    "submitted_on",
    "completed_on",
    "version",
)


def task_state(task: Task) -> dict[str, Any]:
    return {f: getattr(task, f) for f in TASK_FIELDS}


def record_task(
    acting_user: User,
    action: str,
    task: Task,
    before: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
    also: Sequence[tuple[str, str]] = (),
) -> None:
    """The audit event of one change to a task: its state before and after, plus what the change adds."""
    record(
        acting_user=acting_user,
        action=action,
        object_type="task",
        object_id=task.pk,
        object_label=task.title,
        before=before,
        after=task_state(task) | (extra or {}),
        subjects=[*task_subjects(task), *also],
    )


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def lock_task(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def check_version(task: Task, expected: int | None) -> None:
    if expected is not None and task.version != expected:
        raise StaleTask(_("Nhiệm vụ đã được người khác thay đổi; vui lòng tải lại trang và thử lại."))


def require_state(task: Task, allowed: frozenset[str], action: str) -> None:
    if task.state not in allowed:
        raise TaskError(
            _("Không thể %(action)s khi nhiệm vụ đang ở trạng thái “%(state)s”.")
            % {"action": action, "state": task.get_state_display()}
        )


def require_owner(acting_user: User, task: Task, action: str) -> None:
    if acting_user.person_id is None or acting_user.person_id != task.owner_id:
        raise TaskError(_("Chỉ người chịu trách nhiệm thực hiện nhiệm vụ mới được %(action)s.") % {"action": action})


def require_assigner(acting_user: User, task: Task, action: str) -> None:
    if acting_user.pk != task.assigned_by_id:
        raise TaskError(_("Chỉ người giao nhiệm vụ mới được %(action)s.") % {"action": action})


def save_task(task: Task, fields: list[str]) -> None:
    """Save the changed ``fields`` of a locked task, its version moved on, and today's tallies with it."""
    before = tallies.stored(task.pk) if tallies.TALLIED_FIELDS.intersection(fields) else None
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])
    if before is not None:
        tallies.moved(before=before, task=task)


def task_subjects(task: Task) -> list[tuple[str, str]]:
    return [("unit", str(task.lead_unit_id)), ("person", str(task.owner_id))]
