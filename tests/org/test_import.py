"""The all-or-nothing Excel import: a corpus of bad files, large files, re-import, the CLI and the web flow."""

from __future__ import annotations

import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import date
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from congvu.audit import chain
from congvu.audit.models import AuditEvent
from congvu.org import importer, services
from congvu.org.importer import ImportIssue, ImportReport, build_template, import_org_workbook
from congvu.org.models import (
    Appointment,
    AppointmentKind,
    ImportRun,
    Person,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitVersion,
)
from tests.factories import Province
from tests.org import import_corpus as corpus
from tests.org.import_corpus import D

pytestmark = pytest.mark.django_db

NOT_XLSX = "Tệp không phải là tệp Excel .xlsx hợp lệ."
BAD_DATE = "“%s” ở cột “%s” không phải là ngày hợp lệ; hãy nhập ngày dạng dd/mm/yyyy hoặc định dạng ô là Ngày (Date)."
UNIT_KINDS = (
    "Tỉnh; Cơ quan cấp tỉnh; Phòng, đơn vị thuộc cơ quan; Xã, phường, đặc khu; Phòng thuộc UBND xã; Đơn vị sự nghiệp"
)

Issue = tuple[str, int | None, str | None, str]


def run(path: Path, **kwargs: Any) -> ImportReport:
    return import_org_workbook(acting_user=kwargs.pop("acting_user", None), source=path, **kwargs)


def issues(report: ImportReport) -> list[Issue]:
    return [(i.sheet, i.row, i.column, i.message) for i in report.issues]


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "versions": UnitVersion.objects.count(),
        "events": UnitEvent.objects.count(),
        "people": Person.objects.count(),
        "appointments": Appointment.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def fails_with(path: Path, expected: list[Issue]) -> ImportReport:
    """Import ``path``: it must report exactly ``expected`` and write nothing."""
    before = counts()
    report = run(path)
    assert issues(report) == expected
    assert not report.ok
    assert counts() == before
    assert report.created == report.updated == report.unchanged == {"units": 0, "people": 0, "appointments": 0}
    return report


def nothing_changed() -> dict[str, int]:
    return {"units": 0, "people": 0, "appointments": 0}


# ------------------------------------------------------------------ a good file


def test_good_file_writes_units_people_and_appointments(province: Province, tmp_path: Path) -> None:
    before = counts()
    report = run(corpus.good_workbook(tmp_path), acting_user=province.users["noivu"])
    assert report.ok and report.issues == []
    assert report.summary() == {
        "ok": True,
        "dry_run": False,
        "rows": {"DonVi": 5, "CanBo": 3, "BoNhiem": 3},
        "created": {"units": 5, "people": 2, "appointments": 3},
        "updated": {"units": 0, "people": 1, "appointments": 0},
        "unchanged": {"units": 0, "people": 0, "appointments": 0},
        "issues": 0,
    }
    after = counts()
    assert {k: after[k] - before[k] for k in after} == {
        "units": 5,
        "versions": 5,
        "events": 5,
        "people": 2,
        "appointments": 3,
        "audit": 11,
    }
    # Units: placed in the tree like services.create_unit does, whatever the row order.
    agency = Unit.objects.get(code="01.003")
    assert (agency.name, agency.short_name, agency.kind, agency.parent, agency.sort_order) == (
        "Sở Nội vụ",
        "SNV",
        "agency",
        province.root,
        3,
    )
    assert (agency.path, agency.depth, agency.valid_from) == (f"{province.root.path}{agency.pk:08d}/", 1, D)
    division = Unit.objects.get(code="01.003.02")
    assert division.name == "Phòng Công chức, viên chức"  # spaces collapsed
    assert (division.path, division.depth) == (f"{agency.path}{division.pk:08d}/", 2)
    later_parent = Unit.objects.get(code="01.004")
    child = Unit.objects.get(code="01.004.01")
    assert (child.parent, child.path, child.depth) == (later_parent, f"{later_parent.path}{child.pk:08d}/", 2)
    assert set(Unit.objects.filter(path__startswith=agency.path).values_list("code", flat=True)) == {
        "01.003",
        "01.003.01",
        "01.003.02",
    }
    version = UnitVersion.objects.get(unit=child)
    assert (version.name, version.code, version.kind, version.parent, version.valid_from, version.valid_to) == (
        "Phòng Kế hoạch",
        "01.004.01",
        "division",
        later_parent,
        D,
        None,
    )
    assert version.event is not None
    assert (version.event.kind, version.event.basis_number, version.event.effective_date) == (
        UnitEventKind.CREATE,
        "Nhập từ Excel",
        D,
    )
    assert list(version.event.targets.all()) == [child]
    # People: created, and the existing one updated (matched by identification number).
    minh = Person.objects.get(personal_id="001085000001")
    assert (minh.full_name, minh.birth_date, minh.sex, minh.email, minh.phone) == (
        "Phạm Văn Minh",
        date(1985, 3, 1),
        "M",
        "minh@example.vn",
        "0912000001",
    )
    lan = Person.objects.get(full_name="Lê Thị Lan")
    assert (lan.personal_id, lan.birth_date, lan.sex, lan.email) == (None, date(1990, 5, 12), "F", "")
    hoa = Person.objects.get(pk=province.person.pk)
    assert (hoa.phone, hoa.full_name, hoa.version) == ("0988000000", "Nguyễn Thị Hoà", 2)
    # Appointments.
    post = Appointment.objects.get(person=lan)
    assert (post.title.code, post.unit.code, post.kind, post.start_date, post.end_date) == (
        "truong_phong",
        "01.003.01",
        AppointmentKind.PRIMARY,
        D,
        None,
    )
    assert (post.decision_number, post.decision_date) == ("15/QĐ-SNV", date(2025, 6, 20))
    concurrent = Appointment.objects.get(person=hoa, title__code="pho_truong_phong")
    assert (concurrent.kind, concurrent.start_date) == (AppointmentKind.CONCURRENT, date(2025, 8, 1))
    # Audit: one event per object, by the acting user, in one valid chain; histories show them.
    new_events = AuditEvent.objects.order_by("seq")[before["audit"] :]
    assert sorted(e.action for e in new_events) == sorted(
        ["org.unit.import_create"] * 5
        + ["org.person.import_create"] * 2
        + ["org.person.import_update"]
        + ["org.appointment.import_create"] * 3
    )
    assert {e.actor_label for e in new_events} == {"noivu"}
    assert chain.verify().ok
    update = chain.history("person", hoa.pk).filter(action="org.person.import_update").get()
    assert update.before["phone"] == "" and update.after["phone"] == "0988000000"
    assert update.after["personal_id"] == "•••••••••345"  # the log never holds the full number
    assert chain.history("person", hoa.pk).filter(action="org.appointment.import_create").count() == 1
    # the agency's history: its creation, its two divisions' and the appointment in it
    assert sorted(chain.history("unit", agency.pk).values_list("action", flat=True)) == [
        "org.appointment.import_create",
        *["org.unit.import_create"] * 3,
    ]
    assert chain.history("unit", child.pk).filter(action="org.unit.import_create").count() == 1


def test_reimporting_the_same_file_changes_nothing(province: Province, tmp_path: Path) -> None:
    path = corpus.good_workbook(tmp_path)
    assert run(path).ok
    before = counts()
    versions = dict(Unit.objects.values_list("code", "version"))
    report = run(path, acting_user=province.users["noivu"])
    assert report.ok
    assert report.created == report.updated == nothing_changed()
    assert report.unchanged == {"units": 5, "people": 3, "appointments": 3}
    assert counts() == before  # no new rows, no audit events
    assert dict(Unit.objects.values_list("code", "version")) == versions


def test_dry_run_counts_and_writes_nothing(province: Province, tmp_path: Path) -> None:
    before = counts()
    report = run(corpus.good_workbook(tmp_path), dry_run=True)
    assert report.ok and report.dry_run
    assert report.created == {"units": 5, "people": 2, "appointments": 3}
    assert report.updated == {"units": 0, "people": 1, "appointments": 0}
    assert counts() == before


def test_progress_is_reported_while_reading(province: Province, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    path = corpus.large_workbook(tmp_path, units=10, people=1_500)
    assert run(path, progress=lambda done, total: calls.append((done, total)), dry_run=True).ok
    total = 10 + 1_500 + 1_500
    assert [done for done, _total in calls] == [1_000, 2_000, 3_000, total]
    assert all(done <= total_ for done, total_ in calls)
    assert calls[-1] == (total, total)


def test_headers_in_any_order_and_case_with_extra_columns_and_blank_rows(province: Province, tmp_path: Path) -> None:
    """Headers are matched after trimming, without case or "*"; STT/Ghi chú columns and blank rows are ignored."""
    units_header = ["STT", " mã ĐƠN VỊ ", "Loại đơn vị", "Tên đơn vị *", "Hiệu lực từ", "Ghi chú"]
    people_header = ["Giới tính", "HỌ VÀ TÊN"]
    posts_header = ["Từ ngày", "Mã đơn vị", "Tên chức vụ", "Họ và tên", "Hình thức"]
    hoa_nfd = unicodedata.normalize("NFD", "Nguyễn  Thị Hoà")
    path = corpus.org_workbook(
        tmp_path / "loose.xlsx",
        units=[
            [1, "01.020", "agency", "Sở Y tế", D, "mới"],
            [2, None, None, None, None, "dòng trống, chỉ có STT và ghi chú"],
            [None, None, None, None, None, None],
            [4, 120, "agency", "Sở Số", D, None],  # a code typed as a number is accepted as its digits
        ],
        people=[["Nữ", "Mai Thị Thu"]],
        posts=[[D, "01.020", "chuyên viên", hoa_nfd, "kiêm nhiệm"]],
        headers={"DonVi": units_header, "CanBo": people_header, "BoNhiem": posts_header},
    )
    report = run(path)
    assert issues(report) == []
    assert report.rows == {"DonVi": 2, "CanBo": 1, "BoNhiem": 1}
    assert report.created == {"units": 2, "people": 1, "appointments": 1}
    assert Unit.objects.filter(code="120", name="Sở Số").exists()
    post = Appointment.objects.get(unit__code="01.020")
    assert (post.person, post.kind) == (province.person, AppointmentKind.CONCURRENT)


def test_row_numbers_are_excel_rows_across_gaps(province: Province, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "DonVi"
    sheet.append(corpus.UNIT_HEADERS)
    sheet.append(["01.060", "Sở C", None, "agency", "01", D, None])
    sheet["A7"] = "01.061"  # rows 3 to 6 do not exist in the file at all
    sheet["B7"] = "Sở D"
    for name, headers in (("CanBo", corpus.PERSON_HEADERS), ("BoNhiem", corpus.POST_HEADERS)):
        book.create_sheet(name).append(headers)
    path = tmp_path / "gaps.xlsx"
    book.save(path)
    fails_with(
        path,
        [
            ("DonVi", 7, "D", "Thiếu giá trị bắt buộc ở cột “Loại đơn vị”."),
            ("DonVi", 7, "F", "Thiếu giá trị bắt buộc ở cột “Hiệu lực từ”."),
        ],
    )


def test_an_empty_template_imports_as_nothing(province: Province, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    path.write_bytes(build_template())
    report = run(path)
    assert report.ok
    assert report.rows == {"DonVi": 0, "CanBo": 0, "BoNhiem": 0}
    assert report.created == nothing_changed()


# ------------------------------------------------------------------ files that cannot be read


@pytest.mark.parametrize("builder", corpus.NOT_WORKBOOKS.values(), ids=corpus.NOT_WORKBOOKS.keys())
def test_a_file_that_is_not_a_workbook_is_one_issue(
    province: Province, tmp_path: Path, builder: Callable[[Path], Path]
) -> None:
    report = fails_with(builder(tmp_path), [("", None, None, NOT_XLSX)])
    assert str(report.issues[0]) == NOT_XLSX


def test_bytes_are_accepted_as_source(province: Province) -> None:
    report = import_org_workbook(acting_user=None, source=b"PK\x03\x04 not really")
    assert issues(report) == [("", None, None, NOT_XLSX)]


def test_a_missing_file_is_an_issue(province: Province, tmp_path: Path) -> None:
    report = run(tmp_path / "absent.xlsx")
    assert issues(report) == [("", None, None, "Không mở được tệp: No such file or directory.")]


def test_missing_sheets(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(tmp_path / "sheets.xlsx", units=corpus.GOOD_UNITS, omit=["CanBo", "BoNhiem"])
    fails_with(
        path,
        [
            ("CanBo", None, None, "Thiếu sheet “CanBo” (bắt buộc, kể cả khi không có dòng dữ liệu)."),
            ("BoNhiem", None, None, "Thiếu sheet “BoNhiem” (bắt buộc, kể cả khi không có dòng dữ liệu)."),
        ],
    )


def test_missing_unknown_and_repeated_headers(province: Province, tmp_path: Path) -> None:
    units = ["Mã đơn vị*", "Tên đơn vị*", "Mã đơn vị cấp trên", "Hiệu lực từ*"]  # no "Loại đơn vị"
    people = ["Số định danh cá nhân", "Họ và tên*", "Ngay sinh", "Giới tính*", "Họ và tên"]
    posts = ["Họ và tên", "Ngày sinh", "Mã đơn vị", "Từ ngày"]  # no title column
    path = corpus.org_workbook(
        tmp_path / "headers.xlsx",
        units=[["01.030", "Sở A", "01", D]],
        people=[["001085000003", "Bùi Văn H", "01/01/1980", "Nam", "x"]],
        headers={"DonVi": units, "CanBo": people, "BoNhiem": posts},
    )
    fails_with(
        path,
        [
            ("DonVi", 1, None, "Thiếu cột “Loại đơn vị” ở dòng tiêu đề."),
            ("CanBo", 1, "C", "Không nhận ra cột “Ngay sinh”."),
            ("CanBo", 1, "E", "Cột “Họ và tên” bị lặp (đã có ở cột B)."),
            ("BoNhiem", 1, None, "Thiếu cột “Mã chức vụ” hoặc cột “Tên chức vụ” ở dòng tiêu đề."),
        ],
    )


def test_an_empty_sheet_without_header_row(province: Province, tmp_path: Path) -> None:
    path = corpus.write_workbook(
        tmp_path / "bare.xlsx",
        {"DonVi": [], "CanBo": [corpus.PERSON_HEADERS], "BoNhiem": [corpus.POST_HEADERS]},
    )
    fails_with(
        path,
        [
            ("DonVi", 1, None, "Thiếu cột “Mã đơn vị” ở dòng tiêu đề."),
            ("DonVi", 1, None, "Thiếu cột “Tên đơn vị” ở dòng tiêu đề."),
            ("DonVi", 1, None, "Thiếu cột “Loại đơn vị” ở dòng tiêu đề."),
            ("DonVi", 1, None, "Thiếu cột “Hiệu lực từ” ở dòng tiêu đề."),
        ],
    )


# ------------------------------------------------------------------ bad rows


def test_wrong_types(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "types.xlsx",
        units=[
            ["01.005", "Sở Y tế", None, "agency", "01", "hôm qua", "một"],
            ["01.006", True, None, 5, "01", D, None],
            [1.5, "Sở X", None, "agency", None, D, None],
        ],
        people=[
            [1085000001, "Trần Văn A", "31/02/1980", 1, "not-an-email", 912000001],
            ["12345", "Trần Văn B", date(1980, 1, 1), "Nam", None, None],
        ],
        posts=[
            ["001186012345", None, None, "chuyen_vien", None, "01.001.01", "Tạm thời", 45000, "sau này", None, None]
        ],
    )
    fails_with(
        path,
        [
            ("DonVi", 2, "F", BAD_DATE % ("hôm qua", "Hiệu lực từ")),
            ("DonVi", 2, "G", "“một” ở cột “Thứ tự” không hợp lệ: cần một số nguyên không âm."),
            ("DonVi", 3, "B", "Giá trị “True” không hợp lệ ở cột “Tên đơn vị”: cần nhập văn bản."),
            ("DonVi", 3, "D", f"“5” không hợp lệ ở cột “Loại đơn vị”; chọn một trong: {UNIT_KINDS}."),
            (
                "DonVi",
                4,
                "A",
                "Ô “1.5” ở cột “Mã đơn vị” đang ở dạng số nên Excel có thể đã làm sai giá trị "
                "(mất số 0 ở đầu, đổi dấu chấm); hãy định dạng cột là Văn bản (Text) rồi nhập lại.",
            ),
            (
                "CanBo",
                2,
                "A",
                "Số định danh cá nhân “1085000001” là ô số nên đã mất số 0 ở đầu; "
                "hãy định dạng cột là Văn bản (Text) và nhập đủ 12 chữ số.",
            ),
            ("CanBo", 2, "C", BAD_DATE % ("31/02/1980", "Ngày sinh")),
            ("CanBo", 2, "D", "“1” không hợp lệ ở cột “Giới tính”; chọn một trong: Nam; Nữ."),
            ("CanBo", 2, "E", "Thư điện tử “not-an-email” không hợp lệ."),
            (
                "CanBo",
                2,
                "F",
                "Ô “912000001” ở cột “Điện thoại” đang ở dạng số nên Excel có thể đã làm sai giá trị "
                "(mất số 0 ở đầu, đổi dấu chấm); hãy định dạng cột là Văn bản (Text) rồi nhập lại.",
            ),
            ("CanBo", 3, "A", "Số định danh cá nhân phải gồm đúng 12 chữ số (đang là “12345”)."),
            (
                "BoNhiem",
                2,
                "G",
                "“Tạm thời” không hợp lệ ở cột “Hình thức”; chọn một trong: Chức vụ chính; Kiêm nhiệm; Biệt phái.",
            ),
            ("BoNhiem", 2, "H", BAD_DATE % ("45000", "Từ ngày")),
            ("BoNhiem", 2, "I", BAD_DATE % ("sau này", "Đến ngày")),
        ],
    )


def test_numbers_that_keep_their_digits_are_accepted(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "numbers.xlsx",
        units=[[101, "Sở Số", None, "agency", "01", D, 2.0]],
        people=[[123456789012, "Hà Văn K", None, "Nam", None, None]],
    )
    assert run(path).ok
    unit = Unit.objects.get(code="101")
    assert (unit.parent, unit.sort_order) == (province.root, 2)
    assert Person.objects.filter(personal_id="123456789012", full_name="Hà Văn K").exists()


def test_a_code_that_lost_its_leading_zero_is_unknown(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(tmp_path / "zero.xlsx", units=[["01.040", "Sở B", None, "agency", 1, D, None]])
    fails_with(
        path,
        [("DonVi", 2, "E", "Không tìm thấy đơn vị cấp trên có mã “1” trong sheet DonVi hoặc trong hệ thống.")],
    )


def test_missing_required_values(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "missing.xlsx",
        units=[["01.007", None, None, None, None, None, 1], [None, "Sở Không Mã", None, "agency", "01", D, None]],
        people=[["001090000009", None, None, None, None, None]],
        posts=[
            ["001186012345", None, None, None, None, None, None, None, None, "12/QĐ", None],
            [None, None, None, "chuyen_vien", None, "01.001", "Kiêm nhiệm", D, None, None, None],
        ],
    )
    fails_with(
        path,
        [
            ("DonVi", 2, "B", "Thiếu giá trị bắt buộc ở cột “Tên đơn vị”."),
            ("DonVi", 2, "D", "Thiếu giá trị bắt buộc ở cột “Loại đơn vị”."),
            ("DonVi", 2, "F", "Thiếu giá trị bắt buộc ở cột “Hiệu lực từ”."),
            ("DonVi", 3, "A", "Thiếu giá trị bắt buộc ở cột “Mã đơn vị”."),
            ("CanBo", 2, "B", "Thiếu giá trị bắt buộc ở cột “Họ và tên”."),
            ("CanBo", 2, "D", "Thiếu giá trị bắt buộc ở cột “Giới tính”."),
            ("BoNhiem", 2, "E", "Thiếu Mã chức vụ hoặc Tên chức vụ."),
            ("BoNhiem", 2, "F", "Thiếu giá trị bắt buộc ở cột “Mã đơn vị”."),
            ("BoNhiem", 2, "H", "Thiếu giá trị bắt buộc ở cột “Từ ngày”."),
            ("BoNhiem", 3, "B", "Cần Số định danh cá nhân hoặc Họ và tên để xác định cán bộ."),
        ],
    )


def post(
    pid: str | None,
    name: str | None,
    title: str | None,
    unit: str,
    *,
    title_name: str | None = None,
    kind: str | None = "Kiêm nhiệm",
    start: Any = D,
    end: Any = None,
    birth: Any = None,
) -> list[Any]:
    return [pid, name, birth, title, title_name, unit, kind, start, end, None, None]


def test_unknown_references(province: Province, tmp_path: Path) -> None:
    hoa = "001186012345"
    path = corpus.org_workbook(
        tmp_path / "unknown.xlsx",
        units=[["01.008", "Sở Ngoại vụ", None, "agency", "99", D, None]],
        posts=[
            post(hoa, None, "khong_co", "01.001.01"),
            post(hoa, None, None, "01.001.01", title_name="Tổng Giám đốc"),
            post(hoa, None, "chuyen_vien", "99.999"),
            post("009999999999", None, "chuyen_vien", "01.001.01"),
            post(None, "Không Có Ai", "chuyen_vien", "01.001.01", birth="01/01/1980"),
            post(hoa, "Người Khác", "chuyen_vien", "01.001.01"),
            post(hoa, None, "truong_phong", "01.001.01", title_name="Chuyên viên"),
        ],
    )
    fails_with(
        path,
        [
            ("DonVi", 2, "E", "Không tìm thấy đơn vị cấp trên có mã “99” trong sheet DonVi hoặc trong hệ thống."),
            ("BoNhiem", 2, "D", "Không có chức vụ mã “khong_co” trong danh mục chức vụ."),
            ("BoNhiem", 3, "E", "Không có chức vụ “Tổng Giám đốc” trong danh mục chức vụ."),
            ("BoNhiem", 4, "F", "Không tìm thấy đơn vị có mã “99.999” trong sheet DonVi hoặc trong hệ thống."),
            ("BoNhiem", 5, "A", "Không tìm thấy cán bộ có số định danh này trong sheet CanBo hoặc trong hệ thống."),
            (
                "BoNhiem",
                6,
                "B",
                "Không tìm thấy cán bộ “Không Có Ai” (ngày sinh 01/01/1980) trong sheet CanBo hoặc trong hệ thống.",
            ),
            ("BoNhiem", 7, "B", "Họ và tên “Người Khác” không khớp với cán bộ có số định danh này (“Nguyễn Thị Hoà”)."),
            ("BoNhiem", 8, "E", "Mã chức vụ “truong_phong” và Tên chức vụ “Chuyên viên” không khớp nhau."),
        ],
    )


def test_duplicates(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "duplicates.xlsx",
        units=[
            ["01.009", "Sở Y tế", None, "agency", "01", D, None],
            ["01.009", "Sở Y tế 2", None, "agency", "01", D, None],
        ],
        people=[
            ["001085000002", "Hồ Văn C", None, "Nam", None, None],
            ["001085000002", "Hồ Văn D", None, "Nam", None, None],
            [None, "Đỗ Thị E", "01/02/1991", "Nữ", None, None],
            [None, "Đỗ  Thị E", date(1991, 2, 1), "Nữ", None, None],
            [None, "Nguyễn Thị Hoà", None, "Nữ", None, None],
            ["001186012345", "Nguyễn Thị Hoà", None, "Nữ", None, None],
        ],
        posts=[
            post("001186012345", None, "chuyen_vien", "01.001"),
            post("001186012345", None, "chuyen_vien", "01.001"),
        ],
    )
    fails_with(
        path,
        [
            ("DonVi", 3, "A", "Mã đơn vị “01.009” bị lặp (đã có ở dòng 2)."),
            ("CanBo", 3, "A", "Số định danh cá nhân bị lặp (đã có ở dòng 2)."),
            ("CanBo", 5, "B", "Cán bộ “Đỗ Thị E” (ngày sinh 01/02/1991) bị lặp (đã có ở dòng 4)."),
            ("CanBo", 7, "B", "Cán bộ “Nguyễn Thị Hoà” (không có ngày sinh) bị lặp (đã có ở dòng 6)."),
            ("BoNhiem", 3, None, "Bổ nhiệm bị lặp với dòng 2 (cùng cán bộ, chức vụ, đơn vị và ngày bắt đầu)."),
        ],
    )


def test_dates_in_the_wrong_order(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "dates.xlsx",
        people=[
            [None, "Vũ Văn F", "01/01/2090", "Nam", None, None],
            [None, "Vũ Văn G", "1890-01-01", "Nam", None, None],
        ],
        posts=[post("001186012345", None, "pho_truong_phong", "01.001.01", start="01/08/2025", end="31/07/2025")],
    )
    fails_with(
        path,
        [
            ("CanBo", 2, "C", "Ngày sinh 01/01/2090 ở tương lai."),
            ("CanBo", 3, "C", "Ngày sinh 01/01/1890 trước năm 1900."),
            ("BoNhiem", 2, "I", "Đến ngày 31/07/2025 trước Từ ngày 01/08/2025."),
        ],
    )


def test_parent_loops_in_the_file_and_through_the_registry(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "cycles.xlsx",
        units=[
            ["A1", "Đơn vị A", None, "agency", "B1", D, None],
            ["B1", "Đơn vị B", None, "agency", "A1", D, None],
            ["C1", "Đơn vị C", None, "agency", "C1", D, None],
            ["01", "Tỉnh An Hòa", None, "province", "N1", D, None],  # the root, under a unit below it
            ["N1", "Đơn vị mới", None, "agency", "01.001", D, None],
        ],
    )
    fails_with(
        path,
        [
            ("DonVi", 2, "E", "Đơn vị cấp trên tạo thành vòng lặp: A1 → B1 → A1."),
            ("DonVi", 3, "E", "Đơn vị cấp trên tạo thành vòng lặp: A1 → B1 → A1."),
            ("DonVi", 4, "E", "Đơn vị cấp trên tạo thành vòng lặp: C1 → C1."),
            ("DonVi", 5, "E", "Đơn vị cấp trên tạo thành vòng lặp: 01 → N1 → 01.001 → 01."),
            ("DonVi", 6, "E", "Đơn vị cấp trên tạo thành vòng lặp: 01 → N1 → 01.001 → 01."),
        ],
    )


def test_ambiguous_people_need_an_identification_number(province: Province, tmp_path: Path) -> None:
    for _i in range(2):
        services.create_person(acting_user=None, full_name="Lý Văn Trùng", sex="M", birth_date=date(1980, 1, 1))
    path = corpus.org_workbook(
        tmp_path / "ambiguous.xlsx",
        people=[[None, "Lý Văn Trùng", "01/01/1980", "Nam", "trung@example.vn", None]],
        posts=[post(None, "Lý Văn Trùng", "chuyen_vien", "01.001", birth="01/01/1980")],
    )
    message = (
        "Có 2 cán bộ cùng họ tên “Lý Văn Trùng” và ngày sinh trong hệ thống; "
        "hãy ghi Số định danh cá nhân để xác định đúng người."
    )
    in_file_or_registry = message.replace("trong hệ thống", "trong sheet CanBo hoặc trong hệ thống")
    fails_with(path, [("CanBo", 2, "B", message), ("BoNhiem", 2, "B", in_file_or_registry)])


def test_one_primary_post_at_a_time(province: Province, tmp_path: Path) -> None:
    hoa = "001186012345"
    new = [["001085000004", "Đinh Văn M", None, "Nam", None, None]]
    overlapping = corpus.org_workbook(
        tmp_path / "overlap.xlsx",
        people=new,
        posts=[
            post(hoa, None, "truong_phong", "01.001.01", kind=None, start="01/01/2026"),
            post("001085000004", None, "chuyen_vien", "01.001", kind="Chức vụ chính", end="31/12/2025"),
            post("001085000004", None, "chuyen_vien_chinh", "01.001", kind=None, start="01/12/2025"),
        ],
    )
    fails_with(
        overlapping,
        [
            (
                "BoNhiem",
                2,
                "H",
                "Cán bộ đã giữ một chức vụ chính khác trong cùng thời gian (Chuyên viên tại Phòng Ngân sách từ ngày "
                "01/01/2020, đã có trong hệ thống); hãy ghi Đến ngày cho chức vụ cũ hoặc chọn hình thức Kiêm nhiệm.",
            ),
            (
                "BoNhiem",
                4,
                "H",
                "Cán bộ đã giữ một chức vụ chính khác trong cùng thời gian (dòng 3); "
                "hãy ghi Đến ngày cho chức vụ cũ hoặc chọn hình thức Kiêm nhiệm.",
            ),
        ],
    )
    # Ending the old post in the same file makes room for the new one.
    fixed = corpus.org_workbook(
        tmp_path / "fixed.xlsx",
        people=new,
        posts=[
            post(hoa, None, "chuyen_vien", "01.001.01", kind=None, start="01/01/2020", end="31/12/2025"),
            post(hoa, None, "truong_phong", "01.001.01", kind=None, start="01/01/2026"),
            post("001085000004", None, "chuyen_vien", "01.001", kind="Chức vụ chính", end="30/11/2025"),
            post("001085000004", None, "chuyen_vien_chinh", "01.001", kind=None, start="01/12/2025"),
        ],
    )
    report = run(fixed)
    assert report.ok, report.issues
    assert report.created == {"units": 0, "people": 1, "appointments": 3}
    assert report.updated == {"units": 0, "people": 0, "appointments": 1}
    old = Appointment.objects.get(person=province.person, title__code="chuyen_vien")
    assert old.end_date == date(2025, 12, 31)
    update = AuditEvent.objects.get(action="org.appointment.import_update")
    assert (update.before, update.after) == ({"end_date": None}, {"end_date": "2025-12-31"})
    assert run(fixed).unchanged == {"units": 0, "people": 1, "appointments": 4}


def test_existing_units_are_renamed_and_moved_from_the_effective_date(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "changes.xlsx",
        units=[
            ["01.001.01", "Phòng Ngân sách nhà nước", None, "division", "01.001", "01/01/2026", None],
            ["01.002.01", "Phòng Quy hoạch", None, "division", "01.010", "01/01/2026", 7],  # moves under a new unit
            ["01.002.01.A", "Tổ Quy hoạch A", None, "division", "01.002.01", D, None],  # new, under the moved one
            ["01.010", "Sở Quy hoạch", None, "agency", "01", D, 10],
            ["01.001", "Sở Tài chính", None, "agency", "01", D, 5],  # only the sort order changes
        ],
    )
    report = run(path)
    assert report.ok, report.issues
    assert report.created == {"units": 2, "people": 0, "appointments": 0}
    assert report.updated == {"units": 3, "people": 0, "appointments": 0}
    renamed = Unit.objects.get(code="01.001.01")
    assert (renamed.name, renamed.version) == ("Phòng Ngân sách nhà nước", 2)
    old, new = renamed.versions.order_by("valid_from")
    assert (old.name, old.valid_to, new.name, new.valid_from, new.valid_to) == (
        "Phòng Ngân sách",
        date(2026, 1, 1),
        "Phòng Ngân sách nhà nước",
        date(2026, 1, 1),
        None,
    )
    assert new.event is not None
    assert (new.event.kind, new.event.basis_number) == (UnitEventKind.RENAME, "Nhập từ Excel")
    target = Unit.objects.get(code="01.010")
    moved = Unit.objects.get(code="01.002.01")
    team = Unit.objects.get(code="01.002.01.A")
    assert (moved.parent, moved.sort_order, moved.version) == (target, 7, 2)
    assert (moved.path, moved.depth) == (f"{target.path}{moved.pk:08d}/", 2)
    assert (team.path, team.depth) == (f"{moved.path}{team.pk:08d}/", 3)
    assert moved.versions.get(valid_to__isnull=True).event.kind == UnitEventKind.REPARENT  # type: ignore[union-attr]
    agency = Unit.objects.get(code="01.001")
    assert (agency.sort_order, agency.version, agency.versions.count()) == (5, 2, 1)  # no event for the order
    actions = list(AuditEvent.objects.filter(action__startswith="org.unit.import").values_list("action", flat=True))
    assert sorted(actions) == ["org.unit.import_create"] * 2 + ["org.unit.import_update"] * 3
    assert set(AuditEvent.objects.filter(action__contains="import").values_list("actor_label", flat=True)) == {
        "hệ thống"  # no acting user: the system
    }
    assert chain.history("unit", renamed.pk).filter(action="org.unit.import_update").get().before["name"] == (
        "Phòng Ngân sách"
    )
    again = run(path)
    assert again.created == again.updated == nothing_changed()


def test_changing_a_unit_in_the_past_needs_an_org_event(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "history.xlsx",
        units=[
            ["01.001.01", "Tên khác", None, "division", "01.002", "01/01/2019", None],
            ["01.001", "Sở Tài chính", None, "agency", "01", "01/01/2019", None],  # unchanged: any date is fine
        ],
    )
    fails_with(
        path,
        [
            (
                "DonVi",
                2,
                "F",
                "Đơn vị mã “01.001.01” đã có trong hệ thống với tên, đơn vị cấp trên khác. Để ghi thay đổi, "
                "“Hiệu lực từ” phải sau ngày 01/01/2020; thay đổi trong quá khứ cần được ghi nhận bằng một sự kiện "
                "tổ chức (đổi tên, chuyển đơn vị cấp trên) trên màn hình đơn vị.",
            )
        ],
    )


def test_retired_units_cannot_change_or_take_new_posts(province: Province, tmp_path: Path) -> None:
    Appointment.objects.filter(unit=province.other_division).update(end_date=date(2023, 12, 31))
    services.dissolve_unit(
        acting_user=None, unit=province.other_division, effective=date(2024, 1, 1), basis=services.Basis("1/QĐ")
    )
    path = corpus.org_workbook(
        tmp_path / "retired.xlsx",
        units=[
            ["01.002.01", "Phòng Quy hoạch mới", None, "division", "01.002", "01/01/2026", None],
            ["01.002.01.B", "Tổ B", None, "division", "01.002.01", D, None],
        ],
        posts=[post("001186012345", None, "chuyen_vien", "01.002.01")],
    )
    fails_with(
        path,
        [
            (
                "DonVi",
                2,
                None,
                "Đơn vị “Phòng Quy hoạch” (mã 01.002.01) không còn hoạt động nên không thể thay đổi tên.",
            ),
            ("DonVi", 3, "E", "Đơn vị cấp trên “Phòng Quy hoạch” (mã 01.002.01) không còn hoạt động."),
            ("BoNhiem", 2, "F", "Đơn vị “Phòng Quy hoạch” không còn hoạt động."),
        ],
    )


def test_issues_are_capped(province: Province, tmp_path: Path) -> None:
    rows = [[f"X{i:04d}", "Đơn vị", None, None, None, D, None] for i in range(1_500)]
    report = fails_with(
        corpus.org_workbook(tmp_path / "many.xlsx", units=rows),
        [("DonVi", n, "D", "Thiếu giá trị bắt buộc ở cột “Loại đơn vị”.") for n in range(2, 1_002)]
        + [("", None, None, "…và 500 lỗi khác.")],
    )
    assert len(report.issues) == 1_001


def test_too_many_rows(province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    rows = [[f"Y{i}", "Đơn vị", None, "agency", None, D, None] for i in range(4)]
    fails_with(
        corpus.org_workbook(tmp_path / "rows.xlsx", units=rows),
        [("DonVi", None, None, "Sheet có hơn 3 dòng dữ liệu; hãy chia thành nhiều tệp.")],
    )


def test_a_change_made_meanwhile_aborts_the_write(
    province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = importer._Plan.run

    def run_then_someone_edits(plan: importer._Plan) -> None:
        original(plan)
        Unit.objects.filter(code="01.001.01").update(version=F("version") + 1)

    monkeypatch.setattr(importer._Plan, "run", run_then_someone_edits)
    path = corpus.org_workbook(
        tmp_path / "race.xlsx",
        units=[
            ["01.050", "Sở Mới", None, "agency", "01", D, None],
            ["01.001.01", "Phòng Ngân sách nhà nước", None, "division", "01.001", "01/01/2026", None],
        ],
    )
    fails_with(
        path,
        [("", None, None, "Dữ liệu tổ chức đã bị thay đổi trong lúc nhập nên không có gì được ghi; hãy nhập lại tệp.")],
    )


def test_issue_text_and_dict() -> None:
    issue = ImportIssue("DonVi", 5, "C", "Sai.")
    assert str(issue) == "DonVi!5:C — Sai."
    assert str(ImportIssue("DonVi", 1, None, "Thiếu.")) == "DonVi!1 — Thiếu."
    assert str(ImportIssue("BoNhiem", None, None, "Thiếu sheet.")) == "BoNhiem — Thiếu sheet."
    assert issue.as_dict() == {"sheet": "DonVi", "row": 5, "column": "C", "message": "Sai."}


# ------------------------------------------------------------------ large files


def test_a_valid_10000_row_file_imports_fully(province: Province, tmp_path: Path) -> None:
    path = corpus.large_workbook(tmp_path, units=1_000, people=4_500)
    before = counts()
    started = time.perf_counter()
    report = run(path)
    elapsed = time.perf_counter() - started
    assert report.ok, report.issues[:3]
    assert sum(report.rows.values()) == 10_000
    assert report.created == {"units": 1_000, "people": 4_500, "appointments": 4_500}
    after = counts()
    assert {k: after[k] - before[k] for k in after} == {
        "units": 1_000,
        "versions": 1_000,
        "events": 1_000,
        "people": 4_500,
        "appointments": 4_500,
        "audit": 10_000,
    }
    division = Unit.objects.select_related("parent").get(code="01.199.09")
    assert division.path == f"{division.parent.path}{division.pk:08d}/"  # type: ignore[union-attr]
    assert Unit.objects.filter(path__startswith=province.root.path).count() == 5 + 1_000
    assert elapsed < 60, f"10,000 rows took {elapsed:.1f}s"
    started = time.perf_counter()
    again = run(path)
    assert again.created == again.updated == nothing_changed()
    assert counts() == after
    print(f"\n10,000 valid rows: import {elapsed:.2f}s, re-import {time.perf_counter() - started:.2f}s")


def test_a_10000_row_file_with_one_bad_row_writes_nothing(province: Province, tmp_path: Path) -> None:
    path = corpus.large_workbook(tmp_path, units=100, people=10_000, bad_person_row=9_999)
    started = time.perf_counter()
    fails_with(path, [("CanBo", 9_999, "C", BAD_DATE % ("31/02/1980", "Ngày sinh"))])
    print(f"\n10,000 rows with one error: {time.perf_counter() - started:.2f}s")


# ------------------------------------------------------------------ the command


def call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_counts(province: Province, tmp_path: Path) -> None:
    out, _err = call("org", str(corpus.good_workbook(tmp_path)), "--as", "noivu")
    assert out.splitlines() == [
        "Đơn vị: tạo mới 5, cập nhật 0, không đổi 0",
        "Cán bộ: tạo mới 2, cập nhật 1, không đổi 0",
        "Bổ nhiệm: tạo mới 3, cập nhật 0, không đổi 0",
    ]
    assert set(AuditEvent.objects.filter(action__contains="import").values_list("actor_label", flat=True)) == {"noivu"}
    out, _err = call("org", str(corpus.good_workbook(tmp_path)))
    assert out.splitlines()[0] == "Đơn vị: tạo mới 0, cập nhật 0, không đổi 5"


def test_command_dry_run_and_progress(province: Province, tmp_path: Path) -> None:
    before = counts()
    out, err = call("org", str(corpus.large_workbook(tmp_path, units=10, people=600)), "--dry-run")
    assert out.splitlines() == [
        "Chạy thử: tệp hợp lệ, không có dữ liệu nào được ghi.",
        "Đơn vị: tạo mới 10, cập nhật 0, không đổi 0",
        "Cán bộ: tạo mới 600, cập nhật 0, không đổi 0",
        "Bổ nhiệm: tạo mới 600, cập nhật 0, không đổi 0",
    ]
    assert err.splitlines() == ["Đã đọc 1000/1000 dòng", "Đã đọc 1210/1210 dòng"]
    assert counts() == before


def test_command_lists_issues_and_fails(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "bad.xlsx", units=[["01.005", "Sở Y tế", None, "agency", "99", "hôm qua", None]], omit=["BoNhiem"]
    )
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import", "org", str(path), stdout=out, stderr=StringIO())
    assert failure.value.returncode == 1
    assert str(failure.value) == "Tệp có lỗi; không có dữ liệu nào được ghi."
    assert out.getvalue().splitlines() == [
        "DonVi!2:E — Không tìm thấy đơn vị cấp trên có mã “99” trong sheet DonVi hoặc trong hệ thống.",
        "DonVi!2:F — " + BAD_DATE % ("hôm qua", "Hiệu lực từ"),
        "BoNhiem — Thiếu sheet “BoNhiem” (bắt buộc, kể cả khi không có dòng dữ liệu).",
    ]


def test_command_refuses_unknown_user_and_missing_file(province: Province, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không có người dùng “ai_do”"):
        call("org", str(corpus.good_workbook(tmp_path)), "--as", "ai_do")
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call("org", str(tmp_path / "absent.xlsx"))


def test_command_exit_status_from_the_shell(tmp_path: Path) -> None:
    """The real console entry point exits 1 and prints the issue (a broken file needs no database)."""
    path = corpus.random_bytes(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "congvu", "import", "org", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stdout.strip() == NOT_XLSX
    assert "Tệp có lỗi; không có dữ liệu nào được ghi." in done.stderr


# ------------------------------------------------------------------ the web pages


@pytest.fixture
def noivu(province: Province, settings: Any, tmp_path: Path) -> Client:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = Client()
    client.force_login(province.users["noivu"])
    return client


def test_template_download(noivu: Client) -> None:
    response = noivu.get(reverse("org:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["HuongDan", "DonVi", "CanBo", "BoNhiem"]
    for name, headers in corpus.HEADERS.items():
        sheet = book[name]
        assert [c.value for c in sheet[1]] == headers
        assert all(c.font.b for c in sheet[1])
    assert book["DonVi"].column_dimensions["A"].number_format == "@"  # codes keep their leading zeros
    assert book["CanBo"].column_dimensions["A"].number_format == "@"
    lists = {str(dv.sqref): dv.formula1 for dv in book["DonVi"].data_validations.dataValidation}
    assert list(lists) == ["D2:D100001"]
    assert lists["D2:D100001"].startswith("HuongDan!$A$")
    assert len(book["CanBo"].data_validations.dataValidation) == 1
    assert len(book["BoNhiem"].data_validations.dataValidation) == 2
    help_text = " ".join(str(c.value) for row in book["HuongDan"].iter_rows() for c in row if c.value)
    assert "Văn bản (Text)" in help_text and "Trưởng phòng" in help_text


def upload(client: Client, path: Path, django_capture_on_commit_callbacks: Any) -> ImportRun:
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(reverse("org:import"), {"file": handle})
    assert response.status_code == 302
    run_ = ImportRun.objects.get()
    assert response["Location"] == reverse("org:import_status", args=[run_.pk])
    assert not Path(run_.file_path).exists()  # the upload is removed once imported
    return run_


def test_web_import_of_a_good_file(noivu: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    run_ = upload(noivu, corpus.good_workbook(tmp_path), django_capture_on_commit_callbacks)
    assert (run_.state, run_.errors, run_.file_name) == (ImportRun.State.DONE, [], "good.xlsx")
    assert run_.summary["created"] == {"units": 5, "people": 2, "appointments": 3}
    assert (run_.processed_rows, run_.total_rows) == (11, 11)
    assert AuditEvent.objects.filter(action="org.unit.import_create").first().actor_label == "noivu"  # type: ignore[union-attr]
    page = noivu.get(reverse("org:import_status", args=[run_.pk]))
    assert page.status_code == 200


def test_web_import_of_a_bad_file(noivu: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    before = counts()
    run_ = upload(noivu, corpus.csv_renamed(tmp_path), django_capture_on_commit_callbacks)
    assert run_.state == ImportRun.State.FAILED
    assert run_.errors == [{"sheet": "", "row": None, "column": None, "message": NOT_XLSX}]
    assert run_.summary["ok"] is False
    page = noivu.get(reverse("org:import_status", args=[run_.pk]))
    assert page.status_code == 200
    assert NOT_XLSX in page.content.decode()
    assert {k: v for k, v in counts().items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    assert counts()["audit"] == before["audit"]


def test_web_import_status_is_private(
    province: Province, noivu: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    run_ = upload(noivu, corpus.good_workbook(tmp_path), django_capture_on_commit_callbacks)
    admin = Client()
    admin.force_login(province.users["admin"])
    assert admin.get(reverse("org:import_status", args=[run_.pk])).status_code == 404
    staff = Client()
    staff.force_login(province.users["chuyenvien"])
    assert staff.get(reverse("org:import_template")).status_code == 403
