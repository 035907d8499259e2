"""Load on the public feedback portal, served by the production server (``congvu serve``).

``uv run python -m benchmarks.portal_load [--duration 300] [--clients 50] [--sqlite] [--pg URL]``

For each database (SQLite in a fresh data directory, and/or PostgreSQL: the database of ``--pg``,
dropped and recreated, its name must start with ``bench``): migrate, build the demo province
(``congvu demo --no-serve``: the catalogue of services the portal offers), start ``congvu serve`` in
production mode on a free port between 18000 and 18999, then run ``--clients`` simulated citizens for
``--duration`` seconds. Each citizen, in a loop, as a new citizen each time (a new address):

1. GETs ``/feedback/`` and reads the CSRF token and the form's hidden ``shown_at`` token, which
   carries the portal's idempotency key (the portal takes no ``Idempotency-Key`` header, that is
   Open311's: the key is in the signed form, so a re-sent form is the same submission);
2. waits ``--think`` seconds (at least the portal's minimum fill time, ``MIN_FILL_SECONDS``: the honeypot
   stays empty and the minimum fill time is respected, nothing in the server is relaxed);
3. POSTs the form (multipart, as a browser does) and reads the tracking code and public number.

A fraction of the citizens (``--retry``) lose the response and send the same form again; another
(``--double``) double-click, sending the same form twice at the same moment; another (``--photo``) attach a
photo (1600×1200 JPEG with EXIF, which the portal re-encodes without it). The server sits behind a pretend
reverse proxy: ``CONGVU_TRUSTED_PROXIES=127.0.0.1``, each citizen has its own ``X-Forwarded-For`` address
(so the per-address limit counts each citizen) and ``X-Forwarded-Proto: https``. Before measuring, ten
citizens submit once and ten reference rows are inserted (the workers' first requests load templates).

After the run the database is read directly: every acknowledged submission must be there exactly once
with the tracking code the citizen was given (0 missing, 0 duplicates), with its photo if it had one,
with one idempotency record; every re-sent form must have got the first answer's code; there must be no
5xx answer and no connection error.

Then, against the same server, the reference: ``/bench/insert/`` (``benchmarks.load_site``), a bare
Django view that inserts one row, under the same pattern (GET the CSRF token, wait, POST) with the same
number of clients, for ``--reference-duration`` seconds (default: the same duration). The ratio is the
portal's POST latency over the reference's. The CPU time of the server's processes (from /proc) per
request is given too: unlike latencies, it hardly depends on what else the machine is doing.

The load generator (threads, ``http.client``) runs on the same machine as the server and the database.
:func:`measure` returns the measurements as a dict (``{"settings": {...}, "databases": [{"database":
"SQLite", "portal": {...}, "reference": {...}, "ratio_p50": …, "ratio_p99": …, "ok": bool}, ...]}``);
:func:`markdown` formats them as a table.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.run import CONGVU, ROOT, recreate_pg_database

PORTS = range(18000, 19000)
HOST = "127.0.0.1"
DEMO_PASSWORD = "Bench-mat-khau-2026"
TARGET_P99_MS = 250.0
# The reference's table (``benchmarks.load_site`` inserts into it), made with plain SQL before the server starts.
REFERENCE_TABLE = "bench_insert"
CREATE_TABLE = f"CREATE TABLE {REFERENCE_TABLE} (client VARCHAR(100) NOT NULL, created_at DOUBLE PRECISION NOT NULL)"


def min_fill_seconds() -> float:
    """The portal's minimum fill time (``congvu.feedback.forms.MIN_FILL_SECONDS``), read without Django."""
    text = (ROOT / "congvu/feedback/forms.py").read_text(encoding="utf-8")
    found = re.search(r"^MIN_FILL_SECONDS\s*=\s*([0-9.]+)", text, re.MULTILINE)
    if found is None:
        raise RuntimeError("MIN_FILL_SECONDS not found in congvu/feedback/forms.py")
    return float(found.group(1))


# -- the database and the server ----------------------------------------------------------------


def _env(data_dir: Path, pg: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVU_") and k != "DATABASE_URL"}
    env |= {
        "CONGVU_DATA_DIR": str(data_dir),
        "CONGVU_DEMO_PASSWORD": DEMO_PASSWORD,
        "CONGVU_MODE": "production",  # what a province runs: DEBUG off, hashed static files, secure cookies
        "CONGVU_SECRET_KEY": secrets.token_urlsafe(64),
        "CONGVU_ALLOWED_HOSTS": HOST,
        "CONGVU_TRUSTED_PROXIES": HOST,  # the pretend reverse proxy: X-Forwarded-For names the citizen
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
    }
    if pg:
        env["DATABASE_URL"] = pg
    return env


def _free_port() -> int:
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}–{PORTS.stop - 1}")


@dataclass
class Database:
    label: str
    env: dict[str, str]
    pg: str | None
    data_dir: Path

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        if self.pg:
            import psycopg

            with psycopg.connect(self.pg, autocommit=True) as conn, conn.cursor() as cur:
                yield cur
        else:
            lite = sqlite3.connect(self.data_dir / "congvu.sqlite3", timeout=30)
            try:
                yield lite.cursor()
                lite.commit()
            finally:
                lite.close()

    @property
    def placeholder(self) -> str:
        return "%s" if self.pg else "?"


def prepare(label: str, pg: str | None) -> Database:
    """A fresh database: migrated, with the demo province, and the reference's table."""
    data_dir = Path(tempfile.mkdtemp(prefix="cv-load-"))
    if pg:
        recreate_pg_database(pg)
    db = Database(label, _env(data_dir, pg), pg, data_dir)
    subprocess.run([*CONGVU, "migrate", "-v0"], env=db.env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([*CONGVU, "demo", "--no-serve", "-v0"], env=db.env, check=True, capture_output=True, cwd=ROOT)
    with db.cursor() as cur:
        cur.execute(CREATE_TABLE)
    return db


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    exit_code: int | None = None

    def stop(self) -> int:
        if self.exit_code is None:
            self.process.send_signal(signal.SIGTERM)
            self.exit_code = self.process.wait(timeout=90)
        return self.exit_code


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of its living descendants, from /proc (0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, ValueError, IndexError):
        return 0.0
    return own + sum(cpu_seconds(int(child)) for child in children)


def start_server(db: Database, workers: int | None, threads: int | None) -> Server:
    port = _free_port()
    log = db.data_dir / "server.log"
    args = [*CONGVU, "serve", "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    if threads:
        args += ["--threads", str(threads)]
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=db.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("congvu serve stopped: " + log.read_text(errors="replace"))
        try:
            status, _h, _b = _request(port, "GET", "/health/", _proxy_headers(port, HOST))
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError("congvu serve did not answer /health/: " + log.read_text(errors="replace"))


# -- the simulated citizens ---------------------------------------------------------------------


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@dataclass
class Sample:
    kind: str  # "get", "post", "retry", "double"; "ref-get", "ref-post"
    status: int  # 0: connection error or timeout
    seconds: float
    at: float


@dataclass
class Ack:
    marker: str
    code: str
    public_id: str


@dataclass
class Tally:
    """What the clients saw, shared by their threads (under a lock)."""

    samples: list[Sample] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # markers of every form posted (acknowledged or not)
    with_photo: set[str] = field(default_factory=set)  # markers of the forms sent with a photo
    retry_mismatches: int = 0
    replays: int = 0
    errors: list[str] = field(default_factory=list)
    cpu_at_start: tuple[float, float] = (0.0, 0.0)
    cpu: tuple[float, float] = (0.0, 0.0)  # seconds of CPU: the server's (all its processes), the load generator's
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
SHOWN = re.compile(rb'name="shown_at" value="([^"]+)"')
SERVICE = re.compile(rb'<option value="(\d+)"')
CODE = re.compile(rb'id="tracking-code">([^<]+)<')
PUBLIC_ID = re.compile(rb'id="public-id">([^<]+)<')
TEXTS = (
    "Đèn chiếu sáng trên đường liên xã bị hỏng nhiều ngày, đề nghị sửa chữa sớm.",
    "Rác thải tập kết sai nơi quy định gần chợ, gây mùi hôi, đề nghị xử lý.",
    "Hồ sơ chứng thực nộp đã quá hạn hẹn trả mà chưa có kết quả, đề nghị kiểm tra.",
    "Mặt đường bị sụt lún sau mưa lớn, nguy hiểm cho người đi xe máy ban đêm.",
)


def _address(first: int, client: int, iteration: int) -> str:
    n = client * 65_536 + iteration
    return f"{first}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _cookies(headers: http.client.HTTPMessage) -> str:
    return "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])


def _multipart(fields: list[tuple[str, str]], photo: bytes | None) -> tuple[bytes, str]:
    boundary = "----congvuload" + uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    if photo is None:  # the empty file input a browser sends
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
        )
    else:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="anh-hien-truong.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + photo
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def make_photo(width: int = 1600, height: int = 1200) -> bytes:
    """A photo as a phone sends it after the usual resizing (JPEG with EXIF: the portal re-encodes it without)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(1)
    image = Image.new("RGB", (width, height), (120, 140, 160))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(width), rng.randrange(height)
        color = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)), fill=color)
    image = image.filter(ImageFilter.GaussianBlur(1))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x0132] = "2026:11:26 09:00:00"  # DateTime
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, exif=exif)
    return out.getvalue()


def _timed(
    tally: Tally, kind: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, http.client.HTTPMessage | None, bytes]:
    started = time.perf_counter()
    try:
        status, response_headers, content = _request(port, method, path, headers, body)
    except (OSError, http.client.HTTPException) as exc:
        tally.add(Sample(kind, 0, time.perf_counter() - started, started))
        with tally.lock:
            tally.errors.append(f"{kind} {path}: {exc!r}")
        return 0, None, b""
    tally.add(Sample(kind, status, time.perf_counter() - started, started))
    if status >= 500:
        with tally.lock:
            tally.errors.append(f"{kind} {path}: {status} {content[:300]!r}")
    return status, response_headers, content


@dataclass(frozen=True)
class Pattern:
    port: int
    clients: int
    duration: float
    think: float
    retry: float
    double: float
    run: str
    photo: float = 0.0
    photo_bytes: bytes = b""
    once: bool = False  # one iteration per client, started at once (the warm-up)
    server_pid: int = 0  # for the CPU time the server spends


def _proxy_headers(port: int, address: str) -> dict[str, str]:
    return {
        "Host": f"{HOST}:{port}",
        "X-Forwarded-For": address,
        "X-Forwarded-Proto": "https",
        "Accept-Language": "vi",
        "User-Agent": "congvu-portal-load",
    }


def citizen(pattern: Pattern, client: int, deadline: float, tally: Tally) -> None:
    """One simulated citizen after another until the deadline (each with a new address)."""
    rng = random.Random(f"{pattern.run}-{client}")
    if not pattern.once:
        time.sleep(rng.uniform(0, pattern.think))  # do not start all together
    iteration = 0
    while iteration == 0 or (time.monotonic() < deadline and not pattern.once):
        iteration += 1
        headers = _proxy_headers(pattern.port, _address(10, client, iteration))
        status, got, page = _timed(tally, "get", pattern.port, "GET", "/feedback/", headers)
        csrf, shown, services = CSRF.search(page), SHOWN.search(page), SERVICE.findall(page)
        if status != 200 or got is None or csrf is None or shown is None or not services:
            if status == 200:
                with tally.lock:
                    tally.errors.append("the portal form has no CSRF token, shown_at or service")
            time.sleep(1)
            continue
        time.sleep(pattern.think)  # reading and filling in the form
        marker = f"LT{pattern.run}c{client}i{iteration}"  # no run of 9+ digits: the portal masks those
        photo = rng.random() < pattern.photo
        body, content_type = _multipart(
            [
                ("csrfmiddlewaretoken", csrf.group(1).decode()),
                ("service", rng.choice(services).decode()),
                ("description", f"[{marker}] {rng.choice(TEXTS)}"),
                ("address", "Thôn Tân Lập, xã An Phú"),
                ("lat", ""),
                ("long", ""),
                ("name", rng.choice(["", "Nguyễn Văn An", "Trần Thị Bình"])),
                ("contact", rng.choice(["", "an.nguyen@example.vn"])),
                ("website", ""),  # the honeypot people never see
                ("shown_at", shown.group(1).decode()),
            ],
            pattern.photo_bytes if photo else None,
        )
        post_headers = headers | {
            "Content-Type": content_type,
            "Cookie": _cookies(got),
            "Origin": f"https://{HOST}:{pattern.port}",
            "Referer": f"https://{HOST}:{pattern.port}/feedback/",
        }
        with tally.lock:
            tally.sent.append(marker)
            if photo:
                tally.with_photo.add(marker)
        roll = rng.random()
        if roll < pattern.double:
            answers = _double_click(tally, pattern.port, post_headers, body)
        else:
            answers = [_timed(tally, "post", pattern.port, "POST", "/feedback/", post_headers, body)]
            if roll < pattern.double + pattern.retry:  # the answer was lost on the way: send the form again
                answers.append(_timed(tally, "retry", pattern.port, "POST", "/feedback/", post_headers, body))
        _acknowledge(tally, marker, answers)


def _double_click(tally: Tally, port: int, headers: dict[str, str], body: bytes) -> list[tuple[int, Any, bytes]]:
    answers: list[tuple[int, Any, bytes]] = []

    def send() -> None:
        answers.append(_timed(tally, "double", port, "POST", "/feedback/", headers, body))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def _acknowledge(tally: Tally, marker: str, answers: list[tuple[int, Any, bytes]]) -> None:
    codes = set()
    for status, _headers, content in answers:
        code, public = CODE.search(content), PUBLIC_ID.search(content)
        if status in (200, 201) and code and public:
            codes.add((code.group(1).decode(), public.group(1).decode()))
        elif status not in (0,) and status < 500:
            with tally.lock:
                tally.errors.append(f"POST answered {status} without a tracking code: {content[:300]!r}")
    with tally.lock:
        if len(answers) > 1:
            tally.replays += 1
            if len(codes) > 1 or (codes and sum(1 for s, _h, _c in answers if s in (200, 201)) != len(answers)):
                tally.retry_mismatches += 1
        for tracking, public_id in codes:
            tally.acks.append(Ack(marker, tracking, public_id))


def reference_client(pattern: Pattern, client: int, deadline: float, tally: Tally) -> None:
    """The same pattern against the bare insert view: GET the CSRF token, wait, POST one row."""
    rng = random.Random(f"{pattern.run}-ref-{client}")
    if not pattern.once:
        time.sleep(rng.uniform(0, pattern.think))
    iteration = 0
    while iteration == 0 or (time.monotonic() < deadline and not pattern.once):
        iteration += 1
        headers = _proxy_headers(pattern.port, _address(11, client, iteration))
        status, got, token = _timed(tally, "ref-get", pattern.port, "GET", "/bench/insert/", headers)
        if status != 200 or got is None:
            time.sleep(1)
            continue
        time.sleep(pattern.think)
        marker = f"R{pattern.run}c{client}i{iteration}"
        status, _h, _b = _timed(
            tally,
            "ref-post",
            pattern.port,
            "POST",
            "/bench/insert/",
            headers
            | {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": _cookies(got),
                "Origin": f"https://{HOST}:{pattern.port}",
                "X-CSRFToken": token.decode(),
            },
            urlencode({"client": marker}).encode(),
        )
        if status == 201:
            with tally.lock:
                tally.acks.append(Ack(marker, marker, ""))


def warm_up(port: int, think: float, clients: int = 10) -> None:
    """One submission and one reference insert per client, not measured: the workers have served both pages
    (a worker's first request loads templates and translations), as in a server running for a while."""
    run = "W" + secrets.token_hex(2).upper().replace("0", "Z")
    phases = [
        threading.Thread(target=drive, args=(Pattern(port, clients, 0, think, 0, 0, run, once=True), worker))
        for worker in (citizen, reference_client)
    ]
    for t in phases:
        t.start()
    for t in phases:
        t.join()


def drive(pattern: Pattern, worker: Callable[[Pattern, int, float, Tally], None]) -> tuple[Tally, float]:
    tally = Tally()
    tally.cpu_at_start = (cpu_seconds(pattern.server_pid), time.process_time())
    started = time.monotonic()
    deadline = started + pattern.duration
    threads = [
        threading.Thread(target=worker, args=(pattern, c, deadline, tally), daemon=True) for c in range(pattern.clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.cpu = (
        cpu_seconds(pattern.server_pid) - tally.cpu_at_start[0],
        time.process_time() - tally.cpu_at_start[1],
    )
    return tally, time.monotonic() - started


# -- checks and figures -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _latency(samples: list[Sample], kinds: set[str]) -> dict[str, float]:
    ms = [s.seconds * 1000 for s in samples if s.kind in kinds and s.status]
    return {
        "count": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms, default=0.0),
    }


def check_portal(db: Database, tally: Tally, run: str) -> dict[str, int]:
    """Missing and duplicated submissions, read from the database."""
    p = db.placeholder
    with db.cursor() as cur:
        cur.execute(
            f"SELECT description, tracking_code, public_id FROM feedback_feedback WHERE description LIKE {p}",
            [f"[LT{run}c%"],
        )
        rows = cur.fetchall()
        cur.execute(f"SELECT key, response FROM feedback_idempotencyrecord WHERE scope = {p}", ["portal"])
        records = cur.fetchall()
        cur.execute(
            "SELECT f.description, COUNT(a.id) FROM feedback_feedback f JOIN feedback_attachment a ON a.feedback_id = f.id"
            f" WHERE f.description LIKE {p} GROUP BY f.description",
            [f"[LT{run}c%"],
        )
        attached = {str(d)[1:].split("]", 1)[0]: int(n) for d, n in cur.fetchall()}
    stored: dict[str, list[tuple[str, str]]] = {}
    for description, code, public in rows:
        marker = str(description)[1:].split("]", 1)[0]
        stored.setdefault(marker, []).append((str(code), str(public)))
    missing = sum(1 for a in tally.acks if (a.code, a.public_id) not in stored.get(a.marker, []))
    duplicates = sum(len(found) - 1 for found in stored.values())
    # One idempotency record (the portal's, keyed by the form's token) per stored submission, naming it.
    codes = Counter(str((json.loads(r[1]) if isinstance(r[1], str) else r[1]).get("code", "")) for r in records)
    stored_codes = [code for found in stored.values() for code, _public in found]
    return {
        "stored": len(rows),
        "missing": missing,
        "duplicates": duplicates,
        "acknowledged_distinct": len({a.marker for a in tally.acks}),
        "stored_without_ack": len(set(stored) - {a.marker for a in tally.acks}),
        "without_one_idempotency_record": sum(1 for code in stored_codes if codes[code] != 1),
        "acknowledged_with_photo": len({a.marker for a in tally.acks} & tally.with_photo),
        # every stored submission sent with a photo has it, exactly once; none sent without has one
        "photo_mismatches": sum(1 for m in stored if attached.get(m, 0) != (1 if m in tally.with_photo else 0)),
    }


def check_reference(db: Database, tally: Tally, run: str) -> dict[str, int]:
    p = db.placeholder
    with db.cursor() as cur:
        cur.execute(f"SELECT client FROM {REFERENCE_TABLE} WHERE client LIKE {p}", [f"R{run}c%"])
        rows = Counter(str(r[0]) for r in cur.fetchall())
    return {
        "stored": sum(rows.values()),
        "missing": sum(1 for a in tally.acks if a.marker not in rows),
        "duplicates": sum(n - 1 for n in rows.values() if n > 1),
    }


def _statuses(samples: list[Sample]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(Counter(s.status for s in samples).items())}


def run_database(
    label: str,
    pg: str | None,
    *,
    duration: float,
    reference_duration: float,
    clients: int,
    think: float,
    retry: float,
    double: float,
    photo: float,
    workers: int | None,
    threads: int | None,
    say: Callable[[str], None],
) -> dict[str, Any]:
    say(f"{label}: preparing a fresh database (migrate, congvu demo --no-serve)…")
    db = prepare(label, pg)
    server = start_server(db, workers, threads)
    run = secrets.token_hex(3).upper().replace("0", "Z")
    try:
        warm_up(server.port, think)
        say(f"{label}: portal, {clients} clients for {duration:g} s on port {server.port}…")
        pid = server.process.pid
        pattern = Pattern(
            server.port, clients, duration, think, retry, double, run, photo, make_photo(), server_pid=pid
        )
        portal, portal_seconds = drive(pattern, citizen)
        say(f"{label}: reference /bench/insert/, {clients} clients for {reference_duration:g} s…")
        reference, reference_seconds = drive(
            Pattern(server.port, clients, reference_duration, think, 0, 0, run, server_pid=pid), reference_client
        )
    finally:
        exit_code = server.stop()
    log = server.log.read_text(errors="replace")
    shape = re.search(r"(\d+) tiến trình / workers × (\d+) luồng", log)  # what congvu serve started
    posts = [s for s in portal.samples if s.kind in {"post", "retry", "double"}]
    gets = [s for s in portal.samples if s.kind == "get"]
    ref_posts = [s for s in reference.samples if s.kind == "ref-post"]
    result: dict[str, Any] = {
        "database": label,
        "server": {"workers": shape.group(1) if shape else workers, "threads": shape.group(2) if shape else threads}
        | {"exit_code": exit_code},
        "portal": {
            "seconds": portal_seconds,
            "requests": len(portal.samples),
            "posts": len(posts),
            "gets": len(gets),
            "forms_sent": len(portal.sent),
            "acknowledged": len(portal.acks),
            "replays": portal.replays,
            "replay_mismatches": portal.retry_mismatches,
            "server_errors": sum(1 for s in portal.samples if s.status >= 500),
            "connection_errors": sum(1 for s in portal.samples if s.status == 0),
            "statuses": _statuses(portal.samples),
            "post": _latency(portal.samples, {"post", "retry", "double"}),
            "get": _latency(portal.samples, {"get"}),
            "posts_per_second": len(posts) / portal_seconds,
            "requests_per_second": len(portal.samples) / portal_seconds,
            "server_cpu_s": portal.cpu[0],
            "server_cpu_ms_per_request": 1000 * portal.cpu[0] / max(1, len(portal.samples)),
            "load_generator_cpu_s": portal.cpu[1],
            **check_portal(db, portal, run),
            "errors": portal.errors[:20],
        },
        "reference": {
            "seconds": reference_seconds,
            "requests": len(reference.samples),
            "posts": len(ref_posts),
            "acknowledged": len(reference.acks),
            "server_errors": sum(1 for s in reference.samples if s.status >= 500),
            "connection_errors": sum(1 for s in reference.samples if s.status == 0),
            "statuses": _statuses(reference.samples),
            "post": _latency(reference.samples, {"ref-post"}),
            "get": _latency(reference.samples, {"ref-get"}),
            "posts_per_second": len(ref_posts) / reference_seconds,
            "server_cpu_s": reference.cpu[0],
            "server_cpu_ms_per_request": 1000 * reference.cpu[0] / max(1, len(reference.samples)),
            "load_generator_cpu_s": reference.cpu[1],
            **check_reference(db, reference, run),
            "errors": reference.errors[:20],
        },
        "server_log_tracebacks": log.count("Traceback"),
    }
    ours, ref = result["portal"]["post"], result["reference"]["post"]
    result["ratio_p50"] = ours["p50_ms"] / ref["p50_ms"] if ref["p50_ms"] else None
    result["ratio_p99"] = ours["p99_ms"] / ref["p99_ms"] if ref["p99_ms"] else None
    result["ok"] = (
        exit_code == 0
        and result["portal"]["server_errors"] == 0
        and result["portal"]["connection_errors"] == 0
        and result["portal"]["missing"] == 0
        and result["portal"]["duplicates"] == 0
        and result["portal"]["replay_mismatches"] == 0
        and result["portal"]["without_one_idempotency_record"] == 0
        and result["portal"]["photo_mismatches"] == 0
        and result["portal"]["post"]["p99_ms"] < TARGET_P99_MS
    )
    shutil.rmtree(db.data_dir, ignore_errors=True)  # PostgreSQL: the database stays until the next run
    return result


def measure(
    *,
    duration: float = 300,
    clients: int = 50,
    sqlite: bool = True,
    pg: str | None = None,
    reference_duration: float | None = None,
    think: float | None = None,
    retry: float = 0.1,
    double: float = 0.02,
    photo: float = 0.1,
    workers: int | None = None,
    threads: int | None = None,
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> dict[str, Any]:
    """Run the load on each database asked for; the measurements as a dict (see :func:`markdown`)."""
    minimum = min_fill_seconds()
    think = minimum + 0.2 if think is None else think
    if think < minimum:
        raise ValueError(f"think time {think} s is below the portal's minimum fill time ({minimum} s)")
    targets = ([("SQLite", None)] if sqlite else []) + ([("PostgreSQL", pg)] if pg else [])
    settings = {
        "duration_s": duration,
        "reference_duration_s": reference_duration or duration,
        "clients": clients,
        "think_s": think,
        "min_fill_s": minimum,
        "retry_fraction": retry,
        "double_fraction": double,
        "photo_fraction": photo,
        "photo_kb": len(make_photo()) // 1024,
        "processors": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }
    databases = [
        run_database(
            label,
            url,
            duration=duration,
            reference_duration=reference_duration or duration,
            clients=clients,
            think=think,
            retry=retry,
            double=double,
            photo=photo,
            workers=workers,
            threads=threads,
            say=say,
        )
        for label, url in targets
    ]
    return {"settings": settings, "databases": databases}


def markdown(result: dict[str, Any]) -> str:
    dbs: list[dict[str, Any]] = result["databases"]
    s = result["settings"]

    def ms(value: float) -> str:
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"

    def ratio(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("requests (GET + POST)", lambda d: f"{d['portal']['requests']:,}"),
        ("forms posted / acknowledged submissions", lambda d: f"{d['portal']['forms_sent']:,} / {d['portal']['acknowledged']:,}"),
        ("re-sent forms (lost answer, double click) / with another code", lambda d: f"{d['portal']['replays']} / {d['portal']['replay_mismatches']}"),
        ("5xx / connection errors", lambda d: f"{d['portal']['server_errors']} / {d['portal']['connection_errors']}"),
        ("acknowledged but missing", lambda d: str(d["portal"]["missing"])),
        ("acknowledged with a photo / photo not stored once", lambda d: f"{d['portal']['acknowledged_with_photo']} / {d['portal']['photo_mismatches']}"),
        ("duplicates", lambda d: str(d["portal"]["duplicates"])),
        ("answers by status", lambda d: ", ".join(f"{k}: {v:,}" for k, v in d["portal"]["statuses"].items())),
        ("POST p50 / p95 / p99", lambda d: " / ".join(ms(d["portal"]["post"][k]) for k in ("p50_ms", "p95_ms", "p99_ms"))),
        ("GET p50 / p99", lambda d: " / ".join(ms(d["portal"]["get"][k]) for k in ("p50_ms", "p99_ms"))),
        ("throughput (submissions/s, requests/s)", lambda d: f"{d['portal']['posts_per_second']:.1f}, {d['portal']['requests_per_second']:.1f}"),
        ("reference POST p50 / p99", lambda d: " / ".join(ms(d["reference"]["post"][k]) for k in ("p50_ms", "p99_ms"))),
        ("reference requests, 5xx, missing, duplicates", lambda d: f"{d['reference']['requests']:,}, {d['reference']['server_errors']}, {d['reference']['missing']}, {d['reference']['duplicates']}"),
        ("server CPU per request (all processes): portal / reference", lambda d: f"{ms(d['portal']['server_cpu_ms_per_request'])} / {ms(d['reference']['server_cpu_ms_per_request'])}"),
        ("CPU used, server + load generator, portal phase", lambda d: f"{d['portal']['server_cpu_s'] / d['portal']['seconds']:.2f} + {d['portal']['load_generator_cpu_s'] / d['portal']['seconds']:.2f} processors"),
        ("ratio portal / reference, POST p50", lambda d: ratio(d["ratio_p50"])),
        ("ratio portal / reference, POST p99", lambda d: ratio(d["ratio_p99"])),
        ("server stopped by SIGTERM: exit code", lambda d: str(d["server"]["exit_code"])),
        (f"0 errors, 0 missing, 0 duplicates, POST p99 < {TARGET_P99_MS:.0f} ms", lambda d: "yes" if d["ok"] else "**no**"),
    ]  # fmt: skip
    head = "| | " + " | ".join(d["database"] for d in dbs) + " |\n|---|" + "---|" * len(dbs) + "\n"
    body = "".join(f"| {name} | " + " | ".join(cell(d) for d in dbs) + " |\n" for name, cell in rows)
    note = (
        f"{s['clients']} citizens for {s['duration_s']:g} s (reference: {s['reference_duration_s']:g} s), "
        f"each GET form → {s['think_s']:g} s filling it in (minimum fill time {s['min_fill_s']:g} s) → POST; "
        f"{s['retry_fraction']:.0%} re-send after a lost answer, {s['double_fraction']:.0%} double-click, "
        f"{s['photo_fraction']:.0%} attach a photo (1600×1200 JPEG, {s['photo_kb']} KB); "
        f"`congvu serve` (production mode, {dbs[0]['server']['workers'] if dbs else '?'} workers × "
        f"{dbs[0]['server']['threads'] if dbs else '?'} threads) on {s['processors']} processors shared with the "
        f"load generator; Python {s['python']}, SQLite {s['sqlite']}.\n"
    )
    return note + "\n" + head + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load on the portal (default 300)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent citizens (default 50)")
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite (the default when --pg is not given)")
    parser.add_argument("--pg", default="", help="postgres://…/bench_load: run on PostgreSQL (dropped, recreated)")
    parser.add_argument("--reference-duration", type=float, default=None, help="seconds (default: --duration)")
    parser.add_argument(
        "--think", type=float, default=None, help="seconds filling in the form (default: minimum + 0.2)"
    )
    parser.add_argument("--retry", type=float, default=0.1, help="fraction re-sending after a lost answer")
    parser.add_argument("--double", type=float, default=0.02, help="fraction double-clicking")
    parser.add_argument("--photo", type=float, default=0.1, help="fraction attaching a photo (1600×1200 JPEG)")
    parser.add_argument("--workers", type=int, default=None, help="congvu serve --workers (default: its own)")
    parser.add_argument("--threads", type=int, default=None, help="congvu serve --threads (default: its own)")
    parser.add_argument("--json", default="", help="also write the measurements to this JSON file")
    args = parser.parse_args()
    result = measure(
        duration=args.duration,
        clients=args.clients,
        sqlite=args.sqlite or not args.pg,
        pg=args.pg or None,
        reference_duration=args.reference_duration,
        think=args.think,
        retry=args.retry,
        double=args.double,
        photo=args.photo,
        workers=args.workers,
        threads=args.threads,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(markdown(result))
    for db in result["databases"]:
        for where in ("portal", "reference"):
            for line in db[where]["errors"]:
                print(f"{db['database']} {where}: {line}", file=sys.stderr)
    sys.exit(0 if all(db["ok"] for db in result["databases"]) else 1)


if __name__ == "__main__":
    main()
