"""What needs a person today: an agency's work list ("Việc cần làm") and how a submitted figure compares with
its agency's history, for the reviewer. Pure functions.

The list holds figures and task reports per reporting period, the tasks themselves, and the recommendations of
inspections the agency must carry out.

No ORM and no "today": the selector gathers the agency's figures and task reports per reporting period, this
module says which are overdue, which are due, and in what order a person should see them (returned items with
the reviewer's reason first, then overdue ones oldest first, then those due soonest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext_lazy as _

FIGURES = "figures"
TASK_REPORTS = "task_reports"
TASK = "task"
#: a recommendation of an inspection (kiến nghị sau kiểm tra): work with a deadline of its own, like a task
RECOMMENDATION = "recommendation"
#: the kinds of item that are a piece of work with a deadline rather than a group of reports
WORK_WITH_DEADLINE = (TASK, RECOMMENDATION)

#: where one figure or task report stands for its agency (chưa nhập / nháp / đã gửi / bị trả lại)
MISSING = "missing"
DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
#: states that still need the agency to act
TO_DO = (RETURNED, MISSING, DRAFT)
STATE_LABELS = {RETURNED: _("bị trả lại"), MISSING: _("chưa nhập"), DRAFT: _("nháp"), SUBMITTED: _("đã gửi")}

RETURNED_FIRST, OVERDUE, DUE, WAITING = "returned", "overdue", "due", "waiting"


@dataclass
class WorkItem:
    """One line of the work list: a group of figures or task reports of one period, or one task or one returned
    submission. ``counts`` holds how many of its submissions are in each state."""

    kind: str
    title: str
    period_label: str
    due_on: date | None
    url: str
    counts: dict[str, int] = field(default_factory=dict)
    reason: str = ""
    reviewed_on: date | None = None
    days_late: int = 0
    key: str = ""
    #: the words of the one button that acts on it ("Nhập số liệu", "Sửa và gửi lại", ...)
    action: str = ""
    #: days before the deadline as of the list's date, negative once past (set by ``work_list``)
    days_left: int | None = None

    def state_counts(self) -> list[tuple[str, str, int]]:
        """(state, its words, n) for the states present, in the order the list shows them."""
        return [
            (state, str(label), self.counts[state]) for state, label in STATE_LABELS.items() if self.counts.get(state)
        ]

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def to_do(self) -> int:
        return sum(self.counts.get(state, 0) for state in TO_DO)


def urgency(item: WorkItem, as_of: date) -> str:
    """Which section of the list an item belongs to."""
    if item.counts.get(RETURNED):
        return RETURNED_FIRST
    if item.kind in WORK_WITH_DEADLINE and item.days_late > 0:
        return OVERDUE
    if not item.to_do:
        return WAITING
    if item.due_on is not None and item.due_on < as_of:
        return OVERDUE
    return DUE


def days_until(due_on: date | None, as_of: date) -> int | None:
    """Days left before ``due_on`` (negative once it has passed)."""
    return None if due_on is None else (due_on - as_of).days


@dataclass
class WorkList:
    as_of: date
    returned: list[WorkItem]
    overdue: list[WorkItem]
    due: list[WorkItem]
    waiting: list[WorkItem]

    @property
    def action_count(self) -> int:
        """What the menu badge shows: the lines that still need the agency to act."""
        return len(self.returned) + len(self.overdue) + len(self.due)

    def __bool__(self) -> bool:
        return bool(self.returned or self.overdue or self.due or self.waiting)


def work_list(items: list[WorkItem], as_of: date) -> WorkList:
    """Sort items into returned / overdue / due / waiting, each in the order a person should deal with them."""
    sections: dict[str, list[WorkItem]] = {RETURNED_FIRST: [], OVERDUE: [], DUE: [], WAITING: []}
    for item in items:
        item.days_left = days_until(item.due_on, as_of)
        sections[urgency(item, as_of)].append(item)
    far = date.max
    sections[RETURNED_FIRST].sort(key=lambda i: (i.due_on or far, i.title))
    # the oldest deadline first: it has waited longest
    sections[OVERDUE].sort(key=lambda i: (i.due_on or far, i.kind != FIGURES, i.title))
    sections[DUE].sort(key=lambda i: (i.due_on or far, i.kind != FIGURES, i.title))
    sections[WAITING].sort(key=lambda i: (i.due_on or far, i.title))
    return WorkList(as_of, sections[RETURNED_FIRST], sections[OVERDUE], sections[DUE], sections[WAITING])


# Review: how a submitted figure compares with the agency's own history (DHIS2's outlier idea).

#: DHIS2's modified z-score threshold (Iglewicz and Hoaglin): beyond it a value stands out of its history
MODIFIED_Z_THRESHOLD = Decimal("3.5")
#: earlier approved values of the same agency a history needs before a value can be called an outlier
OUTLIER_MIN_HISTORY = 4
#: with a flat history (every earlier value equal), a move beyond this share of it stands out
FLAT_HISTORY_JUMP = Decimal("0.5")


def is_outlier(value: Decimal | None, history: list[Decimal]) -> bool | None:
    """Whether ``value`` lies beyond the agency's own history of approved values for the metric (modified
    z-score on the median and the median absolute deviation); None when the history is too short to say."""
    if value is None or len(history) < OUTLIER_MIN_HISTORY:
        return None
    middle = Decimal(median(history))
    deviation = Decimal(median([abs(v - middle) for v in history]))
    if deviation == 0:
        if middle == 0:
            return value != 0
        return abs(value - middle) > FLAT_HISTORY_JUMP * abs(middle)
    return Decimal("0.6745") * abs(value - middle) / deviation > MODIFIED_Z_THRESHOLD
