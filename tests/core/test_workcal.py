"""Tests for the Vietnamese working-day calendar (no Django, no database)."""

from __future__ import annotations

import json
import re
import timeit
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from congvu.core import workcal
from congvu.core.workcal import (
    DayOverride,
    WorkCalendar,
    default_calendar,
    load_file_overrides,
)

DATA_FILE = Path(workcal.__file__).parent / "calendar_data" / "vietnam.json"


def d(text: str) -> date:
    return date.fromisoformat(text)


def days(*texts: str) -> list[date]:
    return [d(t) for t in texts]


@pytest.fixture
def cal() -> WorkCalendar:
    return default_calendar()


# -- public holidays and swaps -------------------------------------------------------


def test_tet_2026_nine_days_off(cal: WorkCalendar) -> None:
    # Tết Bính Ngọ: Mùng 1 = Tue 17/2/2026; civil servants off Sat 14/2 - Sun 22/2.
    off = [d("2026-02-14") + timedelta(i) for i in range(9)]
    assert not any(cal.is_working_day(x) for x in off)
    assert cal.is_working_day(d("2026-02-13"))
    assert cal.is_working_day(d("2026-02-23"))
    assert cal.working_days_in(d("2026-02-09"), d("2026-02-27")) == days(
        "2026-02-09",
        "2026-02-10",
        "2026-02-11",
        "2026-02-12",
        "2026-02-13",
        "2026-02-23",
        "2026-02-24",
        "2026-02-25",
        "2026-02-26",
        "2026-02-27",
    )
    named = {x: cal.holiday_name(x) for x in off if cal.holiday_name(x)}
    assert named == {
        d("2026-02-16"): "Giao thừa Tết Nguyên Đán",
        d("2026-02-17"): "Tết Nguyên Đán",
        d("2026-02-18"): "Mùng hai Tết Nguyên Đán",
        d("2026-02-19"): "Mùng ba Tết Nguyên Đán",
        d("2026-02-20"): "Mùng bốn Tết Nguyên Đán",
    }
    # The weekends around Tết are plain weekends, not named holidays.
    assert cal.holiday_name(d("2026-02-14")) is None


def test_tet_2025(cal: WorkCalendar) -> None:
    # Tết Ất Tỵ: off Sat 25/1 - Sun 2/2/2025 (Mon 27/1 compensates Mùng 4 on a Sat).
    assert cal.working_days_in(d("2025-01-24"), d("2025-02-03")) == days("2025-01-24", "2025-02-03")
    assert cal.holiday_name(d("2025-01-29")) == "Tết Nguyên Đán"


def test_reunification_and_labour_day_2025_with_swap(cal: WorkCalendar) -> None:
    assert cal.holiday_name(d("2025-04-30")) == "Ngày Chiến thắng"
    assert cal.holiday_name(d("2025-05-01")) == "Ngày Quốc tế Lao động"
    # Fri 2/5/2025 off, worked on Sat 26/4/2025 instead (vietnam.json).
    assert not cal.is_working_day(d("2025-05-02"))
    assert cal.holiday_name(d("2025-05-02")) == ("Ngày nghỉ hoán đổi dịp 30/4 – 1/5 (làm bù thứ Bảy 26/04/2025)")
    assert d("2025-04-26").weekday() == 5
    assert cal.is_working_day(d("2025-04-26"))
    assert cal.holiday_name(d("2025-04-26")) is None
    assert not cal.is_working_day(d("2025-04-19"))  # an ordinary Saturday
    assert cal.working_days_in(d("2025-04-25"), d("2025-05-06")) == days(
        "2025-04-25",
        "2025-04-26",
        "2025-04-28",
        "2025-04-29",
        "2025-05-05",
        "2025-05-06",
    )


def test_swap_2024(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(d("2024-04-29"))
    assert cal.is_working_day(d("2024-05-04"))  # make-up Saturday
    assert cal.working_days_in(d("2024-04-26"), d("2024-05-06")) == days(
        "2024-04-26", "2024-05-02", "2024-05-03", "2024-05-04", "2024-05-06"
    )


def test_new_year_2026_swap(cal: WorkCalendar) -> None:
    assert cal.holiday_name(d("2026-01-01")) == "Tết Dương lịch"
    assert not cal.is_working_day(d("2026-01-02"))
    assert cal.is_working_day(d("2026-01-10"))  # make-up Saturday
    assert cal.working_days_in(d("2025-12-31"), d("2026-01-12")) == days(
        "2025-12-31",
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
        "2026-01-08",
        "2026-01-09",
        "2026-01-10",
        "2026-01-12",
    )


def test_national_day_2026(cal: WorkCalendar) -> None:
    # Off Sat 29/8 - Wed 2/9/2026; Mon 31/8 swapped with Sat 22/8.
    assert cal.holiday_name(d("2026-09-02")) == "Quốc khánh"
    assert cal.holiday_name(d("2026-09-01")) == "Quốc khánh"
    assert not cal.is_working_day(d("2026-08-31"))
    assert cal.is_working_day(d("2026-08-22"))
    assert cal.working_days_in(d("2026-08-27"), d("2026-09-04")) == days(
        "2026-08-27", "2026-08-28", "2026-09-03", "2026-09-04"
    )


def test_vietnam_cultural_day_from_2026(cal: WorkCalendar) -> None:
    assert cal.holiday_name(d("2026-11-24")) == "Ngày Văn hóa Việt Nam"
    assert not cal.is_working_day(d("2026-11-24"))
    assert cal.is_working_day(d("2025-11-24"))  # a Monday before the day existed
    assert cal.holiday_name(d("2025-11-24")) is None


def test_hung_kings_2026_on_sunday_observed_monday(cal: WorkCalendar) -> None:
    # 10/3 lunar = Sun 26/4/2026, so Mon 27/4 is the compensatory day off.
    assert d("2026-04-26").weekday() == 6
    assert cal.holiday_name(d("2026-04-26")) == "Ngày Giỗ Tổ Hùng Vương"
    assert cal.holiday_name(d("2026-04-27")) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert not cal.is_working_day(d("2026-04-27"))
    assert cal.working_days_in(d("2026-04-24"), d("2026-05-04")) == days(
        "2026-04-24", "2026-04-28", "2026-04-29", "2026-05-04"
    )


def test_working_days_in_2026(cal: WorkCalendar) -> None:
    # 261 weekdays - 14 weekday holidays + 2 make-up Saturdays.
    assert len(cal.working_days_in(d("2026-01-01"), d("2026-12-31"))) == 249
    assert cal.working_days_between(d("2025-12-31"), d("2026-12-31")) == 249
    assert cal.working_days_in(d("2026-03-02"), d("2026-03-01")) == []


# -- counting --------------------------------------------------------------------------


def test_add_working_days_across_tet(cal: WorkCalendar) -> None:
    assert cal.add_working_days(d("2026-02-12"), 1) == d("2026-02-13")
    assert cal.add_working_days(d("2026-02-12"), 2) == d("2026-02-23")
    # A conclusion notice due within 5 working days of a meeting on Thu 12/2/2026.
    assert cal.add_working_days(d("2026-02-12"), 5) == d("2026-02-26")
    assert cal.add_working_days(d("2026-02-13"), 5) == d("2026-02-27")
    assert cal.add_working_days(d("2026-02-17"), 1) == d("2026-02-23")
    assert cal.add_working_days(d("2026-02-13"), 6) == d("2026-03-02")


def test_add_working_days_across_year_end(cal: WorkCalendar) -> None:
    assert cal.add_working_days(d("2025-12-31"), 1) == d("2026-01-05")
    assert cal.add_working_days(d("2025-12-31"), 6) == d("2026-01-10")
    assert cal.add_working_days(d("2025-12-31"), 249) == d("2026-12-31")
    assert cal.add_working_days(d("2026-01-05"), -1) == d("2025-12-31")


def test_add_working_days_backwards(cal: WorkCalendar) -> None:
    assert cal.add_working_days(d("2026-02-23"), -1) == d("2026-02-13")
    assert cal.add_working_days(d("2026-02-21"), -1) == d("2026-02-13")
    assert cal.add_working_days(d("2026-02-24"), -2) == d("2026-02-13")
    assert cal.add_working_days(d("2026-02-24"), -1) == d("2026-02-23")
    # Counting back over 30/4-4/5/2025 passes the make-up Saturday 26/4.
    assert cal.add_working_days(d("2025-05-05"), -2) == d("2025-04-28")
    assert cal.add_working_days(d("2025-05-05"), -3) == d("2025-04-26")
    assert cal.add_working_days(d("2025-05-05"), -4) == d("2025-04-25")


def test_add_zero_working_days(cal: WorkCalendar) -> None:
    assert cal.add_working_days(d("2026-02-13"), 0) == d("2026-02-13")
    assert cal.add_working_days(d("2026-02-14"), 0) == d("2026-02-23")
    assert cal.add_working_days(d("2026-02-16"), 0) == d("2026-02-23")
    assert cal.add_working_days(d("2025-04-26"), 0) == d("2025-04-26")


def test_working_days_between(cal: WorkCalendar) -> None:
    assert cal.working_days_between(d("2026-02-13"), d("2026-02-23")) == 1
    assert cal.working_days_between(d("2026-02-12"), d("2026-02-27")) == 6
    assert cal.working_days_between(d("2026-02-27"), d("2026-02-12")) == -6
    assert cal.working_days_between(d("2026-02-14"), d("2026-02-22")) == 0
    assert cal.working_days_between(d("2026-02-13"), d("2026-02-13")) == 0
    assert cal.working_days_between(d("2025-12-31"), d("2026-01-12")) == 7
    assert cal.working_days_between(d("2024-01-01"), d("2027-01-01")) == (
        len(cal.working_days_in(d("2024-01-02"), d("2027-01-01")))
    )


# -- overrides -------------------------------------------------------------------------


def test_province_override_adds_holiday() -> None:
    local = DayOverride(
        day=d("2026-03-10"),
        kind="holiday",
        name="Ngày nghỉ theo quyết định của tỉnh",
        basis="Quyết định thử nghiệm số 1/QĐ-UBND",
        certainty="verified",
    )
    cal = WorkCalendar([local])
    assert not cal.is_working_day(d("2026-03-10"))
    assert cal.holiday_name(d("2026-03-10")) == "Ngày nghỉ theo quyết định của tỉnh"
    assert cal.add_working_days(d("2026-03-09"), 1) == d("2026-03-11")
    assert default_calendar().is_working_day(d("2026-03-10"))


def test_override_precedence() -> None:
    cal = WorkCalendar(
        [
            # Wins over the file, which makes Sat 26/4/2025 a working day.
            DayOverride(d("2025-04-26"), "holiday", "Nghỉ", "Thử nghiệm", "unverified"),
            # Wins over the holidays package.
            DayOverride(d("2026-11-24"), "workday", "Đi làm", "Thử nghiệm", "likely"),
        ]
    )
    assert not cal.is_working_day(d("2025-04-26"))
    assert cal.holiday_name(d("2025-04-26")) == "Nghỉ"
    assert cal.is_working_day(d("2026-11-24"))
    assert cal.holiday_name(d("2026-11-24")) is None
    # The file still applies to other days.
    assert cal.is_working_day(d("2026-08-22"))


def test_day_override_validation() -> None:
    with pytest.raises(TypeError):
        DayOverride(datetime(2026, 3, 10, 8), "holiday", "X", "Y", "verified")
    bad_kind: Any = "weekend"
    with pytest.raises(ValueError, match="kind"):
        DayOverride(d("2026-03-10"), bad_kind, "X", "Y", "verified")
    with pytest.raises(ValueError, match="certainty"):
        DayOverride(d("2026-03-10"), "holiday", "X", "Y", "maybe")
    with pytest.raises(ValueError, match="basis"):
        DayOverride(d("2026-03-10"), "holiday", "X", " ", "verified")
    not_an_override: Any = (d("2026-03-10"), "holiday")
    with pytest.raises(TypeError):
        WorkCalendar([not_an_override])


# -- argument checks -------------------------------------------------------------------


def test_datetime_rejected(cal: WorkCalendar) -> None:
    moment: Any = datetime(2026, 2, 13, 9, 30)
    today = d("2026-02-13")
    with pytest.raises(TypeError):
        cal.is_working_day(moment)
    with pytest.raises(TypeError):
        cal.holiday_name(moment)
    with pytest.raises(TypeError):
        cal.add_working_days(moment, 1)
    with pytest.raises(TypeError):
        cal.working_days_between(today, moment)
    with pytest.raises(TypeError):
        cal.working_days_between(moment, today)
    with pytest.raises(TypeError):
        cal.working_days_in(today, moment)
    text: Any = "2026-02-13"
    with pytest.raises(TypeError):
        cal.is_working_day(text)
    count: Any = 1.0
    with pytest.raises(TypeError):
        cal.add_working_days(today, count)


def test_outside_supported_years(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.is_working_day(date(workcal.FIRST_YEAR - 1, 6, 1))
    with pytest.raises(ValueError):
        cal.add_working_days(date(workcal.LAST_YEAR, 12, 30), 5)


def test_default_calendar_is_cached() -> None:
    assert default_calendar() is default_calendar()


def test_fast_enough(cal: WorkCalendar) -> None:
    cal.add_working_days(d("2026-03-01"), 250)  # warm the per-year cache
    per_call = timeit.timeit(lambda: cal.add_working_days(d("2026-03-01"), 250), number=1000)
    assert per_call / 1000 < 1e-3


# -- data file -------------------------------------------------------------------------


def test_data_file_schema() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert isinstance(data["source"], str) and data["source"].strip()
    entries = data["entries"]
    assert entries
    seen: set[str] = set()
    for entry in entries:
        assert set(entry) == {"date", "kind", "name", "basis", "certainty"}, entry
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["date"]), entry
        assert entry["date"] not in seen, entry
        seen.add(entry["date"])
        assert entry["kind"] in {"workday", "holiday"}, entry
        assert entry["certainty"] in {"verified", "likely", "unverified"}, entry
        assert isinstance(entry["basis"], str) and entry["basis"].strip(), entry
        assert isinstance(entry["name"], str) and entry["name"].strip(), entry
        weekday = date.fromisoformat(entry["date"]).weekday()
        if entry["kind"] == "workday":
            assert weekday >= 5, f"make-up day {entry['date']} is not a weekend"
        else:
            assert weekday < 5, f"extra day off {entry['date']} is already a weekend"
    overrides = load_file_overrides()
    assert len(overrides) == len(entries)
    assert [o.day.isoformat() for o in overrides] == sorted(seen)


def test_expected_file_entries() -> None:
    by_day = {o.day: o for o in load_file_overrides()}
    expected = {
        "2024-04-29": "holiday",
        "2024-05-04": "workday",
        "2025-04-26": "workday",
        "2025-05-02": "holiday",
        "2026-01-02": "holiday",
        "2026-01-10": "workday",
        "2026-08-22": "workday",
        "2026-08-31": "holiday",
    }
    assert {k.isoformat(): v.kind for k, v in by_day.items()} == expected


# -- properties ------------------------------------------------------------------------

_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2095, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=_dates, n=st.integers(min_value=1, max_value=700))
def test_add_then_count_round_trip(start: date, n: int) -> None:
    cal = default_calendar()
    result = cal.add_working_days(start, n)
    assert result > start
    assert cal.is_working_day(result)
    assert cal.working_days_between(start, result) == n
    assert cal.working_days_between(result, start) == -n
    # Counting back lands on the last working day on or before start.
    expected = start if cal.is_working_day(start) else cal.add_working_days(start, -1)
    assert cal.add_working_days(result, -n) == expected


@settings(max_examples=200, deadline=None)
@given(start=_dates, span=st.integers(min_value=0, max_value=800))
def test_working_days_in_matches_between(start: date, span: int) -> None:
    cal = default_calendar()
    end = start + timedelta(span)
    listed = cal.working_days_in(start, end)
    assert len(listed) == cal.working_days_between(start - timedelta(1), end)
    assert all(cal.is_working_day(x) for x in listed)
    assert listed == sorted(set(listed))
