"""Evaluation sheets: self-assessment, review, the quota check that blocks a decision, corrections."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.evaluation import services
from congvu.evaluation.models import Decision, Sheet
from congvu.evaluation.services import QuotaExceeded, SheetError
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
