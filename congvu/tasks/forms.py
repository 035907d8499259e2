"""Forms of the task pages. They parse and check the input; the services decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.org.models import Person, Unit
from congvu.tasks.models import Directive, Grade, Meeting, Priority, Task

UnitLookup = Callable[[str], Unit | None]
PersonLookup = Callable[[int], Person | None]

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_day(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _lines(text: str) -> list[tuple[int, str, str]]:
    """Non-empty lines ``left | right`` with their line numbers."""
    result = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        left, sep, right = line.partition("|")
        if not sep:
            raise forms.ValidationError(
                _("Dòng %(n)s: cần hai phần cách nhau bằng dấu “|”.") % {"n": number}, code="format"
            )
        result.append((number, left.strip(), right.strip()))
    return result


class VersionForm(forms.Form):
    """Every action carries the version of the task that the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssignForm(forms.Form):
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=500)
    description = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lead_unit_code = forms.CharField(label=_("Mã đơn vị chủ trì"), max_length=40)
    owner_id = forms.IntegerField(
        label=_("Mã cán bộ chịu trách nhiệm"),
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Số hiệu cán bộ trong danh sách Cán bộ."),
    )
    deadline = forms.DateField(label=_("Hạn hoàn thành"), required=False, widget=_date_widget())
    working_days = forms.IntegerField(label=_("Hoặc số ngày làm việc"), required=False, min_value=1)
    meeting = forms.ModelChoiceField(
        label=_("Cuộc họp"), queryset=Meeting.objects.order_by("-held_on", "-id"), required=False
    )
    directive = forms.ModelChoiceField(
        label=_("Văn bản chỉ đạo"), queryset=Directive.objects.order_by("-issued_on", "-id"), required=False
    )
    clause = forms.CharField(label=_("Điều, khoản, mục"), max_length=200, required=False)
    priority = forms.ChoiceField(label=_("Mức độ ưu tiên"), choices=Priority.choices, initial=Priority.NORMAL)
    products = forms.CharField(
        label=_("Sản phẩm (mỗi dòng: mã | số lượng)"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "BC-CD | 2"}),
        required=False,
    )

    def __init__(self, data: Any = None, *, find_unit: UnitLookup, find_person: PersonLookup) -> None:
        super().__init__(data)
        self.find_unit = find_unit
        self.find_person = find_person

    def clean_lead_unit_code(self) -> Unit:
        code = self.cleaned_data["lead_unit_code"].strip()
        found = self.find_unit(code)
        if found is None:
            raise forms.ValidationError(
                _("Không có đơn vị đang hoạt động mã “%(code)s” trong phạm vi giao nhiệm vụ của bạn.") % {"code": code}
            )
        return found

    def clean_owner_id(self) -> Person:
        pk = self.cleaned_data["owner_id"]
        found = self.find_person(pk)
        if found is None:
            raise forms.ValidationError(_("Không có cán bộ số %(id)s trong phạm vi của bạn.") % {"id": pk})
        return found

    def clean_products(self) -> list[tuple[str, Decimal]]:
        result = []
        for number, code, quantity in _lines(self.cleaned_data["products"]):
            try:
                value = Decimal(quantity.replace(",", "."))
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Dòng %(n)s: số lượng “%(q)s” không phải là số.") % {"n": number, "q": quantity}
                ) from None
            if not code:
                raise forms.ValidationError(_("Dòng %(n)s: thiếu mã sản phẩm.") % {"n": number})
            result.append((code, value))
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("deadline") is None and data.get("working_days") is None and not self.has_error("deadline"):
            self.add_error("deadline", _("Hãy cho hạn hoàn thành hoặc số ngày làm việc."))
        if data.get("meeting") is None and data.get("directive") is None:
            self.add_error("meeting", _("Hãy chọn cuộc họp hoặc văn bản chỉ đạo là nguồn giao."))
        return data


class AcceptForm(VersionForm):
    plan = forms.CharField(
        label=_("Kế hoạch thực hiện (mỗi dòng: nội dung | thời hạn dd/mm/yyyy)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_plan(self) -> list[tuple[str, date]]:
        steps = []
        for number, title, when in _lines(self.cleaned_data["plan"]):
            due = parse_day(when)
            if due is None:
                raise forms.ValidationError(
                    _("Dòng %(n)s: “%(d)s” không phải là ngày (dd/mm/yyyy).") % {"n": number, "d": when}
                )
            steps.append((title, due))
        return steps


class ProgressForm(VersionForm):
    percent = forms.IntegerField(label=_("Tỷ lệ hoàn thành (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Nội dung báo cáo"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SubmitForm(VersionForm):
    products_done = forms.TypedMultipleChoiceField(
        label=_("Sản phẩm đã hoàn thành"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data: Any = None, *, task: Task, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        field = self.fields["products_done"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(p.pk, str(p)) for p in task.products.all()]


class ReviewForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("Kết luận"),
        choices=[("accept", _("Nghiệm thu")), ("return", _("Trả lại"))],
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(label=_("Chất lượng"), choices=[("", "—"), *Grade.choices], required=False)
    major_errors = forms.IntegerField(label=_("Số sai sót lớn"), min_value=0, initial=0, required=False)
    return_reason = forms.CharField(label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CancelForm(VersionForm):
    reason = forms.CharField(label=_("Lý do huỷ"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(VersionForm):
    proposed_deadline = forms.DateField(label=_("Hạn đề nghị"), widget=_date_widget())
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))
    impact = forms.CharField(label=_("Ảnh hưởng"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtensionDecideForm(VersionForm):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("approve", _("Đồng ý gia hạn")), ("reject", _("Không đồng ý"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
