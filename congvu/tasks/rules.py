"""Legal figures the task module depends on, each with its citation and certainty.

A province corrects a figure here (or, later, through versioned rule data) without
touching the code that uses it. Certainty follows ``reference/domain-law.md``:
``verified`` means seen in public secondary material, not yet checked against the
Official Gazette.
"""

from __future__ import annotations

from typing import Final, TypedDict


class WorkingDayRule(TypedDict):
    working_days: int
    citation: str
    certainty: str
    note: str


# A meeting's conclusion notice (thông báo kết luận) is issued in writing within 05
# working days after the meeting (domain-law §1.6, verified: thukyluat.vn).
MEETING_NOTICE_DEADLINE: Final[WorkingDayRule] = {
    "working_days": 5,
    # The article number is not in the reference material and was not confirmed; add it
    # once checked against the signed text.
    "citation": "Quyết định 45/2018/QĐ-TTg, Quy chế họp trong hoạt động quản lý, điều hành (thông báo kết luận cuộc họp)",
    "certainty": "verified",
    "note": "Thời hạn ban hành thông báo kết luận cuộc họp: 05 ngày làm việc sau cuộc họp.",
}


# The figures below are not set by law: they are the product's defaults, which a province
# changes here. They are kept with the legal ones so that every deadline the software
# enforces is in one place with its source.

# A difficulty (khó khăn, vướng mắc) is answered by the level it is addressed to within
# this many working days; unanswered, it moves one level up the unit tree.
DIFFICULTY_ANSWER_DEADLINE: Final[WorkingDayRule] = {
    "working_days": 3,
    "citation": "Mặc định của phần mềm Công Vụ (không có quy định pháp luật về thời hạn này)",
    "certainty": "product default",
    "note": "Cấp trên trả lời khó khăn, vướng mắc trong 03 ngày làm việc; quá hạn thì chuyển lên cấp trên nữa.",
}

# Reminders go out this many working days before a task's deadline.
REMINDER_WORKING_DAYS: Final[tuple[int, ...]] = (7, 3, 1)

# The sweep catches up at most this many missed working days after an outage.
SWEEP_CATCH_UP_WORKING_DAYS: Final = 10
