"""Public feedback: submission (masking, hashing, files), triage to publication, rating, reopening,
the portal's protections, and a denunciation's hidden submitter."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.feedback import services
from congvu.feedback.models import Attachment, Feedback, Service
from congvu.feedback.services import FeedbackError
from tests.factories import Province, person

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
TEXT = "Đường Lê Lợi ngập sâu sau mỗi trận mưa, đề nghị khơi thông cống."


@pytest.fixture
def service(province: Province) -> Service:
    return Service.objects.create(code="ha-tang", name="Hạ tầng đô thị", default_unit=province.division)


def counts() -> tuple[int, int, int]:
    return Feedback.objects.count(), Attachment.objects.count(), AuditEvent.objects.count()


def refused(message: str, **kwargs: Any) -> None:
    before = counts()
    with pytest.raises(FeedbackError) as caught:
        services.submit(**kwargs)
    assert str(caught.value) == message
    assert counts() == before


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 8), (200, 10, 10))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 2.0)}  # GPS info
    exif[0x010F] = "Máy ảnh"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_submission_is_masked_hashed_and_routed(province: Province, service: Service) -> None:
    f = services.submit(
        service=service,
        description=TEXT + " Số CCCD của tôi là 001186012345.",
        lat="21.028511",
        long="105.804817",
        name="Nguyễn Văn Dân",
        contact="0912345678",
        email="dan@example.vn",
        ip="203.0.113.9",
        files=[SimpleUploadedFile("anh.jpg", jpeg_with_gps())],
    )
    assert len(f.tracking_code) == 22 and re.fullmatch(r"[A-Za-z0-9_-]{22}", f.tracking_code)
    assert f.description == TEXT + " Số CCCD của tôi là 001******345."
    assert (f.state, f.track, f.responsible_unit_id, f.received_on, f.due_on) == (
        "received",
        "feedback",
        province.division.pk,
        date(2026, 3, 16),
        None,
    )
    assert f.ip_hash == services.keyed_hash("203.0.113.9") and len(f.ip_hash) == 64
    assert "203.0.113.9" not in f.ip_hash and f.submitter_email_hash == services.keyed_hash("DAN@example.vn ")
    [item] = f.attachments.all()
    with Image.open(item.file.path) as stored:
        assert dict(stored.getexif()) == {}
    event = AuditEvent.objects.get(action="feedback.submit")
    assert (event.actor_id, event.object_id) == (None, str(f.pk))


def test_bad_submissions_are_refused(province: Province, service: Service, settings: Any) -> None:
    base: dict[str, Any] = {"service": service, "description": TEXT}
    refused("Hãy mô tả nội dung phản ánh (ít nhất 10 ký tự).", **(base | {"description": "   ngập  "}))
    refused("Nội dung dài quá 10.000 ký tự.", **(base | {"description": "a" * 10_001}))
    refused("Vĩ độ phải là số từ -90 đến 90.", **(base | {"lat": "200", "long": "105"}))
    refused("Kinh độ phải là số từ -180 đến 180.", **(base | {"lat": "21", "long": "abc"}))
    refused("Hãy cho cả vĩ độ và kinh độ, hoặc không cho cả hai.", **(base | {"lat": "21"}))
    exe = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    refused("Tệp “anh.jpg” không phải là ảnh JPEG, PNG hoặc tệp PDF đúng với tên của nó.", **(base | {"files": [exe]}))
    settings.CONGVU_FEEDBACK_MAX_BYTES = 1024
    big = SimpleUploadedFile("ho-so.pdf", b"%PDF-1.4\n" + b"0" * 3000)
    refused("Tệp “ho-so.pdf” có dung lượng 3 KB, vượt quá mức cho phép 1 KB.", **(base | {"files": [big]}))
    service.active = False
    service.save()
    refused("Lĩnh vực “Hạ tầng đô thị” hiện không tiếp nhận.", **base)


def test_from_triage_to_rating_and_reopening(province: Province, service: Service) -> None:
    f = services.submit(service=service, description=TEXT)
    clerk, head = province.users[Role.CHUYENVIEN], province.users[Role.TRUONGPHONG]
    f = services.accept(acting_user=clerk, feedback=f)
    assert (f.state, f.due_on) == ("accepted", date(2026, 4, 13))  # 20 working days (rule data, unverified)
    f = services.draft_answer(acting_user=clerk, feedback=f, answer="Công ty thoát nước đã nạo vét cống ngày 20/3.")
    with pytest.raises(FeedbackError, match="Chỉ lãnh đạo đơn vị xử lý mới được duyệt"):
        services.publish(acting_user=clerk, feedback=f)
    with pytest.raises(services.StaleFeedback):
        services.publish(acting_user=head, feedback=f, expected_version=2)
    with time_machine.travel(datetime(2026, 3, 20, 10, tzinfo=VN), tick=False):
        f = services.publish(acting_user=head, feedback=f, expected_version=3)
    assert (f.state, f.published_on) == ("published", date(2026, 3, 20))
    with pytest.raises(FeedbackError, match=r"^Hãy cho biết lý do không hài lòng\.$"):
        services.rate(feedback=f, rating="unsatisfied")
    f = services.rate(feedback=f, rating="unsatisfied", reason="Vẫn ngập")
    with time_machine.travel(datetime(2026, 4, 19, 10, tzinfo=VN), tick=False):
        f = services.reopen(feedback=f, reason="Mưa hôm qua vẫn ngập")
    assert (f.state, f.reopened, f.due_on) == ("accepted", 1, date(2026, 5, 20))
    f = services.draft_answer(acting_user=clerk, feedback=f, answer="Đã thay nắp cống và mở rộng rãnh thoát nước.")
    with time_machine.travel(datetime(2026, 4, 22, 10, tzinfo=VN), tick=False):
        f = services.publish(acting_user=head, feedback=f)
    with (
        time_machine.travel(datetime(2026, 5, 23, 10, tzinfo=VN), tick=False),
        pytest.raises(FeedbackError, match=r"^Đã quá thời hạn mở lại \(đến ngày 22/05/2026\)\.$"),
    ):
        services.reopen(feedback=f, reason="Lại ngập")
    other = services.submit(service=service, description=TEXT)
    with pytest.raises(FeedbackError, match=r"^Phản ánh này không thuộc phạm vi xử lý của bạn\.$"):
        services.accept(acting_user=province.users[Role.CHUYENVIEN], feedback=_moved(other, province))


def _moved(f: Feedback, province: Province) -> Feedback:
    Feedback.objects.filter(pk=f.pk).update(responsible_unit=province.other_division)
    f.refresh_from_db()
    return f


def post_form(client: Client, service: Service, *, shown_at: str, **extra: str) -> Any:
    data = {"service": str(service.pk), "description": TEXT, "shown_at": shown_at, "website": ""} | extra
    return client.post(reverse("feedback:portal"), data)


def shown_token(client: Client) -> str:
    page = client.get(reverse("feedback:portal")).content.decode()
    found = re.search(r'name="shown_at" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_portal_protects_itself(province: Province, service: Service, settings: Any) -> None:
    client = Client()
    with time_machine.travel(datetime(2026, 3, 16, 9, tzinfo=VN), tick=False):
        token = shown_token(client)
        too_fast = post_form(client, service, shown_at=token)
    assert too_fast.status_code == 400 and "Vui lòng kiểm tra lại nội dung rồi gửi lại." in too_fast.content.decode()
    with time_machine.travel(datetime(2026, 3, 16, 9, 1, tzinfo=VN), tick=False):
        robot = post_form(client, service, shown_at=token, website="http://spam.example")
        assert robot.status_code == 200 and Feedback.objects.count() == 0
        first = post_form(client, service, shown_at=token)
        again = post_form(client, service, shown_at=token)  # the same form sent twice
    assert (first.status_code, again.status_code, Feedback.objects.count()) == (201, 200, 1)
    code = Feedback.objects.get().tracking_code
    assert code in first.content.decode() and code in again.content.decode()
    settings.CONGVU_FEEDBACK_RATE_PER_HOUR = 3
    with time_machine.travel(datetime(2026, 3, 16, 10, 5, tzinfo=VN), tick=False):
        statuses = [post_form(client, service, shown_at=token).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    status = client.get(reverse("feedback:status", args=[code]))
    assert status.status_code == 200 and "Mới tiếp nhận" in status.content.decode()
    assert client.get(reverse("feedback:status", args=["khong-co"])).status_code == 404


def test_a_denunciations_submitter_is_hidden_from_the_unit_concerned(province: Province, service: Service) -> None:
    service.track = "denunciation"
    service.save()
    official = person("Hồ Văn Bị", province.division, sex="M")
    f = services.submit(
        service=service, description=TEXT, about_unit=province.division, about_person=official, name="Người tố cáo"
    )
    url = reverse("feedback:detail", args=[f.pk])

    def page(role: str) -> str:
        client = Client()
        client.force_login(province.users[role])
        return client.get(url).content.decode()

    assert "Người tố cáo" not in page(Role.TRUONGPHONG) and "Được bảo mật (tố cáo)" in page(Role.TRUONGPHONG)
    assert "Người tố cáo" not in page(Role.CHUYENVIEN)
    assert "Người tố cáo" in page(Role.LANHDAO)


def test_a_breached_deadline_goes_one_level_up_once(province: Province, service: Service) -> None:
    from congvu.feedback.reminders import escalate_breaches
    from congvu.notifications.models import Notification

    f = services.accept(
        acting_user=province.users[Role.CHUYENVIEN], feedback=services.submit(service=service, description=TEXT)
    )
    assert f.due_on == date(2026, 4, 13)
    assert escalate_breaches(date(2026, 4, 13)) == 0
    assert escalate_breaches(date(2026, 4, 14)) == 1
    assert escalate_breaches(date(2026, 4, 14)) == 0
    rows = list(Notification.objects.filter(kind="escalation").values_list("recipient__username", "title", "body"))
    assert rows == [
        (
            "giamdoc",
            f"Phản ánh quá hạn trả lời: {f.public_id}",
            "Phòng Ngân sách chưa trả lời phản ánh “Hạ tầng đô thị”, hạn 13/04/2026.",
        )
    ]
    assert AuditEvent.objects.filter(action="feedback.escalate").count() == 1


def test_conduct_feedback_is_concluded_and_counted_on_the_officials_page(province: Province, service: Service) -> None:
    official = person("Ngô Văn Chậm", province.division, sex="M")
    clerk, head = province.users[Role.CHUYENVIEN], province.users[Role.TRUONGPHONG]
    first = services.accept(
        acting_user=clerk, feedback=services.submit(service=service, description=TEXT, about_person=official)
    )
    with pytest.raises(FeedbackError, match=r"^Phản ánh về cán bộ: hãy kết luận phản ánh đúng hay không đúng\.$"):
        services.draft_answer(acting_user=clerk, feedback=first, answer="Đã kiểm điểm cán bộ.")
    first = services.draft_answer(acting_user=clerk, feedback=first, answer="Đã kiểm điểm cán bộ.", upheld=True)
    services.publish(acting_user=head, feedback=first)
    second = services.accept(
        acting_user=clerk, feedback=services.submit(service=service, description=TEXT, about_person=official)
    )
    services.draft_answer(acting_user=clerk, feedback=second, answer="Cán bộ làm đúng quy trình.", upheld=False)
    client = Client()
    client.force_login(head)
    page = client.get(reverse("feedback:person", args=[official.pk])).content.decode()
    values = dict(re.findall(r'<dd data-key="(\w+)">([^<]*)</dd>', page))
    assert values == {
        "received": "2",
        "answered": "1",
        "on_time": "1",
        "upheld": "1",
        "not_upheld": "1",
        "satisfied": "0 / 0",
    }
    api = client.get(f"/api/v1/feedback/people/{official.pk}", {"year": "2026"})
    assert api.status_code == 200
    assert api.json() == {
        "person_id": official.pk,
        "year": 2026,
        "received": 2,
        "answered": 1,
        "on_time": 1,
        "upheld_count": 1,
        "not_upheld_count": 1,
        "satisfied": 0,
        "rated": 0,
    }
    assert client.get(f"/api/v1/feedback/people/{official.pk}", {"year": "2025"}).json()["received"] == 0
    assert client.get(f"/api/v1/feedback/people/{official.pk}", {"year": "1999"}).status_code == 422
    outsider = Client()
    outsider.force_login(province.users[Role.CHUYENVIEN])  # no evaluation.view, not the official
    assert outsider.get(reverse("feedback:person", args=[official.pk])).status_code == 404
    assert outsider.get(f"/api/v1/feedback/people/{official.pk}").status_code == 404
