"""Task assignment (giao nhiệm vụ): sources, tasks, products, plans, progress, extensions,
difficulties, coordination, field visits and evidence files.

A task comes from a meeting's conclusions or a directive (down to the clause), has a lead
unit and one accountable person (chủ trì), a deadline and expected products weighted by a
conversion coefficient. Its state changes only through ``congvu.tasks.services``. The
official reporting buckets (on time, late, within deadline, overdue) are derived from the
dates by ``congvu.tasks.buckets`` and never stored.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.core.workcal import default_calendar
from congvu.tasks.rules import MEETING_NOTICE_DEADLINE


class Meeting(models.Model):
    """A meeting (hội nghị, cuộc họp) whose conclusions give rise to tasks."""

    title = models.CharField(_("tên cuộc họp"), max_length=300)
    held_on = models.DateField(_("ngày họp"))
    chair = models.ForeignKey(
        "org.Person", verbose_name=_("người chủ trì"), on_delete=models.PROTECT, related_name="meetings_chaired"
    )
    attendees = models.ManyToManyField(
        "org.Person", verbose_name=_("thành phần tham dự"), related_name="meetings_attended", blank=True
    )
    agenda = models.TextField(_("nội dung, chương trình"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="meetings"
    )
    notice_number = models.CharField(_("số thông báo kết luận"), max_length=100, blank=True)
    notice_date = models.DateField(_("ngày thông báo kết luận"), null=True, blank=True)

    class Meta:
        verbose_name = _("cuộc họp")
        verbose_name_plural = _("cuộc họp")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    @property
    def notice_due(self) -> date:
        """The last day for the conclusion notice: N working days after the meeting."""
        return default_calendar().add_working_days(self.held_on, MEETING_NOTICE_DEADLINE["working_days"])

    def is_notice_late(self, today: date) -> bool:
        due = self.notice_due
        if self.notice_date is None:
            return today > due
        return self.notice_date > due

    @property
    def notice_late(self) -> bool:
        return self.is_notice_late(timezone.localdate())


class Directive(models.Model):
    """A source document (văn bản chỉ đạo) with its number, date and issuer."""

    number = models.CharField(_("số, ký hiệu"), max_length=100)
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan, người ban hành"), max_length=300)
    summary = models.TextField(_("trích yếu"), blank=True)

    class Meta:
        verbose_name = _("văn bản chỉ đạo")
        verbose_name_plural = _("văn bản chỉ đạo")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.number} ngày {self.issued_on:%d/%m/%Y}"


class ProductType(models.Model):
    """A kind of countable output with its conversion coefficient (hệ số quy đổi)."""

    code = models.CharField(_("mã sản phẩm"), max_length=40, unique=True)
    name = models.CharField(_("tên sản phẩm"), max_length=300)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=50)
    coefficient = models.DecimalField(_("hệ số quy đổi"), max_digits=6, decimal_places=2)
    job_position = models.CharField(_("vị trí việc làm"), max_length=200, blank=True)
    active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("loại sản phẩm")
        verbose_name_plural = _("danh mục sản phẩm")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="tasks_producttype_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Priority(models.TextChoices):
    NORMAL = "normal", _("Bình thường")
    HIGH = "high", _("Quan trọng")
    URGENT = "urgent", _("Khẩn")


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("Đã giao")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    SUBMITTED = "submitted", _("Đã trình kết quả")
    DONE = "done", _("Hoàn thành")
    RETURNED = "returned", _("Bị trả lại")
    CANCELLED = "cancelled", _("Đã huỷ")


class Grade(models.TextChoices):
    MEETS = "meets", _("Đạt yêu cầu")
    ERRORS = "errors", _("Có sai sót lớn")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")


class TaskSeries(models.Model):
    """A recurring task (nhiệm vụ định kỳ, e.g. the monthly report): one task per month or quarter.

    Each occurrence is an ordinary task, assigned on the first day of its period with its
    deadline on ``due_day`` of the period's last month; the daily sweep creates it.
    """

    title = models.CharField(_("tên nhiệm vụ"), max_length=500)
    description = models.TextField(_("nội dung"), blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    directive = models.ForeignKey(Directive, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clause = models.CharField(_("điều, khoản, mục"), max_length=200, blank=True)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="task_series"
    )
    owner = models.ForeignKey(
        "org.Person", verbose_name=_("người chịu trách nhiệm"), on_delete=models.PROTECT, related_name="task_series"
    )
    assigned_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người giao"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.CharField(_("mức độ ưu tiên"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    products = models.JSONField(_("sản phẩm"), default=list, blank=True)  # [[code, quantity], ...]
    frequency = models.CharField(_("chu kỳ"), max_length=10, choices=Frequency.choices)
    due_day = models.PositiveSmallIntegerField(_("hạn: ngày trong tháng cuối kỳ"))
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("nhiệm vụ định kỳ")
        verbose_name_plural = _("nhiệm vụ định kỳ")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_day__gte=1, due_day__lte=28), name="tasks_series_due_day"),
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(directive__isnull=False), name="tasks_series_has_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_frequency_display()})"


class Task(models.Model):
    """Assigned work with a lead unit, an accountable person, a deadline and products."""

    title = models.CharField(_("tên nhiệm vụ"), max_length=500)
    description = models.TextField(_("nội dung"), blank=True)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("cuộc họp"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    directive = models.ForeignKey(
        Directive,
        verbose_name=_("văn bản chỉ đạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    clause = models.CharField(_("điều, khoản, mục"), max_length=200, blank=True)
    finding = models.ForeignKey(
        "tasks.Finding",
        verbose_name=_("phát hiện qua khảo sát"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    series = models.ForeignKey(
        TaskSeries,
        verbose_name=_("nhiệm vụ định kỳ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    period_start = models.DateField(_("kỳ (ngày đầu)"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="lead_tasks"
    )
    owner = models.ForeignKey(
        "org.Person", verbose_name=_("người chịu trách nhiệm"), on_delete=models.PROTECT, related_name="owned_tasks"
    )
    assigned_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người giao"), on_delete=models.PROTECT, related_name="assigned_tasks"
    )
    assigned_on = models.DateField(_("ngày giao"))
    deadline = models.DateField(_("hạn hoàn thành"))
    original_deadline = models.DateField(_("hạn ban đầu"))
    priority = models.CharField(_("mức độ ưu tiên"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("trạng thái"), max_length=12, choices=TaskState.choices, default=TaskState.ASSIGNED)
    grade = models.CharField(_("chất lượng"), max_length=10, choices=Grade.choices, null=True, blank=True)
    major_errors = models.PositiveIntegerField(_("số sai sót lớn"), default=0)
    submitted_on = models.DateField(_("ngày trình kết quả"), null=True, blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    cancel_reason = models.TextField(_("lý do huỷ"), blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("thời điểm cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("assigned_on")), name="tasks_task_deadline_after_assigned"
            ),
            models.CheckConstraint(
                condition=Q(original_deadline__gte=F("assigned_on")), name="tasks_task_original_deadline_after_assigned"
            ),
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(directive__isnull=False) | Q(finding__isnull=False),
                name="tasks_task_has_source",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(completed_on__isnull=False), name="tasks_task_done_has_date"
            ),
            models.UniqueConstraint(fields=["series", "period_start"], name="tasks_task_one_per_period"),
        ]
        indexes = [
            # Each index ends with the dates the reporting buckets compare, so that the grouped counts of
            # the boards and the overview are read from the index alone (no table rows).
            models.Index(fields=["lead_unit", "state", "deadline", "completed_on"], name="tasks_task_unit_idx"),
            models.Index(fields=["owner", "state", "deadline", "completed_on"], name="tasks_task_owner_idx"),
            models.Index(fields=["state", "deadline", "completed_on"], name="tasks_task_state_idx"),
            # The lists' order (deadline, then id): a page of a large board without sorting every task.
            models.Index(fields=["deadline", "id"], name="tasks_task_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskProduct(models.Model):
    """An expected product of a task, weighted by the coefficient in force at assignment."""

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="products")
    product_type = models.ForeignKey(
        ProductType, verbose_name=_("loại sản phẩm"), on_delete=models.PROTECT, related_name="task_products"
    )
    quantity = models.DecimalField(_("số lượng"), max_digits=10, decimal_places=2)
    coefficient = models.DecimalField(_("hệ số quy đổi khi giao"), max_digits=6, decimal_places=2)
    weight = models.DecimalField(_("số sản phẩm quy đổi"), max_digits=10, decimal_places=2)
    done = models.BooleanField(_("đã hoàn thành"), default=False)
    major_errors = models.PositiveIntegerField(_("số sai sót lớn"), default=0)
    delays = models.PositiveIntegerField(_("số lần chậm tiến độ"), default=0)
    excused = models.BooleanField(_("chậm do nguyên nhân khách quan"), default=False)

    class Meta:
        verbose_name = _("sản phẩm của nhiệm vụ")
        verbose_name_plural = _("sản phẩm của nhiệm vụ")
        ordering = ["task", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="tasks_taskproduct_quantity_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="tasks_taskproduct_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_type.code} × {self.quantity}"


class PlanStep(models.Model):
    """A step of the implementation plan that the owner gives when accepting a task."""

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="plan_steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nội dung"), max_length=500)
    due = models.DateField(_("thời hạn"))
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)

    class Meta:
        verbose_name = _("bước kế hoạch")
        verbose_name_plural = _("kế hoạch thực hiện")
        ordering = ["task", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="tasks_planstep_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class ProgressReport(models.Model):
    """A progress report with a completion percentage."""

    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    reported_at = models.DateTimeField(_("thời điểm báo cáo"))
    percent = models.PositiveSmallIntegerField(_("tỷ lệ hoàn thành (%)"))
    note = models.TextField(_("nội dung báo cáo"), blank=True)
    reported_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người báo cáo"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["task", "reported_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="tasks_progress_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.percent}%"


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    APPROVED = "approved", _("Đồng ý gia hạn")
    REJECTED = "rejected", _("Không đồng ý")


class Extension(models.Model):
    """One round of a deadline extension (gia hạn): the request and its decision."""

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="extensions")
    round = models.PositiveSmallIntegerField(_("lần gia hạn"))
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("thời điểm đề nghị"))
    reason = models.TextField(_("lý do"))
    impact = models.TextField(_("ảnh hưởng"), blank=True)
    proposed_deadline = models.DateField(_("hạn đề nghị"))
    previous_deadline = models.DateField(_("hạn trước khi gia hạn"))
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)
    decision_note = models.TextField(_("ý kiến quyết định"), blank=True)

    class Meta:
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")
        ordering = ["task", "round"]
        constraints = [
            models.UniqueConstraint(fields=["task", "round"], name="tasks_extension_unique_round"),
            models.CheckConstraint(
                condition=Q(proposed_deadline__gt=F("previous_deadline")), name="tasks_extension_later_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} #{self.round}"


class Evidence(models.Model):
    """A file that proves progress or a result (minh chứng), attached to a progress report or a submission."""

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="evidence")
    progress_report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("báo cáo tiến độ"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/%m/", max_length=300)
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người tải lên"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["task", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Difficulty(models.Model):
    """A difficulty (khó khăn, vướng mắc) reported to the superior level, answered within a deadline.

    ``addressed_unit`` is the level that must answer now; an unanswered difficulty moves one
    level up the unit tree when its ``answer_due`` has passed (``level`` counts the moves).
    """

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="difficulties")
    description = models.TextField(_("nội dung khó khăn, vướng mắc"))
    proposal = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    raised_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người báo cáo"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("thời điểm báo cáo"))
    raised_on = models.DateField(_("ngày báo cáo"))
    addressed_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("cấp giải quyết"), on_delete=models.PROTECT, related_name="difficulties"
    )
    level = models.PositiveSmallIntegerField(_("số lần chuyển lên cấp trên"), default=0)
    answer_due = models.DateField(_("hạn trả lời"))
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("khó khăn, vướng mắc")
        verbose_name_plural = _("khó khăn, vướng mắc")
        ordering = ["task", "raised_at", "id"]
        indexes = [models.Index(fields=["answered_on", "answer_due"], name="tasks_difficulty_open_idx")]

    def __str__(self) -> str:
        return self.description[:80]


class Coordination(models.Model):
    """Input one unit asks of another for a task (phối hợp), timed and escalated.

    A coordinating unit named when the task is assigned is a coordination with its own
    sub-deadline and deliverable (``on_assignment``); a later request is the same thing.
    """

    task = models.ForeignKey(Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="coordinations")
    from_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="coordination_requests"
    )
    to_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị phối hợp"), on_delete=models.PROTECT, related_name="coordinations"
    )
    request = models.TextField(_("nội dung đề nghị, sản phẩm phối hợp"))
    due = models.DateField(_("hạn phối hợp"))
    on_assignment = models.BooleanField(_("giao khi giao nhiệm vụ"), default=False)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("thời điểm đề nghị"))
    requested_on = models.DateField(_("ngày đề nghị"))
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "org.Unit",
        verbose_name=_("chuyển cấp trên chung"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_coordinations",
    )
    escalated_on = models.DateField(_("ngày chuyển cấp trên"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("phối hợp")
        verbose_name_plural = _("phối hợp")
        ordering = ["task", "due", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_unit=F("to_unit")), name="tasks_coordination_other_unit"),
            models.CheckConstraint(condition=Q(due__gte=F("requested_on")), name="tasks_coordination_due_after"),
        ]
        indexes = [models.Index(fields=["to_unit", "answered_on", "due"], name="tasks_coordination_unit_idx")]

    def __str__(self) -> str:
        return self.request[:80]


class FieldVisitState(models.TextChoices):
    PLANNED = "planned", _("Đã lên kế hoạch")
    DONE = "done", _("Đã thực hiện")


class FieldVisit(models.Model):
    """A field visit (khảo sát thực tế): plan, place, participants and findings."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="field_visits"
    )
    title = models.CharField(_("nội dung khảo sát"), max_length=300)
    purpose = models.TextField(_("mục đích, yêu cầu"), blank=True)
    place = models.CharField(_("địa điểm"), max_length=300)
    planned_on = models.DateField(_("ngày dự kiến"))
    visited_on = models.DateField(_("ngày thực hiện"), null=True, blank=True)
    leader = models.ForeignKey(
        "org.Person", verbose_name=_("trưởng đoàn"), on_delete=models.PROTECT, related_name="field_visits_led"
    )
    participants = models.ManyToManyField(
        "org.Person", verbose_name=_("thành phần"), related_name="field_visits", blank=True
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=FieldVisitState.choices, default=FieldVisitState.PLANNED
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người lập kế hoạch"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("khảo sát thực tế")
        verbose_name_plural = _("khảo sát thực tế")
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.place})"


class Finding(models.Model):
    """One finding of a field visit; a finding can become a task (the task names it as its source)."""

    visit = models.ForeignKey(
        FieldVisit, verbose_name=_("đợt khảo sát"), on_delete=models.CASCADE, related_name="findings"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung phát hiện"))
    recommendation = models.TextField(_("kiến nghị"), blank=True)

    class Meta:
        verbose_name = _("phát hiện")
        verbose_name_plural = _("phát hiện")
        ordering = ["visit", "order"]
        constraints = [models.UniqueConstraint(fields=["visit", "order"], name="tasks_finding_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"


class TallyDay(models.Model):
    """A day whose task tallies (``TaskTally``) are complete: built by the daily job, kept by every change."""

    day = models.DateField(_("ngày"), unique=True)
    built_at = models.DateTimeField(_("thời điểm lập"))
    tasks = models.PositiveIntegerField(_("số nhiệm vụ đã đếm"))

    class Meta:
        verbose_name = _("ngày tổng hợp nhiệm vụ")
        verbose_name_plural = _("ngày tổng hợp nhiệm vụ")

    def __str__(self) -> str:
        return self.day.isoformat()


class TaskTally(models.Model):
    """The four reporting buckets of the tasks of one lead unit and one accountable person, on one day.

    Derived, never edited by hand: rebuilt from the tasks each day (a task's bucket depends on the
    day) and moved by one task at a time in the same transaction as each change of a task.
    """

    day = models.DateField(_("ngày"))
    # The unique (day, lead unit, owner) index serves every read; no index of their own.
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    owner = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    completed_on_time = models.IntegerField(default=0)
    completed_late = models.IntegerField(default=0)
    in_progress_on_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp nhiệm vụ")
        verbose_name_plural = _("số liệu tổng hợp nhiệm vụ")
        constraints = [
            models.UniqueConstraint(fields=["day", "lead_unit", "owner"], name="tasks_tally_unique_day_unit_owner")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.lead_unit_id}/{self.owner_id}"


class OwnerTally(models.Model):
    """The four reporting buckets of one accountable person's tasks (whatever the lead unit), on one day.

    Kept beside ``TaskTally`` like it, so that the people with the most overdue work in the whole
    province are read from an index, worst first.
    """

    day = models.DateField(_("ngày"))
    owner = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    completed_on_time = models.IntegerField(default=0)
    completed_late = models.IntegerField(default=0)
    in_progress_on_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp nhiệm vụ theo người")
        verbose_name_plural = _("số liệu tổng hợp nhiệm vụ theo người")
        constraints = [models.UniqueConstraint(fields=["day", "owner"], name="tasks_ownertally_unique_day_owner")]
        indexes = [
            models.Index(fields=["day", "-overdue", "-completed_late", "owner"], name="tasks_ownertally_worst_idx")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id}"
