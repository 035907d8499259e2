"""Login, throttling, session limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, Province

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str) -> int:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}).status_code


def test_login_and_logout(province: Province) -> None:
    client = Client()
    assert login(client, "truongphong", PASSWORD) == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_message_is_vietnamese(province: Province) -> None:
    response = Client().post(reverse("accounts:login"), {"username": "truongphong", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(province: Province) -> None:
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        login(client, "chuyenvien", "sai-mat-khau")
    assert login(client, "chuyenvien", PASSWORD) == 429
    # Another account from the same address is not locked.
    assert login(Client(REMOTE_ADDR="10.0.0.1"), "truongphong", PASSWORD) == 302


def test_idle_session_limit(province: Province) -> None:
    client = Client()
    start = datetime(2026, 3, 16, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(start, tick=False) as clock:
        assert login(client, "truongphong", PASSWORD) == 302
        clock.move_to(start + timedelta(minutes=29))
        assert client.get(reverse("core:home")).status_code == 200
        clock.move_to(start + timedelta(minutes=29 + 31))
        assert client.get(reverse("core:home")).status_code == 302


def test_absolute_session_limit(province: Province) -> None:
    client = Client()
    start = datetime(2026, 3, 16, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(start, tick=False) as clock:
        assert login(client, "truongphong", PASSWORD) == 302
        for step in range(1, 29):  # active every 25 minutes for 11 h 40 min: still signed in
            clock.move_to(start + timedelta(minutes=25 * step))
            assert client.get(reverse("core:home")).status_code == 200
        clock.move_to(start + timedelta(hours=12, minutes=1))
        assert client.get(reverse("core:home")).status_code == 302
