"""Writes for the plan: loading Plan 65-KH/TU (or another plan of the same shape) into the database."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import partial, reduce
from operator import or_

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.jobs import enqueue_coalesced
from core.snapshots import FIGURES, PERIODS, metric, snapshots_changed, snapshots_publish
from core.workflow import EntryError, check_period_open, evidence_replace, save_version, text_checked

from . import revisions
from .models import (
    AgencyAssessment,
    Metric,
    MetricRecompute,
    Observation,
    ParsedTarget,
    Period,
    ProvinceValue,
    QualitativeAssessment,
    RecomputeRequest,
    SubmissionStatus,
    Target,
    TargetStatus,
)
from .periods import periods_between
from .selectors import PeriodValue, periods_containing, province_period_values
from .statuses import target_statuses_compute
from .validation import CleanFigure


def period_get_or_create(*, kind: str, year: int, number: int) -> Period:
    """The reporting period, created with its Decree 09 window and configured due date if new."""
    new = Period.build(kind, year, number)
    period, _created = Period.objects.get_or_create(
        kind=kind,
        year=year,
        number=number,
        defaults={"starts_on": new.starts_on, "ends_on": new.ends_on, "due_on": new.due_on},
    )
    return period


def period_stored(period: Period) -> Period:
    """``period`` itself if stored, else the stored period with its bounds (created): for writes, after a page
    showed an unsaved period (pages never create periods)."""
    if period.pk is not None:
        return period
    return period_get_or_create(kind=period.kind, year=period.year, number=period.number)


def periods_ensure(*, kind: str, start: date, end: date) -> list[Period]:
    """The periods of ``kind`` whose window ends within [start, end], created where missing (jobs only)."""
    return [period_get_or_create(kind=b.kind, year=b.year, number=b.number) for b in periods_between(kind, start, end)]


def periods_ensure_containing(as_of: date) -> dict[str, Period]:
    """The stored period of each kind whose window contains ``as_of``, created where missing."""
    return {kind: period_stored(period) for kind, period in periods_containing(as_of).items()}


def _decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    if not math.isfinite(value):
        return None
    return Decimal(repr(value)).quantize(Decimal("0.000001"))


_STATUS_FIELDS = [
    "status",
    "method",
    "ratio",
    "baseline_value",
    "baseline_date",
    "latest_value",
    "latest_date",
    "latest_period",
    "latest_provisional",
    "latest_reporters",
    "latest_expected",
    "freshness",
    "expected_value",
    "explanation",
    "computed_at",
]


#: PostgreSQL advisory locks of the metrics' recomputes: (this number, the metric's id)
METRIC_LOCK_SPACE = 6501


@transaction.atomic
def target_statuses_recompute(
    *, as_of: date, metric_ids: Iterable[int] | None = None, complete_day: bool = True, requested_only: bool = False
) -> int:
    """Compute and store the status of every parsed target (or those of ``metric_ids``) as of ``as_of``.

    Grouped queries read the province values, which are stored as a snapshot for the pages
    (``province_values_save``); ``statuses.target_statuses_compute`` judges each target, and one upsert
    writes the status rows: running it twice leaves the same rows. A snapshot set is always complete: when
    ``as_of`` has no complete set yet (the first approval of the day, before or after a failed nightly run),
    every target is computed, not only those of ``metric_ids`` (unless ``complete_day`` is False: a full
    recompute under way completes it). Returns the status rows written.

    Concurrent recomputes never store an older result over a newer one, and an approval's recompute never waits
    for the nightly one. A recompute of some metrics holds their locks while it reads and writes, so it reads
    what the one before it committed. A full recompute reads without the locks (an approval's recompute goes on
    meanwhile), then takes them all to write, and leaves alone the metrics whose rows were stored meanwhile from
    a later read (``MetricRecompute``): theirs are newer. The recompute requests committed before the read are
    covered by it and forgotten. With ``requested_only``, of ``metric_ids`` only those still requested once their
    locks are held are recomputed (none: nothing written, nothing moved).
    """
    ids = None if metric_ids is None else sorted(set(metric_ids))
    if ids is not None and complete_day:
        if TargetStatus.objects.filter(as_of=as_of).count() < ParsedTarget.objects.in_force(as_of).count():
            ids = None
    if ids is not None:
        _metrics_lock(ids)
    requests = _recompute_requests_seen(metric_ids=ids)
    if ids is not None and requested_only:
        ids = sorted({metric_id for metric_id, _at in requests})  # a run that held these locks did the others
        if not ids:
            return 0
    read_at = _database_now()
    parsed = ParsedTarget.objects.in_force(as_of).select_related("metric__plan", "target__indicator")
    if ids is not None:
        parsed = parsed.filter(metric_id__in=ids)
    parsed_targets = list(parsed.order_by("metric_id", "target__year", "pk"))
    values = province_period_values(as_of=as_of, metric_ids=ids)
    written = ids
    if ids is None:
        written = list(Metric.objects.order_by("pk").values_list("pk", flat=True))
        _metrics_lock(written)
        newer = set(
            MetricRecompute.objects.filter(as_of=as_of, figures_read_at__gt=read_at).values_list("metric_id", flat=True)
        )
        if newer:
            written = [pk for pk in written if pk not in newer]
            values = {pk: items for pk, items in values.items() if pk not in newer}
            parsed_targets = [p for p in parsed_targets if p.metric_id not in newer]
    province_values_save(values=values, as_of=as_of, metric_ids=written)
    rows = target_statuses_compute(as_of=as_of, parsed_targets=parsed_targets, values=values)
    # the day's rows of targets no longer in force that day (an adjustment approved since they were stored)
    TargetStatus.objects.filter(as_of=as_of, parsed_target__metric_id__in=written).exclude(
        parsed_target__in=[p.pk for p in parsed_targets]
    ).delete()
    TargetStatus.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["parsed_target", "as_of"],
        update_fields=_STATUS_FIELDS,
    )
    MetricRecompute.objects.bulk_create(
        [MetricRecompute(metric_id=pk, as_of=as_of, figures_read_at=read_at) for pk in written],
        update_conflicts=True,
        unique_fields=["metric"],
        update_fields=["as_of", "figures_read_at"],
    )
    # the statuses and province values of these metrics (all of them for a new day's set), and what is computed
    # from them province-wide: no task page, no agency's work, no plan page shows them; the pages read lately that
    # show them are built from these rows before they move (core/prebuild.py)
    snapshots_publish(FIGURES, *map(metric, written))
    # last, just before the commit: an approval renewing one of these requests waits for this transaction
    _recompute_requests_forget(requests)
    return len(rows)


def _metrics_lock(metric_ids: Iterable[int]) -> None:
    """Hold the recompute lock of each metric until the transaction ends (PostgreSQL; SQLite has one writer)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for metric_id in sorted(metric_ids):  # always in one order: two recomputes never wait for each other
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [METRIC_LOCK_SPACE, metric_id])


def _database_now():
    """The database's clock (the same for every worker), at this very moment, not the transaction's start."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


@transaction.atomic
def province_values_save(
    *, values: dict[int, list[PeriodValue]], as_of: date, metric_ids: Iterable[int] | None = None
) -> int:
    """Store the province value of each metric and period (of ``metric_ids``, or all metrics) as the snapshot.

    Only what changed is written: one upsert of the rows whose value, sums, reporters or provisional mark differ
    from the stored ones (same metric and period: same row; its ``as_of`` and ``computed_at`` say which
    computation last changed it), then one delete of the rows of those metrics this computation did not produce
    (a figure withdrawn, a period after ``as_of``). A nightly run over unchanged figures writes nothing. Returns
    the rows computed.
    """
    computed = {
        (metric_id, item.period_id): [
            value,
            _decimal(item.numerator),
            _decimal(item.denominator),
            item.reporters,
            item.provisional,
            item.expected,
        ]
        for metric_id, items in values.items()
        for item in items
        if (value := _decimal(item.value)) is not None
    }
    stored = ProvinceValue.objects.all()
    if metric_ids is not None:
        stored = stored.filter(metric_id__in=list(metric_ids))
    existing = {
        (metric_id, period_id): (pk, numbers)
        for pk, metric_id, period_id, *numbers in stored.values_list(
            "pk",
            "metric_id",
            "period_id",
            "value",
            "numerator",
            "denominator",
            "reporters",
            "provisional",
            "expected_reporters",
        )
    }
    # model instances only for the rows that changed: building 17 000 of them cost more than the query
    stamp = timezone.now()
    changed = [
        ProvinceValue(
            metric_id=metric_id,
            period_id=period_id,
            value=numbers[0],
            numerator=numbers[1],
            denominator=numbers[2],
            reporters=numbers[3],
            provisional=numbers[4],
            expected_reporters=numbers[5],
            as_of=as_of,
            computed_at=stamp,
        )
        for (metric_id, period_id), numbers in computed.items()
        if existing.get((metric_id, period_id), (None, None))[1] != numbers
    ]
    ProvinceValue.objects.bulk_create(
        changed,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["metric", "period"],
        update_fields=[
            "value",
            "numerator",
            "denominator",
            "reporters",
            "provisional",
            "expected_reporters",
            "as_of",
            "computed_at",
        ],
    )
    stale = [pk for key, (pk, _numbers) in existing.items() if key not in computed]
    ProvinceValue.objects.filter(pk__in=stale).delete()
    if (changed or stale) and metric_ids is not None:
        snapshots_changed(FIGURES, *map(metric, metric_ids))
    elif changed or stale:
        snapshots_changed()
    return len(computed)


# ---------------------------------------------------------------------------------------------------------------
# Figures: the one write path from entry to approval (docs/data-entry.md). Every write saves the row once, so
# django-simple-history keeps one version per step, with who did it and why (the change reason).


@transaction.atomic
def observation_save(
    *,
    metric: Metric,
    agency: Agency,
    period: Period,
    user,
    figure: CleanFigure,
    note: str = "",
    evidence=None,
    submit: bool = False,
) -> Observation:
    """Record an agency's figure as a draft, or submit it for review (one write, one version)."""
    check_period_open(period)
    if not metric.accepts_figures_from(agency):
        message = _("“%(metric)s” là một số liệu toàn tỉnh, chỉ %(agency)s cung cấp.")
        raise EntryError(message % {"metric": metric.name, "agency": metric.reporting_agency})
    period = period_stored(period)
    if not figure.is_valid:
        raise EntryError(_("Số liệu chưa hợp lệ."))
    observation = Observation.objects.select_for_update().filter(
        metric=metric, agency=agency, period=period
    ).first() or Observation(metric=metric, agency=agency, period=period)
    if observation.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        message = _("Số liệu “%(metric)s” đã gửi hoặc đã duyệt, không sửa trực tiếp được.")
        raise EntryError(message % {"metric": metric.name})
    observation.value, observation.numerator, observation.denominator = (
        figure.value,
        figure.numerator,
        figure.denominator,
    )
    observation.note = text_checked(note, label=_("Ghi chú, giải trình"))
    if evidence:
        evidence_replace(observation, evidence)
    observation.entered_by = user
    if submit:
        observation.status = SubmissionStatus.SUBMITTED
        observation.submitted_at = timezone.now()
    elif observation.status != SubmissionStatus.RETURNED:
        observation.status = SubmissionStatus.DRAFT
    save_version(observation, user=user, reason="Gửi duyệt" if submit else "Lưu nháp")
    return observation


@transaction.atomic
def observation_submit(*, observation: Observation, user) -> bool:
    """Submit a saved draft (or a returned figure) as it is. Submitting twice changes nothing the second time."""
    observation = Observation.objects.select_for_update().select_related("period").get(pk=observation.pk)
    if observation.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        return False
    check_period_open(observation.period)
    if observation.value is None:
        raise EntryError(_("Chưa có giá trị để gửi."))
    observation.status = SubmissionStatus.SUBMITTED
    observation.submitted_at = timezone.now()
    save_version(observation, user=user, reason="Gửi duyệt")
    return True


@transaction.atomic
def observation_correct(*, observation: Observation, user, figure: CleanFigure, reason: str) -> Observation:
    """Propose a new value for an approved figure. The approved value keeps counting until the reviewer
    approves the correction; nothing is overwritten before that."""
    observation = Observation.objects.select_for_update().select_related("period").get(pk=observation.pk)
    check_period_open(observation.period)
    if observation.status != SubmissionStatus.APPROVED:
        raise EntryError(_("Chỉ điều chỉnh được số liệu đã duyệt; số liệu khác hãy sửa trực tiếp."))
    if observation.correction_status == SubmissionStatus.SUBMITTED:
        raise EntryError(_("Đã có một đề nghị điều chỉnh đang chờ duyệt."))
    if not figure.is_valid:
        raise EntryError(_("Số liệu chưa hợp lệ."))
    reason = text_checked(reason, label=_("Lý do điều chỉnh"))
    if not reason:
        raise EntryError(_("Hãy nêu lý do điều chỉnh."))
    values = {"value": figure.value, "numerator": figure.numerator, "denominator": figure.denominator}
    if revisions.figure_revision(revisions.StoredFigure.of(observation), values, approve=False) == revisions.UNCHANGED:
        raise EntryError(_("Giá trị đề nghị trùng giá trị đã duyệt: không có gì để điều chỉnh."))
    # the figure's sending time stays the first one: a later correction does not make its report late
    revisions.correction_proposed(observation, values, reason=reason)
    save_version(observation, user=user, reason=f"Đề nghị điều chỉnh: {reason}")
    return observation


def _waiting(observation: Observation) -> bool:
    return (
        observation.status == SubmissionStatus.SUBMITTED or observation.correction_status == SubmissionStatus.SUBMITTED
    )


def metrics_recompute_after_commit(metric_ids) -> None:
    """Once the approval commits, recompute the status of these metrics' targets (issue 4: right after it).

    The request is first written in the caller's transaction (``RecomputeRequest``), so it commits with the
    approval; the job is then queued. If the broker is down the approval still succeeds at once (``enqueue``
    gives up quickly) and the request waits in the database for the catch-up job or the nightly recompute.
    On the embedded default the job runs in-process; on the full stack a worker takes it from Redis, within
    ``RECOMPUTE_COALESCE_SECONDS``: the approvals of those seconds are recomputed in one run, so that the pages
    showing their statuses are rebuilt once for all of them, not once per approval (``recompute_requests_run``).
    """
    metric_ids = sorted(set(metric_ids))
    if not metric_ids:
        return
    now = timezone.now()
    RecomputeRequest.objects.bulk_create(
        [RecomputeRequest(metric_id=metric_id, requested_at=now) for metric_id in metric_ids],
        update_conflicts=True,
        unique_fields=["metric"],
        update_fields=["requested_at"],
    )
    transaction.on_commit(
        partial(enqueue_coalesced, "indicators.recompute_requested", seconds=settings.RECOMPUTE_COALESCE_SECONDS)
    )


def recompute_requests_pending() -> list[int]:
    """The metrics whose recompute was requested and not yet done."""
    return list(RecomputeRequest.objects.order_by("metric_id").values_list("metric_id", flat=True))


def recompute_requests_run(*, as_of: date, complete_day: bool = True) -> int:
    """The recomputes requested and not yet done, in one run: however many approvals asked for them, the pages
    that show their statuses are rebuilt once (``target_statuses_recompute``). The metrics a run under way did
    meanwhile are left out. Returns the status rows written: 0 when nothing was waiting."""
    metric_ids = recompute_requests_pending()
    if not metric_ids:
        return 0
    return target_statuses_recompute(as_of=as_of, metric_ids=metric_ids, complete_day=complete_day, requested_only=True)


def _recompute_requests_seen(*, metric_ids: Iterable[int] | None = None) -> list[tuple[int, object]]:
    """The requests committed so far (read before the figures: their approvals are in what the recompute reads)."""
    requests = RecomputeRequest.objects.all()
    if metric_ids is not None:
        requests = requests.filter(metric_id__in=list(metric_ids))
    return list(requests.values_list("metric_id", "requested_at"))


def _recompute_requests_forget(requests: list[tuple[int, object]]) -> None:
    """Delete these requests, unless a later approval renewed them (the renewed one waits for its own run)."""
    if requests:
        RecomputeRequest.objects.filter(
            reduce(or_, (Q(metric_id=metric_id, requested_at=at) for metric_id, at in requests))
        ).delete()


@transaction.atomic
def observation_approve(*, observation: Observation, user, note: str = "", recompute: bool = True) -> bool:
    """Approve a submitted figure, or the correction waiting on an approved one. False if nothing waits.

    ``recompute=False`` leaves the status recompute to the caller (a bulk approval asks once per metric).
    """
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if not _waiting(observation):
        return False
    reason = "Phê duyệt"
    if observation.correction_status == SubmissionStatus.SUBMITTED:
        reason = f"Phê duyệt điều chỉnh: {observation.proposed_note}"
        revisions.correction_approved(observation)
    observation.status = SubmissionStatus.APPROVED
    observation.reviewed_by = user
    observation.reviewed_at = timezone.now()
    observation.review_note = note
    save_version(observation, user=user, reason=reason)
    if recompute:
        metrics_recompute_after_commit([observation.metric_id])
    return True


@transaction.atomic
def observation_return(*, observation: Observation, user, reason: str) -> bool:
    """Send a submitted figure (or a correction) back to its agency with the reason. False if nothing waits."""
    reason = text_checked(reason, label=_("Lý do trả lại"))
    if not reason:
        raise EntryError(_("Hãy nêu lý do trả lại."))
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if not _waiting(observation):
        return False
    if observation.correction_status == SubmissionStatus.SUBMITTED:
        observation.correction_status = SubmissionStatus.RETURNED  # the approved value stays as it was
    else:
        observation.status = SubmissionStatus.RETURNED
    observation.reviewed_by = user
    observation.reviewed_at = timezone.now()
    observation.review_note = reason
    save_version(observation, user=user, reason=f"Trả lại: {reason}")
    return True


def observations_approve(*, observations, user) -> int:
    """Approve a selection; each figure gets its own version in the history. Returns how many were approved."""
    with transaction.atomic():
        approved = [o.metric_id for o in observations if observation_approve(observation=o, user=user, recompute=False)]
        metrics_recompute_after_commit(approved)
        return len(approved)


# Periods: opened and closed (locked) by the standing office.


@transaction.atomic
def period_set_locked(*, period: Period, user, locked: bool) -> Period:
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_locked != locked:
        period.is_locked = locked
        period.save(update_fields=["is_locked"])
    return period


@transaction.atomic
def periods_lock_past_due(*, as_of: date) -> int:
    """Lock every open period whose deadline has passed; late entry then needs the reviewer to reopen."""
    snapshots_changed(PERIODS)
    return Period.objects.filter(is_locked=False, due_on__lt=as_of).update(is_locked=True)


# Assessments


@transaction.atomic
def qualitative_assessment_save(*, target: Target, period: Period, user, status: str, narrative: str):
    period = period_stored(period)
    assessment = QualitativeAssessment.objects.filter(target=target, period=period).first() or QualitativeAssessment(
        target=target, period=period
    )
    assessment.status, assessment.narrative, assessment.assessed_by = status, narrative, user
    save_version(assessment, user=user, reason="Đánh giá định tính")
    return assessment


@transaction.atomic
def agency_assessment_save(*, agency: Agency, metric: Metric, period: Period, user, confidence: str, narrative: str):
    """Record an agency's own confidence for a metric this quarter (the period must be open)."""
    check_period_open(period)
    period = period_stored(period)
    assessment = AgencyAssessment.objects.filter(agency=agency, metric=metric, period=period).first() or (
        AgencyAssessment(agency=agency, metric=metric, period=period)
    )
    assessment.confidence, assessment.narrative, assessment.entered_by = confidence, narrative, user
    save_version(assessment, user=user, reason="Tự đánh giá")
    return assessment


# The plan's metrics: who reports each.


def metric_reporters_wanted(metric: Metric, *, leads: set[int]) -> set[int]:
    """Who reports ``metric``: every active department and locality, or for a metric collected once for the province
    its designated agency (else ``leads``, the agencies leading its indicators)."""
    if metric.collection == Metric.Collection.PER_AGENCY:
        return set(
            Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY], is_active=True).values_list(
                "pk", flat=True
            )
        )
    if metric.reporting_agency_id:
        return {metric.reporting_agency_id}
    return set(leads)
