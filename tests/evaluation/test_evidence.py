"""From recorded task work to the engine's products (congvu.evaluation.evidence), through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest
from pytest_django import DjangoAssertNumQueries

from congvu.accounts.models import User
from congvu.core.policy import Role
from congvu.evaluation.engine import PeriodInput, Product, score_period
from congvu.evaluation.evidence import (
    ProductEvidence,
    collect_for_people,
    collect_products,
    engine_products,
)
from congvu.evaluation.rulesets import Registry
from congvu.org.models import Person
from congvu.tasks import services
from congvu.tasks.models import Task, TaskProduct
from tests.factories import Province, user
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db

PARAMS = Registry.load().params_for(date(2026, 3, 31))
GENERAL = {"I": D(9), "II": D(9), "III": D(9)}
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
APRIL = {"start": date(2026, 4, 1), "end": date(2026, 4, 30)}
LATER = date(2026, 4, 10)  # after every completion of the scenario


@pytest.fixture
def world(province: Province) -> World:
    return World(province)


@dataclass
class Scenario:
    world: World
    other: Person
    other_user: User
    on_time: Task  # due 20/3, done 19/3
    late: Task  # due 20/3, submitted 24/3: delays 1
    flawed: Task  # due 25/3, 2 major errors; one of its two products not delivered
    still_open: Task  # due 31/3, never submitted
    cancelled: Task  # due 27/3, cancelled
    extended: Task  # due 30/3, extended to 10/4 (one rejected request before)
    others: Task  # another person's, due 20/3, done
    after_month: Task  # due 31/3, submitted 2/4 (late), its delay excused


def _finish(world: World, task: Task, submitted: date, *, products_done: dict[int, bool] | None = None) -> None:
    with on(submitted):
        services.submit_task(
            acting_user=world.owner_user,
            task=task,
            products_done=products_done or {p.pk: True for p in task.products.all()},
        )
    with on(date.fromordinal(submitted.toordinal() + 1)):
        world.approve(task)


@pytest.fixture
def scenario(world: World, province: Province) -> Scenario:
    """Tasks assigned on 16/3 (the fixed clock) and worked on under controlled clocks."""
    other = province.other_person
    other_user = user("duc", Role.CHUYENVIEN, province.other_division, other)
    one_report = [(world.report, D(2))]  # 2 × 1,50 = 3,00
    on_time = world.assign(title="Đúng hạn", deadline=date(2026, 3, 20), products=one_report)
    late = world.assign(title="Trễ hạn", deadline=date(2026, 3, 20), products=[(world.draft, D(2))])  # 4,50
    flawed = world.assign(
        title="Có sai sót", deadline=date(2026, 3, 25), products=[(world.report, D(1)), (world.draft, D(1))]
    )  # 1,50 and 2,25
    still_open = world.assign(title="Còn mở", deadline=date(2026, 3, 31), products=[(world.report, D(1))])
    cancelled = world.assign(title="Bị huỷ", deadline=date(2026, 3, 27), products=one_report)
    extended = world.assign(title="Gia hạn", deadline=date(2026, 3, 30), products=[(world.draft, D(1))])
    others = world.assign(
        title="Của người khác",
        deadline=date(2026, 3, 20),
        lead_unit=province.other_division,
        owner=other,
        products=one_report,
    )
    after_month = world.assign(title="Xong sau tháng", deadline=date(2026, 3, 31), products=[(world.report, D(1))])
    for task in (on_time, late, flawed, still_open, extended, after_month):
        world.accept(task)
    services.accept_task(acting_user=other_user, task=others, plan=[("Thực hiện", date(2026, 3, 20))])

    with on(date(2026, 3, 17)):
        services.cancel_task(acting_user=world.leader, task=cancelled, reason="Không còn cần thiết")
    with on(date(2026, 3, 18)):
        refused = services.request_extension(
            acting_user=world.owner_user, task=extended, reason="Chờ số liệu", proposed_deadline=date(2026, 4, 5)
        )
    with on(date(2026, 3, 19)):
        services.decide_extension(acting_user=world.leader, extension=refused, approve=False, note="Chưa đủ lý do")
    with on(date(2026, 3, 20)):
        granted = services.request_extension(
            acting_user=world.owner_user, task=extended, reason="Chờ số liệu quý I", proposed_deadline=date(2026, 4, 10)
        )
    with on(date(2026, 3, 21)):
        services.decide_extension(acting_user=world.leader, extension=granted, approve=True)

    _finish(world, on_time, date(2026, 3, 19))
    with on(date(2026, 3, 19)):
        services.submit_task(
            acting_user=other_user, task=others, products_done={p.pk: True for p in others.products.all()}
        )
    with on(date(2026, 3, 20)):
        world.approve(others)
    _finish(world, late, date(2026, 3, 24))
    report, draft = flawed.products.order_by("pk")
    with on(date(2026, 3, 25)):
        services.submit_task(
            acting_user=world.owner_user, task=flawed, products_done={report.pk: True, draft.pk: False}
        )
    with on(date(2026, 3, 26)):
        services.review_task(acting_user=world.leader, task=flawed, accept=True, grade="errors", major_errors=2)
    _finish(world, after_month, date(2026, 4, 2))
    # An objective cause of the delay confirmed by the competent authority (no service records it yet).
    TaskProduct.objects.filter(task=after_month).update(excused=True)
    return Scenario(
        world, other, other_user, on_time, late, flawed, still_open, cancelled, extended, others, after_month
    )


def _product(task: Task, index: int = 0) -> TaskProduct:
    return list(TaskProduct.objects.select_related("product_type").filter(task=task).order_by("pk"))[index]


def _row(
    task: Task,
    index: int = 0,
    *,
    deadline: date,
    weight: str,
    done: bool,
    completed_on: date | None = None,
    original_deadline: date | None = None,
    errors: int = 0,
    delays: int = 0,
    excused: bool = False,
    approved_extensions: int = 0,
) -> ProductEvidence:
    product = _product(task, index)
    return ProductEvidence(
        task_id=task.pk,
        task_title=task.title,
        product_id=product.pk,
        product_code=product.product_type.code,
        product_name=product.product_type.name,
        deadline=deadline,
        original_deadline=original_deadline or deadline,
        completed_on=completed_on,
        weight=D(weight),
        done=done,
        errors=errors,
        delays=delays,
        excused=excused,
        ref=f"task:{task.pk}/product:{product.pk}",
        approved_extensions=approved_extensions,
    )


def _march_later(s: Scenario) -> list[ProductEvidence]:
    """Hoà's March as seen on 10/4: by deadline, task id, product id."""
    return [
        _row(s.on_time, deadline=date(2026, 3, 20), weight="3.00", done=True, completed_on=date(2026, 3, 19)),
        _row(s.late, deadline=date(2026, 3, 20), weight="4.50", done=True, completed_on=date(2026, 3, 24), delays=1),
        _row(
            s.flawed, 0, deadline=date(2026, 3, 25), weight="1.50", done=True, completed_on=date(2026, 3, 25), errors=2
        ),
        _row(s.flawed, 1, deadline=date(2026, 3, 25), weight="2.25", done=False, completed_on=date(2026, 3, 25)),
        _row(s.still_open, deadline=date(2026, 3, 31), weight="1.50", done=False),
        _row(
            s.after_month,
            deadline=date(2026, 3, 31),
            weight="1.50",
            done=True,
            completed_on=date(2026, 4, 2),
            delays=1,
            excused=True,
        ),
    ]


def _short(rows: list[ProductEvidence]) -> list[tuple[int, str, bool, int, int, date | None]]:
    return [(r.task_id, str(r.weight), r.done, r.errors, r.delays, r.completed_on) for r in rows]


def test_a_month_as_seen_after_every_completion(scenario: Scenario) -> None:
    s = scenario
    rows = collect_products(person_id=s.world.owner.pk, as_of=LATER, **MARCH)
    assert rows == _march_later(s)
    # Left out: the cancelled task, the task extended into April and the other person's task.
    assert {r.task_id for r in rows}.isdisjoint({s.cancelled.pk, s.extended.pk, s.others.pk})
    assert all(isinstance(r.weight, D) for r in rows)


def test_done_means_completed_by_as_of(scenario: Scenario) -> None:
    s = scenario
    # On 23/3 only the first task had been completed (19/3); the late one was submitted on 24/3,
    # so it is not done yet and shows neither a completion day nor its later-recorded delay.
    assert _short(collect_products(person_id=s.world.owner.pk, as_of=date(2026, 3, 23), **MARCH)) == [
        (s.on_time.pk, "3.00", True, 0, 0, date(2026, 3, 19)),
        (s.late.pk, "4.50", False, 0, 0, None),
        (s.flawed.pk, "1.50", False, 0, 0, None),
        (s.flawed.pk, "2.25", False, 0, 0, None),
        (s.still_open.pk, "1.50", False, 0, 0, None),
        (s.after_month.pk, "1.50", False, 0, 0, None),
    ]
    # On the month's last day the task completed on 2/4 is not done; on 2/4 it is (late).
    month_end = collect_products(person_id=s.world.owner.pk, as_of=date(2026, 3, 31), **MARCH)
    assert _short(month_end)[-1] == (s.after_month.pk, "1.50", False, 0, 0, None)
    on_completion = collect_products(person_id=s.world.owner.pk, as_of=date(2026, 4, 2), **MARCH)
    assert _short(on_completion)[-1] == (s.after_month.pk, "1.50", True, 0, 1, date(2026, 4, 2))


def test_as_of_defaults_to_today(scenario: Scenario) -> None:
    s = scenario
    # The fixed clock (16/3): nothing had been completed yet.
    assert [r.done for r in collect_products(person_id=s.world.owner.pk, **MARCH)] == [False] * 6
    with on(LATER):
        assert collect_products(person_id=s.world.owner.pk, **MARCH) == _march_later(s)


def test_an_approved_extension_moves_the_product_to_the_later_period(scenario: Scenario) -> None:
    s = scenario
    assert collect_products(person_id=s.world.owner.pk, as_of=LATER, **APRIL) == [
        _row(
            s.extended,
            deadline=date(2026, 4, 10),
            original_deadline=date(2026, 3, 30),
            weight="2.25",
            done=False,
            approved_extensions=1,  # the rejected round is not counted
        )
    ]


def test_the_period_bounds_are_inclusive(scenario: Scenario) -> None:
    s = scenario
    owner = s.world.owner.pk
    day = date(2026, 3, 20)
    assert [r.task_id for r in collect_products(person_id=owner, start=day, end=day, as_of=LATER)] == [
        s.on_time.pk,
        s.late.pk,
    ]
    assert collect_products(person_id=owner, start=date(2026, 3, 1), end=date(2026, 3, 19), as_of=LATER) == []
    assert collect_products(person_id=owner, start=date(2026, 3, 21), end=date(2026, 3, 24), as_of=LATER) == []
    with pytest.raises(ValueError, match="starts"):
        collect_products(person_id=owner, start=date(2026, 3, 31), end=date(2026, 3, 1))


def test_engine_products_and_the_month_score(scenario: Scenario) -> None:
    s = scenario
    evidence = collect_products(person_id=s.world.owner.pk, as_of=LATER, **MARCH)
    products = engine_products(evidence)
    refs = [e.ref for e in evidence]
    assert products == [
        Product(D("3.00"), True, 0, 0, False, refs[0]),
        Product(D("4.50"), True, 0, 1, False, refs[1]),
        Product(D("1.50"), True, 2, 0, False, refs[2]),
        Product(D("2.25"), False, 0, 0, False, refs[3]),
        Product(D("1.50"), False, 0, 0, False, refs[4]),
        Product(D("1.50"), True, 0, 1, True, refs[5]),
    ]
    result = score_period(PeriodInput(role="staff", general=GENERAL, products=products), PARAMS)
    # Assigned (converted): 3 + 4,5 + 1,5 + 2,25 + 1,5 + 1,5 = 14,25.
    # a: done 3 + 4,5 + 1,5 + 1,5 = 10,5            → 100 × 10,5 / 14,25 = 73,684… → 73,68
    # b: 3 + 4,5 + 1,5 × (1 − 0,25 × 2) + 1,5 = 9,75 → 100 × 9,75 / 14,25 = 68,421… → 68,42
    # c: 3 + 4,5 × (1 − 0,25) + 1,5 + 1,5 (excused) = 9,375 → 100 × 9,375 / 14,25 = 65,789… → 65,79
    # task %: (10,5 + 9,75 + 9,375) / (3 × 14,25) × 100 = 29,625 / 42,75 × 100 = 69,298… → 69,30
    # task points: 70 × 29,625 / 42,75 = 48,508… → 48,51; total 27 + 48,508… = 75,508… → 75,51 (HTT)
    assert {k: str(v) for k, v in result.values.items()} == {
        "general": "27.00",
        "a": "73.68",
        "b": "68.42",
        "c": "65.79",
        "task_percent": "69.30",
        "task_points": "48.51",
        "total": "75.51",
    }
    assert result.level == "HTT"
    trace = {line.key: line for line in result.trace}
    assert trace["a"].evidence == tuple(refs)
    # b and c name the done products with errors, delays or an excuse.
    assert trace["b"].evidence == (refs[2], refs[5])
    assert trace["c"].evidence == (refs[1], refs[5])


def test_the_month_scored_as_it_stood_on_its_last_day(scenario: Scenario) -> None:
    s = scenario
    evidence = collect_products(person_id=s.world.owner.pk, as_of=date(2026, 3, 31), **MARCH)
    result = score_period(PeriodInput(role="staff", general=GENERAL, products=engine_products(evidence)), PARAMS)
    # The task completed on 2/4 is not done: done 9 of 14,25.
    # a = 100 × 9 / 14,25 = 63,157… → 63,16; b = 100 × 8,25 / 14,25 = 57,894… → 57,89;
    # c = 100 × 7,875 / 14,25 = 55,263… → 55,26; task % = 25,125 / 42,75 × 100 = 58,771… → 58,77;
    # task points = 70 × 25,125 / 42,75 = 41,140… → 41,14; total = 68,140… → 68,14 (HT).
    assert {k: str(result.values[k]) for k in ("a", "b", "c", "task_percent", "task_points", "total")} == {
        "a": "63.16",
        "b": "57.89",
        "c": "55.26",
        "task_percent": "58.77",
        "task_points": "41.14",
        "total": "68.14",
    }
    assert result.level == "HT"


def test_many_people_at_once(scenario: Scenario, province: Province) -> None:
    s = scenario
    owner, other, nobody = s.world.owner.pk, s.other.pk, province.outside_person.pk
    found = collect_for_people(person_ids=[owner, other, nobody], as_of=LATER, **MARCH)
    assert list(found) == [owner, other, nobody]
    assert found[owner] == _march_later(s)
    assert found[other] == [
        _row(s.others, deadline=date(2026, 3, 20), weight="3.00", done=True, completed_on=date(2026, 3, 19))
    ]
    assert found[nobody] == []
    assert collect_for_people(person_ids=[], as_of=LATER, **MARCH) == {}


def test_one_query_whatever_the_number_of_people(
    scenario: Scenario, province: Province, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    s = scenario
    people = [s.world.owner.pk, s.other.pk, province.outside_person.pk]
    with django_assert_num_queries(1):
        assert len(collect_products(person_id=people[0], as_of=LATER, **MARCH)) == 6
    with django_assert_num_queries(1):
        assert len(collect_for_people(person_ids=people[:1], as_of=LATER, **MARCH)[people[0]]) == 6
    with django_assert_num_queries(1):
        found = collect_for_people(person_ids=people, as_of=LATER, **MARCH)
    assert [len(found[p]) for p in people] == [6, 1, 0]
