from datetime import date

from core.spreadsheets import neutralise
from reports.documents import place_and_date


def test_place_and_date_line_follows_decree_30():
    assert place_and_date("Hưng Yên", date(2026, 7, 5)) == "Hưng Yên, ngày 05 tháng 7 năm 2026"
    assert place_and_date("Hưng Yên", date(2026, 2, 15)) == "Hưng Yên, ngày 15 tháng 02 năm 2026"
    assert place_and_date("Hưng Yên", None).startswith("Hưng Yên, ngày ")


def test_text_cells_cannot_become_formulas():
    for text in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"):
        assert neutralise(text).startswith("'")
    assert neutralise("Đề nghị") == "Đề nghị"
    assert neutralise(12) == 12


def test_overdue_rows_are_grouped_by_task_in_the_printed_report():
    from reports.content import OverdueRow, ReportContent
    from reports.documents import OVERDUE_NAMES_SHOWN, overdue_by_task

    due = date(2026, 3, 31)
    rows = [OverdueRow(task=7, title="Nhiệm vụ 7", agency=f"Xã {n:02d}", due_on=due, days_late=81) for n in range(10)]
    rows.append(OverdueRow(task=3, title="Nhiệm vụ 3", agency="Sở KH&CN", due_on=due, days_late=81))
    content = ReportContent(
        plan_code="65-KH/TU",
        plan_title="",
        plan_issued_on=date(2026, 4, 22),
        period_label="Quý II/2026",
        period_kind="quarter",
        starts_on=date(2026, 3, 15),
        ends_on=date(2026, 6, 14),
        as_of=date(2026, 6, 20),
        agency=None,
        agency_kind=None,
        milestone=2030,
        groups=[],
        tasks_by_agency=[],
        overdue=rows,
        difficulties=[],
        proposals=[],
        figures=[],
    )
    grouped = overdue_by_task(content)
    assert [(task, days) for task, _, _, days, _ in grouped] == [(7, 81), (3, 81)]
    names = grouped[0][4]
    assert names.startswith("Xã 00, Xã 01") and names.endswith(f"và {10 - OVERDUE_NAMES_SHOWN} cơ quan, đơn vị khác")
    assert grouped[1][4] == "Sở KH&CN"
