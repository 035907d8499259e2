"""A real Công Vụ server in a subprocess, on its own database: shared by the browser and serve tests.

The server gets a fresh SQLite file in its data directory, or a fresh PostgreSQL database (on the
server of the tests' ``DATABASE_URL``) when the tests run on PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg

DEMO_PASSWORD = "E2e-mat-khau-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, prefix: str = "congvu_e2e") -> dict[str, str]:
    """The environment of a server on a fresh database (``prefix`` and the pid name a PostgreSQL one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVU_")}
    env |= {"CONGVU_DATA_DIR": str(data_dir), "CONGVU_DEMO_PASSWORD": DEMO_PASSWORD}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"{prefix}_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        env.pop("DATABASE_URL", None)
    return env


def drop_database(env: dict[str, str]) -> None:
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, attempts: int = 300) -> None:
    """Wait for ``url/health/`` to answer 200; RuntimeError with the server's log if it never does."""
    for _ in range(attempts):
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start: " + log.read_text())
