"""Task pages: exact bucket counts, visibility, who sees which action, the full flow, conflicts, bad input."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congvu.accounts.models import User
from congvu.core.policy import Role
from congvu.tasks import services
from congvu.tasks.models import ExtensionState, Task, TaskState
from tests.factories import person, user
from tests.tasks.conftest import World, on, row_counts

pytestmark = pytest.mark.django_db

ACTION = re.compile(r'data-action="([a-z_]+)"')


def client_for(account: User) -> Client:
    client = Client()
    client.force_login(account)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def bucket_numbers(page: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(r'data-bucket="([a-z_]+)">(\d+)<', page)}


def actions(client: Client, task: Task) -> list[str]:
    return ACTION.findall(html(client.get(reverse("tasks:detail", args=[task.pk]))))


def build_buckets(world: World) -> dict[str, Task]:
    """One task per bucket plus a cancelled one; today (the test clock) is 16/03/2026."""
    with on(date(2026, 3, 2)):
        tasks = {
            "on_time": world.assign(title="Đúng hạn", deadline=date(2026, 3, 10)),
            "late": world.assign(title="Quá hạn khi xong", deadline=date(2026, 3, 10)),
            "open": world.assign(title="Còn trong hạn", deadline=date(2026, 3, 31)),
            "overdue": world.assign(title="Đã quá hạn", deadline=date(2026, 3, 13)),
            "cancelled": world.assign(title="Đã huỷ", deadline=date(2026, 3, 31)),
        }
        world.accept(tasks["on_time"])
        world.accept(tasks["late"])
        services.cancel_task(acting_user=world.leader, task=tasks["cancelled"], reason="Trùng nội dung")
    with on(date(2026, 3, 9)):
        world.approve(world.submit(tasks["on_time"]))
    with on(date(2026, 3, 12)):
        world.approve(world.submit(tasks["late"]))
    return tasks


def test_my_tasks_shows_exact_bucket_counts_and_filters(world: World) -> None:
    build_buckets(world)
    want = {"completed_on_time": 1, "completed_late": 1, "in_progress_on_time": 1, "overdue": 1}
    for account in (world.leader, world.owner_user):  # the assigner and the owner see the same five
        page = html(client_for(account).get(reverse("tasks:my")))
        assert bucket_numbers(page) == want
        assert "Hoàn thành đúng hạn" in page and "Chưa hoàn thành, quá hạn" in page
    client = client_for(world.owner_user)
    overdue = html(client.get(reverse("tasks:my"), {"bucket": "overdue"}))
    assert "Đã quá hạn" in overdue and "Còn trong hạn" not in overdue and "Đúng hạn</a>" not in overdue
    done = html(client.get(reverse("tasks:my"), {"state": "done"}))
    assert "Đúng hạn</a>" in done and "Quá hạn khi xong" in done and "Còn trong hạn" not in done
    partial = client.get(reverse("tasks:my"), {"state": "cancelled"}, headers={"HX-Request": "true"})
    assert "Đã huỷ" in html(partial) and "<html" not in html(partial)  # htmx gets only the rows


def test_unit_board_counts_the_subtree_and_is_scoped(world: World) -> None:
    build_buckets(world)
    province = world.province
    giamdoc = client_for(province.users["giamdoc"])
    page = html(giamdoc.get(reverse("tasks:unit_board", args=[province.agency.pk])))
    assert bucket_numbers(page) == {
        "completed_on_time": 1,
        "completed_late": 1,
        "in_progress_on_time": 1,
        "overdue": 1,
    }
    assert giamdoc.get(reverse("tasks:unit_board", args=[province.other_agency.pk])).status_code == 404
    empty = html(
        client_for(province.users["lanhdao"]).get(reverse("tasks:unit_board", args=[province.other_agency.pk]))
    )
    assert bucket_numbers(empty) == dict.fromkeys(
        ("completed_on_time", "completed_late", "in_progress_on_time", "overdue"), 0
    )


def test_another_divisions_task_is_not_found(world: World) -> None:
    province = world.province
    theirs = world.assign(title="Việc của Sở Xây dựng", lead_unit=province.other_division, owner=province.other_person)
    ours = world.assign()
    for role in ("truongphong", "giamdoc", "chuyenvien"):
        client = client_for(province.users[role])
        assert client.get(reverse("tasks:detail", args=[theirs.pk])).status_code == 404, role
        assert client.get(reverse("tasks:detail", args=[ours.pk])).status_code == 200, role
        assert client.get(f"/api/v1/tasks/{theirs.pk}").status_code == 404, role
    # The owner sees their task even outside their org.view scope (here: Phòng Ngân sách only).
    outsider = person("Võ Thị Lan", province.other_division)
    owner_account = user("lan", Role.CHUYENVIEN, province.division, outsider)
    task = world.assign(lead_unit=province.other_division, owner=outsider)
    assert client_for(owner_account).get(reverse("tasks:detail", args=[task.pk])).status_code == 200
    assert client_for(province.users["chuyenvien"]).get(reverse("tasks:detail", args=[task.pk])).status_code == 404
    assert client_for(world.leader).get("/tasks/" + "9" * 30 + "/").status_code == 404


def test_action_forms_are_shown_only_to_those_who_may_use_them(world: World) -> None:
    task = world.assign()
    owner, leader = client_for(world.owner_user), client_for(world.leader)
    head = client_for(world.province.users["truongphong"])
    assert actions(owner, task) == ["accept", "extension_request", "difficulty", "coordination"]
    assert actions(leader, task) == ["coordination", "cancel"]
    assert actions(head, task) == ["coordination"]
    world.accept(task)
    assert actions(owner, task) == ["progress", "submit", "extension_request", "difficulty", "coordination"]
    task.refresh_from_db()
    world.submit(task)
    assert actions(owner, task) == ["difficulty", "coordination"]
    assert actions(leader, task) == ["coordination", "review", "cancel"]


def test_full_flow_through_the_pages(world: World) -> None:
    province = world.province
    leader, owner = client_for(world.leader), client_for(world.owner_user)
    response = leader.post(
        reverse("tasks:assign"),
        {
            "title": "Rà soát thủ tục ngân sách",
            "description": "Theo kết luận hội nghị",
            "lead_unit_code": "01.001.01",
            "owner_id": str(province.person.pk),
            "deadline": "2026-03-31",
            "meeting": str(world.meeting.pk),
            "clause": "Mục 1",
            "priority": "high",
            "products": "BC-CD | 2\nDT-VB | 3",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Rà soát thủ tục ngân sách")
    assert response["Location"] == reverse("tasks:detail", args=[task.pk])
    assert (task.owner_id, task.lead_unit_id, task.deadline, task.clause) == (
        province.person.pk,
        province.division.pk,
        date(2026, 3, 31),
        "Mục 1",
    )

    def post(client: Client, name: str, data: dict[str, str], pk: int | None = None) -> None:
        task.refresh_from_db()
        url = reverse(f"tasks:{name}", args=[pk or task.pk])
        answer = client.post(url, data | {"version": str(task.version)})
        assert answer.status_code == 302, (name, html(answer))

    post(owner, "accept", {"plan": "Khảo sát hiện trạng | 20/03/2026\nDự thảo báo cáo | 2026-03-30"})
    post(owner, "progress", {"percent": "40", "note": "Đã khảo sát 4/10 thủ tục"})
    post(owner, "extension_request", {"proposed_deadline": "2026-04-15", "reason": "Chờ số liệu của Sở"})
    extension = task.extensions.get()
    post(leader, "extension_decide", {"decision": "approve", "note": ""}, pk=extension.pk)
    products = list(task.products.values_list("pk", flat=True))
    task.refresh_from_db()
    answer = owner.post(
        reverse("tasks:submit", args=[task.pk]),
        {"products_done": [str(pk) for pk in products], "version": task.version},
    )
    assert answer.status_code == 302
    post(leader, "review", {"decision": "accept", "grade": "meets", "major_errors": "0"})

    task.refresh_from_db()
    assert (task.state, task.grade, task.deadline, task.original_deadline, task.completed_on) == (
        TaskState.DONE,
        "meets",
        date(2026, 4, 15),
        date(2026, 3, 31),
        date(2026, 3, 16),
    )
    assert list(task.plan_steps.values_list("title", "due")) == [
        ("Khảo sát hiện trạng", date(2026, 3, 20)),
        ("Dự thảo báo cáo", date(2026, 3, 30)),
    ]
    assert task.extensions.get().state == ExtensionState.APPROVED
    assert all(task.products.values_list("done", flat=True))
    page = html(owner.get(reverse("tasks:detail", args=[task.pk])))
    assert "Hoàn thành đúng hạn" in page and "hạn ban đầu 31/03/2026" in page
    assert "Cuộc họp" in page and "Mục 1" in page and "Khảo sát hiện trạng" in page and "40%" in page
    for action in (
        "tasks.task.assign",
        "tasks.task.accept",
        "tasks.task.report_progress",
        "tasks.extension.request",
        "tasks.extension.approve",
        "tasks.task.submit",
        "tasks.task.approve",
    ):
        assert action in page, action  # the timeline


def test_a_stale_version_gets_the_conflict_message_and_changes_nothing(world: World) -> None:
    task = world.assign()
    world.accept(task)  # version 2 now; the owner's page still says 1
    before = row_counts()
    response = client_for(world.owner_user).post(
        reverse("tasks:progress", args=[task.pk]), {"percent": "50", "version": "1"}
    )
    assert response.status_code == 400
    assert "Nhiệm vụ đã được người khác thay đổi; vui lòng tải lại trang và thử lại." in html(response)
    assert row_counts() == before
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.ACCEPTED, 2)


def test_bad_input_gets_a_vietnamese_error_and_400(world: World) -> None:
    leader = client_for(world.leader)
    data = {
        "title": "Nhiệm vụ thử",
        "lead_unit_code": "01.001.01",
        "owner_id": str(world.province.person.pk),
        "deadline": "2026-03-31",
        "meeting": str(world.meeting.pk),
        "priority": "normal",
        "products": "KHONG-CO | 2",
    }
    before = row_counts()
    unknown = leader.post(reverse("tasks:assign"), data)
    assert unknown.status_code == 400
    assert "Loại sản phẩm KHONG-CO không có trong danh mục hoặc đã ngừng sử dụng." in html(unknown)
    early = leader.post(reverse("tasks:assign"), data | {"products": "", "deadline": "2026-03-01"})
    assert early.status_code == 400
    assert "Hạn hoàn thành 01/03/2026 không được trước ngày giao 16/03/2026." in html(early)
    outside = leader.post(reverse("tasks:assign"), data | {"products": "", "lead_unit_code": "02.001"})
    assert outside.status_code == 400
    assert "Không có đơn vị đang hoạt động mã “02.001” trong phạm vi giao nhiệm vụ của bạn." in html(outside)
    garbled = leader.post(reverse("tasks:assign"), data | {"products": "BC-CD | hai", "meeting": ""})
    assert garbled.status_code == 400
    assert "Dòng 1: số lượng “hai” không phải là số." in html(garbled)
    assert "Hãy chọn cuộc họp hoặc văn bản chỉ đạo là nguồn giao." in html(garbled)
    assert row_counts() == before

    task = world.assign()
    owner = client_for(world.owner_user)
    bad_plan = owner.post(reverse("tasks:accept", args=[task.pk]), {"plan": "Khảo sát | mai", "version": "1"})
    assert bad_plan.status_code == 400
    assert "Dòng 1: “mai” không phải là ngày (dd/mm/yyyy)." in html(bad_plan)
    wrong_state = owner.post(reverse("tasks:submit", args=[task.pk]), {"version": "1"})
    assert wrong_state.status_code == 400
    assert "Không thể trình kết quả khi nhiệm vụ đang ở trạng thái “Đã giao”." in html(wrong_state)
    not_owner = client_for(world.province.users["truongphong"]).post(
        reverse("tasks:accept", args=[task.pk]), {"plan": "Khảo sát | 20/03/2026", "version": "1"}
    )
    assert not_owner.status_code == 400
    assert "Chỉ người chịu trách nhiệm thực hiện nhiệm vụ mới được tiếp nhận nhiệm vụ." in html(not_owner)
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.ASSIGNED, 1)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_task_lists_use_a_constant_number_of_queries(world: World) -> None:
    world.assign()
    client = client_for(world.leader)
    urls = [
        reverse("tasks:my"),
        reverse("tasks:my") + "?bucket=in_progress_on_time&state=assigned",
        reverse("tasks:unit_board", args=[world.province.agency.pk]),
    ]
    before = [queries(client, url) for url in urls]
    for i in range(30):
        world.assign(
            title=f"Nhiệm vụ số {i}", lead_unit=world.province.other_division, owner=world.province.other_person
        )
        world.assign(title=f"Nhiệm vụ ngân sách {i}")
    assert [queries(client, url) for url in urls] == before


def test_task_page_query_count_is_constant(world: World) -> None:
    task = world.assign()
    world.accept(task)
    task.refresh_from_db()
    services.report_progress(acting_user=world.owner_user, task=task, percent=5)
    client = client_for(world.owner_user)
    url = reverse("tasks:detail", args=[task.pk])
    first = queries(client, url)
    for percent in (10, 20, 30, 40, 50):
        task.refresh_from_db()
        services.report_progress(acting_user=world.owner_user, task=task, percent=percent)
    assert queries(client, url) == first


def test_evidence_on_the_progress_form(world: World, settings: Any) -> None:
    settings.CONGVU_EVIDENCE_MAX_BYTES = 2048
    task = world.assign()
    world.accept(task)
    owner = client_for(world.owner_user)
    url = reverse("tasks:progress", args=[task.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(name: str, content: bytes) -> Any:
        return owner.post(
            url,
            {"percent": "40", "version": "2", "evidence_files": [SimpleUploadedFile(name, content)]},
        )

    too_big = upload("bao-cao.pdf", b"%PDF-1.4\n" + b"0" * 4096)
    assert too_big.status_code == 400
    assert "Tệp “bao-cao.pdf” có dung lượng 5 KB, vượt quá mức cho phép 2 KB." in html(too_big)
    renamed = upload("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert renamed.status_code == 400
    assert "Tên tệp “anh.pdf” không khớp với nội dung tệp (PNG)." in html(renamed)
    task.refresh_from_db()
    assert (task.state, task.version, task.evidence.count(), task.progress_reports.count()) == ("accepted", 2, 0, 0)
    good = upload("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n")
    assert good.status_code == 302
    item = task.evidence.get()
    assert (item.name, item.content_type, item.size) == ("bao-cao.pdf", "application/pdf", 15)
    download = owner.get(reverse("tasks:evidence", args=[item.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="bao-cao.pdf"'
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%%EOF\n"  # type: ignore[attr-defined]
