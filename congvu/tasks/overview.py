"""The leader's overview (“ai đang chậm”): tasks by unit and by accountable person, with drill-down.

For a unit in the caller's scope the page shows one row for the tasks the unit leads
itself and one per unit directly below it (each covering its whole subtree), then the
accountable people of the subtree with late or overdue work, worst first. Every figure
is grouped in the database in a constant number of queries, whatever the size of the
province: the row of a sub-unit is found from the first segments of the lead unit's
materialised path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from congvu.accounts.scope import scope_paths, signed_in, unit_in_scope
from congvu.core.policy import Cap
from congvu.core.xlsx import xlsx_response
from congvu.org.models import Unit
from congvu.tasks import coordination
from congvu.tasks.buckets import BUCKETS, COMPLETED_LATE, LABELS, OVERDUE, bucket_aggregates
from congvu.tasks.coordination import OUTCOME_KEYS
from congvu.tasks.models import Coordination, Difficulty, Extension, ExtensionState, Task, TaskState
from congvu.tasks.reminders import ACTIVE_STATES

SEGMENT = coordination.SEGMENT
PEOPLE_LIMIT = 50


@dataclass
class Row:
    unit: Unit
    own: bool  # the tasks the unit leads itself, not those of its sub-units
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    extensions: int = 0
    difficulties: int = 0
    responsiveness: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_KEYS, 0))

    @property
    def bucket_values(self) -> list[int]:
        return [self.buckets[b] for b in BUCKETS]

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    @property
    def late_share(self) -> str:
        """Completed late plus overdue, as a percentage of the row's tasks."""
        if not self.total:
            return "—"
        return f"{100 * (self.buckets[COMPLETED_LATE] + self.buckets[OVERDUE]) / self.total:.1f}%"


def _grouped(queryset: QuerySet[Any], path_field: str, length: int, aggregates: dict[str, Count]) -> dict[str, Any]:
    """Aggregates per group key: the first ``length`` characters of ``path_field``."""
    rows = (
        queryset.annotate(grp=Substr(path_field, 1, length, output_field=CharField()))
        .values("grp")
        .annotate(**aggregates)
        .order_by("grp")
    )
    return {r["grp"]: r for r in rows}


def unit_rows(unit: Unit, today: date) -> list[Row]:
    """The unit's own row and one per child unit, each with its subtree's figures (constant queries)."""
    length = len(unit.path) + SEGMENT
    children = list(Unit.objects.filter(parent=unit).order_by("sort_order", "name", "id"))
    rows = [Row(unit, own=True), *(Row(child, own=False) for child in children)]
    by_key = {r.unit.path[:length] if not r.own else r.unit.path: r for r in rows}
    tasks = Task.objects.filter(lead_unit__path__startswith=unit.path).exclude(state=TaskState.CANCELLED)
    for key, values in _grouped(tasks, "lead_unit__path", length, bucket_aggregates(today)).items():
        if key in by_key:
            by_key[key].buckets = {b: int(values[b]) for b in BUCKETS}
    approved = Extension.objects.filter(state=ExtensionState.APPROVED, task__lead_unit__path__startswith=unit.path)
    for key, values in _grouped(approved, "task__lead_unit__path", length, {"n": Count("pk")}).items():
        if key in by_key:
            by_key[key].extensions = int(values["n"])
    open_difficulties = Difficulty.objects.filter(
        answered_on__isnull=True, task__lead_unit__path__startswith=unit.path, task__state__in=ACTIVE_STATES
    )
    for key, values in _grouped(open_difficulties, "task__lead_unit__path", length, {"n": Count("pk")}).items():
        if key in by_key:
            by_key[key].difficulties = int(values["n"])
    asked = Coordination.objects.filter(to_unit__path__startswith=unit.path)
    for key, values in _grouped(asked, "to_unit__path", length, coordination.responsiveness_aggregates(today)).items():
        if key in by_key:
            by_key[key].responsiveness = {k: int(values[k]) for k in OUTCOME_KEYS}
    return [r for r in rows if r.total or r.responsiveness[coordination.NEVER] or r.unit.status == "active"]


def people_rows(unit: Unit, today: date) -> list[dict[str, Any]]:
    """Accountable people of the subtree with tasks completed late or overdue, worst first (one query)."""
    aggregates = bucket_aggregates(today)
    rows = (
        Task.objects.filter(lead_unit__path__startswith=unit.path)
        .exclude(state=TaskState.CANCELLED)
        .values("owner_id", "owner__full_name")
        .annotate(**aggregates)
        .filter(Q(**{f"{OVERDUE}__gt": 0}) | Q(**{f"{COMPLETED_LATE}__gt": 0}))
        .order_by(f"-{OVERDUE}", f"-{COMPLETED_LATE}", "owner__full_name", "owner_id")[:PEOPLE_LIMIT]
    )
    return [{"id": r["owner_id"], "name": r["owner__full_name"], "buckets": [int(r[b]) for b in BUCKETS]} for r in rows]


def _start_unit(request: HttpRequest) -> Unit:
    raw = request.GET.get("unit")
    if raw:
        return unit_in_scope(request.user, Cap.ORG_VIEW, raw)
    roots = scope_paths(request.user, Cap.ORG_VIEW)
    return unit_in_scope(request.user, Cap.ORG_VIEW, Unit.objects.filter(path=roots[0]).values_list("pk", flat=True)[0])


def _trail(unit: Unit, request: HttpRequest) -> list[Unit]:
    """The units from the caller's scope root down to ``unit`` (for the breadcrumb)."""
    root = next(p for p in scope_paths(request.user, Cap.ORG_VIEW) if unit.path.startswith(p))
    prefixes = [unit.path[:i] for i in range(len(root), len(unit.path) + 1, SEGMENT)]
    return list(Unit.objects.filter(path__in=prefixes).order_by("depth"))


UNIT_COLUMNS = (
    gettext_lazy("Đơn vị"),
    gettext_lazy("Tổng số nhiệm vụ"),
    *(LABELS[b] for b in BUCKETS),
    gettext_lazy("Tỷ lệ chậm, quá hạn"),
    gettext_lazy("Số lần gia hạn được đồng ý"),
    gettext_lazy("Khó khăn chưa được trả lời"),
    gettext_lazy("Phối hợp đúng hạn"),
    gettext_lazy("Phối hợp muộn"),
    gettext_lazy("Phối hợp quá hạn chưa trả lời"),
)
PEOPLE_COLUMNS = (gettext_lazy("Người chịu trách nhiệm"), *(LABELS[b] for b in BUCKETS))


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    signed_in(request)
    unit = _start_unit(request)
    today = timezone.localdate()
    rows = unit_rows(unit, today)
    people = people_rows(unit, today)
    if request.GET.get("format") == "xlsx":

        def unit_line(r: Row) -> list[Any]:
            label = _("%(unit)s (trực tiếp chủ trì)") % {"unit": r.unit.name} if r.own else r.unit.name
            return [
                label,
                r.total,
                *(r.buckets[b] for b in BUCKETS),
                r.late_share,
                r.extensions,
                r.difficulties,
                r.responsiveness[coordination.ON_TIME],
                r.responsiveness[coordination.LATE],
                r.responsiveness[coordination.NEVER],
            ]

        return xlsx_response(
            f"tong-hop-nhiem-vu-{unit.code}-{today.isoformat()}.xlsx",
            [
                (_("Theo đơn vị"), UNIT_COLUMNS, [unit_line(r) for r in rows]),
                (_("Theo người chịu trách nhiệm"), PEOPLE_COLUMNS, [[p["name"], *p["buckets"]] for p in people]),
            ],
        )
    context = {
        "unit": unit,
        "trail": _trail(unit, request),
        "rows": rows,
        "people": people,
        "bucket_labels": [LABELS[b] for b in BUCKETS],
        "buckets": BUCKETS,
        "today": today,
    }
    return render(request, "tasks/overview.html", context)
