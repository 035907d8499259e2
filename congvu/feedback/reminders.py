"""Breached answer deadlines of public feedback go one level up (part of the daily sweep).

A submission being handled (accepted, or drafted and waiting for approval) whose answer day
has passed is reported once per deadline to the leaders of the unit above the handling unit,
and the escalation is an audit event. Idempotent: a second run the same day changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from congvu.audit.chain import Change, record_many
from congvu.feedback.models import Feedback, State
from congvu.notifications.models import Kind
from congvu.notifications.services import heads_of, notify

ESCALATE = "feedback.escalate"


@transaction.atomic
def escalate_breaches(today: date) -> int:
    """Tell the level above about every handled submission past its answer day; returns how many were new."""
    breached = (
        Feedback.objects.filter(state__in=[State.ACCEPTED, State.DRAFTED], due_on__lt=today)
        .select_related("responsible_unit__parent", "service")
        .order_by("id")
    )
    changes = []
    for f in breached:
        unit = f.responsible_unit
        if unit is None or unit.parent is None:
            continue
        written = notify(
            heads_of(unit.parent),
            key=f"feedback-breach:{f.pk}:{f.due_on}",
            kind=Kind.ESCALATION,
            title=_("Phản ánh quá hạn trả lời: %(number)s") % {"number": f.public_id},
            body=_("%(unit)s chưa trả lời phản ánh “%(service)s”, hạn %(due)s.")
            % {"unit": unit.name, "service": f.service.name, "due": f.due_on.strftime("%d/%m/%Y") if f.due_on else ""},
            url=reverse("feedback:detail", args=[f.pk]),
        )
        if written:
            changes.append(
                Change(
                    ESCALATE,
                    "feedback",
                    str(f.pk),
                    f.service.name,
                    None,
                    {"due_on": f.due_on, "to_unit_id": unit.parent_id},
                    [("unit", str(unit.pk)), ("unit", str(unit.parent_id))],
                )
            )
    if changes:
        record_many(acting_user=None, changes=changes)
    return len(changes)
