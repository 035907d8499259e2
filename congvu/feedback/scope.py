"""Who sees which submissions, and who may see who sent them.

Staff with ``feedback.handle`` see the submissions handled by a unit of their scope (404
otherwise). A denunciation's submitter (name and contact) is hidden from the official it is
about and from the staff of the unit it is about: they see the content, never who sent it.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from congvu.accounts.scope import AnyUser, scope_paths
from congvu.core.policy import Cap
from congvu.feedback.models import Feedback, Track
from congvu.org.models import Appointment


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
