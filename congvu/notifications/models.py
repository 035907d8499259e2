"""In-app notifications (thông báo), each also sent by e-mail when the recipient has an address.

A notification is written in the same transaction as the change it reports, so nothing
acknowledged is lost; the e-mail is sent afterwards by a background job that picks up
every notification not yet e-mailed (a crashed worker's mail goes with the next run).
``key`` makes every notification idempotent: a reminder or a digest written twice for
the same recipient and moment is one row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Được giao nhiệm vụ")
    REMINDER = "reminder", _("Nhắc hạn")
    OVERDUE = "overdue", _("Quá hạn")
    SUBMITTED = "submitted", _("Trình kết quả")
    REVIEWED = "reviewed", _("Kết quả đánh giá")
    EXTENSION = "extension", _("Gia hạn")
    DIFFICULTY = "difficulty", _("Khó khăn, vướng mắc")
    COORDINATION = "coordination", _("Phối hợp")
    ESCALATION = "escalation", _("Chuyển cấp trên")
    EVALUATION = "evaluation", _("Đánh giá, xếp loại")
    DIGEST = "digest", _("Tổng hợp hằng ngày")


class Notification(models.Model):
    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("khoá chống trùng"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"))
    read_at = models.DateTimeField(_("thời điểm đọc"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("thời điểm gửi thư"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notifications_unique_key")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notifications_unread_idx"),
            models.Index(fields=["email_sent_at"], name="notifications_outbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class SweepRun(models.Model):
    """One day's run of the reminder and escalation sweep; the next run catches up from here."""

    day = models.DateField(_("ngày"), unique=True)
    started_at = models.DateTimeField(_("bắt đầu"))
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    notifications = models.PositiveIntegerField(_("số thông báo"), default=0)
    escalations = models.PositiveIntegerField(_("số lần chuyển cấp"), default=0)

    class Meta:
        verbose_name = _("lượt rà soát nhắc hạn")
        verbose_name_plural = _("lượt rà soát nhắc hạn")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)
