"""Scoring a whole unit's (or province's) period at once, from the database.

One query sums every person's products of the period in the database (``totals_for_people``:
the engine scores a period's products by four sums, so the products themselves never reach
Python), one reads their sheets; the engine then scores each person from those sums. The query
count does not depend on the number of people (nor of products). The results are those of
scoring each person's products one by one (``collect_products``, ``engine_products``), except
that their traces name no evidence: the itemised products are for the one sheet on screen
(``services.preview``). Used for provisional results of a unit and measured in ``BENCHMARKS.md``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from congvu.evaluation import services
from congvu.evaluation.engine import Facts, PeriodInput, PeriodResult, ProductTotals, score_period
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.evidence import people_in, totals_for_people
from congvu.evaluation.models import Period, Sheet, SheetRole
from congvu.evaluation.rulesets import Params

LEADER_ROLES = (SheetRole.LEADER, SheetRole.DEPUTY)
SHEET_COLUMNS = (
    "person_id",
    "role",
    "review_i",
    "review_ii",
    "review_iii",
    "self_i",
    "self_ii",
    "self_iii",
    "organising",
    "uniting",
    "disciplined",
    "degradation",
    "corruption_in_unit",
)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (reference counting still frees everything freed).

    Each person's result (a dozen trace lines) stays alive until the batch returns, and the
    collector's full passes over hundreds of thousands of such objects would otherwise cost a
    third of the batch's time; none of them is garbage, and any cycle made meanwhile is collected
    after. Restores the collector only if it was running.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score_period_of(
    *, period: Period, person_ids: Sequence[int] | QuerySet[Any, int], as_of: date | None = None
) -> dict[int, PeriodResult | EvaluationError]:
    """Each person's provisional result for the period (an ``EvaluationError`` when not scorable).

    ``person_ids``: the people's ids, or a query of their ids (run once, and used by the other
    two queries as a subquery instead of a list of every id).

    General criteria and the leaders' percentages come from the person's sheet (the
    reviewer's scores, else the person's own); without a sheet a person is scored as staff
    with the general criteria at 0, so that the task results can be compared.
    """
    params = services.params(period.end)
    with _cyclic_gc_paused():
        totals = totals_for_people(
            person_ids=person_ids, start=period.start, end=period.end, params=params, as_of=as_of
        )
        people = people_in(person_ids if isinstance(person_ids, QuerySet) else list(totals))
        sheets = Sheet.objects.filter(period=period, person_id__in=people).values_list(*SHEET_COLUMNS)
        return _score(totals, {row[0]: row for row in sheets}, params)


def _score(
    totals: dict[int, ProductTotals], sheets: dict[int, tuple[Any, ...]], params: Params
) -> dict[int, PeriodResult | EvaluationError]:
    zero = Decimal(0)
    staff_general = dict.fromkeys(services.GROUPS, zero)
    no_facts = Facts()
    results: dict[int, PeriodResult | EvaluationError] = {}
    for person_id, sums in totals.items():
        sheet = sheets.get(person_id)
        if sheet is None:
            inp = PeriodInput(role=SheetRole.STAFF, general=staff_general, totals=sums, facts=no_facts)
        else:
            _, role, *review, self_i, self_ii, self_iii = sheet[:8]
            organising, uniting, disciplined, degradation, corruption_in_unit = sheet[8:]
            chosen = review if None not in review else (self_i, self_ii, self_iii)
            leader = role in LEADER_ROLES
            inp = PeriodInput(
                role=role,
                general={g: (v if v is not None else zero) for g, v in zip(services.GROUPS, chosen, strict=True)},
                totals=sums,
                subordinate_levels=[] if leader else None,
                organising=(organising if organising is not None else zero) if leader else None,
                uniting=(uniting if uniting is not None else zero) if leader else None,
                facts=Facts(bool(disciplined), bool(degradation), bool(corruption_in_unit))
                if disciplined or degradation or corruption_in_unit
                else no_facts,
            )
        try:
            results[person_id] = score_period(inp, params)
        except EvaluationError as exc:
            results[person_id] = exc
    return results
