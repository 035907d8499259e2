"""Recurring tasks: one ordinary task per month or quarter, made once by the sweep, stopped by the assigner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.audit.models import AuditEvent
from congvu.notifications.models import Notification
from congvu.org import services as org_services
from congvu.org.models import Appointment
from congvu.tasks import recurring
from congvu.tasks.models import Task, TaskSeries
from tests.tasks.conftest import World, assert_refused, on, sweep_on

pytestmark = pytest.mark.django_db


def series(world: World, **overrides: Any) -> TaskSeries:
    kwargs: dict[str, Any] = {
        "acting_user": world.leader,
        "title": "Báo cáo tình hình thu, chi ngân sách",
        "lead_unit": world.province.division,
        "owner": world.owner,
        "frequency": "monthly",
        "due_day": 25,
        "directive": world.directive,
        "clause": "Điều 3",
        "products": [(world.report, 1)],
    }
    return recurring.create_series(**(kwargs | overrides))


def occurrences(s: TaskSeries) -> list[tuple[str, date, date, date, str]]:
    return [
        (t.title, t.period_start, t.assigned_on, t.deadline, t.state)  # type: ignore[misc]
        for t in Task.objects.filter(series=s).order_by("period_start")
    ]


def test_a_monthly_series_starts_with_the_current_month(world: World) -> None:
    s = series(world)  # Monday 16/3/2026
    assert occurrences(s) == [
        (
            "Báo cáo tình hình thu, chi ngân sách — tháng 03/2026",
            date(2026, 3, 1),
            date(2026, 3, 16),
            date(2026, 3, 25),
            "assigned",
        )
    ]
    task = Task.objects.get(series=s)
    assert [(p.product_type.code, p.weight) for p in task.products.all()] == [("BC-CD", Decimal("1.50"))]
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))[-2:]
    assert actions == ["tasks.series.create", "tasks.task.assign"]
    sweep_on(date(2026, 3, 17))
    assert len(occurrences(s)) == 1  # the sweep does not make March twice
    sweep_on(date(2026, 4, 1))
    sweep_on(date(2026, 4, 2))
    assert occurrences(s)[1:] == [
        (
            "Báo cáo tình hình thu, chi ngân sách — tháng 04/2026",
            date(2026, 4, 1),
            date(2026, 4, 1),
            date(2026, 4, 25),
            "assigned",
        )
    ]
    # 1/5/2026 is a public holiday (a Friday): the sweep of Monday 4/5 assigns May on its first day.
    sweep_on(date(2026, 5, 4))
    assert occurrences(s)[2][1:4] == (date(2026, 5, 1), date(2026, 5, 1), date(2026, 5, 25))


def test_a_month_whose_due_day_has_passed_is_skipped(world: World) -> None:
    s = series(world, due_day=10)
    assert occurrences(s) == []
    sweep_on(date(2026, 4, 1))
    assert occurrences(s) == [
        (
            "Báo cáo tình hình thu, chi ngân sách — tháng 04/2026",
            date(2026, 4, 1),
            date(2026, 4, 1),
            date(2026, 4, 10),
            "assigned",
        )
    ]


def test_a_quarterly_series(world: World) -> None:
    s = series(world, frequency="quarterly", due_day=20, title="Báo cáo quý")
    sweep_on(date(2026, 4, 1))
    sweep_on(date(2026, 5, 4))  # not a new quarter: nothing
    assert occurrences(s) == [
        ("Báo cáo quý — quý I/2026", date(2026, 1, 1), date(2026, 3, 16), date(2026, 3, 20), "assigned"),
        ("Báo cáo quý — quý II/2026", date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 20), "assigned"),
    ]


def test_stopping_and_the_end_date(world: World) -> None:
    s = series(world, ends_on=date(2026, 4, 30))
    sweep_on(date(2026, 4, 1))
    sweep_on(date(2026, 5, 4))
    assert [o[1] for o in occurrences(s)] == [date(2026, 3, 1), date(2026, 4, 1)]
    other = series(world, title="Báo cáo nhanh")
    assert_refused(
        lambda: recurring.stop_series(acting_user=world.owner_user, series=other),
        "Chỉ người giao nhiệm vụ mới được dừng nhiệm vụ định kỳ.",
    )
    recurring.stop_series(acting_user=world.leader, series=other)
    assert_refused(
        lambda: recurring.stop_series(acting_user=world.leader, series=other), "Nhiệm vụ định kỳ này đã dừng."
    )
    sweep_on(date(2026, 4, 1))
    assert [o[1] for o in occurrences(other)] == [date(2026, 3, 1)]


def test_an_occurrence_that_cannot_be_assigned_is_reported_to_the_assigner(world: World) -> None:
    s = series(world)
    post = Appointment.objects.get(person=world.owner, end_date=None)
    org_services.end_appointment(acting_user=None, appointment=post, end_date=date(2026, 3, 31))
    sweep_on(date(2026, 4, 1))
    assert len(occurrences(s)) == 1
    note = Notification.objects.get(key=f"series-failed:{s.pk}:2026-04-01")
    assert (note.recipient_id, note.title, note.body) == (
        world.leader.pk,
        "Không tạo được nhiệm vụ định kỳ: Báo cáo tình hình thu, chi ngân sách",
        "Nguyễn Thị Hoà không giữ chức vụ nào tại Phòng Ngân sách hoặc đơn vị trực thuộc.",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"due_day": 29}, "Hạn trong kỳ phải là một ngày từ 1 đến 28 của tháng cuối kỳ."),
        ({"frequency": "weekly"}, "Chu kỳ phải là hằng tháng hoặc hằng quý."),
        ({"directive": None}, "Nhiệm vụ định kỳ phải có nguồn giao: cuộc họp hoặc văn bản chỉ đạo."),
        ({"ends_on": date(2026, 3, 15)}, "Ngày kết thúc 15/03/2026 không được trước hôm nay."),
        ({"products": [("KHONG-CO", 1)]}, "Loại sản phẩm KHONG-CO không có trong danh mục hoặc đã ngừng sử dụng."),
        ({"lead_unit": "outside"}, "Đơn vị Sở Nội vụ tỉnh Bình Sơn nằm ngoài phạm vi quản lý của bạn."),
    ],
)
def test_refusals(world: World, overrides: dict[str, Any], message: str) -> None:
    if overrides.get("lead_unit") == "outside":
        overrides = {"lead_unit": world.province.outside_unit}
    assert_refused(lambda: series(world, **overrides), message)
    assert TaskSeries.objects.count() == 0


def test_the_assign_page_creates_a_series(world: World) -> None:
    client = Client()
    client.force_login(world.leader)
    with on(date(2026, 3, 16)):
        response = client.post(
            reverse("tasks:assign"),
            {
                "title": "Báo cáo tháng",
                "lead_unit_code": "01.001.01",
                "owner_id": str(world.owner.pk),
                "directive": str(world.directive.pk),
                "priority": "normal",
                "frequency": "monthly",
                "due_day": "20",
            },
        )
    task = Task.objects.get(series__title="Báo cáo tháng")
    assert response.status_code == 302 and response["Location"] == reverse("tasks:detail", args=[task.pk])
    assert (task.title, task.deadline) == ("Báo cáo tháng — tháng 03/2026", date(2026, 3, 20))
    page = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "Hằng tháng, hạn ngày 20 của tháng cuối kỳ" in page
    missing_day = client.post(
        reverse("tasks:assign"),
        {
            "title": "Báo cáo quý",
            "lead_unit_code": "01.001.01",
            "owner_id": str(world.owner.pk),
            "directive": str(world.directive.pk),
            "priority": "normal",
            "frequency": "quarterly",
        },
    )
    assert missing_day.status_code == 400
    assert "Hãy cho ngày hạn trong kỳ của nhiệm vụ định kỳ." in missing_day.content.decode()
