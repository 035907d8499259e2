"""From recorded task work to the engine's products: one person (or many), one period.

The period is a month or a quarter given by its first and last day (both inclusive). This
is the product's reading of Decree 335/2025, Arts. 13–16 (domain-law §1.2: the converted
products completed in the month or quarter are compared with those assigned):

* **Which products.** The expected products (``TaskProduct``) of the tasks whose
  accountable person (``Task.owner``) is the person evaluated and whose *current* deadline
  falls in the period. An approved extension moves the deadline, so it moves the products
  to the period of the new date; the original deadline only informs. Cancelled tasks are
  left out; every other task is in, whatever its state (a task still open counts, as not
  done; it is never left out).
* **done** when the task is in state done, was completed (``completed_on``, the day its
  result was submitted) on or before ``as_of`` (default: today), and the owner marked the
  product done when submitting. Anything else (open, submitted and not yet accepted,
  returned, accepted after ``as_of``, a product not delivered) is not done. A product
  completed after the period's end but by ``as_of`` is done (and late); to score a period
  as it stood on its last day, pass ``as_of=end``.
* **errors** of a done product: the task's ``major_errors`` (the assigner's grade when
  accepting), the same number for each done product of the task. 0 when not done.
* **delays** of a done product: the product's ``delays`` (1 when the task was completed
  after its current deadline; finishing by an extended deadline is on time). 0 when not
  done: the engine counts neither errors nor delays of a product not done, and a delay
  recorded after ``as_of`` was not known on that day.
* **excused**: the product's flag (an objective cause confirmed by the competent
  authority); the engine then ignores its errors and delays.
* **weight**: the product's converted weight (quantity × coefficient at assignment), a
  ``Decimal``.
* **ref**: ``"task:<task id>/product:<product id>"``, the evidence reference of the
  engine's trace that the UI links to.
* **completed_on** is the task's completion day when it was completed by ``as_of``,
  otherwise ``None``; deadlines, extensions and flags are read as they are now.

Each function reads everything in one query, ordered by (deadline, task id, product id),
whatever the number of tasks or of people. ``totals_for_people`` reads the same products
with the same rules but returns only the sums the engine scores them by
(``engine.ProductTotals``), added up by the database, one row per person: for scoring many
people at once (``batch``). The engine stays pure: this module only builds its inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Field,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils import timezone

from congvu.evaluation.engine import Product, ProductTotals, deductions
from congvu.evaluation.rulesets import Params
from congvu.tasks.models import ExtensionState, Task, TaskProduct, TaskState


@dataclass(frozen=True)
class ProductEvidence:
    """One assigned product of the period, as the engine will count it, with what it comes from."""

    task_id: int
    task_title: str
    product_id: int
    product_code: str
    product_name: str
    deadline: date  # current (after approved extensions)
    original_deadline: date
    completed_on: date | None  # None unless the task was completed by ``as_of``
    weight: Decimal
    done: bool
    errors: int
    delays: int
    excused: bool
    ref: str
    approved_extensions: int


def evidence_ref(task_id: int, product_id: int) -> str:
    return f"task:{task_id}/product:{product_id}"


def collect_for_people(
    *, person_ids: Sequence[int], start: date, end: date, as_of: date | None = None
) -> dict[int, list[ProductEvidence]]:
    """Every person's products of the period (a key for each person asked, possibly with no products), one query."""
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    today = timezone.localdate() if as_of is None else as_of
    found: dict[int, list[ProductEvidence]] = {person_id: [] for person_id in person_ids}
    rows = (
        TaskProduct.objects.filter(task__owner_id__in=list(found), task__deadline__range=(start, end))
        .exclude(task__state=TaskState.CANCELLED)
        .annotate(
            approved_extensions=Count(
                "task__extensions", filter=Q(task__extensions__state=ExtensionState.APPROVED), distinct=True
            )
        )
        .order_by("task__deadline", "task_id", "pk")
        .values(
            "pk",
            "task_id",
            "task__owner_id",
            "task__title",
            "task__deadline",
            "task__original_deadline",
            "task__state",
            "task__completed_on",
            "task__major_errors",
            "product_type__code",
            "product_type__name",
            "weight",
            "done",
            "delays",
            "excused",
            "approved_extensions",
        )
    )
    for row in rows:
        completed_on: date | None = row["task__completed_on"]
        completed = row["task__state"] == TaskState.DONE and completed_on is not None and completed_on <= today
        done = completed and bool(row["done"])
        found[row["task__owner_id"]].append(
            ProductEvidence(
                task_id=row["task_id"],
                task_title=row["task__title"],
                product_id=row["pk"],
                product_code=row["product_type__code"],
                product_name=row["product_type__name"],
                deadline=row["task__deadline"],
                original_deadline=row["task__original_deadline"],
                completed_on=completed_on if completed else None,
                weight=row["weight"],
                done=done,
                errors=row["task__major_errors"] if done else 0,
                delays=row["delays"] if done else 0,
                excused=row["excused"],
                ref=evidence_ref(row["task_id"], row["pk"]),
                approved_extensions=row["approved_extensions"],
            )
        )
    return found


def collect_products(*, person_id: int, start: date, end: date, as_of: date | None = None) -> list[ProductEvidence]:
    """One person's products of the period (see the module's docstring), one query."""
    return collect_for_people(person_ids=[person_id], start=start, end=end, as_of=as_of)[person_id]


def engine_products(evidence: Sequence[ProductEvidence]) -> list[Product]:
    """The engine's products, in the same order, each naming its evidence."""
    return [
        Product(weight=e.weight, done=e.done, errors=e.errors, delays=e.delays, excused=e.excused, ref=e.ref)
        for e in evidence
    ]


NO_PRODUCTS = ProductTotals(
    count=0, total_weight=Decimal(0), done_weight=Decimal(0), quality=Decimal(0), timely=Decimal(0)
)
WEIGHT_PLACES = TaskProduct._meta.get_field("weight").decimal_places


def _deduction(cut: Decimal) -> tuple[int, int, int]:
    """A deduction as ``p / q`` in lowest terms, and the smallest ``k`` such that ``q`` divides ``10 ** k``."""
    ratio = Fraction(cut)
    places = 0
    while 10**places % ratio.denominator:
        places += 1
    return ratio.numerator, ratio.denominator, places


def people_in(person_ids: Sequence[int] | QuerySet[Any, int]) -> Any:
    """The right-hand side of an ``__in`` filter on these people's ids, cheap whatever their number.

    A query of ids stays a subquery. A list, rather than one query parameter each (which the
    driver and Django prepare one by one, and SQLite builds limit to 32,766 by default), is one
    JSON parameter read by ``json_each`` on SQLite, and on PostgreSQL the ids themselves, written
    into the statement as the integers they are (the list PostgreSQL hashes).
    """
    if isinstance(person_ids, QuerySet):
        return person_ids
    ids = [int(i) for i in person_ids]
    if not ids:
        return ids  # Django runs no query for an empty list
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),), IntegerField())
    return RawSQL(", ".join(map(str, ids)), (), IntegerField())  # noqa: S611 - integers, written by int()


# On SQLite, from this many people on, the sums are added up for every owner of the period in one pass
# over the products (``_sqlite_sums_by_task``) and the others dropped here: SQLite has no statistics
# (the application does not run ``ANALYZE``) and, given a long list, looks each person's tasks up by
# the owner's index, several times slower. Fewer people are looked up by that index.
SQLITE_SCAN_FROM = 1_000


def totals_for_people(
    *,
    person_ids: Sequence[int] | QuerySet[Any, int],
    start: date,
    end: date,
    params: Params,
    as_of: date | None = None,
) -> dict[int, ProductTotals]:
    """Every person's products of the period summed as the engine counts them (``ProductTotals``), in one query.

    The same products and the same reading of them as ``collect_for_people`` (see the module's
    docstring), added up per person by the database (``GROUP BY`` the task's owner), exactly, as
    sums of integers: each weight as its integer number of hundredths (the field's decimal
    places), each deduction in force (``params``) as a fraction ``p / q``, so that a done product
    adds ``w`` to the done weight and ``w × max(0, q − p × errors)`` (``w × q`` when excused) to
    the quality (the same with its delays to the timeliness), divided by ``q`` here.

    A weight of at most 10 digits stored as a binary double (SQLite's decimals) or converted to
    one, times 100, is within a millionth of its integer number of hundredths: ``ROUND`` gives
    that integer exactly. SQLite adds the integers as 64-bit integers (it refuses to overflow).
    PostgreSQL adds them as doubles (its ``bigint`` sums carry 128-bit states, a quarter slower):
    a sum of non-negative integers in doubles is exact while it stays below 2^53, which every sum
    is checked to do, else (sums of some 10^13 weight units) the query runs again in ``bigint``.

    A key for each person asked (``person_ids``: ids, or a query of ids, run once here and used
    as a subquery; see ``SQLITE_SCAN_FROM`` for many people on SQLite); a person with no product
    gets zero sums (``count`` 0), which the engine refuses as ``no_products``.
    """
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    today = timezone.localdate() if as_of is None else as_of
    found: dict[int, ProductTotals] = dict.fromkeys(person_ids, NO_PRODUCTS)
    error_cut, delay_cut = deductions(params)
    error_p, error_q, error_places = _deduction(error_cut)
    delay_p, delay_q, delay_places = _deduction(delay_cut)
    sqlite = connection.vendor == "sqlite"
    every_owner = sqlite and len(found) >= SQLITE_SCAN_FROM
    rows: list[tuple[Any, ...]] = []
    if every_owner:
        rows = _sqlite_sums_by_task(start, end, today, (error_p, error_q), (delay_p, delay_q))
    elif found:
        query = TaskProduct.objects.filter(
            task__owner_id__in=people_in(person_ids if isinstance(person_ids, QuerySet) else list(found)),
            task__deadline__range=(start, end),
        ).exclude(task__state=TaskState.CANCELLED)
        done = Q(task__state=TaskState.DONE, task__completed_on__lte=today, done=True)
        for in_doubles in (False,) if sqlite else (True, False):
            rows = list(_sums(query, done, (error_p, error_q), (delay_p, delay_q), in_doubles))
            if not in_doubles or all(value < _EXACT_IN_DOUBLES for row in rows for value in row[2:]):
                break
    # The quality sum is Σ w × 10^places × q × max(0, 1 − cut × errors): divided by q it is a decimal
    # (q divides 10^k), so multiplying by 10^k / q keeps it an integer, scaled by 10^(places + k).
    error_scale, delay_scale = 10**error_places // error_q, 10**delay_places // delay_q
    weight_exponent = f"E-{WEIGHT_PLACES}"
    error_exponent, delay_exponent = f"E-{WEIGHT_PLACES + error_places}", f"E-{WEIGHT_PLACES + delay_places}"
    for owner, count, total, done_total, quality, timely in rows:
        if every_owner and owner not in found:
            continue
        # int() of an integer held in a double (or a Decimal from PostgreSQL's bigint sums) is exact;
        # each decimal is built from its digits, exact whatever the decimal context.
        found[owner] = ProductTotals(
            count=count,
            total_weight=Decimal(f"{int(total)}{weight_exponent}"),
            done_weight=Decimal(f"{int(done_total)}{weight_exponent}"),
            quality=Decimal(f"{int(quality) * error_scale}{error_exponent}"),
            timely=Decimal(f"{int(timely) * delay_scale}{delay_exponent}"),
        )
    return found


_EXACT_IN_DOUBLES = 2**53  # every integer below is a double, and so is the sum of two of them below it


def _sqlite_sums_by_task(
    start: date, end: date, today: date, error: tuple[int, int], delay: tuple[int, int]
) -> list[tuple[Any, ...]]:
    """``_sums`` of every owner of the period, on SQLite, in two steps (the same sums, added in another order).

    First every task's products (``GROUP BY`` the product's task, which SQLite reads in the order
    of its index, with no sort): their count, Σ w, and of the products delivered, Σ w, Σ w of the
    excused ones and Σ w × max(0, q − p × delays) of the others; then the period's tasks, not
    cancelled, per owner, where a task done by ``today`` adds its delivered sums, its quality
    being ``q × Σ w excused + max(0, q − p × errors) × Σ w not excused`` (the errors are the
    task's). SQLite sorts a task's row, not each product's, for the owners' ``GROUP BY``.
    """
    quote = connection.ops.quote_name
    product, task = TaskProduct._meta, Task._meta

    def column(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    (error_p, error_q), (delay_p, delay_q) = error, delay
    weight = f"CAST(ROUND({column(product, 'weight')} * {10**WEIGHT_PLACES}) AS INTEGER)"
    done, excused, delays = column(product, "done"), column(product, "excused"), column(product, "delays")
    task_id, state, completed_on = column(product, "task"), column(task, "state"), column(task, "completed_on")
    completed = f"t.{state} = %s AND t.{completed_on} <= %s"
    # Only quoted names from the models and integers are written into the statement; values are parameters.
    sql = f"""
        SELECT t.{column(task, "owner")}, SUM(s.n), SUM(s.w),
            SUM(CASE WHEN {completed} THEN s.dw ELSE 0 END),
            SUM(CASE WHEN {completed} THEN {error_q} * s.ew
                + MAX(0, {error_q} - {error_p} * t.{column(task, "major_errors")}) * (s.dw - s.ew) ELSE 0 END),
            SUM(CASE WHEN {completed} THEN {delay_q} * s.ew + s.dt ELSE 0 END)
        FROM (
            SELECT {task_id} AS task_id, COUNT(*) AS n, SUM({weight}) AS w,
                SUM(CASE WHEN {done} THEN {weight} ELSE 0 END) AS dw,
                SUM(CASE WHEN {done} AND {excused} THEN {weight} ELSE 0 END) AS ew,
                SUM(CASE WHEN {done} AND NOT {excused} THEN {weight} * MAX(0, {delay_q} - {delay_p} * {delays})
                    ELSE 0 END) AS dt
            FROM {quote(product.db_table)} GROUP BY {task_id}
        ) s
        JOIN {quote(task.db_table)} t ON t.{column(task, "id")} = s.task_id
        WHERE t.{column(task, "deadline")} BETWEEN %s AND %s AND t.{state} <> %s
        GROUP BY t.{column(task, "owner")}
    """  # noqa: S608
    adapt = connection.ops.adapt_datefield_value
    params = [TaskState.DONE.value, adapt(today)] * 3 + [adapt(start), adapt(end), TaskState.CANCELLED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _sums(
    query: QuerySet[TaskProduct], done: Q, error: tuple[int, int], delay: tuple[int, int], in_doubles: bool
) -> QuerySet[Any, tuple[Any, ...]]:
    """(owner, count, Σ w, Σ w done, Σ w × kept quality, Σ w × kept timeliness) per owner, in hundredths × q."""
    scale = 10**WEIGHT_PLACES
    number: Field[Any, Any] = FloatField() if in_doubles else BigIntegerField()
    weight = Func(  # the weight's integer number of hundredths, exactly (see totals_for_people)
        F("weight"),
        template=f"ROUND(CAST(%(expressions)s AS DOUBLE PRECISION) * {scale})"
        if in_doubles
        else f"CAST(ROUND(%(expressions)s * {scale}) AS BIGINT)",
        output_field=number,
    )

    def kept(deduction: tuple[int, int], count: F) -> ExpressionWrapper[Any]:
        """``w × q × max(0, 1 − (p / q) × count)`` of a done product, ``w × q`` when excused."""
        p, q = deduction
        factor = Case(
            When(excused=True, then=Value(q)),
            default=Greatest(Value(0), Value(q) - Value(p) * count),
            output_field=BigIntegerField(),
        )
        return ExpressionWrapper(weight * factor, output_field=number)

    def when_done(value: Any) -> Sum:
        return Sum(Case(When(done, then=value), default=Value(0), output_field=number))

    return (
        query.order_by()
        .values_list("task__owner_id")
        .annotate(
            count=Count("pk"),
            total=Sum(weight),
            done_total=when_done(weight),
            quality=when_done(kept(error, F("task__major_errors"))),
            timely=when_done(kept(delay, F("delays"))),
        )
    )
