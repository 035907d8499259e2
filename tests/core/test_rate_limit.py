"""The per-address limit counts in the database, shared by every worker, and never forgets a live counter."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from congvu.core.clients import over_limit
from congvu.core.models import RateCounter

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db
def test_counts_per_address_and_window_and_survives_many_addresses() -> None:
    with time_machine.travel(datetime(2026, 3, 16, 9, 10, tzinfo=VN), tick=False):
        assert [over_limit("feedback", "10.0.0.1", 2, 3600) for _ in range(3)] == [False, False, True]
        for i in range(400):  # Django's database cache evicted a third of its entries past 300
            assert over_limit("feedback", f"10.1.{i // 250}.{i % 250}", 2, 3600) is False
        assert over_limit("feedback", "10.0.0.1", 2, 3600) is True
        assert over_limit("other", "10.0.0.1", 2, 3600) is False  # each limit counts on its own
    with time_machine.travel(datetime(2026, 3, 16, 10, 0, 1, tzinfo=VN), tick=False):
        assert over_limit("feedback", "10.0.0.1", 2, 3600) is False  # a new window
    assert not RateCounter.objects.filter(name__contains="10.0.0.1").exists()  # only hashes are kept


@pytest.mark.django_db
def test_ended_windows_are_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(datetime(2026, 3, 16, 9, 0, tzinfo=VN), tick=False):
        over_limit("feedback", "10.0.0.1", 2, 60)
    monkeypatch.setattr("congvu.core.clients.CLEANUP_ONE_IN", 1)
    with time_machine.travel(datetime(2026, 3, 16, 9, 5, tzinfo=VN), tick=False):
        over_limit("feedback", "10.0.0.2", 2, 60)
    assert RateCounter.objects.count() == 1
