"""Personal data of the public's submissions: erasure after the retention period, export on request.

* **Retention** (a daily job and ``congvu feedback_privacy erase``): a submission closed
  (answered, refused, or a duplicate) more than ``retention_days`` ago (rule data) loses the
  submitter's name and contact, the keyed hashes of their e-mail and IP address, and its
  attachments (files deleted); its content, which was masked when received, and the answer stay
  for the statistics. One audit event per run lists the submissions erased.
* **Export** (``congvu feedback_privacy export --email ADDRESS`` or ``--code TRACKING``): everything
  kept about one submitter's submissions, as JSON, for a request under the personal data decree.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from django.db import transaction
from django.db.models import Q

from congvu.audit.chain import record
from congvu.feedback import rules
from congvu.feedback.models import Attachment, Feedback, State
from congvu.feedback.services import keyed_hash

ERASE: Final = "feedback.erase_personal_data"
CLOSED_STATES: Final = (State.PUBLISHED, State.CLOSED, State.REFUSED, State.DUPLICATE)


def due_for_erasure(today: date) -> Any:
    """Closed submissions past the retention period whose personal data is still there."""
    limit = today - timedelta(days=rules.retention_days())
    closed_before = Q(published_on__lt=limit) | Q(published_on__isnull=True, received_on__lt=limit)
    return Feedback.objects.filter(closed_before, state__in=CLOSED_STATES, personal_data_erased_on__isnull=True)


@transaction.atomic
def erase_expired(today: date) -> int:
    """Erase the personal data of every submission due; returns how many."""
    ids = list(due_for_erasure(today).order_by("id").values_list("pk", flat=True))
    if not ids:
        return 0
    for item in Attachment.objects.filter(feedback_id__in=ids):
        item.file.delete(save=False)
    Attachment.objects.filter(feedback_id__in=ids).delete()
    Feedback.objects.filter(pk__in=ids).update(
        submitter_name="",
        submitter_contact="",
        submitter_email_hash="",
        ip_hash="",
        personal_data_erased_on=today,
    )
    record(
        acting_user=None,
        action=ERASE,
        object_type="feedback",
        object_id="",
        object_label=f"{len(ids)}",
        after={"feedback_ids": ids, "retention_days": rules.retention_days(), "on": today},
    )
    return len(ids)


def export(*, email: str = "", code: str = "") -> list[dict[str, Any]]:
    """What is kept about the submissions of the person with this e-mail address or tracking code."""
    condition = Q(pk__in=[])
    if email.strip():
        condition |= Q(submitter_email_hash=keyed_hash(email))
    if code.strip():
        condition |= Q(tracking_code=code.strip())
    rows = Feedback.objects.filter(condition).select_related("service", "responsible_unit").order_by("received_at")
    return [
        {
            "public_id": f.public_id,
            "service": f.service.name,
            "track": f.track,
            "received_at": f.received_at.isoformat(),
            "description": f.description,
            "address": f.address,
            "lat": None if f.lat is None else str(f.lat),
            "long": None if f.long is None else str(f.long),
            "submitter_name": f.submitter_name,
            "submitter_contact": f.submitter_contact,
            "email_kept_as": "keyed hash" if f.submitter_email_hash else "not kept",
            "ip_address_kept_as": "keyed hash" if f.ip_hash else "not kept",
            "attachments": [a.name for a in f.attachments.order_by("id")],
            "state": f.state,
            "answer": f.answer if f.state in CLOSED_STATES else "",
            "rating": f.rating,
            "personal_data_erased_on": None
            if f.personal_data_erased_on is None
            else f.personal_data_erased_on.isoformat(),
        }
        for f in rows
    ]
