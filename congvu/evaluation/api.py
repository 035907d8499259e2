"""Evaluation API: score a period, check a quota, read the rules in force (stateless, writes nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from congvu.evaluation.engine import Facts, PeriodInput, Product, TraceLine, check_quota, score_period
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.rulesets import Registry

router = Router(tags=["evaluation"])


class ProductIn(Schema):
    weight: Decimal
    done: bool
    errors: int = 0
    delays: int = 0
    excused: bool = False
    ref: str = ""


class FactsIn(Schema):
    disciplined: bool = False
    degradation: bool = False
    corruption_in_unit: bool = False


class ScoreIn(Schema):
    date: date
    role: str
    general: dict[str, Decimal]
    products: list[ProductIn] = []
    subordinate_levels: list[str] | None = None
    organising: Decimal | None = None
    uniting: Decimal | None = None
    facts: FactsIn = FactsIn()
    ruleset: str | None = None


class TraceOut(Schema):
    key: str
    label: str
    value: str
    formula: str
    rule: str
    citation: str
    certainty: str
    evidence: list[str]


class ScoreOut(Schema):
    ruleset: str
    values: dict[str, str]
    level: str
    forced: bool
    forced_reasons: list[str]
    trace: list[TraceOut]


class QuotaIn(Schema):
    date: date
    counts: dict[str, int]
    outstanding_unit: bool = False
    ruleset: str | None = None


class QuotaOut(Schema):
    ruleset: str
    max_htxs: int
    excess: int
    blocked: bool
    trace: list[TraceOut]


class RuleOut(Schema):
    name: str
    value: Any
    citation: str
    certainty: str
    start: date
    ruleset: str
    description: str


class RulesOut(Schema):
    ruleset: str
    date: date
    items: list[RuleOut]
    count: int


class ErrorOut(Schema):
    detail: str
    code: str


def registry() -> Registry:
    return Registry.load(settings.CONGVU_RULES_DIRS)


def _trace(lines: list[TraceLine]) -> list[dict[str, Any]]:
    return [
        {
            "key": t.key,
            "label": t.label,
            "value": format(t.value, "f"),
            "formula": t.formula,
            "rule": t.rule,
            "citation": t.citation,
            "certainty": t.certainty,
            "evidence": list(t.evidence),
        }
        for t in lines
    ]


def _refused(exc: EvaluationError) -> Status[dict[str, str]]:
    return Status(422, {"detail": exc.message, "code": exc.code})


@router.post("/score", response={200: ScoreOut, 422: ErrorOut}, url_name="evaluation_score")
def score(request: HttpRequest, body: ScoreIn) -> Any:
    """Score one person's period from its inputs, with the trace of every number."""
    try:
        params = registry().params_for(body.date, body.ruleset)
        result = score_period(
            PeriodInput(
                role=body.role,
                general=body.general,
                products=[Product(p.weight, p.done, p.errors, p.delays, p.excused, p.ref) for p in body.products],
                subordinate_levels=body.subordinate_levels,
                organising=body.organising,
                uniting=body.uniting,
                facts=Facts(**body.facts.dict()),
            ),
            params,
        )
    except EvaluationError as exc:
        return _refused(exc)
    return {
        "ruleset": result.ruleset,
        "values": {k: format(v, "f") for k, v in result.values.items()},
        "level": result.level,
        "forced": result.forced,
        "forced_reasons": result.forced_reasons,
        "trace": _trace(result.trace),
    }


@router.post("/quota", response={200: QuotaOut, 422: ErrorOut}, url_name="evaluation_quota")
def quota(request: HttpRequest, body: QuotaIn) -> Any:
    """How many may be rated HTXS in a unit and group, and by how many a proposal exceeds it."""
    try:
        params = registry().params_for(body.date, body.ruleset)
        result = check_quota(body.counts, params, outstanding_unit=body.outstanding_unit)
    except EvaluationError as exc:
        return _refused(exc)
    return {
        "ruleset": result.ruleset,
        "max_htxs": result.max_htxs,
        "excess": result.excess,
        "blocked": result.blocked,
        "trace": _trace(result.trace),
    }


@router.get("/rules", response={200: RulesOut, 422: ErrorOut}, url_name="evaluation_rules")
def rules(request: HttpRequest, day: date | None = None, ruleset: str | None = None) -> Any:
    """The rule parameters in force on a date (today by default), each with its citation and certainty."""
    on = day or timezone.localdate()
    try:
        params = registry().params_for(on, ruleset)
    except EvaluationError as exc:
        return _refused(exc)
    items = [
        {
            "name": p.name,
            "value": p.value,
            "citation": p.citation,
            "certainty": p.certainty,
            "start": p.start,
            "ruleset": p.ruleset,
            "description": p.description,
        }
        for p in params.all()
    ]
    return {"ruleset": params.ruleset_id, "date": on, "items": items, "count": len(items)}
