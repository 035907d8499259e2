"""What a signed-in user may see: the unit subtrees in which they hold a capability."""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from congvu.accounts.models import RoleAssignment, User
from congvu.core.policy import Cap, capabilities_of, roles_with
from congvu.org.models import Appointment, Person, Unit

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser


def assignments(user: AnyUser) -> list[tuple[str, str]]:
    """(role, scope path) pairs of the user, loaded once per user object."""
    if not user.is_authenticated:
        return []
    cached: list[tuple[str, str]] | None = getattr(user, "_congvu_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).values_list("role", "scope_unit__path"))
        setattr(user, "_congvu_assignments", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def signed_in(request: HttpRequest) -> User:
    """The request's user, known to be signed in (the policy middleware has checked)."""
    user = request.user
    assert isinstance(user, User), "the policy lets only signed-in users reach this view"
    return user


def has_capability(user: AnyUser, cap: Cap) -> bool:
    return cap in capabilities_of({role for role, _ in assignments(user)})


def scope_paths(user: AnyUser, cap: Cap) -> list[str]:
    """Root paths of the subtrees in which ``user`` holds ``cap`` (nested ones removed)."""
    allowed = roles_with(cap)
    paths = sorted({path for role, path in assignments(user) if role in allowed})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def _path_q(paths: list[str], field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def units_in_scope(user: AnyUser, cap: Cap) -> QuerySet[Unit]:
    return Unit.objects.filter(_path_q(scope_paths(user, cap), "path"))


def unit_in_scope(user: AnyUser, cap: Cap, pk: Any) -> Unit:
    try:
        return units_in_scope(user, cap).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def people_in_scope(user: AnyUser, cap: Cap, on: date | None = None) -> QuerySet[Person]:
    """People with an appointment in a unit of the scope (current on ``on`` when given)."""
    paths = scope_paths(user, cap)
    if not paths:
        return Person.objects.none()
    posts = Appointment.objects.filter(_path_q(paths, "unit__path"), person=OuterRef("pk"))
    if on is not None:
        posts = posts.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    return Person.objects.filter(Exists(posts))


def person_in_scope(user: AnyUser, cap: Cap, pk: Any) -> Person:
    try:
        return people_in_scope(user, cap).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def appointments_in_scope(user: AnyUser, cap: Cap) -> QuerySet[Appointment]:
    return Appointment.objects.filter(_path_q(scope_paths(user, cap), "unit__path"))
