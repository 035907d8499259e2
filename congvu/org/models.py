"""The organisation registry: versioned units, people, titles and appointments.

A ``Unit`` keeps a stable identity for its whole life. Its name, code, kind and
parent change through ``UnitEvent`` rows (rename, re-parent, merge, split,
dissolve), each with its legal basis; ``UnitVersion`` keeps what the unit was
between two dates. Records elsewhere point at the unit as it was; after a merger the
absorbed unit's ``path`` moves under its successor, so those records are found in
the successor's subtree.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    AGENCY = "agency", _("Cơ quan cấp tỉnh")
    DIVISION = "division", _("Phòng, đơn vị thuộc cơ quan")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    COMMUNE_DIVISION = "commune_division", _("Phòng thuộc UBND xã")
    SERVICE = "service", _("Đơn vị sự nghiệp")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    MERGED = "merged", _("Đã hợp nhất, sáp nhập")
    SPLIT = "split", _("Đã chia tách")
    DISSOLVED = "dissolved", _("Đã giải thể")


class Unit(models.Model):
    """An organisation unit with its current state (the history is in ``versions``)."""

    code = models.CharField(_("mã đơn vị"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(_("trạng thái"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["parent", "status", "sort_order"], name="org_unit_children_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == UnitStatus.ACTIVE

    def version_on(self, day: date) -> UnitVersion | None:
        return (
            self.versions.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .order_by("-valid_from")
            .first()
        )


class UnitEventKind(models.TextChoices):
    CREATE = "create", _("Thành lập")
    RENAME = "rename", _("Đổi tên, đổi mã")
    REPARENT = "reparent", _("Chuyển đơn vị cấp trên")
    MERGE = "merge", _("Hợp nhất, sáp nhập")
    SPLIT = "split", _("Chia tách")
    DISSOLVE = "dissolve", _("Giải thể")


class UnitEvent(models.Model):
    """An organisational change with its legal basis."""

    kind = models.CharField(_("loại sự kiện"), max_length=12, choices=UnitEventKind.choices)
    effective_date = models.DateField(_("ngày hiệu lực"))
    basis_number = models.CharField(_("số văn bản"), max_length=100, blank=True)
    basis_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    basis_issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    sources = models.ManyToManyField(Unit, related_name="events_as_source", blank=True)
    targets = models.ManyToManyField(Unit, related_name="events_as_target", blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sự kiện tổ chức")
        verbose_name_plural = _("sự kiện tổ chức")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"

    @property
    def basis_label(self) -> str:
        parts = [self.basis_number]
        if self.basis_date:
            parts.append(self.basis_date.strftime("%d/%m/%Y"))
        if self.basis_issuer:
            parts.append(self.basis_issuer)
        return ", ".join(p for p in parts if p)


class UnitVersion(models.Model):
    """What a unit was called, coded and placed as between two dates (``valid_to`` exclusive)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    event = models.ForeignKey(UnitEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ["unit", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="org_unitversion_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from}–{self.valid_to or ''})"


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Person(models.Model):
    """A cadre, civil servant or public employee."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    search_name = models.CharField(max_length=150, db_index=True, editable=False, default="")
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, null=True, blank=True, unique=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("cán bộ, công chức")
        verbose_name_plural = _("cán bộ, công chức")
        ordering = ["full_name", "id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_personal_id(self) -> str:
        if not self.personal_id:
            return ""
        return "•" * (len(self.personal_id) - 3) + self.personal_id[-3:]


class Title(models.Model):
    """A position title from the controlled vocabulary (Decree 334/2025 list and others)."""

    code = models.CharField(_("mã chức vụ"), max_length=40, unique=True)
    name = models.CharField(_("tên chức vụ"), max_length=150)
    is_leader = models.BooleanField(_("là chức vụ lãnh đạo, quản lý"), default=False)
    level = models.PositiveSmallIntegerField(
        _("cấp"), default=0, help_text=_("0 = không giữ chức vụ; số nhỏ là cấp cao")
    )
    unit_kinds = models.JSONField(_("loại đơn vị áp dụng"), default=list, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=200, blank=True)
    certainty = models.CharField(_("độ tin cậy"), max_length=12, default="likely")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class AppointmentKind(models.TextChoices):
    PRIMARY = "primary", _("Chức vụ chính")
    CONCURRENT = "concurrent", _("Kiêm nhiệm")
    SECONDMENT = "secondment", _("Biệt phái")


class Appointment(models.Model):
    """A person holding a title in a unit from ``start_date`` to ``end_date`` (inclusive; open if empty)."""

    person = models.ForeignKey(Person, verbose_name=_("cán bộ"), on_delete=models.PROTECT, related_name="appointments")
    title = models.ForeignKey(Title, verbose_name=_("chức vụ"), on_delete=models.PROTECT, related_name="appointments")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(
        _("hình thức"), max_length=12, choices=AppointmentKind.choices, default=AppointmentKind.PRIMARY
    )
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)

    class Meta:
        verbose_name = _("bổ nhiệm")
        verbose_name_plural = _("bổ nhiệm")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="org_appointment_dates",
            ),
            models.UniqueConstraint(fields=["person", "title", "unit", "start_date"], name="org_appointment_unique"),
        ]
        indexes = [models.Index(fields=["unit", "end_date"], name="org_appointment_unit_idx")]

    def __str__(self) -> str:
        return f"{self.person} — {self.title} — {self.unit}"


class ImportRun(models.Model):
    """One Excel import of the organisation, with its progress and outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Có lỗi, không ghi dữ liệu")

    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    scope_paths = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"
