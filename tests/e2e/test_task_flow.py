"""End-to-end: from a meeting's conclusions to a done, graded task, in a real Chromium.

Sở Tài chính's director records a meeting and assigns a task from its conclusions to the
head of Phòng Ngân sách, who accepts it with a plan, asks for an extension, reports a
difficulty and asks Sở Nội vụ for input; the director approves the extension and answers
the difficulty, Sở Nội vụ answers, the head reports progress with an evidence file and
submits, and the director accepts the result with a grade.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from congvu.core.workcal import default_calendar
from congvu.demo.generator import PROVINCE_CODE
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def session(browser: Browser, live_url: str, username: str) -> Page:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    return page


def person_id(page: Page, live_url: str) -> str:
    page.goto(f"{live_url}/accounts/profile/")
    href = page.locator("dl.facts a").first.get_attribute("href") or ""
    found = re.search(r"/(\d+)/$", href)
    assert found, href
    return found.group(1)


def act(page: Page, key: str, fields: dict[str, str], radio: str | None = None) -> None:
    form = page.locator(f'form[data-action="{key}"]')
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    if radio is not None:
        form.locator(f'input[type="radio"][value="{radio}"]').check()
    form.locator('button[type="submit"]').click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận")


def test_meeting_to_done_task(browser: Browser, live_url: str) -> None:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    deadline = default_calendar().add_working_days(today, 10)
    head = session(browser, live_url, "truongphong")
    director = session(browser, live_url, "giamdoc")
    home_affairs = session(browser, live_url, "noivu")
    head_id, director_id = person_id(head, live_url), person_id(director, live_url)
    budget_code = head.request.get(f"{live_url}/api/v1/units").json()["items"][0]["code"]

    # The director records the meeting and its conclusions.
    director.goto(f"{live_url}/tasks/meetings/new/")
    director.locator('[name="title"]').fill("Giao ban Sở Tài chính tháng 11")
    director.locator('[name="held_on"]').fill(today.isoformat())
    director.locator('[name="unit_code"]').fill(f"{PROVINCE_CODE}.STC")
    director.locator('[name="chair_id"]').fill(director_id)
    director.locator('[name="attendee_ids"]').fill(head_id)
    director.locator('[name="conclusions"]').fill("1. Phòng Ngân sách rà soát định mức chi sự nghiệp sau sắp xếp.")
    director.get_by_role("button", name="Lưu").click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Giao ban Sở Tài chính tháng 11")
    expect(director.locator("#conclusions")).to_contain_text("rà soát định mức chi")

    # ... and assigns a task from them.
    director.get_by_role("link", name="Giao nhiệm vụ từ kết luận này").click()
    director.locator('[name="title"]').fill("Rà soát định mức chi sự nghiệp sau sắp xếp")
    director.locator('[name="lead_unit_code"]').fill(budget_code)
    director.locator('[name="owner_id"]').fill(head_id)
    director.locator('[name="working_days"]').fill("10")
    director.locator('[name="clause"]').fill("Kết luận 1")
    director.locator('[name="products"]').fill("BC-CD | 1")
    director.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Rà soát định mức chi sự nghiệp sau sắp xếp")
    task_url = director.url
    expect(director.locator("#task-state")).to_have_text("Đã giao")

    # The head accepts with a plan, asks for more time, reports a difficulty and asks Sở Nội vụ for input.
    head.goto(task_url)
    act(head, "accept", {"plan": f"Thu thập số liệu các xã | {deadline:%d/%m/%Y}"})
    expect(head.locator("#task-state")).to_have_text("Đã tiếp nhận")
    extended = deadline + timedelta(days=7)
    act(
        head,
        "extension_request",
        {"proposed_deadline": extended.isoformat(), "reason": "Chờ số liệu của các xã mới"},
    )
    act(head, "difficulty", {"description": "Chưa có định mức cho đơn vị sự nghiệp mới thành lập"})
    act(
        head,
        "coordination",
        {"to_unit_code": f"{PROVINCE_CODE}.SNV", "request": "Cho ý kiến về biên chế", "due": today.isoformat()},
    )
    expect(head.locator("#difficulties")).to_contain_text("Chưa trả lời")
    expect(head.locator("#coordinations")).to_contain_text("Chờ trả lời")

    # The director approves the extension and answers the difficulty.
    director.goto(task_url)
    act(director, "extension_decide", {"note": "Đồng ý"}, radio="approve")
    answer = director.locator('form[data-action^="difficulty_answer-"]')
    answer.locator('[name="answer"]').fill("Áp dụng định mức của đơn vị cùng loại")
    answer.locator('button[type="submit"]').click()
    expect(director.get_by_role("status")).to_contain_text("Đã ghi nhận")
    expect(director.locator("#difficulties")).to_contain_text("Áp dụng định mức của đơn vị cùng loại")

    # Sở Nội vụ answers the request for input, on time.
    home_affairs.goto(task_url)
    reply = home_affairs.locator('form[data-action^="coordination_answer-"]')
    reply.locator('[name="answer"]').fill("Thống nhất biên chế theo Đề án")
    reply.locator('button[type="submit"]').click()
    expect(home_affairs.locator("#coordinations")).to_contain_text("Trả lời đúng hạn")

    # The head reports progress with an evidence file and submits.
    head.goto(task_url)
    head.locator('form[data-action="progress"] [name="evidence_files"]').set_input_files(
        {"name": "bao-cao-tien-do.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    act(head, "progress", {"percent": "100", "note": "Đã xong dự thảo báo cáo"})
    expect(head.locator("#evidence")).to_contain_text("bao-cao-tien-do.pdf")
    head.locator('form[data-action="submit"] input[type="checkbox"]').first.check()
    head.locator('form[data-action="submit"] button[type="submit"]').click()
    expect(head.locator("#task-state")).to_have_text("Đã trình kết quả")

    # The director accepts the result with a grade: done, on time (the deadline was extended).
    director.goto(task_url)
    form = director.locator('form[data-action="review"]')
    form.locator('input[type="radio"][value="accept"]').check()
    form.locator('[name="grade"]').select_option("meets")
    form.locator('button[type="submit"]').click()
    expect(director.locator("#task-state")).to_contain_text("Hoàn thành")
    expect(director.locator("#task-state")).to_contain_text("Đạt yêu cầu")
    expect(director.locator("#task-bucket")).to_have_text("Hoàn thành đúng hạn")
    expect(director.locator("dl.facts")).to_contain_text(f"hạn ban đầu {deadline:%d/%m/%Y}")

    # The meeting page lists the task as done; the timeline keeps every step.
    director.get_by_role("link", name=re.compile("Giao ban Sở Tài chính tháng 11")).click()
    expect(director.locator("#meeting-tasks")).to_contain_text("Hoàn thành")
    for context in (head.context, director.context, home_affairs.context):
        context.close()
