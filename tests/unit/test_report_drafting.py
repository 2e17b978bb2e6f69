"""The drafted sections of a periodic report: Vietnamese counts, no empty clauses, named regressions, the
agency's own voice, and the signature lines Decree 30 and 36-HD/VPTW allow."""

from datetime import date

import pytest

from reports import documents, drafting
from reports.content import AgencyTaskRow, GroupBlock, GroupComparison, IssueRow, ReportContent, TargetRow


def content(**extra) -> ReportContent:
    values = dict(
        plan_code="65-KH/TU",
        plan_title="",
        plan_issued_on=date(2026, 4, 22),
        period_label="Quý III/2026",
        period_kind="quarter",
        starts_on=date(2026, 6, 15),
        ends_on=date(2026, 9, 14),
        as_of=date(2026, 9, 20),
        agency=None,
        agency_kind=None,
        milestone=2030,
        groups=[],
        tasks_by_agency=[],
        overdue=[],
        difficulties=[],
        proposals=[],
        figures=[],
        previous_label="Quý II/2026",
        last_year_label="Quý III/2025",
        next_label="Quý IV/2026",
    )
    values.update(extra)
    return ReportContent(**values)


def row(code: str, status: str, latest: str = "", metric: str = "Chỉ số", cell: int = 0) -> TargetRow:
    return TargetRow(code, 2030, "≥ 80%", metric, latest, status, status, cell=cell)


GROUP = GroupBlock(
    "I",
    "Hạ tầng",
    [
        row("I.1", "achieved", cell=1),
        row("I.2", "on_track", cell=2),
        row("I.3", "regressing", "1,59% — Năm 2025", "Chi ngân sách cho KH&CN", cell=3),
        row("I.4", "regressing", "11 đơn — Quý III/2026", "Đơn sở hữu trí tuệ", cell=4),
    ],
)


def test_counts_are_written_the_vietnamese_way_and_empty_clauses_dropped():
    tasks = [AgencyTaskRow("Sở KH&CN", done_on_time=2559, done_late=0, overdue=3, in_progress=0)]
    text = drafting.results_draft(content(groups=[GROUP], tasks_by_agency=tasks))
    assert "2.559 lượt hoàn thành đúng hạn" in text
    assert "0 " not in text.replace("2030", "").replace("2026", "").replace("2025", "")
    assert "chưa có số liệu" not in text and "quá hạn chưa hoàn thành" in text
    assert (
        "trong 4 mục tiêu định lượng đến năm 2030 có 1 mục tiêu đã đạt, 1 mục tiêu đúng lộ trình và 2 mục tiêu đi xuống"
        in text
    )


def test_regressing_targets_are_named_with_value_and_period():
    text = drafting.results_draft(content(groups=[GROUP]))
    assert "I.3 – Chi ngân sách cho KH&CN: 1,59% — Năm 2025" in text
    assert "I.4 – Đơn sở hữu trí tuệ: 11 đơn — Quý III/2026" in text


def test_comparison_with_previous_period_and_last_year():
    comparison = [GroupComparison("I", "Hạ tầng", total=4, now=2, previous=1, last_year=None)]
    text = drafting.results_draft(content(groups=[GROUP], comparison=comparison))
    assert "tăng 1 so với quý II/2026 (1)" in text
    assert "chưa có kết quả tính của cùng kỳ năm trước để so sánh" in text


def test_identical_difficulties_once_with_who_wrote_them():
    rows = [IssueRow(f"Xã {i}", 5, "Kinh phí được giao chậm.") for i in range(12)]
    rows.append(IssueRow("Sở KH&CN", 3, "Thiếu nhân lực."))
    text = drafting.difficulties_draft(content(difficulties=rows))
    assert text.count("Kinh phí được giao chậm") == 1
    assert "Kinh phí được giao chậm (12 cơ quan, đơn vị nêu: Xã 0, Xã 1" in text
    assert "và 2 cơ quan, đơn vị khác)" in text
    assert "- Thiếu nhân lực (Sở KH&CN)." in text
    assert "không nêu khó khăn" not in text


def test_agency_report_never_speaks_of_other_agencies_about_itself():
    own = content(agency="Sở Khoa học và Công nghệ", agency_kind="department")
    assert (
        drafting.difficulties_draft(own) == "Trong kỳ, Sở Khoa học và Công nghệ không có khó khăn, vướng mắc phát sinh."
    )
    with_issue = content(agency="Sở Khoa học và Công nghệ", difficulties=[IssueRow("Sở KH&CN", 3, "Thiếu nhân lực.")])
    text = drafting.difficulties_draft(with_issue)
    assert "các cơ quan" not in text and "- Thiếu nhân lực." in text


def test_edited_sections_replace_their_drafts_only():
    texts = drafting.sections_draft(content(), {drafting.PROPOSALS: "Đề nghị Tỉnh ủy bổ sung kinh phí.", "results": ""})
    assert texts[drafting.PROPOSALS] == "Đề nghị Tỉnh ủy bổ sung kinh phí."
    assert texts[drafting.RESULTS].startswith("Chưa có chỉ tiêu nào")
    assert set(texts) == set(drafting.SECTIONS)


@pytest.mark.parametrize(
    ("layout", "authority", "title", "expected"),
    [
        (documents.STATE, documents.DEPUTY, "PHÓ GIÁM ĐỐC", ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")),
        (documents.STATE, documents.BY_ORDER, "CHÁNH VĂN PHÒNG", ("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG")),
        (documents.STATE, documents.ACTING, "", ("Q. GIÁM ĐỐC", "")),
        (documents.STATE, documents.DIRECT, "", ("", "GIÁM ĐỐC")),
        (documents.PARTY, documents.ON_BEHALF, "", ("T/M BAN CHỈ ĐẠO", "GIÁM ĐỐC")),
        (documents.PARTY, documents.DEPUTY, "PHÓ TRƯỞNG BAN", ("K/T GIÁM ĐỐC", "PHÓ TRƯỞNG BAN")),
    ],
)
def test_signature_lines(layout, authority, title, expected):
    lines = documents.signature_lines(layout, authority, collective="BAN CHỈ ĐẠO", head="GIÁM ĐỐC", title=title)
    assert lines == expected


def test_short_title_cuts_at_a_word():
    title = (
        "Rà soát, số hóa quy trình nghiệp vụ nội bộ, hồ sơ tài liệu, kết quả giải quyết thủ tục hành chính; tái sử dụng"
    )
    short = drafting.short_title(title, limit=60)
    assert short.endswith("…") and len(short) <= 61 and ";" not in short
