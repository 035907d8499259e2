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
whatever the number of tasks or of people. The engine stays pure: this module only
builds its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from congvu.evaluation.engine import Product
from congvu.tasks.models import ExtensionState, TaskProduct, TaskState


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
