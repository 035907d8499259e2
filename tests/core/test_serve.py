"""``congvu serve``: the production server (gunicorn) answers, serves the static files and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_server import drop_database, free_port, server_env, wait_until_up

CONGVU = [sys.executable, "-m", "congvu"]
PRODUCTION = {
    "CONGVU_MODE": "production",
    "CONGVU_SECRET_KEY": "serve-test-" + "k" * 60,
    "CONGVU_ALLOWED_HOSTS": "127.0.0.1",
    "CONGVU_SSL_REDIRECT": "off",  # no HTTPS proxy in front of the test server
}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("serve-data")
    env = server_env(data_dir, prefix="congvu_serve")
    try:
        subprocess.run([*CONGVU, "migrate", "-v0"], env=env, check=True, capture_output=True, timeout=300)
        yield data_dir, env
    finally:
        drop_database(env)


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.parametrize("mode", ["development", "production"])
def test_serve_answers_serves_static_files_and_stops_on_sigterm(
    migrated: tuple[Path, dict[str, str]], mode: str
) -> None:
    data_dir, env = migrated
    env = env | (PRODUCTION if mode == "production" else {})
    port = free_port()
    log_path = data_dir / f"serve-{mode}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*CONGVU, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server, log_path)
            status, kind, body = _get(f"{url}/health/")
            assert (status, kind) == (200, "application/json")
            assert b'"status": "ok"' in body

            # The page links the stylesheet (with a hashed name in production) and the server itself serves it.
            status, _kind, page = _get(f"{url}/feedback/")
            assert status == 200
            found = re.search(r'href="(/static/congvu/congvu(\.[0-9a-f]{12})?\.css)"', page.decode())
            assert found is not None
            assert (found.group(2) is not None) == (mode == "production")
            status, kind, css = _get(url + found.group(1))
            assert (status, kind.split(";")[0]) == (200, "text/css")
            assert css == (Path(__file__).parents[2] / "congvu/core/static/congvu/congvu.css").read_bytes()
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=60)
    output = log_path.read_text()
    assert code == 0, output
    assert "Shutting down: Master" in output
    assert "Traceback" not in output
