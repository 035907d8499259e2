"""The demo's task data (``congvu.demo.tasks``): exact contents at scale 1, idempotence, the pages.

As in ``test_demo``, the province is generated once for the module through the command,
inside a transaction rolled back at the end; here on the tests' fixed clock (16/03/2026),
since the task services stamp "today".
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.demo import generator
from congvu.demo.tasks import task_count
from congvu.org.models import Appointment, UnitKind
from congvu.tasks.models import Directive, Extension, Meeting, ProductType, Task
from tests.conftest import FIXED_NOW

PASSWORD = "Mat-khau-minh-hoa-2026"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PROVINCE_BUCKETS = {"completed_on_time": 2, "completed_late": 0, "in_progress_on_time": 175, "overdue": 16}
TODAY = FIXED_NOW.date()

TASKS_BY_STATE = {
    "assigned": 183,
    "accepted": 1,
    "in_progress": 3,
    "submitted": 3,
    "done": 2,
    "returned": 1,
    "cancelled": 7,
}
TRUONGPHONG_BY_STATE = {
    "assigned": 2,
    "accepted": 1,
    "in_progress": 3,
    "submitted": 3,
    "done": 2,
    "returned": 1,
    "cancelled": 1,
}
TASK_AUDIT_EVENTS = {
    "tasks.product_type.create": 10,
    "tasks.meeting.create": 4,
    "tasks.directive.create": 4,
    "tasks.task.assign": 200,
    "tasks.task.accept": 10,
    "tasks.task.report_progress": 12,
    "tasks.task.submit": 7,
    "tasks.task.return": 2,
    "tasks.task.approve": 2,
    "tasks.task.cancel": 7,
    "tasks.extension.request": 2,
    "tasks.extension.approve": 1,
    "tasks.extension.reject": 1,
    "tasks.difficulty.raise": 2,
    "tasks.difficulty.answer": 1,
    "tasks.coordination.request": 1,
    "tasks.field_visit.plan": 1,
    "tasks.field_visit.record": 1,
}
AUDIT_EVENTS = (
    238 + 1000 + 1450 + 30 + 7 + sum(TASK_AUDIT_EVENTS.values()) + 2 + 9 + 2 + 1
)  # + sheet, feedback, rules, dossiers


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with (
        django_db_blocker.unblock(),
        override_settings(CONGVU_DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS),
        time_machine.travel(FIXED_NOW, tick=True),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("demo", "--no-serve", "--scale", "1", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.django_db]


def task_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (ProductType, Meeting, Directive, Task, Extension)}


def test_exact_contents_at_scale_1(demo: str) -> None:
    assert task_count(1) == 200
    assert task_counts() == {"ProductType": 10, "Meeting": 4, "Directive": 4, "Task": 200, "Extension": 2}
    assert Counter(Task.objects.values_list("state", flat=True)) == TASKS_BY_STATE
    assert Counter(Extension.objects.values_list("state", flat=True)) == {"approved": 1, "rejected": 1}
    assert generator.summary(created=False).tasks == 200
    assert "nhiệm vụ / tasks: 200 (4 cuộc họp, 4 văn bản chỉ đạo)" in demo
    coefficients = list(ProductType.objects.values_list("coefficient", flat=True))
    assert min(coefficients) == 1 and max(coefficients) == 3


def test_sources_are_the_provincial_leaders_in_early_2026() -> None:
    for meeting in Meeting.objects.select_related("chair", "unit"):
        assert meeting.unit.code == generator.PROVINCE_CODE
        assert date(2026, 1, 1) <= meeting.held_on <= date(2026, 3, 31)
        assert meeting.conclusions and not meeting.is_notice_late(TODAY)
        assert Appointment.objects.filter(
            person=meeting.chair,
            unit=meeting.unit,
            title__code__in=["chu_tich_ubnd_tinh", "pho_chu_tich_ubnd_tinh"],
            end_date=None,
        ).exists()
        assert meeting.attendees.count() == 8
    numbers = sorted(Directive.objects.values_list("number", flat=True))
    assert numbers == ["02/CT-UBND", "05/CT-UBND", "148/QĐ-UBND", "15/QĐ-UBND"]


def test_tasks_are_as_the_services_make_them() -> None:
    stc = f"{generator.PROVINCE_CODE}.STC"
    for task in Task.objects.select_related(
        "lead_unit__parent", "assigned_by", "meeting", "directive", "finding__visit"
    ):
        assert task.lead_unit.kind == UnitKind.DIVISION and task.lead_unit.parent is not None
        assert task.lead_unit.parent.kind == UnitKind.AGENCY
        assert Appointment.objects.filter(
            person_id=task.owner_id, unit=task.lead_unit, title__code="truong_phong", end_date=None
        ).exists()
        assert task.assigned_by.username == ("giamdoc" if task.lead_unit.parent.code == stc else "lanhdao")
        sources = [task.meeting, task.directive, task.finding]
        assert sum(s is not None for s in sources) == 1
        if task.finding is not None:  # the task from the field visit's first finding
            assert task.finding.visit.visited_on == TODAY - timedelta(days=9) and task.clause == ""
            source_day = task.finding.visit.visited_on
        else:
            source_day = task.meeting.held_on if task.meeting else task.directive.issued_on  # type: ignore[union-attr]
            assert task.clause
        assert source_day is not None and source_day <= task.assigned_on <= TODAY
        assert task.assigned_on <= task.original_deadline <= task.deadline
        assert task.products.exists()
        assert task.state != "done" or (task.completed_on == TODAY and task.grade)
    assert Task.objects.filter(deadline__gt=F("original_deadline")).count() == 1  # the approved extension


def test_truongphong_and_giamdoc_have_work() -> None:
    truongphong = User.objects.get(username="truongphong")
    mine = Task.objects.filter(owner_id=truongphong.person_id)
    assert Counter(mine.values_list("state", flat=True)) == TRUONGPHONG_BY_STATE
    assert set(mine.values_list("assigned_by__username", flat=True)) == {"giamdoc"}
    assert mine.filter(progress_reports__isnull=False).distinct().count() == 9
    assert mine.filter(plan_steps__isnull=False).distinct().count() == 10
    to_review = Task.objects.filter(assigned_by__username="giamdoc", state="submitted")
    assert to_review.count() == 3
    assert Task.objects.filter(assigned_by__username="giamdoc").count() == 32


def test_my_tasks_page_of_truongphong(client: Client) -> None:
    client.force_login(User.objects.get(username="truongphong"))
    response = client.get(reverse("tasks:my"))
    assert response.status_code == 200
    page = response.content.decode()
    buckets = {key: int(n) for key, n in re.findall(r'data-bucket="([a-z_]+)">(\d+)<', page)}
    assert buckets == {"completed_on_time": 2, "completed_late": 0, "in_progress_on_time": 10, "overdue": 0}
    assert "Báo cáo quyết toán ngân sách địa phương năm 2025" in page


def test_audit_events_and_chain() -> None:
    tasks = Counter(AuditEvent.objects.filter(action__startswith="tasks.").values_list("action", flat=True))
    assert tasks == TASK_AUDIT_EVENTS
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"audit chain OK: {AUDIT_EVENTS} events" in out.getvalue()


def test_rerunning_adds_no_task() -> None:
    before, events = task_counts(), AuditEvent.objects.count()
    with override_settings(CONGVU_DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS):
        out = io.StringIO()
        call_command("demo", "--no-serve", "--scale", "1", stdout=out)
        assert "already present" in out.getvalue()
    assert task_counts() == before
    assert AuditEvent.objects.count() == events
    assert User.objects.count() == 7


def test_some_tasks_recorded_from_earlier_notices_are_overdue() -> None:
    from congvu.tasks.buckets import bucket_counts

    assert bucket_counts(Task.objects.all(), TODAY) == PROVINCE_BUCKETS


def test_the_division_heads_sheet_waits_for_the_director() -> None:
    from congvu.evaluation.models import Sheet

    sheet = Sheet.objects.select_related("person").get()
    head = User.objects.get(username="truongphong")
    assert (sheet.person_id, sheet.role, sheet.state, sheet.self_i, sheet.self_ii, sheet.self_iii) == (
        head.person_id,
        "leader",
        "self_assessed",
        Decimal("9.50"),
        Decimal("9.00"),
        Decimal("8.50"),
    )
    assert sheet.period.start == TODAY.replace(day=1)


def test_the_feedback_of_phong_ngan_sach() -> None:
    from congvu.feedback.models import Feedback, Service

    assert Service.objects.count() == 7
    states = sorted(Feedback.objects.values_list("state", "rating", "responsible_unit__name"))
    assert states == [
        ("drafted", "", "Phòng Ngân sách"),
        ("published", "satisfied", "Phòng Ngân sách"),
        ("received", "", "Phòng Ngân sách"),
    ]
