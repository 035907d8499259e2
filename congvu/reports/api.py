"""Reports API under ``/api/v1/reports``: a unit's service to the public for one month.

``GET /units/{unit_id}/service?month=YYYY-MM``: the feedback and dossier counts of the unit's
subtree and its Decision 766 index group by group (404 outside the caller's scope; a month
outside June 2022 to the current month is a 422).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from congvu.accounts.scope import unit_in_scope
from congvu.core.policy import Cap
from congvu.dossiers.statistics import DossierCounts
from congvu.reports.unit_page import FIRST_YEAR, unit_report

router = Router(tags=["reports"])


class ErrorOut(Schema):
    detail: str
    code: str


class MonthQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (default: this month)")


class GroupOut(Schema):
    key: str
    name: str
    maximum: Decimal
    measure: str | None
    numerator: int | None
    denominator: int | None
    points: Decimal | None
    formula: str | None
    certainty: str
    note: str


class IndexOut(Schema):
    total: Decimal
    scored_maximum: Decimal
    scaled: Decimal | None
    rules_valid_from: date
    citation: str
    groups: list[GroupOut]


class ServiceOut(Schema):
    unit_id: int
    unit_code: str
    month: str
    feedback: dict[str, int]
    dossiers: dict[str, int]
    dossiers_as_of: datetime
    index: IndexOut


def _dossiers(counts: DossierCounts) -> dict[str, int]:
    return {f.name: int(getattr(counts, f.name)) for f in fields(counts)} | {
        "finished": counts.finished,
        "processed": counts.processed,
        "in_progress": counts.in_progress,
    }


@router.get("/units/{int:unit_id}/service", response={200: ServiceOut, 422: ErrorOut}, url_name="report_unit_service")
def unit_service(request: HttpRequest, unit_id: int, query: Query[MonthQuery]) -> Any:
    """Feedback and dossier counts and the service index (Decision 766/QĐ-TTg) of a unit's subtree for a month."""
    unit = unit_in_scope(request.user, Cap.ORG_VIEW, unit_id)
    today = timezone.localdate()
    year, month = today.year, today.month
    if query.month:
        year, month = (int(part) for part in query.month.split("-"))
        if not (1 <= month <= 12 and date(FIRST_YEAR, 6, 1) <= date(year, month, 1) <= today.replace(day=1)):
            return 422, {"detail": "Tháng phải từ 2022-06 đến tháng hiện tại.", "code": "invalid"}
    report = unit_report(unit, year, month)
    index = report["index"]
    return {
        "unit_id": unit.pk,
        "unit_code": unit.code,
        "month": f"{year:04d}-{month:02d}",
        "feedback": {k: int(v) for k, v in report["feedback"].items()},
        "dossiers": _dossiers(report["dossiers"].total),
        "dossiers_as_of": report["dossiers"].as_of,
        "index": {
            "total": index.total,
            "scored_maximum": index.scored_maximum,
            "scaled": index.scaled,
            "rules_valid_from": index.rules.valid_from,
            "citation": index.rules.citation,
            "groups": [
                {
                    "key": g.rule.key,
                    "name": g.rule.name,
                    "maximum": g.rule.maximum,
                    "measure": g.rule.measure,
                    "numerator": g.ratio.numerator if g.ratio else None,
                    "denominator": g.ratio.denominator if g.ratio else None,
                    "points": g.points,
                    "formula": g.rule.formula.describe() if g.rule.formula else None,
                    "certainty": g.rule.certainty,
                    "note": g.rule.note,
                }
                for g in index.groups
            ],
        },
    }
