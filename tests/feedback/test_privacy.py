"""Personal data of submissions: erased after the retention period (files too), exported on request."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from congvu.audit.models import AuditEvent
from congvu.core.policy import Role
from congvu.feedback import privacy, services
from congvu.feedback.models import Attachment, Feedback, Service
from tests.factories import Province

pytestmark = pytest.mark.django_db
TEXT = "Đèn đường thôn Bắc hỏng đã hai tuần, đề nghị sửa chữa."


@pytest.fixture
def answered(province: Province) -> Feedback:
    service = Service.objects.create(code="chieu-sang", name="Chiếu sáng", default_unit=province.division)
    f = services.submit(
        service=service,
        description=TEXT,
        name="Phạm Thị Lan",
        contact="0987654321",
        email="lan@example.vn",
        ip="198.51.100.7",
        files=[SimpleUploadedFile("don.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    clerk, head = province.users[Role.CHUYENVIEN], province.users[Role.TRUONGPHONG]
    f = services.accept(acting_user=clerk, feedback=f)
    f = services.draft_answer(acting_user=clerk, feedback=f, answer="Điện lực đã thay bóng đèn ngày 18/3.")
    return services.publish(acting_user=head, feedback=f)


def test_erasure_after_the_retention_period(answered: Feedback) -> None:
    stored = Path(Attachment.objects.get().file.path)
    assert stored.exists()
    # published 16/3/2026; kept 1,825 days (rule data): due from 16/3/2031
    assert privacy.erase_expired(date(2031, 3, 15)) == 0
    assert privacy.erase_expired(date(2031, 3, 17)) == 1
    f = Feedback.objects.get(pk=answered.pk)
    assert (f.submitter_name, f.submitter_contact, f.submitter_email_hash, f.ip_hash, f.personal_data_erased_on) == (
        "",
        "",
        "",
        "",
        date(2031, 3, 17),
    )
    assert (f.description, f.answer) == (TEXT, "Điện lực đã thay bóng đèn ngày 18/3.")
    assert Attachment.objects.count() == 0 and not stored.exists()
    assert privacy.erase_expired(date(2031, 3, 18)) == 0
    event = AuditEvent.objects.get(action="feedback.erase_personal_data")
    assert event.after is not None and event.after["feedback_ids"] == [answered.pk]


def test_export_of_one_submitter(answered: Feedback) -> None:
    out = io.StringIO()
    call_command("feedback_privacy", "export", "--email", " LAN@example.vn", stdout=out)
    [row] = json.loads(out.getvalue())
    assert {
        k: row[k] for k in ("public_id", "submitter_name", "submitter_contact", "email_kept_as", "attachments")
    } == {
        "public_id": answered.public_id,
        "submitter_name": "Phạm Thị Lan",
        "submitter_contact": "0987654321",
        "email_kept_as": "keyed hash",
        "attachments": ["don.pdf"],
    }
    assert privacy.export(email="khac@example.vn") == []
    assert [r["public_id"] for r in privacy.export(code=answered.tracking_code)] == [answered.public_id]
    with pytest.raises(CommandError, match=r"^give --email or --code$"):
        call_command("feedback_privacy", "export")
