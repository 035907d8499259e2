"""The service index of Decision 766/QĐ-TTg per unit and month, with its formulas as dated rule data.

The six groups and their maximum points come from ``rules/service_index.yaml`` (or the file
named by ``CONGVU_SERVICE_INDEX_RULES``), the version in force on the month's first day. The
official sub-indicator formulas are not known to this product (domain-law §3.3), so each group
names a *measure* the product can compute and a *formula* turning it into points, both
documented in the file and editable by the province:

* ``feedback_answered_on_time``: of the public's feedback handled by the unit (its subtree)
  whose answer was due in the month, the share answered and published by the due day;
* ``dossiers_on_time``: of the dossiers finished in the month, the share finished early or on
  time (``congvu.dossiers.statistics``);
* ``dossiers_online``: of the dossiers received in the month, the share received online;
* ``satisfaction``: of the ratings given in the month (dossiers finished in the month and
  feedback answered in the month), the share "satisfied" (or "very satisfied").

A group whose measure is ``null`` (no data in the product: online payment, digitisation), or
whose measure has nothing to count in the month, is not scored; the total is then given over
the maximum of the groups scored, and scaled to 100 for comparison. Points are exact fractions
rounded half up to two decimals at the end.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml
from django.conf import settings
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from congvu.dossiers.models import FINISHED_STATUSES, Dossier, Satisfaction
from congvu.dossiers.statistics import dossier_counts, period_bounds
from congvu.evaluation.engine import round_half_up
from congvu.feedback.models import Feedback, Rating, State
from congvu.org.models import Unit

DEFAULT_FILE = Path(__file__).resolve().parent / "rules" / "service_index.yaml"
MEASURES: Final = ("feedback_answered_on_time", "dossiers_on_time", "dossiers_online", "satisfaction")
FORMULAS: Final = ("linear", "threshold")
ANSWERED: Final = (State.PUBLISHED, State.CLOSED)


class ServiceIndexRulesError(ValueError):
    """The rule file does not follow its format."""


@dataclass(frozen=True)
class Formula:
    kind: str
    full_at: Fraction | None = None  # threshold: full points from this share up
    below_factor: Fraction | None = None  # threshold: points below it = max × share × factor

    def points(self, maximum: Fraction, share: Fraction) -> Fraction:
        if self.kind == "threshold":
            assert self.full_at is not None and self.below_factor is not None
            return maximum if share >= self.full_at else maximum * share * self.below_factor
        return maximum * share

    def describe(self) -> str:
        if self.kind == "threshold":
            return _("tỷ lệ ≥ %(full)s: đủ điểm; dưới mức đó: tối đa × tỷ lệ × %(factor)s") % {
                "full": f"{float(self.full_at or 0) * 100:g}%",
                "factor": f"{float(self.below_factor or 0):g}",
            }
        return _("tối đa × tỷ lệ")


@dataclass(frozen=True)
class GroupRule:
    key: str
    name: str
    maximum: Decimal
    certainty: str
    measure: str | None
    formula: Formula | None
    note: str


@dataclass(frozen=True)
class IndexRules:
    valid_from: date
    citation: str
    groups: tuple[GroupRule, ...]


def _fraction(value: Any, where: str) -> Fraction:
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ServiceIndexRulesError(f"{where}: not a number: {value!r}") from None


def _group(spec: Any, where: str) -> GroupRule:
    if not isinstance(spec, dict) or not spec.get("key") or not spec.get("name"):
        raise ServiceIndexRulesError(f"{where}: each group needs 'key' and 'name'")
    maximum = _fraction(spec.get("max"), f"{where}.max")
    if maximum <= 0:
        raise ServiceIndexRulesError(f"{where}.max must be positive")
    measure = spec.get("measure")
    if measure is not None and measure not in MEASURES:
        raise ServiceIndexRulesError(f"{where}.measure must be one of {', '.join(MEASURES)} or null")
    formula = None
    if measure is not None:
        raw = spec.get("formula") or {"kind": "linear"}
        if raw.get("kind") not in FORMULAS:
            raise ServiceIndexRulesError(f"{where}.formula.kind must be one of {', '.join(FORMULAS)}")
        if raw["kind"] == "threshold":
            full_at = _fraction(raw.get("full_at"), f"{where}.formula.full_at")
            factor = _fraction(raw.get("below_factor"), f"{where}.formula.below_factor")
            if not (0 < full_at <= 1 and 0 <= factor <= 1):
                raise ServiceIndexRulesError(f"{where}.formula: full_at in (0, 1], below_factor in [0, 1]")
            formula = Formula("threshold", full_at, factor)
        else:
            formula = Formula("linear")
    return GroupRule(
        key=str(spec["key"]),
        name=str(spec["name"]),
        maximum=Decimal(str(spec["max"])),
        certainty=str(spec.get("certainty", "unverified")),
        measure=measure,
        formula=formula,
        note=str(spec.get("default_note", "")),
    )


@cache
def _load(path: str) -> tuple[IndexRules, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("versions"), list) or not data["versions"]:
        raise ServiceIndexRulesError(f"{path}: a mapping with a non-empty list 'versions' is expected")
    versions = []
    for number, spec in enumerate(data["versions"], start=1):
        where = f"{path}: version {number}"
        if not isinstance(spec, dict) or not isinstance(spec.get("valid_from"), date):
            raise ServiceIndexRulesError(f"{where}: 'valid_from' (a date) is required")
        groups = tuple(_group(g, f"{where}.groups[{i}]") for i, g in enumerate(spec.get("groups") or []))
        if not groups or len({g.key for g in groups}) != len(groups):
            raise ServiceIndexRulesError(f"{where}: groups must be given, each key once")
        versions.append(IndexRules(spec["valid_from"], str(spec.get("citation", "")), groups))
    return tuple(sorted(versions, key=lambda v: v.valid_from))


def rules_on(day: date) -> IndexRules:
    """The version of the rules in force on ``day``."""
    path = str(getattr(settings, "CONGVU_SERVICE_INDEX_RULES", None) or DEFAULT_FILE)
    in_force = [v for v in _load(path) if v.valid_from <= day]
    if not in_force:
        raise ServiceIndexRulesError(f"no service index rules in force on {day.isoformat()}")
    return in_force[-1]


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None


@dataclass(frozen=True)
class GroupScore:
    rule: GroupRule
    ratio: Ratio | None  # None: the group has no measure
    points: Decimal | None  # None: not scored (no measure, or nothing to count this month)

    @property
    def percent(self) -> str:
        share = self.ratio.share if self.ratio else None
        return "—" if share is None else f"{float(share) * 100:.1f}%"


@dataclass(frozen=True)
class ServiceIndex:
    unit: Unit
    month: date  # its first day
    rules: IndexRules
    groups: tuple[GroupScore, ...]
    total: Decimal
    scored_maximum: Decimal
    scaled: Decimal | None  # total over the maximum of the groups scored, out of 100


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def measures(*, unit: Unit, start: date, end: date, as_of: datetime | None = None) -> dict[str, Ratio]:
    """Each measure's numerator and denominator for the unit's subtree over [start, end] (four queries)."""
    dossiers = dossier_counts(unit=unit, start=start, end=end, as_of=as_of).total
    begin, finish = period_bounds(start, end)
    subtree = Unit.objects.filter(path__startswith=unit.path).values("pk")
    rated_dossiers = Dossier.objects.filter(
        receiving_unit__in=subtree,
        status__in=FINISHED_STATUSES,
        finished_at__gte=begin,
        finished_at__lt=finish,
        satisfaction__isnull=False,
    ).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction__in=[Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED])),
    )
    answered_in_month = Q(state__in=ANSWERED, published_on__range=(start, end))
    feedback = Feedback.objects.filter(responsible_unit__in=subtree).aggregate(
        due=Count("pk", filter=Q(due_on__range=(start, end))),
        on_time=Count("pk", filter=Q(due_on__range=(start, end), state__in=ANSWERED, published_on__lte=F("due_on"))),
        rated=Count("pk", filter=answered_in_month & ~Q(rating="")),
        satisfied=Count("pk", filter=answered_in_month & Q(rating=Rating.SATISFIED)),
    )
    return {
        "feedback_answered_on_time": Ratio(int(feedback["on_time"]), int(feedback["due"])),
        "dossiers_on_time": Ratio(dossiers.finished_early + dossiers.finished_on_time, dossiers.finished),
        "dossiers_online": Ratio(dossiers.received_online, dossiers.received),
        "satisfaction": Ratio(
            int(rated_dossiers["satisfied"]) + int(feedback["satisfied"]),
            int(rated_dossiers["rated"]) + int(feedback["rated"]),
        ),
    }


def service_index(*, unit: Unit, year: int, month: int, as_of: datetime | None = None) -> ServiceIndex:
    """The index of the unit (its subtree) for one month, group by group."""
    start, end = month_bounds(year, month)
    rules = rules_on(start)
    found = measures(unit=unit, start=start, end=end, as_of=as_of)
    scores = []
    total = Fraction(0)
    scored_maximum = Fraction(0)
    for group in rules.groups:
        ratio = found[group.measure] if group.measure is not None else None
        share = ratio.share if ratio is not None else None
        if share is None or group.formula is None:
            scores.append(GroupScore(group, ratio, None))
            continue
        maximum = Fraction(str(group.maximum))
        points = group.formula.points(maximum, share)
        total += points
        scored_maximum += maximum
        scores.append(GroupScore(group, ratio, round_half_up(points, 2)))
    return ServiceIndex(
        unit=unit,
        month=start,
        rules=rules,
        groups=tuple(scores),
        total=round_half_up(total, 2),
        scored_maximum=round_half_up(scored_maximum, 2),
        scaled=round_half_up(100 * total / scored_maximum, 2) if scored_maximum else None,
    )
