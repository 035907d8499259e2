"""Feedback API under ``/api/v1/feedback``: the staff's inbox and its actions (the public uses Open311).

Reading follows :mod:`congvu.feedback.scope` (404 outside it); a denunciation's submitter is
left out for the unit and official concerned. Writes call the services: a refusal is
``422 {"detail", "code": "refused"}``, a stale ``version`` ``409 {"detail", "code": "conflict"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from congvu.accounts.scope import signed_in
from congvu.feedback import services
from congvu.feedback.models import Feedback, State
from congvu.feedback.scope import conduct_counts, conduct_subject, may_see_submitter, visible_feedback, visible_one
from congvu.org.models import Unit

router = Router(tags=["feedback"])
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    detail: str
    code: str


class FeedbackRow(Schema):
    id: int
    public_id: str
    service_code: str
    track: str
    state: str
    responsible_unit_id: int | None
    received_at: datetime
    due_on: date | None
    version: int


class FeedbackList(Schema):
    items: list[FeedbackRow]
    count: int


class FeedbackOut(FeedbackRow):
    description: str
    address: str
    lat: Decimal | None
    long: Decimal | None
    about_unit_id: int | None
    about_person_id: int | None
    submitter_name: str | None
    submitter_contact: str | None
    answer: str
    published_on: date | None
    status_note: str
    rating: str
    rating_reason: str
    reopened: int


class FeedbackFilter(Schema):
    state: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=200)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


def _row(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.pk,
        "public_id": f.public_id,
        "service_code": f.service.code,
        "track": f.track,
        "state": f.state,
        "responsible_unit_id": f.responsible_unit_id,
        "received_at": f.received_at,
        "due_on": f.due_on,
        "version": f.version,
    }


def _detail(request: HttpRequest, f: Feedback) -> dict[str, Any]:
    shown = may_see_submitter(request.user, f)
    return _row(f) | {
        "description": f.description,
        "address": f.address,
        "lat": f.lat,
        "long": f.long,
        "about_unit_id": f.about_unit_id,
        "about_person_id": f.about_person_id,
        "submitter_name": f.submitter_name if shown else None,
        "submitter_contact": f.submitter_contact if shown else None,
        "answer": f.answer,
        "published_on": f.published_on,
        "status_note": f.status_note,
        "rating": f.rating,
        "rating_reason": f.rating_reason,
        "reopened": f.reopened,
    }


@router.get("", response=FeedbackList, url_name="feedback_list")
def feedback_list(request: HttpRequest, filters: Query[FeedbackFilter]) -> dict[str, Any]:
    rows = visible_feedback(request.user).select_related("service").order_by("due_on", "received_at", "id")
    if filters.state is not None:
        rows = rows.filter(state=filters.state) if filters.state in State.values else rows.none()
    if filters.q:
        rows = rows.filter(public_id=filters.q.strip().upper()) | rows.filter(description__icontains=filters.q.strip())
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"items": [_row(f) for f in page], "count": rows.count()}


@router.get("/{int:feedback_id}", response=FeedbackOut, url_name="feedback_detail")
def feedback_detail(request: HttpRequest, feedback_id: int) -> dict[str, Any]:
    return _detail(request, visible_one(request.user, feedback_id))


class ActionIn(Schema):
    action: str = Field(..., pattern="^(accept|duplicate|refuse|track|draft|publish)$")
    version: int = Field(..., ge=1, le=MAX_ID)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    of_public_id: str = Field("", max_length=20)
    reason: str = Field("", max_length=2000)
    track: str = Field("", max_length=20)
    answer: str = Field("", max_length=20000)
    upheld: bool | None = None


@router.post(
    "/{int:feedback_id}/actions",
    response={200: FeedbackOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="feedback_act",
)
def feedback_act(request: HttpRequest, feedback_id: int, body: ActionIn) -> Any:
    """One step of the handling: accept (optionally to another unit), duplicate, refuse, track, draft, publish."""
    user = signed_in(request)
    f = visible_one(user, feedback_id)
    steps: dict[str, Callable[[], object]] = {
        "accept": lambda: services.accept(
            acting_user=user,
            feedback=f,
            unit=Unit.objects.filter(pk=body.unit_id).first() if body.unit_id else None,
            expected_version=body.version,
        ),
        "refuse": lambda: services.refuse(
            acting_user=user, feedback=f, reason=body.reason, expected_version=body.version
        ),
        "track": lambda: services.change_track(
            acting_user=user, feedback=f, track=body.track, expected_version=body.version
        ),
        "draft": lambda: services.draft_answer(
            acting_user=user, feedback=f, answer=body.answer, upheld=body.upheld, expected_version=body.version
        ),
        "publish": lambda: services.publish(acting_user=user, feedback=f, expected_version=body.version),
    }
    try:
        if body.action == "duplicate":
            original = visible_feedback(user).filter(public_id=body.of_public_id.strip().upper()).first()
            if original is None:
                raise services.FeedbackError("Không có phản ánh gốc với số này trong phạm vi của bạn.")
            services.mark_duplicate(acting_user=user, feedback=f, of=original, expected_version=body.version)
        else:
            steps[body.action]()
    except services.StaleFeedback as exc:
        return Status(409, {"detail": str(exc), "code": "conflict"})
    except services.FeedbackError as exc:
        return Status(422, {"detail": str(exc), "code": "refused"})
    except Http404:
        raise
    return _detail(request, visible_one(user, feedback_id))


class ConductQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="the year received (default: this year)")


class ConductOut(Schema):
    person_id: int
    year: int
    received: int
    answered: int
    on_time: int
    upheld_count: int
    not_upheld_count: int
    satisfied: int
    rated: int


@router.get("/people/{int:person_id}", response=ConductOut, url_name="feedback_person")
def feedback_person(request: HttpRequest, person_id: int, query: Query[ConductQuery]) -> dict[str, Any]:
    """Feedback about one official's conduct in a year, counts only: the official's own, or ``evaluation.view``."""
    person = conduct_subject(request.user, person_id)
    year = min(query.year or timezone.localdate().year, timezone.localdate().year)
    return {"person_id": person.pk, "year": year, **conduct_counts(person, year)}
