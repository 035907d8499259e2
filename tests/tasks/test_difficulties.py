"""Difficulties (khó khăn, vướng mắc): addressed one level up, answered within 3 working days, escalated when not."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.core.workcal import default_calendar
from congvu.notifications.models import Kind, SweepRun
from congvu.tasks import difficulties, services
from congvu.tasks.models import Difficulty, Task
from tests.factories import person, user
from tests.tasks.conftest import World, all_counts, assert_refused, notifications, on, sweep_on

pytestmark = pytest.mark.django_db

TITLE = "Rà soát thủ tục hành chính lĩnh vực ngân sách"
PROBLEM = "Chưa có số liệu quyết toán của Kho bạc"


def url(task: Task) -> str:
    return f"/tasks/{task.pk}/"


def division_head(world: World) -> User:
    """A trưởng phòng of Phòng Ngân sách whose account is linked to his person (so he can own tasks)."""
    head = person("Lê Minh Trưởng", world.province.division, "truong_phong", sex="M")
    return user("truong", Role.TRUONGPHONG, world.province.division, head)


def state(d: Difficulty) -> tuple[int, int, date, int, date | None]:
    d.refresh_from_db()
    return (d.addressed_unit_id, d.level, d.answer_due, d.version, d.answered_on)


def test_the_answer_day_is_three_working_days_later() -> None:
    assert difficulties.answer_due(date(2026, 3, 16)) == date(2026, 3, 19)  # Mon → Thu
    assert difficulties.answer_due(date(2026, 3, 19)) == date(2026, 3, 24)  # Thu → Fri, (weekend), Mon, Tue
    # Fri 24/4 → (25–26 weekend, 27/4 Giỗ Tổ observed) 28, 29, (30/4, 1/5 holidays, weekend) 4/5
    assert default_calendar().is_working_day(date(2026, 4, 27)) is False
    assert difficulties.answer_due(date(2026, 4, 24)) == date(2026, 5, 4)


# -- raising ---------------------------------------------------------------------------------


def test_a_chuyen_vien_raises_to_the_lead_unit(world: World) -> None:
    p = world.province
    task = world.assign()
    audit = AuditEvent.objects.count()
    d = difficulties.raise_difficulty(
        acting_user=world.owner_user, task=task, description=f"  {PROBLEM}  ", proposal=" Xin lùi hạn 1 tuần "
    )
    d.refresh_from_db()
    assert (d.task_id, d.description, d.proposal, d.raised_by_id, d.raised_on) == (
        task.pk,
        PROBLEM,
        "Xin lùi hạn 1 tuần",
        world.owner_user.pk,
        date(2026, 3, 16),
    )
    assert (d.addressed_unit_id, d.level, d.answer_due, d.version) == (p.division.pk, 0, date(2026, 3, 19), 1)
    assert (d.answer, d.answered_by_id, d.answered_at, d.answered_on) == ("", None, None, None)

    assert AuditEvent.objects.count() == audit + 1
    event = AuditEvent.objects.order_by("-seq")[0]
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "tasks.difficulty.raise",
        world.owner_user.pk,
        "difficulty",
        str(d.pk),
    )
    assert event.subjects == [["difficulty", str(d.pk)], ["task", str(task.pk)], ["unit", str(p.division.pk)]]

    # the division's head and the assigner are told (not the raiser)
    expected_body = f"Trả lời trước ngày 19/03/2026. {PROBLEM}"
    assert notifications("difficulty:") == [
        (
            who,
            f"difficulty:{d.pk}:0",
            Kind.DIFFICULTY,
            f"Khó khăn, vướng mắc cần trả lời: {TITLE}",
            expected_body,
            url(task),
        )
        for who in ["lanhdao", "truongphong"]
    ]


def test_a_division_head_owning_the_task_raises_to_the_agency(world: World) -> None:
    p = world.province
    head = division_head(world)
    assert head.person is not None
    task = world.assign(owner=head.person)
    d = difficulties.raise_difficulty(acting_user=head, task=task, description=PROBLEM)
    assert (d.addressed_unit_id, d.level, d.answer_due) == (p.agency.pk, 0, date(2026, 3, 19))
    assert [(r[0], r[1]) for r in notifications("difficulty:")] == [
        ("giamdoc", f"difficulty:{d.pk}:0"),
        ("lanhdao", f"difficulty:{d.pk}:0"),
    ]


def test_only_the_owner_raises_and_only_with_a_text(world: World) -> None:
    task = world.assign()
    for someone in [world.leader, world.province.users[Role.TRUONGPHONG], world.province.users[Role.CHUYENVIEN]]:
        assert_refused(
            partial(difficulties.raise_difficulty, acting_user=someone, task=task, description=PROBLEM),
            "Chỉ người chịu trách nhiệm thực hiện nhiệm vụ mới được báo cáo khó khăn, vướng mắc.",
        )
    assert_refused(
        lambda: difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=" \n\t "),
        "Hãy nêu nội dung khó khăn, vướng mắc.",
    )
    services.cancel_task(acting_user=world.leader, task=task, reason="Đã có văn bản thay thế")
    assert_refused(
        lambda: difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM),
        "Nhiệm vụ đã kết thúc; không thể báo cáo khó khăn, vướng mắc.",
    )
    assert Difficulty.objects.count() == 0


# -- answering -------------------------------------------------------------------------------


def test_the_assigner_answers_and_the_owner_is_told(world: World) -> None:
    task = world.assign()
    d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM)
    with on(date(2026, 3, 18), hour=15):
        answered = difficulties.answer_difficulty(
            acting_user=world.leader, difficulty=d, answer=" Đã đề nghị Kho bạc gửi số liệu ", expected_version=1
        )
    assert (answered.answer, answered.answered_by_id, answered.answered_on, answered.version) == (
        "Đã đề nghị Kho bạc gửi số liệu",
        world.leader.pk,
        date(2026, 3, 18),
        2,
    )
    event = AuditEvent.objects.order_by("-seq")[0]
    assert event.action == "tasks.difficulty.answer"
    assert event.after is not None
    assert (event.after["on_time"], event.after["answered_on"], event.after["level"]) == (True, "2026-03-18", 0)
    assert notifications("difficulty-answer:") == [
        (
            "hoa",
            f"difficulty-answer:{d.pk}",
            Kind.DIFFICULTY,
            f"Khó khăn, vướng mắc đã được trả lời: {TITLE}",
            "Đã đề nghị Kho bạc gửi số liệu",
            url(task),
        )
    ]


@pytest.mark.parametrize("role", [Role.TRUONGPHONG, Role.GIAMDOC])
def test_a_leader_whose_scope_covers_the_addressed_unit_answers(world: World, role: str) -> None:
    task = world.assign()
    d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM)
    leader = world.province.users[role]
    difficulties.answer_difficulty(acting_user=leader, difficulty=d, answer="Đồng ý lùi hạn")
    d.refresh_from_db()
    assert (d.answered_by_id, d.answered_on) == (leader.pk, date(2026, 3, 16))


def test_who_may_not_answer(world: World) -> None:
    p = world.province
    task = world.assign()
    d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM)
    other_head = user("tp_quyhoach", Role.TRUONGPHONG, p.other_division)
    message = "Chỉ người giao nhiệm vụ hoặc lãnh đạo của Phòng Ngân sách mới được trả lời."
    for someone in [world.owner_user, p.users[Role.CHUYENVIEN], p.users[Role.THANHTRA], other_head]:
        assert_refused(
            partial(difficulties.answer_difficulty, acting_user=someone, difficulty=d, answer="Ý kiến"),
            message,
        )
    assert_refused(
        lambda: difficulties.answer_difficulty(acting_user=world.leader, difficulty=d, answer="  "),
        "Nội dung trả lời không được để trống.",
    )
    assert state(d) == (p.division.pk, 0, date(2026, 3, 19), 1, None)


def test_the_raiser_may_not_answer_even_as_the_assigner(world: World) -> None:
    """A division head who assigned the task to himself raises to the agency; he cannot answer his own question."""
    p = world.province
    head = division_head(world)
    assert head.person is not None
    task = world.assign(acting_user=head, owner=head.person)
    d = difficulties.raise_difficulty(acting_user=head, task=task, description=PROBLEM)
    assert d.addressed_unit_id == p.agency.pk
    assert [r[0] for r in notifications("difficulty:")] == ["giamdoc"]  # the assigner is the raiser: not told
    assert_refused(
        lambda: difficulties.answer_difficulty(acting_user=head, difficulty=d, answer="Tự trả lời"),
        "Chỉ người giao nhiệm vụ hoặc lãnh đạo của Sở Tài chính mới được trả lời.",
    )
    difficulties.answer_difficulty(acting_user=p.users[Role.GIAMDOC], difficulty=d, answer="Sở sẽ làm việc với Kho bạc")
    assert state(d)[4] == date(2026, 3, 16)


def test_double_answer_and_stale_version_are_refused(world: World) -> None:
    task = world.assign()
    d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM)
    seen = Difficulty.objects.get(pk=d.pk)  # version 1
    difficulties.answer_difficulty(acting_user=world.leader, difficulty=d, answer="Lần 1", expected_version=1)
    assert_refused(
        lambda: difficulties.answer_difficulty(
            acting_user=world.province.users[Role.TRUONGPHONG], difficulty=seen, answer="Lần 2", expected_version=1
        ),
        "Khó khăn, vướng mắc đã được người khác xử lý; vui lòng tải lại trang và thử lại.",
    )
    assert_refused(
        lambda: difficulties.answer_difficulty(acting_user=world.leader, difficulty=seen, answer="Lần 2"),
        "Khó khăn, vướng mắc này đã được trả lời ngày 16/03/2026.",
    )
    d.refresh_from_db()
    assert (d.answer, d.version) == ("Lần 1", 2)


# -- escalation by the daily sweep -----------------------------------------------------------


def test_unanswered_difficulty_climbs_to_the_root_and_stays(world: World) -> None:
    p = world.province
    task = world.assign(deadline=date(2026, 4, 30))
    with on(date(2026, 3, 16)):  # Monday
        d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM)
    assert state(d) == (p.division.pk, 0, date(2026, 3, 19), 1, None)

    sweep_on(date(2026, 3, 19))  # the answer day itself: not yet late
    assert state(d) == (p.division.pk, 0, date(2026, 3, 19), 1, None)
    assert AuditEvent.objects.filter(action="tasks.difficulty.escalate").count() == 0

    run = sweep_on(date(2026, 3, 20))  # Friday: one level up, 3 working days from today (23, 24, 25)
    assert state(d) == (p.agency.pk, 1, date(2026, 3, 25), 2, None)
    assert run.escalations == 1
    assert notifications(f"difficulty:{d.pk}:1") == [
        (
            "giamdoc",
            f"difficulty:{d.pk}:1",
            Kind.ESCALATION,
            f"Khó khăn, vướng mắc chưa được trả lời, chuyển lên: {TITLE}",
            f"Trả lời trước ngày 25/03/2026. {PROBLEM}",
            url(task),
        )
    ]
    event = AuditEvent.objects.get(action="tasks.difficulty.escalate")
    assert (event.actor_id, event.actor_label, event.object_type, event.object_id) == (
        None,
        "hệ thống",
        "difficulty",
        str(d.pk),
    )
    assert event.before == {
        "task_id": task.pk,
        "addressed_unit_id": p.division.pk,
        "level": 0,
        "answer_due": "2026-03-19",
        "answered_on": None,
        "version": 1,
    }
    assert event.after == {
        "task_id": task.pk,
        "addressed_unit_id": p.agency.pk,
        "level": 1,
        "answer_due": "2026-03-25",
        "answered_on": None,
        "version": 2,
    }
    assert event.subjects == [["difficulty", str(d.pk)], ["task", str(task.pk)], ["unit", str(p.agency.pk)]]

    # the division head may no longer answer: it is the agency's now
    assert_refused(
        lambda: difficulties.answer_difficulty(acting_user=p.users[Role.TRUONGPHONG], difficulty=d, answer="Muộn"),
        "Chỉ người giao nhiệm vụ hoặc lãnh đạo của Sở Tài chính mới được trả lời.",
    )

    sweep_on(date(2026, 3, 25))
    assert state(d) == (p.agency.pk, 1, date(2026, 3, 25), 2, None)
    sweep_on(date(2026, 3, 26))  # → the province: 27, 30, 31
    assert state(d) == (p.root.pk, 2, date(2026, 3, 31), 3, None)
    assert [(r[0], r[2], r[4]) for r in notifications(f"difficulty:{d.pk}:2")] == [
        ("lanhdao", Kind.ESCALATION, f"Trả lời trước ngày 31/03/2026. {PROBLEM}"),
    ]
    sweep_on(date(2026, 4, 1))
    sweep_on(date(2026, 4, 8))
    assert state(d) == (p.root.pk, 2, date(2026, 3, 31), 3, None)  # the top: it stays
    assert AuditEvent.objects.filter(action="tasks.difficulty.escalate").count() == 2
    assert list(SweepRun.objects.order_by("day").values_list("day", "escalations")) == [
        (date(2026, 3, 19), 0),
        (date(2026, 3, 20), 1),
        (date(2026, 3, 25), 0),
        (date(2026, 3, 26), 1),
        (date(2026, 4, 1), 0),
        (date(2026, 4, 8), 0),
    ]


def test_answered_and_closed_task_difficulties_never_escalate(world: World) -> None:
    p = world.province
    answered_task = world.assign(title="Nhiệm vụ A", deadline=date(2026, 4, 30))
    cancelled_task = world.assign(title="Nhiệm vụ B", deadline=date(2026, 4, 30))
    done_task = world.accept(world.assign(title="Nhiệm vụ C", deadline=date(2026, 4, 30)))
    open_task = world.assign(title="Nhiệm vụ D", deadline=date(2026, 4, 30))
    raised = {
        t.title: difficulties.raise_difficulty(acting_user=world.owner_user, task=t, description=PROBLEM)
        for t in [answered_task, cancelled_task, done_task, open_task]
    }
    difficulties.answer_difficulty(acting_user=world.leader, difficulty=raised["Nhiệm vụ A"], answer="Đã trả lời")
    services.cancel_task(acting_user=world.leader, task=cancelled_task, reason="Không còn cần thiết")
    world.approve(world.submit(done_task))

    sweep_on(date(2026, 3, 20))
    assert {title: state(d)[:3] for title, d in raised.items()} == {
        "Nhiệm vụ A": (p.division.pk, 0, date(2026, 3, 19)),
        "Nhiệm vụ B": (p.division.pk, 0, date(2026, 3, 19)),
        "Nhiệm vụ C": (p.division.pk, 0, date(2026, 3, 19)),
        "Nhiệm vụ D": (p.agency.pk, 1, date(2026, 3, 25)),  # the control: the sweep did run
    }
    assert list(AuditEvent.objects.filter(action="tasks.difficulty.escalate").values_list("object_id", flat=True)) == [
        str(raised["Nhiệm vụ D"].pk)
    ]


def test_running_the_sweep_twice_the_same_day_changes_nothing_the_second_time(world: World) -> None:
    p = world.province
    task = world.assign(deadline=date(2026, 4, 30))
    d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description=PROBLEM)
    first = sweep_on(date(2026, 3, 20))
    assert state(d) == (p.agency.pk, 1, date(2026, 3, 25), 2, None)
    counts = all_counts()
    second = sweep_on(date(2026, 3, 20))
    assert all_counts() == counts
    assert state(d) == (p.agency.pk, 1, date(2026, 3, 25), 2, None)
    assert second.pk == first.pk
    assert (second.escalations, second.notifications) == (first.escalations, first.notifications)
