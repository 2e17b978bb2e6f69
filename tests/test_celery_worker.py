"""A real Celery worker against the real broker (Redis) and database: enqueue the recompute, see the rows.

Skipped locally when REDIS_URL is unset; in CI (CI=true) it must run, so it fails instead.
"""

import os
from datetime import date
from decimal import Decimal

import pytest
from celery.result import EagerResult
from django.conf import settings

from agencies.models import Agency
from indicators import jobs
from indicators.models import Metric, Observation, ParsedTarget, TargetStatus
from indicators.services import period_get_or_create
from tasks import jobs as task_jobs
from tasks.models import TaskOccurrence

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
    result = jobs.recompute_metric.delay(metric.pk, "2029-01-01")
    assert not isinstance(result, EagerResult)  # queued to the broker, not run in-process
    # the day's first recompute computes every target: a snapshot set is always complete (issue 11)
    assert result.get(timeout=120) == ParsedTarget.objects.count()
    row = TargetStatus.objects.get(parsed_target__metric=metric, parsed_target__target__year=2030)
    assert (row.as_of, row.status) == (date(2029, 1, 1), "on_track")

    scan = task_jobs.overdue_scan.delay("2026-11-26")
    assert scan.get(timeout=120)["occurrences"] == TaskOccurrence.objects.count() > 0
