"""The public transparency page: counts per handling unit, no personal data, denunciations left out."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from congvu.core.policy import Role
from congvu.feedback import services
from congvu.feedback.models import Service
from tests.factories import Province

pytestmark = pytest.mark.django_db
TEXT = "Cầu dân sinh thôn Nam bị sạt lở hai bên mố cầu."


def test_counts_without_people(province: Province) -> None:
    service = Service.objects.create(code="cau-duong", name="Cầu đường", default_unit=province.division)
    secret = Service.objects.create(code="to-cao", name="Tố cáo", track="denunciation", default_unit=province.division)
    clerk, head = province.users[Role.CHUYENVIEN], province.users[Role.TRUONGPHONG]
    on_time = services.submit(service=service, description=TEXT, name="Đinh Thị Hạnh")
    late = services.submit(service=service, description=TEXT)
    services.submit(service=service, description=TEXT)  # not answered yet
    services.submit(service=secret, description=TEXT)  # never counted in public
    for f in (on_time, late):
        f = services.accept(acting_user=clerk, feedback=f)
        services.draft_answer(acting_user=clerk, feedback=f, answer="Đã gia cố mố cầu bằng rọ đá.")
    services.publish(acting_user=head, feedback=on_time)
    services.rate(feedback=on_time.__class__.objects.get(pk=on_time.pk), rating="satisfied")
    with time_machine.travel(datetime(2026, 4, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        services.publish(acting_user=head, feedback=late.__class__.objects.get(pk=late.pk))  # due 13/4
        page = Client().get("/reports/transparency/?year=2026").content.decode()
    row = re.search(r"<th scope=\"row\">Phòng Ngân sách</th>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells == ["3", "2", "1", "50%", "100% (1)"]
    assert "Đinh Thị Hạnh" not in page and TEXT not in page
