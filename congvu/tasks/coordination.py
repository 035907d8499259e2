"""Coordination (phối hợp): a unit asks another for input on a task by a date.

A coordinating unit named when the task is assigned and a request made later are the same
record. The asked unit's answer is timed; a request still unanswered after its date goes
to the lowest unit above both (the common superior), whose leaders are told. Each unit's
responsiveness (answered on time, late, never) is counted by :func:`responsiveness`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.accounts.scope import scope_paths
from congvu.audit.chain import Change, record, record_many
from congvu.core.policy import Cap
from congvu.notifications.models import Kind
from congvu.notifications.services import heads_of, notify, users_of
from congvu.org.models import Appointment, Unit, UnitStatus
from congvu.tasks.changes import TaskError, dmy
from congvu.tasks.models import Coordination, Task, TaskState

REQUEST: Final = "tasks.coordination.request"
ANSWER: Final = "tasks.coordination.answer"
ESCALATE: Final = "tasks.coordination.escalate"

ON_TIME: Final = "on_time"
LATE: Final = "late"
NEVER: Final = "never"
PENDING: Final = "pending"
SEGMENT: Final = 9  # one level of Unit.path: eight digits and a slash

CLOSED_TASK_STATES: Final = frozenset({TaskState.DONE, TaskState.CANCELLED})


def common_superior(a: Unit, b: Unit) -> Unit | None:
    """The lowest unit that has both ``a`` and ``b`` in its subtree (None across provinces)."""
    prefix = ""
    for i in range(0, min(len(a.path), len(b.path)), SEGMENT):
        if a.path[i : i + SEGMENT] != b.path[i : i + SEGMENT]:
            break
        prefix = a.path[: i + SEGMENT]
    if not prefix:
        return None
    return Unit.objects.get(path=prefix)


def check_request(*, from_unit: Unit, to_unit: Unit, request: str, due: date, today: date, deadline: date) -> str:
    """Validate one coordination (at assignment or later); returns the cleaned request text."""
    text = request.strip()
    if not text:
        raise TaskError(_("Hãy nêu nội dung cần phối hợp và sản phẩm phối hợp."))
    if to_unit.pk == from_unit.pk:
        raise TaskError(_("Đơn vị phối hợp phải khác đơn vị chủ trì."))
    if to_unit.status != UnitStatus.ACTIVE:
        raise TaskError(_("Đơn vị %(name)s không còn hoạt động.") % {"name": to_unit.name})
    if to_unit.path[:SEGMENT] != from_unit.path[:SEGMENT]:
        raise TaskError(_("Đơn vị %(name)s không thuộc cùng tỉnh.") % {"name": to_unit.name})
    if not today <= due <= deadline:
        raise TaskError(
            _("Hạn phối hợp %(due)s phải nằm trong khoảng từ %(start)s đến hạn của nhiệm vụ %(end)s.")
            % {"due": dmy(due), "start": dmy(today), "end": dmy(deadline)}
        )
    return text


def _recipients(coordination: Coordination) -> QuerySet[User]:
    return heads_of(coordination.to_unit)


def _notify_request(coordination: Coordination, task: Task) -> None:
    notify(
        _recipients(coordination),
        key=f"coordination:{coordination.pk}",
        kind=Kind.COORDINATION,
        title=_("Đề nghị phối hợp: %(task)s") % {"task": task.title},
        body=_("%(unit)s đề nghị phối hợp trước ngày %(due)s: %(request)s")
        % {"unit": coordination.from_unit.name, "due": dmy(coordination.due), "request": coordination.request},
        url=reverse("tasks:detail", args=[task.pk]),
        exclude=coordination.requested_by,
    )


def _state(c: Coordination) -> dict[str, Any]:
    return {
        "task_id": c.task_id,
        "from_unit_id": c.from_unit_id,
        "to_unit_id": c.to_unit_id,
        "request": c.request,
        "due": c.due,
        "answered_on": c.answered_on,
        "escalated_to_id": c.escalated_to_id,
        "version": c.version,
    }


def _subjects(c: Coordination) -> list[tuple[str, str]]:
    return [("task", str(c.task_id)), ("unit", str(c.from_unit_id)), ("unit", str(c.to_unit_id))]


def create_on_assignment(
    *, acting_user: User, task: Task, coordinators: Iterable[tuple[Unit, str, date]]
) -> list[Coordination]:
    """The coordinating units of a newly assigned task (inside ``assign_task``'s transaction and audit event)."""
    now = timezone.now()
    rows: list[Coordination] = []
    seen: set[int] = set()
    for unit, request, due in coordinators:
        if unit.pk in seen:
            raise TaskError(_("Đơn vị %(name)s được nêu hai lần trong các đơn vị phối hợp.") % {"name": unit.name})
        seen.add(unit.pk)
        text = check_request(
            from_unit=task.lead_unit,
            to_unit=unit,
            request=request,
            due=due,
            today=task.assigned_on,
            deadline=task.deadline,
        )
        rows.append(
            Coordination(
                task=task,
                from_unit=task.lead_unit,
                to_unit=unit,
                request=text,
                due=due,
                on_assignment=True,
                requested_by=acting_user,
                requested_at=now,
                requested_on=task.assigned_on,
            )
        )
    for row in rows:
        row.save()
        _notify_request(row, task)
    return rows


def may_request(user: User, task: Task) -> bool:
    """The owner, the assigner, or a leader over the lead unit asks for coordination."""
    if user.pk == task.assigned_by_id or (user.person_id is not None and user.person_id == task.owner_id):
        return True
    return any(task.lead_unit.path.startswith(p) for p in scope_paths(user, Cap.TASK_ASSIGN))


def may_answer(user: User, coordination: Coordination, today: date) -> bool:
    """A leader over the asked unit, or an official currently holding a post in it, answers."""
    path = coordination.to_unit.path
    if any(path.startswith(p) for p in scope_paths(user, Cap.TASK_ASSIGN)):
        return True
    if user.person_id is None:
        return False
    return (
        Appointment.objects.filter(person_id=user.person_id, unit__path__startswith=path, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exists()
    )


@transaction.atomic
def request_coordination(*, acting_user: User, task: Task, to_unit: Unit, request: str, due: date) -> Coordination:
    task = Task.objects.select_related("lead_unit").get(pk=task.pk)
    if not may_request(acting_user, task):
        raise TaskError(
            _("Chỉ người chịu trách nhiệm, người giao hoặc lãnh đạo đơn vị chủ trì mới được đề nghị phối hợp.")
        )
    if task.state in CLOSED_TASK_STATES:
        raise TaskError(_("Nhiệm vụ đã kết thúc; không thể đề nghị phối hợp."))
    today = timezone.localdate()
    text = check_request(
        from_unit=task.lead_unit, to_unit=to_unit, request=request, due=due, today=today, deadline=task.deadline
    )
    coordination = Coordination.objects.create(
        task=task,
        from_unit=task.lead_unit,
        to_unit=to_unit,
        request=text,
        due=due,
        requested_by=acting_user,
        requested_at=timezone.now(),
        requested_on=today,
    )
    record(
        acting_user=acting_user,
        action=REQUEST,
        object_type="coordination",
        object_id=coordination.pk,
        object_label=task.title,
        after=_state(coordination),
        subjects=_subjects(coordination),
    )
    _notify_request(coordination, task)
    return coordination


@transaction.atomic
def answer_coordination(
    *, acting_user: User, coordination: Coordination, answer: str, expected_version: int | None = None
) -> Coordination:
    c = Coordination.objects.select_for_update().select_related("to_unit", "task").get(pk=coordination.pk)
    if expected_version is not None and c.version != expected_version:
        raise TaskError(_("Đề nghị phối hợp đã được người khác thay đổi; vui lòng tải lại trang và thử lại."))
    today = timezone.localdate()
    if c.answered_on is not None:
        raise TaskError(_("Đề nghị phối hợp này đã được trả lời ngày %(day)s.") % {"day": dmy(c.answered_on)})
    if not may_answer(acting_user, c, today):
        raise TaskError(_("Chỉ lãnh đạo hoặc công chức của %(unit)s mới được trả lời.") % {"unit": c.to_unit.name})
    if not answer.strip():
        raise TaskError(_("Nội dung trả lời không được để trống."))
    before = _state(c)
    c.answer = answer.strip()
    c.answered_by = acting_user
    c.answered_at = timezone.now()
    c.answered_on = today
    c.version += 1
    c.save(update_fields=["answer", "answered_by", "answered_at", "answered_on", "version"])
    record(
        acting_user=acting_user,
        action=ANSWER,
        object_type="coordination",
        object_id=c.pk,
        object_label=c.task.title,
        before=before,
        after=_state(c) | {"answer": c.answer, "on_time": today <= c.due},
        subjects=_subjects(c),
    )
    notify(
        [*users_of([c.task.owner_id]), c.requested_by],
        key=f"coordination-answer:{c.pk}",
        kind=Kind.COORDINATION,
        title=_("%(unit)s đã trả lời đề nghị phối hợp") % {"unit": c.to_unit.name},
        body=c.answer,
        url=reverse("tasks:detail", args=[c.task_id]),
        exclude=acting_user,
    )
    return c


def escalate_overdue(today: date) -> int:
    """Send every unanswered request past its date to the common superior (once); returns how many.

    Runs inside the sweep's transaction; one audit event covers the escalations of the run.
    """
    overdue = list(
        Coordination.objects.select_for_update()
        .filter(answered_on__isnull=True, escalated_to__isnull=True, due__lt=today)
        .exclude(task__state__in=CLOSED_TASK_STATES)
        .select_related("from_unit", "to_unit", "task")
        .order_by("id")
    )
    changes = []
    for c in overdue:
        superior = common_superior(c.from_unit, c.to_unit)
        if superior is None:
            continue
        before = _state(c)
        c.escalated_to = superior
        c.escalated_on = today
        c.version += 1
        c.save(update_fields=["escalated_to", "escalated_on", "version"])
        changes.append(
            Change(
                ESCALATE,
                "coordination",
                str(c.pk),
                c.task.title,
                before,
                _state(c),
                [*_subjects(c), ("unit", str(superior.pk))],
            )
        )
        notify(
            heads_of(superior),
            key=f"coordination-escalated:{c.pk}",
            kind=Kind.ESCALATION,
            title=_("Đề nghị phối hợp quá hạn chưa được trả lời: %(task)s") % {"task": c.task.title},
            body=_("%(to)s chưa trả lời đề nghị phối hợp của %(from)s (hạn %(due)s): %(request)s")
            % {"to": c.to_unit.name, "from": c.from_unit.name, "due": dmy(c.due), "request": c.request},
            url=reverse("tasks:detail", args=[c.task_id]),
        )
    if changes:
        record_many(acting_user=None, changes=changes)
    return len(changes)


def outcome(c: Coordination, today: date) -> str:
    """On time, late, never (unanswered past its date) or pending (unanswered, not yet due)."""
    if c.answered_on is not None:
        return ON_TIME if c.answered_on <= c.due else LATE
    return NEVER if c.due < today else PENDING


OUTCOME_KEYS: Final = (ON_TIME, LATE, NEVER, PENDING)


def responsiveness_aggregates(today: date) -> dict[str, Count]:
    """The four outcomes as aggregate expressions, for grouped reports."""
    return {
        ON_TIME: Count("pk", filter=Q(answered_on__isnull=False, answered_on__lte=F("due"))),
        LATE: Count("pk", filter=Q(answered_on__isnull=False, answered_on__gt=F("due"))),
        NEVER: Count("pk", filter=Q(answered_on__isnull=True, due__lt=today)),
        PENDING: Count("pk", filter=Q(answered_on__isnull=True, due__gte=today)),
    }


def responsiveness(coordinations: QuerySet[Coordination], today: date) -> dict[int, dict[str, int]]:
    """Per asked unit: how many requests it answered on time, late, never, and how many are pending (one query)."""
    rows = coordinations.values("to_unit_id").annotate(**responsiveness_aggregates(today)).order_by("to_unit_id")
    return {int(r["to_unit_id"]): {k: int(r[k]) for k in OUTCOME_KEYS} for r in rows}
