"""Scoring a whole unit's (or province's) period at once, from the database.

One query reads every product of every person of the period (``collect_for_people``),
one reads their sheets; the engine then scores each person in memory. The query count does
not depend on the number of people. Used for provisional results of a unit and measured
in ``BENCHMARKS.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from congvu.evaluation import services
from congvu.evaluation.engine import Facts, PeriodInput, PeriodResult, score_period
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.evidence import collect_for_people, engine_products
from congvu.evaluation.models import Period, Sheet, SheetRole

LEADER_ROLES = (SheetRole.LEADER, SheetRole.DEPUTY)


def score_period_of(
    *, period: Period, person_ids: Sequence[int], as_of: date | None = None
) -> dict[int, PeriodResult | EvaluationError]:
    """Each person's provisional result for the period (an ``EvaluationError`` when not scorable).

    General criteria and the leaders' percentages come from the person's sheet (the
    reviewer's scores, else the person's own); without a sheet a person is scored as staff
    with the general criteria at 0, so that the task results can be compared.
    """
    evidence = collect_for_people(person_ids=person_ids, start=period.start, end=period.end, as_of=as_of)
    sheets = {s.person_id: s for s in Sheet.objects.filter(period=period, person_id__in=list(person_ids))}
    params = services.params(period.end)
    zero = Decimal(0)
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
        leader = role in LEADER_ROLES
        inp = PeriodInput(
            role=role,
            general=general,
            products=engine_products(evidence.get(person_id, [])),
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
