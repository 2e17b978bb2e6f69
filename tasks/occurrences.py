"""Due instances of a task (occurrences) and where each stands as of a date; report timeliness.

Pure functions: schedules (tasks/schedule.py), the agency's task updates and the reporting periods are passed
in with an explicit as-of date; nothing reads the database or the clock. Updates dated after the as-of date
are ignored, so history can be replayed.

- one-off: one occurrence, on the deadline;
- recurring: one per due date of the RRULE, from the plan's start up to the first one still ahead;
- continuous: a progress report each reporting period, due on the period's report due date;
- conditional: one per recorded trigger (its deadline); none recorded: one occurrence awaiting the trigger.

A task whose terms an adjustment changed has several versions, each in force over an interval
(``versioned_occurrences``): a one-off deadline is the one in force on the as-of date (an extension moves it; what
was overdue before the decision was overdue then); recurring and continuous work is due piecewise, the due dates
before the effective date from the old terms, those after it from the new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .schedule import Schedule, occurrences

NOT_DUE = "not_due"
IN_PROGRESS = "in_progress"
DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OVERDUE = "overdue"
AWAITING_TRIGGER = "awaiting_trigger"

# TaskUpdate.Progress values
NOT_STARTED = "not_started"
WORKING = "in_progress"
DONE = "done"

#: how far ahead recurring due dates are looked for, to show the next one as "not yet due"
_HORIZON = timedelta(days=400)


@dataclass(frozen=True)
class ReportingPeriod:
    """A reporting period as occurrences need it: its id, the end of its window and its report due date."""

    period_id: int
    ends_on: date
    due_on: date


@dataclass(frozen=True)
class Trigger:
    trigger_id: int
    requested_on: date
    due_on: date


@dataclass(frozen=True)
class Occurrence:
    """One due instance; updates for periods ending in (window_start, due_on] answer it. ``kind``: the schedule
    kind of the terms it comes from (None: the task's)."""

    due_on: date | None
    window_start: date | None = None
    period_id: int | None = None
    trigger_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class ScheduleVersion:
    """A task's schedule as in force from ``valid_from`` to ``valid_to`` (inclusive; None: still in force)."""

    schedule: Schedule
    valid_from: date
    valid_to: date | None = None

    def contains(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Interval:
    """When an agency has a part in a task (its assignment in force): [valid_from, valid_to], inclusive."""

    valid_from: date
    valid_to: date | None = None

    def contains(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class UpdateFact:
    """What an agency reported on a task for a period (approved updates only)."""

    period_id: int
    period_ends_on: date
    progress: str
    completed_on: date | None = None
    reported_on: date | None = None  # the day it was submitted; None: the period's end stands in

    @property
    def on(self) -> date:
        return self.reported_on or self.period_ends_on


@dataclass(frozen=True)
class OccurrenceStatus:
    status: str
    completed_on: date | None = None
    days_late: int = 0


def task_occurrences(
    schedule: Schedule,
    *,
    start: date,
    as_of: date,
    reporting_periods: Iterable[ReportingPeriod] = (),
    triggers: Iterable[Trigger] = (),
) -> list[Occurrence]:
    """The occurrences of a task from ``start`` (the plan's start) up to the first one due after ``as_of``."""
    if schedule.kind == "one_off":
        return [Occurrence(schedule.due, window_start=None)]
    if schedule.kind == "conditional":
        found = [
            Occurrence(t.due_on, window_start=t.requested_on - timedelta(days=1), trigger_id=t.trigger_id)
            for t in sorted(triggers, key=lambda t: (t.due_on, t.trigger_id))
        ]
        return found or [Occurrence(None)]
    if schedule.kind == "recurring":
        dates = occurrences(schedule, start, as_of + _HORIZON)
        found = []
        previous = start - timedelta(days=1)
        for due in dates:
            found.append(Occurrence(due, window_start=previous))
            previous = due
            if due > as_of:
                break
        return found
    # continuous: one progress report per reporting period within the schedule's span
    first = max(start, schedule.starts) if schedule.starts else start
    found = []
    for period in sorted(reporting_periods, key=lambda p: p.ends_on):
        if period.ends_on < first or (schedule.ends and period.ends_on > schedule.ends):
            continue
        found.append(Occurrence(period.due_on, period_id=period.period_id))
        if period.due_on > as_of:
            break
    return found


def versioned_occurrences(
    versions: Iterable[ScheduleVersion],
    *,
    start: date,
    as_of: date,
    reporting_periods: Iterable[ReportingPeriod] = (),
    triggers: Iterable[Trigger] = (),
) -> list[Occurrence]:
    """The occurrences of a task whose terms have versions, as of ``as_of`` (only the versions begun by then count).

    - the version in force on ``as_of`` gives its occurrences as ``task_occurrences`` does, those due from its first
      day on (a one-off deadline whatever its date: it is the deadline in force);
    - an earlier version gives those due while it was in force, except a one-off deadline replaced by another
      one-off deadline (an extension: the work is judged against the deadline in force);
    - a task retired before ``as_of`` keeps what fell due while it was in force.
    Recurring windows are chained across versions, so that one report answers one due date."""
    periods = list(reporting_periods)
    trigger_list = list(triggers)
    begun = sorted((v for v in versions if v.valid_from <= as_of), key=lambda v: v.valid_from)
    found: list[Occurrence] = []
    for index, version in enumerate(begun):
        current = version.contains(as_of)
        following = begun[index + 1] if index + 1 < len(begun) else None
        kind = version.schedule.kind
        if kind == "one_off":
            due = version.schedule.due
            superseded = following is not None and following.schedule.kind == "one_off"
            if current or (not superseded and version.contains(due)):
                found.append(Occurrence(due, kind=kind))
            continue
        if kind == "conditional":
            mine = [t for t in trigger_list if version.contains(t.requested_on)]
            occurrences = task_occurrences(version.schedule, start=start, as_of=as_of, triggers=mine)
            found += [
                Occurrence(o.due_on, o.window_start, o.period_id, o.trigger_id, kind)
                for o in occurrences
                if o.trigger_id is not None or current
            ]
            continue
        low = max(start, version.valid_from)
        for o in task_occurrences(version.schedule, start=low, as_of=as_of, reporting_periods=periods):
            if o.due_on is not None and o.due_on >= version.valid_from and (current or version.contains(o.due_on)):
                found.append(Occurrence(o.due_on, o.window_start, o.period_id, o.trigger_id, kind))
    found.sort(key=lambda o: (o.due_on is None, o.due_on or start))
    chained, previous = [], start - timedelta(days=1)
    for o in found:
        if o.kind == "recurring":
            o = Occurrence(o.due_on, previous, o.period_id, o.trigger_id, o.kind)
        chained.append(o)
        if o.due_on is not None:
            previous = max(previous, o.due_on)
    return chained


def occurrences_for_agency(
    occurrences: Iterable[Occurrence], intervals: Iterable[Interval], as_of: date
) -> list[Occurrence]:
    """The occurrences that are an agency's work: due while its part in the task was in force (one added by an
    adjustment has none due before its effective date; one removed keeps what was due before); awaiting a trigger
    while its part is in force on ``as_of``."""
    spans = list(intervals)
    return [o for o in occurrences if any(span.contains(o.due_on if o.due_on is not None else as_of) for span in spans)]


def occurrence_status(
    occurrence: Occurrence, kind: str, updates: Iterable[UpdateFact], as_of: date
) -> OccurrenceStatus:
    """Where one occurrence stands as of ``as_of`` given the agency's approved updates on the task (``kind``: the
    task's schedule kind, unless the occurrence carries its own)."""
    kind = occurrence.kind or kind
    if occurrence.due_on is None:
        return OccurrenceStatus(AWAITING_TRIGGER)
    due = occurrence.due_on
    known = [u for u in updates if u.period_ends_on <= as_of and u.on <= as_of]
    if kind == "continuous":
        relevant = [u for u in known if u.period_id == occurrence.period_id]
    elif occurrence.window_start is not None:
        relevant = [u for u in known if u.period_ends_on > occurrence.window_start]
        if kind == "recurring":
            relevant = [u for u in relevant if u.period_ends_on <= due]
    else:
        relevant = known

    if kind in ("one_off", "conditional"):
        finished = [u.completed_on or u.period_ends_on for u in relevant if u.progress == DONE]
        finished = [day for day in finished if day <= as_of]
    else:
        # recurring and continuous work is answered by a progress report for the occurrence's window
        finished = [u.on for u in relevant if u.progress in (WORKING, DONE)]
    done_on = min(finished) if finished else None
    status, days_late = status_on(due_on=due, done_on=done_on, as_of=as_of)
    if status == NOT_DUE and any(u.progress in (WORKING, DONE) for u in relevant):
        status = IN_PROGRESS
    return OccurrenceStatus(status, done_on, days_late)


def status_on(*, due_on: date, done_on: date | None, as_of: date) -> tuple[str, int]:
    """The one rule for a piece of work with a deadline, as of a day: done on time or late (by the day it was
    done), overdue, or not yet due; with the days late. Pages, reports and the engine all judge by it."""
    if done_on is not None and done_on <= as_of:
        late = (done_on - due_on).days
        return (DONE_LATE, late) if late > 0 else (DONE_ON_TIME, 0)
    if as_of > due_on:
        return OVERDUE, (as_of - due_on).days
    return NOT_DUE, 0


#: the most pressing first: what a task's standing for an agency shows
URGENCY = (OVERDUE, IN_PROGRESS, NOT_DUE, DONE_LATE, DONE_ON_TIME, AWAITING_TRIGGER)


def progress_disagrees(progress: str, computed: str) -> bool:
    """Whether an agency's own "tình trạng" of a task contradicts its computed status: not started or in progress
    while a deadline has passed unmet, or while the work is already recorded as done. Reporting "done" is never
    a contradiction: it is how the computed status learns the work is done."""
    return progress != DONE and computed in (OVERDUE, DONE_ON_TIME, DONE_LATE)


# Counting. A task is counted as a task ("x/35 nhiệm vụ"), its due dates as "lượt" (one per deadline and
# agency), and the two are never added together. "Chưa đến hạn" (a deadline ahead, no progress reported yet) is
# not "đang thực hiện" (a deadline ahead with work reported under way).

#: a task's standing, from the statuses of all its due dates (every agency's)
TASK_BEHIND = "behind"  # some deadline has passed unmet
TASK_ON_SCHEDULE = "on_schedule"  # every deadline passed so far was met (or none has passed yet)
TASK_AWAITING = "awaiting"  # conditional work nobody has asked for yet
TASK_STANDINGS = (TASK_ON_SCHEDULE, TASK_BEHIND, TASK_AWAITING)
#: the statuses of due dates ("lượt"), in the order they are counted and shown
DUE_STATUSES = (DONE_ON_TIME, DONE_LATE, OVERDUE, IN_PROGRESS, NOT_DUE, AWAITING_TRIGGER)


def task_standing_of(statuses: Iterable[str]) -> str:
    """One task's standing from the statuses of its due dates."""
    found = set(statuses)
    if OVERDUE in found:
        return TASK_BEHIND
    if found and found <= {AWAITING_TRIGGER}:
        return TASK_AWAITING
    return TASK_ON_SCHEDULE


@dataclass(frozen=True)
class Tally:
    """Tasks counted as tasks (by standing, of ``total``) and due dates counted as "lượt" (by status)."""

    total: int
    tasks: dict[str, int]
    due: dict[str, int]

    @property
    def due_total(self) -> int:
        return sum(self.due.values())


def tally(occurrences: Iterable[tuple[int, str, int]], *, task_ids: Iterable[int]) -> Tally:
    """Count ``occurrences`` — (task id, status, how many due dates) — for the tasks ``task_ids``: the one rule
    the overview, the agency pages and the periodic report count tasks with. A task with no due date counted
    is on schedule (nothing unmet)."""
    wanted = set(task_ids)
    statuses: dict[int, set[str]] = {task_id: set() for task_id in wanted}
    due = dict.fromkeys(DUE_STATUSES, 0)
    for task_id, status, count in occurrences:
        if task_id not in wanted or not count:
            continue
        statuses[task_id].add(status)
        due[status] = due.get(status, 0) + count
    tasks = dict.fromkeys(TASK_STANDINGS, 0)
    for found in statuses.values():
        tasks[task_standing_of(found)] += 1
    return Tally(len(wanted), tasks, due)
