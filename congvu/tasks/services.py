"""Write services of task assignment.

Each function is keyword-only, takes ``acting_user``, runs in one transaction and
records one audit event. A refused change raises :class:`TaskError` with a Vietnamese
message and changes nothing; a change based on an outdated read raises
:class:`StaleTask`. Who may act is decided here from the task itself (the owner acts on
their task, the assigner reviews, cancels and decides extensions); role capabilities are
checked by the callers (views, API) through the policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.accounts.scope import units_in_scope
from congvu.audit.chain import record
from congvu.core.policy import Cap
from congvu.core.workcal import default_calendar
from congvu.notifications.models import Kind
from congvu.notifications.services import notify, users_of
from congvu.org.models import Appointment, Person, Unit, UnitStatus
from congvu.tasks import coordination, evidence, tallies
from congvu.tasks.changes import StaleTask as StaleTask
from congvu.tasks.changes import TaskError as TaskError
from congvu.tasks.changes import (
    check_version,
    dmy,
    lock_task,
    record_task,
    require_assigner,
    require_owner,
    require_state,
    save_task,
    task_state,
    task_subjects,
)
from congvu.tasks.models import (
    Directive,
    Extension,
    ExtensionState,
    Finding,
    Grade,
    Meeting,
    PlanStep,
    Priority,
    ProductType,
    ProgressReport,
    Task,
    TaskProduct,
    TaskSeries,
    TaskState,
)

# Stable audit action codes.
ASSIGN: Final = "tasks.task.assign"
ACCEPT: Final = "tasks.task.accept"
REPORT_PROGRESS: Final = "tasks.task.report_progress"
SUBMIT: Final = "tasks.task.submit"
APPROVE: Final = "tasks.task.approve"
RETURN: Final = "tasks.task.return"
CANCEL: Final = "tasks.task.cancel"
REQUEST_EXTENSION: Final = "tasks.extension.request"
APPROVE_EXTENSION: Final = "tasks.extension.approve"
REJECT_EXTENSION: Final = "tasks.extension.reject"
CREATE_MEETING: Final = "tasks.meeting.create"
CREATE_DIRECTIVE: Final = "tasks.directive.create"
CREATE_PRODUCT_TYPE: Final = "tasks.product_type.create"

OPEN_STATES: Final = frozenset(
    {TaskState.ASSIGNED, TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.SUBMITTED, TaskState.RETURNED}
)
WORKING_STATES: Final = frozenset({TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.RETURNED})
CENT: Final = Decimal("0.01")

ProductSpec = tuple[ProductType | str, Decimal | int | str]
CoordinatorSpec = tuple[Unit, str, date]  # unit, what it delivers, its sub-deadline


def _notify_task(task: Task, recipients: list[User], *, event: str, kind: str, title: str, body: str = "") -> None:
    """Tell the people concerned by a change of a task (in the change's transaction)."""
    notify(
        recipients,
        key=f"task:{task.pk}:{event}:{task.version}",
        kind=kind,
        title=title % {"task": task.title},
        body=body,
        url=reverse("tasks:detail", args=[task.pk]),
    )


def _owner_accounts(task: Task) -> list[User]:
    return list(users_of([task.owner_id]))


def _evidence(files: Sequence[File]) -> list[tuple[File, str]]:  # type: ignore[type-arg]
    try:
        return evidence.check_files(files)
    except evidence.EvidenceError as exc:
        raise TaskError(str(exc)) from None


def _product_type(spec: ProductType | str) -> ProductType:
    code = spec.code if isinstance(spec, ProductType) else spec
    found = ProductType.objects.filter(code=code, active=True).first()
    if found is None:
        raise TaskError(_("Loại sản phẩm %(code)s không có trong danh mục hoặc đã ngừng sử dụng.") % {"code": code})
    return found


def _quantity(raw: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise TaskError(_("Số lượng sản phẩm phải là số lớn hơn 0."))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- sources and catalogue ---------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    acting_user: User,
    title: str,
    held_on: date,
    chair: Person,
    unit: Unit,
    attendees: Sequence[Person] = (),
    agenda: str = "",
    conclusions: str = "",
    notice_number: str = "",
    notice_date: date | None = None,
) -> Meeting:
    if not title.strip():
        raise TaskError(_("Tên cuộc họp không được để trống."))
    if notice_date is not None and notice_date < held_on:
        raise TaskError(_("Ngày thông báo kết luận không được trước ngày họp."))
    meeting = Meeting.objects.create(
        title=title.strip(),
        held_on=held_on,
        chair=chair,
        unit=unit,
        agenda=agenda,
        conclusions=conclusions,
        notice_number=notice_number,
        notice_date=notice_date,
    )
    meeting.attendees.set(attendees)
    record(
        acting_user=acting_user,
        action=CREATE_MEETING,
        object_type="meeting",
        object_id=meeting.pk,
        object_label=meeting.title,
        after={
            "held_on": held_on,
            "chair_id": chair.pk,
            "unit_id": unit.pk,
            "attendees": sorted(p.pk for p in attendees),
            "notice_number": notice_number,
            "notice_date": notice_date,
        },
        subjects=[("unit", str(unit.pk))],
    )
    return meeting


@transaction.atomic
def create_directive(*, acting_user: User, number: str, issued_on: date, issuer: str, summary: str = "") -> Directive:
    if not number.strip():
        raise TaskError(_("Số, ký hiệu văn bản không được để trống."))
    directive = Directive.objects.create(number=number.strip(), issued_on=issued_on, issuer=issuer, summary=summary)
    record(
        acting_user=acting_user,
        action=CREATE_DIRECTIVE,
        object_type="directive",
        object_id=directive.pk,
        object_label=directive.number,
        after={"number": directive.number, "issued_on": issued_on, "issuer": issuer},
    )
    return directive


@transaction.atomic
def create_product_type(
    *,
    acting_user: User,
    code: str,
    name: str,
    unit_of_measure: str,
    coefficient: Decimal,
    job_position: str = "",
) -> ProductType:
    if not code.strip():
        raise TaskError(_("Mã sản phẩm không được để trống."))
    if ProductType.objects.filter(code=code.strip()).exists():
        raise TaskError(_("Mã sản phẩm %(code)s đã được dùng.") % {"code": code})
    if not coefficient.is_finite() or coefficient <= 0:
        raise TaskError(_("Hệ số quy đổi phải lớn hơn 0."))
    product_type = ProductType.objects.create(
        code=code.strip(),
        name=name,
        unit_of_measure=unit_of_measure,
        coefficient=coefficient,
        job_position=job_position,
    )
    record(
        acting_user=acting_user,
        action=CREATE_PRODUCT_TYPE,
        object_type="product_type",
        object_id=product_type.pk,
        object_label=product_type.name,
        after={"code": product_type.code, "coefficient": coefficient, "job_position": job_position},
    )
    return product_type


# -- the task lifecycle ------------------------------------------------------------------


def check_assignment(
    *,
    acting_user: User,
    lead_unit: Unit,
    owner: Person,
    on: date,
    priority: str,
    products: Sequence[ProductSpec],
) -> tuple[Unit, list[tuple[ProductType, Decimal]]]:
    """What every assignment (one task, or a recurring series) must satisfy; returns the unit and products.

    The lead unit is active and inside the assigner's ``task.assign`` scope; the owner holds a
    post in it or below it on ``on``; the priority is known; every product code is in the catalogue.
    """
    if priority not in Priority.values:
        raise TaskError(_("Mức độ ưu tiên không hợp lệ."))
    unit = units_in_scope(acting_user, Cap.TASK_ASSIGN).filter(pk=lead_unit.pk).first()
    if unit is None:
        raise TaskError(_("Đơn vị %(name)s nằm ngoài phạm vi quản lý của bạn.") % {"name": lead_unit.name})
    if unit.status != UnitStatus.ACTIVE:
        raise TaskError(_("Đơn vị %(name)s không còn hoạt động.") % {"name": unit.name})
    holds_post = (
        Appointment.objects.filter(person=owner, unit__path__startswith=unit.path, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exists()
    )
    if not holds_post:
        raise TaskError(
            _("%(person)s không giữ chức vụ nào tại %(unit)s hoặc đơn vị trực thuộc.")
            % {"person": owner.full_name, "unit": unit.name}
        )
    return unit, [(_product_type(spec), _quantity(quantity)) for spec, quantity in products]


@transaction.atomic
def assign_task(
    *,
    acting_user: User,
    title: str,
    lead_unit: Unit,
    owner: Person,
    description: str = "",
    deadline: date | None = None,
    working_days: int | None = None,
    meeting: Meeting | None = None,
    directive: Directive | None = None,
    clause: str = "",
    priority: str = Priority.NORMAL,
    products: Sequence[ProductSpec] = (),
    assigned_on: date | None = None,
    finding: Finding | None = None,
    coordinators: Sequence[CoordinatorSpec] = (),
    series: TaskSeries | None = None,
    period_start: date | None = None,
) -> Task:
    """Assign a task. The deadline is a date or ``working_days`` counted with the calendar.

    ``assigned_on`` is today unless the task is recorded from an earlier decision (a conclusion
    notice or directive already issued): it may not be in the future nor before its source. The
    lead unit must be active and inside the assigner's ``task.assign`` scope, and the owner must
    hold a current appointment in the lead unit or below it.
    """
    now = timezone.localdate()
    today = now if assigned_on is None else assigned_on
    if today > now:
        raise TaskError(_("Ngày giao không được sau hôm nay."))
    source_days = [meeting.held_on if meeting else None, directive.issued_on if directive else None]
    if finding is not None:
        source_days.append(finding.visit.visited_on)
    source_day = max((d for d in source_days if d is not None), default=None)
    if assigned_on is not None and source_day is not None and assigned_on < source_day:
        raise TaskError(
            _("Ngày giao %(day)s không được trước ngày của nguồn giao nhiệm vụ (%(source)s).")
            % {"day": dmy(assigned_on), "source": dmy(source_day)}
        )
    if not title.strip():
        raise TaskError(_("Tên nhiệm vụ không được để trống."))
    if finding is not None and not units_in_scope(acting_user, Cap.ORG_VIEW).filter(pk=finding.visit.unit_id).exists():
        raise TaskError(_("Đợt khảo sát của phát hiện này nằm ngoài phạm vi của bạn."))
    if meeting is None and directive is None and finding is None:
        raise TaskError(_("Nhiệm vụ phải có nguồn giao: cuộc họp, văn bản chỉ đạo hoặc phát hiện qua khảo sát."))
    if (deadline is None) == (working_days is None):
        raise TaskError(_("Hãy cho hạn hoàn thành là một ngày hoặc một số ngày làm việc (chỉ một trong hai)."))
    if working_days is not None:
        if working_days < 1:
            raise TaskError(_("Số ngày làm việc phải lớn hơn 0."))
        deadline = default_calendar().add_working_days(today, working_days)
    assert deadline is not None
    if deadline < today:
        raise TaskError(
            _("Hạn hoàn thành %(deadline)s không được trước ngày giao %(today)s.")
            % {"deadline": dmy(deadline), "today": dmy(today)}
        )
    unit, lines = check_assignment(
        acting_user=acting_user, lead_unit=lead_unit, owner=owner, on=today, priority=priority, products=products
    )
    task = Task.objects.create(
        title=title.strip(),
        description=description,
        meeting=meeting,
        directive=directive,
        clause=clause,
        finding=finding,
        series=series,
        period_start=period_start,
        lead_unit=unit,
        owner=owner,
        assigned_by=acting_user,
        assigned_on=today,
        deadline=deadline,
        original_deadline=deadline,
        priority=priority,
    )
    tallies.moved(before=None, task=task)
    TaskProduct.objects.bulk_create(
        [
            TaskProduct(
                task=task,
                product_type=product_type,
                quantity=quantity,
                coefficient=product_type.coefficient,
                weight=(quantity * product_type.coefficient).quantize(CENT, rounding=ROUND_HALF_UP),
            )
            for product_type, quantity in lines
        ]
    )
    coordinations = coordination.create_on_assignment(acting_user=acting_user, task=task, coordinators=coordinators)
    sources = [("meeting", str(meeting.pk))] if meeting else []
    sources += [("directive", str(directive.pk))] if directive else []
    sources += [("field_visit", str(finding.visit_id))] if finding else []
    sources += [("unit", str(c.to_unit_id)) for c in coordinations]
    record(
        acting_user=acting_user,
        action=ASSIGN,
        object_type="task",
        object_id=task.pk,
        object_label=task.title,
        after=task_state(task)
        | {
            "meeting_id": task.meeting_id,
            "directive_id": task.directive_id,
            "clause": clause,
            "working_days": working_days,
            "products": [[pt.code, str(q)] for pt, q in lines],
            "finding_id": task.finding_id,
            "series_id": task.series_id,
            "period_start": period_start,
            "coordinations": [[c.pk, c.to_unit_id, c.request, c.due] for c in coordinations],
        },
        subjects=task_subjects(task) + sources,
    )
    _notify_task(
        task,
        _owner_accounts(task),
        event="assigned",
        kind=Kind.ASSIGNED,
        title=_("Bạn được giao nhiệm vụ: %(task)s"),
        body=_("Hạn hoàn thành: %(deadline)s.") % {"deadline": dmy(task.deadline)},
    )
    return task


@transaction.atomic
def accept_task(
    *,
    acting_user: User,
    task: Task,
    plan: Sequence[tuple[str, date]],
    expected_version: int | None = None,
) -> Task:
    """The owner accepts the task with an implementation plan (steps with dates)."""
    task = lock_task(task)
    check_version(task, expected_version)
    action = _("tiếp nhận nhiệm vụ")
    require_owner(acting_user, task, action)
    require_state(task, frozenset({TaskState.ASSIGNED}), action)
    if not plan:
        raise TaskError(_("Cần có kế hoạch thực hiện với ít nhất một bước."))
    for step_title, due in plan:
        if not step_title.strip():
            raise TaskError(_("Nội dung của mỗi bước kế hoạch không được để trống."))
        if not task.assigned_on <= due <= task.deadline:
            raise TaskError(
                _(
                    "Thời hạn của bước “%(step)s” (%(due)s) phải nằm trong khoảng từ ngày giao %(start)s đến hạn %(end)s."
                )
                % {
                    "step": step_title.strip(),
                    "due": dmy(due),
                    "start": dmy(task.assigned_on),
                    "end": dmy(task.deadline),
                }
            )
    before = task_state(task)
    PlanStep.objects.bulk_create(
        [PlanStep(task=task, order=i, title=t.strip(), due=d) for i, (t, d) in enumerate(plan, start=1)]
    )
    task.state = TaskState.ACCEPTED
    save_task(task, ["state"])
    record_task(acting_user, ACCEPT, task, before, {"plan": [[t.strip(), d] for t, d in plan]})
    return task


@transaction.atomic
def report_progress(
    *,
    acting_user: User,
    task: Task,
    percent: int,
    note: str = "",
    files: Sequence[File] = (),  # type: ignore[type-arg]
    expected_version: int | None = None,
) -> ProgressReport:
    """The owner reports progress; an accepted (or returned) task moves to in progress."""
    task = lock_task(task)
    check_version(task, expected_version)
    action = _("báo cáo tiến độ")
    require_owner(acting_user, task, action)
    require_state(task, frozenset({TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.RETURNED}), action)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise TaskError(_("Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100."))
    checked = _evidence(files)
    before = task_state(task)
    report = ProgressReport.objects.create(
        task=task, reported_at=timezone.now(), percent=percent, note=note, reported_by=acting_user
    )
    stored = evidence.store(checked, acting_user=acting_user, task=task, report=report)
    task.state = TaskState.IN_PROGRESS
    save_task(task, ["state"])
    record_task(
        acting_user,
        REPORT_PROGRESS,
        task,
        before,
        {"percent": percent, "note": note, "evidence": evidence.describe(stored)},
    )
    return report


@transaction.atomic
def submit_task(
    *,
    acting_user: User,
    task: Task,
    products_done: Mapping[int, bool],
    files: Sequence[File] = (),  # type: ignore[type-arg]
    expected_version: int | None = None,
) -> Task:
    """The owner submits the result, saying which expected products are done."""
    task = lock_task(task)
    check_version(task, expected_version)
    action = _("trình kết quả")
    require_owner(acting_user, task, action)
    require_state(task, WORKING_STATES, action)
    products = {p.pk: p for p in task.products.all()}
    for product_id in products_done:
        if product_id not in products:
            raise TaskError(_("Sản phẩm số %(id)s không thuộc nhiệm vụ này.") % {"id": product_id})
    checked = _evidence(files)
    before = task_state(task)
    stored = evidence.store(checked, acting_user=acting_user, task=task)
    for product in products.values():
        product.done = bool(products_done.get(product.pk, False))
    TaskProduct.objects.bulk_update(products.values(), ["done"])
    task.state = TaskState.SUBMITTED
    task.submitted_on = timezone.localdate()
    save_task(task, ["state", "submitted_on"])
    record_task(
        acting_user,
        SUBMIT,
        task,
        before,
        {
            "products_done": {str(pk): p.done for pk, p in sorted(products.items())},
            "evidence": evidence.describe(stored),
        },
    )
    _notify_task(
        task, [task.assigned_by], event="submitted", kind=Kind.SUBMITTED, title=_("Kết quả trình để đánh giá: %(task)s")
    )
    return task


@transaction.atomic
def review_task(
    *,
    acting_user: User,
    task: Task,
    accept: bool,
    grade: str | None = None,
    major_errors: int = 0,
    return_reason: str = "",
    expected_version: int | None = None,
) -> Task:
    """The assigner accepts the submitted result with a grade, or returns it.

    An accepted task is completed on the day its result was submitted (a slow review does not
    make the owner late); every product is marked delayed (``delays = 1``) when that day is after
    the current deadline (which an approved extension has moved).
    """
    task = lock_task(task)
    check_version(task, expected_version)
    action = _("đánh giá kết quả")
    require_assigner(acting_user, task, action)
    require_state(task, frozenset({TaskState.SUBMITTED}), action)
    before = task_state(task)
    if not accept:
        if not return_reason.strip():
            raise TaskError(_("Hãy nêu lý do trả lại kết quả."))
        task.state = TaskState.RETURNED
        task.return_reason = return_reason.strip()
        save_task(task, ["state", "return_reason"])
        record_task(acting_user, RETURN, task, before, {"return_reason": task.return_reason})
        _notify_task(
            task,
            _owner_accounts(task),
            event="returned",
            kind=Kind.REVIEWED,
            title=_("Kết quả bị trả lại: %(task)s"),
            body=task.return_reason,
        )
        return task
    if grade not in Grade.values:
        raise TaskError(_("Hãy chọn mức chất lượng: đạt yêu cầu hoặc có sai sót lớn."))
    if isinstance(major_errors, bool) or not isinstance(major_errors, int) or major_errors < 0:
        raise TaskError(_("Số sai sót lớn phải là số nguyên không âm."))
    if grade == Grade.MEETS and major_errors != 0:
        raise TaskError(_("Kết quả đạt yêu cầu thì không có sai sót lớn."))
    if grade == Grade.ERRORS and major_errors < 1:
        raise TaskError(_("Hãy nhập số sai sót lớn (ít nhất 1)."))
    completed = task.submitted_on or timezone.localdate()
    late = completed > task.deadline
    task.products.update(delays=1 if late else 0)
    task.state = TaskState.DONE
    task.grade = grade
    task.major_errors = major_errors
    task.completed_on = completed
    save_task(task, ["state", "grade", "major_errors", "completed_on"])
    record_task(acting_user, APPROVE, task, before, {"late": late})
    _notify_task(
        task,
        _owner_accounts(task),
        event="approved",
        kind=Kind.REVIEWED,
        title=_("Nhiệm vụ được nghiệm thu: %(task)s"),
        body=task.get_grade_display(),
    )
    return task


@transaction.atomic
def cancel_task(*, acting_user: User, task: Task, reason: str, expected_version: int | None = None) -> Task:
    task = lock_task(task)
    check_version(task, expected_version)
    action = _("huỷ nhiệm vụ")
    require_assigner(acting_user, task, action)
    require_state(task, OPEN_STATES, action)
    if not reason.strip():
        raise TaskError(_("Hãy nêu lý do huỷ nhiệm vụ."))
    before = task_state(task)
    task.state = TaskState.CANCELLED
    task.cancel_reason = reason.strip()
    save_task(task, ["state", "cancel_reason"])
    task.extensions.filter(state=ExtensionState.PENDING).update(
        state=ExtensionState.REJECTED, decided_by=acting_user, decided_at=timezone.now(), decision_note=reason.strip()
    )
    record_task(acting_user, CANCEL, task, before, {"cancel_reason": task.cancel_reason})
    return task


@transaction.atomic
def request_extension(
    *,
    acting_user: User,
    task: Task,
    reason: str,
    proposed_deadline: date,
    impact: str = "",
    expected_version: int | None = None,
) -> Extension:
    """The owner asks for a later deadline; one request at a time, each kept as a round."""
    task = lock_task(task)
    check_version(task, expected_version)
    action = _("đề nghị gia hạn")
    require_owner(acting_user, task, action)
    require_state(task, OPEN_STATES - {TaskState.SUBMITTED}, action)
    if not reason.strip():
        raise TaskError(_("Hãy nêu lý do đề nghị gia hạn."))
    if proposed_deadline <= task.deadline:
        raise TaskError(
            _("Hạn đề nghị %(proposed)s phải sau hạn hiện tại %(deadline)s.")
            % {"proposed": dmy(proposed_deadline), "deadline": dmy(task.deadline)}
        )
    if task.extensions.filter(state=ExtensionState.PENDING).exists():
        raise TaskError(_("Nhiệm vụ đang có một đề nghị gia hạn chờ quyết định."))
    extension = Extension.objects.create(
        task=task,
        round=task.extensions.count() + 1,
        requested_by=acting_user,
        requested_at=timezone.now(),
        reason=reason.strip(),
        impact=impact,
        proposed_deadline=proposed_deadline,
        previous_deadline=task.deadline,
    )
    before = task_state(task)
    save_task(task, [])
    record_task(
        acting_user,
        REQUEST_EXTENSION,
        task,
        before,
        {"extension_id": extension.pk, "round": extension.round, "proposed_deadline": proposed_deadline},
        also=[("extension", str(extension.pk))],
    )
    _notify_task(
        task,
        [task.assigned_by],
        event="extension-requested",
        kind=Kind.EXTENSION,
        title=_("Đề nghị gia hạn: %(task)s"),
        body=_("Đề nghị gia hạn đến ngày %(day)s. Lý do: %(reason)s")
        % {"day": dmy(proposed_deadline), "reason": extension.reason},
    )
    return extension


@transaction.atomic
def decide_extension(
    *,
    acting_user: User,
    extension: Extension,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
) -> Extension:
    """The assigner approves (the deadline moves; the original one is kept) or rejects a request.

    ``expected_version`` is the version of the task.
    """
    task = Task.objects.select_for_update().get(pk=extension.task_id)
    check_version(task, expected_version)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    action = _("quyết định gia hạn")
    require_assigner(acting_user, task, action)
    require_state(task, OPEN_STATES, action)
    if extension.state != ExtensionState.PENDING:
        raise TaskError(
            _("Đề nghị gia hạn lần %(round)s đã được quyết định (%(state)s).")
            % {"round": extension.round, "state": extension.get_state_display()}
        )
    if not approve and not note.strip():
        raise TaskError(_("Hãy nêu lý do không đồng ý gia hạn."))
    before = task_state(task)
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
    extension.decided_by = acting_user
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        task.deadline = extension.proposed_deadline
    save_task(task, ["deadline"])
    record_task(
        acting_user,
        APPROVE_EXTENSION if approve else REJECT_EXTENSION,
        task,
        before,
        {"extension_id": extension.pk, "round": extension.round, "note": note.strip()},
        also=[("extension", str(extension.pk))],
    )
    _notify_task(
        task,
        _owner_accounts(task),
        event="extension-decided",
        kind=Kind.EXTENSION,
        title=_("Đồng ý gia hạn: %(task)s") if approve else _("Không đồng ý gia hạn: %(task)s"),
        body=note.strip(),
    )
    return extension


def approved_extensions(task: Task) -> int:
    """How many extensions of the task were approved (counted, though not "late")."""
    return task.extensions.filter(state=ExtensionState.APPROVED).count()
