"""Field visits (khảo sát thực tế): planned in scope, findings recorded once, a finding becomes a task."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.tasks import field_visits
from congvu.tasks.models import FieldVisit, FieldVisitState, Finding
from tests.tasks.conftest import World, assert_refused, on

pytestmark = pytest.mark.django_db

TITLE = "Khảo sát thực hiện thủ tục cấp phép tại bộ phận một cửa"
PLACE = "Bộ phận một cửa huyện Đông Hải"


def plan(world: World, **overrides: object) -> FieldVisit:
    kwargs: dict[str, object] = {
        "acting_user": world.leader,
        "unit": world.province.division,
        "title": f"  {TITLE} ",
        "place": f" {PLACE} ",
        "planned_on": date(2026, 3, 20),
        "leader": world.chair,
        "participants": [world.owner, world.province.other_person],
        "purpose": " Đánh giá thời gian giải quyết hồ sơ ",
    }
    kwargs.update(overrides)
    return field_visits.plan_visit(**kwargs)  # type: ignore[arg-type]


def visited(world: World) -> FieldVisit:
    visit = plan(world)
    with on(date(2026, 3, 20), hour=16):
        return field_visits.record_findings(
            acting_user=world.leader,
            visit=visit,
            visited_on=date(2026, 3, 20),
            findings=[
                (" Hồ sơ quá hạn chưa được xin lỗi người dân ", " Thực hiện đúng quy định về thư xin lỗi "),
                ("Niêm yết thủ tục chưa cập nhật", ""),
            ],
        )


# -- planning --------------------------------------------------------------------------------


def test_a_visit_is_planned_in_the_planners_scope(world: World) -> None:
    p = world.province
    visit = plan(world)
    visit.refresh_from_db()
    assert (
        visit.unit_id,
        visit.title,
        visit.purpose,
        visit.place,
        visit.planned_on,
        visit.visited_on,
        visit.leader_id,
        visit.state,
        visit.created_by_id,
        visit.version,
    ) == (
        p.division.pk,
        TITLE,
        "Đánh giá thời gian giải quyết hồ sơ",
        PLACE,
        date(2026, 3, 20),
        None,
        world.chair.pk,
        FieldVisitState.PLANNED,
        world.leader.pk,
        1,
    )
    assert set(visit.participants.all()) == {world.owner, p.other_person}
    event = AuditEvent.objects.order_by("-seq")[0]
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "tasks.field_visit.plan",
        world.leader.pk,
        "field_visit",
        str(visit.pk),
    )
    assert event.subjects == [
        ["field_visit", str(visit.pk)],
        ["unit", str(p.division.pk)],
        ["person", str(world.chair.pk)],
    ]
    assert event.after is not None
    assert event.after["participants"] == sorted([world.owner.pk, p.other_person.pk])


def test_a_division_head_plans_for_his_division_only(world: World) -> None:
    p = world.province
    head = p.users[Role.TRUONGPHONG]
    assert plan(world, acting_user=head).unit_id == p.division.pk
    assert_refused(
        lambda: plan(world, acting_user=head, unit=p.other_division),
        "Đơn vị Phòng Quy hoạch nằm ngoài phạm vi quản lý của bạn.",
    )
    assert_refused(
        lambda: plan(world, acting_user=p.users[Role.CHUYENVIEN]),
        "Đơn vị Phòng Ngân sách nằm ngoài phạm vi quản lý của bạn.",
    )
    assert_refused(
        lambda: plan(world, acting_user=world.leader, unit=p.outside_unit),
        "Đơn vị Sở Nội vụ tỉnh Bình Sơn nằm ngoài phạm vi quản lý của bạn.",
    )
    assert_refused(lambda: plan(world, title="  "), "Hãy nêu nội dung và địa điểm khảo sát.")
    assert_refused(lambda: plan(world, place=""), "Hãy nêu nội dung và địa điểm khảo sát.")


# -- findings --------------------------------------------------------------------------------


def test_findings_are_recorded_with_the_visit_day(world: World) -> None:
    visit = visited(world)
    visit.refresh_from_db()
    assert (visit.state, visit.visited_on, visit.version) == (FieldVisitState.DONE, date(2026, 3, 20), 2)
    assert list(Finding.objects.filter(visit=visit).values_list("order", "text", "recommendation")) == [
        (1, "Hồ sơ quá hạn chưa được xin lỗi người dân", "Thực hiện đúng quy định về thư xin lỗi"),
        (2, "Niêm yết thủ tục chưa cập nhật", ""),
    ]
    event = AuditEvent.objects.order_by("-seq")[0]
    assert (event.action, event.object_id) == ("tasks.field_visit.record", str(visit.pk))
    assert event.before is not None
    assert event.after is not None
    assert (event.before["state"], event.after["state"], event.after["visited_on"]) == ("planned", "done", "2026-03-20")
    assert event.after["findings"] == [
        ["Hồ sơ quá hạn chưa được xin lỗi người dân", "Thực hiện đúng quy định về thư xin lỗi"],
        ["Niêm yết thủ tục chưa cập nhật", ""],
    ]


def test_refusals_when_recording_findings(world: World) -> None:
    visit = plan(world)
    good = [("Hồ sơ quá hạn", "")]
    with on(date(2026, 3, 20)):
        assert_refused(
            lambda: field_visits.record_findings(
                acting_user=world.leader, visit=visit, visited_on=date(2026, 3, 21), findings=good
            ),
            "Ngày thực hiện 21/03/2026 không được sau hôm nay.",
        )
        for empty in [[], [("  ", "Kiến nghị không có phát hiện")], [("Hồ sơ quá hạn", ""), ("\n", "")]]:
            assert_refused(
                partial(
                    field_visits.record_findings,
                    acting_user=world.leader,
                    visit=visit,
                    visited_on=date(2026, 3, 20),
                    findings=empty,
                ),
                "Hãy ghi ít nhất một phát hiện; mỗi phát hiện phải có nội dung.",
            )
        assert_refused(
            lambda: field_visits.record_findings(
                acting_user=world.province.users[Role.CHUYENVIEN],
                visit=visit,
                visited_on=date(2026, 3, 20),
                findings=good,
            ),
            "Đợt khảo sát này nằm ngoài phạm vi quản lý của bạn.",
        )
        assert_refused(
            lambda: field_visits.record_findings(
                acting_user=world.leader, visit=visit, visited_on=date(2026, 3, 20), findings=good, expected_version=2
            ),
            "Đợt khảo sát đã được người khác cập nhật; vui lòng tải lại trang và thử lại.",
        )
        field_visits.record_findings(
            acting_user=world.leader, visit=visit, visited_on=date(2026, 3, 20), findings=good, expected_version=1
        )
        assert_refused(
            lambda: field_visits.record_findings(
                acting_user=world.leader, visit=visit, visited_on=date(2026, 3, 20), findings=[("Lần hai", "")]
            ),
            "Kết quả khảo sát đã được ghi nhận.",
        )
    assert list(Finding.objects.values_list("order", "text")) == [(1, "Hồ sơ quá hạn")]


# -- a finding becomes a task ----------------------------------------------------------------


def test_a_finding_becomes_a_task(world: World) -> None:
    visit = visited(world)
    finding = Finding.objects.get(visit=visit, order=1)
    with on(date(2026, 3, 23)):
        task = world.assign(
            title="Thực hiện thư xin lỗi khi hồ sơ quá hạn", meeting=None, clause="", finding=finding, products=[]
        )
    assert (task.finding_id, task.meeting_id, task.directive_id, task.assigned_on) == (
        finding.pk,
        None,
        None,
        date(2026, 3, 23),
    )
    assert list(finding.tasks.all()) == [task]
    event = AuditEvent.objects.get(action="tasks.task.assign")
    assert event.after is not None
    assert event.after["finding_id"] == finding.pk
    assert event.subjects == [
        ["task", str(task.pk)],
        ["unit", str(world.province.division.pk)],
        ["person", str(world.owner.pk)],
        ["field_visit", str(visit.pk)],
    ]


def test_a_task_from_a_finding_is_not_assigned_before_the_visit(world: World) -> None:
    visit = visited(world)  # visited on 20/03
    finding = Finding.objects.get(visit=visit, order=2)
    with on(date(2026, 3, 23)):
        assert_refused(
            lambda: world.assign(meeting=None, finding=finding, assigned_on=date(2026, 3, 19)),
            "Ngày giao 19/03/2026 không được trước ngày của nguồn giao nhiệm vụ (20/03/2026).",
        )
        task = world.assign(meeting=None, finding=finding, assigned_on=date(2026, 3, 20))  # the visit day itself
    assert (task.assigned_on, task.finding_id) == (date(2026, 3, 20), finding.pk)


def test_a_finding_of_a_visit_outside_the_assigners_scope_is_refused(world: World) -> None:
    p = world.province
    foreign = FieldVisit.objects.create(
        unit=p.outside_unit,
        title="Khảo sát của tỉnh khác",
        place="Bình Sơn",
        planned_on=date(2026, 3, 2),
        visited_on=date(2026, 3, 3),
        state=FieldVisitState.DONE,
        leader=p.outside_person,
        created_by=world.leader,
    )
    finding = Finding.objects.create(visit=foreign, order=1, text="Thiếu biển chỉ dẫn")
    assert_refused(
        lambda: world.assign(meeting=None, finding=finding),
        "Đợt khảo sát của phát hiện này nằm ngoài phạm vi của bạn.",
    )
