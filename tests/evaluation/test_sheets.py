"""Evaluation sheets: self-assessment, review, the quota check that blocks a decision, corrections."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.evaluation import services
from congvu.evaluation.models import Decision, Sheet
from congvu.evaluation.services import QuotaExceeded, SheetError
from congvu.tasks import services as services_tasks
from congvu.tasks.models import TaskProduct
from tests.factories import Province, person, user
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


@pytest.fixture
def world(province: Province) -> World:
    return World(province)


def march_work(world: World) -> None:
    """Two tasks due in March: one done on time, one done late with one major error."""
    with on(date(2026, 3, 2)):
        good = world.assign(title="Báo cáo đúng hạn", deadline=date(2026, 3, 10), products=[(world.report, D(2))])
        late = world.assign(title="Báo cáo chậm", deadline=date(2026, 3, 12), products=[(world.draft, D(2))])
        world.accept(good)
        world.accept(late)
    with on(date(2026, 3, 9)):
        world.submit(good)
        world.approve(good)
    with on(date(2026, 3, 13)):
        world.submit(late)
        late.refresh_from_db()
        from congvu.tasks import services as task_services

        task_services.review_task(acting_user=world.leader, task=late, accept=True, grade="errors", major_errors=1)


def assessed(world: World) -> Sheet:
    period = services.month_period(date(2026, 3, 16))
    sheet = services.open_sheet(acting_user=world.owner_user, person=world.owner, period=period)
    return services.self_assess(
        acting_user=world.owner_user, sheet=sheet, general={"I": 9, "II": "9.5", "III": 8}, comment="Hoàn thành"
    )


def test_the_month_from_self_assessment_to_decision(world: World) -> None:
    march_work(world)
    head = world.province.users[Role.TRUONGPHONG]  # Phòng Ngân sách
    sheet = assessed(world)
    assert (sheet.state, sheet.role, sheet.unit_id, str(sheet.period)) == (
        "self_assessed",
        "staff",
        world.province.division.pk,
        "Tháng 03/2026",
    )
    sheet = services.review_sheet(
        acting_user=head, sheet=sheet, general={"I": 9, "II": 9, "III": 8}, comment="Cần chủ động hơn"
    )
    # weights: BC-CD 2 × 1.50 = 3.00 (on time); DT-VB 2 × 2.25 = 4.50 (1 day late, 1 major error)
    # a = 100; b = 100 × (3 + 4.5 × 0.75) / 7.5 = 85; c = 100 × (3 + 4.5 × 0.75) / 7.5 = 85
    # task % = 90; points = 63; total = 26 + 63 = 89 → HTT
    with on(date(2026, 3, 31)):
        decision = services.decide_sheet(acting_user=head, sheet=sheet, number="05/QĐ-STC")
    assert (decision.seq, decision.total, decision.level, decision.forced) == (1, D("89.00"), "HTT", False)
    assert {k: decision.values[k] for k in ("a", "b", "c", "task_points", "general")} == {
        "a": "100.00",
        "b": "85.00",
        "c": "85.00",
        "task_points": "63.00",
        "general": "26.00",
    }
    assert [p["task_title"] for p in decision.products] == ["Báo cáo đúng hạn", "Báo cáo chậm"]
    sheet.refresh_from_db()
    assert sheet.state == "decided"
    with pytest.raises(SheetError, match="điều chỉnh phải nêu lý do"):
        services.decide_sheet(acting_user=head, sheet=sheet)
    with on(date(2026, 4, 2)):
        corrected = services.decide_sheet(acting_user=head, sheet=sheet, correction_reason="Bổ sung minh chứng")
    assert (corrected.seq, corrected.correction_reason) == (2, "Bổ sung minh chứng")
    actions = list(AuditEvent.objects.filter(action__startswith="evaluation.").values_list("action", flat=True))
    assert actions == [
        "evaluation.sheet.open",
        "evaluation.sheet.self_assess",
        "evaluation.sheet.review",
        "evaluation.sheet.decide",
        "evaluation.sheet.decide",
    ]


def test_the_quota_blocks_an_excellent_result_without_enough_good_ones(world: World) -> None:
    with on(date(2026, 3, 2)):
        task = world.assign(deadline=date(2026, 3, 10))
        world.accept(task)
    with on(date(2026, 3, 9)):
        world.submit(task)
        world.approve(task)
    head = world.province.users[Role.TRUONGPHONG]
    sheet = assessed(world)
    sheet = services.review_sheet(acting_user=head, sheet=sheet, general={"I": 10, "II": 10, "III": 10})
    before = (Decision.objects.count(), AuditEvent.objects.count())
    with on(date(2026, 3, 31)), pytest.raises(QuotaExceeded) as caught:
        services.decide_sheet(acting_user=head, sheet=sheet)
    assert str(caught.value) == (
        "Vượt tỷ lệ hoàn thành xuất sắc: tối đa 0 người (20% số người hoàn thành tốt), đề nghị 1, vượt 1. "
        "Hãy điều chỉnh hoặc ghi lý do vượt tỷ lệ."
    )
    assert (caught.value.max_htxs, caught.value.excess) == (0, 1)
    assert (Decision.objects.count(), AuditEvent.objects.count()) == before
    with on(date(2026, 3, 31)):
        decision = services.decide_sheet(
            acting_user=head, sheet=sheet, quota_override_reason="Đơn vị được công nhận xuất sắc (QĐ 9/QĐ-UBND)"
        )
    assert (decision.total, decision.level, decision.quota_override_reason) == (
        D("100.00"),
        "HTXS",
        "Đơn vị được công nhận xuất sắc (QĐ 9/QĐ-UBND)",
    )


def test_who_may_act(world: World) -> None:
    march_work(world)
    period = services.month_period(date(2026, 3, 1))
    stranger = user("nguoi_la", Role.TRUONGPHONG, world.province.other_division)
    with pytest.raises(SheetError, match=exactly("Bạn không có quyền lập phiếu đánh giá cho Nguyễn Thị Hoà.")):
        services.open_sheet(acting_user=stranger, person=world.owner, period=period)
    sheet = assessed(world)
    with pytest.raises(SheetError, match=exactly("Chỉ người được đánh giá mới được tự chấm điểm.")):
        services.self_assess(acting_user=stranger, sheet=sheet, general={"I": 9, "II": 9, "III": 9})
    with pytest.raises(SheetError, match=exactly("Chỉ cấp trên có thẩm quyền mới được nhận xét, đánh giá phiếu này.")):
        services.review_sheet(acting_user=stranger, sheet=sheet, general={"I": 9, "II": 9, "III": 9})
    with pytest.raises(SheetError, match=exactly("Chỉ cấp trên có thẩm quyền mới được nhận xét, đánh giá phiếu này.")):
        services.review_sheet(acting_user=world.owner_user, sheet=sheet, general={"I": 9, "II": 9, "III": 9})
    head = world.province.users[Role.TRUONGPHONG]
    with pytest.raises(SheetError, match=exactly("Điểm nhóm II phải từ 0 đến 10, tối đa hai chữ số thập phân.")):
        services.review_sheet(acting_user=head, sheet=sheet, general={"I": 9, "II": 11, "III": 9})
    with pytest.raises(SheetError, match=r"^Hãy nêu căn cứ"):
        services.review_sheet(acting_user=head, sheet=sheet, general={"I": 9, "II": 9, "III": 9}, disciplined=True)
    returned = services.return_sheet(acting_user=head, sheet=sheet, reason="Bổ sung tự nhận xét")
    assert (returned.state, returned.return_reason) == ("returned", "Bổ sung tự nhận xét")
    with pytest.raises(services.StaleSheet):
        services.self_assess(
            acting_user=world.owner_user, sheet=returned, general={"I": 9, "II": 9, "III": 9}, expected_version=1
        )


def test_discipline_forces_kht_and_a_leader_counts_subordinates(world: World) -> None:
    march_work(world)
    p = world.province
    head_person = person("Lê Văn Trưởng", p.division, "truong_phong", sex="M")
    head_account = user("tp_moi", Role.TRUONGPHONG, p.division, head_person)
    director = p.users[Role.GIAMDOC]
    sheet = assessed(world)
    sheet = services.review_sheet(
        acting_user=head_account,
        sheet=sheet,
        general={"I": 9, "II": 9, "III": 9},
        disciplined=True,
        facts_basis="Quyết định 3/QĐ-STC khiển trách",
    )
    with on(date(2026, 3, 31)):
        decision = services.decide_sheet(acting_user=head_account, sheet=sheet)
    assert (decision.level, decision.forced) == ("KHT", True)
    period = services.month_period(date(2026, 3, 1))
    lead_sheet = services.open_sheet(acting_user=director, person=head_person, period=period)
    assert lead_sheet.role == "leader"
    assert services.subordinate_levels_of(lead_sheet) == ["KHT"]


def decided_month(world: World) -> tuple[Sheet, Decision]:
    march_work(world)
    head = world.province.users[Role.TRUONGPHONG]
    sheet = services.review_sheet(acting_user=head, sheet=assessed(world), general={"I": 9, "II": 9, "III": 8})
    with on(date(2026, 3, 31)):
        decision = services.decide_sheet(acting_user=head, sheet=sheet)
    sheet.refresh_from_db()
    return sheet, decision


def test_a_complaint_is_answered_and_a_change_is_a_new_decision(world: World) -> None:
    sheet, first = decided_month(world)
    head = world.province.users[Role.TRUONGPHONG]
    with pytest.raises(SheetError, match=exactly("Chỉ người được đánh giá mới được khiếu nại kết quả của mình.")):
        services.file_complaint(acting_user=head, sheet=sheet, text="x")
    complaint = services.file_complaint(acting_user=world.owner_user, sheet=sheet, text="Nhiệm vụ chậm do chờ số liệu")
    with pytest.raises(SheetError, match=exactly("Phiếu đang có một khiếu nại chưa được giải quyết.")):
        services.file_complaint(acting_user=world.owner_user, sheet=sheet, text="Lần hai")
    # The objective cause of the late product is confirmed: no deduction for it any more, so
    # a = b = c = 100, total = 26 + 70 = 96, HTXS — over the division's quota of 0 (nobody else rated HTT).
    TaskProduct.objects.filter(task__title="Báo cáo chậm").update(excused=True)
    with on(date(2026, 4, 3)), pytest.raises(QuotaExceeded):
        services.resolve_complaint(acting_user=head, complaint=complaint, resolution="Chấp nhận", change=True)
    complaint.refresh_from_db()
    assert (complaint.state, Decision.objects.filter(sheet=sheet).count()) == ("open", 1)
    with on(date(2026, 4, 3)):
        resolved = services.resolve_complaint(
            acting_user=head,
            complaint=complaint,
            resolution="Chấp nhận lý do khách quan",
            change=True,
            quota_override_reason="Kết quả sau khiếu nại",
        )
    second = Decision.objects.get(sheet=sheet, seq=2)
    assert (resolved.state, resolved.new_decision) == ("resolved", second)
    assert (first.total, first.level, second.total, second.level) == (D("89.00"), "HTT", D("96.00"), "HTXS")
    assert second.correction_reason == "Giải quyết khiếu nại: Chấp nhận lý do khách quan"
    unchanged = services.file_complaint(acting_user=world.owner_user, sheet=sheet, text="Lần sau")
    resolved = services.resolve_complaint(acting_user=head, complaint=unchanged, resolution="Giữ nguyên")
    assert (resolved.state, resolved.new_decision, Decision.objects.filter(sheet=sheet).count()) == (
        "resolved",
        None,
        2,
    )


def test_collective_comments_come_before_a_heads_decision(world: World) -> None:
    p = world.province
    director = p.users[Role.GIAMDOC]
    head_person = person("Lê Văn Trưởng", p.division, "truong_phong", sex="M")
    head_account = user("tp_moi", Role.TRUONGPHONG, p.division, head_person)
    with on(date(2026, 3, 2)):
        task = world.assign(owner=head_person, deadline=date(2026, 3, 10), products=[(world.report, D(1))])
        services_tasks.accept_task(acting_user=head_account, task=task, plan=[("Làm", date(2026, 3, 10))])
    with on(date(2026, 3, 9)):
        task.refresh_from_db()
        services_tasks.submit_task(acting_user=head_account, task=task, products_done={})
        task.refresh_from_db()
        world.approve(task)
    period = services.month_period(date(2026, 3, 1))
    sheet = services.open_sheet(acting_user=head_account, person=head_person, period=period)
    assert sheet.role == "leader"
    sheet = services.self_assess(acting_user=head_account, sheet=sheet, general={"I": 9, "II": 9, "III": 9})
    with pytest.raises(SheetError, match=exactly("Tỷ lệ tổ chức thực hiện (đ) phải là tỷ lệ phần trăm từ 0 đến 100.")):
        services.review_sheet(acting_user=director, sheet=sheet, general={"I": 9, "II": 9, "III": 9}, uniting=100)
    sheet = services.review_sheet(
        acting_user=director, sheet=sheet, general={"I": 9, "II": 9, "III": 9}, organising=90, uniting=100
    )
    with on(date(2026, 3, 31)), pytest.raises(SheetError, match="cần ý kiến của tập thể lãnh đạo"):
        services.decide_sheet(acting_user=director, sheet=sheet)
    with pytest.raises(SheetError, match=exactly("Ngày họp không được sau hôm nay.")):
        services.record_collective_comments(acting_user=director, sheet=sheet, comment="x", held_on=date(2026, 3, 17))
    sheet = services.record_collective_comments(
        acting_user=director, sheet=sheet, comment="Thống nhất", held_on=date(2026, 3, 16)
    )
    # its product was not marked done at submission → a = b = c = 0; d = 100 (no subordinate decided),
    # đ = 90, e = 100 → task % = 290 / 6 = 48.333… → 33.83 points; total 27 + 33.83 = 60.83 → HT
    with on(date(2026, 3, 31)):
        decision = services.decide_sheet(acting_user=director, sheet=sheet)
    assert (decision.values["d"], decision.values["task_points"], decision.total, decision.level) == (
        "100.00",
        "33.83",
        D("60.83"),
        "HT",
    )


def test_the_year_and_a_provincial_quarterly_overlay(world: World, settings: Any, tmp_path: Path) -> None:
    decided_month(world)
    year = services.year_result(world.owner, 2026)
    assert year is not None and (year.average, year.level) == (D("89.00"), "HTT")
    assert services.year_result(world.owner, 2025) is None
    assert str(services.period_for(date(2026, 8, 20))) == "Tháng 08/2026"
    (tmp_path / "an-hoa.yaml").write_text(
        "id: an-hoa-2026\nextends: vn-nd-335-2025\nparameters:\n  period.aggregation:\n    values:\n"
        '      - {from: 2026-07-01, value: quarterly, citation: "Quyết định 12/2026/QĐ-UBND", certainty: verified}\n',
        encoding="utf-8",
    )
    settings.CONGVU_RULES_DIRS = [tmp_path]
    settings.CONGVU_RULESET = "an-hoa-2026"
    quarter = services.period_for(date(2026, 8, 20))
    assert (str(quarter), quarter.start, quarter.end) == ("Quý 3/2026", date(2026, 7, 1), date(2026, 9, 30))
    assert str(services.period_for(date(2026, 3, 5))) == "Tháng 03/2026"


def test_the_people_concerned_are_told(world: World) -> None:
    from congvu.notifications.models import Notification

    decided_month(world)
    rows = list(
        Notification.objects.filter(kind="evaluation")
        .order_by("id")
        .values_list("recipient__username", "title", "body")
    )
    assert rows == [
        ("giamdoc", "Phiếu chờ nhận xét: Nguyễn Thị Hoà — Tháng 03/2026", ""),
        ("truongphong", "Phiếu chờ nhận xét: Nguyễn Thị Hoà — Tháng 03/2026", ""),
        ("hoa", "Kết quả đánh giá: Nguyễn Thị Hoà — Tháng 03/2026", "Tổng điểm 89,00, xếp loại HTT."),
    ]


def test_a_month_on_leave_is_not_evaluated_and_left_out_of_the_year(world: World) -> None:
    decided_month(world)  # March: 89.00
    head = world.province.users[Role.TRUONGPHONG]
    april = services.open_sheet(
        acting_user=world.owner_user, person=world.owner, period=services.month_period(date(2026, 4, 1))
    )
    with pytest.raises(SheetError, match=exactly("Hãy nêu căn cứ (quyết định, giấy nghỉ) của kỳ không đánh giá.")):
        services.mark_not_evaluated(acting_user=head, sheet=april, kind="maternity", basis=" ")
    with pytest.raises(SheetError, match=exactly("Chỉ cấp trên có thẩm quyền mới được ghi nhận kỳ không đánh giá.")):
        services.mark_not_evaluated(acting_user=world.owner_user, sheet=april, kind="maternity", basis="QĐ 3")
    april = services.mark_not_evaluated(acting_user=head, sheet=april, kind="maternity", basis="Quyết định 3/QĐ-STC")
    assert (april.state, april.absence_kind, april.absence_basis) == (
        "not_evaluated",
        "maternity",
        "Quyết định 3/QĐ-STC",
    )
    year = services.year_result(world.owner, 2026)
    assert year is not None and (year.average, year.level) == (D("89.00"), "HTT")  # April is not a zero
    with pytest.raises(SheetError, match="đang ở trạng thái “Không đánh giá kỳ này”"):
        services.self_assess(acting_user=world.owner_user, sheet=april, general={"I": 9, "II": 9, "III": 9})
