"""Scoring many people's period at once: the same results as one by one, in a constant number of queries.

The batch scores each person from sums the database adds up (``totals_for_people``); the
reference here is the batch as first written, every product read into memory
(``collect_for_people``) and scored one by one. Both must give the same results, to the last
digit and the last character of every trace line but its evidence (the batch names none).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from pytest_django import DjangoAssertNumQueries

from benchmarks.evaluation_data import AS_OF, MONTH_END, MONTH_START, build
from congvu.core.policy import Role
from congvu.evaluation import batch, evidence, services
from congvu.evaluation.engine import Facts, PeriodInput, PeriodResult, product_totals, score_period
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.evidence import (
    WEIGHT_PLACES,
    collect_for_people,
    engine_products,
    totals_for_people,
)
from congvu.evaluation.models import Period, Sheet, SheetRole
from congvu.evaluation.rulesets import Params
from congvu.org.models import Person
from congvu.tasks.models import Task, TaskProduct, TaskState
from tests.evaluation.test_evidence import LATER, Scenario, scenario  # noqa: F401 - the fixture
from tests.evaluation.test_sheets import assessed, march_work
from tests.factories import Province, person
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(province: Province) -> World:
    return World(province)


def per_product(
    *, period: Period, person_ids: list[int], as_of: date | None = None, params: Params | None = None
) -> dict[int, PeriodResult | EvaluationError]:
    """The batch as first written: every product of every person in memory, scored one by one."""
    itemised = collect_for_people(person_ids=person_ids, start=period.start, end=period.end, as_of=as_of)
    sheets = {s.person_id: s for s in Sheet.objects.filter(period=period, person_id__in=list(person_ids))}
    params = params or services.params(period.end)
    zero = D(0)
    results: dict[int, PeriodResult | EvaluationError] = {}
    for person_id in person_ids:
        sheet = sheets.get(person_id)
        role = sheet.role if sheet is not None else SheetRole.STAFF
        general = dict.fromkeys(services.GROUPS, zero)
        if sheet is not None:
            review = [sheet.review_i, sheet.review_ii, sheet.review_iii]
            own = [sheet.self_i, sheet.self_ii, sheet.self_iii]
            chosen = review if all(v is not None for v in review) else own
            general = {g: (v if v is not None else zero) for g, v in zip(services.GROUPS, chosen, strict=True)}
        leader = role in batch.LEADER_ROLES
        inp = PeriodInput(
            role=role,
            general=general,
            products=engine_products(itemised.get(person_id, [])),
            subordinate_levels=[] if leader else None,
            organising=(sheet.organising if sheet is not None and sheet.organising is not None else zero)
            if leader
            else None,
            uniting=(sheet.uniting if sheet is not None and sheet.uniting is not None else zero) if leader else None,
            facts=Facts(
                disciplined=bool(sheet and sheet.disciplined),
                degradation=bool(sheet and sheet.degradation),
                corruption_in_unit=bool(sheet and sheet.corruption_in_unit),
            ),
        )
        try:
            results[person_id] = score_period(inp, params)
        except EvaluationError as exc:
            results[person_id] = exc
    return results


def comparable(result: PeriodResult | EvaluationError) -> Any:
    """A result as the batch gives it: its trace lines without their evidence, every number with its digits."""
    if isinstance(result, EvaluationError):
        return ("error", result.code, result.message)
    return (
        replace(result, trace=[replace(line, evidence=()) for line in result.trace]),
        [(key, str(value)) for key, value in result.values.items()],
        [str(line.value) for line in result.trace],
    )


def assert_same_results(period: Period, person_ids: list[int], as_of: date | None) -> dict[str, int]:
    ours = batch.score_period_of(period=period, person_ids=person_ids, as_of=as_of)
    reference = per_product(period=period, person_ids=person_ids, as_of=as_of)
    assert list(ours) == list(reference) == list(dict.fromkeys(person_ids))
    for person_id in person_ids:
        assert comparable(ours[person_id]) == comparable(reference[person_id]), person_id
    return {
        "scored": sum(isinstance(r, PeriodResult) for r in ours.values()),
        "no_products": sum(isinstance(r, EvaluationError) and r.code == "no_products" for r in ours.values()),
    }


def test_batch_matches_the_sheet_and_counts_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    march_work(world)
    head = world.province.users[Role.TRUONGPHONG]
    sheet = services.review_sheet(acting_user=head, sheet=assessed(world), general={"I": 9, "II": 9, "III": 8})
    idle = person("Đỗ Văn Rảnh", world.province.division, sex="M")
    period = services.month_period(date(2026, 3, 1))
    with on(date(2026, 3, 31)), django_assert_num_queries(2):
        results = batch.score_period_of(period=period, person_ids=[world.owner.pk, idle.pk])
    mine = results[world.owner.pk]
    assert not isinstance(mine, EvaluationError)
    assert (mine.values["total"], mine.level) == (D("89.00"), "HTT")
    with on(date(2026, 3, 31)):
        assert services.preview(sheet).values["total"] == D("89.00")
    nothing = results[idle.pk]
    assert isinstance(nothing, EvaluationError) and nothing.code == "no_products"
    with on(date(2026, 3, 31)), django_assert_num_queries(3):  # the query of ids, then the same two
        by_query = batch.score_period_of(
            period=period,
            person_ids=Person.objects.filter(pk__in=[world.owner.pk, idle.pk]).values_list("pk", flat=True),
        )
    assert {k: comparable(v) for k, v in by_query.items()} == {k: comparable(v) for k, v in results.items()}


def test_the_services_scenario_person_by_person(scenario: Scenario, province: Province) -> None:  # noqa: F811
    s = scenario
    people = [s.world.owner.pk, s.other.pk, province.outside_person.pk]
    march, april = services.month_period(date(2026, 3, 1)), services.month_period(date(2026, 4, 1))
    # Done or not as the month went on: completions on 19/3, 24/3, 25/3 (2 errors, one product not
    # delivered), 2/4 (late, excused); a task never submitted, one cancelled, one extended into April.
    for day in (date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 31), date(2026, 4, 2), LATER):
        assert assert_same_results(march, people, day) == {"scored": 2, "no_products": 1}
        assert assert_same_results(april, people, day) == {"scored": 1, "no_products": 2}
    with on(LATER):
        assert assert_same_results(march, people, None) == {"scored": 2, "no_products": 1}
    results = batch.score_period_of(period=march, person_ids=people, as_of=LATER)
    owner = results[s.world.owner.pk]
    assert isinstance(owner, PeriodResult)
    # As test_evidence's test_engine_products_and_the_month_score, with no general criteria (no sheet).
    assert {k: str(v) for k, v in owner.values.items()} == {
        "general": "0.00",
        "a": "73.68",
        "b": "68.42",
        "c": "65.79",
        "task_percent": "69.30",
        "task_points": "48.51",
        "total": "48.51",
    }
    assert all(line.evidence == () for line in owner.trace)


@pytest.fixture
def bulk() -> list[int]:
    """60 officials' March 2026 (the benchmark's data), then the cases it lacks, written directly.

    The benchmark's data: tasks done (some late, some with 1 or 2 major errors, some completed
    after 5 April), open (in progress, submitted, returned), cancelled; some extended; excused
    products; products not delivered; a leader per 50 officials; sheets reviewed or only
    self-assessed. Added: fractional weights, errors and delays beyond the deductions' cuts,
    deadlines moved out of and into the month, a deputy, leaders without percentages, a sheet
    with a partial review, facts that force KHT, people without tasks or with only cancelled ones.
    """
    build(60, products=20, per_task=5, seed=7, vacuum=False)
    rng = random.Random(7)
    products = list(TaskProduct.objects.order_by("pk"))
    for product, weight in zip(products[::7], ["0.25", "1.5", "0.01", "0.99", "12.34", "99999.99"] * 50, strict=False):
        product.weight = D(weight)
    for product in products[3::11]:
        product.delays = rng.choice([2, 4, 5, 9])
    TaskProduct.objects.bulk_update(products, ["weight", "delays"])
    done = list(Task.objects.filter(state=TaskState.DONE).order_by("pk"))
    for task in done[::9]:
        task.major_errors = rng.choice([3, 4, 5, 8])
    Task.objects.bulk_update(done, ["major_errors"])
    tasks = list(Task.objects.exclude(state=TaskState.DONE).order_by("pk"))
    for task in tasks[::13]:  # extended into April: out of March
        task.deadline = date(2026, 4, 3)
    Task.objects.bulk_update(tasks, ["deadline"])
    Task.objects.filter(pk__in=[t.pk for t in done[1::17]]).update(
        deadline=MONTH_END + timedelta(days=1)  # the day after the month: out of it
    )
    Task.objects.filter(pk__in=[t.pk for t in done[2::17]]).update(deadline=MONTH_START)  # its first day
    sheets = list(Sheet.objects.order_by("pk"))
    sheets[1].role, sheets[1].organising, sheets[1].uniting = SheetRole.DEPUTY, D("87.5"), D("90")
    sheets[2].role, sheets[2].organising, sheets[2].uniting = SheetRole.LEADER, None, None
    sheets[3].review_ii = None
    sheets[4].disciplined = True
    sheets[5].corruption_in_unit = True
    sheets[50].corruption_in_unit = True  # a leader (the first of the second unit)
    Sheet.objects.bulk_update(
        sheets, ["role", "organising", "uniting", "review_ii", "disciplined", "corruption_in_unit"]
    )
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    Task.objects.filter(owner_id=ids[7]).update(state=TaskState.CANCELLED)
    Task.objects.filter(owner_id=ids[8]).delete()
    newcomer = Person.objects.create(full_name="Người mới", search_name="nguoi moi")
    return [*ids, newcomer.pk, ids[3]]  # someone asked twice


@pytest.fixture(params=[10**9, 1], ids=["filtered", "one-pass"])
def scan_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Both ways of summing on SQLite: the people's products looked up, or every owner's in one pass."""
    monkeypatch.setattr(evidence, "SQLITE_SCAN_FROM", request.param)
    return int(request.param)


@pytest.mark.usefixtures("scan_from")
def test_many_people_person_by_person(bulk: list[int]) -> None:
    march = Period.objects.get(start=MONTH_START)
    for as_of in (date(2026, 3, 1), date(2026, 3, 15), MONTH_END, AS_OF, date(2026, 5, 1)):
        counts = assert_same_results(march, bulk, as_of)
        assert counts == {"scored": 58, "no_products": 3}, as_of
    february = services.month_period(date(2026, 2, 1))
    assert assert_same_results(february, bulk, AS_OF) == {"scored": 0, "no_products": 61}
    april = services.month_period(date(2026, 4, 1))
    assert assert_same_results(april, bulk, AS_OF)["scored"] > 0


@pytest.mark.usefixtures("scan_from")
@pytest.mark.parametrize(("error", "delay"), [("0.25", "0.25"), ("0.3", "0.125"), ("0", "1"), ("0.07", "0.5")])
def test_the_sums_are_the_products_sums(bulk: list[int], error: str, delay: str) -> None:
    base = services.params(MONTH_END)
    values = {p.name: p for p in base.all()}
    values["task.error_deduction"] = replace(values["task.error_deduction"], value=D(error))
    values["task.delay_deduction"] = replace(values["task.delay_deduction"], value=D(delay))
    params = Params(base.ruleset_id, base.day, values)
    itemised = collect_for_people(person_ids=bulk, start=MONTH_START, end=MONTH_END, as_of=AS_OF)
    totals = totals_for_people(person_ids=bulk, start=MONTH_START, end=MONTH_END, params=params, as_of=AS_OF)
    assert list(totals) == list(itemised)
    for person_id, rows in itemised.items():
        expected = product_totals(engine_products(rows), params)
        got = totals[person_id]
        assert got == expected, person_id
        if got.count:
            assert (got.total_weight.as_tuple().exponent, got.done_weight.as_tuple().exponent) == (
                -WEIGHT_PLACES,
                -WEIGHT_PLACES,
            )
    assert sum(t.count for t in totals.values()) == sum(len(rows) for rows in itemised.values()) > 1000
    assert totals_for_people(person_ids=[], start=MONTH_START, end=MONTH_END, params=params) == {}


@pytest.mark.usefixtures("scan_from")
def test_some_of_the_people(bulk: list[int]) -> None:
    some = bulk[::3]
    params = services.params(MONTH_END)
    totals = totals_for_people(person_ids=some, start=MONTH_START, end=MONTH_END, params=params, as_of=AS_OF)
    itemised = collect_for_people(person_ids=some, start=MONTH_START, end=MONTH_END, as_of=AS_OF)
    assert list(totals) == list(itemised) == list(dict.fromkeys(some))
    assert totals == {k: product_totals(engine_products(v), params) for k, v in itemised.items()}
    march = Period.objects.get(start=MONTH_START)
    assert assert_same_results(march, some, AS_OF) == {"scored": 20, "no_products": 1}


def test_sums_too_large_for_doubles_are_added_again_as_integers(
    bulk: list[int], monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    params = services.params(MONTH_END)
    in_doubles = totals_for_people(person_ids=bulk, start=MONTH_START, end=MONTH_END, params=params, as_of=AS_OF)
    monkeypatch.setattr(evidence, "_EXACT_IN_DOUBLES", 1000)  # as if the sums of 10 weight units were not exact
    # PostgreSQL adds in doubles, then again in bigint when a sum is past the limit; SQLite adds 64-bit
    # integers at once, so the limit changes nothing there.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 1):
        as_integers = totals_for_people(person_ids=bulk, start=MONTH_START, end=MONTH_END, params=params, as_of=AS_OF)
    assert as_integers == in_doubles
    march = Period.objects.get(start=MONTH_START)
    assert assert_same_results(march, bulk, AS_OF) == {"scored": 58, "no_products": 3}


def test_a_query_of_ids_instead_of_a_list(bulk: list[int], django_assert_num_queries: DjangoAssertNumQueries) -> None:
    march = Period.objects.get(start=MONTH_START)
    people = Person.objects.filter(pk__in=bulk[::2]).order_by("pk").values_list("pk", flat=True)
    with django_assert_num_queries(3):
        by_query = batch.score_period_of(period=march, person_ids=people, as_of=AS_OF)
    with django_assert_num_queries(2):
        by_list = batch.score_period_of(period=march, person_ids=list(people), as_of=AS_OF)
    assert list(by_query) == list(by_list) == list(people)
    assert {k: comparable(v) for k, v in by_query.items()} == {k: comparable(v) for k, v in by_list.items()}


def test_the_weights_field_is_what_the_exact_sums_assume() -> None:
    # totals_for_people reads a weight as a double times 10^places rounded to an integer: exact for
    # up to 15 significant digits (then within a millionth of the integer, far from half a unit).
    field = TaskProduct._meta.get_field("weight")
    assert (field.max_digits, field.decimal_places) == (10, WEIGHT_PLACES) == (10, 2)
