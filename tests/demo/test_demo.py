"""The demo province (``congvu demo``): exact contents at scale 1, determinism, idempotence.

The province is generated once for the module, through the command, inside a
transaction that is rolled back when the module ends (the audit tables are
append-only, so nothing could be deleted afterwards). Each test runs in a savepoint.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from congvu.accounts.models import RoleAssignment, User
from congvu.audit.models import AuditEvent, AuditSubject
from congvu.demo import generator
from congvu.demo.generator import PROVINCE_CODE, build_plan
from congvu.demo.management.commands import demo as demo_command
from congvu.demo.management.commands.demo import _ALPHABET, demo_password
from congvu.dossiers.models import Dossier
from congvu.feedback.models import RoutingRule
from congvu.org.models import Appointment, AppointmentKind, Person, Title, Unit, UnitEvent, UnitStatus, UnitVersion
from congvu.org.search import fold

PASSWORD = "Mat-khau-minh-hoa-2026"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# What scale 1 makes (the generator is deterministic: any change here is a visible decision).
UNITS_BY_KIND_AND_STATUS = {
    ("province", "active"): 1,
    ("agency", "active"): 16,
    ("agency", "merged"): 6,
    ("service", "active"): 4,
    ("division", "active"): 109,
    ("division", "merged"): 27,
    ("commune", "active"): 10,
    ("commune", "merged"): 32,
    ("commune_division", "active"): 33,
}
PEOPLE = 1000
APPOINTMENTS_BY_KIND = {"primary": 1440, "concurrent": 6, "secondment": 4}
UNIT_EVENTS_BY_KIND = {"create": 238, "merge": 28, "rename": 1, "reparent": 1}
# units, people, posts, 2025 changes, accounts, tasks, the head's sheet, feedback, routing rules, dossier import
AUDIT_EVENTS = 238 + 1000 + 1450 + 30 + 7 + 268 + 2 + 9 + 2 + 1
DIGEST = "553c0ea0bdee35065b4c90eb6b84e8706bb559d156e2d4f008b1616814bbdc15"

ACCOUNTS = {
    # username: (role, scope unit, title of the linked person, unit where the person holds it)
    "admin": ("admin", "Tỉnh An Hòa", "chuyen_vien", "Phòng Công nghệ thông tin và Chuyển đổi số"),
    "lanhdao": ("lanhdao", "Tỉnh An Hòa", "chu_tich_ubnd_tinh", "Tỉnh An Hòa"),
    "noivu": ("noivu", "Tỉnh An Hòa", "giam_doc_so", "Sở Nội vụ"),
    "giamdoc": ("giamdoc", "Sở Tài chính", "giam_doc_so", "Sở Tài chính"),
    "truongphong": ("truongphong", "Phòng Ngân sách", "truong_phong", "Phòng Ngân sách"),
    "chuyenvien": ("chuyenvien", "Phòng Ngân sách", "chuyen_vien", "Phòng Ngân sách"),
    "thanhtra": ("thanhtra", "Tỉnh An Hòa", "chanh_thanh_tra_tinh", "Thanh tra tỉnh"),
}


def counts() -> dict[str, int]:
    models: list[Any] = [
        Unit,
        UnitVersion,
        UnitEvent,
        Person,
        Appointment,
        Title,
        User,
        RoleAssignment,
        AuditEvent,
        AuditSubject,
    ]
    return {model.__name__: model.objects.count() for model in models}


def digest() -> str:
    rows = [f"{c}|{n}|{s}|{f}" for c, n, s, f in Unit.objects.values_list("code", "name", "status", "valid_from")]
    rows += [
        f"{n}|{b}|{s}|{i}|{e}"
        for n, b, s, i, e in Person.objects.values_list("full_name", "birth_date", "sex", "personal_id", "email")
    ]
    rows += [
        f"{i}|{t}|{u}|{k}|{s}|{e}|{d}"
        for i, t, u, k, s, e, d in Appointment.objects.values_list(
            "person__personal_id", "title__code", "unit__code", "kind", "start_date", "end_date", "decision_number"
        )
    ]
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """``congvu demo --no-serve`` once for the module; returns what it printed."""
    with (
        django_db_blocker.unblock(),
        override_settings(CONGVU_DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("demo", "--no-serve", "--scale", "1", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("demo")


@pytest.mark.django_db
def test_units_by_kind_and_status() -> None:
    rows = Unit.objects.values_list("kind", "status").annotate(n=Count("id"))
    assert {(k, s): n for k, s, n in rows} == UNITS_BY_KIND_AND_STATUS
    root = Unit.objects.get(code=PROVINCE_CODE)
    assert root.name == "Tỉnh An Hòa"
    agencies = Unit.objects.filter(parent=root, status=UnitStatus.ACTIVE, kind__in=["agency", "service"])
    assert agencies.count() == 20
    assert Unit.objects.exclude(path__startswith=root.path).count() == 0


@pytest.mark.django_db
def test_people_appointments_events() -> None:
    assert Person.objects.count() == PEOPLE
    rows = Appointment.objects.values_list("kind").annotate(n=Count("id"))
    assert dict(rows) == APPOINTMENTS_BY_KIND
    assert dict(UnitEvent.objects.values_list("kind").annotate(n=Count("id"))) == UNIT_EVENTS_BY_KIND
    assert AuditEvent.objects.count() == AUDIT_EVENTS
    # Past posts, promotions and transfers are part of the history.
    assert Appointment.objects.filter(end_date__isnull=False).count() > 200


@pytest.mark.django_db
def test_accounts_one_per_role(demo: str) -> None:
    assert User.objects.count() == 7
    for username, (role, scope, title, unit) in ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD)
        assert [(r.role, r.scope_unit.name) for r in user.role_assignments.all()] == [(role, scope)]
        assert user.person is not None
        assert user.get_full_name() == user.person.full_name
        post = Appointment.objects.get(person=user.person, kind=AppointmentKind.PRIMARY, end_date__isnull=True)
        assert (post.title.code, post.unit.name) == (title, unit)
        assert username in demo
    assert PASSWORD in demo


@pytest.mark.django_db
def test_same_scale_same_province() -> None:
    assert digest() == DIGEST
    first, second = build_plan(1), build_plan(1)
    assert first.units == second.units
    assert first.people == second.people
    assert first.posts == second.posts
    assert first.operations == second.operations


@pytest.mark.django_db
def test_rerunning_changes_nothing() -> None:
    before, head = counts(), AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    with override_settings(CONGVU_DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS):
        for _ in range(2):
            out = io.StringIO()
            call_command("demo", "--no-serve", "--scale", "1", stdout=out)
            assert "already present" in out.getvalue()
    assert counts() == before
    assert AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first() == head
    assert not generator.generate(scale=3).created
    assert counts() == before


@pytest.mark.django_db
def test_department_merger_of_2025() -> None:
    planning = Unit.objects.get(name="Sở Kế hoạch và Đầu tư")
    finance = Unit.objects.get(name="Sở Tài chính", status=UnitStatus.ACTIVE)
    assert planning.status == UnitStatus.MERGED
    assert planning.successor == finance
    assert planning.valid_to == date(2025, 3, 1)
    assert planning.path.startswith(finance.path)
    event = UnitEvent.objects.get(kind="merge", sources=planning)
    assert list(event.targets.all()) == [finance]
    assert event.effective_date == date(2025, 3, 1)
    assert (event.basis_number, event.basis_date) == ("386/QĐ-UBND", date(2025, 2, 26))
    assert event.basis_issuer == "Ủy ban nhân dân tỉnh An Hòa"
    assert planning.versions.get().valid_to == date(2025, 3, 1)
    for old, new in [
        ("Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ"),
        ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"),
    ]:
        assert Unit.objects.get(name=old).successor == Unit.objects.get(name=new, status=UnitStatus.ACTIVE)
    # The planning department's business-registration division lives on in the finance department.
    registration = Unit.objects.get(name="Phòng Đăng ký kinh doanh")
    assert (registration.status, registration.parent) == (UnitStatus.ACTIVE, finance)
    assert registration.versions.count() == 2
    # Its former director is a deputy director of finance from the day of the merger.
    director = Appointment.objects.get(unit=planning, title__code="giam_doc_so", end_date=date(2025, 2, 28))
    assert Appointment.objects.filter(
        person=director.person, unit=finance, title__code="pho_giam_doc_so", start_date=date(2025, 3, 1)
    ).exists()
    assert Unit.objects.get(short_name="SDTTG").name == "Sở Dân tộc và Tôn giáo"


@pytest.mark.django_db
def test_communes_merged_on_1_july_2025() -> None:
    new = Unit.objects.filter(kind="commune", status=UnitStatus.ACTIVE)
    for commune in new:
        event = UnitEvent.objects.get(kind="merge", targets=commune)
        assert event.effective_date == date(2025, 7, 1)
        assert event.basis_number == "1712/NQ-UBTVQH15"
        assert 2 <= event.sources.count() <= 4
        assert all(old.status == UnitStatus.MERGED and old.successor == commune for old in event.sources.all())
        divisions = sorted(commune.children.values_list("name", flat=True))
        expected = ["Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND"]
        if commune.name.startswith("Phường"):
            expected.insert(1, "Phòng Quản lý đô thị")
        assert divisions == expected
        assert Appointment.objects.filter(unit=commune, title__code="chu_tich_ubnd_xa", end_date=None).count() == 1
    # Posts in the old communes ended the day before.
    assert not Appointment.objects.filter(unit__kind="commune", unit__status="merged", end_date=None).exists()
    inspectorate = Unit.objects.get(name="Thanh tra tỉnh")
    assert Unit.objects.filter(name="Thanh tra", status=UnitStatus.MERGED, successor=inspectorate).count() == 12


@pytest.mark.django_db
def test_units_are_as_the_services_make_them() -> None:
    for unit in Unit.objects.select_related("parent", "successor"):
        assert unit.path.endswith(f"{unit.pk:08d}/")
        assert unit.depth == unit.path.count("/") - 1
        if unit.successor is not None:  # an absorbed unit lives on in its successor's subtree
            assert unit.path.startswith(unit.successor.path)
        elif unit.parent is not None:
            assert unit.path == unit.parent.path + f"{unit.pk:08d}/"
        created = UnitEvent.objects.get(kind="create", targets=unit)
        first = unit.versions.order_by("valid_from").first()
        assert first is not None and first.event == created and first.valid_from == unit.valid_from
        assert unit.versions.filter(valid_to__isnull=True).count() == (1 if unit.status == UnitStatus.ACTIVE else 0)
    assert AuditEvent.objects.filter(action="org.unit.create").count() == Unit.objects.count()
    assert AuditEvent.objects.filter(action="org.appointment.create").count() == Appointment.objects.count()


@pytest.mark.django_db
def test_appointments_are_consistent() -> None:
    primaries: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for post in Appointment.objects.select_related("unit"):
        assert post.start_date < generator.TODAY
        if post.kind == AppointmentKind.PRIMARY:
            primaries[post.person_id].append((post.start_date, post.end_date or date.max))
        if post.unit.status != UnitStatus.ACTIVE:
            assert post.unit.valid_to is not None and post.end_date is not None
            assert post.end_date < post.unit.valid_to
    for spans in primaries.values():
        spans.sort()
        assert all(a_end < b_start for (_, a_end), (b_start, _) in pairwise(spans))
    # Every current unit has its head (a concurrent one at times).
    for unit in Unit.objects.filter(status=UnitStatus.ACTIVE, kind__in=["agency", "division", "commune"]):
        assert Appointment.objects.filter(unit=unit, end_date=None, title__is_leader=True).exists(), unit.name


@pytest.mark.django_db
def test_audit_chain_verifies() -> None:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"audit chain OK: {AUDIT_EVENTS} events" in out.getvalue()


@pytest.mark.django_db
def test_names_are_vietnamese_and_nfc() -> None:
    names = list(Person.objects.values_list("full_name", flat=True))
    for name, search_name in Person.objects.values_list("full_name", "search_name"):
        assert search_name == fold(name)
    for name in names:
        assert unicodedata.is_normalized("NFC", name)
        assert not name.isascii(), name
        assert 3 <= len(name.split()) <= 4
    family = Counter(name.split()[0] for name in names)
    assert family.most_common(1)[0][0] == "Nguyễn"
    assert 0.3 < family["Nguyễn"] / len(names) < 0.46
    for unit_name in Unit.objects.values_list("name", flat=True):
        assert unicodedata.is_normalized("NFC", unit_name)


@pytest.mark.django_db
def test_serves_on_the_requested_port(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def record(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append((name, args, kwargs))
        if name != "runserver":
            call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", record)
    with override_settings(CONGVU_DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS):
        out = io.StringIO()
        call_command("demo", "--port", "8123", stdout=out)
    assert [c[0] for c in calls] == ["migrate", "runserver"]
    assert calls[-1] == ("runserver", ("127.0.0.1:8123",), {"use_reloader": False})
    assert "http://127.0.0.1:8123/" in out.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        ["--scale", "0"],
        ["--scale", "1001"],
        ["--scale", "abc"],
        ["--port", "0"],
        ["--port", "65536"],
        ["--port", "http"],
    ],
)
def test_bad_arguments_are_refused(args: list[str]) -> None:
    with pytest.raises(CommandError, match="must be an integer"):
        call_command("demo", "--no-serve", *args)


def test_password_is_generated_once_and_kept(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path, CONGVU_DEMO_PASSWORD=""):
        password, source = demo_password()
        again, _ = demo_password()
    path = tmp_path / "demo-password.txt"
    assert source == str(path)
    assert again == password
    letter = f"[{_ALPHABET}]"
    assert re.fullmatch(f"{letter}{{4}}(-{letter}{{4}}){{3}}", password)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").strip() == password
    with override_settings(DATA_DIR=tmp_path, CONGVU_DEMO_PASSWORD="Dat-qua-bien-moi-truong"):
        assert demo_password() == ("Dat-qua-bien-moi-truong", "CONGVU_DEMO_PASSWORD")


@pytest.mark.django_db
def test_dossiers_and_routing_rules() -> None:
    assert Dossier.objects.count() == 300
    assert set(Dossier.objects.values_list("receiving_unit__kind", flat=True)) == {"agency", "commune"}
    assert set(Dossier.objects.values_list("status", flat=True)) == set(range(1, 11)) - {1, 2}
    assert list(RoutingRule.objects.order_by("priority").values_list("priority", "service__code")) == [
        (10, "moi-truong"),
        (20, None),
    ]
    assert list(AuditEvent.objects.filter(action="dossiers.import").values_list("after__created", flat=True)) == [300]
