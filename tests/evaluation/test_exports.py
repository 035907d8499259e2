"""Exports of evaluation sheets and of a unit's list: .xlsx cells and .docx in the format of Decree 30/2020."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO
from typing import Any

import pytest
from django.db.models import QuerySet
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from congvu.accounts.models import User
from congvu.core.policy import Role
from congvu.evaluation import exports, services
from congvu.evaluation.models import Decision, Period, Sheet
from congvu.org.models import Person, Unit
from congvu.tasks import services as task_services
from congvu.tasks.models import TaskProduct
from tests.evaluation.test_sheets import assessed, march_work
from tests.factories import Province, person, user
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db

HOA_RESULT = "Tổng điểm: 89,00 — Xếp loại: Hoàn thành tốt nhiệm vụ (HTT)"
SHARE_LINE = (
    "Tỷ lệ hoàn thành xuất sắc nhiệm vụ so với số hoàn thành tốt nhiệm vụ: 0/1 (0,00%); "
    "tối đa 20% (Nghị định 335/2025/NĐ-CP, Điều 20 khoản 5)."
)
GROUP_I = "Chính trị, tư tưởng, đạo đức, lối sống, văn hóa công vụ, ý thức tổ chức kỷ luật"
GROUP_II = (
    "Năng lực chuyên môn, nghiệp vụ theo vị trí việc làm; tinh thần trách nhiệm, "
    "thái độ phục vụ nhân dân, doanh nghiệp và phối hợp với đồng nghiệp"
)
GROUP_III = "Năng lực đổi mới, sáng tạo; dám nghĩ, dám làm, dám chịu trách nhiệm"


@pytest.fixture
def world(province: Province) -> World:
    return World(province)


def head_of(world: World) -> User:
    return world.province.users[Role.TRUONGPHONG]  # scoped to Phòng Ngân sách


def decided(world: World) -> tuple[Sheet, Decision]:
    """Nguyễn Thị Hoà's March: self-assessed 9 / 9.5 / 8, reviewed 9 / 9 / 8, decided 89 → HTT on 31/03."""
    march_work(world)
    sheet = services.review_sheet(
        acting_user=head_of(world),
        sheet=assessed(world),
        general={"I": 9, "II": 9, "III": 8},
        comment="Cần chủ động hơn",
    )
    with on(date(2026, 3, 31)):
        decision = services.decide_sheet(acting_user=head_of(world), sheet=sheet, number="05/QĐ-STC")
    return Sheet.objects.get(pk=sheet.pk), decision


# -- reading the files back ---------------------------------------------------------------------------------


def xlsx_rows(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def trimmed(row: tuple[Any, ...]) -> tuple[Any, ...]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def labelled(rows: list[tuple[Any, ...]], label: str) -> tuple[Any, ...]:
    """The values after the label of the first row whose first cell is ``label``."""
    found = [trimmed(r)[1:] for r in rows if r[0] == label]
    assert found, f"no row labelled {label!r}"
    return found[0]


def block(rows: list[tuple[Any, ...]], first_header: str) -> list[tuple[Any, ...]]:
    """The rows under the header row starting with ``first_header``, up to the next empty row."""
    start = next(i for i, r in enumerate(rows) if r[0] == first_header) + 1
    out = []
    for row in rows[start:]:
        if all(v is None for v in row):
            break
        out.append(trimmed(row))
    return out


def opened(data: bytes) -> DocxDocument:
    return Document(BytesIO(data))


def table_texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def lines(table: Table) -> list[list[list[str]]]:
    """The non-empty paragraphs of each cell, row by row."""
    return [[[p.text for p in cell.paragraphs if p.text] for cell in row.cells] for row in table.rows]


def signed(doc: DocxDocument) -> list[list[str]]:
    """The signature blocks (the last table): each column's lines, top to bottom."""
    rows = lines(doc.tables[-1])
    return [rows[0][column] + rows[1][column] for column in (0, 1)]


def ruled(cell: Any) -> bool:
    """Whether one of the cell's paragraphs draws a line (a bottom border)."""
    return any(
        p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr") + "/" + qn("w:bottom")) is not None for p in cell.paragraphs
    )


def body_texts(doc: DocxDocument) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text]


def every_paragraph(doc: DocxDocument) -> Iterator[Paragraph]:
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    yield from doc.sections[0].header.paragraphs


def paragraph_with(doc: DocxDocument, text: str) -> Paragraph:
    found = [p for p in every_paragraph(doc) if p.text == text]
    assert found, f"no paragraph {text!r}"
    return found[0]


def mm(length: Length | None) -> float:
    assert length is not None
    return round(float(length.mm), 1)


def emu(length: Length | None) -> int:
    assert length is not None
    return int(length)


def pt(length: Length | None) -> float:
    assert length is not None
    return float(length.pt)


def east_asian_font(element: Any) -> str | None:
    """The East Asian font named by a run's or a style's own properties."""
    fonts = element.rPr.rFonts if element.rPr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def style_of(paragraph: Paragraph) -> tuple[bool | None, bool | None, float | None]:
    """(bold, italic, size in pt) of the paragraph's runs, which all share them."""
    styles = {(r.font.bold, r.font.italic, r.font.size.pt if r.font.size else None) for r in paragraph.runs}
    assert len(styles) == 1, styles
    return styles.pop()


# -- the pure helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (date(2026, 2, 5), "An Hòa, ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 9), "An Hòa, ngày 09 tháng 01 năm 2026"),
        (date(2026, 3, 31), "An Hòa, ngày 31 tháng 3 năm 2026"),  # from March on, no leading zero
        (date(2026, 12, 1), "An Hòa, ngày 01 tháng 12 năm 2026"),
    ],
)
def test_the_place_and_date_line_pads_days_below_10_and_months_1_and_2(day: date, line: str) -> None:
    assert exports.document_date("An Hòa", day) == line


def test_numbers_take_the_vietnamese_decimal_comma() -> None:
    assert [
        exports.vn_number(D("89.00")),
        exports.vn_number(D("1234.5"), 2),
        exports.vn_number(D("4.50")),
        exports.vn_number(D("20"), 0),
    ] == ["89,00", "1.234,50", "4,50", "20"]
    assert exports.result_line(D("89.00"), "HTT") == HOA_RESULT
    assert [exports.level_name(c) for c in ("HTXS", "HTT", "HT", "KHT")] == [
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ",
        "Không hoàn thành nhiệm vụ",
    ]


# -- one sheet ----------------------------------------------------------------------------------------------


def test_the_workbook_of_a_decided_sheet(world: World) -> None:
    sheet, decision = decided(world)
    rows = xlsx_rows(exports.sheet_xlsx(sheet))
    assert rows[0][0] == "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"
    assert [
        labelled(rows, label)
        for label in ("Họ và tên", "Đơn vị", "Đối tượng", "Kỳ đánh giá", "Từ ngày", "Đến ngày", "Trạng thái")
    ] == [
        ("Nguyễn Thị Hoà",),
        ("Phòng Ngân sách",),
        ("Công chức",),
        ("Tháng 03/2026",),
        (datetime(2026, 3, 1),),
        (datetime(2026, 3, 31),),
        ("Đã quyết định",),
    ]
    assert block(rows, "Nhóm tiêu chí") == [
        ("I", GROUP_I, 10, 9, 9),
        ("II", GROUP_II, 10, 9.5, 9),
        ("III", GROUP_III, 10, 8, 8),
        ("Cộng", None, 30, 26.5, 26),
        ("Tự nhận xét", "Hoàn thành"),
        ("Nhận xét của cấp trên", "Cần chủ động hơn"),
    ]
    # weights 2 × 1.50 and 2 × 2.25; the late one has one major error and one delay
    assert block(rows, "Nhiệm vụ") == [
        ("Báo cáo đúng hạn", "Báo cáo chuyên đề (BC-CD)", datetime(2026, 3, 10), 3, "Có", 0, 0, "Không", 0),
        ("Báo cáo chậm", "Dự thảo văn bản (DT-VB)", datetime(2026, 3, 12), 4.5, "Có", 1, 1, "Không", 0),
    ]
    total = labelled(rows, "Tổng điểm")
    assert total == (89,)
    assert isinstance(total[0], int | float)
    assert [
        labelled(rows, label)
        for label in ("Xếp loại", "Mức xếp loại", "Số văn bản quyết định", "Ngày quyết định", "Người quyết định")
    ] == [("HTT",), ("Hoàn thành tốt nhiệm vụ",), ("05/QĐ-STC",), (datetime(2026, 3, 31),), ("truongphong",)]
    assert labelled(rows, "Lần quyết định") == (1,)
    assert labelled(rows, "Lý do xếp loại không hoàn thành nhiệm vụ") == ()
    assert labelled(rows, "Căn cứ") == ()
    trace = block(rows, "Nội dung")
    assert [r[0] for r in trace] == [t["label"] for t in decision.trace]
    by_label = {r[0]: r for r in trace}
    assert len(by_label) == len(trace)
    total_line = next(t for t in decision.trace if t["key"] == "total")
    assert by_label[total_line["label"]][:4] == (
        total_line["label"],
        89,
        total_line["formula"],
        total_line["citation"],
    )
    assert trace == [  # every value a number
        trimmed((t["label"], float(D(t["value"])), t["formula"], t["citation"] or None, t["certainty"] or None))
        for t in decision.trace
    ]


def test_the_workbook_keeps_numbers_and_dates_typed(world: World) -> None:
    sheet, _decision = decided(world)
    book = load_workbook(BytesIO(exports.sheet_xlsx(sheet)))
    ws = book.active
    assert isinstance(ws, Worksheet)
    cells: dict[Any, Any] = {row[0].value: row[1] for row in ws.iter_rows(min_col=1, max_col=2) if row[0].value}
    assert (cells["Tổng điểm"].data_type, cells["Tổng điểm"].number_format) == ("n", "#,##0.00")
    assert (cells["Ngày quyết định"].is_date, cells["Ngày quyết định"].number_format) == (True, "DD/MM/YYYY")
    assert ws.title == "Phiếu đánh giá"


def test_a_decided_sheet_shows_the_products_as_decided(world: World) -> None:
    sheet, _decision = decided(world)
    TaskProduct.objects.filter(task__title="Báo cáo đúng hạn").update(weight=D("7.00"))
    weights = [r[3] for r in block(xlsx_rows(exports.sheet_xlsx(sheet)), "Nhiệm vụ")]
    assert weights == [3, 4.5]  # the decision's record, not today's data


def test_the_workbook_of_a_sheet_not_yet_decided(world: World) -> None:
    march_work(world)
    sheet = assessed(world)
    TaskProduct.objects.filter(task__title="Báo cáo đúng hạn").update(weight=D("7.00"))
    rows = xlsx_rows(exports.sheet_xlsx(sheet))
    assert labelled(rows, "Trạng thái") == ("Chờ cấp trên nhận xét",)
    assert block(rows, "Nhóm tiêu chí")[-3:] == [
        ("Cộng", None, 30, 26.5),
        ("Tự nhận xét", "Hoàn thành"),
        ("Nhận xét của cấp trên",),
    ]
    assert [r[:4] for r in block(rows, "Nhiệm vụ")] == [  # read now, with today's weight
        ("Báo cáo đúng hạn", "Báo cáo chuyên đề (BC-CD)", datetime(2026, 3, 10), 7),
        ("Báo cáo chậm", "Dự thảo văn bản (DT-VB)", datetime(2026, 3, 12), 4.5),
    ]
    assert labelled(rows, "Kết quả") == ("Chưa có quyết định xếp loại",)
    assert not [r for r in rows if r[0] in ("Tổng điểm", "IV. DIỄN GIẢI")]


def test_the_document_of_a_decided_sheet_follows_decree_30(world: World) -> None:
    sheet, decision = decided(world)
    head = head_of(world)
    head.first_name, head.last_name = "Lê Văn", "Trưởng"
    head.save(update_fields=["first_name", "last_name"])
    doc = opened(exports.sheet_docx(sheet, place="An Hòa", on=date(2026, 2, 5)))

    section = doc.sections[0]
    assert [mm(section.page_width), mm(section.page_height)] == [210.0, 297.0]
    # Word stores twips: within one twip (635 EMU) of the exact size in EMU
    assert abs(emu(section.page_width) - 7_560_000) <= 635
    assert abs(emu(section.page_height) - 10_692_000) <= 635
    assert abs(emu(section.left_margin) - 1_080_000) <= 635
    assert [mm(section.top_margin), mm(section.bottom_margin)] == [20.0, 20.0]
    assert [mm(section.left_margin), mm(section.right_margin)] == [30.0, 15.0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert section.different_first_page_header_footer is True  # no number on the first page
    assert "PAGE" in section.header.paragraphs[0]._p.xml

    runs = [r for p in every_paragraph(doc) for r in p.runs]
    assert runs
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {east_asian_font(r._element) for r in runs} == {"Times New Roman"}
    normal: Any = doc.styles["Normal"]
    assert (normal.font.name, east_asian_font(normal.element), normal.font.size.pt) == (
        "Times New Roman",
        "Times New Roman",
        13,
    )
    assert {pt(r.font.size) for p in doc.paragraphs for r in p.runs} == {13, 14}
    defaults = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    assert defaults is not None
    fonts = defaults.find(qn("w:rFonts"))
    assert (fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii"))) == ("Times New Roman", "Times New Roman")
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # no theme font over it
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"

    header = doc.tables[0]
    assert lines(header) == [
        [
            ["SỞ TÀI CHÍNH", "PHÒNG NGÂN SÁCH"],
            ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
        ],
        [[], ["An Hòa, ngày 05 tháng 02 năm 2026"]],
    ]
    assert [style_of(p) for p in header.cell(0, 0).paragraphs if p.text] == [(False, False, 12), (True, False, 12)]
    assert [style_of(p) for p in header.cell(0, 1).paragraphs if p.text] == [(True, False, 12), (True, False, 13)]
    assert (ruled(header.cell(0, 0)), ruled(header.cell(0, 1)), ruled(header.cell(1, 1))) == (True, True, False)
    assert style_of(paragraph_with(doc, "An Hòa, ngày 05 tháng 02 năm 2026")) == (False, True, 13)

    texts = body_texts(doc)
    assert texts[:5] == [
        "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC",
        "Tháng 03/2026",
        "Họ và tên: Nguyễn Thị Hoà",
        "Đơn vị công tác: Phòng Ngân sách",
        "Đối tượng đánh giá: Công chức",
    ]
    assert style_of(paragraph_with(doc, "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC")) == (True, False, 14)
    assert table_texts(doc.tables[1]) == [
        ["Nhóm", "Nội dung", "Tối đa", "Tự chấm", "Cấp trên chấm"],
        ["I", GROUP_I, "10", "9,00", "9,00"],
        ["II", GROUP_II, "10", "9,50", "9,00"],
        ["III", GROUP_III, "10", "8,00", "8,00"],
        ["", "Cộng", "30", "26,50", "26,00"],
    ]
    assert table_texts(doc.tables[2])[1:] == [
        ["1", "Báo cáo đúng hạn", "Báo cáo chuyên đề (BC-CD)", "10/03/2026", "3,00", "Có", "0", "0", "Không", "0"],
        ["2", "Báo cáo chậm", "Dự thảo văn bản (DT-VB)", "12/03/2026", "4,50", "Có", "1", "1", "Không", "0"],
    ]
    assert "Tự nhận xét: Hoàn thành" in texts
    assert "Nhận xét của cấp trên: Cần chủ động hơn" in texts
    result = texts.index(HOA_RESULT)
    assert style_of(paragraph_with(doc, HOA_RESULT)) == (True, False, 13)
    assert texts[result + 1 : result + 3] == ["Quyết định số 05/QĐ-STC ngày 31/03/2026 (lần 1).", "Diễn giải kết quả:"]
    explained = texts[result + 3 :]
    assert len(explained) == len(decision.trace)
    total_line = next(t for t in decision.trace if t["key"] == "total")
    assert explained[[t["key"] for t in decision.trace].index("total")].startswith(
        f"- {total_line['label']}: 89,00. Cách tính: {total_line['formula']}. Căn cứ: "
    )

    assert signed(doc) == [
        ["NGƯỜI TỰ ĐÁNH GIÁ", "(Ký, ghi rõ họ tên)", "Nguyễn Thị Hoà"],
        ["NGƯỜI CÓ THẨM QUYỀN ĐÁNH GIÁ", "(Ký, ghi rõ họ tên)", "Lê Văn Trưởng"],
    ]
    assert doc.core_properties.title == "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"


def test_the_document_names_the_decider_by_username_without_a_name_and_the_forced_reasons(world: World) -> None:
    march_work(world)
    sheet = services.review_sheet(
        acting_user=head_of(world),
        sheet=assessed(world),
        general={"I": 9, "II": 9, "III": 8},
        disciplined=True,
        facts_basis="Quyết định 3/QĐ-STC khiển trách",
    )
    with on(date(2026, 3, 31)):
        services.decide_sheet(acting_user=head_of(world), sheet=sheet)
    texts = body_texts(opened(exports.sheet_docx(sheet, place="An Hòa", on=date(2026, 4, 1))))
    result = texts.index("Tổng điểm: 89,00 — Xếp loại: Không hoàn thành nhiệm vụ (KHT)")
    assert texts[result + 1 : result + 3] == [
        "Xếp loại không hoàn thành nhiệm vụ do: bị kỷ luật từ khiển trách trở lên trong năm "
        "(căn cứ: Quyết định 3/QĐ-STC khiển trách).",
        "Quyết định xếp loại ngày 31/03/2026 (lần 1).",
    ]
    doc = opened(exports.sheet_docx(sheet, place="An Hòa", on=date(2026, 4, 1)))
    assert doc.tables[0].cell(1, 1).text == "An Hòa, ngày 01 tháng 4 năm 2026"
    assert signed(doc)[1][-1] == "truongphong"
    rows = xlsx_rows(exports.sheet_xlsx(sheet))
    assert labelled(rows, "Lý do xếp loại không hoàn thành nhiệm vụ") == (
        "bị kỷ luật từ khiển trách trở lên trong năm",
    )
    assert labelled(rows, "Xếp loại") == ("KHT",)
    assert labelled(rows, "Căn cứ") == ("Quyết định 3/QĐ-STC khiển trách",)


def test_the_document_of_a_sheet_not_yet_decided(world: World) -> None:
    march_work(world)
    sheet = assessed(world)
    doc = opened(exports.sheet_docx(sheet, place="An Hòa", on=date(2026, 3, 20)))
    texts = body_texts(doc)
    assert "Chưa có quyết định xếp loại (trạng thái: Chờ cấp trên nhận xét)." in texts
    assert not [t for t in texts if t.startswith(("Tổng điểm", "Diễn giải"))]
    assert table_texts(doc.tables[1])[-1] == ["", "Cộng", "30", "26,50", "—"]
    assert signed(doc) == [
        ["NGƯỜI TỰ ĐÁNH GIÁ", "(Ký, ghi rõ họ tên)", "Nguyễn Thị Hoà"],
        ["NGƯỜI CÓ THẨM QUYỀN ĐÁNH GIÁ", "(Ký, ghi rõ họ tên)"],  # not reviewed yet: nobody to name
    ]


# -- a unit's list ------------------------------------------------------------------------------------------


def worked_march(world: World, official: Person, account: User) -> None:
    """One report due 10/03, done on time by ``official``."""
    with on(date(2026, 3, 2)):
        task = task_services.assign_task(
            acting_user=world.leader,
            title="Tổng hợp số liệu thu chi",
            lead_unit=world.province.division,
            owner=official,
            meeting=world.meeting,
            clause="Mục 2",
            deadline=date(2026, 3, 10),
            products=[(world.report, D(2))],
        )
        task_services.accept_task(acting_user=account, task=task, plan=[("Tổng hợp", date(2026, 3, 10))])
    with on(date(2026, 3, 9)):
        task_services.submit_task(
            acting_user=account, task=task, products_done={p.pk: True for p in task.products.all()}
        )
        task_services.review_task(acting_user=world.leader, task=task, accept=True, grade="meets")


def the_division(world: World) -> Period:
    """Three sheets of Phòng Ngân sách in March: Hoà HTT 89, An KHT (disciplined), Bình not decided."""
    decided(world)
    head = head_of(world)
    division = world.province.division
    period = services.month_period(date(2026, 3, 1))
    an = person("Phạm Văn An", division, sex="M")
    an_account = user("an", Role.CHUYENVIEN, division, an)
    worked_march(world, an, an_account)
    an_sheet = services.open_sheet(acting_user=an_account, person=an, period=period)
    an_sheet = services.self_assess(acting_user=an_account, sheet=an_sheet, general={"I": 9, "II": 9, "III": 9})
    an_sheet = services.review_sheet(
        acting_user=head,
        sheet=an_sheet,
        general={"I": 9, "II": 9, "III": 9},
        disciplined=True,
        facts_basis="Quyết định 3/QĐ-STC khiển trách",
    )
    with on(date(2026, 3, 31)):
        services.decide_sheet(acting_user=head, sheet=an_sheet)
    binh = person("Lê Thị Bình", division)
    services.open_sheet(acting_user=head, person=binh, period=period)
    return period


def listed(period: Period, *names: str) -> QuerySet[Sheet]:
    sheets = Sheet.objects.filter(period=period, unit__code="01.001.01").order_by("person__full_name")
    if names:
        sheets = sheets.filter(person__full_name__in=names)
    return services.latest_decisions(sheets)  # type: ignore[no-any-return]


def test_the_workbook_of_a_units_list(world: World) -> None:
    period = the_division(world)
    unit = world.province.division
    rows = xlsx_rows(exports.unit_list_xlsx(unit, period, listed(period)))
    assert rows[0][0] == "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"
    assert (labelled(rows, "Đơn vị"), labelled(rows, "Kỳ đánh giá")) == (("Phòng Ngân sách",), ("Tháng 03/2026",))
    assert block(rows, "STT") == [
        (1, "Lê Thị Bình", "Công chức", "Phòng Ngân sách", None, None, "chưa quyết định"),
        (2, "Nguyễn Thị Hoà", "Công chức", "Phòng Ngân sách", 89, "HTT"),
        # 27 + 70 points, yet KHT: disciplined in the year
        (3, "Phạm Văn An", "Công chức", "Phòng Ngân sách", 97, "KHT", "bị kỷ luật từ khiển trách trở lên trong năm"),
    ]
    assert block(rows, "Tổng hợp") == [
        ("Hoàn thành xuất sắc nhiệm vụ (HTXS)", 0),
        ("Hoàn thành tốt nhiệm vụ (HTT)", 1),
        ("Hoàn thành nhiệm vụ (HT)", 0),
        ("Không hoàn thành nhiệm vụ (KHT)", 1),
        ("Chưa quyết định", 1),
        ("Tổng số", 3),
        ("Tỷ lệ HTXS so với HTT (%)", 0),
        ("Tỷ lệ tối đa theo quy định (%)", 20, "Nghị định 335/2025/NĐ-CP, Điều 20 khoản 5"),
    ]


def test_the_document_of_a_units_list(world: World) -> None:
    period = the_division(world)
    doc = opened(
        exports.unit_list_docx(
            world.province.division, period, listed(period), place="An Hòa", on=date(2026, 4, 3), signer="Lê Văn Trưởng"
        )
    )
    section = doc.sections[0]
    assert [mm(section.page_width), mm(section.page_height), mm(section.left_margin), mm(section.right_margin)] == [
        210.0,
        297.0,
        30.0,
        15.0,
    ]
    assert {r.font.name for p in every_paragraph(doc) for r in p.runs} == {"Times New Roman"}
    assert lines(doc.tables[0]) == [
        [
            ["SỞ TÀI CHÍNH", "PHÒNG NGÂN SÁCH"],
            ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
        ],
        [[], ["An Hòa, ngày 03 tháng 4 năm 2026"]],
    ]
    texts = body_texts(doc)
    # too long for one line at 14 pt: broken after the comma
    assert texts[:2] == ["DANH SÁCH KẾT QUẢ ĐÁNH GIÁ,\nXẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC", "Tháng 03/2026"]
    assert doc.core_properties.title == "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"
    assert table_texts(doc.tables[1]) == [
        ["STT", "Họ và tên", "Đối tượng", "Đơn vị", "Tổng điểm", "Xếp loại", "Ghi chú"],
        ["1", "Lê Thị Bình", "Công chức", "Phòng Ngân sách", "", "", "chưa quyết định"],
        ["2", "Nguyễn Thị Hoà", "Công chức", "Phòng Ngân sách", "89,00", "HTT", ""],
        [
            "3",
            "Phạm Văn An",
            "Công chức",
            "Phòng Ngân sách",
            "97,00",
            "KHT",
            "bị kỷ luật từ khiển trách trở lên trong năm",
        ],
    ]
    assert texts[2:] == [
        "Tổng hợp:",
        "- Hoàn thành xuất sắc nhiệm vụ (HTXS): 0 người",
        "- Hoàn thành tốt nhiệm vụ (HTT): 1 người",
        "- Hoàn thành nhiệm vụ (HT): 0 người",
        "- Không hoàn thành nhiệm vụ (KHT): 1 người",
        "- Chưa quyết định: 1 người",
        "Tổng số: 3 người",
        SHARE_LINE,
    ]
    assert signed(doc) == [[], ["THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)", "Lê Văn Trưởng"]]


def test_the_list_reads_in_the_same_number_of_queries_whatever_its_length(
    world: World, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    period = the_division(world)

    def count(export: Callable[[Unit, QuerySet[Sheet]], bytes], sheets: QuerySet[Sheet]) -> int:
        unit = Unit.objects.get(code="01.001.01")  # nothing cached
        with django_assert_max_num_queries(2) as context:
            export(unit, sheets)
        return len(context.captured_queries)

    def as_xlsx(unit: Unit, sheets: QuerySet[Sheet]) -> bytes:
        return exports.unit_list_xlsx(unit, period, sheets)

    def as_docx(unit: Unit, sheets: QuerySet[Sheet]) -> bytes:
        return exports.unit_list_docx(unit, period, sheets, place="An Hòa", on=date(2026, 4, 3))

    # one query for the sheets with their people, units and latest decisions; the document also reads
    # the unit's parent (its issuing body's superior)
    assert [(count(e, listed(period, "Nguyễn Thị Hoà")), count(e, listed(period))) for e in (as_xlsx, as_docx)] == [
        (1, 1),
        (2, 2),
    ]
