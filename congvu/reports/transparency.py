"""The public transparency page: aggregate, non-personal figures for citizens, no login.

Per handling unit: submissions received in the period, answered, answered on time (published
on or before the answer day), and the share of rated answers the submitters were satisfied with.
No names, no content, no submitter: counts only, from one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from congvu.feedback.models import Feedback, Rating, State, Track

ANSWERED = (State.PUBLISHED, State.CLOSED)


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    received: int
    answered: int
    on_time: int
    satisfied: int
    rated: int

    @property
    def on_time_share(self) -> str:
        return f"{100 * self.on_time / self.answered:.0f}%" if self.answered else "—"

    @property
    def satisfied_share(self) -> str:
        return f"{100 * self.satisfied / self.rated:.0f}%" if self.rated else "—"


def figures(start: date, end: date) -> list[UnitFigures]:
    """Per handling unit, the submissions received from ``start`` to ``end`` (denunciations left out)."""
    rows = (
        Feedback.objects.filter(received_on__range=(start, end), responsible_unit__isnull=False)
        .exclude(track=Track.DENUNCIATION)
        .values("responsible_unit__name")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(state__in=ANSWERED)),
            on_time=Count("pk", filter=Q(state__in=ANSWERED, published_on__lte=F("due_on"))),
            satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
            rated=Count("pk", filter=~Q(rating="")),
        )
        .order_by("responsible_unit__name")
    )
    return [
        UnitFigures(r["responsible_unit__name"], r["received"], r["answered"], r["on_time"], r["satisfied"], r["rated"])
        for r in rows
    ]


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    rows = figures(date(year, 1, 1), date(year, 12, 31))
    return render(
        request, "reports/transparency.html", {"rows": rows, "year": year, "years": range(today.year, 2024, -1)}
    )
