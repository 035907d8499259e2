"""Task API: exact JSON of one task, list counts and filters, 404 outside visibility."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.tasks import services
from congvu.tasks.models import Task
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db


def get(account: User, url: str, **params: Any) -> Any:
    client = Client()
    client.force_login(account)
    return client.get(url, params)


def test_detail_is_exact(world: World) -> None:
    with on(date(2026, 3, 16)):
        task = world.assign(priority="high")
        world.accept(task, [("Khảo sát hiện trạng", date(2026, 3, 20)), ("Dự thảo báo cáo", date(2026, 3, 30))])
        task.refresh_from_db()
        services.request_extension(
            acting_user=world.owner_user,
            task=task,
            reason="Chờ số liệu",
            impact="Chậm báo cáo tổng hợp",
            proposed_deadline=date(2026, 4, 15),
        )
    response = get(world.owner_user, f"/api/v1/tasks/{task.pk}")
    assert response.status_code == 200
    body = response.json()
    products = list(task.products.order_by("id"))
    extension = task.extensions.get()
    assert body == {
        "id": task.pk,
        "title": "Rà soát thủ tục hành chính lĩnh vực ngân sách",
        "state": "accepted",
        "bucket": "in_progress_on_time",
        "lead_unit_id": world.province.division.pk,
        "owner_id": world.owner.pk,
        "assigned_by_id": world.leader.pk,
        "assigned_on": "2026-03-16",
        "deadline": "2026-03-31",
        "original_deadline": "2026-03-31",
        "priority": "high",
        "meeting_id": world.meeting.pk,
        "directive_id": None,
        "clause": "Mục 1",
        "grade": None,
        "major_errors": 0,
        "completed_on": None,
        "version": 3,
        "description": "Theo kết luận hội nghị",
        "products": [
            {
                "id": products[0].pk,
                "code": "BC-CD",
                "name": "Báo cáo chuyên đề",
                "quantity": "2.00",
                "coefficient": "1.50",
                "weight": "3.00",
                "done": False,
            },
            {
                "id": products[1].pk,
                "code": "DT-VB",
                "name": "Dự thảo văn bản",
                "quantity": "3.00",
                "coefficient": "2.25",
                "weight": "6.75",
                "done": False,
            },
        ],
        "plan": [
            {"order": 1, "title": "Khảo sát hiện trạng", "due": "2026-03-20", "done_on": None},
            {"order": 2, "title": "Dự thảo báo cáo", "due": "2026-03-30", "done_on": None},
        ],
        "progress": [],
        "extensions": [
            {
                "id": extension.pk,
                "round": 1,
                "state": "pending",
                "reason": "Chờ số liệu",
                "impact": "Chậm báo cáo tổng hợp",
                "previous_deadline": "2026-03-31",
                "proposed_deadline": "2026-04-15",
                "requested_at": "2026-03-16T02:00:00Z",
                "decided_at": None,
                "decision_note": "",
            }
        ],
        "finding_id": None,
        "difficulties": [],
        "coordinations": [],
        "evidence": [],
    }


def test_list_counts_and_filters(world: World) -> None:
    province = world.province
    with on(date(2026, 3, 2)):
        ours = [world.assign(title=f"Việc {i}", deadline=date(2026, 3, 10 + i)) for i in range(3)]
        theirs = world.assign(lead_unit=province.other_division, owner=province.other_person)
    world.accept(ours[0])
    head = province.users["truongphong"]  # Phòng Ngân sách: sees its three tasks only
    body = get(head, "/api/v1/tasks").json()
    assert body["count"] == 3 and [t["id"] for t in body["items"]] == [t.pk for t in ours]
    assert get(world.leader, "/api/v1/tasks").json()["count"] == 4
    assert get(world.leader, "/api/v1/tasks", lead_unit_id=province.other_division.pk).json()["count"] == 1
    assert get(head, "/api/v1/tasks", state="accepted").json()["count"] == 1
    # today is 16/03: deadlines 10, 11, 12 and 31/03 (theirs); the first three are overdue
    assert get(world.leader, "/api/v1/tasks", bucket="overdue").json()["count"] == 3
    assert get(world.leader, "/api/v1/tasks", bucket="in_progress_on_time").json()["items"][0]["id"] == theirs.pk
    assert get(head, "/api/v1/tasks", bucket="nonsense").json() == {"items": [], "count": 0}
    assert get(head, "/api/v1/tasks", lead_unit_id="9" * 30).status_code == 422
    assert get(head, "/api/v1/tasks", limit=0).status_code == 422
    page = get(world.leader, "/api/v1/tasks", limit=2, offset=1).json()
    assert (page["count"], len(page["items"])) == (4, 2)


def test_outside_visibility_is_404(world: World) -> None:
    province = world.province
    theirs = world.assign(lead_unit=province.other_division, owner=province.other_person)
    assert get(province.users["truongphong"], f"/api/v1/tasks/{theirs.pk}").status_code == 404
    assert get(province.users["giamdoc"], f"/api/v1/tasks/{theirs.pk}").status_code == 404
    assert get(province.users["thanhtra"], f"/api/v1/tasks/{theirs.pk}").status_code == 200
    assert get(province.users["truongphong"], "/api/v1/tasks/999999").status_code == 404
    assert get(province.users["truongphong"], "/api/v1/tasks/" + "9" * 30).status_code in (404, 422)
    assert Task.objects.count() == 1
