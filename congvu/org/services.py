"""Write services of the organisation registry.

Each function is keyword-only, takes ``acting_user``, runs in one transaction and
records one audit event. Callers check permissions (the policy) before calling.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from congvu.audit.chain import Actor, Change, record, record_many
from congvu.org.models import (
    Appointment,
    AppointmentKind,
    Person,
    Title,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitStatus,
    UnitVersion,
)
from congvu.org.search import fold


class OrgError(ValueError):
    """A change that the registry refuses, with a Vietnamese message for the screen."""


class StaleObject(OrgError):
    """The object changed since the caller read it (optimistic concurrency)."""


@dataclass(frozen=True)
class Basis:
    """The legal basis of an organisational change."""

    number: str = ""
    issued_on: date | None = None
    issuer: str = ""


UNIT_FIELDS = ("code", "name", "short_name", "kind", "parent_id", "status", "successor_id", "valid_from", "valid_to")
PERSON_FIELDS = ("full_name", "birth_date", "sex", "personal_id", "email", "phone")


def unit_state(unit: Unit) -> dict[str, Any]:
    return {f: getattr(unit, f) for f in UNIT_FIELDS}


def person_state(person: Person) -> dict[str, Any]:
    state = {f: getattr(person, f) for f in PERSON_FIELDS}
    # The audit log never holds a full identification number.
    state["personal_id"] = person.masked_personal_id
    return state


def _segment(unit_id: int) -> str:
    return f"{unit_id:08d}/"


def _event(kind: str, effective: date, basis: Basis, note: str = "") -> UnitEvent:
    return UnitEvent.objects.create(
        kind=kind,
        effective_date=effective,
        basis_number=basis.number,
        basis_date=basis.issued_on,
        basis_issuer=basis.issuer,
        note=note,
    )


def _close_version(unit: Unit, effective: date) -> None:
    current = unit.versions.filter(valid_to__isnull=True).first()
    if current is None:
        return
    if effective <= current.valid_from:
        raise OrgError(
            _("Ngày hiệu lực phải sau ngày %(day)s của lần thay đổi trước.")
            % {"day": current.valid_from.strftime("%d/%m/%Y")}
        )
    current.valid_to = effective
    current.save(update_fields=["valid_to"])


def _open_version(unit: Unit, effective: date, event: UnitEvent) -> None:
    UnitVersion.objects.create(
        unit=unit,
        name=unit.name,
        short_name=unit.short_name,
        code=unit.code,
        kind=unit.kind,
        parent=unit.parent,
        valid_from=effective,
        event=event,
    )


def _move_subtree(unit: Unit, new_parent: Unit | None) -> None:
    """Give ``unit`` and its whole subtree (including absorbed units) paths under ``new_parent``."""
    old_path = unit.path
    new_path = (new_parent.path if new_parent else "") + _segment(unit.pk)
    if new_parent is not None and new_parent.path.startswith(old_path):
        raise OrgError(_("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."))
    depth_change = new_path.count("/") - old_path.count("/")
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    unit.path, unit.depth = new_path, unit.depth + depth_change


def _check_version(obj: Unit | Person, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise StaleObject(_("Dữ liệu đã được người khác thay đổi; vui lòng tải lại trang và thử lại."))


def _lock_unit(pk: int | None) -> Unit:
    assert pk is not None
    return Unit.objects.select_for_update().get(pk=pk)


def _require_active(unit: Unit) -> None:
    if unit.status != UnitStatus.ACTIVE:
        raise OrgError(_("Đơn vị %(name)s không còn hoạt động.") % {"name": unit.name})


def _check_code_free(code: str, exclude_pk: int | None = None) -> None:
    if not code.strip():
        raise OrgError(_("Mã đơn vị không được để trống."))
    clash = Unit.objects.filter(code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise OrgError(_("Mã đơn vị %(code)s đã được dùng.") % {"code": code})


@transaction.atomic
def create_unit(
    *,
    acting_user: Actor | None,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    valid_from: date,
    short_name: str = "",
    sort_order: int = 0,
    basis: Basis = Basis(),
) -> Unit:
    _check_code_free(code)
    if parent is not None:
        parent = _lock_unit(parent.pk)
        _require_active(parent)
    unit = Unit.objects.create(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        sort_order=sort_order,
        path="",
    )
    place_new_units([unit])
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    record_many(acting_user=acting_user, changes=record_unit_creations([unit], [basis]))
    return unit


def place_new_units(units: Sequence[Unit]) -> None:
    """Give freshly inserted units their path and depth (parents' paths must be set, parents first)."""
    for unit in units:
        parent = unit.parent
        unit.path = (parent.path if parent else "") + _segment(unit.pk)
        unit.depth = 0 if parent is None else parent.depth + 1


def record_unit_creations(
    units: Sequence[Unit], bases: Sequence[Basis], *, action: str = "org.unit.create"
) -> list[Change]:
    """Everything that follows the insertion of new units (one or many, placed already):
    a create event with its legal basis and the first version each. Returns the audit
    changes for the caller to append (``record_many``) in the same transaction."""
    events = [
        UnitEvent(
            kind=UnitEventKind.CREATE,
            effective_date=unit.valid_from,
            basis_number=basis.number,
            basis_date=basis.issued_on,
            basis_issuer=basis.issuer,
        )
        for unit, basis in zip(units, bases, strict=True)
    ]
    UnitEvent.objects.bulk_create(events, batch_size=1000)
    targets = UnitEvent.targets.through
    targets.objects.bulk_create(
        [targets(unitevent_id=e.pk, unit_id=u.pk) for e, u in zip(events, units, strict=True)], batch_size=2000
    )
    UnitVersion.objects.bulk_create(
        [
            UnitVersion(
                unit=u,
                name=u.name,
                short_name=u.short_name,
                code=u.code,
                kind=u.kind,
                parent_id=u.parent_id,
                valid_from=u.valid_from,
                event=e,
            )
            for e, u in zip(events, units, strict=True)
        ],
        batch_size=1000,
    )
    return [
        Change(
            action,
            "unit",
            str(u.pk),
            u.name,
            after=unit_state(u) | {"basis": b.number},
            subjects=[("unit", str(u.parent_id))] if u.parent_id else [],
        )
        for u, b in zip(units, bases, strict=True)
    ]


@transaction.atomic
def change_unit(
    *,
    acting_user: Actor | None,
    unit: Unit,
    effective: date,
    basis: Basis,
    name: str | None = None,
    short_name: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    parent: Unit | None = None,
    expected_version: int | None = None,
) -> Unit:
    """Rename, re-code, re-kind or re-parent a unit from ``effective`` on (one event)."""
    unit = _lock_unit(unit.pk)
    _check_version(unit, expected_version)
    _require_active(unit)
    before = unit_state(unit)
    if code is not None and code != unit.code:
        _check_code_free(code, exclude_pk=unit.pk)
        unit.code = code
    unit.name = name.strip() if name is not None else unit.name
    if not unit.name:
        raise OrgError(_("Tên đơn vị không được để trống."))
    unit.short_name = short_name if short_name is not None else unit.short_name
    unit.kind = kind or unit.kind
    moved = parent is not None and parent.pk != unit.parent_id
    if moved:
        assert parent is not None
        new_parent = _lock_unit(parent.pk)
        _require_active(new_parent)
        _move_subtree(unit, new_parent)
        unit.parent = new_parent
    if unit_state(unit) == before:
        raise OrgError(_("Không có thay đổi nào để ghi."))
    _close_version(unit, effective)
    kind_of_event = UnitEventKind.REPARENT if moved else UnitEventKind.RENAME
    event = _event(kind_of_event, effective, basis)
    event.sources.add(unit)
    event.targets.add(unit)
    unit.version += 1
    unit.save()
    _open_version(unit, effective, event)
    record(
        acting_user=acting_user,
        action=f"org.unit.{kind_of_event}",
        object_type="unit",
        object_id=unit.pk,
        object_label=unit.name,
        before=before,
        after=unit_state(unit) | {"basis": basis.number, "effective": effective},
    )
    return unit


def _retire(unit: Unit, status: str, effective: date, successor: Unit | None) -> None:
    _close_version(unit, effective)
    unit.status = status
    unit.valid_to = effective
    unit.successor = successor
    unit.version += 1
    unit.save()


@transaction.atomic
def merge_units(
    *,
    acting_user: Actor | None,
    sources: Sequence[Unit],
    into: Unit,
    effective: date,
    basis: Basis,
    expected_versions: Mapping[int, int] | None = None,
) -> Unit:
    """Merge ``sources`` into ``into`` (n→1). ``into`` may be one of the sources' partners
    that lives on, or a unit created for the merger. Absorbed units and their subtrees
    move under ``into`` so their records are found in its scope."""
    into = _lock_unit(into.pk)
    _require_active(into)
    locked = [_lock_unit(u.pk) for u in sources]
    for unit in [into, *locked]:
        _check_version(unit, (expected_versions or {}).get(unit.pk))
    if not locked:
        raise OrgError(_("Cần ít nhất một đơn vị được sáp nhập."))
    if any(u.pk == into.pk for u in locked):
        raise OrgError(_("Đơn vị tiếp nhận không thể đồng thời là đơn vị bị sáp nhập."))
    event = _event(UnitEventKind.MERGE, effective, basis)
    before = {str(u.pk): unit_state(u) for u in locked}
    moved: list[Unit] = []
    for unit in locked:
        _require_active(unit)
        if into.path.startswith(unit.path):
            raise OrgError(_("Không thể sáp nhập một đơn vị vào đơn vị cấp dưới của nó."))
        # Active children of an absorbed unit become children of the successor.
        for child in Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE):
            _close_version(child, effective)
            _move_subtree(child, into)
            child.parent = into
            child.version += 1
            child.save(update_fields=["parent", "version", "path", "depth"])
            _open_version(child, effective, event)
            moved.append(child)
        _retire(unit, UnitStatus.MERGED, effective, into)
        _move_subtree(unit, into)
        Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
        event.sources.add(unit)
    event.targets.add(into)
    record(
        acting_user=acting_user,
        action="org.unit.merge",
        object_type="unit",
        object_id=into.pk,
        object_label=into.name,
        before=before,
        after={"into": into.pk, "effective": effective, "basis": basis.number},
        subjects=[("unit", str(u.pk)) for u in [*locked, *moved]],
    )
    return into


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    short_name: str = ""


@transaction.atomic
def split_unit(
    *,
    acting_user: Actor | None,
    unit: Unit,
    into: Sequence[NewUnit],
    effective: date,
    basis: Basis,
    records_heir_code: str | None = None,
    expected_version: int | None = None,
) -> list[Unit]:
    """Split ``unit`` into new units (1→n) under the same parent. Its records follow
    the new unit whose code is ``records_heir_code``, else they stay under the parent."""
    unit = _lock_unit(unit.pk)
    _check_version(unit, expected_version)
    _require_active(unit)
    if len(into) < 2:
        raise OrgError(_("Chia tách cần ít nhất hai đơn vị mới."))
    if unit.children.filter(status=UnitStatus.ACTIVE).exists():
        raise OrgError(_("Hãy chuyển các đơn vị cấp dưới trước khi chia tách đơn vị này."))
    parent = unit.parent
    event = _event(UnitEventKind.SPLIT, effective, basis)
    created: list[Unit] = []
    for spec in into:
        _check_code_free(spec.code)
        new = Unit.objects.create(
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            kind=unit.kind,
            parent=parent,
            valid_from=effective,
            sort_order=unit.sort_order,
            path="",
        )
        new.path = (parent.path if parent else "") + _segment(new.pk)
        new.depth = unit.depth
        new.save(update_fields=["path", "depth"])
        _open_version(new, effective, event)
        created.append(new)
    heir = next((u for u in created if u.code == records_heir_code), None)
    if records_heir_code and heir is None:
        raise OrgError(_("Đơn vị kế thừa hồ sơ %(code)s không nằm trong các đơn vị mới.") % {"code": records_heir_code})
    before = unit_state(unit)
    _retire(unit, UnitStatus.SPLIT, effective, heir)
    if heir is not None:
        _move_subtree(unit, heir)
        Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    event.sources.add(unit)
    event.targets.add(*created)
    record(
        acting_user=acting_user,
        action="org.unit.split",
        object_type="unit",
        object_id=unit.pk,
        object_label=unit.name,
        before=before,
        after={"into": [u.code for u in created], "effective": effective, "basis": basis.number},
        subjects=[("unit", str(u.pk)) for u in created],
    )
    return created


@transaction.atomic
def dissolve_unit(
    *, acting_user: Actor | None, unit: Unit, effective: date, basis: Basis, expected_version: int | None = None
) -> Unit:
    unit = _lock_unit(unit.pk)
    _check_version(unit, expected_version)
    _require_active(unit)
    if unit.children.filter(status=UnitStatus.ACTIVE).exists():
        raise OrgError(_("Không thể giải thể đơn vị còn đơn vị cấp dưới đang hoạt động."))
    if unit.appointments.filter(Q(end_date__isnull=True) | Q(end_date__gte=effective)).exists():
        raise OrgError(_("Không thể giải thể đơn vị còn người đang giữ chức vụ."))
    before = unit_state(unit)
    event = _event(UnitEventKind.DISSOLVE, effective, basis)
    _retire(unit, UnitStatus.DISSOLVED, effective, None)
    event.sources.add(unit)
    record(
        acting_user=acting_user,
        action="org.unit.dissolve",
        object_type="unit",
        object_id=unit.pk,
        object_label=unit.name,
        before=before,
        after=unit_state(unit) | {"basis": basis.number},
    )
    return unit


def normalise_personal_id(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if len(value) != 12 or not value.isdigit():
        raise OrgError(_("Số định danh cá nhân phải gồm đúng 12 chữ số."))
    return value


@transaction.atomic
def create_person(
    *,
    acting_user: Actor | None,
    full_name: str,
    sex: str,
    birth_date: date | None = None,
    personal_id: str | None = None,
    email: str = "",
    phone: str = "",
) -> Person:
    if not full_name.strip():
        raise OrgError(_("Họ và tên không được để trống."))
    pid = normalise_personal_id(personal_id)
    if pid and Person.objects.filter(personal_id=pid).exists():
        raise OrgError(_("Số định danh cá nhân đã có trong hệ thống."))
    person = new_person(full_name=full_name, sex=sex, birth_date=birth_date, personal_id=pid, email=email, phone=phone)
    person.save()
    record_many(acting_user=acting_user, changes=[person_created(person)])
    return person


def clean_name(full_name: str) -> str:
    """A person's name as stored: NFC, single spaces."""
    return " ".join(unicodedata.normalize("NFC", full_name).split())


def new_person(
    *, full_name: str, sex: str, birth_date: date | None, personal_id: str | None, email: str = "", phone: str = ""
) -> Person:
    """An unsaved person with the stored form of its name and its search key (bulk paths save many)."""
    name = clean_name(full_name)
    return Person(
        full_name=name,
        search_name=fold(name),
        sex=sex,
        birth_date=birth_date,
        personal_id=personal_id,
        email=email,
        phone=phone,
    )


def person_created(person: Person, *, action: str = "org.person.create") -> Change:
    return Change(action, "person", str(person.pk), person.full_name, after=person_state(person))


@transaction.atomic
def appoint(
    *,
    acting_user: Actor | None,
    person: Person,
    title: Title,
    unit: Unit,
    start_date: date,
    end_date: date | None = None,
    kind: str = AppointmentKind.PRIMARY,
    decision_number: str = "",
    decision_date: date | None = None,
) -> Appointment:
    if end_date is not None and end_date < start_date:
        raise OrgError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if unit.status != UnitStatus.ACTIVE:
        raise OrgError(_("Đơn vị %(name)s không còn hoạt động.") % {"name": unit.name})
    if kind == AppointmentKind.PRIMARY:
        overlapping = Appointment.objects.filter(
            person=person, kind=AppointmentKind.PRIMARY, start_date__lte=end_date or date.max
        )
        overlapping = overlapping.exclude(end_date__lt=start_date)
        if overlapping.exists():
            raise OrgError(
                _(
                    "Người này đang giữ một chức vụ chính khác trong cùng thời gian; hãy kết thúc chức vụ cũ hoặc chọn kiêm nhiệm."
                )
            )
    post = Appointment.objects.create(
        person=person,
        title=title,
        unit=unit,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        decision_number=decision_number,
        decision_date=decision_date,
    )
    record_many(
        acting_user=acting_user,
        changes=[appointment_change(post, person_name=person.full_name, title=title, unit=unit)],
    )
    return post


def appointment_state(post: Appointment, title: Title) -> dict[str, Any]:
    return {
        "person": post.person_id,
        "title": title.code,
        "unit": post.unit_id,
        "kind": post.kind,
        "start": post.start_date,
        "end": post.end_date,
        "decision_number": post.decision_number,
        "decision_date": post.decision_date,
    }


def appointment_change(
    post: Appointment,
    *,
    person_name: str,
    title: Title,
    unit: Unit,
    action: str = "org.appointment.create",
    before: dict[str, Any] | None = None,
) -> Change:
    """The audit change of a created or updated appointment (names given to spare queries)."""
    return Change(
        action,
        "appointment",
        str(post.pk),
        f"{person_name} — {title.name} — {unit.name}",
        before=before,
        after=appointment_state(post, title),
        subjects=[("person", str(post.person_id)), ("unit", str(post.unit_id))],
    )


@transaction.atomic
def end_appointment(*, acting_user: Actor | None, appointment: Appointment, end_date: date) -> Appointment:
    post = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if post.end_date is not None:
        raise OrgError(_("Chức vụ này đã kết thúc."))
    if end_date < post.start_date:
        raise OrgError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    post.end_date = end_date
    post.save(update_fields=["end_date"])
    record(
        acting_user=acting_user,
        action="org.appointment.end",
        object_type="appointment",
        object_id=post.pk,
        object_label=str(post),
        before={"end": None},
        after={"end": end_date},
        subjects=[("person", str(post.person_id)), ("unit", str(post.unit_id))],
    )
    return post


@transaction.atomic
def log_pid_access(*, acting_user: Actor, person: Person) -> None:
    """Record that ``acting_user`` saw ``person``'s full identification number."""
    record(
        acting_user=acting_user,
        action="org.person.pid_view",
        object_type="person",
        object_id=person.pk,
        object_label=person.full_name,
    )
