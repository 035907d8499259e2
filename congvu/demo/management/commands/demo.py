"""``congvu demo [--scale N] [--port P] [--no-serve]``: the demo province, its accounts, the server.

Applies the migrations, creates the fictional province (skipped when it already
exists, so re-running duplicates nothing), makes sure the seven demo accounts exist
with the demo password, prints how to sign in and, unless ``--no-serve``, runs the
development server on 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from congvu.core.jobs import start_worker_threads
from congvu.core.policy import Role
from congvu.demo.generator import DemoSummary, ensure_accounts, generate

PASSWORD_FILE = "demo-password.txt"
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def _bounded_int(value: Any, option: str, low: int, high: int) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value)
        if isinstance(value, float) and number != value:
            raise ValueError
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise CommandError(
            f"{option} phải là số nguyên từ {low} đến {high} / "
            f"{option} must be an integer from {low} to {high} (nhận được / got: {value!r})"
        )
    return number


def _new_password() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


def demo_password() -> tuple[str, str]:
    """The demo password and where it comes from.

    ``CONGVU_DEMO_PASSWORD`` when set; otherwise the one kept in ``DATA_DIR/demo-password.txt``
    (mode 0600), generated on the first run so that later runs print the same one.
    """
    configured = str(getattr(settings, "CONGVU_DEMO_PASSWORD", "") or "").strip()
    if configured:
        return configured, "CONGVU_DEMO_PASSWORD"
    path = Path(settings.DATA_DIR) / PASSWORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            path.chmod(0o600)
            return stored, str(path)
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC)
    password = _new_password()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)
    return password, str(path)


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Tạo tỉnh minh họa Tỉnh An Hòa và các tài khoản mẫu, rồi chạy máy chủ / demo province, accounts, server."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale", default=1, help="quy mô 1–1000: khoảng 1.000 × N cán bộ, 10 × N xã / size (default 1)"
        )
        parser.add_argument("--port", default=8000, help="cổng máy chủ / server port (default 8000)")
        parser.add_argument(
            "--no-serve", action="store_true", help="không chạy máy chủ / prepare only, do not run the server"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = _bounded_int(options["scale"], "--scale", 1, 1000)
        port = _bounded_int(options["port"], "--port", 1, 65535)
        verbose = int(options.get("verbosity", 1)) >= 1

        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        result = generate(scale=scale, progress=self.stdout.write if verbose else None)
        elapsed = time.monotonic() - started
        password, source = demo_password()
        accounts = ensure_accounts(password)
        self._print(result, elapsed, scale, port, password, source, accounts, serve=not options["no_serve"])
        if not options["no_serve"]:
            start_worker_threads()  # imports from the web page run as background jobs
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _print(
        self,
        result: DemoSummary,
        elapsed: float,
        scale: int,
        port: int,
        password: str,
        source: str,
        accounts: list[tuple[str, str, str]],
        *,
        serve: bool,
    ) -> None:
        write = self.stdout.write
        rule = "=" * 72
        write(rule)
        write(self.style.SUCCESS(f"Công Vụ — tỉnh minh họa / demo province: {result.province}"))
        counts = (
            f"{_n(result.units)} đơn vị / units, {_n(result.people)} cán bộ / people, "
            f"{_n(result.appointments)} bổ nhiệm / appointments"
        )
        if result.created:
            write(f"  Đã tạo (quy mô {scale}) / created (scale {scale}) in {elapsed:.1f} s: {counts}")
        else:
            write(f"  Đã có sẵn, không tạo lại / already present, nothing regenerated: {counts}")
        url = f"http://127.0.0.1:{port}/"
        if serve:
            write(f"  Địa chỉ / URL: {url}")
        else:
            write(f"  Máy chủ không chạy (--no-serve) / server not started; địa chỉ khi chạy / URL when served: {url}")
        write(f"  Mật khẩu chung / shared password: {password}   (nguồn / from: {source})")
        write("  Tài khoản / accounts:")
        for username, role, scope in accounts:
            write(f"    {username:<12} {Role(role).label!s:<26} {scope}")
        write(rule)
