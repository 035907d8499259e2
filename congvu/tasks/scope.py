"""Which tasks a user sees: the visibility rule of task assignment, in one place.

A user sees a task when its lead unit lies in a subtree where they hold ``org.view``
(so a division head sees the tasks of their subtree), when a unit of such a subtree is
asked to coordinate on it, when they are its accountable person, or when they assigned it. Any other task does not exist for them (HTTP 404).
"""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from congvu.accounts.scope import AnyUser, scope_paths
from congvu.core.policy import Cap
from congvu.org.models import Unit
from congvu.tasks.buckets import COMPLETED_LATE, COMPLETED_ON_TIME, IN_PROGRESS_ON_TIME, OVERDUE
from congvu.tasks.models import Coordination, Task, TaskState


def visibility_q(user: AnyUser) -> Q:
    """The condition a task must meet to be visible to ``user``."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    paths = scope_paths(user, Cap.ORG_VIEW)
    # By unit id through a subquery on the unit tree: the task table's own index does the rest
    # (a LIKE on the joined path would scan every task on SQLite).
    conditions = [Q(lead_unit_id__in=Unit.objects.filter(path__startswith=path).values("pk")) for path in paths]
    if paths:
        asked = reduce(or_, (Q(to_unit__path__startswith=path) for path in paths))
        conditions.append(Q(Exists(Coordination.objects.filter(asked, task=OuterRef("pk")))))
    conditions.append(Q(assigned_by_id=user.pk))
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        conditions.append(Q(owner_id=person_id))
    return reduce(or_, conditions)


def visible_tasks(user: AnyUser) -> QuerySet[Task]:
    return Task.objects.filter(visibility_q(user))


def visible_task(user: AnyUser, pk: Any) -> Task:
    """The task ``pk`` if ``user`` may see it, else 404."""
    try:
        return (
            visible_tasks(user).select_related("lead_unit", "owner", "assigned_by", "meeting", "directive").get(pk=pk)
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def mine_q(user: AnyUser) -> Q:
    """Tasks the user owns (as an official) or assigned."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    condition = Q(assigned_by_id=user.pk)
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        condition |= Q(owner_id=person_id)
    return condition


def bucket_q(bucket: str, today: date) -> Q:
    """The tasks of one reporting bucket on ``today`` (the rule of ``congvu.tasks.buckets``)."""
    done = Q(state=TaskState.DONE)
    open_ = ~done & ~Q(state=TaskState.CANCELLED)
    conditions = {
        COMPLETED_ON_TIME: done & Q(completed_on__lte=F("deadline")),
        COMPLETED_LATE: done & Q(completed_on__gt=F("deadline")),
        IN_PROGRESS_ON_TIME: open_ & Q(deadline__gte=today),
        OVERDUE: open_ & Q(deadline__lt=today),
    }
    return conditions[bucket]


def subtree_filter(unit: Unit, field: str) -> Q:
    """Rows whose ``field`` (a unit id) lies in the unit's subtree; nothing to filter when the unit is the only root."""
    if unit.parent_id is None and not Unit.objects.filter(parent__isnull=True).exclude(pk=unit.pk).exists():
        return Q()
    return Q(**{f"{field}__in": Unit.objects.filter(path__startswith=unit.path).values("pk")})
