"""Where a recommendation stands as of a day: pure, no ORM, no "today".

A recommendation is a piece of work with a deadline, judged by the one rule every task occurrence is judged by
(``tasks.occurrences.status_on``): done on time or late by the day the agency finished it, overdue once its
deadline has passed unmet, not yet due before. What the agency finished counts from the day the standing office
accepted its report, so a report for an earlier day reads the record as it stood then; and, as for tasks, work
not yet due with an accepted report of progress is "in progress".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tasks.occurrences import DONE_LATE, DONE_ON_TIME, IN_PROGRESS, NOT_DUE, OVERDUE, status_on

#: the statuses a recommendation can have, the most pressing first
STATUSES = (OVERDUE, IN_PROGRESS, NOT_DUE, DONE_LATE, DONE_ON_TIME)
DONE = (DONE_ON_TIME, DONE_LATE)


@dataclass(frozen=True)
class Standing:
    status: str
    days_late: int = 0
    done_on: date | None = None

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    @property
    def is_open(self) -> bool:
        return not self.is_done


def recommendation_standing(
    *,
    due_on: date,
    completed_on: date | None,
    accepted_on: date | None,
    as_of: date,
    progress_reported_on: date | None = None,
) -> Standing:
    """Where a recommendation stands on ``as_of``: its completion counts once accepted by then."""
    known = completed_on if completed_on is not None and accepted_on is not None and accepted_on <= as_of else None
    status, days_late = status_on(due_on=due_on, done_on=known, as_of=as_of)
    if status == NOT_DUE and progress_reported_on is not None and progress_reported_on <= as_of:
        status = IN_PROGRESS
    return Standing(status, days_late, known if status in DONE else None)


@dataclass(frozen=True)
class Tally:
    """Recommendations counted by where they stand: what reports print as "… đã xong, … quá hạn"."""

    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    open: int = 0  # not yet due (in progress or not started)

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def total(self) -> int:
        return self.done + self.overdue + self.open


def tally(standings: Iterable[Standing]) -> Tally:
    counted = Counter(s.status for s in standings)
    return Tally(
        done_on_time=counted[DONE_ON_TIME],
        done_late=counted[DONE_LATE],
        overdue=counted[OVERDUE],
        open=counted[NOT_DUE] + counted[IN_PROGRESS],
    )
