"""Reads for the plan: the structures pages, commands and exports show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from itertools import chain
from operator import or_

from django.db import connection
from django.db.models import Avg, Count, Exists, FloatField, Max, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from core.workflow import SubmissionStatus

from . import periods, progress, readings
from .models import (
    AgencyAssessment,
    Indicator,
    IndicatorGroup,
    Metric,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    Target,
    TargetStatus,
)


def plan_current() -> Plan | None:
    """The plan the dashboard shows: the most recently issued one."""
    return Plan.objects.order_by("-issued_on", "-pk").first()


def plan_day(plan: Plan, day: date | None = None) -> date:
    """The day a reader without a date of its own reads the plan as of: today (the plan as issued before it was)."""
    return max(day or timezone.localdate(), plan.issued_on) if day is None else day


def plan_groups_with_indicators(plan: Plan, *, on: date | None = None) -> list[IndicatorGroup]:
    """Groups, their indicators in force on ``on`` (default today), the cells in force that day and each cell's
    parsed targets, in four queries."""
    day = plan_day(plan, on)
    parsed = ParsedTarget.objects.select_related("metric").order_by("position")
    targets = (
        Target.objects.in_force(day).order_by("year").prefetch_related(Prefetch("parsed_targets", queryset=parsed))
    )
    indicators = (
        Indicator.objects.in_force(day).order_by("number").prefetch_related(Prefetch("targets", queryset=targets))
    )
    return list(plan.indicator_groups.order_by("order").prefetch_related(Prefetch("indicators", queryset=indicators)))


def period_of(*, kind: str, year: int, number: int) -> Period:
    """The stored reporting period, or an unsaved one with the same window: a read never creates a period."""
    stored = Period.objects.filter(kind=kind, year=year, number=number).first()
    return stored or Period.build(kind, year, number)


def periods_containing(as_of: date) -> dict[str, Period]:
    """The period of each kind whose window contains ``as_of``: stored, or unsaved if nobody has used it yet."""
    kinds = (periods.MONTH, periods.QUARTER, periods.HALF_YEAR, periods.YEAR)
    windows = {kind: periods.period_containing(kind, as_of) for kind in kinds}
    which = Q()
    for kind, bounds in windows.items():
        which |= Q(kind=kind, year=bounds.year, number=bounds.number)
    stored = {period.kind: period for period in Period.objects.filter(which)}  # one query for the four
    return {
        kind: stored.get(kind) or Period.build(kind, bounds.year, bounds.number) for kind, bounds in windows.items()
    }


def observations_approved():
    """The figures that count: only approved values feed progress, dashboards and reports."""
    return Observation.objects.filter(status=SubmissionStatus.APPROVED)


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def figures_in_force(*, as_of: date, reading: str = readings.CURRENT):
    """The approved figures of a reading of ``as_of`` (``indicators.readings``), as rows with ``metric_id``,
    ``agency_id``, ``period_id``, ``value``, ``numerator``, ``denominator`` and ``reviewed_at``.

    ``CURRENT`` (and any reading of today or later): the figures approved now. ``AS_KNOWN`` of a past day: each
    figure's version in force at the end of that day, from its audit history, if approved by then — a figure
    approved later is left out, one corrected later counts with the value it had (one query over the history:
    the latest version of each figure up to that moment, without a later one)."""
    if reading == readings.CURRENT or as_of >= timezone.localdate():
        return observations_approved()
    end = end_of_day(as_of)
    history = Observation.history.model
    later = history.objects.filter(id=OuterRef("id"), history_date__lte=end).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return (
        history.objects.filter(history_date__lte=end, status=SubmissionStatus.APPROVED)
        .exclude(history_type="-")
        .filter(~Exists(later))
    )


def expected_reporters(metric_ids=None) -> dict[int, int]:
    """Per metric, how many agencies are expected to report it (its active reporters; one for a metric collected
    once for the province from its designated agency): the N of a province value's coverage "n/N"."""
    metrics = Metric.objects.all() if metric_ids is None else Metric.objects.filter(pk__in=list(metric_ids))
    counted = dict(
        Metric.reporters.through.objects.filter(metric__in=metrics, agency__is_active=True)
        .values("metric_id")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("metric_id", "n")
    )
    return {
        pk: 1 if collection == Metric.Collection.PROVINCE and designated else counted.get(pk, 0)
        for pk, collection, designated in metrics.values_list("pk", "collection", "reporting_agency_id")
    }


@dataclass(frozen=True)
class PeriodValue:
    """The province value of one metric for one reporting period, with the sums it was computed from.

    ``on`` is the date the progress engine judges it at: the period's end, or for a period still open on the
    as-of date (a provisional value) the day its figures were last approved ("tạm tính đến ngày …").
    """

    period_id: int
    on: date
    value: float
    numerator: float | None
    denominator: float | None
    reporters: int
    ends_on: date | None = None
    provisional: bool = False
    #: how many agencies were expected to report (its coverage: ``reporters`` of ``expected``)
    expected: int = 0


def province_period_values(*, as_of, metric_ids=None, reading: str = readings.CURRENT) -> dict[int, list[PeriodValue]]:
    """Per metric, the province value of every period up to ``as_of``, grouped in SQL from the approved figures.

    Per-agency figures are summed (counts, flows), combined as a ratio of sums on the metric's scale (ratios
    entered as numerator and denominator) or averaged (indices, shares) by ``progress.province_value``; a metric
    collected once for the province counts its designated agency's figure only. Only periods of the metric's
    own reporting frequency count; a metric with none uses the kind of period it has most figures for. The
    period still open on ``as_of`` counts with the figures approved by then, marked provisional. Which figures
    count for a past ``as_of`` depends on the ``reading`` (``figures_in_force``). Each value carries its coverage:
    how many agencies' figures it sums, of how many expected (``expected_reporters``).
    """
    metrics = Metric.objects.all()
    if metric_ids is not None:
        metrics = metrics.filter(pk__in=metric_ids)
    info = {
        m["pk"]: m
        for m in metrics.values("pk", "kind", "frequency", "ratio_scale", "collection", "reporting_agency_id")
    }
    periods = {
        p["pk"]: p for p in Period.objects.filter(starts_on__lte=as_of).values("pk", "kind", "starts_on", "ends_on")
    }
    later = Period.objects.filter(starts_on__gt=as_of).values_list("pk", flat=True)
    still_open = [pk for pk, p in periods.items() if p["ends_on"] > as_of]
    # an open period's figures count from the day they were approved (approved when, unknown: once it ends);
    # said as the periods left out (as of today, the few not begun) rather than the hundreds kept
    figures = (
        figures_in_force(as_of=as_of, reading=reading)
        .exclude(period_id__in=list(later))
        .filter(~Q(period_id__in=still_open) | Q(reviewed_at__date__lte=as_of))
    )
    designated = {
        pk: m["reporting_agency_id"]
        for pk, m in info.items()
        if m["collection"] == Metric.Collection.PROVINCE and m["reporting_agency_id"]
    }
    # Two grouped queries rather than one: the metrics every agency reports, whose figures all count, and the
    # metrics collected once for the province, whose designated agency's figures only count (read through the
    # (metric, agency, period) unique index, ~360 rows a metric, instead of filtering every other agency's
    # figures row by row). Grouped by the figures' own columns only (the period's kind and date come from
    # ``periods``): with the (metric, period) statistics of migration 0010 PostgreSQL expects the ~17 000 groups
    # there are, not one per figure, and aggregates them in memory instead of spilling to disk.
    shared = [pk for pk in info if pk not in designated]
    parts = []
    if shared:
        parts.append(figures.filter(metric_id__in=shared))
    if designated:
        parts.append(figures.filter(reduce(or_, (Q(metric_id=m, agency_id=a) for m, a in designated.items()))))
    _work_mem_for_aggregates()
    # the exact sums, converted to float by PostgreSQL (as float() of the Decimal would: correctly rounded)
    # rather than parsed into ~85 000 Decimals first
    rows = chain.from_iterable(
        part.values("metric_id", "period_id")
        .annotate(
            total=Cast(Sum("value"), FloatField()),
            mean=Cast(Avg("value"), FloatField()),
            num=Cast(Sum("numerator"), FloatField()),
            den=Cast(Sum("denominator"), FloatField()),
            n=Count("*"),
            n_den=Count("denominator"),
            last_reviewed=Max("reviewed_at"),
        )
        .order_by()
        .values_list("metric_id", "period_id", "total", "mean", "num", "den", "n", "n_den", "last_reviewed")
        for part in parts
    )
    expected = expected_reporters(info)
    by_metric: dict[int, dict[str, list[PeriodValue]]] = {}
    for metric_id, period_id, total, mean, num, den, n, n_den, last_reviewed in rows:
        metric = info[metric_id]
        aggregate = progress.PeriodAggregate(
            total=total, mean=mean, numerator=num, denominator=den, count=n, with_denominator=n_den
        )
        value = progress.province_value(metric["kind"], aggregate, scale=metric["ratio_scale"])
        if value is None:
            continue
        period = periods[period_id]
        ends_on = period["ends_on"]
        provisional = ends_on > as_of
        on = ends_on
        if provisional:
            reviewed = timezone.localdate(last_reviewed) if last_reviewed else as_of
            on = max(period["starts_on"], min(as_of, reviewed))
        point = PeriodValue(period_id, on, value, num, den, n, ends_on, provisional, max(expected.get(metric_id, 0), n))
        by_metric.setdefault(metric_id, {}).setdefault(period["kind"], []).append(point)
    values = {}
    for metric_id, by_kind in by_metric.items():
        own = Metric(frequency=info[metric_id]["frequency"]).period_kind
        points = by_kind.get(own) or max(by_kind.values(), key=len)
        values[metric_id] = sorted(points, key=lambda p: p.on)
    return values


def _work_mem_for_aggregates() -> None:
    """Inside a transaction on PostgreSQL, room for the grouped query's hash table, no JIT (until it ends)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")  # compiling costs ~0,25 s here and saves nothing


def series_of(values: dict[int, list[PeriodValue]]) -> dict[int, list[progress.Point]]:
    """The series the progress engine judges: (date, value) of each period."""
    return {metric_id: [progress.Point(v.on, v.value) for v in items] for metric_id, items in values.items()}


def province_series(*, as_of, metric_ids=None) -> dict[int, list[progress.Point]]:
    """Per metric, the province value of every period up to ``as_of`` (see ``province_period_values``)."""
    return series_of(province_period_values(as_of=as_of, metric_ids=metric_ids))


def _float(value) -> float | None:
    return None if value is None else float(value)


def target_spec(parsed: ParsedTarget, *, plan_start) -> progress.TargetSpec:
    """The pure description of a parsed target and its metric's configuration (needs ``target`` and ``metric``)."""
    metric = parsed.metric
    return progress.TargetSpec(
        operator=parsed.operator,
        value=float(parsed.value),
        value_max=_float(parsed.value_max),
        year=parsed.target.year,
        direction=metric.direction,
        kind=metric.kind,
        method=metric.progress_method,
        thresholds=progress.Thresholds.from_config(metric.thresholds),
        baseline_from=metric.baseline_date or plan_start,
    )


def target_statuses_as_of(*, as_of=None, plan=None):
    """The stored snapshot rows of the latest computation at or before ``as_of`` (all of them if None),
    limited to one plan's targets when ``plan`` is given (the latest computation of that plan)."""
    statuses = TargetStatus.objects.select_related("parsed_target__metric", "parsed_target__target__indicator")
    latest = TargetStatus.objects.all()
    if plan is not None:
        statuses = statuses.filter(parsed_target__metric__plan=plan)
        latest = latest.filter(parsed_target__metric__plan=plan)
    if as_of is not None:
        latest = latest.filter(as_of__lte=as_of)
    day = latest.aggregate(day=Max("as_of"))["day"]
    return statuses.filter(as_of=day) if day else statuses.none()


def metric_computed_statuses(*, as_of=None, metric_ids=None) -> dict[int, set[str]]:
    """Per metric (of ``metric_ids``, or every one), the computed statuses of its targets in the snapshot at or
    before ``as_of`` (one query)."""
    computed: dict[int, set[str]] = {}
    statuses = target_statuses_as_of(as_of=as_of)
    if metric_ids is not None:
        statuses = statuses.filter(parsed_target__metric_id__in=list(metric_ids))
    for row in statuses.values("parsed_target__metric_id", "status"):
        computed.setdefault(row["parsed_target__metric_id"], set()).add(row["status"])
    return computed


def assessment_disagreements(*, period, as_of, metric_ids=None) -> list[dict]:
    """Where an agency's own confidence for ``period`` and the computed status (snapshot at ``as_of``) disagree
    (``progress.confidence_disagrees``): for every metric, or those of ``metric_ids`` (an indicator's)."""
    worst = metric_computed_statuses(as_of=as_of, metric_ids=metric_ids)
    assessments = AgencyAssessment.objects.filter(period=period)
    if metric_ids is not None:
        assessments = assessments.filter(metric_id__in=list(metric_ids))
    result = []
    for assessment in assessments.select_related("agency", "metric", "period"):
        computed = worst.get(assessment.metric_id, set())
        if progress.confidence_disagrees(assessment.confidence, computed):
            result.append({"assessment": assessment, "computed": sorted(computed)})
    return result


# Who has sent their figures for a period (DHIS2's reporting rate and timeliness): the one rule the completeness
# page, the overview's "agencies not reporting" and the periodic report's list all count with, computed as of a
# day from the figures themselves (a GET never writes; the same answer for any as-of date).

COMPLETENESS_LABELS = {
    periods.REPORT_ON_TIME: gettext_lazy("Nộp đúng hạn"),
    periods.REPORT_LATE: gettext_lazy("Nộp muộn"),
    periods.REPORT_PARTIAL: gettext_lazy("Nộp chưa đủ"),
    periods.REPORT_MISSING: gettext_lazy("Chưa nộp"),
    periods.REPORT_NOT_DUE: gettext_lazy("Chưa đến hạn"),
}
#: an agency counted as "not reporting" for a period: nothing sent, or not all of it
NOT_REPORTED = (periods.REPORT_PARTIAL, periods.REPORT_MISSING)


@dataclass
class AgencyCompleteness:
    agency: Agency
    expected: int
    submitted: int
    submitted_at: datetime | None
    status: str
    days_late: int = 0

    @property
    def label(self) -> str:
        return str(COMPLETENESS_LABELS[self.status])


@dataclass
class PeriodCompleteness:
    period: Period
    as_of: date
    rows: list[AgencyCompleteness]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        return [(status, str(label), self.count(status)) for status, label in COMPLETENESS_LABELS.items()]

    @property
    def not_reported(self) -> list[AgencyCompleteness]:
        """The agencies that have not sent all the figures they owe for the period (missing or partial)."""
        return [row for row in self.rows if row.status in NOT_REPORTED]

    @property
    def reporting_rate(self) -> float | None:
        """Share of agencies whose report is complete (on time or late)."""
        if not self.rows:
            return None
        return 100 * (self.count(periods.REPORT_ON_TIME) + self.count(periods.REPORT_LATE)) / len(self.rows)

    @property
    def timeliness(self) -> float | None:
        """Share of agencies whose complete report came by the deadline."""
        if not self.rows:
            return None
        return 100 * self.count(periods.REPORT_ON_TIME) / len(self.rows)


_KIND_FREQUENCY = {
    periods.MONTH: Metric.Frequency.MONTHLY,
    periods.QUARTER: Metric.Frequency.QUARTERLY,
    periods.HALF_YEAR: Metric.Frequency.HALF_YEARLY,
    periods.YEAR: Metric.Frequency.YEARLY,
}


def figures_completeness(*, period: Period, as_of: date) -> PeriodCompleteness:
    """Per active agency expected to report figures for ``period``: complete on time, late, partly, not at all
    or not yet due, as of the end of ``as_of`` (three queries).

    An agency owes the figures of every metric of this period's frequency it reports; a figure counts as sent
    once submitted or approved by then, and the report's time is the last of those sendings
    (``periods.report_completeness``, built on the one on-time rule).
    """
    return figures_completeness_of(reporting_periods=[period], as_of=as_of)[0]


def figures_completeness_of(*, reporting_periods: list[Period], as_of: date) -> list[PeriodCompleteness]:
    """``figures_completeness`` of several periods at once (three queries whatever their number): the report
    timeliness snapshot of every agency and period (``tasks.services.report_timeliness_recompute``) is this."""
    kinds = {period.kind for period in reporting_periods}
    pairs = Metric.reporters.through.objects.filter(
        metric__frequency__in=[_KIND_FREQUENCY[kind] for kind in kinds], agency__is_active=True
    ).values_list("agency_id", "metric_id", "metric__frequency")
    expected: dict[str, dict[int, set[int]]] = {kind: {} for kind in kinds}
    frequency_kind = {frequency: kind for kind, frequency in _KIND_FREQUENCY.items()}
    for agency_id, metric_id, frequency in pairs:
        expected[frequency_kind[frequency]].setdefault(agency_id, set()).add(metric_id)
    sent: dict[tuple[int, int], dict[int, datetime]] = {}
    stored = [period.pk for period in reporting_periods if period.pk is not None]
    if stored:
        for period_id, agency_id, metric_id, submitted_at in Observation.objects.filter(
            period_id__in=stored,
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
            submitted_at__lte=end_of_day(as_of),
        ).values_list("period_id", "agency_id", "metric_id", "submitted_at"):
            sent.setdefault((period_id, agency_id), {})[metric_id] = submitted_at
    owing = {agency_id for by_agency in expected.values() for agency_id in by_agency}
    agencies = list(Agency.objects.filter(pk__in=owing).order_by("kind", "name"))
    result = []
    for period in reporting_periods:
        wanted_by_agency = expected[period.kind]
        rows = []
        for agency in agencies:
            wanted = wanted_by_agency.get(agency.pk)
            if not wanted:
                continue
            got = [moment for metric_id, moment in sent.get((period.pk, agency.pk), {}).items() if metric_id in wanted]
            last = max(got) if got else None
            status, days = periods.report_completeness(
                expected=len(wanted),
                sent=len(got),
                last_sent_on=timezone.localtime(last).date() if last else None,
                due_on=period.due_on,
                as_of=as_of,
            )
            rows.append(AgencyCompleteness(agency, len(wanted), len(got), last, status, days))
        result.append(PeriodCompleteness(period, as_of, rows))
    return result


def period_last_due(*, plan: Plan, kind: str, as_of: date, ends_by: date | None = None) -> Period | None:
    """The latest period of ``kind`` whose figures were due before ``as_of`` (and ending by ``ends_by``): the
    stored one, or an unsaved one with its Decree 09 window where nobody has used it yet; None before the
    plan's first period was due."""
    latest = periods.period_containing(kind, min(as_of, ends_by or as_of))
    candidates = [latest]
    for _step in range(3):  # a due date falls at most one period after the period's end
        candidates.append(periods.period_containing(kind, candidates[-1].starts_on - timedelta(days=1)))
    stored = {
        (p.year, p.number): p
        for p in Period.objects.filter(kind=kind, ends_on__gte=candidates[-1].ends_on, ends_on__lte=latest.ends_on)
    }
    for bounds in candidates:
        period = stored.get((bounds.year, bounds.number)) or Period.build(kind, bounds.year, bounds.number)
        if period.due_on < as_of and (ends_by is None or period.ends_on <= ends_by):
            return period if period.ends_on >= plan.issued_on else None
    return None
