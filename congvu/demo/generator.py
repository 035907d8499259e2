"""The demo province: a fictional, deterministic "Tỉnh An Hòa" at any scale.

:func:`build_plan` is pure: from the scale alone (one ``random.Random`` seeded with
it, no clock) it lays out the province as it stands on 1 January 2026 with its
history: about twenty provincial agencies and their divisions, ``10 × scale`` new
communes each formed on 1 July 2025 by merging two to four old ones, and about
``1,000 × scale`` officials with their appointments (promotions, transfers, posts
that ended, concurrent posts and secondments). The departments merged on 1 March
2025 and the inspection reform of 1 July 2025 are part of it.

:func:`generate` writes the plan in one transaction. Units, people and appointments
are bulk-inserted exactly as the registry services create them (path, depth, a
``UnitVersion`` and a "create" ``UnitEvent`` per unit, one audit event per object);
the structural changes (mergers, the rename, the move) go through the services
themselves. :func:`ensure_accounts` creates the seven demo accounts, one per role.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import reset_queries, transaction

from congvu.accounts.models import RoleAssignment, User
from congvu.audit.chain import Actor, Change, record_many
from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.demo import dossiers as demo_dossiers
from congvu.demo import evaluation as demo_evaluation
from congvu.demo import feedback as demo_feedback
from congvu.demo import names
from congvu.demo import tasks as demo_tasks
from congvu.org import services
from congvu.org.models import (
    Appointment,
    AppointmentKind,
    Person,
    Sex,
    Title,
    Unit,
    UnitKind,
    UnitStatus,
)
from congvu.org.services import Basis
from congvu.tasks.models import Task

PROVINCE_CODE = "AH"
PROVINCE_NAME = "Tỉnh An Hòa"
PROVINCE_FOUNDED = date(1997, 1, 1)
TODAY = date(2026, 1, 1)  # the demo's "today": every current appointment began before it
AGENCY_REFORM = date(2025, 3, 1)
COMMUNE_REFORM = date(2025, 7, 1)
SEED = 20_250_701
PEOPLE_PER_SCALE = 1000
COMMUNES_PER_SCALE = 10

_PROVINCE_ISSUER = "Ủy ban nhân dân tỉnh An Hòa"
# Fictional legal bases of the 2025 changes.
AGENCY_REFORM_BASIS = Basis("386/QĐ-UBND", date(2025, 2, 26), _PROVINCE_ISSUER)
INSPECTION_REFORM_BASIS = Basis("1452/QĐ-UBND", date(2025, 6, 27), _PROVINCE_ISSUER)
SERVICE_CENTRE_BASIS = Basis("1460/QĐ-UBND", date(2025, 6, 28), _PROVINCE_ISSUER)
COMMUNE_REFORM_BASIS = Basis("1712/NQ-UBTVQH15", date(2025, 6, 16), "Ủy ban Thường vụ Quốc hội")
NO_BASIS = Basis()

STAFF_TITLES = ("chuyen_vien_chinh", "chuyen_vien", "can_su")
_STAFF_WEIGHTS = (20, 65, 15)
_MERGEABLE = frozenset({"Văn phòng", "Thanh tra"})  # divisions that exist in every department
_INSPECTION = "Thanh tra"
_CHUNK = 5000

Progress = Callable[[str], None]
T = TypeVar("T")


# --------------------------------------------------------------------------- the plan


@dataclass(slots=True)
class UnitPlan:
    code: str
    name: str
    kind: str
    parent: str | None
    valid_from: date
    sort_order: int
    head: str  # title codes of the head and the deputies of this unit
    deputy: str
    short_name: str = ""
    basis: Basis = NO_BASIS
    issuer: str = "QĐ-UBND"  # suffix of the decision numbers of posts in this unit
    merged_into: str | None = None


@dataclass(slots=True)
class PersonPlan:
    full_name: str
    sex: str
    leader: bool
    birth_date: date | None = None
    personal_id: str = ""
    email: str = ""


@dataclass(slots=True)
class PostPlan:
    person: int
    title: str
    unit: str
    start: date
    end: date | None = None
    kind: str = AppointmentKind.PRIMARY
    decision_number: str = ""
    decision_date: date | None = None


@dataclass(frozen=True)
class MergeOp:
    sources: tuple[str, ...]
    into: str
    effective: date
    basis: Basis


@dataclass(frozen=True)
class ChangeOp:
    unit: str
    effective: date
    basis: Basis
    name: str | None = None
    short_name: str | None = None
    parent: str | None = None


@dataclass
class Plan:
    scale: int
    units: list[UnitPlan]
    people: list[PersonPlan]
    posts: list[PostPlan]
    operations: list[MergeOp | ChangeOp]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


class _Picker:
    """Weighted choice with precomputed cumulative weights (``random.choices`` recomputes them)."""

    def __init__(self, items: Sequence[tuple[str, int]]) -> None:
        self.values = [v for v, _ in items]
        self.cum = list(accumulate(w for _, w in items))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


_FAMILY = _Picker(names.FAMILY_NAMES)
_MALE_MIDDLE = _Picker(names.MALE_MIDDLE_NAMES)
_FEMALE_MIDDLE = _Picker(names.FEMALE_MIDDLE_NAMES)
_STAFF = _Picker(list(zip(STAFF_TITLES, _STAFF_WEIGHTS, strict=True)))


class _Planner:
    def __init__(self, scale: int) -> None:
        self.scale = scale
        self.rng = random.Random(SEED + scale)
        self.units: list[UnitPlan] = []
        self.by_code: dict[str, UnitPlan] = {}
        self.people: list[PersonPlan] = []
        self.posts: list[PostPlan] = []
        self.ops: list[MergeOp | ChangeOp] = []
        self.open: dict[str, list[int]] = defaultdict(list)  # unit code -> indices of its open posts
        self.children: dict[str, list[str]] = defaultdict(list)
        self.past_heads: list[tuple[date, int]] = []  # (end, person) of agency-head posts that ended
        self.agency_divisions: list[str] = []  # divisions of provincial agencies founded before 2025

    # ---- primitives

    def day(self, lo: date, hi: date) -> date:
        if hi <= lo:
            return lo
        return lo + timedelta(days=self.rng.randint(0, (hi - lo).days))

    def unit(self, code: str, name: str, kind: str, parent: str | None, valid_from: date, **extra: Any) -> UnitPlan:
        spec = UnitPlan(
            code=code,
            name=_nfc(name),
            kind=kind,
            parent=parent,
            valid_from=valid_from,
            sort_order=len(self.children[parent or ""]) + 1,
            **extra,
        )
        self.units.append(spec)
        self.by_code[code] = spec
        self.children[parent or ""].append(code)
        return spec

    def person(self, *, leader: bool = False) -> int:
        rng = self.rng
        female = rng.random() < (0.3 if leader else 0.55)
        while True:
            family = _FAMILY(rng)
            if female:
                middle = _FEMALE_MIDDLE(rng)
                if middle == "Thị" and rng.random() < 0.2:
                    middle += " " + rng.choice(names.FEMALE_SECOND_MIDDLE_NAMES)
                given = rng.choice(names.FEMALE_GIVEN_NAMES)
            else:
                middle = _MALE_MIDDLE(rng)
                given = rng.choice(names.MALE_GIVEN_NAMES)
            full = f"{family} {middle} {given}"
            if not full.isascii() and middle.split()[-1] != given:
                break
        self.people.append(PersonPlan(full_name=_nfc(full), sex=Sex.FEMALE if female else Sex.MALE, leader=leader))
        return len(self.people) - 1

    def post(
        self,
        person: int,
        title: str,
        unit: str,
        start: date,
        end: date | None = None,
        kind: str = AppointmentKind.PRIMARY,
    ) -> int:
        decided = start - timedelta(days=self.rng.randint(3, 20))
        number = f"{self.rng.randint(12, 2999)}/{self.by_code[unit].issuer}"
        self.posts.append(PostPlan(person, title, unit, start, end, kind, number, decided))
        index = len(self.posts) - 1
        if end is None:
            self.open[unit].append(index)
        return index

    def end(self, index: int, day: date) -> None:
        post = self.posts[index]
        post.end = day
        self.open[post.unit].remove(index)

    def staff_title(self) -> str:
        return _STAFF(self.rng)

    # ---- leadership and staff of one unit

    def lead(self, code: str, deputies: int, *, since: date) -> None:
        """A head and ``deputies`` deputies of a unit founded on ``since``, with some history."""
        spec = self.by_code[code]
        rng = self.rng
        recent = since >= date(2025, 1, 1)
        head = self.person(leader=True)
        start = since if recent else self.day(max(since, date(2015, 1, 1)), date(2024, 12, 31))
        if not recent and (start - since).days > 3 * 365 and rng.random() < 0.4:
            # Promoted from deputy of the same unit.
            was = self.day(max(since, start - timedelta(days=8 * 365)), start - timedelta(days=2 * 365))
            self.post(head, spec.deputy, code, was, start - timedelta(days=1))
        if not recent and spec.kind == UnitKind.AGENCY and rng.random() < 0.5:
            began = self.day(max(since, start - timedelta(days=10 * 365)), start - timedelta(days=3 * 365))
            if began < start - timedelta(days=365):
                previous = self.person(leader=True)
                self.post(previous, spec.head, code, began, start - timedelta(days=1))
                self.past_heads.append((start - timedelta(days=1), previous))
        self.post(head, spec.head, code, start)
        for _ in range(deputies):
            deputy = self.person(leader=True)
            began = since if recent else self.day(max(since, date(2016, 1, 1)), date(2024, 12, 31))
            self.post(deputy, spec.deputy, code, began)

    def staff(self, code: str, count: int, *, since: date, first_title: str | None = None) -> None:
        recent = since >= date(2025, 1, 1)
        for i in range(count):
            person = self.person()
            title = first_title if (i == 0 and first_title) else self.staff_title()
            start = since if recent else self.day(max(since, date(2005, 1, 1)), date(2024, 12, 31))
            if not recent and self.agency_divisions and self.rng.random() < 0.15:
                # Transferred from another division: the earlier post ended the day before.
                elsewhere = self.rng.choice(self.agency_divisions)
                began = self.day(
                    max(self.by_code[elsewhere].valid_from, date(2003, 1, 1)), start - timedelta(days=3 * 365)
                )
                if elsewhere != code and began < start - timedelta(days=365):
                    self.post(person, self.staff_title(), elsewhere, began, start - timedelta(days=1))
            self.post(person, title, code, start)

    def transfer(
        self,
        source: str,
        day: date,
        place: Callable[[PostPlan], tuple[str, str]],
    ) -> None:
        """End every open post of ``source`` the day before ``day``; primary holders get the
        post ``place`` gives them (unit code, title) from ``day`` on."""
        for index in list(self.open[source]):
            post = self.posts[index]
            self.end(index, day - timedelta(days=1))
            if post.kind == AppointmentKind.PRIMARY:
                unit, title = place(post)
                self.post(post.person, title, unit, day)

    def has_open(self, unit: str, title: str) -> bool:
        return any(self.posts[i].title == title for i in self.open[unit])

    def successor_title(self, source: str, target: str) -> Callable[[PostPlan], tuple[str, str]]:
        """Heads become the head of ``target`` if it has none, else deputies; others keep their rank."""
        src, dst = self.by_code[source], self.by_code[target]

        def place(post: PostPlan) -> tuple[str, str]:
            if post.title == src.head:
                return target, (dst.head if not self.has_open(target, dst.head) else dst.deputy)
            if post.title == src.deputy:
                return target, dst.deputy
            return target, post.title

        return place

    # ---- the province

    def build(self) -> Plan:
        self.unit(
            PROVINCE_CODE,
            PROVINCE_NAME,
            UnitKind.PROVINCE,
            None,
            PROVINCE_FOUNDED,
            head="",
            deputy="",
            issuer="NQ-HĐND",
        )
        self.agencies()
        self.agency_reform()
        self.inspection_reform()
        self.communes()
        self.province_leaders()
        self.top_up()
        self.concurrent_posts()
        self.secondments()
        self.identities()
        return Plan(self.scale, self.units, self.people, self.posts, self.ops)

    def agencies(self) -> None:
        all_agencies = [*names.AGENCIES, *(a for a, _ in names.MERGED_AGENCIES)]
        for data in all_agencies:
            code = f"{PROVINCE_CODE}.{data.short}"
            recent = data.founded >= date(2025, 1, 1)
            basis = NO_BASIS
            if recent:
                basis = AGENCY_REFORM_BASIS if data.founded == AGENCY_REFORM else SERVICE_CENTRE_BASIS
            self.unit(
                code,
                data.name,
                data.kind,
                PROVINCE_CODE,
                data.founded,
                head=data.head,
                deputy=data.deputy,
                short_name=data.short,
                basis=basis,
            )
            for number, name in enumerate(data.divisions, start=1):
                self.division(code, number, name, data.founded, basis)
        for parent_short, name in names.NEW_DIVISIONS_2025:
            parent = f"{PROVINCE_CODE}.{parent_short}"
            self.division(parent, len(self.children[parent]) + 1, name, AGENCY_REFORM, AGENCY_REFORM_BASIS)
        # Leadership and staff once every unit exists (earlier transfers pick among them). An agency
        # founded by the 2025 merger is staffed by the merger itself.
        formed_by_merger = {
            f"{PROVINCE_CODE}.{target}"
            for _, target in names.MERGED_AGENCIES
            if self.by_code[f"{PROVINCE_CODE}.{target}"].valid_from == AGENCY_REFORM
        }
        for data in all_agencies:
            code = f"{PROVINCE_CODE}.{data.short}"
            if code not in formed_by_merger:
                self.lead(code, self.rng.randint(*data.deputies), since=data.founded)
        for code in [u.code for u in self.units if u.kind == UnitKind.DIVISION]:
            spec = self.by_code[code]
            if spec.parent in formed_by_merger:
                continue
            self.lead(code, self.rng.choice((1, 1, 2)), since=spec.valid_from)
            if spec.name == "Phòng Ngân sách":
                self.staff(code, 3, since=spec.valid_from, first_title="chuyen_vien")
            else:
                self.staff(code, self.rng.randint(1, 3), since=spec.valid_from)

    def division(self, agency: str, number: int, name: str, founded: date, basis: Basis) -> None:
        if name == "Văn phòng":
            head, deputy = "chanh_van_phong_so", "pho_chanh_van_phong_so"
        elif name == _INSPECTION:
            head, deputy = "chanh_thanh_tra", "pho_chanh_thanh_tra"
        elif name.startswith("Chi cục"):
            head, deputy = "chi_cuc_truong", "pho_chi_cuc_truong"
        else:
            head, deputy = "truong_phong", "pho_truong_phong"
        code = f"{agency}.{number:02d}"
        self.unit(
            code,
            name,
            UnitKind.DIVISION,
            agency,
            founded,
            head=head,
            deputy=deputy,
            basis=basis,
            issuer=f"QĐ-{self.by_code[agency].short_name}",
        )
        if founded < date(2025, 1, 1):
            self.agency_divisions.append(code)

    def division_named(self, agency: str, name: str) -> str | None:
        return next((c for c in self.children[agency] if self.by_code[c].name == name), None)

    def agency_reform(self) -> None:
        """1 March 2025: departments merge (their common divisions first), one is renamed, one division moves."""
        day, basis = AGENCY_REFORM, AGENCY_REFORM_BASIS
        source_short, moved_name, new_parent_short = names.MOVED_DIVISION
        moved = self.division_named(f"{PROVINCE_CODE}.{source_short}", moved_name)
        assert moved is not None
        self.ops.append(ChangeOp(moved, day, basis, parent=f"{PROVINCE_CODE}.{new_parent_short}"))
        old_short, new_name, new_short = names.RENAMED_AGENCY
        self.ops.append(ChangeOp(f"{PROVINCE_CODE}.{old_short}", day, basis, name=new_name, short_name=new_short))

        by_target: dict[str, list[str]] = defaultdict(list)
        for data, target in names.MERGED_AGENCIES:
            by_target[f"{PROVINCE_CODE}.{target}"].append(f"{PROVINCE_CODE}.{data.short}")
        for target, sources in by_target.items():
            for division in list(self.children[target]):
                name = self.by_code[division].name
                merging = [d for s in sources if (d := self.division_named(s, name)) is not None]
                if not merging:
                    continue
                self.ops.append(MergeOp(tuple(merging), division, day, basis))
                for source in merging:
                    self.by_code[source].merged_into = division
                    self.transfer(source, day, self.successor_title(source, division))
            for source in sources:
                self.by_code[source].merged_into = target
                self.transfer(source, day, self.successor_title(source, target))
            self.ops.append(MergeOp(tuple(sources), target, day, basis))

    def inspection_reform(self) -> None:
        """1 July 2025: the departments' inspectorates merge into the provincial inspectorate."""
        day = COMMUNE_REFORM
        inspectorate = f"{PROVINCE_CODE}.TTT"
        desks = [c for c in self.children[inspectorate] if self.by_code[c].name.startswith("Phòng Nghiệp vụ")]
        sources = [
            u.code
            for u in self.units
            if u.kind == UnitKind.DIVISION and u.name == _INSPECTION and u.merged_into is None
        ]
        turn = iter(range(10**9))

        def place(post: PostPlan) -> tuple[str, str]:
            desk = desks[next(turn) % len(desks)]
            src = self.by_code[post.unit]
            if post.title == src.head:
                return desk, "pho_truong_phong"
            if post.title == src.deputy:
                return desk, "chuyen_vien_chinh"
            return desk, post.title

        for source in sources:
            self.by_code[source].merged_into = inspectorate
            self.transfer(source, day, place)
        self.ops.append(MergeOp(tuple(sources), inspectorate, day, INSPECTION_REFORM_BASIS))

    def communes(self) -> None:
        """``10 × scale`` communes of 1 July 2025, each merging two to four old ones."""
        rng = self.rng
        syllables = names.PLACE_SYLLABLES
        pairs = [f"{a} {b}" for a in syllables for b in syllables if a != b]
        rng.shuffle(pairs)
        count = COMMUNES_PER_SCALE * self.scale
        old_number = 0
        for i in range(count):
            ward = i % 4 == 1  # about a quarter of them are wards (phường)
            base = pairs[i % len(pairs)]
            place = base if i < len(pairs) else f"{base} {i // len(pairs) + 1}"
            prefix = "Phường" if ward else "Xã"
            code = f"{PROVINCE_CODE}.X.{i + 1:05d}"
            old_codes: list[str] = []
            for k in range(rng.randint(2, 4)):
                old_number += 1
                if ward:
                    old_prefix = "Thị trấn" if k == 0 and rng.random() < 0.3 else "Phường"
                else:
                    old_prefix = "Thị trấn" if k == 0 and rng.random() < 0.1 else "Xã"
                old_place = place if (k == 0 and rng.random() < 0.4) else rng.choice(pairs)
                old_codes.append(self.old_commune(f"{PROVINCE_CODE}.XC.{old_number:05d}", f"{old_prefix} {old_place}"))
            self.new_commune(code, f"{prefix} {place}", ward, old_codes)

    def old_commune(self, code: str, name: str) -> str:
        founded = self.rng.choice((date(1999, 1, 1), date(2003, 7, 1), date(2008, 8, 1), date(2013, 1, 1)))
        self.unit(
            code,
            name,
            UnitKind.COMMUNE,
            PROVINCE_CODE,
            founded,
            head="chu_tich_ubnd_xa",
            deputy="pho_chu_tich_ubnd_xa",
        )
        # Chủ tịch elected for the 2021–2026 term, sometimes after a predecessor.
        chair = self.person(leader=True)
        start = self.day(date(2021, 6, 1), date(2021, 7, 15))
        if self.rng.random() < 0.3:
            previous = self.person(leader=True)
            self.post(
                previous,
                "chu_tich_ubnd_xa",
                code,
                self.day(date(2016, 6, 1), date(2016, 7, 15)),
                start - timedelta(days=1),
            )
        self.post(chair, "chu_tich_ubnd_xa", code, start)
        for _ in range(self.rng.randint(1, 2)):
            self.post(
                self.person(leader=True), "pho_chu_tich_ubnd_xa", code, self.day(date(2016, 1, 1), date(2024, 12, 31))
            )
        for _ in range(self.rng.randint(3, 5)):
            title = self.rng.choice(("chuyen_vien", "chuyen_vien", "can_su"))
            self.post(self.person(), title, code, self.day(max(founded, date(2005, 1, 1)), date(2024, 12, 31)))
        return code

    def new_commune(self, code: str, name: str, ward: bool, sources: list[str]) -> None:
        rng, day = self.rng, COMMUNE_REFORM
        self.unit(
            code,
            name,
            UnitKind.COMMUNE,
            PROVINCE_CODE,
            day,
            head="chu_tich_ubnd_xa",
            deputy="pho_chu_tich_ubnd_xa",
            basis=COMMUNE_REFORM_BASIS,
        )
        division_names = names.COMMUNE_DIVISIONS + (names.WARD_EXTRA_DIVISIONS if ward else ())
        divisions: list[str] = []
        for number, division_name in enumerate(division_names, start=1):
            vp = division_name.startswith("Văn phòng")
            div = self.unit(
                f"{code}.{number:02d}",
                division_name,
                UnitKind.COMMUNE_DIVISION,
                code,
                day,
                head="chanh_van_phong_hdnd_ubnd_xa" if vp else "truong_phong_xa",
                deputy="pho_chanh_van_phong_hdnd_ubnd_xa" if vp else "pho_truong_phong_xa",
                basis=COMMUNE_REFORM_BASIS,
            )
            divisions.append(div.code)
        self.ops.append(MergeOp(tuple(sources), code, day, COMMUNE_REFORM_BASIS))

        # Who held posts in the old communes: they end on 30 June; most carry on in the new one.
        chairs: list[int] = []
        leaders: list[int] = []
        workers: list[tuple[int, str]] = []
        for source in sources:
            self.by_code[source].merged_into = code
            for index in list(self.open[source]):
                post = self.posts[index]
                self.end(index, day - timedelta(days=1))
                if rng.random() < (0.1 if post.title in ("chu_tich_ubnd_xa", "pho_chu_tich_ubnd_xa") else 0.05):
                    continue  # retired
                if post.title == "chu_tich_ubnd_xa":
                    chairs.append(post.person)
                elif post.title == "pho_chu_tich_ubnd_xa":
                    leaders.append(post.person)
                else:
                    workers.append((post.person, post.title))
        rng.shuffle(chairs)
        chair = chairs.pop() if chairs and rng.random() < 0.5 else self.person(leader=True)
        leaders = chairs + leaders

        def leader() -> int:
            return leaders.pop(0) if leaders else self.person(leader=True)

        self.post(chair, "chu_tich_ubnd_xa", code, day)
        vice_chairs = [leader(), leader()]
        for vice in vice_chairs:
            self.post(vice, "pho_chu_tich_ubnd_xa", code, day)
        for division in divisions:
            spec = self.by_code[division]
            if spec.name == "Phòng Văn hóa - Xã hội" and rng.random() < 0.2:
                # No head yet: a vice-chair runs the division concurrently.
                self.post(vice_chairs[1], spec.head, division, day, kind=AppointmentKind.CONCURRENT)
            else:
                self.post(leader(), spec.head, division, day)
            if leaders:
                deputy = leaders.pop(0)
            elif workers:
                deputy = workers.pop(0)[0]
            else:
                deputy = self.person(leader=True)
            self.post(deputy, spec.deputy, division, day)
        for person in leaders:  # former leaders left over join the office
            self.post(person, "chuyen_vien_chinh", divisions[0], day)
        for turn, (person, title) in enumerate(workers):
            self.post(person, title, divisions[turn % len(divisions)], day)
        for division in divisions:
            if rng.random() < 0.5:
                self.post(self.person(), self.staff_title(), division, self.day(day, date(2025, 12, 15)))

    def province_leaders(self) -> None:
        """Chủ tịch and Phó Chủ tịch UBND tỉnh; two vice-chairs were heads of departments before."""
        root = PROVINCE_CODE
        chair = self.person(leader=True)
        start = date(2021, 6, 25)
        previous = self.person(leader=True)
        self.post(previous, "chu_tich_ubnd_tinh", root, date(2016, 6, 28), start - timedelta(days=1))
        self.post(chair, "chu_tich_ubnd_tinh", root, start)
        promoted = sorted(self.past_heads)[-2:]
        for ended, person in promoted:
            self.post(person, "pho_chu_tich_ubnd_tinh", root, ended + timedelta(days=1))
        for _ in range(4 - len(promoted)):
            self.post(
                self.person(leader=True), "pho_chu_tich_ubnd_tinh", root, self.day(date(2021, 6, 25), date(2024, 6, 30))
            )

    def top_up(self) -> None:
        """Recruit staff into today's divisions until the province has ``1,000 × scale`` people."""
        missing = PEOPLE_PER_SCALE * self.scale - len(self.people)
        if missing <= 0:
            return
        targets = [
            u for u in self.units if u.merged_into is None and u.kind in (UnitKind.DIVISION, UnitKind.COMMUNE_DIVISION)
        ]
        weights = [6 if u.kind == UnitKind.DIVISION else 2 for u in targets]
        total = sum(weights)
        shares = [missing * w // total for w in weights]
        for i in self.rng.sample(range(len(targets)), missing - sum(shares)):
            shares[i] += 1
        for spec, share in zip(targets, shares, strict=True):
            lo = max(spec.valid_from, date(2005, 1, 1))
            for _ in range(share):
                self.post(self.person(), self.staff_title(), spec.code, self.day(lo, date(2025, 12, 15)))

    def concurrent_posts(self) -> None:
        """Some division heads retired in September 2025; a deputy director runs the division meanwhile."""
        day = date(2025, 10, 1)
        for code in self.agency_divisions:
            spec = self.by_code[code]
            agency = spec.parent
            assert agency is not None
            if (
                spec.merged_into is not None
                or self.by_code[agency].merged_into is not None
                or spec.name in _MERGEABLE
                or spec.name == "Phòng Ngân sách"
                or self.rng.random() >= 0.08
            ):
                continue
            heads = [i for i in self.open[code] if self.posts[i].title == spec.head]
            deputies = [i for i in self.open[agency] if self.posts[i].title == self.by_code[agency].deputy]
            if not heads or not deputies or self.posts[heads[0]].start >= day:
                continue
            self.end(heads[0], day - timedelta(days=1))
            self.post(self.posts[deputies[0]].person, spec.head, code, day, kind=AppointmentKind.CONCURRENT)

    def secondments(self) -> None:
        """Officials of departments seconded to communes in 2025, and a few earlier ones between departments."""
        rng = self.rng
        staffed = [
            i
            for code in self.agency_divisions
            if self.by_code[code].merged_into is None
            for i in self.open[code]
            if self.posts[i].title in STAFF_TITLES and self.posts[i].kind == AppointmentKind.PRIMARY
        ]
        communes = [u.code for u in self.units if u.kind == UnitKind.COMMUNE_DIVISION]
        chosen = rng.sample(staffed, min(len(staffed), 2 + self.scale + max(1, self.scale // 2)))
        recent, earlier = chosen[: 2 + self.scale], chosen[2 + self.scale :]
        for index in recent:
            post = self.posts[index]
            start = self.day(date(2025, 7, 15), date(2025, 9, 1))
            end = start + timedelta(days=364)
            self.post(post.person, post.title, rng.choice(communes), start, end, AppointmentKind.SECONDMENT)
        for index in earlier:
            post = self.posts[index]
            start = self.day(max(post.start, date(2020, 1, 1)), date(2023, 6, 30))
            if start >= date(2024, 12, 31):
                continue
            target = rng.choice(
                [c for c in self.agency_divisions if c != post.unit and self.by_code[c].merged_into is None]
            )
            if self.by_code[target].valid_from > start:
                continue
            self.post(post.person, post.title, target, start, start + timedelta(days=364), AppointmentKind.SECONDMENT)

    def identities(self) -> None:
        """Birth dates consistent with each career, fictional identification numbers and e-mail addresses."""
        rng = self.rng
        first: dict[int, date] = {}
        for post in self.posts:
            if post.person not in first or post.start < first[post.person]:
                first[post.person] = post.start
        used: set[str] = set()
        for index, person in enumerate(self.people):
            age = rng.randint(30, 45) if person.leader else rng.randint(22, 34)
            year = min(max(first[index].year - age, 1966 + rng.randint(0, 4)), 2003)
            person.birth_date = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
            century = 0 if year < 2000 else 2
            sex_digit = century + (1 if person.sex == Sex.FEMALE else 0)
            # Prefix 099 is no province's: the numbers cannot be anyone's real ones.
            while True:
                pid = f"099{sex_digit}{year % 100:02d}{rng.randint(0, 999_999):06d}"
                if pid not in used:
                    used.add(pid)
                    break
            person.personal_id = pid
            parts = person.full_name.split()
            initials = "".join(_ascii(p)[0] for p in parts[:-1])
            person.email = f"{_ascii(parts[-1])}{initials}.{index + 1}@anhoa.example"


def build_plan(scale: int) -> Plan:
    """The whole province for ``scale`` as plain data (no database, no clock)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    return _Planner(scale).build()


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    province: str
    units: int
    people: int
    appointments: int
    audit_events: int = 0
    tasks: int = 0


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
        reset_queries()  # with DEBUG on, Django keeps every (huge) bulk statement otherwise


def ensure_titles() -> dict[str, Title]:
    """The titles of the seeded catalogue (``org/data/titles.json``), by code; the demo uses only these."""
    missing = set(names.EXTRA_TITLES) - set(Title.objects.values_list("code", flat=True))
    if missing:
        raise RuntimeError(f"titles missing from the catalogue: {sorted(missing)}")
    return {t.code: t for t in Title.objects.all()}


def _write_units(plan: Plan, acting_user: Actor | None, progress: Progress) -> dict[str, Unit]:
    """Insert units level by level exactly as ``services.create_unit`` leaves them."""
    written: dict[str, Unit] = {}
    depth_of: dict[str, int] = {}
    levels: dict[int, list[UnitPlan]] = defaultdict(list)
    for spec in plan.units:
        depth_of[spec.code] = 0 if spec.parent is None else depth_of[spec.parent] + 1
        levels[depth_of[spec.code]].append(spec)
    for depth in sorted(levels):
        for chunk in _chunks(levels[depth]):
            units = [
                Unit(
                    code=s.code,
                    name=s.name,
                    short_name=s.short_name,
                    kind=s.kind,
                    parent=written[s.parent] if s.parent else None,
                    valid_from=s.valid_from,
                    sort_order=s.sort_order,
                    path="",
                    depth=depth,
                )
                for s in chunk
            ]
            Unit.objects.bulk_create(units)
            services.place_new_units(units)
            Unit.objects.bulk_update(units, ["path", "depth"], batch_size=1000)
            changes = services.record_unit_creations(units, [spec.basis for spec in chunk])
            record_many(acting_user=acting_user, changes=changes)
            written.update((u.code, u) for u in units)
        progress(f"  đơn vị / units: {len(written):,}")
    return written


def _write_people(plan: Plan, acting_user: Actor | None, progress: Progress) -> list[int]:
    """Insert the people; returns their primary keys in plan order."""
    people: list[int] = []
    for chunk in _chunks(plan.people):
        rows = [
            services.new_person(
                full_name=p.full_name, sex=p.sex, birth_date=p.birth_date, personal_id=p.personal_id, email=p.email
            )
            for p in chunk
        ]
        Person.objects.bulk_create(rows)
        record_many(acting_user=acting_user, changes=[services.person_created(p) for p in rows])
        people.extend(p.pk for p in rows)
        progress(f"  cán bộ / people: {len(people):,}")
    return people


def _write_posts(
    plan: Plan,
    units: dict[str, Unit],
    people: list[int],
    titles: dict[str, Title],
    acting_user: Actor | None,
    progress: Progress,
) -> None:
    done = 0
    for chunk in _chunks(plan.posts):
        rows = [
            Appointment(
                person_id=people[p.person],
                title=titles[p.title],
                unit=units[p.unit],
                kind=p.kind,
                start_date=p.start,
                end_date=p.end,
                decision_number=p.decision_number,
                decision_date=p.decision_date,
            )
            for p in chunk
        ]
        Appointment.objects.bulk_create(rows)
        record_many(
            acting_user=acting_user,
            changes=[
                services.appointment_change(a, person_name=plan.people[p.person].full_name, title=a.title, unit=a.unit)
                for p, a in zip(chunk, rows, strict=True)
            ],
        )
        done += len(rows)
        progress(f"  bổ nhiệm / appointments: {done:,}")


def _apply(plan: Plan, units: dict[str, Unit], acting_user: Actor | None, progress: Progress) -> None:
    """The 2025 changes, through the registry services themselves."""
    pks = {code: unit.pk for code, unit in units.items()}

    def fresh(code: str) -> Unit:
        return Unit.objects.get(pk=pks[code])

    for number, op in enumerate(plan.operations, start=1):
        if isinstance(op, MergeOp):
            services.merge_units(
                acting_user=acting_user,
                sources=[fresh(c) for c in op.sources],
                into=fresh(op.into),
                effective=op.effective,
                basis=op.basis,
            )
        else:
            services.change_unit(
                acting_user=acting_user,
                unit=fresh(op.unit),
                effective=op.effective,
                basis=op.basis,
                name=op.name,
                short_name=op.short_name,
                parent=fresh(op.parent) if op.parent else None,
            )
        if number % 500 == 0 or number == len(plan.operations):
            reset_queries()
            progress(f"  sắp xếp, sáp nhập / reorganisations: {number:,}")


def province() -> Unit | None:
    return Unit.objects.filter(code=PROVINCE_CODE).first()


def summary(created: bool) -> DemoSummary:
    root = province()
    if root is None:
        return DemoSummary(created=created, province="", units=0, people=0, appointments=0)
    units = Unit.objects.filter(path__startswith=root.path)
    appointments = Appointment.objects.filter(unit__path__startswith=root.path)
    return DemoSummary(
        created=created,
        province=root.name,
        units=units.count(),
        people=Person.objects.filter(appointments__in=appointments).distinct().count(),
        appointments=appointments.count(),
        audit_events=AuditEvent.objects.count(),
        tasks=Task.objects.filter(lead_unit__path__startswith=root.path).count(),
    )


def generate(*, scale: int, acting_user: Actor | None = None, progress: Progress | None = None) -> DemoSummary:
    """Create the demo province for ``scale``; does nothing if it already exists."""
    say: Progress = progress or (lambda _message: None)
    if province() is not None:
        return summary(created=False)
    plan = build_plan(scale)
    say(
        f"Tạo tỉnh minh họa / building the demo province (scale {scale}): "
        f"{len(plan.units):,} đơn vị, {len(plan.people):,} cán bộ, {len(plan.posts):,} bổ nhiệm"
    )
    with transaction.atomic():
        if province() is not None:  # created meanwhile by another process
            return summary(created=False)
        titles = ensure_titles()
        units = _write_units(plan, acting_user, say)
        people = _write_people(plan, acting_user, say)
        _write_posts(plan, units, people, titles, acting_user, say)
        _apply(plan, units, acting_user, say)
        # The assigners and the owner of the demo tasks: the accounts, with a password the command replaces.
        ensure_accounts(demo_tasks.throwaway_password())
        made = demo_tasks.generate_tasks(scale=scale, province=units[PROVINCE_CODE])
        say(f"  nhiệm vụ / tasks: {made.tasks:,} ({made.meetings} cuộc họp, {made.directives} văn bản chỉ đạo)")
        sheet = demo_evaluation.generate_evaluation()
        submissions = demo_feedback.generate_feedback(province=units[PROVINCE_CODE])
        say(f"  phản ánh / feedback: {submissions} (cổng /feedback/, hộp thư /feedback/inbox/)")
        rules = demo_dossiers.generate_routing_rules(province=units[PROVINCE_CODE])
        dossiers = demo_dossiers.generate_dossiers(scale=scale, province=units[PROVINCE_CODE])
        say(f"  hồ sơ TTHC / dossiers: {dossiers:,}; quy tắc chuyển xử lý / routing rules: {rules}")
        say(f"  đánh giá / evaluation: phiếu {sheet.period} của truongphong chờ giamdoc nhận xét")
    return summary(created=True)


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    scope: str  # unit code, or "agency code/division name"
    title: str  # title code of the person the account belongs to
    unit: str  # where that person holds the title (same notation)


_FINANCE = f"{PROVINCE_CODE}.STC"
_BUDGET = f"{_FINANCE}/Phòng Ngân sách"
_IT = f"{PROVINCE_CODE}.SKHCN/Phòng Công nghệ thông tin và Chuyển đổi số"
ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("admin", Role.ADMIN, PROVINCE_CODE, "chuyen_vien", _IT),
    AccountSpec("lanhdao", Role.LANHDAO, PROVINCE_CODE, "chu_tich_ubnd_tinh", PROVINCE_CODE),
    AccountSpec("noivu", Role.NOIVU, PROVINCE_CODE, "giam_doc_so", f"{PROVINCE_CODE}.SNV"),
    AccountSpec("giamdoc", Role.GIAMDOC, _FINANCE, "giam_doc_so", _FINANCE),
    AccountSpec("truongphong", Role.TRUONGPHONG, _BUDGET, "truong_phong", _BUDGET),
    AccountSpec("chuyenvien", Role.CHUYENVIEN, _BUDGET, "chuyen_vien", _BUDGET),
    AccountSpec("thanhtra", Role.THANHTRA, PROVINCE_CODE, "chanh_thanh_tra_tinh", f"{PROVINCE_CODE}.TTT"),
)


def _find_unit(ref: str) -> Unit:
    if "/" in ref:
        parent, name = ref.split("/", 1)
        return Unit.objects.get(parent__code=parent, name=name, status=UnitStatus.ACTIVE)
    return Unit.objects.get(code=ref)


def _holder(unit: Unit, title: str) -> Person:
    post = (
        Appointment.objects.filter(unit=unit, title__code=title, kind=AppointmentKind.PRIMARY, end_date__isnull=True)
        .select_related("person")
        .order_by("start_date", "person__full_name", "person_id")
        .first()
    )
    if post is None:
        raise LookupError(f"no current {title} in {unit.name}")
    return post.person


def ensure_accounts(password: str) -> list[tuple[str, str, str]]:
    """The seven demo accounts, scoped and linked to the official each belongs to; sets ``password``.

    Re-running changes nothing but the password hash (no new rows, no audit event).
    Returns (username, role, scope unit name) per account.
    """
    if province() is None:
        raise LookupError("the demo province does not exist; generate it first")
    encoded = make_password(password)  # one hash for all: the demo accounts share their password
    result: list[tuple[str, str, str]] = []
    with transaction.atomic():
        changes: list[Change] = []
        for spec in ACCOUNTS:
            scope = _find_unit(spec.scope)
            person = _holder(_find_unit(spec.unit), spec.title)
            user = User.objects.filter(username=spec.username).first()
            created = user is None
            if user is None:
                user = User(username=spec.username)
            if user.person_id is None and not User.objects.filter(person=person).exclude(pk=user.pk).exists():
                user.person = person
            shown = user.person.full_name if user.person is not None else person.full_name
            # get_full_name() is "first last": first = family and middle names, last = given name,
            # so that screens show the Vietnamese order (Nguyễn Văn An).
            user.first_name, _, user.last_name = shown.rpartition(" ")
            user.password = encoded
            user.is_active = True
            user.save()
            _, granted = RoleAssignment.objects.get_or_create(user=user, role=spec.role, scope_unit=scope)
            if created or granted:
                changes.append(
                    Change(
                        "accounts.user.create" if created else "accounts.role.grant",
                        "user",
                        str(user.pk),
                        user.username,
                        after={"role": spec.role, "scope": scope.pk, "person": user.person_id},
                        subjects=[("unit", str(scope.pk))],
                    )
                )
            result.append((spec.username, str(spec.role), scope.name))
        if changes:
            record_many(acting_user=None, changes=changes)
    return result
