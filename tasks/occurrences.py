"""Due instances of a task (occurrences) and where each stands as of a date; report timeliness.

Pure functions: schedules (tasks/schedule.py), the agency's task updates and the reporting periods are passed
in with an explicit as-of date; nothing reads the database or the clock. Updates dated after the as-of date
are ignored, so history can be replayed.

- one-off: one occurrence, on the deadline;
- recurring: one per due date of the RRULE, from the plan's start up to the first one still ahead;
- continuous: a progress report each reporting period, due on the period's report due date;
- conditional: one per recorded trigger (its deadline); none recorded: one occurrence awaiting the trigger.
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
    """One due instance; updates for periods ending in (window_start, due_on] answer it."""

    due_on: date | None
    window_start: date | None = None
    period_id: int | None = None
    trigger_id: int | None = None


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


def occurrence_status(
    occurrence: Occurrence, kind: str, updates: Iterable[UpdateFact], as_of: date
) -> OccurrenceStatus:
    """Where one occurrence stands as of ``as_of`` given the agency's approved updates on the task."""
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
