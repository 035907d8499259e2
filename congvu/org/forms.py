"""Forms of the registry's pages. Each organisational change carries its legal basis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.org import services
from congvu.org.models import Unit, UnitKind

UnitLookup = Callable[[str], Unit | None]  # an active unit of the caller's scope, by code


class BasisForm(forms.Form):
    """The effective date and legal basis every organisational change needs."""

    effective = forms.DateField(label=_("Ngày hiệu lực"))
    basis_number = forms.CharField(label=_("Số văn bản căn cứ"), max_length=100)
    basis_date = forms.DateField(label=_("Ngày văn bản"), required=False)
    basis_issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)  # the unit's version the form was built on

    def __init__(
        self, data: Any = None, *, unit: Unit, lookup: UnitLookup, initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial={"effective": timezone.localdate(), "version": unit.version} | (initial or {}))
        self.unit = unit
        self.lookup = lookup
        for name in ("effective", "basis_date"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def basis(self) -> services.Basis:
        data = self.cleaned_data
        return services.Basis(data["basis_number"].strip(), data["basis_date"], data["basis_issuer"].strip())

    def unit_by_code(self, field: str, *, required: bool = True) -> Unit | None:
        code = (self.cleaned_data.get(field) or "").strip()
        if not code:
            if required:
                raise forms.ValidationError(_("Trường này là bắt buộc."))
            return None
        found = self.lookup(code)
        if found is None:
            raise forms.ValidationError(
                _("Không có đơn vị đang hoạt động mã “%(code)s” trong phạm vi của bạn.") % {"code": code}
            )
        return found


class UnitChangeForm(BasisForm):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    code = forms.CharField(label=_("Mã đơn vị"), max_length=40)
    parent_code = forms.CharField(label=_("Mã đơn vị cấp trên"), max_length=40, required=False)

    field_order = [
        "name",
        "short_name",
        "code",
        "parent_code",
        "effective",
        "basis_number",
        "basis_date",
        "basis_issuer",
    ]

    def __init__(self, data: Any = None, *, unit: Unit, lookup: UnitLookup) -> None:
        initial = {
            "name": unit.name,
            "short_name": unit.short_name,
            "code": unit.code,
            "parent_code": unit.parent.code if unit.parent else "",
        }
        super().__init__(data, unit=unit, lookup=lookup, initial=initial)

    def clean_parent_code(self) -> Unit | None:
        return self.unit_by_code("parent_code", required=False)

    def apply(self, acting_user: Any) -> Unit:
        data = self.cleaned_data
        return services.change_unit(
            acting_user=acting_user,
            unit=self.unit,
            effective=data["effective"],
            basis=self.basis(),
            name=data["name"],
            short_name=data["short_name"],
            code=data["code"].strip(),
            parent=data["parent_code"],
            expected_version=data["version"],
        )


class AddUnitForm(BasisForm):
    code = forms.CharField(label=_("Mã đơn vị"), max_length=40)
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=UnitKind.choices)

    field_order = ["code", "name", "short_name", "kind", "effective", "basis_number", "basis_date", "basis_issuer"]

    def apply(self, acting_user: Any) -> Unit:
        data = self.cleaned_data
        return services.create_unit(
            acting_user=acting_user,
            code=data["code"].strip(),
            name=data["name"].strip(),
            short_name=data["short_name"].strip(),
            kind=data["kind"],
            parent=self.unit,
            valid_from=data["effective"],
            basis=self.basis(),
        )


class MergeForm(BasisForm):
    into_code = forms.CharField(label=_("Mã đơn vị tiếp nhận"), max_length=40)

    field_order = ["into_code", "effective", "basis_number", "basis_date", "basis_issuer"]

    def clean_into_code(self) -> Unit | None:
        return self.unit_by_code("into_code")

    def apply(self, acting_user: Any) -> Unit:
        data = self.cleaned_data
        return services.merge_units(
            acting_user=acting_user,
            sources=[self.unit],
            into=data["into_code"],
            effective=data["effective"],
            basis=self.basis(),
            expected_versions={self.unit.pk: data["version"]},
        )


class SplitForm(BasisForm):
    new_units = forms.CharField(
        label=_("Các đơn vị mới (mỗi dòng: mã | tên)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    heir_code = forms.CharField(label=_("Mã đơn vị kế thừa hồ sơ (nếu có)"), max_length=40, required=False)

    field_order = ["new_units", "heir_code", "effective", "basis_number", "basis_date", "basis_issuer"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = self.unit.parent
        if parent is None or self.lookup(parent.code) is None:
            raise forms.ValidationError(
                _("Chỉ chia tách được đơn vị mà đơn vị cấp trên của nó cũng thuộc phạm vi của bạn.")
            )
        return data

    def clean_new_units(self) -> list[services.NewUnit]:
        specs: list[services.NewUnit] = []
        for number, line in enumerate(self.cleaned_data["new_units"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, name = line.partition("|")
            if not sep or not code.strip() or not name.strip():
                raise forms.ValidationError(_("Dòng %(n)d phải có dạng “mã | tên”.") % {"n": number})
            if len(code.strip()) > 40 or len(name.strip()) > 255:
                raise forms.ValidationError(_("Dòng %(n)d: mã tối đa 40 ký tự, tên tối đa 255 ký tự.") % {"n": number})
            specs.append(services.NewUnit(code.strip(), name.strip()))
        return specs

    def apply(self, acting_user: Any) -> Unit:
        data = self.cleaned_data
        created = services.split_unit(
            acting_user=acting_user,
            unit=self.unit,
            into=data["new_units"],
            effective=data["effective"],
            basis=self.basis(),
            records_heir_code=data["heir_code"].strip() or None,
            expected_version=data["version"],
        )
        return created[0]


class DissolveForm(BasisForm):
    def apply(self, acting_user: Any) -> Unit:
        data = self.cleaned_data
        return services.dissolve_unit(
            acting_user=acting_user,
            unit=self.unit,
            effective=data["effective"],
            basis=self.basis(),
            expected_version=data["version"],
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))
