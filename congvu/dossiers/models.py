"""Administrative-procedure dossiers (hồ sơ thủ tục hành chính) from the one-stop system.

A ``Dossier`` is one case as the province's one-stop system (Hệ thống thông tin giải quyết
TTHC) exports it: its code, the procedure, the unit that received it, the channel, the
status code of the National Public Service Portal and its timestamps. Rows arrive only by
import (``congvu.dossiers.importer``); the code is the key a re-import matches on.

Codes of the national portal (``reference/domain-law.md`` §3.2, repo-only but identical in
independent public codebases): the ten statuses and the three channels below. Satisfaction
is the citizen's rating of the case in the three levels one-stop systems ask for (rất hài
lòng, hài lòng, không hài lòng): the product's reading, to be checked against the province's
export.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.org.models import Unit


class Channel(models.IntegerChoices):
    IN_PERSON = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    PUBLIC_POST = 3, _("Qua bưu chính công ích")


class Status(models.IntegerChoices):
    """Dossier status codes of the National Public Service Portal (Cổng Dịch vụ công quốc gia)."""

    REGISTERED = 1, _("Mới đăng ký")
    ACCEPTED = 2, _("Được tiếp nhận")
    NOT_ACCEPTED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL_OBLIGATION = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RESULT_RETURNED = 10, _("Đã trả kết quả")


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 1, _("Rất hài lòng")
    SATISFIED = 2, _("Hài lòng")
    UNSATISFIED = 3, _("Không hài lòng")


# Statuses that end a dossier: processed, result returned, withdrawn (``finished_at`` is then required).
ENDED_STATUSES = (Status.WITHDRAWN, Status.PROCESSED, Status.RESULT_RETURNED)
# Processing finished: these are judged early / on time / late against ``due_at``.
FINISHED_STATUSES = (Status.PROCESSED, Status.RESULT_RETURNED)
# The clock is stopped: waiting for the citizen's papers or payment, or processing stopped.
PAUSED_STATUSES = (Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION, Status.STOPPED)

CODE_MAX_LENGTH = 60
PROCEDURE_CODE_MAX_LENGTH = 50


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=CODE_MAX_LENGTH, unique=True)
    procedure_code = models.CharField(_("mã thủ tục hành chính"), max_length=PROCEDURE_CODE_MAX_LENGTH)
    # Indexed by the (receiving_unit, received_at) index below, which statistics read.
    receiving_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    due_at = models.DateTimeField(_("hạn trả kết quả"), null=True, blank=True)  # none: no deadline
    finished_at = models.DateTimeField(_("thời điểm hoàn thành"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("mức độ hài lòng"), choices=Satisfaction.choices, null=True, blank=True
    )
    # "Phiếu xin lỗi và hẹn lại ngày trả kết quả": issued for a dossier that is or will be late.
    apology_issued_at = models.DateTimeField(_("thời điểm gửi phiếu xin lỗi"), null=True, blank=True)
    imported_at = models.DateTimeField(_("nhập lần đầu"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("hồ sơ thủ tục hành chính")
        verbose_name_plural = _("hồ sơ thủ tục hành chính")
        indexes = [models.Index(fields=["receiving_unit", "received_at"], name="dossiers_unit_received_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(channel__gte=1, channel__lte=3), name="dossiers_channel_valid"),
            models.CheckConstraint(condition=Q(status__gte=1, status__lte=10), name="dossiers_status_valid"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=3),
                name="dossiers_satisfaction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code
