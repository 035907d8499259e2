"""The permission policy: the single table that decides who may reach what.

Three declarative parts:

* ``ROLE_CAPABILITIES``: what each role may do, always within the unit subtree its
  role assignment is scoped to;
* ``URL_POLICY``: for every named URL pattern (pages and API routes), the capability
  it needs, or ``PUBLIC`` / ``AUTHENTICATED``;
* the scope rule: an object outside every subtree in which the caller holds the
  capability does not exist for the caller (HTTP 404).

``congvu.accounts.middleware.PolicyMiddleware`` consults ``URL_POLICY`` before any
view runs and views resolve objects through ``congvu.accounts.scope``. A test walks
every URL pattern and fails when one has no entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    LANHDAO = "lanhdao", _("Lãnh đạo UBND tỉnh")
    NOIVU = "noivu", _("Sở Nội vụ")
    GIAMDOC = "giamdoc", _("Thủ trưởng cơ quan")
    TRUONGPHONG = "truongphong", _("Trưởng phòng")
    CHUYENVIEN = "chuyenvien", _("Chuyên viên")
    THANHTRA = "thanhtra", _("Thanh tra")


class Cap(StrEnum):
    """Capabilities. Every one is exercised within the holder's scope subtree."""

    ORG_VIEW = "org.view"  # see units, people, appointments
    ORG_EDIT = "org.edit"  # create, rename, merge, split, dissolve units; edit people
    ORG_IMPORT = "org.import"  # import the organisation from Excel
    PERSON_PID_VIEW = "person.pid.view"  # see unmasked personal identification numbers (access-logged)
    AUDIT_VIEW = "audit.view"  # read the whole audit log of the scope
    TOKEN_OWN = "token.own"  # manage one's own API tokens
    TASK_ASSIGN = "task.assign"  # assign tasks to units and officials of the scope
    EVALUATION_REVIEW = "evaluation.review"  # review and decide the evaluation sheets of the scope
    EVALUATION_VIEW = "evaluation.view"  # read the evaluation sheets and results of the scope
    FEEDBACK_HANDLE = "feedback.handle"  # triage, route and draft answers to the public's feedback of the scope
    FEEDBACK_APPROVE = "feedback.approve"  # approve and publish the answers of the scope's units
    FEEDBACK_ROUTING = "feedback.routing"  # keep the routing rules (category and place → unit) of the scope


_EVERYONE = frozenset({Cap.ORG_VIEW, Cap.TOKEN_OWN})
# Those who lead a unit: assign its tasks, evaluate its people, handle and approve answers to the public.
_LEADERSHIP = frozenset(
    {Cap.TASK_ASSIGN, Cap.EVALUATION_REVIEW, Cap.EVALUATION_VIEW, Cap.FEEDBACK_HANDLE, Cap.FEEDBACK_APPROVE}
)

ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.ADMIN: frozenset(Cap),
    Role.NOIVU: _EVERYONE
    | {
        Cap.ORG_EDIT,
        Cap.ORG_IMPORT,
        Cap.PERSON_PID_VIEW,
        Cap.AUDIT_VIEW,
        Cap.EVALUATION_VIEW,
        Cap.FEEDBACK_HANDLE,
        Cap.FEEDBACK_ROUTING,
    },
    Role.LANHDAO: _EVERYONE | _LEADERSHIP,
    Role.GIAMDOC: _EVERYONE | _LEADERSHIP,
    Role.TRUONGPHONG: _EVERYONE | _LEADERSHIP,
    # Officials handle the public's feedback of their unit (triage, drafts); their heads approve.
    Role.CHUYENVIEN: _EVERYONE | {Cap.FEEDBACK_HANDLE},
    # Inspectors read everything in scope and change nothing.
    Role.THANHTRA: _EVERYONE | {Cap.AUDIT_VIEW, Cap.EVALUATION_VIEW},
}


@dataclass(frozen=True)
class Access:
    """What a URL pattern requires.

    ``capability`` None with ``public`` False means "any signed-in user".
    ``scoped`` says the URL names an object that must lie in the caller's scope.
    """

    capability: Cap | None = None
    public: bool = False
    scoped: bool = False


PUBLIC = Access(public=True)
AUTHENTICATED = Access()


def _needs(cap: Cap, *, scoped: bool = False) -> Access:
    return Access(capability=cap, scoped=scoped)


URL_POLICY: dict[str, Access] = {
    # core
    "core:home": AUTHENTICATED,
    "core:health": PUBLIC,
    "core:set_language": PUBLIC,
    # accounts
    "accounts:login": PUBLIC,
    "accounts:logout": AUTHENTICATED,
    "accounts:profile": AUTHENTICATED,
    "accounts:token_create": _needs(Cap.TOKEN_OWN),
    "accounts:token_revoke": _needs(Cap.TOKEN_OWN, scoped=True),
    # org pages
    "org:tree": _needs(Cap.ORG_VIEW),
    "org:tree_children": _needs(Cap.ORG_VIEW, scoped=True),
    "org:unit_detail": _needs(Cap.ORG_VIEW, scoped=True),
    "org:person_list": _needs(Cap.ORG_VIEW),
    "org:person_detail": _needs(Cap.ORG_VIEW, scoped=True),
    "org:person_pid": _needs(Cap.PERSON_PID_VIEW, scoped=True),
    "org:unit_rename": _needs(Cap.ORG_EDIT, scoped=True),
    "org:unit_add": _needs(Cap.ORG_EDIT, scoped=True),
    "org:unit_merge": _needs(Cap.ORG_EDIT, scoped=True),
    "org:unit_split": _needs(Cap.ORG_EDIT, scoped=True),
    "org:unit_dissolve": _needs(Cap.ORG_EDIT, scoped=True),
    "org:import": _needs(Cap.ORG_IMPORT),
    "org:import_template": _needs(Cap.ORG_IMPORT),
    "org:import_status": _needs(Cap.ORG_IMPORT, scoped=True),
    # audit
    "audit:log": _needs(Cap.AUDIT_VIEW),
    # task pages: reading within org.view scope (or as owner / assigner, see congvu.tasks.scope);
    # the owner's actions need only a visible task (the service checks ownership); the assigner's need task.assign
    "tasks:my": _needs(Cap.ORG_VIEW),
    "tasks:unit_board": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:detail": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:assign": _needs(Cap.TASK_ASSIGN),
    "tasks:accept": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:progress": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:submit": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:extension_request": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:review": _needs(Cap.TASK_ASSIGN, scoped=True),
    "tasks:cancel": _needs(Cap.TASK_ASSIGN, scoped=True),
    "tasks:extension_decide": _needs(Cap.TASK_ASSIGN, scoped=True),
    # the leader's overview is scoped to the caller's org.view subtree (drill-down 404s outside it)
    "tasks:overview": _needs(Cap.ORG_VIEW),
    # difficulties: the owner raises (service checks), the level above answers (service checks its scope)
    "tasks:difficulty_raise": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:difficulty_answer": _needs(Cap.ORG_VIEW, scoped=True),
    # coordination: owner / assigner / leaders ask; the asked unit's leaders and officials answer
    "tasks:coordination_request": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:coordination_answer": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:evidence": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:series_stop": _needs(Cap.TASK_ASSIGN, scoped=True),
    # sources: meetings and field visits are read in scope and recorded by those who assign tasks
    "tasks:meetings": _needs(Cap.ORG_VIEW),
    "tasks:meeting": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:meeting_new": _needs(Cap.TASK_ASSIGN),
    "tasks:visits": _needs(Cap.ORG_VIEW),
    "tasks:visit": _needs(Cap.ORG_VIEW, scoped=True),
    "tasks:visit_new": _needs(Cap.TASK_ASSIGN),
    "tasks:visit_record": _needs(Cap.TASK_ASSIGN, scoped=True),
    # evaluation: a person sees their own sheets, holders of evaluation.view those of their scope (404 otherwise);
    # the services decide who assesses (the person) and who reviews, returns and decides (evaluation.review)
    "evaluation:my": AUTHENTICATED,
    "evaluation:open": AUTHENTICATED,
    "evaluation:unit": _needs(Cap.EVALUATION_VIEW, scoped=True),
    "evaluation:sheet": Access(scoped=True),
    "evaluation:sheet_export": Access(scoped=True),
    "evaluation:unit_export": _needs(Cap.EVALUATION_VIEW, scoped=True),
    "evaluation:self_assess": Access(scoped=True),
    "evaluation:review": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "evaluation:return": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "evaluation:decide": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "evaluation:collective": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "evaluation:complain": Access(scoped=True),
    "evaluation:absence": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "evaluation:resolve": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    # public feedback: the portal and Open311 need no account (Open311 writes need an api_key, checked by the view)
    "feedback:portal": PUBLIC,
    "feedback:lookup": PUBLIC,
    "feedback:status": PUBLIC,
    "feedback:rate": PUBLIC,
    "feedback:reopen": PUBLIC,
    "feedback:inbox": _needs(Cap.FEEDBACK_HANDLE),
    "feedback:detail": _needs(Cap.FEEDBACK_HANDLE, scoped=True),
    "feedback:act": _needs(Cap.FEEDBACK_HANDLE, scoped=True),
    "feedback:attachment": _needs(Cap.FEEDBACK_HANDLE, scoped=True),
    # feedback about one official's conduct (counts): the official, and evaluation.view over them
    "feedback:person": Access(scoped=True),
    # routing rules: Sở Nội vụ (and the administrator) keep them
    "feedback:routing": _needs(Cap.FEEDBACK_ROUTING),
    # a unit's service to the public (feedback and dossier counts, the 766 index): whoever sees the unit
    "reports:unit": _needs(Cap.ORG_VIEW, scoped=True),
    "feedback:routing_edit": _needs(Cap.FEEDBACK_ROUTING, scoped=True),
    # reports: the public transparency page (aggregate, non-personal)
    "reports:transparency": PUBLIC,
    "open311:services": PUBLIC,
    "open311:service": PUBLIC,
    "open311:requests": PUBLIC,
    "open311:request": PUBLIC,
    # one's own notifications
    "notifications:inbox": AUTHENTICATED,
    "notifications:read": AUTHENTICATED,
    # REST API (django-ninja, namespace "api")
    "api:api-root": PUBLIC,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:me": AUTHENTICATED,
    "api:unit_list": _needs(Cap.ORG_VIEW),
    "api:unit_detail": _needs(Cap.ORG_VIEW, scoped=True),
    "api:person_list": _needs(Cap.ORG_VIEW),
    "api:person_detail": _needs(Cap.ORG_VIEW, scoped=True),
    "api:appointment_list": _needs(Cap.ORG_VIEW),
    "api:task_list": _needs(Cap.ORG_VIEW),
    "api:task_detail": _needs(Cap.ORG_VIEW, scoped=True),
    "api:task_overview": _needs(Cap.ORG_VIEW),
    "api:task_assign": _needs(Cap.TASK_ASSIGN),
    "api:task_accept": _needs(Cap.ORG_VIEW, scoped=True),
    "api:task_progress": _needs(Cap.ORG_VIEW, scoped=True),
    "api:task_submit": _needs(Cap.ORG_VIEW, scoped=True),
    "api:task_extension_request": _needs(Cap.ORG_VIEW, scoped=True),
    "api:task_review": _needs(Cap.TASK_ASSIGN, scoped=True),
    "api:task_cancel": _needs(Cap.TASK_ASSIGN, scoped=True),
    "api:extension_decide": _needs(Cap.TASK_ASSIGN, scoped=True),
    "api:difficulty_raise": _needs(Cap.ORG_VIEW, scoped=True),
    "api:difficulty_answer": _needs(Cap.ORG_VIEW, scoped=True),
    "api:coordination_request": _needs(Cap.ORG_VIEW, scoped=True),
    "api:coordination_answer": _needs(Cap.ORG_VIEW, scoped=True),
    # evaluation: stateless computations and the rules in force (any signed-in user)
    "api:evaluation_score": AUTHENTICATED,
    "api:evaluation_quota": AUTHENTICATED,
    "api:evaluation_rules": AUTHENTICATED,
    # evaluation sheets: the same rules as the pages (own sheets; evaluation.view scope; reviewers act)
    "api:sheet_list": AUTHENTICATED,
    "api:sheet_open": AUTHENTICATED,
    "api:sheet_detail": Access(scoped=True),
    "api:sheet_self_assess": Access(scoped=True),
    "api:sheet_review": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "api:sheet_return": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "api:sheet_collective": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "api:sheet_decide": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "api:sheet_complain": Access(scoped=True),
    "api:complaint_resolve": _needs(Cap.EVALUATION_REVIEW, scoped=True),
    "api:person_year": Access(scoped=True),
    "api:report_unit_service": _needs(Cap.ORG_VIEW, scoped=True),
    "api:feedback_list": _needs(Cap.FEEDBACK_HANDLE),
    "api:feedback_detail": _needs(Cap.FEEDBACK_HANDLE, scoped=True),
    "api:feedback_act": _needs(Cap.FEEDBACK_HANDLE, scoped=True),
    # an official's conduct figures: the official, and evaluation.view over them (checked by the view)
    "api:feedback_person": Access(scoped=True),
}


def capabilities_of(roles: set[str]) -> frozenset[Cap]:
    caps: frozenset[Cap] = frozenset()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return caps


def roles_with(cap: Cap) -> frozenset[str]:
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if cap in caps)
