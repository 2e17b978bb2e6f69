"""Review documents (sơ kết, tổng kết): ``ReviewContent`` in, .docx and .xlsx bytes out, no database.

The .docx is laid out as the province's periodic report is (``documents.py``: the Party's 36-HD/VPTW letterhead,
Times New Roman 14 pt on A4, the same margins, "Nơi nhận" and signature block, page numbers from page 2), with the
review's own tables: the indicators at the start and end of the span, the tasks, the inspections and their
recommendations, the plan's adjustments by decision, and the emulation table in an appendix.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook

from core.formatting import format_vn_number, value_text, vn_date

from . import review_drafting
from .documents import (
    FONT,
    Letterhead,
    _closing,
    _grid,
    _letterhead,
    _page_number_header,
    _para,
    _sheet,
    _text_block,
)
from .drafting import RESULTS, n, short_title
from .review_content import EmulationRow, ReviewContent


def review_subject(content: ReviewContent) -> str:
    return (
        f"{content.title} thực hiện Kế hoạch số {content.plan_code} ngày {vn_date(content.plan_issued_on)} "
        f"của Ban Thường vụ Tỉnh ủy"
    )


def _rate(part: int, whole: int) -> str:
    return f"{n(part)}/{n(whole)}" if whole else "–"


def _score(row: EmulationRow) -> str:
    return format_vn_number(round(row.score)) if row.score is not None else "–"


def _value(value: float | None, unit: str) -> str:
    return value_text(value, unit) if value is not None else "–"


def build_review_docx(content: ReviewContent, head: Letterhead, sections: dict[str, str] | None = None) -> bytes:
    texts = sections or review_drafting.sections_draft(content)
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
    document.core_properties.title = content.title
    document.core_properties.author = head.issuer.title()
    _page_number_header(section)

    _letterhead(document, head)
    if head.draft:
        _para(document, "DỰ THẢO", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=0)
    _para(document, "BÁO CÁO", size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
    _para(document, review_subject(content), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(
        document,
        f"(Từ ngày {vn_date(content.starts_on)} đến ngày {vn_date(content.ends_on)}; "
        f"số liệu tính đến ngày {vn_date(content.as_of)})",
        size=14,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
    )
    _para(document, "-----", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _para(
        document,
        f"Thực hiện mục IV Kế hoạch số {content.plan_code}, Ban Chỉ đạo tỉnh báo cáo "
        f"{content.title[:1].lower() + content.title[1:]} ({review_drafting.span_text(content)}) như sau:",
    )

    _para(document, review_drafting.SECTION_TITLES[RESULTS], bold=True, before=6)
    _text_block(document, texts[RESULTS])

    _para(document, f"1. Các chỉ tiêu đến năm {content.milestone}: đầu kỳ, cuối kỳ và đánh giá", bold=True, italic=True)
    if content.indicators:
        _grid(
            document,
            ["Mã", "Chỉ số", "Đầu kỳ", "Cuối kỳ", "Thay đổi", f"Mục tiêu {content.milestone}", "Đánh giá"],
            [1.2, 5.0, 2.3, 2.3, 1.9, 1.8, 2.0],
            [
                [
                    row.indicator,
                    row.metric,
                    f"{_value(row.start, row.unit)}\n{row.start_period}" if row.start is not None else "–",
                    f"{_value(row.end, row.unit)}\n{row.end_period}" if row.end is not None else "–",
                    review_drafting.change_text(row),
                    row.target,
                    row.status_label,
                ]
                for row in content.indicators
            ],
            centred=(0,),
        )
    else:
        _para(document, "Không có mục tiêu định lượng của mốc này.")

    _para(document, "2. Thực hiện các nhiệm vụ trong kỳ", bold=True, italic=True)
    tasks = content.tasks
    _grid(
        document,
        ["Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn, chưa hoàn thành", "Đang thực hiện, chưa đến hạn"],
        [4.1, 4.1, 4.1, 4.2],
        [[n(tasks.done_on_time), n(tasks.done_late), n(tasks.overdue), n(tasks.open)]],
        centred=(0, 1, 2, 3),
    )
    if tasks.overdue_tasks:
        _para(document, "Các nhiệm vụ quá hạn, chưa hoàn thành (tính đến cuối kỳ):", italic=True)
        _grid(
            document,
            ["STT", "Nhiệm vụ", "Số cơ quan chậm", "Chậm lâu nhất (ngày)"],
            [1.3, 10.2, 2.5, 2.5],
            [
                [str(i), f"{r.task}. {short_title(r.title)}", n(r.agencies), n(r.longest)]
                for i, r in enumerate(tasks.overdue_tasks, start=1)
            ],
            centred=(0, 2, 3),
        )

    _para(document, "3. Công tác kiểm tra, giám sát và thực hiện kiến nghị", bold=True, italic=True)
    if content.inspections:
        _grid(
            document,
            ["STT", "Đợt kiểm tra, giám sát", "Chủ trì", "Thời gian", "Kiến nghị", "Đã xong", "Quá hạn"],
            [1.3, 5.6, 2.6, 2.6, 1.5, 1.5, 1.4],
            [
                [
                    str(i),
                    f"{r.title}" + (f"\nKết luận {r.conclusion}" if r.conclusion else ""),
                    r.lead,
                    f"{vn_date(r.starts_on)} – {vn_date(r.ends_on)}",
                    n(r.recommendations),
                    n(r.done),
                    n(r.overdue),
                ]
                for i, r in enumerate(content.inspections, start=1)
            ],
            centred=(0, 4, 5, 6),
        )
    else:
        _para(document, "Trong kỳ không có đợt kiểm tra, giám sát nào được ghi nhận.")
    if content.recommendations_overdue:
        _para(document, "Các kiến nghị sau kiểm tra quá hạn, chưa hoàn thành:", italic=True)
        _grid(
            document,
            ["STT", "Kiến nghị", "Cơ quan thực hiện", "Hạn hoàn thành", "Số ngày quá hạn"],
            [1.3, 7.2, 3.5, 2.4, 2.1],
            [
                [
                    str(i),
                    f"{r.number}. {short_title(r.text)} ({r.inspection})",
                    r.agency,
                    vn_date(r.due_on),
                    n(r.days_late),
                ]
                for i, r in enumerate(content.recommendations_overdue, start=1)
            ],
            centred=(0, 3, 4),
        )

    if content.adjustments is not None:  # None in a review drafted before adjustments were listed
        _para(document, "4. Điều chỉnh kế hoạch trong kỳ", bold=True, italic=True)
        if content.adjustments:
            _grid(
                document,
                ["STT", "Quyết định", "Ngày", "Hiệu lực từ", "Nội dung điều chỉnh"],
                [1.2, 3.3, 2.3, 2.3, 7.4],
                [
                    [str(i), a.decision, vn_date(a.decided_on), vn_date(a.effective_on), a.summary]
                    for i, a in enumerate(content.adjustments, start=1)
                ],
                centred=(0, 2, 3),
            )
        else:
            _para(document, "Trong kỳ không có quyết định điều chỉnh kế hoạch.")

    for key in (review_drafting.DIFFICULTIES, review_drafting.DIRECTIONS, review_drafting.PROPOSALS):
        _para(document, review_drafting.SECTION_TITLES[key], bold=True, before=6)
        _text_block(document, texts[key])

    _para(
        document,
        f"Trên đây là báo cáo {content.title[:1].lower() + content.title[1:]} thực hiện Kế hoạch số "
        f"{content.plan_code} của Ban Chỉ đạo tỉnh./.",
        before=6,
        after=12,
    )
    _closing(document, head)

    if content.emulation:
        document.add_page_break()
        _para(document, "PHỤ LỤC", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        _para(
            document,
            f"Bảng theo dõi thi đua của các cơ quan, đơn vị ({review_drafting.span_text(content)})",
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        _para(
            document,
            "Báo cáo định kỳ nộp đúng hạn, lượt nhiệm vụ hoàn thành đúng hạn và kiến nghị sau kiểm tra đã xong trên "
            "số đến hạn trong kỳ; điểm là trung bình các tỷ lệ (thang 100). Dấu ✓: đề nghị khen thưởng.",
            size=12,
            italic=True,
        )
        _grid(
            document,
            ["STT", "Cơ quan, đơn vị", "Báo cáo đúng hạn", "Nhiệm vụ đúng hạn", "Kiến nghị đã xong", "Điểm", "Khen"],
            [1.3, 5.6, 2.2, 2.2, 2.2, 1.5, 1.5],
            [
                [
                    str(i),
                    row.agency,
                    _rate(row.reports_on_time, row.reports_due),
                    _rate(row.tasks_on_time, row.tasks_due),
                    _rate(row.recommendations_done, row.recommendations_due),
                    _score(row),
                    "✓" if row.commended else "",
                ]
                for i, row in enumerate(content.emulation, start=1)
            ],
            centred=(0, 2, 3, 4, 5, 6),
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_review_xlsx(content: ReviewContent) -> bytes:
    """The review's tables, one sheet each, values as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    subject = (
        f"{review_subject(content)} ({review_drafting.span_text(content)}, số liệu tính đến {vn_date(content.as_of)})"
    )
    _sheet(
        workbook,
        "Chỉ tiêu",
        subject,
        [
            "Mã",
            "Chỉ số",
            "Đơn vị",
            "Đầu kỳ",
            "Kỳ của số liệu đầu kỳ",
            "Cuối kỳ",
            "Kỳ của số liệu cuối kỳ",
            "Thay đổi",
            f"Mục tiêu {content.milestone}",
            "Đánh giá",
        ],
        [
            [
                r.indicator,
                r.metric,
                r.unit,
                r.start,
                r.start_period,
                r.end,
                r.end_period,
                r.change,
                r.target,
                r.status_label,
            ]
            for r in content.indicators
        ],
        [8, 50, 14, 12, 18, 12, 22, 12, 16, 18],
    )
    tasks = content.tasks
    _sheet(
        workbook,
        "Nhiệm vụ",
        "Các lần đến hạn của nhiệm vụ trong kỳ",
        ["Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Quá hạn, chưa hoàn thành", "Đang thực hiện, chưa đến hạn"],
        [[tasks.done_on_time, tasks.done_late, tasks.overdue, tasks.open]]
        + [[], ["Nhiệm vụ quá hạn", "Tên nhiệm vụ", "Số cơ quan chậm", "Chậm lâu nhất (ngày)"]]
        + [[r.task, r.title, r.agencies, r.longest] for r in tasks.overdue_tasks],
        [20, 60, 18, 22],
    )
    _sheet(
        workbook,
        "Kiểm tra, kiến nghị",
        "Các đợt kiểm tra, giám sát trong kỳ và kiến nghị sau kiểm tra",
        ["Đợt kiểm tra, giám sát", "Chủ trì", "Từ ngày", "Đến ngày", "Kết luận", "Kiến nghị", "Đã xong", "Quá hạn"],
        [
            [r.title, r.lead, r.starts_on, r.ends_on, r.conclusion, r.recommendations, r.done, r.overdue]
            for r in content.inspections
        ]
        + [[], ["Kiến nghị quá hạn", "Cơ quan thực hiện", "Hạn", "Số ngày quá hạn", "Nội dung"]]
        + [
            [f"{r.inspection} – {r.number}", r.agency, r.due_on, r.days_late, r.text]
            for r in content.recommendations_overdue
        ],
        [50, 28, 12, 12, 22, 10, 10, 10],
    )
    if content.adjustments is not None:
        _sheet(
            workbook,
            "Điều chỉnh kế hoạch",
            "Các quyết định điều chỉnh kế hoạch trong kỳ",
            ["Quyết định", "Ngày", "Hiệu lực từ", "Nội dung"],
            [[a.decision, a.decided_on, a.effective_on, a.summary] for a in content.adjustments],
            [24, 12, 12, 80],
        )
    sheet = _sheet(
        workbook,
        "Thi đua",
        "Bảng theo dõi thi đua của các cơ quan, đơn vị",
        [
            "Cơ quan, đơn vị",
            "Báo cáo đến hạn",
            "Báo cáo đúng hạn",
            "Nhiệm vụ đến hạn",
            "Nhiệm vụ đúng hạn",
            "Kiến nghị đến hạn",
            "Kiến nghị đã xong",
            "Điểm",
            "Đề nghị khen thưởng",
        ],
        [
            [
                r.agency,
                r.reports_due,
                r.reports_on_time,
                r.tasks_due,
                r.tasks_on_time,
                r.recommendations_due,
                r.recommendations_done,
                round(r.score, 1) if r.score is not None else None,
                "Có" if r.commended else "",
            ]
            for r in content.emulation
        ],
        [44, 12, 12, 12, 12, 12, 12, 10, 14],
    )
    for row in sheet.iter_rows(min_row=4, min_col=8, max_col=8):
        row[0].number_format = "0.0"
    for name in ("Kiểm tra, kiến nghị",):
        for row in workbook[name].iter_rows(min_row=4):
            for cell in row:
                if hasattr(cell.value, "year"):
                    cell.number_format = "DD/MM/YYYY"
    workbook.properties.title = subject
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
