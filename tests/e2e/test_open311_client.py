"""End-to-end: an Open311 client script (standard library only) posts a request and reads it back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_the_example_client_posts_and_reads_back(served_demo: tuple[str, dict[str, str]]) -> None:
    url, env = served_demo
    made = subprocess.run(
        [sys.executable, "-m", "congvu", "open311_key", "Ứng dụng Tổng đài 1022"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = made.stdout.strip()
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "docs" / "examples" / "open311_client.py"),
            "--base",
            f"{url}/open311/v2",
            "--api-key",
            key,
            "--service-code",
            "ha-tang",
            "--description",
            "Đèn đường trước số 12 phố Hàng Bông không sáng đã một tuần.",
            "--lat",
            "21.028511",
            "--long",
            "105.804817",
            "--address",
            "12 Hàng Bông",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert set(shown) == FIELDS
    assert (shown["status"], shown["service_code"], shown["lat"], shown["long"], shown["address"]) == (
        "open",
        "ha-tang",
        21.028511,
        105.804817,
        "12 Hàng Bông",
    )
    assert shown["description"] == "Đèn đường trước số 12 phố Hàng Bông không sáng đã một tuần."
    assert shown["service_request_id"].startswith("PA-") and shown["requested_datetime"].endswith("+07:00")
    bad = subprocess.run(
        [
            sys.executable,
            str(ROOT / "docs" / "examples" / "open311_client.py"),
            "--base",
            f"{url}/open311/v2",
            "--api-key",
            "sai-khoa",
            "--service-code",
            "ha-tang",
            "--description",
            "Thử khoá sai",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "HTTP 4" in bad.stderr
