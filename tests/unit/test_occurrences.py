"""Task occurrences per schedule kind, their status as of a date, and report timeliness."""

from datetime import date

from indicators.periods import report_timeliness
from tasks import occurrences as o
from tasks.schedule import RULE_QUARTERLY, Schedule

START = date(2026, 4, 22)
ONE_OFF = Schedule("one_off", due=date(2026, 6, 30))


def test_one_off_has_one_occurrence():
    assert o.task_occurrences(ONE_OFF, start=START, as_of=date(2026, 11, 26)) == [o.Occurrence(date(2026, 6, 30))]


def test_one_off_with_no_progress_is_overdue_only_once_its_deadline_passed():
    due = o.task_occurrences(ONE_OFF, start=START, as_of=date(2026, 6, 1))[0]
    assert o.occurrence_status(due, "one_off", [], date(2026, 6, 30)).status == o.NOT_DUE
    late = o.occurrence_status(due, "one_off", [], date(2026, 7, 10))
    assert (late.status, late.days_late) == (o.OVERDUE, 10)


def test_one_off_done_on_time_late_and_in_progress():
    due = o.Occurrence(date(2026, 6, 30))
    working = o.UpdateFact(1, date(2026, 6, 14), o.WORKING)
    assert o.occurrence_status(due, "one_off", [working], date(2026, 6, 20)).status == o.IN_PROGRESS
    on_time = o.UpdateFact(1, date(2026, 6, 14), o.DONE, completed_on=date(2026, 6, 10))
    result = o.occurrence_status(due, "one_off", [on_time], date(2026, 11, 1))
    assert (result.status, result.completed_on) == (o.DONE_ON_TIME, date(2026, 6, 10))
    late = o.UpdateFact(2, date(2026, 9, 14), o.DONE, completed_on=date(2026, 7, 5))
    result = o.occurrence_status(due, "one_off", [working, late], date(2026, 11, 1))
    assert (result.status, result.days_late) == (o.DONE_LATE, 5)
    # replaying history: on 1/7 the completion of 5/7 was not yet known
    assert o.occurrence_status(due, "one_off", [working, late], date(2026, 7, 1)).status == o.OVERDUE


def test_recurring_occurrences_follow_the_rule_up_to_the_next_one_ahead():
    schedule = Schedule("recurring", rule=RULE_QUARTERLY)
    found = o.task_occurrences(schedule, start=START, as_of=date(2026, 11, 26))
    assert [x.due_on for x in found] == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert found[1].window_start == date(2026, 6, 30)
    reported = o.UpdateFact(7, date(2026, 9, 14), o.WORKING, reported_on=date(2026, 9, 20))
    statuses = [o.occurrence_status(x, "recurring", [reported], date(2026, 11, 26)).status for x in found]
    assert statuses == [o.OVERDUE, o.DONE_ON_TIME, o.NOT_DUE]


def test_continuous_work_owes_a_progress_report_each_period():
    schedule = Schedule("continuous", starts=date(2026, 1, 1))
    quarters = [
        o.ReportingPeriod(1, date(2026, 6, 14), date(2026, 6, 24)),
        o.ReportingPeriod(2, date(2026, 9, 14), date(2026, 9, 24)),
        o.ReportingPeriod(3, date(2026, 12, 14), date(2026, 12, 24)),
        o.ReportingPeriod(4, date(2027, 3, 14), date(2027, 3, 24)),
    ]
    found = o.task_occurrences(schedule, start=START, as_of=date(2026, 11, 26), reporting_periods=quarters)
    assert [(x.period_id, x.due_on) for x in found] == [
        (1, date(2026, 6, 24)),
        (2, date(2026, 9, 24)),
        (3, date(2026, 12, 24)),
    ]
    late = o.UpdateFact(2, date(2026, 9, 14), o.WORKING, reported_on=date(2026, 9, 30))
    result = o.occurrence_status(found[1], "continuous", [late], date(2026, 11, 26))
    assert (result.status, result.days_late) == (o.DONE_LATE, 6)
    assert o.occurrence_status(found[0], "continuous", [late], date(2026, 11, 26)).status == o.OVERDUE


def test_conditional_work_waits_for_its_trigger():
    schedule = Schedule("conditional", label="Theo đề nghị của bộ, ngành")
    waiting = o.task_occurrences(schedule, start=START, as_of=date(2026, 11, 26))
    assert waiting == [o.Occurrence(None)]
    assert o.occurrence_status(waiting[0], "conditional", [], date(2026, 11, 26)).status == o.AWAITING_TRIGGER
    trigger = o.Trigger(5, requested_on=date(2026, 8, 1), due_on=date(2026, 10, 31))
    found = o.task_occurrences(schedule, start=START, as_of=date(2026, 11, 26), triggers=[trigger])
    assert [(x.due_on, x.trigger_id) for x in found] == [(date(2026, 10, 31), 5)]
    result = o.occurrence_status(found[0], "conditional", [], date(2026, 11, 26))
    assert (result.status, result.days_late) == (o.OVERDUE, 26)


def test_report_timeliness():
    due = date(2026, 7, 24)
    assert report_timeliness(due_on=due, submitted_on=date(2026, 7, 24), as_of=date(2026, 8, 1)) == ("on_time", 0)
    assert report_timeliness(due_on=due, submitted_on=date(2026, 7, 27), as_of=date(2026, 8, 1)) == ("late", 3)
    assert report_timeliness(due_on=due, submitted_on=None, as_of=date(2026, 8, 1)) == ("missing", 8)
    assert report_timeliness(due_on=due, submitted_on=None, as_of=date(2026, 7, 20)) == ("not_due", 0)
    # submitted after the as-of date: not yet known then
    assert report_timeliness(due_on=due, submitted_on=date(2026, 8, 5), as_of=date(2026, 8, 1)) == ("missing", 8)
