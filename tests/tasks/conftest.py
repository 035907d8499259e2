"""Task fixtures on top of the shared test province: product types, sources, an owner's account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent, AuditSubject
from congvu.core.policy import Role
from congvu.notifications.models import Notification, SweepRun
from congvu.org.models import Person
from congvu.tasks import reminders, services
from congvu.tasks.changes import TaskError
from congvu.tasks.models import (
    Coordination,
    Difficulty,
    Directive,
    Evidence,
    Extension,
    FieldVisit,
    Finding,
    Meeting,
    PlanStep,
    ProgressReport,
    Task,
    TaskProduct,
)
from tests.factories import Province, person, user

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@contextmanager
def on(day: date, hour: int = 9) -> Iterator[None]:
    """Run the block with the clock stopped at ``hour`` o'clock, Vietnam time, on ``day``."""
    with time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=VN), tick=False):
        yield


def row_counts() -> dict[str, int]:
    """How many rows every table touched by the task services holds."""
    models: list[Any] = [Task, TaskProduct, PlanStep, ProgressReport, Extension, AuditEvent]
    return {m.__name__: m.objects.count() for m in models}


def all_counts() -> dict[str, int]:
    """``row_counts()`` plus difficulties, coordination, field visits, evidence, notifications and sweeps."""
    models: list[Any] = [
        Difficulty,
        Coordination,
        FieldVisit,
        Finding,
        Evidence,
        Notification,
        SweepRun,
        AuditSubject,
    ]
    return row_counts() | {m.__name__: m.objects.count() for m in models}


def assert_refused(call: Callable[[], object], message: str) -> None:
    """``call`` raises TaskError with exactly ``message`` and leaves every table (``all_counts``) as it was."""
    before = all_counts()
    with pytest.raises(TaskError) as caught:
        call()
    assert str(caught.value) == message
    assert all_counts() == before


def sweep_on(day: date) -> SweepRun:
    """Run the daily sweep of ``day`` with the clock stopped at 07:00 that day (when the job runs)."""
    with on(day, hour=7):
        return reminders.sweep(day)


NotificationRow = tuple[str, str, str, str, str, str]


def notifications(key_prefix: str) -> list[NotificationRow]:
    """(recipient's username, key, kind, title, body, url) of the notifications whose key starts with the prefix."""
    rows = Notification.objects.filter(key__startswith=key_prefix).values_list(
        "recipient__username", "key", "kind", "title", "body", "url"
    )
    return sorted(rows)


class World:
    """The test province plus: a chair, an owner with an account, two product types, a meeting and a directive."""

    def __init__(self, province: Province) -> None:
        self.province = province
        self.leader: User = province.users[Role.LANHDAO]  # scoped to the whole province
        self.owner: Person = province.person  # chuyên viên of Phòng Ngân sách
        self.owner_user = user("hoa", Role.CHUYENVIEN, province.division, province.person)
        self.chair = person("Phạm Văn Chính", province.root, "chu_tich_ubnd_tinh", sex="M")
        self.report = services.create_product_type(
            acting_user=self.leader,
            code="BC-CD",
            name="Báo cáo chuyên đề",
            unit_of_measure="báo cáo",
            coefficient=Decimal("1.50"),
            job_position="Chuyên viên quản lý ngân sách",
        )
        self.draft = services.create_product_type(
            acting_user=self.leader,
            code="DT-VB",
            name="Dự thảo văn bản",
            unit_of_measure="văn bản",
            coefficient=Decimal("2.25"),
        )
        self.meeting: Meeting = services.create_meeting(
            acting_user=self.leader,
            title="Hội nghị cải cách hành chính với cấp phòng",
            held_on=date(2026, 3, 10),
            chair=self.chair,
            unit=province.root,
            attendees=[province.person, province.other_person],
            agenda="Đẩy mạnh cải cách hành chính",
            conclusions="1. Sở Tài chính rà soát thủ tục ngân sách.",
        )
        self.directive: Directive = services.create_directive(
            acting_user=self.leader, number="12/QĐ-UBND", issued_on=date(2026, 3, 2), issuer="UBND tỉnh An Hòa"
        )

    def assign(self, **overrides: Any) -> Task:
        kwargs: dict[str, Any] = {
            "acting_user": self.leader,
            "title": "Rà soát thủ tục hành chính lĩnh vực ngân sách",
            "description": "Theo kết luận hội nghị",
            "lead_unit": self.province.division,
            "owner": self.owner,
            "meeting": self.meeting,
            "clause": "Mục 1",
            "products": [(self.report, Decimal("2")), (self.draft, Decimal("3"))],
        }
        kwargs.update(overrides)
        if "deadline" not in kwargs and "working_days" not in kwargs:
            kwargs["deadline"] = date(2026, 3, 31)
        return services.assign_task(**kwargs)

    def accept(self, task: Task, plan: list[tuple[str, date]] | None = None) -> Task:
        steps = plan or [("Khảo sát hiện trạng", task.assigned_on), ("Dự thảo báo cáo", task.deadline)]
        return services.accept_task(acting_user=self.owner_user, task=task, plan=steps)

    def submit(self, task: Task) -> Task:
        return services.submit_task(
            acting_user=self.owner_user, task=task, products_done={p.pk: True for p in task.products.all()}
        )

    def approve(self, task: Task) -> Task:
        return services.review_task(acting_user=self.leader, task=task, accept=True, grade="meets")


@pytest.fixture
def world(province: Province) -> World:
    return World(province)
