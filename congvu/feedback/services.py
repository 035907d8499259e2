"""Write services of public feedback: submit, triage, answer, publish, rate, reopen.

Public calls (submit, rate, reopen) have no account: the audit event names no actor and the
submission is found by its tracking code. Staff calls are keyword-only with ``acting_user``,
one transaction and one audit event; a refusal raises :class:`FeedbackError` with a Vietnamese
message and changes nothing; a stale ``expected_version`` raises :class:`StaleFeedback`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, Final

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from congvu.accounts.models import User
from congvu.accounts.scope import scope_paths
from congvu.audit.chain import record
from congvu.core.files import KINDS, file_size, sniff
from congvu.core.policy import Cap
from congvu.core.workcal import default_calendar
from congvu.feedback import rules
from congvu.feedback.models import Attachment, Feedback, Rating, RoutingRule, Service, State, Track
from congvu.feedback.routing import fold, route
from congvu.org.models import Person, Unit, UnitStatus

SUBMIT: Final = "feedback.submit"
ACCEPT: Final = "feedback.accept"
DUPLICATE: Final = "feedback.duplicate"
REFUSE: Final = "feedback.refuse"
RETRACK: Final = "feedback.change_track"
DRAFT: Final = "feedback.draft"
PUBLISH: Final = "feedback.publish"
RATE: Final = "feedback.rate"
REOPEN: Final = "feedback.reopen"
ROUTING_RULE: Final = "feedback.routing_rule"

MIN_DESCRIPTION: Final = 10
MAX_DESCRIPTION: Final = 10_000
MAX_FILES: Final = 5
ATTACHMENT_KINDS: Final = ("jpeg", "png", "pdf")
# Personal identification numbers in free text (12-digit citizen ids, 9-digit old ids) and, by the same
# rule, telephone numbers: runs of 9 to 12 digits.
PID: Final = re.compile(r"(?<!\d)(\d{3})\d{3,6}(\d{3})(?!\d)")


class FeedbackError(ValueError):
    """A change refused, with a Vietnamese message."""


class StaleFeedback(FeedbackError):
    """The submission changed since the caller read it."""


def keyed_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA-256 with the installation's secret): comparable, not reversible."""
    if not value:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), value.strip().lower().encode(), hashlib.sha256).hexdigest()


def mask_ids(text: str) -> str:
    """Mask identification numbers (9 or 12 digits) written in free text: first and last three digits kept."""
    return PID.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 6) + m.group(2), text)


def new_code() -> str:
    """A tracking code of 128 random bits (URL-safe)."""
    return secrets.token_urlsafe(16)


def new_public_id() -> str:
    """The public number of a submission: "PA-" and 10 random hexadecimal digits (no count leaked)."""
    return "PA-" + secrets.token_hex(5).upper()


def _coordinate(raw: Any, low: int, high: int, what: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not low <= value <= high:
        raise FeedbackError(
            _("%(what)s phải là số từ %(low)s đến %(high)s.") % {"what": what, "low": low, "high": high}
        )
    return value.quantize(Decimal("0.000001"))


def _clean_image(upload: File, kind: str) -> bytes:  # type: ignore[type-arg]
    """The image re-encoded without its metadata (EXIF, GPS position, comments)."""
    try:
        with Image.open(upload) as image:
            image.load()
            clean = image.copy()
        clean.info = {}  # EXIF (with any GPS position), comments, text chunks: not written again
        out = io.BytesIO()
        clean.save(out, format="JPEG" if kind == "jpeg" else "PNG")
    except (UnidentifiedImageError, OSError, ValueError):
        raise FeedbackError(_("Không đọc được ảnh “%(name)s”.") % {"name": PurePath(str(upload.name)).name}) from None
    return out.getvalue()


def check_attachments(files: Sequence[File]) -> list[tuple[str, str, bytes]]:  # type: ignore[type-arg]
    """(name, kind, bytes to store) for each file, or :class:`FeedbackError` naming the first bad one."""
    if len(files) > MAX_FILES:
        raise FeedbackError(_("Chỉ được gửi kèm tối đa %(n)s tệp.") % {"n": MAX_FILES})
    limit: int = settings.CONGVU_FEEDBACK_MAX_BYTES
    result = []
    for upload in files:
        name = PurePath(str(upload.name or "")).name[:255]
        size = upload.size or 0
        if size == 0:
            raise FeedbackError(_("Tệp “%(name)s” rỗng.") % {"name": name})
        if size > limit:
            raise FeedbackError(
                _("Tệp “%(name)s” có dung lượng %(size)s, vượt quá mức cho phép %(limit)s.")
                % {"name": name, "size": file_size(size, up=True), "limit": file_size(limit, up=False)}
            )
        kind = sniff(upload)
        if kind not in ATTACHMENT_KINDS or not name.lower().endswith(KINDS[kind][1]):
            raise FeedbackError(
                _("Tệp “%(name)s” không phải là ảnh JPEG, PNG hoặc tệp PDF đúng với tên của nó.") % {"name": name}
            )
        content = _clean_image(upload, kind) if kind in ("jpeg", "png") else upload.read()
        result.append((name, kind, content))
    return result


def _state(f: Feedback) -> dict[str, Any]:
    return {
        "state": f.state,
        "track": f.track,
        "responsible_unit_id": f.responsible_unit_id,
        "due_on": f.due_on,
        "published_on": f.published_on,
        "rating": f.rating,
        "reopened": f.reopened,
        "upheld": f.upheld,
        "version": f.version,
    }


def _record(
    acting_user: User | None,
    action: str,
    f: Feedback,
    before: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
) -> None:
    subjects = [("unit", str(f.responsible_unit_id))] if f.responsible_unit_id else []
    if f.about_person_id:
        subjects.append(("person", str(f.about_person_id)))
    record(
        acting_user=acting_user,
        action=action,
        object_type="feedback",
        object_id=f.pk,
        object_label=f.service.name,
        before=before,
        after=_state(f) | (extra or {}),
        subjects=subjects,
    )


@transaction.atomic
def submit(
    *,
    service: Service,
    description: str,
    address: str = "",
    lat: Any = None,
    long: Any = None,
    about_unit: Unit | None = None,
    about_person: Person | None = None,
    name: str = "",
    contact: str = "",
    email: str = "",
    ip: str = "",
    files: Sequence[File] = (),  # type: ignore[type-arg]
    checked_files: Sequence[tuple[str, str, bytes]] | None = None,
    channel: str = "portal",
) -> Feedback:
    """Record a submission from the public (no account); returns it with its tracking code.

    ``checked_files``: what :func:`check_attachments` made of ``files`` when the caller ran it before its
    own transaction (images are decoded and re-encoded: not to be done while holding SQLite's write lock).
    """
    if not service.active:
        raise FeedbackError(_("Lĩnh vực “%(name)s” hiện không tiếp nhận.") % {"name": service.name})
    text = description.strip()
    if len(text) < MIN_DESCRIPTION:
        raise FeedbackError(_("Hãy mô tả nội dung phản ánh (ít nhất %(n)s ký tự).") % {"n": MIN_DESCRIPTION})
    if len(text) > MAX_DESCRIPTION:
        raise FeedbackError(_("Nội dung dài quá %(n)s ký tự.") % {"n": f"{MAX_DESCRIPTION:,}".replace(",", ".")})
    latitude = _coordinate(lat, -90, 90, _("Vĩ độ"))
    longitude = _coordinate(long, -180, 180, _("Kinh độ"))
    if (latitude is None) != (longitude is None):
        raise FeedbackError(_("Hãy cho cả vĩ độ và kinh độ, hoặc không cho cả hai."))
    attachments = check_attachments(files) if checked_files is None else list(checked_files)
    now = timezone.now()
    feedback = Feedback.objects.create(
        tracking_code=new_code(),
        public_id=new_public_id(),
        service=service,
        track=service.track,
        description=mask_ids(text),
        address=mask_ids(address.strip())[:300],
        lat=latitude,
        long=longitude,
        about_unit=about_unit,
        about_person=about_person,
        submitter_name=name.strip()[:200],
        submitter_contact=contact.strip()[:200],  # given to be contacted: kept as written
        submitter_email_hash=keyed_hash(email),
        ip_hash=keyed_hash(ip),
        channel=channel,
        responsible_unit=route(service, about_unit, address=address, lat=latitude, long=longitude),
        received_at=now,
        received_on=timezone.localdate(),
    )
    for file_name, kind, content in attachments:
        item = Attachment(
            feedback=feedback,
            name=file_name,
            content_type=KINDS[kind][0],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        item.file.save(f"{secrets.token_hex(16)}{KINDS[kind][1][0]}", ContentFile(content), save=False)
        item.save()
    _record(
        None, SUBMIT, feedback, None, {"service": service.code, "channel": channel, "attachments": len(attachments)}
    )
    return feedback


# -- staff ------------------------------------------------------------------------------------


def may_handle(user: User, feedback: Feedback, cap: Cap = Cap.FEEDBACK_HANDLE) -> bool:
    unit = feedback.responsible_unit
    return unit is not None and any(unit.path.startswith(p) for p in scope_paths(user, cap))


def _lock(feedback: Feedback, expected_version: int | None) -> Feedback:
    f = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("service", "responsible_unit")
        .get(pk=feedback.pk)
    )
    if expected_version is not None and f.version != expected_version:
        raise StaleFeedback(_("Phản ánh đã được người khác xử lý; vui lòng tải lại trang và thử lại."))
    return f


def _require(f: Feedback, states: tuple[str, ...], action: str) -> None:
    if f.state not in states:
        raise FeedbackError(
            _("Không thể %(action)s khi phản ánh đang ở trạng thái “%(state)s”.")
            % {"action": action, "state": f.get_state_display()}
        )


def _save(f: Feedback, fields: list[str]) -> None:
    f.version += 1
    f.save(update_fields=[*fields, "version"])


def _due(track: str, start: Any) -> Any:
    return default_calendar().add_working_days(start, rules.deadline(track, start).working_days)


@transaction.atomic
def accept(
    *, acting_user: User, feedback: Feedback, unit: Unit | None = None, expected_version: int | None = None
) -> Feedback:
    """Accept for handling (optionally routing to another unit of the caller's scope); the deadline starts."""
    f = _lock(feedback, expected_version)
    if not may_handle(acting_user, f):
        raise FeedbackError(_("Phản ánh này không thuộc phạm vi xử lý của bạn."))
    _require(f, (State.RECEIVED,), _("tiếp nhận xử lý"))
    before = _state(f)
    if unit is not None:
        if not any(unit.path.startswith(p) for p in scope_paths(acting_user, Cap.FEEDBACK_HANDLE)):
            raise FeedbackError(_("Đơn vị %(name)s nằm ngoài phạm vi của bạn.") % {"name": unit.name})
        if unit.status != UnitStatus.ACTIVE:
            raise FeedbackError(_("Đơn vị %(name)s không còn hoạt động.") % {"name": unit.name})
        f.responsible_unit = unit
    f.state = State.ACCEPTED
    f.due_on = _due(f.track, f.received_on)
    _save(f, ["state", "responsible_unit", "due_on"])
    _record(acting_user, ACCEPT, f, before)
    return f


@transaction.atomic
def mark_duplicate(
    *, acting_user: User, feedback: Feedback, of: Feedback, expected_version: int | None = None
) -> Feedback:
    f = _lock(feedback, expected_version)
    if not may_handle(acting_user, f):
        raise FeedbackError(_("Phản ánh này không thuộc phạm vi xử lý của bạn."))
    _require(f, (State.RECEIVED, State.ACCEPTED), _("đánh dấu trùng"))
    if of.pk == f.pk or of.duplicate_of_id is not None:
        raise FeedbackError(_("Hãy chọn một phản ánh gốc khác (không phải chính nó, không phải một bản trùng)."))
    before = _state(f)
    f.state = State.DUPLICATE
    f.duplicate_of = of
    f.status_note = _("Trùng với phản ánh đã tiếp nhận; kết quả được trả lời tại phản ánh đó.")
    _save(f, ["state", "duplicate_of", "status_note"])
    _record(acting_user, DUPLICATE, f, before, {"duplicate_of": of.pk})
    return f


@transaction.atomic
def refuse(*, acting_user: User, feedback: Feedback, reason: str, expected_version: int | None = None) -> Feedback:
    f = _lock(feedback, expected_version)
    if not may_handle(acting_user, f):
        raise FeedbackError(_("Phản ánh này không thuộc phạm vi xử lý của bạn."))
    _require(f, (State.RECEIVED, State.ACCEPTED), _("từ chối"))
    if not reason.strip():
        raise FeedbackError(_("Hãy nêu lý do không thuộc phạm vi (sẽ công khai cho người gửi)."))
    before = _state(f)
    f.state = State.REFUSED
    f.status_note = reason.strip()
    _save(f, ["state", "status_note"])
    _record(acting_user, REFUSE, f, before, {"reason": f.status_note})
    return f


@transaction.atomic
def change_track(*, acting_user: User, feedback: Feedback, track: str, expected_version: int | None = None) -> Feedback:
    """Move a submission to another legal track (its deadline follows the new track)."""
    f = _lock(feedback, expected_version)
    if not may_handle(acting_user, f):
        raise FeedbackError(_("Phản ánh này không thuộc phạm vi xử lý của bạn."))
    _require(f, (State.RECEIVED, State.ACCEPTED), _("chuyển loại"))
    if track not in Track.values or track == f.track:
        raise FeedbackError(_("Hãy chọn một loại khác với loại hiện tại."))
    before = _state(f)
    f.track = track
    if f.due_on is not None:
        f.due_on = _due(track, f.received_on)
    _save(f, ["track", "due_on"])
    _record(acting_user, RETRACK, f, before)
    return f


@transaction.atomic
def draft_answer(
    *,
    acting_user: User,
    feedback: Feedback,
    answer: str,
    upheld: bool | None = None,
    expected_version: int | None = None,
) -> Feedback:
    """Draft the answer; a submission about an official's conduct also says whether it was found true."""
    f = _lock(feedback, expected_version)
    if not may_handle(acting_user, f):
        raise FeedbackError(_("Phản ánh này không thuộc phạm vi xử lý của bạn."))
    _require(f, (State.ACCEPTED, State.DRAFTED), _("dự thảo trả lời"))
    if len(answer.strip()) < MIN_DESCRIPTION:
        raise FeedbackError(_("Hãy viết nội dung trả lời (ít nhất %(n)s ký tự).") % {"n": MIN_DESCRIPTION})
    if f.about_person_id is not None and upheld is None:
        raise FeedbackError(_("Phản ánh về cán bộ: hãy kết luận phản ánh đúng hay không đúng."))
    before = _state(f)
    f.answer = answer.strip()
    f.upheld = upheld if f.about_person_id is not None else None
    f.drafted_by = acting_user
    f.state = State.DRAFTED
    _save(f, ["answer", "upheld", "drafted_by", "state"])
    _record(acting_user, DRAFT, f, before)
    return f


@transaction.atomic
def publish(*, acting_user: User, feedback: Feedback, expected_version: int | None = None) -> Feedback:
    """The unit's head approves the drafted answer and publishes it to the submitter."""
    f = _lock(feedback, expected_version)
    if not may_handle(acting_user, f, Cap.FEEDBACK_APPROVE):
        raise FeedbackError(_("Chỉ lãnh đạo đơn vị xử lý mới được duyệt và công khai câu trả lời."))
    _require(f, (State.DRAFTED,), _("duyệt, công khai trả lời"))
    before = _state(f)
    f.state = State.PUBLISHED
    f.published_by = acting_user
    f.published_at = timezone.now()
    f.published_on = timezone.localdate()
    _save(f, ["state", "published_by", "published_at", "published_on"])
    _record(acting_user, PUBLISH, f, before, {"on_time": f.due_on is None or f.published_on <= f.due_on})
    return f


# -- the submitter, by tracking code --------------------------------------------------------------


def by_code(code: str) -> Feedback | None:
    if not code or len(code) > 40:
        return None
    return Feedback.objects.select_related("service", "responsible_unit").filter(tracking_code=code).first()


@transaction.atomic
def rate(*, feedback: Feedback, rating: str, reason: str = "") -> Feedback:
    f = _lock(feedback, None)
    _require(f, (State.PUBLISHED,), _("đánh giá câu trả lời"))
    if rating not in Rating.values:
        raise FeedbackError(_("Hãy chọn hài lòng hoặc không hài lòng."))
    if rating == Rating.UNSATISFIED and not reason.strip():
        raise FeedbackError(_("Hãy cho biết lý do không hài lòng."))
    before = _state(f)
    f.rating = rating
    f.rating_reason = reason.strip()[:2000]
    _save(f, ["rating", "rating_reason"])
    _record(None, RATE, f, before, {"reason": f.rating_reason})
    return f


def reopen_until(f: Feedback) -> Any:
    return None if f.published_on is None else f.published_on + timedelta(days=rules.reopen_days())


@transaction.atomic
def reopen(*, feedback: Feedback, reason: str) -> Feedback:
    """The submitter reopens an answered submission within the window; handling starts again."""
    f = _lock(feedback, None)
    _require(f, (State.PUBLISHED,), _("mở lại"))
    until = reopen_until(f)
    today = timezone.localdate()
    if until is not None and today > until:
        raise FeedbackError(_("Đã quá thời hạn mở lại (đến ngày %(day)s).") % {"day": until.strftime("%d/%m/%Y")})
    if not reason.strip():
        raise FeedbackError(_("Hãy cho biết vì sao câu trả lời chưa giải quyết được vấn đề."))
    before = _state(f)
    f.state = State.ACCEPTED
    f.reopened += 1
    f.status_note = reason.strip()[:2000]
    f.due_on = _due(f.track, today)
    _save(f, ["state", "reopened", "status_note", "due_on"])
    _record(None, REOPEN, f, before, {"reason": f.status_note})
    return f


# -- routing rules (Sở Nội vụ) ----------------------------------------------------------------

MAX_PRIORITY: Final = 10_000


def _rule_state(rule: RoutingRule) -> dict[str, Any]:
    return {
        "service": rule.service.code if rule.service else None,
        "place_contains": rule.place_contains,
        "box": [str(v) for v in (rule.lat_min, rule.lat_max, rule.long_min, rule.long_max)] if rule.has_box else None,
        "unit_id": rule.unit_id,
        "priority": rule.priority,
        "active": rule.active,
        "note": rule.note,
        "version": rule.version,
    }


@transaction.atomic
def save_routing_rule(
    *,
    acting_user: User,
    rule: RoutingRule | None,
    unit: Unit,
    service: Service | None = None,
    place_contains: str = "",
    box: tuple[Any, Any, Any, Any] | None = None,
    priority: int = 100,
    active: bool = True,
    note: str = "",
    expected_version: int | None = None,
) -> RoutingRule:
    """Create (``rule`` None) or change a routing rule; ``box`` is (lat from, lat to, long from, long to)."""
    roots = scope_paths(acting_user, Cap.FEEDBACK_ROUTING)
    if rule is not None:
        rule = RoutingRule.objects.select_for_update(of=("self",)).select_related("unit", "service").get(pk=rule.pk)
        if not any(rule.unit.path.startswith(p) for p in roots):
            raise FeedbackError(_("Quy tắc này nằm ngoài phạm vi của bạn."))
        if expected_version is not None and rule.version != expected_version:
            raise StaleFeedback(_("Quy tắc đã được người khác sửa; vui lòng tải lại trang và thử lại."))
    if not any(unit.path.startswith(p) for p in roots):
        raise FeedbackError(_("Đơn vị %(name)s nằm ngoài phạm vi của bạn.") % {"name": unit.name})
    if unit.status != UnitStatus.ACTIVE:
        raise FeedbackError(_("Đơn vị %(name)s không còn hoạt động.") % {"name": unit.name})
    place = " ".join(place_contains.split())
    if len(place) > 200:
        raise FeedbackError(_("Địa chỉ dài quá %(n)s ký tự.") % {"n": 200})
    if place and not fold(place):
        raise FeedbackError(_("Địa chỉ phải có chữ hoặc số."))
    corners: list[Decimal | None] = [None, None, None, None]
    if box is not None and any(v not in (None, "") for v in box):
        if any(v in (None, "") for v in box):
            raise FeedbackError(
                _("Hãy cho đủ bốn giới hạn của vùng (vĩ độ từ, đến; kinh độ từ, đến), hoặc bỏ trống cả bốn.")
            )
        corners = [
            _coordinate(box[0], -90, 90, _("Vĩ độ")),
            _coordinate(box[1], -90, 90, _("Vĩ độ")),
            _coordinate(box[2], -180, 180, _("Kinh độ")),
            _coordinate(box[3], -180, 180, _("Kinh độ")),
        ]
        if corners[0] > corners[1] or corners[2] > corners[3]:  # type: ignore[operator]
            raise FeedbackError(_("Giới hạn “từ” của vùng phải nhỏ hơn hoặc bằng giới hạn “đến”."))
    if not 0 <= priority <= MAX_PRIORITY:
        raise FeedbackError(_("Thứ tự ưu tiên phải từ 0 đến %(n)s.") % {"n": MAX_PRIORITY})
    if len(note) > 300:
        raise FeedbackError(_("Ghi chú dài quá %(n)s ký tự.") % {"n": 300})
    before = _rule_state(rule) if rule is not None else None
    if rule is None:
        rule = RoutingRule()
    else:
        rule.version += 1
    rule.unit, rule.service, rule.place_contains = unit, service, place
    rule.lat_min, rule.lat_max, rule.long_min, rule.long_max = corners
    rule.priority, rule.active, rule.note = priority, active, note.strip()
    rule.save()
    record(
        acting_user=acting_user,
        action=ROUTING_RULE,
        object_type="routing_rule",
        object_id=rule.pk,
        object_label=str(rule),
        before=before,
        after=_rule_state(rule),
        subjects=[("unit", str(unit.pk))],
    )
    return rule
