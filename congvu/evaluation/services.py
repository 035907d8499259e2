"""Write services of evaluation sheets: open, self-assess, review, return, decide (with the quota check).

Keyword-only, ``acting_user`` first, one transaction, one audit event each. A refusal raises
:class:`SheetError` with a Vietnamese message and changes nothing; a stale ``expected_version``
raises :class:`StaleSheet`; a decision that would put the unit over the HTXS quota raises
:class:`QuotaExceeded` (with the maximum and the excess) unless an override reason is given,
which the decision records.

Who acts: the person assesses their own sheet; a holder of ``evaluation.review`` whose scope
covers the sheet's unit (never the person themselves) reviews, returns and decides.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, DecimalField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.accounts.scope import scope_paths
from congvu.audit.chain import record
from congvu.core.policy import Cap
from congvu.evaluation.engine import Facts, PeriodInput, PeriodResult, YearResult, check_quota, score_period, score_year
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.evidence import collect_products, engine_products
from congvu.evaluation.models import (
    AbsenceKind,
    Complaint,
    ComplaintState,
    Decision,
    Period,
    PeriodKind,
    Sheet,
    SheetRole,
    SheetState,
)
from congvu.evaluation.rulesets import Params, Registry
from congvu.notifications.models import Kind
from congvu.notifications.services import heads_of, notify, users_of
from congvu.org.models import Appointment, AppointmentKind, Person, Unit

OPEN: Final = "evaluation.sheet.open"
SELF_ASSESS: Final = "evaluation.sheet.self_assess"
REVIEW: Final = "evaluation.sheet.review"
RETURN: Final = "evaluation.sheet.return"
DECIDE: Final = "evaluation.sheet.decide"
COLLECTIVE: Final = "evaluation.sheet.collective_comments"
NOT_EVALUATED: Final = "evaluation.sheet.not_evaluated"
COMPLAIN: Final = "evaluation.complaint.file"
RESOLVE: Final = "evaluation.complaint.resolve"
GROUPS: Final = ("I", "II", "III")
SEGMENT: Final = 9  # one level of Unit.path
LEADER_ROLES: Final = (SheetRole.LEADER, SheetRole.DEPUTY)


class SheetError(ValueError):
    """A change the evaluation workflow refuses, with a Vietnamese message."""


class StaleSheet(SheetError):
    """The sheet changed since the caller read it."""


class QuotaExceeded(SheetError):
    def __init__(self, message: str, max_htxs: int, excess: int) -> None:
        super().__init__(message)
        self.max_htxs = max_htxs
        self.excess = excess


def registry() -> Registry:
    return Registry.load(settings.CONGVU_RULES_DIRS)


def params(day: date) -> Params:
    """The parameters in force on ``day`` for this installation (national, then ``CONGVU_RULESET``'s overlay)."""
    return registry().params_for(day, settings.CONGVU_RULESET or None)


def _period(day: date, months: int, kind: str) -> Period:
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    following = date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1)
    period, _created = Period.objects.get_or_create(
        kind=kind, start=start, defaults={"end": date.fromordinal(following.toordinal() - 1)}
    )
    return period


def month_period(day: date) -> Period:
    """The monthly period containing ``day`` (created on first use)."""
    return _period(day, 1, PeriodKind.MONTHLY)


def period_for(day: date) -> Period:
    """The period containing ``day`` as the rule set in force aggregates (a month, or a quarter by overlay).

    Before any rule set is in force (before 2026) the month is used.
    """
    try:
        aggregation = params(day).get("period.aggregation").value
    except EvaluationError:
        aggregation = PeriodKind.MONTHLY
    if aggregation == PeriodKind.QUARTERLY:
        return _period(day, 3, PeriodKind.QUARTERLY)
    return month_period(day)


def _post(person: Person, on: date) -> Appointment | None:
    return (
        Appointment.objects.filter(person=person, kind=AppointmentKind.PRIMARY, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("unit", "title")
        .order_by("-start_date", "-id")
        .first()
    )


def role_of(post: Appointment) -> str:
    if not post.title.is_leader:
        return SheetRole.STAFF
    return SheetRole.DEPUTY if post.title.code.startswith("pho_") else SheetRole.LEADER


def may_review(user: User, sheet: Sheet) -> bool:
    if user.person_id is not None and user.person_id == sheet.person_id:
        return False
    return any(sheet.unit.path.startswith(p) for p in scope_paths(user, Cap.EVALUATION_REVIEW))


def _state(sheet: Sheet) -> dict[str, Any]:
    fields = ("state", "self_i", "self_ii", "self_iii", "review_i", "review_ii", "review_iii", "organising")
    return {
        f: getattr(sheet, f)
        for f in (*fields, "uniting", "disciplined", "degradation", "corruption_in_unit", "version")
    }


def _record(
    acting_user: User, action: str, sheet: Sheet, before: dict[str, Any] | None, extra: dict[str, Any] | None = None
) -> None:
    record(
        acting_user=acting_user,
        action=action,
        object_type="sheet",
        object_id=sheet.pk,
        object_label=str(sheet),
        before=before,
        after=_state(sheet) | (extra or {}),
        subjects=[("person", str(sheet.person_id)), ("unit", str(sheet.unit_id))],
    )


def _lock(sheet: Sheet, expected_version: int | None) -> Sheet:
    locked = Sheet.objects.select_for_update().select_related("unit", "period", "person").get(pk=sheet.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleSheet(_("Phiếu đánh giá đã được người khác thay đổi; vui lòng tải lại trang và thử lại."))
    return locked


def _require(sheet: Sheet, states: tuple[str, ...], action: str) -> None:
    if sheet.state not in states:
        raise SheetError(
            _("Không thể %(action)s khi phiếu đang ở trạng thái “%(state)s”.")
            % {"action": action, "state": sheet.get_state_display()}
        )


def _notify(sheet: Sheet, recipients: list[User], *, event: str, kind: str, title: str, body: str = "") -> None:
    """Tell the people concerned by a step of the sheet (in the step's transaction)."""
    notify(
        recipients,
        key=f"sheet:{sheet.pk}:{event}:{sheet.version}",
        kind=kind,
        title=title % {"sheet": str(sheet)},
        body=body,
        url=reverse("evaluation:sheet", args=[sheet.pk]),
    )


def _reviewers(sheet: Sheet) -> list[User]:
    """The leaders of the sheet's unit and of the unit above it (those who review), not the person."""
    units = [sheet.unit] if sheet.unit.parent_id is None else [sheet.unit, Unit.objects.get(pk=sheet.unit.parent_id)]
    return [u for unit in units for u in heads_of(unit) if u.person_id != sheet.person_id]


def _save(sheet: Sheet, fields: list[str]) -> None:
    sheet.version += 1
    sheet.save(update_fields=[*fields, "version"])


def _scores(general: dict[str, Any]) -> list[Decimal]:
    values = []
    for group in GROUPS:
        try:
            value = Decimal(str(general[group]))
        except (KeyError, InvalidOperation):
            raise SheetError(_("Hãy chấm đủ ba nhóm tiêu chí I, II, III.")) from None
        if not value.is_finite() or not 0 <= value <= 10 or value != value.quantize(Decimal("0.01")):
            raise SheetError(_("Điểm nhóm %(group)s phải từ 0 đến 10, tối đa hai chữ số thập phân.") % {"group": group})
        values.append(value)
    return values


def _percent(value: Any, name: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        result = Decimal("NaN")
    if not result.is_finite() or not 0 <= result <= 100:
        raise SheetError(_("%(name)s phải là tỷ lệ phần trăm từ 0 đến 100.") % {"name": name})
    return result


@transaction.atomic
def open_sheet(*, acting_user: User, person: Person, period: Period) -> Sheet:
    """The person's sheet of the period (opened by the person or a reviewer over their unit)."""
    existing = Sheet.objects.filter(person=person, period=period).first()
    if existing is not None:
        return existing
    post = _post(person, period.end)
    if post is None:
        raise SheetError(_("%(person)s không giữ chức vụ chính nào vào cuối kỳ.") % {"person": person.full_name})
    sheet = Sheet(person=person, period=period, unit=post.unit, role=role_of(post))
    own = acting_user.person_id == person.pk
    if not own and not may_review(acting_user, sheet):
        raise SheetError(_("Bạn không có quyền lập phiếu đánh giá cho %(person)s.") % {"person": person.full_name})
    sheet.save()
    _record(acting_user, OPEN, sheet, None, {"period": str(period), "role": sheet.role})
    return sheet


@transaction.atomic
def self_assess(
    *, acting_user: User, sheet: Sheet, general: dict[str, Any], comment: str = "", expected_version: int | None = None
) -> Sheet:
    sheet = _lock(sheet, expected_version)
    if acting_user.person_id != sheet.person_id:
        raise SheetError(_("Chỉ người được đánh giá mới được tự chấm điểm."))
    _require(sheet, (SheetState.DRAFT, SheetState.RETURNED), _("tự đánh giá"))
    before = _state(sheet)
    sheet.self_i, sheet.self_ii, sheet.self_iii = _scores(general)
    sheet.self_comment = comment.strip()
    sheet.state = SheetState.SELF_ASSESSED
    _save(sheet, ["self_i", "self_ii", "self_iii", "self_comment", "state"])
    _record(acting_user, SELF_ASSESS, sheet, before, {"comment": sheet.self_comment})
    _notify(sheet, _reviewers(sheet), event="self", kind=Kind.EVALUATION, title=_("Phiếu chờ nhận xét: %(sheet)s"))
    return sheet


def period_input(sheet: Sheet, *, as_of: date | None = None) -> tuple[PeriodInput, list[dict[str, Any]]]:
    """The engine's input for the sheet (reviewer's scores, else the person's) and the evidence rows."""
    evidence = collect_products(person_id=sheet.person_id, start=sheet.period.start, end=sheet.period.end, as_of=as_of)
    scores = [sheet.review_i, sheet.review_ii, sheet.review_iii]
    if any(v is None for v in scores):
        scores = [sheet.self_i, sheet.self_ii, sheet.self_iii]
    general = {g: (v if v is not None else Decimal(0)) for g, v in zip(GROUPS, scores, strict=True)}
    leader = sheet.role in LEADER_ROLES
    subordinate_levels = subordinate_levels_of(sheet) if leader else None
    inp = PeriodInput(
        role=sheet.role,
        general=general,
        products=engine_products(evidence),
        subordinate_levels=subordinate_levels,
        organising=sheet.organising if leader else None,
        uniting=sheet.uniting if leader else None,
        facts=Facts(
            disciplined=sheet.disciplined, degradation=sheet.degradation, corruption_in_unit=sheet.corruption_in_unit
        ),
    )
    rows = [{k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in asdict(e).items()} for e in evidence]
    return inp, rows


def latest_decisions(sheets: Any) -> Any:
    """The latest decision's level for each sheet of ``sheets`` (an annotation, one query)."""
    latest = Decision.objects.filter(sheet=OuterRef("pk")).order_by("-seq")
    return sheets.annotate(
        level=Subquery(latest.values("level")[:1], output_field=CharField()),
        total=Subquery(latest.values("total")[:1], output_field=DecimalField(max_digits=6, decimal_places=2)),
    )


def subordinate_levels_of(sheet: Sheet) -> list[str]:
    """Decided levels of the other people of the leader's unit subtree in the same period."""
    others = Sheet.objects.filter(period=sheet.period, unit__path__startswith=sheet.unit.path).exclude(pk=sheet.pk)
    return [lvl for lvl in latest_decisions(others).values_list("level", flat=True) if lvl]


def preview(sheet: Sheet) -> PeriodResult:
    """The result the sheet would get now (raises EvaluationError when it cannot be scored)."""
    inp, _rows = period_input(sheet)
    return score_period(inp, params(sheet.period.end))


@transaction.atomic
def review_sheet(
    *,
    acting_user: User,
    sheet: Sheet,
    general: dict[str, Any],
    comment: str = "",
    organising: Any = None,
    uniting: Any = None,
    disciplined: bool = False,
    degradation: bool = False,
    corruption_in_unit: bool = False,
    facts_basis: str = "",
    expected_version: int | None = None,
) -> Sheet:
    sheet = _lock(sheet, expected_version)
    if not may_review(acting_user, sheet):
        raise SheetError(_("Chỉ cấp trên có thẩm quyền mới được nhận xét, đánh giá phiếu này."))
    _require(sheet, (SheetState.SELF_ASSESSED,), _("nhận xét, đánh giá"))
    before = _state(sheet)
    sheet.review_i, sheet.review_ii, sheet.review_iii = _scores(general)
    if sheet.role in LEADER_ROLES:
        sheet.organising = _percent(organising, _("Tỷ lệ tổ chức thực hiện (đ)"))
        sheet.uniting = _percent(uniting, _("Tỷ lệ đoàn kết (e)"))
    if (disciplined or degradation or corruption_in_unit) and not facts_basis.strip():
        raise SheetError(_("Hãy nêu căn cứ (quyết định kỷ luật, kết luận) của các tình tiết đã chọn."))
    if corruption_in_unit and sheet.role not in LEADER_ROLES:
        raise SheetError(_("Tình tiết tham nhũng, lãng phí trong đơn vị chỉ áp dụng với người đứng đầu, cấp phó."))
    sheet.disciplined, sheet.degradation, sheet.corruption_in_unit = disciplined, degradation, corruption_in_unit
    sheet.facts_basis = facts_basis.strip()
    sheet.review_comment = comment.strip()
    sheet.reviewed_by = acting_user
    sheet.reviewed_at = timezone.now()
    sheet.state = SheetState.REVIEWED
    _save(
        sheet,
        [
            "review_i",
            "review_ii",
            "review_iii",
            "organising",
            "uniting",
            "disciplined",
            "degradation",
            "corruption_in_unit",
            "facts_basis",
            "review_comment",
            "reviewed_by",
            "reviewed_at",
            "state",
        ],
    )
    _record(acting_user, REVIEW, sheet, before, {"comment": sheet.review_comment, "facts_basis": sheet.facts_basis})
    return sheet


@transaction.atomic
def return_sheet(*, acting_user: User, sheet: Sheet, reason: str, expected_version: int | None = None) -> Sheet:
    sheet = _lock(sheet, expected_version)
    if not may_review(acting_user, sheet):
        raise SheetError(_("Chỉ cấp trên có thẩm quyền mới được trả lại phiếu này."))
    _require(sheet, (SheetState.SELF_ASSESSED, SheetState.REVIEWED), _("trả lại phiếu"))
    if not reason.strip():
        raise SheetError(_("Hãy nêu lý do trả lại phiếu."))
    before = _state(sheet)
    sheet.state = SheetState.RETURNED
    sheet.return_reason = reason.strip()
    _save(sheet, ["state", "return_reason"])
    _record(acting_user, RETURN, sheet, before, {"reason": sheet.return_reason})
    _notify(
        sheet,
        list(users_of([sheet.person_id])),
        event="return",
        kind=Kind.EVALUATION,
        title=_("Phiếu bị trả lại: %(sheet)s"),
        body=sheet.return_reason,
    )
    return sheet


def quota_group(sheet: Sheet) -> Q:
    """The sheets the quota is counted over: same period, same unit, same group (leaders or staff)."""
    roles = LEADER_ROLES if sheet.role in LEADER_ROLES else (SheetRole.STAFF,)
    return Q(period=sheet.period, unit=sheet.unit, role__in=roles)


@transaction.atomic
def decide_sheet(
    *,
    acting_user: User,
    sheet: Sheet,
    number: str = "",
    correction_reason: str = "",
    quota_override_reason: str = "",
    expected_version: int | None = None,
) -> Decision:
    """Decide the sheet's level (or correct an earlier decision, with a reason); the sheet is then locked."""
    sheet = _lock(sheet, expected_version)
    if not may_review(acting_user, sheet):
        raise SheetError(_("Chỉ người có thẩm quyền mới được quyết định xếp loại phiếu này."))
    correcting = sheet.state == SheetState.DECIDED
    if correcting and not correction_reason.strip():
        raise SheetError(_("Phiếu đã có quyết định; điều chỉnh phải nêu lý do và là một quyết định mới."))
    if not correcting:
        _require(sheet, (SheetState.REVIEWED,), _("quyết định xếp loại"))
        if sheet.role in LEADER_ROLES and not sheet.collective_comment:
            raise SheetError(
                _("Phiếu của người đứng đầu, cấp phó cần ý kiến của tập thể lãnh đạo trước khi quyết định.")
            )
    today = timezone.localdate()
    inp, rows = period_input(sheet, as_of=today)
    try:
        in_force = params(sheet.period.end)
        result = score_period(inp, in_force)
    except EvaluationError as exc:
        raise SheetError(_("Không tính được kết quả: %(why)s") % {"why": exc.message}) from None
    peers = latest_decisions(Sheet.objects.filter(quota_group(sheet)).exclude(pk=sheet.pk))
    counts: dict[str, int] = {}
    for level in [*peers.values_list("level", flat=True), result.level]:
        if level:
            counts[level] = counts.get(level, 0) + 1
    quota = check_quota(counts, in_force)
    if quota.excess > 0 and not quota_override_reason.strip():
        raise QuotaExceeded(
            _(
                "Vượt tỷ lệ hoàn thành xuất sắc: tối đa %(max)s người (20%% số người hoàn thành tốt), "
                "đề nghị %(n)s, vượt %(excess)s. Hãy điều chỉnh hoặc ghi lý do vượt tỷ lệ."
            )
            % {"max": quota.max_htxs, "n": counts.get("HTXS", 0), "excess": quota.excess},
            quota.max_htxs,
            quota.excess,
        )
    before = _state(sheet)
    seq = (sheet.decisions.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    trace = [
        {
            "key": t.key,
            "label": t.label,
            "value": str(t.value),
            "formula": t.formula,
            "rule": t.rule,
            "citation": t.citation,
            "certainty": t.certainty,
            "evidence": list(t.evidence),
        }
        for t in [*result.trace, *quota.trace]
    ]
    decision = Decision.objects.create(
        sheet=sheet,
        seq=seq,
        decided_by=acting_user,
        decided_at=timezone.now(),
        number=number.strip(),
        correction_reason=correction_reason.strip(),
        quota_override_reason=quota_override_reason.strip() if quota.excess > 0 else "",
        ruleset=result.ruleset,
        total=result.values["total"],
        level=result.level,
        forced=result.forced,
        forced_reasons=list(result.forced_reasons),
        values={k: str(v) for k, v in result.values.items()},
        trace=trace,
        products=rows,
    )
    sheet.state = SheetState.DECIDED
    _save(sheet, ["state"])
    _record(
        acting_user,
        DECIDE,
        sheet,
        before,
        {
            "decision": seq,
            "total": decision.total,
            "level": decision.level,
            "forced": decision.forced,
            "quota": {"max_htxs": quota.max_htxs, "excess": quota.excess, "override": decision.quota_override_reason},
            "correction_reason": decision.correction_reason,
        },
    )
    _notify(
        sheet,
        list(users_of([sheet.person_id])),
        event="decide",
        kind=Kind.EVALUATION,
        title=_("Kết quả đánh giá: %(sheet)s"),
        body=_("Tổng điểm %(total)s, xếp loại %(level)s.")
        % {"total": number_format(decision.total, 2), "level": decision.level},
    )
    return decision


@transaction.atomic
def record_collective_comments(
    *, acting_user: User, sheet: Sheet, comment: str, held_on: date, expected_version: int | None = None
) -> Sheet:
    """The leadership's collective comments on a head's or deputy's reviewed sheet (before the decision)."""
    sheet = _lock(sheet, expected_version)
    if not may_review(acting_user, sheet):
        raise SheetError(_("Chỉ cấp trên có thẩm quyền mới được ghi ý kiến của tập thể lãnh đạo."))
    if sheet.role not in LEADER_ROLES:
        raise SheetError(_("Ý kiến của tập thể lãnh đạo chỉ áp dụng với người đứng đầu, cấp phó."))
    _require(sheet, (SheetState.REVIEWED,), _("ghi ý kiến của tập thể lãnh đạo"))
    if not comment.strip():
        raise SheetError(_("Hãy ghi ý kiến của tập thể lãnh đạo."))
    if held_on > timezone.localdate():
        raise SheetError(_("Ngày họp không được sau hôm nay."))
    before = _state(sheet)
    sheet.collective_comment = comment.strip()
    sheet.collective_on = held_on
    _save(sheet, ["collective_comment", "collective_on"])
    _record(acting_user, COLLECTIVE, sheet, before, {"comment": sheet.collective_comment, "held_on": held_on})
    return sheet


@transaction.atomic
def file_complaint(*, acting_user: User, sheet: Sheet, text: str) -> Complaint:
    """The person complains about the latest decision on their sheet (one open complaint at a time)."""
    sheet = _lock(sheet, None)
    if acting_user.person_id != sheet.person_id:
        raise SheetError(_("Chỉ người được đánh giá mới được khiếu nại kết quả của mình."))
    _require(sheet, (SheetState.DECIDED,), _("khiếu nại"))
    if not text.strip():
        raise SheetError(_("Hãy nêu nội dung khiếu nại."))
    if sheet.complaints.filter(state=ComplaintState.OPEN).exists():
        raise SheetError(_("Phiếu đang có một khiếu nại chưa được giải quyết."))
    decision = sheet.decisions.order_by("-seq").first()
    assert decision is not None
    complaint = Complaint.objects.create(
        sheet=sheet, decision=decision, text=text.strip(), filed_by=acting_user, filed_at=timezone.now()
    )
    _record(
        acting_user,
        COMPLAIN,
        sheet,
        None,
        {"complaint": complaint.pk, "decision": decision.seq, "text": complaint.text},
    )
    _notify(
        sheet,
        [decision.decided_by],
        event=f"complaint-{complaint.pk}",
        kind=Kind.EVALUATION,
        title=_("Khiếu nại kết quả đánh giá: %(sheet)s"),
        body=complaint.text,
    )
    return complaint


@transaction.atomic
def resolve_complaint(
    *,
    acting_user: User,
    complaint: Complaint,
    resolution: str,
    change: bool = False,
    number: str = "",
    quota_override_reason: str = "",
) -> Complaint:
    """The decider answers a complaint; with ``change`` the result is recomputed as a new decision."""
    complaint = Complaint.objects.select_for_update().select_related("sheet").get(pk=complaint.pk)
    sheet = complaint.sheet
    if not may_review(acting_user, sheet):
        raise SheetError(_("Chỉ người có thẩm quyền mới được giải quyết khiếu nại này."))
    if complaint.state != ComplaintState.OPEN:
        raise SheetError(_("Khiếu nại này đã được giải quyết."))
    if not resolution.strip():
        raise SheetError(_("Hãy nêu kết quả giải quyết khiếu nại."))
    new_decision = None
    if change:
        new_decision = decide_sheet(
            acting_user=acting_user,
            sheet=sheet,
            number=number,
            correction_reason=_("Giải quyết khiếu nại: %(text)s") % {"text": resolution.strip()},
            quota_override_reason=quota_override_reason,
        )
    complaint.state = ComplaintState.RESOLVED
    complaint.resolution = resolution.strip()
    complaint.resolved_by = acting_user
    complaint.resolved_at = timezone.now()
    complaint.new_decision = new_decision
    complaint.save(update_fields=["state", "resolution", "resolved_by", "resolved_at", "new_decision"])
    sheet.refresh_from_db()
    _record(
        acting_user,
        RESOLVE,
        sheet,
        None,
        {
            "complaint": complaint.pk,
            "resolution": complaint.resolution,
            "new_decision": new_decision.seq if new_decision else None,
        },
    )
    return complaint


def year_result(person: Person, year: int) -> YearResult | None:
    """The year's result from the latest decisions of the person's periods of that year (None if none decided).

    Periods not evaluated (leave, absence, study) are left out of the average: the year is classified
    over the actual working time.
    """
    sheets = latest_decisions(
        Sheet.objects.filter(person=person, period__start__year=year, state=SheetState.DECIDED)
    ).order_by("period__start")
    rows = list(sheets.values_list("total", "role", "disciplined", "degradation", "corruption_in_unit"))
    totals = [Decimal(str(r[0])) for r in rows if r[0] is not None]
    if not totals:
        return None
    role = rows[-1][1]
    facts = Facts(
        disciplined=any(r[2] for r in rows),
        degradation=any(r[3] for r in rows),
        corruption_in_unit=any(r[4] for r in rows),
    )
    return score_year(totals, facts, params(date(year, 12, 31)), role=role)


@transaction.atomic
def mark_not_evaluated(
    *, acting_user: User, sheet: Sheet, kind: str, basis: str, expected_version: int | None = None
) -> Sheet:
    """The person did not work the period (sick or maternity leave, justified absence, full-time study):
    the period is not evaluated and the year's result averages only the periods worked (Decree 335/2025,
    Art. 21: classification over the actual working time)."""
    sheet = _lock(sheet, expected_version)
    if not may_review(acting_user, sheet):
        raise SheetError(_("Chỉ cấp trên có thẩm quyền mới được ghi nhận kỳ không đánh giá."))
    _require(sheet, (SheetState.DRAFT, SheetState.SELF_ASSESSED, SheetState.RETURNED), _("ghi nhận không đánh giá"))
    if kind not in AbsenceKind.values:
        raise SheetError(_("Hãy chọn lý do: nghỉ ốm, nghỉ thai sản, nghỉ có lý do chính đáng hoặc đi học tập trung."))
    if not basis.strip():
        raise SheetError(_("Hãy nêu căn cứ (quyết định, giấy nghỉ) của kỳ không đánh giá."))
    before = _state(sheet)
    sheet.state = SheetState.NOT_EVALUATED
    sheet.absence_kind = kind
    sheet.absence_basis = basis.strip()[:300]
    _save(sheet, ["state", "absence_kind", "absence_basis"])
    _record(acting_user, NOT_EVALUATED, sheet, before, {"kind": kind, "basis": sheet.absence_basis})
    return sheet
