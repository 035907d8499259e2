"""The demo's public feedback: a catalogue of services routed to the province's agencies, and a few
submissions in every state for Phòng Ngân sách (whose demo accounts handle them). Through the services."""

from __future__ import annotations

from congvu.accounts.models import User
from congvu.feedback import services
from congvu.feedback.models import Feedback, Service, Track
from congvu.org.models import Unit, UnitStatus

# code, name, group, track, about conduct, the unit that handles it by default (code, or "agency/division")
CATALOGUE: tuple[tuple[str, str, str, str, bool, str], ...] = (
    ("ngan-sach-xa", "Phí, lệ phí và ngân sách xã", "Tài chính", Track.FEEDBACK, False, "STC/Phòng Ngân sách"),
    ("ha-tang", "Hạ tầng, giao thông, chiếu sáng", "Đô thị", Track.FEEDBACK, False, "SXD"),
    ("moi-truong", "Môi trường, rác thải, ô nhiễm", "Môi trường", Track.FEEDBACK, False, "SNNMT"),
    ("thu-tuc", "Giải quyết thủ tục hành chính chậm, sai", "Thủ tục hành chính", Track.FEEDBACK, False, "VPUBND"),
    ("thai-do", "Thái độ, hành vi của cán bộ, công chức", "Công vụ", Track.FEEDBACK, True, "SNV"),
    ("khieu-nai", "Khiếu nại quyết định, hành vi hành chính", "Khiếu nại, tố cáo", Track.COMPLAINT, False, "TTT"),
    ("to-cao", "Tố cáo hành vi vi phạm của cán bộ, công chức", "Khiếu nại, tố cáo", Track.DENUNCIATION, True, "TTT"),
)


def _unit(province: Unit, spec: str) -> Unit:
    agency, _sep, division = spec.partition("/")
    unit = Unit.objects.get(code=f"{province.code}.{agency}")
    if division:
        unit = Unit.objects.get(parent=unit, name=division, status=UnitStatus.ACTIVE)
    return unit


def generate_feedback(*, province: Unit) -> int:
    """The catalogue and three submissions about Phòng Ngân sách's work; returns how many submissions."""
    for code, name, group, track, conduct, unit in CATALOGUE:
        Service.objects.create(
            code=code, name=name, group=group, track=track, about_conduct=conduct, default_unit=_unit(province, unit)
        )
    budget = Service.objects.get(code="ngan-sach-xa")
    head = User.objects.get(username="truongphong")
    clerk = User.objects.get(username="chuyenvien")
    services.submit(
        service=budget,
        description="Xã thu phí vệ sinh hai lần trong cùng tháng 10, đề nghị kiểm tra và hoàn trả.",
        address="Xã An Phú",
        name="Trần Thị Mai",
    )
    drafted = services.submit(
        service=budget,
        description="Đề nghị công khai dự toán ngân sách xã năm 2026 tại trụ sở và trên cổng thông tin của xã.",
    )
    drafted = services.accept(acting_user=clerk, feedback=drafted)
    services.draft_answer(
        acting_user=clerk,
        feedback=drafted,
        answer="Sở Tài chính đã đề nghị UBND xã công khai dự toán ngân sách năm 2026 theo quy định.",
    )
    answered = services.submit(
        service=budget,
        description="Biên lai thu lệ phí chứng thực tại xã không ghi số tiền, đề nghị hướng dẫn.",
        name="Lê Văn Hùng",
    )
    answered = services.accept(acting_user=clerk, feedback=answered)
    answered = services.draft_answer(
        acting_user=clerk,
        feedback=answered,
        answer="Sở Tài chính đã hướng dẫn UBND xã sử dụng biên lai điện tử ghi đủ số tiền, ngày thu.",
    )
    answered = services.publish(acting_user=head, feedback=answered)
    services.rate(feedback=answered, rating="satisfied")
    return Feedback.objects.count()
