"""Bulk data for scoring a month from the database: N officials with their March 2026 tasks and products.

``CONGVU_DATA_DIR=... [DATABASE_URL=...] python -m benchmarks.evaluation_data OFFICIALS [--products P]
[--per-task K] [--seed S]`` on a freshly migrated, otherwise empty database; prints one JSON object
(its last line) with what it wrote and how long it took.

It bypasses every service on purpose (no audit event, no notification, no check of who may assign
what): the organisation rows, the sheets and the extensions are written with ``bulk_create``; the tasks
and their products, the bulk of the data, with the database's own bulk path (``executemany`` on SQLite,
``COPY`` on PostgreSQL) from rows built in Python. What it writes:

* one province unit (the root) and one unit under it per ``OFFICIALS_PER_UNIT`` officials;
* ``OFFICIALS`` people (``org.Person``), each with one current primary ``Appointment`` in their unit
  (the first of each unit as ``truong_phong``, a leader; the others ``chuyen_vien``);
* one ``Directive``, the source of every task; one accounts user who assigned them all;
* four product types (coefficients 0.5, 1, 1.5 and 2);
* for each official ``P / K`` tasks (default 20) with ``K`` products each (default 5), so exactly
  ``P`` product rows per official; every deadline is in March 2026 (the month scored). The tasks of
  all officials are interleaved (shuffled), as a month's real assignments would be. About 80 % of
  the tasks are done (``completed_on`` set; 15 % of those after their deadline, then each done product
  has one delay; 10 % with 1 or 2 major errors; 2 % completed after 5 April 2026, so not yet done on
  the day scored), 3 % cancelled (left out of the scoring), the rest open (in progress, submitted or
  returned). 2 % of the tasks had one approved extension (their deadline moved within March). A done
  task's products are marked done 95 % of the time; 2 % of the products are excused;
* a sheet for every official for March 2026 (self-assessed, 70 % also reviewed; the leaders'
  percentages for the leaders), so that the second query of the scoring reads real rows.

Deterministic: one ``random.Random(seed)``; the only inputs from the clock are ``created_at`` and
``updated_at``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

SEED = 20_260_301
OFFICIALS_PER_UNIT = 50
PRODUCTS_PER_OFFICIAL = 100
PRODUCTS_PER_TASK = 5
BATCH = 50_000
MONTH_START, MONTH_END = date(2026, 3, 1), date(2026, 3, 31)
AS_OF = date(2026, 4, 5)  # the day the month is scored
DONE, CANCELLED = 0.80, 0.03
LATE, ERRORS, AFTER_AS_OF = 0.15, 0.10, 0.02
EXTENDED = 0.02
PRODUCT_DONE, EXCUSED = 0.95, 0.02
OPEN_STATES = ("in_progress", "submitted", "returned")
COEFFICIENTS = (Decimal("0.5"), Decimal("1"), Decimal("1.5"), Decimal("2"))
TITLES = ("Xây dựng báo cáo", "Thẩm định hồ sơ", "Tham mưu văn bản", "Tổng hợp số liệu", "Kiểm tra, đôn đốc")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Built:
    vendor: str
    officials: int
    units: int
    tasks: int
    products: int
    extensions: int
    sheets: int
    products_per_official: int
    products_per_task: int
    seconds: float
    tasks_seconds: float
    rows_per_second: float


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def bulk_insert(model: Any, given: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = BATCH) -> int:
    """Insert ``rows`` (values of the fields ``given``, by attname) with the database's bulk path.

    Every other concrete field gets what Django's own save would write (its default, NULL, or an
    empty string for a text column without a default); any other field left out is an error,
    so a column added to the model later fails loudly here instead of writing wrong rows. Returns
    the number of rows written.
    """
    from django.db import connection, transaction
    from django.db.models import DateField, DateTimeField, DecimalField, Field

    fields: dict[str, Field[Any, Any]] = {f.attname: f for f in model._meta.concrete_fields}
    unknown = set(given) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    constants: list[Any] = []
    extra: list[str] = []
    for name, field in fields.items():
        if name in given or field.primary_key:
            continue
        if not (field.has_default() or field.null or field.empty_strings_allowed):
            raise ValueError(f"{model.__name__}.{name} has no default: give it")
        extra.append(name)
        constants.append(field.get_db_prep_save(field.get_default(), connection))  # as Django's own save would
    columns = [fields[name].column for name in [*given, *extra]]
    sqlite = connection.vendor == "sqlite"
    converters: list[Callable[[Any], Any] | None] = []
    for name in given:
        field = fields[name]
        if sqlite and isinstance(field, DateTimeField):
            converters.append(connection.ops.adapt_datetimefield_value)
        elif sqlite and isinstance(field, DateField):
            converters.append(lambda v: None if v is None else v.isoformat())
        elif sqlite and isinstance(field, DecimalField):
            converters.append(lambda v: None if v is None else str(v))
        else:
            converters.append(None)
    tail = tuple(constants)
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch):
            with transaction.atomic():
                if sqlite:
                    prepared = [
                        tuple(v if c is None else c(v) for c, v in zip(converters, row, strict=True)) + tail
                        for row in chunk
                    ]
                    placeholders = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", prepared)
                else:
                    with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                        for row in chunk:
                            copy.write_row((*row, *tail))
            written += len(chunk)
    return written


def build(
    officials: int,
    *,
    products: int = PRODUCTS_PER_OFFICIAL,
    per_task: int = PRODUCTS_PER_TASK,
    seed: int = SEED,
    progress: Progress | None = None,
    vacuum: bool = True,
) -> Built:
    """Write the data set (see the module's docstring) into the database Django is configured with.

    ``vacuum=False`` leaves out PostgreSQL's ``VACUUM ANALYZE`` (which cannot run in a transaction,
    as in a test).
    """
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from congvu.accounts.models import User
    from congvu.evaluation.models import Period, PeriodKind, Sheet, SheetRole, SheetState
    from congvu.org.models import Appointment, AppointmentKind, Person, Sex, Title, Unit, UnitKind
    from congvu.org.search import fold
    from congvu.org.services import place_new_units
    from congvu.tasks.models import Directive, Extension, ExtensionState, ProductType, Task, TaskProduct

    if products % per_task:
        raise ValueError(f"--products ({products}) must be a multiple of --per-task ({per_task})")
    if Task.objects.exists() or Person.objects.exists():
        raise RuntimeError("the database is not empty: build on a freshly migrated database")
    say: Progress = progress or (lambda _message: None)
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()

    # ---- organisation: a province, a unit per OFFICIALS_PER_UNIT officials, the officials and their posts
    with transaction.atomic():
        root = Unit.objects.create(
            code="EVAL", name="Tỉnh Đánh Giá (benchmark)", kind=UnitKind.PROVINCE, valid_from=date(2025, 1, 1), path=""
        )
        place_new_units([root])
        Unit.objects.filter(pk=root.pk).update(path=root.path, depth=root.depth)
        unit_count = -(-officials // OFFICIALS_PER_UNIT)
        units = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"EVAL.{n:05d}",
                    name=f"Phòng {n:05d}",
                    kind=UnitKind.AGENCY,
                    parent=root,
                    valid_from=date(2025, 1, 1),
                    sort_order=n,
                    path="",
                )
                for n in range(unit_count)
            ],
            batch_size=5_000,
        )
        place_new_units(units)
        Unit.objects.bulk_update(units, ["path", "depth"], batch_size=5_000)
    people: list[Person] = []
    for start in range(0, officials, 20_000):
        names = [f"Cán bộ {i + 1:06d}" for i in range(start, min(start + 20_000, officials))]
        people += Person.objects.bulk_create(
            [
                Person(full_name=n, search_name=fold(n), sex=Sex.FEMALE if i % 2 else Sex.MALE)
                for i, n in enumerate(names, start)
            ]
        )
    person_ids = [p.pk for p in people]
    leader_title = Title.objects.get(code="truong_phong")
    staff_title = Title.objects.get(code="chuyen_vien")
    unit_of = [units[i // OFFICIALS_PER_UNIT].pk for i in range(officials)]
    leaders = {i for i in range(officials) if i % OFFICIALS_PER_UNIT == 0}
    Appointment.objects.bulk_create(
        [
            Appointment(
                person_id=pid,
                title=leader_title if i in leaders else staff_title,
                unit_id=unit_of[i],
                kind=AppointmentKind.PRIMARY,
                start_date=date(2020, 1, 1),
            )
            for i, pid in enumerate(person_ids)
        ],
        batch_size=20_000,
    )
    assigner = User.objects.create(username="giao-viec-bench", first_name="Người giao", last_name="(benchmark)")
    directive = Directive.objects.create(
        number="01/CT-BENCH",
        issued_on=date(2026, 1, 5),
        issuer="Chủ tịch UBND tỉnh (benchmark)",
        summary="Chỉ thị về nhiệm vụ trọng tâm năm 2026 (dữ liệu benchmark).",
    )
    types = [
        ProductType.objects.create(
            code=f"EVAL-{n}", name=f"Sản phẩm loại {n}", unit_of_measure="văn bản", coefficient=coefficient
        )
        for n, coefficient in enumerate(COEFFICIENTS, start=1)
    ]
    say(f"  organisation: {unit_count + 1} units, {officials:,} officials ({time.perf_counter() - started:.0f} s)")

    # ---- tasks and products, interleaved over the officials
    tasks_started = time.perf_counter()
    tasks_per = products // per_task
    owners = [i for i in range(officials) for _ in range(tasks_per)]
    rng.shuffle(owners)
    first_id = (Task.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    extensions: list[tuple[int, date, date]] = []
    product_rows: list[tuple[Any, ...]] = []
    month_days = (MONTH_END - MONTH_START).days

    task_fields = (
        "id",
        "title",
        "description",
        "directive_id",
        "clause",
        "lead_unit_id",
        "owner_id",
        "assigned_by_id",
        "assigned_on",
        "deadline",
        "original_deadline",
        "priority",
        "state",
        "grade",
        "major_errors",
        "submitted_on",
        "completed_on",
        "cancel_reason",
        "created_at",
        "updated_at",
    )
    product_fields = (
        "task_id",
        "product_type_id",
        "quantity",
        "coefficient",
        "weight",
        "done",
        "major_errors",
        "delays",
        "excused",
    )

    def task_rows() -> Iterator[tuple[Any, ...]]:
        for n, owner in enumerate(owners):
            task_id = first_id + n
            deadline = MONTH_START + timedelta(days=rng.randint(0, month_days))
            original = deadline
            if rng.random() < EXTENDED:
                original = deadline - timedelta(days=rng.randint(3, 20))
                extensions.append((task_id, original, deadline))
            assigned_on = original - timedelta(days=rng.randint(7, 60))
            roll = rng.random()
            state, grade, errors, late = "in_progress", None, 0, False
            submitted_on = completed_on = None
            cancel_reason = ""
            if roll < DONE:
                state = "done"
                if rng.random() < AFTER_AS_OF:
                    completed_on = AS_OF + timedelta(days=rng.randint(1, 20))
                    late = True
                elif rng.random() < LATE:
                    completed_on = deadline + timedelta(days=rng.randint(1, 15))
                    late = True
                else:
                    completed_on = deadline - timedelta(days=rng.randint(0, min(10, (deadline - assigned_on).days)))
                submitted_on = completed_on
                if rng.random() < ERRORS:
                    grade, errors = "errors", rng.randint(1, 2)
                else:
                    grade = "meets"
            elif roll < DONE + CANCELLED:
                state, cancel_reason = "cancelled", "Nhiệm vụ đã được lồng ghép vào nhiệm vụ khác."
            else:
                state = OPEN_STATES[rng.randrange(len(OPEN_STATES))]
                if state == "submitted":
                    submitted_on = deadline
            for _ in range(per_task):
                kind = rng.randrange(len(types))
                quantity = Decimal(rng.randint(1, 4))
                coefficient = COEFFICIENTS[kind]
                done = state == "done" and rng.random() < PRODUCT_DONE
                product_rows.append(
                    (
                        task_id,
                        types[kind].pk,
                        quantity,
                        coefficient,
                        quantity * coefficient,
                        done,
                        errors if done else 0,
                        1 if done and late else 0,
                        rng.random() < EXCUSED,
                    )
                )
            yield (
                task_id,
                TITLES[rng.randrange(len(TITLES))],
                "",
                directive.pk,
                f"Mục {rng.randint(1, 5)}",
                unit_of[owner],
                person_ids[owner],
                assigner.pk,
                assigned_on,
                deadline,
                original,
                "normal",
                state,
                grade,
                errors,
                submitted_on,
                completed_on,
                cancel_reason,
                now,
                now,
            )

    task_count = product_count = 0
    for chunk in _chunks(task_rows(), BATCH // per_task):
        task_count += bulk_insert(Task, task_fields, chunk)
        product_count += bulk_insert(TaskProduct, product_fields, product_rows)
        product_rows.clear()
        say(
            f"  tasks: {task_count:,} / {len(owners):,}, products: {product_count:,} ({time.perf_counter() - started:.0f} s)"
        )
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Task]):
            cursor.execute(statement)
    tasks_seconds = time.perf_counter() - tasks_started

    Extension.objects.bulk_create(
        [
            Extension(
                task_id=task_id,
                round=1,
                requested_by=assigner,
                requested_at=now,
                reason="Chờ ý kiến của cơ quan phối hợp.",
                proposed_deadline=deadline,
                previous_deadline=original,
                state=ExtensionState.APPROVED,
                decided_by=assigner,
                decided_at=now,
            )
            for task_id, original, deadline in extensions
        ],
        batch_size=10_000,
    )

    # ---- the month's sheets
    period, _created = Period.objects.get_or_create(
        kind=PeriodKind.MONTHLY, start=MONTH_START, defaults={"end": MONTH_END}
    )

    def points() -> Decimal:
        return Decimal(rng.randint(24, 40)) / 4

    sheets = []
    for i, pid in enumerate(person_ids):
        leader = i in leaders
        reviewed = rng.random() < 0.7
        sheets.append(
            Sheet(
                person_id=pid,
                period=period,
                unit_id=unit_of[i],
                role=SheetRole.LEADER if leader else SheetRole.STAFF,
                state=SheetState.REVIEWED if reviewed else SheetState.SELF_ASSESSED,
                self_i=points(),
                self_ii=points(),
                self_iii=points(),
                review_i=points() if reviewed else None,
                review_ii=points() if reviewed else None,
                review_iii=points() if reviewed else None,
                organising=Decimal(rng.randint(70, 100)) if leader else None,
                uniting=Decimal(rng.randint(70, 100)) if leader else None,
            )
        )
    Sheet.objects.bulk_create(sheets, batch_size=20_000)

    if vacuum and connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load (visibility map, planner statistics).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_task")
            cursor.execute("VACUUM ANALYZE tasks_taskproduct")
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    return Built(
        vendor=connection.vendor,
        officials=officials,
        units=unit_count + 1,
        tasks=task_count,
        products=product_count,
        extensions=len(extensions),
        sheets=len(sheets),
        products_per_official=products,
        products_per_task=per_task,
        seconds=seconds,
        tasks_seconds=tasks_seconds,
        rows_per_second=(task_count + product_count) / tasks_seconds,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("officials", type=int)
    parser.add_argument("--products", type=int, default=PRODUCTS_PER_OFFICIAL, help="product rows per official")
    parser.add_argument("--per-task", type=int, default=PRODUCTS_PER_TASK, help="products per task")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("CONGVU_DEBUG", "false")  # DEBUG would keep the text of every bulk statement
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    import django

    django.setup()
    built = build(
        args.officials,
        products=args.products,
        per_task=args.per_task,
        seed=args.seed,
        progress=None if args.quiet else lambda m: print(m, flush=True),
    )
    print(json.dumps(asdict(built)))


if __name__ == "__main__":
    main()
