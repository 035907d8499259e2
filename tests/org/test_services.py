"""Organisation events: versions, legal basis, scope after merge and split, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from congvu.accounts.scope import people_in_scope, units_in_scope
from congvu.audit.models import AuditEvent
from congvu.core.policy import Cap
from congvu.org import services
from congvu.org.models import Unit, UnitEvent, UnitKind, UnitStatus
from tests.factories import Province, person, unit

pytestmark = pytest.mark.django_db
BASIS = services.Basis("15/QĐ-UBND", date(2025, 2, 20), "UBND tỉnh An Hòa")


def test_codes_keep_leading_zeros(province: Province) -> None:
    u = unit("000.00.31.H29", "Văn phòng", UnitKind.DIVISION, province.agency)
    assert Unit.objects.get(pk=u.pk).code == "000.00.31.H29"
    v = unit("007", "Phòng 7", UnitKind.DIVISION, province.agency)
    assert Unit.objects.get(pk=v.pk).code == "007"


def test_rename_keeps_the_old_version_with_dates_and_basis(province: Province) -> None:
    services.change_unit(
        acting_user=None,
        unit=province.division,
        effective=date(2025, 3, 1),
        basis=BASIS,
        name="Phòng Quản lý ngân sách",
    )
    u = Unit.objects.get(pk=province.division.pk)
    assert (u.name, u.version) == ("Phòng Quản lý ngân sách", 2)
    assert u.version_on(date(2025, 2, 28)).name == "Phòng Ngân sách"  # type: ignore[union-attr]
    assert u.version_on(date(2025, 3, 1)).name == "Phòng Quản lý ngân sách"  # type: ignore[union-attr]
    assert list(u.versions.values_list("valid_from", "valid_to")) == [
        (date(2020, 1, 1), date(2025, 3, 1)),
        (date(2025, 3, 1), None),
    ]
    event = UnitEvent.objects.get(kind="rename")
    assert event.basis_label == "15/QĐ-UBND, 20/02/2025, UBND tỉnh An Hòa"


def test_stale_edit_is_refused_and_changes_nothing(province: Province) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(services.StaleObject):
        services.change_unit(
            acting_user=None,
            unit=province.division,
            effective=date(2025, 3, 1),
            basis=BASIS,
            name="X",
            expected_version=7,
        )
    assert Unit.objects.get(pk=province.division.pk).name == "Phòng Ngân sách"
    assert AuditEvent.objects.count() == before


def test_duplicate_code_is_refused(province: Province) -> None:
    with pytest.raises(services.OrgError, match=r"Mã đơn vị 01\.002 đã được dùng\."):
        services.change_unit(
            acting_user=None, unit=province.division, effective=date(2025, 3, 1), basis=BASIS, code="01.002"
        )


def test_reparent_moves_the_subtree_and_scope(province: Province) -> None:
    services.change_unit(
        acting_user=None, unit=province.division, effective=date(2025, 3, 1), basis=BASIS, parent=province.other_agency
    )
    moved = Unit.objects.get(pk=province.division.pk)
    assert moved.path == f"{province.root.pk:08d}/{province.other_agency.pk:08d}/{moved.pk:08d}/"
    assert moved.depth == 2
    assert UnitEvent.objects.filter(kind="reparent").count() == 1
    with pytest.raises(services.OrgError, match="chính nó"):
        services.change_unit(
            acting_user=None, unit=province.other_agency, effective=date(2025, 4, 1), basis=BASIS, parent=moved
        )


def test_merge_keeps_records_on_the_old_unit_and_finds_them_under_the_successor(province: Province) -> None:
    old = unit("01.009", "Sở Kế hoạch và Đầu tư", UnitKind.AGENCY, province.root)
    old_div = unit("01.009.01", "Phòng Đầu tư", UnitKind.DIVISION, old)
    staff = person("Phạm Thu Hằng", old_div)
    services.merge_units(acting_user=None, sources=[old], into=province.agency, effective=date(2025, 3, 1), basis=BASIS)

    old.refresh_from_db()
    old_div.refresh_from_db()
    assert (old.status, old.successor_id, old.valid_to) == (UnitStatus.MERGED, province.agency.pk, date(2025, 3, 1))
    assert old_div.parent_id == province.agency.pk  # active division now under the successor
    assert (old_div.path, old_div.depth) == (f"{province.agency.path}{old_div.pk:08d}/", 2)
    assert old.path == f"{province.agency.path}{old.pk:08d}/"
    assert staff.appointments.get().unit_id == old_div.pk  # the record still names the unit as it was
    giamdoc = province.users["giamdoc"]  # scoped to Sở Tài chính, the successor
    assert set(units_in_scope(giamdoc, Cap.ORG_VIEW).values_list("code", flat=True)) == {
        "01.001",
        "01.001.01",
        "01.009",
        "01.009.01",
    }
    assert staff in people_in_scope(giamdoc, Cap.ORG_VIEW)
    event = UnitEvent.objects.get(kind="merge")
    assert list(event.sources.values_list("code", flat=True)) == ["01.009"]
    assert list(event.targets.values_list("code", flat=True)) == ["01.001"]
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None and last.action == "org.unit.merge"
    assert sorted(tuple(s) for s in last.subjects) == sorted(
        [("unit", str(province.agency.pk)), ("unit", str(old.pk)), ("unit", str(old_div.pk))]
    )  # the re-parented division's history shows the merger too


def test_merge_refuses_retired_units(province: Province) -> None:
    old = unit("01.009", "Sở Kế hoạch và Đầu tư", UnitKind.AGENCY, province.root)
    services.merge_units(acting_user=None, sources=[old], into=province.agency, effective=date(2025, 3, 1), basis=BASIS)
    with pytest.raises(services.OrgError, match="không còn hoạt động"):
        services.merge_units(
            acting_user=None, sources=[old], into=province.other_agency, effective=date(2025, 4, 1), basis=BASIS
        )


def test_split_creates_units_and_sends_records_to_the_heir(province: Province) -> None:
    created = services.split_unit(
        acting_user=None,
        unit=province.other_division,
        into=[
            services.NewUnit("01.002.02", "Phòng Quy hoạch đô thị"),
            services.NewUnit("01.002.03", "Phòng Quy hoạch nông thôn"),
        ],
        effective=date(2025, 7, 1),
        basis=BASIS,
        records_heir_code="01.002.03",
    )
    assert [u.code for u in created] == ["01.002.02", "01.002.03"]
    old = Unit.objects.get(pk=province.other_division.pk)
    assert (old.status, old.successor_id) == (UnitStatus.SPLIT, created[1].pk)
    assert old.path.startswith(created[1].path)
    assert all(u.parent_id == province.other_agency.pk and u.depth == 2 for u in created)


def test_merge_and_dissolve_refuse_a_stale_form(province: Province) -> None:
    old = unit("01.009", "Sở Kế hoạch và Đầu tư", UnitKind.AGENCY, province.root)
    with pytest.raises(services.StaleObject):
        services.merge_units(
            acting_user=None,
            sources=[old],
            into=province.agency,
            effective=date(2025, 3, 1),
            basis=BASIS,
            expected_versions={old.pk: 9},
        )
    with pytest.raises(services.StaleObject):
        services.dissolve_unit(acting_user=None, unit=old, effective=date(2025, 3, 1), basis=BASIS, expected_version=9)
    assert Unit.objects.get(pk=old.pk).status == UnitStatus.ACTIVE


def test_dissolve_refuses_a_unit_with_a_post_ending_later(province: Province) -> None:
    from congvu.org.models import Title

    empty = unit("01.001.09", "Phòng Tổng hợp", UnitKind.DIVISION, province.agency)
    holder = services.create_person(acting_user=None, full_name="Đinh Văn Hậu", sex="M")
    services.appoint(
        acting_user=None,
        person=holder,
        title=Title.objects.get(code="chuyen_vien"),
        unit=empty,
        start_date=date(2024, 1, 1),
        end_date=date(2025, 6, 30),
    )
    with pytest.raises(services.OrgError, match="còn người đang giữ chức vụ"):
        services.dissolve_unit(acting_user=None, unit=empty, effective=date(2025, 3, 1), basis=BASIS)
    services.dissolve_unit(acting_user=None, unit=empty, effective=date(2025, 7, 1), basis=BASIS)


def test_dissolve_refuses_a_unit_with_people(province: Province) -> None:
    with pytest.raises(services.OrgError, match="còn người đang giữ chức vụ"):
        services.dissolve_unit(acting_user=None, unit=province.division, effective=date(2025, 3, 1), basis=BASIS)
    empty = unit("01.001.09", "Phòng Tổng hợp", UnitKind.DIVISION, province.agency)
    services.dissolve_unit(acting_user=None, unit=empty, effective=date(2025, 3, 1), basis=BASIS)
    empty.refresh_from_db()
    assert (empty.status, empty.valid_to) == (UnitStatus.DISSOLVED, date(2025, 3, 1))


def test_personal_id_is_twelve_digits_and_masked(province: Province) -> None:
    with pytest.raises(services.OrgError, match="đúng 12 chữ số"):
        services.create_person(acting_user=None, full_name="Võ Thị Sáu", sex="F", personal_id="12345")
    assert province.person.masked_personal_id == "•••••••••345"
    last = AuditEvent.objects.filter(action="org.person.create", object_id=str(province.person.pk)).get()
    assert last.after == {
        "full_name": "Nguyễn Thị Hoà",
        "birth_date": None,
        "sex": "F",
        "personal_id": "•••••••••345",
        "email": "",
        "phone": "",
    }


def test_second_primary_post_is_refused_but_concurrent_is_allowed(province: Province) -> None:
    from congvu.org.models import Title

    title = Title.objects.get(code="pho_truong_phong")
    with pytest.raises(services.OrgError, match="chức vụ chính khác"):
        services.appoint(
            acting_user=None,
            person=province.person,
            title=title,
            unit=province.other_division,
            start_date=date(2024, 1, 1),
        )
    post = services.appoint(
        acting_user=None,
        person=province.person,
        title=title,
        unit=province.other_division,
        start_date=date(2024, 1, 1),
        kind="concurrent",
    )
    assert post.get_kind_display() == "Kiêm nhiệm"
