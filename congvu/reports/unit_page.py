"""A unit's page of service to the public: its feedback, its dossiers and its service index, for one month.

Everything covers the unit and the units under it; the figures are counts only (no submitter,
no content). ``?month=YYYY-MM`` chooses the month (default: the current one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from congvu.accounts.scope import signed_in, unit_in_scope
from congvu.core.policy import Cap
from congvu.dossiers.statistics import dossier_counts
from congvu.feedback.models import Feedback, Rating, State
from congvu.org.models import Unit
from congvu.reports.service_index import ANSWERED, month_bounds, service_index

FIRST_YEAR = 2022  # Decision 766/QĐ-TTg: 23 June 2022
DOSSIER_ROWS = 50


def parse_month(raw: str | None, today: date) -> tuple[int, int]:
    """``YYYY-MM`` within [2022-06, this month]; anything else gives this month."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not date(FIRST_YEAR, 6, 1) <= chosen <= today.replace(day=1):
        return today.year, today.month
    return year, month


def feedback_figures(unit: Unit, start: date, end: date) -> dict[str, int]:
    """The public's feedback handled by the unit's subtree: received in the month and how it went (one query)."""
    subtree = Unit.objects.filter(path__startswith=unit.path).values("pk")
    today = timezone.localdate()
    received = Q(received_on__range=(start, end))
    return Feedback.objects.filter(responsible_unit__in=subtree).aggregate(
        received=Count("pk", filter=received),
        answered=Count("pk", filter=received & Q(state__in=ANSWERED)),
        on_time=Count("pk", filter=received & Q(state__in=ANSWERED, published_on__lte=F("due_on"))),
        # not answered and past the answer day today, whenever received (the state is today's)
        open_overdue=Count("pk", filter=Q(state__in=[State.ACCEPTED, State.DRAFTED], due_on__lt=today)),
        upheld=Count("pk", filter=received & Q(upheld=True)),
        satisfied=Count("pk", filter=received & Q(rating=Rating.SATISFIED)),
        rated=Count("pk", filter=received & ~Q(rating="")),
    )


def unit_report(unit: Unit, year: int, month: int) -> dict[str, Any]:
    start, end = month_bounds(year, month)
    dossiers = dossier_counts(unit=unit, start=start, end=end)
    return {
        "feedback": feedback_figures(unit, start, end),
        "dossiers": dossiers,
        "index": service_index(unit=unit, year=year, month=month),
    }


@require_GET
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    unit = unit_in_scope(user, Cap.ORG_VIEW, pk)
    today = timezone.localdate()
    year, month = parse_month(request.GET.get("month"), today)
    report = unit_report(unit, year, month)
    months = [date(y, m, 1) for y in range(today.year, FIRST_YEAR - 1, -1) for m in range(12, 0, -1)]
    months = [m for m in months if date(FIRST_YEAR, 6, 1) <= m <= today.replace(day=1)]
    return render(
        request,
        "reports/unit.html",
        {
            "unit": unit,
            "month": date(year, month, 1),
            "months": months,
            "dossier_rows": report["dossiers"].rows[:DOSSIER_ROWS],
            "more_dossier_rows": max(0, len(report["dossiers"].rows) - DOSSIER_ROWS),
            **report,
        },
    )
