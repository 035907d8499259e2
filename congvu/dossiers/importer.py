"""All-or-nothing import of one-stop dossiers from a CSV, JSON or Excel (.xlsx) file.

The format is found from the file's bytes, never from its name: a zip package with a
workbook is .xlsx (its first sheet is read); UTF-8 text (with or without a byte-order mark)
starting with ``[`` or ``{`` is JSON, a list of objects or ``{"items": [...]}``; any other
UTF-8 text is CSV, comma- or semicolon-separated (whichever the header row has more of),
with a header row.

Columns (CSV and .xlsx headers, JSON keys), in English or in Vietnamese (matched without
regard to case, accents, spaces, "-" or a trailing "*", so "Mã hồ sơ" is ``ma_ho_so``):

================== =================== ======================================================
key                Vietnamese          value
================== =================== ======================================================
code               ma_ho_so            the one-stop system's dossier code (≤ 60 characters)
procedure_code     ma_thu_tuc          the procedure (TTHC) code, e.g. 1.011442.000.00.00.H38
unit_code          ma_don_vi           the receiving unit's current code in the registry
channel            kenh                1 in person, 2 online, 3 by public post (BCCI)
status             trang_thai          1–10, the National Public Service Portal's codes
received_at        ngay_nhan           when the dossier was received (required)
due_at             han_xu_ly           the deadline for the result; empty: no deadline
finished_at        ngay_hoan_thanh     when processing finished (or the dossier was
                                       withdrawn); required for statuses 7, 9 and 10
satisfaction       muc_do_hai_long     1 very satisfied, 2 satisfied, 3 unsatisfied; empty: none
apology_issued_at  ngay_xin_loi        when the apology letter ("Phiếu xin lỗi và hẹn lại ngày
                                       trả kết quả") was issued; empty: none
================== =================== ======================================================

The first eight columns must all be in the header (a JSON item may leave a key out: its value
is then empty); ``satisfaction`` and ``apology_issued_at`` may be left out of the whole file, and
then existing dossiers keep the values they have. Any other column is an error. A file states
the whole of each dossier it lists: an empty cell clears the stored value.

Timestamps: ISO 8601 with or without an offset (``2026-03-16T09:00:00+07:00``,
``2026-03-16 09:00``), ``dd/mm/yyyy HH:MM[:SS]`` as Vietnamese exports write them, or an Excel
date-time cell. A time without an offset (and every Excel cell) is in the installation's time
zone (``TIME_ZONE``). A date without a time is the start of that day, except for ``due_at``
where it means the end of that day (a deadline "20/03/2026" is met by anything done on the
20th); an Excel cell at exactly 00:00:00 counts as a date without a time. Years must lie in
1990–2099.

Positions: CSV and .xlsx issues give the row as a spreadsheet shows it (the header is row 1;
blank rows are skipped but counted) and the column as the header names it; JSON issues give the
item's index in the list (from 0) and the key. Everything is read and checked before anything is
written; a file with any problem writes nothing and lists every problem (the first
``MAX_ISSUES``, then how many more). A good file is written in one transaction with one upsert
(``congvu.dossiers.bulk``) keyed on the code, and one audit event for the whole import with
the counts and the file's SHA-256; a re-import that changes nothing records nothing.

Cost: the file is read as a stream (CSV and JSON never whole in memory; .xlsx through openpyxl's
read-only mode), each row checked by one closure of plain comparisons, with the unit codes loaded
once into a dict. The good rows are kept, ready for the database (about half a kilobyte each), until
every row is checked, then written at once; ``benchmarks/dossiers_bench.py`` measures a million rows.

Scope: a user imports only dossiers of units inside the subtrees where they hold
``org.import``, and cannot overwrite a dossier that already belongs to a unit outside them;
``acting_user=None`` (the command line without ``--as``) is the system, with the whole registry.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import sys
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, BinaryIO, Final

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from congvu.accounts.models import User
from congvu.accounts.scope import scope_paths
from congvu.audit.chain import record
from congvu.core.files import sniff
from congvu.core.policy import Cap
from congvu.dossiers import bulk
from congvu.dossiers.models import (
    CODE_MAX_LENGTH,
    ENDED_STATUSES,
    PROCEDURE_CODE_MAX_LENGTH,
    Channel,
    Satisfaction,
    Status,
)
from congvu.org.models import Unit

MAX_ISSUES: Final = 1_000  # issues listed; the rest are counted in one last issue
PROGRESS_EVERY: Final = 10_000  # rows between two progress reports
_HEAD: Final = 65_536  # bytes read to tell the format
_CHUNK: Final = 1 << 20  # characters of JSON read at a time
_BUFFER: Final = 1 << 20

Progress = Callable[[int, int], None]

# What a broken or foreign workbook makes openpyxl raise (zip, XML, package structure).
_BROKEN_XLSX: tuple[type[BaseException], ...] = (
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


# --------------------------------------------------------------------------- the columns


@dataclass(frozen=True)
class _Column:
    key: str
    vietnamese: str
    in_header: bool  # must be in the header (CSV, .xlsx)


_COLUMNS: Final = (
    _Column("code", "ma_ho_so", True),
    _Column("procedure_code", "ma_thu_tuc", True),
    _Column("unit_code", "ma_don_vi", True),
    _Column("channel", "kenh", True),
    _Column("status", "trang_thai", True),
    _Column("received_at", "ngay_nhan", True),
    _Column("due_at", "han_xu_ly", True),
    _Column("finished_at", "ngay_hoan_thanh", True),
    _Column("satisfaction", "muc_do_hai_long", False),
    _Column("apology_issued_at", "ngay_xin_loi", False),
)
COLUMN_KEYS: Final = tuple(c.key for c in _COLUMNS)
_POSITION: Final = {c.key: i for i, c in enumerate(_COLUMNS)} | {c.vietnamese: i for i, c in enumerate(_COLUMNS)}
_OPTIONAL: Final = tuple(i for i, c in enumerate(_COLUMNS) if not c.in_header)
_SATISFACTION_AT, _APOLOGY_AT = _OPTIONAL


def _header_key(text: str) -> str:
    """``"Mã hồ sơ *"`` → ``"ma_ho_so"``: no case, accents, spaces, "-" or trailing "*"."""
    folded = text.strip().rstrip("*").strip().casefold().replace("đ", "d")
    folded = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", folded)


def _codes(choices: Sequence[tuple[int, Any]]) -> dict[Any, int]:
    """Cell values accepted for a code list: the number as text or as a number."""
    table: dict[Any, int] = {}
    for value, _label in choices:
        table[str(value)] = value
        table[value] = value
    return table


_CHANNELS: Final = _codes(Channel.choices)
_STATUSES: Final = _codes(Status.choices)
_SATISFACTIONS: Final = _codes(Satisfaction.choices)
_ENDED: Final = frozenset(int(s) for s in ENDED_STATUSES)


# --------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class DossierIssue:
    """One problem of the file.

    ``sheet`` is ``CSV``, ``JSON`` or the worksheet's name ("" for the file as a whole); ``row`` the
    spreadsheet row (header = 1) or, in JSON, the item's index from 0; ``column`` the header or key.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str
    container: str = ""  # JSON: "items" when the list is the value of {"items": [...]}

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f"!{self.container}[{self.row}]" if self.sheet == "JSON" else f"!{self.row}"
            if self.column:
                where += f":{self.column}"
        elif self.column:
            where += f"!{self.column}"
        return f"{where} — {self.message}" if where else self.message


@dataclass
class DossierImportReport:
    """The outcome of one import: its issues (none when it was written) and what it did."""

    issues: list[DossierIssue] = field(default_factory=list)
    rows: int = 0  # data rows (JSON items) read
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    file_format: str = ""  # csv, json or xlsx, once recognised
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "format": self.file_format,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "issues": len(self.issues),
        }


def _vn_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class _Issues:
    """Issues in file order; only the first ``MAX_ISSUES`` are kept, the others counted."""

    def __init__(self) -> None:
        self.sheet = ""
        self.container = ""
        self.items: list[DossierIssue] = []
        self.count = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ISSUES:
            self.items.append(DossierIssue(self.sheet, row, column, message, self.container))

    def whole_file(self, message: str) -> None:
        """The file cannot be read on: what was found in it so far does not matter."""
        self.items, self.count = [DossierIssue("", None, None, message)], 1

    def listed(self) -> list[DossierIssue]:
        if self.count <= len(self.items):
            return list(self.items)
        rest = self.count - len(self.items)
        return [*self.items, DossierIssue("", None, None, _("…và %(count)s lỗi khác.") % {"count": _vn_number(rest)})]


# --------------------------------------------------------------------------- values

_LOCAL = timezone.get_default_timezone()
_FIRST_WALL, _LAST_WALL = datetime(1990, 1, 1), datetime(2100, 1, 1)  # years 1990–2099, wall time
_WHOLE_DAY = timedelta(days=1, microseconds=-1)
_MIDNIGHT = time()
_VN_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?")
_from_iso = datetime.fromisoformat


def _timestamp(value: Any, whole_day: bool) -> datetime | None:
    """A cell as a naive UTC datetime (``None`` when empty); ``ValueError`` when it is not a timestamp.

    Runs for every timestamp of files of millions of rows, so it stays with naive datetimes
    (their arithmetic and comparisons cost a fraction of aware ones) and the C parser.
    """
    if value.__class__ is str and value:
        if len(value) > 16 and value[-3] == ":" and value[-6] in "+-":  # the common ISO form with an offset
            offset = _OFFSETS.get(value[-6:])
            if offset is None:
                offset = _offset(value)
            wall = _from_iso(value[:-6])
            if wall.tzinfo is None and _FIRST_WALL <= wall < _LAST_WALL:
                return wall - offset
        try:
            parsed = _from_iso(value)
        except ValueError:
            text = value.strip()
            if text != value:
                return _timestamp(text, whole_day) if text else None
            parsed = _vn_text(text, whole_day)
        else:
            if whole_day and len(value) == 10:
                parsed += _WHOLE_DAY
            if parsed.tzinfo is not None:
                offset = parsed.utcoffset()
                assert offset is not None
                # the wall time without its offset: the text parsed again is cheaper than replace(tzinfo=None)
                if value[-6] in "+-":
                    wall = _from_iso(value[:-6])
                elif value[-1] in "Zz":
                    wall = _from_iso(value[:-1])
                else:
                    wall = parsed.replace(tzinfo=None)
                return _bounded(wall, offset, value)
    elif value is None or value == "":
        return None
    else:
        parsed = _from_cell(value, whole_day)
        if parsed.tzinfo is not None:
            offset = parsed.utcoffset()
            assert offset is not None
            return _bounded(parsed.replace(tzinfo=None), offset, value)
    offset = _LOCAL.utcoffset(parsed)
    assert offset is not None
    return _bounded(parsed, offset, value)


_OFFSETS: dict[str, timedelta] = {}  # "+07:00" -> its offset, once read


def _offset(value: str) -> timedelta:
    """The offset at the end of an ISO timestamp (``ValueError`` when the timestamp is not one)."""
    offset = _from_iso(value).utcoffset()
    if offset is None:
        raise ValueError(value)
    if len(_OFFSETS) < 64:
        _OFFSETS[value[-6:]] = offset
    return offset


def _bounded(wall: datetime, offset: timedelta, value: Any) -> datetime:
    if not _FIRST_WALL <= wall < _LAST_WALL:
        raise ValueError(value)
    return wall - offset


def _vn_text(text: str, whole_day: bool) -> datetime:
    """``dd/mm/yyyy [HH:MM[:SS]]`` as Vietnamese exports write it (wall time)."""
    match = _VN_DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(text)
    day, month, year, hour, minute, second, fraction = match.groups()
    parsed = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0").ljust(6, "0")),
    )
    return parsed + _WHOLE_DAY if whole_day and hour is None else parsed


def _from_cell(value: Any, whole_day: bool) -> datetime:
    """An Excel date-time or date cell (an Excel date at 00:00 is a date without a time)."""
    if isinstance(value, datetime):
        if whole_day and value.tzinfo is None and value.time() == _MIDNIGHT:
            return value + _WHOLE_DAY
        return value
    if isinstance(value, date):
        return datetime.combine(value, _MIDNIGHT) + (_WHOLE_DAY if whole_day else timedelta())
    raise ValueError(value)


def _text(value: Any) -> str:
    """A cell as text (numbers keep their digits; Excel's 12.0 is "12"); ``TypeError`` for anything else."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    raise TypeError(value)  # dates, JSON lists and objects


def _code(value: Any, table: dict[Any, int]) -> int | None:
    """A code-list cell as its number (``None`` when it is not one of them)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return table.get(value.strip())
    if isinstance(value, int | float):
        return table.get(value)
    return None


def _blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _show(value: Any) -> str:
    """A cell as the user wrote it, for a message."""
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip() if value is not None else ""
    return text if len(text) <= 60 else text[:57] + "…"


def _local(value: datetime) -> str:
    """A naive UTC timestamp as the user reads it."""
    return value.replace(tzinfo=UTC).astimezone(_LOCAL).strftime("%d/%m/%Y %H:%M")


# --------------------------------------------------------------------------- checking rows


class _Checker:
    """Checks one row at a time and keeps the good ones as database-ready tuples (``bulk.COLUMNS``)."""

    def __init__(
        self,
        issues: _Issues,
        units: dict[str, int],
        outside: set[str],
        *,
        skip_blank: bool,
        timestamps_as_text: bool,
    ) -> None:
        self.issues = issues
        # ``bulk.db_timestamp``'s text (SQLite), or the naive UTC datetimes themselves (PostgreSQL's COPY)
        self.timestamps_as_text = timestamps_as_text
        self.units = units
        self.outside = outside
        self.skip_blank = skip_blank
        self.names: list[str] = list(COLUMN_KEYS)  # the column names the file uses
        self.rows: list[tuple[Any, ...]] = []
        self.first_at: dict[str, int] = {}  # code -> its row (or JSON index)
        self.read = 0  # data rows seen (blank rows excluded)

    def build(self) -> Callable[[int, Sequence[Any]], None]:
        """The per-row function: local names only, since it runs once per row of files of millions."""
        add = self.issues.add
        names = self.names
        units_get = self.units.get
        outside = self.outside
        first_at = self.first_at.setdefault
        append = self.rows.append
        channels_get, statuses_get, satisfactions_get = _CHANNELS.get, _STATUSES.get, _SATISFACTIONS.get
        ended = _ENDED
        timestamp = _timestamp
        skip_blank = self.skip_blank
        as_text = self.timestamps_as_text
        procedures: dict[Any, str] = {}
        procedures_get = procedures.get
        code_limit, procedure_limit = CODE_MAX_LENGTH, PROCEDURE_CODE_MAX_LENGTH
        counter = self

        def text_cell(where: int, position: int, value: Any) -> str | None:
            """A cell that is not text (numbers are fine); None, reported, when it cannot be text."""
            try:
                return _text(value).strip()
            except TypeError:
                add(
                    where,
                    names[position],
                    _("Giá trị “%(value)s” ở cột “%(column)s” không phải là chữ hay số.")
                    % {"value": _show(value), "column": names[position]},
                )
                return None

        def missing(where: int, position: int) -> None:
            add(where, names[position], _("Thiếu giá trị bắt buộc ở cột “%(column)s”.") % {"column": names[position]})

        def bad_time(where: int, position: int, value: Any) -> None:
            add(
                where,
                names[position],
                _(
                    "“%(value)s” ở cột “%(column)s” không phải là thời điểm hợp lệ; hãy ghi dd/mm/yyyy HH:MM "
                    "(ví dụ 16/03/2026 09:30) hoặc ISO 8601 (ví dụ 2026-03-16T09:30:00+07:00)."
                )
                % {"value": _show(value), "column": names[position]},
            )

        def too_long(where: int, position: int, limit: int) -> None:
            add(
                where,
                names[position],
                _("Giá trị ở cột “%(column)s” dài quá %(limit)d ký tự.") % {"column": names[position], "limit": limit},
            )

        def bad_code(where: int, position: int, value: Any) -> None:
            if position == 3:
                message = _(
                    "Kênh nộp “%(value)s” không hợp lệ; chỉ nhận 1 (trực tiếp), 2 (trực tuyến) "
                    "hoặc 3 (qua bưu chính công ích)."
                )
            elif position == 4:
                message = _(
                    "Trạng thái “%(value)s” không hợp lệ; chỉ nhận mã từ 1 đến 10 của Cổng Dịch vụ công quốc gia."
                )
            else:
                message = _(
                    "Mức độ hài lòng “%(value)s” không hợp lệ; chỉ nhận 1 (rất hài lòng), 2 (hài lòng) "
                    "hoặc 3 (không hài lòng), hoặc để trống."
                )
            add(where, names[position], message % {"value": _show(value)})

        def before_received(where: int, position: int, value: datetime, received: datetime) -> None:
            if position == 6:
                message = _("Hạn trả kết quả (%(value)s) sớm hơn thời điểm tiếp nhận (%(received)s).")
            elif position == 7:
                message = _("Thời điểm hoàn thành (%(value)s) sớm hơn thời điểm tiếp nhận (%(received)s).")
            else:
                message = _("Thời điểm gửi phiếu xin lỗi (%(value)s) sớm hơn thời điểm tiếp nhận (%(received)s).")
            add(where, names[position], message % {"value": _local(value), "received": _local(received)})

        def check(where: int, values: Sequence[Any]) -> None:
            code, procedure, unit, channel, status, received, due, finished, satisfaction, apology = values
            bad = False
            code = code.strip() if code.__class__ is str else text_cell(where, 0, code)
            if code is None:
                bad = True
            elif not code:
                if skip_blank and all(_blank(v) for v in values):
                    return
                missing(where, 0)
                bad = True
            elif len(code) > code_limit:
                too_long(where, 0, code_limit)
                bad = True
            else:
                first = first_at(code, where)
                if first != where:
                    add(
                        where,
                        names[0],
                        _("Mã hồ sơ “%(code)s” bị lặp (đã có ở %(place)s).")
                        % {"code": code, "place": _place(counter.issues.sheet, first)},
                    )
                    bad = True
            counter.read += 1
            # a few hundred procedures: each spelling is checked once, then shared
            known = procedures_get(procedure) if procedure.__class__ is str else None
            if known is None:
                text = procedure.strip() if procedure.__class__ is str else text_cell(where, 1, procedure)
                if text is None:
                    bad = True
                elif not text:
                    missing(where, 1)
                    bad = True
                elif len(text) > procedure_limit:
                    too_long(where, 1, procedure_limit)
                    bad = True
                else:
                    known = text
                    if procedure.__class__ is str:
                        procedures[procedure] = text
            procedure = known
            unit_id = units_get(unit) if unit.__class__ is str else None
            if unit_id is None:
                text = unit.strip() if unit.__class__ is str else text_cell(where, 2, unit)
                unit_id = units_get(text) if text else None
                if unit_id is None:
                    bad = True
                    if text is None:
                        pass  # reported
                    elif not text:
                        missing(where, 2)
                    elif text in outside:
                        add(where, names[2], _("Đơn vị “%(code)s” nằm ngoài phạm vi của bạn.") % {"code": text})
                    else:
                        add(where, names[2], _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": text})
            chosen_channel = channels_get(channel) if channel.__class__ is str else _code(channel, _CHANNELS)
            if chosen_channel is None:
                chosen_channel = _code(channel, _CHANNELS)
                if chosen_channel is None:
                    bad = True
                    if _blank(channel):
                        missing(where, 3)
                    else:
                        bad_code(where, 3, channel)
            chosen_status = statuses_get(status) if status.__class__ is str else _code(status, _STATUSES)
            if chosen_status is None:
                chosen_status = _code(status, _STATUSES)
                if chosen_status is None:
                    bad = True
                    if _blank(status):
                        missing(where, 4)
                    else:
                        bad_code(where, 4, status)
            try:
                received_at = timestamp(received, False)
            except ValueError:
                bad_time(where, 5, received)
                received_at, bad = None, True
            else:
                if received_at is None:
                    missing(where, 5)
                    bad = True
            due_at = finished_at = apology_at = chosen_satisfaction = None
            finished_ok = True
            if not (due is None or due == ""):
                try:
                    due_at = timestamp(due, True)
                except ValueError:
                    bad_time(where, 6, due)
                    bad = True
            if not (finished is None or finished == ""):
                try:
                    finished_at = timestamp(finished, False)
                except ValueError:
                    bad_time(where, 7, finished)
                    bad, finished_ok = True, False
            if not (apology is None or apology == ""):
                try:
                    apology_at = timestamp(apology, False)
                except ValueError:
                    bad_time(where, 9, apology)
                    bad = True
            if not (satisfaction is None or satisfaction == ""):
                chosen_satisfaction = satisfactions_get(satisfaction) if satisfaction.__class__ is str else None
                if chosen_satisfaction is None and not _blank(satisfaction):
                    chosen_satisfaction = _code(satisfaction, _SATISFACTIONS)
                    if chosen_satisfaction is None:
                        bad_code(where, 8, satisfaction)
                        bad = True
            if received_at is not None:
                if due_at is not None and due_at < received_at:
                    before_received(where, 6, due_at, received_at)
                    bad = True
                if finished_at is not None and finished_at < received_at:
                    before_received(where, 7, finished_at, received_at)
                    bad = True
                if apology_at is not None and apology_at < received_at:
                    before_received(where, 9, apology_at, received_at)
                    bad = True
            if finished_at is None and finished_ok and chosen_status in ended:
                add(
                    where,
                    names[7],
                    _("Hồ sơ ở trạng thái “%(status)s” phải có thời điểm hoàn thành.")
                    % {"status": Status(chosen_status).label},
                )
                bad = True
            if bad:
                return
            if as_text:
                append(
                    (
                        code,
                        procedure,
                        unit_id,
                        chosen_channel,
                        chosen_status,
                        str(received_at),
                        None if due_at is None else str(due_at),
                        None if finished_at is None else str(finished_at),
                        chosen_satisfaction,
                        None if apology_at is None else str(apology_at),
                    )
                )
            else:
                append(
                    (
                        code,
                        procedure,
                        unit_id,
                        chosen_channel,
                        chosen_status,
                        received_at,
                        due_at,
                        finished_at,
                        chosen_satisfaction,
                        apology_at,
                    )
                )

        return check


def _place(sheet: str, where: int) -> str:
    if sheet == "JSON":
        return _("mục %(index)d") % {"index": where}
    return _("dòng %(row)d") % {"row": where}


# --------------------------------------------------------------------------- reading


class _HashingReader(io.RawIOBase):
    """Reads a binary file and hashes (SHA-256) and counts every byte it passes on."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.digest.update(data)
        self.consumed += size
        return size


class _Reader:
    """Reads the rows of one file into the checker; returns False when the file cannot be read on."""

    def __init__(self, issues: _Issues, progress: Progress | None, size: int) -> None:
        self.issues = issues
        self.progress = progress
        self.size = size
        self.sha256 = ""
        self.present: set[int] = set()  # positions of the columns the file has

    def first_report(self) -> int:
        """The rows read at which to report progress first (never, without a callback)."""
        return PROGRESS_EVERY if self.progress is not None else sys.maxsize

    def tick(self, done: int, consumed: int) -> None:
        """Report ``done`` rows, with the total estimated from the share of the file's bytes read."""
        if self.progress is not None:
            estimate = done * self.size // consumed if consumed else done
            self.progress(done, max(done, estimate))

    def header(self, cells: Sequence[Any]) -> tuple[list[int], list[str]] | None:
        """Column positions (``-1``: not a column) and names of a header row; None when it has problems."""
        issues = self.issues
        width = len(cells)
        while width and _blank(cells[width - 1]):
            width -= 1
        positions: list[int] = []
        names: list[str] = list(COLUMN_KEYS)
        found: dict[int, str] = {}
        good = True
        for index, raw in enumerate(cells[:width]):
            header = _show(raw)
            if not header:
                issues.add(1, None, _("Cột thứ %(number)d không có tên ở dòng tiêu đề.") % {"number": index + 1})
                good = False
                positions.append(-1)
                continue
            position = _POSITION.get(_header_key(header), -1)
            positions.append(position)
            if position < 0:
                issues.add(1, header, _("Không nhận ra cột “%(header)s”.") % {"header": header})
                good = False
            elif position in found:
                issues.add(
                    1,
                    header,
                    _("Cột “%(header)s” bị lặp (trùng với cột “%(first)s”).")
                    % {"header": header, "first": found[position]},
                )
                good = False
            else:
                found[position] = header
                names[position] = header
        for position, column in enumerate(_COLUMNS):
            if column.in_header and position not in found:
                issues.add(
                    1,
                    None,
                    _("Thiếu cột “%(key)s” (hoặc “%(vietnamese)s”) ở dòng tiêu đề.")
                    % {"key": column.key, "vietnamese": column.vietnamese},
                )
                good = False
        self.present = set(found)
        return (positions, names) if good else None

    @staticmethod
    def getter(positions: list[int], sentinel: int) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        """Picks the ten values of a row in ``COLUMN_KEYS`` order; absent columns read the ``sentinel`` cell."""
        where = dict.fromkeys(range(len(_COLUMNS)), sentinel)
        for index, position in enumerate(positions):
            if position >= 0:
                where[position] = index
        return itemgetter(*(where[p] for p in range(len(_COLUMNS))))

    # ---- CSV

    def read_csv(self, handle: BinaryIO, checker: _Checker, load: Callable[[], None]) -> bool:
        issues = self.issues
        issues.sheet = "CSV"
        hashing = _HashingReader(handle)
        text = io.TextIOWrapper(io.BufferedReader(hashing, _BUFFER), encoding="utf-8-sig", newline="")
        number = 0
        try:
            first = text.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header_cells = next(csv.reader([first], delimiter=delimiter, strict=True), [])
            header = self.header(header_cells)
            if header is None:
                return False
            load()
            number = 1  # the last record read
            positions, checker.names[:] = header
            width = len(positions)
            get = self.getter(positions, -1)
            check = checker.build()
            add = issues.add
            report_at = self.first_report()
            for number, fields in enumerate(csv.reader(text, delimiter=delimiter, strict=True), start=2):
                size = len(fields)
                if size != width:
                    if not any(f.strip() for f in fields):
                        continue  # a blank line
                    if size < width:
                        add(
                            number,
                            None,
                            _("Dòng có %(found)d giá trị nhưng dòng tiêu đề có %(expected)d cột.")
                            % {"found": size, "expected": width},
                        )
                        checker.read += 1
                        continue
                    if any(f.strip() for f in fields[width:]):
                        add(number, None, _("Dòng có giá trị ở ngoài các cột của dòng tiêu đề."))
                        checker.read += 1
                        continue
                fields.append("")
                check(number, get(fields))
                if checker.read >= report_at:
                    report_at += PROGRESS_EVERY
                    self.tick(checker.read, hashing.consumed)
        except UnicodeDecodeError:
            issues.whole_file(
                _("Tệp không phải là văn bản UTF-8; hãy lưu tệp CSV với mã hóa UTF-8 (trong Excel: “CSV UTF-8”).")
            )
            return False
        except csv.Error:
            issues.whole_file(
                _("Tệp CSV bị lỗi định dạng ở dòng %(row)d (dấu ngoặc kép không khớp hoặc ký tự lạ).")
                % {"row": number + 1}
            )
            return False
        self.sha256 = hashing.digest.hexdigest()
        return True

    # ---- JSON

    def read_json(self, handle: BinaryIO, checker: _Checker, load: Callable[[], None]) -> bool:
        issues = self.issues
        issues.sheet = "JSON"
        hashing = _HashingReader(handle)
        text = io.TextIOWrapper(io.BufferedReader(hashing, _BUFFER), encoding="utf-8-sig")
        stream = _JsonStream(text)
        load()
        check = checker.build()
        add = issues.add
        keys: dict[str, int] = {}  # a key of the file -> column position (-1: unknown)
        unknown: set[str] = set()
        present = 0
        report_at = self.first_report()
        try:
            items = stream.items()
            issues.container = next(items)
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    checker.read += 1
                    add(index, None, _('Mục này không phải là một đối tượng JSON (dạng {"khóa": giá trị}).'))
                    continue
                values: list[Any] = [None] * len(_COLUMNS)
                filled = 0
                for key, value in item.items():
                    position = keys.get(key)
                    if position is None:
                        position = keys[key] = _POSITION.get(_header_key(key), -1)
                        if position >= 0 and checker.names[position] == COLUMN_KEYS[position]:
                            checker.names[position] = key
                    if position < 0:
                        if key not in unknown:
                            unknown.add(key)
                            add(index, key, _("Không nhận ra trường “%(key)s”.") % {"key": key})
                        continue
                    bit = 1 << position
                    if filled & bit:
                        add(
                            index,
                            key,
                            _("Trường “%(key)s” trùng với một trường khác của cùng mục.") % {"key": key},
                        )
                        continue
                    filled |= bit
                    values[position] = value
                present |= filled
                check(index, values)
                if checker.read >= report_at:
                    report_at += PROGRESS_EVERY
                    self.tick(checker.read, hashing.consumed)
        except UnicodeDecodeError:
            issues.whole_file(_("Tệp không phải là văn bản UTF-8; hãy lưu tệp JSON với mã hóa UTF-8."))
            return False
        except _JsonError as error:
            issues.whole_file(str(error))
            return False
        self.present = {p for p in range(len(_COLUMNS)) if present >> p & 1} | {
            p for p, c in enumerate(_COLUMNS) if c.in_header
        }
        self.sha256 = hashing.digest.hexdigest()
        return True

    # ---- Excel

    def read_xlsx(self, handle: BinaryIO, checker: _Checker, load: Callable[[], None]) -> bool:
        issues = self.issues
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about features of the file it does not keep
                workbook = load_workbook(handle, read_only=True, data_only=True)
        except _BROKEN_XLSX:
            issues.whole_file(_broken_xlsx())
            return False
        try:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
            if sheet is None or not hasattr(sheet, "iter_rows"):
                issues.whole_file(_("Sheet đầu tiên của tệp Excel không phải là một bảng dữ liệu."))
                return False
            issues.sheet = sheet.title
            estimate = max((sheet.max_row or 1) - 1, 0)
            rows = _workbook_rows(sheet.iter_rows(values_only=True))
            header = self.header(next(rows, ()))
            if header is None:
                return False
            load()
            positions, checker.names[:] = header
            width = len(positions)
            get = self.getter(positions, -1)
            check = checker.build()
            report_at = self.first_report()
            for number, cells in enumerate(rows, start=2):
                size = len(cells)
                if size < width:
                    cells = cells + (None,) * (width - size)
                elif size > width and not all(_blank(c) for c in cells[width:]):
                    issues.add(number, None, _("Dòng có giá trị ở ngoài các cột của dòng tiêu đề."))
                    checker.read += 1
                    continue
                check(number, get((*cells, None)))
                if checker.read >= report_at and self.progress is not None:
                    report_at += PROGRESS_EVERY
                    self.progress(checker.read, max(estimate, checker.read))
        except _BrokenWorkbook:
            issues.whole_file(_broken_xlsx())
            return False
        finally:
            workbook.close()
        handle.seek(0)
        digest = hashlib.sha256()
        while chunk := handle.read(_BUFFER):
            digest.update(chunk)
        self.sha256 = digest.hexdigest()
        return True


class _BrokenWorkbook(Exception):
    """openpyxl could not read the workbook on."""


def _workbook_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet; what openpyxl raises on a broken file becomes ``_BrokenWorkbook`` (the
    checks of each row run outside this generator, so their own errors are not mistaken for it)."""
    try:
        yield from rows
    except _BROKEN_XLSX as exc:
        raise _BrokenWorkbook from exc


def _broken_xlsx() -> str:
    return _("Tệp Excel .xlsx bị hỏng hoặc không đầy đủ (có thể tải về chưa xong); không đọc được.")


def _not_supported() -> str:
    return _("Tệp không phải là tệp CSV (mã hóa UTF-8), JSON hay Excel .xlsx.")


class _JsonError(Exception):
    """The JSON text cannot be read on (the message says where)."""


_SPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class _JsonStream:
    """Reads the items of a JSON list (or of ``{"items": [...]}``) one at a time, without loading the whole file."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.line_base = 1  # the line at which the buffer starts

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.text.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.line_base += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def line(self, pos: int | None = None) -> int:
        return self.line_base + self.buffer.count("\n", 0, self.pos if pos is None else pos)

    def error(self, pos: int | None = None) -> _JsonError:
        return _JsonError(_("Tệp JSON không hợp lệ ở dòng %(line)d.") % {"line": self.line(pos)})

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            match = _SPACE.match(self.buffer, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error()
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise self.error(exc.pos) from None
            if end == len(self.buffer) and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value

    def items(self) -> Iterator[Any]:
        """First the container's name ("" or "items"), then every item; checks the rest of the file at the end."""
        shape = _JsonError(
            _("Tệp JSON phải là một danh sách hồ sơ, hoặc một đối tượng có khóa “items” là danh sách đó.")
        )
        first = self.peek()
        in_object = first == "{"
        if in_object:
            self.pos += 1
            while True:
                if self.peek() == "}":
                    raise shape
                key = self.value()
                if not isinstance(key, str):
                    raise self.error()
                self.expect(":")
                if key == "items":
                    break
                self.value()
                if self.peek() == ",":
                    self.pos += 1
            if self.peek() != "[":
                raise shape
            yield "items"
        elif first == "[":
            yield ""
        else:
            raise shape
        self.pos += 1
        if self.peek() == "]":
            self.pos += 1
        else:
            while True:
                yield self.value()
                following = self.peek()
                self.pos += 1
                if following == "]":
                    break
                if following != ",":
                    raise self.error(self.pos - 1)
        if in_object:
            while self.peek() == ",":
                self.pos += 1
                if not isinstance(self.value(), str):
                    raise self.error()
                self.expect(":")
                self.value()
            self.expect("}")
        if self.peek() != "":
            raise self.error()


def _detect(handle: BinaryIO, size: int) -> tuple[str, str]:
    """(``csv`` | ``json`` | ``xlsx``, "") or ("", the message saying why the file cannot be read)."""
    head = handle.read(_HEAD)
    handle.seek(0)
    if not head.lstrip(b"\xef\xbb\xbf").strip() and size <= _HEAD:
        return "", _("Tệp rỗng.")
    kind = sniff(File(handle))
    handle.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return ("xlsx", "") if kind == "xlsx" else ("", _broken_xlsx() if kind is None else _not_supported())
    if kind is not None:
        return "", _not_supported()
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=size <= _HEAD)
    except UnicodeDecodeError:
        return "", _not_supported()
    if "\x00" in text:
        return "", _not_supported()
    return ("json", "") if text.lstrip()[:1] in {"[", "{"} else ("csv", "")


# --------------------------------------------------------------------------- the entry point


class _Refused(Exception):
    """Found while writing: nothing may be written."""


def import_dossiers(
    *,
    acting_user: User | None,
    source: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> DossierImportReport:
    """Check the whole file, then write all of it in one transaction, or nothing.

    Never raises for a bad file: every problem is a ``DossierIssue`` of the report. With
    ``dry_run`` the counts are those of a real import (the upsert runs and is rolled back) and
    nothing is kept. ``progress(done, total)`` is called every ``PROGRESS_EVERY`` rows read (with
    an estimate of the total for CSV and JSON) and once more with ``done == total`` when every
    row is checked; never inside the write transaction.
    """
    report = DossierImportReport(dry_run=dry_run)
    issues = _Issues()
    scope: list[str] | None = None if acting_user is None else scope_paths(acting_user, Cap.ORG_IMPORT)
    if scope is not None and not scope:
        report.issues = [DossierIssue("", None, None, _("Bạn không có quyền nhập dữ liệu vào hệ thống."))]
        return report
    try:
        size = source.stat().st_size
        handle = source.open("rb")
    except OSError as exc:
        report.issues = [
            DossierIssue("", None, None, _("Không mở được tệp: %(error)s.") % {"error": exc.strerror or exc})
        ]
        return report
    units: dict[str, int] = {}
    outside: set[str] = set()
    allowed: set[int] = set()

    def load() -> None:
        """The registry's unit codes (once the header is good): those of the scope, and the others."""
        for code, pk, path in Unit.objects.values_list("code", "pk", "path"):
            if scope is None or any(path.startswith(root) for root in scope):
                units[code] = pk
                allowed.add(pk)
            else:
                outside.add(code)

    with handle:
        file_format, problem = _detect(handle, size)
        if problem:
            report.issues = [DossierIssue("", None, None, problem)]
            return report
        report.file_format = file_format
        reader = _Reader(issues, progress, size)
        checker = _Checker(
            issues,
            units,
            outside,
            skip_blank=file_format != "json",
            timestamps_as_text=connection.vendor != "postgresql",
        )
        read_rows = {"csv": reader.read_csv, "json": reader.read_json, "xlsx": reader.read_xlsx}[file_format]
        read = read_rows(handle, checker, load)
    report.rows = checker.read
    if progress is not None and read:
        progress(checker.read, checker.read)
    if not read or issues.count:
        report.issues = issues.listed()
        return report
    report.sha256 = reader.sha256
    columns = [c for i, c in enumerate(bulk.COLUMNS) if i not in _OPTIONAL or i in reader.present]
    try:
        with transaction.atomic():
            if outside:
                taken = bulk.codes_of_other_units(checker.first_at, allowed)
                if taken:
                    for code, where in checker.first_at.items():
                        if code in taken:
                            issues.add(
                                where,
                                checker.names[0],
                                _("Hồ sơ “%(code)s” đã có trong hệ thống và thuộc một đơn vị ngoài phạm vi của bạn.")
                                % {"code": code},
                            )
                    raise _Refused
            written = bulk.upsert(checker.rows, columns, timezone.now())
            report.created, report.updated = written.created, written.updated
            report.unchanged = len(checker.rows) - written.created - written.updated
            if dry_run:
                transaction.set_rollback(True)
            elif written.created or written.updated:
                record(
                    acting_user=acting_user,
                    action="dossiers.import",
                    object_type="dossier_import",
                    object_id=report.sha256,
                    object_label=source.name,
                    after={
                        "file": source.name,
                        "sha256": report.sha256,
                        "format": file_format,
                        "rows": report.rows,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "columns": [c for c in COLUMN_KEYS if _POSITION[c] in reader.present],
                    },
                )
    except _Refused:
        report.issues = issues.listed()
        report.created = report.updated = report.unchanged = 0
    except IntegrityError:
        report.issues = [
            DossierIssue(
                "",
                None,
                None,
                _("Dữ liệu đã bị thay đổi trong lúc nhập nên không có gì được ghi; hãy nhập lại tệp."),
            )
        ]
        report.created = report.updated = report.unchanged = 0
    return report
