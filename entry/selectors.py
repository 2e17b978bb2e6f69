"""Reads for data entry and review: "what I must report now", the review queue, histories, completeness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators import periods
from indicators.models import (
    Metric,
    Observation,
    ParsedTarget,
    Period,
)
from indicators.periods import report_timeliness
from indicators.selectors import observations_approved, periods_containing
from tasks.models import TaskUpdate


@dataclass
class EntryRow:
    """One line of "what I must report now": a metric, its period, what is already there, and guidance."""

    metric: Metric
    period: Period
    observation: Observation | None
    previous: Observation | None  # the last approved figure of an earlier period
    next_target: ParsedTarget | None

    @property
    def editable(self) -> bool:
        if self.period.is_locked:
            return False
        return self.observation is None or self.observation.status in (
            SubmissionStatus.DRAFT,
            SubmissionStatus.RETURNED,
        )


def entry_rows(*, agency: Agency, as_of: date) -> list[EntryRow]:
    """The metrics ``agency`` reports, each for its period containing ``as_of``, in a fixed number of queries."""
    by_kind = periods_containing(as_of)
    metrics = list(Metric.objects.filter(reporters=agency).order_by("frequency", "code"))
    if not metrics:
        return []
    current = {
        (o.metric_id, o.period_id): o
        for o in Observation.objects.filter(
            agency=agency, metric__in=metrics, period__in=[p for p in by_kind.values() if p.pk]
        )
    }
    by_pk = {metric.pk: metric for metric in metrics}
    previous: dict[int, Observation] = {}
    # the last approved figure before this period; two years back is enough for every frequency
    earlier = (
        observations_approved()
        .filter(
            agency=agency,
            metric__in=metrics,
            period__ends_on__lt=as_of,
            period__ends_on__gte=as_of - timedelta(days=731),
        )
        .select_related("period")
        .order_by("metric_id", "-period__ends_on")
    )
    for observation in earlier:
        if observation.period.ends_on < by_kind[by_pk[observation.metric_id].period_kind].starts_on:
            previous.setdefault(observation.metric_id, observation)
    targets: dict[int, ParsedTarget] = {}
    for parsed in (
        ParsedTarget.objects.filter(metric__in=metrics, target__year__gte=as_of.year)
        .select_related("target")
        .order_by("target__year", "position")
    ):
        targets.setdefault(parsed.metric_id, parsed)
    rows = []
    for metric in metrics:
        period = by_kind[metric.period_kind]
        rows.append(
            EntryRow(
                metric, period, current.get((metric.pk, period.pk)), previous.get(metric.pk), targets.get(metric.pk)
            )
        )
    return rows


def review_queue() -> dict[str, list]:
    """Submissions waiting for the standing office, figures and task updates, by agency and period."""

    observations = list(
        Observation.objects.filter(
            Q(status=SubmissionStatus.SUBMITTED) | Q(correction_status=SubmissionStatus.SUBMITTED)
        )
        .select_related("metric", "agency", "period")
        .order_by("agency__name", "period__ends_on", "metric__code")
    )
    updates = list(
        TaskUpdate.objects.filter(status=SubmissionStatus.SUBMITTED)
        .select_related("task", "agency", "period")
        .order_by("agency__name", "period__ends_on", "task__number")
    )
    return {"observations": observations, "task_updates": updates}


@dataclass
class HistoryStep:
    when: object
    who: object
    reason: str
    status: str
    changes: list[tuple[str, object, object]]


def history_steps(obj, fields: list[str]) -> list[HistoryStep]:
    """Every saved version of a row, oldest first: who, when, why, and which of ``fields`` changed (old → new)."""
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
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


# Completeness: who has reported for a period (DHIS2's reporting rate and timeliness), computed live.

ON_TIME, LATE, PARTIAL, MISSING, NOT_DUE = "on_time", "late", "partial", "missing", "not_due"
COMPLETENESS_LABELS = {
    ON_TIME: gettext_lazy("Nộp đúng hạn"),
    LATE: gettext_lazy("Nộp muộn"),
    PARTIAL: gettext_lazy("Nộp chưa đủ"),
    MISSING: gettext_lazy("Chưa nộp"),
    NOT_DUE: gettext_lazy("Chưa đến hạn"),
}


@dataclass
class AgencyCompleteness:
    agency: Agency
    expected: int
    submitted: int
    submitted_at: object
    status: str

    @property
    def label(self) -> str:
        return str(COMPLETENESS_LABELS[self.status])


@dataclass
class PeriodCompleteness:
    period: Period
    rows: list[AgencyCompleteness]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        return [(status, str(label), self.count(status)) for status, label in COMPLETENESS_LABELS.items()]

    @property
    def reporting_rate(self) -> float | None:
        """Share of agencies whose report is complete (on time or late)."""
        if not self.rows:
            return None
        return 100 * (self.count(ON_TIME) + self.count(LATE)) / len(self.rows)

    @property
    def timeliness(self) -> float | None:
        """Share of agencies whose complete report came by the deadline."""
        if not self.rows:
            return None
        return 100 * self.count(ON_TIME) / len(self.rows)


def period_completeness(*, period: Period, as_of: date) -> PeriodCompleteness:
    """Per agency expected to report figures for ``period``: complete on time, late, partly, or not at all.

    A report is complete when every metric the agency reports at this period's frequency is submitted or
    approved; its time is the latest of those submissions, on time if by the end of the due date.
    """
    frequency = {v: k for k, v in _FREQUENCY_KIND.items()}[period.kind]
    pairs = Metric.reporters.through.objects.filter(metric__frequency=frequency).values_list("agency_id", "metric_id")
    expected: dict[int, set[int]] = {}
    for agency_id, metric_id in pairs:
        expected.setdefault(agency_id, set()).add(metric_id)
    sent: dict[int, dict[int, object]] = {}
    for agency_id, metric_id, submitted_at in Observation.objects.filter(
        period=period, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED]
    ).values_list("agency_id", "metric_id", "submitted_at"):
        sent.setdefault(agency_id, {})[metric_id] = submitted_at
    rows = []
    for agency in Agency.objects.filter(pk__in=expected).order_by("kind", "name"):
        wanted = expected[agency.pk]
        got = {m: t for m, t in sent.get(agency.pk, {}).items() if m in wanted}
        times = [t for t in got.values() if t is not None]
        last = max(times) if times else None
        if got and len(got) < len(wanted):
            status = PARTIAL
        else:  # complete (its time is the last submission's) or nothing sent: the one on-time rule decides
            sent_on = (timezone.localtime(last).date() if last else as_of) if got else None
            status, _days_late = report_timeliness(
                due_on=period.due_on, submitted_on=sent_on, as_of=max(as_of, sent_on or as_of)
            )
        rows.append(AgencyCompleteness(agency, len(wanted), len(got), last, status))
    return PeriodCompleteness(period, rows)


_FREQUENCY_KIND = {
    "monthly": periods.MONTH,
    "quarterly": periods.QUARTER,
    "half_yearly": periods.HALF_YEAR,
    "yearly": periods.YEAR,
}
