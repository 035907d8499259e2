"""Field visits (khảo sát thực tế): planned, carried out, their findings recorded; a finding can become a task.

A visit is organised by a unit in the planner's ``task.assign`` scope. A finding becomes a
task through :func:`congvu.tasks.services.assign_task` with ``finding=``, which names the
finding as the task's source (as a meeting's conclusion or a directive's clause would be).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.accounts.scope import units_in_scope
from congvu.audit.chain import record
from congvu.core.policy import Cap
from congvu.org.models import Person, Unit
from congvu.tasks.changes import TaskError, dmy
from congvu.tasks.models import FieldVisit, FieldVisitState, Finding

PLAN: Final = "tasks.field_visit.plan"
RECORD: Final = "tasks.field_visit.record"


def _state(visit: FieldVisit) -> dict[str, Any]:
    return {
        "unit_id": visit.unit_id,
        "title": visit.title,
        "place": visit.place,
        "planned_on": visit.planned_on,
        "visited_on": visit.visited_on,
        "leader_id": visit.leader_id,
        "state": visit.state,
        "version": visit.version,
    }


@transaction.atomic
def plan_visit(
    *,
    acting_user: User,
    unit: Unit,
    title: str,
    place: str,
    planned_on: date,
    leader: Person,
    participants: Sequence[Person] = (),
    purpose: str = "",
) -> FieldVisit:
    if not units_in_scope(acting_user, Cap.TASK_ASSIGN).filter(pk=unit.pk).exists():
        raise TaskError(_("Đơn vị %(name)s nằm ngoài phạm vi quản lý của bạn.") % {"name": unit.name})
    if not title.strip() or not place.strip():
        raise TaskError(_("Hãy nêu nội dung và địa điểm khảo sát."))
    visit = FieldVisit.objects.create(
        unit=unit,
        title=title.strip(),
        purpose=purpose.strip(),
        place=place.strip(),
        planned_on=planned_on,
        leader=leader,
        created_by=acting_user,
    )
    visit.participants.set(participants)
    record(
        acting_user=acting_user,
        action=PLAN,
        object_type="field_visit",
        object_id=visit.pk,
        object_label=visit.title,
        after=_state(visit) | {"participants": sorted(p.pk for p in participants)},
        subjects=[("unit", str(unit.pk)), ("person", str(leader.pk))],
    )
    return visit


@transaction.atomic
def record_findings(
    *,
    acting_user: User,
    visit: FieldVisit,
    visited_on: date,
    findings: Sequence[tuple[str, str]],
    expected_version: int | None = None,
) -> FieldVisit:
    """Record that the visit took place on ``visited_on`` and what it found (text, recommendation)."""
    visit = FieldVisit.objects.select_for_update().get(pk=visit.pk)
    if expected_version is not None and visit.version != expected_version:
        raise TaskError(_("Đợt khảo sát đã được người khác cập nhật; vui lòng tải lại trang và thử lại."))
    if not units_in_scope(acting_user, Cap.TASK_ASSIGN).filter(pk=visit.unit_id).exists():
        raise TaskError(_("Đợt khảo sát này nằm ngoài phạm vi quản lý của bạn."))
    if visit.state == FieldVisitState.DONE:
        raise TaskError(_("Kết quả khảo sát đã được ghi nhận."))
    if visited_on > timezone.localdate():
        raise TaskError(_("Ngày thực hiện %(day)s không được sau hôm nay.") % {"day": dmy(visited_on)})
    cleaned = [(text.strip(), rec.strip()) for text, rec in findings]
    if not cleaned or any(not text for text, _rec in cleaned):
        raise TaskError(_("Hãy ghi ít nhất một phát hiện; mỗi phát hiện phải có nội dung."))
    before = _state(visit)
    Finding.objects.bulk_create(
        [Finding(visit=visit, order=i, text=text, recommendation=rec) for i, (text, rec) in enumerate(cleaned, start=1)]
    )
    visit.visited_on = visited_on
    visit.state = FieldVisitState.DONE
    visit.version += 1
    visit.save(update_fields=["visited_on", "state", "version"])
    record(
        acting_user=acting_user,
        action=RECORD,
        object_type="field_visit",
        object_id=visit.pk,
        object_label=visit.title,
        before=before,
        after=_state(visit) | {"findings": [list(f) for f in cleaned]},
        subjects=[("unit", str(visit.unit_id))],
    )
    return visit
