"""Routing rules (category and place → unit), kept by Sở Nội vụ: the decision, the refusals, the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.feedback import services
from congvu.feedback.models import RoutingRule, Service
from congvu.feedback.routing import fold, route
from congvu.feedback.services import FeedbackError, StaleFeedback
from congvu.org.models import Unit, UnitStatus
from tests.factories import Province

pytestmark = pytest.mark.django_db
TEXT = "Đường Lê Lợi ngập sâu sau mỗi trận mưa, đề nghị khơi thông cống."


@pytest.fixture
def service(province: Province) -> Service:
    return Service.objects.create(code="ha-tang", name="Hạ tầng đô thị", default_unit=province.division)


@pytest.fixture
def other_service(province: Province) -> Service:
    return Service.objects.create(code="moi-truong", name="Môi trường", default_unit=province.division)


def rule(province: Province, unit: Unit, **fields: Any) -> RoutingRule:
    return services.save_routing_rule(acting_user=province.users[Role.NOIVU], rule=None, unit=unit, **fields)


def test_fold_ignores_case_accents_tone_placement_and_punctuation() -> None:
    assert fold("Phường Hoà Bình, TP. An Hòa") == "phuong hoa binh tp an hoa"
    assert fold("PHƯỜNG HÒA BÌNH") == fold("phuong  hoa-binh") == "phuong hoa binh"
    assert fold("Đắk Lắk") == "dak lak"


def test_first_matching_rule_by_priority_then_place_then_service_default(
    province: Province, service: Service, other_service: Service
) -> None:
    rule(province, province.other_division, place_contains="Phường Hòa Bình", priority=20)
    rule(province, province.agency, service=service, place_contains="hoa binh", priority=10)
    rule(province, province.other_agency, box=("10.5", "10.6", "106.6", "106.8"), priority=30)
    rule(province, province.root, service=other_service, priority=40)  # any place, that service only

    def unit_for(svc: Service, address: str = "", lat: str | None = None, long: str | None = None) -> str:
        return route(
            svc, None, address=address, lat=Decimal(lat) if lat else None, long=Decimal(long) if long else None
        ).code

    assert unit_for(service, "12 Lê Lợi, phường Hoà Bình") == province.agency.code  # priority 10 first
    assert unit_for(other_service, "12 Lê Lợi, PHƯỜNG HÒA BÌNH") == province.other_division.code  # 10 is ha-tang only
    assert unit_for(service, "Xã Hòa Bình Đông") == province.agency.code  # whole words: "hoa binh" is in it
    assert unit_for(service, "Phường Hòa Bìnhh") == province.division.code  # not a whole word: the default
    assert unit_for(service, "", "10.6", "106.6") == province.other_agency.code  # on the box's edge
    assert unit_for(service, "", "10.7", "106.7") == province.division.code
    assert unit_for(other_service, "Xã Tân Lập") == province.root.code
    # the unit the citizen named comes first
    assert route(service, province.other_division, address="phường Hòa Bình").code == province.other_division.code


def test_inactive_rules_and_rules_to_dissolved_units_are_skipped(province: Province, service: Service) -> None:
    first = rule(province, province.agency, place_contains="Tân Lập", priority=1)
    rule(province, province.other_agency, place_contains="Tân Lập", priority=2)
    services.save_routing_rule(
        acting_user=province.users[Role.NOIVU],
        rule=first,
        unit=province.agency,
        place_contains="Tân Lập",
        priority=1,
        active=False,
    )
    assert route(service, None, address="xã Tân Lập").code == province.other_agency.code
    Unit.objects.filter(pk=province.other_agency.pk).update(status=UnitStatus.DISSOLVED)
    assert route(service, None, address="xã Tân Lập").code == province.division.code


def test_a_submission_is_routed_by_the_rules(province: Province, service: Service) -> None:
    rule(province, province.other_division, place_contains="Tân Lập")
    f = services.submit(service=service, description=TEXT, address="Thôn 3, xã Tân Lập")
    assert f.responsible_unit_id == province.other_division.pk
    g = services.submit(service=service, description=TEXT, address="Phường 2")
    assert g.responsible_unit_id == province.division.pk


def test_saving_a_rule_is_audited_and_versioned(province: Province, service: Service) -> None:
    before = AuditEvent.objects.count()
    r = rule(province, province.agency, service=service, place_contains="  Phường   Hòa Bình ", note="Theo địa bàn")
    assert (r.place_contains, r.version, r.priority, r.active) == ("Phường Hòa Bình", 1, 100, True)
    changed = services.save_routing_rule(
        acting_user=province.users[Role.NOIVU],
        rule=r,
        unit=province.other_agency,
        box=("10.1", "10.2", "106.1", "106.2"),
        priority=7,
        expected_version=1,
    )
    assert (changed.unit_id, changed.service_id, changed.place_contains, changed.version) == (
        province.other_agency.pk,
        None,
        "",
        2,
    )
    assert (changed.lat_min, changed.long_max) == (Decimal("10.100000"), Decimal("106.200000"))
    events = list(AuditEvent.objects.order_by("id").values_list("action", "object_type")[before:])
    assert events == [("feedback.routing_rule", "routing_rule")] * 2
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None and last.before is not None and last.after is not None
    assert last.before["unit_id"] == province.agency.pk and last.after["unit_id"] == province.other_agency.pk
    with pytest.raises(StaleFeedback):
        services.save_routing_rule(
            acting_user=province.users[Role.NOIVU], rule=r, unit=province.agency, expected_version=1
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"box": ("10.1", "", "106.1", "106.2")},
            "Hãy cho đủ bốn giới hạn của vùng (vĩ độ từ, đến; kinh độ từ, đến), hoặc bỏ trống cả bốn.",
        ),
        ({"box": ("10.3", "10.2", "106.1", "106.2")}, "Giới hạn “từ” của vùng phải nhỏ hơn hoặc bằng giới hạn “đến”."),
        ({"box": ("95", "96", "106.1", "106.2")}, "Vĩ độ phải là số từ -90 đến 90."),
        ({"box": ("10", "11", "abc", "106.2")}, "Kinh độ phải là số từ -180 đến 180."),
        ({"priority": 10_001}, "Thứ tự ưu tiên phải từ 0 đến 10000."),
        ({"place_contains": "!!! ---"}, "Địa chỉ phải có chữ hoặc số."),
        ({"place_contains": "x" * 201}, "Địa chỉ dài quá 200 ký tự."),
        ({"note": "y" * 301}, "Ghi chú dài quá 300 ký tự."),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(province: Province, fields: dict[str, Any], message: str) -> None:
    before = (RoutingRule.objects.count(), AuditEvent.objects.count())
    with pytest.raises(FeedbackError) as caught:
        rule(province, province.agency, **fields)
    assert str(caught.value) == message
    assert (RoutingRule.objects.count(), AuditEvent.objects.count()) == before


def test_units_outside_the_scope_or_dissolved_are_refused(province: Province) -> None:
    with pytest.raises(FeedbackError) as caught:
        rule(province, province.outside_unit)
    assert str(caught.value) == "Đơn vị Sở Nội vụ tỉnh Bình Sơn nằm ngoài phạm vi của bạn."
    Unit.objects.filter(pk=province.other_agency.pk).update(status=UnitStatus.DISSOLVED)
    province.other_agency.refresh_from_db()
    with pytest.raises(FeedbackError) as caught:
        rule(province, province.other_agency)
    assert str(caught.value) == "Đơn vị Sở Xây dựng không còn hoạt động."
    assert RoutingRule.objects.count() == 0


def test_the_page_lists_adds_refuses_edits_and_tries_rules(province: Province, service: Service) -> None:
    client = Client()
    client.force_login(province.users[Role.NOIVU])
    ok = client.post(
        "/feedback/routing/",
        {
            "service": service.pk,
            "place_contains": "Tân Lập",
            "unit_code": province.agency.code,
            "priority": "5",
            "active": "on",
        },
    )
    assert ok.status_code == 302
    r = RoutingRule.objects.get()
    assert (r.service_id, r.place_contains, r.unit_id, r.priority) == (service.pk, "Tân Lập", province.agency.pk, 5)
    bad = client.post("/feedback/routing/", {"unit_code": "99.999", "priority": "5"})
    assert bad.status_code == 422
    assert "Không có đơn vị mã “99.999” trong phạm vi của bạn." in bad.content.decode()
    outside = client.post("/feedback/routing/", {"unit_code": province.outside_unit.code, "priority": "5"})
    assert outside.status_code == 422
    assert RoutingRule.objects.count() == 1
    page = client.get("/feedback/routing/", {"test_service": str(service.pk), "test_address": "xã TÂN LẬP"})
    assert page.status_code == 200
    assert page.context["routed"] == province.agency
    assert "Phản ánh này sẽ được chuyển tới: Sở Tài chính (01.001)" in page.content.decode()
    stale = client.post(
        f"/feedback/routing/{r.pk}/", {"unit_code": province.division.code, "priority": "5", "version": "9"}
    )
    assert stale.status_code == 422
    assert "Quy tắc đã được người khác sửa; vui lòng tải lại trang và thử lại." in stale.content.decode()
    edited = client.post(
        f"/feedback/routing/{r.pk}/", {"unit_code": province.division.code, "priority": "5", "version": "1"}
    )
    assert edited.status_code == 302
    r.refresh_from_db()
    assert (r.unit_id, r.active, r.version, r.service_id) == (province.division.pk, False, 2, None)
    officer = Client()
    officer.force_login(province.users[Role.CHUYENVIEN])
    assert officer.get("/feedback/routing/").status_code == 403
