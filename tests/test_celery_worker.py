"""A real Celery worker against the real broker (Redis) and database: enqueue the recompute, see the rows.

Skipped locally when REDIS_URL is unset; in CI (CI=true) it must run, so it fails instead.
"""

import os
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from celery.result import EagerResult
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.jobs import job_lock, job_lock_held
from indicators import jobs
from indicators.models import Metric, Observation, ParsedTarget, RecomputeRequest, TargetStatus
from indicators.services import period_get_or_create, periods_ensure_containing, target_statuses_recompute
from tasks import jobs as task_jobs
from tasks.models import TaskOccurrence
from tests.factories import khcn_stock_target

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def worker(loaded_plan):
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Celery worker test: set REDIS_URL to the Redis that .ci/run starts")
        pytest.skip("REDIS_URL is not set: no broker for a real Celery worker")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        # The worker runs in a thread of this process with its own database connection: the test is
        # transactional (loaded_plan), so what it writes is committed and visible to the worker.
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING") as running:
            yield running
    finally:
        app.conf.task_always_eager = eager


def test_worker_recomputes_after_an_approval(worker, loaded_plan):
    metric = Metric.objects.get(plan=loaded_plan, code="dti_index")
    agency = Agency.objects.get(code="so-khcn")
    for year, value in ((2026, "0.60"), (2028, "0.68")):
        Observation.objects.create(
            metric=metric,
            agency=agency,
            period=period_get_or_create(kind="year", year=year, number=1),
            value=Decimal(value),
            status="approved",
        )
    # jobs keep no result (CELERY_TASK_IGNORE_RESULT): this test asks for it
    result = jobs.recompute_metric.apply_async((metric.pk, "2029-01-01"), ignore_result=False)
    assert not isinstance(result, EagerResult)  # queued to the broker, not run in-process
    # the day's first recompute computes every target: a snapshot set is always complete (issue 11)
    assert result.get(timeout=120) == ParsedTarget.objects.count()
    row = TargetStatus.objects.get(parsed_target__metric=metric, parsed_target__target__year=2030)
    assert (row.as_of, row.status) == (date(2029, 1, 1), "on_track")

    scan = task_jobs.overdue_scan.apply_async(("2026-11-26",), ignore_result=False)
    assert scan.get(timeout=120)["occurrences"] == TaskOccurrence.objects.count() > 0


def test_an_approval_reaches_the_dashboard_while_the_nightly_recompute_runs(worker, loaded_plan, reviewer, settings):
    """The approval's recompute does not wait for the nightly one's lock (it retried every 30 s behind it)."""
    settings.DASHBOARD_CACHE_SECONDS = 600  # pages cached as in production: the recompute must make them stale
    khcn, parsed, url = khcn_stock_target()
    metric = parsed.metric
    today = timezone.localdate()
    target_statuses_recompute(as_of=today)  # the day's complete set, as after last night's run
    period = periods_ensure_containing(today - timedelta(days=200))[metric.period_kind]
    figure = Observation.objects.create(
        metric=metric, agency=khcn, period=period, value=Decimal("4321"), status="submitted"
    )
    client = Client()
    client.force_login(reviewer)
    shown = (
        'Mới nhất: <span class="latest">4.321'  # the target's latest value (the figure is listed as waiting already)
    )
    assert shown not in client.get(url).content.decode()

    with job_lock(jobs.LOCK) as nightly_running:  # the nightly recompute holds its lock throughout
        assert nightly_running
        approved_at = time.monotonic()
        response = client.post(reverse("review_queue"), {"action": "approve", "o": [figure.pk]})
        assert response.status_code == 302
        deadline = approved_at + 60  # generous for a loaded machine; a job deferred by the lock never shows it
        while shown not in (page := client.get(url).content.decode()):
            assert time.monotonic() < deadline, "the approval's recompute waited for the nightly recompute"
            time.sleep(0.05)
        print(f"approval visible on the indicator page after {time.monotonic() - approved_at:.2f} s")
        assert job_lock_held(jobs.LOCK), "shown while the nightly recompute still held its lock"
    row = TargetStatus.objects.get(parsed_target=parsed, as_of=today)
    assert row.latest_value == 4321 and row.get_status_display() in page
    assert not RecomputeRequest.objects.filter(metric=metric).exists()


def test_approvals_a_moment_apart_are_recomputed_in_one_run(worker, loaded_plan, reviewer, settings):
    """Three approvals within ``RECOMPUTE_COALESCE_SECONDS`` are recomputed together: one read of the figures (the
    pages showing them rebuilt once, not three times), every status right; a later approval gets a run of its own."""
    from core.models import SnapshotVersion
    from indicators.models import MetricRecompute

    settings.RECOMPUTE_COALESCE_SECONDS = 5  # the three posts below take well under that on a loaded machine
    khcn = Agency.objects.get(code="so-khcn")
    today = timezone.localdate()
    target_statuses_recompute(as_of=today)  # the day's complete set, as after last night's run
    parsed = list(
        ParsedTarget.objects.filter(metric__reporters=khcn, metric__kind=Metric.Kind.STOCK)
        .select_related("metric")
        .order_by("metric__code", "pk")
    )
    metrics = list({p.metric_id: p.metric for p in parsed}.values())[:4]
    assert len(metrics) == 4
    figures = [
        Observation.objects.create(
            metric=metric,
            agency=khcn,
            period=periods_ensure_containing(today - timedelta(days=200))[metric.period_kind],
            value=Decimal(4000 + n),
            status="submitted",
        )
        for n, metric in enumerate(metrics)
    ]
    client = Client()
    client.force_login(reviewer)

    def figures_version() -> int:
        return SnapshotVersion.objects.filter(key="figures").values_list("value", flat=True).first() or 0

    def approve(figure) -> None:
        response = client.post(reverse("review_queue"), {"action": "approve", "o": [figure.pk]})
        assert response.status_code == 302

    def recomputed(metric_ids, *, version_was: int) -> dict:
        # the requests go with the run's commit, the pages' versions move right after it (on_commit)
        deadline = time.monotonic() + 60
        while RecomputeRequest.objects.filter(metric_id__in=metric_ids).exists() or figures_version() == version_was:
            assert time.monotonic() < deadline, "the approvals were never recomputed"
            time.sleep(0.05)
        return dict(
            MetricRecompute.objects.filter(metric_id__in=metric_ids).values_list("metric_id", "figures_read_at")
        )

    before = figures_version()
    for figure in figures[:3]:
        approve(figure)
    together = recomputed([m.pk for m in metrics[:3]], version_was=before)
    assert len(set(together.values())) == 1, "one run read the three metrics' figures"
    moved = figures_version()
    assert moved > before
    for figure in figures[:3]:
        row = TargetStatus.objects.filter(parsed_target__metric=figure.metric, as_of=today).first()
        assert row.latest_value == figure.value

    approve(figures[3])
    alone = recomputed([metrics[3].pk], version_was=moved)
    assert alone[metrics[3].pk] > next(iter(together.values())), "the later approval had a run of its own"
    assert figures_version() > moved
