"""Organisation pages: content, masking, access logging, constant query counts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congvu.audit.models import AuditEvent
from congvu.org.models import Unit, UnitEvent, UnitKind
from tests.factories import Province, person, unit

pytestmark = pytest.mark.django_db


def signed_in(province: Province, role: str) -> Client:
    client = Client()
    client.force_login(province.users[role])
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_tree_and_children_query_counts_do_not_grow_with_units(province: Province) -> None:
    client = signed_in(province, "admin")
    tree_url = reverse("org:tree")
    children_url = reverse("org:tree_children", args=[province.agency.pk])
    before = (queries(client, tree_url), queries(client, children_url))
    for i in range(30):
        parent = unit(f"01.001.{i + 10:02d}", f"Phòng số {i}", UnitKind.DIVISION, province.agency)
        unit(f"01.001.{i + 10:02d}.1", f"Tổ {i}", UnitKind.DIVISION, parent)
    unit("03", "Tỉnh thứ ba", UnitKind.PROVINCE, None)
    assert (queries(client, tree_url), queries(client, children_url)) == before


def test_unit_page_shows_people_and_history(province: Province) -> None:
    person("Đặng Văn Khoa", province.division, title_code="truong_phong", sex="M")
    html = signed_in(province, "giamdoc").get(reverse("org:unit_detail", args=[province.division.pk])).content.decode()
    assert "Phòng Ngân sách" in html and "Sở Tài chính" in html  # breadcrumb
    assert "Đặng Văn Khoa" in html and "Trưởng phòng" in html
    assert "org.unit.create" not in html  # the change log is for auditors (audit.view)
    noivu = signed_in(province, "noivu").get(reverse("org:unit_detail", args=[province.division.pk])).content.decode()
    assert "org.unit.create" in noivu


def test_unit_page_query_count_is_constant(province: Province) -> None:
    client = signed_in(province, "admin")
    url = reverse("org:unit_detail", args=[province.division.pk])
    first = queries(client, url)
    for i in range(10):
        person(f"Nguyễn Văn Số {i}", province.division, sex="M")
    assert queries(client, url) == first


def test_personal_id_is_masked_and_reveal_is_logged(province: Province) -> None:
    url = reverse("org:person_detail", args=[province.person.pk])
    html = signed_in(province, "giamdoc").get(url).content.decode()
    assert "•••••••••345" in html and "001186012345" not in html
    assert reverse("org:person_pid", args=[province.person.pk]) not in html
    noivu = signed_in(province, "noivu")
    assert reverse("org:person_pid", args=[province.person.pk]) in noivu.get(url).content.decode()
    before = AuditEvent.objects.count()
    revealed = noivu.post(reverse("org:person_pid", args=[province.person.pk]))
    assert "001186012345" in revealed.content.decode()
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and (event.action, event.actor_label, event.object_id) == (
        "org.person.pid_view",
        "noivu",
        str(province.person.pk),
    )


def test_rename_through_the_page(province: Province) -> None:
    client = signed_in(province, "noivu")
    url = reverse("org:unit_rename", args=[province.division.pk])
    data = {
        "name": "Phòng Quản lý ngân sách",
        "code": "01.001.01",
        "effective": "2026-01-01",
        "basis_number": "7/QĐ-UBND",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    assert Unit.objects.get(pk=province.division.pk).name == "Phòng Quản lý ngân sách"
    # The same form posted again carries a stale version: refused, nothing written.
    stale = client.post(url, data | {"name": "Tên khác"})
    assert stale.status_code == 400
    assert "Dữ liệu đã được người khác thay đổi" in stale.content.decode()
    assert Unit.objects.get(pk=province.division.pk).name == "Phòng Quản lý ngân sách"


def test_rename_with_bad_input_is_a_clear_error(province: Province) -> None:
    client = signed_in(province, "noivu")
    url = reverse("org:unit_rename", args=[province.division.pk])
    response = client.post(url, {"name": "", "code": "01.001.01", "effective": "không phải ngày", "version": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trường này là bắt buộc." in html and "Nhập một ngày hợp lệ." in html


def test_person_search(province: Province) -> None:
    client = signed_in(province, "admin")
    for query in ("Đức", "đức", "duc", "TRAN VAN"):
        html = client.get(reverse("org:person_list"), {"q": query}).content.decode()
        assert "Trần Văn Đức" in html and "Nguyễn Thị Hoà" not in html, query


def test_fold() -> None:
    from congvu.org.search import fold

    assert fold("  Nguyễn   Thị HOÀ ") == "nguyen thi hoa"
    assert fold("Đặng Đức Ước") == "dang duc uoc"


def post_event(client: Client, url_name: str, unit: Unit, **data: str) -> tuple[int, str]:
    basis = {
        "version": str(Unit.objects.get(pk=unit.pk).version),
        "effective": "2026-03-01",
        "basis_number": "21/QĐ-UBND",
        "basis_date": "2026-02-25",
        "basis_issuer": "UBND tỉnh",
    }
    response = client.post(reverse(url_name, args=[unit.pk]), basis | data)
    return response.status_code, response.content.decode()


def test_add_merge_split_and_dissolve_through_the_pages(province: Province) -> None:
    client = signed_in(province, "noivu")
    assert (
        post_event(client, "org:unit_add", province.agency, code="01.001.05", name="Phòng Giá", kind="division")[0]
        == 302
    )
    added = Unit.objects.get(code="01.001.05")
    assert (added.parent_id, added.valid_from) == (province.agency.pk, date(2026, 3, 1))
    assert UnitEvent.objects.get(kind="create", targets=added).basis_label == "21/QĐ-UBND, 25/02/2026, UBND tỉnh"

    assert post_event(client, "org:unit_merge", added, into_code="01.001.01", effective="2026-04-01")[0] == 302
    added.refresh_from_db()
    assert (added.status, added.successor_id) == ("merged", province.division.pk)

    status, _html = post_event(
        client,
        "org:unit_split",
        province.other_division,
        new_units="01.002.05 | Phòng A\n01.002.06 | Phòng B",
        heir_code="01.002.06",
    )
    assert status == 302, re.findall(r'role="alert">([^<]*)<', _html)
    assert Unit.objects.get(pk=province.other_division.pk).successor == Unit.objects.get(code="01.002.06")

    empty = unit("01.001.09", "Phòng Tổng hợp", UnitKind.DIVISION, province.agency)
    assert post_event(client, "org:unit_dissolve", empty)[0] == 302
    assert Unit.objects.get(pk=empty.pk).status == "dissolved"


def test_event_pages_refuse_bad_input_and_out_of_scope_targets(province: Province) -> None:
    client = signed_in(province, "noivu")
    status, html = post_event(client, "org:unit_merge", province.division, into_code="02.001")
    assert status == 400 and "Không có đơn vị đang hoạt động mã “02.001” trong phạm vi của bạn." in html
    status, html = post_event(client, "org:unit_split", province.division, new_units="chỉ một dòng")
    assert status == 400 and "Dòng 1 phải có dạng “mã | tên”." in html
    status, html = post_event(client, "org:unit_dissolve", province.division)
    assert status == 400 and "Không thể giải thể đơn vị còn người đang giữ chức vụ." in html
    status, html = post_event(
        client, "org:unit_add", province.division, code="01.002", name="Trùng mã", kind="division"
    )
    assert status == 400 and "Mã đơn vị 01.002 đã được dùng." in html
    assert Unit.objects.filter(status="active").count() == 7


def test_a_scoped_editor_cannot_split_out_of_the_scope(province: Province) -> None:
    from congvu.core.policy import Role
    from tests.factories import user

    editor = user("noivu_phong", Role.NOIVU, province.division)
    client = Client()
    client.force_login(editor)
    status, html = post_event(client, "org:unit_split", province.division, new_units="X1 | A\nX2 | B", heir_code="X1")
    assert status == 400
    assert "Chỉ chia tách được đơn vị mà đơn vị cấp trên của nó cũng thuộc phạm vi của bạn." in html
    assert not Unit.objects.filter(code__in=["X1", "X2"]).exists()
    status, html = post_event(
        signed_in(province, "noivu"), "org:unit_split", province.other_division, new_units=f"{'9' * 41} | A\nY2 | B"
    )
    assert status == 400 and "Dòng 1: mã tối đa 40 ký tự, tên tối đa 255 ký tự." in html
