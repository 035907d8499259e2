"""Downloads of evaluation results: one person's sheet and a unit's classification list, as .xlsx and .docx.

Pure functions returning the file's bytes (the views serve them). The spreadsheets keep numbers
as numbers and dates as dates; the Word documents follow the format of administrative documents of
Decree 30/2020/NĐ-CP (Phụ lục I): A4 portrait, margins 20/20/30/15 mm, Times New Roman, the issuing
body and the national motto side by side, the place and date in italics (a leading zero for days
below 10 and for months 1 and 2), the title, the content, the signatures, page numbers from page 2;
numbers are written with the Vietnamese decimal comma (89,00).

A decided sheet is exported as it was decided: the products, the result and its explanation come
from the latest decision's stored record, never recomputed. An undecided sheet shows its products
as they stand now (``congvu.evaluation.evidence.collect_products``) and no result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any, Final

from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from congvu.accounts.models import User
from congvu.evaluation.engine import LEVELS
from congvu.evaluation.errors import EvaluationError, RuleDataError
from congvu.evaluation.evidence import collect_products
from congvu.evaluation.models import Decision, Period, Sheet, SheetRole
from congvu.evaluation.services import latest_decisions, registry
from congvu.org.models import Unit

FONT: Final = "Times New Roman"
BODY_PT: Final = 13
TITLE_PT: Final = 14
TABLE_PT: Final = 12
DENSE_TABLE_PT: Final = 11  # the ten columns of the products
CELL_MARGIN_MM: Final = 1.0
PAGE_WIDTH_MM: Final = 210
PAGE_HEIGHT_MM: Final = 297
MARGINS_MM: Final = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM: Final = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
GROUPS: Final = ("I", "II", "III")
GROUP_MAX: Final = Decimal(10)

Value = str | int | Decimal | date | None


# -- shared wording ---------------------------------------------------------------------------------------


def level_name(code: str) -> str:
    """The level's name in full (HTT → "Hoàn thành tốt nhiệm vụ"); the code itself when unknown."""
    names = {
        "HTXS": _("Hoàn thành xuất sắc nhiệm vụ"),
        "HTT": _("Hoàn thành tốt nhiệm vụ"),
        "HT": _("Hoàn thành nhiệm vụ"),
        "KHT": _("Không hoàn thành nhiệm vụ"),
    }
    return names.get(code, code)


def _group_names() -> dict[str, str]:
    return {
        "I": _("Chính trị, tư tưởng, đạo đức, lối sống, văn hóa công vụ, ý thức tổ chức kỷ luật"),
        "II": _(
            "Năng lực chuyên môn, nghiệp vụ theo vị trí việc làm; tinh thần trách nhiệm, "
            "thái độ phục vụ nhân dân, doanh nghiệp và phối hợp với đồng nghiệp"
        ),
        "III": _("Năng lực đổi mới, sáng tạo; dám nghĩ, dám làm, dám chịu trách nhiệm"),
    }


def vn_number(value: Decimal, places: int | None = None) -> str:
    """A number as Vietnamese documents write it: 1.234,50 (``places`` decimals, else as stored)."""
    if places is None:
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def document_date(place: str, on: date) -> str:
    """The place and date line of Decree 30/2020: a leading zero for days below 10 and for months 1 and 2."""
    month = f"{on.month:02d}" if on.month <= 2 else str(on.month)
    return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % {
        "place": place,
        "day": f"{on.day:02d}",
        "month": month,
        "year": on.year,
    }


def _person_of(user: User | None) -> str:
    """The user's full name (account names, else the linked official's), else the username."""
    if user is None:
        return ""
    if user.get_full_name():
        return user.get_full_name()
    if user.person_id is not None and user.person is not None:
        return user.person.full_name
    return user.username


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


# -- what a sheet export shows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRow:
    task_title: str
    product: str
    deadline: date | None
    weight: Decimal | None
    done: bool
    errors: int
    delays: int
    excused: bool
    extensions: int


@dataclass(frozen=True)
class TraceRow:
    label: str
    value: Decimal | None
    text: str  # the value as stored, when it is not a number
    formula: str
    citation: str
    certainty: str


@dataclass(frozen=True)
class Result:
    seq: int
    total: Decimal
    level: str
    forced_reasons: list[str]
    number: str
    decided_on: date
    decided_by: str
    correction_reason: str
    quota_override_reason: str
    ruleset: str
    trace: list[TraceRow]


@dataclass(frozen=True)
class SheetExport:
    """Everything both formats of a sheet show, read once."""

    full_name: str
    unit_name: str
    parent_name: str
    role: str
    period: str
    start: date
    end: date
    state: str
    scores: list[tuple[str, str, Decimal | None, Decimal | None]]  # group, content, self, supervisor
    self_comment: str
    review_comment: str
    facts_basis: str  # the basis (decision, conclusion) of the facts that force KHT
    leader_extras: list[tuple[str, Decimal | None]]
    products: list[ProductRow]
    result: Result | None
    reviewer: str


def _product_label(name: str, code: str) -> str:
    return f"{name} ({code})" if code else name


def _stored_product(row: dict[str, Any]) -> ProductRow:
    return ProductRow(
        task_title=str(row.get("task_title", "")),
        product=_product_label(str(row.get("product_name", "")), str(row.get("product_code", ""))),
        deadline=_day(row.get("deadline")),
        weight=_decimal(row.get("weight")),
        done=bool(row.get("done")),
        errors=int(row.get("errors") or 0),
        delays=int(row.get("delays") or 0),
        excused=bool(row.get("excused")),
        extensions=int(row.get("approved_extensions") or 0),
    )


def _trace_row(line: dict[str, Any]) -> TraceRow:
    raw = line.get("value")
    return TraceRow(
        label=str(line.get("label", "")),
        value=_decimal(raw),
        text="" if raw is None else str(raw),
        formula=str(line.get("formula", "")),
        citation=str(line.get("citation", "")),
        certainty=str(line.get("certainty", "")),
    )


def _latest_decision(sheet: Sheet) -> Decision | None:
    return sheet.decisions.select_related("decided_by__person").order_by("-seq").first()


def sheet_export(sheet: Sheet) -> SheetExport:
    """The content of a sheet's exports (the latest decision's record when decided, else the live products)."""
    decision = _latest_decision(sheet)
    if decision is not None:
        products = [_stored_product(p) for p in decision.products if isinstance(p, dict)]
        result: Result | None = Result(
            seq=decision.seq,
            total=decision.total,
            level=decision.level,
            forced_reasons=[str(r) for r in decision.forced_reasons],
            number=decision.number,
            decided_on=timezone.localtime(decision.decided_at).date(),
            decided_by=_person_of(decision.decided_by),
            correction_reason=decision.correction_reason,
            quota_override_reason=decision.quota_override_reason,
            ruleset=decision.ruleset,
            trace=[_trace_row(t) for t in decision.trace if isinstance(t, dict)],
        )
    else:
        evidence = collect_products(person_id=sheet.person_id, start=sheet.period.start, end=sheet.period.end)
        products = [
            ProductRow(
                task_title=e.task_title,
                product=_product_label(e.product_name, e.product_code),
                deadline=e.deadline,
                weight=e.weight,
                done=e.done,
                errors=e.errors,
                delays=e.delays,
                excused=e.excused,
                extensions=e.approved_extensions,
            )
            for e in evidence
        ]
        result = None
    names = _group_names()
    self_scores = (sheet.self_i, sheet.self_ii, sheet.self_iii)
    review_scores = (sheet.review_i, sheet.review_ii, sheet.review_iii)
    leader = sheet.role in (SheetRole.LEADER, SheetRole.DEPUTY)
    unit = sheet.unit
    return SheetExport(
        full_name=sheet.person.full_name,
        unit_name=unit.name,
        parent_name=unit.parent.name if unit.parent_id is not None and unit.parent is not None else "",
        role=sheet.get_role_display(),
        period=str(sheet.period),
        start=sheet.period.start,
        end=sheet.period.end,
        state=sheet.get_state_display(),
        scores=[(g, names[g], s, r) for g, s, r in zip(GROUPS, self_scores, review_scores, strict=True)],
        self_comment=sheet.self_comment,
        review_comment=sheet.review_comment,
        facts_basis=sheet.facts_basis,
        leader_extras=(
            [
                (_("Tỷ lệ năng lực tổ chức thực hiện nhiệm vụ (đ), %"), sheet.organising),
                (_("Tỷ lệ năng lực tập hợp, đoàn kết (e), %"), sheet.uniting),
            ]
            if leader
            else []
        ),
        products=products,
        result=result,
        reviewer=_person_of(sheet.reviewed_by) if sheet.reviewed_by_id is not None else "",
    )


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    found = list(values)
    if any(v is None for v in found):
        return None
    return sum((v for v in found if v is not None), Decimal("0.00"))


def _yes(flag: bool) -> str:
    return _("Có") if flag else _("Không")


def _done(flag: bool) -> str:
    return _("Có") if flag else _("Chưa")


# -- spreadsheets -----------------------------------------------------------------------------------------


class _Sheet:
    """Rows appended one after the other, with number and date formats and bold headings."""

    def __init__(self, book: Workbook, title: str, widths: Sequence[int]) -> None:
        active = book.active
        assert isinstance(active, Worksheet)
        self.ws = active
        self.ws.title = title[:31]
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.bold = Font(name=FONT, bold=True)
        self.plain = Font(name=FONT)
        self.count = 0  # rows written

    def row(self, *values: Value, bold: bool = False) -> None:
        self.ws.append([_xlsx_value(v) for v in values])
        self.count += 1
        for index, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.count, column=index)
            cell.font = self.bold if bold else self.plain
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 30)
            if isinstance(value, Decimal):
                exponent = value.as_tuple().exponent
                places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
                cell.number_format = "#,##0" + ("." + "0" * places if places else "")
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"

    def blank(self) -> None:
        self.ws.append([])
        self.count += 1

    def bytes(self, book: Workbook) -> bytes:
        buffer = BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _xlsx_value(value: Value) -> str | int | Decimal | date | None:
    if value == "":
        return None  # an empty text is an empty cell
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def sheet_xlsx(sheet: Sheet) -> bytes:
    """The sheet as a workbook: the person, the general criteria, the products, the result and its trace."""
    data = sheet_export(sheet)
    book = Workbook()
    out = _Sheet(book, _("Phiếu đánh giá"), widths=(34, 40, 28, 14, 12, 12, 12, 10, 14, 12))
    out.row(_("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"), bold=True)
    out.blank()
    out.row(_("Họ và tên"), data.full_name)
    out.row(_("Đơn vị"), data.unit_name)
    out.row(_("Đối tượng"), data.role)
    out.row(_("Kỳ đánh giá"), data.period)
    out.row(_("Từ ngày"), data.start)
    out.row(_("Đến ngày"), data.end)
    out.row(_("Trạng thái"), data.state)
    out.blank()
    out.row(_("I. TIÊU CHÍ CHUNG"), bold=True)
    out.row(_("Nhóm tiêu chí"), _("Nội dung"), _("Điểm tối đa"), _("Tự chấm"), _("Cấp trên chấm"), bold=True)
    for group, content, own, supervisor in data.scores:
        out.row(group, content, GROUP_MAX, own, supervisor)
    out.row(
        _("Cộng"),
        "",
        GROUP_MAX * len(GROUPS),
        _sum(s for _g, _c, s, _r in data.scores),
        _sum(r for _g, _c, _s, r in data.scores),
        bold=True,
    )
    for label, value in data.leader_extras:
        out.row(label, value)
    out.row(_("Tự nhận xét"), data.self_comment)
    out.row(_("Nhận xét của cấp trên"), data.review_comment)
    out.blank()
    out.row(_("II. SẢN PHẨM TRONG KỲ"), bold=True)
    out.row(
        _("Nhiệm vụ"),
        _("Sản phẩm"),
        _("Hạn hoàn thành"),
        _("Số quy đổi"),
        _("Hoàn thành"),
        _("Sai sót lớn"),
        _("Số lần chậm"),
        _("Có lý do khách quan"),
        _("Gia hạn đã duyệt"),
        bold=True,
    )
    for p in data.products:
        out.row(
            p.task_title,
            p.product,
            p.deadline,
            p.weight,
            _done(p.done),
            p.errors,
            p.delays,
            _yes(p.excused),
            p.extensions,
        )
    if not data.products:
        out.row(_("Không có sản phẩm nào có hạn trong kỳ."))
    out.blank()
    out.row(_("III. KẾT QUẢ"), bold=True)
    result = data.result
    if result is None:
        out.row(_("Kết quả"), _("Chưa có quyết định xếp loại"))
    else:
        out.row(_("Tổng điểm"), result.total)
        out.row(_("Xếp loại"), result.level)
        out.row(_("Mức xếp loại"), level_name(result.level))
        out.row(_("Lý do xếp loại không hoàn thành nhiệm vụ"), "; ".join(result.forced_reasons))
        out.row(_("Căn cứ"), data.facts_basis if result.forced_reasons else "")
        out.row(_("Số văn bản quyết định"), result.number)
        out.row(_("Ngày quyết định"), result.decided_on)
        out.row(_("Người quyết định"), result.decided_by)
        out.row(_("Lần quyết định"), result.seq)
        out.row(_("Lý do điều chỉnh"), result.correction_reason)
        out.row(_("Lý do vượt tỷ lệ hoàn thành xuất sắc"), result.quota_override_reason)
        out.row(_("Bộ quy tắc"), result.ruleset)
        out.blank()
        out.row(_("IV. DIỄN GIẢI"), bold=True)
        out.row(_("Nội dung"), _("Giá trị"), _("Cách tính"), _("Căn cứ"), _("Độ tin cậy"), bold=True)
        for line in result.trace:
            shown: Value = line.value if line.value is not None else line.text
            out.row(line.label, shown, line.formula, line.citation, line.certainty)
    return out.bytes(book)


# -- Word documents (Decree 30/2020/NĐ-CP) ----------------------------------------------------------------


THEME_FONTS: Final = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(fonts: Any) -> None:
    """Times New Roman for every script (ASCII, high ANSI, East Asian, complex), no theme font over it."""
    for attribute in THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _fonts(element: Any) -> None:
    """Times New Roman for a run or a style."""
    _set_fonts(element.get_or_add_rPr().get_or_add_rFonts())


def _defaults(doc: DocxDocument) -> None:
    """The document's defaults: Times New Roman 13 pt in Vietnamese (the template's are theme fonts, 11 pt)."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    for tag in ("w:rFonts", "w:sz", "w:szCs", "w:lang"):
        found = rpr.find(qn(tag))
        if found is None:
            found = OxmlElement(tag)
            rpr.append(found)
        if tag == "w:rFonts":
            _set_fonts(found)
        elif tag == "w:lang":
            found.set(qn("w:val"), "vi-VN")
            found.set(qn("w:eastAsia"), "vi-VN")
        else:
            found.set(qn("w:val"), str(BODY_PT * 2))  # half-points


def _run(paragraph: Paragraph, text: str, *, size: int = BODY_PT, bold: bool = False, italic: bool = False) -> None:
    run = paragraph.add_run(text)
    _fonts(run._element)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic


def _paragraph(
    paragraph: Paragraph,
    text: str = "",
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    after: int = 0,
) -> Paragraph:
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _add(doc: DocxDocument, text: str = "", **style: Any) -> Paragraph:
    return _paragraph(doc.add_paragraph(), text, **style)


def _in_cell(cell: _Cell, lines: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """The cell's paragraphs, one per line (the first reuses the cell's empty paragraph)."""
    for index, (text, style) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _paragraph(paragraph, text, **style)


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), str(round(Mm(CELL_MARGIN_MM).twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _page_number(doc: DocxDocument) -> None:
    """Page numbers centred in the top margin, from the second page on."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", ""), ("instr", " PAGE "), ("end", "")):
        run = paragraph.add_run()
        _fonts(run._element)
        run.font.size = Pt(BODY_PT)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)


def _document(title: str, author: str) -> DocxDocument:
    """An empty A4 document with the margins, font and sizes of Decree 30/2020."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    for name in ("Normal", "Table Grid", "Header", "Footer"):
        style: Any = doc.styles[name]
        _fonts(style.element)
        if name == "Normal":
            style.font.size = Pt(BODY_PT)
            style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.line_spacing = 1.0
    _defaults(doc)
    _page_number(doc)
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.last_modified_by = author
    doc.core_properties.comments = ""
    return doc


def _rule(cell: _Cell, *, cell_mm: float, line_mm: float) -> None:
    """A solid line of ``line_mm``, centred under the cell's text (an empty paragraph's bottom border)."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((cell_mm - line_mm) / 2 - CELL_MARGIN_MM)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    border = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        border.set(qn(name), value)
    borders = OxmlElement("w:pBdr")
    borders.append(border)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _header(doc: DocxDocument, parent_name: str, unit_name: str, place: str, on: date) -> None:
    """The issuing body (left) and the national motto (right); the place and date under the motto."""
    table = doc.add_table(rows=2, cols=2)
    _widths(table, (62, TEXT_WIDTH_MM - 62))
    center = WD_ALIGN_PARAGRAPH.CENTER
    body: list[tuple[str, dict[str, Any]]] = []
    if parent_name:
        body.append((parent_name.upper(), {"size": 12, "align": center}))
    body.append((unit_name.upper(), {"size": 12, "bold": True, "align": center}))
    _in_cell(table.cell(0, 0), body)
    _rule(table.cell(0, 0), cell_mm=62, line_mm=22)
    _in_cell(
        table.cell(0, 1),
        [
            (_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), {"size": 12, "bold": True, "align": center}),
            (_("Độc lập - Tự do - Hạnh phúc"), {"size": 13, "bold": True, "align": center}),
        ],
    )
    _rule(table.cell(0, 1), cell_mm=TEXT_WIDTH_MM - 62, line_mm=62)  # about the motto's width
    _in_cell(table.cell(1, 0), [("", {})])
    _in_cell(table.cell(1, 1), [(document_date(place, on), {"size": BODY_PT, "italic": True, "align": center})])
    for cell in (table.cell(1, 0), table.cell(1, 1)):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)
    _add(doc)


TITLE_LINE: Final = 50  # characters of a 14 pt bold upper-case title that fit in the text width


def _title(doc: DocxDocument, title: str, subtitle: str) -> None:
    """The title, centred; one too long for a line is broken after its comma nearest the middle."""
    paragraph = _add(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
    commas = [i for i, char in enumerate(title) if char == ","]
    if len(title) > TITLE_LINE and commas:
        cut = min(commas, key=lambda i: abs(i - len(title) / 2)) + 1
        _run(paragraph, title[:cut], size=TITLE_PT, bold=True)
        paragraph.runs[-1].add_break()
        _run(paragraph, title[cut:].strip(), size=TITLE_PT, bold=True)
    else:
        _run(paragraph, title, size=TITLE_PT, bold=True)
    _add(doc, subtitle, size=TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _grid(
    doc: DocxDocument,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    *,
    right: Iterable[int] = (),
    bold_last: bool = False,
    size: int = TABLE_PT,
) -> Table:
    """A bordered table: a bold centred header row, then the rows (``right``: right-aligned columns)."""
    table: Table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    aligned = set(right)
    for index, header in enumerate(headers):
        _in_cell(
            table.cell(0, index),
            [(header, {"size": size, "bold": True, "align": WD_ALIGN_PARAGRAPH.CENTER})],
        )
    for r, row in enumerate(rows, start=1):
        bold = bold_last and r == len(rows)
        for c, text in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if c in aligned else None
            _in_cell(table.cell(r, c), [(text, {"size": size, "bold": bold, "align": align})])
    _widths(table, widths_mm)
    return table


def _signatures(doc: DocxDocument, left: tuple[str, str, str], right: tuple[str, str, str]) -> None:
    """Two signature blocks side by side, (title, the note under it, the name): the names on one line."""
    _add(doc)
    table = doc.add_table(rows=2, cols=2)
    _widths(table, (70, TEXT_WIDTH_MM - 70))
    center = WD_ALIGN_PARAGRAPH.CENTER
    for column, (title, note, name) in enumerate((left, right)):
        if not title:
            _in_cell(table.cell(0, column), [("", {})])
            _in_cell(table.cell(1, column), [("", {})])
            continue
        _in_cell(
            table.cell(0, column), [(title, {"bold": True, "align": center}), (note, {"italic": True, "align": center})]
        )
        _in_cell(table.cell(1, column), [*[("", {})] * 4, (name, {"bold": True, "align": center})])


def _docx_bytes(doc: DocxDocument) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _points_text(value: Decimal | None) -> str:
    return "—" if value is None else vn_number(value, 2)


def result_line(total: Decimal, level: str) -> str:
    """“Tổng điểm: 89,00 — Xếp loại: Hoàn thành tốt nhiệm vụ (HTT)”."""
    return _("Tổng điểm: %(total)s — Xếp loại: %(name)s (%(level)s)") % {
        "total": vn_number(total, 2),
        "name": level_name(level),
        "level": level,
    }


def _trace_text(line: TraceRow) -> str:
    value = vn_number(line.value) if line.value is not None else line.text
    text = f"- {line.label}: {value}"
    if line.formula:
        text += _(". Cách tính: %(formula)s") % {"formula": line.formula}
    if line.citation:
        text += _(". Căn cứ: %(citation)s") % {"citation": line.citation}
    if line.certainty and line.certainty != "verified":
        text += _(" (chưa được kiểm chứng đầy đủ: %(certainty)s)") % {"certainty": line.certainty}
    return text + "."


def sheet_docx(sheet: Sheet, *, place: str, on: date) -> bytes:
    """The sheet as an official document (Decree 30/2020/NĐ-CP), dated ``on`` at ``place``."""
    data = sheet_export(sheet)
    title = _("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC")
    doc = _document(title, data.unit_name)
    _header(doc, data.parent_name, data.unit_name, place, on)
    _title(doc, title, data.period)
    for label, value in (
        (_("Họ và tên"), data.full_name),
        (_("Đơn vị công tác"), data.unit_name),
        (_("Đối tượng đánh giá"), data.role),
    ):
        paragraph = _add(doc, after=3)
        _run(paragraph, f"{label}: ")
        _run(paragraph, value, bold=True)
    _add(doc, _("I. TIÊU CHÍ CHUNG (tối đa 30 điểm)"), bold=True, after=6)
    rows = [[g, content, vn_number(GROUP_MAX, 0), _points_text(s), _points_text(r)] for g, content, s, r in data.scores]
    rows.append(
        [
            "",
            _("Cộng"),
            vn_number(GROUP_MAX * len(GROUPS), 0),
            _points_text(_sum(s for _g, _c, s, _r in data.scores)),
            _points_text(_sum(r for _g, _c, _s, r in data.scores)),
        ]
    )
    headers = [_("Nhóm"), _("Nội dung"), _("Tối đa"), _("Tự chấm"), _("Cấp trên chấm")]
    _grid(doc, headers, rows, (15, 84, 18, 22, 26), right=(2, 3, 4), bold_last=True)
    _add(doc, after=3)
    for label, percent in data.leader_extras:
        _add(doc, f"{label}: {'—' if percent is None else vn_number(percent, 2)}", after=3)
    _add(doc, _("Tự nhận xét: %(text)s") % {"text": data.self_comment or "—"}, after=3)
    _add(doc, _("Nhận xét của cấp trên: %(text)s") % {"text": data.review_comment or "—"}, after=6)
    _add(doc, _("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ: SẢN PHẨM TRONG KỲ"), bold=True, after=6)
    product_rows = [
        [
            str(index),
            p.task_title,
            p.product,
            p.deadline.strftime("%d/%m/%Y") if p.deadline else "",
            vn_number(p.weight) if p.weight is not None else "",
            _done(p.done),
            str(p.errors),
            str(p.delays),
            _yes(p.excused),
            str(p.extensions),
        ]
        for index, p in enumerate(data.products, start=1)
    ]
    product_headers = [
        _("TT"),
        _("Nhiệm vụ"),
        _("Sản phẩm"),
        _("Hạn"),
        _("Số quy đổi"),
        _("Hoàn thành"),
        _("Sai sót lớn"),
        _("Chậm"),
        _("Khách quan"),
        _("Gia hạn"),
    ]
    if product_rows:
        widths = (8, 30, 26, 21, 14, 14, 13, 12, 15, 12)
        _grid(doc, product_headers, product_rows, widths, right=(0, 4, 6, 7, 9), size=DENSE_TABLE_PT)
    else:
        _add(doc, _("Không có sản phẩm nào có hạn trong kỳ."), italic=True)
    _add(doc, after=3)
    _add(doc, _("III. KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI"), bold=True, after=6)
    result = data.result
    if result is None:
        _add(doc, _("Chưa có quyết định xếp loại (trạng thái: %(state)s).") % {"state": data.state}, after=6)
    else:
        _add(doc, result_line(result.total, result.level), bold=True, after=6)
        if result.forced_reasons:
            _add(
                doc,
                (
                    _("Xếp loại không hoàn thành nhiệm vụ do: %(reasons)s (căn cứ: %(basis)s).")
                    if data.facts_basis
                    else _("Xếp loại không hoàn thành nhiệm vụ do: %(reasons)s.")
                )
                % {"reasons": "; ".join(result.forced_reasons), "basis": data.facts_basis},
                after=3,
            )
        decided = result.decided_on.strftime("%d/%m/%Y")
        if result.number:
            line = _("Quyết định số %(number)s ngày %(day)s (lần %(seq)s).") % {
                "number": result.number,
                "day": decided,
                "seq": result.seq,
            }
        else:
            line = _("Quyết định xếp loại ngày %(day)s (lần %(seq)s).") % {"day": decided, "seq": result.seq}
        _add(doc, line, after=3)
        if result.correction_reason:
            _add(doc, _("Lý do điều chỉnh: %(text)s") % {"text": result.correction_reason}, after=3)
        if result.quota_override_reason:
            _add(
                doc,
                _("Lý do vượt tỷ lệ hoàn thành xuất sắc: %(text)s") % {"text": result.quota_override_reason},
                after=3,
            )
        _add(doc, _("Diễn giải kết quả:"), bold=True, after=3)
        for trace in result.trace:
            _add(doc, _trace_text(trace), after=3)
    signer = result.decided_by if result is not None else data.reviewer
    _signatures(
        doc,
        (_("NGƯỜI TỰ ĐÁNH GIÁ"), _("(Ký, ghi rõ họ tên)"), data.full_name),
        (_("NGƯỜI CÓ THẨM QUYỀN ĐÁNH GIÁ"), _("(Ký, ghi rõ họ tên)"), signer),
    )
    return _docx_bytes(doc)


# -- a unit's list ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    number: int
    full_name: str
    role: str
    unit_name: str
    total: Decimal | None
    level: str  # "" when undecided
    note: str


@dataclass(frozen=True)
class ListSummary:
    counts: dict[str, int]  # per level, in the order HTXS, HTT, HT, KHT
    undecided: int
    total: int
    htxs_share: Decimal | None  # HTXS ÷ HTT in %, None when nobody is HTT
    max_share: Decimal | None  # the rule set's maximum, in %
    citation: str


def list_rows(sheets: QuerySet[Sheet]) -> list[ListRow]:
    """The list's rows in the order of ``sheets`` (annotated by ``services.latest_decisions``), one query."""
    if "level" not in sheets.query.annotations:
        sheets = latest_decisions(sheets)
    latest = Decision.objects.filter(sheet=OuterRef("pk")).order_by("-seq")
    annotated = sheets.select_related("person", "unit").annotate(
        export_forced_reasons=Subquery(latest.values("forced_reasons")[:1], output_field=JSONField()),
        export_override=Subquery(latest.values("quota_override_reason")[:1]),
    )
    rows = []
    for number, sheet in enumerate(annotated, start=1):
        level = getattr(sheet, "level", None) or ""
        reasons = getattr(sheet, "export_forced_reasons", None) or []
        if isinstance(reasons, str):
            reasons = json.loads(reasons)
        notes = [str(r) for r in reasons]
        override = getattr(sheet, "export_override", None) or ""
        if override:
            notes.append(_("Vượt tỷ lệ hoàn thành xuất sắc: %(reason)s") % {"reason": override})
        if not level:
            notes = [_("chưa quyết định")]
        rows.append(
            ListRow(
                number=number,
                full_name=sheet.person.full_name,
                role=sheet.get_role_display(),
                unit_name=sheet.unit.name,
                total=_decimal(getattr(sheet, "total", None)) if level else None,
                level=level,
                note="; ".join(notes),
            )
        )
    return rows


def list_summary(rows: Sequence[ListRow], period: Period) -> ListSummary:
    """Counts per level, and the share of HTXS in the number rated HTT with the rule set's maximum."""
    counts = dict.fromkeys(LEVELS, 0)
    for row in rows:
        if row.level in counts:
            counts[row.level] += 1
    htt = counts["HTT"]
    share = (Decimal(100) * counts["HTXS"] / htt).quantize(Decimal("0.01")) if htt else None
    max_share: Decimal | None = None
    citation = ""
    try:
        spec = registry().params_for(period.end).get("quota.htxs_share_of_htt")
        max_share = (Decimal(str(spec.value)) * 100).normalize()
        citation = spec.citation
    except (EvaluationError, RuleDataError):
        pass
    return ListSummary(
        counts=counts,
        undecided=sum(1 for r in rows if not r.level),
        total=len(rows),
        htxs_share=share,
        max_share=max_share,
        citation=citation,
    )


def share_line(summary: ListSummary) -> str:
    """“Tỷ lệ hoàn thành xuất sắc nhiệm vụ so với số hoàn thành tốt nhiệm vụ: 1/5 (20,00%); tối đa 20% (…)”."""
    share = "—" if summary.htxs_share is None else f"{vn_number(summary.htxs_share, 2)}%"
    text = _("Tỷ lệ hoàn thành xuất sắc nhiệm vụ so với số hoàn thành tốt nhiệm vụ: %(htxs)s/%(htt)s (%(share)s)") % {
        "htxs": summary.counts["HTXS"],
        "htt": summary.counts["HTT"],
        "share": share,
    }
    if summary.max_share is not None:
        text += _("; tối đa %(max)s%%") % {"max": vn_number(summary.max_share)}
        if summary.citation:
            text += f" ({summary.citation})"
    return text + "."


def _list_title() -> str:
    return _("DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC")


def unit_list_xlsx(unit: Unit, period: Period, sheets: QuerySet[Sheet]) -> bytes:
    """The unit's classification list of the period as a workbook, with the counts per level at the end."""
    rows = list_rows(sheets)
    summary = list_summary(rows, period)
    book = Workbook()
    out = _Sheet(book, _("Danh sách xếp loại"), widths=(8, 30, 18, 28, 12, 10, 50))
    out.row(_list_title(), bold=True)
    out.row(_("Đơn vị"), unit.name)
    out.row(_("Kỳ đánh giá"), str(period))
    out.blank()
    out.row(
        _("STT"), _("Họ và tên"), _("Đối tượng"), _("Đơn vị"), _("Tổng điểm"), _("Xếp loại"), _("Ghi chú"), bold=True
    )
    for row in rows:
        out.row(row.number, row.full_name, row.role, row.unit_name, row.total, row.level or None, row.note)
    out.blank()
    out.row(_("Tổng hợp"), bold=True)
    for level, count in summary.counts.items():
        out.row(f"{level_name(level)} ({level})", count)
    out.row(_("Chưa quyết định"), summary.undecided)
    out.row(_("Tổng số"), summary.total, bold=True)
    out.row(_("Tỷ lệ HTXS so với HTT (%)"), summary.htxs_share)
    out.row(_("Tỷ lệ tối đa theo quy định (%)"), summary.max_share, summary.citation or None)
    return out.bytes(book)


def unit_list_docx(
    unit: Unit, period: Period, sheets: QuerySet[Sheet], *, place: str, on: date, signer: str = ""
) -> bytes:
    """The unit's classification list as an official document, signed by the head of the unit (``signer``)."""
    rows = list_rows(sheets)
    summary = list_summary(rows, period)
    title = _list_title()
    doc = _document(title, unit.name)
    parent = unit.parent.name if unit.parent_id is not None and unit.parent is not None else ""
    _header(doc, parent, unit.name, place, on)
    _title(doc, title, str(period))
    headers = [_("STT"), _("Họ và tên"), _("Đối tượng"), _("Đơn vị"), _("Tổng điểm"), _("Xếp loại"), _("Ghi chú")]
    table_rows = [
        [
            str(r.number),
            r.full_name,
            r.role,
            r.unit_name,
            _points_text(r.total) if r.level else "",
            r.level,
            r.note,
        ]
        for r in rows
    ]
    if table_rows:
        _grid(doc, headers, table_rows, (11, 38, 22, 30, 17, 15, 32), right=(0, 4))
    else:
        _add(doc, _("Chưa có phiếu đánh giá nào trong kỳ."), italic=True)
    _add(doc, after=3)
    _add(doc, _("Tổng hợp:"), bold=True, after=3)
    for level, count in summary.counts.items():
        _add(doc, _("- %(name)s (%(level)s): %(n)s người") % {"name": level_name(level), "level": level, "n": count})
    _add(doc, _("- Chưa quyết định: %(n)s người") % {"n": summary.undecided})
    _add(doc, _("Tổng số: %(n)s người") % {"n": summary.total}, bold=True, after=3)
    _add(doc, share_line(summary), after=3)
    _signatures(
        doc,
        ("", "", ""),
        (_("THỦ TRƯỞNG ĐƠN VỊ"), _("(Ký, ghi rõ họ tên, đóng dấu)"), signer),
    )
    return _docx_bytes(doc)
