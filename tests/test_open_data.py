"""Open data: the read-only API (JSON and CSV, paginated, throttled, schema valid) and the public page,
which show approved data only and nothing personal."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import call_command

from agencies.models import Agency
from core.formatting import value_text
from core.workflow import SubmissionStatus
from indicators.models import Metric, ParsedTarget
from indicators.services import period_get_or_create, target_statuses_recompute
from tests.report_data import observation_create, report_world

AS_OF = date(2026, 6, 20)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttling counts requests in the cache; each test starts with a clean slate
    yield
    cache.clear()


@pytest.fixture
def figures(plan, reviewer):
    """Approved, submitted, draft and returned figures, with notes and people that must never be public."""
    period = period_get_or_create(kind="quarter", year=2026, number=1)
    metric = Metric.objects.filter(plan=plan, kind=Metric.Kind.STOCK).order_by("code").first()
    khcn, police = Agency.objects.get(code="so-khcn"), Agency.objects.get(code="cong-an")
    extra = {"entered_by": reviewer, "reviewed_by": reviewer, "note": "Ghi chú nội bộ ABCXYZ"}
    return {
        "metric": metric,
        "approved": [
            observation_create(metric, khcn, period, "120", **extra),
            observation_create(metric, police, period, "30", **extra),
        ],
        "hidden": [
            observation_create(
                metric, Agency.objects.get(code="vp-ubnd"), period, "987654", SubmissionStatus.SUBMITTED
            ),
            observation_create(metric, Agency.objects.get(code="vp-tu"), period, "876543", SubmissionStatus.DRAFT),
            observation_create(
                metric,
                Agency.objects.exclude(code__in=["so-khcn", "cong-an", "vp-ubnd", "vp-tu"]).first(),
                period,
                "765432",
                SubmissionStatus.RETURNED,
            ),
        ],
    }


def test_approved_figures_only_and_nothing_personal(client, figures, reviewer):
    response = client.get("/api/figures/", {"metric": figures["metric"].code})
    assert response.status_code == 200
    body = response.json()
    assert sorted(row["value"] for row in body["results"]) == [30, 120]
    text = response.content.decode()
    for hidden in ("987654", "876543", "765432", "ABCXYZ", reviewer.username, "evidence", "entered_by"):
        assert hidden not in text

    target_statuses_recompute(as_of=AS_OF)  # the province figures are the engine's snapshot
    province = client.get("/api/province-figures/", {"metric": figures["metric"].code}).json()["results"]
    # a metric collected once for the province counts its designated agency's figure only (issue 11)
    assert figures["metric"].reporting_agency.code == "so-khcn"
    assert [(row["value"], row["agencies_reporting"]) for row in province] == [(120, 1)]


def test_api_is_read_only(client, figures, administrator):
    for user in (None, administrator):
        if user:
            client.force_login(user)
        assert client.post("/api/figures/", {"value": 1}).status_code == 405
        figure = figures["approved"][0]
        assert client.delete(f"/api/figures/{figure.pk}/").status_code == 405
        assert client.put("/api/indicators/I.1/", {}, content_type="application/json").status_code == 405
    figures["approved"][0].refresh_from_db()
    assert figures["approved"][0].value == 120


def test_hidden_figures_cannot_be_fetched_by_id(client, figures):
    assert client.get(f"/api/figures/{figures['hidden'][0].pk}/").status_code == 404
    assert client.get(f"/api/figures/{figures['approved'][0].pk}/").status_code == 200


def test_lists_are_paginated(client, plan):
    first = client.get("/api/indicators/", {"page_size": 10}).json()
    assert first["count"] == plan.indicators.count() and len(first["results"]) == 10
    assert first["next"] and "page=2" in first["next"]
    codes = [row["code"] for row in first["results"]]
    second = client.get("/api/indicators/", {"page_size": 10, "page": 2}).json()
    assert not set(codes) & {row["code"] for row in second["results"]}
    cell = first["results"][0]["cells"][0]
    assert {"year", "text", "text_display", "qualitative", "targets"} <= set(cell)


def test_requests_are_throttled(client, plan, settings):
    settings.OPEN_DATA_THROTTLE_ANON = "3/min"
    address = "203.0.113.65"  # a caller of its own: earlier tests' anonymous requests do not count against it
    cache.delete(f"throttle_open_data_anon_{address}")
    statuses = [client.get("/api/metrics/", REMOTE_ADDR=address).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_anonymous_access_follows_the_setting(client, plan, settings, steering):
    settings.PUBLIC_DATA_ENABLED = False
    assert client.get("/api/tasks/").status_code == 403
    assert client.get("/api/schema/").status_code == 403
    assert client.get("/cong-khai/").status_code == 404
    client.force_login(steering)
    assert client.get("/api/tasks/").status_code == 200
    settings.PUBLIC_DATA_ENABLED = True
    client.logout()
    assert client.get("/api/tasks/").status_code == 200


def test_csv_download(client, figures):
    response = client.get("/api/figures/", {"format": "csv", "metric": figures["metric"].code})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["id", "metric", "agency"]
    values = sorted(line.split(",")[header.index("value")] for line in lines[1:])
    assert values == ["120", "30"]

    tasks = client.get("/api/tasks/", {"format": "csv", "page_size": 1000}).content.decode("utf-8-sig")
    assert tasks.splitlines()[0].startswith("number,plan,group,title")
    assert len(tasks.splitlines()) == 1 + 35


def test_statuses_come_from_the_snapshot_of_the_date(client, plan):
    world = report_world(plan, AS_OF)
    body = client.get("/api/target-statuses/", {"page_size": 1000}).json()
    every_target = ParsedTarget.objects.filter(metric__plan=plan).count()  # a snapshot set is complete
    assert body["count"] == every_target
    assert {row["status"] for row in body["results"] if row["year"] == 2030} == {s.status for s in world["statuses"]}
    assert {row["as_of"] for row in body["results"]} == {"2026-06-20"}
    # a date without a snapshot is computed on demand from the approved figures: never silent blanks
    earlier = client.get("/api/target-statuses/", {"as_of": "2026-01-01", "page_size": 1000}).json()
    assert earlier["count"] == every_target
    assert {row["as_of"] for row in earlier["results"]} == {"2026-01-01"}
    tasks = client.get("/api/task-statuses/", {"status": "overdue"}).json()
    assert tasks["count"] == 2


def test_schema_validates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/plans/",
        "/api/indicators/",
        "/api/metrics/",
        "/api/tasks/",
        "/api/figures/",
        "/api/province-figures/",
        "/api/target-statuses/",
        "/api/task-statuses/",
    ):
        assert set(paths[path]) == {"get"}, path


def test_schema_is_served(client, plan):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_public_page_shows_indicators_and_status_from_approved_data_only(client, plan, figures):
    world = report_world(plan, AS_OF)
    response = client.get("/cong-khai/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "I.1" in page and "VI.2" in page
    assert "Đã đạt" in page and "20/06/2026" in page
    achieved = next(s for s in world["statuses"] if s.status == "achieved" and s.latest_value)
    assert achieved.parsed_target.metric.name in page
    assert value_text(achieved.latest_value, achieved.parsed_target.metric.unit) in page
    for hidden in ("987.654", "987654", "ABCXYZ", "Đăng xuất", "binh.vptu"):
        assert hidden not in page


def test_metrics_and_indicators_carry_their_metadata(client, plan, django_assert_max_num_queries):
    metric = client.get("/api/metrics/lgsp_data_integration/").json()
    assert metric["definition"].startswith("Phần trăm ban, sở, ngành có dữ liệu được tích hợp")
    assert metric["source"] == "Số liệu vận hành nền tảng LGSP do Văn phòng UBND tỉnh tổng hợp."
    assert metric["reporting_agency"] == "Văn phòng Ủy ban nhân dân tỉnh" and metric["frequency"] == "quarterly"
    assert metric["status_method"].startswith("Thu hẹp khoảng cách theo đường thẳng")
    per_agency = client.get("/api/metrics/digitized_admin_records/").json()
    assert per_agency["reporting_agency"] is None and per_agency["collection"] == "per_agency"
    indicator = client.get("/api/indicators/V.10/").json()
    assert [m["code"] for m in indicator["metrics"]] == ["lgsp_data_integration"]
    assert indicator["metrics"][0]["definition"] == metric["definition"]
    # the list reads every indicator's metrics with the page, not one query per indicator
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/indicators/", {"page_size": 50}).json()["results"]) == 44
