"""Forms of the task pages. They parse and check the input; the services decide."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.org.models import Person, Unit
from congvu.tasks.models import Directive, Finding, Frequency, Grade, Meeting, Priority, Task

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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (evidence); the services check their kind and size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _coordinator_lines(text: str, find_unit: UnitLookup) -> list[tuple[Unit, str, date]]:
    """Lines ``unit code | what it delivers | dd/mm/yyyy``."""
    result = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise forms.ValidationError(
                _("Dòng %(n)s: cần ba phần “mã đơn vị | nội dung phối hợp | hạn dd/mm/yyyy”.") % {"n": number}
            )
        code, request, when = parts
        unit = find_unit(code)
        if unit is None:
            raise forms.ValidationError(
                _("Dòng %(n)s: không có đơn vị đang hoạt động mã “%(code)s”.") % {"n": number, "code": code}
            )
        due = parse_day(when)
        if due is None:
            raise forms.ValidationError(
                _("Dòng %(n)s: “%(d)s” không phải là ngày (dd/mm/yyyy).") % {"n": number, "d": when}
            )
        result.append((unit, request, due))
    return result


class VersionForm(forms.Form):
    """Every action carries the version of the task that the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ScopedLookupForm(forms.Form):
    """A form naming a unit by its code and people by their number, each looked up within the caller's scope."""

    def __init__(
        self,
        data: Any = None,
        *,
        find_unit: UnitLookup,
        find_person: PersonLookup,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.find_unit = find_unit
        self.find_person = find_person

    def clean_unit_code(self) -> Unit:
        code = self.cleaned_data["unit_code"].strip()
        found = self.find_unit(code)
        if found is None:
            raise forms.ValidationError(
                _("Không có đơn vị đang hoạt động mã “%(code)s” trong phạm vi của bạn.") % {"code": code}
            )
        return found

    def _person(self, pk: int) -> Person:
        found = self.find_person(pk)
        if found is None:
            raise forms.ValidationError(_("Không có cán bộ số %(id)s trong phạm vi của bạn.") % {"id": pk})
        return found


class AssignForm(ScopedLookupForm):
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
    finding = forms.ModelChoiceField(
        label=_("Phát hiện qua khảo sát"),
        queryset=Finding.objects.select_related("visit").order_by("-visit__planned_on", "visit_id", "order"),
        required=False,
        widget=forms.HiddenInput,
    )
    products = forms.CharField(
        label=_("Sản phẩm (mỗi dòng: mã | số lượng)"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "BC-CD | 2"}),
        required=False,
    )
    coordinators = forms.CharField(
        label=_("Đơn vị phối hợp (mỗi dòng: mã đơn vị | nội dung phối hợp | hạn dd/mm/yyyy)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    frequency = forms.ChoiceField(
        label=_("Lặp lại"),
        choices=[("", _("Không lặp lại")), *Frequency.choices],
        required=False,
        help_text=_(
            "Nhiệm vụ định kỳ: mỗi kỳ một nhiệm vụ, giao ngày đầu kỳ, hạn vào ngày dưới đây của tháng cuối kỳ."
        ),
    )
    due_day = forms.IntegerField(
        label=_("Hạn trong kỳ (ngày 1–28 của tháng cuối kỳ)"), min_value=1, max_value=28, required=False
    )
    ends_on = forms.DateField(label=_("Lặp lại đến ngày"), required=False, widget=_date_widget())

    def __init__(
        self,
        data: Any = None,
        *,
        find_unit: UnitLookup,
        find_person: PersonLookup,
        find_any_unit: UnitLookup,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, find_unit=find_unit, find_person=find_person, initial=initial)
        self.find_any_unit = find_any_unit

    def clean_coordinators(self) -> list[tuple[Unit, str, date]]:
        return _coordinator_lines(self.cleaned_data["coordinators"], self.find_any_unit)

    def clean_lead_unit_code(self) -> Unit:
        code = self.cleaned_data["lead_unit_code"].strip()
        found = self.find_unit(code)
        if found is None:
            raise forms.ValidationError(
                _("Không có đơn vị đang hoạt động mã “%(code)s” trong phạm vi giao nhiệm vụ của bạn.") % {"code": code}
            )
        return found

    def clean_owner_id(self) -> Person:
        return self._person(self.cleaned_data["owner_id"])

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
        if data.get("frequency"):
            if data.get("due_day") is None and not self.has_error("due_day"):
                self.add_error("due_day", _("Hãy cho ngày hạn trong kỳ của nhiệm vụ định kỳ."))
        elif data.get("deadline") is None and data.get("working_days") is None and not self.has_error("deadline"):
            self.add_error("deadline", _("Hãy cho hạn hoàn thành hoặc số ngày làm việc."))
        if data.get("meeting") is None and data.get("directive") is None and data.get("finding") is None:
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
    evidence_files = MultipleFileField(label=_("Tệp minh chứng (PDF, ảnh, Word, Excel)"))


class SubmitForm(VersionForm):
    products_done = forms.TypedMultipleChoiceField(
        label=_("Sản phẩm đã hoàn thành"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence_files = MultipleFileField(label=_("Tệp minh chứng (PDF, ảnh, Word, Excel)"))

    def __init__(self, data: Any = None, files: Any = None, *, task: Task, **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
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


class DifficultyForm(VersionForm):
    description = forms.CharField(label=_("Khó khăn, vướng mắc"), widget=forms.Textarea(attrs={"rows": 3}))
    proposal = forms.CharField(label=_("Đề xuất, kiến nghị"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AnswerForm(VersionForm):
    """The answer to a difficulty or a coordination request (``version`` is that record's)."""

    answer = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 2}))


class CoordinationForm(VersionForm):
    to_unit_code = forms.CharField(label=_("Mã đơn vị được đề nghị phối hợp"), max_length=40)
    request = forms.CharField(label=_("Nội dung cần phối hợp"), widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateField(label=_("Hạn phối hợp"), widget=_date_widget())

    def __init__(self, data: Any = None, *, find_unit: UnitLookup, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.find_unit = find_unit

    def clean_to_unit_code(self) -> Unit:
        code = self.cleaned_data["to_unit_code"].strip()
        found = self.find_unit(code)
        if found is None:
            raise forms.ValidationError(_("Không có đơn vị đang hoạt động mã “%(code)s”.") % {"code": code})
        return found


class MeetingForm(ScopedLookupForm):
    title = forms.CharField(label=_("Tên cuộc họp"), max_length=300)
    held_on = forms.DateField(label=_("Ngày họp"), widget=_date_widget())
    unit_code = forms.CharField(label=_("Mã đơn vị tổ chức"), max_length=40)
    chair_id = forms.IntegerField(label=_("Số hiệu người chủ trì"), min_value=1, max_value=2**63 - 1)
    attendee_ids = forms.CharField(
        label=_("Số hiệu thành phần tham dự (cách nhau bằng dấu phẩy)"), required=False, max_length=2000
    )
    agenda = forms.CharField(
        label=_("Nội dung, chương trình"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    conclusions = forms.CharField(label=_("Kết luận"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    notice_number = forms.CharField(label=_("Số thông báo kết luận"), max_length=100, required=False)
    notice_date = forms.DateField(label=_("Ngày thông báo kết luận"), required=False, widget=_date_widget())

    def clean_chair_id(self) -> Person:
        return self._person(self.cleaned_data["chair_id"])

    def clean_attendee_ids(self) -> list[Person]:
        people = []
        for part in self.cleaned_data["attendee_ids"].replace(";", ",").split(","):
            if not part.strip():
                continue
            if not part.strip().isdigit() or len(part.strip()) > 18:
                raise forms.ValidationError(_("“%(v)s” không phải là số hiệu cán bộ.") % {"v": part.strip()})
            people.append(self._person(int(part)))
        return people


class FieldVisitForm(ScopedLookupForm):
    title = forms.CharField(label=_("Nội dung khảo sát"), max_length=300)
    purpose = forms.CharField(label=_("Mục đích, yêu cầu"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    place = forms.CharField(label=_("Địa điểm"), max_length=300)
    planned_on = forms.DateField(label=_("Ngày dự kiến"), widget=_date_widget())
    unit_code = forms.CharField(label=_("Mã đơn vị tổ chức"), max_length=40)
    leader_id = forms.IntegerField(label=_("Số hiệu trưởng đoàn"), min_value=1, max_value=2**63 - 1)

    def clean_leader_id(self) -> Person:
        return self._person(self.cleaned_data["leader_id"])


class FindingsForm(VersionForm):
    visited_on = forms.DateField(label=_("Ngày thực hiện"), widget=_date_widget())
    findings = forms.CharField(
        label=_("Phát hiện (mỗi dòng: nội dung | kiến nghị)"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_findings(self) -> list[tuple[str, str]]:
        result = []
        for line in self.cleaned_data["findings"].splitlines():
            if line.strip():
                text, _sep, rec = line.partition("|")
                result.append((text.strip(), rec.strip()))
        return result
