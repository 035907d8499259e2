"""Pages of public feedback: the portal (no account) and the staff inbox. Thin: a form, a service call."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts.scope import signed_in
from congvu.core.clients import client_ip, over_limit
from congvu.core.files import download
from congvu.core.policy import Cap
from congvu.feedback import forms, rules, services
from congvu.feedback.models import Attachment, Feedback, IdempotencyRecord, State
from congvu.feedback.scope import conduct_counts, conduct_subject, may_see_submitter, visible_feedback, visible_one
from congvu.org.models import Unit

PAGE_SIZE = 25
SIGNER_SALT = "congvu.feedback.portal"


def _shown_token() -> str:
    return signing.dumps({"t": time.time(), "k": services.new_code()}, salt=SIGNER_SALT)


def _shown(token: str) -> tuple[float, str] | None:
    """When the form was shown and its idempotency key (None when the token is missing or forged)."""
    try:
        data = signing.loads(token, salt=SIGNER_SALT, max_age=24 * 3600)
        return float(data["t"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _portal_page(request: HttpRequest, form: forms.SubmitForm, status: int = 200, error: str = "") -> HttpResponse:
    return render(request, "feedback/portal.html", {"form": form, "error": error}, status=status)


@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    """The public form: no account; a honeypot, a minimum fill time, a per-address limit, no double submission."""
    if request.method == "GET":
        return _portal_page(request, forms.SubmitForm(initial={"shown_at": _shown_token()}))
    form = forms.SubmitForm(request.POST, request.FILES)
    ip = client_ip(request)
    if over_limit("feedback", ip, settings.CONGVU_FEEDBACK_RATE_PER_HOUR, 3600):
        return _portal_page(request, form, 429, _("Bạn đã gửi quá nhiều phản ánh trong một giờ; vui lòng thử lại sau."))
    if not form.is_valid():
        return _portal_page(request, form, 400, _("Thông tin chưa hợp lệ; xem các lỗi bên dưới."))
    d = form.cleaned_data
    shown = _shown(d["shown_at"])
    if shown is None or time.time() - shown[0] < forms.MIN_FILL_SECONDS:
        form = forms.SubmitForm(request.POST, initial={"shown_at": _shown_token()})
        return _portal_page(request, form, 400, _("Vui lòng kiểm tra lại nội dung rồi gửi lại."))
    if d["website"]:
        # A robot filled the field people never see: answer as if received, keep nothing.
        return render(request, "feedback/received.html", {"feedback": None})
    key = shown[1]
    body = hashlib.sha256(json.dumps(request.POST.dict(), sort_keys=True).encode()).hexdigest()
    try:
        # Photos are re-encoded before the transaction begins: on SQLite it holds the write lock of the database.
        checked_files = services.check_attachments(d["attachments"])
        with transaction.atomic():
            previous = IdempotencyRecord.objects.select_for_update().filter(scope="portal", key=key).first()
            if previous is not None:
                found = services.by_code(str(previous.response.get("code", "")))
                return render(request, "feedback/received.html", {"feedback": found})
            feedback = services.submit(
                service=d["service"],
                description=d["description"],
                address=d["address"],
                lat=d["lat"],
                long=d["long"],
                name=d["name"],
                contact=d["contact"],
                ip=ip,
                checked_files=checked_files,
            )
            IdempotencyRecord.objects.create(
                scope="portal", key=key, body_hash=body, status=201, response={"code": feedback.tracking_code}
            )
    except services.FeedbackError as exc:
        return _portal_page(request, form, 400, str(exc))
    except IntegrityError:  # the same form submitted twice at the same moment: the first one counts
        previous = IdempotencyRecord.objects.filter(scope="portal", key=key).first()
        found = services.by_code(str(previous.response.get("code", ""))) if previous else None
        return render(request, "feedback/received.html", {"feedback": found})
    return render(request, "feedback/received.html", {"feedback": feedback}, status=201)


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        if services.by_code(code) is not None:
            return redirect("feedback:status", code=code)
        return render(
            request, "feedback/lookup.html", {"code": code, "error": _("Không có phản ánh với mã này.")}, status=404
        )
    return render(request, "feedback/lookup.html", {"code": ""})


def _status_page(request: HttpRequest, feedback: Feedback, status: int = 200, error: str = "") -> HttpResponse:
    until = services.reopen_until(feedback)
    can_reopen = feedback.state == State.PUBLISHED and until is not None and timezone.localdate() <= until
    return render(
        request,
        "feedback/status.html",
        {
            "feedback": feedback,
            "error": error,
            "rate_form": forms.RateForm() if feedback.state == State.PUBLISHED else None,
            "reopen_form": forms.ReopenForm() if can_reopen else None,
            "reopen_until": until,
        },
        status=status,
    )


@require_GET
def status(request: HttpRequest, code: str) -> HttpResponse:
    feedback = services.by_code(code)
    if feedback is None:
        raise Http404
    return _status_page(request, feedback)


@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    feedback = services.by_code(code)
    if feedback is None:
        raise Http404
    form = forms.RateForm(request.POST)
    if not form.is_valid():
        return _status_page(request, feedback, 400, _("Hãy chọn hài lòng hoặc không hài lòng."))
    try:
        services.rate(feedback=feedback, rating=form.cleaned_data["rating"], reason=form.cleaned_data["reason"])
    except services.FeedbackError as exc:
        return _status_page(request, feedback, 400, str(exc))
    messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    return redirect("feedback:status", code=code)


@require_POST
def reopen(request: HttpRequest, code: str) -> HttpResponse:
    feedback = services.by_code(code)
    if feedback is None:
        raise Http404
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        return _status_page(request, feedback, 400, _("Hãy cho biết vì sao câu trả lời chưa giải quyết được vấn đề."))
    try:
        services.reopen(feedback=feedback, reason=form.cleaned_data["reason"])
    except services.FeedbackError as exc:
        return _status_page(request, feedback, 400, str(exc))
    messages.success(request, _("Phản ánh đã được mở lại để xử lý tiếp."))
    return redirect("feedback:status", code=code)


# -- staff --------------------------------------------------------------------------------------


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    state = request.GET.get("state", "")
    rows = visible_feedback(user).select_related("service", "responsible_unit").order_by("due_on", "received_at", "id")
    query = request.GET.get("q", "").strip()[:200]
    if query:
        # By public number or content; never by tracking code, which staff never see (it lets its holder rate).
        rows = rows.filter(Q(public_id=query.upper()) | Q(description__icontains=query))
    if state in State.values:
        rows = rows.filter(state=state)
    else:
        state = ""
        rows = rows.exclude(state__in=[State.CLOSED, State.REFUSED, State.DUPLICATE])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/inbox.html",
        {"page": page, "state": state, "q": query, "states": State.choices, "today": timezone.localdate()},
    )


def _detail_page(
    request: HttpRequest, feedback: Feedback, form: forms.ActionForm | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    user = signed_in(request)
    deadline = rules.deadline(feedback.track, feedback.received_on)
    return render(
        request,
        "feedback/detail.html",
        {
            "feedback": feedback,
            "show_submitter": may_see_submitter(user, feedback),
            "attachments": feedback.attachments.order_by("id"),
            "form": form or forms.ActionForm(initial={"version": feedback.version, "answer": feedback.answer}),
            "can_publish": services.may_handle(user, feedback, Cap.FEEDBACK_APPROVE),
            "deadline": deadline,
            "error": error,
        },
        status=status,
    )


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, visible_one(request.user, pk))


@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    feedback = visible_one(user, pk)
    form = forms.ActionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, feedback, form, 400, _("Thông tin chưa hợp lệ; xem các lỗi bên dưới."))
    d: dict[str, Any] = form.cleaned_data
    version = d["version"]
    try:
        match d["action"]:
            case "accept":
                unit = None
                if d["unit_code"].strip():
                    unit = Unit.objects.filter(code=d["unit_code"].strip()).first()
                    if unit is None:
                        raise services.FeedbackError(_("Không có đơn vị mã “%(code)s”.") % {"code": d["unit_code"]})
                services.accept(acting_user=user, feedback=feedback, unit=unit, expected_version=version)
            case "duplicate":
                original = visible_feedback(user).filter(public_id=d["of_code"].strip().upper()).first()
                if original is None:
                    raise services.FeedbackError(_("Không có phản ánh gốc với mã này trong phạm vi của bạn."))
                services.mark_duplicate(acting_user=user, feedback=feedback, of=original, expected_version=version)
            case "refuse":
                services.refuse(acting_user=user, feedback=feedback, reason=d["reason"], expected_version=version)
            case "track":
                services.change_track(acting_user=user, feedback=feedback, track=d["track"], expected_version=version)
            case "draft":
                services.draft_answer(
                    acting_user=user,
                    feedback=feedback,
                    answer=d["answer"],
                    upheld=d["upheld"],
                    expected_version=version,
                )
            case _:
                services.publish(acting_user=user, feedback=feedback, expected_version=version)
    except services.FeedbackError as exc:
        return _detail_page(request, visible_one(user, pk), form, 400, str(exc))
    messages.success(request, _("Đã ghi nhận."))
    return redirect("feedback:detail", pk=pk)


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    return download(Attachment.objects.filter(pk=pk, feedback__in=visible_feedback(request.user)).first())


@require_GET
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Feedback about one official's conduct: counts only (received, upheld, answered on time, satisfaction).

    The official sees their own; reviewers (``evaluation.view``) those of their scope; no submitter, no content.
    """
    person = conduct_subject(signed_in(request), pk)
    today = timezone.localdate()
    try:
        year = min(max(int(request.GET.get("year", today.year)), 2000), today.year)
    except ValueError:
        year = today.year
    counts = conduct_counts(person, year)
    return render(
        request,
        "feedback/person.html",
        {"person": person, "year": year, "counts": counts, "years": range(today.year, 2024, -1)},
    )
