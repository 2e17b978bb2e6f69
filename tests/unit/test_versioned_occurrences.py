"""Occurrences of a task whose terms changed from a date, and an agency's share of them (pure, no database)."""

from datetime import date

from tasks.occurrences import (
    DONE_ON_TIME,
    NOT_DUE,
    OVERDUE,
    Interval,
    ScheduleVersion,
    UpdateFact,
    occurrence_status,
    occurrences_for_agency,
    versioned_occurrences,
)
from tasks.schedule import parse_deadline

START = date(2026, 4, 22)


def version(text: str, start: date, end: date | None = None) -> ScheduleVersion:
    return ScheduleVersion(parse_deadline(text), start, end)


EXTENDED = [version("Tháng 5/2026", START, date(2026, 12, 31)), version("Tháng 6/2027", date(2027, 1, 1))]


def test_an_extended_deadline_is_the_one_in_force_on_the_as_of_date():
    assert [o.due_on for o in versioned_occurrences(EXTENDED, start=START, as_of=date(2026, 12, 31))] == [
        date(2026, 5, 31)
    ]
    assert [o.due_on for o in versioned_occurrences(EXTENDED, start=START, as_of=date(2027, 1, 1))] == [
        date(2027, 6, 30)
    ]
    [before] = versioned_occurrences(EXTENDED, start=START, as_of=date(2026, 12, 31))
    assert occurrence_status(before, "", [], date(2026, 12, 31)).status == OVERDUE
    [after] = versioned_occurrences(EXTENDED, start=START, as_of=date(2027, 1, 2))
    assert occurrence_status(after, "", [], date(2027, 1, 2)).status == NOT_DUE
    # work finished in March 2027 is on time against the deadline in force then
    done = UpdateFact(period_id=1, period_ends_on=date(2027, 3, 14), progress="done", completed_on=date(2027, 3, 1))
    assert occurrence_status(after, "", [done], date(2027, 3, 20)).status == DONE_ON_TIME


def test_a_version_not_begun_yet_does_not_count():
    later = [version("Tháng 5/2026", START)]
    assert versioned_occurrences(later, start=START, as_of=date(2026, 4, 1)) == []


def test_a_recurring_schedule_changed_is_due_piecewise_and_windows_chain():
    versions = [version("Hàng quý", START, date(2026, 12, 31)), version("Hàng năm", date(2027, 1, 1))]
    found = versioned_occurrences(versions, start=START, as_of=date(2027, 3, 1))
    assert [(o.due_on, o.kind) for o in found] == [
        (date(2026, 6, 30), "recurring"),
        (date(2026, 9, 30), "recurring"),
        (date(2026, 12, 31), "recurring"),
        (date(2027, 12, 31), "recurring"),
    ]
    assert found[-1].window_start == date(2026, 12, 31)


def test_a_one_off_replaced_by_a_recurring_schedule_keeps_what_fell_due():
    versions = [version("Tháng 5/2026", START, date(2026, 12, 31)), version("Hàng năm", date(2027, 1, 1))]
    found = versioned_occurrences(versions, start=START, as_of=date(2027, 3, 1))
    assert [(o.due_on, o.kind) for o in found] == [(date(2026, 5, 31), "one_off"), (date(2027, 12, 31), "recurring")]


def test_a_task_retired_keeps_only_what_fell_due_while_in_force():
    versions = [version("Hàng quý", START, date(2026, 10, 31))]
    assert [o.due_on for o in versioned_occurrences(versions, start=START, as_of=date(2027, 6, 1))] == [
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    retired_early = [version("Tháng 6/2027", START, date(2026, 12, 31))]
    assert versioned_occurrences(retired_early, start=START, as_of=date(2027, 8, 1)) == []


def test_an_agency_has_the_occurrences_due_while_its_part_is_in_force():
    found = versioned_occurrences([version("Hàng quý", START)], start=START, as_of=date(2027, 7, 1))
    added = occurrences_for_agency(found, [Interval(date(2027, 1, 1))], date(2027, 7, 1))
    assert [o.due_on for o in added] == [date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30)]
    removed = occurrences_for_agency(found, [Interval(START, date(2026, 12, 31))], date(2027, 7, 1))
    assert [o.due_on for o in removed] == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
