"""All-or-nothing Excel import of the organisation: units, people and appointments.

The workbook has three sheets, ``DonVi`` (units), ``CanBo`` (people) and ``BoNhiem``
(appointments), each with a header row in Vietnamese (any column order, matched without
regard to case or a trailing ``*``). Everything is read and checked first, without any
write; only a file without a single issue is written, in one transaction, with bulk
inserts and one audit event per created or changed object. Objects are matched by their
natural keys (unit code; personal identification number, else full name and birth date;
person, title, unit and start date), so importing the same file again changes nothing
and records nothing.

An empty optional cell never clears what the registry already holds; the one exception
is "Mã đơn vị cấp trên", where an empty cell means a top-level unit.

An import may be restricted to the subtrees of the importing user (``scope_paths``): units
outside them can be neither created, changed, moved into nor given appointments, and an
existing person may be changed only if they hold (or get in the same file) an appointment
inside them. Breaches are ordinary issues, and their messages never name a unit outside
the scope.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from congvu.audit.chain import Actor, Change, record_many
from congvu.org import services
from congvu.org.models import (
    Appointment,
    AppointmentKind,
    Person,
    Sex,
    Title,
    Unit,
    UnitEventKind,
    UnitKind,
    UnitStatus,
    UnitVersion,
)
from congvu.org.search import fold

UNIT_SHEET = "DonVi"
PERSON_SHEET = "CanBo"
POST_SHEET = "BoNhiem"
HELP_SHEET = "HuongDan"

MAX_ROWS = 100_000  # data rows per sheet
MAX_ISSUES = 1_000  # issues listed; the rest are counted in one last issue
IMPORT_BASIS = "Nhập từ Excel"  # basis number of the unit events an import records (stored data)
PROGRESS_EVERY = 1_000  # rows between two progress reports

Progress = Callable[[int, int], None]

# What a broken or foreign file makes openpyxl raise (zip, XML, package structure).
_BROKEN_FILE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    IndexError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError and lxml's XMLSyntaxError
)

# Columns that people add to spreadsheets out of habit; they are ignored.
_IGNORED_HEADERS = frozenset({"stt", "tt", "số thứ tự", "ghi chú"})


# --------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    required: bool = False  # marked with "*" in the template
    width: int = 18
    text_format: bool = False  # formatted as Text in the template (codes keep their leading zeros)
    date_format: bool = False


@dataclass(frozen=True)
class _SheetSpec:
    name: str
    columns: tuple[_Column, ...]
    required_headers: tuple[tuple[str, ...], ...]  # each group: at least one of these columns

    def column(self, key: str) -> _Column:
        return next(c for c in self.columns if c.key == key)


_UNITS = _SheetSpec(
    UNIT_SHEET,
    (
        _Column("code", "Mã đơn vị", required=True, width=16, text_format=True),
        _Column("name", "Tên đơn vị", required=True, width=42),
        _Column("short_name", "Tên viết tắt", width=18),
        _Column("kind", "Loại đơn vị", required=True, width=30),
        _Column("parent", "Mã đơn vị cấp trên", width=20, text_format=True),
        _Column("valid_from", "Hiệu lực từ", required=True, width=14, date_format=True),
        _Column("sort_order", "Thứ tự", width=10),
    ),
    (("code",), ("name",), ("kind",), ("valid_from",)),
)
_PEOPLE = _SheetSpec(
    PERSON_SHEET,
    (
        _Column("personal_id", "Số định danh cá nhân", width=22, text_format=True),
        _Column("full_name", "Họ và tên", required=True, width=30),
        _Column("birth_date", "Ngày sinh", width=14, date_format=True),
        _Column("sex", "Giới tính", required=True, width=12),
        _Column("email", "Thư điện tử", width=30),
        _Column("phone", "Điện thoại", width=16, text_format=True),
    ),
    (("full_name",), ("sex",)),
)
_POSTS = _SheetSpec(
    POST_SHEET,
    (
        _Column("personal_id", "Số định danh cá nhân", width=22, text_format=True),
        _Column("full_name", "Họ và tên", width=30),
        _Column("birth_date", "Ngày sinh", width=14, date_format=True),
        _Column("title_code", "Mã chức vụ", width=24, text_format=True),
        _Column("title_name", "Tên chức vụ", width=32),
        _Column("unit", "Mã đơn vị", required=True, width=16, text_format=True),
        _Column("kind", "Hình thức", width=16),
        _Column("start", "Từ ngày", required=True, width=14, date_format=True),
        _Column("end", "Đến ngày", width=14, date_format=True),
        _Column("decision_number", "Số quyết định", width=20),
        _Column("decision_date", "Ngày quyết định", width=16, date_format=True),
    ),
    (("personal_id", "full_name"), ("title_code", "title_name"), ("unit",), ("start",)),
)
_SHEETS = (_UNITS, _PEOPLE, _POSTS)
_SHEET_ORDER = {spec.name: i for i, spec in enumerate(_SHEETS)}


def _header_key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).replace("*", " ").split()).casefold()


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _vn_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _vn_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class ImportIssue:
    """One problem of the file, with its position (``row`` is Excel's row number)."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f"!{self.row}"
            if self.column:
                where += f":{self.column}"
        elif self.column:
            where += f"!{self.column}"
        return f"{where} — {self.message}" if where else self.message


def _counts() -> dict[str, int]:
    return {"units": 0, "people": 0, "appointments": 0}


@dataclass
class ImportReport:
    """The outcome of one import: its issues (none when it was written) and what it did."""

    issues: list[ImportIssue] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=_counts)
    updated: dict[str, int] = field(default_factory=_counts)
    unchanged: dict[str, int] = field(default_factory=_counts)
    rows: dict[str, int] = field(default_factory=dict)  # data rows read per sheet
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": dict(self.rows),
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "issues": len(self.issues),
        }


class _Issues:
    """Collects issues in any order; ``sorted()`` gives them by sheet, row and column."""

    def __init__(self) -> None:
        self._items: list[tuple[tuple[int, int, int, int], ImportIssue]] = []

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        key = (
            _SHEET_ORDER.get(sheet, -1),
            row or 0,
            column_index_from_string(column) if column else 0,
            len(self._items),
        )
        self._items.append((key, ImportIssue(sheet, row, column, message)))

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def sorted(self) -> list[ImportIssue]:
        issues = [issue for _key, issue in sorted(self._items, key=lambda item: item[0])]
        if len(issues) > MAX_ISSUES:
            rest = len(issues) - MAX_ISSUES
            issues = [
                *issues[:MAX_ISSUES],
                ImportIssue("", None, None, _("…và %(count)s lỗi khác.") % {"count": _vn_number(rest)}),
            ]
        return issues


# --------------------------------------------------------------------------- reading


@dataclass
class _Sheet:
    spec: _SheetSpec
    columns: dict[str, int] = field(default_factory=dict)  # key -> 0-based column index
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)  # (Excel row number, values)
    usable: bool = True  # the header row can be interpreted and every row was read

    @property
    def name(self) -> str:
        return self.spec.name

    def letter(self, key: str) -> str | None:
        index = self.columns.get(key)
        return None if index is None else get_column_letter(index + 1)


def _not_xlsx() -> str:
    return _("Tệp không phải là tệp Excel .xlsx hợp lệ.")


def _find_sheet(names: Sequence[str], wanted: str) -> str | None:
    if wanted in names:
        return wanted
    folded = wanted.casefold()
    return next((n for n in names if n.strip().casefold() == folded), None)


def _read_header(sheet: _Sheet, header: Sequence[Any], issues: _Issues) -> None:
    by_header = {_header_key(c.header): c for c in sheet.spec.columns}
    for index, raw in enumerate(header):
        if raw is None:
            continue
        text = _header_key(str(raw))
        if not text:
            continue
        letter = get_column_letter(index + 1)
        column = by_header.get(text)
        if column is None:
            if text not in _IGNORED_HEADERS:
                issues.add(sheet.name, 1, letter, _("Không nhận ra cột “%(header)s”.") % {"header": str(raw).strip()})
        elif column.key in sheet.columns:
            first = sheet.letter(column.key)
            issues.add(
                sheet.name,
                1,
                letter,
                _("Cột “%(header)s” bị lặp (đã có ở cột %(first)s).") % {"header": column.header, "first": first},
            )
        else:
            sheet.columns[column.key] = index
    for group in sheet.spec.required_headers:
        if any(key in sheet.columns for key in group):
            continue
        sheet.usable = False
        names = [sheet.spec.column(key).header for key in group]
        if len(names) == 1:
            message = _("Thiếu cột “%(header)s” ở dòng tiêu đề.") % {"header": names[0]}
        else:
            message = _("Thiếu cột “%(first)s” hoặc cột “%(second)s” ở dòng tiêu đề.") % {
                "first": names[0],
                "second": names[1],
            }
        issues.add(sheet.name, 1, None, message)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(sheet: _Sheet, rows: Iterator[tuple[Any, ...]], issues: _Issues, tick: Callable[[], None]) -> None:
    indices = sorted(sheet.columns.values())
    for number, values in enumerate(rows, start=2):
        if all(_is_blank(values[i]) for i in indices if i < len(values)):
            continue  # an empty row, or one with data only in ignored columns
        if len(sheet.rows) == MAX_ROWS:
            sheet.usable = False
            issues.add(
                sheet.name,
                None,
                None,
                _("Sheet có hơn %(limit)s dòng dữ liệu; hãy chia thành nhiều tệp.") % {"limit": _vn_number(MAX_ROWS)},
            )
            return
        sheet.rows.append((number, values))
        tick()


def _read_workbook(handle: BinaryIO, issues: _Issues, progress: Progress | None) -> dict[str, _Sheet] | None:
    """The three sheets of the workbook (``None`` when it is not a readable workbook)."""
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except _BROKEN_FILE_ERRORS:
        issues.add("", None, None, _not_xlsx())
        return None
    try:
        found: list[tuple[_Sheet, Any]] = []
        for spec in _SHEETS:
            name = _find_sheet(workbook.sheetnames, spec.name)
            worksheet = workbook[name] if name is not None else None
            if worksheet is None or not hasattr(worksheet, "iter_rows"):
                issues.add(
                    spec.name,
                    None,
                    None,
                    _("Thiếu sheet “%(sheet)s” (bắt buộc, kể cả khi không có dòng dữ liệu).") % {"sheet": spec.name},
                )
                continue
            found.append((_Sheet(spec), worksheet))
        estimate = sum(max((ws.max_row or 0) - 1, 0) for _sheet, ws in found)
        read = 0

        def tick() -> None:
            nonlocal read
            read += 1
            if progress is not None and read % PROGRESS_EVERY == 0:
                progress(read, max(estimate, read))

        sheets: dict[str, _Sheet] = {}
        for sheet, worksheet in found:
            rows = worksheet.iter_rows(values_only=True)
            header = next(rows, None)
            _read_header(sheet, header or (), issues)
            if sheet.usable:
                _read_rows(sheet, rows, issues, tick)
            sheets[sheet.name] = sheet
    except _BROKEN_FILE_ERRORS:
        issues.clear()  # whatever was found before the file broke does not matter
        issues.add("", None, None, _not_xlsx())
        return None
    finally:
        workbook.close()
    return sheets


# --------------------------------------------------------------------------- cells


def _show(value: Any) -> str:
    if isinstance(value, datetime | date):
        return _vn_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _parse_date_text(text: str) -> date | None:
    if match := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


class _Cells:
    """Typed access to one data row; every parse problem becomes an issue at its cell."""

    def __init__(self, sheet: _Sheet, number: int, values: tuple[Any, ...], issues: _Issues) -> None:
        self.sheet = sheet
        self.number = number
        self.values = values
        self.issues = issues
        self.bad: set[str] = set()  # keys whose cell could not be read

    @property
    def ok(self) -> bool:
        return not self.bad

    def has(self, key: str) -> bool:
        return key in self.sheet.columns

    def fail(self, key: str | None, message: str) -> None:
        if key is not None:
            self.bad.add(key)
        self.issues.add(self.sheet.name, self.number, self.sheet.letter(key) if key else None, message)

    def header(self, key: str) -> str:
        return self.sheet.spec.column(key).header

    def raw(self, key: str) -> Any:
        index = self.sheet.columns.get(key)
        if index is None or index >= len(self.values):
            return None
        value = self.values[index]
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value).strip() or None
        return value

    def _missing(self, key: str) -> None:
        self.fail(key, _("Thiếu giá trị bắt buộc ở cột “%(column)s”.") % {"column": self.header(key)})

    def _need_text(self, key: str, value: Any) -> None:
        self.fail(
            key,
            _("Giá trị “%(value)s” không hợp lệ ở cột “%(column)s”: cần nhập văn bản.")
            % {"value": _show(value), "column": self.header(key)},
        )

    def _need_text_format(self, key: str, value: Any) -> None:
        self.fail(
            key,
            _(
                "Ô “%(value)s” ở cột “%(column)s” đang ở dạng số nên Excel có thể đã làm sai giá trị "
                "(mất số 0 ở đầu, đổi dấu chấm); hãy định dạng cột là Văn bản (Text) rồi nhập lại."
            )
            % {"value": _show(value), "column": self.header(key)},
        )

    def text(self, key: str, max_length: int, *, required: bool = False, collapse: bool = False) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if isinstance(value, bool | datetime | date) or not isinstance(value, str | int | float):
            self._need_text(key, value)
            return None
        text = _show(value) if not isinstance(value, str) else value
        if collapse:
            text = " ".join(text.split())
        if len(text) > max_length:
            self.fail(
                key,
                _("Giá trị ở cột “%(column)s” dài quá %(max)d ký tự.")
                % {"column": self.header(key), "max": max_length},
            )
            return None
        return text

    def code(self, key: str, max_length: int = 40, *, required: bool = False) -> str | None:
        """A code kept as a string; an integer cell is accepted as its digits (leading zeros are lost)."""
        value = self.raw(key)
        if isinstance(value, float) and not value.is_integer():
            self._need_text_format(key, value)
            return None
        return self.text(key, max_length, required=required)

    def phone(self, key: str) -> str | None:
        value = self.raw(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self._need_text_format(key, value)
            return None
        return self.text(key, 20)

    def personal_id(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            digits = str(int(value))
            if len(digits) == 12:
                return digits
            self.fail(
                key,
                _(
                    "Số định danh cá nhân “%(value)s” là ô số nên đã mất số 0 ở đầu; "
                    "hãy định dạng cột là Văn bản (Text) và nhập đủ 12 chữ số."
                )
                % {"value": digits},
            )
            return None
        if isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit():
            return value
        self.fail(
            key, _("Số định danh cá nhân phải gồm đúng 12 chữ số (đang là “%(value)s”).") % {"value": _show(value)}
        )
        return None

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and (parsed := _parse_date_text(value)) is not None:
            return parsed
        self.fail(
            key,
            _(
                "“%(value)s” ở cột “%(column)s” không phải là ngày hợp lệ; "
                "hãy nhập ngày dạng dd/mm/yyyy hoặc định dạng ô là Ngày (Date)."
            )
            % {"value": _show(value), "column": self.header(key)},
        )
        return None

    def natural(self, key: str) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and value.isascii() and value.isdigit()
        ):
            number = int(value)
        if number is None or not 0 <= number < 2**31:
            self.fail(
                key,
                _("“%(value)s” ở cột “%(column)s” không hợp lệ: cần một số nguyên không âm.")
                % {"value": _show(value), "column": self.header(key)},
            )
            return None
        return number

    def choice(self, key: str, choice: _Choice, *, required: bool = False) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        found = choice.accepted.get(_name_key(value)) if isinstance(value, str) else None
        if found is None:
            self.fail(
                key,
                _("“%(value)s” không hợp lệ ở cột “%(column)s”; chọn một trong: %(choices)s.")
                % {"value": _show(value), "column": self.header(key), "choices": "; ".join(choice.labels)},
            )
        return found


@dataclass(frozen=True)
class _Choice:
    accepted: dict[str, str]  # casefolded label, code or alias -> stored code
    labels: tuple[str, ...]  # what messages offer


def _choice(choices: Iterable[tuple[str, Any]], *aliases: tuple[str, str]) -> _Choice:
    accepted: dict[str, str] = {}
    for code, label in choices:
        accepted[_name_key(str(label))] = code  # the label in the active language
        with translation.override("vi"):  # and always the Vietnamese one, whatever the request's language
            accepted[_name_key(str(label))] = code
        accepted[code.casefold()] = code
    for alias, code in aliases:
        accepted[_name_key(alias)] = code
    return _Choice(accepted, tuple(str(label) for _code, label in choices))


# --------------------------------------------------------------------------- planning


@dataclass(eq=False)
class _UnitRow:
    row: int
    code: str | None
    name: str | None
    short_name: str | None
    kind: str | None
    parent_code: str | None  # None: top level (or an unreadable cell, see ``ok``)
    valid_from: date | None
    sort_order: int | None
    ok: bool
    unit: Unit | None = None  # the existing unit, or the new one (unsaved)
    parent: Unit | None = None
    action: str = ""  # "create", "change" (versioned fields), "sort" (sort order only) or "" (unchanged)
    moved: bool = False
    before: dict[str, Any] | None = None
    parent_bad: bool = False  # the parent cell could not be read


@dataclass(eq=False)
class _PersonRow:
    row: int
    personal_id: str | None
    full_name: str | None
    birth_date: date | None
    sex: str | None
    email: str | None
    phone: str | None
    ok: bool
    person: Person | None = None  # the existing person, or the new one (unsaved)
    action: str = ""  # "create", "update" or ""
    before: dict[str, Any] | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the fields to write


@dataclass(eq=False)
class _PostRow:
    row: int
    person: Person
    title: Title
    unit: Unit
    kind: str | None
    start: date
    end: date | None
    decision_number: str | None
    decision_date: date | None
    appointment: Appointment | None = None  # the existing appointment
    action: str = ""  # "create", "update" or ""
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] | None = None


def _chunks(items: Sequence[Any], size: int = 2_000) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _post_label(person: Person, title: Title, unit: Unit) -> str:
    return f"{person.full_name} — {title.name} — {unit.name}"


class _Plan:
    """Reads the rows against the registry and decides what to write; never writes."""

    def __init__(self, sheets: dict[str, _Sheet], issues: _Issues, scope: Sequence[str] | None = None) -> None:
        self.sheets = sheets
        self.issues = issues
        self.scope = None if scope is None else tuple(scope)  # None: unrestricted
        self.today = timezone.localdate()
        self.units: list[_UnitRow] = []
        self.people: list[_PersonRow] = []
        self.posts: list[_PostRow] = []
        # the registry as it is
        self.db_units: dict[str, Unit] = {}
        self.db_units_by_pk: dict[int, Unit] = {}
        self.db_people_by_pk: dict[int, Person] = {}
        self.db_people_by_pid: dict[str, Person] = {}
        self.db_people_by_name: dict[tuple[str, date | None], list[Person]] = defaultdict(list)
        # what the file defines
        self.file_units: dict[str, Unit] = {}
        self.file_people_by_pid: dict[str, Person] = {}
        self.file_people_by_name: dict[tuple[str, date | None], list[Person]] = defaultdict(list)
        self.file_names_by_pid: dict[str, str] = {}
        self.unit_rows: dict[str, _UnitRow] = {}
        self.titles_by_pk: dict[int, Title] = {}
        # the scope
        self.new_unit_scope: dict[str, bool | None] = {}  # new unit code -> inside, outside, unknown
        self.posted_in_scope: set[int] = set()  # id() of the people the file may appoint inside the scope

    # ---- loading the registry

    def load(self) -> None:
        for unit in Unit.objects.all():
            self.db_units[unit.code] = unit
            self.db_units_by_pk[unit.pk] = unit
        for person in Person.objects.all():
            self.db_people_by_pk[person.pk] = person
            if person.personal_id:
                self.db_people_by_pid[person.personal_id] = person
            self.db_people_by_name[(_name_key(person.full_name), person.birth_date)].append(person)

    def run(self) -> None:
        self.load()
        units, people, posts = (self.sheets.get(spec.name) for spec in _SHEETS)
        if units is not None and units.usable:
            self.plan_units(units)
        if people is not None and people.usable:
            self.plan_people(people)
        if posts is not None and posts.usable:
            # References into a sheet that could not be read are not reported as unknown.
            self.plan_posts(
                posts,
                units_known=units is not None and units.usable,
                people_known=people is not None and people.usable,
            )
            if self.scope is not None:
                # (without a readable BoNhiem sheet the file fails anyway; people are checked once it is)
                self._check_people_scope()

    # ---- units

    def plan_units(self, sheet: _Sheet) -> None:
        kinds = _choice(UnitKind.choices)
        first_row: dict[str, int] = {}
        for number, values in sheet.rows:
            cells = _Cells(sheet, number, values, self.issues)
            code = cells.code("code", required=True)
            name = cells.text("name", 255, required=True, collapse=True)
            short_name = cells.text("short_name", 100, collapse=True)
            kind = cells.choice("kind", kinds, required=True)
            parent_code = cells.code("parent")
            valid_from = cells.day("valid_from", required=True)
            sort_order = cells.natural("sort_order")
            if code is not None and code in first_row:
                cells.fail(
                    "code",
                    _("Mã đơn vị “%(code)s” bị lặp (đã có ở dòng %(row)d).") % {"code": code, "row": first_row[code]},
                )
                continue
            if code is not None:
                first_row[code] = number
            row = _UnitRow(number, code, name, short_name, kind, parent_code, valid_from, sort_order, cells.ok)
            row.parent_bad = "parent" in cells.bad
            if code is not None:
                row.unit = self.db_units.get(code) or Unit(code=code, path="", status=UnitStatus.ACTIVE)
                self.file_units[code] = row.unit
            self.units.append(row)
        self.unit_rows = {row.code: row for row in self.units if row.code is not None}
        for row in self.units:
            if row.parent_code is None:
                continue
            parent = self.file_units.get(row.parent_code) or self.db_units.get(row.parent_code)
            if parent is None:
                self._unit_issue(
                    row,
                    "parent",
                    _("Không tìm thấy đơn vị cấp trên có mã “%(code)s” trong sheet DonVi hoặc trong hệ thống.")
                    % {"code": row.parent_code},
                )
            row.parent = parent
        if self.scope is not None:
            self._check_units_scope()
        self._check_cycles()
        self._decide_units()

    def _unit_issue(self, row: _UnitRow, key: str | None, message: str) -> None:
        row.ok = False
        sheet = self.sheets[UNIT_SHEET]
        self.issues.add(UNIT_SHEET, row.row, sheet.letter(key) if key else None, message)

    # ---- the scope

    def in_scope(self, path: str) -> bool:
        return self.scope is None or any(path.startswith(root) for root in self.scope)

    def unit_scope(self, unit: Unit) -> bool | None:
        """Whether the unit lies inside the scope once the file is written (``None``: cannot tell).

        An existing unit is where the registry has it; a new unit is inside when its parent
        is, through any number of new units of the file.
        """
        if unit.pk is not None:
            return self.in_scope(unit.path)
        code = unit.code
        if code in self.new_unit_scope:
            return self.new_unit_scope[code]
        chain: list[str] = []
        answer: bool | None = None
        current: Unit | None = unit
        while current is not None:
            if current.pk is not None:
                answer = self.in_scope(current.path)
                break
            if current.code in self.new_unit_scope:
                answer = self.new_unit_scope[current.code]
                break
            row = self.unit_rows.get(current.code)
            if current.code in chain or row is None:
                break  # a loop of new units, reported as such
            chain.append(current.code)
            if row.parent is None:
                # top level, unless the parent cell is unreadable or names an unknown unit
                answer = False if row.parent_code is None and not row.parent_bad else None
                break
            current = row.parent
        for member in chain:
            self.new_unit_scope[member] = answer
        return answer

    def _check_units_scope(self) -> None:
        """Units outside the scope cannot be changed, created, nor receive a unit of the scope."""
        for row in self.units:
            unit, parent = row.unit, row.parent
            if unit is None:
                continue
            if unit.pk is not None and not self.in_scope(unit.path):
                # Only the code, which the file gave: nothing else of the unit is shown.
                self._unit_issue(row, "code", _("Đơn vị “%(code)s” nằm ngoài phạm vi của bạn.") % {"code": unit.code})
                continue
            if row.parent_bad or (row.parent_code is not None and parent is None):
                continue  # the parent is unknown; already reported
            if unit.pk is not None:
                new_parent_pk = parent.pk if parent is not None else None
                moving = (parent is not None and parent.pk is None) or new_parent_pk != unit.parent_id
                if not moving:
                    continue
            if parent is None:
                if unit.pk is None:
                    message = _("Chỉ được tạo đơn vị trong phạm vi của bạn; hãy ghi mã đơn vị cấp trên.")
                else:
                    message = _("Không được chuyển đơn vị ra ngoài phạm vi của bạn; hãy ghi mã đơn vị cấp trên.")
                self._unit_issue(row, "parent", message)
            elif self.unit_scope(parent) is False:
                self._unit_issue(
                    row,
                    "parent",
                    _("Đơn vị cấp trên “%(code)s” nằm ngoài phạm vi của bạn.") % {"code": parent.code},
                )

    def _people_in_scope(self, pks: Sequence[int]) -> set[int]:
        """Those of these people with an appointment (any date) in a unit of the scope."""
        if self.scope is None:
            return set(pks)
        if not self.scope:
            return set()
        inside = Q()
        for root in self.scope:
            inside |= Q(unit__path__startswith=root)
        found: set[int] = set()
        for ids in _chunks(sorted(set(pks))):
            posts = Appointment.objects.filter(inside, person_id__in=ids)
            found.update(posts.values_list("person_id", flat=True).distinct())
        return found

    def _check_people_scope(self) -> None:
        """An existing person may be changed only from within the scope of one of their posts."""
        rows = [r for r in self.people if r.person is not None and r.person.pk is not None]
        inside = self._people_in_scope([r.person.pk for r in rows if r.person is not None])
        for row in rows:
            person = row.person
            assert person is not None
            if person.pk in inside or id(person) in self.posted_in_scope:
                continue
            # Any row, changed or not: otherwise the answer would tell what the registry holds.
            row.ok = False
            row.action = ""
            sheet = self.sheets[PERSON_SHEET]
            key = "personal_id" if row.personal_id is not None else "full_name"
            self.issues.add(PERSON_SHEET, row.row, sheet.letter(key), _("Cán bộ này không thuộc phạm vi của bạn."))

    def final_parent_code(self, code: str) -> str | None:
        """The parent's code once the file is written (the file wins over the registry)."""
        row = self.unit_rows.get(code)
        if row is not None:
            return row.parent_code if row.parent is not None else None
        unit = self.db_units.get(code)
        if unit is None or unit.parent_id is None:
            return None
        parent = self.db_units_by_pk.get(unit.parent_id)
        return parent.code if parent is not None else None

    def _check_cycles(self) -> None:
        """Each unit of a loop of parents (through the file and the registry) is an issue."""
        by_code = self.unit_rows
        done: set[str] = set()
        for start in by_code:
            path: list[str] = []
            on_path: set[str] = set()
            code: str | None = start
            while code is not None and code not in done:
                if code in on_path:
                    loop = path[path.index(code) :]
                    chain = " → ".join([*loop, code])
                    for member in loop:
                        if member in by_code:
                            self._unit_issue(
                                by_code[member],
                                "parent",
                                _("Đơn vị cấp trên tạo thành vòng lặp: %(chain)s.") % {"chain": chain},
                            )
                    break
                on_path.add(code)
                path.append(code)
                code = self.final_parent_code(code)
            done.update(path)

    def _decide_units(self) -> None:
        pending: list[tuple[_UnitRow, list[str]]] = []
        for row in self.units:
            if not row.ok or row.unit is None:
                continue
            unit, parent = row.unit, row.parent
            if parent is not None and parent.pk is not None and parent.status != UnitStatus.ACTIVE:
                moving = unit.pk is None or unit.parent_id != parent.pk
                if moving:
                    self._unit_issue(
                        row,
                        "parent",
                        _("Đơn vị cấp trên “%(name)s” (mã %(code)s) không còn hoạt động.")
                        % {"name": parent.name, "code": parent.code},
                    )
                    continue
            if unit.pk is None:
                row.action = "create"
                continue
            assert row.name is not None and row.kind is not None
            differences = []
            if row.name != unit.name:
                differences.append(_("tên"))
            if row.short_name is not None and row.short_name != unit.short_name:
                differences.append(_("tên viết tắt"))
            if row.kind != unit.kind:
                differences.append(_("loại đơn vị"))
            new_parent_pk = parent.pk if parent is not None else None
            if (parent is not None and parent.pk is None) or new_parent_pk != unit.parent_id:
                differences.append(_("đơn vị cấp trên"))
                row.moved = True
            sort_changed = row.sort_order is not None and row.sort_order != unit.sort_order
            if differences and unit.status != UnitStatus.ACTIVE:
                self._unit_issue(
                    row,
                    None,
                    _("Đơn vị “%(name)s” (mã %(code)s) không còn hoạt động nên không thể thay đổi %(fields)s.")
                    % {"name": unit.name, "code": unit.code, "fields": ", ".join(differences)},
                )
                continue
            if differences:
                pending.append((row, differences))
            elif sort_changed:
                row.action = "sort"
        open_from: dict[int, date] = {}
        for ids in _chunks([row.unit.pk for row, _d in pending if row.unit is not None]):
            open_versions = UnitVersion.objects.filter(unit_id__in=ids, valid_to__isnull=True)
            open_from.update(open_versions.values_list("unit_id", "valid_from"))
        for row, differences in pending:
            assert row.unit is not None and row.valid_from is not None
            since = open_from.get(row.unit.pk)
            if since is not None and row.valid_from <= since:
                self._unit_issue(
                    row,
                    "valid_from",
                    _(
                        "Đơn vị mã “%(code)s” đã có trong hệ thống với %(fields)s khác. Để ghi thay đổi, "
                        "“Hiệu lực từ” phải sau ngày %(day)s; thay đổi trong quá khứ cần được ghi nhận "
                        "bằng một sự kiện tổ chức (đổi tên, chuyển đơn vị cấp trên) trên màn hình đơn vị."
                    )
                    % {"code": row.unit.code, "fields": ", ".join(differences), "day": _vn_date(since)},
                )
                continue
            row.action = "change"
        for row in self.units:
            if row.ok and row.unit is not None and row.unit.pk is not None and row.action in {"change", "sort"}:
                row.before = services.unit_state(row.unit) | {"sort_order": row.unit.sort_order}

    # ---- people

    def plan_people(self, sheet: _Sheet) -> None:
        sexes = _choice(Sex.choices)
        first_by_pid: dict[str, int] = {}
        first_by_name: dict[tuple[str, date | None], int] = {}  # any row
        first_without_pid: dict[tuple[str, date | None], int] = {}  # rows identified by name and birth date only
        claimed: dict[int, int] = {}  # existing person pk -> first row that matched it
        for number, values in sheet.rows:
            cells = _Cells(sheet, number, values, self.issues)
            pid = cells.personal_id("personal_id")
            full_name = cells.text("full_name", 150, required=True, collapse=True)
            birth_date = cells.day("birth_date")
            sex = cells.choice("sex", sexes, required=True)
            email = cells.text("email", 254)
            phone = cells.phone("phone")
            if birth_date is not None and birth_date > self.today:
                cells.fail("birth_date", _("Ngày sinh %(day)s ở tương lai.") % {"day": _vn_date(birth_date)})
            elif birth_date is not None and birth_date.year < 1900:
                cells.fail("birth_date", _("Ngày sinh %(day)s trước năm 1900.") % {"day": _vn_date(birth_date)})
            if email is not None:
                try:
                    validate_email(email)
                except ValidationError:
                    cells.fail("email", _("Thư điện tử “%(value)s” không hợp lệ.") % {"value": email})
            row = _PersonRow(number, pid, full_name, birth_date, sex, email, phone, cells.ok)
            if "personal_id" in cells.bad or (pid is None and full_name is None):
                self.people.append(row)  # the person cannot be identified; already reported
                continue
            name_key = (_name_key(full_name), birth_date) if full_name is not None else None
            if name_key is not None:
                # A row without an identification number is told apart by name and birth date only.
                clash = first_by_name.get(name_key) if pid is None else first_without_pid.get(name_key)
                if clash is not None:
                    cells.fail(
                        "full_name",
                        _("Cán bộ “%(name)s” (%(birth)s) bị lặp (đã có ở dòng %(row)d).")
                        % {"name": full_name, "birth": self._birth_label(birth_date), "row": clash},
                    )
                    continue
                first_by_name.setdefault(name_key, number)
                if pid is None:
                    first_without_pid[name_key] = number
            existing: Person | None = None
            if pid is not None:
                if pid in first_by_pid:
                    cells.fail(
                        "personal_id",
                        _("Số định danh cá nhân bị lặp (đã có ở dòng %(row)d).") % {"row": first_by_pid[pid]},
                    )
                    continue
                first_by_pid[pid] = number
                existing = self.db_people_by_pid.get(pid)
                if existing is None and name_key is not None and birth_date is not None:
                    namesakes = [p for p in self.db_people_by_name.get(name_key, []) if not p.personal_id]
                    if len(namesakes) > 1:
                        cells.fail("full_name", self._ambiguous(len(namesakes), full_name or ""))
                        continue
                    if namesakes:
                        existing = namesakes[0]
            else:
                assert name_key is not None and full_name is not None
                candidates = self.db_people_by_name.get(name_key, [])
                if len(candidates) > 1:
                    cells.fail("full_name", self._ambiguous(len(candidates), full_name))
                    continue
                if candidates:
                    existing = candidates[0]
            if existing is not None:
                if existing.pk in claimed:
                    cells.fail(
                        "full_name" if pid is None else "personal_id",
                        _("Dòng này và dòng %(row)d cùng chỉ một cán bộ đã có trong hệ thống.")
                        % {"row": claimed[existing.pk]},
                    )
                    continue
                claimed[existing.pk] = number
            row.ok = cells.ok
            row.person = existing or Person(
                full_name=full_name or "", birth_date=birth_date, personal_id=pid, sex=sex or "", email="", phone=""
            )
            if pid is not None:
                self.file_people_by_pid[pid] = row.person
                self.file_names_by_pid[pid] = full_name or ""
            if name_key is not None:
                self.file_people_by_name[name_key].append(row.person)
            self.people.append(row)
            if row.ok:
                self._decide_person(row)

    @staticmethod
    def _birth_label(birth_date: date | None) -> str:
        if birth_date is None:
            return _("không có ngày sinh")
        return _("ngày sinh %(day)s") % {"day": _vn_date(birth_date)}

    @staticmethod
    def _ambiguous(count: int, name: str) -> str:
        return _(
            "Có %(count)d cán bộ cùng họ tên “%(name)s” và ngày sinh trong hệ thống; "
            "hãy ghi Số định danh cá nhân để xác định đúng người."
        ) % {"count": count, "name": name}

    def _decide_person(self, row: _PersonRow) -> None:
        person = row.person
        assert person is not None and row.full_name is not None and row.sex is not None
        wanted: dict[str, Any] = {"full_name": row.full_name, "sex": row.sex}
        for key in ("birth_date", "email", "phone", "personal_id"):
            value = getattr(row, key)
            if value is not None:
                wanted[key] = value
        if person.pk is None:
            row.action = "create"
            row.values = {"birth_date": None, "personal_id": None, "email": "", "phone": ""} | wanted
            return
        if person.personal_id:
            wanted.pop("personal_id", None)  # matched by it; never replaced by an import
        changed = {key: value for key, value in wanted.items() if getattr(person, key) != value}
        if changed:
            row.action = "update"
            row.values = changed
            row.before = services.person_state(person)

    # ---- appointments

    def plan_posts(self, sheet: _Sheet, *, units_known: bool, people_known: bool) -> None:
        kinds = _choice(AppointmentKind.choices, ("Chính", AppointmentKind.PRIMARY))
        titles = list(Title.objects.all())
        self.titles_by_pk = {t.pk: t for t in titles}
        titles_by_code = {t.code.casefold(): t for t in titles}
        titles_by_name = {_name_key(t.name): t for t in titles}
        first_row: dict[tuple[int, int, int, date], int] = {}
        rows: list[tuple[_Cells, _PostRow]] = []
        for number, values in sheet.rows:
            cells = _Cells(sheet, number, values, self.issues)
            pid = cells.personal_id("personal_id")
            full_name = cells.text("full_name", 150, collapse=True)
            birth_date = cells.day("birth_date")
            title_code = cells.code("title_code")
            title_name = cells.text("title_name", 150, collapse=True)
            unit_code = cells.code("unit", required=True)
            kind = cells.choice("kind", kinds)
            start = cells.day("start", required=True)
            end = cells.day("end")
            decision_number = cells.text("decision_number", 100)
            decision_date = cells.day("decision_date")
            if start is not None and end is not None and end < start:
                cells.fail(
                    "end",
                    _("Đến ngày %(end)s trước Từ ngày %(start)s.") % {"end": _vn_date(end), "start": _vn_date(start)},
                )
            person = self._post_person(cells, pid, full_name, birth_date, people_known)
            title = self._post_title(cells, title_code, title_name, titles_by_code, titles_by_name)
            unit = self._post_unit(cells, unit_code, units_known)
            outside = unit is not None and self.scope is not None and self.unit_scope(unit) is False
            if outside:
                cells.fail("unit", _("Đơn vị “%(code)s” nằm ngoài phạm vi của bạn.") % {"code": unit_code})
                unit = None
            elif person is not None:
                # unless its unit is known to lie outside the scope, the row may place the person inside
                self.posted_in_scope.add(id(person))
            if person is None or title is None or unit is None or start is None:
                continue
            key = (id(person), title.pk, id(unit), start)
            if key in first_row:
                cells.fail(
                    None,
                    _("Bổ nhiệm bị lặp với dòng %(row)d (cùng cán bộ, chức vụ, đơn vị và ngày bắt đầu).")
                    % {"row": first_row[key]},
                )
                continue
            first_row[key] = number
            post = _PostRow(number, person, title, unit, kind, start, end, decision_number, decision_date)
            rows.append((cells, post))
        self._match_posts(rows)

    def _post_person(
        self, cells: _Cells, pid: str | None, full_name: str | None, birth_date: date | None, people_known: bool
    ) -> Person | None:
        if cells.bad & {"personal_id", "full_name", "birth_date"}:
            return None
        if pid is not None:
            person = self.file_people_by_pid.get(pid) or self.db_people_by_pid.get(pid)
            if person is None:
                if people_known:
                    cells.fail(
                        "personal_id",
                        _("Không tìm thấy cán bộ có số định danh này trong sheet CanBo hoặc trong hệ thống."),
                    )
                return None
            names = {_name_key(person.full_name), _name_key(self.file_names_by_pid.get(pid, person.full_name))}
            if full_name is not None and _name_key(full_name) not in names:
                if person.pk is not None and not self._people_in_scope([person.pk]):
                    # the name of someone outside the scope is not told
                    message = _("Họ và tên “%(name)s” không khớp với cán bộ có số định danh này.") % {"name": full_name}
                else:
                    message = _("Họ và tên “%(name)s” không khớp với cán bộ có số định danh này (“%(actual)s”).") % {
                        "name": full_name,
                        "actual": person.full_name,
                    }
                cells.fail("full_name", message)
                return None
            return person
        if full_name is None:
            cells.fail(
                "full_name" if cells.has("full_name") else "personal_id",
                _("Cần Số định danh cá nhân hoặc Họ và tên để xác định cán bộ."),
            )
            return None
        key = (_name_key(full_name), birth_date)
        candidates = {id(p): p for p in [*self.file_people_by_name.get(key, []), *self.db_people_by_name.get(key, [])]}
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        if len(candidates) > 1:
            cells.fail(
                "full_name",
                _(
                    "Có %(count)d cán bộ cùng họ tên “%(name)s” và ngày sinh trong sheet CanBo hoặc trong hệ thống; "
                    "hãy ghi Số định danh cá nhân để xác định đúng người."
                )
                % {"count": len(candidates), "name": full_name},
            )
        elif people_known:
            cells.fail(
                "full_name",
                _("Không tìm thấy cán bộ “%(name)s” (%(birth)s) trong sheet CanBo hoặc trong hệ thống.")
                % {"name": full_name, "birth": self._birth_label(birth_date)},
            )
        return None

    def _post_title(
        self,
        cells: _Cells,
        code: str | None,
        name: str | None,
        by_code: dict[str, Title],
        by_name: dict[str, Title],
    ) -> Title | None:
        if cells.bad & {"title_code", "title_name"}:
            return None
        if code is None and name is None:
            cells.fail(
                "title_name" if cells.has("title_name") else "title_code", _("Thiếu Mã chức vụ hoặc Tên chức vụ.")
            )
            return None
        by_code_title = by_code.get(code.casefold()) if code is not None else None
        if code is not None and by_code_title is None:
            cells.fail("title_code", _("Không có chức vụ mã “%(code)s” trong danh mục chức vụ.") % {"code": code})
            return None
        by_name_title = by_name.get(_name_key(name)) if name is not None else None
        if name is not None and by_name_title is None:
            cells.fail("title_name", _("Không có chức vụ “%(name)s” trong danh mục chức vụ.") % {"name": name})
            return None
        if by_code_title is not None and by_name_title is not None and by_code_title.pk != by_name_title.pk:
            cells.fail(
                "title_name",
                _("Mã chức vụ “%(code)s” và Tên chức vụ “%(name)s” không khớp nhau.") % {"code": code, "name": name},
            )
            return None
        return by_code_title or by_name_title

    def _post_unit(self, cells: _Cells, code: str | None, units_known: bool) -> Unit | None:
        if code is None:
            return None
        unit = self.file_units.get(code) or self.db_units.get(code)
        if unit is None and units_known:
            cells.fail(
                "unit",
                _("Không tìm thấy đơn vị có mã “%(code)s” trong sheet DonVi hoặc trong hệ thống.") % {"code": code},
            )
        return unit

    def _match_posts(self, rows: list[tuple[_Cells, _PostRow]]) -> None:
        person_ids = sorted({post.person.pk for _cells, post in rows if post.person.pk is not None})
        existing: dict[tuple[int, int, int, date], Appointment] = {}
        primary_by_person: dict[int, list[Appointment]] = defaultdict(list)
        for ids in _chunks(person_ids):
            for appointment in Appointment.objects.filter(person_id__in=ids):
                person = self.db_people_by_pk[appointment.person_id]
                unit = self.db_units_by_pk[appointment.unit_id]
                existing[(id(person), appointment.title_id, id(unit), appointment.start_date)] = appointment
                primary_by_person[id(person)].append(appointment)
        for cells, post in rows:
            post.appointment = existing.get((id(post.person), post.title.pk, id(post.unit), post.start))
            if post.appointment is None:
                if post.unit.pk is not None and post.unit.status != UnitStatus.ACTIVE:
                    cells.fail("unit", _("Đơn vị “%(name)s” không còn hoạt động.") % {"name": post.unit.name})
                if not post.title.active:
                    cells.fail(
                        "title_name" if cells.has("title_name") else "title_code", self._inactive_title(post.title)
                    )
                post.action = "create"
                post.values = {
                    "kind": post.kind or AppointmentKind.PRIMARY,
                    "end_date": post.end,
                    "decision_number": post.decision_number or "",
                    "decision_date": post.decision_date,
                }
            else:
                wanted = {
                    "kind": post.kind,
                    "end_date": post.end,
                    "decision_number": post.decision_number,
                    "decision_date": post.decision_date,
                }
                changed = {k: v for k, v in wanted.items() if v is not None and getattr(post.appointment, k) != v}
                if changed:
                    post.action = "update"
                    post.values = changed
                    post.before = {k: getattr(post.appointment, k) for k in changed}
            self.posts.append(post)
        self._check_primary_overlaps(rows, primary_by_person)

    @staticmethod
    def _inactive_title(title: Title) -> str:
        return _("Chức vụ “%(name)s” đã ngừng sử dụng.") % {"name": title.name}

    def _check_primary_overlaps(
        self, rows: list[tuple[_Cells, _PostRow]], in_registry: dict[int, list[Appointment]]
    ) -> None:
        """A person holds one primary post at a time (as ``services.appoint`` requires)."""
        changed_ids = {post.appointment.pk for _c, post in rows if post.appointment is not None and post.action}
        # per person: (start, end, the row's cells or None for the registry, how to name it)
        by_person: dict[int, list[tuple[date, date, _Cells | None, str]]] = defaultdict(list)
        for person_key, appointments in in_registry.items():
            for appointment in appointments:
                if appointment.pk in changed_ids or appointment.kind != AppointmentKind.PRIMARY:
                    continue
                unit = self.db_units_by_pk[appointment.unit_id]
                label = _("%(title)s tại %(unit)s từ ngày %(day)s, đã có trong hệ thống") % {
                    "title": self.titles_by_pk[appointment.title_id].name,
                    "unit": unit.name if self.in_scope(unit.path) else _("một đơn vị ngoài phạm vi của bạn"),
                    "day": _vn_date(appointment.start_date),
                }
                by_person[person_key].append((appointment.start_date, appointment.end_date or date.max, None, label))
        for cells, post in rows:
            if not post.action or not cells.ok:
                continue  # unchanged posts are counted from the registry above
            current = post.appointment
            kind = post.values.get("kind", current.kind if current is not None else AppointmentKind.PRIMARY)
            end = post.values.get("end_date", current.end_date if current else None)
            if kind == AppointmentKind.PRIMARY:
                label = _("dòng %(row)d") % {"row": post.row}
                by_person[id(post.person)].append((post.start, end or date.max, cells, label))
        for intervals in by_person.values():
            for index, (start, end, row_cells, _label) in enumerate(intervals):
                if row_cells is None:
                    continue
                other = next((o for o in intervals[:index] if o[0] <= end and start <= o[1]), None)
                if other is not None:
                    row_cells.fail(
                        "start",
                        _(
                            "Cán bộ đã giữ một chức vụ chính khác trong cùng thời gian (%(other)s); "
                            "hãy ghi Đến ngày cho chức vụ cũ hoặc chọn hình thức Kiêm nhiệm."
                        )
                        % {"other": other[3]},
                    )

    # ---- the outcome

    def count(self, report: ImportReport) -> None:
        for key, rows in (("units", self.units), ("people", self.people), ("appointments", self.posts)):
            for row in rows:
                if row.action == "create":
                    report.created[key] += 1
                elif row.action:
                    report.updated[key] += 1
                else:
                    report.unchanged[key] += 1


# --------------------------------------------------------------------------- writing


class _Conflict(Exception):
    """The registry changed between the check and the write."""


def _check_versions(queryset: QuerySet[Any], expected: dict[int, int]) -> None:
    for ids in _chunks(sorted(expected)):
        current = dict(queryset.select_for_update().filter(pk__in=ids).values_list("pk", "version"))
        if any(current.get(pk) != expected[pk] for pk in ids):
            raise _Conflict


def _write(plan: _Plan, acting_user: Actor | None) -> None:
    changes: list[Change] = []
    _check_versions(
        Unit.objects.all(), {r.unit.pk: r.unit.version for r in plan.units if r.action in {"change", "sort"} and r.unit}
    )
    _check_versions(
        Person.objects.all(), {r.person.pk: r.person.version for r in plan.people if r.action == "update" and r.person}
    )
    changes += _write_units(plan)
    changes += _write_people(plan)
    changes += _write_posts(plan)
    record_many(acting_user=acting_user, changes=changes)


def _unit_order(plan: _Plan, rows: list[_UnitRow]) -> list[_UnitRow]:
    """Rows to write, ancestors first in the tree as it will be (the parents form no loop)."""
    depths: dict[str, int] = {}

    def depth(code: str) -> int:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in depths:
            chain.append(current)
            current = plan.final_parent_code(current)
        level = -1 if current is None else depths[current]
        for member in reversed(chain):
            level += 1
            depths[member] = level
        return depths[code]

    return sorted(rows, key=lambda row: depth(row.code or ""))


def _write_units(plan: _Plan) -> list[Change]:
    """Create and change the units of the file; new units mirror ``services.create_unit``, in bulk."""
    rows = [r for r in plan.units if r.action]
    new_units: list[Unit] = []
    for row in rows:
        if row.action != "create":
            continue
        unit = row.unit
        assert unit is not None and row.name is not None and row.kind is not None and row.valid_from is not None
        unit.name, unit.short_name, unit.kind = row.name, row.short_name or "", row.kind
        unit.valid_from, unit.sort_order, unit.parent = row.valid_from, row.sort_order or 0, None
        new_units.append(unit)
    # Inserted without parent and path first: the path holds the unit's own id.
    Unit.objects.bulk_create(new_units, batch_size=1_000)
    new_ids = {unit.pk for unit in new_units}
    places: dict[int, tuple[str, int]] = {}  # current path and depth of existing units

    def place(unit: Unit) -> tuple[str, int]:
        if unit.pk in new_ids:
            return unit.path, unit.depth
        if unit.pk not in places:
            places[unit.pk] = Unit.objects.values_list("path", "depth").get(pk=unit.pk)
        return places[unit.pk]

    changes: list[Change] = []
    basis = services.Basis(number=IMPORT_BASIS)
    for row in _unit_order(plan, rows):
        unit, parent = row.unit, row.parent
        assert unit is not None
        if row.action == "create":
            parent_path, parent_depth = place(parent) if parent is not None else ("", -1)
            unit.parent = parent
            unit.path = parent_path + services._segment(unit.pk)
            unit.depth = parent_depth + 1
        elif row.action == "sort":
            assert row.sort_order is not None and row.before is not None
            unit.sort_order = row.sort_order
            unit.version += 1
            Unit.objects.filter(pk=unit.pk).update(sort_order=unit.sort_order, version=F("version") + 1)
            changes.append(_unit_change(unit, row.before, {}))
        else:
            changes.append(_change_unit(row, place, basis))
            places.clear()  # a move changes the paths of a whole subtree
    Unit.objects.bulk_update(new_units, ["parent", "path", "depth"], batch_size=500)
    creations = services.record_unit_creations(new_units, [basis] * len(new_units), action="org.unit.import_create")
    return creations + changes


def _unit_change(unit: Unit, before: dict[str, Any], extra: dict[str, Any]) -> Change:
    return Change(
        action="org.unit.import_update",
        object_type="unit",
        object_id=str(unit.pk),
        object_label=unit.name,
        before=before,
        after=services.unit_state(unit) | {"sort_order": unit.sort_order} | extra,
    )


def _change_unit(row: _UnitRow, place: Callable[[Unit], tuple[str, int]], basis: services.Basis) -> Change:
    """What ``services.change_unit`` does, for one unit of the file (already checked)."""
    unit, parent = row.unit, row.parent
    assert unit is not None and row.name is not None and row.kind is not None
    assert row.valid_from is not None and row.before is not None
    unit.path, unit.depth = place(unit)
    if row.moved:
        if parent is not None:
            parent.path, parent.depth = place(parent)
        services._move_subtree(unit, parent)
        unit.parent = parent
    unit.name, unit.kind = row.name, row.kind
    if row.short_name is not None:
        unit.short_name = row.short_name
    if row.sort_order is not None:
        unit.sort_order = row.sort_order
    services._close_version(unit, row.valid_from)
    event = services._event(UnitEventKind.REPARENT if row.moved else UnitEventKind.RENAME, row.valid_from, basis)
    event.sources.add(unit)
    event.targets.add(unit)
    unit.version += 1
    unit.save()
    services._open_version(unit, row.valid_from, event)
    return _unit_change(unit, row.before, {"basis": basis.number, "effective": row.valid_from})


def _write_people(plan: _Plan) -> list[Change]:
    new, changed = [], []
    for row in plan.people:
        if not row.action:
            continue
        person = row.person
        assert person is not None
        for key, value in row.values.items():
            setattr(person, key, value)
        person.search_name = fold(person.full_name)
        if row.action == "create":
            new.append(person)
        else:
            person.version += 1
            changed.append(row)
    Person.objects.bulk_create(new, batch_size=1_000)
    fields = sorted({key for row in changed for key in row.values} | {"version", "search_name"})
    Person.objects.bulk_update([r.person for r in changed if r.person is not None], fields, batch_size=500)
    changes = [services.person_created(p, action="org.person.import_create") for p in new]
    for row in changed:
        assert row.person is not None
        changes.append(
            Change(
                action="org.person.import_update",
                object_type="person",
                object_id=str(row.person.pk),
                object_label=row.person.full_name,
                before=row.before,
                after=services.person_state(row.person),
            )
        )
    return changes


def _write_posts(plan: _Plan) -> list[Change]:
    new: list[tuple[_PostRow, Appointment]] = []
    changed: list[tuple[_PostRow, Appointment]] = []
    for post in plan.posts:
        if post.action == "create":
            appointment = Appointment(
                person_id=post.person.pk,
                title_id=post.title.pk,
                unit_id=post.unit.pk,
                start_date=post.start,
                **post.values,
            )
            new.append((post, appointment))
        elif post.action == "update":
            assert post.appointment is not None
            for key, value in post.values.items():
                setattr(post.appointment, key, value)
            changed.append((post, post.appointment))
    Appointment.objects.bulk_create([a for _p, a in new], batch_size=1_000)
    fields = sorted({key for post, _a in changed for key in post.values})
    if changed:
        Appointment.objects.bulk_update([a for _p, a in changed], fields, batch_size=500)
    changes = []
    for post, appointment in new:
        changes.append(
            services.appointment_change(
                appointment,
                person_name=post.person.full_name,
                title=post.title,
                unit=post.unit,
                action="org.appointment.import_create",
            )
        )
    for post, appointment in changed:
        changes.append(
            Change(
                action="org.appointment.import_update",
                object_type="appointment",
                object_id=str(appointment.pk),
                object_label=_post_label(post.person, post.title, post.unit),
                before=post.before,
                after={key: getattr(appointment, key) for key in post.values},
                subjects=[("person", str(post.person.pk)), ("unit", str(post.unit.pk))],
            )
        )
    return changes


# --------------------------------------------------------------------------- entry points


def import_org_workbook(
    *,
    acting_user: Actor | None,
    source: Path | bytes,
    progress: Progress | None = None,
    dry_run: bool = False,
    scope_paths: Sequence[str] | None = None,
) -> ImportReport:
    """Check the whole workbook, then write all of it in one transaction, or nothing.

    Never raises for a bad file: every problem is an ``ImportIssue`` of the report.
    ``scope_paths`` restricts the import to the unit subtrees with these paths (``None``:
    the whole registry; an empty list: nothing).
    ``progress(done, total)`` is called every ``PROGRESS_EVERY`` rows read and once more,
    with ``done == total``, when every row is checked; it is never called inside the write
    transaction, so that another connection can show it.
    """
    if isinstance(scope_paths, str):
        raise TypeError("scope_paths is a sequence of paths, not one path")
    report = ImportReport(dry_run=dry_run)
    issues = _Issues()
    try:
        handle: BinaryIO = BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    except OSError as exc:
        issues.add("", None, None, _("Không mở được tệp: %(error)s.") % {"error": exc.strerror or exc})
        report.issues = issues.sorted()
        return report
    with handle, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features of the file it does not keep
        sheets = _read_workbook(handle, issues, progress)
    if sheets is None:
        report.issues = issues.sorted()
        return report
    report.rows = {name: len(sheet.rows) for name, sheet in sheets.items()}
    total = sum(report.rows.values())
    plan = _Plan(sheets, issues, scope_paths)
    plan.run()
    if progress is not None:
        progress(total, total)
    if len(issues):
        report.issues = issues.sorted()
        return report
    plan.count(report)
    if dry_run or not (
        any(r.action for r in plan.units) or any(r.action for r in plan.people) or any(r.action for r in plan.posts)
    ):
        return report
    try:
        with transaction.atomic():
            _write(plan, acting_user)
    except (_Conflict, IntegrityError, services.OrgError):
        issues.add(
            "",
            None,
            None,
            _("Dữ liệu tổ chức đã bị thay đổi trong lúc nhập nên không có gì được ghi; hãy nhập lại tệp."),
        )
        report.issues = issues.sorted()
        report.created, report.updated, report.unchanged = _counts(), _counts(), _counts()
    return report


# --------------------------------------------------------------------------- the template


_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _help_rows() -> list[tuple[str, ...]]:
    """The instructions sheet, in Vietnamese (everything but the lists)."""
    rules = [
        _(
            "Tệp gồm ba sheet bắt buộc: DonVi (đơn vị), CanBo (cán bộ, công chức), BoNhiem (bổ nhiệm). "
            "Không đổi tên sheet; sheet không có dữ liệu vẫn phải giữ lại cùng dòng tiêu đề."
        ),
        _(
            "Dòng 1 của mỗi sheet là dòng tiêu đề; cột có dấu * là bắt buộc. Có thể đổi thứ tự cột; "
            "cột STT và Ghi chú được bỏ qua, cột có tên khác bị báo lỗi."
        ),
        _(
            "Nhập là tất cả hoặc không: chỉ một dòng lỗi là không có dữ liệu nào được ghi. "
            "Hệ thống liệt kê mọi lỗi kèm sheet, dòng và cột; sửa hết rồi nhập lại."
        ),
        _(
            "Nhập lại cùng một tệp không tạo bản ghi trùng: đơn vị được nhận theo mã; cán bộ theo số định danh "
            "cá nhân, nếu không có thì theo họ tên và ngày sinh; bổ nhiệm theo cán bộ, chức vụ, đơn vị và ngày bắt đầu."
        ),
        _(
            "Ô để trống ở cột không bắt buộc không xoá dữ liệu đã có trong hệ thống; riêng Mã đơn vị cấp trên "
            "để trống nghĩa là đơn vị cấp cao nhất."
        ),
        _("Ngày: ô định dạng Ngày (Date), hoặc văn bản dd/mm/yyyy (ví dụ 01/07/2025) hoặc yyyy-mm-dd."),
        _(
            "Mã đơn vị, Mã đơn vị cấp trên, Số định danh cá nhân và Điện thoại phải ở dạng Văn bản (Text) "
            "(mẫu này đã định dạng sẵn). Nếu ô là số, Excel bỏ mất các số 0 ở đầu và không khôi phục được "
            "(mã 01 thành 1, mã 01.001 thành 1,001): mã đơn vị dạng số nguyên được nhận như chữ số còn lại, "
            "các trường hợp khác bị báo lỗi."
        ),
        _(
            "Đơn vị đã có: nếu tên, tên viết tắt, loại hoặc đơn vị cấp trên khác với hệ thống, thay đổi được ghi "
            "từ ngày ở cột Hiệu lực từ, ngày này phải sau lần thay đổi trước; thay đổi trong quá khứ cần ghi nhận "
            "bằng sự kiện tổ chức trên màn hình đơn vị."
        ),
        _(
            "Sheet BoNhiem xác định cán bộ bằng Số định danh cá nhân, hoặc Họ và tên cùng Ngày sinh; cán bộ có "
            "thể ở sheet CanBo của cùng tệp hoặc đã có trong hệ thống. Chức vụ ghi bằng mã hoặc tên trong danh mục "
            "dưới đây. Một người chỉ giữ một chức vụ chính tại một thời điểm: ghi Đến ngày cho chức vụ cũ "
            "hoặc chọn Kiêm nhiệm."
        ),
        _("Mỗi sheet tối đa %(limit)s dòng dữ liệu.") % {"limit": _vn_number(MAX_ROWS)},
    ]
    rows: list[tuple[str, ...]] = [(_("Hướng dẫn nhập tổ chức, cán bộ và bổ nhiệm từ Excel"),), ()]
    rows += [(f"{i}. {text}",) for i, text in enumerate(rules, start=1)]
    rows += [(), (_("Ví dụ (không nhập các dòng này; chép sang sheet tương ứng nếu cần)"),)]
    examples: dict[str, list[tuple[str, ...]]] = {
        UNIT_SHEET: [
            ("01", "Tỉnh Hưng Yên", "", str(UnitKind.PROVINCE.label), "", "01/07/2025", "1"),
            ("01.010", "Sở Nội vụ", "SNV", str(UnitKind.AGENCY.label), "01", "01/07/2025", "10"),
            ("01.010.01", "Phòng Tổ chức, biên chế", "", str(UnitKind.DIVISION.label), "01.010", "01/07/2025", "1"),
        ],
        PERSON_SHEET: [("034085001234", "Nguyễn Văn An", "15/03/1985", "Nam", "an.nv@hungyen.gov.vn", "0912345678")],
        POST_SHEET: [
            (
                "034085001234",
                "Nguyễn Văn An",
                "",
                "truong_phong",
                "Trưởng phòng",
                "01.010.01",
                "Chức vụ chính",
                "01/08/2025",
                "",
                "123/QĐ-SNV",
                "25/07/2025",
            ),
        ],
    }
    for spec in _SHEETS:
        rows.append((spec.name, *[c.header + ("*" if c.required else "") for c in spec.columns]))
        rows += [(spec.name, *example) for example in examples[spec.name]]
    return rows


def build_template() -> bytes:
    """The empty workbook to fill: three sheets with their headers, and the instructions."""
    workbook = Workbook()
    help_sheet = workbook.active
    assert isinstance(help_sheet, Worksheet)
    help_sheet.title = HELP_SHEET
    for values in _help_rows():
        help_sheet.append(list(values))
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 14
    for letter in "BCDEFGHIJKL":
        help_sheet.column_dimensions[letter].width = 20
    # The lists offered in the drop-downs, also readable here.
    lists: dict[str, list[str]] = {
        _("Loại đơn vị (hoặc mã)"): [str(label) for _code, label in UnitKind.choices],
        _("Giới tính"): [str(label) for _code, label in Sex.choices],
        _("Hình thức bổ nhiệm"): [str(label) for _code, label in AppointmentKind.choices],
    }
    ranges: dict[str, str] = {}
    help_sheet.append([])
    help_sheet.append([_("Danh mục")])
    help_sheet.cell(help_sheet.max_row, 1).font = _BOLD
    for heading, entries in lists.items():
        help_sheet.append([heading])
        help_sheet.cell(help_sheet.max_row, 1).font = _BOLD
        first = help_sheet.max_row + 1
        for value in entries:
            help_sheet.append([value])
        ranges[heading] = f"{HELP_SHEET}!$A${first}:$A${help_sheet.max_row}"
    help_sheet.append([_("Chức vụ: mã"), _("tên")])
    help_sheet.cell(help_sheet.max_row, 1).font = _BOLD
    first = help_sheet.max_row + 1
    for title in Title.objects.filter(active=True).order_by("level", "name"):
        help_sheet.append([title.code, title.name])
    titles_range = f"{HELP_SHEET}!$B${first}:$B${max(help_sheet.max_row, first)}"

    drop_downs = {
        (UNIT_SHEET, "kind"): ranges[_("Loại đơn vị (hoặc mã)")],
        (PERSON_SHEET, "sex"): ranges[_("Giới tính")],
        (POST_SHEET, "kind"): ranges[_("Hình thức bổ nhiệm")],
        (POST_SHEET, "title_name"): titles_range,
    }
    last = MAX_ROWS + 1
    for spec in _SHEETS:
        sheet = workbook.create_sheet(spec.name)
        sheet.append([c.header + ("*" if c.required else "") for c in spec.columns])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(1, index)
            cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
            dimension = sheet.column_dimensions[letter]
            dimension.width = column.width
            if column.text_format:
                dimension.number_format = "@"
            elif column.date_format:
                dimension.number_format = "DD/MM/YYYY"
            source = drop_downs.get((spec.name, column.key))
            if source is not None:
                validation = DataValidation(
                    type="list",
                    formula1=source,
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning",
                    error=_("Giá trị không có trong danh mục (xem sheet HuongDan)."),
                )
                validation.add(f"{letter}2:{letter}{last}")
                sheet.add_data_validation(validation)
    workbook.active = 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
