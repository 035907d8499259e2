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

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from congvu.accounts.scope import scope_paths, signed_in, unit_in_scope
from congvu.core.policy import Cap
from congvu.core.xlsx import xlsx_response
from congvu.org.models import Person, Unit, UnitStatus
from congvu.tasks import coordination, tallies
from congvu.tasks.buckets import BUCKETS, COMPLETED_LATE, LABELS, OVERDUE, grouped_buckets
from congvu.tasks.coordination import OUTCOME_KEYS
from congvu.tasks.models import Coordination, Difficulty, Extension, ExtensionState, Task, TaskState
from congvu.tasks.reminders import ACTIVE_STATES
from congvu.tasks.scope import subtree_filter

SEGMENT = coordination.SEGMENT
PEOPLE_LIMIT = 50
UNITS_PER_PAGE = 50


@dataclass(frozen=True)
class UnitRef:
    """What a row shows of its unit: read as plain values (a province has thousands of communes)."""

    pk: int
    code: str
    name: str
    status: str
    path: str

    def get_status_display(self) -> str:
        return str(UnitStatus(self.status).label)

    @classmethod
    def of(cls, unit: Unit) -> UnitRef:
        return cls(unit.pk, unit.code, unit.name, unit.status, unit.path)


@dataclass
class Row:
    unit: UnitRef
    own: bool  # the tasks the unit leads itself, not those of its sub-units
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    extensions: int = 0
    difficulties: int = 0
    responsiveness: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_KEYS, 0))

    board_url: str = ""

    @property
    def bucket_values(self) -> list[int]:
        return [self.buckets[b] for b in BUCKETS]

    @property
    def cells(self) -> list[tuple[int, str]]:
        """(count, link to the row's board filtered by that bucket) for the four buckets."""
        return [(self.buckets[b], f"{self.board_url}?bucket={b}") for b in BUCKETS]

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    @property
    def late_share(self) -> str:
        """Completed late plus overdue, as a percentage of the row's tasks."""
        if not self.total:
            return "—"
        return f"{100 * (self.buckets[COMPLETED_LATE] + self.buckets[OVERDUE]) / self.total:.1f}%"


def _by_unit(queryset: QuerySet[Any], unit_field: str, aggregates: dict[str, Count]) -> list[dict[str, Any]]:
    """Aggregates per unit id (a GROUP BY on the indexed foreign key, read from the index alone)."""
    return list(queryset.values(unit_field).annotate(**aggregates).order_by())


def unit_rows(unit: Unit, today: date) -> list[Row]:
    """The unit's own row and one per child unit, each with its subtree's figures (constant queries).

    Figures are grouped per lead unit in the database (an index-only scan), then added up per
    row from the first segments of each unit's materialised path here.
    """
    length = len(unit.path) + SEGMENT
    subtree = dict(Unit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    children = Unit.objects.filter(parent=unit).order_by("sort_order", "name", "id")
    refs = (UnitRef(*values) for values in children.values_list("pk", "code", "name", "status", "path"))
    rows = [Row(UnitRef.of(unit), own=True), *(Row(ref, own=False) for ref in refs)]
    by_key = {r.unit.path if r.own else r.unit.path[:length]: r for r in rows}

    def row_of(unit_id: int) -> Row | None:
        path = subtree.get(unit_id)
        return None if path is None else by_key.get(path[:length] if len(path) >= length else path)

    in_subtree = subtree_filter(unit, "lead_unit_id")
    if tallies.ready(today):
        per_unit = tallies.grouped(in_subtree, today, "lead_unit_id")
    else:
        live = grouped_buckets(Task.objects.filter(in_subtree), today, ("lead_unit_id",))
        per_unit = {unit_id: counts for (unit_id,), counts in live.items()}
    for unit_id, counts in per_unit.items():
        if (row := row_of(unit_id)) is not None:
            for b in BUCKETS:
                row.buckets[b] += counts[b]
    approved = Extension.objects.filter(subtree_filter(unit, "task__lead_unit_id"), state=ExtensionState.APPROVED)
    for values in _by_unit(approved, "task__lead_unit_id", {"n": Count("pk")}):
        if (row := row_of(values["task__lead_unit_id"])) is not None:
            row.extensions += int(values["n"])
    open_difficulties = Difficulty.objects.filter(
        subtree_filter(unit, "task__lead_unit_id"), answered_on__isnull=True, task__state__in=ACTIVE_STATES
    )
    for values in _by_unit(open_difficulties, "task__lead_unit_id", {"n": Count("pk")}):
        if (row := row_of(values["task__lead_unit_id"])) is not None:
            row.difficulties += int(values["n"])
    asked = Coordination.objects.filter(subtree_filter(unit, "to_unit_id"))
    for values in _by_unit(asked, "to_unit_id", coordination.responsiveness_aggregates(today)):
        if (row := row_of(values["to_unit_id"])) is not None:
            for k in OUTCOME_KEYS:
                row.responsiveness[k] += int(values[k])
    shown = [r for r in rows if r.total or r.responsiveness[coordination.NEVER] or r.unit.status == "active"]
    board = reverse("tasks:unit_board", args=[0]).removesuffix("0/")
    for r in shown:
        r.board_url = f"{board}{r.unit.pk}/"
    return shown


def people_rows(unit: Unit, today: date) -> list[dict[str, Any]]:
    """Accountable people of the subtree with tasks completed late or overdue, worst first.

    From today's tallies when they are built (``congvu.tasks.tallies``, two queries), else from
    the tasks: only late or overdue tasks are read to rank the people (grouped by owner from the
    owner index), then the four buckets of the people listed. Then their names (one query).
    """
    in_subtree = subtree_filter(unit, "lead_unit_id")
    if tallies.ready(today):
        ranked = tallies.ranked_owners(in_subtree, today, PEOPLE_LIMIT)
    else:
        ranked = ranked_owners_live(in_subtree, today)
    if not ranked:
        return []
    names = dict(Person.objects.filter(pk__in=[pk for pk, _ in ranked]).values_list("pk", "full_name"))
    return [{"id": pk, "name": names.get(pk, ""), "buckets": [counts[b] for b in BUCKETS]} for pk, counts in ranked]


def ranked_owners_live(in_subtree: Q, today: date) -> list[tuple[int, dict[str, int]]]:
    late = Q(state=TaskState.DONE, completed_on__gt=F("deadline"))
    overdue = ~Q(state__in=[TaskState.DONE, TaskState.CANCELLED]) & Q(deadline__lt=today)
    ranked = list(
        Task.objects.filter(late | overdue, in_subtree)
        .values("owner_id")
        .annotate(**{COMPLETED_LATE: Count("state", filter=late), OVERDUE: Count("state", filter=overdue)})
        .order_by(f"-{OVERDUE}", f"-{COMPLETED_LATE}", "owner_id")
        .values_list("owner_id", flat=True)[:PEOPLE_LIMIT]
    )
    if not ranked:
        return []
    counts = grouped_buckets(Task.objects.filter(in_subtree, owner_id__in=ranked), today, ("owner_id",))
    return [(pk, counts[(pk,)]) for pk in ranked]


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
    # The unit's own row first, then the sub-units worst first (overdue, then completed late), a page at a time:
    # a province has thousands of communes, and the leader looks for who is late.
    own, children = (
        rows[0],
        sorted(rows[1:], key=lambda r: (-r.buckets[OVERDUE], -r.buckets[COMPLETED_LATE], r.unit.name)),
    )
    page = Paginator(children, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "trail": _trail(unit, request),
        "rows": [own, *page.object_list],
        "page": page,
        "people": people,
        "bucket_labels": [LABELS[b] for b in BUCKETS],
        "buckets": BUCKETS,
        "today": today,
    }
    return render(request, "tasks/overview.html", context)
