"""What each write changes on the cached pages: the one map from a saved or deleted row to the dependencies it moves
(core/snapshots.py, whose vocabulary this uses; docs/performance.md, "What a page depends on").

Pages declare what they show (``page_response(..., depends=[...])`` and ``depends_on`` while building); rows saved
one by one (the admin, the entry forms, the review queue, plan loading) move what this map says, after their commit.
Services that write in bulk name what they change themselves (``snapshots_changed(FIGURES, metric(pk))``). A model
of a watched app missing here moves everything: a new model is safe before it is mapped, and cheaper once it is.

The rule that matters most: unapproved work (a draft saved, a figure sent or returned) is shown on the pages only to
its own agency's staff (``agencies.permissions.submissions_on_pages``), so it moves that agency's work
(``agency-drafts:<id>``) and, once sent or returned, the review queue and who has sent its period's figures
(``period-sent:<id>``) — never what the other readers see. An approval moves its metric's figures, its agency and the
approved figures; the recompute it queues moves what is computed from them (``figures``, ``metric:<id>``) once, when
it commits. A task report's approval moves its task and its agency.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.snapshots import (
    APPROVED,
    CHANGES,
    DIRECTORY,
    FIGURES,
    OVERSIGHT,
    PERIODS,
    PLAN,
    REVIEW,
    TASKS,
    UNAPPROVED,
    agency,
    agency_drafts,
    comments,
    indicator,
    metric,
    metric_figures,
    period_sent,
    task,
)
from core.workflow import SubmissionStatus
from indicators.statuses import statuses_stored

NOTHING: tuple[str, ...] = ()


def _unapproved(row) -> list[str]:
    """A submission's move through the workflow before approval: its agency's own work, and the review queue once
    sent (a return, a resubmission); a draft saved changes nothing anyone else sees."""
    keys = [agency_drafts(row.agency_id), UNAPPROVED]
    if row.status != SubmissionStatus.DRAFT:
        keys.append(REVIEW)
    return keys


def observation_changes(row) -> Iterable[str]:
    # a figure that is or was sent: who has sent its period's figures (a draft was never sent: the workflow leads
    # from a submission only to an approval or a return)
    sent = [] if row.status == SubmissionStatus.DRAFT else [period_sent(row.period_id)]
    correcting = getattr(row, "correction_status", "") in (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED)
    if row.status == SubmissionStatus.APPROVED and not correcting:
        # approved (or its correction approved): the figure shows on its metric's indicator page, its agency's page
        # and the approved figures' lists; what is computed from it (statuses, province values) moves with the
        # recompute the approval queues (indicators.services.metrics_recompute_after_commit); until a first
        # recompute has stored statuses they are computed from the approved figures on each build, so the approval
        # itself moves them
        computed = [] if statuses_stored() else [FIGURES, metric(row.metric_id)]
        return [
            *computed,
            APPROVED,
            metric_figures(row.metric_id),
            agency(row.agency_id),
            agency_drafts(row.agency_id),
            REVIEW,
            UNAPPROVED,
            *sent,
        ]
    # a correction proposed or returned leaves the approved value as it was
    return [*_unapproved(row), *sent]


def task_update_changes(row) -> Iterable[str]:
    if row.status == SubmissionStatus.APPROVED:
        return [task(row.task_id), agency(row.agency_id), agency_drafts(row.agency_id), REVIEW]
    return _unapproved(row)


def recommendation_update_changes(row) -> Iterable[str]:
    if row.status == SubmissionStatus.APPROVED:
        return [OVERSIGHT, agency_drafts(row.agency_id), REVIEW]
    return _unapproved(row)


def comment_changes(row) -> Iterable[str]:
    return [comments("indicator", row.indicator_id) if row.indicator_id else comments("task", row.task_id)]


def _plan(row) -> Iterable[str]:
    return [PLAN]


def _nothing(row) -> Iterable[str]:
    return NOTHING


#: model label → what a saved or deleted row of it changes
WRITES = {
    # who: an agency's name shows wherever it is listed, and on its users' top bar
    "agencies.agency": lambda row: [PLAN, DIRECTORY, agency(row.pk)],
    "agencies.collective": _plan,
    # the plan's structure
    "indicators.plan": _plan,
    "indicators.indicatorgroup": _plan,
    "indicators.indicator": _plan,
    "indicators.target": _plan,
    "indicators.parsedtarget": _plan,
    "indicators.metric": _plan,
    "tasks.taskgroup": _plan,
    "tasks.task": _plan,
    "tasks.taskassignment": _plan,
    "oversight.centralindicator": _plan,
    # reporting periods: created by the first write of a period, opened and closed by the standing office
    "indicators.period": lambda row: [PERIODS],
    # figures and task reports through their workflow
    "indicators.observation": observation_changes,
    "tasks.taskupdate": task_update_changes,
    "oversight.recommendationupdate": recommendation_update_changes,
    # assessments
    "indicators.agencyassessment": lambda row: [FIGURES, metric(row.metric_id), agency_drafts(row.agency_id)],
    "indicators.qualitativeassessment": lambda row: [FIGURES, indicator(row.target.indicator_id)],
    # snapshots, when saved one by one (their services write in bulk and say what they changed)
    "indicators.targetstatus": lambda row: [FIGURES, metric(row.parsed_target.metric_id)],
    "indicators.provincevalue": lambda row: [FIGURES, metric(row.metric_id)],
    "indicators.reporttimeliness": lambda row: [TASKS, agency(row.agency_id)],
    "tasks.taskoccurrence": lambda row: [TASKS, task(row.task_id), agency(row.agency_id)],
    "tasks.tasktrigger": lambda row: [TASKS, task(row.task_id)],
    # inspections and their recommendations
    "oversight.inspection": lambda row: [OVERSIGHT],
    "oversight.recommendation": lambda row: [OVERSIGHT],
    "comments.comment": comment_changes,
    # bookkeeping no page shows
    "indicators.recomputerequest": _nothing,
    "indicators.metricrecompute": _nothing,
    "tasks.reminder": _nothing,
    "imports.importbatch": _nothing,
}


def connect() -> None:
    """Called by ``DashboardsConfig.ready``: the receivers of core/snapshots.py read this map."""
    CHANGES.update(WRITES)
