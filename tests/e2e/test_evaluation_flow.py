"""End-to-end: a supervisor reviews, decides and explains a division head's month, blocked by the quota first.

Sở Tài chính's director gives the head of Phòng Ngân sách a task due in a month that holds no
other work of theirs, the head does it, opens the month's sheet and assesses himself; the
director reviews, records the leadership's collective comments, tries to decide (the HTXS quota of the division's leaders is 0, so the
decision is blocked), records the reason for exceeding it, decides, and reads why.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_task_flow import act, person_id, session

pytestmark = pytest.mark.e2e


def test_review_decide_and_explain_a_division_heads_month(browser: Browser, live_url: str) -> None:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    due = (today.replace(day=1) + timedelta(days=130)).replace(day=15)  # a month with no other work of theirs
    month = f"{due:%Y-%m}"
    head = session(browser, live_url, "truongphong")
    director = session(browser, live_url, "giamdoc")
    head_id = person_id(head, live_url)
    budget_code = head.request.get(f"{live_url}/api/v1/units").json()["items"][0]["code"]

    director.goto(f"{live_url}/tasks/new/")
    director.locator('[name="title"]').fill("Báo cáo chuyên đề thu ngân sách")
    director.locator('[name="lead_unit_code"]').fill(budget_code)
    director.locator('[name="owner_id"]').fill(head_id)
    director.locator('[name="deadline"]').fill(due.isoformat())
    director.locator('[name="directive"]').select_option(index=1)
    director.locator('[name="products"]').fill("BC-CD | 2")
    director.get_by_role("button", name="Giao nhiệm vụ").click()
    task_url = director.url
    head.goto(task_url)
    act(head, "accept", {"plan": f"Dự thảo | {due:%d/%m/%Y}"})
    head.locator('form[data-action="submit"] input[type="checkbox"]').first.check()
    head.locator('form[data-action="submit"] button[type="submit"]').click()
    expect(head.locator("#task-state")).to_have_text("Đã trình kết quả")
    director.goto(task_url)
    review = director.locator('form[data-action="review"]')
    review.locator('input[type="radio"][value="accept"]').check()
    review.locator('[name="grade"]').select_option("meets")
    review.locator('button[type="submit"]').click()
    expect(director.locator("#task-bucket")).to_have_text("Hoàn thành đúng hạn")

    # The head opens the month's sheet and assesses himself.
    head.goto(f"{live_url}/evaluation/")
    head.evaluate(
        """([month]) => {
            const form = document.querySelector('form[action$="/evaluation/open/"]');
            form.querySelector('[name="month"]').value = month;
            form.submit();
        }""",
        [month],
    )
    expect(head.locator("#sheet-state")).to_have_text("Đang tự đánh giá")
    expect(head.locator("#sheet-products")).to_contain_text("Báo cáo chuyên đề thu ngân sách")
    sheet_url = head.url
    act(head, "self", {"group_i": "10", "group_ii": "10", "group_iii": "10", "comment": "Hoàn thành tốt"})
    expect(head.locator("#sheet-state")).to_have_text("Chờ cấp trên nhận xét")

    # The director reviews, and the decision is blocked by the quota until a reason is recorded.
    director.goto(sheet_url)
    act(
        director,
        "review",
        {"group_i": "10", "group_ii": "10", "group_iii": "10", "organising": "100", "uniting": "100"},
    )
    expect(director.locator("#preview")).to_contain_text("Tổng điểm 100,00, xếp loại HTXS")
    act(director, "collective", {"held_on": today.isoformat(), "comment": "Tập thể lãnh đạo Sở thống nhất"})
    expect(director.locator("#collective")).to_contain_text("Tập thể lãnh đạo Sở thống nhất")
    decide = director.locator('form[data-action="decide"]')
    decide.locator('[name="number"]').fill("12/QĐ-STC")
    decide.locator('button[type="submit"]').click()
    expect(director.locator("#sheet-error")).to_have_text(
        "Vượt tỷ lệ hoàn thành xuất sắc: tối đa 0 người (20% số người hoàn thành tốt), đề nghị 1, vượt 1. "
        "Hãy điều chỉnh hoặc ghi lý do vượt tỷ lệ."
    )
    expect(director.locator("#sheet-state")).to_have_text("Chờ quyết định")
    act(
        director,
        "decide",
        {"number": "12/QĐ-STC", "quota_override_reason": "Phòng được UBND tỉnh công nhận tập thể xuất sắc"},
    )
    expect(director.locator("#sheet-state")).to_have_text("Đã quyết định")
    decision = director.locator("#decision-1")
    expect(decision.locator(".result")).to_contain_text("Tổng điểm 100,00, xếp loại HTXS")
    expect(decision).to_contain_text("Phòng được UBND tỉnh công nhận tập thể xuất sắc")
    # Why this score: every line with its rule, and the task it came from.
    expect(decision.locator('tr[data-key="a"]')).to_contain_text("100")
    expect(decision.locator('tr[data-key="total"]')).to_contain_text("Nghị định 335/2025")
    decision.locator('tr[data-key="a"] a').first.click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Báo cáo chuyên đề thu ngân sách")

    # The head reads the same decision; nobody else's sheet is open to him.
    head.goto(sheet_url)
    expect(head.locator("#decision-1 .result")).to_contain_text("xếp loại HTXS")
    for context in (head.context, director.context):
        context.close()
