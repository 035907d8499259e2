"""End-to-end: login and the organisation pages in a real Chromium against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from congvu.demo.generator import PROVINCE_CODE
from tests.e2e.conftest import DEMO_PASSWORD
from tests.org.import_corpus import org_workbook

pytestmark = pytest.mark.e2e


def sign_in(page: Page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def test_login_by_keyboard_after_a_wrong_password(page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.keyboard.type("truongphong")  # the username field has focus
    page.keyboard.press("Tab")
    page.keyboard.type("sai-mat-khau")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_label("Mật khẩu").press("Enter")
    expect(page).to_have_url(f"{live_url}/")
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_contain_text("Tổ chức")


def test_skip_link_is_the_first_tab_stop(page: Page, live_url: str) -> None:
    sign_in(page, live_url, "admin")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Bỏ qua, đến nội dung chính"


def test_tree_loads_children_on_demand_and_opens_a_unit(page: Page, live_url: str) -> None:
    sign_in(page, live_url, "admin")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Tổ chức").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cơ cấu tổ chức")
    root = page.get_by_role("treeitem").first
    expect(root.get_by_role("group").get_by_role("treeitem")).to_have_count(0)
    root.get_by_role("button").first.click()
    children = root.get_by_role("group").first.get_by_role("treeitem")
    expect(children.first).to_be_visible()
    assert children.count() == 30  # 16 agencies, 4 service units and 10 communes at scale 1
    expect(root).to_have_attribute("aria-expanded", "true")
    link = children.first.get_by_role("link").first
    name = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Lịch sử tổ chức")).to_be_visible()
    expect(page.get_by_role("heading", name="Nhật ký thay đổi")).to_be_visible()


def test_division_head_sees_own_unit_and_masked_ids(page: Page, live_url: str) -> None:
    sign_in(page, live_url, "truongphong")
    page.goto(f"{live_url}/org/people/")
    first = page.locator("#people tbody a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    pid = page.locator("#pid .code")
    expect(pid).to_have_text(re.compile(r"^(—|•{9}\d{3})$"))
    expect(page.get_by_role("button", name=re.compile("Xem đầy đủ"))).to_have_count(0)


def test_home_affairs_reveals_an_id_and_it_is_logged(page: Page, live_url: str) -> None:
    sign_in(page, live_url, "noivu")
    page.goto(f"{live_url}/org/people/")
    page.get_by_label("Tìm theo họ tên").fill("a")
    page.locator("#people tbody a").first.click()
    reveal = page.get_by_role("button", name=re.compile("Xem đầy đủ"))
    if reveal.count():
        reveal.click()
        expect(page.locator("#pid")).to_contain_text("Lượt xem này đã được ghi nhật ký.")
        expect(page.locator("#pid .code")).to_have_text(re.compile(r"^\d{12}$"))
        page.goto(f"{live_url}/audit/")
        expect(page.locator("table.audit tbody tr").first).to_contain_text("org.person.pid_view")


def test_language_switch_to_english(page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Ngôn ngữ").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_import_from_the_web_page_runs_as_a_job(page: Page, live_url: str, tmp_path: Path) -> None:
    good = org_workbook(
        tmp_path / "good.xlsx",
        units=[["E2E.01", "Phòng Thử nghiệm", None, "division", PROVINCE_CODE, "01/07/2025", 1]],
        people=[["001090000777", "Hà Thị Thu", "01/02/1990", "Nữ", None, None]],
        posts=[["001090000777", None, None, "chuyen_vien", None, "E2E.01", None, "01/08/2025", None, None, None]],
    )
    bad = org_workbook(
        tmp_path / "bad.xlsx", units=[["E2E.02", "Phòng Lỗi", None, "division", "KHONG-CO", "01/07/2025", 1]]
    )
    sign_in(page, live_url, "noivu")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Nhập Excel").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Nhập").click()
    expect(page.locator("#run")).to_contain_text("Hoàn tất", timeout=30_000)
    expect(page.locator("table.summary")).to_contain_text("Thêm mới")
    page.get_by_role("link", name="Nhập tệp khác").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Nhập").click()
    expect(page.locator("#run")).to_contain_text("Có lỗi, không ghi dữ liệu", timeout=30_000)
    expect(page.locator("table.errors tbody tr")).to_have_count(1)
    expect(page.locator("table.errors tbody tr")).to_contain_text("DonVi")
