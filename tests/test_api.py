"""The REST API: token auth, list format, scope (404) and the OpenAPI document."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from congvu.accounts import services
from congvu.accounts.models import ApiToken
from tests.factories import Province

pytestmark = pytest.mark.django_db


def bearer(province: Province, role: str) -> Client:
    raw = services.create_token(acting_user=None, user=province.users[role])
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_token_command_prints_a_working_token(province: Province, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("token", "create", "truongphong")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("cv_") and len(raw) == 46
    token = ApiToken.objects.get()
    assert token.digest != raw and token.hint == raw[:8]
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "truongphong",
        "full_name": "",
        "roles": [{"role": "truongphong", "scope_path": province.division.path}],
        "capabilities": [
            "evaluation.review",
            "evaluation.view",
            "feedback.approve",
            "feedback.handle",
            "org.view",
            "task.assign",
            "token.own",
        ],
    }


def test_invalid_or_revoked_token_is_401(province: Province) -> None:
    assert Client(headers={"Authorization": "Bearer cv_nope"}).get("/api/v1/me").json() == {
        "detail": "Khoá API không hợp lệ.",
        "code": "invalid_token",
    }
    client = bearer(province, "admin")
    services.revoke_token(acting_user=None, token=ApiToken.objects.get())
    assert client.get("/api/v1/me").status_code == 401


def test_units_list_is_scoped_and_shaped(province: Province) -> None:
    body = bearer(province, "giamdoc").get("/api/v1/units").json()
    assert body["count"] == 2
    assert [u["code"] for u in body["items"]] == ["01.001", "01.001.01"]
    assert body["items"][1] == {
        "id": province.division.pk,
        "code": "01.001.01",
        "name": "Phòng Ngân sách",
        "short_name": "",
        "kind": "division",
        "parent_id": province.agency.pk,
        "status": "active",
        "successor_id": None,
        "valid_from": "2020-01-01",
        "valid_to": None,
    }
    admin = bearer(province, "admin").get("/api/v1/units?kind=agency").json()
    assert [u["code"] for u in admin["items"]] == ["01.001", "01.002"]


def test_other_scope_is_404_and_pid_is_masked(province: Province) -> None:
    client = bearer(province, "truongphong")
    assert client.get(f"/api/v1/units/{province.other_division.pk}").status_code == 404
    assert client.get(f"/api/v1/people/{province.other_person.pk}").status_code == 404
    person = client.get(f"/api/v1/people/{province.person.pk}").json()
    assert person["personal_id_masked"] == "•••••••••345"
    assert "personal_id" not in person


def test_people_and_appointments_lists(province: Province) -> None:
    client = bearer(province, "giamdoc")
    people = client.get("/api/v1/people").json()
    assert (people["count"], [p["full_name"] for p in people["items"]]) == (1, ["Nguyễn Thị Hoà"])
    posts = client.get("/api/v1/appointments").json()
    assert posts["count"] == 1
    assert posts["items"][0] | {"id": 0} == {
        "id": 0,
        "person_id": province.person.pk,
        "title_code": "chuyen_vien",
        "title_name": "Chuyên viên",
        "unit_id": province.division.pk,
        "kind": "primary",
        "start_date": "2020-01-01",
        "end_date": None,
        "decision_number": "",
    }


def test_bad_query_is_a_structured_422(province: Province) -> None:
    response = bearer(province, "admin").get("/api/v1/units?limit=many")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_openapi_document_lists_the_routes() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    assert sorted(doc["paths"]) == [
        "/api/v1/appointments",
        "/api/v1/evaluation/complaints/{complaint_id}/resolution",
        "/api/v1/evaluation/people/{person_id}/years/{year}",
        "/api/v1/evaluation/quota",
        "/api/v1/evaluation/rules",
        "/api/v1/evaluation/score",
        "/api/v1/evaluation/sheets",
        "/api/v1/evaluation/sheets/open",
        "/api/v1/evaluation/sheets/{sheet_id}",
        "/api/v1/evaluation/sheets/{sheet_id}/collective-comments",
        "/api/v1/evaluation/sheets/{sheet_id}/complaints",
        "/api/v1/evaluation/sheets/{sheet_id}/decisions",
        "/api/v1/evaluation/sheets/{sheet_id}/return",
        "/api/v1/evaluation/sheets/{sheet_id}/review",
        "/api/v1/evaluation/sheets/{sheet_id}/self-assessment",
        "/api/v1/feedback",
        "/api/v1/feedback/people/{person_id}",
        "/api/v1/feedback/{feedback_id}",
        "/api/v1/feedback/{feedback_id}/actions",
        "/api/v1/me",
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/reports/units/{unit_id}/service",
        "/api/v1/tasks",
        "/api/v1/tasks/assign",
        "/api/v1/tasks/coordinations/{coordination_id}/answer",
        "/api/v1/tasks/difficulties/{difficulty_id}/answer",
        "/api/v1/tasks/extensions/{extension_id}/decision",
        "/api/v1/tasks/overview",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/accept",
        "/api/v1/tasks/{task_id}/cancel",
        "/api/v1/tasks/{task_id}/coordinations",
        "/api/v1/tasks/{task_id}/difficulties",
        "/api/v1/tasks/{task_id}/extensions",
        "/api/v1/tasks/{task_id}/progress",
        "/api/v1/tasks/{task_id}/review",
        "/api/v1/tasks/{task_id}/submit",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
    ]


def test_own_tokens_from_the_profile_page(province: Province) -> None:
    client = Client()
    client.force_login(province.users["chuyenvien"])
    html = client.post("/accounts/tokens/", {"name": "Bảng tính báo cáo"}).content.decode()
    token = ApiToken.objects.get(user=province.users["chuyenvien"])
    raw = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert raw.startswith(token.hint) and token.name == "Bảng tính báo cáo"
    assert "Bảng tính báo cáo" in client.get("/accounts/profile/").content.decode()
    assert raw not in client.get("/accounts/profile/").content.decode()  # shown once only
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/me").json()["username"] == "chuyenvien"
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert client.post("/accounts/tokens/", {"name": ""}).status_code == 400


def test_out_of_range_and_nul_input_is_a_clear_4xx(province: Province) -> None:
    client = bearer(province, "admin")
    for url in (
        "/api/v1/units?offset=100000000000000000000000",
        "/api/v1/units?parent_id=" + "9" * 30,
        "/api/v1/appointments?person_id=" + "9" * 30,
        "/api/v1/units?limit=0",
    ):
        assert client.get(url).status_code == 422, url
    for url in ("/api/v1/people?q=a%00b", "/api/v1/units?code=%00"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (400, "invalid")
    web = Client()
    web.force_login(province.users["admin"])
    assert web.get("/org/people/?q=%00").status_code == 400
    assert web.post("/accounts/tokens/", {"name": "a\x00b"}).status_code == 400
    assert ApiToken.objects.filter(user=province.users["admin"]).count() == 1  # only the bearer one
