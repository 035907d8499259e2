"""Builders of import workbooks, good and bad, written with openpyxl at test time (no binary fixtures).

Every builder takes the folder to write into and returns the file's path. The rows are
plain lists in the order of the headers below; ``None`` is an empty cell.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

UNIT_HEADERS = [
    "Mã đơn vị*",
    "Tên đơn vị*",
    "Tên viết tắt",
    "Loại đơn vị*",
    "Mã đơn vị cấp trên",
    "Hiệu lực từ*",
    "Thứ tự",
]
PERSON_HEADERS = ["Số định danh cá nhân", "Họ và tên*", "Ngày sinh", "Giới tính*", "Thư điện tử", "Điện thoại"]
POST_HEADERS = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Mã chức vụ",
    "Tên chức vụ",
    "Mã đơn vị*",
    "Hình thức",
    "Từ ngày*",
    "Đến ngày",
    "Số quyết định",
    "Ngày quyết định",
]
HEADERS = {"DonVi": UNIT_HEADERS, "CanBo": PERSON_HEADERS, "BoNhiem": POST_HEADERS}

Rows = Sequence[Sequence[Any]]


def write_workbook(path: Path, sheets: Mapping[str, Rows]) -> Path:
    """A workbook with these sheets, each given as its rows (headers included)."""
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def org_workbook(
    path: Path,
    units: Rows = (),
    people: Rows = (),
    posts: Rows = (),
    *,
    headers: Mapping[str, Sequence[Any]] | None = None,
    omit: Iterable[str] = (),
) -> Path:
    """The three sheets with the standard headers (or ``headers`` for some sheets), minus ``omit``."""
    chosen = dict(HEADERS) | dict(headers or {})
    data = {"DonVi": units, "CanBo": people, "BoNhiem": posts}
    skip = set(omit)
    return write_workbook(path, {name: [chosen[name], *data[name]] for name in HEADERS if name not in skip})


# ---------------------------------------------------------------- a good file for the ``province`` fixture

D = date(2025, 7, 1)

GOOD_UNITS: Rows = [
    ["01.003", "Sở Nội vụ", "SNV", "Cơ quan cấp tỉnh", "01", D, 3],
    ["01.003.01", "Phòng Tổ chức, biên chế", None, "division", "01.003", "01/07/2025", 1],
    ["01.003.02", "Phòng  Công chức, viên chức ", None, "Phòng, đơn vị thuộc cơ quan", "01.003", "2025-07-01", 2],
    ["01.004.01", "Phòng Kế hoạch", None, "division", "01.004", D, None],  # its parent comes later
    ["01.004", "Sở Kế hoạch", None, "agency", "01", D, 4],
]
GOOD_PEOPLE: Rows = [
    ["001085000001", "Phạm Văn Minh", date(1985, 3, 1), "Nam", "minh@example.vn", "0912000001"],
    [None, "Lê Thị Lan", "12/05/1990", "Nữ", None, None],
    ["001186012345", "Nguyễn Thị Hoà", None, "nữ", None, "0988000000"],  # already in the registry
]
GOOD_POSTS: Rows = [
    ["001085000001", None, None, "giam_doc_so", None, "01.003", None, D, None, None, None],
    [
        None,
        "Lê Thị Lan",
        "12/05/1990",
        None,
        "Trưởng phòng",
        "01.003.01",
        "Chức vụ chính",
        D,
        None,
        "15/QĐ-SNV",
        date(2025, 6, 20),
    ],
    ["001186012345", None, None, "pho_truong_phong", None, "01.003.02", "Kiêm nhiệm", "01/08/2025", None, None, None],
]


def good_workbook(folder: Path, name: str = "good.xlsx") -> Path:
    return org_workbook(folder / name, GOOD_UNITS, GOOD_PEOPLE, GOOD_POSTS)


# ---------------------------------------------------------------- files that are not workbooks


def random_bytes(folder: Path) -> Path:
    path = folder / "random.xlsx"
    path.write_bytes(random.Random(7).randbytes(4096))
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def csv_renamed(folder: Path) -> Path:
    path = folder / "csv.xlsx"
    path.write_text("Mã đơn vị,Tên đơn vị,Loại đơn vị\n01.009,Sở Y tế,agency\n", encoding="utf-8")
    return path


def docx_zip(folder: Path) -> Path:
    """A zip package without a workbook (what a renamed .docx looks like)."""
    path = folder / "document.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr("word/document.xml", "<w:document/>")
    return path


def truncated_xlsx(folder: Path) -> Path:
    """The first half of a real workbook (an interrupted download)."""
    whole = good_workbook(folder, "whole.xlsx").read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def broken_sheet_xml(folder: Path) -> Path:
    """A real workbook whose DonVi sheet XML is cut in the middle."""
    source = good_workbook(folder, "source.xlsx")
    path = folder / "broken-sheet.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            copy.writestr(item, data)
    return path


NOT_WORKBOOKS = {
    "random bytes": random_bytes,
    "empty file": empty_file,
    "csv renamed": csv_renamed,
    "docx zip": docx_zip,
    "truncated xlsx": truncated_xlsx,
    "broken sheet xml": broken_sheet_xml,
}


# ---------------------------------------------------------------- large files


def large_workbook(folder: Path, *, units: int, people: int, bad_person_row: int | None = None) -> Path:
    """``units`` units under "01" (agencies with 9 divisions each), ``people`` people, one post each.

    ``bad_person_row`` (an Excel row number of CanBo) gets an impossible birth date.
    """
    path = folder / f"large-{units}-{people}-{bad_person_row}.xlsx"
    book = Workbook(write_only=True)
    unit_sheet = book.create_sheet("DonVi")
    unit_sheet.append(UNIT_HEADERS)
    codes: list[str] = []
    agency = ""
    for i in range(units):
        if i % 10 == 0:
            agency = f"01.{100 + i // 10:03d}"
            unit_sheet.append([agency, f"Sở thứ {i // 10}", None, "agency", "01", D, i // 10])
            codes.append(agency)
        else:
            code = f"{agency}.{i % 10:02d}"
            unit_sheet.append([code, f"Phòng {i % 10} của {agency}", None, "division", agency, D, i % 10])
            codes.append(code)
    person_sheet = book.create_sheet("CanBo")
    person_sheet.append(PERSON_HEADERS)
    post_sheet = book.create_sheet("BoNhiem")
    post_sheet.append(POST_HEADERS)
    born = date(1970, 1, 1)
    for i in range(people):
        pid = f"{900000000000 + i:012d}"
        birth: Any = born + timedelta(days=i % 9000)
        if bad_person_row is not None and i + 2 == bad_person_row:
            birth = "31/02/1980"
        person_sheet.append([pid, f"Cán bộ {i:05d}", birth, "Nam" if i % 2 else "Nữ", None, None])
        post_sheet.append([pid, None, None, "chuyen_vien", None, codes[i % len(codes)], None, D, None, None, None])
    book.save(path)
    return path
