"""Task lifecycle: exact dates and weights, one audit event per change, refusals that change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.core.workcal import default_calendar
from congvu.org import services as org_services
from congvu.org.models import UnitKind
from congvu.tasks import services
from congvu.tasks.buckets import COMPLETED_LATE, COMPLETED_ON_TIME, bucket_of
from congvu.tasks.models import Extension, ExtensionState, ProductType, Task, TaskState
from congvu.tasks.services import StaleTask, TaskError
from tests.factories import unit
from tests.tasks.conftest import World, on, row_counts

pytestmark = pytest.mark.django_db


def last_actions(n: int) -> list[str]:
    return list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:n])[::-1]


def refused(call: Callable[[], object], message: str) -> None:
    """``call`` raises TaskError with exactly ``message`` and leaves every table as it was."""
    before = row_counts()
    with pytest.raises(TaskError) as caught:
        call()
    assert str(caught.value) == message
    assert row_counts() == before


# -- the full lifecycle --------------------------------------------------------------------


def test_five_working_days_from_24_april_2026_skip_the_holidays() -> None:
    # 25–26/4 weekend (26/4 Giỗ Tổ), 27/4 observed, 30/4 and 1/5 holidays, 2–3/5 weekend.
    assert default_calendar().add_working_days(date(2026, 4, 24), 5) == date(2026, 5, 6)


def test_full_lifecycle_with_exact_dates_weights_and_one_audit_event_per_step(world: World) -> None:
    with on(date(2026, 4, 24)):
        audit = AuditEvent.objects.count()
        task = world.assign(working_days=5)
        assert AuditEvent.objects.count() == audit + 1
        assert (task.assigned_on, task.deadline, task.original_deadline) == (
            date(2026, 4, 24),
            date(2026, 5, 6),
            date(2026, 5, 6),
        )
        assert (task.state, task.version, task.assigned_by_id) == (TaskState.ASSIGNED, 1, world.leader.pk)
        weights = list(task.products.order_by("product_type__code").values_list("product_type__code", "weight"))
        assert weights == [("BC-CD", Decimal("3.00")), ("DT-VB", Decimal("6.75"))]

        task = services.accept_task(
            acting_user=world.owner_user,
            task=task,
            plan=[("Khảo sát hiện trạng", date(2026, 4, 29)), ("Dự thảo báo cáo", date(2026, 5, 6))],
            expected_version=1,
        )
        assert (task.state, task.version) == (TaskState.ACCEPTED, 2)
        assert list(task.plan_steps.values_list("order", "title", "due")) == [
            (1, "Khảo sát hiện trạng", date(2026, 4, 29)),
            (2, "Dự thảo báo cáo", date(2026, 5, 6)),
        ]

    with on(date(2026, 4, 29)):
        report = services.report_progress(
            acting_user=world.owner_user, task=task, percent=40, note="Đã khảo sát 4/10 thủ tục", expected_version=2
        )
        assert report.percent == 40
        task.refresh_from_db()
        assert (task.state, task.version) == (TaskState.IN_PROGRESS, 3)

    with on(date(2026, 5, 5)):
        bc, dt = task.products.order_by("product_type__code")
        task = services.submit_task(
            acting_user=world.owner_user, task=task, products_done={bc.pk: True, dt.pk: False}, expected_version=3
        )
        assert (task.state, task.version) == (TaskState.SUBMITTED, 4)
        assert list(task.products.order_by("product_type__code").values_list("done", flat=True)) == [True, False]

    with on(date(2026, 5, 6), hour=16):
        task = services.review_task(
            acting_user=world.leader, task=task, accept=True, grade="errors", major_errors=1, expected_version=4
        )
    task.refresh_from_db()
    assert (task.state, task.grade, task.major_errors, task.completed_on, task.version) == (
        TaskState.DONE,
        "errors",
        1,
        date(2026, 5, 5),  # completed on the day of the accepted submission
        5,
    )
    assert list(task.products.values_list("delays", flat=True)) == [0, 0]
    assert bucket_of(task, date(2026, 6, 1)) == COMPLETED_ON_TIME
    assert AuditEvent.objects.count() == audit + 5
    assert last_actions(5) == [
        "tasks.task.assign",
        "tasks.task.accept",
        "tasks.task.report_progress",
        "tasks.task.submit",
        "tasks.task.approve",
    ]
    assigned = AuditEvent.objects.get(action="tasks.task.assign")
    assert assigned.after is not None
    assert (assigned.after["deadline"], assigned.after["working_days"]) == ("2026-05-06", 5)
    assert assigned.object_id == str(task.pk)


def test_returned_result_goes_back_to_work_and_can_be_submitted_again(world: World) -> None:
    task = world.accept(world.assign())
    task = world.submit(task)
    task = services.review_task(
        acting_user=world.leader, task=task, accept=False, return_reason="Thiếu số liệu quý I", expected_version=3
    )
    assert (task.state, task.return_reason, task.version) == (TaskState.RETURNED, "Thiếu số liệu quý I", 4)
    assert last_actions(1) == ["tasks.task.return"]
    services.report_progress(acting_user=world.owner_user, task=task, percent=90)
    task = world.submit(task)
    task = world.approve(task)
    assert (task.state, task.completed_on, task.grade) == (TaskState.DONE, date(2026, 3, 16), "meets")


def test_directive_source_down_to_the_clause(world: World) -> None:
    task = world.assign(meeting=None, directive=world.directive, clause="Điều 2, khoản 3", products=[])
    assert (task.directive_id, task.meeting_id, task.clause) == (world.directive.pk, None, "Điều 2, khoản 3")
    assert list(world.directive.tasks.all()) == [task]


def test_product_code_may_be_given_as_text(world: World) -> None:
    task = world.assign(products=[("DT-VB", "1.5")])
    assert list(task.products.values_list("quantity", "coefficient", "weight")) == [
        (Decimal("1.50"), Decimal("2.25"), Decimal("3.38"))  # 3.375 rounded half up
    ]


# -- extensions and lateness -----------------------------------------------------------------


def test_approved_extension_then_done_after_the_original_deadline_is_on_time(world: World) -> None:
    task = world.accept(world.assign(deadline=date(2026, 3, 20)))
    ext = services.request_extension(
        acting_user=world.owner_user,
        task=task,
        reason="Chờ số liệu của Kho bạc",
        impact="Chậm báo cáo tháng",
        proposed_deadline=date(2026, 3, 27),
        expected_version=2,
    )
    assert (ext.round, ext.previous_deadline, ext.state) == (1, date(2026, 3, 20), ExtensionState.PENDING)
    ext = services.decide_extension(
        acting_user=world.leader, extension=ext, approve=True, note="Đồng ý", expected_version=3
    )
    task.refresh_from_db()
    assert (task.deadline, task.original_deadline, task.version) == (date(2026, 3, 27), date(2026, 3, 20), 4)
    assert (ext.state, ext.decided_by_id) == (ExtensionState.APPROVED, world.leader.pk)
    assert services.approved_extensions(task) == 1
    assert last_actions(2) == ["tasks.extension.request", "tasks.extension.approve"]

    # a second round, rejected: kept, and the deadline stays
    second = services.request_extension(
        acting_user=world.owner_user, task=task, reason="Thêm thời gian", proposed_deadline=date(2026, 4, 3)
    )
    services.decide_extension(acting_user=world.leader, extension=second, approve=False, note="Không có căn cứ")
    task.refresh_from_db()
    assert task.deadline == date(2026, 3, 27)
    assert list(task.extensions.values_list("round", "state", "previous_deadline", "proposed_deadline")) == [
        (1, "approved", date(2026, 3, 20), date(2026, 3, 27)),
        (2, "rejected", date(2026, 3, 27), date(2026, 4, 3)),
    ]
    assert services.approved_extensions(task) == 1

    with on(date(2026, 3, 27)):
        task = world.submit(task)  # on the extended deadline
    with on(date(2026, 3, 30)):
        task = world.approve(task)
    assert task.completed_on == date(2026, 3, 27)  # the day the accepted result was submitted
    assert task.completed_on > task.original_deadline
    assert bucket_of(task, date(2026, 4, 30)) == COMPLETED_ON_TIME
    assert list(task.products.values_list("delays", flat=True)) == [0, 0]


def test_done_after_the_deadline_without_extension_is_late(world: World) -> None:
    task = world.accept(world.assign(deadline=date(2026, 3, 20)))
    with on(date(2026, 3, 23)):
        task = world.submit(task)
        task = world.approve(task)
    assert (task.completed_on, task.deadline) == (date(2026, 3, 23), date(2026, 3, 20))
    assert bucket_of(task, date(2026, 3, 23)) == COMPLETED_LATE
    assert list(task.products.values_list("delays", flat=True)) == [1, 1]


def test_extension_refusals(world: World) -> None:
    task = world.accept(world.assign(deadline=date(2026, 3, 20)))
    refused(
        lambda: services.request_extension(
            acting_user=world.owner_user, task=task, reason="Lý do", proposed_deadline=date(2026, 3, 20)
        ),
        "Hạn đề nghị 20/03/2026 phải sau hạn hiện tại 20/03/2026.",
    )
    refused(
        lambda: services.request_extension(
            acting_user=world.leader, task=task, reason="Lý do", proposed_deadline=date(2026, 3, 25)
        ),
        "Chỉ người chịu trách nhiệm thực hiện nhiệm vụ mới được đề nghị gia hạn.",
    )
    refused(
        lambda: services.request_extension(
            acting_user=world.owner_user, task=task, reason="  ", proposed_deadline=date(2026, 3, 25)
        ),
        "Hãy nêu lý do đề nghị gia hạn.",
    )
    ext = services.request_extension(
        acting_user=world.owner_user, task=task, reason="Lý do", proposed_deadline=date(2026, 3, 25)
    )
    refused(
        lambda: services.request_extension(
            acting_user=world.owner_user, task=task, reason="Lý do", proposed_deadline=date(2026, 3, 26)
        ),
        "Nhiệm vụ đang có một đề nghị gia hạn chờ quyết định.",
    )
    refused(
        lambda: services.decide_extension(acting_user=world.owner_user, extension=ext, approve=True),
        "Chỉ người giao nhiệm vụ mới được quyết định gia hạn.",
    )
    refused(
        lambda: services.decide_extension(acting_user=world.leader, extension=ext, approve=False),
        "Hãy nêu lý do không đồng ý gia hạn.",
    )
    services.decide_extension(acting_user=world.leader, extension=ext, approve=True)
    refused(
        lambda: services.decide_extension(acting_user=world.leader, extension=ext, approve=True),
        "Đề nghị gia hạn lần 1 đã được quyết định (Đồng ý gia hạn).",
    )
    assert Extension.objects.get(pk=ext.pk).state == ExtensionState.APPROVED


# -- refusals of assignment ------------------------------------------------------------------


def _inactive_unit(world: World) -> dict[str, Any]:
    old = unit("01.001.09", "Phòng Tổng hợp cũ", UnitKind.DIVISION, world.province.agency)
    org_services.dissolve_unit(
        acting_user=None, unit=old, effective=date(2025, 1, 1), basis=org_services.Basis("01/QĐ-UBND")
    )
    return {"lead_unit": old}


def _inactive_product(world: World) -> dict[str, Any]:
    ProductType.objects.filter(pk=world.draft.pk).update(active=False)
    return {"products": [(world.draft, Decimal("1"))]}


ASSIGN_REFUSALS: list[tuple[str, Callable[[World], dict[str, Any]], str]] = [
    ("empty title", lambda w: {"title": "  "}, "Tên nhiệm vụ không được để trống."),
    (
        "no source",
        lambda w: {"meeting": None},
        "Nhiệm vụ phải có nguồn giao: cuộc họp, văn bản chỉ đạo hoặc phát hiện qua khảo sát.",
    ),
    (
        "deadline and working days",
        lambda w: {"deadline": date(2026, 3, 31), "working_days": 5},
        "Hãy cho hạn hoàn thành là một ngày hoặc một số ngày làm việc (chỉ một trong hai).",
    ),
    ("zero working days", lambda w: {"working_days": 0}, "Số ngày làm việc phải lớn hơn 0."),
    (
        "deadline before assignment",
        lambda w: {"deadline": date(2026, 3, 15)},
        "Hạn hoàn thành 15/03/2026 không được trước ngày giao 16/03/2026.",
    ),
    (
        "unit outside scope",
        lambda w: {"acting_user": w.province.users[Role.GIAMDOC], "lead_unit": w.province.other_division},
        "Đơn vị Phòng Quy hoạch nằm ngoài phạm vi quản lý của bạn.",
    ),
    (
        "unit of another province",
        lambda w: {"lead_unit": w.province.outside_unit, "owner": w.province.outside_person},
        "Đơn vị Sở Nội vụ tỉnh Bình Sơn nằm ngoài phạm vi quản lý của bạn.",
    ),
    ("inactive unit", _inactive_unit, "Đơn vị Phòng Tổng hợp cũ không còn hoạt động."),
    (
        "owner without a post in the unit",
        lambda w: {"owner": w.province.other_person},
        "Trần Văn Đức không giữ chức vụ nào tại Phòng Ngân sách hoặc đơn vị trực thuộc.",
    ),
    (
        "unknown product code",
        lambda w: {"products": [("KHONG-CO", Decimal("1"))]},
        "Loại sản phẩm KHONG-CO không có trong danh mục hoặc đã ngừng sử dụng.",
    ),
    (
        "inactive product type",
        _inactive_product,
        "Loại sản phẩm DT-VB không có trong danh mục hoặc đã ngừng sử dụng.",
    ),
    (
        "zero quantity",
        lambda w: {"products": [(w.report, Decimal("0"))]},
        "Số lượng sản phẩm phải là số lớn hơn 0.",
    ),
    ("bad priority", lambda w: {"priority": "asap"}, "Mức độ ưu tiên không hợp lệ."),
]


@pytest.mark.parametrize(("overrides", "message"), [pytest.param(o, m, id=name) for name, o, m in ASSIGN_REFUSALS])
def test_assign_refusals_change_nothing(
    world: World, overrides: Callable[[World], dict[str, Any]], message: str
) -> None:
    changes = overrides(world)
    refused(lambda: world.assign(**changes), message)


def test_owner_may_hold_the_post_in_a_unit_below_the_lead_unit(world: World) -> None:
    task = world.assign(lead_unit=world.province.agency)
    assert (task.lead_unit_id, task.owner_id) == (world.province.agency.pk, world.owner.pk)


def test_deadline_may_be_the_assignment_day(world: World) -> None:
    assert world.assign(deadline=date(2026, 3, 16)).deadline == date(2026, 3, 16)


# -- refusals of the lifecycle ---------------------------------------------------------------


def test_only_the_owner_accepts_with_a_plan_inside_the_task_dates(world: World) -> None:
    task = world.assign(deadline=date(2026, 3, 31))
    refused(
        lambda: services.accept_task(acting_user=world.leader, task=task, plan=[("Bước 1", date(2026, 3, 20))]),
        "Chỉ người chịu trách nhiệm thực hiện nhiệm vụ mới được tiếp nhận nhiệm vụ.",
    )
    refused(
        lambda: services.accept_task(acting_user=world.owner_user, task=task, plan=[]),
        "Cần có kế hoạch thực hiện với ít nhất một bước.",
    )
    refused(
        lambda: services.accept_task(
            acting_user=world.owner_user,
            task=task,
            plan=[("Khảo sát", date(2026, 3, 20)), ("Báo cáo", date(2026, 4, 1))],
        ),
        "Thời hạn của bước “Báo cáo” (01/04/2026) phải nằm trong khoảng từ ngày giao 16/03/2026 đến hạn 31/03/2026.",
    )
    refused(
        lambda: services.accept_task(acting_user=world.owner_user, task=task, plan=[("Khảo sát", date(2026, 3, 13))]),
        "Thời hạn của bước “Khảo sát” (13/03/2026) phải nằm trong khoảng từ ngày giao 16/03/2026 đến hạn 31/03/2026.",
    )
    refused(
        lambda: services.accept_task(acting_user=world.owner_user, task=task, plan=[(" ", date(2026, 3, 20))]),
        "Nội dung của mỗi bước kế hoạch không được để trống.",
    )


def test_transitions_the_state_does_not_allow_are_refused(world: World) -> None:
    task = world.assign()
    refused(
        lambda: services.report_progress(acting_user=world.owner_user, task=task, percent=10),
        "Không thể báo cáo tiến độ khi nhiệm vụ đang ở trạng thái “Đã giao”.",
    )
    refused(
        lambda: services.submit_task(acting_user=world.owner_user, task=task, products_done={}),
        "Không thể trình kết quả khi nhiệm vụ đang ở trạng thái “Đã giao”.",
    )
    refused(
        lambda: services.review_task(acting_user=world.leader, task=task, accept=True, grade="meets"),
        "Không thể đánh giá kết quả khi nhiệm vụ đang ở trạng thái “Đã giao”.",
    )
    world.accept(task)
    refused(
        lambda: world.accept(task),
        "Không thể tiếp nhận nhiệm vụ khi nhiệm vụ đang ở trạng thái “Đã tiếp nhận”.",
    )
    world.submit(task)
    refused(
        lambda: services.report_progress(acting_user=world.owner_user, task=task, percent=10),
        "Không thể báo cáo tiến độ khi nhiệm vụ đang ở trạng thái “Đã trình kết quả”.",
    )
    refused(
        lambda: services.request_extension(
            acting_user=world.owner_user, task=task, reason="Lý do", proposed_deadline=date(2026, 4, 30)
        ),
        "Không thể đề nghị gia hạn khi nhiệm vụ đang ở trạng thái “Đã trình kết quả”.",
    )
    world.approve(task)
    refused(
        lambda: services.cancel_task(acting_user=world.leader, task=task, reason="Không cần nữa"),
        "Không thể huỷ nhiệm vụ khi nhiệm vụ đang ở trạng thái “Hoàn thành”.",
    )
    assert Task.objects.get(pk=task.pk).state == TaskState.DONE


def test_cancel_by_the_assigner_with_a_reason(world: World) -> None:
    task = world.accept(world.assign())
    ext = services.request_extension(
        acting_user=world.owner_user, task=task, reason="Lý do", proposed_deadline=date(2026, 4, 30)
    )
    refused(
        lambda: services.cancel_task(acting_user=world.owner_user, task=task, reason="Không cần"),
        "Chỉ người giao nhiệm vụ mới được huỷ nhiệm vụ.",
    )
    refused(lambda: services.cancel_task(acting_user=world.leader, task=task, reason=""), "Hãy nêu lý do huỷ nhiệm vụ.")
    task = services.cancel_task(acting_user=world.leader, task=task, reason="Đã có văn bản thay thế")
    assert (task.state, task.cancel_reason) == (TaskState.CANCELLED, "Đã có văn bản thay thế")
    assert Extension.objects.get(pk=ext.pk).state == ExtensionState.REJECTED
    assert last_actions(1) == ["tasks.task.cancel"]
    refused(
        lambda: services.report_progress(acting_user=world.owner_user, task=task, percent=10),
        "Không thể báo cáo tiến độ khi nhiệm vụ đang ở trạng thái “Đã huỷ”.",
    )
    assert bucket_of(task, date(2026, 3, 16)) is None


def test_progress_submit_and_review_refusals(world: World) -> None:
    task = world.accept(world.assign())
    refused(
        lambda: services.report_progress(acting_user=world.owner_user, task=task, percent=101),
        "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100.",
    )
    refused(
        lambda: services.report_progress(acting_user=world.leader, task=task, percent=50),
        "Chỉ người chịu trách nhiệm thực hiện nhiệm vụ mới được báo cáo tiến độ.",
    )
    refused(
        lambda: services.submit_task(acting_user=world.owner_user, task=task, products_done={999999: True}),
        "Sản phẩm số 999999 không thuộc nhiệm vụ này.",
    )
    world.submit(task)
    giamdoc = world.province.users[Role.GIAMDOC]
    refused(
        lambda: services.review_task(acting_user=giamdoc, task=task, accept=True, grade="meets"),
        "Chỉ người giao nhiệm vụ mới được đánh giá kết quả.",
    )
    refused(
        lambda: services.review_task(acting_user=world.leader, task=task, accept=True),
        "Hãy chọn mức chất lượng: đạt yêu cầu hoặc có sai sót lớn.",
    )
    refused(
        lambda: services.review_task(acting_user=world.leader, task=task, accept=True, grade="meets", major_errors=2),
        "Kết quả đạt yêu cầu thì không có sai sót lớn.",
    )
    refused(
        lambda: services.review_task(acting_user=world.leader, task=task, accept=True, grade="errors"),
        "Hãy nhập số sai sót lớn (ít nhất 1).",
    )
    refused(
        lambda: services.review_task(acting_user=world.leader, task=task, accept=False, return_reason=" "),
        "Hãy nêu lý do trả lại kết quả.",
    )
    assert Task.objects.get(pk=task.pk).state == TaskState.SUBMITTED


# -- concurrency -----------------------------------------------------------------------------


def test_second_writer_on_a_stale_version_gets_a_conflict(world: World) -> None:
    task = world.assign()
    seen_by_leader = Task.objects.get(pk=task.pk)  # both read version 1
    seen_by_owner = Task.objects.get(pk=task.pk)
    services.accept_task(
        acting_user=world.owner_user,
        task=seen_by_owner,
        plan=[("Khảo sát", date(2026, 3, 20))],
        expected_version=seen_by_owner.version,
    )
    before = row_counts()
    with pytest.raises(StaleTask) as caught:
        services.cancel_task(
            acting_user=world.leader, task=seen_by_leader, reason="Trùng", expected_version=seen_by_leader.version
        )
    assert str(caught.value) == "Nhiệm vụ đã được người khác thay đổi; vui lòng tải lại trang và thử lại."
    assert row_counts() == before
    assert (Task.objects.get(pk=task.pk).state, Task.objects.get(pk=task.pk).version) == (TaskState.ACCEPTED, 2)


def test_messages_are_translated_for_english_screens(world: World) -> None:
    with translation.override("en"), pytest.raises(TaskError) as caught:
        world.assign(owner=world.province.other_person)
    assert str(caught.value) == "Trần Văn Đức holds no post in Phòng Ngân sách or a unit under it."
    task = world.assign()
    with translation.override("en"), pytest.raises(TaskError) as caught:
        services.submit_task(acting_user=world.owner_user, task=task, products_done={})
    assert str(caught.value) == "Cannot submit the result while the task is “Assigned”."


@pytest.mark.parametrize("role", ["chuyenvien", "thanhtra", "noivu"])
def test_roles_without_the_assign_capability_cannot_assign(world: World, role: str) -> None:
    before = row_counts()
    with pytest.raises(TaskError, match="nằm ngoài phạm vi quản lý của bạn"):
        world.assign(acting_user=world.province.users[role])
    assert row_counts() == before


def test_a_division_head_assigns_within_the_division_only(world: World) -> None:
    head = world.province.users["truongphong"]
    task = world.assign(acting_user=head)
    assert task.lead_unit_id == world.province.division.pk
    with pytest.raises(TaskError, match="nằm ngoài phạm vi quản lý của bạn"):
        world.assign(acting_user=head, lead_unit=world.province.other_division, owner=world.province.other_person)


def test_a_slow_review_does_not_make_the_owner_late(world: World) -> None:
    with on(date(2026, 3, 16)):
        task = world.accept(world.assign(deadline=date(2026, 3, 20)))
    with on(date(2026, 3, 19)):
        task = world.submit(task)
    with on(date(2026, 3, 25)):  # reviewed after the deadline
        task = world.approve(task)
    assert (task.submitted_on, task.completed_on) == (date(2026, 3, 19), date(2026, 3, 19))
    assert bucket_of(task, date(2026, 3, 25)) == COMPLETED_ON_TIME
    assert list(task.products.values_list("delays", flat=True)) == [0, 0]


def test_a_task_recorded_from_an_earlier_notice_keeps_its_assignment_day(world: World) -> None:
    with on(date(2026, 3, 16)):
        task = world.assign(assigned_on=date(2026, 3, 11), working_days=3)  # meeting held on 10/03
        assert (task.assigned_on, task.deadline) == (date(2026, 3, 11), date(2026, 3, 16))
        assert bucket_of(task, date(2026, 3, 17)) == "overdue"
        before = row_counts()
        with pytest.raises(TaskError, match=r"Ngày giao không được sau hôm nay\."):
            world.assign(assigned_on=date(2026, 3, 17))
        with pytest.raises(TaskError, match=r"không được trước ngày của nguồn giao nhiệm vụ \(10/03/2026\)"):
            world.assign(assigned_on=date(2026, 3, 9))
        assert row_counts() == before
