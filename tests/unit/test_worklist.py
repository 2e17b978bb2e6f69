"""The work list's order and the reviewer's outlier flag: pure functions, no database."""

from datetime import date
from decimal import Decimal as D

from entry.worklist import (
    DRAFT,
    FIGURES,
    MISSING,
    RETURNED,
    SUBMITTED,
    TASK,
    TASK_REPORTS,
    WorkItem,
    is_outlier,
    work_list,
)

TODAY = date(2026, 12, 1)


def item(title, due, kind=FIGURES, days_late=0, **counts):
    return WorkItem(kind=kind, title=title, period_label="", due_on=due, url="#", counts=counts, days_late=days_late)


def test_returned_first_then_overdue_oldest_first_then_due_soonest_then_waiting():
    items = [
        item("Q4 figures", date(2026, 12, 24), **{MISSING: 3}),
        item("month 12 figures", date(2026, 12, 19), **{DRAFT: 1}),
        item("Q3 figures", date(2026, 9, 24), **{MISSING: 2}),
        item("month 11 figures", date(2026, 11, 19), **{MISSING: 1, SUBMITTED: 2}),
        item("returned figure", date(2026, 9, 24), **{RETURNED: 1}),
        item("only sent", date(2026, 11, 19), kind=TASK_REPORTS, **{SUBMITTED: 4}),
        item("task 8", date(2026, 11, 1), kind=TASK, days_late=30),
    ]
    work = work_list(items, TODAY)
    assert [i.title for i in work.returned] == ["returned figure"]
    assert [i.title for i in work.overdue] == ["Q3 figures", "task 8", "month 11 figures"]
    assert [i.title for i in work.due] == ["month 12 figures", "Q4 figures"]
    assert [i.title for i in work.waiting] == ["only sent"]
    assert work.action_count == 6
    assert work.overdue[0].days_left == -68 and work.due[0].days_left == 18


def test_a_period_due_today_is_not_yet_overdue():
    work = work_list([item("due today", TODAY, **{MISSING: 1})], TODAY)
    assert work.due and not work.overdue and work.due[0].days_left == 0


def test_state_counts_in_reading_order():
    assert item("x", TODAY, **{SUBMITTED: 1, MISSING: 2, RETURNED: 1}).state_counts() == [
        (RETURNED, "bị trả lại", 1),
        (MISSING, "chưa nhập", 2),
        (SUBMITTED, "đã gửi", 1),
    ]


def test_outlier_is_judged_against_the_agencys_own_history():
    history = [D(100), D(104), D(98), D(101), D(103), D(99)]
    assert is_outlier(D(102), history) is False
    assert is_outlier(D(180), history) is True
    assert is_outlier(D(20), history) is True
    # a noisy history tolerates what a steady one would flag
    noisy = [D(50), D(150), D(80), D(130), D(100)]
    assert is_outlier(D(180), noisy) is False
    # too little history to say
    assert is_outlier(D(1000), [D(1), D(2), D(3)]) is None
    # a flat history: a move beyond half of it stands out
    assert is_outlier(D(100), [D(100)] * 4) is False
    assert is_outlier(D(160), [D(100)] * 4) is True
