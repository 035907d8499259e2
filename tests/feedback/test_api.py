"""Feedback API: the staff's inbox in JSON, its actions with structured refusals, the hidden denouncer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.core.policy import Role
from congvu.feedback import services
from congvu.feedback.models import Service
from tests.factories import Province, person

pytestmark = pytest.mark.django_db
TEXT = "Vỉa hè đường Trần Phú bị lấn chiếm làm bãi giữ xe."


def call(account: User, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    client = Client()
    client.force_login(account)
    if method == "get":
        return client.get(url)
    return client.post(url, data=body or {}, content_type="application/json")


def test_inbox_and_actions(province: Province) -> None:
    service = Service.objects.create(code="trat-tu", name="Trật tự đô thị", default_unit=province.division)
    f = services.submit(service=service, description=TEXT, name="Vũ Văn Bình")
    clerk, head = province.users[Role.CHUYENVIEN], province.users[Role.TRUONGPHONG]
    listed = call(clerk, "get", "/api/v1/feedback?state=received").json()
    assert (listed["count"], listed["items"][0]["public_id"], listed["items"][0]["version"]) == (1, f.public_id, 1)
    accepted = call(clerk, "post", f"/api/v1/feedback/{f.pk}/actions", {"action": "accept", "version": 1})
    assert (accepted.status_code, accepted.json()["state"], accepted.json()["due_on"]) == (
        200,
        "accepted",
        "2026-04-13",
    )
    stale = call(
        clerk, "post", f"/api/v1/feedback/{f.pk}/actions", {"action": "draft", "version": 1, "answer": "x" * 20}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    short = call(clerk, "post", f"/api/v1/feedback/{f.pk}/actions", {"action": "draft", "version": 2, "answer": "ngắn"})
    assert (short.status_code, short.json()) == (
        422,
        {"detail": "Hãy viết nội dung trả lời (ít nhất 10 ký tự).", "code": "refused"},
    )
    call(
        clerk,
        "post",
        f"/api/v1/feedback/{f.pk}/actions",
        {"action": "draft", "version": 2, "answer": "Đã giải tỏa vỉa hè."},
    )
    refused = call(clerk, "post", f"/api/v1/feedback/{f.pk}/actions", {"action": "publish", "version": 3})
    assert (refused.status_code, refused.json()["detail"]) == (
        422,
        "Chỉ lãnh đạo đơn vị xử lý mới được duyệt và công khai câu trả lời.",
    )
    published = call(head, "post", f"/api/v1/feedback/{f.pk}/actions", {"action": "publish", "version": 3}).json()
    assert (published["state"], published["published_on"], published["submitter_name"]) == (
        "published",
        "2026-03-16",
        "Vũ Văn Bình",
    )
    outsider = call(province.users[Role.CHUYENVIEN], "get", "/api/v1/feedback/999999")
    assert outsider.status_code == 404


def test_the_denouncer_is_not_in_the_json_of_the_unit_concerned(province: Province) -> None:
    service = Service.objects.create(code="to-cao", name="Tố cáo", track="denunciation", default_unit=province.division)
    official = person("Hồ Văn Bị", province.division, sex="M")
    f = services.submit(
        service=service, description=TEXT, about_unit=province.division, about_person=official, name="Người tố cáo"
    )
    inside = call(province.users[Role.TRUONGPHONG], "get", f"/api/v1/feedback/{f.pk}").json()
    above = call(province.users[Role.LANHDAO], "get", f"/api/v1/feedback/{f.pk}").json()
    assert (inside["submitter_name"], inside["submitter_contact"]) == (None, None)
    assert above["submitter_name"] == "Người tố cáo"
