"""Meeting conclusion notices: due 5 working days after the meeting (Decision 45/2018), late flag."""

from __future__ import annotations

from datetime import date

import pytest

from congvu.tasks import rules, services
from congvu.tasks.models import Meeting
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db


def test_the_rule_carries_its_citation_and_certainty() -> None:
    rule = rules.MEETING_NOTICE_DEADLINE
    assert rule["working_days"] == 5
    assert rule["citation"].startswith("Quyết định 45/2018/QĐ-TTg")
    assert rule["certainty"] == "verified"


def test_notice_due_and_late_flag(world: World) -> None:
    meeting = world.meeting  # held Tuesday 10/03/2026
    assert meeting.notice_due == date(2026, 3, 17)
    assert meeting.notice_late is False  # today is 16/03/2026, no notice yet
    assert meeting.is_notice_late(date(2026, 3, 17)) is False
    assert meeting.is_notice_late(date(2026, 3, 18)) is True
    with on(date(2026, 3, 18)):
        assert Meeting.objects.get(pk=meeting.pk).notice_late is True
    meeting.notice_date = date(2026, 3, 17)
    assert meeting.notice_late is False
    assert meeting.is_notice_late(date(2026, 12, 31)) is False
    meeting.notice_date = date(2026, 3, 18)
    assert meeting.notice_late is True


def test_notice_due_skips_the_april_holidays(world: World) -> None:
    meeting = services.create_meeting(
        acting_user=world.leader,
        title="Giao ban tháng 4",
        held_on=date(2026, 4, 24),
        chair=world.chair,
        unit=world.province.root,
        notice_number="45/TB-UBND",
        notice_date=date(2026, 5, 6),
    )
    assert meeting.notice_due == date(2026, 5, 6)
    assert meeting.is_notice_late(date(2026, 6, 1)) is False


def test_meeting_records_its_attendees_and_tasks(world: World) -> None:
    assert set(world.meeting.attendees.all()) == {world.province.person, world.province.other_person}
    task = world.assign()
    assert list(world.meeting.tasks.all()) == [task]
