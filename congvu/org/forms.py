from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.org.models import Unit


class UnitChangeForm(forms.Form):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    code = forms.CharField(label=_("Mã đơn vị"), max_length=40)
    effective = forms.DateField(label=_("Ngày hiệu lực"))
    basis_number = forms.CharField(label=_("Số văn bản căn cứ"), max_length=100)
    basis_date = forms.DateField(label=_("Ngày văn bản"), required=False)
    basis_issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, unit: Unit) -> None:
        initial = {
            "name": unit.name,
            "short_name": unit.short_name,
            "code": unit.code,
            "effective": timezone.localdate(),
            "version": unit.version,
        }
        super().__init__(data, initial=initial)
        for name in ("effective", "basis_date"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))
