"""The nightly recompute and an approval's recompute at the same time, on PostgreSQL: neither stores an older result
over a newer one, and the approval's does not wait for the nightly one to finish.

The approval runs in a thread with its own database connection (its recompute in-process, as Celery would run it
on another worker), at the moment the nightly recompute has read the figures, or is writing its results.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from agencies.models import Agency
from indicators import jobs, services
from indicators.models import Metric, Observation, ParsedTarget, ProvinceValue, RecomputeRequest, TargetStatus
from indicators.services import observation_approve, period_get_or_create, target_statuses_recompute

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")


@pytest.fixture
def dti(loaded_plan):
    """The DTI at 0,60 for 2024 (approved and computed as of today), and 0,68 for 2025 waiting for approval."""
    metric = Metric.objects.get(plan=loaded_plan, code="dti_index")
    agency = Agency.objects.get(code="so-khcn")
    Observation.objects.create(
        metric=metric,
        agency=agency,
        period=period_get_or_create(kind="year", year=2024, number=1),
        value=Decimal("0.60"),
        status="approved",
    )
    waiting = Observation.objects.create(
        metric=metric,
        agency=agency,
        period=period_get_or_create(kind="year", year=2025, number=1),
        value=Decimal("0.68"),
        status="submitted",
    )
    target_statuses_recompute(as_of=timezone.localdate())  # the day's complete set, before the approval
    return metric, waiting


def _approve_in_another_connection(observation, user) -> tuple[threading.Thread, list]:
    """Approve in a thread (its own connection and transaction); the approval queues the metric's recompute,
    which runs in that thread once the approval commits."""
    errors: list[BaseException] = []

    def approve():
        try:
            observation_approve(observation=observation, user=user)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=approve)
    thread.start()
    return thread, errors


def _latest(metric) -> list:
    values = ProvinceValue.objects.filter(metric=metric).order_by("period__year")
    statuses = TargetStatus.objects.filter(parsed_target__metric=metric, as_of=timezone.localdate())
    return [list(values.values_list("period__year", "value")), set(statuses.values_list("latest_value", flat=True))]


NEW = [[(2024, Decimal("0.6")), (2025, Decimal("0.68"))], {Decimal("0.68")}]


def test_a_nightly_run_that_read_before_an_approval_keeps_the_approvals_newer_result(dti, reviewer, monkeypatch):
    metric, waiting = dti
    read = services.province_period_values
    approvals = []

    def read_then_approve(*, as_of, metric_ids=None):
        values = read(as_of=as_of, metric_ids=metric_ids)
        if metric_ids is None and not approvals:  # the nightly has read; the approval and its recompute commit
            approvals.append(_approve_in_another_connection(waiting, reviewer))
            thread, errors = approvals[0]
            thread.join(60)
            assert not thread.is_alive() and not errors, errors
        return values

    monkeypatch.setattr(services, "province_period_values", read_then_approve)
    written = jobs.recompute_all()  # as of today, as the approval's

    assert approvals, "the approval ran while the nightly recompute was under way"
    assert _latest(metric) == NEW, "the nightly run stored its older reading over the approval's recompute"
    assert written == ParsedTarget.objects.exclude(metric=metric).count()  # it left that metric alone
    assert not RecomputeRequest.objects.exists()
    # the next run, with nothing under way, stores every target again, and the same values
    assert target_statuses_recompute(as_of=timezone.localdate()) == ParsedTarget.objects.count()
    assert _latest(metric) == NEW


def _waiting_for_a_metric_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND NOT granted",
            [services.METRIC_LOCK_SPACE],
        )
        return cursor.fetchone()[0] > 0


def test_an_approval_while_the_nightly_run_writes_waits_for_it_and_then_stores_the_newer_result(
    dti, reviewer, monkeypatch
):
    metric, waiting = dti
    save = services.province_values_save
    approvals = []

    def approve_while_writing(**kwargs):
        if kwargs["metric_ids"] is not None and len(kwargs["metric_ids"]) > 1 and not approvals:
            # the nightly holds every metric's lock to write: the approval's recompute waits for it
            approvals.append(_approve_in_another_connection(waiting, reviewer))
            deadline = time.monotonic() + 60
            while not _waiting_for_a_metric_lock():
                assert time.monotonic() < deadline, "the approval's recompute never came to the metric's lock"
                assert approvals[0][0].is_alive(), approvals[0][1]
                time.sleep(0.02)
        return save(**kwargs)

    monkeypatch.setattr(services, "province_values_save", approve_while_writing)
    written = jobs.recompute_all()  # as of today, as the approval's
    assert written == ParsedTarget.objects.count()  # it read before the approval and wrote everything
    thread, errors = approvals[0]
    thread.join(60)
    assert not thread.is_alive() and not errors, errors
    assert _latest(metric) == NEW, "the approval's recompute ran after the nightly one and stored the newer values"
    assert not RecomputeRequest.objects.exists()
