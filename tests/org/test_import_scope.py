"""The Excel import restricted to the importing user's scope: units, appointments and people outside it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.org import services
from congvu.org.importer import ImportReport, import_org_workbook
from congvu.org.models import Appointment, ImportRun, Person, Title, Unit, UnitKind, UnitVersion
from tests import factories
from tests.factories import Province
from tests.org import import_corpus as corpus
from tests.org.import_corpus import D

pytestmark = pytest.mark.django_db

Issue = tuple[str, int | None, str | None, str]

HOA = "001186012345"  # province.person, appointed in the agency's division
OUTSIDE_PID = "002190000001"  # a person appointed only outside the province

OUT_UNIT = "Đơn vị “%s” nằm ngoài phạm vi của bạn."
OUT_PARENT = "Đơn vị cấp trên “%s” nằm ngoài phạm vi của bạn."
TOP_LEVEL = "Chỉ được tạo đơn vị trong phạm vi của bạn; hãy ghi mã đơn vị cấp trên."
MOVE_OUT = "Không được chuyển đơn vị ra ngoài phạm vi của bạn; hãy ghi mã đơn vị cấp trên."
OUT_PERSON = "Cán bộ này không thuộc phạm vi của bạn."


def scope(province: Province) -> list[str]:
    return [province.agency.path]


def run(path: Path, scope_paths: list[str] | None, **kwargs: Any) -> ImportReport:
    return import_org_workbook(acting_user=None, source=path, scope_paths=scope_paths, **kwargs)


def issues(report: ImportReport) -> list[Issue]:
    return [(i.sheet, i.row, i.column, i.message) for i in report.issues]


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "versions": UnitVersion.objects.count(),
        "people": Person.objects.count(),
        "appointments": Appointment.objects.count(),
        "audit": AuditEvent.objects.count(),
        "unit versions": sum(Unit.objects.values_list("version", flat=True)),
        "person versions": sum(Person.objects.values_list("version", flat=True)),
    }


def fails_with(path: Path, scope_paths: list[str], expected: list[Issue]) -> ImportReport:
    """Import ``path`` within ``scope_paths``: it must report exactly ``expected`` and write nothing."""
    before = counts()
    report = run(path, scope_paths)
    assert issues(report) == expected
    assert not report.ok
    assert counts() == before
    return report


def post(
    pid: str | None,
    name: str | None,
    title: str | None,
    unit: str,
    *,
    kind: str | None = "Kiêm nhiệm",
    start: Any = D,
    end: Any = None,
) -> list[Any]:
    return [pid, name, None, title, None, unit, kind, start, end, None, None]


def outside_person_with_pid() -> Person:
    person = services.create_person(acting_user=None, full_name="Đinh Thị Xa", sex="F", personal_id=OUTSIDE_PID)
    services.appoint(
        acting_user=None,
        person=person,
        title=Title.objects.get(code="chuyen_vien"),
        unit=Unit.objects.get(code="02.001"),
        start_date=factories.START,
    )
    return person


# ------------------------------------------------------------------ units


def test_existing_units_outside_the_scope_are_named_by_their_code_only(province: Province, tmp_path: Path) -> None:
    retired = factories.unit("01.002.02", "Phòng Giải thể", UnitKind.DIVISION, province.other_agency)
    services.dissolve_unit(acting_user=None, unit=retired, effective=date(2021, 1, 1), basis=services.Basis("1/QĐ"))
    path = corpus.org_workbook(
        tmp_path / "existing.xlsx",
        units=[
            ["01.002.01", "Phòng Quy hoạch, kiến trúc", None, "division", "01.002", D, None],  # a rename
            ["01", "Tỉnh An Hòa", None, "province", None, D, None],  # unchanged, still outside
            ["02.001", "Sở Nội vụ", None, "agency", "02", "01/01/2019", None],  # a change in the past
            ["01.002.02", "Phòng Mới", None, "division", "01.002", D, None],  # a retired unit
            ["01.001.01", "Phòng Ngân sách nhà nước", None, "division", "01.001", D, None],  # inside: fine
        ],
    )
    report = fails_with(
        path,
        scope(province),
        [
            ("DonVi", 2, "A", OUT_UNIT % "01.002.01"),
            ("DonVi", 3, "A", OUT_UNIT % "01"),
            ("DonVi", 4, "A", OUT_UNIT % "02.001"),
            ("DonVi", 5, "A", OUT_UNIT % "01.002.02"),
        ],
    )
    # Nothing else of those units is told (the same file, unrestricted, names them).
    hidden = ["Phòng Quy hoạch", "Tỉnh An Hòa", "Bình Sơn", "Phòng Giải thể", "01/01/2020", "01/01/2021"]
    assert not [n for n in hidden for i in report.issues if n in i.message]
    unrestricted = " ".join(i.message for i in run(path, None).issues)
    assert "Phòng Giải thể" in unrestricted and "01/01/2020" in unrestricted


def test_new_units_must_hang_below_the_scope(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "new.xlsx",
        units=[
            ["01.001.02", "Phòng Kế toán", None, "division", "01.001", D, None],  # inside
            ["01.001.02.01", "Tổ Kế toán", None, "division", "01.001.02", D, None],  # inside, through a new unit
            ["01.002.02", "Phòng Mới", None, "division", "01.002", D, None],
            ["01.002.02.01", "Tổ Mới", None, "division", "01.002.02", D, None],  # under the row above
            ["03", "Tỉnh Mới", None, "province", None, D, None],  # top level
            ["03.001", "Sở Mới", None, "agency", "03", D, None],
            ["04.001", "Phòng Con", None, "division", "04", D, None],  # its parent comes later
            ["04", "Sở Khác", None, "agency", "02", D, None],
            ["05", "Đơn vị Lạ", None, "agency", "99", D, None],  # an unknown parent: that issue only
            ["A1", "Đơn vị A", None, "agency", "B1", D, None],  # a loop of new units: that issue only
            ["B1", "Đơn vị B", None, "agency", "A1", D, None],
        ],
    )
    fails_with(
        path,
        scope(province),
        [
            ("DonVi", 4, "E", OUT_PARENT % "01.002"),
            ("DonVi", 5, "E", OUT_PARENT % "01.002.02"),
            ("DonVi", 6, "E", TOP_LEVEL),
            ("DonVi", 7, "E", OUT_PARENT % "03"),
            ("DonVi", 8, "E", OUT_PARENT % "04"),
            ("DonVi", 9, "E", OUT_PARENT % "02"),
            ("DonVi", 10, "E", "Không tìm thấy đơn vị cấp trên có mã “99” trong sheet DonVi hoặc trong hệ thống."),
            ("DonVi", 11, "E", "Đơn vị cấp trên tạo thành vòng lặp: A1 → B1 → A1."),
            ("DonVi", 12, "E", "Đơn vị cấp trên tạo thành vòng lặp: A1 → B1 → A1."),
        ],
    )


def test_units_of_the_scope_cannot_move_out_of_it(province: Province, tmp_path: Path) -> None:
    factories.unit("01.001.02", "Phòng Hành chính", UnitKind.DIVISION, province.agency)
    path = corpus.org_workbook(
        tmp_path / "moves.xlsx",
        units=[
            ["01.001.01", "Phòng Ngân sách", None, "division", "01.002", D, None],  # under another agency
            ["01.001", "Sở Tài chính", None, "agency", None, D, None],  # to the top level
            ["N1", "Đơn vị mới", None, "agency", "02", D, None],
            ["01.001.02", "Phòng Hành chính", None, "division", "N1", D, None],  # under a new unit outside
        ],
    )
    fails_with(
        path,
        scope(province),
        [
            ("DonVi", 2, "E", OUT_PARENT % "01.002"),
            ("DonVi", 3, "E", MOVE_OUT),
            ("DonVi", 4, "E", OUT_PARENT % "02"),
            ("DonVi", 5, "E", OUT_PARENT % "N1"),
        ],
    )


# ------------------------------------------------------------------ appointments


def test_appointments_only_in_units_of_the_scope(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "posts.xlsx",
        units=[["01.002.09", "Phòng Mới", None, "division", "01.002", D, None]],
        posts=[
            post(HOA, None, "chuyen_vien", "01.002.01"),
            post(HOA, None, "chuyen_vien", "02.001"),
            post(HOA, None, "chuyen_vien", "01.002.09"),  # a new unit outside the scope
            post(HOA, None, "khong_co", "01.002.01"),  # both issues of the row
            post(HOA, None, "pho_truong_phong", "01.001.01"),  # inside: fine
        ],
    )
    fails_with(
        path,
        scope(province),
        [
            ("DonVi", 2, "E", OUT_PARENT % "01.002"),
            ("BoNhiem", 2, "F", OUT_UNIT % "01.002.01"),
            ("BoNhiem", 3, "F", OUT_UNIT % "02.001"),
            ("BoNhiem", 4, "F", OUT_UNIT % "01.002.09"),
            ("BoNhiem", 5, "D", "Không có chức vụ mã “khong_co” trong danh mục chức vụ."),
            ("BoNhiem", 5, "F", OUT_UNIT % "01.002.01"),
        ],
    )


# ------------------------------------------------------------------ people


def test_existing_people_outside_the_scope_cannot_be_changed(province: Province, tmp_path: Path) -> None:
    outside_person_with_pid()
    former = services.create_person(acting_user=None, full_name="Hà Văn Cũ", sex="M")
    services.appoint(
        acting_user=None,
        person=former,
        title=Title.objects.get(code="chuyen_vien"),
        unit=province.division,
        start_date=factories.START,
        end_date=date(2021, 12, 31),
    )
    path = corpus.org_workbook(
        tmp_path / "people.xlsx",
        people=[
            [None, "Trần Văn Đức", None, "Nam", "duc@example.vn", None],  # in the other agency
            [None, "Lê Văn Bình", None, "Nam", None, None],  # outside, even unchanged
            [OUTSIDE_PID, "Đinh Thị Xa", None, "Nữ", "xa@example.vn", None],  # matched by the number
            [HOA, "Nguyễn Thị Hoà", None, "Nữ", None, "0988000000"],  # inside: fine
            [None, "Hà Văn Cũ", None, "Nam", "cu@example.vn", None],  # a past post inside is enough
            [None, "Người Mới", "01/01/1990", "Nữ", None, None],  # new people are fine
            [None, "Trần Văn Đức", "02/02/1992", "Nam", None, None],  # a namesake: a new person
        ],
    )
    fails_with(
        path,
        scope(province),
        [
            ("CanBo", 2, "B", OUT_PERSON),
            ("CanBo", 3, "B", OUT_PERSON),
            ("CanBo", 4, "A", OUT_PERSON),
        ],
    )


def test_a_person_appointed_inside_the_scope_by_the_file_may_be_changed(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "transfer.xlsx",
        people=[
            [None, "Lê Văn Bình", None, "Nam", "binh@example.vn", None],
            [None, "Trần Văn Đức", None, "Nam", "duc@example.vn", None],
        ],
        posts=[
            post(None, "Lê Văn Bình", "chuyen_vien", "01.001.01"),
            post(None, "Trần Văn Đức", "chuyen_vien", "01.002.01"),  # outside: does not bring him in
        ],
    )
    fails_with(
        path,
        scope(province),
        [("CanBo", 3, "B", OUT_PERSON), ("BoNhiem", 3, "F", OUT_UNIT % "01.002.01")],
    )
    transfer = corpus.org_workbook(
        tmp_path / "transfer-ok.xlsx",
        people=[[None, "Lê Văn Bình", None, "Nam", "binh@example.vn", None]],
        posts=[post(None, "Lê Văn Bình", "chuyen_vien", "01.001.01")],
    )
    report = run(transfer, scope(province))
    assert report.ok, issues(report)
    assert (report.created, report.updated) == (
        {"units": 0, "people": 0, "appointments": 1},
        {"units": 0, "people": 1, "appointments": 0},
    )
    assert Person.objects.get(pk=province.outside_person.pk).email == "binh@example.vn"


def test_names_outside_the_scope_are_not_told(province: Province, tmp_path: Path) -> None:
    outside_person_with_pid()
    path = corpus.org_workbook(
        tmp_path / "names.xlsx",
        posts=[
            # Lê Văn Bình holds a primary post in the other province since 2020.
            post(None, "Lê Văn Bình", "truong_phong", "01.001.01", kind="Chức vụ chính"),
            post(OUTSIDE_PID, "Người Khác", "chuyen_vien", "01.001.01"),
        ],
    )
    fails_with(
        path,
        scope(province),
        [
            (
                "BoNhiem",
                2,
                "H",
                "Cán bộ đã giữ một chức vụ chính khác trong cùng thời gian (Chuyên viên tại một đơn vị ngoài phạm vi "
                "của bạn từ ngày 01/01/2020, đã có trong hệ thống); hãy ghi Đến ngày cho chức vụ cũ hoặc chọn hình "
                "thức Kiêm nhiệm.",
            ),
            ("BoNhiem", 3, "B", "Họ và tên “Người Khác” không khớp với cán bộ có số định danh này."),
        ],
    )
    unrestricted = [i.message for i in run(path, None).issues]
    assert "Sở Nội vụ tỉnh Bình Sơn" in unrestricted[0] and "(“Đinh Thị Xa”)" in unrestricted[1]


def test_an_empty_scope_allows_no_unit(province: Province, tmp_path: Path) -> None:
    path = corpus.org_workbook(
        tmp_path / "empty-scope.xlsx",
        units=[
            ["01.001.02", "Phòng Kế toán", None, "division", "01.001", D, None],
            ["01.001", "Sở Tài chính", None, "agency", "01", D, None],
        ],
        people=[[HOA, "Nguyễn Thị Hoà", None, "Nữ", None, "0988000000"], [None, "Người Mới", None, "Nữ", None, None]],
        posts=[post(None, "Người Mới", "chuyen_vien", "01.001.01")],
    )
    fails_with(
        path,
        [],
        [
            ("DonVi", 2, "E", OUT_PARENT % "01.001"),
            ("DonVi", 3, "A", OUT_UNIT % "01.001"),
            ("CanBo", 2, "A", OUT_PERSON),
            ("BoNhiem", 2, "F", OUT_UNIT % "01.001.01"),
        ],
    )


def test_a_scope_is_a_list_of_paths(province: Province, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        import_org_workbook(acting_user=None, source=corpus.org_workbook(tmp_path / "x.xlsx"), scope_paths="0001/")


# ------------------------------------------------------------------ a file within the scope


def test_a_file_within_the_scope_imports(province: Province, tmp_path: Path) -> None:
    moved = factories.unit("01.001.05", "Tổ Tổng hợp", UnitKind.DIVISION, province.agency)
    path = corpus.org_workbook(
        tmp_path / "inside.xlsx",
        units=[
            ["01.001.02.01", "Tổ Kế toán", None, "division", "01.001.02", D, 1],  # its parent comes later
            ["01.001.02", "Phòng Kế toán", None, "division", "01.001", D, 2],
            ["01.001", "Sở Tài chính tỉnh An Hòa", None, "agency", "01", D, None],  # renamed, stays under "01"
            ["01.001.05", "Tổ Tổng hợp", None, "division", "01.001.01", D, None],  # moved inside the scope
        ],
        people=[
            [HOA, "Nguyễn Thị Hoà", None, "Nữ", None, "0988000000"],
            [None, "Người Mới", None, "Nữ", None, None],
            [None, "Lê Văn Bình", None, "Nam", "binh@example.vn", None],
        ],
        posts=[
            post(None, "Người Mới", "chuyen_vien", "01.001.02.01", kind=None),
            post(None, "Lê Văn Bình", "pho_truong_phong", "01.001.01"),
        ],
    )
    before = counts()
    report = run(path, scope(province))
    assert report.ok, issues(report)
    assert (report.created, report.updated, report.unchanged) == (
        {"units": 2, "people": 1, "appointments": 2},
        {"units": 2, "people": 2, "appointments": 0},
        {"units": 0, "people": 0, "appointments": 0},
    )
    assert counts()["units"] == before["units"] + 2
    new = Unit.objects.get(code="01.001.02.01")
    assert new.path.startswith(province.agency.path) and new.parent == Unit.objects.get(code="01.001.02")
    moved.refresh_from_db()
    assert moved.parent == province.division and moved.path.startswith(province.division.path)
    assert Unit.objects.get(code="01.001").name == "Sở Tài chính tỉnh An Hòa"
    # importing it again within the scope changes nothing
    again = run(path, scope(province))
    assert again.ok and again.created == again.updated == {"units": 0, "people": 0, "appointments": 0}


# ------------------------------------------------------------------ the web


def upload(client: Client, path: Path, django_capture_on_commit_callbacks: Any) -> ImportRun:
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(reverse("org:import"), {"file": handle})
    assert response.status_code == 302
    run_ = ImportRun.objects.latest("pk")
    assert response["Location"] == reverse("org:import_status", args=[run_.pk])
    return run_


def test_web_imports_are_limited_to_the_users_scope(
    province: Province, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = corpus.org_workbook(
        tmp_path / "other-agency.xlsx",
        units=[["01.002.01", "Phòng Quy hoạch, kiến trúc", None, "division", "01.002", D, None]],
        people=[[None, "Người Mới", None, "Nữ", None, None]],
        posts=[post(None, "Người Mới", "chuyen_vien", "01.002.01", kind=None)],
    )
    agency_only = Client()
    agency_only.force_login(factories.user("noivu_so", Role.NOIVU, province.agency))
    before = counts()
    run_ = upload(agency_only, path, django_capture_on_commit_callbacks)
    assert run_.scope_paths == [province.agency.path]
    assert run_.state == ImportRun.State.FAILED
    assert run_.errors == [
        {"sheet": "DonVi", "row": 2, "column": "A", "message": OUT_UNIT % "01.002.01"},
        {"sheet": "BoNhiem", "row": 2, "column": "F", "message": OUT_UNIT % "01.002.01"},
    ]
    assert counts() == before
    page = agency_only.get(reverse("org:import_status", args=[run_.pk]))
    assert page.status_code == 200 and OUT_UNIT % "01.002.01" in page.content.decode()

    province_wide = Client()
    province_wide.force_login(province.users["noivu"])
    run_ = upload(province_wide, path, django_capture_on_commit_callbacks)
    assert run_.scope_paths == [province.root.path]
    assert (run_.state, run_.errors) == (ImportRun.State.DONE, [])
    assert run_.summary["created"] == {"units": 0, "people": 1, "appointments": 1}
    assert Unit.objects.get(code="01.002.01").name == "Phòng Quy hoạch, kiến trúc"
