"""The first draft of a review's four sections (sơ kết, tổng kết), written from its content. Pure: ``ReviewContent``
in, text out, in the conventions of the periodic report's drafts (``drafting.py``): one paragraph a line, "- "
for a bullet, counts written the Vietnamese way, clauses whose count is zero left out. The sections have the
periodic report's keys, so the office edits them the same way; an edited section replaces its draft.
"""

from __future__ import annotations

from core.formatting import format_vn_number, vn_date

from .drafting import DIFFICULTIES, DIRECTIONS, PROPOSALS, RESULTS, SECTIONS, STATUS_PHRASES, _join, _listed, n
from .review_content import IndicatorChange, ReviewContent

SECTION_TITLES = {
    RESULTS: "I. KẾT QUẢ ĐẠT ĐƯỢC",
    DIFFICULTIES: "II. HẠN CHẾ, KHÓ KHĂN VÀ NGUYÊN NHÂN",
    DIRECTIONS: "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
    PROPOSALS: "IV. KIẾN NGHỊ, ĐỀ XUẤT VÀ KHEN THƯỞNG",
}
BEHIND = ("accelerate", "limited", "regressing")
#: agencies of the emulation table the draft names as the most exemplary, before the office picks
TOP_SHOWN = 5


def span_text(content: ReviewContent) -> str:
    return f"từ ngày {vn_date(content.starts_on)} đến ngày {vn_date(content.ends_on)}"


def change_text(row: IndicatorChange) -> str:
    """The change of a value over the span, with its sign and unit: "+12,5 điểm %", "−3 doanh nghiệp"."""
    if row.change is None:
        return "–"
    change = round(row.change, 2)
    if change == 0:
        return "không đổi"
    sign = "+" if change > 0 else "−"
    unit = row.unit.strip()
    if unit.startswith("%"):
        unit = "điểm %" + unit[1:]
    return f"{sign}{format_vn_number(abs(change))}{' ' + unit if unit else ''}"


def _indicator_name(row: IndicatorChange) -> str:
    return f"{row.indicator} – {row.metric}"


def results_draft(content: ReviewContent) -> str:
    lines = []
    totals = content.status_totals
    measured = sum(totals.values()) - totals.get("qualitative", 0)
    if measured:
        clauses = [f"{n(totals[s])} mục tiêu {STATUS_PHRASES[s]}" for s in STATUS_PHRASES if totals.get(s)]
        lines.append(
            f"Tính đến ngày {vn_date(min(content.as_of, content.ends_on))}, trong {n(measured)} mục tiêu định lượng "
            f"đến năm {content.milestone} có {_join(clauses)}."
        )
        compared = [row for row in content.indicators if row.improved is not None]
        better = [row for row in compared if row.improved]
        if compared:
            lines.append(
                f"So với đầu kỳ, {n(len(better))}/{n(len(compared))} chỉ số có số liệu ở cả hai thời điểm chuyển biến "
                f"theo hướng tích cực; {n(len(compared) - len(better))} chỉ số đi ngược chiều mục tiêu."
            )
    else:
        lines.append("Chưa có mục tiêu định lượng nào có số liệu để đánh giá.")
    tasks = content.tasks
    clauses = [
        f"{n(tasks.done_on_time)} lượt hoàn thành đúng hạn" if tasks.done_on_time else "",
        f"{n(tasks.done_late)} lượt hoàn thành quá hạn" if tasks.done_late else "",
        f"{n(tasks.overdue)} lượt quá hạn chưa hoàn thành" if tasks.overdue else "",
        f"{n(tasks.open)} phần việc đang thực hiện, chưa đến hạn" if tasks.open else "",
    ]
    if any(clauses):
        lines.append(f"Về nhiệm vụ, trong kỳ có {_join(clauses)}.")
    if tasks.finished:
        names = [f"nhiệm vụ {number}" for number, _title in tasks.finished]
        lines.append(f"Các nhiệm vụ có thời hạn đã hoàn thành trong kỳ: {_listed(names, 'nhiệm vụ')}.")
    counted = content.recommendations
    if counted.total:
        clauses = [
            f"{n(counted.done)} đã xong" if counted.done else "",
            f"{n(counted.overdue)} quá hạn" if counted.overdue else "",
            f"{n(counted.open)} đang trong hạn" if counted.open else "",
        ]
        held = f"{n(len(content.inspections))} đợt kiểm tra, giám sát; " if content.inspections else ""
        lines.append(
            f"Công tác kiểm tra, giám sát: {held}{n(counted.total)} kiến nghị sau kiểm tra, trong đó {_join(clauses)}."
        )
    elif content.inspections:
        lines.append(f"Công tác kiểm tra, giám sát: {n(len(content.inspections))} đợt kiểm tra, giám sát.")
    if content.adjustments:
        lines.append(f"Trong kỳ có {n(len(content.adjustments))} lần điều chỉnh kế hoạch theo quyết định.")
    return "\n".join(lines)


def difficulties_draft(content: ReviewContent) -> str:
    lines = []
    behind = [row for row in content.indicators if row.status in BEHIND]
    if behind:
        names = [_indicator_name(r) for r in behind]
        lines.append(f"- {n(len(behind))} mục tiêu chưa đạt lộ trình: {_listed(names, 'mục tiêu')}.")
    worse = [row for row in content.indicators if row.improved is False]
    if worse:
        names = [f"{_indicator_name(r)} ({change_text(r)})" for r in worse]
        lines.append(f"- {n(len(worse))} chỉ số đi ngược chiều mục tiêu so với đầu kỳ: {_listed(names, 'chỉ số')}.")
    no_data = [row for row in content.indicators if row.status == "no_data"]
    if no_data:
        lines.append(f"- {n(len(no_data))} mục tiêu chưa có số liệu để đánh giá.")
    if content.tasks.overdue_tasks:
        names = [f"nhiệm vụ {r.task} ({n(r.agencies)} cơ quan)" for r in content.tasks.overdue_tasks]
        lines.append(
            f"- {n(content.tasks.overdue)} lượt nhiệm vụ quá hạn chưa hoàn thành: {_listed(names, 'nhiệm vụ')}."
        )
    if content.recommendations_overdue:
        names = [f"kiến nghị {r.number} ({r.agency})" for r in content.recommendations_overdue]
        lines.append(
            f"- {n(len(names))} kiến nghị sau kiểm tra quá hạn chưa hoàn thành: {_listed(names, 'kiến nghị')}."
        )
    if not lines:
        lines.append("Trong kỳ không có mục tiêu chậm lộ trình hay việc quá hạn.")
    return "\n".join(lines)


def directions_draft(content: ReviewContent) -> str:
    lines = []
    behind = list(dict.fromkeys(row.indicator for row in content.indicators if row.status in BEHIND))
    if behind:
        lines.append(
            f"- Tập trung các giải pháp đẩy nhanh các chỉ tiêu chưa đạt lộ trình đến năm {content.milestone}: "
            f"{_listed(behind, 'chỉ tiêu')}."
        )
    if content.tasks.overdue:
        lines.append(f"- Khẩn trương hoàn thành {n(content.tasks.overdue)} lượt nhiệm vụ đã quá hạn.")
    if content.recommendations_overdue:
        lines.append(
            f"- Thực hiện dứt điểm {n(len(content.recommendations_overdue))} kiến nghị sau kiểm tra đã quá hạn."
        )
    lines.append(
        f"- Tiếp tục kiểm tra, giám sát định kỳ; thực hiện Kế hoạch số {content.plan_code} theo lộ trình đến năm "
        f"{content.milestone}."
    )
    return "\n".join(lines)


def proposals_draft(content: ReviewContent) -> str:
    if content.commended:
        return (
            f"Đề nghị khen thưởng {n(len(content.commended))} tập thể có thành tích tiêu biểu trong thực hiện Kế "
            f"hoạch số {content.plan_code}: {_listed(content.commended, 'tập thể')}."
        )
    scored = [row for row in content.emulation if row.score is not None]
    if not scored:
        return "Chưa đủ số liệu để xét khen thưởng."
    top = [f"{row.agency} ({format_vn_number(round(row.score))} điểm)" for row in scored[:TOP_SHOWN]]
    return (
        "Cơ quan thường trực lựa chọn tập thể tiêu biểu để đề nghị khen thưởng từ bảng theo dõi thi đua (Phụ lục); "
        f"dẫn đầu là {_join(top)}."
    )


DRAFTERS = {
    RESULTS: results_draft,
    DIFFICULTIES: difficulties_draft,
    DIRECTIONS: directions_draft,
    PROPOSALS: proposals_draft,
}


def sections_draft(content: ReviewContent, edited: dict[str, str] | None = None) -> dict[str, str]:
    """Each section's text: the edited one where the office wrote it, else the draft from the data."""
    edited = edited or {}
    return {key: (edited.get(key) or "").strip() or DRAFTERS[key](content) for key in SECTIONS}
