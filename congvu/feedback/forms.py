"""Forms of the public portal and of the staff inbox. They parse the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.feedback.models import Rating, Service, Track
from congvu.tasks.forms import MultipleFileField

MIN_FILL_SECONDS = 3


class SubmitForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Service.objects.filter(active=True))
    description = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
    address = forms.CharField(label=_("Địa điểm (nếu có)"), max_length=300, required=False)
    lat = forms.DecimalField(label=_("Vĩ độ"), required=False, min_value=-90, max_value=90, decimal_places=6)
    long = forms.DecimalField(label=_("Kinh độ"), required=False, min_value=-180, max_value=180, decimal_places=6)
    attachments = MultipleFileField(label=_("Ảnh, tệp PDF kèm theo (tối đa 5 tệp)"))
    name = forms.CharField(label=_("Họ tên (không bắt buộc)"), max_length=200, required=False)
    contact = forms.CharField(label=_("Điện thoại hoặc thư điện tử (không bắt buộc)"), max_length=200, required=False)
    # Anti-abuse without third parties: a field people never see and the time the form was shown.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    shown_at = forms.CharField(required=False, widget=forms.HiddenInput)


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã tra cứu"), max_length=40)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Đánh giá câu trả lời"), choices=Rating.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Vì sao câu trả lời chưa giải quyết được vấn đề?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ActionForm(forms.Form):
    """One staff action on a submission; the fields used depend on ``action``."""

    action = forms.ChoiceField(
        choices=[
            ("accept", _("Tiếp nhận xử lý")),
            ("duplicate", _("Trùng với phản ánh khác")),
            ("refuse", _("Không thuộc phạm vi")),
            ("track", _("Chuyển loại")),
            ("draft", _("Dự thảo trả lời")),
            ("publish", _("Duyệt và công khai trả lời")),
        ]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    unit_code = forms.CharField(label=_("Chuyển đơn vị xử lý (mã, nếu cần)"), max_length=40, required=False)
    of_code = forms.CharField(label=_("Số của phản ánh gốc"), max_length=40, required=False)
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    track = forms.ChoiceField(label=_("Loại"), choices=[("", "—"), *Track.choices], required=False)
    answer = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    upheld = forms.TypedChoiceField(
        label=_("Kết luận (phản ánh về cán bộ)"),
        choices=[("", "—"), ("yes", _("Phản ánh đúng")), ("no", _("Phản ánh không đúng"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        return super().clean() or {}


class RoutingRuleForm(forms.Form):
    """A routing rule as typed on the page; the service checks scope, the box and the unit."""

    service = forms.ModelChoiceField(
        label=_("Lĩnh vực (bỏ trống: mọi lĩnh vực)"), queryset=Service.objects.order_by("group", "name"), required=False
    )
    place_contains = forms.CharField(label=_("Địa chỉ có chứa (vd. tên xã, phường)"), max_length=200, required=False)
    lat_min = forms.CharField(label=_("Vĩ độ từ"), max_length=20, required=False)
    lat_max = forms.CharField(label=_("Vĩ độ đến"), max_length=20, required=False)
    long_min = forms.CharField(label=_("Kinh độ từ"), max_length=20, required=False)
    long_max = forms.CharField(label=_("Kinh độ đến"), max_length=20, required=False)
    unit_code = forms.CharField(label=_("Mã đơn vị xử lý"), max_length=40)
    priority = forms.IntegerField(label=_("Thứ tự ưu tiên (nhỏ trước)"), min_value=0, max_value=10_000, initial=100)
    active = forms.BooleanField(label=_("Đang áp dụng"), required=False, initial=True)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class RouteTestForm(forms.Form):
    """Try the rules: which unit would handle a submission of this service at this place."""

    test_service = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Service.objects.order_by("group", "name"))
    test_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    test_lat = forms.DecimalField(label=_("Vĩ độ"), required=False, min_value=-90, max_value=90, decimal_places=6)
    test_long = forms.DecimalField(label=_("Kinh độ"), required=False, min_value=-180, max_value=180, decimal_places=6)
