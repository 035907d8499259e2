"""Pages of the organisation registry. Thin: scope lookups, a service call, a template."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from congvu.accounts.scope import (
    has_capability,
    people_in_scope,
    person_in_scope,
    scope_paths,
    signed_in,
    unit_in_scope,
    units_in_scope,
)
from congvu.audit.chain import history
from congvu.core.policy import Cap
from congvu.org import forms, services
from congvu.org.models import Appointment, Person, Unit, UnitEvent, UnitStatus
from congvu.org.search import fold


def _today() -> date:
    return timezone.localdate()


def _with_has_children(units: QuerySet[Unit]) -> QuerySet[Unit]:
    active_children = Unit.objects.filter(parent=OuterRef("pk"), status=UnitStatus.ACTIVE)
    return units.annotate(has_children=Exists(active_children))


@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """The top of the caller's scope; deeper levels load on demand (constant queries)."""
    roots = scope_paths(request.user, Cap.ORG_VIEW)
    units = Unit.objects.filter(path__in=roots, status=UnitStatus.ACTIVE).order_by("sort_order", "name")
    return render(request, "org/tree.html", {"units": _with_has_children(units)})


@require_GET
def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_in_scope(request.user, Cap.ORG_VIEW, pk)
    children = unit.children.filter(status=UnitStatus.ACTIVE).order_by("sort_order", "name")
    return render(request, "org/_tree_nodes.html", {"units": _with_has_children(children)})


def _ancestors(unit: Unit) -> list[Unit]:
    ids = [int(seg) for seg in unit.path.strip("/").split("/")[:-1]]
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_in_scope(request.user, Cap.ORG_VIEW, pk)
    today = _today()
    current = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    posts = (
        Appointment.objects.filter(current, unit=unit)
        .select_related("person", "title")
        .order_by("title__level", "person__full_name")
    )
    events = (
        UnitEvent.objects.filter(Q(sources=unit) | Q(targets=unit))
        .distinct()
        .prefetch_related(
            Prefetch("sources", Unit.objects.only("id", "name")), Prefetch("targets", Unit.objects.only("id", "name"))
        )
    )
    context = {
        "unit": unit,
        "ancestors": _ancestors(unit),
        "children": unit.children.filter(status=UnitStatus.ACTIVE).order_by("sort_order", "name"),
        "absorbed": unit.absorbed.all().order_by("name"),
        "posts": posts,
        "versions": unit.versions.select_related("parent").order_by("-valid_from"),
        "events": events,
        "audit": history("unit", unit.pk)[:50] if has_capability(request.user, Cap.AUDIT_VIEW) else None,
        "can_edit": has_capability(request.user, Cap.ORG_EDIT) and unit.is_active,
    }
    return render(request, "org/unit_detail.html", context)


EVENT_PAGES: dict[str, tuple[type[forms.BasisForm], str | Promise]] = {
    "rename": (forms.UnitChangeForm, gettext_lazy("Đổi tên, đổi mã, chuyển đơn vị cấp trên")),
    "add": (forms.AddUnitForm, gettext_lazy("Thành lập đơn vị trực thuộc")),
    "merge": (forms.MergeForm, gettext_lazy("Sáp nhập vào đơn vị khác")),
    "split": (forms.SplitForm, gettext_lazy("Chia tách đơn vị")),
    "dissolve": (forms.DissolveForm, gettext_lazy("Giải thể đơn vị")),
}


def _unit_event(request: HttpRequest, pk: int, page: str) -> HttpResponse:
    """One organisational change of a unit: a form with its legal basis, then the service."""
    user = signed_in(request)
    unit = unit_in_scope(user, Cap.ORG_EDIT, pk)
    if not unit.is_active:
        raise Http404
    form_class, title = EVENT_PAGES[page]

    def lookup(code: str) -> Unit | None:
        return units_in_scope(user, Cap.ORG_EDIT).filter(code=code, status=UnitStatus.ACTIVE).first()

    form = form_class(request.POST or None, unit=unit, lookup=lookup)
    if request.method == "POST" and form.is_valid():
        try:
            result = form.apply(user)  # type: ignore[attr-defined]
        except services.OrgError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã ghi thay đổi tổ chức."))
            return redirect("org:unit_detail", pk=result.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "org/unit_event.html", {"unit": unit, "form": form, "title": title}, status=status)


@require_http_methods(["GET", "POST"])
def unit_rename(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_event(request, pk, "rename")


@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_event(request, pk, "add")


@require_http_methods(["GET", "POST"])
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_event(request, pk, "merge")


@require_http_methods(["GET", "POST"])
def unit_split(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_event(request, pk, "split")


@require_http_methods(["GET", "POST"])
def unit_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_event(request, pk, "dissolve")


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    people = people_in_scope(request.user, Cap.ORG_VIEW, on=_today()).order_by("full_name", "id")
    if query:
        people = people.filter(search_name__contains=fold(query))
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    template = "org/_person_rows.html" if request.htmx else "org/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"page": page, "q": query})


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_in_scope(request.user, Cap.ORG_VIEW, pk)
    posts = person.appointments.select_related("title", "unit").order_by("-start_date")
    context = {
        "person": person,
        "posts": posts,
        "audit": history("person", person.pk)[:50] if has_capability(request.user, Cap.AUDIT_VIEW) else None,
        "can_see_pid": has_capability(request.user, Cap.PERSON_PID_VIEW),
        "today": _today(),
    }
    return render(request, "org/person_detail.html", context)


@require_http_methods(["POST"])
def person_pid(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal a personal identification number; every reveal is written to the audit log."""
    person: Person = person_in_scope(request.user, Cap.PERSON_PID_VIEW, pk)
    services.log_pid_access(acting_user=signed_in(request), person=person)
    return render(request, "org/_pid.html", {"person": person})
