"""Evaluation sheets (phiếu đánh giá) of officials per period, and the decisions on them.

A sheet gathers one person's month (or quarter): the general criteria scored by the person
and then by the supervisor, the leader's extra percentages, the facts that force KHT, and
the products of the period from the tasks (``congvu.evaluation.evidence``). It moves
through self-assessment → supervisor review → decision (or is returned). A decision is an
immutable record with the result, the trace and the evidence it was computed from; a
correction is a new decision with its reason, never an edit.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Tháng")
    QUARTERLY = "quarterly", _("Quý")


class Period(models.Model):
    kind = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="evaluation_period_unique"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="evaluation_period_order"),
        ]

    def __str__(self) -> str:
        if self.kind == PeriodKind.QUARTERLY:
            return f"Quý {(self.start.month - 1) // 3 + 1}/{self.start.year}"
        return f"Tháng {self.start.month:02d}/{self.start.year}"


class SheetRole(models.TextChoices):
    STAFF = "staff", _("Công chức")
    LEADER = "leader", _("Người đứng đầu")
    DEPUTY = "deputy", _("Cấp phó")


class SheetState(models.TextChoices):
    DRAFT = "draft", _("Đang tự đánh giá")
    SELF_ASSESSED = "self_assessed", _("Chờ cấp trên nhận xét")
    REVIEWED = "reviewed", _("Chờ quyết định")
    DECIDED = "decided", _("Đã quyết định")
    RETURNED = "returned", _("Trả lại để hoàn thiện")
    NOT_EVALUATED = "not_evaluated", _("Không đánh giá kỳ này")


class AbsenceKind(models.TextChoices):
    SICK = "sick", _("Nghỉ ốm")
    MATERNITY = "maternity", _("Nghỉ thai sản")
    JUSTIFIED = "justified", _("Nghỉ có lý do chính đáng")
    STUDY = "study", _("Đi học tập trung")


def _points(label: Any) -> Any:
    return models.DecimalField(label, max_digits=4, decimal_places=2, null=True, blank=True)


class Sheet(models.Model):
    person = models.ForeignKey(
        "org.Person", verbose_name=_("cán bộ, công chức"), on_delete=models.PROTECT, related_name="sheets"
    )
    period = models.ForeignKey(Period, verbose_name=_("kỳ"), on_delete=models.PROTECT, related_name="sheets")
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="sheets")
    role = models.CharField(_("đối tượng"), max_length=10, choices=SheetRole.choices)
    state = models.CharField(_("trạng thái"), max_length=15, choices=SheetState.choices, default=SheetState.DRAFT)
    self_i = _points(_("tự chấm nhóm I"))
    self_ii = _points(_("tự chấm nhóm II"))
    self_iii = _points(_("tự chấm nhóm III"))
    self_comment = models.TextField(_("tự nhận xét"), blank=True)
    review_i = _points(_("cấp trên chấm nhóm I"))
    review_ii = _points(_("cấp trên chấm nhóm II"))
    review_iii = _points(_("cấp trên chấm nhóm III"))
    review_comment = models.TextField(_("nhận xét của cấp trên"), blank=True)
    organising = models.DecimalField(
        _("đ: tổ chức thực hiện (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    uniting = models.DecimalField(_("e: đoàn kết (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    disciplined = models.BooleanField(_("bị kỷ luật từ khiển trách trở lên trong năm"), default=False)
    degradation = models.BooleanField(_("có kết luận suy thoái"), default=False)
    corruption_in_unit = models.BooleanField(_("để xảy ra tham nhũng, lãng phí trong đơn vị"), default=False)
    facts_basis = models.TextField(_("căn cứ"), blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    absence_kind = models.CharField(_("lý do không đánh giá"), max_length=12, choices=AbsenceKind.choices, blank=True)
    absence_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    collective_comment = models.TextField(_("ý kiến của tập thể lãnh đạo"), blank=True)
    collective_on = models.DateField(_("ngày họp cho ý kiến"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người nhận xét"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("thời điểm nhận xét"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("phiếu đánh giá")
        verbose_name_plural = _("phiếu đánh giá")
        ordering = ["-period__start", "person__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "period"], name="evaluation_sheet_unique")]
        indexes = [models.Index(fields=["period", "unit", "state"], name="evaluation_sheet_unit_idx")]

    def __str__(self) -> str:
        return f"{self.person} — {self.period}"


class Decision(models.Model):
    """One decision on a sheet: the result as computed then, with its trace and evidence; never edited."""

    sheet = models.ForeignKey(Sheet, verbose_name=_("phiếu"), on_delete=models.PROTECT, related_name="decisions")
    seq = models.PositiveSmallIntegerField(_("lần quyết định"))
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người quyết định"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("thời điểm quyết định"))
    number = models.CharField(_("số văn bản"), max_length=100, blank=True)
    correction_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    quota_override_reason = models.TextField(_("lý do vượt tỷ lệ"), blank=True)
    ruleset = models.CharField(_("bộ quy tắc"), max_length=100)
    total = models.DecimalField(_("tổng điểm"), max_digits=6, decimal_places=2)
    level = models.CharField(_("mức xếp loại"), max_length=5)
    forced = models.BooleanField(_("bị xếp loại không hoàn thành do vi phạm"), default=False)
    forced_reasons = models.JSONField(_("lý do"), default=list)
    values = models.JSONField(_("các giá trị"), default=dict)
    trace = models.JSONField(_("diễn giải"), default=list)
    products = models.JSONField(_("sản phẩm được tính"), default=list)

    class Meta:
        verbose_name = _("quyết định xếp loại")
        verbose_name_plural = _("quyết định xếp loại")
        ordering = ["sheet", "seq"]
        constraints = [models.UniqueConstraint(fields=["sheet", "seq"], name="evaluation_decision_unique")]

    def __str__(self) -> str:
        return f"{self.sheet} #{self.seq}: {self.level}"


class ComplaintState(models.TextChoices):
    OPEN = "open", _("Đang xem xét")
    RESOLVED = "resolved", _("Đã giải quyết")


class Complaint(models.Model):
    """A complaint of the person about a decided result; resolved by the decider (a change is a new decision)."""

    sheet = models.ForeignKey(Sheet, verbose_name=_("phiếu"), on_delete=models.PROTECT, related_name="complaints")
    decision = models.ForeignKey(
        Decision, verbose_name=_("quyết định bị khiếu nại"), on_delete=models.PROTECT, related_name="complaints"
    )
    text = models.TextField(_("nội dung khiếu nại"))
    filed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người khiếu nại"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("thời điểm khiếu nại"))
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=ComplaintState.choices, default=ComplaintState.OPEN
    )
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("thời điểm giải quyết"), null=True, blank=True)
    new_decision = models.ForeignKey(
        Decision,
        verbose_name=_("quyết định điều chỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("khiếu nại kết quả đánh giá")
        verbose_name_plural = _("khiếu nại kết quả đánh giá")
        ordering = ["sheet", "filed_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
