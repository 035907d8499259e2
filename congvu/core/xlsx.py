"""Spreadsheet exports of on-screen tables (every list can be downloaded as .xlsx)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

Cell = str | int | Decimal | date | datetime | Promise | None
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000


def _cell(value: Cell) -> str | int | Decimal | date | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, Promise):
        return str(value)
    return value


def xlsx_response(
    filename: str, sheets: Sequence[tuple[str | Promise, Sequence[str | Promise], Iterable[Sequence[Cell]]]]
) -> HttpResponse:
    """A download of one workbook: each sheet has a title, a bold header row and its rows."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(str(title)[:31])
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=str(header))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for count, row in enumerate(rows):
            if count >= MAX_ROWS:
                break
            sheet.append([_cell(v) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
