"""Background jobs of notifications (huey): sending the e-mail of notifications."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from huey.contrib.djhuey import db_task

from congvu.notifications.models import Notification
from congvu.notifications.services import outbox

logger = logging.getLogger(__name__)


def recipient_address(notification: Notification) -> str:
    user = notification.recipient
    if user.email:
        return str(user.email)
    person = user.person
    return person.email if person is not None and person.email else ""


def send_pending(limit: int = 500) -> int:
    """Send the e-mail of pending notifications; each is claimed first so two workers never both send it.

    Notifications of recipients without an address are closed without mail. Returns how
    many e-mails were sent.
    """
    sent = 0
    ids = list(outbox().order_by("id").values_list("pk", flat=True)[:limit])
    for pk in ids:
        now = timezone.now()
        claimed = outbox().filter(pk=pk).update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
        if not claimed:
            continue  # another worker took it
        notification = Notification.objects.select_related("recipient__person").get(pk=pk)
        address = recipient_address(notification)
        if address:
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{settings.CONGVU_BASE_URL.rstrip('/')}{notification.url}".strip()
            try:
                send_mail(notification.title, body, None, [address])
            except Exception:  # a mail server failure must not lose the notification: it is retried
                logger.exception("e-mail of notification %s failed", pk)
                Notification.objects.filter(pk=pk).update(email_claimed_at=None)
                continue
            sent += 1
        Notification.objects.filter(pk=pk).update(email_sent_at=timezone.now())
    return sent


@db_task(retries=2, retry_delay=60)  # type: ignore[untyped-decorator]
def deliver_emails() -> int:
    return send_pending()
