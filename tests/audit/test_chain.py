"""The audit chain: appends, verification, tampering detection and database refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from congvu.audit import chain
from congvu.audit.models import AuditEvent, AuditSubject
from tests.factories import Province

pytestmark = pytest.mark.django_db


def _drop_triggers() -> None:
    """Play an attacker with database access: remove the append-only triggers.

    DDL is transactional on SQLite and PostgreSQL, so the test's rollback restores them.
    """
    with connection.cursor() as cursor:
        for table in ("audit_auditevent", "audit_auditsubject"):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {table}_no_change ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {table}_no_update")
                cursor.execute(f"DROP TRIGGER {table}_no_delete")


def _append(n: int) -> list[AuditEvent]:
    with transaction.atomic():
        return chain.record_many(
            acting_user=None,
            changes=[chain.Change("test.event", "thing", str(i), f"Vật thứ {i}", None, {"i": i}) for i in range(n)],
        )


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_chain_links_every_event_to_the_previous_one() -> None:
    events = _append(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == chain.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    result = chain.verify()
    assert (result.ok, result.checked, result.head_seq, result.head_hash) == (True, 3, 3, events[2].hash)


def test_hash_is_sha256_of_canonical_json() -> None:
    event = _append(1)[0]
    stored = AuditEvent.objects.get(pk=event.pk)
    assert chain.compute_hash(stored) == event.hash
    assert len(event.hash) == 64
    assert chain.canonical({"b": 1, "a": "Đ"}) == '{"a":"Đ","b":1}'.encode()


def test_database_refuses_update_and_delete() -> None:
    event = _append(1)[0]
    for statement in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _sql(statement, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM audit_auditsubject WHERE event_id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"
    assert AuditSubject.objects.filter(event_id=event.pk).count() == 1


def test_orm_update_is_refused_too() -> None:
    event = _append(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="kẻ gian")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_wiping_the_table_is_refused() -> None:
    _append(2)
    # PostgreSQL has TRUNCATE (refused by a statement trigger); SQLite only DELETE.
    wipe = "TRUNCATE audit_auditevent CASCADE" if connection.vendor == "postgresql" else "DELETE FROM audit_auditevent"
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE", [])  # settle deferred FK checks first
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(wipe, [])
    assert AuditEvent.objects.count() == 2


def _verify_fails_at(seq: int, reason: str) -> None:
    result = chain.verify()
    assert result.problem == chain.Problem(seq, reason)
    with pytest.raises(CommandError, match=f"BROKEN at event #{seq}"):
        call_command("audit", "verify")


def test_edited_row_is_named() -> None:
    events = _append(5)
    _drop_triggers()
    _sql("UPDATE audit_auditevent SET object_label = 'sửa lén' WHERE id = %s", [events[2].pk])
    _verify_fails_at(3, "content does not match its hash (the row was changed)")


def test_tampered_subject_index_is_named() -> None:
    events = _append(3)
    AuditSubject.objects.create(event_id=events[1].pk, object_type="person", object_id="999")
    _verify_fails_at(2, "the subject index does not match the event's subjects")


def test_deleted_row_is_named() -> None:
    events = _append(5)
    _drop_triggers()
    _sql("DELETE FROM audit_auditsubject WHERE event_id = %s", [events[1].pk])
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    _verify_fails_at(2, "expected event #2, found #3 (missing or inserted rows)")


def test_deleted_tail_is_caught_by_checkpoint(tmp_path: Path) -> None:
    events = _append(4)
    point = tmp_path / "head.json"
    call_command("audit", "checkpoint", "--output", str(point))
    assert json.loads(point.read_text())["seq"] == 4
    _drop_triggers()
    _sql("DELETE FROM audit_auditsubject WHERE event_id = %s", [events[3].pk])
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [events[3].pk])
    assert chain.verify().ok  # without the checkpoint a truncated tail looks intact
    with pytest.raises(CommandError, match="BROKEN at event #4: the checkpoint's event is no longer in the chain"):
        call_command("audit", "verify", "--checkpoint", str(point))


def test_inserted_row_is_named() -> None:
    events = _append(3)
    forged = AuditEvent(
        seq=4,
        event_time=events[0].event_time,
        actor_label="kẻ gian",
        action="org.unit.create",
        prev_hash="f" * 64,
        hash="e" * 64,
    )
    forged.save()
    _verify_fails_at(4, "prev_hash does not match the hash of the previous event")


def test_inserted_row_with_valid_looking_hash_in_the_middle_is_named() -> None:
    _append(3)
    _drop_triggers()
    _sql("UPDATE audit_auditevent SET seq = seq + 10 WHERE seq >= 2", [])
    _verify_fails_at(2, "expected event #2, found #12 (missing or inserted rows)")


def test_reordered_rows_are_named() -> None:
    events = _append(3)
    _drop_triggers()
    _sql("UPDATE audit_auditevent SET seq = 99 WHERE id = %s", [events[0].pk])
    _sql("UPDATE audit_auditevent SET seq = 1 WHERE id = %s", [events[1].pk])
    _sql("UPDATE audit_auditevent SET seq = 2 WHERE id = %s", [events[0].pk])
    _verify_fails_at(1, "prev_hash does not match the hash of the previous event")


def test_verify_command_reports_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    events = _append(2)
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == f"audit chain OK: 2 events, head #2 {events[1].hash}"


def test_bad_checkpoint_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="cannot read checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(bad))


def test_services_write_one_event_each_and_history_finds_them(province: Province) -> None:
    from congvu.org import services

    before = AuditEvent.objects.count()
    services.change_unit(
        acting_user=province.users["noivu"],
        unit=province.division,
        effective=province.division.valid_from.replace(year=2026),
        basis=services.Basis("12/QĐ-UBND"),
        name="Phòng Quản lý ngân sách",
    )
    assert AuditEvent.objects.count() == before + 1
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.actor_label, last.object_label) == ("org.unit.rename", "noivu", "Phòng Quản lý ngân sách")
    assert last.before is not None and last.before["name"] == "Phòng Ngân sách"
    assert [e.action for e in chain.history("unit", province.division.pk)] == [
        "org.unit.rename",
        "org.appointment.create",
        "org.unit.create",
    ]
    assert chain.verify().ok
