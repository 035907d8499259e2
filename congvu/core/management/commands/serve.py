"""``congvu serve [--port P] [--bind ADDRESS] [--workers N] [--threads T]``: the production web server.

Runs gunicorn (a WSGI server made for production, unlike ``runserver``) on the project's WSGI
application, in this process: collects the static files first (the application serves them itself,
through WhiteNoise, so no other web server has to be set up for them), then starts the workers.
SIGTERM stops it gracefully: the workers finish the requests in progress (up to ``--graceful-timeout``
seconds) and the command exits 0. Put an HTTPS reverse proxy in front of it and list the proxy's
address in ``CONGVU_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.db import connections
from gunicorn.app.base import BaseApplication


def cpu_count() -> int:
    """The processors this process may run on (a container's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    return 2 * cpu_count() + 1


class CongvuServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn configured from a dict, serving Django's WSGI handler (loaded once, before the fork)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIHandler:
        return get_wsgi_application()


def _positive(value: Any, option: str, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= high:
        raise CommandError(
            f"{option} phải là số nguyên từ 1 đến {high} / {option} must be an integer from 1 to {high} "
            f"(nhận được / got: {value!r})"
        )
    return number


class Command(BaseCommand):
    help = "Chạy máy chủ web cho môi trường thật (gunicorn) / run the production web server (gunicorn)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe / address (default 127.0.0.1)")
        parser.add_argument("--port", default=8000, help="cổng / port (default 8000)")
        parser.add_argument(
            "--bind", default="", help="HOST:PORT or unix:PATH, instead of --host/--port (gunicorn's --bind)"
        )
        parser.add_argument(
            "--workers",
            default=None,
            help=f"số tiến trình / worker processes (default 2 × processors + 1 = {default_workers()})",
        )
        parser.add_argument(
            "--threads",
            default=2,
            help="số luồng mỗi tiến trình / threads per worker (default 2: a request waiting for the database "
            "does not hold up the others of its worker; 1: gunicorn's sync worker)",
        )
        parser.add_argument(
            "--timeout", default=60, help="giây tối đa cho một yêu cầu / seconds before a stuck worker is restarted"
        )
        parser.add_argument(
            "--graceful-timeout",
            default=30,
            help="giây chờ các yêu cầu đang xử lý khi dừng / seconds to finish requests on SIGTERM",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="ghi nhật ký truy cập ra stdout / access log on stdout"
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="không chạy collectstatic trước / do not collect the static files first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = _positive(options["port"], "--port", 65535)
        bind = str(options["bind"] or f"{options['host']}:{port}")
        workers = _positive(options["workers"] or default_workers(), "--workers", 256)
        threads = _positive(options["threads"], "--threads", 256)
        timeout = _positive(options["timeout"], "--timeout", 86400)
        graceful = _positive(options["graceful_timeout"], "--graceful-timeout", 86400)
        if not options["no_collectstatic"]:
            # The stylesheets the pages link to, served from STATIC_ROOT by WhiteNoise (hashed names in production).
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the workers are forked from this process: they must not share its connections
        self.stdout.write(
            f"Công Vụ: http://{bind} — {workers} tiến trình / workers × {threads} luồng / threads "
            f"({'production' if settings.PRODUCTION else 'development'}; Ctrl+C hoặc / or SIGTERM để dừng / to stop)"
        )
        self.stdout.flush()
        CongvuServer(
            {
                "bind": [bind],
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "timeout": timeout,
                "graceful_timeout": graceful,
                "keepalive": 5,
                "accesslog": "-" if options["access_log"] else None,
                "errorlog": "-",
                "loglevel": "info",
                "preload_app": True,  # Django is imported once; the workers share its memory
                "proc_name": "congvu",
                "control_socket_disable": True,  # no control socket in $HOME shared by every instance
            }
        ).run()
