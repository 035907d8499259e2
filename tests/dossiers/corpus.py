"""Builders of dossier files, good and bad, written at test time (no binary fixtures).

Every builder takes the folder to write into and returns the file's path. Rows are plain lists
in the order of ``HEADER``; JSON items are dicts.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADER = [
    "code",
    "procedure_code",
    "unit_code",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "satisfaction",
    "apology_issued_at",
]
VIETNAMESE_HEADER = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Mã đơn vị",
    "Kênh",
    "Trạng thái",
    "Ngày nhận *",
    "Hạn xử lý",
    "Ngày hoàn thành",
    "Mức độ hài lòng",
    "NGAY_XIN_LOI",
]
P1 = "1.011442.000.00.00.H38"
P2 = "2.001234.000.00.00.H38"
C1, C2, C3 = "000.01.01.H38-260302-0001", "000.01.01.H38-260302-0002", "000.01.01.H38-260303-0003"

# Three dossiers for the ``province`` fixture, in the three timestamp spellings.
GOOD_ROWS: list[list[Any]] = [
    [
        C1,
        P1,
        "01.001",
        "1",
        "10",
        "2026-03-02T08:00:00+07:00",
        "2026-03-10T17:00:00+07:00",
        "2026-03-09T10:00:00+07:00",
        "1",
        "",
    ],
    [C2, P2, "01.001.01", "2", "4", "02/03/2026 09:15", "12/03/2026 17:00", "", "", ""],
    [C3, P1, "01.002", "3", "9", "2026-03-03 14:00", "2026-03-05", "06/03/2026 08:00:30", "3", "2026-03-04T09:00:00Z"],
]

Rows = Sequence[Sequence[Any]]


def write_csv(
    path: Path, rows: Rows, *, header: Sequence[str] | None = HEADER, delimiter: str = ",", bom: bool = False
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def good_csv(folder: Path, name: str = "good.csv") -> Path:
    return write_csv(folder / name, GOOD_ROWS)


def write_json(path: Path, items: Any, *, indent: int | None = 1) -> Path:
    path.write_text(json.dumps(items, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


def good_items() -> list[dict[str, Any]]:
    """The good rows as JSON items: numbers as numbers, empty values as null or left out."""
    items: list[dict[str, Any]] = []
    for row in GOOD_ROWS:
        item: dict[str, Any] = {}
        for key, value in zip(HEADER, row, strict=True):
            if value == "":
                continue
            item[key] = int(value) if key in {"channel", "status", "satisfaction"} else value
        items.append(item)
    items[1]["finished_at"] = None
    return items


def write_xlsx(path: Path, rows: Rows, *, header: Sequence[Any] = HEADER, title: str = "HoSo") -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def good_xlsx(folder: Path, name: str = "good.xlsx") -> Path:
    """The good rows with Excel's own cell types: date-times (naive, local time), numbers, a blank row."""
    rows: list[list[Any]] = [
        [
            C1,
            P1,
            "01.001",
            1,
            10,
            datetime(2026, 3, 2, 8, 0),
            datetime(2026, 3, 10, 17, 0),
            datetime(2026, 3, 9, 10, 0),
            1,
            None,
        ],
        [None] * 10,
        [C2, P2, "01.001.01", 2, 4, "02/03/2026 09:15", datetime(2026, 3, 12, 17, 0), None, None, None],
        [
            C3,
            P1,
            "01.002",
            3.0,
            9,
            datetime(2026, 3, 3, 14, 0),
            datetime(2026, 3, 5),
            datetime(2026, 3, 6, 8, 0, 30),
            3,
            "2026-03-04T09:00:00Z",
        ],
    ]
    return write_xlsx(folder / name, rows)


# ---------------------------------------------------------------- files that cannot be read


def random_bytes(folder: Path) -> Path:
    path = folder / "random.csv"
    path.write_bytes(random.Random(7).randbytes(4096))
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return path


def only_bom_and_blank_lines(folder: Path) -> Path:
    path = folder / "blank.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n  \r\n")
    return path


def truncated_xlsx(folder: Path) -> Path:
    """The first half of a real workbook (an interrupted download)."""
    whole = good_xlsx(folder, "whole.xlsx").read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def broken_sheet_xml(folder: Path) -> Path:
    """A real workbook whose sheet XML is cut in the middle."""
    source = good_xlsx(folder, "source.xlsx")
    path = folder / "broken-sheet.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            copy.writestr(item, data)
    return path


def docx_zip(folder: Path) -> Path:
    """A zip package without a workbook (what a .docx looks like), named .xlsx."""
    path = folder / "document.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return path


def pdf_named_csv(folder: Path) -> Path:
    path = folder / "report.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return path


def windows_1258_csv(folder: Path) -> Path:
    """A CSV saved by Excel as "CSV" (not "CSV UTF-8") on a Vietnamese Windows."""
    path = folder / "ansi.csv"
    text = ",".join(HEADER) + "\r\n" + ",".join(str(v) for v in GOOD_ROWS[0]) + ",Hồ sơ đất đai\r\n"
    path.write_bytes(text.encode("cp1258", errors="replace").replace(b"?", b"\xd2"))
    return path


def json_trailing_data(folder: Path) -> Path:
    path = folder / "trailing.json"
    path.write_text("[1, 2] 3", encoding="utf-8")
    return path


def json_items_not_a_list(folder: Path) -> Path:
    return write_json(folder / "items.json", {"items": {"code": "A"}})


def json_object_without_items(folder: Path) -> Path:
    return write_json(folder / "object.json", {"data": [], "count": 0})


def json_cut(folder: Path) -> Path:
    """A JSON list cut in the middle of its third item."""
    path = folder / "cut.json"
    text = json.dumps(good_items(), ensure_ascii=False, indent=1)
    path.write_text(text[: text.index(C3) + 5], encoding="utf-8")
    return path


def csv_bad_quote(folder: Path) -> Path:
    path = folder / "quote.csv"
    path.write_text(",".join(HEADER) + '\nA,"P"x,01.001,1,4,2026-03-02,,,,\n', encoding="utf-8")
    return path
