"""A real Công Vụ server (subprocess) on its own database, driven by Debian's Chromium.

The server gets a fresh SQLite file, or a fresh PostgreSQL database when the tests
run with a PostgreSQL ``DATABASE_URL``; it is built with ``congvu demo --no-serve``
exactly as a user would, then served with ``congvu runserver``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

DEMO_PASSWORD = "E2e-mat-khau-2026"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVU_")}
    env |= {"CONGVU_DATA_DIR": str(data_dir), "CONGVU_DEMO_PASSWORD": DEMO_PASSWORD}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"congvu_e2e_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        env.pop("DATABASE_URL", None)
    return env


def _drop_database(env: dict[str, str]) -> None:
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = _server_env(data_dir)
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    # Exactly what a user runs: the demo command builds the province and serves it (with its job worker).
    server = subprocess.Popen(
        [sys.executable, "-m", "congvu", "demo", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/health/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start: " + (data_dir / "server.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        _drop_database(env)


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
