"""Writing and reading notifications.

:func:`notify` is called inside the transaction of the change it reports (a task service,
the reminder sweep): the rows commit or roll back with that change, and the e-mail job is
enqueued only once they have committed. Recipients are resolved here from people and
units so that every caller names the same people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from congvu.accounts.models import User
from congvu.core.policy import Cap, Role, roles_with
from congvu.notifications.models import Notification
from congvu.org.models import Person, Unit

CLAIM_TIMEOUT = timedelta(minutes=10)
# The roles that lead a unit: those that assign its tasks (the system administrator is not a line leader).
LEADER_ROLES = roles_with(Cap.TASK_ASSIGN) - {Role.ADMIN}
MAX_EMAIL_ATTEMPTS = 5


def users_of(people: Iterable[Person | int | None]) -> QuerySet[User]:
    """The active accounts of these people."""
    ids = {p.pk if isinstance(p, Person) else p for p in people if p is not None}
    return User.objects.filter(person_id__in=ids, is_active=True)


def heads_of(unit: Unit) -> QuerySet[User]:
    """The active accounts leading ``unit``: a leader's role scoped exactly at it (not the system administrator)."""
    return User.objects.filter(
        is_active=True,
        role_assignments__scope_unit=unit,
        role_assignments__role__in=LEADER_ROLES,
    ).distinct()


def notify(
    recipients: Iterable[User],
    *,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    exclude: User | None = None,
) -> int:
    """Write one notification per recipient (none twice for the same key); returns how many are new."""
    now = timezone.now()
    users = {u.pk: u for u in recipients if exclude is None or u.pk != exclude.pk}
    if not users:
        return 0
    existing = set(Notification.objects.filter(key=key, recipient_id__in=users).values_list("recipient_id", flat=True))
    rows = [
        Notification(recipient_id=pk, key=key, kind=kind, title=title[:300], body=body, url=url, created_at=now)
        for pk in sorted(users)
        if pk not in existing
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(_enqueue_delivery)
    return len(rows)


def _enqueue_delivery() -> None:
    from congvu.notifications.tasks import deliver_emails  # the job module imports this one

    deliver_emails()


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, acting_user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None); returns how many changed."""
    rows = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def outbox() -> QuerySet[Notification]:
    """Notifications whose e-mail is still to be sent (claimed ones come back after a timeout)."""
    stale = timezone.now() - CLAIM_TIMEOUT
    return Notification.objects.filter(email_sent_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS).filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale)
    )
