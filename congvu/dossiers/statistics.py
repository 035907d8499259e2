"""Dossier figures per receiving unit for a period: the product's reading of the one-stop report buckets.

``reference/domain-law.md`` §3.2 lists the buckets of the "tiến độ giải quyết" report used for
Decision 766/QĐ-TTg (received; processed early / on time / late; in progress within the deadline
/ overdue; paused) but marks them repo-only, without exact definitions. These are the product's
definitions, from the data one import holds (a dossier's *current* status and its timestamps).

The period is ``start`` to ``end``, whole days in the installation's time zone (``TIME_ZONE``):
from 00:00 on ``start`` to 00:00 on the day after ``end``. ``as_of`` is the instant at which the
open dossiers are judged; by default the end of the period, or now if that is earlier.

* **received**: ``received_at`` in the period, whatever the status (those later refused too),
  and split by channel (in person, online, public post).
* **carried over** (tồn kỳ trước): received before the period, not refused (status 3), and not
  ended (statuses 7, 9, 10) before the period began.
* **not accepted**: received in the period with status 3 (Không được tiếp nhận).
* **finished** (statuses 9 Đã xử lý xong and 10 Đã trả kết quả) with ``finished_at`` in the period,
  judged against ``due_at``:

  - **late**: finished after ``due_at`` (strictly later);
  - **early**: finished on a calendar day before the day of ``due_at``;
  - **on time**: every other finished dossier: finished on the due day at or before ``due_at``
    (exactly at the due time included), or a dossier without a deadline.

* **withdrawn** (status 7, Công dân yêu cầu rút hồ sơ) with ``finished_at`` (the withdrawal) in
  the period. Withdrawn dossiers count as processed, as the report's "processed" bucket says
  (xử lý xong + đã trả + rút), but are neither early, on time nor late: timeliness was not tested.
* **in progress as of** ``as_of``: received by ``as_of`` and, at ``as_of``, not yet ended: status
  1, 2 or 4 now, or ended (7, 9, 10) after ``as_of``. **Overdue** when ``due_at`` is before
  ``as_of``; otherwise (``due_at`` at or after it, or no deadline) **within the deadline**.
* **paused**: status 5, 6 or 8 now (supplement requested, financial obligation, stopped: the clock
  is stopped) and received by ``as_of``. The status has no date, so a paused dossier is paused
  at any ``as_of``.
* **apology letters** ("Phiếu xin lỗi và hẹn lại ngày trả kết quả"): among the late finished
  dossiers and the overdue ones, those whose ``apology_issued_at`` is set and not after ``as_of``;
  the others are late or overdue **without** a letter, which is what a leader should chase.

Every figure comes from one grouped query over the unit's subtree (plus one query for the
units): the database counts, per receiving unit, with conditional aggregates; Python only adds
up the rows per unit into the subtree's total.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from congvu.dossiers.models import ENDED_STATUSES, FINISHED_STATUSES, PAUSED_STATUSES, Channel, Dossier, Status
from congvu.org.models import Unit

OPEN_STATUSES = (Status.REGISTERED, Status.ACCEPTED, Status.PROCESSING)


@dataclass
class DossierCounts:
    received: int = 0
    received_in_person: int = 0
    received_online: int = 0
    received_by_post: int = 0
    carried_over: int = 0
    not_accepted: int = 0
    finished_early: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    withdrawn: int = 0
    in_progress_within_deadline: int = 0
    in_progress_overdue: int = 0
    paused: int = 0
    late_with_apology: int = 0
    overdue_with_apology: int = 0

    @property
    def finished(self) -> int:
        return self.finished_early + self.finished_on_time + self.finished_late

    @property
    def processed(self) -> int:
        """Finished plus withdrawn (the report's "đã giải quyết")."""
        return self.finished + self.withdrawn

    @property
    def in_progress(self) -> int:
        return self.in_progress_within_deadline + self.in_progress_overdue

    @property
    def late_without_apology(self) -> int:
        return self.finished_late - self.late_with_apology

    @property
    def overdue_without_apology(self) -> int:
        return self.in_progress_overdue - self.overdue_with_apology

    @property
    def on_time_share(self) -> float | None:
        """Finished early or on time, as a share of the finished (None when none finished)."""
        return (self.finished_early + self.finished_on_time) / self.finished if self.finished else None

    def has_figures(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def add(self, other: DossierCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class UnitDossierCounts:
    unit_id: int
    code: str
    name: str
    path: str
    counts: DossierCounts


@dataclass
class DossierStatistics:
    unit: Unit
    start: date
    end: date
    as_of: datetime
    rows: list[UnitDossierCounts] = field(default_factory=list)  # receiving units with any figure, in tree order
    total: DossierCounts = field(default_factory=DossierCounts)  # the whole subtree


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[00:00 on ``start``, 00:00 on the day after ``end``) in the installation's time zone."""
    local = timezone.get_default_timezone()
    return (
        datetime.combine(start, time(), tzinfo=local),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=local),
    )


def _aggregates(begin: datetime, finish: datetime, as_of: datetime) -> dict[str, Count]:
    received = Q(received_at__gte=begin, received_at__lt=finish)
    finished = Q(status__in=FINISHED_STATUSES, finished_at__gte=begin, finished_at__lt=finish)
    late = finished & Q(due_at__isnull=False, finished_at__gt=F("due_at"))
    early = finished & Q(due_at__isnull=False, finished_day__lt=F("due_day"))
    open_at = Q(received_at__lte=as_of) & (
        Q(status__in=OPEN_STATUSES) | Q(status__in=ENDED_STATUSES, finished_at__gt=as_of)
    )
    overdue = open_at & Q(due_at__isnull=False, due_at__lt=as_of)
    apology = Q(apology_issued_at__isnull=False, apology_issued_at__lte=as_of)
    carried = (
        Q(received_at__lt=begin) & ~Q(status=Status.NOT_ACCEPTED) & ~Q(status__in=ENDED_STATUSES, finished_at__lt=begin)
    )

    def count(condition: Q) -> Count:
        return Count("pk", filter=condition)

    return {
        "received": count(received),
        "received_in_person": count(received & Q(channel=Channel.IN_PERSON)),
        "received_online": count(received & Q(channel=Channel.ONLINE)),
        "received_by_post": count(received & Q(channel=Channel.PUBLIC_POST)),
        "carried_over": count(carried),
        "not_accepted": count(received & Q(status=Status.NOT_ACCEPTED)),
        "finished": count(finished),
        "finished_early": count(early),
        "finished_late": count(late),
        "withdrawn": count(Q(status=Status.WITHDRAWN, finished_at__gte=begin, finished_at__lt=finish)),
        "in_progress": count(open_at),
        "in_progress_overdue": count(overdue),
        "paused": count(Q(status__in=PAUSED_STATUSES, received_at__lte=as_of)),
        "late_with_apology": count(late & apology),
        "overdue_with_apology": count(overdue & apology),
    }


def _counts(values: dict[str, Any]) -> DossierCounts:
    counts = DossierCounts(**{f.name: int(values.get(f.name) or 0) for f in fields(DossierCounts)})
    counts.finished_on_time = int(values["finished"]) - counts.finished_early - counts.finished_late
    counts.in_progress_within_deadline = int(values["in_progress"]) - counts.in_progress_overdue
    return counts


def dossier_counts(*, unit: Unit, start: date, end: date, as_of: datetime | None = None) -> DossierStatistics:
    """The figures of the dossiers received by ``unit`` and the units under it (two queries).

    ``as_of`` must be aware; by default the end of the period, or now if that is earlier.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    begin, finish = period_bounds(start, end)
    if as_of is None:
        as_of = min(timezone.now(), finish)
    elif timezone.is_naive(as_of):
        raise ValueError("as_of must be an aware datetime")
    local = timezone.get_default_timezone()
    grouped = (
        Dossier.objects.filter(
            receiving_unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"),
            received_at__lt=max(finish, as_of + timedelta(microseconds=1)),
        )
        # what no figure can count: ended before both the period and as_of, and received before the period
        .exclude(received_at__lt=begin, status__in=ENDED_STATUSES, finished_at__lt=min(begin, as_of))
        .alias(finished_day=TruncDate("finished_at", tzinfo=local), due_day=TruncDate("due_at", tzinfo=local))
        .values("receiving_unit_id")
        .annotate(**_aggregates(begin, finish, as_of))
        .order_by()
    )
    counted = [(int(values["receiving_unit_id"]), _counts(values)) for values in grouped]
    counted = [(unit_id, counts) for unit_id, counts in counted if counts.has_figures()]
    names = {
        pk: (code, name, path)
        for pk, code, name, path in Unit.objects.filter(pk__in=[unit_id for unit_id, _counts in counted]).values_list(
            "pk", "code", "name", "path"
        )
    }
    statistics = DossierStatistics(unit=unit, start=start, end=end, as_of=as_of)
    for unit_id, counts in counted:
        code, name, path = names[unit_id]
        statistics.rows.append(UnitDossierCounts(unit_id, code, name, path, counts))
        statistics.total.add(counts)
    statistics.rows.sort(key=lambda row: row.path)
    return statistics
