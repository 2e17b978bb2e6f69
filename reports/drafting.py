"""The first draft of a periodic report's four sections, written from its content. Pure: ``ReportContent``
in, text out (one paragraph a line; a line starting with "- " is a bullet). The standing office edits the
drafts before issuing; an edited section replaces its draft.

Counts are written the Vietnamese way ("2.559") by the one number formatter, a clause whose count is zero is
left out, and the targets going backwards are named rather than folded into a total.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from core.formatting import format_vn_number, vn_date

from .content import STATUS_ORDER, IssueRow, ReportContent, TargetRow, names_text

RESULTS = "results"
DIFFICULTIES = "difficulties"
DIRECTIONS = "directions"
PROPOSALS = "proposals"
SECTIONS = (RESULTS, DIFFICULTIES, DIRECTIONS, PROPOSALS)
SECTION_TITLES = {
    RESULTS: "I. KẾT QUẢ THỰC HIỆN",
    DIFFICULTIES: "II. HẠN CHẾ, KHÓ KHĂN VÀ NGUYÊN NHÂN",
    DIRECTIONS: "III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
    PROPOSALS: "IV. KIẾN NGHỊ, ĐỀ XUẤT",
}
#: how many items a drafted list names before "và N … khác"
ITEMS_SHOWN = 10

STATUS_PHRASES = {
    "achieved": "đã đạt",
    "on_track": "đúng lộ trình",
    "accelerate": "cần tăng tốc",
    "limited": "tiến triển chậm",
    "regressing": "đi xuống",
    "no_data": "chưa có số liệu",
}
OFF_TRACK = ("accelerate", "limited")


def in_sentence(label: str) -> str:
    """ "Quý III/2026" inside a sentence: "quý III/2026" (only the first letter drops its capital)."""
    return label[:1].lower() + label[1:]


def not_reporting_what(content: ReportContent) -> str:
    """What the agencies listed as not reporting have not done, as the overview and the completeness page count
    it: "chưa gửi đủ số liệu quý III/2026 (hạn 24/09/2026)"."""
    due = f" (hạn {vn_date(content.not_reporting_due)})" if content.not_reporting_due else ""
    return f"chưa gửi đủ số liệu {in_sentence(content.not_reporting_label)}{due}"


def n(number: int) -> str:
    """A count as written in Vietnamese: 2559 → "2.559"."""
    return format_vn_number(number)


def short_title(title: str, limit: int = 90) -> str:
    """A task's title as a list names it: its first clause, cut at a word before ``limit`` characters."""
    first = re.split(r"[;:(]", title, maxsplit=1)[0].strip().rstrip(".,")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",") + "…"


def _join(clauses: list[str]) -> str:
    """ "a, b và c" — the clauses that are left once the empty ones are dropped."""
    clauses = [c for c in clauses if c]
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + " và " + clauses[-1]


def _who(content: ReportContent) -> str:
    return content.agency or "các cơ quan, đơn vị"


def _target_name(row: TargetRow) -> str:
    what = f"{row.indicator} – {row.metric}" if row.metric else row.indicator
    return f"{what}: {row.latest}" if row.latest else what


def _listed(items: list[str], noun: str) -> str:
    shown = "; ".join(items[:ITEMS_SHOWN])
    if len(items) > ITEMS_SHOWN:
        shown += f" và {n(len(items) - ITEMS_SHOWN)} {noun} khác"
    return shown


def _change(now: int, before: int | None, label: str) -> str:
    if before is None:
        return f"chưa có kết quả tính của {label} để so sánh"
    if now > before:
        return f"tăng {n(now - before)} so với {label} ({n(before)})"
    if now < before:
        return f"giảm {n(before - now)} so với {label} ({n(before)})"
    return f"không đổi so với {label}"


def tasks_sentence(content: ReportContent) -> str:
    """The period's tasks, counted as tasks ("20/35 nhiệm vụ đúng tiến độ") and their due dates as "lượt", never
    added together; "đang thực hiện" (work reported under way) apart from "chưa đến hạn" (``tasks.occurrences``)."""
    tasks = content.task_totals
    clauses = [
        f"{n(tasks.done_on_time)} lượt hoàn thành đúng hạn" if tasks.done_on_time else "",
        f"{n(tasks.done_late)} lượt hoàn thành quá hạn" if tasks.done_late else "",
        f"{n(tasks.overdue)} lượt quá hạn chưa hoàn thành" if tasks.overdue else "",
        f"{n(tasks.in_progress)} lượt đang thực hiện (chưa đến hạn)" if tasks.in_progress else "",
        f"{n(tasks.not_due)} lượt chưa đến hạn" if tasks.not_due else "",
    ]
    standings = content.task_standings
    whose = "" if content.agency is None else " do đơn vị chủ trì"
    counted = (
        f"{n(standings.get('on_schedule', 0))}/{n(content.tasks_total)} nhiệm vụ{whose} đúng tiến độ"
        + (f", {n(standings['behind'])} nhiệm vụ có lượt quá hạn" if standings.get("behind") else "")
        + (f", {n(standings['awaiting'])} nhiệm vụ chờ đề nghị" if standings.get("awaiting") else "")
    )
    period = in_sentence(content.period_label)
    if not content.tasks_total:
        if not any(clauses):
            return f"Không có nhiệm vụ đến hạn trong {period}."
        return f"Về nhiệm vụ trong {period}, theo từng lượt đến hạn của các cơ quan, đơn vị: {_join(clauses)}."
    if not any(clauses):
        return f"Về nhiệm vụ trong {period}: {counted}; không có lượt đến hạn nào trong kỳ."
    return f"Về nhiệm vụ trong {period}: {counted}. Theo từng lượt đến hạn của các cơ quan, đơn vị: {_join(clauses)}."


def results_draft(content: ReportContent) -> str:
    """I. Kết quả thực hiện: where the targets stand (named when going backwards), against the previous period
    and the same period last year, the tasks of the period, the recommendations of inspections, who has not
    reported, disagreeing self-assessments."""
    lines = []
    totals = content.status_totals
    measured = sum(totals.values()) - totals["qualitative"]
    if measured:
        clauses = [
            f"{n(totals[s])} mục tiêu {STATUS_PHRASES[s]}" for s in STATUS_ORDER if s in STATUS_PHRASES and totals[s]
        ]
        lines.append(
            f"Tính đến ngày {vn_date(content.as_of)}, trong {n(measured)} mục tiêu định lượng đến năm "
            f"{content.milestone} có {_join(clauses)}."
        )
        regressing = content.rows_with("regressing")
        if regressing:
            lines.append(
                f"Các mục tiêu có số liệu đi xuống: {_listed([_target_name(r) for r in regressing], 'mục tiêu')}."
            )
        if content.comparison:
            now = sum(c.now for c in content.comparison)
            previous = [c.previous for c in content.comparison]
            last_year = [c.last_year for c in content.comparison]
            lines.append(
                f"Số mục tiêu đã đạt hoặc đúng lộ trình là {n(now)}, "
                f"{_change(now, None if None in previous else sum(previous), in_sentence(content.previous_label))}; "
                f"{_change(now, None if None in last_year else sum(last_year), 'cùng kỳ năm trước')}."
            )
    elif content.groups:
        lines.append("Các chỉ tiêu trong phạm vi báo cáo là chỉ tiêu định tính.")
    else:
        lines.append("Chưa có chỉ tiêu nào trong phạm vi báo cáo.")

    lines.append(tasks_sentence(content))

    lines += recommendations_lines(content)
    if content.not_reporting:
        lines.append(
            f"Còn {n(len(content.not_reporting))} cơ quan, đơn vị {not_reporting_what(content)}: "
            f"{names_text(content.not_reporting, ITEMS_SHOWN)}"
            + (" (danh sách đầy đủ tại Phụ lục)." if len(content.not_reporting) > ITEMS_SHOWN else ".")
        )
    if content.disagreements:
        items = [
            f"{d.agency} tự đánh giá chỉ số “{d.metric}” là “{d.confidence.lower()}” trong khi kết quả tính là "
            f"{d.computed}"
            for d in content.disagreements
        ]
        lines.append(
            f"Có {n(len(items))} trường hợp tự đánh giá khác kết quả tính từ số liệu: {_listed(items, 'trường hợp')}."
        )
    return "\n".join(lines)


def recommendations_lines(content: ReportContent) -> list[str]:
    """ "Kết quả thực hiện kiến nghị sau kiểm tra: 5/8 kiến nghị đã xong, 2 quá hạn, 1 đang trong hạn."""
    counted = content.recommendations
    if not counted.total:
        return []
    late = f" ({n(counted.done_late)} hoàn thành sau hạn)" if counted.done_late else ""
    clauses = [
        f"{n(counted.done)}/{n(counted.total)} kiến nghị đã xong{late}",
        f"{n(counted.overdue)} quá hạn",
        f"{n(counted.open)} đang trong hạn" if counted.open else "",
    ]
    return [f"Kết quả thực hiện kiến nghị sau kiểm tra: {', '.join(c for c in clauses if c)}."]


def _recommendation_name(row) -> str:
    return f"kiến nghị {row.number} của {row.inspection} ({row.agency}, hạn {vn_date(row.due_on)})"


def grouped_issues(rows: list[IssueRow]) -> list[tuple[str, list[str], int]]:
    """Identical texts once, with the agencies that wrote them and how many times: (text, agencies, reports)."""
    grouped: OrderedDict[str, tuple[list[str], int]] = OrderedDict()
    for row in rows:
        agencies, count = grouped.get(row.text, ([], 0))
        if row.agency not in agencies:
            agencies.append(row.agency)
        grouped[row.text] = (agencies, count + 1)
    ordered = sorted(grouped.items(), key=lambda item: -item[1][1])
    return [(text, agencies, count) for text, (agencies, count) in ordered]


def _issue_line(text: str, agencies: list[str], count: int, own: bool) -> str:
    sentence = text.rstrip(".")
    if own:
        return f"- {sentence}."
    if len(agencies) == 1:
        return f"- {sentence} ({agencies[0]})."
    return f"- {sentence} ({n(len(agencies))} cơ quan, đơn vị nêu: {names_text(agencies, ITEMS_SHOWN)})."


def difficulties_draft(content: ReportContent) -> str:
    """II. Hạn chế, khó khăn và nguyên nhân: the targets off track, the overdue work, and the difficulties the
    agencies wrote in the period's approved task reports (identical texts once, with who wrote them)."""
    own = content.agency is not None
    lines = []
    off_track = content.rows_with(*OFF_TRACK)
    if off_track:
        lines.append(
            f"- {n(len(off_track))} mục tiêu cần tăng tốc hoặc tiến triển chậm: "
            f"{_listed([_target_name(r) for r in off_track], 'mục tiêu')}."
        )
    regressing = content.rows_with("regressing")
    if regressing:
        lines.append(f"- {n(len(regressing))} mục tiêu có số liệu đi xuống so với năm gốc.")
    no_data = content.rows_with("no_data")
    if no_data:
        lines.append(f"- {n(len(no_data))} mục tiêu chưa có số liệu để đánh giá.")
    if content.overdue:
        tasks = sorted({row.task for row in content.overdue})
        lines.append(
            f"- {n(len(content.overdue))} lượt nhiệm vụ quá hạn chưa hoàn thành "
            f"(nhiệm vụ số {_listed([str(t) for t in tasks], 'nhiệm vụ')})."
        )
    if content.recommendations_overdue:
        names = [_recommendation_name(row) for row in content.recommendations_overdue]
        lines.append(
            f"- {n(len(names))} kiến nghị sau kiểm tra quá hạn chưa hoàn thành: {_listed(names, 'kiến nghị')}."
        )
    issues = grouped_issues(content.difficulties)
    if issues:
        lines.append(
            "Nguyên nhân chủ yếu là những khó khăn, vướng mắc "
            + ("đơn vị gặp phải trong kỳ:" if own else "các cơ quan, đơn vị nêu trong báo cáo kỳ này:")
        )
        lines += [_issue_line(text, agencies, count, own) for text, agencies, count in issues]
    elif own:
        lines.append(f"Trong kỳ, {content.agency} không có khó khăn, vướng mắc phát sinh.")
    else:
        lines.append("Trong kỳ, các báo cáo đã phê duyệt không nêu khó khăn, vướng mắc.")
    return "\n".join(lines)


def directions_draft(content: ReportContent) -> str:
    """III. Phương hướng, nhiệm vụ trọng tâm kỳ tới: the work due next period, overdue work to finish, the targets
    needing acceleration, the missing reports."""
    lines = []
    if content.next_tasks:
        items = [
            f"nhiệm vụ {row.task} – {short_title(row.title)} (hạn {vn_date(row.due_on)}; {row.agencies})"
            for row in content.next_tasks
        ]
        lines.append(
            f"- Tập trung thực hiện {n(len(items))} nhiệm vụ đến hạn trong {in_sentence(content.next_label)}: "
            f"{_listed(items, 'nhiệm vụ')}."
        )
    if content.overdue:
        lines.append(f"- Khẩn trương hoàn thành {n(len(content.overdue))} lượt nhiệm vụ đã quá hạn.")
    if content.recommendations_overdue:
        lines.append(
            f"- Khẩn trương thực hiện {n(len(content.recommendations_overdue))} kiến nghị sau kiểm tra đã quá hạn."
        )
    behind = content.rows_with(*OFF_TRACK, "regressing")
    if behind:
        codes = list(OrderedDict.fromkeys(row.indicator for row in behind))
        lines.append(f"- Có giải pháp đẩy nhanh tiến độ các chỉ tiêu chưa đạt lộ trình: {_listed(codes, 'chỉ tiêu')}.")
    if content.not_reporting:
        lines.append(
            f"- {n(len(content.not_reporting))} cơ quan, đơn vị {not_reporting_what(content)} gửi bổ sung ngay."
        )
    if not lines:
        lines.append(f"- Tiếp tục triển khai các nhiệm vụ của Kế hoạch số {content.plan_code} theo lộ trình.")
    return "\n".join(lines)


def proposals_draft(content: ReportContent) -> str:
    """IV. Kiến nghị, đề xuất: the proposals of the period's approved task reports (identical texts once)."""
    own = content.agency is not None
    issues = grouped_issues(content.proposals)
    if not issues:
        return "Không có kiến nghị, đề xuất."
    return "\n".join(_issue_line(text, agencies, count, own) for text, agencies, count in issues)


DRAFTERS = {
    RESULTS: results_draft,
    DIFFICULTIES: difficulties_draft,
    DIRECTIONS: directions_draft,
    PROPOSALS: proposals_draft,
}


def sections_draft(content: ReportContent, edited: dict[str, str] | None = None) -> dict[str, str]:
    """Each section's text: the edited one where the office wrote it, else the draft from the data."""
    edited = edited or {}
    return {key: (edited.get(key) or "").strip() or DRAFTERS[key](content) for key in SECTIONS}
