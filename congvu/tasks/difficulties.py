"""Difficulties (khó khăn, vướng mắc): reported upward, answered on a deadline, escalated when not.

The owner of a task reports a difficulty to the level above them: the lead unit's
leaders, or, when the owner leads that unit, the unit above it. That level answers within
:data:`congvu.tasks.rules.DIFFICULTY_ANSWER_DEADLINE` working days; a difficulty still
unanswered after its day moves one level up the unit tree (the sweep does it), with a new
answer day, until the top of the province.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.accounts.scope import scope_paths
from congvu.audit.chain import Change, record, record_many
from congvu.core.policy import Cap
from congvu.core.workcal import default_calendar
from congvu.notifications.models import Kind
from congvu.notifications.services import heads_of, notify, users_of
from congvu.org.models import Unit
from congvu.tasks.changes import TaskError, dmy, require_owner
from congvu.tasks.models import Difficulty, Task, TaskState
from congvu.tasks.rules import DIFFICULTY_ANSWER_DEADLINE

RAISE: Final = "tasks.difficulty.raise"
ANSWER: Final = "tasks.difficulty.answer"
ESCALATE: Final = "tasks.difficulty.escalate"


def answer_due(day: date) -> date:
    return default_calendar().add_working_days(day, DIFFICULTY_ANSWER_DEADLINE["working_days"])


def first_level(user: User, task: Task) -> Unit:
    """The level a difficulty goes to: the lead unit, or the unit above it when the user leads the lead unit."""
    lead = task.lead_unit
    leads_it = any(lead.path.startswith(p) for p in scope_paths(user, Cap.TASK_ASSIGN))
    if leads_it and lead.parent_id is not None:
        return Unit.objects.get(pk=lead.parent_id)
    return lead


def may_answer(user: User, difficulty: Difficulty) -> bool:
    """The task's assigner, or a leader whose scope covers the level the difficulty is at (not its author)."""
    if user.pk == difficulty.raised_by_id:
        return False
    if user.pk == difficulty.task.assigned_by_id:
        return True
    path = difficulty.addressed_unit.path
    return any(path.startswith(p) for p in scope_paths(user, Cap.TASK_ASSIGN))


def _state(d: Difficulty) -> dict[str, Any]:
    return {
        "task_id": d.task_id,
        "addressed_unit_id": d.addressed_unit_id,
        "level": d.level,
        "answer_due": d.answer_due,
        "answered_on": d.answered_on,
        "version": d.version,
    }


def _subjects(d: Difficulty) -> list[tuple[str, str]]:
    return [("task", str(d.task_id)), ("unit", str(d.addressed_unit_id))]


def _notify_level(d: Difficulty, task: Task, *, escalated: bool) -> None:
    recipients = list(heads_of(d.addressed_unit))
    if not escalated:
        recipients.append(task.assigned_by)
    notify(
        recipients,
        key=f"difficulty:{d.pk}:{d.level}",
        kind=Kind.ESCALATION if escalated else Kind.DIFFICULTY,
        title=(
            _("Khó khăn, vướng mắc chưa được trả lời, chuyển lên: %(task)s")
            if escalated
            else _("Khó khăn, vướng mắc cần trả lời: %(task)s")
        )
        % {"task": task.title},
        body=_("Trả lời trước ngày %(due)s. %(text)s") % {"due": dmy(d.answer_due), "text": d.description},
        url=reverse("tasks:detail", args=[task.pk]),
        exclude=d.raised_by,
    )


@transaction.atomic
def raise_difficulty(*, acting_user: User, task: Task, description: str, proposal: str = "") -> Difficulty:
    task = Task.objects.select_related("lead_unit", "assigned_by").get(pk=task.pk)
    require_owner(acting_user, task, _("báo cáo khó khăn, vướng mắc"))
    if task.state in (TaskState.DONE, TaskState.CANCELLED):
        raise TaskError(_("Nhiệm vụ đã kết thúc; không thể báo cáo khó khăn, vướng mắc."))
    if not description.strip():
        raise TaskError(_("Hãy nêu nội dung khó khăn, vướng mắc."))
    today = timezone.localdate()
    difficulty = Difficulty.objects.create(
        task=task,
        description=description.strip(),
        proposal=proposal.strip(),
        raised_by=acting_user,
        raised_at=timezone.now(),
        raised_on=today,
        addressed_unit=first_level(acting_user, task),
        answer_due=answer_due(today),
    )
    record(
        acting_user=acting_user,
        action=RAISE,
        object_type="difficulty",
        object_id=difficulty.pk,
        object_label=task.title,
        after=_state(difficulty) | {"description": difficulty.description, "proposal": difficulty.proposal},
        subjects=_subjects(difficulty),
    )
    _notify_level(difficulty, task, escalated=False)
    return difficulty


@transaction.atomic
def answer_difficulty(
    *, acting_user: User, difficulty: Difficulty, answer: str, expected_version: int | None = None
) -> Difficulty:
    d = Difficulty.objects.select_for_update().select_related("task", "addressed_unit").get(pk=difficulty.pk)
    if expected_version is not None and d.version != expected_version:
        raise TaskError(_("Khó khăn, vướng mắc đã được người khác xử lý; vui lòng tải lại trang và thử lại."))
    if d.answered_on is not None:
        raise TaskError(_("Khó khăn, vướng mắc này đã được trả lời ngày %(day)s.") % {"day": dmy(d.answered_on)})
    if not may_answer(acting_user, d):
        raise TaskError(
            _("Chỉ người giao nhiệm vụ hoặc lãnh đạo của %(unit)s mới được trả lời.") % {"unit": d.addressed_unit.name}
        )
    if not answer.strip():
        raise TaskError(_("Nội dung trả lời không được để trống."))
    before = _state(d)
    d.answer = answer.strip()
    d.answered_by = acting_user
    d.answered_at = timezone.now()
    d.answered_on = timezone.localdate()
    d.version += 1
    d.save(update_fields=["answer", "answered_by", "answered_at", "answered_on", "version"])
    record(
        acting_user=acting_user,
        action=ANSWER,
        object_type="difficulty",
        object_id=d.pk,
        object_label=d.task.title,
        before=before,
        after=_state(d) | {"answer": d.answer, "on_time": d.answered_on <= d.answer_due},
        subjects=_subjects(d),
    )
    notify(
        [*users_of([d.task.owner_id]), d.raised_by],
        key=f"difficulty-answer:{d.pk}",
        kind=Kind.DIFFICULTY,
        title=_("Khó khăn, vướng mắc đã được trả lời: %(task)s") % {"task": d.task.title},
        body=d.answer,
        url=reverse("tasks:detail", args=[d.task_id]),
        exclude=acting_user,
    )
    return d


def escalate_overdue(today: date) -> int:
    """Move every unanswered difficulty past its answer day one level up; returns how many moved.

    Runs inside the sweep's transaction. A difficulty already at the top stays there.
    """
    overdue = list(
        Difficulty.objects.select_for_update()
        .filter(answered_on__isnull=True, answer_due__lt=today, addressed_unit__parent__isnull=False)
        .exclude(task__state__in=[TaskState.DONE, TaskState.CANCELLED])
        .select_related("task", "addressed_unit__parent", "raised_by")
        .order_by("id")
    )
    changes = []
    for d in overdue:
        before = _state(d)
        parent = d.addressed_unit.parent
        assert parent is not None
        d.addressed_unit = parent
        d.level += 1
        d.answer_due = answer_due(today)
        d.version += 1
        d.save(update_fields=["addressed_unit", "level", "answer_due", "version"])
        changes.append(Change(ESCALATE, "difficulty", str(d.pk), d.task.title, before, _state(d), _subjects(d)))
        _notify_level(d, d.task, escalated=True)
    if changes:
        record_many(acting_user=None, changes=changes)
    return len(changes)
