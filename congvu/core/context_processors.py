from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congvu.accounts.scope import has_capability
from congvu.core.policy import URL_POLICY
from congvu.notifications.services import unread_count

_MENU = [
    ("core:home", _("Trang chủ")),
    ("tasks:my", _("Nhiệm vụ")),
    ("tasks:overview", _("Tổng hợp")),
    ("evaluation:my", _("Đánh giá")),
    ("feedback:inbox", _("Phản ánh")),
    ("feedback:routing", _("Chuyển xử lý")),
    ("org:tree", _("Tổ chức")),
    ("org:person_list", _("Cán bộ")),
    ("org:import", _("Nhập Excel")),
    ("audit:log", _("Nhật ký")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu entries the policy lets the current user open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label in _MENU:
        cap = URL_POLICY[name].capability
        if cap is None or has_capability(user, cap):
            url = reverse(name)
            items.append({"url": url, "label": label, "active": request.path == url})
    unread = unread_count(user)
    inbox = reverse("notifications:inbox")
    inbox_label = _("Thông báo (%(n)s)") % {"n": unread} if unread else _("Thông báo")
    items.append({"url": inbox, "label": inbox_label, "active": request.path == inbox})
    return {"nav_items": items}
