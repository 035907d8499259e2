"""The audit log page shows the events of the caller's scope, newest first."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from congvu.core.policy import Role
from congvu.org import services
from tests.factories import Province, user

pytestmark = pytest.mark.django_db


def seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", html)]


def test_scoped_auditor_sees_events_of_units_and_people_in_scope(province: Province) -> None:
    services.log_pid_access(acting_user=province.users["noivu"], person=province.person)
    services.log_pid_access(acting_user=province.users["noivu"], person=province.other_person)
    auditor = user("thanhtra_so", Role.THANHTRA, province.agency)
    client = Client()
    client.force_login(auditor)
    html = client.get(reverse("audit:log")).content.decode()
    assert "org.person.pid_view" in html
    assert "Trần Văn Đức" not in html  # a person of another agency
    from congvu.audit.chain import history

    mine = {e.seq for e in history("unit", province.agency.pk)} | {e.seq for e in history("unit", province.division.pk)}
    mine |= {e.seq for e in history("person", province.person.pk)}
    assert seqs(html) == sorted(mine, reverse=True)


def test_province_auditor_sees_the_whole_province_but_not_another(province: Province) -> None:
    from congvu.audit.chain import history
    from congvu.audit.models import AuditEvent

    client = Client()
    client.force_login(province.users["thanhtra"])
    outside = {e.seq for e in history("unit", province.outside_root.pk)}
    outside |= {e.seq for e in history("unit", province.outside_unit.pk)}
    outside |= {e.seq for e in history("person", province.outside_person.pk)}
    everything = set(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs(client.get(reverse("audit:log")).content.decode()) == sorted(everything - outside, reverse=True)
    newest = max(everything - outside)
    older = seqs(client.get(reverse("audit:log"), {"before": newest}).content.decode())
    assert older == sorted({s for s in everything - outside if s < newest}, reverse=True)
