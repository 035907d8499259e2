"""The routing rules page (Sở Nội vụ): the rules of the caller's scope, add, change, and try them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congvu.accounts.scope import signed_in, units_in_scope
from congvu.core.policy import Cap
from congvu.feedback import forms, services
from congvu.feedback.models import RoutingRule
from congvu.feedback.routing import route

BOX = ("lat_min", "lat_max", "long_min", "long_max")


def _rules_in_scope(request: HttpRequest) -> Any:
    user = signed_in(request)
    units = units_in_scope(user, Cap.FEEDBACK_ROUTING)
    return RoutingRule.objects.filter(unit__in=units.values("pk")).select_related("service", "unit")


def _save(request: HttpRequest, rule: RoutingRule | None, form: forms.RoutingRuleForm) -> str | None:
    """Save the rule from a valid form; the Vietnamese refusal, or None when saved."""
    user = signed_in(request)
    d = form.cleaned_data
    unit = units_in_scope(user, Cap.FEEDBACK_ROUTING).filter(code=d["unit_code"].strip()).first()
    if unit is None:
        return _("Không có đơn vị mã “%(code)s” trong phạm vi của bạn.") % {"code": d["unit_code"].strip()}
    try:
        services.save_routing_rule(
            acting_user=user,
            rule=rule,
            unit=unit,
            service=d["service"],
            place_contains=d["place_contains"],
            box=(d["lat_min"], d["lat_max"], d["long_min"], d["long_max"]),
            priority=d["priority"],
            active=d["active"],
            note=d["note"],
            expected_version=d["version"] if rule is not None else None,
        )
    except services.FeedbackError as exc:
        return str(exc)
    return None


def _initial(rule: RoutingRule) -> dict[str, Any]:
    return {
        "service": rule.service_id,
        "place_contains": rule.place_contains,
        **{k: getattr(rule, k) if getattr(rule, k) is not None else "" for k in BOX},
        "unit_code": rule.unit.code,
        "priority": rule.priority,
        "active": rule.active,
        "note": rule.note,
        "version": rule.version,
    }


@require_http_methods(["GET", "POST"])
def rules_page(request: HttpRequest) -> HttpResponse:
    """The rules in priority order, a form to add one, and a tester (GET ``test_service``…)."""
    error = ""
    form = forms.RoutingRuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            error = _save(request, None, form) or ""
            if not error:
                messages.success(request, _("Đã thêm quy tắc chuyển xử lý."))
                return redirect("feedback:routing")
        else:
            error = _("Hãy sửa các ô được đánh dấu.")
    tester = forms.RouteTestForm(request.GET if "test_service" in request.GET else None)
    routed = None
    if tester.is_bound and tester.is_valid():
        t = tester.cleaned_data
        routed = route(t["test_service"], None, address=t["test_address"], lat=t["test_lat"], long=t["test_long"])
    context = {
        "rules": _rules_in_scope(request).order_by("priority", "id"),
        "form": form,
        "tester": tester,
        "routed": routed,
        "error": error,
    }
    return render(request, "feedback/routing.html", context, status=422 if error else 200)


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rules_in_scope(request).filter(pk=pk).first()
    if rule is None:
        raise Http404
    error = ""
    if request.method == "POST":
        form = forms.RoutingRuleForm(request.POST)
        if form.is_valid():
            error = _save(request, rule, form) or ""
            if not error:
                messages.success(request, _("Đã lưu quy tắc chuyển xử lý."))
                return redirect("feedback:routing")
        else:
            error = _("Hãy sửa các ô được đánh dấu.")
    else:
        form = forms.RoutingRuleForm(initial=_initial(rule))
    return render(
        request,
        "feedback/routing_edit.html",
        {"rule": rule, "form": form, "error": error},
        status=422 if error else 200,
    )
