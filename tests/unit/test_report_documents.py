from datetime import date

from reports.content import DONE_LATE, DONE_ON_TIME, IN_PROGRESS, OVERDUE, occurrence_status_as_of
from reports.documents import place_and_date, safe_text

DUE = date(2026, 5, 31)


def test_occurrence_status_is_read_as_of_the_date():
    assert occurrence_status_as_of(due_on=DUE, completed_on=date(2026, 5, 30), as_of=date(2026, 6, 20)) == DONE_ON_TIME
    assert occurrence_status_as_of(due_on=DUE, completed_on=date(2026, 6, 2), as_of=date(2026, 6, 20)) == DONE_LATE
    # completed after the as-of date: on that date it was still open, and overdue
    assert occurrence_status_as_of(due_on=DUE, completed_on=date(2026, 6, 2), as_of=date(2026, 6, 1)) == OVERDUE
    assert occurrence_status_as_of(due_on=DUE, completed_on=None, as_of=date(2026, 5, 31)) == IN_PROGRESS
    assert occurrence_status_as_of(due_on=None, completed_on=None, as_of=date(2026, 5, 31)) == IN_PROGRESS


def test_place_and_date_line_follows_decree_30():
    assert place_and_date("Hưng Yên", date(2026, 7, 5)) == "Hưng Yên, ngày 05 tháng 7 năm 2026"
    assert place_and_date("Hưng Yên", date(2026, 2, 15)) == "Hưng Yên, ngày 15 tháng 02 năm 2026"
    assert place_and_date("Hưng Yên", None).startswith("Hưng Yên, ngày ")


def test_text_cells_cannot_become_formulas():
    for text in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"):
        assert safe_text(text).startswith("'")
    assert safe_text("Đề nghị") == "Đề nghị"
    assert safe_text(12) == 12
