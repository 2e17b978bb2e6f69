"""Reads for data entry and review: "what I must report now", the review queue, histories, completeness."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.snapshots import PERIODS, PLAN, cached_block
from core.snapshots import agency as agency_dependency
from core.workflow import SubmissionStatus
from indicators.models import (
    Metric,
    Observation,
    ParsedTarget,
    Period,
)
from indicators.periods import QUARTER, period_containing
from indicators.selectors import PeriodCompleteness, figures_completeness, observations_approved, periods_containing
from indicators.validation import Change, figure_change
from oversight.models import RecommendationUpdate
from oversight.selectors import recommendation_rows, recommendations_concluded
from tasks.models import Task, TaskOccurrence, TaskTerms, TaskUpdate
from tasks.occurrences import OVERDUE as WORK_OVERDUE
from tasks.selectors import lead_intervals_of, task_schedules, with_task_terms

from . import worklist as wl
from .worklist import WorkItem, WorkList


@dataclass
class EntryRow:
    """One line of "what I must report now": a metric, its period, what is already there, and guidance."""

    metric: Metric
    period: Period
    observation: Observation | None
    previous: Observation | None  # the last approved figure of an earlier period
    next_target: ParsedTarget | None
    #: the day the page is shown (a period not begun by then takes no figure yet)
    today: date | None = None

    @property
    def not_begun(self) -> bool:
        return self.today is not None and self.period.starts_on > self.today

    @property
    def editable(self) -> bool:
        if self.period.is_locked or self.not_begun:
            return False
        return self.observation is None or self.observation.status in (
            SubmissionStatus.DRAFT,
            SubmissionStatus.RETURNED,
        )


@dataclass(frozen=True)
class EntryPlan:
    """What the entry form shows beside the figures being entered, which only the plan, the periods and the agency's
    approvals change: the periods containing the day, the agency's metrics, each one's last approved figure of an
    earlier period and its next target."""

    periods: dict[str, Period]
    metrics: list[Metric]
    previous: dict[int, Observation]
    targets: dict[int, ParsedTarget]


def entry_rows(*, agency: Agency, as_of: date, today: date | None = None) -> list[EntryRow]:
    """The metrics ``agency`` reports, each for its period containing ``as_of``, in a fixed number of queries.

    What is entered for the period is read every time; the rest (``EntryPlan``) is cached until the plan, the
    periods or the agency's approved figures move, so that a draft saved, which reads the rows again, costs one
    query of them, not five. Only for the day the form opens on (today): another day, picked or made up, is read
    from the database, and a crawl of days keeps nothing in the cache."""
    if as_of != timezone.localdate():
        known = entry_plan(agency=agency, as_of=as_of)
    else:
        known = cached_block(
            "entry-plan",
            agency.pk,
            as_of.isoformat(),
            depends=[PLAN, PERIODS, agency_dependency(agency.pk)],
            build=lambda: entry_plan(agency=agency, as_of=as_of),
        )
    if not known.metrics:
        return []
    current = {
        (o.metric_id, o.period_id): o
        for o in Observation.objects.filter(
            agency=agency, metric__in=known.metrics, period__in=[p for p in known.periods.values() if p.pk]
        )
    }
    rows = []
    for metric in known.metrics:
        period = known.periods[metric.period_kind]
        rows.append(
            EntryRow(
                metric,
                period,
                current.get((metric.pk, period.pk)),
                known.previous.get(metric.pk),
                known.targets.get(metric.pk),
                today=today,
            )
        )
    return rows


def entry_plan(*, agency: Agency, as_of: date) -> EntryPlan:
    """``EntryPlan`` of ``agency`` on ``as_of``, read from the database (four queries)."""
    by_kind = periods_containing(as_of)
    metrics = list(Metric.objects.filter(reporters=agency).order_by("frequency", "code"))
    if not metrics:
        return EntryPlan(by_kind, [], {}, {})
    # the last approved figure of each metric before the period being entered (its period ends before that one
    # begins; two years back is enough for every frequency): the newest of each metric, chosen in SQL
    before = Q()
    for kind in sorted({metric.period_kind for metric in metrics}):
        frequencies = [metric.frequency for metric in metrics if metric.period_kind == kind]
        before |= Q(metric__frequency__in=frequencies, period__ends_on__lt=by_kind[kind].starts_on)
    newest_first = Window(RowNumber(), partition_by=[F("metric_id")], order_by=[F("period__ends_on").desc(), "-pk"])
    earlier = (
        observations_approved()
        .filter(before, agency=agency, metric__in=metrics, period__ends_on__gte=as_of - timedelta(days=731))
        .annotate(newest=newest_first)
        .filter(newest=1)
        .select_related("period")
    )
    previous: dict[int, Observation] = {observation.metric_id: observation for observation in earlier}
    targets: dict[int, ParsedTarget] = {}
    for parsed in (
        ParsedTarget.objects.filter(metric__in=metrics, target__year__gte=as_of.year)
        .select_related("target")
        .order_by("target__year", "position")
    ):
        targets.setdefault(parsed.metric_id, parsed)
    return EntryPlan(by_kind, metrics, previous, targets)


def review_queue(*, agency_id: int | None = None, period_id: int | None = None) -> dict[str, list]:
    """Submissions waiting for the standing office, figures and task updates, by agency and period (optionally
    those of one agency and one period)."""
    only = Q()
    if agency_id:
        only &= Q(agency_id=agency_id)
    if period_id:
        only &= Q(period_id=period_id)
    observations = list(
        Observation.objects.filter(
            Q(status=SubmissionStatus.SUBMITTED) | Q(correction_status=SubmissionStatus.SUBMITTED)
        )
        .filter(only)
        .select_related("metric", "agency", "period")
        .order_by("agency__name", "period__ends_on", "metric__code")
    )
    updates = list(
        with_task_terms(
            TaskUpdate.objects.filter(status=SubmissionStatus.SUBMITTED)
            .filter(only)
            .select_related("agency", "period")
            .order_by("agency__name", "period__ends_on", "task__number")
        )
    )
    return {"observations": observations, "task_updates": updates}


@dataclass
class HistoryStep:
    when: object
    who: object
    reason: str
    status: str
    changes: list[tuple[str, object, object]]


def history_steps(obj, fields: list[str], *, approved_only: bool = False) -> list[HistoryStep]:
    """Every saved version of a row, oldest first: who, when, why, and which of ``fields`` changed (old → new).

    ``approved_only``: the versions in which the row stood approved, with no correction pending or refused (the
    history as a reader of another agency may see it: drafts, submissions, returns and their reasons stay with
    the agency and its reviewers, like the row itself before approval)."""
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    if approved_only:
        records = [
            r for r in records if r.status == SubmissionStatus.APPROVED and not getattr(r, "correction_status", "")
        ]
    steps = []
    before = None
    for record in records:
        changes = []
        for name in fields:
            new = getattr(record, name)
            old = getattr(before, name) if before is not None else None
            if before is None and new in (None, ""):
                continue
            if before is None or old != new:
                model_field = obj._meta.get_field(name)
                shown = dict(model_field.flatchoices) if model_field.choices else {}
                changes.append((model_field.verbose_name, shown.get(old, old), shown.get(new, new)))
        if approved_only and before is not None and not changes:
            continue  # saved again as it was approved: nothing a reader of the approved figure would see
        steps.append(
            HistoryStep(
                record.history_date,
                record.history_user,
                record.history_change_reason or "",
                record.get_status_display(),
                changes,
            )
        )
        before = record
    return steps


# Completeness: who has reported for a period. The rule is the indicators' (the overview and the periodic
# report count with it too); the page shows it as of the day asked.


def period_completeness(*, period: Period, as_of: date) -> PeriodCompleteness:
    """Per agency expected to report figures for ``period``: complete on time, late, partly, or not at all."""
    return figures_completeness(period=period, as_of=as_of)


# ---------------------------------------------------------------------------------------------------------------
# What needs me today: an agency's work list ("Việc cần làm"); a GET never writes, so periods nobody stored yet
# are built in memory from their Decree 09 window.

#: how far ahead a task's own deadline shows among the things due
TASK_DEADLINE_HORIZON = timedelta(days=31)


def _open_periods(kinds: set[str], *, start: date, as_of: date) -> list[Period]:
    """The periods of ``kinds`` an agency may still report for: begun by ``as_of``, ending after ``start``
    (the plan's issue date) and not locked. The current period of each kind is there even before anyone
    stored it (an unsaved row with its Decree 09 window and configured deadline)."""
    if not kinds:
        return []
    rows = list(Period.objects.filter(kind__in=kinds, ends_on__gte=start, starts_on__lte=as_of))
    known = {(p.kind, p.year, p.number) for p in rows}
    for kind in sorted(kinds):
        bounds = period_containing(kind, as_of)
        if (kind, bounds.year, bounds.number) not in known:
            rows.append(Period.build(kind, bounds.year, bounds.number))
    return sorted((p for p in rows if not p.is_locked), key=lambda p: (p.ends_on, p.kind))


def _entry_url(name: str, period: Period, anchor: str = "") -> str:
    return f"{reverse(name)}?ngay={period.ends_on:%Y-%m-%d}{anchor}"


def _state(submission) -> str:
    return wl.MISSING if submission is None else submission.status


def agency_work(*, agency: Agency, as_of: date, start: date) -> WorkList:
    """Everything ``agency`` must still enter, send or correct as of ``as_of``: figures and task reports per
    open reporting period, returned items one by one with the reviewer's reason, overdue and near task
    deadlines. A fixed number of queries whatever the number of metrics, tasks and periods."""
    items: list[WorkItem] = []
    metrics = list(Metric.objects.filter(reporters=agency).only("pk", "code", "name", "frequency"))
    # the tasks the agency leads, and when: a quarter's report is owed for a task it leads at the quarter's end,
    # whose terms then are not conditional (an agency added by an adjustment owes none before its effective date)
    leads = lead_intervals_of(agency)
    schedules = task_schedules(list(leads))
    lead_tasks = list(Task.objects.filter(pk__in=list(leads)).with_terms(as_of).order_by("number"))

    def led_on(task: Task, day: date) -> bool:
        terms = next((v for v in schedules.get(task.pk, ()) if v.contains(day)), None)
        return (
            terms is not None
            and terms.schedule.kind != Task.ScheduleKind.CONDITIONAL
            and any(i.contains(day) for i in leads[task.pk])
        )

    kinds = {m.period_kind for m in metrics} | ({QUARTER} if lead_tasks else set())
    periods = _open_periods(kinds, start=start, as_of=as_of)
    stored = [p for p in periods if p.pk]

    figures = {
        (o.metric_id, o.period_id): o
        for o in Observation.objects.filter(agency=agency, period__in=stored).only(
            "pk", "metric_id", "period_id", "status", "correction_status", "review_note"
        )
    }
    by_kind: dict[str, list[Metric]] = defaultdict(list)
    for metric in metrics:
        by_kind[metric.period_kind].append(metric)
    for period in periods:
        counts: dict[str, int] = defaultdict(int)
        for metric in by_kind.get(period.kind, []):
            figure = figures.get((metric.pk, period.pk)) if period.pk else None
            state = _state(figure)
            if state == wl.RETURNED:
                items.append(
                    WorkItem(
                        kind=wl.FIGURES,
                        title=metric.name,
                        period_label=period.label,
                        due_on=period.due_on,
                        url=_entry_url("figure_entry", period, f"#chi-so-{metric.code}"),
                        counts={wl.RETURNED: 1},
                        reason=figure.review_note,
                        action=_("Sửa và gửi lại"),
                        key=f"so-lieu-{metric.code}-{period.pk}",
                    )
                )
            elif state != wl.APPROVED:
                counts[state] += 1
            if figure is not None and figure.correction_status == SubmissionStatus.RETURNED:
                items.append(
                    WorkItem(
                        kind=wl.FIGURES,
                        title=_("Điều chỉnh: %(metric)s") % {"metric": metric.name},
                        period_label=period.label,
                        due_on=None,
                        url=reverse("observation_detail", args=[figure.pk]),
                        counts={wl.RETURNED: 1},
                        reason=figure.review_note,
                        action=_("Xem"),
                        key=f"dieu-chinh-{figure.pk}",
                    )
                )
        if counts:
            items.append(
                WorkItem(
                    kind=wl.FIGURES,
                    title=_("Số liệu %(period)s") % {"period": period.label},
                    period_label=period.label,
                    due_on=period.due_on,
                    url=_entry_url("figure_entry", period),
                    counts=dict(counts),
                    action=_("Nhập số liệu") if counts.get(wl.MISSING) or counts.get(wl.DRAFT) else _("Xem"),
                    key=f"so-lieu-{period.kind}-{period.year}-{period.number}",
                )
            )

    if lead_tasks:
        quarters = [p for p in periods if p.kind == QUARTER]
        done = set(
            TaskUpdate.objects.filter(
                agency=agency, status=SubmissionStatus.APPROVED, progress=TaskUpdate.Progress.DONE
            ).values_list("task_id", flat=True)
        )
        reports = {
            (u.task_id, u.period_id): u
            for u in TaskUpdate.objects.filter(agency=agency, period__in=[p for p in quarters if p.pk]).only(
                "pk", "task_id", "period_id", "status", "review_note"
            )
        }
        for period in quarters:
            counts = defaultdict(int)
            for task in (t for t in lead_tasks if led_on(t, period.ends_on)):
                report = reports.get((task.pk, period.pk)) if period.pk else None
                state = _state(report)
                if state == wl.RETURNED:
                    items.append(
                        WorkItem(
                            kind=wl.TASK_REPORTS,
                            title=_("Báo cáo nhiệm vụ %(number)s: %(title)s")
                            % {"number": task.number, "title": task.title},
                            period_label=period.label,
                            due_on=period.due_on,
                            url=f"{reverse('task_update_edit', args=[task.number])}?ngay={period.ends_on:%Y-%m-%d}",
                            counts={wl.RETURNED: 1},
                            reason=report.review_note,
                            action=_("Sửa và gửi lại"),
                            key=f"bao-cao-nv-{task.number}-{period.pk}",
                        )
                    )
                elif state != wl.APPROVED and not (state == wl.MISSING and task.pk in done):
                    counts[state] += 1
            if counts:
                items.append(
                    WorkItem(
                        kind=wl.TASK_REPORTS,
                        title=_("Báo cáo tiến độ nhiệm vụ %(period)s") % {"period": period.label},
                        period_label=period.label,
                        due_on=period.due_on,
                        url=_entry_url("task_progress", period),
                        counts=dict(counts),
                        action=_("Báo cáo") if counts.get(wl.MISSING) or counts.get(wl.DRAFT) else _("Xem"),
                        key=f"bao-cao-nv-{period.year}-{period.number}",
                    )
                )

    # the tasks themselves: overdue ones (one line per task, its oldest deadline) and those due soon
    one_off = TaskTerms.objects.in_force(as_of).filter(task=OuterRef("task"), schedule_kind=Task.ScheduleKind.ONE_OFF)
    occurrences = list(
        TaskOccurrence.objects.filter(agency=agency)
        .filter(
            Q(status=TaskOccurrence.Status.OVERDUE)
            # a recurring or continuous task falls due with each quarterly report, listed above; a one-off
            # task's own deadline is worth its own line
            | Q(
                Exists(one_off),
                status__in=[TaskOccurrence.Status.IN_PROGRESS, TaskOccurrence.Status.NOT_DUE],
                due_on__lte=as_of + TASK_DEADLINE_HORIZON,
            )
        )
        .values("task_id", "task__number", "status")
        .annotate(first_due=Min("due_on"), n=Count("id"))
        .order_by()
    )
    titles = {t.pk: t.title for t in lead_tasks}
    for row in occurrences:
        row["task__title"] = titles.get(row["task_id"], "")
        overdue = row["status"] == TaskOccurrence.Status.OVERDUE
        if row["first_due"] is None:
            continue
        items.append(
            WorkItem(
                kind=wl.TASK,
                title=_("Nhiệm vụ %(number)s: %(title)s")
                % {"number": row["task__number"], "title": row["task__title"]},
                period_label=_("Thời hạn của nhiệm vụ")
                if not overdue or row["n"] == 1
                else _("%(n)d lần đến hạn chưa hoàn thành") % {"n": row["n"]},
                due_on=row["first_due"],
                url=reverse("task_update_edit", args=[row["task__number"]]),
                days_late=max(0, (as_of - row["first_due"]).days) if overdue else 0,
                counts={wl.MISSING: 1},
                action=_("Báo cáo"),
                key=f"nhiem-vu-{row['task__number']}-{row['status']}",
            )
        )
    items += _recommendation_items(agency=agency, as_of=as_of)
    return wl.work_list(items, as_of)


def _recommendation_items(*, agency: Agency, as_of: date) -> list[WorkItem]:
    """The recommendations of inspections ``agency`` must carry out, one line each until the standing office
    accepts it as done: overdue by the one rule for work with a deadline, its report returned, in draft, waiting
    for review, or not reported yet (two queries)."""
    rows = recommendation_rows(
        recommendations_concluded(plan=None, as_of=as_of, agency=agency).filter(accepted_on__isnull=True),
        as_of=as_of,
    )
    reports: dict[int, RecommendationUpdate] = {}
    for report in (
        RecommendationUpdate.objects.filter(recommendation__in=[row.recommendation.pk for row in rows])
        .exclude(status=SubmissionStatus.APPROVED)
        .only("pk", "recommendation_id", "status", "review_note")
        .order_by("recommendation_id", "-created_at", "-pk")
    ):
        reports.setdefault(report.recommendation_id, report)
    items = []
    for row in rows:
        recommendation = row.recommendation
        report = reports.get(recommendation.pk)
        state = _state(report)
        items.append(
            WorkItem(
                kind=wl.RECOMMENDATION,
                title=_("Kiến nghị %(number)s: %(text)s")
                % {"number": recommendation.number, "text": recommendation.text},
                period_label=recommendation.inspection.title,
                due_on=recommendation.due_on,
                url=reverse("recommendation_detail", args=[recommendation.pk]),
                counts={state: 1},
                reason=report.review_note if state == wl.RETURNED else "",
                days_late=row.standing.days_late if row.standing.status == WORK_OVERDUE else 0,
                action=_("Sửa và gửi lại")
                if state == wl.RETURNED
                else _("Xem")
                if state == wl.SUBMITTED
                else _("Báo cáo"),
                key=f"kien-nghi-{recommendation.pk}",
            )
        )
    return items


# Review: the queue by agency and period, each figure against its agency's history


@dataclass
class QueueGroup:
    """Submissions waiting from one agency for one period."""

    agency: Agency
    period: Period
    figures: int
    task_reports: int

    @property
    def total(self) -> int:
        return self.figures + self.task_reports


def review_queue_groups() -> list[QueueGroup]:
    """How many figures and task reports wait for review, per agency and period (two grouped queries)."""
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    waiting_figures = Observation.objects.filter(
        Q(status=SubmissionStatus.SUBMITTED) | Q(correction_status=SubmissionStatus.SUBMITTED)
    )
    for row in waiting_figures.values("agency_id", "period_id").annotate(n=Count("id")).order_by():
        counts[(row["agency_id"], row["period_id"])][0] = row["n"]
    waiting_reports = TaskUpdate.objects.filter(status=SubmissionStatus.SUBMITTED)
    for row in waiting_reports.values("agency_id", "period_id").annotate(n=Count("id")).order_by():
        counts[(row["agency_id"], row["period_id"])][1] = row["n"]
    agencies = Agency.objects.in_bulk({a for a, _p in counts})
    periods = Period.objects.in_bulk({p for _a, p in counts})
    groups = [QueueGroup(agencies[a], periods[p], n[0], n[1]) for (a, p), n in counts.items()]
    return sorted(groups, key=lambda g: (g.period.ends_on, g.agency.name))


def review_queue_count() -> int:
    """What the reviewer's menu badge shows: figures, task reports and reports on recommendations waiting for
    review (one query on every page)."""
    figures = (
        Observation.objects.filter(
            Q(status=SubmissionStatus.SUBMITTED) | Q(correction_status=SubmissionStatus.SUBMITTED)
        )
        .values_list("pk")
        .order_by()
    )
    reports = TaskUpdate.objects.filter(status=SubmissionStatus.SUBMITTED).values_list("pk").order_by()
    recommendations = (
        RecommendationUpdate.objects.filter(status=SubmissionStatus.SUBMITTED).values_list("pk").order_by()
    )
    # no ORDER BY inside the UNION: SQLite (the embedded default) refuses it in a compound statement
    return figures.union(reports, recommendations, all=True).count()


@dataclass
class FigureComparison:
    """What a reviewer weighs a submitted figure against: the agency's previous approved value and history."""

    previous: Observation | None
    #: in percentage points for a percentage, else in per cent (``indicators.validation.figure_change``)
    change: Change | None
    outlier: bool | None


#: how many earlier approved values of the agency the outlier test reads
HISTORY_LENGTH = 12


def _earlier_approved(observations: list[Observation]) -> dict[int, list[int]]:
    """Per figure, the ids of its agency's newest ``HISTORY_LENGTH`` approved values of the metric in periods of
    the same kind that end before its own, newest first. One query: each figure joined with its agency's figures of
    the metric (through the (metric, agency, period) key: a few hundred rows each after 30 years, whatever the
    size of the table), numbered per figure by a window, the first ones kept."""
    figures = connection.ops.quote_name(Observation._meta.db_table)
    periods = connection.ops.quote_name(Period._meta.db_table)
    marks = ", ".join(["%s"] * len(observations))
    sql = f"""
        SELECT waiting, earlier FROM (
            SELECT w.id AS waiting, h.id AS earlier,
                   ROW_NUMBER() OVER (PARTITION BY w.id ORDER BY hp.ends_on DESC) AS newest
            FROM {figures} w
            JOIN {periods} wp ON wp.id = w.period_id
            JOIN {figures} h ON h.metric_id = w.metric_id AND h.agency_id = w.agency_id
            JOIN {periods} hp ON hp.id = h.period_id
            WHERE w.id IN ({marks}) AND h.status = %s AND h.value IS NOT NULL
              AND hp.kind = wp.kind AND hp.ends_on < wp.ends_on
        ) numbered
        WHERE newest <= %s
        ORDER BY waiting, newest
    """  # noqa: S608 - the models' own tables; values as parameters
    earlier: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(o.pk for o in observations), SubmissionStatus.APPROVED, HISTORY_LENGTH])
        for waiting, pk in cursor.fetchall():
            earlier[waiting].append(pk)
    return earlier


def figure_comparisons(observations: list[Observation]) -> dict[int, FigureComparison]:
    """Per waiting figure, its agency's previous approved value of the metric (same kind of period), the change
    in % and whether the new value stands out of that agency's own history. Two queries for all of them, reading
    no more than ``HISTORY_LENGTH`` earlier figures of each."""
    if not observations:
        return {}
    earlier_ids = _earlier_approved(observations)
    # their values, and what the queue shows of the previous one: its period's label (kind, year, number, start), as
    # plain rows: a model instance each, twelve per figure waiting, cost more than the rest of the comparison
    history = {
        pk: (value, Period(pk=period_id, kind=kind, year=year, number=number, starts_on=starts_on, ends_on=ends_on))
        for pk, value, period_id, kind, year, number, starts_on, ends_on in Observation.objects.filter(
            pk__in={pk for ids in earlier_ids.values() for pk in ids}
        ).values_list(
            "pk",
            "value",
            "period_id",
            "period__kind",
            "period__year",
            "period__number",
            "period__starts_on",
            "period__ends_on",
        )
    }
    result = {}
    for o in observations:
        candidate = o.proposed_value if o.correction_status == SubmissionStatus.SUBMITTED else o.value
        earlier = earlier_ids.get(o.pk, [])
        if o.correction_status == SubmissionStatus.SUBMITTED:
            previous = o  # a correction is compared with the approved value it would replace
        elif earlier:
            value, period = history[earlier[0]]
            previous = Observation(pk=earlier[0], value=value, period=period)
        else:
            previous = None
        result[o.pk] = FigureComparison(
            previous=previous,
            change=figure_change(previous.value if previous else None, candidate, unit=o.metric.unit),
            outlier=wl.is_outlier(candidate, [history[pk][0] for pk in earlier]),
        )
    return result
