"""Writing to and verifying the audit hash chain.

Every write service calls :func:`record` inside its own transaction. Appends are
serialised so two concurrent transactions cannot both link to the same previous
event: SQLite takes its write lock when the (IMMEDIATE) transaction begins, and on
PostgreSQL :func:`record` takes a transaction-scoped advisory lock first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from congvu.audit.models import AuditEvent, AuditSubject

GENESIS_HASH = "0" * 64
_PG_LOCK_KEY = 0x436F6E67_5675  # "CongVu"


class Actor(Protocol):
    pk: Any

    def get_username(self) -> str: ...


Subject = tuple[str, str]  # (object_type, object_id)


def jsonable(value: Any) -> Any:
    """Turn a value into what the chain stores: dates as ISO strings, decimals as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # a JSON number might come back altered from jsonb; a string cannot
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "event_time": event.event_time.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "subjects": event.subjects,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(_payload(event))).hexdigest()


@dataclass
class Change:
    """One event to append: what happened to which object, with its before/after state."""

    action: str
    object_type: str = ""
    object_id: str = ""
    object_label: str = ""
    before: Any = None
    after: Any = None
    subjects: Sequence[Subject] = field(default_factory=tuple)


def _lock_chain() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("audit events must be recorded inside the transaction of the change they describe")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def _actor_fields(acting_user: Actor | None) -> tuple[int | None, str]:
    if acting_user is None:
        return None, "hệ thống"
    return int(acting_user.pk), acting_user.get_username()


def record_many(*, acting_user: Actor | None, changes: Iterable[Change]) -> list[AuditEvent]:
    """Append several events in order, in the caller's transaction (bulk insert)."""
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    actor_id, actor_label = _actor_fields(acting_user)
    now = timezone.now()
    events: list[AuditEvent] = []
    subject_rows: list[tuple[int, str, str]] = []
    for change in changes:
        seq += 1
        subjects = [[t, str(i)] for t, i in change.subjects]
        if change.object_type and [change.object_type, change.object_id] not in subjects:
            subjects.insert(0, [change.object_type, change.object_id])
        event = AuditEvent(
            seq=seq,
            event_time=now,
            actor_id=actor_id,
            actor_label=actor_label,
            action=change.action,
            object_type=change.object_type,
            object_id=str(change.object_id),
            object_label=change.object_label[:300],
            before=jsonable(change.before),
            after=jsonable(change.after),
            subjects=subjects,
            prev_hash=prev,
        )
        event.hash = compute_hash(event)
        prev = event.hash
        events.append(event)
        subject_rows.extend((seq, t, i) for t, i in subjects)
    if not events:
        return []
    created = AuditEvent.objects.bulk_create(events, batch_size=500)
    if all(e.pk is not None for e in created):  # PostgreSQL and SQLite ≥ 3.35 return the new ids
        ids = {e.seq: e.pk for e in created}
    else:
        ids = dict(AuditEvent.objects.filter(seq__gte=events[0].seq).values_list("seq", "id"))
    AuditSubject.objects.bulk_create(
        [AuditSubject(event_id=ids[s], object_type=t, object_id=i) for s, t, i in subject_rows], batch_size=1000
    )
    return created


def record(
    *,
    acting_user: Actor | None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    before: Any = None,
    after: Any = None,
    subjects: Sequence[Subject] = (),
) -> AuditEvent:
    """Append one event describing a change made in the current transaction."""
    change = Change(action, object_type, str(object_id), object_label, before, after, subjects)
    return record_many(acting_user=acting_user, changes=[change])[0]


def history(object_type: str, object_id: str | int) -> Any:
    """The events that concern one object, newest first (a queryset)."""
    return (
        AuditEvent.objects.filter(subject_rows__object_type=object_type, subject_rows__object_id=str(object_id))
        .order_by("-seq")
        .distinct()
    )


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_seq: int
    head_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _iter_events(batch: int = 2000) -> Iterator[tuple[AuditEvent, list[list[str]]]]:
    """Events in sequence order, each with its rows of the subject index."""
    after = -1
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=after).order_by("seq")[:batch])
        if not rows:
            return
        indexed: dict[int, list[list[str]]] = {row.pk: [] for row in rows}
        for event_id, kind, ident in AuditSubject.objects.filter(event_id__in=indexed).values_list(
            "event_id", "object_type", "object_id"
        ):
            indexed[event_id].append([kind, ident])
        for row in rows:
            yield row, indexed[row.pk]
        after = rows[-1].seq


def verify(checkpoint: Mapping[str, Any] | None = None) -> VerifyResult:
    """Walk the whole chain and report the first event that does not hold.

    A ``checkpoint`` (``{"seq": n, "hash": h}`` exported earlier) must still be in
    the chain with the same hash: this catches a chain rewritten from some point on.
    """
    expected_seq, prev, checked = 1, GENESIS_HASH, 0
    problem: Problem | None = None
    checkpoint_seen = checkpoint is None or int(checkpoint["seq"]) == 0
    # No transaction: on SQLite an atomic block would take the write lock for the whole walk.
    # Rows are append-only, so reading batch by batch sees a consistent prefix of the chain.
    for event, subject_rows in _iter_events():
        if event.seq != expected_seq:
            problem = Problem(
                expected_seq, f"expected event #{expected_seq}, found #{event.seq} (missing or inserted rows)"
            )
            break
        if event.prev_hash != prev:
            problem = Problem(event.seq, "prev_hash does not match the hash of the previous event")
            break
        if compute_hash(event) != event.hash:
            problem = Problem(event.seq, "content does not match its hash (the row was changed)")
            break
        if sorted(subject_rows) != sorted(event.subjects):
            problem = Problem(event.seq, "the subject index does not match the event's subjects")
            break
        if checkpoint is not None and event.seq == int(checkpoint["seq"]):
            checkpoint_seen = True
            if event.hash != checkpoint["hash"]:
                problem = Problem(event.seq, "hash differs from the exported checkpoint")
                break
        prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    if problem is None and not checkpoint_seen:
        assert checkpoint is not None
        problem = Problem(int(checkpoint["seq"]), "the checkpoint's event is no longer in the chain")
    return VerifyResult(checked=checked, head_seq=expected_seq - 1, head_hash=prev, problem=problem)


def checkpoint() -> dict[str, Any]:
    """The current head of the chain, to be kept outside the database."""
    last = AuditEvent.objects.order_by("-seq").first()
    if last is None:
        return {"seq": 0, "hash": GENESIS_HASH, "exported_at": timezone.now().isoformat()}
    return {"seq": last.seq, "hash": last.hash, "exported_at": timezone.now().isoformat()}
