"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only, under ``/open311/v2/``.

* ``GET services.json``: the active services; ``GET services/{code}.json``: a service definition
  (no attributes);
* ``POST requests.json`` (form-encoded): a submission from another piece of software, authenticated
  by its ``api_key`` (``congvu open311_key NAME``), recorded through :func:`services.submit` with
  channel ``open311``. An ``Idempotency-Key`` header makes a retry safe: the same key and body get
  the first answer again and create nothing; the same key with another body is refused (422);
* ``GET requests.json`` (filters ``service_request_id``, ``service_code``, ``start_date``, ``end_date``,
  ``status``; by default the last 90 days, at most 1000, newest first) and ``GET requests/{id}.json``.

The ``service_request_id`` is the tracking code. Nothing identifying the submitter (name, contact,
e-mail, address of the device) is ever returned; a denunciation (tố cáo) is listed without its
content, place or notes, and without the unit it is about.

Every error is the standard's list ``[{"code": <HTTP status>, "description": "..."}]`` with that
HTTP status. The views are exempt from CSRF: the clients are other software, not browsers with a
session, and the only write is authenticated by its ``api_key``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import wraps
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import CharField, DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from congvu.audit.models import AuditEvent
from congvu.core.clients import client_ip
from congvu.feedback import rules
from congvu.feedback.models import ApiKey, Feedback, IdempotencyRecord, Service, State, Track
from congvu.feedback.services import FeedbackError, keyed_hash, mask_ids, submit

View = Callable[..., HttpResponse]

SCOPE: Final = "open311"
CHANNEL: Final = "open311"
MAX_RESULTS: Final = 1000
DEFAULT_WINDOW: Final = timedelta(days=90)
MAX_VALUES: Final = 200  # service_request_id / service_code values in one query
MAX_CODE: Final = 60  # Service.code
MAX_TRACKING_CODE: Final = 20  # Feedback.public_id
MAX_API_KEY: Final = 200
MAX_IDEMPOTENCY_KEY: Final = 200  # IdempotencyRecord.key
DUE_TIME: Final = time(17, 0)  # a due date ends with the working day
CLOSED_STATES: Final = frozenset({State.PUBLISHED, State.CLOSED, State.REFUSED, State.DUPLICATE})
ANSWERED_STATES: Final = frozenset({State.PUBLISHED, State.CLOSED})
STATUSES: Final = frozenset({"open", "closed"})
FORM_TYPES: Final = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
CONFIDENTIAL: Final = "Nội dung được bảo mật theo quy định về tố cáo."
# "+07:00" sent unencoded in a query string arrives as " 07:00".
_PLUS_AS_SPACE: Final = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) (\d{2}(?::?\d{2})?)$")


class Invalid(Exception):
    """A request refused with an Open311 error."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def errors(status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": description}]


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(status: int, description: str) -> JsonResponse:
    return _json(errors(status, description), status)


def _methods(*allowed: str) -> Callable[[View], View]:
    """Only ``allowed`` methods (405 as an Open311 error otherwise), errors as JSON, no CSRF check."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = _error(405, "method not allowed")
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, *args, **kwargs)
            except Invalid as exc:
                return _error(exc.status, exc.description)

        return csrf_exempt(wrapper)

    return decorate


def _local() -> tzinfo:
    return timezone.get_default_timezone()


def _values(params: QueryDict, name: str) -> list[str]:
    """The values of a parameter that may be repeated and comma-delimited, blanks dropped."""
    found = [part.strip() for raw in params.getlist(name) for part in raw.split(",")]
    found = [v for v in found if v]
    if len(found) > MAX_VALUES:
        raise Invalid(400, f"at most {MAX_VALUES} values of {name} in one query")
    return found


# -- services ---------------------------------------------------------------------------------


def _service(code: str, *, active_only: bool) -> Service | None:
    if not code or len(code) > MAX_CODE:
        return None
    found = Service.objects.filter(code=code)
    if active_only:
        found = found.filter(active=True)
    return found.first()


@_methods("GET", "HEAD")
def services(request: HttpRequest) -> HttpResponse:
    return _json(
        [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": s.description,
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": s.group,
            }
            for s in Service.objects.filter(active=True)
        ]
    )


@_methods("GET", "HEAD")
def service(request: HttpRequest, code: str) -> HttpResponse:
    found = _service(code, active_only=True)
    if found is None:
        return _error(404, "service_code not found")
    return _json({"service_code": found.code, "attributes": []})


# -- service requests: reading ------------------------------------------------------------------


def _requests() -> QuerySet[Feedback]:
    """Submissions with ``updated_at``: the time of their last audit event (their receipt if none)."""
    last_event = (
        AuditEvent.objects.filter(object_type="feedback", object_id=Cast(OuterRef("pk"), CharField()))
        .order_by("-seq")
        .values("event_time")[:1]
    )
    return (
        Feedback.objects.select_related("service", "responsible_unit")
        .annotate(updated_at=Coalesce(Subquery(last_event, output_field=DateTimeField()), "received_at"))
        .order_by("-received_at", "-id")
    )


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment, _local()).replace(microsecond=0).isoformat()


def as_open311(f: Feedback) -> dict[str, Any]:
    """One service request as Open311 shows it to anyone: never who sent it."""
    secret = f.track == Track.DENUNCIATION
    if f.state in ANSWERED_STATES and f.answer:
        notes = f.answer
    elif secret and f.status_note:
        notes = CONFIDENTIAL  # a reopening reason is the submitter's own words
    else:
        notes = mask_ids(f.status_note)
    agency = f.responsible_unit.name if f.responsible_unit is not None else ""
    if secret and f.about_unit_id is not None:
        agency = ""  # routed to the unit concerned: naming it would say whom the denunciation is about
    updated: datetime = getattr(f, "updated_at", None) or f.received_at
    return {
        "service_request_id": f.public_id,
        "status": "closed" if f.state in CLOSED_STATES else "open",
        "status_notes": notes,
        "service_name": f.service.name,
        "service_code": f.service.code,
        "description": CONFIDENTIAL if secret else f.description,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _iso(f.received_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": None
        if f.due_on is None
        else datetime.combine(f.due_on, DUE_TIME, tzinfo=_local()).isoformat(),
        "address": "" if secret else f.address,
        "address_id": "",
        "zipcode": "",
        "lat": None if secret or f.lat is None else float(f.lat),
        "long": None if secret or f.long is None else float(f.long),
        "media_url": "",
    }


def _moment(params: QueryDict, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    parsed: datetime | None = None
    if len(raw) <= 64:
        try:
            parsed = parse_datetime(_PLUS_AS_SPACE.sub(r"\1+\2", raw))
            if parsed is not None:
                if timezone.is_naive(parsed):
                    parsed = timezone.make_aware(parsed, _local())
                parsed.astimezone(UTC)  # the database compares in UTC: refuse what has no UTC value
        except (ValueError, OverflowError):
            parsed = None
    if parsed is None:
        raise Invalid(400, f"{name} must be an ISO 8601 date and time, for example 2026-03-16T09:00:00+07:00")
    return parsed


def _search(params: QueryDict) -> list[dict[str, Any]]:
    found = _requests()
    ids = _values(params, "service_request_id")
    if ids:  # the standard: service_request_id overrides every other parameter
        found = found.filter(public_id__in=[i for i in ids if len(i) <= MAX_TRACKING_CODE])
        return [as_open311(f) for f in found[:MAX_RESULTS]]
    codes = _values(params, "service_code")
    if codes:
        found = found.filter(service__code__in=[c for c in codes if len(c) <= MAX_CODE])
    statuses = set(_values(params, "status"))
    if not statuses <= STATUSES:
        raise Invalid(400, "status must be open or closed (comma-delimited for both)")
    if statuses == {"open"}:
        found = found.exclude(state__in=CLOSED_STATES)
    elif statuses == {"closed"}:
        found = found.filter(state__in=CLOSED_STATES)
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    if start is None:
        try:
            start = (end or timezone.now()) - DEFAULT_WINDOW
        except OverflowError:
            return []  # an end near the first representable day: nothing was received before it
    found = found.filter(received_at__gte=start)
    if end is not None:
        found = found.filter(received_at__lte=end)
    return [as_open311(f) for f in found[:MAX_RESULTS]]


# -- service requests: creating -----------------------------------------------------------------


def _api_key_valid(raw: str) -> bool:
    if not raw.strip() or len(raw) > MAX_API_KEY:
        return False
    return ApiKey.objects.filter(key_hash=keyed_hash(raw), revoked_at__isnull=True).exists()


def _body_hash(form: QueryDict) -> str:
    return hashlib.sha256(json.dumps(sorted(form.lists()), ensure_ascii=False).encode()).hexdigest()


def _recorded(key: str, *, lock: bool) -> IdempotencyRecord | None:
    found = IdempotencyRecord.objects.filter(scope=SCOPE, key=key)
    return (found.select_for_update() if lock else found).first()


def _replay(previous: IdempotencyRecord, body_hash: str) -> JsonResponse:
    if previous.body_hash != body_hash:
        return _error(422, "this Idempotency-Key was already used with a different request")
    response = _json(previous.response, previous.status)
    response["Idempotent-Replayed"] = "true"
    return response


def _notice(f: Feedback) -> str:
    try:
        days = rules.deadline(f.track, f.received_on).working_days
    except (rules.FeedbackRulesError, KeyError):
        return "Đã tiếp nhận."
    return f"Đã tiếp nhận. Thời hạn trả lời: {days} ngày làm việc kể từ ngày tiếp nhận."


def _submit(request: HttpRequest) -> tuple[int, list[dict[str, Any]]]:
    """(HTTP status, body) of one submission; a refusal changes nothing."""
    form = request.POST
    found = _service(form.get("service_code", "").strip(), active_only=False)
    if found is None:
        return 400, errors(400, "service_code not found")
    lat, long, address = (form.get(name, "").strip() for name in ("lat", "long", "address_string"))
    if not (lat or long or address):
        return 400, errors(400, "a location is required: lat and long, or address_string")
    name = " ".join(part for part in (form.get("first_name", "").strip(), form.get("last_name", "").strip()) if part)
    try:
        feedback = submit(
            service=found,
            description=form.get("description", ""),
            address=address,
            lat=lat,
            long=long,
            name=name,
            contact=form.get("phone", ""),
            email=form.get("email", ""),
            ip=client_ip(request),
            channel=CHANNEL,
        )
    except FeedbackError as exc:
        return 400, errors(400, str(exc))
    return 201, [{"service_request_id": feedback.public_id, "service_notice": _notice(feedback), "account_id": None}]


def _create(request: HttpRequest) -> HttpResponse:
    if request.content_type not in FORM_TYPES:
        return _error(415, "the body must be application/x-www-form-urlencoded")
    if not _api_key_valid(request.POST.get("api_key", "")):
        return _error(403, "api_key missing, invalid or revoked")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = _submit(request)
        return _json(body, status)
    if len(key) > MAX_IDEMPOTENCY_KEY:
        return _error(400, f"Idempotency-Key longer than {MAX_IDEMPOTENCY_KEY} characters")
    body_hash = _body_hash(request.POST)
    try:
        with transaction.atomic():
            previous = _recorded(key, lock=True)
            if previous is not None:
                return _replay(previous, body_hash)
            status, body = _submit(request)
            if status == 201:  # a refusal is not kept: the client corrects it and retries with the same key
                IdempotencyRecord.objects.create(
                    scope=SCOPE, key=key, body_hash=body_hash, status=status, response=body
                )
    except IntegrityError:
        # The same key committed by a concurrent request: this one's submission is rolled back.
        previous = _recorded(key, lock=False)
        if previous is None:
            return _error(409, "a request with this Idempotency-Key is being processed; retry it")
        return _replay(previous, body_hash)
    return _json(body, status)


@_methods("GET", "HEAD", "POST")
def requests(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _create(request)
    return _json(_search(request.GET))


@_methods("GET", "HEAD")
def request(request: HttpRequest, request_id: str) -> HttpResponse:
    code = request_id.strip()
    found = _requests().filter(public_id=code).first() if 0 < len(code) <= MAX_TRACKING_CODE else None
    if found is None:
        return _error(404, "service_request_id not found")
    return _json([as_open311(found)])
