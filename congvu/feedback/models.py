"""Public feedback (phản ánh, kiến nghị), complaints (khiếu nại) and denunciations (tố cáo).

A submission comes from the public portal or an Open311 client with a random tracking code;
staff triage it (accept and route to a unit, mark a duplicate, refuse as out of scope, move
it to another track), draft an answer, the unit head approves and publishes it, and the
submitter rates it or reopens it within the window. Deadlines are working days from rule
data (``rules/deadlines.yaml``), never constants. A denunciation's submitter is never shown
to the unit or official it concerns.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Track(models.TextChoices):
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị")
    COMPLAINT = "complaint", _("Khiếu nại")
    DENUNCIATION = "denunciation", _("Tố cáo")


class Service(models.Model):
    """A kind of request the public can make (an Open311 service)."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    group = models.CharField(_("nhóm"), max_length=100, blank=True)
    track = models.CharField(_("loại"), max_length=15, choices=Track.choices, default=Track.FEEDBACK)
    about_conduct = models.BooleanField(_("về thái độ, hành vi của cán bộ"), default=False)
    default_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị xử lý mặc định"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("đang tiếp nhận"), default=True)

    class Meta:
        verbose_name = _("lĩnh vực tiếp nhận")
        verbose_name_plural = _("lĩnh vực tiếp nhận")
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Category and place → the unit that handles a submission (kept by Sở Nội vụ, first match wins).

    A rule matches a submission when its service is the submission's (or the rule names no
    service) and its place matches: the address contains ``place_contains`` (letters compared
    without case and accents), or the coordinates lie inside the box; a rule with neither matches
    any place. Rules are tried by ``priority`` (lower first), then age.
    """

    service = models.ForeignKey(
        Service,
        verbose_name=_("lĩnh vực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    place_contains = models.CharField(_("địa chỉ có chứa"), max_length=200, blank=True)
    lat_min = models.DecimalField(_("vĩ độ từ"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat_max = models.DecimalField(_("vĩ độ đến"), max_digits=9, decimal_places=6, null=True, blank=True)
    long_min = models.DecimalField(_("kinh độ từ"), max_digits=9, decimal_places=6, null=True, blank=True)
    long_max = models.DecimalField(_("kinh độ đến"), max_digits=9, decimal_places=6, null=True, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị xử lý"), on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveIntegerField(_("thứ tự ưu tiên"), default=100)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.priority}: {self.service or '*'} {self.place_contains} → {self.unit}"

    @property
    def has_box(self) -> bool:
        return self.lat_min is not None


class State(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    ACCEPTED = "accepted", _("Đang xử lý")
    DRAFTED = "drafted", _("Chờ lãnh đạo duyệt trả lời")
    PUBLISHED = "published", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")
    REFUSED = "refused", _("Không thuộc phạm vi")
    DUPLICATE = "duplicate", _("Trùng với phản ánh khác")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    UNSATISFIED = "unsatisfied", _("Không hài lòng")


class Feedback(models.Model):
    tracking_code = models.CharField(_("mã tra cứu"), max_length=40, unique=True)  # the submitter's secret
    # The public number (Open311 service_request_id, lists): never the tracking code, which lets its holder
    # rate and reopen.
    public_id = models.CharField(_("số phản ánh"), max_length=20, unique=True)
    service = models.ForeignKey(Service, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="requests")
    track = models.CharField(_("loại"), max_length=15, choices=Track.choices)
    description = models.TextField(_("nội dung"))
    address = models.CharField(_("địa điểm"), max_length=300, blank=True)
    lat = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    about_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị bị phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    about_person = models.ForeignKey(
        "org.Person",
        verbose_name=_("cán bộ bị phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_about",
    )
    submitter_name = models.CharField(_("họ tên người gửi"), max_length=200, blank=True)
    submitter_contact = models.CharField(_("liên hệ của người gửi"), max_length=200, blank=True)
    submitter_email_hash = models.CharField(max_length=64, blank=True, editable=False)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    channel = models.CharField(_("kênh"), max_length=20, default="portal")
    state = models.CharField(_("trạng thái"), max_length=12, choices=State.choices, default=State.RECEIVED)
    responsible_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị xử lý"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    received_on = models.DateField(_("ngày tiếp nhận"))
    due_on = models.DateField(_("hạn trả lời"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    # For a submission about an official's conduct: whether the handling found it true (counts in evaluation).
    upheld = models.BooleanField(_("phản ánh đúng"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người dự thảo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    published_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    status_note = models.TextField(_("ghi chú trạng thái"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("trùng với"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    rating = models.CharField(_("đánh giá"), max_length=12, choices=Rating.choices, blank=True)
    rating_reason = models.TextField(_("lý do"), blank=True)
    reopened = models.PositiveSmallIntegerField(_("số lần mở lại"), default=0)
    personal_data_erased_on = models.DateField(_("ngày xoá dữ liệu cá nhân"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["responsible_unit", "state", "due_on"], name="feedback_unit_idx"),
            models.Index(fields=["state", "due_on"], name="feedback_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="feedback_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(long__isnull=True) | Q(long__gte=-180, long__lte=180), name="feedback_long_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code[:8]}… {self.service}"


class Attachment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="feedback/%Y/%m/", max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["feedback", "id"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """An Open311 client's key (``congvu open311_key NAME``); only its hash is kept."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class IdempotencyRecord(models.Model):
    """The answer given to a create with an ``Idempotency-Key``: the same key and body get it again."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="feedback_idempotency_unique")]

    def __str__(self) -> str:
        return self.key
