"""End-to-end: a citizen submits on the portal, staff accept, answer and publish, the citizen rates and reopens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_task_flow import session

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_citizen_to_answer_and_back(browser: Browser, live_url: str) -> None:
    citizen = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    citizen.set_default_timeout(15_000)
    citizen.goto(f"{live_url}/feedback/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Gửi phản ánh, kiến nghị")
    citizen.get_by_label("Lĩnh vực").select_option(label="Phí, lệ phí và ngân sách xã")
    citizen.get_by_label("Nội dung phản ánh, kiến nghị").fill(
        "Xã thu tiền đóng góp xây dựng trường học không có biên lai, đề nghị kiểm tra."
    )
    citizen.get_by_label("Địa điểm (nếu có)").fill("Thôn Đông, xã An Phú")
    citizen.locator('[name="attachments"]').set_input_files(
        {"name": "phieu-thu.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    citizen.wait_for_timeout(3200)  # the portal refuses forms filled faster than people can
    citizen.get_by_role("button", name="Gửi phản ánh").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Đã nhận phản ánh của bạn")
    code = citizen.locator("#tracking-code").inner_text()
    number = citizen.locator("#public-id").inner_text()
    assert len(code) == 22 and len(number) == 13

    # Staff of Phòng Ngân sách accept and draft; the head approves and publishes.
    clerk = session(browser, live_url, "chuyenvien")
    clerk.goto(f"{live_url}/feedback/inbox/")
    clerk.get_by_label("Số phản ánh hoặc nội dung").fill(number)
    clerk.get_by_role("button", name="Lọc").click()
    expect(clerk.get_by_label("Số phản ánh hoặc nội dung")).to_have_value(number)
    expect(clerk.locator("#inbox tbody tr")).to_have_count(1)
    clerk.locator("#inbox tbody tr").first.get_by_role("link").click()
    expect(clerk.locator("#feedback-state")).to_have_text("Mới tiếp nhận")
    expect(clerk.locator("#public-id")).to_have_text(number)
    assert code not in clerk.content()  # staff never see the submitter's tracking code
    form = clerk.locator("#feedback-action")
    form.locator('[name="action"]').select_option("accept")
    form.get_by_role("button", name="Ghi nhận").click()
    expect(clerk.locator("#feedback-state")).to_have_text("Đang xử lý")
    form = clerk.locator("#feedback-action")
    form.locator('[name="action"]').select_option("draft")
    form.locator('[name="answer"]').fill("Sở Tài chính đã yêu cầu xã hoàn trả các khoản thu không có biên lai.")
    form.get_by_role("button", name="Ghi nhận").click()
    expect(clerk.locator("#feedback-state")).to_have_text("Chờ lãnh đạo duyệt trả lời")
    detail_url = clerk.url
    head = session(browser, live_url, "truongphong")
    head.goto(detail_url)
    form = head.locator("#feedback-action")
    form.locator('[name="action"]').select_option("publish")
    form.get_by_role("button", name="Ghi nhận").click()
    expect(head.locator("#feedback-state")).to_have_text("Đã trả lời")

    # The citizen reads the answer with the code, rates it, and reopens it.
    citizen.goto(f"{live_url}/feedback/lookup/")
    citizen.get_by_label("Mã tra cứu").fill(code)
    citizen.get_by_role("button", name="Tra cứu").click()
    expect(citizen.locator("#answer")).to_contain_text("hoàn trả các khoản thu không có biên lai")
    rate = citizen.locator('form[data-action="rate"]')
    rate.locator('input[value="unsatisfied"]').check()
    rate.locator('[name="reason"]').fill("Xã chưa hoàn trả")
    rate.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.locator("#rating")).to_contain_text("Không hài lòng — Xã chưa hoàn trả")
    reopen = citizen.locator('form[data-action="reopen"]')
    reopen.locator('[name="reason"]').fill("Đến nay xã vẫn chưa hoàn trả tiền")
    reopen.get_by_role("button", name="Mở lại").click()
    expect(citizen.locator("#feedback-state")).to_have_text("Đang xử lý")
    expect(citizen.locator("#status-note")).to_have_text("Đến nay xã vẫn chưa hoàn trả tiền")
    for page in (citizen, clerk, head):
        page.context.close()


def test_home_affairs_routes_by_place_and_the_submission_lands_there(browser: Browser, live_url: str) -> None:
    """Sở Nội vụ adds a routing rule and tries it; a citizen's report from that place goes to that unit."""
    officer = session(browser, live_url, "noivu")
    officer.goto(f"{live_url}/feedback/routing/")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Quy tắc chuyển xử lý phản ánh")
    new = officer.locator("#routing-new")
    new.get_by_label("Lĩnh vực (bỏ trống: mọi lĩnh vực)").select_option(label="Hạ tầng, giao thông, chiếu sáng")
    new.get_by_label("Địa chỉ có chứa (vd. tên xã, phường)").fill("Thôn Bắc Sơn")
    new.get_by_label("Mã đơn vị xử lý").fill("AH.SNNMT")
    new.get_by_label("Thứ tự ưu tiên (nhỏ trước)").fill("5")
    new.get_by_role("button", name="Thêm").click()
    expect(officer.locator("#routing-rules tbody tr").first).to_contain_text("“Thôn Bắc Sơn”")
    tester = officer.locator("#routing-test")
    tester.get_by_label("Lĩnh vực").select_option(label="Hạ tầng, giao thông, chiếu sáng")
    tester.get_by_label("Địa chỉ").fill("thon bac son, xã An Phú")
    tester.get_by_role("button", name="Xem đơn vị xử lý").click()
    expect(officer.locator("#routing-result")).to_contain_text("(AH.SNNMT)")
    unit_name = officer.locator("#routing-result").inner_text().split(": ", 1)[1].rsplit(" (", 1)[0]

    citizen = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    citizen.set_default_timeout(15_000)
    citizen.goto(f"{live_url}/feedback/")
    citizen.get_by_label("Lĩnh vực").select_option(label="Hạ tầng, giao thông, chiếu sáng")
    citizen.get_by_label("Nội dung phản ánh, kiến nghị").fill("Cống thoát nước tại thôn bị tắc, nước tràn lên đường.")
    citizen.get_by_label("Địa điểm (nếu có)").fill("Thôn Bắc Sơn, xã An Phú")
    citizen.wait_for_timeout(3200)
    citizen.get_by_role("button", name="Gửi phản ánh").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Đã nhận phản ánh của bạn")
    number = citizen.locator("#public-id").inner_text()

    officer.goto(f"{live_url}/feedback/inbox/?q={number}")
    row = officer.locator("#inbox tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text(unit_name)
    for page in (officer, citizen):
        page.context.close()
