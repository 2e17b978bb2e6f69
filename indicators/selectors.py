"""Reads for the plan: the structures pages, commands and exports show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Max, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from tasks.models import Task, TaskUpdate

from . import periods, progress
from .models import (
    AgencyAssessment,
    Indicator,
    IndicatorGroup,
    Metric,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    SubmissionStatus,
    Target,
    TargetStatus,
)


def plan_current() -> Plan | None:
    """The plan the dashboard shows: the most recently issued one."""
    return Plan.objects.order_by("-issued_on", "-pk").first()


def _decimal(value):
    if value is None:
        return None
    normalized = value.normalize()
    return int(normalized) if normalized == normalized.to_integral_value() else float(normalized)


def plan_groups_with_indicators(plan: Plan) -> list[IndicatorGroup]:
    """Groups, their indicators, the indicators' cells and each cell's parsed targets, in four queries."""
    parsed = ParsedTarget.objects.select_related("metric").order_by("position")
    targets = Target.objects.order_by("year").prefetch_related(Prefetch("parsed_targets", queryset=parsed))
    indicators = Indicator.objects.order_by("number").prefetch_related(Prefetch("targets", queryset=targets))
    return list(plan.indicator_groups.order_by("order").prefetch_related(Prefetch("indicators", queryset=indicators)))


def plan_export(plan: Plan) -> dict:
    """The loaded plan as plain data (the schema is documented in docs/export-schema.md)."""
    indicators = []
    for group in plan_groups_with_indicators(plan):
        for indicator in group.indicators.all():
            indicators.append(
                {
                    "code": indicator.code,
                    "group": group.code,
                    "group_title": group.title,
                    "number": indicator.number,
                    "lead_agencies": indicator.lead_names,
                    "cells": [
                        {
                            "year": target.year,
                            "text": target.text,
                            "qualitative": target.qualitative,
                            "targets": [
                                {
                                    "metric": parsed.metric.code,
                                    "operator": parsed.operator,
                                    "value": _decimal(parsed.value),
                                    "value_max": _decimal(parsed.value_max),
                                    "unit": parsed.metric.unit,
                                }
                                for parsed in target.parsed_targets.all()
                            ],
                        }
                        for target in indicator.targets.all()
                    ],
                }
            )
    tasks = [
        {
            "number": task.number,
            "group": task.group.code,
            "title": task.title,
            "result": task.result,
            "lead_agencies": task.lead_names,
            "cooperating_agencies": task.cooperating_names,
            "deadline_text": task.deadline_text,
            "schedule": {
                "kind": task.schedule_kind,
                "due": task.due_on.isoformat() if task.due_on else None,
                "rule": task.rule or None,
                "starts": task.starts_on.isoformat() if task.starts_on else None,
                "ends": task.ends_on.isoformat() if task.ends_on else None,
            },
        }
        for task in Task.objects.filter(plan=plan).select_related("group").order_by("number")
    ]
    metrics = [
        {
            "code": m.code,
            "name": m.name,
            "unit": m.unit,
            "kind": m.kind,
            "direction": m.direction,
            "frequency": m.frequency,
            "collection": m.collection,
        }
        for m in plan.metrics.order_by("code")
    ]
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "province": plan.province,
            "issued_on": plan.issued_on.isoformat(),
            "milestones": plan.milestones,
        },
        "metrics": metrics,
        "indicators": indicators,
        "tasks": tasks,
    }


def observations_approved():
    """The figures that count: only approved values feed progress, dashboards and reports."""
    return Observation.objects.filter(status=SubmissionStatus.APPROVED)


@dataclass(frozen=True)
class PeriodValue:
    """The province value of one metric for one reporting period, with the sums it was computed from."""

    period_id: int
    on: date
    value: float
    numerator: float | None
    denominator: float | None
    reporters: int


def province_period_values(*, as_of, metric_ids=None) -> dict[int, list[PeriodValue]]:
    """Per metric, the province value of every period up to ``as_of``: ONE grouped query over approved figures.

    Per-agency figures are summed (counts, flows), combined as a ratio of sums (ratios entered as numerator and
    denominator) or averaged (indices, shares) by ``progress.province_value``. Only periods of the metric's own
    reporting frequency count; a metric with none uses the kind of period it has most figures for.
    """
    metrics = Metric.objects.all()
    if metric_ids is not None:
        metrics = metrics.filter(pk__in=metric_ids)
    info = {m["pk"]: m for m in metrics.values("pk", "kind", "frequency")}
    rows = (
        observations_approved()
        .filter(metric_id__in=list(info), period__ends_on__lte=as_of)
        .values("metric_id", "period_id", "period__kind", "period__ends_on")
        .annotate(
            total=Sum("value"),
            mean=Avg("value"),
            num=Sum("numerator"),
            den=Sum("denominator"),
            n=Count("id"),
            n_den=Count("denominator"),
        )
        .order_by()
    )
    by_metric: dict[int, dict[str, list[PeriodValue]]] = {}
    for row in rows:
        kind = info[row["metric_id"]]["kind"]
        aggregate = progress.PeriodAggregate(
            total=_float(row["total"]),
            mean=_float(row["mean"]),
            numerator=_float(row["num"]),
            denominator=_float(row["den"]),
            count=row["n"],
            with_denominator=row["n_den"],
        )
        value = progress.province_value(kind, aggregate)
        if value is not None:
            point = PeriodValue(
                row["period_id"], row["period__ends_on"], value, aggregate.numerator, aggregate.denominator, row["n"]
            )
            by_metric.setdefault(row["metric_id"], {}).setdefault(row["period__kind"], []).append(point)
    values = {}
    for metric_id, by_kind in by_metric.items():
        own = Metric(frequency=info[metric_id]["frequency"]).period_kind
        points = by_kind.get(own) or max(by_kind.values(), key=len)
        values[metric_id] = sorted(points, key=lambda p: p.on)
    return values


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


def target_explain(
    *, code: str, year: int, as_of, plan: Plan | None = None
) -> list[tuple[ParsedTarget, progress.Assessment]]:
    """Compute (without storing) the status of every claim of one target cell, e.g. ("V.1", 2030)."""
    plan = plan or plan_current()
    target = Target.objects.select_related("indicator__plan").get(indicator__plan=plan, indicator__code=code, year=year)
    parsed_targets = list(target.parsed_targets.select_related("metric", "target").order_by("position"))
    series = province_series(as_of=as_of, metric_ids={p.metric_id for p in parsed_targets})
    return [
        (
            parsed,
            progress.assess(target_spec(parsed, plan_start=plan.issued_on), series.get(parsed.metric_id, []), as_of),
        )
        for parsed in parsed_targets
    ]


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


def assessment_disagreements(*, period, as_of) -> list[dict]:
    """Where an agency's own confidence for ``period`` and the computed status (snapshot at ``as_of``) disagree:
    "confident" while a target of the metric is limited or regressing, or doubtful while all are on track."""
    statuses = target_statuses_as_of(as_of=as_of)
    worst: dict[int, set[str]] = {}
    for row in statuses.values("parsed_target__metric_id", "status"):
        worst.setdefault(row["parsed_target__metric_id"], set()).add(row["status"])
    good = {progress.ACHIEVED, progress.ON_TRACK}
    bad = {progress.LIMITED, progress.REGRESSING}
    result = []
    for assessment in AgencyAssessment.objects.filter(period=period).select_related("agency", "metric", "period"):
        computed = worst.get(assessment.metric_id, set())
        confident = assessment.confidence == AgencyAssessment.Confidence.CONFIDENT
        if (confident and computed & bad) or (not confident and computed and computed <= good):
            result.append({"assessment": assessment, "computed": sorted(computed)})
    return result


# ---------------------------------------------------------------------------------------------------------------
# Data entry and review


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


def entry_periods(as_of: date) -> dict[str, Period]:
    """The period of each kind whose window contains ``as_of`` (created on first use)."""
    from .services import period_get_or_create

    result = {}
    for kind in (periods.MONTH, periods.QUARTER, periods.HALF_YEAR, periods.YEAR):
        bounds = periods.period_containing(kind, as_of)
        result[kind] = period_get_or_create(kind=kind, year=bounds.year, number=bounds.number)
    return result


def entry_rows(*, agency: Agency, as_of: date) -> list[EntryRow]:
    """The metrics ``agency`` reports, each for its period containing ``as_of``, in a fixed number of queries."""
    by_kind = entry_periods(as_of)
    metrics = list(Metric.objects.filter(reporters=agency).order_by("frequency", "code"))
    if not metrics:
        return []
    current = {
        (o.metric_id, o.period_id): o
        for o in Observation.objects.filter(agency=agency, metric__in=metrics, period__in=by_kind.values())
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
    deadline = timezone.make_aware(datetime.combine(period.due_on + timedelta(days=1), time.min))
    rows = []
    for agency in Agency.objects.filter(pk__in=expected).order_by("kind", "name"):
        wanted = expected[agency.pk]
        got = {m: t for m, t in sent.get(agency.pk, {}).items() if m in wanted}
        times = [t for t in got.values() if t is not None]
        last = max(times) if times else None
        if len(got) == len(wanted):
            status = ON_TIME if last is None or last < deadline else LATE
        elif got:
            status = PARTIAL
        else:
            status = NOT_DUE if as_of <= period.due_on else MISSING
        rows.append(AgencyCompleteness(agency, len(wanted), len(got), last, status))
    return PeriodCompleteness(period, rows)


_FREQUENCY_KIND = {
    "monthly": periods.MONTH,
    "quarterly": periods.QUARTER,
    "half_yearly": periods.HALF_YEAR,
    "yearly": periods.YEAR,
}
