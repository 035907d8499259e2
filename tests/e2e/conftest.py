"""A real Công Vụ server (subprocess) on its own database, driven by Debian's Chromium.

The server gets a fresh SQLite file, or a fresh PostgreSQL database when the tests
run with a PostgreSQL ``DATABASE_URL``; it is built with ``congvu demo --no-serve``
exactly as a user would, then served with ``congvu runserver``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.live_server import DEMO_PASSWORD as DEMO_PASSWORD  # the tests sign in with it
from tests.live_server import drop_database, free_port, server_env, wait_until_up

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def live_url(served_demo: tuple[str, dict[str, str]]) -> str:
    return served_demo[0]


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo served as a user runs it: its address and the environment of its database."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = server_env(data_dir)
    port = free_port()
    log = (data_dir / "server.log").open("w")
    # Exactly what a user runs: the demo command builds the province and serves it (with its job worker).
    server = subprocess.Popen(
        [sys.executable, "-m", "congvu", "demo", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server, data_dir / "server.log")
        yield url, env
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        drop_database(env)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("CONGVU_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)  # only on a developer machine without Chromium; CI requires it
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
