"""Evaluation sheet API: the workflow through JSON, the quota as a structured refusal, conflicts, the year."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.core.policy import Role
from tests.evaluation.test_sheets import march_work
from tests.factories import Province
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(province: Province) -> World:
    return World(province)


def call(account: User, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    client = Client()
    client.force_login(account)
    if method == "get":
        return client.get(url)
    return client.post(url, data=body or {}, content_type="application/json")


def test_the_month_through_the_api(world: World) -> None:
    march_work(world)
    head = world.province.users[Role.TRUONGPHONG]
    opened = call(world.owner_user, "post", "/api/v1/evaluation/sheets/open", {"month": "2026-03"})
    assert opened.status_code == 201
    sheet = opened.json()
    sid = sheet["id"]
    assert (sheet["period"], sheet["role"], sheet["state"], [p["task_title"] for p in sheet["products"]]) == (
        "Tháng 03/2026",
        "staff",
        "draft",
        ["Báo cáo đúng hạn", "Báo cáo chậm"],
    )
    assessed = call(
        world.owner_user,
        "post",
        f"/api/v1/evaluation/sheets/{sid}/self-assessment",
        {"version": 1, "general": {"I": 10, "II": 10, "III": 10}},
    )
    assert (assessed.status_code, assessed.json()["state"]) == (200, "self_assessed")
    stale = call(
        head, "post", f"/api/v1/evaluation/sheets/{sid}/review", {"version": 1, "general": {"I": 9, "II": 9, "III": 9}}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    reviewed = call(
        head,
        "post",
        f"/api/v1/evaluation/sheets/{sid}/review",
        {"version": 2, "general": {"I": 10, "II": 10, "III": 10}},
    )
    assert reviewed.status_code == 200
    # 30 + 70 × 90 / 100 = 93 → HTXS, and nobody of the division is rated HTT: the quota allows 0.
    with on(date(2026, 3, 31)):
        blocked = call(head, "post", f"/api/v1/evaluation/sheets/{sid}/decisions", {"version": 3})
        assert (blocked.status_code, blocked.json()) == (
            422,
            {
                "detail": "Vượt tỷ lệ hoàn thành xuất sắc: tối đa 0 người (20% số người hoàn thành tốt), đề nghị 1, "
                "vượt 1. Hãy điều chỉnh hoặc ghi lý do vượt tỷ lệ.",
                "code": "quota_exceeded",
                "max_htxs": 0,
                "excess": 1,
            },
        )
        decided = call(
            head,
            "post",
            f"/api/v1/evaluation/sheets/{sid}/decisions",
            {"version": 3, "number": "7/QĐ-STC", "quota_override_reason": "Đơn vị xuất sắc"},
        )
    assert decided.status_code == 201
    [decision] = decided.json()["decisions"]
    assert (decision["seq"], decision["total"], decision["level"], decision["number"]) == (
        1,
        "93.00",
        "HTXS",
        "7/QĐ-STC",
    )
    assert [t["key"] for t in decision["trace"]][:3] == ["general", "a", "b"]
    listed = call(head, "get", "/api/v1/evaluation/sheets?month=2026-03").json()
    assert (listed["count"], listed["items"][0]["level"], listed["items"][0]["total"]) == (1, "HTXS", "93.00")
    year = call(world.owner_user, "get", f"/api/v1/evaluation/people/{world.owner.pk}/years/2026").json()
    assert (year["average"], year["level"]) == ("93.00", "HTXS")
    outsider = call(world.province.users[Role.CHUYENVIEN], "get", f"/api/v1/evaluation/sheets/{sid}")
    assert outsider.status_code == 404
