"""What a page costs when it is built after its data changed (a "cold" build, docs/performance.md, "Cold builds"):
a few queries, none of them run once per row, and none of them reading more than the rows the page shows."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.snapshots import TASKS, snapshots_changed
from core.workflow import SubmissionStatus
from dashboards import selectors
from entry.selectors import review_queue_count, review_queue_groups
from indicators.models import Observation
from indicators.periods import QUARTER

from .factories import figure_sent, khcn_stock_target, observations_make, occurrences_make, period_make

AS_OF = date(2026, 9, 30)
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")


def _plans(queries) -> list[str]:
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@on_postgresql
def test_an_indicator_s_recent_figures_are_read_once_not_once_per_figure(plan, steering):
    """The newest figures of an indicator's metrics: two queries, neither with a subquery run for each row (the
    ids' condition named the outer query's table from inside a subquery: minutes on 1,1 M figures)."""
    observations_make(plan, as_of=AS_OF, size=2)
    metrics = list(plan.metrics.order_by("pk")[:3])
    with CaptureQueriesContext(connection) as captured:
        shown = selectors.recent_figures(metrics, viewer=steering, limit=5)
    approved = Observation.objects.filter(metric__in=metrics, status=SubmissionStatus.APPROVED).order_by("-pk")
    assert [figure.pk for figure in shown] == list(approved.values_list("pk", flat=True)[:5])
    assert len(captured) == 2
    for query_plan in _plans(captured):
        assert "SubPlan" not in query_plan, query_plan


def _quarters(metric, agency, years, *, waiting=()) -> dict[tuple[int, int], Observation]:
    """A figure of ``agency`` for every quarter of ``years``, worth ``10 × year + quarter``: approved, or sent for
    review for the quarters in ``waiting``."""
    figures = {}
    for year in years:
        for number in range(1, 5):
            sent = (year, number) in waiting
            figures[(year, number)] = Observation.objects.create(
                metric=metric,
                agency=agency,
                period=period_make(QUARTER, year, number),
                value=Decimal(10 * year + number),
                status=SubmissionStatus.SUBMITTED if sent else SubmissionStatus.APPROVED,
                submitted_at=timezone.now() if sent else None,
            )
    return figures


def _queue(client) -> tuple[dict[int, Observation], int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    return {o.pk: o for o in response.context["observations"]}, len(captured)


def test_the_review_queue_costs_the_same_queries_for_two_figures_waiting_or_many(client, plan, reviewer):
    """Each waiting figure is compared with its agency's own previous approved values (12 at most, of periods
    before its own): read for all of them at once, never once per figure, and the same however long the history."""
    client.force_login(reviewer)
    khcn = Agency.objects.get(code="so-khcn")
    metrics = list(plan.metrics.filter(frequency="quarterly").order_by("pk")[:3])
    # two figures of one metric waiting: the older is compared with the quarter before it, not with the newer
    figures = _quarters(metrics[0], khcn, range(2019, 2026), waiting={(2024, 2), (2025, 4)})
    shown, few = _queue(client)
    older, newer = shown[figures[(2024, 2)].pk].comparison, shown[figures[(2025, 4)].pk].comparison
    assert older.previous.value == Decimal(20241) and older.previous.period.label == "Quý I/2024"
    assert newer.previous.value == Decimal(20253)  # the quarter before, approved; 2024 Q2 still waits
    assert older.change is not None and newer.change is not None

    # many more waiting, with long histories, and a correction of an approved figure
    for metric in metrics[1:]:
        for agency in Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("pk")[:4]:
            _quarters(metric, agency, range(2010, 2026), waiting={(2025, 3), (2025, 4)})
    corrected = figures[(2023, 1)]
    Observation.objects.filter(pk=corrected.pk).update(
        correction_status=SubmissionStatus.SUBMITTED, proposed_value=Decimal(1)
    )
    shown, many = _queue(client)
    assert len(shown) == 2 + 2 * 4 * 2 + 1
    assert many == few
    assert shown[corrected.pk].comparison.previous == shown[corrected.pk]  # compared with the value it replaces
    assert shown[figures[(2024, 2)].pk].comparison.previous.value == Decimal(20241)


@on_postgresql
def test_what_waits_for_review_is_found_through_its_own_small_index(plan):
    """The review queue and its badge ask for the figures sent (or corrections sent) among all of them: a partial
    index holds only those, so the question does not read the million approved ones."""
    with CaptureQueriesContext(connection) as captured:
        review_queue_count()
        review_queue_groups()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # what PostgreSQL picks on a large table
        for query_plan in _plans(captured[:2]):
            assert "obs_waiting" in query_plan, query_plan


def test_an_approval_rebuilds_the_overview_without_counting_the_occurrences_again(
    client, plan, steering, reviewer, agency_staff, settings, django_capture_on_commit_callbacks
):
    """The overview's tallies, scorecard and overdue work come from the occurrences counted once
    (``occurrence_counts``, kept until the tasks or the plan change): an approval of a figure rebuilds the overview
    (its statuses changed) without reading the occurrences again."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cold"}}
    settings.DASHBOARD_CACHE_SECONDS = 600
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):  # committed before the page is first built
        occurrences_make(plan, as_of=AS_OF, size=2)
        snapshots_changed(TASKS)
    client.force_login(steering)
    before = client.get("/tong-quan/").content.decode()
    khcn, parsed, _url = khcn_stock_target()
    metric = parsed.metric
    figure = figure_sent(metric, khcn, agency_staff)
    office = Client()
    office.force_login(reviewer)
    # the recompute the approval queues builds the overview again before its statuses move (core/prebuild.py)
    with CaptureQueriesContext(connection) as rebuilt, django_capture_on_commit_callbacks(execute=True):
        assert office.post(reverse("review_queue"), {"action": "approve", "o": figure.pk}).status_code == 302
    assert not [query["sql"] for query in rebuilt if "tasks_taskoccurrence" in query["sql"]]
    with CaptureQueriesContext(connection) as served:
        after = client.get("/tong-quan/").content.decode()
    # served as built ahead, with the new statuses (built by this request instead, it would read them)
    assert not [query["sql"] for query in served if "indicators_targetstatus" in query["sql"]]
    overdue = re.compile(r'<section[^>]*id="qua-han".*?</section>', re.S)
    assert overdue.search(after).group(0) == overdue.search(before).group(0)


def test_after_an_approval_the_pages_read_only_what_moved(
    client, plan, steering, reviewer, agency_staff, settings, django_capture_on_commit_callbacks
):
    """An approval moves the statuses, not the plan: once one page has rebuilt the statuses every page shares, the
    plan page, the public page and the statuses API are rebuilt from the cached statuses and the cached plan (its
    groups, indicators, cells and parsed targets: ``plan_structure``; the plan page's cells rendered), reading
    neither again; the agency's page does not read again its tasks and metrics (the plan's, kept rendered)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "plan"}}
    settings.DASHBOARD_CACHE_SECONDS = 600
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        snapshots_changed()  # what this test's setup would have moved on its commit
    client.force_login(steering)
    plan_tables = {"indicators_targetstatus", "indicators_parsedtarget", "indicators_target"}
    pages = {
        "/chi-tieu/": plan_tables,
        "/cong-khai/": plan_tables,
        "/api/target-statuses/": plan_tables,
        "/co-quan/so-khcn/": {"indicators_targetstatus", "tasks_taskassignment", "indicators_metric"},
    }
    before = {url: client.get(url).content for url in pages}
    khcn, parsed, _url = khcn_stock_target()
    figure = figure_sent(parsed.metric, khcn, agency_staff)
    office = Client()
    office.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(reverse("review_queue"), {"action": "approve", "o": figure.pk}).status_code == 302
    assert client.get("/tong-quan/").status_code == 200  # the first page after the approval rebuilds the statuses
    for url, unread in pages.items():
        with CaptureQueriesContext(connection) as rebuilt:
            again = client.get(url).content
        # (the public page's "last updated": the newest computation's time, one aggregate)
        rows = [query["sql"] for query in rebuilt if not query["sql"].startswith("SELECT MAX(")]
        tables = {table for sql in rows for table in re.findall(r'FROM "(\w+)"', sql)}
        assert len(rebuilt) > 1, url  # built again, not served: the approval moved what it shows
        assert not tables & unread, (url, tables)
        assert again != before[url] or url == "/cong-khai/"
