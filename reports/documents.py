"""Periodic report documents: ``ReportContent`` in, file bytes out (.docx, .xlsx, chart .png, .pdf).

The .docx follows the layout of official documents: the Party's guidance 36-HD/VPTW for the Steering
Committee's report (left header "TỈNH ỦY HƯNG YÊN / BAN CHỈ ĐẠO …", right "ĐẢNG CỘNG SẢN VIỆT NAM", number
"Số …-BC/BCĐ") and Decree 30/2020/NĐ-CP for an agency's report (national motto on the right, "Số: …/BC-…"):
Times New Roman 14 pt, A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, "Nơi nhận" and signature
blocks. No ORM here: the builders are tested by opening what they return.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.formatting import vn_date
from core.palette import STATUS_COLOURS
from core.spreadsheets import neutralise

from . import drafting
from .content import STATUS_LABELS, STATUS_ORDER, TASK_COLUMNS, TASK_LABELS, AgencyTaskRow, ReportContent, TargetRow

FONT = "Times New Roman"
PARTY = "party"  # 36-HD/VPTW layout
STATE = "state"  # Decree 30/2020/NĐ-CP layout


def _period_in_sentence(label: str) -> str:
    """ "Quý II/2026" inside a sentence: "quý II/2026" (only the first letter drops its capital)."""
    return label[:1].lower() + label[1:]


_KIND_WORDS = {"month": "tháng", "quarter": "quý", "half_year": "6 tháng", "year": "năm"}


#: who signs (Decree 30/2020, Art. 13; Hướng dẫn 36-HD/VPTW for Party bodies): directly as the head, on behalf of
#: the collective (T/M), in place of the head (KT.), by order of the head (TL.), or as acting head (Q.)
DIRECT, ON_BEHALF, DEPUTY, BY_ORDER, ACTING = "tt", "tm", "kt", "tl", "q"
AUTHORITY_PREFIX = {
    PARTY: {ON_BEHALF: "T/M", DEPUTY: "K/T", BY_ORDER: "T/L", ACTING: "Q."},
    STATE: {ON_BEHALF: "TM.", DEPUTY: "KT.", BY_ORDER: "TL.", ACTING: "Q."},
}


def signature_lines(layout: str, authority: str, *, collective: str, head: str, title: str) -> tuple[str, str]:
    """The two lines above the signature: ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), ("T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN"),
    ("Q. GIÁM ĐỐC", ""), or ("", "GIÁM ĐỐC") when the head signs in their own name."""
    prefix = AUTHORITY_PREFIX[layout].get(authority, "")
    if authority == ON_BEHALF:
        return f"{prefix} {collective or head}", title or head
    if authority in (DEPUTY, BY_ORDER):
        return f"{prefix} {head}", title
    if authority == ACTING:
        return f"{prefix} {head}", ""
    return "", title or head


@dataclass
class Letterhead:
    """Who issues the report and how it is signed; the services fill it from settings and the agency."""

    layout: str  # PARTY or STATE
    parent: str  # "TỈNH ỦY HƯNG YÊN" / "UBND TỈNH HƯNG YÊN"
    issuer: str  # "BAN CHỈ ĐẠO …" / "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    number: str  # "Số 12-BC/BCĐ" as it is printed; a draft leaves the number blank
    place: str
    issued_on: date | None
    signer_capacity: str  # "T/M BAN CHỈ ĐẠO"
    signer_title: str  # "TRƯỞNG BAN"
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    draft: bool = True


def place_and_date(place: str, day: date | None) -> str:
    """The place-and-date line: "Hưng Yên, ngày 05 tháng 7 năm 2026" (day and month below 10 take a zero
    only for day 1–9 and month 1–2 under Decree 30; a draft leaves blanks to fill by hand)."""
    if day is None:
        return f"{place}, ngày      tháng      năm"
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


def report_subject(content: ReportContent) -> str:
    return (
        f"Kết quả thực hiện Kế hoạch số {content.plan_code} ngày {vn_date(content.plan_issued_on)} "
        f"của Ban Thường vụ Tỉnh ủy, {_period_in_sentence(content.period_label)}"
    )


#: how many agency names an overdue row of the .docx lists before "và N cơ quan, đơn vị khác"
OVERDUE_NAMES_SHOWN = 8


def overdue_by_task(content: ReportContent) -> list[tuple[int, str, date, int, str]]:
    """Overdue work for the printed report: one row per task and deadline, naming the agencies behind.

    A task every commune must do would otherwise fill pages with one row per commune; the .xlsx keeps them all.
    """
    grouped: dict[tuple[int, date], list] = {}
    for row in content.overdue:
        grouped.setdefault((row.task, row.due_on), []).append(row)
    result = []
    for (task, due_on), rows in grouped.items():
        names = [r.agency for r in rows]
        shown = ", ".join(names[:OVERDUE_NAMES_SHOWN])
        if len(names) > OVERDUE_NAMES_SHOWN:
            shown += f" và {len(names) - OVERDUE_NAMES_SHOWN} cơ quan, đơn vị khác"
        result.append((task, rows[0].title, due_on, rows[0].days_late, shown))
    return result


# --- chart -------------------------------------------------------------------------------------------------


def build_status_chart(content: ReportContent) -> bytes | None:
    """A stacked bar per indicator group: how many targets stand at each status. PNG bytes, or None if empty."""
    if not content.groups:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    labels = [f"Nhóm {g.code}" for g in content.groups][::-1]
    counts = [g.counts for g in content.groups][::-1]
    figure, axes = plt.subplots(figsize=(6.3, 0.4 * len(labels) + 0.8), dpi=150)
    left = [0] * len(labels)
    for status in STATUS_ORDER:
        values = [c[status] for c in counts]
        if not any(values):
            continue
        axes.barh(labels, values, left=left, color=STATUS_COLOURS[status], label=STATUS_LABELS[status], height=0.6)
        for index, value in enumerate(values):
            if value:
                axes.text(left[index] + value / 2, index, str(value), ha="center", va="center", fontsize=8)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("Số mục tiêu", fontsize=9)
    axes.tick_params(labelsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, fontsize=7.5, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


# --- .docx -------------------------------------------------------------------------------------------------


def _font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None, underline=None):
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic
    if underline is not None:
        run.underline = underline
    return run


def _para(
    container,
    text: str = "",
    *,
    size=14,
    bold=False,
    italic=False,
    underline=False,
    align=None,
    indent=True,
    before=0,
    after=6,
):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.15
    if align is not None:
        paragraph.alignment = align
        fmt.first_line_indent = None
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1) if indent else None
    if text:
        _font(paragraph.add_run(text), size, bold, italic, underline)
    return paragraph


def _cell_text(cell, text: str, *, size=12, bold=False, italic=False, underline=False, align=None, first=True):
    paragraph = cell.paragraphs[0] if first and not cell.paragraphs[0].text else cell.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), size, bold, italic, underline)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _no_cell_margins(table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths in the table grid (LibreOffice reads the grid) and in every cell (Word reads cells)."""
    table.autofit = False
    for index, width in enumerate(widths_cm):
        table.columns[index].width = Cm(width)
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def _grid(document, headers: list[str], widths_cm: list[float], rows: list[list[str]], *, centred=()) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, header in enumerate(headers):
        cell = table.rows[0].cells[index]
        _cell_text(cell, header, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "E7ECF3")
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        if isinstance(values, tuple) and values and values[0] == "__group__":
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, values[1], size=12, bold=True)
            _shade(merged, "F5F5F5")
            continue
        for index, value in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.CENTER if index in centred else None
            _cell_text(cells[index], str(value), size=12, align=align)
    _widths(table, widths_cm)
    _para(document, "", after=2)


def _page_number_header(section) -> None:
    """Page numbers at the top centre from page 2 on, as both guidances ask; none on the first page."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _font(paragraph.add_run(), 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _rule(cell, width_cm: float, column_cm: float) -> None:
    """A centred horizontal line ``width_cm`` long: an empty paragraph with a bottom border, indented."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    side = Cm(max((column_cm - 0.4 - width_cm) / 2, 0))
    fmt.left_indent, fmt.right_indent = side, side
    fmt.line_spacing = Pt(4)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _letterhead(document, head: Letterhead) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    widths = [7.6, 8.9] if head.layout == PARTY else [6.9, 9.6]
    _widths(table, widths)
    if head.layout == STATE:
        _no_cell_margins(table)  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ" and the national title each fit on one line
    left, right = table.rows[0].cells
    centre = WD_ALIGN_PARAGRAPH.CENTER
    if head.layout == PARTY:
        _cell_text(left, head.parent, size=14, align=centre)
        _cell_text(left, head.issuer, size=14, bold=True, align=centre, first=False)
        _cell_text(left, "*", size=14, align=centre, first=False)
        _cell_text(left, head.number, size=14, align=centre, first=False)
        _cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", size=15, bold=True, underline=True, align=centre)
        _cell_text(right, "", size=14, first=False)
        _cell_text(right, place_and_date(head.place, head.issued_on), size=14, italic=True, align=centre, first=False)
    else:
        _cell_text(left, head.parent, size=13, align=centre)
        # the issuer's name in one line where it fits; a short rule under it (never an underline that would
        # follow the text onto a second line)
        _cell_text(left, head.issuer, size=13 if len(head.issuer) <= 20 else 12, bold=True, align=centre, first=False)
        _rule(left, 2.4, widths[0])
        _cell_text(left, head.number, size=13, align=centre, first=False)
        _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=centre)
        _cell_text(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align=centre, first=False)
        _rule(right, 6.0, widths[1])
        _cell_text(right, place_and_date(head.place, head.issued_on), size=13, italic=True, align=centre, first=False)


def _closing(document, head: Letterhead) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [8.5, 8.0])
    left, right = table.rows[0].cells
    if head.layout == PARTY:
        _cell_text(left, "Nơi nhận:", size=14, underline=True)
    else:
        _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in head.recipients:
        _cell_text(left, line, size=12 if head.layout == PARTY else 11, first=False)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    for index, line in enumerate([text for text in (head.signer_capacity, head.signer_title) if text] or [""]):
        _cell_text(right, line, size=14, bold=True, align=centre, first=index == 0)
    _signature_space(right)
    _cell_text(right, head.signer_name, size=14, bold=True, align=centre, first=False)
    # the block never splits across pages: the signature stays with the recipients and the closing sentence
    cant_split = OxmlElement("w:cantSplit")
    table.rows[0]._tr.get_or_add_trPr().append(cant_split)


#: where the signature goes: a space of this size (width, height in cm) between the signer's title and name,
#: its top left corner marked by a bookmark that LibreOffice exports as a named destination of the PDF, so that
#: the visible digital signature (reports/signing.py) is drawn exactly there
SIGNATURE_ANCHOR = "ChuKySo"
SIGNATURE_SPACE_CM = (7.6, 4.0)


def signature_space_points() -> tuple[float, float]:
    width, height = SIGNATURE_SPACE_CM
    return width / 2.54 * 72, height / 2.54 * 72


def _signature_space(cell) -> None:
    """One empty line exactly as tall as the signature space (room for a hand signature and the seal too)."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Cm(SIGNATURE_SPACE_CM[1])
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "65")
    start.set(qn("w:name"), SIGNATURE_ANCHOR)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "65")
    paragraph._p.append(start)
    paragraph._p.append(end)


def _text_block(document, text: str) -> None:
    """A section's text: one paragraph a line, "- " lines as the indented dashes of official documents."""
    for line in text.splitlines():
        if line.strip():
            _para(document, line.strip())


def _cells(rows: list[TargetRow]) -> list[list[TargetRow]]:
    """Rows of one cell together: a cell with several targets is printed whole, once."""
    cells: dict[int, list[TargetRow]] = {}
    for row in rows:
        cells.setdefault(row.cell or id(row), []).append(row)
    return list(cells.values())


def _result(row: TargetRow) -> str:
    """A target's latest value with its period, and for a value aggregated from agencies its coverage."""
    if not row.latest:
        return "–"
    return f"{row.latest}; {row.coverage} có số liệu" if row.coverage else row.latest


def _cell_row(rows: list[TargetRow]) -> list[str]:
    first = rows[0]
    if len(rows) == 1:
        return [first.indicator, first.target, _result(first), first.status_label]
    latest = "\n".join(f"{r.metric}: {_result(r)}" for r in rows)
    statuses = "\n".join(r.status_label for r in rows)
    return [first.indicator, first.target, latest, statuses]


def _task_table(document, rows: list[AgencyTaskRow], first_header: str, *, with_total: bool) -> None:
    shown = [*rows, _total(rows)] if with_total else list(rows)
    table_rows = [
        [str(i), r.agency, *[drafting.n(getattr(r, c)) for c in TASK_COLUMNS], drafting.n(r.total)]
        for i, r in enumerate(shown, start=1)
    ]
    if with_total:
        table_rows[-1][0] = ""
    _grid(
        document,
        ["STT", first_header, *[TASK_LABELS[c] for c in TASK_COLUMNS], "Tổng"],
        [1.3, 3.8, 2.0, 2.0, 2.0, 2.0, 2.0, 1.4],
        table_rows,
        centred=(0, 2, 3, 4, 5, 6, 7),
    )


def _total(rows: list[AgencyTaskRow]) -> AgencyTaskRow:
    total = AgencyTaskRow(agency="Tổng cộng")
    for row in rows:
        for column in TASK_COLUMNS:
            setattr(total, column, getattr(total, column) + getattr(row, column))
    return total


def build_docx(
    content: ReportContent,
    head: Letterhead,
    narrative: str = "",
    chart_png: bytes | None = None,
    sections: dict[str, str] | None = None,
) -> bytes:
    """The report as an official .docx; ``sections`` are the four sections' texts (drafted or edited)."""
    if sections is None:
        sections = drafting.sections_draft(content, {drafting.RESULTS: narrative})
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    document.core_properties.title = f"Báo cáo {content.period_label}"
    document.core_properties.author = head.issuer.title()
    _page_number_header(section)

    _letterhead(document, head)
    if head.draft:
        _para(document, "DỰ THẢO", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=0)
    # the document type's name: 15–16 pt under 36-HD/VPTW, 13–14 pt under Decree 30/2020 (Phụ lục I)
    title_size = 16 if head.layout == PARTY else 14
    _para(document, "BÁO CÁO", size=title_size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
    _para(document, report_subject(content), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(
        document,
        f"(Số liệu tính đến ngày {vn_date(content.as_of)})",
        size=14,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
    )
    # which figures the as-of date counts: what was approved by then, or what is known now (indicators.readings)
    _para(document, content.reading_sentence, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(document, "-----", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)

    who = "Ban Chỉ đạo tỉnh" if content.agency is None else content.agency
    _para(
        document,
        f"Thực hiện chế độ báo cáo {_KIND_WORDS[content.period_kind]} theo mục IV.8 Kế hoạch số {content.plan_code}, "
        f"{who} báo cáo kết quả thực hiện {_period_in_sentence(content.period_label)} "
        f"(từ ngày {vn_date(content.starts_on)} đến ngày {vn_date(content.ends_on)}) như sau:",
    )
    texts = sections or drafting.sections_draft(content)

    _para(document, drafting.SECTION_TITLES[drafting.RESULTS], bold=True, before=6)
    _text_block(document, texts[drafting.RESULTS])
    _para(document, f"1. Thực hiện các chỉ tiêu đến năm {content.milestone}", bold=True, italic=True)
    if content.comparison:
        _grid(
            document,
            [
                "Nhóm chỉ tiêu",
                "Số mục tiêu định lượng",
                f"Đạt, đúng lộ trình {_period_in_sentence(content.period_label)}",
                f"{content.previous_label}",
                f"Cùng kỳ năm trước ({content.last_year_label})",
            ],
            [6.3, 2.3, 2.7, 2.5, 2.7],
            [
                [
                    f"{c.code}. {c.title}",
                    drafting.n(c.total),
                    drafting.n(c.now),
                    "–" if c.previous is None else drafting.n(c.previous),
                    "–" if c.last_year is None else drafting.n(c.last_year),
                ]
                for c in content.comparison
            ],
            centred=(1, 2, 3, 4),
        )
    if content.groups:
        rows: list = []
        for group in content.groups:
            rows.append(("__group__", f"{group.code}. {group.title}"))
            rows += [_cell_row(cell) for cell in _cells(group.rows)]
        _grid(
            document,
            ["Mã", f"Mục tiêu đến năm {content.milestone}", "Kết quả đạt được (kỳ của số liệu)", "Đánh giá"],
            [1.3, 7.0, 5.0, 3.2],
            rows,
            centred=(0,),
        )
    if content.targets_note:
        _para(document, f"Ghi chú: {content.targets_note}", size=12, italic=True, before=3)
    for sentence in content.adjustments:
        _para(document, sentence)
    if chart_png:
        document.add_picture(io.BytesIO(chart_png), width=Cm(14))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(
            document,
            "Biểu đồ 1. Tình trạng các mục tiêu theo nhóm chỉ tiêu",
            size=12,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )

    _para(document, f"2. Thực hiện các nhiệm vụ {_period_in_sentence(content.period_label)}", bold=True, italic=True)
    if content.tasks_by_kind and content.agency is None:
        _task_table(document, content.tasks_by_kind, "Loại cơ quan, đơn vị", with_total=True)
    if content.tasks_by_agency or content.tasks_localities:
        rows_shown = list(content.tasks_by_agency)
        if content.tasks_localities:
            communes = AgencyTaskRow(
                agency=f"Các xã, phường ({drafting.n(len(content.tasks_localities))} đơn vị; chi tiết tại Phụ lục)"
            )
            for row in content.tasks_localities:
                for column in TASK_COLUMNS:
                    setattr(communes, column, getattr(communes, column) + getattr(row, column))
            rows_shown.append(communes)
        if content.agency is None:
            _para(document, "Chi tiết theo cơ quan, đơn vị:", italic=True)
        _task_table(document, rows_shown, "Cơ quan, đơn vị", with_total=content.agency is None)
    else:
        _para(document, "Không có nhiệm vụ đến hạn trong kỳ.")
    if content.overdue:
        _para(document, "Các nhiệm vụ quá hạn, chưa hoàn thành:", italic=True)
        _grid(
            document,
            ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Hạn hoàn thành", "Số ngày quá hạn"],
            [1.3, 7.2, 3.5, 2.4, 2.1],
            [
                [str(i), f"{task}. {drafting.short_title(title)}", agencies, vn_date(due_on), drafting.n(days)]
                for i, (task, title, due_on, days, agencies) in enumerate(overdue_by_task(content), start=1)
            ],
            centred=(0, 3, 4),
        )

    if content.recommendations_overdue:
        _para(document, "Các kiến nghị sau kiểm tra quá hạn, chưa hoàn thành:", italic=True)
        _grid(
            document,
            ["STT", "Kiến nghị", "Cơ quan thực hiện", "Hạn hoàn thành", "Số ngày quá hạn"],
            [1.3, 7.2, 3.5, 2.4, 2.1],
            [
                [
                    str(i),
                    f"{r.number}. {drafting.short_title(r.text)} ({r.inspection})",
                    r.agency,
                    vn_date(r.due_on),
                    drafting.n(r.days_late),
                ]
                for i, r in enumerate(content.recommendations_overdue, start=1)
            ],
            centred=(0, 3, 4),
        )

    if content.agency is not None:
        _para(document, "3. Số liệu đã được phê duyệt trong kỳ", bold=True, italic=True)
        if content.figures:
            _grid(
                document,
                ["STT", "Chỉ số", "Kỳ", "Giá trị", "Đơn vị"],
                [1.3, 7.8, 3.2, 2.4, 1.8],
                [[str(i), f.metric, f.period, f.value, f.unit] for i, f in enumerate(content.figures, start=1)],
                centred=(0, 3),
            )
        else:
            _para(document, "Chưa có số liệu được phê duyệt trong kỳ.")

    for key in (drafting.DIFFICULTIES, drafting.DIRECTIONS, drafting.PROPOSALS):
        title = drafting.SECTION_TITLES[key]
        if key == drafting.DIRECTIONS:
            title = f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM {content.next_label.upper()}"
        _para(document, title, bold=True, before=6)
        _text_block(document, texts[key])

    closing = _para(
        document,
        f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {content.plan_code} "
        f"{_period_in_sentence(content.period_label)} của {who}./.",
        before=6,
        after=12,
    )
    closing.paragraph_format.keep_with_next = True  # the signature is never alone on a page
    _closing(document, head)
    appendices = []
    if content.tasks_localities and content.agency is None:
        appendices.append("communes")
    if content.not_reporting:
        appendices.append("not_reporting")
    for number, appendix in enumerate(appendices, start=1):
        title = "PHỤ LỤC" if len(appendices) == 1 else f"PHỤ LỤC {number}"
        heading = _para(document, title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        # a new page by the heading's own property: a paragraph holding a page break, after a signature block
        # that ends at the foot of a page, made a blank page of its own
        heading.paragraph_format.page_break_before = True
        if appendix == "communes":
            _para(
                document,
                f"Tiến độ thực hiện nhiệm vụ {_period_in_sentence(content.period_label)} của các xã, phường",
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
            _task_table(document, content.tasks_localities, "Xã, phường", with_total=False)
        else:
            _para(
                document,
                f"Các cơ quan, đơn vị {drafting.not_reporting_what(content)}",
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
            _grid(
                document,
                ["STT", "Cơ quan, đơn vị"],
                [1.5, 15.0],
                [[str(i), name] for i, name in enumerate(content.not_reporting, start=1)],
                centred=(0,),
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- .xlsx -------------------------------------------------------------------------------------------------


def _sheet(workbook, title: str, heading: str, headers: list[str], rows: list[list], widths: list[int]):
    sheet = workbook.create_sheet(title)
    sheet["A1"] = neutralise(heading)
    sheet["A1"].font = Font(name=FONT, bold=True, size=13)
    thin = Side(style="thin", color="999999")
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=3, column=column, value=header)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="E7ECF3")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row_index, values in enumerate(rows, start=4):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_index, column=column, value=neutralise(value))
            cell.font = Font(name=FONT)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A4"
    return sheet


def _xlsx_value(row: TargetRow) -> float | None:
    """A number the spreadsheet can compute with: a percentage as its fraction (shown "66,17%")."""
    if row.value is None:
        return None
    return row.value / 100 if row.unit == "%" else row.value


def _number_format(row: TargetRow) -> str:
    """Excel number formats are written in the invariant notation; Excel and LibreOffice show them with the
    reader's separators, "66,17%" and "2.559,5" on a Vietnamese system."""
    if row.unit == "%":
        return "0.00%"
    if row.value is not None and float(row.value).is_integer():
        return "#,##0"
    return "#,##0.00"


def build_xlsx(content: ReportContent) -> bytes:
    """The report's tables, one sheet each, with the same rows and numbers as the .docx."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    subject = report_subject(content) + f" (số liệu tính đến ngày {vn_date(content.as_of)}). {content.reading_sentence}"
    targets = _sheet(
        workbook,
        "Chỉ tiêu",
        subject,
        [
            "Nhóm",
            "Mã",
            f"Mục tiêu đến năm {content.milestone}",
            "Chỉ số",
            "Kết quả đạt được",
            "Đơn vị",
            "Kỳ của số liệu",
            "Đánh giá",
            "Số cơ quan có số liệu",
        ],
        [
            [g.code, r.indicator, r.target, r.metric, _xlsx_value(r), r.unit, r.period, r.status_label, r.coverage]
            for g in content.groups
            for r in g.rows
        ],
        [7, 7, 60, 40, 16, 12, 18, 20, 16],
    )
    rows = [r for g in content.groups for r in g.rows]
    for row, cell in zip(rows, targets.iter_rows(min_row=4, min_col=5, max_col=5), strict=True):
        cell[0].number_format = _number_format(row)
    notes = ([f"Ghi chú: {content.targets_note}"] if content.targets_note else []) + content.adjustments
    for offset, note in enumerate(notes, start=targets.max_row + 2):
        targets.cell(row=offset, column=1, value=neutralise(note)).font = Font(name=FONT, italic=True)
    tasks = _sheet(
        workbook,
        "Nhiệm vụ theo cơ quan",
        f"Tiến độ thực hiện nhiệm vụ {_period_in_sentence(content.period_label)} theo cơ quan",
        ["Loại", "Cơ quan, đơn vị", *[TASK_LABELS[c] for c in TASK_COLUMNS], "Tổng"],
        [
            [kind, r.agency, *[getattr(r, c) for c in TASK_COLUMNS], r.total]
            for kind, rows_of_kind in (("Cơ quan", content.tasks_by_agency), ("Xã, phường", content.tasks_localities))
            for r in rows_of_kind
        ]
        + [["", "Tổng cộng", *[getattr(content.task_totals, c) for c in TASK_COLUMNS], content.task_totals.total]],
        [12, 40, 14, 14, 14, 14, 14, 10],
    )
    for row in tasks.iter_rows(min_row=4, min_col=3, max_col=8):
        for cell in row:
            cell.number_format = "#,##0"
    _sheet(
        workbook,
        "Nhiệm vụ quá hạn",
        "Các nhiệm vụ quá hạn, chưa hoàn thành",
        ["Nhiệm vụ", "Tên nhiệm vụ", "Cơ quan chủ trì", "Hạn hoàn thành", "Số ngày quá hạn"],
        [[r.task, r.title, r.agency, r.due_on, r.days_late] for r in content.overdue],
        [10, 70, 30, 16, 14],
    )
    for row in workbook["Nhiệm vụ quá hạn"].iter_rows(min_row=4, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    if content.recommendations.total:
        _sheet(
            workbook,
            "Kiến nghị quá hạn",
            "Các kiến nghị sau kiểm tra quá hạn, chưa hoàn thành",
            ["Đợt kiểm tra", "Kiến nghị", "Nội dung", "Cơ quan thực hiện", "Hạn hoàn thành", "Số ngày quá hạn"],
            [
                [r.inspection, r.number, r.text, r.agency, r.due_on, r.days_late]
                for r in content.recommendations_overdue
            ],
            [40, 10, 70, 30, 16, 14],
        )
        for row in workbook["Kiến nghị quá hạn"].iter_rows(min_row=4, min_col=5, max_col=5):
            row[0].number_format = "DD/MM/YYYY"
    if content.agency is not None:
        _sheet(
            workbook,
            "Số liệu",
            "Số liệu đã được phê duyệt trong kỳ",
            ["Chỉ số", "Kỳ", "Giá trị", "Đơn vị"],
            [[f.metric, f.period, f.number, f.unit] for f in content.figures],
            [60, 20, 16, 12],
        )
        for row in workbook["Số liệu"].iter_rows(min_row=4, min_col=3, max_col=3):
            row[0].number_format = "#,##0.##"
    _sheet(
        workbook,
        "Khó khăn, kiến nghị",
        "Khó khăn, vướng mắc và kiến nghị, đề xuất của các cơ quan",
        ["Loại", "Cơ quan, đơn vị", "Nhiệm vụ", "Nội dung"],
        [["Khó khăn, vướng mắc", r.agency, r.task, r.text] for r in content.difficulties]
        + [["Kiến nghị, đề xuất", r.agency, r.task, r.text] for r in content.proposals],
        [22, 35, 10, 80],
    )
    workbook.properties.title = subject
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- .pdf --------------------------------------------------------------------------------------------------


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, timeout: int = 180) -> bytes | None:
    """Convert with LibreOffice headless when it is installed (optional at runtime); None when it is not."""
    soffice = soffice_path()
    if not soffice:
        return None
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(docx)
        # a private profile per conversion: concurrent conversions would otherwise fight over one lock
        profile = (work / "profile").as_uri()
        subprocess.run(  # noqa: S603 - fixed arguments, no shell, the path comes from shutil.which
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                # bookmarks as named destinations: the signature space's position (SIGNATURE_ANCHOR)
                'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}',
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        target = work / "report.pdf"
        return target.read_bytes() if target.exists() else None
