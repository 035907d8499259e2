"""Open311 GeoReport v2 (JSON): a client application's whole flow, the errors, idempotency, the
filters of requests.json, a denunciation's hidden content, and the submitter never shown."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.test import Client

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.core.workcal import default_calendar
from congvu.feedback import open311, rules, services
from congvu.feedback.models import ApiKey, Feedback, IdempotencyRecord, Service
from tests.factories import Province

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=VN)
BASE = "/open311/v2"
TEXT = "Đường Lê Lợi ngập sâu sau mỗi trận mưa, đề nghị khơi thông cống."
ANSWER = "Công ty thoát nước đã nạo vét cống ngày 20/3."
CONFIDENTIAL = "Nội dung được bảo mật theo quy định về tố cáo."
NAME, EMAIL, PHONE = ("Nguyễn Văn", "Dân"), "dan.nguyen@example.vn", "0912345678"
DEADLINE = rules.deadline("feedback", date(2026, 3, 16)).working_days
NOTICE = f"Đã tiếp nhận. Thời hạn trả lời: {DEADLINE} ngày làm việc kể từ ngày tiếp nhận."


@pytest.fixture(autouse=True)
def _controlled_clock() -> Iterator[None]:
    """The shared clock, stopped: requested and updated times are exact to the second."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def service(province: Province) -> Service:
    return Service.objects.create(
        code="ha-tang", name="Hạ tầng đô thị", description="Đường, cống, chiếu sáng", default_unit=province.division
    )


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)  # Open311 clients send no CSRF token


def new_key(name: str = "ung-dung-thu") -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_key", name, stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "shown only this once" in err.getvalue()
    return lines[0]


@pytest.fixture
def api_key(service: Service) -> str:
    return new_key()


def form(api_key: str, **extra: str) -> dict[str, str]:
    return {
        "api_key": api_key,
        "service_code": "ha-tang",
        "lat": "21.028511",
        "long": "105.804817",
        "description": TEXT,
    } | extra


def post(client: Client, data: dict[str, str], **headers: Any) -> Any:
    return client.post(f"{BASE}/requests.json", data=data, **headers)


def get(client: Client, path: str, params: dict[str, str] | None = None) -> Any:
    return client.get(f"{BASE}/{path}", params or {})


def body(response: Any) -> Any:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def codes(response: Any) -> list[str]:
    assert response.status_code == 200
    return [r["service_request_id"] for r in body(response)]


def local(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


# -- a client application's flow ----------------------------------------------------------------


def test_a_client_submits_and_follows_a_request(province: Province, service: Service, client: Client) -> None:
    key = new_key("ung-dung-thu")
    assert ApiKey.objects.get(name="ung-dung-thu").key_hash == services.keyed_hash(key)
    created = post(
        client,
        form(
            key,
            address_string="Số 1 Lê Lợi",
            first_name=NAME[0],
            last_name=NAME[1],
            email=EMAIL,
            phone=PHONE,
            device_id="may-1",
            account_id="tk-9",
            address_id="dc-3",
            media_url="https://example.vn/anh.jpg",  # accepted, ignored
        ),
    )
    assert created.status_code == 201
    [answer] = body(created)
    code = answer["service_request_id"]
    assert answer == {"service_request_id": code, "service_notice": NOTICE, "account_id": None}
    f = Feedback.objects.get()
    assert (f.public_id, f.channel, f.state, f.responsible_unit) == (code, "open311", "received", province.division)
    assert (f.submitter_name, f.submitter_contact) == ("Nguyễn Văn Dân", "0912345678")  # given to be contacted
    assert (f.submitter_email_hash, f.ip_hash) == (services.keyed_hash(EMAIL), services.keyed_hash("127.0.0.1"))
    assert (str(f.lat), str(f.long), f.address) == ("21.028511", "105.804817", "Số 1 Lê Lợi")

    expected = {
        "service_request_id": code,
        "status": "open",
        "status_notes": "",
        "service_name": "Hạ tầng đô thị",
        "service_code": "ha-tang",
        "description": TEXT,
        "agency_responsible": "Phòng Ngân sách",
        "service_notice": "",
        "requested_datetime": "2026-03-16T09:00:00+07:00",
        "updated_datetime": "2026-03-16T09:00:00+07:00",
        "expected_datetime": None,
        "address": "Số 1 Lê Lợi",
        "address_id": "",
        "zipcode": "",
        "lat": 21.028511,
        "long": 105.804817,
        "media_url": "",
    }
    shown = get(client, f"requests/{code}.json")
    assert shown.status_code == 200 and body(shown) == [expected]

    head = province.users[Role.TRUONGPHONG]
    with local(datetime(2026, 3, 17, 10, 30, tzinfo=VN)):
        f = services.accept(acting_user=head, feedback=f)
    due = default_calendar().add_working_days(date(2026, 3, 16), DEADLINE)
    assert due == date(2026, 4, 13)
    expected |= {
        "expected_datetime": f"{due.isoformat()}T17:00:00+07:00",
        "updated_datetime": "2026-03-17T10:30:00+07:00",
    }
    assert body(get(client, f"requests/{code}.json")) == [expected]

    f = services.draft_answer(acting_user=head, feedback=f, answer=ANSWER)
    assert body(get(client, f"requests/{code}.json"))[0]["status_notes"] == ""  # a draft is not public
    with local(datetime(2026, 3, 20, 15, 45, tzinfo=VN)):
        services.publish(acting_user=head, feedback=f)
    expected |= {"status": "closed", "status_notes": ANSWER, "updated_datetime": "2026-03-20T15:45:00+07:00"}
    assert body(get(client, f"requests/{code}.json")) == [expected]
    assert body(get(client, "requests.json")) == [expected]


def test_services_and_their_definitions(province: Province, service: Service, client: Client) -> None:
    Service.objects.create(
        code="can-bo", name="Thái độ cán bộ", group="Cán bộ", track="complaint", default_unit=province.division
    )
    Service.objects.create(code="cu", name="Lĩnh vực cũ", active=False, default_unit=province.division)
    listed = get(client, "services.json")
    assert listed.status_code == 200
    assert body(listed) == [
        {
            "service_code": "ha-tang",
            "service_name": "Hạ tầng đô thị",
            "description": "Đường, cống, chiếu sáng",
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "",
        },
        {
            "service_code": "can-bo",
            "service_name": "Thái độ cán bộ",
            "description": "",
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "Cán bộ",
        },
    ]
    definition = get(client, "services/ha-tang.json")
    assert definition.status_code == 200 and body(definition) == {"service_code": "ha-tang", "attributes": []}
    for missing in ("khong-co", "cu", "x" * 10_000):
        response = get(client, f"services/{missing}.json")
        assert response.status_code == 404
        assert body(response) == [{"code": 404, "description": "service_code not found"}]
    assert client.get(f"{BASE}/services.xml").status_code == 404  # JSON only
    assert client.get(f"{BASE}/services/ha-tang.xml").status_code == 404
    refused = client.post(f"{BASE}/services.json", {})
    assert (refused.status_code, refused["Allow"]) == (405, "GET, HEAD")
    assert body(refused) == [{"code": 405, "description": "method not allowed"}]


# -- errors -------------------------------------------------------------------------------------


def _revoked(key: str) -> str:
    call_command("open311_key", "--revoke", "ung-dung-thu", stdout=io.StringIO())
    return key


POST_ERRORS: dict[str, tuple[Any, int, str]] = {
    "missing api_key": (lambda k: form(k) | {"api_key": ""}, 403, "api_key missing, invalid or revoked"),
    "no api_key field": (
        lambda k: {n: v for n, v in form(k).items() if n != "api_key"},
        403,
        "api_key missing, invalid or revoked",
    ),
    "wrong api_key": (lambda k: form(k) | {"api_key": k[:-2] + "xx"}, 403, "api_key missing, invalid or revoked"),
    "huge api_key": (lambda k: form(k) | {"api_key": "k" * 10_000}, 403, "api_key missing, invalid or revoked"),
    "revoked api_key": (lambda k: form(_revoked(k)), 403, "api_key missing, invalid or revoked"),
    "unknown service": (lambda k: form(k, service_code="khong-co"), 400, "service_code not found"),
    "no service": (lambda k: form(k, service_code=""), 400, "service_code not found"),
    "huge service_code": (lambda k: form(k, service_code="x" * 10_000), 400, "service_code not found"),
    "no location": (
        lambda k: form(k, lat="", long="", address_string=" "),
        400,
        "a location is required: lat and long, or address_string",
    ),
    "lat not a number": (lambda k: form(k, lat="abc"), 400, "Vĩ độ phải là số từ -90 đến 90."),
    "lat out of range": (lambda k: form(k, lat="200"), 400, "Vĩ độ phải là số từ -90 đến 90."),
    "lat infinite": (lambda k: form(k, lat="Infinity"), 400, "Vĩ độ phải là số từ -90 đến 90."),
    "long out of range": (lambda k: form(k, long="-180.5"), 400, "Kinh độ phải là số từ -180 đến 180."),
    "lat without long": (
        lambda k: form(k, long="", address_string="Số 1 Lê Lợi"),
        400,
        "Hãy cho cả vĩ độ và kinh độ, hoặc không cho cả hai.",
    ),
    "description too short": (
        lambda k: form(k, description="  ngập  "),
        400,
        "Hãy mô tả nội dung phản ánh (ít nhất 10 ký tự).",
    ),
    "no description": (
        lambda k: {n: v for n, v in form(k).items() if n != "description"},
        400,
        "Hãy mô tả nội dung phản ánh (ít nhất 10 ký tự).",
    ),
    "description too long": (lambda k: form(k, description="a" * 10_001), 400, "Nội dung dài quá 10.000 ký tự."),
}


@pytest.mark.parametrize("case", POST_ERRORS, ids=list(POST_ERRORS))
def test_a_refused_submission_creates_nothing(case: str, api_key: str, client: Client) -> None:
    make, status, description = POST_ERRORS[case]
    data = make(api_key)
    events = AuditEvent.objects.count()
    response = post(client, data)
    assert response.status_code == status
    assert body(response) == [{"code": status, "description": description}]
    assert Feedback.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_an_inactive_service_and_other_bodies_are_refused(service: Service, api_key: str, client: Client) -> None:
    service.active = False
    service.save()
    response = post(client, form(api_key))
    assert response.status_code == 400
    assert body(response) == [{"code": 400, "description": "Lĩnh vực “Hạ tầng đô thị” hiện không tiếp nhận."}]
    as_json = client.post(f"{BASE}/requests.json", json.dumps(form(api_key)), content_type="application/json")
    assert as_json.status_code == 415
    assert body(as_json) == [{"code": 415, "description": "the body must be application/x-www-form-urlencoded"}]
    with_nul = post(client, form(api_key, service_code="ha-\x00tang"))
    assert with_nul.status_code == 400  # refused by the middleware before the view
    assert Feedback.objects.count() == 0


def test_reading_errors(province: Province, service: Service, client: Client) -> None:
    unknown = get(client, "requests/khong-co-ma-nay.json")
    assert unknown.status_code == 404
    assert body(unknown) == [{"code": 404, "description": "service_request_id not found"}]
    assert body(get(client, f"requests/{'x' * 10_000}.json")) == [
        {"code": 404, "description": "service_request_id not found"}
    ]
    for name in ("start_date", "end_date"):
        for bad in ("16/03/2026", "2026-13-45T00:00:00+07:00", "hôm qua", "0001-01-01T00:00:00+07:00", "9" * 100):
            response = get(client, "requests.json", {name: bad})
            assert response.status_code == 400, (name, bad)
            assert body(response) == [
                {
                    "code": 400,
                    "description": f"{name} must be an ISO 8601 date and time, for example 2026-03-16T09:00:00+07:00",
                }
            ]
    status = get(client, "requests.json", {"status": "pending"})
    assert (status.status_code, body(status)) == (
        400,
        [{"code": 400, "description": "status must be open or closed (comma-delimited for both)"}],
    )
    many = get(client, "requests.json", {"service_request_id": ",".join(f"m{i}" for i in range(201))})
    assert (many.status_code, body(many)) == (
        400,
        [{"code": 400, "description": "at most 200 values of service_request_id in one query"}],
    )
    # extreme but valid inputs answer normally
    assert body(get(client, "requests.json", {"end_date": "0001-01-01T12:00:00+07:00"})) == []
    assert body(get(client, "requests.json", {"service_code": "x" * 10_000, "lat": "200"})) == []
    assert body(get(client, "requests.json", {"service_request_id": "y" * 10_000})) == []
    refused = client.delete(f"{BASE}/requests.json")
    assert (refused.status_code, refused["Allow"]) == (405, "GET, HEAD, POST")


# -- idempotency --------------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_gets_the_same_answer(service: Service, api_key: str) -> None:
    client = Client(enforce_csrf_checks=True)
    first = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    again = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert body(again) == body(first) and again["Idempotent-Replayed"] == "true"
    assert Feedback.objects.count() == 1
    assert body(first)[0]["service_request_id"] == Feedback.objects.get().public_id
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.key, record.status, record.response) == ("open311", "lan-gui-1", 201, body(first))

    other = post(client, form(api_key, description=TEXT + " Thêm chi tiết."), HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    assert other.status_code == 422
    assert body(other) == [
        {"code": 422, "description": "this Idempotency-Key was already used with a different request"}
    ]
    assert Feedback.objects.count() == 1

    another_key = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="lan-gui-2")
    assert another_key.status_code == 201 and Feedback.objects.count() == 2
    too_long = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert (too_long.status_code, body(too_long)) == (
        400,
        [{"code": 400, "description": "Idempotency-Key longer than 200 characters"}],
    )
    # a refusal is not remembered: the corrected request may use the same key
    short = post(client, form(api_key, description="ngắn"), HTTP_IDEMPOTENCY_KEY="lan-gui-3")
    assert short.status_code == 400
    fixed = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="lan-gui-3")
    assert fixed.status_code == 201 and Feedback.objects.count() == 3
    # a wrong api_key never reaches the remembered answer
    stolen = post(client, form("sai-khoa"), HTTP_IDEMPOTENCY_KEY="lan-gui-1")
    assert stolen.status_code == 403


def test_a_concurrent_duplicate_is_rolled_back(
    service: Service, api_key: str, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="cung-luc")
    rows, events = Feedback.objects.count(), AuditEvent.objects.count()
    real = open311._recorded

    def unseen_under_lock(key: str, *, lock: bool) -> IdempotencyRecord | None:
        # The other request commits its record after this one looked (what the unique constraint is for).
        return None if lock else real(key, lock=lock)

    monkeypatch.setattr(open311, "_recorded", unseen_under_lock)
    late = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="cung-luc")
    assert (late.status_code, body(late)) == (201, body(first))
    late_other = post(client, form(api_key, lat="21.5"), HTTP_IDEMPOTENCY_KEY="cung-luc")
    assert late_other.status_code == 422
    assert (Feedback.objects.count(), AuditEvent.objects.count()) == (rows, events)

    # an integrity error with no record to replay asks the client to retry, without a 5xx
    def failing(**kwargs: Any) -> Feedback:
        raise IntegrityError("trùng mã tra cứu")

    monkeypatch.setattr(open311, "submit", failing)
    retry = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="khoa-moi")
    assert (retry.status_code, body(retry)) == (
        409,
        [{"code": 409, "description": "a request with this Idempotency-Key is being processed; retry it"}],
    )


# -- requests.json ------------------------------------------------------------------------------


@pytest.fixture
def history(province: Province, service: Service) -> dict[str, Feedback]:
    """Three submissions: now (open), 10 March (answered), 10 December (older than the default 90 days)."""
    sanitation = Service.objects.create(code="ve-sinh", name="Vệ sinh môi trường", default_unit=province.division)
    head = province.users[Role.TRUONGPHONG]
    with local(datetime(2025, 12, 10, 8, tzinfo=VN)):
        old = services.submit(service=service, description=TEXT, lat="21", long="105")
    with local(datetime(2026, 3, 10, 8, tzinfo=VN)):
        answered = services.submit(service=sanitation, description=TEXT, address="Chợ Đồng Xuân")
        answered = services.accept(acting_user=head, feedback=answered)
        answered = services.draft_answer(acting_user=head, feedback=answered, answer=ANSWER)
        answered = services.publish(acting_user=head, feedback=answered)
    now = services.submit(service=service, description=TEXT, address="Số 1 Lê Lợi")
    return {"old": old, "answered": answered, "now": now}


def test_requests_are_filtered(history: dict[str, Feedback], client: Client) -> None:
    old, answered, now = (history[k].public_id for k in ("old", "answered", "now"))

    def found(**params: str) -> list[str]:
        return codes(get(client, "requests.json", params))

    assert found() == [now, answered]  # the last 90 days, newest first
    assert found(status="open") == [now]
    assert found(status="closed") == [answered]
    assert found(status="open,closed") == [now, answered]
    assert found(service_code="ve-sinh") == [answered]
    assert found(service_code="ha-tang,ve-sinh") == [now, answered]
    assert found(service_code="khong-co") == []
    assert found(service_code="ha-tang", status="closed") == []
    # service_request_id overrides every other parameter (the standard), the default window included
    assert found(service_request_id=f"{old},{now}") == [now, old]
    assert found(service_request_id=f" {old} , khong-co,", status="closed", service_code="ve-sinh") == [old]
    assert found(start_date="2025-12-01T00:00:00+07:00") == [now, answered, old]
    assert found(start_date="2025-12-10T08:00:00+07:00") == [now, answered, old]  # the bounds are included
    assert found(start_date="2025-12-10T01:00:01Z") == [now, answered]
    assert found(start_date="2026-03-10T00:00:00+07:00", end_date="2026-03-10T08:00:00+07:00") == [answered]
    assert found(start_date="2026-03-10", end_date="2026-03-11") == [answered]  # local dates, no offset
    assert found(end_date="2026-03-01T00:00:00+07:00") == [old]  # 90 days back from the end
    assert found(start_date="2026-03-17T00:00:00+07:00") == []
    # "+07:00" sent unencoded in the query string arrives as " 07:00"
    raw = client.get(f"{BASE}/requests.json?start_date=2026-03-10T08:00:00+07:00")
    assert codes(raw) == [now, answered]


def test_the_number_of_results_is_capped(service: Service, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    assert open311.MAX_RESULTS == 1000
    monkeypatch.setattr(open311, "MAX_RESULTS", 2)
    made = [services.submit(service=service, description=f"{TEXT} ({i})", address="Hà Nội") for i in range(3)]
    assert codes(get(client, "requests.json")) == [made[2].public_id, made[1].public_id]
    assert codes(get(client, "requests.json", {"service_request_id": ",".join(m.public_id for m in made)})) == [
        made[2].public_id,
        made[1].public_id,
    ]


# -- what is never shown ------------------------------------------------------------------------


def test_a_denunciation_is_listed_without_its_content(province: Province, service: Service, client: Client) -> None:
    secret = Service.objects.create(code="to-cao", name="Tố cáo", track="denunciation", default_unit=province.division)
    key = new_key()
    created = post(
        client,
        form(key, service_code="to-cao", address_string="Nhà số 5 ngõ 12", first_name="Người", last_name="Tố Cáo"),
    )
    assert created.status_code == 201
    code = body(created)[0]["service_request_id"]
    about_unit = services.submit(
        service=secret, description=TEXT, about_unit=province.other_division, name="Người Tố Cáo Khác"
    )
    hidden = {
        "status": "open",
        "status_notes": "",
        "service_name": "Tố cáo",
        "service_code": "to-cao",
        "description": CONFIDENTIAL,
        "service_notice": "",
        "requested_datetime": "2026-03-16T09:00:00+07:00",
        "updated_datetime": "2026-03-16T09:00:00+07:00",
        "expected_datetime": None,
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }
    assert body(get(client, f"requests/{code}.json")) == [
        hidden | {"service_request_id": code, "agency_responsible": "Phòng Ngân sách"}
    ]
    # routed to the unit it is about: that unit is not named
    assert body(get(client, f"requests/{about_unit.public_id}.json")) == [
        hidden | {"service_request_id": about_unit.public_id, "agency_responsible": ""}
    ]
    head = province.users[Role.TRUONGPHONG]
    services.refuse(acting_user=head, feedback=Feedback.objects.get(public_id=code), reason="Không thuộc thẩm quyền")
    [refused] = body(get(client, f"requests/{code}.json"))
    assert (refused["status"], refused["status_notes"], refused["description"]) == (
        "closed",
        CONFIDENTIAL,
        CONFIDENTIAL,
    )
    listed = get(client, "requests.json").content.decode()
    assert TEXT not in listed and "Nhà số 5" not in listed and "Phòng Quy hoạch" not in listed
    assert "21.028511" not in listed and "Người Tố Cáo" not in listed
    # the service is still routed and visible to staff
    assert Feedback.objects.get(public_id=code).description == TEXT


def test_the_submitter_never_appears(province: Province, service: Service, client: Client) -> None:
    key = new_key()
    data = form(key, first_name=NAME[0], last_name=NAME[1], email=EMAIL, phone=PHONE, address_string="Số 1 Lê Lợi")
    first = post(client, data, HTTP_IDEMPOTENCY_KEY="gui-1")
    code = body(first)[0]["service_request_id"]
    f = Feedback.objects.get()
    services.refuse(
        acting_user=province.users[Role.TRUONGPHONG], feedback=f, reason="Người gửi 0987654321 đề nghị việc khác"
    )
    responses = [
        first,
        post(client, data, HTTP_IDEMPOTENCY_KEY="gui-1"),
        get(client, "requests.json"),
        get(client, "requests.json", {"service_request_id": code}),
        get(client, f"requests/{code}.json"),
        get(client, "services.json"),
    ]
    assert body(responses[-2])[0]["status_notes"] == "Người gửi 098****321 đề nghị việc khác"
    secrets = [*NAME, "Nguyễn Văn Dân", EMAIL, PHONE, "091****678", "127.0.0.1", f.ip_hash, f.submitter_email_hash]
    for response in responses:
        text = response.content.decode()
        parsed = json.dumps(json.loads(text), ensure_ascii=False)
        assert [s for s in secrets if s in text or s in parsed] == []


# -- the key command ----------------------------------------------------------------------------


def test_the_key_command(province: Province) -> None:
    key = new_key("ung-dung-thu")
    second = new_key("ung-dung-thu")
    assert key != second and len(key) == 32
    assert ApiKey.objects.filter(name="ung-dung-thu", revoked_at__isnull=True).count() == 2
    assert not ApiKey.objects.filter(key_hash__in=[key, second]).exists()  # only the hash is stored
    out = io.StringIO()
    call_command("open311_key", "--revoke", "ung-dung-thu", stdout=out)
    assert out.getvalue() == "revoked 2 Open311 key(s) named “ung-dung-thu”\n"
    assert list(ApiKey.objects.values_list("revoked_at", flat=True)) == [NOW, NOW]
    actions = list(AuditEvent.objects.filter(object_type="open311_key").values_list("action", flat=True))
    assert actions == ["feedback.open311_key.create"] * 2 + ["feedback.open311_key.revoke"] * 2
    with pytest.raises(CommandError, match="no active Open311 key named “ung-dung-thu”"):
        call_command("open311_key", "--revoke", "ung-dung-thu", stdout=io.StringIO())
    with pytest.raises(CommandError, match="the name must have 1 to 100 characters"):
        call_command("open311_key", " ", stdout=io.StringIO())
    with pytest.raises(CommandError, match="the name must have 1 to 100 characters"):
        call_command("open311_key", "x" * 101, stdout=io.StringIO())


def test_times_are_shown_to_the_second_in_vietnam(service: Service, client: Client) -> None:
    with local(datetime(2026, 3, 16, 2, 0, 59, 987654, tzinfo=ZoneInfo("UTC"))):
        f = services.submit(service=service, description=TEXT, address="Hà Nội")
    [shown] = body(get(client, f"requests/{f.public_id}.json"))
    assert (shown["requested_datetime"], shown["updated_datetime"]) == (
        "2026-03-16T09:00:59+07:00",
        "2026-03-16T09:00:59+07:00",
    )
