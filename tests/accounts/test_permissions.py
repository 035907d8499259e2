"""Every URL pattern × every role × own/other scope, against the permission policy.

The expectations derive from ``URL_POLICY`` and ``ROLE_CAPABILITIES`` (so this test
proves that the views enforce the policy), and a few facts of the policy itself are
asserted explicitly below (so a change to the table is a visible decision).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from congvu.accounts import services
from congvu.accounts.models import ApiToken, User
from congvu.audit.models import AuditEvent
from congvu.core.policy import URL_POLICY, Cap, Role, capabilities_of
from congvu.evaluation.models import Complaint, Decision, Sheet
from congvu.feedback import services as feedback_services
from congvu.feedback.models import Attachment, Feedback, RoutingRule, Service
from congvu.org.models import ImportRun, Unit
from congvu.tasks import services as task_services
from congvu.tasks.models import (
    Coordination,
    Difficulty,
    Directive,
    Evidence,
    Extension,
    FieldVisit,
    Meeting,
    ProductType,
    Task,
    TaskProduct,
    TaskSeries,
)
from tests.conftest import FIXED_NOW
from tests.factories import Province, person

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]


def all_url_names() -> set[str]:
    def walk(patterns: list[Any], namespace: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL pattern {p.pattern} has no name, so the policy cannot cover it"
                yield namespace + p.name

    return set(walk(get_resolver().url_patterns, ""))


@dataclass(frozen=True)
class Case:
    """How to call one URL: method, URL for own/other scope, body, and the success status."""

    method: str
    url: Callable[[Province, str, bool], str]
    ok: int = 200
    data: dict[str, Any] | None = None
    writes: bool = False
    json: bool = False
    body: Callable[[Province], dict[str, Any]] | None = None  # a body that names objects of the province


def fixed(name: str) -> Callable[[Province, str, bool], str]:
    return lambda p, role, own: reverse(name)


def unit_url(name: str) -> Callable[[Province, str, bool], str]:
    return lambda p, role, own: reverse(name, args=[(p.own_unit(role) if own else p.other_unit(role)).pk])


def person_url(name: str) -> Callable[[Province, str, bool], str]:
    return lambda p, role, own: reverse(name, args=[(p.own_person(role) if own else p.other_person_for(role)).pk])


def import_run_url(p: Province, role: str, own: bool) -> str:
    owner = p.users[role] if own else p.users["admin" if role != "admin" else "noivu"]
    run = ImportRun.objects.create(created_by=owner, file_name="x.xlsx", file_path="/nonexistent", state="done")
    return reverse("org:import_status", args=[run.pk])


def token_url(p: Province, role: str, own: bool) -> str:
    owner = p.users[role] if own else p.users["admin" if role != "admin" else "noivu"]
    services.create_token(acting_user=None, user=owner, name="thử")
    return reverse("accounts:token_revoke", args=[ApiToken.objects.filter(user=owner).latest("pk").pk])


def api_unit(p: Province, role: str, own: bool) -> str:
    return f"/api/v1/units/{(p.own_unit(role) if own else p.other_unit(role)).pk}"


def api_person(p: Province, role: str, own: bool) -> str:
    return f"/api/v1/people/{(p.own_person(role) if own else p.other_person_for(role)).pk}"


def _directive() -> Directive:
    found = Directive.objects.filter(number="1/QĐ-UBND").first()
    return found or Directive.objects.create(number="1/QĐ-UBND", issued_on=date(2026, 3, 2), issuer="UBND tỉnh")


def matrix_task(
    p: Province, role: str, own: bool, *, as_owner: bool = False, as_assigner: bool = False, state: str = "assigned"
) -> Task:
    """A task the role sees ("own": led by the division, inside every role's scope) or not ("other").

    With ``as_owner`` the role's account is linked to the task's accountable person, with
    ``as_assigner`` it is recorded as the assigner, so that the action's service accepts it;
    ``state`` is set directly (the matrix tests access, not the lifecycle).
    """
    if not own:
        stranger = User.objects.filter(username="nguoi_giao_khac").first() or User.objects.create_user(
            username="nguoi_giao_khac"
        )
        task = Task.objects.create(
            title="Nhiệm vụ ngoài phạm vi",
            directive=_directive(),
            lead_unit=p.other_unit(role),
            owner=p.other_person_for(role),
            assigned_by=stranger,
            assigned_on=date(2026, 3, 16),
            deadline=date(2026, 4, 30),
            original_deadline=date(2026, 4, 30),
            state=state,
        )
    else:
        account = User.objects.get(pk=p.users[role].pk)
        owner = p.person
        if as_owner:
            if account.person is None:
                account.person = person(f"Cán bộ {role}", p.division)
                account.save(update_fields=["person"])
            owner = account.person
        task = task_services.assign_task(
            acting_user=p.users["lanhdao"],
            title="Nhiệm vụ trong phạm vi",
            lead_unit=p.division,
            owner=owner,
            directive=_directive(),
            deadline=date(2026, 4, 30),
        )
        Task.objects.filter(pk=task.pk).update(state=state, assigned_by=account if as_assigner else p.users["lanhdao"])
    return task


def task_url(name: str, **kwargs: Any) -> Callable[[Province, str, bool], str]:
    return lambda p, role, own: reverse(name, args=[matrix_task(p, role, own, **kwargs).pk])


def extension_url(p: Province, role: str, own: bool) -> str:
    task = matrix_task(p, role, own, as_assigner=True)
    extension = Extension.objects.create(
        task=task,
        round=1,
        requested_by=p.users["lanhdao"],
        requested_at=FIXED_NOW,
        reason="Chờ số liệu",
        proposed_deadline=date(2026, 5, 15),
        previous_deadline=task.deadline,
    )
    return reverse("tasks:extension_decide", args=[extension.pk])


def difficulty_url(p: Province, role: str, own: bool) -> str:
    """An open difficulty of a task the role assigned (so the role may answer it)."""
    task = matrix_task(p, role, own, as_assigner=True)
    raiser = User.objects.filter(username="nguoi_bao_cao").first() or User.objects.create_user(username="nguoi_bao_cao")
    difficulty = Difficulty.objects.create(
        task=task,
        description="Thiếu số liệu",
        raised_by=raiser,
        raised_at=FIXED_NOW,
        raised_on=date(2026, 3, 16),
        addressed_unit=task.lead_unit,
        answer_due=date(2026, 3, 19),
    )
    return reverse("tasks:difficulty_answer", args=[difficulty.pk])


def coordination_url(p: Province, role: str, own: bool) -> str:
    """A request to the unit where the role's account holds a post (so the role may answer it)."""
    task = matrix_task(p, role, own, as_owner=True)
    request = Coordination.objects.create(
        task=task,
        from_unit=p.agency if own else p.other_unit(role).parent or p.outside_root,
        to_unit=task.lead_unit,
        request="Cho ý kiến về dự thảo",
        due=date(2026, 3, 25),
        requested_by=p.users["lanhdao"],
        requested_at=FIXED_NOW,
        requested_on=date(2026, 3, 16),
    )
    return reverse("tasks:coordination_answer", args=[request.pk])


def evidence_url(p: Province, role: str, own: bool) -> str:
    task = matrix_task(p, role, own)
    item = Evidence(
        task=task,
        name="bao-cao.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=p.users["lanhdao"],
        uploaded_at=FIXED_NOW,
    )
    item.file.save("bao-cao.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    item.save()
    return reverse("tasks:evidence", args=[item.pk])


def series_url(p: Province, role: str, own: bool) -> str:
    """A recurring task whose occurrence the role sees ("own") and which the role assigned."""
    task = matrix_task(p, role, own, as_assigner=True)
    series = TaskSeries.objects.create(
        title="Báo cáo tháng",
        directive=_directive(),
        lead_unit=task.lead_unit,
        owner=task.owner,
        assigned_by=task.assigned_by,
        frequency="monthly",
        due_day=25,
        starts_on=date(2026, 3, 1),
    )
    Task.objects.filter(pk=task.pk).update(series=series, period_start=date(2026, 3, 1))
    return reverse("tasks:series_stop", args=[series.pk])


def matrix_sheet(
    p: Province, role: str, own: bool, *, state: str = "draft", of_role: bool = True, sheet_role: str = "staff"
) -> Sheet:
    """A sheet the role sees ("own") or not. ``of_role``: the sheet is the role's own (its account is linked
    to a person of the division); otherwise it is Nguyễn Thị Hoà's, whom reviewers over the division review."""
    from congvu.evaluation.services import month_period

    period = month_period(date(2026, 4, 1))
    if not own:
        target, unit = p.other_person_for(role), p.other_unit(role)
    elif of_role:
        account = User.objects.get(pk=p.users[role].pk)
        if account.person is None:
            account.person = person(f"Cán bộ {role}", p.division)
            account.save(update_fields=["person"])
        target, unit = account.person, p.division
    else:
        target, unit = p.person, p.division
        task = matrix_task(p, role, own)  # a product due in April, so that the month can be scored
        kind, _new = ProductType.objects.get_or_create(
            code="BC", defaults={"name": "Báo cáo", "unit_of_measure": "báo cáo", "coefficient": 1}
        )
        TaskProduct.objects.create(task=task, product_type=kind, quantity=1, coefficient=1, weight=1)
    reviewed = 9 if state == "reviewed" else None
    sheet, _created = Sheet.objects.update_or_create(
        person=target,
        period=period,
        defaults={
            "unit": unit,
            "role": sheet_role,
            "state": state,
            "version": 1,
            "self_i": 9,
            "self_ii": 9,
            "self_iii": 9,
            "review_i": reviewed,
            "review_ii": reviewed,
            "review_iii": reviewed,
        },
    )
    return sheet


def sheet_url(name: str, role: str = "staff", **kwargs: Any) -> Callable[[Province, str, bool], str]:
    return lambda p, r, own: reverse(name, args=[matrix_sheet(p, r, own, sheet_role=role, **kwargs).pk])


def decided(sheet: Sheet, by: User) -> Decision:
    Sheet.objects.filter(pk=sheet.pk).update(state="decided")
    return Decision.objects.create(
        sheet=sheet,
        seq=sheet.decisions.count() + 1,
        decided_by=by,
        decided_at=FIXED_NOW,
        ruleset="vn-nd-335-2025",
        total=80,
        level="HTT",
    )


def complaint_sheet_url(p: Province, role: str, own: bool) -> str:
    """The role's own decided sheet, on which it may complain."""
    sheet = matrix_sheet(p, role, own)
    decided(sheet, p.users["lanhdao"])
    Complaint.objects.filter(sheet=sheet, state="open").update(state="resolved")  # one open complaint at a time
    return reverse("evaluation:complain", args=[sheet.pk])


def resolve_url(p: Province, role: str, own: bool) -> str:
    """An open complaint on Nguyễn Thị Hoà's decided sheet, which reviewers over the division resolve."""
    sheet = matrix_sheet(p, role, own, of_role=False)
    decision = decided(sheet, p.users["lanhdao"])
    complaint = Complaint.objects.create(
        sheet=sheet, decision=decision, text="Chưa tính sản phẩm", filed_by=p.users["lanhdao"], filed_at=FIXED_NOW
    )
    return reverse("evaluation:resolve", args=[complaint.pk])


def matrix_service(p: Province) -> Service:
    found = Service.objects.filter(code="ha-tang").first()
    return found or Service.objects.create(code="ha-tang", name="Hạ tầng đô thị", default_unit=p.division)


def matrix_feedback(p: Province, own: bool, role: str = "admin", state: str = "received") -> Feedback:
    """A submission handled by the division ("own": in every handling role's scope) or by a unit outside it."""
    now = FIXED_NOW
    feedback = Feedback.objects.create(
        tracking_code=feedback_services.new_code(),
        public_id=feedback_services.new_public_id(),
        service=matrix_service(p),
        track="feedback",
        description="Đường ngập sau mưa",
        responsible_unit=p.division if own else p.other_unit(role),
        received_at=now,
        received_on=date(2026, 3, 16),
        state=state,
        answer="Đã khơi thông cống" if state == "published" else "",
        published_on=date(2026, 3, 16) if state == "published" else None,
    )
    return feedback


def matrix_rule_url(p: Province, role: str, own: bool) -> str:
    """A routing rule to the division ("own") or to a unit outside the role's scope."""
    rule = RoutingRule.objects.create(unit=p.division if own else p.other_unit(role), place_contains="Phường 1")
    return reverse("feedback:routing_edit", args=[rule.pk])


def feedback_attachment_url(p: Province, role: str, own: bool) -> str:
    item = Attachment(
        feedback=matrix_feedback(p, own, role), name="anh.pdf", content_type="application/pdf", size=9, sha256="0" * 64
    )
    item.file.save("anh.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    item.save()
    return reverse("feedback:attachment", args=[item.pk])


def meeting_url(p: Province, role: str, own: bool) -> str:
    meeting = Meeting.objects.create(
        title="Giao ban",
        held_on=date(2026, 3, 10),
        chair=p.person if own else p.other_person_for(role),
        unit=p.division if own else p.other_unit(role),
    )
    return reverse("tasks:meeting", args=[meeting.pk])


def visit(p: Province, role: str, own: bool) -> FieldVisit:
    return FieldVisit.objects.create(
        unit=p.division if own else p.other_unit(role),
        title="Khảo sát bộ phận một cửa",
        place="Trung tâm phục vụ hành chính công",
        planned_on=date(2026, 3, 12),
        leader=p.person if own else p.other_person_for(role),
        created_by=p.users["lanhdao"],
    )


def api_of(page_url: Callable[[Province, str, bool], str]) -> Callable[[Province, str, bool], str]:
    """The API route of the same action as a page URL (``/tasks/x/1/decide/`` → ``/api/v1/tasks/x/1/decision``)."""
    return lambda p, role, own: "/api/v1" + page_url(p, role, own).rstrip("/").replace("/decide", "/decision")


def api_task_action(action: str, **kwargs: Any) -> Callable[[Province, str, bool], str]:
    return lambda p, role, own: f"/api/v1/tasks/{matrix_task(p, role, own, **kwargs).pk}/{action}"


def api_task(p: Province, role: str, own: bool) -> str:
    return f"/api/v1/tasks/{matrix_task(p, role, own).pk}"


CASES: dict[str, Case] = {
    "core:home": Case("get", fixed("core:home")),
    "core:health": Case("get", fixed("core:health")),
    "core:set_language": Case("post", fixed("core:set_language"), ok=302, data={"language": "vi", "next": "/"}),
    "accounts:login": Case("get", fixed("accounts:login"), ok=302),  # signed-in users are sent on
    "accounts:logout": Case("post", fixed("accounts:logout"), ok=302),
    "accounts:profile": Case("get", fixed("accounts:profile")),
    "accounts:token_create": Case("post", fixed("accounts:token_create"), data={"name": "Báo cáo"}, writes=True),
    "accounts:token_revoke": Case("post", lambda p, role, own: token_url(p, role, own), ok=302, writes=True),
    "org:tree": Case("get", fixed("org:tree")),
    "org:tree_children": Case("get", unit_url("org:tree_children")),
    "org:unit_detail": Case("get", unit_url("org:unit_detail")),
    "org:unit_rename": Case(
        "post",
        unit_url("org:unit_rename"),
        ok=302,
        writes=True,
        data={
            "name": "Tên mới",
            "code": "NEW-01",
            "effective": "2026-03-01",
            "basis_number": "5/QĐ-UBND",
            "version": "1",
        },
    ),
    "org:unit_add": Case("get", unit_url("org:unit_add")),
    "org:unit_merge": Case("get", unit_url("org:unit_merge")),
    "org:unit_split": Case("get", unit_url("org:unit_split")),
    "org:unit_dissolve": Case("get", unit_url("org:unit_dissolve")),
    "org:person_list": Case("get", fixed("org:person_list")),
    "org:person_detail": Case("get", person_url("org:person_detail")),
    "org:person_pid": Case("post", person_url("org:person_pid"), writes=True),
    "org:import": Case("get", fixed("org:import")),
    "org:import_template": Case("get", fixed("org:import_template")),
    "org:import_status": Case("get", import_run_url),
    "audit:log": Case("get", fixed("audit:log")),
    # Task pages. "own" is a task of the division (inside every role's scope), "other" one outside it.
    # Each action's "own" task makes the role its owner (owner actions) or its assigner (assigner
    # actions), so a permitted call succeeds (302) and a refused one must change nothing.
    "tasks:my": Case("get", fixed("tasks:my")),
    "tasks:unit_board": Case("get", unit_url("tasks:unit_board")),
    "tasks:detail": Case("get", task_url("tasks:detail")),
    "tasks:assign": Case("get", fixed("tasks:assign")),
    "tasks:accept": Case(
        "post",
        task_url("tasks:accept", as_owner=True),
        ok=302,
        writes=True,
        data={"plan": "Khảo sát | 20/03/2026", "version": "1"},
    ),
    "tasks:progress": Case(
        "post",
        task_url("tasks:progress", as_owner=True, state="accepted"),
        ok=302,
        writes=True,
        data={"percent": "30", "version": "1"},
    ),
    "tasks:submit": Case(
        "post", task_url("tasks:submit", as_owner=True, state="in_progress"), ok=302, writes=True, data={"version": "1"}
    ),
    "tasks:extension_request": Case(
        "post",
        task_url("tasks:extension_request", as_owner=True),
        ok=302,
        writes=True,
        data={"proposed_deadline": "2026-05-15", "reason": "Chờ số liệu", "version": "1"},
    ),
    "tasks:review": Case(
        "post",
        task_url("tasks:review", as_assigner=True, state="submitted"),
        ok=302,
        writes=True,
        data={"decision": "accept", "grade": "meets", "major_errors": "0", "version": "1"},
    ),
    "tasks:cancel": Case(
        "post",
        task_url("tasks:cancel", as_assigner=True),
        ok=302,
        writes=True,
        data={"reason": "Không còn cần thiết", "version": "1"},
    ),
    "tasks:extension_decide": Case(
        "post", extension_url, ok=302, writes=True, data={"decision": "approve", "version": "1"}
    ),
    "tasks:overview": Case("get", fixed("tasks:overview")),
    "tasks:difficulty_raise": Case(
        "post",
        task_url("tasks:difficulty_raise", as_owner=True),
        ok=302,
        writes=True,
        data={"description": "Thiếu số liệu của các huyện", "version": "1"},
    ),
    "tasks:difficulty_answer": Case(
        "post", difficulty_url, ok=302, writes=True, data={"answer": "Sở Tài chính cung cấp", "version": "1"}
    ),
    "tasks:coordination_request": Case(
        "post",
        task_url("tasks:coordination_request", as_assigner=True),
        ok=302,
        writes=True,
        data={"to_unit_code": "01.002.01", "request": "Cho ý kiến", "due": "2026-04-10", "version": "1"},
    ),
    "tasks:coordination_answer": Case(
        "post", coordination_url, ok=302, writes=True, data={"answer": "Thống nhất", "version": "1"}
    ),
    "tasks:evidence": Case("get", evidence_url),
    "tasks:series_stop": Case("post", series_url, ok=302, writes=True),
    "tasks:meetings": Case("get", fixed("tasks:meetings")),
    "tasks:meeting": Case("get", meeting_url),
    "tasks:meeting_new": Case("get", fixed("tasks:meeting_new")),
    "tasks:visits": Case("get", fixed("tasks:visits")),
    "tasks:visit": Case("get", lambda p, role, own: reverse("tasks:visit", args=[visit(p, role, own).pk])),
    "tasks:visit_new": Case("get", fixed("tasks:visit_new")),
    "tasks:visit_record": Case(
        "post",
        lambda p, role, own: reverse("tasks:visit_record", args=[visit(p, role, own).pk]),
        ok=302,
        writes=True,
        data={"visited_on": "2026-03-13", "findings": "Niêm yết thủ tục chưa đầy đủ | Bổ sung", "version": "1"},
    ),
    "evaluation:my": Case("get", fixed("evaluation:my")),
    "evaluation:open": Case("post", fixed("evaluation:open"), ok=302, data={"person": "me", "month": "2026-04"}),
    "evaluation:unit": Case("get", unit_url("evaluation:unit")),
    "evaluation:sheet": Case("get", sheet_url("evaluation:sheet")),
    "evaluation:sheet_export": Case(
        "get", lambda p, r, o: sheet_url("evaluation:sheet_export")(p, r, o) + "?format=docx"
    ),
    "evaluation:unit_export": Case("get", lambda p, r, o: unit_url("evaluation:unit_export")(p, r, o) + "?format=xlsx"),
    "evaluation:self_assess": Case(
        "post",
        sheet_url("evaluation:self_assess"),
        ok=302,
        writes=True,
        data={"version": "1", "group_i": "9", "group_ii": "9.5", "group_iii": "8"},
    ),
    "evaluation:review": Case(
        "post",
        sheet_url("evaluation:review", state="self_assessed", of_role=False),
        ok=302,
        writes=True,
        data={"version": "1", "group_i": "9", "group_ii": "9", "group_iii": "9"},
    ),
    "evaluation:return": Case(
        "post",
        sheet_url("evaluation:return", state="self_assessed", of_role=False),
        ok=302,
        writes=True,
        data={"version": "1", "reason": "Bổ sung"},
    ),
    "evaluation:decide": Case(
        "post",
        sheet_url("evaluation:decide", state="reviewed", of_role=False),
        ok=302,
        writes=True,
        data={"version": "1"},
    ),
    "evaluation:collective": Case(
        "post",
        sheet_url("evaluation:collective", state="reviewed", of_role=False, role="leader"),
        ok=302,
        writes=True,
        data={"version": "1", "held_on": "2026-03-16", "comment": "Thống nhất"},
    ),
    "evaluation:absence": Case(
        "post",
        sheet_url("evaluation:absence", of_role=False),
        ok=302,
        writes=True,
        data={"version": "1", "kind": "maternity", "basis": "Quyết định 3/QĐ-STC"},
    ),
    "evaluation:complain": Case(
        "post", lambda p, r, o: complaint_sheet_url(p, r, o), ok=302, writes=True, data={"text": "Chưa tính sản phẩm"}
    ),
    "evaluation:resolve": Case("post", resolve_url, ok=302, writes=True, data={"resolution": "Giữ nguyên kết quả"}),
    "feedback:portal": Case("get", fixed("feedback:portal")),
    "feedback:lookup": Case("get", fixed("feedback:lookup")),
    "feedback:status": Case(
        "get", lambda p, r, o: reverse("feedback:status", args=[matrix_feedback(p, o, r).tracking_code])
    ),
    "feedback:rate": Case(
        "post",
        lambda p, r, o: reverse("feedback:rate", args=[matrix_feedback(p, o, r, state="published").tracking_code]),
        ok=302,
        data={"rating": "satisfied"},
    ),
    "feedback:reopen": Case(
        "post",
        lambda p, r, o: reverse("feedback:reopen", args=[matrix_feedback(p, o, r, state="published").tracking_code]),
        ok=302,
        data={"reason": "Vẫn còn ngập"},
    ),
    "feedback:inbox": Case("get", fixed("feedback:inbox")),
    "feedback:detail": Case("get", lambda p, r, o: reverse("feedback:detail", args=[matrix_feedback(p, o, r).pk])),
    "feedback:act": Case(
        "post",
        lambda p, r, o: reverse("feedback:act", args=[matrix_feedback(p, o, r).pk]),
        ok=302,
        writes=True,
        data={"action": "accept", "version": "1"},
    ),
    "feedback:attachment": Case("get", feedback_attachment_url),
    "feedback:person": Case("get", lambda p, r, o: reverse("feedback:person", args=[matrix_sheet(p, r, o).person_id])),
    "feedback:routing": Case("get", fixed("feedback:routing")),
    "feedback:routing_edit": Case(
        "post",
        matrix_rule_url,
        ok=302,
        writes=True,
        body=lambda p: {"unit_code": p.division.code, "priority": "5", "version": "1", "active": "on"},
    ),
    "reports:transparency": Case("get", fixed("reports:transparency")),
    "reports:unit": Case("get", unit_url("reports:unit")),
    "open311:services": Case("get", lambda p, r, o: "/open311/v2/services.json"),
    "open311:service": Case("get", lambda p, r, o: f"/open311/v2/services/{matrix_service(p).code}.json"),
    "open311:requests": Case("get", lambda p, r, o: "/open311/v2/requests.json"),
    "open311:request": Case(
        "get", lambda p, r, o: f"/open311/v2/requests/{matrix_feedback(p, True, r).public_id}.json"
    ),
    "notifications:inbox": Case("get", fixed("notifications:inbox")),
    "notifications:read": Case("post", fixed("notifications:read"), ok=302),
    "api:api-root": Case("get", lambda p, r, o: "/api/v1/", ok=404),  # django-ninja: no root document
    "api:openapi-json": Case("get", lambda p, r, o: "/api/v1/openapi.json"),
    "api:openapi-view": Case("get", lambda p, r, o: "/api/v1/docs"),
    "api:me": Case("get", lambda p, r, o: "/api/v1/me"),
    "api:unit_list": Case("get", lambda p, r, o: "/api/v1/units"),
    "api:unit_detail": Case("get", api_unit),
    "api:person_list": Case("get", lambda p, r, o: "/api/v1/people"),
    "api:person_detail": Case("get", api_person),
    "api:appointment_list": Case("get", lambda p, r, o: "/api/v1/appointments"),
    "api:task_list": Case("get", lambda p, r, o: "/api/v1/tasks"),
    "api:task_detail": Case("get", api_task),
    "api:task_overview": Case("get", lambda p, r, o: "/api/v1/tasks/overview"),
    "api:task_assign": Case(
        "post",
        lambda p, r, o: "/api/v1/tasks/assign",
        ok=201,
        json=True,
        writes=True,
        body=lambda p: {
            "title": "Nhiệm vụ qua API",
            "lead_unit_id": p.division.pk,
            "owner_id": p.person.pk,
            "deadline": "2026-04-30",
            "directive_id": _directive().pk,
        },
    ),
    "api:task_accept": Case(
        "post",
        api_task_action("accept", as_owner=True),
        json=True,
        writes=True,
        data={"plan": [{"title": "Khảo sát", "due": "2026-03-20"}], "version": 1},
    ),
    "api:task_progress": Case(
        "post",
        api_task_action("progress", as_owner=True, state="accepted"),
        json=True,
        writes=True,
        data={"percent": 30, "version": 1},
    ),
    "api:task_submit": Case(
        "post",
        api_task_action("submit", as_owner=True, state="in_progress"),
        json=True,
        writes=True,
        data={"version": 1},
    ),
    "api:task_extension_request": Case(
        "post",
        api_task_action("extensions", as_owner=True),
        json=True,
        writes=True,
        data={"proposed_deadline": "2026-05-15", "reason": "Chờ số liệu", "version": 1},
    ),
    "api:task_review": Case(
        "post",
        api_task_action("review", as_assigner=True, state="submitted"),
        json=True,
        writes=True,
        data={"accept": True, "grade": "meets", "version": 1},
    ),
    "api:task_cancel": Case(
        "post",
        api_task_action("cancel", as_assigner=True),
        json=True,
        writes=True,
        data={"reason": "Không còn cần thiết", "version": 1},
    ),
    "api:extension_decide": Case(
        "post", api_of(extension_url), json=True, writes=True, data={"approve": True, "version": 1}
    ),
    "api:difficulty_raise": Case(
        "post",
        api_task_action("difficulties", as_owner=True),
        ok=201,
        json=True,
        writes=True,
        data={"description": "Thiếu số liệu của các huyện"},
    ),
    "api:difficulty_answer": Case(
        "post", api_of(difficulty_url), json=True, writes=True, data={"answer": "Sở cung cấp", "version": 1}
    ),
    "api:coordination_request": Case(
        "post",
        api_task_action("coordinations", as_assigner=True),
        ok=201,
        json=True,
        writes=True,
        body=lambda p: {"to_unit_id": p.other_division.pk, "request": "Cho ý kiến", "due": "2026-04-10"},
    ),
    "api:coordination_answer": Case(
        "post", api_of(coordination_url), json=True, writes=True, data={"answer": "Thống nhất", "version": 1}
    ),
    "api:sheet_list": Case("get", lambda p, r, o: "/api/v1/evaluation/sheets?month=2026-04"),
    "api:sheet_open": Case(
        "post", lambda p, r, o: "/api/v1/evaluation/sheets/open", ok=201, json=True, body=lambda p: {"month": "2026-04"}
    ),
    "api:sheet_detail": Case("get", lambda p, r, o: f"/api/v1/evaluation/sheets/{matrix_sheet(p, r, o).pk}"),
    "api:sheet_self_assess": Case(
        "post",
        lambda p, r, o: f"/api/v1/evaluation/sheets/{matrix_sheet(p, r, o).pk}/self-assessment",
        json=True,
        writes=True,
        data={"version": 1, "general": {"I": 9, "II": 9, "III": 9}},
    ),
    "api:sheet_review": Case(
        "post",
        lambda p, r, o: (
            f"/api/v1/evaluation/sheets/{matrix_sheet(p, r, o, state='self_assessed', of_role=False).pk}/review"
        ),
        json=True,
        writes=True,
        data={"version": 1, "general": {"I": 9, "II": 9, "III": 9}},
    ),
    "api:sheet_return": Case(
        "post",
        lambda p, r, o: (
            f"/api/v1/evaluation/sheets/{matrix_sheet(p, r, o, state='self_assessed', of_role=False).pk}/return"
        ),
        json=True,
        writes=True,
        data={"version": 1, "reason": "Bổ sung"},
    ),
    "api:sheet_collective": Case(
        "post",
        lambda p, r, o: (
            "/api/v1/evaluation/sheets/"
            f"{matrix_sheet(p, r, o, state='reviewed', of_role=False, sheet_role='leader').pk}/collective-comments"
        ),
        json=True,
        writes=True,
        data={"version": 1, "comment": "Thống nhất", "held_on": "2026-03-16"},
    ),
    "api:sheet_decide": Case(
        "post",
        lambda p, r, o: (
            f"/api/v1/evaluation/sheets/{matrix_sheet(p, r, o, state='reviewed', of_role=False).pk}/decisions"
        ),
        ok=201,
        json=True,
        writes=True,
        data={"version": 1},
    ),
    "api:sheet_complain": Case(
        "post",
        lambda p, r, o: (
            complaint_sheet_url(p, r, o)
            .replace("/evaluation/sheets/", "/api/v1/evaluation/sheets/")
            .replace("/complaint/", "/complaints")
        ),
        ok=201,
        json=True,
        writes=True,
        data={"text": "Chưa tính sản phẩm"},
    ),
    "api:complaint_resolve": Case(
        "post",
        lambda p, r, o: (
            resolve_url(p, r, o)
            .replace("/evaluation/complaints/", "/api/v1/evaluation/complaints/")
            .replace("/resolve/", "/resolution")
        ),
        json=True,
        writes=True,
        data={"resolution": "Giữ nguyên kết quả"},
    ),
    "api:person_year": Case(
        "get", lambda p, r, o: f"/api/v1/evaluation/people/{matrix_sheet(p, r, o).person_id}/years/2026"
    ),
    "api:report_unit_service": Case(
        "get", lambda p, r, o: f"/api/v1/reports/units/{(p.own_unit(r) if o else p.other_unit(r)).pk}/service"
    ),
    "api:feedback_list": Case("get", lambda p, r, o: "/api/v1/feedback"),
    "api:feedback_person": Case("get", lambda p, r, o: f"/api/v1/feedback/people/{matrix_sheet(p, r, o).person_id}"),
    "api:feedback_detail": Case("get", lambda p, r, o: f"/api/v1/feedback/{matrix_feedback(p, o, r).pk}"),
    "api:feedback_act": Case(
        "post",
        lambda p, r, o: f"/api/v1/feedback/{matrix_feedback(p, o, r).pk}/actions",
        json=True,
        writes=True,
        data={"action": "accept", "version": 1},
    ),
    "api:evaluation_score": Case(
        "post",
        lambda p, r, o: "/api/v1/evaluation/score",
        json=True,
        data={
            "date": "2026-03-31",
            "role": "staff",
            "general": {"I": 9, "II": 9, "III": 9},
            "products": [{"weight": 1, "done": True}],
        },
    ),
    "api:evaluation_quota": Case(
        "post",
        lambda p, r, o: "/api/v1/evaluation/quota",
        json=True,
        data={"date": "2026-12-10", "counts": {"HTT": 10}},
    ),
    "api:evaluation_rules": Case("get", lambda p, r, o: "/api/v1/evaluation/rules"),
}


def test_every_url_pattern_has_a_policy_entry_and_a_case() -> None:
    names = all_url_names()
    assert names - URL_POLICY.keys() == set(), "URL patterns without a policy entry"
    assert URL_POLICY.keys() - names == set(), "policy entries for URLs that do not exist"
    assert names == CASES.keys()


def test_policy_facts() -> None:
    assert capabilities_of({"thanhtra"}) & {Cap.ORG_EDIT, Cap.ORG_IMPORT} == set()
    assert Cap.PERSON_PID_VIEW in capabilities_of({"noivu"})
    assert Cap.PERSON_PID_VIEW not in capabilities_of({"giamdoc", "truongphong", "chuyenvien", "lanhdao", "thanhtra"})
    assert Cap.ORG_IMPORT not in capabilities_of({"giamdoc", "truongphong", "chuyenvien", "lanhdao"})


def expected(name: str, role: str, own: bool) -> int:
    access = URL_POLICY[name]
    case = CASES[name]
    if access.public or access.capability is None:
        return case.ok if (own or not access.scoped) else 404
    if access.capability not in capabilities_of({role}):
        return 403
    if access.scoped and not own:
        return 404
    return case.ok


def call(client: Client, case: Case, url: str, province: Province) -> int:
    if case.method == "get":
        return client.get(url).status_code
    data = case.body(province) if case.body is not None else case.data or {}
    if case.json:
        return client.post(url, data=data, content_type="application/json").status_code
    return client.post(url, data=data).status_code


def _snapshot() -> tuple[int, list[tuple[str, str]]]:
    return AuditEvent.objects.count(), list(Unit.objects.order_by("pk").values_list("code", "name"))


@pytest.mark.parametrize("role", ROLES)
def test_role_against_every_url(role: str, province: Province) -> None:
    failures = []
    for name, case in sorted(CASES.items()):
        for own in (True, False):
            client = Client()
            client.force_login(province.users[role])
            url = case.url(province, role, own)
            before = _snapshot()
            status = call(client, case, url, province)
            want = expected(name, role, own)
            if status != want:
                failures.append(f"{name} {'own' if own else 'other'}: got {status}, want {want}")
            if case.writes and want != case.ok:
                assert _snapshot() == before, f"denied write {name} changed data"
    assert failures == []


def test_anonymous_against_every_url(province: Province) -> None:
    failures = []
    for name, case in sorted(CASES.items()):
        url = case.url(province, "admin", True)
        status = call(Client(), case, url, province)
        access = URL_POLICY[name]
        if access.public:
            want = CASES[name].ok if name != "accounts:login" else 200
        else:
            want = 401 if name.startswith("api:") else 302
        if status != want:
            failures.append(f"{name}: got {status}, want {want}")
    assert failures == []
