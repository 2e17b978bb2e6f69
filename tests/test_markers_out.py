"""Issue 21, cases 4, 5 and 6: the marks on a value leave with it. Late data, a provisional value and the
coverage of a province value (n of N expected reporters, marked below ``PROVINCE_COVERAGE_MIN_PERCENT``) are
on every surface: pages, the public page, the API, the bulk files, the report and ``explain_target``; a CSV cut
into pages says so."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation
from indicators.periods import period_containing
from indicators.services import period_get_or_create, target_statuses_recompute
from opendata.datasets import BY_SLUG
from reports.content import report_content_collect

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def public(settings):
    settings.PUBLIC_DATA_ENABLED = True


def _approved(metric, agency, period, value, *, numerator=None, denominator=None, on: date | None = None):
    moment = timezone.make_aware(datetime.combine(on or period.ends_on, time(9)))
    figure = Observation(
        metric=metric,
        agency=agency,
        period=period,
        value=Decimal(value),
        numerator=numerator,
        denominator=denominator,
        status=SubmissionStatus.APPROVED,
        submitted_at=moment,
        reviewed_at=moment,
    )
    figure._history_date = moment
    figure.save()
    return figure


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _csv_body(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _explain(code: str) -> list[dict]:
    out = io.StringIO()
    call_command("explain_target", code, "2030", "--json", stdout=out)
    return json.loads(out.getvalue())


# 6 -- coverage ------------------------------------------------------------------------------------------------


@pytest.fixture
def v7_from_20_of_26(plan):
    """V.7 (online dossiers, monthly, every agency reports): 26 agencies report it; the last month closed is
    computed from 20 of them, the months before from all 26."""
    metric = Metric.objects.get(plan=plan, code="online_admin_dossiers")
    reporters = list(Agency.objects.filter(is_active=True).order_by("kind", "code")[:26])
    metric.reporters.set(reporters)
    last = _before(period_containing("month", TODAY))
    before = _before(last)
    for bounds, count in ((before, 26), (last, 20)):
        period = period_get_or_create(kind="month", year=bounds.year, number=bounds.number)
        for agency in reporters[:count]:
            _approved(metric, agency, period, 80, numerator=Decimal(80), denominator=Decimal(100))
    target_statuses_recompute(as_of=TODAY)
    return metric, period_get_or_create(kind="month", year=last.year, number=last.number)


def _before(bounds):
    """The period of the same kind just before ``bounds``."""
    return period_containing(bounds.kind, bounds.starts_on - timedelta(days=1))


def test_a_province_value_from_incomplete_reporting_carries_its_coverage_everywhere(
    plan, client, steering, v7_from_20_of_26
):
    metric, month = v7_from_20_of_26
    [claim] = [c for c in _explain("V.7") if c["metric"] == metric.code]
    assert claim["latest"]["period"] == month.label
    assert claim["latest"]["coverage"] == {"reporters": 20, "expected": 26, "low": True}
    client.force_login(steering)
    # the indicator page and the overview (its page and its download)
    page = client.get("/chi-tieu/V.7/").content.decode()
    assert "20/26 cơ quan" in page and "Chưa đủ cơ quan báo cáo" in page
    overview = client.get("/tong-quan/").content.decode()
    assert "20/26 cơ quan" in overview
    rows = _csv_body(client.get("/tong-quan/", {"format": "csv", "bang": "muc-tieu"}))
    [row] = [r for r in rows if r["Chỉ tiêu"] == "V.7"]
    assert (row["Số cơ quan có số liệu"], row["Số cơ quan phải báo cáo"], row["Chưa đủ cơ quan báo cáo"]) == (
        "20",
        "26",
        "có",
    )
    # the API, the province values and the bulk files
    api = client.get("/api/target-statuses/?indicator=V.7").json()["results"]
    assert {
        (a["latest"]["coverage"]["reporters"], a["latest"]["coverage"]["low"]) for a in api if a["year"] == 2030
    } == {(20, True)}
    values = client.get(f"/api/province-figures/?metric={metric.code}").json()["results"]
    shown = {v["period_label"]: (v["agencies_reporting"], v["agencies_expected"], v["coverage_low"]) for v in values}
    assert shown[month.label] == (20, 26, True) and (26, 26, False) in shown.values()
    bulk = _csv(client.get("/api/datasets/gia-tri-toan-tinh.csv"))
    assert {(r["period"], r["agencies_reporting"], r["agencies_expected"], r["coverage_low"]) for r in bulk} >= {
        (month.label, "20", "26", "true")
    }
    statuses = [r for r in _csv(client.get("/api/datasets/tinh-trang-muc-tieu.csv")) if r["indicator"] == "V.7"]
    assert {(r["agencies_reporting"], r["coverage_low"]) for r in statuses if r["year"] == "2030"} == {("20", "true")}
    # the public pages and the periodic report
    client.logout()
    public = client.get("/cong-khai/").content.decode()
    assert "20/26 cơ quan" in public
    detail = client.get("/cong-khai/chi-tieu/V.7/").content.decode()
    assert "20/26" in detail and "Chưa đủ cơ quan báo cáo" in detail
    content = report_content_collect(
        plan=plan, period=period_get_or_create(kind="quarter", year=2026, number=4), as_of=TODAY
    )
    [reported] = [r for g in content.groups for r in g.rows if r.indicator == "V.7"]
    assert reported.coverage == "20/26 cơ quan" and "chưa đủ cơ quan báo cáo" in reported.status_label


def test_the_coverage_threshold_is_a_setting(plan, client, steering, v7_from_20_of_26, settings):
    settings.PROVINCE_COVERAGE_MIN_PERCENT = 75  # 20 of 26 is 77 %
    metric, _month = v7_from_20_of_26
    [claim] = [c for c in _explain("V.7") if c["metric"] == metric.code]
    assert claim["latest"]["coverage"] == {"reporters": 20, "expected": 26, "low": False}
    client.force_login(steering)
    assert "Chưa đủ cơ quan báo cáo" not in client.get("/chi-tieu/V.7/").content.decode()


# 4 -- markers on the public page, the bulk files and the province values ------------------------------------


def test_late_and_provisional_marks_reach_the_public_page_and_the_bulk_files(plan, client):
    # V.12 (digital signatures, quarterly): data only up to two quarters ago, so the last quarter due is late;
    # DTI (V.1, yearly): this year's value approved already, provisional until the year ends
    signatures = Metric.objects.get(plan=plan, code="digital_signature_holders")
    old = _before(_before(period_containing("quarter", TODAY)))
    older = _before(old)
    for bounds, value in ((older, 6), (old, 7)):
        period = period_get_or_create(kind="quarter", year=bounds.year, number=bounds.number)
        _approved(
            signatures, signatures.reporting_agency, period, value, numerator=Decimal(value), denominator=Decimal(100)
        )
    dti = Metric.objects.get(plan=plan, code="dti_index")
    _approved(dti, dti.reporting_agency, period_get_or_create(kind="year", year=TODAY.year - 1, number=1), "0.55")
    _approved(dti, dti.reporting_agency, period_get_or_create(kind="year", year=TODAY.year, number=1), "0.6", on=TODAY)
    target_statuses_recompute(as_of=TODAY)
    detail = client.get("/cong-khai/chi-tieu/V.12/").content.decode()
    assert "Số liệu chậm" in detail
    dti_page = client.get("/cong-khai/chi-tieu/V.1/").content.decode()
    assert "Tạm tính" in dti_page and f"tạm tính đến ngày {TODAY:%d/%m/%Y}" in dti_page
    statuses = _csv(client.get("/api/datasets/tinh-trang-muc-tieu.csv"))
    [v12] = [r for r in statuses if r["indicator"] == "V.12" and r["year"] == "2030" and r["metric"] == signatures.code]
    assert v12["freshness"] == "late" and v12["latest_period"] == old.label and v12["latest_provisional"] == "false"
    [v1] = [r for r in statuses if r["indicator"] == "V.1" and r["year"] == "2030"]
    assert v1["latest_period"] == f"Năm {TODAY.year}" and v1["latest_provisional"] == "true"
    values = {(r["metric"], r["period"]): r for r in _csv(client.get("/api/datasets/gia-tri-toan-tinh.csv"))}
    assert values[("dti_index", f"Năm {TODAY.year}")]["provisional"] == "true"
    assert values[("dti_index", f"Năm {TODAY.year - 1}")]["provisional"] == "false"
    api = client.get("/api/province-figures/?metric=dti_index").json()["results"]
    assert {(v["period_label"], v["provisional"]) for v in api} == {
        (f"Năm {TODAY.year - 1}", False),
        (f"Năm {TODAY.year}", True),
    }


def test_the_data_dictionary_names_the_operators_the_file_holds(plan, client):
    call_command("recompute", stdout=io.StringIO())
    operators = {r["operator"] for r in _csv(client.get("/api/datasets/tinh-trang-muc-tieu.csv"))}
    assert operators and operators <= {">=", ">", "=", "<=", "<", "range"}
    [column] = [c for c in BY_SLUG["tinh-trang-muc-tieu"].columns if c.name == "operator"]
    for operator in operators:
        assert f"{operator} (" in column.description, operator
    assert "gte" not in column.description


# 5 -- a filtered CSV cut into pages says so -----------------------------------------------------------------


def test_a_filtered_csv_of_figures_says_it_is_a_part_and_links_the_rest(plan, client):
    metric = Metric.objects.get(plan=plan, code="online_admin_dossiers")
    period = period_get_or_create(kind="month", year=2026, number=3)
    agencies = list(Agency.objects.filter(is_active=True).order_by("code")[:130])
    for agency in agencies:
        _approved(metric, agency, period, 50, numerator=Decimal(50), denominator=Decimal(100))
    url = f"/api/figures/?metric={metric.code}&year=2026&format=csv"
    first = client.get(url)
    rows = _csv_body(first)
    assert len(rows) == 100
    disposition = first["Content-Disposition"]
    assert "metric-online_admin_dossiers" in disposition and "year-2026" in disposition and "con-tiep" in disposition
    link = first["Link"]
    assert link.endswith('>; rel="next"')
    rest = client.get(link[1 : link.index(">")].replace("http://testserver", ""))
    assert "Link" not in rest and "con-tiep" not in rest["Content-Disposition"]
    assert "sau-id-" in rest["Content-Disposition"]
    ids = [r["id"] for r in rows + _csv_body(rest)]
    assert len(ids) == len(set(ids)) == 130
    # the whole list unfiltered on one page keeps the plain name
    whole = client.get("/api/figures/?format=csv&page_size=1000")
    assert "Link" not in whole
    assert whole["Content-Disposition"].startswith('attachment; filename="so-lieu-da-phe-duyet-theo-co-quan_2')
