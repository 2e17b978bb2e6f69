"""Reads for inspections, recommendations and the report to the centre.

Where a recommendation stands is computed on reading, as of a day, by the one rule (``standing.py``, built on
``tasks.occurrences.status_on``); there are few of them (dozens a year), so every count reads their rows in one
or two queries and judges them in Python rather than writing the rule a second time in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.formatting import vn_date
from core.workflow import SubmissionStatus
from indicators.models import Metric, Period, Plan
from indicators.periods import PeriodBounds, parse_period_code, period_bounds, period_code
from indicators.selectors import observations_approved, province_period_values
from tasks.models import Reminder, TaskOccurrence
from tasks.occurrences import OVERDUE

from . import centre, standing
from .models import CentralIndicator, Inspection, Recommendation, RecommendationUpdate
from .standing import Standing, Tally


def inspections(*, plan: Plan) -> QuerySet[Inspection]:
    return (
        Inspection.objects.filter(plan=plan)
        .select_related("lead_body")
        .prefetch_related("agencies")
        .order_by("-starts_on", "-pk")
    )


def inspection_get(*, plan: Plan, pk: int) -> Inspection | None:
    return (
        Inspection.objects.filter(plan=plan, pk=pk)
        .select_related("lead_body", "created_by")
        .prefetch_related("agencies", "tasks", "indicators")
        .first()
    )


def recommendations_of(*, plan: Plan | None) -> QuerySet[Recommendation]:
    """The recommendations of a plan's inspections (of every plan: ``None``)."""
    found = Recommendation.objects.select_related("inspection", "agency", "task")
    return found.filter(inspection__plan=plan) if plan is not None else found


def _progress_reported(ids: list[int]) -> dict[int, date]:
    """Per recommendation, the day the office first accepted a report of work on it (in progress or done)."""
    reported = (
        RecommendationUpdate.objects.filter(recommendation_id__in=ids, status=SubmissionStatus.APPROVED)
        .exclude(progress=RecommendationUpdate.Progress.NOT_STARTED)
        .values("recommendation_id")
        .annotate(first=Min("reviewed_at"))
        .order_by()
    )
    return {row["recommendation_id"]: timezone.localdate(row["first"]) for row in reported if row["first"]}


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    standing: Standing

    @property
    def label(self) -> str:
        return status_label(self.standing.status)


def status_label(status: str) -> str:
    """A recommendation's status in words: the task occurrence's words for the same rule."""
    return str(TaskOccurrence.Status(status).label)


def recommendation_rows(recommendations, *, as_of: date) -> list[RecommendationRow]:
    """Each recommendation with where it stands on ``as_of`` (one query more for the reports of progress)."""
    items = list(recommendations)
    reported = _progress_reported([r.pk for r in items])
    return [
        RecommendationRow(
            r,
            standing.recommendation_standing(
                due_on=r.due_on,
                completed_on=r.completed_on,
                accepted_on=r.accepted_on,
                as_of=as_of,
                progress_reported_on=reported.get(r.pk),
            ),
        )
        for r in items
    ]


def recommendations_concluded(*, plan: Plan | None, as_of: date, agency: Agency | None = None):
    """The recommendations known on ``as_of``: of inspections concluded (or, without a conclusion date, begun) by
    then."""
    concluded = Q(inspection__conclusion_date__lte=as_of) | Q(
        inspection__conclusion_date__isnull=True, inspection__starts_on__lte=as_of
    )
    found = recommendations_of(plan=plan).filter(concluded)
    return found.filter(agency=agency) if agency is not None else found


@dataclass
class RecommendationSummary:
    """Recommendations counted by where they stand on a day, and the overdue ones, most late first."""

    tally: Tally
    overdue: list[RecommendationRow]


def recommendations_summary(
    *, plan: Plan | None, as_of: date, agency: Agency | None = None, since: date | None = None
) -> RecommendationSummary:
    """Where the recommendations known on ``as_of`` stand then (two queries); with ``since``, those done before it
    left out (a period's report counts the work still open when the period began)."""
    rows = recommendation_rows(recommendations_concluded(plan=plan, as_of=as_of, agency=agency), as_of=as_of)
    if since is not None:
        rows = [r for r in rows if not (r.standing.done_on and r.standing.done_on < since)]
    overdue = sorted(
        (r for r in rows if r.standing.status == OVERDUE),
        key=lambda r: (-r.standing.days_late, r.recommendation.agency.name, r.recommendation.pk),
    )
    return RecommendationSummary(standing.tally(r.standing for r in rows), overdue)


def recommendation_tally(*, plan: Plan, as_of: date, agency: Agency | None = None, since: date | None = None) -> Tally:
    return recommendations_summary(plan=plan, as_of=as_of, agency=agency, since=since).tally


def recommendations_overdue(*, plan: Plan, as_of: date, agency: Agency | None = None) -> list[RecommendationRow]:
    """The recommendations overdue on ``as_of``, most late first."""
    return recommendations_summary(plan=plan, as_of=as_of, agency=agency).overdue


def recommendation_update_open(recommendation: Recommendation) -> RecommendationUpdate | None:
    """The agency's report not yet approved (a draft, one waiting for review or one returned), if any."""
    return recommendation.updates.exclude(status=SubmissionStatus.APPROVED).order_by("-created_at", "-pk").first()


def recommendation_updates_waiting() -> QuerySet[RecommendationUpdate]:
    """Reports on recommendations waiting for the standing office, oldest first."""
    return (
        RecommendationUpdate.objects.filter(status=SubmissionStatus.SUBMITTED)
        .select_related("recommendation__inspection", "agency")
        .order_by("submitted_at", "pk")
    )


# Reminders and the weekly digest (registered with tasks.services by OversightConfig.ready)


def recommendation_reminder_items(as_of: date) -> dict[int, list[tuple[str, str, str]]]:
    """Per agency, its recommendations falling due within ``REMINDER_DAYS_BEFORE`` days and those overdue:
    (kind, key, line), sent by the one reminder rule (``tasks.services.reminders_send``)."""
    soon = as_of + timedelta(days=settings.REMINDER_DAYS_BEFORE)
    open_ones = recommendations_concluded(plan=None, as_of=as_of).filter(
        Q(accepted_on__isnull=True) | Q(accepted_on__gt=as_of), due_on__lte=soon
    )
    items: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for row in recommendation_rows(open_ones, as_of=as_of):
        r = row.recommendation
        words = {"number": r.number, "inspection": r.inspection.title, "due": vn_date(r.due_on), "text": r.text[:120]}
        key = f"recommendation:{r.pk}:{r.due_on.isoformat()}"
        if row.standing.status == OVERDUE:
            line = _("Kiến nghị %(number)s (%(inspection)s) đã quá hạn từ ngày %(due)s: %(text)s") % words
            items[r.agency_id].append((Reminder.Kind.OVERDUE, key, line))
        elif row.standing.is_open and r.due_on >= as_of:
            line = _("Kiến nghị %(number)s (%(inspection)s) đến hạn ngày %(due)s: %(text)s") % words
            items[r.agency_id].append((Reminder.Kind.DUE_SOON, key, line))
    return items


#: overdue recommendations the digest names before leaving the rest to the overview
DIGEST_SHOWN = 10


def recommendation_digest_lines(as_of: date) -> list[str]:
    """The digest's lines on recommendations: how many are open and overdue, the most late named."""
    rows = recommendation_rows(recommendations_concluded(plan=None, as_of=as_of), as_of=as_of)
    if not rows:
        return []
    counted = standing.tally(r.standing for r in rows)
    lines = [
        _("Kiến nghị sau kiểm tra: %(done)s đã xong, %(open)s chưa đến hạn, %(overdue)s quá hạn")
        % {"done": counted.done, "open": counted.open, "overdue": counted.overdue}
    ]
    overdue = sorted((r for r in rows if r.standing.status == OVERDUE), key=lambda r: -r.standing.days_late)
    for row in overdue[:DIGEST_SHOWN]:
        r = row.recommendation
        lines.append(
            _("- Kiến nghị %(number)s · %(agency)s · hạn %(due)s · chậm %(days)s ngày")
            % {"number": r.number, "agency": r.agency.name, "due": vn_date(r.due_on), "days": row.standing.days_late}
        )
    return lines


# The report to the centre


class CentralMappingMissing(LookupError):
    """No central indicator is mapped to the plan's metrics: there is nothing to report upward."""


def central_mappings(*, plan: Plan) -> list[centre.Mapping]:
    rows = CentralIndicator.objects.filter(metric__plan=plan).select_related("metric").order_by("code")
    return [
        centre.Mapping(
            code=row.code,
            name=row.name,
            unit=row.unit,
            factor=row.factor,
            metric=row.metric.code,
            metric_name=row.metric.name,
            metric_unit=row.metric.unit,
            period_kind=row.metric.period_kind,
        )
        for row in rows
    ]


def _approvers(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Per (metric, period), the bodies whose staff approved the figures behind its province value."""
    if not pairs:
        return {}
    wanted = Q()
    for metric_id, period_id in pairs:
        wanted |= Q(metric_id=metric_id, period_id=period_id)
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    for metric_id, period_id, reviewer_agency in (
        observations_approved()
        .filter(wanted)
        .values_list("metric_id", "period_id", "reviewed_by__agency__name")
        .distinct()
    ):
        if reviewer_agency:
            found[(metric_id, period_id)].add(reviewer_agency)
    return {key: "; ".join(sorted(names)) for key, names in found.items()}


def central_export_collect(*, plan: Plan, period: PeriodBounds | Period, as_of: date) -> centre.CentralExport:
    """The report to the centre for ``period`` as of ``as_of`` (a few queries); ``CentralMappingMissing`` when no
    central indicator is mapped."""
    mappings = central_mappings(plan=plan)
    if not mappings:
        raise CentralMappingMissing(
            _("Chưa có bảng quy đổi chỉ tiêu Trung ương: hãy nạp bằng lệnh import_central_mapping hoặc trang Quản trị.")
        )
    metrics = {m.code: m for m in Metric.objects.filter(plan=plan).order_by("code")}
    mapped_ids = [metrics[m.metric].pk for m in mappings]
    values = province_period_values(as_of=as_of, metric_ids=mapped_ids)
    period_rows = {
        p.pk: p for p in Period.objects.filter(pk__in={v.period_id for items in values.values() for v in items})
    }
    approvers = _approvers({(metric_id, v.period_id) for metric_id, items in values.items() for v in items})
    by_pk = {m.pk: m for m in metrics.values()}
    readings: dict[str, list[centre.Reading]] = {}
    for metric_id, items in values.items():
        readings[by_pk[metric_id].code] = [
            centre.Reading(
                period=period_code(row.kind, row.year, row.number),
                period_label=row.label,
                ends_on=row.ends_on,
                value=v.value,
                provisional=v.provisional,
                approved_by=approvers.get((metric_id, v.period_id), ""),
            )
            for v in items
            for row in [period_rows[v.period_id]]
        ]
    stored = Period.build(period.kind, period.year, period.number)
    return centre.central_export_build(
        period=period_code(period.kind, period.year, period.number),
        period_label=stored.label,
        period_ends_on=stored.ends_on,
        period_due_on=stored.due_on,
        as_of=as_of,
        mappings=mappings,
        readings=readings,
        metrics=[(m.code, m.name) for m in metrics.values()],
        due_days=settings.REPORT_DUE_DAYS,
    )


def period_for_export(code: str) -> PeriodBounds:
    """The reporting period a code or label names ("2026-Q3", "Quý III/2026"); ValueError in Vietnamese."""
    return period_bounds(*parse_period_code(code))
