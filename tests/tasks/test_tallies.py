"""Today's tallies of the reporting buckets: built from the tasks, moved by every change, equal to the tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congvu.core.policy import Role
from congvu.tasks import services, tallies
from congvu.tasks.buckets import BUCKETS, grouped_buckets
from congvu.tasks.changes import StaleTask
from congvu.tasks.models import OwnerTally, TallyDay, Task, TaskTally
from congvu.tasks.overview import people_rows, ranked_owners_live, unit_rows
from tests.tasks.conftest import World, on, sweep_on

pytestmark = pytest.mark.django_db

Counts = dict[tuple[int, int], dict[str, int]]


def live(day: date) -> Counts:
    """The buckets per (lead unit, owner) computed from the tasks themselves."""
    return {
        (u, o): counts
        for (u, o), counts in grouped_buckets(Task.objects.all(), day, ("lead_unit_id", "owner_id")).items()
    }


def kept(day: date) -> Counts:
    """The tallies of ``day``, rows whose counts are all zero left out.

    Checks on the way that the owners' tallies are the same counts summed per owner, as the tasks give them.
    """
    found: Counts = {}
    for row in TaskTally.objects.filter(day=day).values("lead_unit_id", "owner_id", *BUCKETS):
        counts = {b: row[b] for b in BUCKETS}
        if any(counts.values()):
            found[(row["lead_unit_id"], row["owner_id"])] = counts
    owners = {
        row["owner_id"]: {b: row[b] for b in BUCKETS}
        for row in OwnerTally.objects.filter(day=day).values("owner_id", *BUCKETS)
        if any(row[b] for b in BUCKETS)
    }
    per_owner = grouped_buckets(Task.objects.all(), day, ("owner_id",))
    assert owners == {owner_id: counts for (owner_id,), counts in per_owner.items() if any(counts.values())}
    return found


def buckets(on_time: int = 0, late: int = 0, in_progress: int = 0, overdue: int = 0) -> dict[str, int]:
    return dict(zip(BUCKETS, (on_time, late, in_progress, overdue), strict=True))


def test_every_kind_of_change_moves_the_tallies_exactly(world: World) -> None:
    division, agency, owner = world.province.division.pk, world.province.agency.pk, world.owner.pk
    with on(date(2026, 3, 2)):
        early = world.accept(world.assign(deadline=date(2026, 3, 6)))  # overdue by the 16th
        to_cancel = world.assign(deadline=date(2026, 3, 20))
    day = date(2026, 3, 16)
    with on(day):
        built = tallies.rebuild(day)
        assert (built.day, built.tasks) == (day, 2)
        assert kept(day) == live(day) == {(division, owner): buckets(in_progress=1, overdue=1)}

        on_time = world.accept(world.assign(deadline=date(2026, 3, 16)))  # assigned: +1 in progress
        in_agency = world.assign(lead_unit=world.province.agency, deadline=date(2026, 3, 31))  # a second row
        assert (
            kept(day)
            == live(day)
            == {
                (division, owner): buckets(in_progress=2, overdue=1),
                (agency, owner): buckets(in_progress=1),
            }
        )
        ext = services.request_extension(
            acting_user=world.owner_user, task=early, reason="Chờ số liệu", proposed_deadline=date(2026, 3, 27)
        )
        services.decide_extension(acting_user=world.leader, extension=ext, approve=True, note="Đồng ý")
        assert Task.objects.get(pk=early.pk).deadline == date(2026, 3, 27)
        assert (
            kept(day)
            == live(day)
            == {
                (division, owner): buckets(in_progress=3),  # the extension took it out of overdue
                (agency, owner): buckets(in_progress=1),
            }
        )
        on_time = world.approve(world.submit(on_time))  # done on its deadline
        services.cancel_task(acting_user=world.leader, task=to_cancel, reason="Không còn cần thiết")
        returned = services.review_task(
            acting_user=world.leader,
            task=world.submit(world.accept(in_agency)),
            accept=False,
            return_reason="Thiếu số liệu",
        )
        assert returned.state == "returned"
        assert (
            kept(day)
            == live(day)
            == {
                (division, owner): buckets(on_time=1, in_progress=1),
                (agency, owner): buckets(in_progress=1),
            }
        )
    with on(date(2026, 3, 30)):  # done after the extended deadline: late
        later = tallies.rebuild(date(2026, 3, 30))
        assert later.tasks == 3
        world.approve(world.submit(Task.objects.get(pk=early.pk)))
        assert (
            kept(date(2026, 3, 30))
            == live(date(2026, 3, 30))
            == {
                (division, owner): buckets(on_time=1, late=1),
                (agency, owner): buckets(in_progress=1),
            }
        )
    assert list(TallyDay.objects.values_list("day", flat=True)) == [date(2026, 3, 30)]  # earlier days dropped
    assert not TaskTally.objects.filter(day=day).exists()


def test_changes_before_the_day_is_built_touch_no_tally_and_the_build_counts_them(world: World) -> None:
    day = date(2026, 3, 16)
    with on(day):
        world.accept(world.assign(deadline=date(2026, 3, 20)))
        assert not tallies.ready(day)
        assert TaskTally.objects.count() == 0
        first = tallies.ensure(day)
        again = tallies.ensure(day)  # built once a day
        assert first.pk == again.pk
        assert kept(day) == live(day) == {(world.province.division.pk, world.owner.pk): buckets(in_progress=1)}


def test_the_sweep_builds_the_day_on_a_weekend_too(world: World) -> None:
    with on(date(2026, 3, 13)):
        world.assign(deadline=date(2026, 3, 13))  # Friday
    sweep_on(date(2026, 3, 14))  # Saturday: no reminders, but the overdue task must count
    assert kept(date(2026, 3, 14)) == {(world.province.division.pk, world.owner.pk): buckets(overdue=1)}


def _overview(client: Client, unit_id: int) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tasks/overview/", {"unit": unit_id})
    assert response.status_code == 200
    rows = [(r.unit.pk, r.own, r.bucket_values) for r in response.context["rows"]]
    return (rows, response.context["people"]), len(queries)


def test_overview_reads_the_same_figures_from_tallies_as_from_the_tasks(world: World) -> None:
    province = world.province
    with on(date(2026, 3, 2)):
        world.accept(world.assign(deadline=date(2026, 3, 6)))
        world.assign(lead_unit=province.agency, deadline=date(2026, 3, 9))
        world.assign(lead_unit=province.other_division, owner=province.other_person, deadline=date(2026, 3, 31))
    with on(date(2026, 3, 5)):
        world.approve(world.submit(world.accept(world.assign(deadline=date(2026, 3, 5)))))
    client = Client()
    client.force_login(province.users[Role.LANHDAO])
    with on(date(2026, 3, 16)):
        from_tasks, queries_live = _overview(client, province.root.pk)
        tallies.rebuild(date(2026, 3, 16))
        from_tallies, queries_kept = _overview(client, province.root.pk)
        api = client.get("/api/v1/tasks/overview", {"unit_id": province.root.pk}).json()
    assert from_tallies == from_tasks
    rows, people = from_tallies
    assert rows == [
        (province.root.pk, True, [0, 0, 0, 0]),
        (province.agency.pk, False, [1, 0, 0, 2]),
        (province.other_agency.pk, False, [0, 0, 1, 0]),
    ]
    assert people == [{"id": world.owner.pk, "name": world.owner.full_name, "buckets": [1, 0, 0, 2]}]
    assert queries_kept <= queries_live
    assert [(r["unit_code"], r["own"], list(r["buckets"].values())) for r in api["units"]] == [
        ("01", True, [0, 0, 0, 0]),
        ("01.001", False, [1, 0, 0, 2]),
        ("01.002", False, [0, 0, 1, 0]),
    ]


def test_people_ranking_sums_an_owner_over_every_lead_unit(world: World) -> None:
    province = world.province
    with on(date(2026, 3, 2)):
        world.assign(deadline=date(2026, 3, 6))  # overdue, division
        world.assign(lead_unit=province.agency, deadline=date(2026, 3, 31))  # in progress, agency
        world.assign(lead_unit=province.other_division, owner=province.other_person, deadline=date(2026, 3, 9))
        world.assign(lead_unit=province.other_division, owner=province.other_person, deadline=date(2026, 3, 10))
    day = date(2026, 3, 16)
    with on(day):
        live_people = people_rows(province.root, day)
        tallies.rebuild(day)
        kept_people = people_rows(province.root, day)
        # every unit (an installation with one province): read from the owners' own tallies, worst first
        everywhere = tallies.ranked_owners(Q(), day, 50)
        assert everywhere == [
            (province.other_person.pk, dict(zip(BUCKETS, [0, 0, 0, 2], strict=True))),
            (world.owner.pk, dict(zip(BUCKETS, [0, 0, 1, 1], strict=True))),
        ]
        assert everywhere == ranked_owners_live(Q(), day)
        kept_rows = [(r.unit.pk, r.bucket_values) for r in unit_rows(province.agency, day)]
    assert (
        kept_people
        == live_people
        == [
            {"id": province.other_person.pk, "name": province.other_person.full_name, "buckets": [0, 0, 0, 2]},
            {"id": world.owner.pk, "name": world.owner.full_name, "buckets": [0, 0, 1, 1]},
        ]
    )
    assert kept_rows == [(province.agency.pk, [0, 0, 1, 0]), (province.division.pk, [0, 0, 0, 1])]


def test_a_refused_or_stale_change_moves_nothing(world: World) -> None:
    day = date(2026, 3, 16)
    with on(day):
        task = world.accept(world.assign(deadline=date(2026, 3, 20)))
        tallies.rebuild(day)
        before = kept(day)
        with pytest.raises(StaleTask):
            services.cancel_task(acting_user=world.leader, task=task, reason="Huỷ", expected_version=1)
        ext = services.request_extension(
            acting_user=world.owner_user, task=task, reason="Chờ số liệu", proposed_deadline=date(2026, 3, 27)
        )
        services.decide_extension(acting_user=world.leader, extension=ext, approve=False, note="Không đồng ý")
        assert Task.objects.get(pk=task.pk).deadline == date(2026, 3, 20)
        assert (
            kept(day) == before == live(day) == {(world.province.division.pk, world.owner.pk): buckets(in_progress=1)}
        )


def test_unit_board_counts_from_tallies_equal_the_tasks(world: World) -> None:
    province = world.province
    with on(date(2026, 3, 2)):
        world.assign(deadline=date(2026, 3, 6))
        world.assign(lead_unit=province.agency, deadline=date(2026, 3, 31))
        cancelled = world.assign(deadline=date(2026, 3, 20))
        services.cancel_task(acting_user=world.leader, task=cancelled, reason="Không còn cần thiết")
    client = Client()
    client.force_login(province.users[Role.LANHDAO])

    def board(**params: str) -> tuple[Any, ...]:
        response = client.get(f"/tasks/unit/{province.agency.pk}/", params)
        assert response.status_code == 200
        page = response.context["page"]
        return response.context["buckets"], response.context["total"], page.paginator.count, [t.pk for t in page]

    with on(date(2026, 3, 16)):
        live = [board(), board(bucket="overdue"), board(state="cancelled"), board(owner=str(world.owner.pk))]
        tallies.rebuild(date(2026, 3, 16))
        kept_ = [board(), board(bucket="overdue"), board(state="cancelled"), board(owner=str(world.owner.pk))]
    assert kept_ == live
    assert [(b[0][3][2], b[1], b[2]) for b in live] == [(1, 2, 3), (1, 2, 1), (1, 2, 1), (1, 2, 3)]
