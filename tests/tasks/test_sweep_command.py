"""``congvu sweep``: the operator's way to run the day's sweep; idempotent, with a clear error for a bad date."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congvu.notifications.models import Notification
from congvu.tasks.models import Task, TaskTally
from tests.tasks.conftest import World

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sweep", *args, stdout=out)
    return out.getvalue().strip()


def test_sweep_sends_the_reminder_and_the_digest_once(world: World) -> None:
    world.owner_user.email = "hoa@anhoa.example"
    world.owner_user.save(update_fields=["email"])
    task = world.assign(deadline=date(2026, 3, 17))  # one working day after today (Monday 16/3)
    Notification.objects.all().delete()  # the assignment notice is not what this test is about
    assert run() == "sweep 2026-03-16: 2 notifications, 0 escalations; 0 feedback past due escalated; 2 e-mails sent"
    assert sorted(Notification.objects.values_list("key", "kind")) == [
        ("digest:2026-03-16", "digest"),
        (f"reminder:{task.pk}:2026-03-17:1", "reminder"),
    ]
    assert run() == "sweep 2026-03-16: 2 notifications, 0 escalations; 0 feedback past due escalated; 0 e-mails sent"
    assert Notification.objects.count() == 2


def test_a_bad_date_is_refused() -> None:
    with pytest.raises(CommandError, match=r"^not a date \(YYYY-MM-DD\): 2026-13-01$"):
        run("--date", "2026-13-01")


def test_rebuild_tallies_counts_rows_written_behind_the_services(world: World) -> None:
    task = world.assign(deadline=date(2026, 3, 17))
    run()  # builds the 16th's tallies: one task in progress
    assert list(TaskTally.objects.values_list("in_progress_on_time", "overdue")) == [(1, 0)]
    Task.objects.filter(pk=task.pk).update(
        deadline=date(2026, 3, 13), original_deadline=date(2026, 3, 13), assigned_on=date(2026, 3, 2)
    )  # a restore, say
    run()
    assert list(TaskTally.objects.values_list("in_progress_on_time", "overdue")) == [(1, 0)]  # not seen
    assert run("--rebuild-tallies").splitlines()[0] == "tallies 2026-03-16: 1 tasks counted"
    assert list(TaskTally.objects.values_list("in_progress_on_time", "overdue")) == [(0, 1)]
