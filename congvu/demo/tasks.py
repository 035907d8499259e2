"""Task data of the demo province: a product catalogue, sources and assigned tasks.

Everything goes through ``congvu.tasks.services`` (one audit event per change), so the
tasks are exactly what the screens would have made. Two consequences of the services:

* ``assign_task`` stamps the real ``timezone.localdate()`` as the assignment day and
  refuses a deadline before it, and ``review_task`` stamps it as the completion day. The
  deadlines are therefore counted from the day of generation (deterministic given that
  day), and no demo task is overdue or completed late.
* Only the accountable person acts on a task (accept, report, submit, ask for more
  time), through their user account. Of the division heads only ``truongphong`` has one,
  so the whole lifecycle is played on that account's tasks; the others stay assigned,
  or are cancelled by their assigner.

The meetings and directives are those of January to March 2026 (the services take those
dates as given). ``generate_tasks`` is called once, when the province is created.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from congvu.accounts.models import User
from congvu.org.models import Appointment, AppointmentKind, Person, Unit, UnitKind, UnitStatus
from congvu.tasks import coordination, difficulties, field_visits, services
from congvu.tasks.models import Directive, Grade, Meeting, Priority, ProductType, Task
from congvu.tasks.reminders import sweep

SEED = 20_260_101
TASKS_PER_SCALE = 200
MAX_TASKS = 600  # at scale 3 and above: everything goes through the services, one by one

# (code, name, unit of measure, coefficient)
PRODUCT_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("BC-CD", "Báo cáo chuyên đề", "báo cáo", "2.00"),
    ("BC-THANG", "Báo cáo định kỳ tháng", "báo cáo", "1.00"),
    ("BC-QUY", "Báo cáo định kỳ quý, 6 tháng, năm", "báo cáo", "1.50"),
    ("VBQPPL", "Dự thảo văn bản quy phạm pháp luật", "dự thảo", "3.00"),
    ("TT", "Tờ trình", "tờ trình", "1.20"),
    ("KH", "Kế hoạch", "kế hoạch", "1.50"),
    ("HD", "Văn bản hướng dẫn", "văn bản", "1.30"),
    ("DA", "Đề án, dự án", "đề án", "3.00"),
    ("TD", "Báo cáo thẩm định", "báo cáo", "1.80"),
    ("CV", "Công văn trả lời, đôn đốc", "văn bản", "1.00"),
)

_ISSUER = "Ủy ban nhân dân tỉnh An Hòa"
# (number, issued on, summary)
DIRECTIVES: tuple[tuple[str, date, str], ...] = (
    ("15/QĐ-UBND", date(2026, 1, 6), "Ban hành Chương trình công tác năm 2026 của Ủy ban nhân dân tỉnh"),
    ("02/CT-UBND", date(2026, 1, 20), "Về tăng cường kỷ luật, kỷ cương hành chính và cải cách thủ tục hành chính"),
    ("148/QĐ-UBND", date(2026, 2, 10), "Phê duyệt Kế hoạch chuyển đổi số tỉnh An Hòa năm 2026"),
    ("05/CT-UBND", date(2026, 3, 2), "Về đẩy mạnh giải ngân vốn đầu tư công năm 2026"),
)

# (title, held on, chair: 0 = the Chủ tịch, 1.. = the Phó Chủ tịch in order, conclusions)
MEETINGS: tuple[tuple[str, date, int, str], ...] = (
    (
        "Hội nghị triển khai nhiệm vụ kinh tế - xã hội năm 2026",
        date(2026, 1, 8),
        0,
        "Các sở, ban, ngành khẩn trương cụ thể hóa Chương trình công tác năm 2026; "
        "xây dựng kế hoạch hành động và báo cáo kết quả hằng tháng.",
    ),
    (
        "Phiên họp thường kỳ tháng 01/2026 của Ủy ban nhân dân tỉnh",
        date(2026, 1, 29),
        0,
        "Tập trung rà soát dự toán ngân sách, đẩy nhanh thủ tục đầu tư các dự án trọng điểm.",
    ),
    (
        "Cuộc họp về chuyển đổi số và cải cách thủ tục hành chính",
        date(2026, 2, 24),
        1,
        "Hoàn thành số hóa hồ sơ thủ tục hành chính; rà soát, cắt giảm thủ tục không cần thiết.",
    ),
    (
        "Cuộc họp về giải ngân vốn đầu tư công quý I/2026",
        date(2026, 3, 12),
        2,
        "Các chủ đầu tư lập kế hoạch giải ngân chi tiết; Sở Tài chính theo dõi, báo cáo hằng tuần.",
    ),
)

# Titles of tasks any division can lead, with the products they usually yield.
TASK_TITLES: tuple[tuple[str, str], ...] = (
    ("Xây dựng kế hoạch thực hiện Chương trình công tác năm 2026 của đơn vị", "KH"),
    ("Báo cáo tình hình thực hiện nhiệm vụ tháng", "BC-THANG"),
    ("Báo cáo kết quả thực hiện nhiệm vụ quý I năm 2026", "BC-QUY"),
    ("Rà soát, đề xuất cắt giảm thủ tục hành chính thuộc lĩnh vực quản lý", "BC-CD"),
    ("Tham mưu dự thảo quyết định quy định chức năng, nhiệm vụ của đơn vị", "VBQPPL"),
    ("Dự thảo tờ trình phê duyệt kế hoạch kiểm tra chuyên ngành năm 2026", "TT"),
    ("Hướng dẫn các xã triển khai nhiệm vụ sau sắp xếp đơn vị hành chính", "HD"),
    ("Xây dựng đề án nâng cao chất lượng dịch vụ công trực tuyến", "DA"),
    ("Thẩm định hồ sơ đề nghị của các địa phương", "TD"),
    ("Trả lời kiến nghị của cử tri gửi tới kỳ họp Hội đồng nhân dân tỉnh", "CV"),
    ("Báo cáo chuyên đề về tình hình giải ngân vốn đầu tư công", "BC-CD"),
    ("Rà soát văn bản quy phạm pháp luật thuộc lĩnh vực quản lý", "BC-CD"),
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "BC-THANG"),
    ("Kế hoạch tuyên truyền, phổ biến pháp luật năm 2026", "KH"),
    ("Hướng dẫn thực hiện chế độ báo cáo thống kê ngành", "HD"),
    ("Đôn đốc các đơn vị thực hiện kết luận của Chủ tịch Ủy ban nhân dân tỉnh", "CV"),
)


@dataclass(frozen=True)
class DemoTasks:
    product_types: int
    meetings: int
    directives: int
    tasks: int


def task_count(scale: int) -> int:
    return min(TASKS_PER_SCALE * scale, MAX_TASKS)


def _current(unit: Unit, title: str, on: date) -> list[Person]:
    """The people holding ``title`` in ``unit`` on ``on``, primary posts first, in a stable order."""
    posts = (
        Appointment.objects.filter(unit=unit, title__code=title, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("person")
        .order_by("kind", "start_date", "person__full_name", "person_id")
    )
    people: list[Person] = []
    for post in sorted(posts, key=lambda p: p.kind != AppointmentKind.PRIMARY):
        if post.person not in people:
            people.append(post.person)
    return people


class _Builder:
    def __init__(self, province: Unit, finance: Unit, budget: Unit) -> None:
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.province = province
        self.finance = finance
        self.budget = budget
        self.users = {u.username: u for u in User.objects.filter(username__in=["admin", "lanhdao", "giamdoc"])}
        self.truongphong = User.objects.get(username="truongphong")
        self.meetings: list[Meeting] = []
        self.directives: list[Directive] = []
        self.types: dict[str, ProductType] = {}

    def catalogue(self) -> None:
        for code, name, measure, coefficient in PRODUCT_TYPES:
            self.types[code] = services.create_product_type(
                acting_user=self.users["admin"],
                code=code,
                name=name,
                unit_of_measure=measure,
                coefficient=Decimal(coefficient),
            )

    def sources(self) -> None:
        leader = self.users["lanhdao"]
        chair = _current(self.province, "chu_tich_ubnd_tinh", date(2026, 1, 1))[0]
        vice_chairs = _current(self.province, "pho_chu_tich_ubnd_tinh", date(2026, 1, 1))
        leaders = [chair, *vice_chairs]
        agencies = Unit.objects.filter(parent=self.province, kind=UnitKind.AGENCY, status=UnitStatus.ACTIVE).order_by(
            "code"
        )
        heads = [p for agency in agencies for p in _current(agency, "giam_doc_so", date(2026, 1, 1))[:1]]
        for number, (title, held_on, chair_index, conclusions) in enumerate(MEETINGS, start=1):
            attendees = [p for p in leaders if p != leaders[chair_index]][:2] + self.rng.sample(
                heads, min(6, len(heads))
            )
            self.meetings.append(
                services.create_meeting(
                    acting_user=leader,
                    title=title,
                    held_on=held_on,
                    chair=leaders[chair_index],
                    unit=self.province,
                    attendees=attendees,
                    agenda=title,
                    conclusions=conclusions,
                    notice_number=f"{20 + 17 * number}/TB-UBND",
                    notice_date=held_on + timedelta(days=3),
                )
            )
        for symbol, issued_on, summary in DIRECTIVES:
            self.directives.append(
                services.create_directive(
                    acting_user=leader, number=symbol, issued_on=issued_on, issuer=_ISSUER, summary=summary
                )
            )

    def source(self) -> dict[str, object]:
        rng = self.rng
        if rng.random() < 0.5:
            return {"meeting": rng.choice(self.meetings), "clause": f"Mục {rng.randint(1, 4)}.{rng.randint(1, 6)}"}
        return {
            "directive": rng.choice(self.directives),
            "clause": f"Điều {rng.randint(1, 5)}, khoản {rng.randint(1, 4)}",
        }

    def assign(
        self, title: str, product: str, unit: Unit, owner: Person, *, days: int, from_source: bool = False
    ) -> Task:
        """Assign today, or (``from_source``) a few days after the meeting or directive it comes from."""
        assigner = self.users["giamdoc" if unit.path.startswith(self.finance.path) else "lanhdao"]
        products: list[services.ProductSpec] = [(self.types[product], self.rng.randint(1, 3))]
        if self.rng.random() < 0.3:
            products.append((self.types["BC-THANG"], 1))
        source = self.source()
        assigned_on = self.today
        if from_source:
            origin = source.get("meeting") or source["directive"]
            assert isinstance(origin, Meeting | Directive)
            day = origin.held_on if isinstance(origin, Meeting) else origin.issued_on
            assigned_on = min(self.today, day + timedelta(days=self.rng.randint(1, 5)))
        return services.assign_task(
            acting_user=assigner,
            title=title,
            lead_unit=unit,
            owner=owner,
            assigned_on=assigned_on,
            deadline=assigned_on + timedelta(days=days),
            priority=self.rng.choices(Priority.values, weights=(70, 20, 10))[0],
            products=products,
            **source,  # type: ignore[arg-type]
        )

    # ---- the tasks of ``truongphong``: every state, played through the services

    def budget_tasks(self) -> None:
        me, boss = self.truongphong, self.users["giamdoc"]
        assert me.person is not None
        owner = me.person
        today = self.today

        def new(title: str, product: str, days: int) -> Task:
            return self.assign(title, product, self.budget, owner, days=days)

        def accept(task: Task) -> Task:
            span = (task.deadline - task.assigned_on).days
            plan = [
                ("Thu thập số liệu, tài liệu", today + timedelta(days=span // 3)),
                ("Xây dựng dự thảo, xin ý kiến", today + timedelta(days=2 * span // 3)),
                ("Hoàn thiện, trình lãnh đạo Sở", task.deadline),
            ]
            return services.accept_task(acting_user=me, task=task, plan=plan)

        def progress(task: Task, *percents: int) -> Task:
            for percent in percents:
                services.report_progress(
                    acting_user=me, task=task, percent=percent, note=f"Đã hoàn thành khoảng {percent}% khối lượng."
                )
            return Task.objects.get(pk=task.pk)

        def submit(task: Task) -> Task:
            done = {p.pk: True for p in task.products.all()}
            return services.submit_task(acting_user=me, task=task, products_done=done)

        new("Rà soát dự toán chi thường xuyên năm 2026 của các sở, ngành", "BC-CD", 20)
        accept(new("Xây dựng kế hoạch tài chính - ngân sách nhà nước 03 năm 2026-2028", "KH", 45))
        progress(accept(new("Báo cáo tình hình thu, chi ngân sách tháng", "BC-THANG", 12)), 30, 60)
        extended = progress(accept(new("Dự thảo nghị quyết phân cấp nguồn thu, nhiệm vụ chi", "VBQPPL", 30)), 20)
        extension = services.request_extension(
            acting_user=me,
            task=extended,
            reason="Cần lấy thêm ý kiến các xã sau sắp xếp đơn vị hành chính.",
            proposed_deadline=extended.deadline + timedelta(days=30),
        )
        services.decide_extension(acting_user=boss, extension=extension, approve=True, note="Đồng ý gia hạn.")
        answered = difficulties.raise_difficulty(
            acting_user=me,
            task=extended,
            description="Một số xã mới sau sắp xếp chưa có số liệu thu ngân sách của cả năm.",
            proposal="Đề nghị cho phép dùng số liệu ước thực hiện của các xã cũ.",
        )
        difficulties.answer_difficulty(
            acting_user=boss,
            difficulty=answered,
            answer="Đồng ý dùng số liệu ước thực hiện; ghi rõ nguồn số liệu trong thuyết minh.",
        )
        refused = progress(accept(new("Tờ trình bổ sung dự toán cho các đơn vị sự nghiệp", "TT", 15)), 50)
        extension = services.request_extension(
            acting_user=me,
            task=refused,
            reason="Các đơn vị gửi hồ sơ chậm.",
            proposed_deadline=refused.deadline + timedelta(days=14),
        )
        services.decide_extension(
            acting_user=boss, extension=extension, approve=False, note="Nhiệm vụ cấp bách, đề nghị hoàn thành đúng hạn."
        )
        difficulties.raise_difficulty(
            acting_user=me,
            task=refused,
            description="Chưa có hướng dẫn về định mức chi cho các đơn vị sự nghiệp mới thành lập.",
        )
        neighbour = (
            Unit.objects.filter(parent=self.finance, status=UnitStatus.ACTIVE)
            .exclude(pk=self.budget.pk)
            .order_by("code")
            .first()
        )
        if neighbour is not None:
            plan = (
                Task.objects.filter(assigned_by__isnull=False, lead_unit=self.budget, state="accepted")
                .order_by("id")
                .first()
            )
            if plan is not None:
                coordination.request_coordination(
                    acting_user=me,
                    task=plan,
                    to_unit=neighbour,
                    request="Cung cấp số liệu đầu tư công trung hạn để lồng ghép vào kế hoạch tài chính 03 năm.",
                    due=min(plan.deadline, self.today + timedelta(days=10)),
                )
        submit(progress(accept(new("Báo cáo quyết toán ngân sách địa phương năm 2025", "BC-QUY", 25)), 50, 100))
        submit(progress(accept(new("Hướng dẫn xây dựng dự toán ngân sách cấp xã năm 2027", "HD", 35)), 100))
        returned = submit(progress(accept(new("Báo cáo thẩm định phương án tự chủ tài chính", "TD", 18)), 100))
        services.review_task(
            acting_user=boss, task=returned, accept=False, return_reason="Bổ sung số liệu của các đơn vị sự nghiệp."
        )
        again = submit(progress(accept(new("Tờ trình phân bổ kinh phí chuyển đổi số năm 2026", "TT", 10)), 100))
        services.review_task(acting_user=boss, task=again, accept=False, return_reason="Chưa thuyết minh căn cứ.")
        submit(progress(again, 100))
        done = submit(progress(accept(new("Công văn đôn đốc thực hiện kết luận thanh tra ngân sách", "CV", 8)), 100))
        services.review_task(acting_user=boss, task=done, accept=True, grade=Grade.MEETS)
        flawed = submit(progress(accept(new("Báo cáo chuyên đề về nợ đọng xây dựng cơ bản", "BC-CD", 22)), 100))
        services.review_task(acting_user=boss, task=flawed, accept=True, grade=Grade.ERRORS, major_errors=1)
        dropped = new("Báo cáo đánh giá cơ chế tài chính đặc thù cho các xã mới", "BC-CD", 40)
        services.cancel_task(
            acting_user=boss, task=dropped, reason="Đã giao Sở Nội vụ chủ trì theo kết luận phiên họp tháng 3."
        )

    def field_visit(self) -> None:
        """A visit of Sở Tài chính with its findings; the first finding became a task of Phòng Ngân sách."""
        boss = self.users["giamdoc"]
        assert self.truongphong.person is not None and boss.person is not None
        visit = field_visits.plan_visit(
            acting_user=boss,
            unit=self.finance,
            title="Khảo sát công tác quản lý ngân sách tại các xã mới sau sắp xếp",
            place="UBND xã An Phú",
            planned_on=self.today - timedelta(days=10),
            leader=boss.person,
            participants=[self.truongphong.person],
            purpose="Nắm tình hình thu, chi ngân sách của xã sau khi hợp nhất.",
        )
        visit = field_visits.record_findings(
            acting_user=boss,
            visit=visit,
            visited_on=self.today - timedelta(days=9),
            findings=[
                (
                    "Xã chưa bàn giao đầy đủ hồ sơ tài sản công của các xã cũ.",
                    "Hướng dẫn lập biên bản bàn giao tài sản.",
                ),
                ("Bộ phận kế toán còn thiếu 01 biên chế.", "Báo cáo Sở Nội vụ bố trí biên chế."),
            ],
        )
        finding = visit.findings.order_by("order").first()
        assert finding is not None
        services.assign_task(
            acting_user=boss,
            title="Hướng dẫn các xã mới bàn giao, quản lý tài sản công sau sắp xếp",
            lead_unit=self.budget,
            owner=self.truongphong.person,
            finding=finding,
            working_days=15,
            products=[(self.types["HD"], 1)],
        )

    # ---- the other divisions: assigned (their heads have no account), a few cancelled

    def division_tasks(self, count: int) -> None:
        divisions = Unit.objects.filter(
            kind=UnitKind.DIVISION,
            status=UnitStatus.ACTIVE,
            parent__kind=UnitKind.AGENCY,
            parent__status=UnitStatus.ACTIVE,
            path__startswith=self.province.path,
        ).exclude(pk=self.budget.pk)
        leads: list[tuple[Unit, Person]] = []
        for unit in divisions.order_by("code"):
            heads = _current(unit, "truong_phong", self.today)
            if heads:
                leads.append((unit, heads[0]))
        for _ in range(count):
            unit, owner = self.rng.choice(leads)
            title, product = self.rng.choice(TASK_TITLES)
            # Half of them were recorded from the year's conclusion notices and directives, so some are overdue.
            task = self.assign(
                title, product, unit, owner, days=self.rng.randint(7, 120), from_source=self.rng.random() < 0.5
            )
            if self.rng.random() < 0.03:
                services.cancel_task(
                    acting_user=task.assigned_by, task=task, reason="Nhiệm vụ đã được lồng ghép vào nhiệm vụ khác."
                )


def generate_tasks(*, scale: int, province: Unit) -> DemoTasks:
    """The catalogue, the sources and ``task_count(scale)`` tasks; the demo accounts must exist."""
    finance = Unit.objects.get(code=f"{province.code}.STC")
    budget = Unit.objects.get(parent=finance, name="Phòng Ngân sách", status=UnitStatus.ACTIVE)
    builder = _Builder(province, finance, budget)
    builder.catalogue()
    builder.sources()
    before = Task.objects.count()
    builder.budget_tasks()
    builder.field_visit()
    builder.division_tasks(task_count(scale) - (Task.objects.count() - before))
    sweep()  # today's reminders, notices and digests, as the daily job would have sent them
    return DemoTasks(
        product_types=len(builder.types),
        meetings=len(builder.meetings),
        directives=len(builder.directives),
        tasks=Task.objects.count() - before,
    )


def throwaway_password() -> str:
    """A password for accounts created before the command sets the demo password."""
    return secrets.token_urlsafe(24)
