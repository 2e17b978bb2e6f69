"""Snapshot rows for dashboard tests, standing in for the progress engine's output.

``snapshots_fill`` writes plausible TargetStatus, TaskOccurrence and ReportTimeliness rows for the loaded plan
and the province values of its approved figures (``size`` multiplies the occurrences, reporting periods and
figures, so tests can compare two data sizes).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, ParsedTarget, Period, Plan, ReportTimeliness, TargetStatus
from indicators.periods import period_bounds
from indicators.selectors import province_period_values
from indicators.services import province_values_save
from tasks.models import TaskAssignment, TaskOccurrence

STATUS_CYCLE = ["achieved", "on_track", "accelerate", "limited", "regressing", "no_data"]


def khcn_stock_target() -> tuple[Agency, ParsedTarget, str]:
    """Sở KH&CN, the first parsed target of a stock metric it reports, and that target's indicator page."""
    khcn = Agency.objects.get(code="so-khcn")
    parsed = (
        ParsedTarget.objects.filter(metric__reporters=khcn, metric__kind=Metric.Kind.STOCK)
        .select_related("metric", "target__indicator")
        .order_by("metric__code")
        .first()
    )
    return khcn, parsed, reverse("indicator", args=[parsed.target.indicator.code])


def figure_sent(
    metric: Metric, agency: Agency, user, value: str = "4.321", *, period: Period | None = None
) -> Observation:
    """A figure of ``metric`` for ``period`` (default: its period containing today), entered by ``user`` of
    ``agency`` and sent to review through the entry service, as the entry form does."""
    from indicators.services import observation_save, periods_ensure_containing
    from indicators.validation import FigureInput, clean_figure

    return observation_save(
        metric=metric,
        agency=agency,
        period=period or periods_ensure_containing(timezone.localdate())[metric.period_kind],
        user=user,
        figure=clean_figure(metric.kind, FigureInput(value, "", "")),
        submit=True,
    )


def period_make(kind: str, year: int, number: int) -> Period:
    bounds = period_bounds(kind, year, number)
    period, _ = Period.objects.get_or_create(
        kind=kind,
        year=year,
        number=number,
        defaults={"starts_on": bounds.starts_on, "ends_on": bounds.ends_on, "due_on": bounds.ends_on + timedelta(5)},
    )
    return period


def target_statuses_make(plan: Plan, *, as_of: date, seed: int = 1) -> list[TargetStatus]:
    rng = random.Random(seed)
    rows = []
    for index, parsed in enumerate(ParsedTarget.objects.filter(metric__plan=plan).order_by("pk")):
        status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        rows.append(
            TargetStatus(
                parsed_target=parsed,
                as_of=as_of,
                status=status,
                method="linear",
                baseline_value=parsed.value * Decimal("0.4"),
                baseline_date=date(2025, 1, 14),
                latest_value=None if status == "no_data" else parsed.value * Decimal(str(rng.uniform(0.5, 1.1))),
                latest_date=None if status == "no_data" else as_of - timedelta(days=20),
                freshness="missing" if status == "no_data" else "current",
                expected_value=parsed.value * Decimal("0.6"),
                explanation={
                    "summary": f"Giá trị mới nhất so với lộ trình: {status}",
                    "items": [["Tỷ số tiến độ", "0,8"]],
                    "ratio": 0.8,
                },
            )
        )
    return TargetStatus.objects.bulk_create(rows, ignore_conflicts=True)


def occurrences_make(plan: Plan, *, as_of: date, size: int = 1, seed: int = 1) -> int:
    """For each task's lead and cooperating agencies (up to 3 each), ``size`` due dates with varied statuses."""
    rng = random.Random(seed)
    statuses = [c for c, _ in TaskOccurrence.Status.choices]
    rows = []
    assignments = TaskAssignment.objects.filter(task__plan=plan).select_related("task").order_by("task", "pk")
    seen: dict[tuple[int, str], int] = {}
    for assignment in assignments:
        key = (assignment.task_id, assignment.role)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 3:
            continue
        for n in range(size):
            status = rng.choice(statuses)
            due = as_of + timedelta(days=rng.randint(-300, 300) - 30 * n)
            late = (as_of - due).days if status == "overdue" and due < as_of else 0
            rows.append(
                TaskOccurrence(
                    task=assignment.task,
                    agency_id=assignment.agency_id,
                    role=assignment.role,
                    due_on=due,
                    status="overdue" if late else ("not_due" if status == "overdue" else status),
                    days_late=late,
                    as_of=as_of,
                )
            )
    TaskOccurrence.objects.bulk_create(rows)
    return len(rows)


def timeliness_make(*, as_of: date, size: int = 1, seed: int = 1, agencies: int = 30) -> int:
    rng = random.Random(seed)
    chosen = list(Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).order_by("pk")[:agencies])
    months = []
    for back in range(size * 3):  # the months before as_of, newest first
        index = as_of.year * 12 + as_of.month - 2 - back
        months.append(period_make("month", index // 12, index % 12 + 1))
    rows = []
    for period in months:
        for agency in chosen:
            status = rng.choice(["on_time", "late", "missing"]) if period.due_on <= as_of else "not_due"
            rows.append(
                ReportTimeliness(
                    agency=agency, period=period, status=status, days_late=3 if status == "late" else 0, as_of=as_of
                )
            )
    ReportTimeliness.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def observations_make(plan: Plan, *, as_of: date, size: int = 1, seed: int = 1) -> int:
    """Approved figures (plus a few waiting for review) for every metric, ``size`` years of quarters back."""
    rng = random.Random(seed)
    rows = []
    for metric in plan.metrics.prefetch_related("reporters").order_by("pk"):
        reporters = list(metric.reporters.all())[:4] or list(Agency.objects.filter(code="so-khcn"))
        kind = metric.period_kind
        per_year = {"month": 12, "quarter": 4, "half_year": 2, "year": 1}[kind]
        for year in range(as_of.year - size, as_of.year):
            for number in range(1, per_year + 1):
                period = period_make(kind, year, number)
                for agency in reporters:
                    value = Decimal(rng.randint(10, 90))
                    extra = {}
                    if metric.is_ratio:
                        extra = {"numerator": value, "denominator": Decimal(100)}
                    waiting = rng.random() < 0.05
                    rows.append(
                        Observation(
                            metric=metric,
                            agency=agency,
                            period=period,
                            value=value,
                            status=SubmissionStatus.SUBMITTED if waiting else SubmissionStatus.APPROVED,
                            **extra,
                        )
                    )
    Observation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def snapshots_fill(plan: Plan, *, as_of: date, size: int = 1, seed: int = 1, figures: bool = True) -> None:
    """Everything the dashboards read, at a chosen size."""
    if figures:
        observations_make(plan, as_of=as_of, size=size, seed=seed)
    province_values_save(values=province_period_values(as_of=as_of), as_of=as_of)
    # an older computation too, so that pages must pick the latest
    target_statuses_make(plan, as_of=as_of - timedelta(days=30), seed=seed + 1)
    target_statuses_make(plan, as_of=as_of, seed=seed)
    occurrences_make(plan, as_of=as_of, size=size, seed=seed)
    timeliness_make(as_of=as_of, size=size, seed=seed)
