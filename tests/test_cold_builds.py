"""What a page costs when it is built after its data changed (a "cold" build, docs/performance.md, "Cold builds"):
a few queries, none of them run once per row, and none of them reading more than the rows the page shows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.workflow import SubmissionStatus
from dashboards import selectors
from indicators.models import Observation

from .factories import observations_make

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
