"""One truth (issue 11): after any sequence of approvals and corrections, and for any as-of date, the overview
table, the indicator page, the API, the periodic report's content and ``explain_target`` give every target
the same status, the same freshness and the same latest value (with its period and provisional mark).

A Hypothesis property test: it generates the sequences; each example runs in a transaction rolled back at
its end. Example counts stay modest so the suite stays fast on two cores.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from agencies.models import User
from indicators.models import Metric, Observation, ParsedTarget, TargetStatus
from indicators.periods import period_containing
from indicators.services import observation_approve, observation_correct, observation_save, period_get_or_create
from indicators.statuses import latest_claim
from indicators.validation import FigureInput, clean_figure_for
from reports.content import report_content_collect

# a yearly index, a quarterly ratio entered as numerator/denominator, a quarterly flow: three rules of the engine
METRICS = ("dti_index", "coverage_5g", "ip_applications")


def _periods(metric: Metric, today: date) -> list:
    """The metric's periods from 2024 to the one open today (whose figures are provisional)."""
    periods, day = [], date(2024, 1, 1)
    while True:
        bounds = period_containing(metric.period_kind, day)
        periods.append(period_get_or_create(kind=bounds.kind, year=bounds.year, number=bounds.number))
        if bounds.ends_on >= today:
            return periods
        day = bounds.ends_on + timedelta(days=1)


def _raw(metric: Metric, level: int) -> FigureInput:
    if metric.code == "dti_index":
        return FigureInput(value=f"0,{40 + level * 5}")
    if metric.code == "coverage_5g":
        return FigureInput(numerator=str(20 + level * 8), denominator="100")
    return FigureInput(value=str(2 + level))


steps = st.lists(
    st.tuples(
        st.sampled_from(["approve", "correct"]),
        st.integers(0, len(METRICS) - 1),
        st.integers(0, 40),  # which period (modulo the metric's)
        st.integers(0, 9),  # level of the value
    ),
    min_size=1,
    max_size=6,
)
days_back = st.lists(st.integers(0, 700), min_size=1, max_size=2)


def _claim(value, period, provisional, status, fresh) -> tuple:
    return (status, fresh, None if value is None else round(float(value), 4), period, provisional)


def _row_claim(row: TargetStatus) -> tuple:
    if row is None:
        return ("no_data", "missing", None, None, False)
    latest = latest_claim(row)
    return _claim(
        latest["value"] if latest else None,
        latest["period"] if latest else None,
        latest["provisional"] if latest else False,
        row.status,
        row.freshness,
    )


def _api(client, as_of: date | None) -> dict:
    url = "/api/target-statuses/?page_size=1000" + (f"&as_of={as_of.isoformat()}" if as_of else "")
    response = client.get(url)
    assert response.status_code == 200, response.content
    result = {}
    for item in response.json()["results"]:
        latest = item["latest"]
        result[(item["indicator"], item["year"], item["metric"])] = _claim(
            latest["value"] if latest else None,
            latest["period"] if latest else None,
            latest["provisional"] if latest else False,
            item["status"],
            item["freshness"],
        )
    return result


def _explain(code: str, year: int, as_of: date) -> dict:
    out = io.StringIO()
    call_command("explain_target", code, str(year), "--as-of", as_of.isoformat(), "--json", stdout=out)
    result = {}
    for item in json.loads(out.getvalue()):
        latest = item["latest"]
        result[(code, year, item["metric"])] = _claim(
            latest["value"] if latest else None,
            latest["period"] if latest else None,
            latest["provisional"] if latest else False,
            item["status"],
            item["freshness"],
        )
    return result


def _report(plan, as_of: date, names: dict[str, str]) -> dict:
    bounds = period_containing("quarter", as_of)
    period = period_get_or_create(kind="quarter", year=bounds.year, number=bounds.number)
    content = report_content_collect(plan=plan, period=period, as_of=as_of)
    result = {}
    for group in content.groups:
        for row in group.rows:
            if row.metric in names:
                key = (row.indicator, row.year, names[row.metric])
                result[key] = _claim(
                    row.latest_value, row.latest_period or None, row.provisional, row.status, row.freshness
                )
    return result


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: a failure prints its steps as they are
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, days_back=days_back)
def test_every_surface_tells_the_same_story(plan, client, steps, days_back):
    today = timezone.localdate()
    metrics = [Metric.objects.select_related("reporting_agency").get(plan=plan, code=code) for code in METRICS]
    parsed = list(
        ParsedTarget.objects.filter(metric__in=metrics).select_related("metric", "target__indicator").order_by("pk")
    )
    keys = {(p.target.indicator.code, p.target.year, p.metric.code) for p in parsed}
    names = {m.name: m.code for m in metrics}
    with transaction.atomic():
        reviewer = User.objects.create_user("prop.reviewer", role=User.Role.REVIEWER, password="x-Prop-65")
        steering = User.objects.create_user("prop.bcd", role=User.Role.STEERING, password="x-Prop-65")
        approved: list[Observation] = []
        for action, which, period_index, level in steps:
            metric = metrics[which]
            periods = _periods(metric, today)
            with TestCase.captureOnCommitCallbacks(execute=True):
                if action == "correct" and approved:
                    figure = approved[period_index % len(approved)]
                    figure.refresh_from_db()
                    corrected = clean_figure_for(figure.metric, _raw(figure.metric, level))
                    if corrected.value == figure.value:
                        continue  # nothing to correct: the service refuses a correction that changes nothing
                    observation_correct(
                        observation=figure, user=reviewer, figure=corrected, reason="Số liệu chính thức"
                    )
                    observation_approve(observation=figure, user=reviewer)
                    continue
                period = periods[period_index % len(periods)]
                figure = Observation.objects.filter(metric=metric, period=period).first()
                if figure is None:
                    figure = observation_save(
                        metric=metric,
                        agency=metric.reporting_agency,
                        period=period,
                        user=reviewer,
                        figure=clean_figure_for(metric, _raw(metric, level)),
                        submit=True,
                    )
                    observation_approve(observation=figure, user=reviewer)
                    approved.append(figure)

        client.force_login(steering)
        # today: the overview table and the indicator pages too
        overview = client.get("/")
        assert overview.status_code == 200
        shown = {}
        for row in overview.context["targets"]:
            key = (row.parsed.target.indicator.code, row.parsed.target.year, row.parsed.metric.code)
            shown[key] = _row_claim(row.status)
        snapshot_day = TargetStatus.objects.aggregate(day=Max("as_of"))["day"]
        reference = {}
        for code, year in sorted({(k[0], k[1]) for k in keys}):
            reference.update(_explain(code, year, snapshot_day))
        indicator_pages = {}
        for code in sorted({k[0] for k in keys}):
            page = client.get(f"/chi-tieu/{code}/")
            assert page.status_code == 200
            for cell in page.context["cells"]:
                for item in cell.parsed_targets.all():
                    indicator_pages[(code, cell.year, item.metric.code)] = _row_claim(item.latest_status)
        api_today = _api(client, None)
        report_today = _report(plan, snapshot_day, names)
        for key in keys:
            if key[1] == 2030:  # the overview shows one milestone at a time, 2030 first
                assert shown[key] == reference[key], ("overview", key)
            assert indicator_pages[key] == reference[key], ("indicator page", key)
            assert api_today[key] == reference[key], ("api", key)
            if key[1] == 2030:  # the report measures against the next milestone
                assert report_today[key] == reference[key], ("report", key)

        # any past as-of date: the API, the report and explain_target
        for back in days_back:
            day = today - timedelta(days=back)
            expected = {}
            for code, year in sorted({(k[0], k[1]) for k in keys}):
                expected.update(_explain(code, year, day))
            api = _api(client, day)
            report = _report(plan, day, names)
            for key in keys:
                assert api[key] == expected[key], ("api", day, key)
                if key[1] == 2030 and key in report:
                    assert report[key] == expected[key], ("report", day, key)
        transaction.set_rollback(True)
