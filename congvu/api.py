"""The REST API, ``/api/v1/``. Authentication and the policy are enforced by middleware
(``congvu.accounts.middleware``); each route resolves objects within the caller's scope."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.parser import Parser

from congvu.accounts.scope import (
    appointments_in_scope,
    assignments,
    has_capability,
    people_in_scope,
    person_in_scope,
    unit_in_scope,
    units_in_scope,
)
from congvu.core.policy import Cap
from congvu.evaluation.api import router as evaluation_router
from congvu.evaluation.sheets_api import router as sheets_router
from congvu.feedback.api import router as feedback_router
from congvu.org.models import Appointment, Person, Unit
from congvu.org.search import fold
from congvu.reports.api import router as reports_router
from congvu.tasks.api import router as tasks_router


class DecimalJSONParser(Parser):
    """JSON bodies with decimals for numbers with a fraction (never binary floats)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(request.body, parse_float=Decimal))


api = NinjaAPI(
    parser=DecimalJSONParser(),
    title="Công Vụ API",
    version="1",
    urls_namespace="api",
    description="Tổ chức, cán bộ, bổ nhiệm. Xác thực: Authorization: Bearer <khoá> (congvu token create USERNAME).",
)


api.add_router("/evaluation", evaluation_router)
api.add_router("/evaluation", sheets_router)
api.add_router("/feedback", feedback_router)
api.add_router("/tasks", tasks_router)
api.add_router("/reports", reports_router)


@api.exception_handler(ValidationError)
def validation_errors(request: HttpRequest, exc: ValidationError) -> Any:
    return api.create_response(
        request, {"detail": "Dữ liệu không hợp lệ.", "code": "invalid", "errors": exc.errors}, status=422
    )


MAX_ID = 2**63 - 1


class Page(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


def _page(page: Page) -> tuple[int, int]:
    limit = min(max(page.limit, 1), 1000)
    return limit, max(page.offset, 0)


class RoleOut(Schema):
    role: str
    scope_path: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]
    capabilities: list[str]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    status: str
    successor_id: int | None
    valid_from: date
    valid_to: date | None


class UnitList(Schema):
    items: list[UnitOut]
    count: int


class PersonOut(Schema):
    id: int
    full_name: str
    sex: str
    birth_date: date | None
    personal_id_masked: str


class PersonList(Schema):
    items: list[PersonOut]
    count: int


class AppointmentOut(Schema):
    id: int
    person_id: int
    title_code: str
    title_name: str
    unit_id: int
    kind: str
    start_date: date
    end_date: date | None
    decision_number: str


class AppointmentList(Schema):
    items: list[AppointmentOut]
    count: int


def _unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "status": unit.status,
        "successor_id": unit.successor_id,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def _person_out(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "personal_id_masked": person.masked_personal_id,
    }


def _appointment_out(post: Appointment) -> dict[str, Any]:
    return {
        "id": post.pk,
        "person_id": post.person_id,
        "title_code": post.title.code,
        "title_name": post.title.name,
        "unit_id": post.unit_id,
        "kind": post.kind,
        "start_date": post.start_date,
        "end_date": post.end_date,
        "decision_number": post.decision_number,
    }


@api.get("/me", response=MeOut, url_name="me")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "username": user.get_username(),
        "full_name": user.get_full_name(),  # type: ignore[union-attr]
        "roles": [{"role": r, "scope_path": p} for r, p in assignments(user)],
        "capabilities": sorted(c.value for c in Cap if has_capability(user, c)),
    }


class UnitFilter(Page):
    status: str | None = None
    kind: str | None = None
    parent_id: int | None = Field(None, ge=1, le=MAX_ID)
    code: str | None = None


@api.get("/units", response=UnitList, url_name="unit_list")
def unit_list(request: HttpRequest, filters: Query[UnitFilter]) -> dict[str, Any]:
    units = units_in_scope(request.user, Cap.ORG_VIEW).order_by("path")
    for field in ("status", "kind", "parent_id", "code"):
        value = getattr(filters, field)
        if value is not None:
            units = units.filter(**{field: value})
    limit, offset = _page(filters)
    return {"items": [_unit_out(u) for u in units[offset : offset + limit]], "count": units.count()}


@api.get("/units/{unit_id}", response=UnitOut, url_name="unit_detail")
def unit_detail(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    return _unit_out(unit_in_scope(request.user, Cap.ORG_VIEW, unit_id))


class PersonFilter(Page):
    q: str | None = None
    current_only: bool = True


@api.get("/people", response=PersonList, url_name="person_list")
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> dict[str, Any]:
    on = timezone.localdate() if filters.current_only else None
    people = people_in_scope(request.user, Cap.ORG_VIEW, on=on).order_by("full_name", "id")
    if filters.q:
        people = people.filter(search_name__contains=fold(filters.q))
    limit, offset = _page(filters)
    return {"items": [_person_out(p) for p in people[offset : offset + limit]], "count": people.count()}


@api.get("/people/{person_id}", response=PersonOut, url_name="person_detail")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    return _person_out(person_in_scope(request.user, Cap.ORG_VIEW, person_id))


class AppointmentFilter(Page):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    current_only: bool = False


@api.get("/appointments", response=AppointmentList, url_name="appointment_list")
def appointment_list(request: HttpRequest, filters: Query[AppointmentFilter]) -> dict[str, Any]:
    posts = appointments_in_scope(request.user, Cap.ORG_VIEW).select_related("title").order_by("id")
    if filters.unit_id is not None:
        posts = posts.filter(unit_id=filters.unit_id)
    if filters.person_id is not None:
        posts = posts.filter(person_id=filters.person_id)
    if filters.current_only:
        today = timezone.localdate()
        posts = posts.filter(start_date__lte=today).exclude(end_date__lt=today)
    limit, offset = _page(filters)
    return {"items": [_appointment_out(a) for a in posts[offset : offset + limit]], "count": posts.count()}
