"""The demo's dossiers (hồ sơ TTHC) and routing rules, through the import and the services.

Dossiers: ``300 × scale`` received over the last three months by the communes and the agencies
of the province (a one-stop export written as CSV, then ``import_dossiers`` as the command would
run it: one audit event), with every status, a third online, about one in eight late and half of
those with an apology letter. Routing rules: two, kept by ``noivu``. Deterministic for a day.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from congvu.accounts.models import User
from congvu.dossiers.importer import COLUMN_KEYS, import_dossiers
from congvu.feedback import services as feedback_services
from congvu.feedback.models import Service
from congvu.org.models import Unit, UnitKind, UnitStatus

PER_SCALE = 300
PROCEDURES = (
    "1.001612.000.00.00.H38",  # chứng thực bản sao từ bản chính
    "1.000894.000.00.00.H38",  # đăng ký khai sinh
    "2.000528.000.00.00.H38",  # cấp giấy phép xây dựng
    "1.011442.000.00.00.H38",  # đăng ký hộ kinh doanh
)


def _stamp(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def generate_dossiers(*, scale: int, province: Unit) -> int:
    """Write and import the demo's dossiers; returns how many."""
    rng = random.Random(766)
    units = list(
        Unit.objects.filter(
            path__startswith=province.path, status=UnitStatus.ACTIVE, kind__in=[UnitKind.COMMUNE, UnitKind.AGENCY]
        )
        .order_by("path")
        .values_list("code", flat=True)
    )
    if not units:
        return 0
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    rows = []
    for number in range(PER_SCALE * scale):
        received = datetime.combine(today - timedelta(days=rng.randint(1, 90)), time(8), tz) + timedelta(
            minutes=rng.randint(0, 480)
        )
        due = received + timedelta(days=rng.choice((3, 5, 7, 15)))
        roll = rng.random()
        status, finished, satisfaction, apology = 4, None, None, None
        if roll < 0.70:  # finished: early, on time or late
            late = rng.random() < 0.12
            finished = due + timedelta(days=rng.randint(1, 5)) if late else due - timedelta(hours=rng.randint(0, 60))
            finished = max(finished, received + timedelta(hours=1))
            status = rng.choice((9, 10))
            satisfaction = rng.choices((1, 2, 3, None), weights=(3, 4, 1, 4))[0]
            if late and rng.random() < 0.5:
                apology = due - timedelta(days=1)
        elif roll < 0.75:
            status, finished = 7, received + timedelta(days=1)
        elif roll < 0.80:
            status = 3
        elif roll < 0.88:
            status = rng.choice((5, 6, 8))
        if finished is not None and finished > now:
            status, finished, satisfaction, apology = 4, None, None, None
        rows.append(
            (
                f"DEMO-{today:%y%m%d}-{number:06d}",
                rng.choice(PROCEDURES),
                rng.choice(units),
                rng.choices((1, 2, 3), weights=(6, 3, 1))[0],
                status,
                _stamp(received),
                _stamp(due),
                _stamp(finished),
                "" if satisfaction is None else satisfaction,
                _stamp(apology if apology is not None and apology < now else None),
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ho-so.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMN_KEYS)
            writer.writerows(rows)
        report = import_dossiers(acting_user=User.objects.get(username="noivu"), source=path)
    if not report.ok:
        raise RuntimeError(f"demo dossiers refused: {report.issues[:3]}")
    return len(rows)


def generate_routing_rules(*, province: Unit) -> int:
    """Two rules: environment reports from the first commune go to it; anything in the first ward's box too."""
    noivu = User.objects.get(username="noivu")
    communes = list(
        Unit.objects.filter(path__startswith=province.path, kind=UnitKind.COMMUNE, status=UnitStatus.ACTIVE).order_by(
            "path"
        )[:2]
    )
    if len(communes) < 2:
        return 0
    first, second = communes
    feedback_services.save_routing_rule(
        acting_user=noivu,
        rule=None,
        unit=first,
        service=Service.objects.get(code="moi-truong"),
        place_contains=first.name,
        priority=10,
        note="Môi trường trên địa bàn: xã, phường tiếp nhận trước",
    )
    feedback_services.save_routing_rule(
        acting_user=noivu,
        rule=None,
        unit=second,
        place_contains=second.name,
        priority=20,
        note="Mọi lĩnh vực trên địa bàn",
    )
    return 2
