"""Who sees which evaluation sheets: the visibility rule of evaluation, in one place (404 outside it)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from congvu.accounts.scope import AnyUser, scope_paths
from congvu.core.policy import Cap
from congvu.evaluation.models import Sheet
from congvu.org.models import Appointment


def visible_sheets(user: AnyUser) -> QuerySet[Sheet]:
    """Own sheets; those of units in the caller's ``evaluation.view`` scope; and those of people who now hold a
    post in that scope (a transferred official's earlier results follow them to the new unit)."""
    paths = scope_paths(user, Cap.EVALUATION_VIEW)
    conditions = [Q(unit__path__startswith=p) for p in paths]
    if paths:
        current = Appointment.objects.filter(
            reduce(or_, (Q(unit__path__startswith=p) for p in paths)), end_date__isnull=True
        )
        conditions.append(Q(person_id__in=current.values("person_id")))
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        conditions.append(Q(person_id=person_id))
    if not conditions:
        return Sheet.objects.none()
    return Sheet.objects.filter(reduce(or_, conditions))
