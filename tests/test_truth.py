"""Issue 11, "one truth": each case seen by the Steering Committee, fixed at its rule (one test each or more).

1 ratio scales · 2 provisional values of open periods · 3 freshness · 4 complete snapshot sets · 5 as-of
history · 6 one source for province figures · 7 baseline and forecast (also tests/unit/test_progress.py) ·
8 values dated by their period.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency
from core.workflow import EntryError
from indicators import readings
from indicators.models import Metric, Observation, ParsedTarget, TargetStatus
from indicators.services import observation_approve, observation_save, period_get_or_create, target_statuses_recompute
from indicators.statuses import target_statuses_at
from indicators.validation import FigureInput, clean_figure_for
from reports.content import report_content_collect

TODAY = timezone.localdate()


def _approved(metric, agency, period, *, reviewed_on: date | None = None, **values) -> Observation:
    """A figure approved on ``reviewed_on`` (default: the end of its period, or today for one still open), its
    history dated then: what a past day "as known" counts (``indicators.readings``)."""
    moment = timezone.make_aware(datetime.combine(reviewed_on or min(period.ends_on, TODAY), time(9)))
    figure = Observation(metric=metric, agency=agency, period=period, status="approved", reviewed_at=moment, **values)
    figure._history_date = moment
    figure.save()
    return figure


def _year(year):
    return period_get_or_create(kind="year", year=year, number=1)


def _quarter(year, number):
    return period_get_or_create(kind="quarter", year=year, number=number)


def _explain(code: str, year: int, as_of: date) -> list[dict]:
    out = io.StringIO()
    call_command("explain_target", code, str(year), "--as-of", as_of.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())


# 1 -- ratio scales ---------------------------------------------------------------------------------------


def test_import_figures_stores_researchers_per_ten_thousand_on_their_own_scale(plan, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    metric = Metric.objects.get(plan=plan, code="researchers_per_10k")
    assert metric.ratio_scale == 1
    source = tmp_path / "ii5.csv"
    source.write_text(
        "Mã cơ quan;Mã chỉ số;Kỳ báo cáo;Giá trị;Tử số;Mẫu số\nso-khcn;researchers_per_10k;2025;;4.800;376\n",
        encoding="utf-8",
    )
    call_command("import_figures", str(source), "--approve", stdout=io.StringIO())
    figure = Observation.objects.get(metric=metric, period__year=2025)
    assert (figure.numerator, figure.denominator) == (Decimal(4800), Decimal(376))
    assert round(figure.value, 2) == Decimal("12.77")
    # the province value is Σ numerators / Σ denominators × scale, not × 100
    current = target_statuses_at(as_of=date(2026, 1, 20), plan=plan, reading=readings.CURRENT)
    [row] = [r for r in current if r.parsed_target.metric == metric][:1]
    assert float(row.latest_value) == pytest.approx(4800 / 376)


def test_a_per_agency_ratio_is_a_ratio_of_sums_on_the_metric_scale(plan):
    metric = Metric.objects.get(plan=plan, code="commune_officials_digital_trained")
    period = _quarter(2026, 3)
    first, second = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("pk")[:2]
    _approved(metric, first, period, numerator=30, denominator=100, value=30)
    _approved(metric, second, period, numerator=10, denominator=20, value=50)
    Metric.objects.filter(pk=metric.pk).update(ratio_scale=1000)
    row = next(r for r in target_statuses_at(as_of=date(2026, 10, 1), plan=plan) if r.parsed_target.metric == metric)
    assert float(row.latest_value) == pytest.approx(1000 * 40 / 120)


# 2 -- provisional values of open periods -----------------------------------------------------------------


def test_an_approved_figure_of_an_open_period_counts_at_once_as_provisional(plan, reviewer, agency_staff):
    metric = Metric.objects.get(plan=plan, code="dti_index")
    agency = Agency.objects.get(code="so-khcn")
    _approved(metric, agency, _year(2025), value=Decimal("0.60"), reviewed_on=date(2026, 1, 10))
    open_year = _year(2026)
    figure = observation_save(
        metric=metric,
        agency=agency,
        period=open_year,
        user=agency_staff,
        figure=clean_figure_for(metric, FigureInput("0,66")),
        submit=True,
    )
    observation_approve(observation=figure, user=reviewer, recompute=False)
    as_of = date(2026, 11, 30)
    approved_on = timezone.make_aware(datetime.combine(date(2026, 11, 20), time(9)))
    Observation.objects.filter(pk=figure.pk).update(reviewed_at=approved_on)
    figure.history.update(history_date=approved_on, reviewed_at=approved_on)  # sent and approved that day
    [claim] = _explain("V.1", 2030, as_of)
    assert claim["latest"] == {
        "value": 0.66,
        "period": "Năm 2026",
        "provisional": True,
        "date": "2026-11-20",
        "coverage": {"reporters": 1, "expected": 1, "low": False},
    }
    assert claim["status"] != "no_data"  # the status uses it (0,60 → 0,66), with that mark
    assert "tạm tính đến ngày 20/11/2026" in claim["latest_text"]
    # before it was approved, it did not exist
    [before] = _explain("V.1", 2030, date(2026, 11, 19))
    assert before["latest"]["period"] == "Năm 2025" and not before["latest"]["provisional"]


# 3 -- freshness --------------------------------------------------------------------------------------------


def test_stale_data_is_late_everywhere_and_counted_on_the_overview(plan, client, steering):
    # IV.5: data up to Quý II/2026 (14/06/2026); the Q3 report was due on 24/09 and never came
    metric = Metric.objects.get(plan=plan, code="province_funded_innovation_projects")
    agency = metric.reporting_agency
    for number, value in ((1, 2), (2, 3)):
        _approved(metric, agency, _quarter(2026, number), value=value)
    _approved(metric, agency, _quarter(2025, 4), value=4)
    target_statuses_recompute(as_of=date(2026, 11, 26))
    rows = [r for r in target_statuses_at(plan=plan) if r.parsed_target.metric == metric]
    assert rows and {r.freshness for r in rows} == {"late"}
    [claim] = _explain("IV.5", 2030, date(2026, 11, 26))
    assert claim["freshness"] == "late"
    assert _explain("IV.5", 2030, date(2026, 9, 20))[0]["freshness"] == "current"  # Q3 not yet due then
    client.force_login(steering)
    overview = client.get("/")
    assert overview.context["headline"]["late"] >= 1
    assert "Số liệu chậm" in overview.content.decode()
    api = client.get("/api/target-statuses/?indicator=IV.5").json()["results"]
    assert {item["freshness"] for item in api} == {"late"}
    page = client.get("/chi-tieu/IV.5/").content.decode()
    assert "Số liệu chậm" in page and "stale" in page
    public = client.get("/cong-khai/").content.decode()
    assert "Số liệu chậm" in public


# 4 -- complete snapshot sets -----------------------------------------------------------------------------


def test_one_approval_never_blanks_the_other_targets(plan, reviewer, agency_staff, django_capture_on_commit_callbacks):
    dti = Metric.objects.get(plan=plan, code="dti_index")
    agency = Agency.objects.get(code="so-khcn")
    _approved(dti, agency, _year(2024), value=Decimal("0.5"))
    target_statuses_recompute(as_of=TODAY - timedelta(days=1))  # last night's full snapshot
    had_status = set(ParsedTarget.objects.filter(metric__plan=plan).values_list("pk", flat=True))
    coverage = Metric.objects.get(plan=plan, code="coverage_5g")
    quarter = _quarter(2026, 3)
    assert coverage.reporting_agency == agency == agency_staff.agency
    figure = observation_save(
        metric=coverage,
        agency=agency,
        period=quarter,
        user=agency_staff,
        figure=clean_figure_for(coverage, FigureInput(numerator="60", denominator="100")),
        submit=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        observation_approve(observation=figure, user=reviewer)
    today = TargetStatus.objects.filter(as_of=TODAY)
    assert set(today.values_list("parsed_target_id", flat=True)) == had_status
    assert today.get(parsed_target__metric=dti, parsed_target__target__year=2030).latest_value == Decimal("0.5")


# 5 -- as-of history -----------------------------------------------------------------------------------------


def test_a_report_for_a_past_date_has_the_statuses_of_that_date(plan, client, steering):
    metric = Metric.objects.get(plan=plan, code="coverage_5g")  # I.1, quarterly
    agency = metric.reporting_agency
    for (year, number), percent in {(2025, 4): 40, (2026, 1): 44, (2026, 2): 47, (2026, 3): 50}.items():
        _approved(metric, agency, _quarter(year, number), value=percent, numerator=percent, denominator=100)
    target_statuses_recompute(as_of=TODAY)  # only today's snapshot exists
    past = date(2026, 9, 30)
    content = report_content_collect(plan=plan, period=_quarter(2026, 3), as_of=past)
    rows = [r for group in content.groups for r in group.rows if r.indicator == "I.1" and r.metric == metric.name]
    assert rows and all(row.status != "no_data" for row in rows)
    assert {(row.latest_period, row.latest_value) for row in rows} == {("Quý III/2026", 50.0)}
    client.force_login(steering)
    api = client.get(f"/api/target-statuses/?as_of={past.isoformat()}&indicator=I.1").json()["results"]
    api = [item for item in api if item["metric"] == metric.code]
    assert {item["as_of"] for item in api} == {past.isoformat()}
    explained = [
        c["status"]
        for year in (2030, 2035, 2040, 2045)
        for c in _explain("I.1", year, past)
        if c["metric"] == metric.code
    ]
    assert [item["status"] for item in api] == explained
    # on 30/06/2026 only the values up to Quý II/2026 were there
    early = client.get("/api/target-statuses/?as_of=2026-06-30&indicator=I.1").json()["results"]
    assert {item["latest"]["period"] for item in early if item["metric"] == metric.code} == {"Quý II/2026"}


def test_an_as_of_date_that_cannot_be_answered_is_refused_clearly(plan, client, steering):
    client.force_login(steering)
    bad = client.get("/api/target-statuses/?as_of=30/09/2026")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
    future = client.get(f"/api/target-statuses/?as_of={(TODAY + timedelta(days=30)).isoformat()}")
    assert future.status_code == 400 and "tương lai" in future.json()["detail"]


# 6 -- one source for a province figure ----------------------------------------------------------------------


def test_a_province_figure_comes_from_its_designated_agency_only(plan, reviewer):
    metric = Metric.objects.get(plan=plan, code="digital_economy_grdp_share")  # VI.1, % GRDP
    assert metric.reporting_agency.name == "Sở Công Thương"
    assert list(metric.reporters.all()) == [metric.reporting_agency]
    other = Agency.objects.get(code="so-khcn")
    with pytest.raises(EntryError):
        observation_save(
            metric=metric,
            agency=other,
            period=_year(2025),
            user=reviewer,
            figure=clean_figure_for(metric, FigureInput("20")),
        )
    # figures that came from elsewhere before the rule do not count: the province value is the designated one
    _approved(metric, metric.reporting_agency, _year(2025), value=Decimal("12.5"))
    _approved(metric, other, _year(2025), value=Decimal("40"))
    [claim] = _explain("VI.1", 2030, date(2026, 1, 20))
    assert claim["latest"]["value"] == 12.5


# 8 -- values dated by their period ----------------------------------------------------------------------------


def test_values_are_dated_by_their_period_everywhere(plan, client, steering):
    metric = Metric.objects.get(plan=plan, code="dti_index")
    _approved(metric, metric.reporting_agency, _year(2023), value=Decimal("0.48"))
    _approved(metric, metric.reporting_agency, _year(2025), value=Decimal("0.56"))
    target_statuses_recompute(as_of=date(2026, 3, 1))
    row = next(r for r in target_statuses_at(plan=plan) if r.parsed_target.metric == metric)
    assert "(Năm 2025)" in row.explanation["summary"] and "14/12" not in row.explanation["summary"]
    client.force_login(steering)
    overview = client.get("/").content.decode()
    assert "0,56 (Năm 2025)" in overview
    table = client.get("/?format=csv&bang=muc-tieu").content.decode("utf-8-sig")
    assert "Đơn vị" in table.splitlines()[0] and "Năm 2025" in table
