"""The append-only audit log: one row per state change, chained by SHA-256."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One state change. Rows are never updated or deleted (database triggers refuse it).

    ``hash`` is the SHA-256 of the canonical JSON of every other field, including
    ``prev_hash`` (the hash of the event with ``seq - 1``), so that changing, removing,
    inserting or reordering any row breaks the chain from that row on.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    event_time = models.DateTimeField(_("thời điểm"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(_("người thực hiện"), max_length=200)
    action = models.CharField(_("hành động"), max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(_("đối tượng"), max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditSubject(models.Model):
    """Index of every object an event concerns (an event about a merger concerns every unit in it)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subject_rows")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"
