"""Who sees which submissions, and who may see who sent them.

Staff with ``feedback.handle`` see the submissions handled by a unit of their scope (404
otherwise). A denunciation's submitter (name and contact) is hidden from the official it is
about and from the staff of the unit it is about: they see the content, never who sent it.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from congvu.accounts.scope import AnyUser, people_in_scope, scope_paths
from congvu.core.policy import Cap
from congvu.feedback.models import Feedback, State, Track
from congvu.org.models import Appointment, Person


def visible_feedback(user: AnyUser) -> QuerySet[Feedback]:
    paths = scope_paths(user, Cap.FEEDBACK_HANDLE)
    if not paths:
        return Feedback.objects.none()
    return Feedback.objects.filter(reduce(or_, (Q(responsible_unit__path__startswith=p) for p in paths)))


def visible_one(user: AnyUser, pk: Any) -> Feedback:
    try:
        return (
            visible_feedback(user)
            .select_related("service", "responsible_unit", "about_unit", "about_person")
            .get(pk=pk)
        )
    except (Feedback.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_submitter(user: AnyUser, feedback: Feedback) -> bool:
    """False for a denunciation when the user is the official concerned or belongs to the unit concerned."""
    if feedback.track != Track.DENUNCIATION:
        return True
    person_id = getattr(user, "person_id", None)
    if person_id is not None and person_id == feedback.about_person_id:
        return False
    concerned = feedback.about_unit
    if concerned is None and feedback.about_person_id is not None:
        return True
    if concerned is not None:
        own_scopes = scope_paths(user, Cap.ORG_VIEW)
        # a scope inside the unit concerned (or the unit itself): the user works there
        if any(p.startswith(concerned.path) for p in own_scopes):
            return False
        if (
            person_id is not None
            and Appointment.objects.filter(
                person_id=person_id, unit__path__startswith=concerned.path, end_date__isnull=True
            ).exists()
        ):
            return False
    return True


def conduct_subject(user: AnyUser, pk: Any) -> Person:
    """The official whose conduct figures ``user`` may read: their own, or one of their ``evaluation.view`` scope; else 404."""
    try:
        found = people_in_scope(user, Cap.EVALUATION_VIEW).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        raise Http404 from None
    if found is None and getattr(user, "person_id", None) == int(pk):
        found = Person.objects.filter(pk=int(pk)).first()
    if found is None:
        raise Http404
    return found


def conduct_counts(person: Person, year: int) -> dict[str, int]:
    """Feedback about one official's conduct received in ``year``: counts only (one query)."""
    answered = Q(state__in=[State.PUBLISHED, State.CLOSED])
    about = Feedback.objects.filter(about_person=person, received_on__year=year)
    counts = about.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=answered),
        on_time=Count("pk", filter=answered & Q(published_on__lte=F("due_on"))),
        upheld_count=Count("pk", filter=Q(upheld=True)),
        not_upheld_count=Count("pk", filter=Q(upheld=False)),
        satisfied=Count("pk", filter=Q(rating="satisfied")),
        rated=Count("pk", filter=~Q(rating="")),
    )
    return {k: int(v) for k, v in counts.items()}
