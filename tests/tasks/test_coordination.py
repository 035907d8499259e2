"""Coordination (phối hợp): units named at assignment or asked later, timed answers, escalation, responsiveness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.notifications.models import Kind
from congvu.org import services as org_services
from congvu.org.models import Appointment, Unit, UnitKind
from congvu.tasks import coordination, services
from congvu.tasks.models import Coordination, Task
from tests.factories import unit, user
from tests.tasks.conftest import World, assert_refused, notifications, on, sweep_on

pytestmark = pytest.mark.django_db

TITLE = "Rà soát thủ tục hành chính lĩnh vực ngân sách"
ASK = "Cung cấp số liệu quy hoạch năm 2025"


class Others:
    """Accounts in the other agency: the head of Phòng Quy hoạch, the director of Sở Xây dựng, an official."""

    def __init__(self, world: World) -> None:
        p = world.province
        self.division_head = user("tp_quyhoach", Role.TRUONGPHONG, p.other_division)
        self.director = user("gd_xaydung", Role.GIAMDOC, p.other_agency)
        self.official = user("duc", Role.CHUYENVIEN, p.other_division, p.other_person)


@pytest.fixture
def others(world: World) -> Others:
    return Others(world)


def url(task: Task) -> str:
    return f"/tasks/{task.pk}/"


def ask(world: World, task: Task, to: Unit, due: date, by: User | None = None, text: str = ASK) -> Coordination:
    return coordination.request_coordination(
        acting_user=by or world.owner_user, task=task, to_unit=to, request=text, due=due
    )


# -- at assignment ---------------------------------------------------------------------------


def test_coordinating_units_given_at_assignment(world: World, others: Others) -> None:
    p = world.province
    with on(date(2026, 3, 16), hour=10):
        task = world.assign(
            coordinators=[
                (p.other_division, f"  {ASK}  ", date(2026, 3, 25)),
                (p.agency, "Ý kiến thẩm định của Sở", date(2026, 3, 31)),  # on the task's deadline
            ]
        )
    rows: list[tuple[object, ...]] = list(
        Coordination.objects.filter(task=task)
        .order_by("id")
        .values_list(
            "from_unit",
            "to_unit",
            "request",
            "due",
            "on_assignment",
            "requested_by",
            "requested_on",
            "answer",
            "answered_on",
            "escalated_to",
            "escalated_on",
            "version",
        )
    )
    assert rows == [
        # from, to, request, due, on assignment, by, on, answer, answered on, escalated to, escalated on, version
        (
            p.division.pk,
            p.other_division.pk,
            ASK,
            date(2026, 3, 25),
            True,
            world.leader.pk,
            date(2026, 3, 16),
            "",
            None,
            None,
            None,
            1,
        ),
        (
            p.division.pk,
            p.agency.pk,
            "Ý kiến thẩm định của Sở",
            date(2026, 3, 31),
            True,
            world.leader.pk,
            date(2026, 3, 16),
            "",
            None,
            None,
            None,
            1,
        ),
    ]
    first, second = Coordination.objects.filter(task=task).order_by("id")
    assert (
        first.requested_at == second.requested_at == datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    )

    event = AuditEvent.objects.get(action="tasks.task.assign")
    assert event.after is not None
    assert event.after["coordinations"] == [
        [first.pk, p.other_division.pk, ASK, "2026-03-25"],
        [second.pk, p.agency.pk, "Ý kiến thẩm định của Sở", "2026-03-31"],
    ]
    assert event.subjects == [
        ["task", str(task.pk)],
        ["unit", str(p.division.pk)],
        ["person", str(world.owner.pk)],
        ["meeting", str(world.meeting.pk)],
        ["unit", str(p.other_division.pk)],
        ["unit", str(p.agency.pk)],
    ]
    # the heads of each asked unit are told; the assigner who asked is not
    assert notifications("coordination:") == sorted(
        [
            (
                "tp_quyhoach",
                f"coordination:{first.pk}",
                Kind.COORDINATION,
                f"Đề nghị phối hợp: {TITLE}",
                f"Phòng Ngân sách đề nghị phối hợp trước ngày 25/03/2026: {ASK}",
                url(task),
            ),
            (
                "giamdoc",
                f"coordination:{second.pk}",
                Kind.COORDINATION,
                f"Đề nghị phối hợp: {TITLE}",
                "Phòng Ngân sách đề nghị phối hợp trước ngày 31/03/2026: Ý kiến thẩm định của Sở",
                url(task),
            ),
        ]
    )


def _dissolved(world: World) -> Unit:
    old = unit("01.002.09", "Phòng Tổng hợp cũ", UnitKind.DIVISION, world.province.other_agency)
    return org_services.dissolve_unit(
        acting_user=None, unit=old, effective=date(2025, 1, 1), basis=org_services.Basis("01/QĐ-UBND")
    )


COORDINATOR_REFUSALS: list[tuple[str, Callable[[World], list[tuple[Unit, str, date]]], str]] = [
    (
        "same unit as the lead",
        lambda w: [(w.province.division, ASK, date(2026, 3, 25))],
        "Đơn vị phối hợp phải khác đơn vị chủ trì.",
    ),
    (
        "unit of another province",
        lambda w: [(w.province.outside_unit, ASK, date(2026, 3, 25))],
        "Đơn vị Sở Nội vụ tỉnh Bình Sơn không thuộc cùng tỉnh.",
    ),
    (
        "due after the task deadline",
        lambda w: [(w.province.other_division, ASK, date(2026, 4, 1))],
        "Hạn phối hợp 01/04/2026 phải nằm trong khoảng từ 16/03/2026 đến hạn của nhiệm vụ 31/03/2026.",
    ),
    (
        "due before today",
        lambda w: [(w.province.other_division, ASK, date(2026, 3, 13))],
        "Hạn phối hợp 13/03/2026 phải nằm trong khoảng từ 16/03/2026 đến hạn của nhiệm vụ 31/03/2026.",
    ),
    (
        "duplicate unit",
        lambda w: [
            (w.province.other_division, ASK, date(2026, 3, 25)),
            (w.province.other_division, "Khác", date(2026, 3, 27)),
        ],
        "Đơn vị Phòng Quy hoạch được nêu hai lần trong các đơn vị phối hợp.",
    ),
    (
        "blank request",
        lambda w: [
            (w.province.agency, "Ý kiến", date(2026, 3, 25)),
            (w.province.other_division, " \n ", date(2026, 3, 25)),
        ],
        "Hãy nêu nội dung cần phối hợp và sản phẩm phối hợp.",
    ),
    (
        "inactive unit",
        lambda w: [(_dissolved(w), ASK, date(2026, 3, 25))],
        "Đơn vị Phòng Tổng hợp cũ không còn hoạt động.",
    ),
]


@pytest.mark.parametrize(("coordinators", "message"), [pytest.param(c, m, id=n) for n, c, m in COORDINATOR_REFUSALS])
def test_invalid_coordinators_refuse_the_whole_assignment(
    world: World, others: Others, coordinators: Callable[[World], list[tuple[Unit, str, date]]], message: str
) -> None:
    given = coordinators(world)
    assert_refused(lambda: world.assign(coordinators=given), message)


# -- later requests --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "assigner", Role.TRUONGPHONG, Role.GIAMDOC])
def test_owner_assigner_and_leaders_over_the_lead_unit_may_request(world: World, others: Others, who: str) -> None:
    p = world.province
    task = world.assign()
    by = {"owner": world.owner_user, "assigner": world.leader}.get(who) or p.users[who]
    audit = AuditEvent.objects.count()
    with on(date(2026, 3, 17), hour=10):
        c = ask(world, task, p.other_division, date(2026, 3, 20), by=by, text=f" {ASK} ")
    c.refresh_from_db()
    assert (c.from_unit_id, c.to_unit_id, c.request, c.due, c.on_assignment, c.requested_by_id, c.requested_on) == (
        p.division.pk,
        p.other_division.pk,
        ASK,
        date(2026, 3, 20),
        False,
        by.pk,
        date(2026, 3, 17),
    )
    assert AuditEvent.objects.count() == audit + 1
    event = AuditEvent.objects.order_by("-seq")[0]
    assert (event.action, event.actor_id) == ("tasks.coordination.request", by.pk)
    assert event.subjects == [
        ["coordination", str(c.pk)],
        ["task", str(task.pk)],
        ["unit", str(p.division.pk)],
        ["unit", str(p.other_division.pk)],
    ]
    assert [(r[0], r[1], r[4]) for r in notifications("coordination:")] == [
        ("tp_quyhoach", f"coordination:{c.pk}", f"Phòng Ngân sách đề nghị phối hợp trước ngày 20/03/2026: {ASK}")
    ]


def test_unrelated_users_may_not_request(world: World, others: Others) -> None:
    p = world.province
    task = world.assign()
    message = "Chỉ người chịu trách nhiệm, người giao hoặc lãnh đạo đơn vị chủ trì mới được đề nghị phối hợp."
    for someone in [p.users[Role.CHUYENVIEN], p.users[Role.THANHTRA], others.official, others.division_head]:
        assert_refused(partial(ask, world, task, p.agency, date(2026, 3, 20), by=someone), message)
    assert_refused(
        lambda: ask(world, task, p.other_division, date(2026, 3, 13)),
        "Hạn phối hợp 13/03/2026 phải nằm trong khoảng từ 16/03/2026 đến hạn của nhiệm vụ 31/03/2026.",
    )
    services.cancel_task(acting_user=world.leader, task=task, reason="Không còn cần thiết")
    assert_refused(
        lambda: ask(world, task, p.other_division, date(2026, 3, 20)),
        "Nhiệm vụ đã kết thúc; không thể đề nghị phối hợp.",
    )


# -- answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["division_head", "director", "official", "lanhdao"])
def test_leaders_over_the_asked_unit_and_its_officials_answer(world: World, others: Others, who: str) -> None:
    task = world.assign()
    c = ask(world, task, world.province.other_division, date(2026, 3, 20), by=world.leader)
    by = world.leader if who == "lanhdao" else getattr(others, who)
    with on(date(2026, 3, 19), hour=14):
        answered = coordination.answer_coordination(
            acting_user=by, coordination=c, answer=" Đã gửi số liệu ", expected_version=1
        )
    assert (answered.answer, answered.answered_by_id, answered.answered_on, answered.version) == (
        "Đã gửi số liệu",
        by.pk,
        date(2026, 3, 19),
        2,
    )
    event = AuditEvent.objects.order_by("-seq")[0]
    assert event.action == "tasks.coordination.answer"
    assert event.after is not None
    assert (event.after["on_time"], event.after["answer"]) == (True, "Đã gửi số liệu")
    told = sorted({"hoa", "lanhdao"} - {by.username})  # the owner and the requester, not the one who answered
    assert notifications("coordination-answer:") == [
        (
            name,
            f"coordination-answer:{c.pk}",
            Kind.COORDINATION,
            "Phòng Quy hoạch đã trả lời đề nghị phối hợp",
            "Đã gửi số liệu",
            url(task),
        )
        for name in told
    ]


def test_who_may_not_answer_and_answering_twice(world: World, others: Others) -> None:
    p = world.province
    task = world.assign()
    c = ask(world, task, p.other_division, date(2026, 3, 20))
    message = "Chỉ lãnh đạo hoặc công chức của Phòng Quy hoạch mới được trả lời."
    for someone in [world.owner_user, p.users[Role.TRUONGPHONG], p.users[Role.GIAMDOC], p.users[Role.CHUYENVIEN]]:
        assert_refused(
            partial(coordination.answer_coordination, acting_user=someone, coordination=c, answer="Có"),
            message,
        )
    # an official whose post in the asked unit has ended no longer answers for it
    Appointment.objects.filter(person=p.other_person).update(end_date=date(2026, 3, 1))
    assert_refused(
        lambda: coordination.answer_coordination(acting_user=others.official, coordination=c, answer="Có"), message
    )
    assert_refused(
        lambda: coordination.answer_coordination(acting_user=others.division_head, coordination=c, answer=" "),
        "Nội dung trả lời không được để trống.",
    )
    seen = Coordination.objects.get(pk=c.pk)
    coordination.answer_coordination(acting_user=others.division_head, coordination=c, answer="Lần 1")
    assert_refused(
        lambda: coordination.answer_coordination(
            acting_user=others.director, coordination=seen, answer="Lần 2", expected_version=1
        ),
        "Đề nghị phối hợp đã được người khác thay đổi; vui lòng tải lại trang và thử lại.",
    )
    assert_refused(
        lambda: coordination.answer_coordination(acting_user=others.director, coordination=seen, answer="Lần 2"),
        "Đề nghị phối hợp này đã được trả lời ngày 16/03/2026.",
    )
    c.refresh_from_db()
    assert (c.answer, c.answered_by_id, c.version) == ("Lần 1", others.division_head.pk, 2)


# -- the common superior and escalation ------------------------------------------------------


def test_common_superior(world: World) -> None:
    p = world.province
    assert coordination.common_superior(p.division, p.other_division) == p.root
    assert coordination.common_superior(p.other_division, p.division) == p.root
    assert coordination.common_superior(p.division, p.agency) == p.agency
    assert coordination.common_superior(p.agency, p.other_agency) == p.root
    assert coordination.common_superior(p.division, p.outside_unit) is None
    assert coordination.common_superior(p.root, p.outside_root) is None


def test_an_unanswered_request_goes_to_the_common_superior_once(world: World, others: Others) -> None:
    p = world.province
    task = world.assign(deadline=date(2026, 4, 30))
    c = ask(world, task, p.other_division, date(2026, 3, 20))  # Friday
    to_agency = ask(world, task, p.agency, date(2026, 3, 20), text="Ý kiến của Sở")
    answered = ask(world, task, p.other_agency, date(2026, 3, 20), text="Ý kiến Sở Xây dựng")
    coordination.answer_coordination(acting_user=others.director, coordination=answered, answer="Đồng ý")

    def escalation(x: Coordination) -> tuple[int | None, date | None, int]:
        x.refresh_from_db()
        return (x.escalated_to_id, x.escalated_on, x.version)

    sweep_on(date(2026, 3, 20))  # the due day: not late yet
    assert escalation(c) == (None, None, 1)

    run = sweep_on(date(2026, 3, 23))  # the first run after it
    assert run.escalations == 2
    assert escalation(c) == (p.root.pk, date(2026, 3, 23), 2)
    assert escalation(to_agency) == (p.agency.pk, date(2026, 3, 23), 2)
    assert escalation(answered) == (None, None, 2)  # answered: stays (version 2 from its answer)
    body = f"Phòng Quy hoạch chưa trả lời đề nghị phối hợp của Phòng Ngân sách (hạn 20/03/2026): {ASK}"
    assert notifications(f"coordination-escalated:{c.pk}") == [
        (
            name,
            f"coordination-escalated:{c.pk}",
            Kind.ESCALATION,
            f"Đề nghị phối hợp quá hạn chưa được trả lời: {TITLE}",
            body,
            url(task),
        )
        for name in ["lanhdao"]
    ]
    assert [r[0] for r in notifications(f"coordination-escalated:{to_agency.pk}")] == ["giamdoc"]
    events = list(AuditEvent.objects.filter(action="tasks.coordination.escalate").order_by("seq"))
    assert [(e.object_id, e.actor_id, e.actor_label) for e in events] == [
        (str(c.pk), None, "hệ thống"),
        (str(to_agency.pk), None, "hệ thống"),
    ]
    assert events[0].subjects == [
        ["coordination", str(c.pk)],
        ["task", str(task.pk)],
        ["unit", str(p.division.pk)],
        ["unit", str(p.other_division.pk)],
        ["unit", str(p.root.pk)],
    ]
    assert events[0].after is not None
    assert (events[0].after["escalated_to_id"], events[0].after["version"]) == (p.root.pk, 2)

    sweep_on(date(2026, 3, 24))
    sweep_on(date(2026, 3, 31))
    assert escalation(c) == (p.root.pk, date(2026, 3, 23), 2)  # once only
    assert AuditEvent.objects.filter(action="tasks.coordination.escalate").count() == 2


def test_requests_of_closed_tasks_are_not_escalated(world: World, others: Others) -> None:
    p = world.province
    task = world.assign(deadline=date(2026, 4, 30))
    c = ask(world, task, p.other_division, date(2026, 3, 20))
    services.cancel_task(acting_user=world.leader, task=task, reason="Không còn cần thiết")
    sweep_on(date(2026, 3, 23))
    c.refresh_from_db()
    assert (c.escalated_to_id, c.escalated_on, c.version) == (None, None, 1)
    assert notifications("coordination-escalated:") == []


# -- responsiveness --------------------------------------------------------------------------


def test_responsiveness_counts_on_time_late_never_and_pending(world: World, others: Others) -> None:
    p = world.province
    task = world.assign()  # deadline 31/03
    requests = {
        # to Phòng Quy hoạch
        "od-on-time": ask(world, task, p.other_division, date(2026, 3, 18)),
        "od-late": ask(world, task, p.other_division, date(2026, 3, 18)),
        "od-never": ask(world, task, p.other_division, date(2026, 3, 19)),
        "od-pending": ask(world, task, p.other_division, date(2026, 3, 27)),
        # to Sở Tài chính
        "ag-on-time": ask(world, task, p.agency, date(2026, 3, 20)),
        "ag-pending-due-today": ask(world, task, p.agency, date(2026, 3, 25)),
        "ag-never-due-yesterday": ask(world, task, p.agency, date(2026, 3, 24)),
        # to Sở Xây dựng
        "oa-late": ask(world, task, p.other_agency, date(2026, 3, 24)),
    }
    answers = [
        ("od-on-time", others.division_head, date(2026, 3, 18)),  # on its due day
        ("od-late", others.official, date(2026, 3, 20)),
        ("ag-on-time", p.users[Role.GIAMDOC], date(2026, 3, 17)),
        ("oa-late", others.director, date(2026, 3, 25)),
    ]
    for name, by, day in answers:
        with on(day):
            coordination.answer_coordination(acting_user=by, coordination=requests[name], answer="Trả lời")

    today = date(2026, 3, 25)
    assert {name: coordination.outcome(Coordination.objects.get(pk=c.pk), today) for name, c in requests.items()} == {
        "od-on-time": "on_time",
        "od-late": "late",
        "od-never": "never",
        "od-pending": "pending",
        "ag-on-time": "on_time",
        "ag-pending-due-today": "pending",
        "ag-never-due-yesterday": "never",
        "oa-late": "late",
    }
    assert coordination.responsiveness(Coordination.objects.all(), today) == {
        p.agency.pk: {"on_time": 1, "late": 0, "never": 1, "pending": 1},
        p.other_division.pk: {"on_time": 1, "late": 1, "never": 1, "pending": 1},
        p.other_agency.pk: {"on_time": 0, "late": 1, "never": 0, "pending": 0},
    }
    # a day later the one due today is never answered
    assert coordination.responsiveness(Coordination.objects.filter(to_unit=p.agency), date(2026, 3, 26)) == {
        p.agency.pk: {"on_time": 1, "late": 0, "never": 2, "pending": 0},
    }
