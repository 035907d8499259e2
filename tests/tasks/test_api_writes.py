"""Task API writes: the whole lifecycle through JSON, refusals as 422, stale versions as 409, nothing changed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.tasks.models import Task
from tests.tasks.conftest import World, on, row_counts

pytestmark = pytest.mark.django_db


def post(account: User, url: str, body: dict[str, Any]) -> Any:
    client = Client()
    client.force_login(account)
    return client.post(url, data=body, content_type="application/json")


def assign_body(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Rà soát thủ tục ngân sách",
        "lead_unit_id": world.province.division.pk,
        "owner_id": world.owner.pk,
        "deadline": "2026-03-31",
        "meeting_id": world.meeting.pk,
        "clause": "Mục 1",
        "products": [{"code": "BC-CD", "quantity": 2}],
        "coordinators": [
            {"unit_id": world.province.other_division.pk, "request": "Số liệu quy hoạch", "due": "2026-03-25"}
        ],
    }
    return body | overrides


def test_lifecycle_through_the_api(world: World) -> None:
    response = post(world.leader, "/api/v1/tasks/assign", assign_body(world))
    assert response.status_code == 201
    body = response.json()
    task_id = body["id"]
    assert (body["state"], body["deadline"], body["version"]) == ("assigned", "2026-03-31", 1)
    assert [
        (c["to_unit_id"], c["request"], c["due"], c["on_assignment"], c["outcome"]) for c in body["coordinations"]
    ] == [(world.province.other_division.pk, "Số liệu quy hoạch", "2026-03-25", True, "pending")]
    accepted = post(
        world.owner_user,
        f"/api/v1/tasks/{task_id}/accept",
        {"plan": [{"title": "Khảo sát", "due": "2026-03-20"}], "version": 1},
    )
    assert (accepted.status_code, accepted.json()["state"], accepted.json()["version"]) == (200, "accepted", 2)
    difficulty = post(world.owner_user, f"/api/v1/tasks/{task_id}/difficulties", {"description": "Thiếu số liệu"})
    assert difficulty.status_code == 201
    [raised] = difficulty.json()["difficulties"]
    assert (raised["addressed_unit_id"], raised["answer_due"], raised["level"]) == (
        world.province.division.pk,
        "2026-03-19",
        0,
    )
    answered = post(
        world.leader, f"/api/v1/tasks/difficulties/{raised['id']}/answer", {"answer": "Dùng số liệu 2025", "version": 1}
    )
    assert answered.status_code == 200
    assert answered.json()["difficulties"][0]["answered_on"] == "2026-03-16"
    submitted = post(world.owner_user, f"/api/v1/tasks/{task_id}/submit", {"products_done": [], "version": 2})
    assert (submitted.status_code, submitted.json()["state"]) == (200, "submitted")
    reviewed = post(world.leader, f"/api/v1/tasks/{task_id}/review", {"accept": True, "grade": "meets", "version": 3})
    assert (reviewed.status_code, reviewed.json()["state"], reviewed.json()["bucket"]) == (
        200,
        "done",
        "completed_on_time",
    )


def test_refusals_are_structured_and_change_nothing(world: World) -> None:
    before = row_counts()
    cases = [
        (
            assign_body(world, deadline="2026-03-01"),
            "Hạn hoàn thành 01/03/2026 không được trước ngày giao 16/03/2026.",
        ),
        (
            assign_body(world, products=[{"code": "KHONG-CO", "quantity": 1}]),
            "Loại sản phẩm KHONG-CO không có trong danh mục hoặc đã ngừng sử dụng.",
        ),
        (
            assign_body(world, lead_unit_id=world.province.outside_unit.pk),
            f"Không có đơn vị số {world.province.outside_unit.pk} trong phạm vi giao nhiệm vụ của bạn.",
        ),
        (
            assign_body(
                world,
                coordinators=[{"unit_id": world.province.other_division.pk, "request": "Số liệu", "due": "2026-04-30"}],
            ),
            "Hạn phối hợp 30/04/2026 phải nằm trong khoảng từ 16/03/2026 đến hạn của nhiệm vụ 31/03/2026.",
        ),
    ]
    for body, message in cases:
        response = post(world.leader, "/api/v1/tasks/assign", body)
        assert (response.status_code, response.json()) == (422, {"detail": message, "code": "refused"})
    assert row_counts() == before


def test_a_stale_version_is_a_conflict(world: World) -> None:
    task = world.assign()
    world.accept(task)
    response = post(world.owner_user, f"/api/v1/tasks/{task.pk}/progress", {"percent": 40, "version": 1})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Nhiệm vụ đã được người khác thay đổi; vui lòng tải lại trang và thử lại.", "code": "conflict"},
    )
    assert Task.objects.get(pk=task.pk).state == "accepted"
    wrong_state = post(world.owner_user, f"/api/v1/tasks/{task.pk}/accept", {"plan": [], "version": 2})
    assert (wrong_state.status_code, wrong_state.json()["code"]) == (422, "refused")
    assert wrong_state.json()["detail"] == "Không thể tiếp nhận nhiệm vụ khi nhiệm vụ đang ở trạng thái “Đã tiếp nhận”."


def test_overview_counts(world: World) -> None:
    world.assign()
    with on(date(2026, 3, 2)):
        world.assign(title="Việc quá hạn", deadline=date(2026, 3, 13))
    client = Client()
    client.force_login(world.leader)
    body = client.get("/api/v1/tasks/overview", {"unit_id": world.province.agency.pk}).json()
    assert body["unit_id"] == world.province.agency.pk
    rows = {(r["unit_code"], r["own"]): (r["total"], r["buckets"]) for r in body["units"]}
    assert rows[("01.001.01", False)] == (
        2,
        {"completed_on_time": 0, "completed_late": 0, "in_progress_on_time": 1, "overdue": 1},
    )
    assert rows[("01.001", True)] == (
        0,
        {"completed_on_time": 0, "completed_late": 0, "in_progress_on_time": 0, "overdue": 0},
    )
    assert body["people"] == [
        {
            "person_id": world.owner.pk,
            "full_name": "Nguyễn Thị Hoà",
            "buckets": {"completed_on_time": 0, "completed_late": 0, "in_progress_on_time": 1, "overdue": 1},
        }
    ]
