"""The evaluation API: score, quota and rules, with structured refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import Province

pytestmark = pytest.mark.django_db

EXAMPLE = {
    "date": "2026-03-31",
    "role": "leader",
    "general": {"I": 9, "II": 9.5, "III": 8},
    "products": [
        {"weight": 2, "done": True, "errors": 0, "delays": 1, "ref": "task:1"},
        {"weight": 1, "done": False, "ref": "task:2"},
        {"weight": 1.5, "done": True, "errors": 2, "excused": True, "ref": "task:3"},
    ],
    "subordinate_levels": ["HTT", "HT", "HTXS"],
    "organising": 100,
    "uniting": 100,
}


def client_for(province: Province, role: str = "truongphong") -> Client:
    client = Client()
    client.force_login(province.users[role])
    return client


def test_score_returns_values_level_and_trace(province: Province) -> None:
    body = client_for(province).post("/api/v1/evaluation/score", EXAMPLE, content_type="application/json").json()
    assert body["values"] == {
        "general": "26.50",
        "a": "77.78",
        "b": "77.78",
        "c": "66.67",
        "d": "100.00",
        "dd": "100.00",
        "e": "100.00",
        "task_percent": "87.04",
        "task_points": "60.93",
        "total": "87.43",
    }
    assert (body["level"], body["forced"], body["ruleset"]) == ("HTT", False, "vn-nd-335-2025")
    assert [line["key"] for line in body["trace"]] == [
        "general",
        "a",
        "b",
        "c",
        "d",
        "dd",
        "e",
        "task_percent",
        "task_points",
        "total",
        "level",
    ]
    assert body["trace"][1]["evidence"] == ["task:1", "task:2", "task:3"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"products": []}, "no_products"),
        ({"date": "2025-12-31"}, "no_ruleset"),
        ({"general": {"I": 11, "II": 9, "III": 9}}, "invalid_input"),
        ({"role": "boss"}, "invalid_input"),
    ],
)
def test_refusals_are_structured(province: Province, change: dict[str, object], code: str) -> None:
    response = client_for(province).post("/api/v1/evaluation/score", EXAMPLE | change, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_malformed_body_is_a_422_not_a_500(province: Province) -> None:
    client = client_for(province)
    broken = client.post("/api/v1/evaluation/score", "{not json", content_type="application/json")
    assert broken.status_code == 400
    response = client.post("/api/v1/evaluation/score", {"date": "hôm nay"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_quota_and_rules(province: Province) -> None:
    client = client_for(province, "chuyenvien")
    quota = client.post(
        "/api/v1/evaluation/quota",
        {"date": "2026-12-10", "counts": {"HTXS": 3, "HTT": 10}},
        content_type="application/json",
    ).json()
    assert (quota["max_htxs"], quota["excess"], quota["blocked"]) == (2, 1, True)
    rules = client.get("/api/v1/evaluation/rules?day=2026-05-01").json()
    assert rules["ruleset"] == "vn-nd-335-2025" and rules["count"] == 15
    shares = {item["name"]: item for item in rules["items"]}
    assert shares["quota.htxs_share_outstanding"]["certainty"] == "repo-only"
    assert shares["task.points_max"]["citation"] == "Nghị định 335/2025/NĐ-CP, Điều 12"
    assert client.get("/api/v1/evaluation/rules?day=2025-06-01").json()["code"] == "no_ruleset"


def test_json_numbers_are_read_as_decimals(province: Province) -> None:
    raw = (
        '{"date": "2026-03-31", "role": "staff", "general": {"I": 8.004999999999999999999, "II": 9, "III": 9},'
        ' "products": [{"weight": 1, "done": true}]}'
    )
    body = client_for(province).post("/api/v1/evaluation/score", raw, content_type="application/json").json()
    assert (body["values"]["general"], body["values"]["total"]) == ("26.00", "96.00")


def test_session_writes_to_the_api_need_the_csrf_token(province: Province) -> None:
    from congvu.accounts import services as account_services

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(province.users["truongphong"])
    refused = strict.post("/api/v1/evaluation/score", EXAMPLE, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf")
    raw = account_services.create_token(acting_user=None, user=province.users["truongphong"])
    token = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    assert token.post("/api/v1/evaluation/score", EXAMPLE, content_type="application/json").status_code == 200
