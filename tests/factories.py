"""Builders of test data through the real services (no mocks of our database)."""

from __future__ import annotations

from datetime import date
from typing import Any

from congvu.accounts.models import RoleAssignment, User
from congvu.core.policy import Role
from congvu.org import services
from congvu.org.models import Person, Title, Unit, UnitKind

PASSWORD = "Mat-khau-thu-nghiem-2026"
START = date(2020, 1, 1)

# Where each role is scoped in the test province.
ROLE_SCOPE = {
    Role.ADMIN: "root",
    Role.LANHDAO: "root",
    Role.NOIVU: "root",
    Role.THANHTRA: "root",
    Role.GIAMDOC: "agency",
    Role.TRUONGPHONG: "division",
    Role.CHUYENVIEN: "division",
}


def unit(code: str, name: str, kind: str, parent: Unit | None, **extra: Any) -> Unit:
    return services.create_unit(
        acting_user=None, code=code, name=name, kind=kind, parent=parent, valid_from=START, **extra
    )


def person(name: str, unit_: Unit, title_code: str = "chuyen_vien", **extra: Any) -> Person:
    p = services.create_person(acting_user=None, full_name=name, sex=extra.pop("sex", "F"), **extra)
    services.appoint(acting_user=None, person=p, title=Title.objects.get(code=title_code), unit=unit_, start_date=START)
    return p


def user(username: str, role: str, scope: Unit, person_: Person | None = None) -> User:
    account = User.objects.create_user(username=username, password=PASSWORD, person=person_)
    RoleAssignment.objects.create(user=account, role=role, scope_unit=scope)
    return account


class Province:
    """Two provinces' trees: 'ours' (root → agency → division, and another agency) and an outside one."""

    def __init__(self) -> None:
        self.root = unit("01", "Tỉnh An Hòa", UnitKind.PROVINCE, None)
        self.agency = unit("01.001", "Sở Tài chính", UnitKind.AGENCY, self.root)
        self.division = unit("01.001.01", "Phòng Ngân sách", UnitKind.DIVISION, self.agency)
        self.other_agency = unit("01.002", "Sở Xây dựng", UnitKind.AGENCY, self.root)
        self.other_division = unit("01.002.01", "Phòng Quy hoạch", UnitKind.DIVISION, self.other_agency)
        self.outside_root = unit("02", "Tỉnh Bình Sơn", UnitKind.PROVINCE, None)
        self.outside_unit = unit("02.001", "Sở Nội vụ tỉnh Bình Sơn", UnitKind.AGENCY, self.outside_root)
        self.person = person("Nguyễn Thị Hoà", self.division, personal_id="001186012345")
        self.other_person = person("Trần Văn Đức", self.other_division, sex="M")
        self.outside_person = person("Lê Văn Bình", self.outside_unit, sex="M")
        scopes = {"root": self.root, "agency": self.agency, "division": self.division}
        self.users = {role.value: user(role.value, role.value, scopes[where]) for role, where in ROLE_SCOPE.items()}

    def own_unit(self, role: str) -> Unit:
        return self.division

    def other_unit(self, role: str) -> Unit:
        """A unit outside the role's scope."""
        return self.outside_unit if ROLE_SCOPE[Role(role)] == "root" else self.other_division

    def own_person(self, role: str) -> Person:
        return self.person

    def other_person_for(self, role: str) -> Person:
        return self.outside_person if ROLE_SCOPE[Role(role)] == "root" else self.other_person


def build_province() -> Province:
    return Province()
