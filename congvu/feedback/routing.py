"""Which unit handles a submission: the routing rules kept by Sở Nội vụ (category and place → unit).

Order of decision (``route``):

1. the unit the submission is about, when the citizen named one that is active;
2. the first active rule (by priority, then age) that matches the service and the place
   and whose unit is active;
3. the service's default unit.

Places are compared on letters only: case, accents and the old/new tone placement
(“Hoà”/“Hòa”) and spacing do not matter, so “phuong hoa binh” matches “Phường Hòa Bình,
TP. An Hòa”. A box matches a submission with coordinates inside it (edges included).
The rules are few (tens), so they are read once per submission and matched here.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.db.models import Q

from congvu.feedback.models import RoutingRule, Service
from congvu.org.models import Unit, UnitStatus

_SPACES = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower-case letters and digits without accents (đ → d), words separated by one space."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain).strip()


def matches(rule: RoutingRule, *, service_id: int, address: str, lat: Decimal | None, long: Decimal | None) -> bool:
    if rule.service_id is not None and rule.service_id != service_id:
        return False
    by_place = bool(rule.place_contains.strip())
    if not by_place and not rule.has_box:
        return True
    if by_place and f" {fold(rule.place_contains)} " in f" {fold(address)} ":
        return True
    if rule.has_box and lat is not None and long is not None:
        assert rule.lat_max is not None and rule.long_min is not None and rule.long_max is not None
        return rule.lat_min <= lat <= rule.lat_max and rule.long_min <= long <= rule.long_max  # type: ignore[operator]
    return False


def first_rule(*, service: Service, address: str, lat: Decimal | None, long: Decimal | None) -> RoutingRule | None:
    """The first active rule with an active unit that matches (one query)."""
    rules = (
        RoutingRule.objects.filter(Q(service__isnull=True) | Q(service=service), active=True)
        .filter(unit__status=UnitStatus.ACTIVE)
        .select_related("unit")
        .order_by("priority", "id")
    )
    for rule in rules:
        if matches(rule, service_id=service.pk, address=address, lat=lat, long=long):
            return rule
    return None


def route(
    service: Service,
    about_unit: Unit | None,
    *,
    address: str = "",
    lat: Decimal | None = None,
    long: Decimal | None = None,
) -> Unit:
    """The unit that handles a submission (see the module's docstring)."""
    if about_unit is not None and about_unit.status == UnitStatus.ACTIVE:
        return about_unit
    rule = first_rule(service=service, address=address, lat=lat, long=long)
    if rule is not None:
        return rule.unit
    return service.default_unit
