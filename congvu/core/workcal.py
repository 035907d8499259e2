"""The Vietnamese working-day calendar (lịch ngày làm việc).

Pure Python: no Django here, so deadline arithmetic can be used and tested anywhere.

A day is a working day unless it is a Saturday, a Sunday or a public holiday. Three
layers decide, the later winning over the earlier:

1. the ``holidays`` package (``holidays.Vietnam``, Vietnamese names): Tết, Giỗ Tổ Hùng
   Vương, 30/4, 1/5, Quốc khánh (+1 day), 1/1, Ngày Văn hóa Việt Nam (24/11, from 2026),
   observed days and the swap days the package knows;
2. the data file ``calendar_data/vietnam.json``: official make-up working Saturdays (làm
   bù) and extra days off, each with its legal basis and a certainty tag;
3. the overrides passed to :class:`WorkCalendar` (for example a province's database
   rows).

Legal deadlines are counted in whole dates, so ``datetime`` values are rejected with
``TypeError``. Per-year results are cached; counting is done by binary search over the
sorted working days of each year, so ``add_working_days(d, 250)`` touches at most two
years.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Final, Literal

from holidays import country_holidays
from holidays.countries.vietnam import Vietnam

__all__ = [
    "CERTAINTIES",
    "FIRST_YEAR",
    "LAST_YEAR",
    "DayOverride",
    "WorkCalendar",
    "default_calendar",
    "load_file_overrides",
]

DayKind = Literal["workday", "holiday"]

_KINDS: Final[Mapping[str, DayKind]] = {"workday": "workday", "holiday": "holiday"}
CERTAINTIES: Final[frozenset[str]] = frozenset({"verified", "likely", "unverified"})

# The years for which ``holidays.Vietnam`` has lunar-calendar data (1901-2100). Outside
# them the package returns no holidays at all, which would silently turn Tết into
# working days, so such dates are refused with ``ValueError``.
FIRST_YEAR: Final[int] = int(Vietnam.start_year)
LAST_YEAR: Final[int] = int(Vietnam.end_year)

_DATA_PACKAGE: Final = "congvu.core"
_DATA_FILE: Final = ("calendar_data", "vietnam.json")
_ENTRY_KEYS: Final = frozenset({"date", "kind", "name", "basis", "certainty"})


def _check_day(value: object, what: str = "day") -> date:
    """Return ``value`` if it is a plain ``date`` within the supported years."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date (not {type(value).__name__})")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{what} {value} is outside the supported years {FIRST_YEAR}-{LAST_YEAR}")
    return value


@dataclass(frozen=True)
class DayOverride:
    """One day whose status differs from (or confirms) the ``holidays`` package.

    ``kind="workday"`` makes the day a working day (a make-up Saturday, làm bù);
    ``kind="holiday"`` makes it a day off named ``name``. ``basis`` cites the document
    (number and date); ``certainty`` is one of :data:`CERTAINTIES`.
    """

    day: date
    kind: DayKind
    name: str
    basis: str
    certainty: str

    def __post_init__(self) -> None:
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"DayOverride.day must be a datetime.date, not {type(self.day).__name__}")
        if self.kind not in _KINDS:
            raise ValueError(f"DayOverride.kind must be 'workday' or 'holiday', not {self.kind!r}")
        if self.certainty not in CERTAINTIES:
            raise ValueError(f"DayOverride.certainty must be one of {sorted(CERTAINTIES)}, not {self.certainty!r}")
        if not self.name.strip():
            raise ValueError(f"DayOverride for {self.day} needs a name")
        if not self.basis.strip():
            raise ValueError(f"DayOverride for {self.day} needs a basis (document number/date)")


def _parse_entry(index: int, entry: object) -> DayOverride:
    where = f"vietnam.json entries[{index}]"
    if not isinstance(entry, dict):
        raise TypeError(f"{where}: expected an object")
    keys = set(entry)
    if keys != _ENTRY_KEYS:
        raise ValueError(
            f"{where}: keys must be exactly {sorted(_ENTRY_KEYS)}; "
            f"missing {sorted(_ENTRY_KEYS - keys)}, unexpected {sorted(keys - _ENTRY_KEYS)}"
        )
    values: dict[str, str] = {}
    for key in _ENTRY_KEYS:
        value = entry[key]
        if not isinstance(value, str):
            raise TypeError(f"{where}: {key!r} must be a string")
        values[key] = value
    raw_day = values["date"]
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        raise ValueError(f"{where}: date {raw_day!r} is not YYYY-MM-DD") from None
    if len(raw_day) != 10 or day.isoformat() != raw_day:
        raise ValueError(f"{where}: date {raw_day!r} is not YYYY-MM-DD")
    kind = _KINDS.get(values["kind"])
    if kind is None:
        raise ValueError(f"{where}: kind must be 'workday' or 'holiday'")
    return DayOverride(
        day=day,
        kind=kind,
        name=values["name"],
        basis=values["basis"],
        certainty=values["certainty"],
    )


@cache
def load_file_overrides() -> tuple[DayOverride, ...]:
    """The overrides kept in ``calendar_data/vietnam.json``, sorted by date.

    Raises ``TypeError``/``ValueError`` if the file is malformed or lists a date twice.
    """
    resource = resources.files(_DATA_PACKAGE)
    for part in _DATA_FILE:
        resource = resource / part
    data = json.loads(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise TypeError("vietnam.json: expected an object with an 'entries' list")
    overrides = [_parse_entry(i, entry) for i, entry in enumerate(data["entries"])]
    seen: set[date] = set()
    for override in overrides:
        if override.day in seen:
            raise ValueError(f"vietnam.json: {override.day} is listed more than once")
        seen.add(override.day)
    return tuple(sorted(overrides, key=lambda o: o.day))


@cache
def _package_year(year: int) -> Mapping[date, str]:
    """Holidays generated by ``holidays.Vietnam`` for ``year`` (shared by all calendars)."""
    return dict(country_holidays("VN", years=year, language="vi").items())


def _package_holidays_in(year: int) -> dict[date, str]:
    """Package holidays dated in ``year``, including any generated by a neighbouring year."""
    found: dict[date, str] = {}
    for source in (year - 1, year, year + 1):
        for day, name in _package_year(source).items():
            if day.year == year:
                found[day] = name
    return found


@dataclass(frozen=True, slots=True)
class _Year:
    workdays: tuple[int, ...]  # ordinals of the working days, ascending
    workday_set: frozenset[int]
    names: Mapping[date, str]  # days off that are holidays (not plain weekends), by name


class WorkCalendar:
    """Working days for Vietnamese state bodies.

    ``overrides`` (for example a province's own rows) win over the data file, which wins
    over the ``holidays`` package. For one date given twice in ``overrides`` the last
    one wins.
    """

    __slots__ = ("_overrides", "_years")

    def __init__(self, overrides: Iterable[DayOverride] = ()) -> None:
        merged = {o.day: o for o in load_file_overrides()}
        for override in overrides:
            if not isinstance(override, DayOverride):
                raise TypeError(f"overrides must be DayOverride, not {type(override).__name__}")
            merged[override.day] = override
        self._overrides: Mapping[date, DayOverride] = merged
        self._years: dict[int, _Year] = {}

    # -- per-year data -------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} is outside the supported years {FIRST_YEAR}-{LAST_YEAR}")
        names = _package_holidays_in(year)
        workdays: list[int] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        while day.year == year:
            override = self._overrides.get(day)
            if override is not None:
                if override.kind == "workday":
                    names.pop(day, None)
                    workdays.append(day.toordinal())
                else:
                    names[day] = override.name
            elif day.weekday() < 5 and day not in names:
                workdays.append(day.toordinal())
            day += one
        built = _Year(workdays=tuple(workdays), workday_set=frozenset(workdays), names=names)
        self._years[year] = built
        return built

    def _workdays(self, year: int) -> tuple[int, ...]:
        return self._year(year).workdays

    def _count(self, after: date, upto: date) -> int:
        """Number of working days in ``(after, upto]``; requires ``after <= upto``."""
        first, last = self._workdays(after.year), self._workdays(upto.year)
        if after.year == upto.year:
            return bisect_right(first, upto.toordinal()) - bisect_right(first, after.toordinal())
        total = len(first) - bisect_right(first, after.toordinal())
        for year in range(after.year + 1, upto.year):
            total += len(self._workdays(year))
        return total + bisect_right(last, upto.toordinal())

    # -- public API ----------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        day = _check_day(day)
        return day.toordinal() in self._year(day.year).workday_set

    def holiday_name(self, day: date) -> str | None:
        """The Vietnamese name of the holiday on ``day``, or ``None``.

        ``None`` for working days and for ordinary weekends.
        """
        day = _check_day(day)
        return self._year(day.year).names.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day strictly after ``start`` ("N working days after D").

        ``n == 0`` returns ``start`` if it is a working day, else the next working day.
        Negative ``n`` counts backwards: the ``|n|``-th working day strictly before
        ``start``.
        """
        start = _check_day(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, not {type(n).__name__}")
        if n == 0:
            return start if self.is_working_day(start) else self.add_working_days(start, 1)
        ordinal, year = start.toordinal(), start.year
        workdays = self._workdays(year)
        if n > 0:
            remaining = n
            index = bisect_right(workdays, ordinal)  # first working day after start
            while remaining > len(workdays) - index:
                remaining -= len(workdays) - index
                year += 1
                workdays, index = self._workdays(year), 0
            return date.fromordinal(workdays[index + remaining - 1])
        remaining = -n
        index = bisect_left(workdays, ordinal)  # working days before start in its year
        while remaining > index:
            remaining -= index
            year -= 1
            workdays = self._workdays(year)
            index = len(workdays)
        return date.fromordinal(workdays[index - remaining])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative (minus those in ``(end, start]``)
        if ``end < start``."""
        start, end = _check_day(start, "start"), _check_day(end, "end")
        if end >= start:
            return self._count(start, end)
        return -self._count(end, start)

    def working_days_in(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included, in order."""
        start, end = _check_day(start, "start"), _check_day(end, "end")
        result: list[date] = []
        low, high = start.toordinal(), end.toordinal()
        for year in range(start.year, end.year + 1):
            workdays = self._workdays(year)
            lo, hi = bisect_left(workdays, low), bisect_right(workdays, high)
            result.extend(date.fromordinal(o) for o in workdays[lo:hi])
        return result


@cache
def default_calendar() -> WorkCalendar:
    """The shared calendar built from the ``holidays`` package and the data file only."""
    return WorkCalendar()
