"""Evaluation sheet API under ``/api/v1/evaluation``: sheets, decisions with their traces, the workflow.

Reading follows :mod:`congvu.evaluation.scope` (404 outside it). Writes call the services: a
refusal is ``422 {"detail", "code": "refused"}``, a decision over the HTXS quota
``422 {"detail", "code": "quota_exceeded", "max_htxs", "excess"}``, a stale ``version``
``409 {"detail", "code": "conflict"}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from congvu.accounts.scope import people_in_scope, signed_in
from congvu.core.policy import Cap
from congvu.evaluation import services
from congvu.evaluation.evidence import collect_products
from congvu.evaluation.models import Complaint, Sheet
from congvu.evaluation.scope import visible_sheets
from congvu.org.models import Person

router = Router(tags=["evaluation"])
MAX_ID = 2**63 - 1
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ErrorOut(Schema):
    detail: str
    code: str
    max_htxs: int | None = None
    excess: int | None = None


class SheetRow(Schema):
    id: int
    person_id: int
    full_name: str
    unit_id: int
    period: str
    period_start: date
    period_end: date
    role: str
    state: str
    total: Decimal | None
    level: str | None
    version: int


class SheetList(Schema):
    items: list[SheetRow]
    count: int


class TraceOut(Schema):
    key: str
    label: str
    value: str
    formula: str
    citation: str
    certainty: str
    evidence: list[str]


class DecisionOut(Schema):
    seq: int
    number: str
    decided_at: datetime
    decided_by: str
    total: Decimal
    level: str
    forced: bool
    forced_reasons: list[str]
    values: dict[str, str]
    correction_reason: str
    quota_override_reason: str
    trace: list[TraceOut]
    products: list[dict[str, Any]]


class ComplaintOut(Schema):
    id: int
    decision: int
    text: str
    state: str
    resolution: str


class SheetOut(SheetRow):
    general_self: dict[str, Decimal | None]
    general_review: dict[str, Decimal | None]
    self_comment: str
    review_comment: str
    organising: Decimal | None
    uniting: Decimal | None
    facts: dict[str, bool]
    facts_basis: str
    collective_comment: str
    return_reason: str
    products: list[dict[str, Any]]
    decisions: list[DecisionOut]
    complaints: list[ComplaintOut]


class SheetFilter(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$")
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    state: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


def _cents(value: Any) -> Decimal | None:
    """A decided total as stored (two decimals), whatever the database returns for the annotation."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _row(sheet: Sheet) -> dict[str, Any]:
    return {
        "id": sheet.pk,
        "person_id": sheet.person_id,
        "full_name": sheet.person.full_name,
        "unit_id": sheet.unit_id,
        "period": str(sheet.period),
        "period_start": sheet.period.start,
        "period_end": sheet.period.end,
        "role": sheet.role,
        "state": sheet.state,
        "total": _cents(getattr(sheet, "total", None)),
        "level": getattr(sheet, "level", None),
        "version": sheet.version,
    }


def _sheet(request: HttpRequest, sheet_id: int) -> Sheet:
    found = (
        services.latest_decisions(visible_sheets(request.user))
        .select_related("person", "period", "unit")
        .filter(pk=sheet_id)
        .first()
    )
    if found is None:
        raise Http404
    assert isinstance(found, Sheet)
    return found


def _detail(sheet: Sheet) -> dict[str, Any]:
    products = [
        {k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in vars(e).items()}
        for e in collect_products(person_id=sheet.person_id, start=sheet.period.start, end=sheet.period.end)
    ]
    return _row(sheet) | {
        "general_self": {"I": sheet.self_i, "II": sheet.self_ii, "III": sheet.self_iii},
        "general_review": {"I": sheet.review_i, "II": sheet.review_ii, "III": sheet.review_iii},
        "self_comment": sheet.self_comment,
        "review_comment": sheet.review_comment,
        "organising": sheet.organising,
        "uniting": sheet.uniting,
        "facts": {
            "disciplined": sheet.disciplined,
            "degradation": sheet.degradation,
            "corruption_in_unit": sheet.corruption_in_unit,
        },
        "facts_basis": sheet.facts_basis,
        "collective_comment": sheet.collective_comment,
        "return_reason": sheet.return_reason,
        "products": products,
        "decisions": [
            {
                "seq": d.seq,
                "number": d.number,
                "decided_at": d.decided_at,
                "decided_by": d.decided_by.username,
                "total": d.total,
                "level": d.level,
                "forced": d.forced,
                "forced_reasons": d.forced_reasons,
                "values": d.values,
                "correction_reason": d.correction_reason,
                "quota_override_reason": d.quota_override_reason,
                "trace": [
                    {k: t.get(k, "") for k in TraceOut.model_fields} | {"evidence": t.get("evidence", [])}
                    for t in d.trace
                ],
                "products": d.products,
            }
            for d in sheet.decisions.select_related("decided_by").order_by("seq")
        ],
        "complaints": [
            {"id": c.pk, "decision": c.decision.seq, "text": c.text, "state": c.state, "resolution": c.resolution}
            for c in sheet.complaints.select_related("decision").order_by("filed_at", "id")
        ],
    }


@router.get("/sheets", response=SheetList, url_name="sheet_list")
def sheet_list(request: HttpRequest, filters: Query[SheetFilter]) -> dict[str, Any]:
    sheets = services.latest_decisions(visible_sheets(request.user)).select_related("person", "period", "unit")
    if filters.month is not None:
        found = MONTH.match(filters.month)
        if found is None:
            sheets = sheets.none()
        else:
            sheets = sheets.filter(
                period__start__year=int(found.group(1)),
                period__start__month__lte=int(found.group(2)),
                period__end__month__gte=int(found.group(2)),
                period__end__year=int(found.group(1)),
            )
    if filters.unit_id is not None:
        sheets = sheets.filter(unit_id=filters.unit_id)
    if filters.state is not None:
        sheets = sheets.filter(state=filters.state)
    sheets = sheets.order_by("-period__start", "person__full_name", "id")
    page = sheets[filters.offset : filters.offset + filters.limit]
    return {"items": [_row(s) for s in page], "count": sheets.count()}


@router.get("/sheets/{int:sheet_id}", response=SheetOut, url_name="sheet_detail")
def sheet_detail(request: HttpRequest, sheet_id: int) -> dict[str, Any]:
    return _detail(_sheet(request, sheet_id))


WRITE = {200: SheetOut, 201: SheetOut, 409: ErrorOut, 422: ErrorOut}


def _perform(request: HttpRequest, sheet_id: int, action: Callable[[], object], created: bool = False) -> Any:
    try:
        action()
    except services.StaleSheet as exc:
        return Status(409, {"detail": str(exc), "code": "conflict"})
    except services.QuotaExceeded as exc:
        return Status(
            422, {"detail": str(exc), "code": "quota_exceeded", "max_htxs": exc.max_htxs, "excess": exc.excess}
        )
    except services.SheetError as exc:
        return Status(422, {"detail": str(exc), "code": "refused"})
    detail = _detail(_sheet(request, sheet_id))
    return Status(201, detail) if created else detail


class OpenIn(Schema):
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    month: str = Field(..., pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


@router.post("/sheets/open", response={201: SheetOut, 404: ErrorOut, 422: ErrorOut}, url_name="sheet_open")
def sheet_open(request: HttpRequest, body: OpenIn) -> Any:
    """Open the sheet of a person (yourself when ``person_id`` is omitted) for the period containing ``month``."""
    user = signed_in(request)
    year, month = (int(x) for x in body.month.split("-"))
    period = services.period_for(date(year, month, 1))
    person: Person | None
    if body.person_id is None or body.person_id == user.person_id:
        person = user.person
    else:
        person = people_in_scope(user, Cap.EVALUATION_REVIEW, on=period.end).filter(pk=body.person_id).first()
    if person is None:
        return Status(404, {"detail": "Không tìm thấy cán bộ, công chức trong phạm vi của bạn.", "code": "not_found"})
    try:
        sheet = services.open_sheet(acting_user=user, person=person, period=period)
    except services.SheetError as exc:
        return Status(422, {"detail": str(exc), "code": "refused"})
    return Status(201, _detail(_sheet(request, sheet.pk)))


class Versioned(Schema):
    version: int = Field(..., ge=1, le=MAX_ID)


class GeneralIn(Versioned):
    general: dict[str, Decimal]
    comment: str = Field("", max_length=20000)


@router.post("/sheets/{int:sheet_id}/self-assessment", response=WRITE, url_name="sheet_self_assess")
def sheet_self_assess(request: HttpRequest, sheet_id: int, body: GeneralIn) -> Any:
    sheet = _sheet(request, sheet_id)
    return _perform(
        request,
        sheet_id,
        lambda: services.self_assess(
            acting_user=signed_in(request),
            sheet=sheet,
            general=body.general,
            comment=body.comment,
            expected_version=body.version,
        ),
    )


class ReviewIn(GeneralIn):
    organising: Decimal | None = None
    uniting: Decimal | None = None
    disciplined: bool = False
    degradation: bool = False
    corruption_in_unit: bool = False
    facts_basis: str = Field("", max_length=2000)


@router.post("/sheets/{int:sheet_id}/review", response=WRITE, url_name="sheet_review")
def sheet_review(request: HttpRequest, sheet_id: int, body: ReviewIn) -> Any:
    sheet = _sheet(request, sheet_id)
    return _perform(
        request,
        sheet_id,
        lambda: services.review_sheet(
            acting_user=signed_in(request),
            sheet=sheet,
            general=body.general,
            comment=body.comment,
            organising=body.organising,
            uniting=body.uniting,
            disciplined=body.disciplined,
            degradation=body.degradation,
            corruption_in_unit=body.corruption_in_unit,
            facts_basis=body.facts_basis,
            expected_version=body.version,
        ),
    )


class ReturnIn(Versioned):
    reason: str = Field(..., max_length=20000)


@router.post("/sheets/{int:sheet_id}/return", response=WRITE, url_name="sheet_return")
def sheet_return(request: HttpRequest, sheet_id: int, body: ReturnIn) -> Any:
    sheet = _sheet(request, sheet_id)
    return _perform(
        request,
        sheet_id,
        lambda: services.return_sheet(
            acting_user=signed_in(request), sheet=sheet, reason=body.reason, expected_version=body.version
        ),
    )


class CollectiveIn(Versioned):
    comment: str = Field(..., max_length=20000)
    held_on: date


@router.post("/sheets/{int:sheet_id}/collective-comments", response=WRITE, url_name="sheet_collective")
def sheet_collective(request: HttpRequest, sheet_id: int, body: CollectiveIn) -> Any:
    sheet = _sheet(request, sheet_id)
    return _perform(
        request,
        sheet_id,
        lambda: services.record_collective_comments(
            acting_user=signed_in(request),
            sheet=sheet,
            comment=body.comment,
            held_on=body.held_on,
            expected_version=body.version,
        ),
    )


class DecideIn(Versioned):
    number: str = Field("", max_length=100)
    correction_reason: str = Field("", max_length=2000)
    quota_override_reason: str = Field("", max_length=2000)


@router.post("/sheets/{int:sheet_id}/decisions", response=WRITE, url_name="sheet_decide")
def sheet_decide(request: HttpRequest, sheet_id: int, body: DecideIn) -> Any:
    """Decide the level (or correct it with a reason); blocked over the HTXS quota without an override reason."""
    sheet = _sheet(request, sheet_id)
    return _perform(
        request,
        sheet_id,
        lambda: services.decide_sheet(
            acting_user=signed_in(request),
            sheet=sheet,
            number=body.number,
            correction_reason=body.correction_reason,
            quota_override_reason=body.quota_override_reason,
            expected_version=body.version,
        ),
        created=True,
    )


class ComplaintIn(Schema):
    text: str = Field(..., max_length=20000)


@router.post("/sheets/{int:sheet_id}/complaints", response=WRITE, url_name="sheet_complain")
def sheet_complain(request: HttpRequest, sheet_id: int, body: ComplaintIn) -> Any:
    sheet = _sheet(request, sheet_id)
    return _perform(
        request,
        sheet_id,
        lambda: services.file_complaint(acting_user=signed_in(request), sheet=sheet, text=body.text),
        created=True,
    )


class ResolveIn(Schema):
    resolution: str = Field(..., max_length=20000)
    change: bool = False
    number: str = Field("", max_length=100)
    quota_override_reason: str = Field("", max_length=2000)


@router.post("/complaints/{int:complaint_id}/resolution", response=WRITE, url_name="complaint_resolve")
def complaint_resolve(request: HttpRequest, complaint_id: int, body: ResolveIn) -> Any:
    complaint = Complaint.objects.filter(pk=complaint_id, sheet__in=visible_sheets(request.user)).first()
    if complaint is None:
        raise Http404
    return _perform(
        request,
        complaint.sheet_id,
        lambda: services.resolve_complaint(
            acting_user=signed_in(request),
            complaint=complaint,
            resolution=body.resolution,
            change=body.change,
            number=body.number,
            quota_override_reason=body.quota_override_reason,
        ),
    )


class YearOut(Schema):
    person_id: int
    year: int
    average: Decimal | None
    level: str | None
    forced: bool
    forced_reasons: list[str]
    trace: list[TraceOut]


@router.get("/people/{int:person_id}/years/{int:year}", response=YearOut, url_name="person_year")
def person_year(request: HttpRequest, person_id: int, year: int) -> dict[str, Any]:
    """The year's result of a person whose sheets the caller sees (from the decided periods of that year)."""
    sheet = visible_sheets(request.user).filter(person_id=person_id).select_related("person").first()
    if sheet is None or not 2000 <= year <= 2100:
        raise Http404
    result = services.year_result(sheet.person, year)
    if result is None:
        return {
            "person_id": person_id,
            "year": year,
            "average": None,
            "level": None,
            "forced": False,
            "forced_reasons": [],
            "trace": [],
        }
    return {
        "person_id": person_id,
        "year": year,
        "average": result.average,
        "level": result.level,
        "forced": result.forced,
        "forced_reasons": result.forced_reasons,
        "trace": [
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
        ],
    }
