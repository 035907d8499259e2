"""The all-or-nothing dossier import: good files in three formats, re-import, the bad-file corpus, scope, the CLI."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congvu.audit import chain
from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.dossiers import importer
from congvu.dossiers.importer import DossierImportReport, DossierIssue, import_dossiers
from congvu.dossiers.models import Dossier
from tests import factories
from tests.dossiers import corpus
from tests.dossiers.corpus import C1, C2, C3, GOOD_ROWS, HEADER, P1, P2
from tests.factories import Province

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Issue = tuple[str, int | None, str | None, str]

NOT_SUPPORTED = "Tệp không phải là tệp CSV (mã hóa UTF-8), JSON hay Excel .xlsx."
BROKEN_XLSX = "Tệp Excel .xlsx bị hỏng hoặc không đầy đủ (có thể tải về chưa xong); không đọc được."
BAD_TIME = (
    "“%s” ở cột “%s” không phải là thời điểm hợp lệ; hãy ghi dd/mm/yyyy HH:MM (ví dụ 16/03/2026 09:30) "
    "hoặc ISO 8601 (ví dụ 2026-03-16T09:30:00+07:00)."
)
MISSING = "Thiếu giá trị bắt buộc ở cột “%s”."
NOT_TEXT = "Giá trị “%s” ở cột “%s” không phải là chữ hay số."
CHANNEL = "Kênh nộp “%s” không hợp lệ; chỉ nhận 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (qua bưu chính công ích)."
STATUS = "Trạng thái “%s” không hợp lệ; chỉ nhận mã từ 1 đến 10 của Cổng Dịch vụ công quốc gia."
SATISFACTION = (
    "Mức độ hài lòng “%s” không hợp lệ; chỉ nhận 1 (rất hài lòng), 2 (hài lòng) hoặc 3 (không hài lòng), hoặc để trống."
)
FIELDS = (
    "code",
    "procedure_code",
    "receiving_unit__code",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "satisfaction",
    "apology_issued_at",
)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


END_OF_5_MARCH = at(2026, 3, 5) + timedelta(days=1, microseconds=-1)
EXPECTED = [
    (C1, P1, "01.001", 1, 10, at(2026, 3, 2, 8), at(2026, 3, 10, 17), at(2026, 3, 9, 10), 1, None),
    (C2, P2, "01.001.01", 2, 4, at(2026, 3, 2, 9, 15), at(2026, 3, 12, 17), None, None, None),
    (C3, P1, "01.002", 3, 9, at(2026, 3, 3, 14), END_OF_5_MARCH, at(2026, 3, 6, 8, 0, 30), 3, at(2026, 3, 4, 16)),
]


def run(path: Path, **kwargs: Any) -> DossierImportReport:
    return import_dossiers(acting_user=kwargs.pop("acting_user", None), source=path, **kwargs)


def issues(report: DossierImportReport) -> list[Issue]:
    return [(i.sheet, i.row, i.column, i.message) for i in report.issues]


def stored() -> list[tuple[Any, ...]]:
    return list(Dossier.objects.order_by("code").values_list(*FIELDS))


def counts() -> dict[str, int]:
    return {"dossiers": Dossier.objects.count(), "audit": AuditEvent.objects.count()}


def fails_with(path: Path, expected: list[Issue], **kwargs: Any) -> DossierImportReport:
    """Import ``path``: it must report exactly ``expected`` and write nothing."""
    before, rows = counts(), stored()
    report = run(path, **kwargs)
    assert issues(report) == expected
    assert not report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert counts() == before
    assert stored() == rows
    return report


# ------------------------------------------------------------------ good files


def test_a_csv_file_creates_the_dossiers_and_one_audit_event(province: Province, tmp_path: Path) -> None:
    path = corpus.good_csv(tmp_path)
    before = counts()
    report = run(path, acting_user=province.users["noivu"])
    assert report.ok, report.issues
    assert report.summary() == {
        "ok": True,
        "dry_run": False,
        "format": "csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "issues": 0,
    }
    assert stored() == EXPECTED
    assert counts() == {"dossiers": before["dossiers"] + 3, "audit": before["audit"] + 1}
    first = Dossier.objects.get(code=C1)
    assert first.imported_at == first.updated_at
    assert abs(first.imported_at - datetime.now(tz=VN)) < timedelta(minutes=1)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (event.action, event.actor_label, event.object_type, event.object_id, event.object_label) == (
        "dossiers.import",
        "noivu",
        "dossier_import",
        sha256,
        "good.csv",
    )
    assert event.after == {
        "file": "good.csv",
        "sha256": sha256,
        "format": "csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "columns": HEADER,
    }
    assert report.sha256 == sha256
    assert chain.verify().ok


def test_semicolons_a_byte_order_mark_and_vietnamese_headers(province: Province, tmp_path: Path) -> None:
    path = corpus.write_csv(tmp_path / "vn.csv", GOOD_ROWS, header=corpus.VIETNAMESE_HEADER, delimiter=";", bom=True)
    report = run(path)
    assert (report.ok, report.created, report.file_format) == (True, 3, "csv")
    assert stored() == EXPECTED


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_json_file_as_a_list_or_items(province: Province, tmp_path: Path, wrapped: bool) -> None:
    items = corpus.good_items()
    path = corpus.write_json(tmp_path / "good.json", {"count": 3, "items": items, "next": None} if wrapped else items)
    report = run(path)
    assert report.ok, report.issues
    assert (report.file_format, report.rows, report.created, report.updated, report.unchanged) == ("json", 3, 3, 0, 0)
    assert stored() == EXPECTED


def test_an_xlsx_file_with_excel_dates_and_numbers(province: Province, tmp_path: Path) -> None:
    report = run(corpus.good_xlsx(tmp_path, "hoso.dat"))  # the name does not matter
    assert report.ok, report.issues
    assert (report.file_format, report.rows, report.created) == ("xlsx", 3, 3)
    assert stored() == EXPECTED  # an Excel date at 00:00 as a deadline is the whole day


def test_a_large_json_file_is_read_in_chunks(province: Province, tmp_path: Path) -> None:
    """Items, numbers and strings cut by the 1 MiB chunks the reader takes; an error's line counts them all."""
    items = [
        {
            "code": f"J-{i:06d}",
            "procedure_code": P1,
            "unit_code": "01.001",
            "channel": 2,
            "status": 4,
            "received_at": "2026-03-02 08:00",
        }
        for i in range(15_000)
    ]
    path = corpus.write_json(tmp_path / "large.json", items, indent=None)
    assert path.stat().st_size > 2 * 2**20
    report = run(path)
    assert (report.ok, report.created) == (True, 15_000)
    text = corpus.write_json(tmp_path / "lines.json", items, indent=1).read_text(encoding="utf-8")
    broken = text.replace('"J-014000"', '"J-014000" "x"')
    (tmp_path / "lines.json").write_text(broken, encoding="utf-8")
    line = broken[: broken.index('"J-014000"')].count("\n") + 1
    fails_with(tmp_path / "lines.json", [("", None, None, f"Tệp JSON không hợp lệ ở dòng {line}.")])


def test_an_empty_list_imports_as_nothing(province: Province, tmp_path: Path) -> None:
    before = counts()
    for path in (corpus.write_json(tmp_path / "empty.json", []), corpus.write_csv(tmp_path / "header.csv", [])):
        report = run(path)
        assert report.ok and (report.rows, report.created, report.updated, report.unchanged) == (0, 0, 0, 0)
    assert counts() == before


def test_reimporting_the_same_file_changes_nothing(province: Province, tmp_path: Path) -> None:
    path = corpus.good_csv(tmp_path)
    assert run(path).ok
    before = counts()
    stamps = list(Dossier.objects.order_by("code").values_list("imported_at", "updated_at"))
    for again in (path, corpus.good_xlsx(tmp_path), corpus.write_json(tmp_path / "same.json", corpus.good_items())):
        report = run(again, acting_user=province.users["noivu"])
        assert report.ok
        assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert counts() == before  # no new rows, no audit event
    assert list(Dossier.objects.order_by("code").values_list("imported_at", "updated_at")) == stamps
    assert stored() == EXPECTED


def test_a_changed_row_is_one_update(province: Province, tmp_path: Path) -> None:
    assert run(corpus.good_csv(tmp_path)).ok
    before = counts()
    first = Dossier.objects.get(code=C2)
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][4:8] = ["10", "02/03/2026 09:15", "12/03/2026 17:00", "11/03/2026 15:00"]  # finished since
    rows.append(["000.01.01.H38-260316-0004", P2, "01.002.01", "2", "1", "2026-03-16 08:30", "", "", "", ""])
    report = run(corpus.write_csv(tmp_path / "later.csv", rows), acting_user=province.users["admin"])
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    assert counts() == {"dossiers": before["dossiers"] + 1, "audit": before["audit"] + 1}
    changed = Dossier.objects.get(code=C2)
    assert (changed.status, changed.finished_at) == (10, at(2026, 3, 11, 15))
    assert changed.imported_at == first.imported_at and changed.updated_at > first.updated_at
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.actor_label == "admin" and isinstance(event.after, dict)
    assert (event.after["created"], event.after["updated"], event.after["unchanged"]) == (1, 1, 2)
    assert chain.verify().ok


def test_optional_columns_left_out_keep_the_stored_values(province: Province, tmp_path: Path) -> None:
    assert run(corpus.good_csv(tmp_path)).ok
    rows = [row[:8] for row in GOOD_ROWS]
    rows[0][4] = "9"  # the one change
    report = run(corpus.write_csv(tmp_path / "short.csv", rows, header=HEADER[:8]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert list(Dossier.objects.order_by("code").values_list("status", "satisfaction", "apology_issued_at")) == [
        (9, 1, None),
        (4, None, None),
        (9, 3, at(2026, 3, 4, 16)),
    ]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and isinstance(event.after, dict) and event.after["columns"] == HEADER[:8]
    # present but empty: cleared
    rows = [list(row) for row in GOOD_ROWS]
    rows[2][8:] = ["", ""]
    report = run(corpus.write_csv(tmp_path / "cleared.csv", rows))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert Dossier.objects.filter(code=C3).values_list("satisfaction", "apology_issued_at").get() == (None, None)


def test_dry_run_counts_and_writes_nothing(province: Province, tmp_path: Path) -> None:
    before = counts()
    report = run(corpus.good_csv(tmp_path), dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert counts() == before
    assert run(corpus.good_csv(tmp_path)).ok
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][3] = "2"
    report = run(corpus.write_csv(tmp_path / "changed.csv", rows), dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Dossier.objects.get(code=C1).channel == 1


def test_progress_is_reported_while_reading(province: Province, tmp_path: Path) -> None:
    rows = [
        [f"P-{i:06d}", P1, "01.001", "2", "4", "2026-03-02 08:00", "2026-03-20 17:00", "", "", ""]
        for i in range(25_000)
    ]
    calls: list[tuple[int, int]] = []
    report = run(corpus.write_csv(tmp_path / "many.csv", rows), progress=lambda d, t: calls.append((d, t)))
    assert report.created == 25_000
    assert [done for done, _total in calls] == [10_000, 20_000, 25_000]
    assert all(total >= done for done, total in calls)
    assert calls[-1] == (25_000, 25_000)


# ------------------------------------------------------------------ files that cannot be read


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (corpus.random_bytes, NOT_SUPPORTED),
        (corpus.empty_file, "Tệp rỗng."),
        (corpus.only_bom_and_blank_lines, "Tệp rỗng."),
        (corpus.truncated_xlsx, BROKEN_XLSX),
        (corpus.broken_sheet_xml, BROKEN_XLSX),
        (corpus.docx_zip, NOT_SUPPORTED),
        (corpus.pdf_named_csv, NOT_SUPPORTED),
        (corpus.windows_1258_csv, NOT_SUPPORTED),
        (corpus.csv_bad_quote, "Tệp CSV bị lỗi định dạng ở dòng 2 (dấu ngoặc kép không khớp hoặc ký tự lạ)."),
        (corpus.json_trailing_data, "Tệp JSON không hợp lệ ở dòng 1."),
        (
            corpus.json_items_not_a_list,
            "Tệp JSON phải là một danh sách hồ sơ, hoặc một đối tượng có khóa “items” là danh sách đó.",
        ),
        (
            corpus.json_object_without_items,
            "Tệp JSON phải là một danh sách hồ sơ, hoặc một đối tượng có khóa “items” là danh sách đó.",
        ),
        (corpus.json_cut, "Tệp JSON không hợp lệ ở dòng 24."),
    ],
)
def test_a_file_that_cannot_be_read_is_one_issue(
    province: Province, tmp_path: Path, build: Callable[[Path], Path], message: str
) -> None:
    assert run(corpus.good_csv(tmp_path, "first.csv")).ok
    fails_with(build(tmp_path), [("", None, None, message)])


def test_a_missing_file_is_an_issue(province: Province, tmp_path: Path) -> None:
    report = run(tmp_path / "absent.csv")
    assert issues(report) == [("", None, None, "Không mở được tệp: No such file or directory.")]


def test_a_non_utf8_byte_after_the_first_64_kib(province: Province, tmp_path: Path) -> None:
    rows = [[f"Q-{i:06d}", P1, "01.001", "2", "4", "2026-03-02 08:00", "", "", "", ""] for i in range(2_000)]
    path = corpus.write_csv(tmp_path / "late.csv", rows)
    path.write_bytes(path.read_bytes() + "Q-9,Hồ sơ,01.001,2,4,2026-03-02,,,,\r\n".encode("cp1258", errors="ignore"))
    fails_with(
        path,
        [
            (
                "",
                None,
                None,
                "Tệp không phải là văn bản UTF-8; hãy lưu tệp CSV với mã hóa UTF-8 (trong Excel: “CSV UTF-8”).",
            )
        ],
    )


# ------------------------------------------------------------------ headers


def test_unknown_repeated_and_missing_columns(province: Province, tmp_path: Path) -> None:
    header = [
        "code",
        "procedure_code",
        "ma_don_vi",
        "kenh",
        "Trạng thái",
        "ghi_chu",
        "Mã hồ sơ",
        "due_at",
        "finished_at",
    ]
    fails_with(
        corpus.write_csv(tmp_path / "header.csv", [["A", P1, "01.001", "1", "4", "", "", "", ""]], header=header),
        [
            ("CSV", 1, "ghi_chu", "Không nhận ra cột “ghi_chu”."),
            ("CSV", 1, "Mã hồ sơ", "Cột “Mã hồ sơ” bị lặp (trùng với cột “code”)."),
            ("CSV", 1, None, "Thiếu cột “received_at” (hoặc “ngay_nhan”) ở dòng tiêu đề."),
        ],
    )


def test_a_header_cell_without_a_name(province: Province, tmp_path: Path) -> None:
    header = [*HEADER[:3], "", *HEADER[3:], "", ""]  # trailing empty cells are fine
    fails_with(
        corpus.write_csv(tmp_path / "gap.csv", [], header=header),
        [("CSV", 1, None, "Cột thứ 4 không có tên ở dòng tiêu đề.")],
    )


def test_json_keys_unknown_repeated_and_items_that_are_not_objects(province: Province, tmp_path: Path) -> None:
    items: list[Any] = corpus.good_items()
    items.insert(1, ["not", "an", "object"])
    items[2]["ghi_chu"] = "x"
    items[3]["ma_ho_so"] = "other"
    items.append({**corpus.good_items()[0], "code": "Z-1", "ghi_chu": "again"})  # reported once
    fails_with(
        corpus.write_json(tmp_path / "keys.json", {"items": items}),
        [
            ("JSON", 1, None, 'Mục này không phải là một đối tượng JSON (dạng {"khóa": giá trị}).'),
            ("JSON", 2, "ghi_chu", "Không nhận ra trường “ghi_chu”."),
            ("JSON", 3, "ma_ho_so", "Trường “ma_ho_so” trùng với một trường khác của cùng mục."),
        ],
    )


# ------------------------------------------------------------------ rows


def test_every_bad_row_is_reported_with_its_position(province: Province, tmp_path: Path) -> None:
    assert run(corpus.good_csv(tmp_path)).ok
    ok = ["", "", "", ""]  # due, finished, satisfaction, apology
    rows: list[list[str]] = [
        ["", P1, "01.001", "1", "4", "2026-03-02 08:00", *ok],  # 2
        ["X-3", P1, "01.001", "1", "4", "31/02/2026 08:00", *ok],  # 3
        ["X-4", P1, "01.001", "4", "11", "2026-03-02 08:00", *ok],  # 4
        ["X-5", P1, "01.001", "2", "0", "2026-03-02 08:00", "", "", "5", ""],  # 5
        ["X-6", P1, "99.999", "2", "4", "2026-03-02 08:00", *ok],  # 6
        ["X-7", P1, "01.001", "2", "4", "05/03/2026 08:00", "04/03/2026 17:00", "", "", ""],  # 7
        ["X-8", P1, "01.001", "2", "10", "05/03/2026 08:00", "", "2026-03-01", "", ""],  # 8
        ["X-3", P1, "01.001", "2", "4", "2026-03-02 08:00", *ok],  # 9
        ["X-10", P1, "01.001", "2", "10", "2026-03-02 08:00", *ok],  # 10
        ["X" * 61, "P" * 51, "01.001", "2", "4", "2026-03-02 08:00", *ok],  # 11
        ["X-12", " ", "", "", "4", "", *ok],  # 12
        ["X-13", P1, "01.001"],  # 13
        [],  # 14: a blank line
        ["X-15", P1, "01.001", "2", "4", "2026-03-02 08:00", "", "", "", "", "extra"],  # 15
        ["X-16", P1, "01.001", "2", "4", "2026-03-02 08:00", "", "", "", "01/03/2026 10:00"],  # 16
        ["X-17", P1, "01.001", "2", "7", "2026-03-02 08:00", "tomorrow", "", "1.5", ""],  # 17
        ["X-18", P1, "02.001", "2", "9", "2026-03-02 08:00", "", "2026-03-03 08:00", "", ""],  # 18
        [C1, P1, "01.001", "2", "4", "2026-03-02 08:00", "2026-03-20", "", "", ""],  # 19: fine, but nothing is written
        ["", "", "", "", "", "", "", "", "", ""],  # 20: blank
    ]
    report = fails_with(
        corpus.write_csv(tmp_path / "bad.csv", rows),
        [
            ("CSV", 2, "code", MISSING % "code"),
            ("CSV", 3, "received_at", BAD_TIME % ("31/02/2026 08:00", "received_at")),
            ("CSV", 4, "channel", CHANNEL % "4"),
            ("CSV", 4, "status", STATUS % "11"),
            ("CSV", 5, "status", STATUS % "0"),
            ("CSV", 5, "satisfaction", SATISFACTION % "5"),
            ("CSV", 6, "unit_code", "Không tìm thấy đơn vị có mã “99.999”."),
            ("CSV", 7, "due_at", "Hạn trả kết quả (04/03/2026 17:00) sớm hơn thời điểm tiếp nhận (05/03/2026 08:00)."),
            (
                "CSV",
                8,
                "finished_at",
                "Thời điểm hoàn thành (01/03/2026 00:00) sớm hơn thời điểm tiếp nhận (05/03/2026 08:00).",
            ),
            ("CSV", 9, "code", "Mã hồ sơ “X-3” bị lặp (đã có ở dòng 3)."),
            ("CSV", 10, "finished_at", "Hồ sơ ở trạng thái “Đã trả kết quả” phải có thời điểm hoàn thành."),
            ("CSV", 11, "code", "Giá trị ở cột “code” dài quá 60 ký tự."),
            ("CSV", 11, "procedure_code", "Giá trị ở cột “procedure_code” dài quá 50 ký tự."),
            ("CSV", 12, "procedure_code", MISSING % "procedure_code"),
            ("CSV", 12, "unit_code", MISSING % "unit_code"),
            ("CSV", 12, "channel", MISSING % "channel"),
            ("CSV", 12, "received_at", MISSING % "received_at"),
            ("CSV", 13, None, "Dòng có 3 giá trị nhưng dòng tiêu đề có 10 cột."),
            ("CSV", 15, None, "Dòng có giá trị ở ngoài các cột của dòng tiêu đề."),
            (
                "CSV",
                16,
                "apology_issued_at",
                "Thời điểm gửi phiếu xin lỗi (01/03/2026 10:00) sớm hơn thời điểm tiếp nhận (02/03/2026 08:00).",
            ),
            ("CSV", 17, "due_at", BAD_TIME % ("tomorrow", "due_at")),
            ("CSV", 17, "satisfaction", SATISFACTION % "1.5"),
            ("CSV", 17, "finished_at", "Hồ sơ ở trạng thái “Công dân yêu cầu rút hồ sơ” phải có thời điểm hoàn thành."),
            ("CSV", 18, "unit_code", "Đơn vị “02.001” nằm ngoài phạm vi của bạn."),
        ],
        acting_user=province.users["noivu"],
    )
    assert report.rows == 17  # the blank rows 14 and 20 are not data
    assert str(report.issues[0]) == "CSV!2:code — " + MISSING % "code"
    assert str(report.issues[-7]) == "CSV!13 — Dòng có 3 giá trị nhưng dòng tiêu đề có 10 cột."


def test_row_issues_in_xlsx_and_json(province: Province, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["A-1", P1, 1001, 1, 4, datetime(2026, 3, 2, 8), None, None, None, None],  # unit code as a number
        [None] * 10,
        ["A-1", P1, "01.001", True, 4, "2026-03-02", 46_000, None, None, None],
    ]
    report = fails_with(
        corpus.write_xlsx(tmp_path / "bad.xlsx", rows, header=corpus.VIETNAMESE_HEADER, title="Hồ sơ tháng 3"),
        [
            ("Hồ sơ tháng 3", 2, "Mã đơn vị", "Không tìm thấy đơn vị có mã “1001”."),
            ("Hồ sơ tháng 3", 4, "Mã hồ sơ", "Mã hồ sơ “A-1” bị lặp (đã có ở dòng 2)."),
            ("Hồ sơ tháng 3", 4, "Kênh", CHANNEL % "True"),
            ("Hồ sơ tháng 3", 4, "Hạn xử lý", BAD_TIME % ("46000", "Hạn xử lý")),
        ],
    )
    assert str(report.issues[1]) == "Hồ sơ tháng 3!4:Mã hồ sơ — Mã hồ sơ “A-1” bị lặp (đã có ở dòng 2)."
    items = corpus.good_items()
    items[0]["status"] = "10"  # text is fine
    items[1]["ngay_nhan"] = items[1].pop("received_at")
    items[1]["code"] = items[0]["code"]
    del items[2]["unit_code"]
    items.append({})
    report = fails_with(
        corpus.write_json(tmp_path / "bad.json", {"items": items}),
        [
            ("JSON", 1, "code", f"Mã hồ sơ “{C1}” bị lặp (đã có ở mục 0)."),
            ("JSON", 2, "unit_code", MISSING % "unit_code"),
            ("JSON", 3, "code", MISSING % "code"),
            ("JSON", 3, "procedure_code", MISSING % "procedure_code"),
            ("JSON", 3, "unit_code", MISSING % "unit_code"),
            ("JSON", 3, "channel", MISSING % "channel"),
            ("JSON", 3, "status", MISSING % "status"),
            ("JSON", 3, "ngay_nhan", MISSING % "ngay_nhan"),
        ],
    )
    assert str(report.issues[0]) == f"JSON!items[1]:code — Mã hồ sơ “{C1}” bị lặp (đã có ở mục 0)."


def test_json_values_of_the_wrong_kind(province: Province, tmp_path: Path) -> None:
    item = {
        "code": ["A"],
        "procedure_code": {"p": 1},
        "unit_code": [1],
        "channel": [1],
        "status": False,
        "received_at": 20260302,
        "due_at": True,
        "finished_at": {},
        "satisfaction": [2],
        "apology_issued_at": "",
    }
    fails_with(
        corpus.write_json(tmp_path / "kinds.json", [item]),
        [
            ("JSON", 0, "code", NOT_TEXT % ('["A"]', "code")),
            ("JSON", 0, "procedure_code", NOT_TEXT % ('{"p": 1}', "procedure_code")),
            ("JSON", 0, "unit_code", NOT_TEXT % ("[1]", "unit_code")),
            ("JSON", 0, "channel", CHANNEL % "[1]"),
            ("JSON", 0, "status", STATUS % "False"),
            ("JSON", 0, "received_at", BAD_TIME % ("20260302", "received_at")),
            ("JSON", 0, "due_at", BAD_TIME % ("True", "due_at")),
            ("JSON", 0, "finished_at", BAD_TIME % ("{}", "finished_at")),
            ("JSON", 0, "satisfaction", SATISFACTION % "[2]"),
        ],
    )


def test_issues_are_capped(province: Province, tmp_path: Path) -> None:
    rows = [[f"B-{i:04d}", P1, "01.001", "5", "4", "2026-03-02 08:00", "", "", "", ""] for i in range(1_500)]
    report = fails_with(
        corpus.write_csv(tmp_path / "many.csv", rows),
        [("CSV", n, "channel", CHANNEL % "5") for n in range(2, 1_002)] + [("", None, None, "…và 500 lỗi khác.")],
    )
    assert len(report.issues) == 1_001 and report.rows == 1_500


def test_timestamp_spellings(province: Province, tmp_path: Path) -> None:
    spellings = {
        "2026-03-02T08:00:00+07:00": at(2026, 3, 2, 8),
        "2026-03-02T01:00:00Z": at(2026, 3, 2, 8),
        "2026-03-02 08:00": at(2026, 3, 2, 8),
        "2026-03-02T08:00:00.250": at(2026, 3, 2, 8) + timedelta(milliseconds=250),
        "2/3/2026 8:00": at(2026, 3, 2, 8),
        "02/03/2026 08:00:15": at(2026, 3, 2, 8, 0, 15),
        "02/03/2026": at(2026, 3, 2),
        "2026-03-02": at(2026, 3, 2),
    }
    rows = [[f"T-{i}", P1, "01.001", "2", "4", text, "", "", "", ""] for i, text in enumerate(spellings)]
    assert run(corpus.write_csv(tmp_path / "times.csv", rows)).created == len(spellings)
    assert [Dossier.objects.get(code=f"T-{i}").received_at for i in range(len(spellings))] == list(spellings.values())
    for text in ("2026-02-30 08:00", "32/01/2026", "01/01/1989 08:00", "2026-03-02 25:00", "03-02-2026"):
        report = run(corpus.write_csv(tmp_path / "bad-time.csv", [["T-x", P1, "01.001", "2", "4", text, *[""] * 4]]))
        assert issues(report) == [("CSV", 2, "received_at", BAD_TIME % (text, "received_at"))]


def test_issue_text_and_dict() -> None:
    assert str(DossierIssue("CSV", 5, "status", "Sai.")) == "CSV!5:status — Sai."
    assert str(DossierIssue("CSV", 1, None, "Thiếu.")) == "CSV!1 — Thiếu."
    assert str(DossierIssue("JSON", 0, "code", "Sai.")) == "JSON![0]:code — Sai."
    assert str(DossierIssue("JSON", 3, None, "Sai.", "items")) == "JSON!items[3] — Sai."
    assert str(DossierIssue("", None, None, "Tệp rỗng.")) == "Tệp rỗng."
    assert DossierIssue("CSV", 5, "status", "Sai.").as_dict() == {
        "sheet": "CSV",
        "row": 5,
        "column": "status",
        "message": "Sai.",
    }


# ------------------------------------------------------------------ scope


def test_units_outside_the_scope_are_refused(province: Province, tmp_path: Path) -> None:
    giamdoc_noivu = factories.user("noivu_so", Role.NOIVU, province.agency)
    rows = [list(row) for row in GOOD_ROWS]  # rows 2 and 3 in the agency, row 4 in the other agency
    report = fails_with(
        corpus.write_csv(tmp_path / "scoped.csv", rows),
        [
            ("CSV", 4, "unit_code", "Đơn vị “01.002” nằm ngoài phạm vi của bạn."),
        ],
        acting_user=giamdoc_noivu,
    )
    assert report.rows == 3
    assert run(corpus.write_csv(tmp_path / "mine.csv", rows[:2]), acting_user=giamdoc_noivu).created == 2


def test_a_dossier_of_a_unit_outside_the_scope_cannot_be_taken_over(province: Province, tmp_path: Path) -> None:
    assert run(corpus.good_csv(tmp_path)).ok  # C3 belongs to the other agency
    scoped = factories.user("noivu_so", Role.NOIVU, province.agency)
    rows = [list(GOOD_ROWS[0]), [C3, *GOOD_ROWS[2][1:]]]
    rows[1][2] = "01.001.01"  # moved into the user's division
    fails_with(
        corpus.write_csv(tmp_path / "take.csv", rows),
        [("CSV", 3, "code", f"Hồ sơ “{C3}” đã có trong hệ thống và thuộc một đơn vị ngoài phạm vi của bạn.")],
        acting_user=scoped,
    )
    # the system (no user) may move it
    report = run(corpus.write_csv(tmp_path / "move.csv", rows))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)


def test_a_user_without_the_import_capability_imports_nothing(province: Province, tmp_path: Path) -> None:
    fails_with(
        corpus.good_csv(tmp_path),
        [("", None, None, "Bạn không có quyền nhập dữ liệu vào hệ thống.")],
        acting_user=province.users["truongphong"],
    )


# ------------------------------------------------------------------ the command


def call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_counts(province: Province, tmp_path: Path) -> None:
    out, err = call("dossiers", str(corpus.good_csv(tmp_path)), "--as", "noivu")
    assert out.splitlines() == ["Hồ sơ: tạo mới 3, cập nhật 0, không đổi 0"]
    assert err.splitlines() == ["Đã đọc 3/3 dòng"]
    assert AuditEvent.objects.filter(action="dossiers.import").get().actor_label == "noivu"
    out, _err = call("dossiers", str(corpus.good_xlsx(tmp_path)))
    assert out.splitlines() == ["Hồ sơ: tạo mới 0, cập nhật 0, không đổi 3"]


def test_command_dry_run(province: Province, tmp_path: Path) -> None:
    before = counts()
    out, _err = call("dossiers", str(corpus.good_csv(tmp_path)), "--dry-run")
    assert out.splitlines() == [
        "Chạy thử: tệp hợp lệ, không có dữ liệu nào được ghi.",
        "Hồ sơ: tạo mới 3, cập nhật 0, không đổi 0",
    ]
    assert counts() == before


def test_command_lists_issues_and_fails(province: Province, tmp_path: Path) -> None:
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][3], rows[2][5] = "9", "hôm qua"
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(
            "import", "dossiers", str(corpus.write_csv(tmp_path / "bad.csv", rows)), stdout=out, stderr=StringIO()
        )
    assert failure.value.returncode == 1
    assert str(failure.value) == "Tệp có lỗi; không có dữ liệu nào được ghi."
    assert out.getvalue().splitlines() == [
        "CSV!2:channel — " + CHANNEL % "9",
        "CSV!4:received_at — " + BAD_TIME % ("hôm qua", "received_at"),
    ]
    assert counts()["dossiers"] == 0


def test_command_refuses_unknown_user_and_missing_file(province: Province, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không có người dùng “ai_do”"):
        call("dossiers", str(corpus.good_csv(tmp_path)), "--as", "ai_do")
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call("dossiers", str(tmp_path / "absent.csv"))


def test_command_exit_status_from_the_shell(tmp_path: Path) -> None:
    """The real console entry point exits 1 and prints the issue (a broken file needs no database)."""
    path = corpus.random_bytes(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "congvu", "import", "dossiers", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stdout.strip() == NOT_SUPPORTED
    assert "Tệp có lỗi; không có dữ liệu nào được ghi." in done.stderr


def test_module_constants() -> None:
    assert importer.MAX_ISSUES == 1_000
    assert tuple(HEADER) == importer.COLUMN_KEYS
