"""Pages of evaluation sheets. Thin: visibility, a form, a service call, a template.

A person sees their own sheets; holders of ``evaluation.view`` see those of their scope
(404 otherwise). The services decide who may act; the forms are shown only to them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from congvu.accounts.scope import has_capability, people_in_scope, scope_paths, signed_in, unit_in_scope
from congvu.core.policy import Cap
from congvu.evaluation import exports, services
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.evidence import collect_products
from congvu.evaluation.models import AbsenceKind, Complaint, Period, Sheet, SheetRole, SheetState
from congvu.evaluation.scope import visible_sheets
from congvu.feedback.models import Feedback
from congvu.org.models import Person, Unit

EVIDENCE_REF = re.compile(r"^task:(\d+)/product:(\d+)$")


def _sheet(request: HttpRequest, pk: Any) -> Sheet:
    try:
        return visible_sheets(request.user).select_related("person", "unit", "period", "reviewed_by").get(pk=pk)
    except (Sheet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _month(raw: str | None) -> Period:
    today = timezone.localdate()
    found = re.fullmatch(r"(\d{4})-(\d{2})", raw or "")
    day = today
    if found and 1 <= int(found.group(2)) <= 12 and 2000 <= int(found.group(1)) <= 2100:
        day = date(int(found.group(1)), int(found.group(2)), 1)
    return services.period_for(day)


class GeneralForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    group_i = forms.DecimalField(label=gettext_lazy("Nhóm I (tối đa 10)"), min_value=0, max_value=10, decimal_places=2)
    group_ii = forms.DecimalField(
        label=gettext_lazy("Nhóm II (tối đa 10)"), min_value=0, max_value=10, decimal_places=2
    )
    group_iii = forms.DecimalField(
        label=gettext_lazy("Nhóm III (tối đa 10)"), min_value=0, max_value=10, decimal_places=2
    )
    comment = forms.CharField(label=gettext_lazy("Nhận xét"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def general(self) -> dict[str, Decimal]:
        d = self.cleaned_data
        return {"I": d["group_i"], "II": d["group_ii"], "III": d["group_iii"]}


class ReviewForm(GeneralForm):
    organising = forms.DecimalField(
        label=gettext_lazy("đ: Tổ chức thực hiện nhiệm vụ của đơn vị (%)"), min_value=0, max_value=100, required=False
    )
    uniting = forms.DecimalField(
        label=gettext_lazy("e: Xây dựng đoàn kết nội bộ (%)"), min_value=0, max_value=100, required=False
    )
    disciplined = forms.BooleanField(label=gettext_lazy("Bị kỷ luật từ khiển trách trở lên trong năm"), required=False)
    degradation = forms.BooleanField(label=gettext_lazy("Có kết luận suy thoái"), required=False)
    corruption_in_unit = forms.BooleanField(
        label=gettext_lazy("Để xảy ra tham nhũng, lãng phí trong đơn vị (người đứng đầu, cấp phó)"), required=False
    )
    facts_basis = forms.CharField(label=gettext_lazy("Căn cứ của các tình tiết trên"), required=False, max_length=2000)


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=gettext_lazy("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 2}))


class CollectiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    held_on = forms.DateField(
        label=gettext_lazy("Ngày họp tập thể lãnh đạo"), widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(
        label=gettext_lazy("Ý kiến của tập thể lãnh đạo"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AbsenceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=gettext_lazy("Lý do"), choices=AbsenceKind.choices)
    basis = forms.CharField(label=gettext_lazy("Căn cứ (quyết định, giấy nghỉ)"), max_length=300)


class ComplaintForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Nội dung khiếu nại"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("Kết quả giải quyết"), widget=forms.Textarea(attrs={"rows": 2}))
    change = forms.BooleanField(label=gettext_lazy("Điều chỉnh kết quả (quyết định mới)"), required=False)
    number = forms.CharField(label=gettext_lazy("Số văn bản"), max_length=100, required=False)


class DecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    number = forms.CharField(label=gettext_lazy("Số văn bản quyết định"), max_length=100, required=False)
    correction_reason = forms.CharField(
        label=gettext_lazy("Lý do điều chỉnh (khi phiếu đã có quyết định)"), max_length=2000, required=False
    )
    quota_override_reason = forms.CharField(
        label=gettext_lazy("Lý do vượt tỷ lệ hoàn thành xuất sắc (nếu có)"), max_length=2000, required=False
    )


def explain(trace: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trace lines with their evidence as task links (for the "why this score" section)."""
    lines = []
    for line in trace:
        links = []
        for ref in line.get("evidence", []):
            found = EVIDENCE_REF.match(ref)
            if found:
                links.append({"task_id": int(found.group(1)), "ref": ref})
        lines.append(line | {"links": links, "unverified": line.get("certainty") not in ("verified", "")})
    return lines


def _trace_dicts(result: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": t.key,
            "label": t.label,
            "value": str(t.value),
            "formula": t.formula,
            "citation": t.citation,
            "certainty": t.certainty,
            "evidence": list(t.evidence),
        }
        for t in result.trace
    ]


def _page(
    request: HttpRequest,
    sheet: Sheet,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    bound = bound or {}
    initial = {"version": sheet.version}
    is_person = user.person_id == sheet.person_id
    reviewer = services.may_review(user, sheet)
    actions: dict[str, forms.Form] = {}
    if is_person and sheet.state in (SheetState.DRAFT, SheetState.RETURNED):
        actions["self"] = bound.get("self") or GeneralForm(
            initial=initial | {"group_i": sheet.self_i, "group_ii": sheet.self_ii, "group_iii": sheet.self_iii}
        )
    if reviewer and sheet.state == SheetState.SELF_ASSESSED:
        actions["review"] = bound.get("review") or ReviewForm(
            initial=initial | {"group_i": sheet.self_i, "group_ii": sheet.self_ii, "group_iii": sheet.self_iii}
        )
    if reviewer and sheet.state in (SheetState.SELF_ASSESSED, SheetState.REVIEWED):
        actions["return"] = bound.get("return") or ReturnForm(initial=initial)
    if reviewer and sheet.state in (SheetState.DRAFT, SheetState.SELF_ASSESSED, SheetState.RETURNED):
        actions["absence"] = bound.get("absence") or AbsenceForm(initial=initial)
    leader = sheet.role in (SheetRole.LEADER, SheetRole.DEPUTY)
    if reviewer and leader and sheet.state == SheetState.REVIEWED and not sheet.collective_comment:
        actions["collective"] = bound.get("collective") or CollectiveForm(initial=initial)
    if reviewer and sheet.state in (SheetState.REVIEWED, SheetState.DECIDED):
        actions["decide"] = bound.get("decide") or DecideForm(initial=initial)
    complaints = list(sheet.complaints.select_related("filed_by", "resolved_by", "decision").order_by("filed_at", "id"))
    open_complaints = [c for c in complaints if c.state == "open"]
    if is_person and sheet.state == SheetState.DECIDED and not open_complaints:
        actions["complain"] = bound.get("complain") or ComplaintForm()
    if reviewer:
        for c in open_complaints:
            actions[f"resolve-{c.pk}"] = bound.get(f"resolve-{c.pk}") or ResolveForm()
    evidence = collect_products(person_id=sheet.person_id, start=sheet.period.start, end=sheet.period.end)
    preview: dict[str, Any] | None = None
    preview_error = ""
    if sheet.state != SheetState.DECIDED:
        try:
            result = services.preview(sheet)
        except EvaluationError as exc:
            preview_error = exc.message
        else:
            preview = {
                "total": result.values["total"],
                "level": result.level,
                "forced_reasons": result.forced_reasons,
                "trace": explain(_trace_dicts(result)),
            }
    decisions = [
        {"decision": d, "trace": explain(d.trace)}
        for d in sheet.decisions.select_related("decided_by").order_by("-seq")
    ]
    titles = {
        "self": (_("Tự đánh giá"), reverse("evaluation:self_assess", args=[sheet.pk])),
        "review": (_("Nhận xét, đánh giá của cấp trên"), reverse("evaluation:review", args=[sheet.pk])),
        "return": (_("Trả lại phiếu"), reverse("evaluation:return", args=[sheet.pk])),
        "collective": (_("Ý kiến của tập thể lãnh đạo"), reverse("evaluation:collective", args=[sheet.pk])),
        "decide": (_("Quyết định xếp loại"), reverse("evaluation:decide", args=[sheet.pk])),
        "complain": (_("Khiếu nại kết quả"), reverse("evaluation:complain", args=[sheet.pk])),
        "absence": (_("Không đánh giá kỳ này (nghỉ, đi học)"), reverse("evaluation:absence", args=[sheet.pk])),
    }
    action_list = []
    for key, form in actions.items():
        if key.startswith("resolve-"):
            title, url = _("Giải quyết khiếu nại"), reverse("evaluation:resolve", args=[int(key.split("-")[1])])
        else:
            title, url = titles[key]
        action_list.append({"key": key, "title": title, "url": url, "form": form})
    conduct = Feedback.objects.filter(
        about_person_id=sheet.person_id, received_on__range=(sheet.period.start, sheet.period.end)
    )
    context = {
        "sheet": sheet,
        "conduct": {"received": conduct.count(), "upheld": conduct.filter(upheld=True).count()},
        "evidence": evidence,
        "preview": preview,
        "preview_error": preview_error,
        "decisions": decisions,
        "actions": action_list,
        "error": error,
        "leader": leader,
        "complaints": complaints,
    }
    return render(request, "evaluation/sheet.html", context, status=status)


@require_GET
def sheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _sheet(request, pk))


@require_GET
def my_sheets(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    sheets = Sheet.objects.none() if user.person_id is None else Sheet.objects.filter(person_id=user.person_id)
    rows = services.latest_decisions(sheets.select_related("period", "unit")).order_by("-period__start")
    year = timezone.localdate().year
    year_result = services.year_result(user.person, year) if user.person is not None else None
    return render(
        request,
        "evaluation/my.html",
        {
            "rows": rows,
            "year": year,
            "year_result": year_result,
            "period": services.period_for(timezone.localdate()),
            "has_person": user.person_id is not None,
            "review_units": scope_paths(user, Cap.EVALUATION_VIEW),
            "can_view_units": has_capability(user, Cap.EVALUATION_VIEW),
        },
    )


@require_GET
def unit_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheets of a unit's subtree for a month, the people without one, and the quota per group."""
    user = signed_in(request)
    unit = unit_in_scope(user, Cap.EVALUATION_VIEW, pk)
    period = _month(request.GET.get("month"))
    sheets = services.latest_decisions(
        Sheet.objects.filter(period=period, unit__path__startswith=unit.path).select_related("person", "unit")
    ).order_by("unit__path", "person__full_name")
    with_sheet = {s.person_id for s in sheets}
    people = (
        people_in_scope(user, Cap.EVALUATION_VIEW, on=period.end)
        .filter(appointments__unit__path__startswith=unit.path, appointments__end_date__isnull=True)
        .exclude(pk__in=with_sheet)
        .distinct()
        .order_by("full_name")[:200]
    )
    return render(
        request,
        "evaluation/unit.html",
        {
            "unit": unit,
            "period": period,
            "sheets": sheets,
            "people": people,
            "can_open": has_capability(user, Cap.EVALUATION_REVIEW),
        },
    )


@require_POST
def open_sheet(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    raw = request.POST.get("person", "")
    period = _month(request.POST.get("month"))
    person: Person | None
    if raw == "me" or not raw:
        person = user.person
    elif raw.isdigit() and len(raw) < 19:
        person = people_in_scope(user, Cap.EVALUATION_REVIEW, on=period.end).filter(pk=int(raw)).first()
    else:
        person = None
    if person is None and raw in ("me", ""):
        messages.error(request, _("Tài khoản của bạn không gắn với cán bộ, công chức nào."))
        return redirect("evaluation:my")
    if person is None:
        raise Http404
    try:
        sheet = services.open_sheet(acting_user=user, person=person, period=period)
    except services.SheetError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:my")
    return redirect("evaluation:sheet", pk=sheet.pk)


def _act(request: HttpRequest, pk: int, key: str, form: forms.Form, perform: Any) -> HttpResponse:
    user = signed_in(request)
    sheet = _sheet(request, pk)
    if form.is_valid():
        try:
            perform(user, sheet, form.cleaned_data)
        except services.SheetError as exc:
            return _page(request, _sheet(request, pk), bound={key: form}, error=str(exc), status=400)
        messages.success(request, _("Đã ghi nhận."))
        return redirect("evaluation:sheet", pk=pk)
    return _page(request, sheet, bound={key: form}, error=_("Thông tin chưa hợp lệ; xem các lỗi bên dưới."), status=400)


@require_POST
def self_assess(request: HttpRequest, pk: int) -> HttpResponse:
    form = GeneralForm(request.POST)
    return _act(
        request,
        pk,
        "self",
        form,
        lambda user, sheet, d: services.self_assess(
            acting_user=user, sheet=sheet, general=form.general(), comment=d["comment"], expected_version=d["version"]
        ),
    )


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    return _act(
        request,
        pk,
        "review",
        form,
        lambda user, sheet, d: services.review_sheet(
            acting_user=user,
            sheet=sheet,
            general=form.general(),
            comment=d["comment"],
            organising=d["organising"],
            uniting=d["uniting"],
            disciplined=d["disciplined"],
            degradation=d["degradation"],
            corruption_in_unit=d["corruption_in_unit"],
            facts_basis=d["facts_basis"],
            expected_version=d["version"],
        ),
    )


@require_POST
def return_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)
    return _act(
        request,
        pk,
        "return",
        form,
        lambda user, sheet, d: services.return_sheet(
            acting_user=user, sheet=sheet, reason=d["reason"], expected_version=d["version"]
        ),
    )


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecideForm(request.POST)
    return _act(
        request,
        pk,
        "decide",
        form,
        lambda user, sheet, d: services.decide_sheet(
            acting_user=user,
            sheet=sheet,
            number=d["number"],
            correction_reason=d["correction_reason"],
            quota_override_reason=d["quota_override_reason"],
            expected_version=d["version"],
        ),
    )


@require_POST
def collective(request: HttpRequest, pk: int) -> HttpResponse:
    form = CollectiveForm(request.POST)
    return _act(
        request,
        pk,
        "collective",
        form,
        lambda user, sheet, d: services.record_collective_comments(
            acting_user=user, sheet=sheet, comment=d["comment"], held_on=d["held_on"], expected_version=d["version"]
        ),
    )


@require_POST
def absence(request: HttpRequest, pk: int) -> HttpResponse:
    form = AbsenceForm(request.POST)
    return _act(
        request,
        pk,
        "absence",
        form,
        lambda user, sheet, d: services.mark_not_evaluated(
            acting_user=user, sheet=sheet, kind=d["kind"], basis=d["basis"], expected_version=d["version"]
        ),
    )


@require_POST
def complain(request: HttpRequest, pk: int) -> HttpResponse:
    form = ComplaintForm(request.POST)
    return _act(
        request,
        pk,
        "complain",
        form,
        lambda user, sheet, d: services.file_complaint(acting_user=user, sheet=sheet, text=d["text"]),
    )


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve one complaint (the URL names it; its sheet must be visible)."""
    complaint = Complaint.objects.filter(pk=pk, sheet__in=visible_sheets(request.user)).first()
    if complaint is None:
        raise Http404
    form = ResolveForm(request.POST)
    return _act(
        request,
        complaint.sheet_id,
        f"resolve-{complaint.pk}",
        form,
        lambda user, sheet, d: services.resolve_complaint(
            acting_user=user, complaint=complaint, resolution=d["resolution"], change=d["change"], number=d["number"]
        ),
    )


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _place(unit_path: str) -> str:
    """The place of the date line: the province's name without its administrative prefix."""
    root = Unit.objects.filter(path=unit_path[: services.SEGMENT]).values_list("name", flat=True).first() or ""
    for prefix in ("Tỉnh ", "Thành phố "):
        root = root.removeprefix(prefix)
    return root


def _download(content: bytes, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE if kind == "docx" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@require_GET
def sheet_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The monitoring sheet of one person's period as .xlsx or .docx (Decree 30/2020 format)."""
    sheet = _sheet(request, pk)
    kind = request.GET.get("format", "xlsx")
    name = f"phieu-danh-gia-{sheet.person_id}-{sheet.period.start:%Y-%m}"
    if kind == "docx":
        return _download(
            exports.sheet_docx(sheet, place=_place(sheet.unit.path), on=timezone.localdate()), name, "docx"
        )
    if kind != "xlsx":
        raise Http404
    return _download(exports.sheet_xlsx(sheet), name, "xlsx")


@require_GET
def unit_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's classification list for a period as .xlsx or .docx."""
    user = signed_in(request)
    unit = unit_in_scope(user, Cap.EVALUATION_VIEW, pk)
    period = _month(request.GET.get("month"))
    sheets = services.latest_decisions(Sheet.objects.filter(period=period, unit__path__startswith=unit.path)).order_by(
        "unit__path", "person__full_name"
    )
    kind = request.GET.get("format", "xlsx")
    name = f"ket-qua-danh-gia-{unit.code}-{period.start:%Y-%m}"
    if kind == "docx":
        content = exports.unit_list_docx(unit, period, sheets, place=_place(unit.path), on=timezone.localdate())
        return _download(content, name, "docx")
    if kind != "xlsx":
        raise Http404
    return _download(exports.unit_list_xlsx(unit, period, sheets), name, "xlsx")
