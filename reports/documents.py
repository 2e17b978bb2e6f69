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
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.formatting import vn_date
from core.palette import STATUS_COLOURS
from core.spreadsheets import neutralise

from .content import STATUS_LABELS, STATUS_ORDER, TASK_COLUMNS, TASK_LABELS, ReportContent

FONT = "Times New Roman"
PARTY = "party"  # 36-HD/VPTW layout
STATE = "state"  # Decree 30/2020/NĐ-CP layout


def _period_in_sentence(label: str) -> str:
    """ "Quý II/2026" inside a sentence: "quý II/2026" (only the first letter drops its capital)."""
    return label[:1].lower() + label[1:]


_KIND_WORDS = {"month": "tháng", "quarter": "quý", "half_year": "6 tháng", "year": "năm"}


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


def default_narrative(content: ReportContent) -> str:
    """A first narrative written from the numbers, which the standing office edits before issuing."""
    totals = content.status_totals
    measured = sum(totals.values()) - totals["qualitative"]
    tasks = content.task_totals
    return (
        f"Tính đến ngày {vn_date(content.as_of)}, trong {measured} mục tiêu định lượng đến năm {content.milestone}, "
        f"có {totals['achieved']} mục tiêu đã đạt, {totals['on_track']} mục tiêu đúng lộ trình, "
        f"{totals['accelerate'] + totals['limited'] + totals['regressing']} mục tiêu cần tăng tốc hoặc tiến triển chậm "
        f"và {totals['no_data']} mục tiêu chưa có số liệu. Về nhiệm vụ, {tasks.done_on_time} lượt nhiệm vụ hoàn thành "
        f"đúng hạn, {tasks.done_late} lượt hoàn thành quá hạn, {tasks.overdue} lượt quá hạn chưa hoàn thành và "
        f"{tasks.in_progress} nhiệm vụ đang thực hiện."
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


def _letterhead(document, head: Letterhead) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [7.6, 8.9] if head.layout == PARTY else [6.4, 10.1])
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
        _cell_text(left, head.issuer, size=13, bold=True, underline=True, align=centre, first=False)
        _cell_text(left, "", size=13, first=False)
        _cell_text(left, head.number, size=13, align=centre, first=False)
        _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=centre)
        _cell_text(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, underline=True, align=centre, first=False)
        _cell_text(right, "", size=13, first=False)
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
    _cell_text(right, head.signer_capacity, size=14, bold=True, align=centre)
    _cell_text(right, head.signer_title, size=14, bold=True, align=centre, first=False)
    for _ in range(4):
        _cell_text(right, "", size=14, first=False)
    _cell_text(right, head.signer_name, size=14, bold=True, align=centre, first=False)


def build_docx(content: ReportContent, head: Letterhead, narrative: str, chart_png: bytes | None = None) -> bytes:
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
    _para(document, "BÁO CÁO", size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
    _para(document, report_subject(content), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(
        document,
        f"(Số liệu tính đến ngày {vn_date(content.as_of)})",
        size=14,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
    )
    _para(document, "-----", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)

    who = "Ban Chỉ đạo tỉnh" if content.agency is None else content.agency
    _para(
        document,
        f"Thực hiện chế độ báo cáo {_KIND_WORDS[content.period_kind]} theo mục IV.8 Kế hoạch số {content.plan_code}, "
        f"{who} báo cáo kết quả thực hiện {_period_in_sentence(content.period_label)} "
        f"(từ ngày {vn_date(content.starts_on)} đến ngày {vn_date(content.ends_on)}) như sau:",
    )

    _para(document, "I. ĐÁNH GIÁ CHUNG", bold=True, indent=True, before=6)
    for line in (narrative or default_narrative(content)).splitlines():
        if line.strip():
            _para(document, line.strip())

    _para(document, f"II. TÌNH HÌNH THỰC HIỆN CÁC CHỈ TIÊU ĐẾN NĂM {content.milestone}", bold=True, before=6)
    totals = content.status_totals
    _para(
        document,
        "Tổng hợp: " + "; ".join(f"{STATUS_LABELS[s].lower()}: {totals[s]}" for s in STATUS_ORDER if totals[s]) + "."
        if any(totals.values())
        else "Chưa có chỉ tiêu nào trong phạm vi báo cáo.",
    )
    if chart_png:
        document.add_picture(io.BytesIO(chart_png), width=Cm(15))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(
            document,
            "Biểu đồ 1. Tình trạng các mục tiêu theo nhóm chỉ tiêu",
            size=12,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
    if content.groups:
        rows: list = []
        for group in content.groups:
            rows.append(("__group__", f"{group.code}. {group.title}"))
            rows += [[r.indicator, r.target, r.latest or "–", r.status_label] for r in group.rows]
        _grid(
            document,
            ["Mã", f"Mục tiêu đến năm {content.milestone}", "Kết quả đạt được", "Đánh giá"],
            [1.4, 9.0, 2.8, 3.3],
            rows,
            centred=(0, 2),
        )

    _para(document, "III. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ", bold=True, before=6)
    _para(document, "1. Tiến độ thực hiện nhiệm vụ theo cơ quan", bold=True, italic=True)
    if content.tasks_by_agency:
        task_rows = [
            [str(i), r.agency, *[str(getattr(r, c)) for c in TASK_COLUMNS], str(r.total)]
            for i, r in enumerate([*content.tasks_by_agency, content.task_totals], start=1)
        ]
        task_rows[-1][0] = ""
        _grid(
            document,
            ["STT", "Cơ quan, đơn vị", *[TASK_LABELS[c] for c in TASK_COLUMNS], "Tổng"],
            [1.3, 4.5, 2.4, 2.4, 2.4, 2.0, 1.5],
            task_rows,
            centred=(0, 2, 3, 4, 5, 6),
        )
    else:
        _para(document, "Chưa có nhiệm vụ đến hạn trong phạm vi báo cáo.")
    _para(document, "2. Các nhiệm vụ quá hạn, chưa hoàn thành", bold=True, italic=True)
    if content.overdue:
        _grid(
            document,
            ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Hạn hoàn thành", "Số ngày quá hạn"],
            [1.3, 7.2, 3.5, 2.4, 2.1],
            [
                [str(i), f"{task}. {title}", agencies, f"{vn_date(due_on)}", str(days)]
                for i, (task, title, due_on, days, agencies) in enumerate(overdue_by_task(content), start=1)
            ],
            centred=(0, 3, 4),
        )
    else:
        _para(document, "Không có nhiệm vụ quá hạn.")

    section_number = "IV"
    if content.agency is not None:
        _para(document, "IV. SỐ LIỆU ĐÃ ĐƯỢC PHÊ DUYỆT TRONG KỲ", bold=True, before=6)
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
        section_number = "V"
    _para(document, f"{section_number}. KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT", bold=True, before=6)
    _para(document, "1. Khó khăn, vướng mắc", bold=True, italic=True)
    for row in content.difficulties or []:
        _para(document, f"- {row.agency} (nhiệm vụ {row.task}): {row.text}")
    if not content.difficulties:
        _para(document, "Các cơ quan không báo cáo khó khăn, vướng mắc trong kỳ.")
    _para(document, "2. Kiến nghị, đề xuất", bold=True, italic=True)
    for row in content.proposals:
        _para(document, f"- {row.agency} (nhiệm vụ {row.task}): {row.text}")
    if not content.proposals:
        _para(document, "Không có kiến nghị, đề xuất trong kỳ.")

    _para(
        document,
        f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {content.plan_code} "
        f"{_period_in_sentence(content.period_label)} của {who}./.",
        before=6,
        after=12,
    )
    _closing(document, head)
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


def build_xlsx(content: ReportContent) -> bytes:
    """The report's tables, one sheet each, with the same rows and numbers as the .docx."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    subject = report_subject(content) + f" (số liệu tính đến ngày {vn_date(content.as_of)})"
    _sheet(
        workbook,
        "Chỉ tiêu",
        subject,
        ["Nhóm", "Mã", f"Mục tiêu đến năm {content.milestone}", "Chỉ số", "Kết quả đạt được", "Đánh giá"],
        [[g.code, r.indicator, r.target, r.metric, r.latest, r.status_label] for g in content.groups for r in g.rows],
        [7, 7, 60, 40, 18, 20],
    )
    _sheet(
        workbook,
        "Nhiệm vụ theo cơ quan",
        "Tiến độ thực hiện nhiệm vụ theo cơ quan",
        ["Cơ quan, đơn vị", *[TASK_LABELS[c] for c in TASK_COLUMNS], "Tổng"],
        [
            [r.agency, *[getattr(r, c) for c in TASK_COLUMNS], r.total]
            for r in [*content.tasks_by_agency, content.task_totals]
        ],
        [40, 14, 14, 14, 14, 10],
    )
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
    if content.agency is not None:
        _sheet(
            workbook,
            "Số liệu",
            "Số liệu đã được phê duyệt trong kỳ",
            ["Chỉ số", "Kỳ", "Giá trị", "Đơn vị"],
            [[f.metric, f.period, f.value, f.unit] for f in content.figures],
            [60, 20, 16, 12],
        )
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
                "pdf",
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
