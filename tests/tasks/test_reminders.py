"""The daily sweep: reminders 7, 3 and 1 working days before a deadline, the overdue notice, catch-up, the digest,
and the e-mail outbox of notifications."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.mail import EmailMessage

from congvu.accounts.models import User
from congvu.core.workcal import default_calendar
from congvu.notifications import tasks as mail_jobs
from congvu.notifications.models import Kind, Notification, SweepRun
from congvu.org.models import Person
from congvu.tasks import coordination, difficulties, services
from congvu.tasks.models import Task
from tests.tasks.conftest import World, notifications, on, sweep_on

pytestmark = pytest.mark.django_db

Sent = dict[date, list[tuple[str, str]]]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def sweep_every_day(first: date, last: date, kinds: tuple[str, ...] = (Kind.REMINDER, Kind.OVERDUE)) -> Sent:
    """Run the sweep on each calendar day (the job runs daily) and note the new notifications of ``kinds``."""
    sent: Sent = {}
    for day in days(first, last):
        seen = set(Notification.objects.values_list("pk", flat=True))
        sweep_on(day)
        new = Notification.objects.exclude(pk__in=seen).filter(kind__in=kinds)
        sent[day] = sorted(new.values_list("recipient__username", "key"))
    return sent


def only(first: date, last: date, sent: Sent) -> Sent:
    """Every day from ``first`` to ``last`` with nothing sent, except the days given."""
    return {day: [] for day in days(first, last)} | sent


def reminder(task: Task, n: int, who: str = "hoa") -> tuple[str, str]:
    return (who, f"reminder:{task.pk}:{task.deadline.isoformat()}:{n}")


def overdue(task: Task) -> list[tuple[str, str]]:
    return [(who, f"overdue:{task.pk}:{task.deadline.isoformat()}") for who in ["hoa", "lanhdao"]]


# -- reminders and the overdue notice --------------------------------------------------------


def test_reminders_on_the_7th_3rd_and_1st_working_day_before_across_weekends_and_holidays(world: World) -> None:
    # Deadline Tuesday 05/05/2026. Counting back in working days:
    #   1st: Mon 04/05                      (02–03/05 weekend, 01/05 and 30/04 holidays)
    #   2nd: Wed 29/04, 3rd: Tue 28/04      (27/04 Giỗ Tổ observed, 25–26/04 weekend)
    #   4th: Fri 24/04, 5th: Thu 23/04, 6th: Wed 22/04, 7th: Tue 21/04
    # Overdue notice: the first working day after the deadline, Wed 06/05.
    cal = default_calendar()
    assert [cal.is_working_day(d) for d in (date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1))] == [False] * 3
    task = world.accept(world.assign(deadline=date(2026, 5, 5)))

    sent = sweep_every_day(date(2026, 4, 18), date(2026, 5, 12))

    assert sent == only(
        date(2026, 4, 18),
        date(2026, 5, 12),
        {
            date(2026, 4, 21): [reminder(task, 7)],
            date(2026, 4, 28): [reminder(task, 3)],
            date(2026, 5, 4): [reminder(task, 1)],
            date(2026, 5, 6): overdue(task),
        },
    )
    url = f"/tasks/{task.pk}/"
    title = task.title
    body = "Hạn hoàn thành: 05/05/2026."
    late = "Nhiệm vụ chưa hoàn thành, hạn là ngày 05/05/2026."
    assert notifications(f"reminder:{task.pk}:") == [
        (
            "hoa",
            f"reminder:{task.pk}:2026-05-05:{n}",
            Kind.REMINDER,
            f"Còn {n} ngày làm việc đến hạn: {title}",
            body,
            url,
        )
        for n in (1, 3, 7)
    ]
    assert notifications(f"overdue:{task.pk}:") == [
        (who, f"overdue:{task.pk}:2026-05-05", Kind.OVERDUE, f"Quá hạn: {title}", late, url)
        for who in ["hoa", "lanhdao"]
    ]


def test_a_task_assigned_5_working_days_before_its_deadline_gets_only_the_3_and_1_day_reminders(
    world: World,
) -> None:
    sweep_on(date(2026, 3, 11))  # the last run before an outage: the 16/03 run covers 12, 13 and 16/03
    with on(date(2026, 3, 16), hour=8):
        task = world.assign(working_days=5)
    # Deadline Mon 23/03. 1st working day before: Fri 20/03; 3rd: Wed 18/03; 7th: Thu 12/03, before the
    # assignment (and inside the days the 16/03 run catches up): never sent. Overdue: Tue 24/03.
    assert task.deadline == date(2026, 3, 23)
    sent = sweep_every_day(date(2026, 3, 16), date(2026, 3, 27))
    assert sent == only(
        date(2026, 3, 16),
        date(2026, 3, 27),
        {
            date(2026, 3, 18): [reminder(task, 3)],
            date(2026, 3, 20): [reminder(task, 1)],
            date(2026, 3, 24): overdue(task),
        },
    )


def test_submitted_done_and_cancelled_tasks_get_no_reminder(world: World) -> None:
    # Deadline Fri 27/03: 7th working day before is Wed 18/03, 3rd Tue 24/03, 1st Thu 26/03; overdue Mon 30/03.
    deadline = date(2026, 3, 27)
    control = world.accept(world.assign(title="Nhiệm vụ đang làm", deadline=deadline))
    world.submit(world.accept(world.assign(title="Nhiệm vụ đã trình", deadline=deadline)))
    world.approve(world.submit(world.accept(world.assign(title="Nhiệm vụ đã xong", deadline=deadline))))
    services.cancel_task(
        acting_user=world.leader, task=world.assign(title="Nhiệm vụ đã huỷ", deadline=deadline), reason="Trùng lặp"
    )
    sent = sweep_every_day(date(2026, 3, 16), date(2026, 3, 31))
    assert sent == only(
        date(2026, 3, 16),
        date(2026, 3, 31),
        {
            date(2026, 3, 18): [reminder(control, 7)],
            date(2026, 3, 24): [reminder(control, 3)],
            date(2026, 3, 26): [reminder(control, 1)],
            date(2026, 3, 30): overdue(control),
        },
    )


def test_the_sweep_sends_nothing_on_weekends_and_holidays(world: World) -> None:
    # Deadline Fri 24/04: the overdue notice waits for Tue 28/04 (25–26/04 weekend, 27/04 Giỗ Tổ observed).
    task = world.assign(deadline=date(2026, 4, 24))
    world.assign(title="Nhiệm vụ khác", deadline=date(2026, 3, 18))  # long overdue: the digest would mention it
    sent = sweep_every_day(date(2026, 4, 24), date(2026, 4, 28), kinds=tuple(Kind.values))
    assert sent[date(2026, 4, 25)] == sent[date(2026, 4, 26)] == sent[date(2026, 4, 27)] == []
    assert [key for _who, key in sent[date(2026, 4, 28)] if not key.startswith("digest:")] == [
        key for _who, key in overdue(task)
    ]
    assert list(SweepRun.objects.order_by("day").values_list("day", "notifications")) == [
        (date(2026, 4, 24), 1),  # the digest of the owner
        (date(2026, 4, 25), 0),
        (date(2026, 4, 26), 0),
        (date(2026, 4, 27), 0),
        (date(2026, 4, 28), 3),  # the overdue notice to two people and the owner's digest
    ]


def test_the_first_run_on_a_saturday_sends_nothing(world: World) -> None:
    world.assign(deadline=date(2026, 3, 18))
    before = Notification.objects.count()
    run = sweep_on(date(2026, 3, 21))
    assert Notification.objects.count() == before
    assert (run.day, run.notifications, run.escalations, run.finished_at is not None) == (date(2026, 3, 21), 0, 0, True)


def test_after_an_outage_the_next_run_sends_the_nearest_missed_reminder(world: World) -> None:
    # Task A, deadline Wed 25/03: 7th working day before Mon 16/03, 3rd Fri 20/03, 1st Tue 24/03.
    # Task B, deadline Wed 01/04: 7th Mon 23/03, 3rd Fri 27/03, 1st Tue 31/03.
    # The sweep does not run from Fri 20/03 to Tue 24/03 (3 working days, and the weekend, missed);
    # the Wed 25/03 run covers 20, 23, 24 and 25/03: it sends A's 1-day reminder (not its 3-day one,
    # also missed) and B's 7-day reminder.
    a = world.assign(title="Nhiệm vụ A", deadline=date(2026, 3, 25))
    b = world.assign(title="Nhiệm vụ B", deadline=date(2026, 4, 1))
    sent = sweep_every_day(date(2026, 3, 16), date(2026, 3, 19))
    sent |= sweep_every_day(date(2026, 3, 25), date(2026, 3, 27))
    assert sent == {
        date(2026, 3, 16): [reminder(a, 7)],
        date(2026, 3, 17): [],
        date(2026, 3, 18): [],
        date(2026, 3, 19): [],
        date(2026, 3, 25): sorted([reminder(a, 1), reminder(b, 7)]),
        date(2026, 3, 26): overdue(a),
        date(2026, 3, 27): [reminder(b, 3)],
    }
    assert Notification.objects.filter(key=f"reminder:{a.pk}:2026-03-25:3").count() == 0


def test_a_weekend_run_does_not_swallow_a_missed_friday(world: World) -> None:
    # Deadline Mon 23/03: the 1-day reminder is due Fri 20/03. The sweep fails on Friday but runs (as the
    # daily job does) on Saturday and Sunday, which are not working days; Monday's run must still catch
    # Friday up and send the reminder late rather than never.
    task = world.assign(deadline=date(2026, 3, 23))
    sent = sweep_every_day(date(2026, 3, 18), date(2026, 3, 19))
    sent |= sweep_every_day(date(2026, 3, 21), date(2026, 3, 24))
    assert sent == {
        date(2026, 3, 18): [reminder(task, 3)],
        date(2026, 3, 19): [],
        date(2026, 3, 21): [],
        date(2026, 3, 22): [],
        date(2026, 3, 23): [reminder(task, 1)],
        date(2026, 3, 24): overdue(task),
    }


# -- the daily digest ------------------------------------------------------------------------


def test_the_daily_digest_of_the_owner_the_assigner_and_the_heads(world: World) -> None:
    p = world.province
    soon = world.assign(title="T1 sắp đến hạn", deadline=date(2026, 3, 18))
    later = world.assign(title="T2 còn hạn", deadline=date(2026, 3, 31))
    world.assign(title="T3 quá hạn", assigned_on=date(2026, 3, 11), deadline=date(2026, 3, 13))
    world.submit(world.accept(world.assign(title="T4 đã trình", deadline=date(2026, 3, 31))))
    extended = world.assign(title="T5 xin gia hạn", deadline=date(2026, 3, 19))  # 16/03 + 3 working days: soon
    services.request_extension(
        acting_user=world.owner_user, task=extended, reason="Chờ số liệu", proposed_deadline=date(2026, 3, 27)
    )
    difficulties.raise_difficulty(acting_user=world.owner_user, task=later, description="Thiếu số liệu")
    coordination.request_coordination(
        acting_user=world.owner_user, task=soon, to_unit=p.agency, request="Ý kiến của Sở", due=date(2026, 3, 17)
    )

    sweep_on(date(2026, 3, 16))

    title = "Tổng hợp công việc ngày 16/03/2026"
    assert notifications("digest:") == [
        ("giamdoc", "digest:2026-03-16", Kind.DIGEST, title, "Đề nghị phối hợp chờ đơn vị trả lời: 1.", "/tasks/"),
        (
            "hoa",
            "digest:2026-03-16",
            Kind.DIGEST,
            title,
            "Nhiệm vụ đang thực hiện: 4, sắp đến hạn (trong 3 ngày làm việc): 2, quá hạn: 1.",
            "/tasks/",
        ),
        (
            "lanhdao",
            "digest:2026-03-16",
            Kind.DIGEST,
            title,
            "Kết quả chờ bạn đánh giá: 1.\nĐề nghị gia hạn chờ bạn quyết định: 1.",
            "/tasks/",
        ),
        ("truongphong", "digest:2026-03-16", Kind.DIGEST, title, "Khó khăn, vướng mắc chờ trả lời: 1.", "/tasks/"),
    ]
    # once a day
    sweep_on(date(2026, 3, 16))
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 4


def test_difficulties_and_requests_of_closed_tasks_are_not_waiting_in_the_digest(world: World) -> None:
    """A cancelled task's open difficulty and coordination request are not escalated; nor are they to-dos."""
    p = world.province
    task = world.assign()
    difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description="Thiếu số liệu")
    coordination.request_coordination(
        acting_user=world.owner_user, task=task, to_unit=p.agency, request="Ý kiến của Sở", due=date(2026, 3, 20)
    )
    services.cancel_task(acting_user=world.leader, task=task, reason="Không còn cần thiết")
    sweep_on(date(2026, 3, 17))
    assert notifications("digest:") == []


# -- e-mail ----------------------------------------------------------------------------------


def _addresses(world: World) -> None:
    """The owner has an address on her person only; the leader on his account; the division head none."""
    Person.objects.filter(pk=world.owner.pk).update(email="hoa@anhoa.gov.vn")
    User.objects.filter(pk=world.leader.pk).update(email="lanhdao@anhoa.gov.vn")


def test_pending_notifications_are_sent_once_to_those_with_an_address(
    world: World, mailoutbox: list[EmailMessage]
) -> None:
    _addresses(world)
    task = world.assign()  # tells the owner
    d = difficulties.raise_difficulty(acting_user=world.owner_user, task=task, description="Thiếu số liệu")
    # tells the leader (the assigner) and the division head, who has no address
    assert mailoutbox == []  # nothing is mailed before the transaction commits

    assert mail_jobs.send_pending() == 2
    assert [(m.subject, m.body, m.to, m.from_email) for m in mailoutbox] == [
        (
            f"Bạn được giao nhiệm vụ: {task.title}",
            f"Hạn hoàn thành: 31/03/2026.\n\nhttp://127.0.0.1:8000/tasks/{task.pk}/",
            ["hoa@anhoa.gov.vn"],
            settings.DEFAULT_FROM_EMAIL,
        ),
        (
            f"Khó khăn, vướng mắc cần trả lời: {task.title}",
            f"Trả lời trước ngày 19/03/2026. Thiếu số liệu\n\nhttp://127.0.0.1:8000/tasks/{task.pk}/",
            ["lanhdao@anhoa.gov.vn"],
            settings.DEFAULT_FROM_EMAIL,
        ),
    ]
    rows = Notification.objects.order_by("id").values_list("recipient__username", "key", "email_attempts")
    assert list(rows) == [
        ("hoa", f"task:{task.pk}:assigned:1", 1),
        ("lanhdao", f"difficulty:{d.pk}:0", 1),
        ("truongphong", f"difficulty:{d.pk}:0", 1),  # closed without mail
    ]
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 0

    assert mail_jobs.send_pending() == 0
    assert len(mailoutbox) == 2


def test_the_account_address_comes_before_the_person_address(world: World, mailoutbox: list[EmailMessage]) -> None:
    Person.objects.filter(pk=world.owner.pk).update(email="ca-nhan@anhoa.gov.vn")
    User.objects.filter(pk=world.owner_user.pk).update(email="hoa.cong-vu@anhoa.gov.vn")
    world.assign()
    assert mail_jobs.send_pending() == 1
    assert [m.to for m in mailoutbox] == [["hoa.cong-vu@anhoa.gov.vn"]]


def test_a_failed_send_leaves_the_notification_for_the_next_run(
    world: World, mailoutbox: list[EmailMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    _addresses(world)
    task = world.assign()

    def broken(*args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("máy chủ thư không trả lời")

    monkeypatch.setattr(mail_jobs, "send_mail", broken)
    assert mail_jobs.send_pending() == 0
    note = Notification.objects.get(key=f"task:{task.pk}:assigned:1")
    assert (note.email_sent_at, note.email_claimed_at, note.email_attempts) == (None, None, 1)
    assert mailoutbox == []

    monkeypatch.undo()
    with on(date(2026, 3, 16), hour=10):
        assert mail_jobs.send_pending() == 1
        note.refresh_from_db()
        assert note.email_sent_at is not None
    assert (note.email_attempts, [m.to for m in mailoutbox]) == (2, [["hoa@anhoa.gov.vn"]])
    assert mail_jobs.send_pending() == 0
